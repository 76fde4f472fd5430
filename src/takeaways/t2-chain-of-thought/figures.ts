/** Takeaway 2's figures and sample table, pure functions of a t2 record (plotly JSON); each control beside its condition. */
import {
  barFigure,
  type Figure,
  lineFigure,
  type LineSeries,
  scatterFigure,
  withHorizontalLines,
  withVerticalLines,
} from "../../present/plot";
import { meanInterval, type Metric, toInterval } from "../../stats";
import { groupAccuracy, iXZnormOf, levelRunOf, type SeedInfo, type T2LevelRun, type T2Record } from "./config";

const iv = toInterval;

/**
 * The points' x range with room for the labels printed beside them (plotly's autorange clips the outermost ones).
 * Here, not in scatterFigure: the information plane adds reference lines beyond its points after the fact.
 */
function paddedRange(xs: ReadonlyArray<number>): [number, number] {
  const fin = xs.filter((x) => Number.isFinite(x));
  if (fin.length === 0) return [0, 1];
  const lo = Math.min(0, ...fin);
  const hi = Math.max(...fin);
  const span = hi - lo > 0 ? hi - lo : 1;
  return [lo - 0.15 * span, hi + 0.2 * span];
}

/** An interval as `mean [lo, hi]`. */
function ivText(x: Metric | undefined): string {
  const v = iv(x);
  return `${fmt(v.mean)} [${fmt(v.lo)}, ${fmt(v.hi)}]`;
}

/** Level labels: `0 state`, `1 swap`, ... */
export function levelLabel(record: T2Record, l: number): string {
  return `${l} ${record.data.levels[l] ?? "?"}`;
}

