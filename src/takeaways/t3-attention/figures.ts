/** Takeaway 3's figures, pure functions of a t3 record (plotly JSON). */
import type { HeadScores } from "../../data/induction";
import {
  barFigure,
  type Figure,
  heatmapGridFigure,
  lineFigure,
  type LineSeries,
  lossCurveFigure,
  paletteColor,
  scatterFigure,
  withHorizontalLines,
} from "../../present/plot";
import { sliderFigure } from "../../present/slider";
import { mean, meanInterval, toInterval } from "../../stats";
import { T3_CONDITIONS, type T3Data, type T3Record } from "./config";

const intervalOf = toInterval;

/** Mean and t-interval of `values` grouped by a key, in key order. */
function byKey<T>(
  rows: ReadonlyArray<T>,
  key: (r: T) => number,
  value: (r: T) => number,
): { x: number[]; y: number[]; lo: number[]; hi: number[] } {
  const groups = new Map<number, number[]>();
  for (const r of rows) {
    const k = key(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(value(r));
  }
  const x = [...groups.keys()].sort((a, b) => a - b);
  const iv = x.map((k) => meanInterval(groups.get(k)!));
  return { x, y: iv.map((i) => i.mean), lo: iv.map((i) => i.lo), hi: iv.map((i) => i.hi) };
}

function equivalenceFigure(data: T3Data): Figure {
  const s = data.equivalence.sample;
  return scatterFigure([{ name: "output entries", x: s.hopfield, y: s.attention, size: 5 }], {
    title: "One attention step = one modern Hopfield update",
    subtitle: `max |difference| ${Math.max(...data.equivalence.maxAbsDiff).toExponential(2)} (float32 attention vs float64 Hopfield)`,
    xTitle: "Hopfield update X softmax(β Xᵀξ), entry",
    yTitle: "attention softmax(QKᵀ/√d) V, entry",
    diagonal: true,
  });
}

function capacityFigure(data: T3Data, record: T3Record): Figure {
  const rows = data.capacity;
  const ds = [...new Set(rows.map((r) => r.d))].sort((a, b) => a - b);
  const series: LineSeries[] = [];
  ds.forEach((d, i) => {
    const color = paletteColor(i);
    const curve = (f: (r: (typeof rows)[number]) => boolean) =>
      byKey(
        rows.filter((r) => r.d === d && f(r)),
        (r) => r.M,
        (r) => r.accuracy,
      );
    const att = curve((r) => r.network === "modern" && r.betaMultiplier === 1);
    series.push({ name: `d = ${d}: modern, β = 1/√d`, x: att.x, y: att.y, color, group: `d${d}` });
    const cl = curve((r) => r.network === "classical");
    series.push({ name: `d = ${d}: classical`, x: cl.x, y: cl.y, color, dash: "dot", group: `d${d}` });
    const b0 = curve((r) => r.network === "modern" && r.betaMultiplier === 0);
    series.push({
      name: `d = ${d}: modern, β → 0 (control)`,
      x: b0.x,
      y: b0.y,
      color,
      dash: "dashdot",
      width: 1,
      group: `d${d}`,
    });
  });
  const fig = lineFigure(series, {
    title: "Associative memory to the breaking point: retrieval against stored patterns",
    subtitle: `${record.seeds.length} seed(s); ${Math.round(record.config.capacity.flipFraction * 100)}% of each query flipped; solid: modern at attention's β, dotted: classical, dash-dot: β → 0`,
    xTitle: "stored patterns M",
    yTitle: "fraction retrieved (cosine ≥ 0.9)",
    xLog: true,
    yRange: [-0.02, 1.02],
  });
  return withHorizontalLines(fig, [record.config.retrievalTarget], ["M_max threshold"]);
}

/**
 * The modern Hopfield memory explored without re-running: retrieval against load M (x, log axis), one
 * curve per pattern dimension d, with a slider over the β multipliers of the sweep (β = m/√d; m = 0 is the
 * β → 0 control, m = 1 attention's own β). Computed once, from the capacity sweep already in the record.
 */
export function hopfieldSliderFigure(data: T3Data, record: T3Record): Figure {
  const rows = data.capacity.filter((r) => r.network === "modern");
  const ds = [...new Set(rows.map((r) => r.d))].sort((a, b) => a - b);
  const ms = [...new Set(rows.map((r) => r.betaMultiplier ?? NaN))].filter(Number.isFinite).sort((a, b) => a - b);
  const maxM = Math.max(2, ...rows.map((r) => r.M));
  const steps = ms.map((m) => {
    const series: LineSeries[] = ds.map((d, i) => {
      const c = byKey(
        rows.filter((r) => r.d === d && r.betaMultiplier === m),
        (r) => r.M,
        (r) => r.accuracy,
      );
      return { name: `d = ${d}`, x: c.x, y: c.y, color: paletteColor(i) };
    });
    const label = m === 0 ? "β → 0" : m === 1 ? "β = 1/√d" : `β = ${m}/√d`;
    const mm = ds.map((d) => {
      const v = data.mMax.filter((r) => r.d === d && r.network === `beta${m}`).map((r) => r.mMax);
      const x = mean(v);
      return `${d}: ${Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : "n/a"}`;
    });
    const fig = lineFigure(series, {
      title: `Modern Hopfield memory at ${label}: M_max per d ${mm.join(", ")}`,
      subtitle: `${record.seeds.length} seed(s); ${Math.round(record.config.capacity.flipFraction * 100)}% of each query flipped; one update ξ ← X softmax(β Xᵀξ)`,
      xTitle: "stored patterns M (load)",
      yTitle: "fraction retrieved (cosine ≥ 0.9)",
      xLog: true,
      xRange: [0, Math.log10(maxM) + 0.1],
      yRange: [-0.02, 1.02],
    });
    return { label, figure: withHorizontalLines(fig, [record.config.retrievalTarget], ["M_max threshold"]) };
  });
  return sliderFigure(steps, { prefix: "inverse temperature: ", active: Math.max(0, ms.indexOf(1)) });
}

function mMaxFigure(data: T3Data, record: T3Record): Figure {
  const ds = [...new Set(data.mMax.map((r) => r.d))].sort((a, b) => a - b);
  const nets: { key: string; name: string; dash?: "dot" | "dash" | "dashdot" }[] = [
    { key: "best", name: "modern, best β" },
    { key: "beta1", name: "modern, β = 1/√d (attention)" },
    { key: "classical", name: "classical Hebbian", dash: "dot" },
    { key: "beta0", name: "modern, β → 0 (control)", dash: "dashdot" },
  ];
  const series: LineSeries[] = nets.map((n) => {
    const g = byKey(
      data.mMax.filter((r) => r.network === n.key && Number.isFinite(r.mMax)),
      (r) => r.d,
      (r) => r.mMax,
    );
    return {
      name: n.name,
      x: g.x,
      y: g.y,
      lo: g.lo.map((v) => Math.max(1, v)),
      hi: g.hi,
      mode: "lines+markers",
      ...(n.dash ? { dash: n.dash } : {}),
    };
  });
  // The classical law 0.138·d, for reference.
  series.push({
    name: "0.138·d (classical, noise-free)",
    x: ds,
    y: ds.map((d) => 0.138 * d),
    dash: "dash",
    width: 1,
    color: "#888888",
  });
  const slope = intervalOf(record.metrics["capacityLogSlopeModern"]);
  return lineFigure(series, {
    title: "Capacity M_max(d): exponential (modern) against linear (classical)",
    subtitle: `mean over seeds, 95% t-band; slope of ln M_max (best β) ${slope.mean.toFixed(3)} [${slope.lo.toFixed(3)}, ${slope.hi.toFixed(3)}] per unit d; a linear law: ${data.linearLogSlope.toFixed(3)}`,
    xTitle: "pattern dimension d",
    yTitle: "M_max (log axis)",
    yLog: true,
  });
}

function attendedFigure(data: T3Data): Figure {
  const rows = data.induction.attended;
  const heads = [...new Set(rows.map((r) => `${r.layer},${r.head}`))];
  const series: LineSeries[] = heads.map((h, i) => {
    const [l, hh] = h.split(",").map(Number) as [number, number];
    const g = byKey(
      rows.filter((r) => r.layer === l && r.head === hh),
      (r) => r.step,
      (r) => r.attended,
    );
    return { name: `layer ${l}, head ${hh}`, x: g.x, y: g.y, color: paletteColor(i), mode: "lines+markers" };
  });
  const fig = lineFigure(series, {
    title: "How many stored patterns does each head attend to?",
    subtitle:
      "keys holding 90% of the attention mass, mean over query positions t ≥ T/2 and GPT seeds (step 0: untrained)",
    xTitle: "training step",
    yTitle: "attended patterns",
  });
  const u = rows[0]?.uniform;
  return u === undefined ? fig : withHorizontalLines(fig, [u], ["uniform attention"]);
}

function swapFigure(data: T3Data): Figure {
  const main = data.system.swaps.filter((r) => r.condition === "main");
  const ctl = data.system.swaps.filter((r) => r.condition === "control");
  return scatterFigure(
    [
      { name: "swapped, signed gains", x: main.map((r) => r.distance), y: main.map((r) => r.accSwapped), size: 6 },
      {
        name: "processor's own joint accuracy (control)",
        x: main.map((r) => r.distance),
        y: main.map((r) => r.accProcessorJoint),
        size: 4,
        symbol: "x",
      },
      {
        name: "swapped, sigmoid gains (control)",
        x: ctl.map((r) => r.distance),
        y: ctl.map((r) => r.accSwapped),
        size: 6,
        symbol: "diamond",
      },
    ],
    {
      title: "Swap accuracy against the distance between two runs' codes",
      subtitle: "controller of run i with the processor of run j, every ordered pair",
      xTitle: "RMS distance between the gain codes",
      yTitle: "accuracy",
      yRange: [0, 1.05],
    },
  );
}

function attentionMapsFigure(data: T3Data): Figure | null {
  const ex = data.induction.example;
  if (!ex) return null;
  const panels = ex.attention.flatMap((layer, l) => layer.map((z, h) => ({ title: `layer ${l}, head ${h}`, z })));
  const trig = new Set(ex.tokens.length ? ex.triggers : []);
  const labels = ex.tokens.map((t, i) => (i === 0 ? "<bos>" : trig.has(t) ? `${t}*` : String(t)));
  return heatmapGridFigure(panels, {
    title: "Attention maps of the trained GPT on one held-out sequence",
    subtitle: "rows: query, columns: key; * marks a trigger A",
    xTitle: "key token",
    yTitle: "query token",
    xLabels: labels,
    yLabels: labels,
    zTitle: "attention",
    zmin: 0,
    zmax: 1,
    cols: Math.max(1, ex.attention[0]?.length ?? 1),
    height: 380 * ex.attention.length + 120,
  });
}

function inductionScoreFigure(data: T3Data): Figure {
  const heads = [...new Set(data.induction.scores.map((s) => `L${s.layer}H${s.head}`))];
  const agg = (f: (s: HeadScores) => number) =>
    heads.map((h) => meanInterval(data.induction.scores.filter((s) => `L${s.layer}H${s.head}` === h).map(f)));
  const ind = agg((s) => s.induction);
  const prev = agg((s) => s.previousToken);
  const dup = agg((s) => s.duplicate);
  const fig = barFigure(
    heads,
    [
      {
        name: "induction: second A → token after first A",
        y: ind.map((i) => i.mean),
        lo: ind.map((i) => i.lo),
        hi: ind.map((i) => i.hi),
      },
      { name: "previous token", y: prev.map((i) => i.mean), lo: prev.map((i) => i.lo), hi: prev.map((i) => i.hi) },
      {
        name: "duplicate: second A → first A",
        y: dup.map((i) => i.mean),
        lo: dup.map((i) => i.lo),
        hi: dup.map((i) => i.hi),
      },
    ],
    {
      title: "Which heads do induction?",
      subtitle: "mean attention weight at induction positions, over GPT seeds",
      xTitle: "layer / head",
      yTitle: "attention weight",
      yRange: [0, 1],
    },
  );
  const base = data.induction.scores.length ? mean(data.induction.scores.map((s) => s.uniformBaseline)) : NaN;
  return withHorizontalLines(fig, [base], ["uniform attention"]);
}

function selfConsistencyFigure(record: T3Record, data: T3Data): Figure {
  const ivs = T3_CONDITIONS.map((c) => intervalOf(record.metrics[c.key]));
  const fig = barFigure(
    T3_CONDITIONS.map((c) => c.label),
    [{ name: "accuracy", y: ivs.map((i) => i.mean), lo: ivs.map((i) => i.lo), hi: ivs.map((i) => i.hi) }],
    {
      title: "No attention without self-consistency? Signed gains",
      subtitle: `report the category of the cued stream; ${data.system.perSeed.length} runs, 95% intervals (t over runs; bootstrap over runs for swaps)`,
      xTitle: "training condition",
      yTitle: "accuracy",
      yRange: [0, 1.05],
      valueDigits: 2,
    },
  );
  return withHorizontalLines(fig, [data.system.chance], ["chance"]);
}

function adaptationFigure(record: T3Record, data: T3Data): Figure {
  const curve = (f: (r: T3Data["system"]["perSeed"][number]) => ReadonlyArray<{ step: number; acc: number }>) =>
    byKey(
      data.system.perSeed.flatMap((r) => f(r).map((a) => ({ step: a.step, acc: a.acc }))),
      (r) => r.step,
      (r) => r.acc,
    );
  const ad = curve((r) => r.adaptation);
  const jo = curve((r) => r.jointCurve);
  const clip = (g: { lo: number[]; hi: number[] }) => ({
    lo: g.lo.map((v) => Math.max(0, v)),
    hi: g.hi.map((v) => Math.min(1, v)),
  });
  const fig = lineFigure(
    [
      { name: "modular processor fine-tuned on the salience controller", x: ad.x, y: ad.y, ...clip(ad) },
      { name: "joint training from scratch (reference)", x: jo.x, y: jo.y, ...clip(jo), dash: "dash" },
    ],
    {
      title: "What re-alignment costs",
      subtitle: `the controller stays frozen; ${data.system.perSeed.length} runs, 95% t-bands`,
      xTitle: "training steps",
      yTitle: "accuracy",
      yRange: [0, 1.05],
    },
  );
  const joint = intervalOf(record.metrics["accJoint"]).mean;
  return withHorizontalLines(fig, [0.9 * joint, data.system.chance], ["90% of joint", "chance"]);
}

function gainCodesFigure(data: T3Data): Figure {
  const p = data.system.perSeed;
  const panels: { title: string; z: number[][] }[] = [];
  p.slice(0, 3).forEach((r, i) => panels.push({ title: `joint, signed ${i + 1}`, z: r.codes.joint }));
  if (p[0]) panels.push({ title: "joint, sigmoid 1 (control)", z: p[0].codes.jointControl });
  if (p[0]) panels.push({ title: "modular: cue decodable", z: p[0].codes.modularCueDecodable });
  if (p[0]) panels.push({ title: "modular: salience", z: p[0].codes.modularSalience });
  if (p[0]) panels.push({ title: "processor's stand-in", z: p[0].codes.modularStandIn });
  const labels = (p[0]?.codes.joint ?? []).map((_, i) => String(i));
  return heatmapGridFigure(panels, {
    title: "The gain codes: what each cue does to the K streams (rows: cue, columns: stream)",
    xTitle: "stream",
    yTitle: "cue",
    xLabels: labels,
    yLabels: labels,
    colorscale: "diverging",
    zmin: -1,
    zmax: 1,
    zTitle: "gain",
    annotate: true,
    digits: 2,
    cols: 4,
    height: 300 * Math.ceil(panels.length / 4) + 140,
  });
}

export function t3Figures(record: T3Record): Record<string, Figure> {
  const data = record.data as T3Data | undefined; // an old record may lack it
  if (!data || !("mMax" in data))
    throw new Error("t3-attention figures: record.data is missing or from the first edition; rerun the experiment");
  const figs: Record<string, Figure> = {
    "attention-equals-hopfield": equivalenceFigure(data),
    capacity: capacityFigure(data, record),
    "capacity-mmax": mMaxFigure(data, record),
    "hopfield-slider": hopfieldSliderFigure(data, record),
  };
  if (data.induction.attended.length) figs["attended-patterns"] = attendedFigure(data);
  const maps = attentionMapsFigure(data);
  if (maps) figs["attention-maps"] = maps;
  if (data.induction.scores.length) figs["induction-scores"] = inductionScoreFigure(data);
  if (data.induction.histories.length)
    figs["induction-loss"] = lossCurveFigure(data.induction.histories, {
      title: "Tiny GPT on the induction task",
      xTitle: "step",
      yTitle: "masked cross-entropy (nats)",
    });
  figs["swap-vs-distance"] = swapFigure(data);
  figs["self-consistency"] = selfConsistencyFigure(record, data);
  figs["adaptation"] = adaptationFigure(record, data);
  figs["gain-codes"] = gainCodesFigure(data);
  return figs;
}
