/**
 * The figures of takeaway 4 (pure functions of a t4-scaling record, STYLE §14): loss against N,
 * loss against compute with the envelope, the compute-optimal frontier, isoFLOP profiles, head-to-head
 * win rates, and the doubled-brain timelines; plus two tables the notebook shows.
 */
import { chinchillaLoss, logSpace, powerLaw } from "../../fit";
import { formatPrecision } from "../../present/format";
import { sliderFigure } from "../../present/slider";
import {
  lineFigure,
  paletteColor,
  scatterFigure,
  withLayout,
  withTraces,
  type Figure,
  type LineSeries,
} from "../../present/plot";
import { meanInterval } from "../../stats";
import type { T4Data, T4PairSeed, T4Record, T4Run, T4SeedAnalysis } from "./config";

/** The t4 data of a record, with a clear error for a record of another experiment. */
export function t4Data(record: T4Record): T4Data {
  const d = record.data as T4Data | undefined; // a record of another experiment has other data
  if (!d || !Array.isArray(d.runs))
    throw new Error(`t4-scaling figures: record ${record.id} has no t4 data; pass a t4-scaling record`);
  return d;
}

function sub(record: T4Record, extra = ""): string {
  return `profile ${record.profile}, ${t4Data(record).runs.length} runs (${t4Data(record).seeds.length} seeds per cell; curves averaged over seeds), base seed ${record.baseSeed}${extra ? "; " + extra : ""}`;
}

/** Loss at convergence against N, with the power-law fit and the source's entropy rate. */
export function lossVsNFigure(record: T4Record): Figure {
  const d = t4Data(record);
  const ns = d.sizes.map((s) => s.n);
  const grid = logSpace(Math.min(...ns) / 1.3, Math.max(...ns) * 1.3, 60);
  const f = d.lossN;
  let fig = lineFigure(
    [
      { name: "best run per size", x: ns, y: d.sizes.map((s) => s.bestLoss), mode: "markers" },
      {
        name: `fit E + A/N^α (α=${formatPrecision(f.alpha)}, E=${formatPrecision(f.E)}, R²=${formatPrecision(f.r2, 4)})`,
        x: grid,
        y: grid.map((n) => powerLaw(f, n)),
        mode: "lines",
        dash: "dash",
      },
    ],
    {
      title: "Loss falls as a power law of model size",
      subtitle: sub(record),
      xTitle: "non-embedding parameters N",
      yTitle: "held-out loss (nats / token)",
      xLog: true,
      yLog: true,
      yRange: [
        0.95 * Math.min(d.language.entropyRate, ...d.sizes.map((s) => s.bestLoss)),
        1.05 * Math.max(...d.sizes.map((s) => s.bestLoss)),
      ],
    },
  );
  // A trace rather than a layout shape: its label then sits in the legend, which works on log axes.
  fig = withLayout(fig, { legend: { x: 0.98, xanchor: "right", y: 0.98, yanchor: "top" } });
  fig = withTraces(fig, [
    {
      type: "scatter",
      mode: "lines",
      name: `entropy rate of the language, ${formatPrecision(d.language.entropyRate)} (no model can go lower)`,
      x: [grid[0], grid[grid.length - 1]],
      y: [d.language.entropyRate, d.language.entropyRate],
      line: { color: "#555555", dash: "dot", width: 1.5 },
    },
  ]);
  return fig;
}

/** The minimum-over-runs envelope (the compute-optimal frontier) as a dotted black line. */
function envelopeSeries(d: T4Data, width: number): LineSeries {
  return {
    name: "envelope (best run at each compute)",
    x: d.frontier.envelope.map((p) => p.flops),
    y: d.frontier.envelope.map((p) => p.loss),
    color: "#000000",
    mode: "lines",
    width,
    dash: "dot",
  };
}