/** The figures of a t2 record (pure). */
export function t2Figures(record: T2Record): Record<string, Figure> {
  const d = record.data;
  const m = record.metrics;
  const nL = d.levelRuns.length / Math.max(1, d.levels.length);
  const sub = `profile ${record.profile}; 95% t-intervals over seeds (chains n = ${nL}, direct n = ${d.directRuns.length / Math.max(1, d.directDepths.length)})`;
  // Records since the permutation null carry the corrected estimates (the metrics iXZ_*, iZY_*); older ones
  // hold Miller–Madow values under the same metric names.
  // Records since the surface bound estimate I(X;Z) on the surface of input and chain (a lower bound).
  const nullCorrected = d.levelRuns.some((r) => r.info.iXZcorrected !== undefined);
  const surface = d.levelRuns.some((r) => r.info.iXZsurface !== undefined);
  const estimator = nullCorrected
    ? `${surface ? "I(surface(X); surface(Z)), a lower bound, " : ""}plug-in minus its permutation null (${record.config.info.nullShuffles} shuffles of the chains across the inputs)`
    : "Miller–Madow";
  const starNorm = (i: SeedInfo): number => (nullCorrected ? iXZnormOf(i) : i.iXZ / i.hX);
  // The manipulation check of the I(X;Z) estimate (records since it exist): failed, the x-axis does not rank the
  // levels by design and the claims on it are inconclusive.
  const checkFailed = (record.metrics as Record<string, unknown>)["iXZorderOk"] === 0;
  const checkNote = checkFailed
    ? "; manipulation check failed: this I(X;Z) does not rise from the abstract to the verbatim level, so the slope cannot test the bottleneck"
    : "";

  // 1. Direct answers against chains: accuracy vs k, per depth, beside the level-0 chain (in and beyond training).
  const series: LineSeries[] = d.directDepths.map((depth, i) => {
    const ivs = d.ksIn.map((k) => iv(m[`directAcc_depth${depth}_k${k}`]));
    return {
      name: `direct, depth ${depth}`,
      x: [...d.ksIn],
      y: ivs.map((v) => v.mean),
      lo: ivs.map((v) => v.lo),
      hi: ivs.map((v) => v.hi),
      dash: (["dot", "dash", "dashdot", "solid"] as const)[i % 4],
    };
  });
  const ksAll = [...d.ksIn, ...d.kLonger];
  d.levels.forEach((_, l) => {
    const rs = d.levelRuns.filter((r) => r.level === l);
    const ys = ksAll.map((k) => mean(rs.map((r) => r.accuracy[`k${k}`] as number)));
    series.push({ name: `chain level ${levelLabel(record, l)}`, x: ksAll, y: ys, mode: "lines+markers" });
  });
  let accFig = lineFigure(series, {
    title: "Accuracy against the number of swaps k: direct answers by depth, and chains",
    subtitle: `${sub}; direct models trained on the chains' tokens (${d.directStepsPerModel} steps)`,
    xTitle: "k (swaps)",
    yTitle: "accuracy (greedy answer)",
    yRange: [0, 1.02],
    errors: "bars",
  });
  accFig = withVerticalLines(accFig, [d.kMax + 0.5], ["trained ≤ | longer →"]);
  accFig = withHorizontalLines(accFig, [1 / d.numCups], ["chance"]);

  // 2. The bottleneck test: unseen-form accuracy vs I(X;Z)/H(X) per level, in-distribution (the control) beside it.
  // The graded levels only, the ones the slope is fitted to (the marked control is in figure 5).
  const graded = d.levels.flatMap((f, l) => (f === "marked" ? [] : [l]));
  const xs = graded.map((l) => iv(m[`iXZnorm_level${l}`]).mean);
  const midX = (Math.min(...xs) + Math.max(...xs)) / 2;
  const xSpan = Math.max(...xs) - Math.min(...xs) || 1;
  const text = graded.map((l) => levelLabel(record, l));
  const ptsOf = (key: "accUnseen" | "accInDist") => graded.map((l) => iv(m[`${key}_level${l}` as const]));
  const unseen = ptsOf("accUnseen");
  const unseenY = unseen.map((v) => v.mean);
  const inDist = ptsOf("accInDist");
  const bs = iv(m["bottleneckSlope"]);
  const ds = iv(m["inDistSlope"]);
  const slopeFig = scatterFigure(
    [
      {
        name: `unseen surface forms (slope ${fmt(bs.mean)} [${fmt(bs.lo)}, ${fmt(bs.hi)}])`,
        x: xs,
        y: unseenY,
        lo: unseen.map((v) => v.lo),
        hi: unseen.map((v) => v.hi),
        text,
        // Levels 0 and 1 share x (both copy no surface) and 2 and 3 lie close together: of two neighbours the
        // higher point is labelled above and the lower below, toward the middle of the plot so no label leaves it.
        textPosition: xs.map((x, l) => {
          const above = xs.every((x2, j) => {
            const [y, y2] = [unseenY[l] as number, unseenY[j] as number];
            return j === l || Math.abs(x2 - x) > 0.1 * xSpan || y > y2 || (y === y2 && l < j);
          });
          return `${above ? "top" : "bottom"} ${x < midX ? "right" : "left"}`;
        }),
        size: 11,
      },
      {
        name: `control: in distribution (slope ${fmt(ds.mean)} [${fmt(ds.lo)}, ${fmt(ds.hi)}])`,
        x: xs,
        y: inDist.map((v) => v.mean),
        lo: inDist.map((v) => v.lo),
        hi: inDist.map((v) => v.hi),
        // Unlabelled: each square sits at its level's x, under or over that level's labelled circle.
        size: 9,
        symbol: "square",
      },
    ],
    {
      title: "Does keeping less of the input generalise better? Accuracy against I(X;Z)/H(X)",
      subtitle: `${sub}; I(X;Z) of the model's own sampled chains: ${estimator}${checkNote}`,
      xTitle: "I(X;Z)/H(X) of the sampled chains",
      yTitle: "accuracy",
      yRange: [0, 1.05],
      xRange: paddedRange(xs),
      labels: true,
    },
  );

  // 3. The information plane of the sampled chains, with the self-chosen chains before/after STaR and the control.
  const planeSeries = d.levels.map((_, l) => ({
    name: `level ${levelLabel(record, l)}`,
    x: [iv(m[`iXZ_level${l}`]).mean],
    y: [iv(m[`iZY_level${l}`]).mean],
    lo: [iv(m[`iZY_level${l}`]).lo],
    hi: [iv(m[`iZY_level${l}`]).hi],
    text: [`L${l}`],
    size: 11,
  }));
  const starIZY = (key: "before" | "after" | "afterControl"): number =>
    mean(d.starRuns.map((r) => (nullCorrected ? (r[key].iZYcorrected ?? NaN) : r[key].iZY)));
  for (const [key, name, symbol] of [
    ["before", "self-chosen, before STaR", "diamond"],
    ["after", "self-chosen, after STaR", "triangle-up"],
    ["afterControl", "control: after unfiltered self-training", "x"],
  ] as const) {
    if (d.starRuns.length === 0) continue;
    planeSeries.push({
      name,
      x: [iv(m[`iXZ_selfChosen_${key}`]).mean],
      y: [starIZY(key)],
      lo: [starIZY(key)],
      hi: [starIZY(key)],
      text: [key],
      size: 11,
      ...({ symbol } as object),
    });
  }
  let plane = scatterFigure(planeSeries, {
    title: "The information plane of the model's own sampled chains",
    subtitle: `${estimator}, per seed, mean over seeds; temperature ${record.config.info.temperature}; ${record.config.info.samplesPerSeed} samples per seed`,
    xTitle: "I(X;Z): bits of the input kept in the chain",
    yTitle: "I(Z;Y): bits of the answer in the chain",
    labels: true,
  });
  const hSurface = Math.log2(record.config.info.numForms);
  plane = withHorizontalLines(
    withVerticalLines(
      plane,
      surface ? [hSurface, d.designHX] : [d.designHX],
      surface ? ["log2 forms", "log2 |X|"] : ["log2 |X|"],
    ),
    [d.designHY],
    ["H(Y)"],
  );

  // 4. STaR: I(X;Z)/H(X) before, after, and the unfiltered control, per seed.
  const starFig = barFigure(
    d.starRuns.map((r) => `seed ${r.seed}`),
    [
      { name: "after warm-up (before)", y: d.starRuns.map((r) => starNorm(r.before)) },
      { name: "after outcome-filtered rounds", y: d.starRuns.map((r) => starNorm(r.after)) },
      { name: "control: unfiltered rounds", y: d.starRuns.map((r) => starNorm(r.afterControl)) },
    ],
    {
      title: "Chains the model chooses: I(X;Z)/H(X) before and after outcome-only training",
      subtitle: `STaR (keep chains with the right answer, fine-tune) beside self-training that keeps every chain; I(X;Z): ${estimator}${checkFailed ? "; manipulation check failed (the estimate does not rank the chain levels by design), so this cannot test the claim" : ""}`,
      xTitle: "seed",
      yTitle: "I(X;Z)/H(X)",
    },
  );

  // 5. The step-vs-swap contrast: two learnt levels that differ only in copying the input's separators, on the
  // training surface forms (the control) and on unseen ones; with the marked control (records since it), the step
  // format with a fixed mark in place of the copied separators, as a third bar.
  const iSwap = d.levels.indexOf("swap");
  const iStep = d.levels.indexOf("step");
  const iMarked = d.levels.indexOf("marked");
  // With the split wordings (records since them): the unseen problems with only their separators unseen and with
  // only their header and filler unseen, two more groups.
  const split = (m as Record<string, unknown>)[`accUnseenSep_level${iSwap}`] !== undefined;
  type AccKey = "accInDist" | "accUnseen" | "accUnseenSep" | "accUnseenFrame" | "accUnseenHeader" | "accUnseenFiller";
  const hasFrameParts = (m as Record<string, unknown>)[`accUnseenHeader_level${iSwap}`] !== undefined;
  // With the split the labels are short (six groups side by side): what is unseen.
  const groups: ReadonlyArray<readonly [AccKey, string]> = split
    ? [
        ["accInDist", "none (control)"],
        ["accUnseen", "all"],
        ["accUnseenSep", "separators"],
        ["accUnseenFrame", "header + filler"],
        ...(hasFrameParts
          ? ([
              ["accUnseenHeader", "header"],
              ["accUnseenFiller", "filler"],
            ] as const)
          : []),
      ]
    : [
        ["accInDist", "training surface forms (control)"],
        ["accUnseen", "unseen surface forms"],
      ];
  const pair = (iMarked < 0 ? [iSwap, iStep] : [iSwap, iStep, iMarked]).map((l) => {
    const ivs = groups.map(([key]) => iv(m[`${key}_level${l}`]));
    return {
      name: `level ${levelLabel(record, l)}`,
      y: ivs.map((v) => v.mean),
      lo: ivs.map((v) => v.lo),
      hi: ivs.map((v) => v.hi),
    };
  });
  // Records from before the contrast's metrics: the mean difference is the difference of the level means (the
  // same seeds), without an interval.
  const diffText = (key: "stepMinusSwapUnseen" | "stepMinusSwapInDist", acc: "accUnseen" | "accInDist"): string => {
    if ((m as Record<string, unknown>)[key] === undefined)
      return `${fmt(iv(m[`${acc}_level${iStep}`]).mean - iv(m[`${acc}_level${iSwap}`]).mean)} [NaN, NaN]`;
    return ivText(m[key]);
  };
  const markedText =
    iMarked < 0
      ? ""
      : `; step − marked: unseen ${ivText(m["stepMinusMarkedUnseen"])}, training forms ${ivText(m["stepMinusMarkedInDist"])}`;
  const splitText = split
    ? `; marked − swap, separators unseen: ${ivText(m["markedMinusSwapUnseenSep"])}, header + filler: ${ivText(m["markedMinusSwapUnseenFrame"])}`
    : "";
  const copyFig = barFigure(
    groups.map(([, label]) => label),
    pair,
    {
      title:
        iMarked < 0
          ? "Copying the surface form: step chains (copy the separators) against swap chains (do not)"
          : "Copying or format? Swap, step (copies separators), marked (a fixed mark)",
      // With the split, the in-distribution differences (the controls) are left to the bars: three lines fit.
      subtitle: split
        ? `${sub}; all unseen: step − swap ${ivText(m["stepMinusSwapUnseen"])}, step − marked ${ivText(m["stepMinusMarkedUnseen"])}${splitText}`
        : `${sub}; step − swap: unseen ${diffText("stepMinusSwapUnseen", "accUnseen")}, training forms ${diffText("stepMinusSwapInDist", "accInDist")}${markedText}; the bottleneck predicts a gap on unseen forms only`,
      xTitle: split ? "what of the wording is unseen (the rest from training)" : "test inputs",
      yTitle: "accuracy (greedy answer)",
      yRange: [0, 1.02],
    },
  );

  // 6. The estimator's bias: I(X;Z) against sample count, Miller–Madow and plug-in.
  const curveSeries: LineSeries[] = [];
  for (const [label, c] of Object.entries(d.curves)) {
    curveSeries.push({
      name: `I(X;Z) ${label}`,
      x: c.iXZ.map((p) => p.n),
      y: c.iXZ.map((p) => p.mean),
      lo: c.iXZ.map((p) => p.lo),
      hi: c.iXZ.map((p) => p.hi),
    });
    if (c.iXZsurfacePlugIn && (label === "level0" || label === "level3"))
      curveSeries.push({
        name: `I(surface(X); surface(Z)) ${label}, plug-in`,
        x: c.iXZsurfacePlugIn.map((p) => p.n),
        y: c.iXZsurfacePlugIn.map((p) => p.mean),
        dash: "dash",
      });
    if (label === "level0") {
      curveSeries.push({
        name: "I(X;Z) level0, plug-in",
        x: c.iXZplugIn.map((p) => p.n),
        y: c.iXZplugIn.map((p) => p.mean),
        color: "#999999",
        dash: "dashdot",
      });
      if (c.iXZnull)
        curveSeries.push({
          name: "I(X;Z) level0, plug-in of shuffled chains (the null: true I = 0)",
          x: c.iXZnull.map((p) => p.n),
          y: c.iXZnull.map((p) => p.mean),
          color: "#cc6677",
          dash: "dot",
        });
    }
  }
  const curveFig = lineFigure(curveSeries, {
    title: "Estimates against sample count (pooled over seeds)",
    subtitle:
      "whole chains, Miller–Madow per label; level 0 also plug-in and the plug-in of its chains shuffled (the bias subtracted); dashed: the surface bound's plug-in for levels 0 and 3; subsamples without replacement; bands: 2.5–97.5% over subsamples; per-seed estimates use the per-seed sample size",
    xTitle: "samples N",
    yTitle: "bits",
    xLog: true,
  });

  return {
    "accuracy-vs-k": accFig,
    "bottleneck-slope": slopeFig,
    "information-plane": plane,
    "self-chosen": starFig,
    "copying-contrast": copyFig,
    "mi-vs-samples": curveFig,
  };
}

function mean(xs: ReadonlyArray<number>): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : "NaN";
}

/** Sample generations of the first seed as table rows (for `showTable`). */
export function t2SampleRows(record: T2Record): Array<Record<string, string>> {
  const d = record.data;
  const first = d.levelRuns[0]?.seed;
  return d.levelRuns
    .filter((r) => r.seed === first)
    .flatMap((r) =>
      r.samples.map((s) => ({
        level: `${r.level} ${r.format}`,
        test: s.group,
        input: JSON.stringify(s.input),
        generated: s.output,
        target: s.target,
        correct: s.correct ? "yes" : "no",
      })),
    );
}

/** The unseen groups of the split wordings, in the order they are reported. */
export const UNSEEN_GROUPS = [
  "unseen",
  "unseen-sep",
  "unseen-frame",
  "unseen-header",
  "unseen-filler",
  "filler-from-header",
  "sep-from-header",
] as const;

/** The test groups every one of these runs has: the training forms (`inDist`) first, then the unseen groups. */
function sharedGroups(runs: ReadonlyArray<T2LevelRun>): string[] {
  return ["inDist", ...UNSEEN_GROUPS].filter((g) => runs.every((r) => g === "inDist" || r.accuracy[g] !== undefined));
}

/** A test group's column label. */
const groupLabel = (g: string): string => (g === "inDist" ? "training forms" : g);