/** Every run's loss curve against compute, coloured by size, with the minimum-over-runs envelope. */
export function lossVsComputeFigure(record: T4Record): Figure {
  const d = t4Data(record);
  const ns = [...new Set(d.meanRuns.map((r) => r.n))].sort((a, b) => a - b);
  const series: LineSeries[] = d.meanRuns.map((r) => {
    const i = ns.indexOf(r.n);
    return {
      name: `N=${r.n}`,
      x: r.curve.map((p) => p.flops),
      y: r.curve.map((p) => p.loss),
      color: paletteColor(i),
      mode: "lines",
      width: 1.2,
      group: `N=${r.n}`,
      showLegend: d.meanRuns.find((q) => q.n === r.n) === r,
    };
  });
  series.push(envelopeSeries(d, 3));
  return lineFigure(series, {
    title: "Loss against training compute: the envelope is the compute-optimal frontier",
    subtitle: sub(record, "C = 6·N·D"),
    xTitle: "training compute C (FLOPs)",
    yTitle: "held-out loss (nats / token)",
    xLog: true,
    yLog: true,
    legendTitle: "model size",
  });
}

/**
 * Explore model size without re-running: one slider step per size, showing that size's loss curves (one
 * per token budget, averaged over seeds) in colour against every other size's in grey, with the envelope.
 * Computed once from the record; the axes stay fixed so that the steps compare on one scale.
 */
export function sizeSliderFigure(record: T4Record): Figure {
  const d = t4Data(record);
  const ns = [...new Set(d.meanRuns.map((r) => r.n))].sort((a, b) => a - b);
  const allX = d.meanRuns.flatMap((r) => r.curve.map((p) => p.flops));
  const allY = d.meanRuns.flatMap((r) => r.curve.map((p) => p.loss));
  const steps = ns.map((n, i) => {
    const run0 = d.meanRuns.find((r) => r.n === n) as T4Run;
    const series: LineSeries[] = d.meanRuns.map((r) => {
      const mine = r.n === n;
      return {
        name: mine ? `N=${n} (D = ${r.tokens})` : "other sizes",
        x: r.curve.map((p) => p.flops),
        y: r.curve.map((p) => p.loss),
        color: mine ? paletteColor(i) : "#c8c8c8",
        mode: "lines+markers",
        width: mine ? 3 : 1,
        showLegend: mine || d.meanRuns.find((q) => q.n !== n) === r,
      };
    });
    series.push(envelopeSeries(d, 2));
    const figure = lineFigure(series, {
      title: `Model size N = ${n} (width ${run0.dModel}, depth ${run0.nLayer}): its loss curves against the others'`,
      subtitle: sub(record, "C = 6·N·D; one curve per token budget; move the slider to change N"),
      xTitle: "training compute C (FLOPs)",
      yTitle: "held-out loss (nats / token)",
      xLog: true,
      yLog: true,
      xRange: [Math.min(...allX) / 1.3, Math.max(...allX) * 1.3],
      yRange: [Math.min(...allY) / 1.03, Math.max(...allY) * 1.03],
    });
    return { label: `N = ${n}`, figure };
  });
  return sliderFigure(steps, { prefix: "model size: ", active: Math.floor(ns.length / 2) });
}

/** N_opt(C) from the envelope with the fitted frontier C^a. */
export function frontierFigure(record: T4Record): Figure {
  const d = t4Data(record);
  const env = d.frontier.envelope;
  const a = d.frontier.a;
  const cs = env.map((p) => p.flops);
  const series = [
    {
      name: "N_opt from the envelope",
      x: env.filter((p) => !p.clipped).map((p) => p.flops),
      y: env.filter((p) => !p.clipped).map((p) => p.nOpt),
      symbol: "circle" as const,
    },
    {
      name: "at the edge of the size range (not fitted)",
      x: env.filter((p) => p.clipped).map((p) => p.flops),
      y: env.filter((p) => p.clipped).map((p) => p.nOpt),
      symbol: "x" as const,
      color: "#999999",
    },
  ];
  let fig = scatterFigure(series, {
    title: `Compute-optimal model size N_opt ∝ C^a, a = ${formatPrecision(a)} (C ∝ N^${formatPrecision(1 / a)})`,
    subtitle: sub(record, "Chinchilla: a ≈ 0.5 (C ∝ N²); Kaplan: a ≈ 0.73"),
    xTitle: "training compute C (FLOPs)",
    yTitle: "non-embedding parameters N",
    xLog: true,
    yLog: true,
  });
  if (cs.length > 0) {
    const lo = Math.min(...cs);
    const hi = Math.max(...cs);
    const line = (aa: number, name: string, dash: string, color: string): Record<string, unknown> => {
      // Anchor reference slopes at the fit's centre.
      const cMid = Math.sqrt(lo * hi);
      const nMid = Math.exp(d.frontier.logK + a * Math.log(cMid));
      return {
        type: "scatter",
        mode: "lines",
        name,
        x: [lo, hi],
        y: [nMid * Math.pow(lo / cMid, aa), nMid * Math.pow(hi / cMid, aa)],
        line: { dash, color, width: 2 },
      };
    };
    fig = withTraces(fig, [
      line(a, `fit: a = ${formatPrecision(a)}`, "solid", "#d62728"),
      line(0.5, "a = 0.5 (C ∝ N², the paper)", "dash", "#555555"),
    ]);
  }
  return fig;
}