/** An interval in percentage points, `mean [lo, hi]`. */
function pctText(v: Metric): string {
  const x = iv(v);
  return `${(100 * x.mean).toFixed(1)} [${(100 * x.lo).toFixed(1)}, ${(100 * x.hi).toFixed(1)}]`;
}

/**
 * The split wordings of one or more t2 records (base seeds) pooled over all their runs, as table rows (for
 * `showTable` and scripts/t2-split-table.ts): each level's accuracy per test group, each level minus the swap
 * level per group (paired by seed), and where the wrong answers first leave their target. Groups a record does not
 * have are left out; departures are absent from records before 2026-12-02.
 */
export function t2SplitRows(records: ReadonlyArray<T2Record>): {
  accuracy: Array<Record<string, string>>;
  minusSwap: Array<Record<string, string>>;
  departures: Array<Record<string, string>>;
} {
  const first = records[0];
  if (first === undefined) throw new Error("t2SplitRows: give at least one t2 record");
  const levels = first.data.levels;
  const runs = records.flatMap((r, b) => r.data.levelRuns.map((run) => ({ ...run, key: `${b}/${run.seed}` })));
  type Run = (typeof runs)[number];
  const groups = sharedGroups(runs);
  const at = (l: number): Run[] => runs.filter((r) => r.level === l);
  const iSwap = levels.indexOf("swap");
  const swapOf = new Map(at(iSwap).map((r) => [r.key, r]));
  const accuracy = levels.map((name, l) => ({
    level: `${l} ${name}`,
    ...Object.fromEntries(
      groups.map((g) => [
        groupLabel(g),
        pctText(
          meanInterval(
            at(l).map((r) => groupAccuracy(r, g)),
            [0, 1],
          ),
        ),
      ]),
    ),
  }));
  const minusSwap = levels
    .map((name, l) => ({ name, l }))
    .filter(({ l }) => l !== iSwap)
    .map(({ name, l }) => ({
      "level minus swap": `${l} ${name}`,
      ...Object.fromEntries(
        groups.map((g) => [
          groupLabel(g),
          pctText(meanInterval(at(l).map((r) => groupAccuracy(r, g) - groupAccuracy(swapOf.get(r.key) as Run, g)))),
        ]),
      ),
    }));
  const departures = levels.map((name, l) => ({
    level: `${l} ${name}`,
    ...Object.fromEntries(
      UNSEEN_GROUPS.filter((g) => groups.includes(g)).map((g) => {
        const n: Record<string, number> = {};
        for (const r of at(l))
          for (const [p, v] of Object.entries(r.departures?.[g] ?? {})) n[p] = (n[p] ?? 0) + (v ?? 0);
        const total = Object.values(n).reduce((a, b) => a + b, 0);
        const parts = Object.entries(n).sort((a, b) => b[1] - a[1]);
        const text =
          total === 0
            ? "none wrong"
            : `${total} wrong: ${parts.map(([p, v]) => `${p} ${Math.round((100 * v) / total)}%`).join(", ")}`;
        return [g, runs.some((r) => r.departures !== undefined) ? text : "not recorded"];
      }),
    ),
  }));
  return { accuracy, minusSwap, departures };
}