/** IsoFLOP profiles: loss against N at fixed compute. */
export function isoFlopFigure(record: T4Record): Figure {
  const d = t4Data(record);
  return lineFigure(
    d.isoFlop.map((b) => ({ name: `C = ${b.flops.toExponential(1)}`, x: b.n, y: b.loss })),
    {
      title: "IsoFLOP profiles: at fixed compute there is a best model size",
      subtitle: sub(record, "each point: best loss a size reaches at that compute"),
      xTitle: "non-embedding parameters N",
      yTitle: "held-out loss (nats / token)",
      xLog: true,
      legendTitle: "training compute",
    },
  );
}

/** Head-to-head win rates against the size ratio, with γ = 1 and the fitted γ. */
export function headToHeadFigure(record: T4Record): Figure {
  const d = t4Data(record);
  const h = d.headToHead;
  const ratios = h.pairs.map((p) => p.ratio);
  const grid = logSpace(Math.min(1, ...ratios), Math.max(...ratios) * 1.1, 60);
  let fig = scatterFigure(
    [
      {
        name: "pairs of sizes (larger vs smaller)",
        x: ratios,
        y: h.pairs.map((p) => p.winRate),
        text: h.pairs.map((p) => `${h.sizes[p.i]} vs ${h.sizes[p.j]}`),
      },
    ],
    {
      title: `Head to head: the larger model wins a fraction N_A^γ/(N_A^γ+N_B^γ), γ = ${formatPrecision(h.gamma)}`,
      subtitle: sub(record, `${h.items} held-out words per pair`),
      xTitle: "size ratio N_A / N_B",
      yTitle: "fraction of items won by the larger model",
      xLog: true,
      yRange: [0.4, 1],
    },
  );
  fig = withTraces(fig, [
    {
      type: "scatter",
      mode: "lines",
      name: "γ = 1 (the paper)",
      x: grid,
      y: grid.map((r) => r / (1 + r)),
      line: { dash: "dash", color: "#555555" },
    },
    {
      type: "scatter",
      mode: "lines",
      name: `fitted γ = ${formatPrecision(h.gamma)}`,
      x: grid,
      y: grid.map((r) => Math.pow(r, h.gamma) / (1 + Math.pow(r, h.gamma))),
      line: { color: "#d62728" },
    },
  ]);
  return fig;
}

/** Vertical marker lines as ordinary traces (they work on log axes and appear in the legend). */
function markerTraces(
  xs: ReadonlyArray<number>,
  labels: ReadonlyArray<string>,
  yLo: number,
  yHi: number,
): Record<string, unknown>[] {
  const dashes = ["dot", "dash", "dashdot"];
  return xs
    .map((x, i) => ({ x, i }))
    .filter(({ x }) => Number.isFinite(x) && x > 0)
    .map(({ x, i }) => ({
      type: "scatter",
      mode: "lines",
      name: labels[i],
      x: [x, x],
      y: [yLo, yHi],
      line: { color: "#555555", width: 1.5, dash: dashes[i % dashes.length] },
      hoverinfo: "name",
    }));
}

/** The adjacent pair the timeline figures show: the crossing pair nearest the middle of the ladder. */
function timelinePair(d: T4Data): number {
  const pairs = d.doubled.pairs;
  const mid = (pairs.length - 1) / 2;
  const crossing = pairs.map((p, i) => ({ p, i })).filter(({ p }) => p.computeKind === "crosses");
  const pool = crossing.length > 0 ? crossing : pairs.map((p, i) => ({ p, i }));
  return pool.reduce((a, b) => (Math.abs(b.i - mid) < Math.abs(a.i - mid) ? b : a)).i;
}

function timelineFigure(record: T4Record, axis: "compute" | "data"): Figure {
  const d = t4Data(record);
  const db = d.doubled;
  if (db.pairs.length === 0) throw new Error("doubledBrainFigure: the record has no adjacent pair of sizes");
  const k = timelinePair(d);
  const pair = db.pairs[k] as T4Data["doubled"]["pairs"][number];
  const baseYears = record.config?.baseYears ?? 15;
  const cN = Math.exp((Math.log(pair.n) - d.frontier.logK) / d.frontier.a);
  const compute = axis === "compute";
  // Unit of time: N's compute-optimal budget (compute) or N's compute-optimal token count (data) = baseYears.
  const unit = compute ? cN : cN / (6 * pair.n);
  const grid = compute ? db.grid : db.tokenGrid;
  const env = compute ? db.envelopes : db.tokenEnvelopes;
  const a = env[k] as number[];
  const b = env[k + 1] as number[];
  const keep = grid.map((_, i) => i).filter((i) => Number.isFinite(a[i]) || Number.isFinite(b[i]));
  const years = keep.map((i) => (baseYears * grid[i]) / unit);
  const ys = keep.flatMap((i) => [a[i], b[i]]).filter(Number.isFinite);
  const yLo = Math.min(...ys);
  const yHi = Math.max(...ys);
  const opt2 = compute ? pair.optimalFlops2 : pair.optimalTokens2;
  const cross = compute ? pair.crossoverFlops : pair.crossoverTokens;
  const kind = compute ? pair.computeKind : pair.dataKind;
  const crossLabel =
    kind === "crosses"
      ? "2N overtakes N"
      : kind === "always"
        ? "2N ahead from the first checkpoint"
        : kind === "never"
          ? "2N not yet ahead at the last shared checkpoint"
          : "no shared range";
  const marks = [baseYears, (baseYears * opt2) / unit, (baseYears * cross) / unit];
  const fig = lineFigure(
    [
      { name: `N = ${pair.n}`, x: years, y: keep.map((i) => a[i]), mode: "lines" },
      { name: `2N ≈ ${pair.n2}`, x: years, y: keep.map((i) => b[i]), mode: "lines" },
    ],
    {
      title: compute
        ? "The doubled brain if time ∝ compute (the paper's reading)"
        : "The doubled brain if time ∝ experience (tokens)",
      subtitle: sub(
        record,
        compute
          ? `${baseYears} y = N's compute-optimal budget; 2N needs ${formatPrecision(opt2 / cN)}× the compute`
          : `${baseYears} y = N's compute-optimal tokens; 2N needs ${formatPrecision(opt2 / unit)}× the tokens`,
      ),
      xTitle: compute ? "training time (years, ∝ compute)" : "training time (years, ∝ tokens seen)",
      yTitle: "best loss so far (nats / token)",
      xLog: true,
    },
  );
  return withTraces(
    fig,
    markerTraces(
      marks,
      [
        `N compute-optimal (${formatPrecision(marks[0] as number)} y)`,
        `2N compute-optimal (${formatPrecision(marks[1] as number)} y)`,
        `${crossLabel} (${formatPrecision(marks[2] as number)} y)`,
      ],
      yLo,
      yHi,
    ),
  );
}

/**
 * The doubled-brain timeline for a crossing adjacent pair near the middle of the ladder: best loss so
 * far of N and ≈2N against training time in years, time ∝ compute, N's compute-optimal budget = 15 y.
 */
export function doubledBrainFigure(record: T4Record): Figure {
  return timelineFigure(record, "compute");
}

/** The same pair against training time ∝ tokens seen (a larger brain processes the same experience stream). */
export function doubledBrainDataFigure(record: T4Record): Figure {
  return timelineFigure(record, "data");
}

/** The doubled-brain numbers of a record in words-ready form (for the notebook's summary table). */
export function doubledBrainSummary(record: T4Record): Record<string, number | string>[] {
  const d = t4Data(record);
  return d.doubled.pairs.map((p) => ({
    N: p.n,
    "2N": p.n2,
    "crossover (compute)": p.computeKind,
    "fraction of 2N's training behind": Number(formatPrecision(p.fraction)),
    "crossover (tokens)": p.dataKind,
    "fraction (time ∝ data)": Number(formatPrecision(p.fractionData)),
  }));
}