/**
 * What a change of condition does to each level's accuracy per test group (for scripts/t2-variant.ts): `after`
 * minus `before`, paired by run (the i-th record of each is one base seed; runs pair by seed), pooled over all runs,
 * in percentage points.
 */
export function t2ChangeRows(
  before: ReadonlyArray<T2Record>,
  after: ReadonlyArray<T2Record>,
): Array<Record<string, string>> {
  if (before.length === 0 || before.length !== after.length)
    throw new Error(
      `t2ChangeRows: give as many records after as before (one per base seed), got ${before.length} and ${after.length}`,
    );
  const levels = (before[0] as T2Record).data.levels;
  const groups = sharedGroups([...before, ...after].flatMap((r) => r.data.levelRuns));
  return levels.map((name, l) => ({
    level: `${l} ${name}`,
    ...Object.fromEntries(
      groups.map((g) => {
        const diffs = before.flatMap((b, i) =>
          b.data.levelRuns
            .filter((r) => r.level === l)
            .map((r) => {
              const a = levelRunOf(after[i] as T2Record, r.seed, l, "t2ChangeRows (a record after)");
              return groupAccuracy(a, g) - groupAccuracy(r, g);
            }),
        );
        return [groupLabel(g), pctText(meanInterval(diffs))];
      }),
    ),
  }));
}