/** Chinchilla-fit predictions for the runs (measured vs fitted, for a parity plot). */
export function jointFitResiduals(record: T4Record): { n: number; d: number; loss: number; fitted: number }[] {
  const d = t4Data(record);
  return d.meanRuns.map((r) => ({
    n: r.n,
    d: r.tokens,
    loss: r.finalLoss,
    fitted: chinchillaLoss(d.joint, r.n, r.tokens),
  }));
}

// ---------------------------------------------------------------------------------------------------
// Second edition: per-seed estimates beside their controls.

function seedIv(vs: ReadonlyArray<number>): { y: number; lo: number; hi: number } {
  const f = vs.filter(Number.isFinite);
  if (f.length === 0) return { y: NaN, lo: NaN, hi: NaN };
  if (f.length === 1) return { y: f[0] as number, lo: f[0] as number, hi: f[0] as number };
  const iv = meanInterval(f);
  return { y: iv.mean, lo: iv.lo, hi: iv.hi };
}

/** The compute-optimal exponent a from each approach and count, per seed and mean ± 95% over seeds, beside the Kaplan-world control. */
export function computeOptimalAFigure(record: T4Record): Figure {
  const S = t4Data(record).seeds;
  const cols: [string, (s: T4SeedAnalysis) => number][] = [
    ["IsoFLOP, 6ND", (s) => s.computeOptimalA_isoflop_6ND],
    ["IsoFLOP, + attention", (s) => s.computeOptimalA_isoflop_withAttention],
    ["parametric, 6ND", (s) => s.computeOptimalA_parametric_6ND],
    ["parametric, + attention", (s) => s.computeOptimalA_parametric_withAttention],
    ["control: Kaplan world (a = 0.73)", (s) => s.computeOptimalA_kaplanControl],
  ];
  const ivs = cols.map(([, f]) => seedIv(S.map(f)));
  const xs = cols.map(([n]) => n);
  let fig = lineFigure(
    [
      {
        name: "mean over seeds, 95% t interval",
        x: xs,
        y: ivs.map((i) => i.y),
        lo: ivs.map((i) => i.lo),
        hi: ivs.map((i) => i.hi),
        mode: "markers",
      },
      ...S.map((s, k) => ({
        name: `seed ${s.replicate}`,
        x: xs,
        y: cols.map(([, f]) => f(s)),
        mode: "markers" as const,
        color: "#999999",
        group: "seeds",
        showLegend: k === 0,
      })),
    ],
    {
      title: "Compute-optimal exponent a (N_opt ∝ C^a): the paper's C ~ N² is a = ½",
      subtitle: sub(record, "band [0.4, 0.6] dotted"),
      xTitle: "estimate",
      yTitle: "a",
      errors: "bars",
    },
  );
  fig = withTraces(fig, [
    {
      type: "scatter",
      mode: "lines",
      name: "band [0.4, 0.6]",
      x: [xs[0], xs[xs.length - 1]],
      y: [0.4, 0.4],
      line: { color: "#555555", dash: "dot", width: 1 },
    },
    {
      type: "scatter",
      mode: "lines",
      showlegend: false,
      x: [xs[0], xs[xs.length - 1]],
      y: [0.6, 0.6],
      line: { color: "#555555", dash: "dot", width: 1 },
    },
  ]);
  return fig;
}

/** The prediction before the run: the held-out largest size's final losses, the law fitted on the smaller sizes, and persistence (the control). */
export function extrapolationFigure(record: T4Record): Figure {
  const S = t4Data(record).seeds;
  const e0 = (S[0] as T4SeedAnalysis).extrapolation;
  const at = (f: (e: T4SeedAnalysis["extrapolation"]) => number[]) =>
    e0.tokens.map((_, i) => seedIv(S.map((s) => f(s.extrapolation)[i] as number)));
  const series = (name: string, ivs: { y: number; lo: number; hi: number }[], dash?: "dash" | "dot"): LineSeries => ({
    name,
    x: e0.tokens,
    y: ivs.map((i) => i.y),
    lo: ivs.map((i) => i.lo),
    hi: ivs.map((i) => i.hi),
    ...(dash ? { dash } : {}),
  });
  return lineFigure(
    [
      series(
        `measured, N = ${e0.heldOutN}`,
        at((e) => e.observed),
      ),
      series(
        "predicted by L(N, D) fitted on the smaller sizes",
        at((e) => e.predicted),
        "dash",
      ),
      series(
        "control: the next smaller size's loss (no law)",
        at((e) => e.persistence),
        "dot",
      ),
    ],
    {
      title: "A prediction before the run: the largest size's final loss",
      subtitle: sub(record, "mean and 95% t interval over seeds"),
      xTitle: "training tokens D",
      yTitle: "final held-out loss (nats / token)",
      xLog: true,
      errors: "bars",
    },
  );
}

/** The guessing game: the larger model's win share per pair against N_A/(N_A+N_B)^γ curves, with the identical-players control. */
export function guessingGameFigure(record: T4Record): Figure {
  const S = t4Data(record).seeds;
  const pairs = (S[0] as T4SeedAnalysis).gamePairs;
  const ratio = pairs.map((p) => p.n2 / p.n);
  const ivs = pairs.map((_, i) => seedIv(S.map((s) => (s.gamePairs[i] as { winRate: number }).winRate)));
  const order = ratio.map((_, i) => i).sort((a, b) => (ratio[a] as number) - (ratio[b] as number));
  const g = seedIv(S.map((s) => s.gammaGame)).y;
  const grid = logSpace(1, Math.max(...ratio) * 1.1, 40);
  return lineFigure(
    [
      {
        name: "larger model's share of games (mean, 95% over seeds)",
        x: order.map((i) => ratio[i] as number),
        y: order.map((i) => (ivs[i] as { y: number }).y),
        lo: order.map((i) => (ivs[i] as { lo: number }).lo),
        hi: order.map((i) => (ivs[i] as { hi: number }).hi),
        mode: "markers",
      },
      { name: "paper: γ = 1", x: grid, y: grid.map((r) => r / (1 + r)), mode: "lines", dash: "dash" },
      {
        name: `fit: γ = ${formatPrecision(g)}`,
        x: grid,
        y: grid.map((r) => Math.pow(r, g) / (1 + Math.pow(r, g))),
        mode: "lines",
      },
      {
        name: `control, identical players: γ = ${formatPrecision(seedIv(S.map((s) => s.gammaIdentical)).y)}`,
        x: grid,
        y: grid.map(() => 0.5),
        mode: "lines",
        dash: "dot",
      },
    ],
    {
      title: "Head to head with chance: who guesses the next word first",
      subtitle: sub(record),
      xTitle: "size ratio N_A / N_B",
      yTitle: "P(A wins)",
      xLog: true,
      errors: "bars",
    },
  );
}

/** The doubled brain per adjacent pair: the fraction of its compute-optimal training the larger model is behind, under both mappings. */
export function crossoverTrendFigure(record: T4Record): Figure {
  const S = t4Data(record).seeds;
  const pairs = (S[0] as T4SeedAnalysis).pairs;
  const mk = (key: "fraction" | "fractionData", name: string): LineSeries => {
    const ivs = pairs.map((_, i) => seedIv(S.map((s) => (s.pairs[i] as T4PairSeed)[key])));
    return {
      name,
      x: pairs.map((p) => p.n),
      y: ivs.map((i) => i.y),
      lo: ivs.map((i) => i.lo),
      hi: ivs.map((i) => i.hi),
      mode: "lines+markers",
    };
  };
  const xs = pairs.map((p) => p.n);
  return lineFigure(
    [
      mk("fraction", "time ∝ compute"),
      mk("fractionData", "time ∝ experience (tokens)"),
      {
        name: "½: behind for most of the time above",
        x: [xs[0] as number, xs[xs.length - 1] as number],
        y: [0.5, 0.5],
        mode: "lines",
        dash: "dot",
        color: "#555555",
      },
    ],
    {
      title: "The doubled brain, per pair: fraction of its training during which it is behind",
      subtitle: sub(
        record,
        "pairs that do not cross inside the sweep are left out; 95% over the seeds where they cross",
      ),
      xTitle: "smaller model of the pair, N",
      yTitle: "fraction behind",
      xLog: true,
      errors: "bars",
    },
  );
}
