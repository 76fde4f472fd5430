/** Takeaway 3's figures, pure functions of a t3 record (plotly JSON). */
import type { HeadScores } from "../../data/induction";
import {
  barFigure,
  type Figure,
  heatmapGridFigure,
  lineFigure,
  type LineSeries,
  lossCurveFigure,
  scatterFigure,
  withHorizontalLines,
  withVerticalLines,
} from "../../present/plot";
import { mean, meanInterval, toInterval } from "../../stats";
import { T3_CONDITIONS, type T3Config, type T3Data, type T3Record } from "./config";

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
  const series: LineSeries[] = [];
  const modern = byKey(
    rows.filter((r) => r.network === "modern" && r.beta === data.attentionBeta),
    (r) => r.M,
    (r) => r.accuracy,
  );
  const classical = byKey(
    rows.filter((r) => r.network === "classical"),
    (r) => r.M,
    (r) => r.accuracy,
  );
  series.push({
    name: `modern, β = 1/√d = ${data.attentionBeta.toPrecision(2)}`,
    ...modern,
    lo: modern.lo.map((v) => Math.max(0, v)),
    hi: modern.hi.map((v) => Math.min(1, v)),
  });
  series.push({
    name: "classical Hebbian",
    ...classical,
    lo: classical.lo.map((v) => Math.max(0, v)),
    hi: classical.hi.map((v) => Math.min(1, v)),
  });
  const others = [
    ...new Set(rows.filter((r) => r.network === "modern" && r.beta !== data.attentionBeta).map((r) => r.beta)),
  ].sort((a, b) => a - b);
  for (const beta of others) {
    const m = byKey(
      rows.filter((r) => r.network === "modern" && r.beta === beta),
      (r) => r.M,
      (r) => r.accuracy,
    );
    series.push({ name: `modern, β = ${beta}`, x: m.x, y: m.y, dash: "dot", width: 1 });
  }
  const fig = lineFigure(series, {
    title: "Associative memory: retrieval vs number of stored patterns",
    subtitle: `d = ${data.d}, ${record.seeds.length} seed(s), one step for the modern network, asynchronous dynamics to a fixed point for the classical one`,
    xTitle: "stored patterns M",
    yTitle: "fraction retrieved (cosine ≥ threshold)",
    xLog: true,
    yRange: [-0.02, 1.02],
  });
  return withHorizontalLines(fig, [0.5], ["50%"]);
}

function betaFigure(data: T3Data, loads: ReadonlyArray<number>, what: "accuracy" | "effectivePatterns"): Figure {
  const rows = data.capacity.filter((r) => r.network === "modern");
  const available = new Set(rows.map((r) => r.M));
  const series: LineSeries[] = loads
    .filter((M) => available.has(M))
    .map((M) => {
      const g = byKey(
        rows.filter((r) => r.M === M),
        (r) => r.beta,
        (r) => r[what],
      );
      return { name: `M = ${M}`, x: g.x, y: g.y };
    });
  const fig = lineFigure(series, {
    title:
      what === "accuracy"
        ? "Modern Hopfield retrieval vs inverse temperature β"
        : "Small β: the update averages over many patterns (metastable states)",
    xTitle: "β (attention uses 1/√d)",
    yTitle: what === "accuracy" ? "fraction retrieved" : "patterns averaged, 1/Σp²",
    xLog: true,
    yLog: what === "effectivePatterns",
  });
  return withVerticalLines(fig, [data.attentionBeta], ["β = 1/√d"]);
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
  const cats = T3_CONDITIONS.map((c) => c.label);
  const signed = record.metrics["accSwappedSigned"];
  if (signed !== undefined) {
    cats.push("(e') swapped, signed gains");
    ivs.push(intervalOf(signed));
  }
  const fig = barFigure(
    cats,
    [{ name: "accuracy", y: ivs.map((i) => i.mean), lo: ivs.map((i) => i.lo), hi: ivs.map((i) => i.hi) }],
    {
      title: "No attention without self-consistency",
      subtitle: `report the category of the cued stream; ${record.seeds.length} seeds, 95% t-intervals`,
      xTitle: "training condition",
      yTitle: "accuracy",
      yRange: [0, 1.05],
      valueDigits: 2,
    },
  );
  const blind = intervalOf(record.metrics["accBlind"]).mean;
  return withHorizontalLines(fig, [data.system.chance, blind], ["chance", "no cue (gains all ½)"]);
}

function adaptationFigure(record: T3Record, data: T3Data): Figure {
  const rows = data.system.perSeed.flatMap((r) => r.adaptation.map((a) => ({ step: a.step, acc: a.acc })));
  const g = byKey(
    rows,
    (r) => r.step,
    (r) => r.acc,
  );
  const series: LineSeries[] = [
    {
      name: "(c) modular + processor fine-tuning, mean",
      x: g.x,
      y: g.y,
      lo: g.lo.map((v) => Math.max(0, v)),
      hi: g.hi.map((v) => Math.min(1, v)),
    },
    ...data.system.perSeed.map((r, i) => ({
      name: `seed ${i + 1}`,
      x: r.adaptation.map((a) => a.step),
      y: r.adaptation.map((a) => a.acc),
      dash: "dot" as const,
      width: 1,
      color: "#888888",
      group: "seeds",
      showLegend: i === 0,
    })),
  ];
  const fig = lineFigure(series, {
    title: "What re-alignment costs: fine-tuning the processor to a foreign code",
    subtitle: `the controller stays frozen; ${record.seeds.length} seeds (dotted: each seed)`,
    xTitle: "processor fine-tuning steps",
    yTitle: "accuracy",
    yRange: [0, 1.05],
  });
  return withHorizontalLines(
    fig,
    [
      intervalOf(record.metrics["accJoint"]).mean,
      intervalOf(record.metrics["adaptationCeiling"]).mean,
      data.system.chance,
    ],
    ["joint", "ceiling left by the modular code", "chance"],
  );
}

function gainCodesFigure(data: T3Data): Figure {
  const p = data.system.perSeed;
  const panels: { title: string; z: number[][] }[] = [];
  p.slice(0, 2).forEach((r, i) => panels.push({ title: `joint ${i + 1}`, z: r.codes.joint }));
  p.slice(0, 2).forEach((r, i) => panels.push({ title: `modular controller ${i + 1}`, z: r.codes.modularController }));
  if (p[0]) panels.push({ title: "processor's stand-in 1", z: p[0].codes.modularStandIn });
  if (p[0]) panels.push({ title: "random controller 1", z: p[0].codes.random });
  data.system.signedCodes.slice(0, 2).forEach((z, i) => panels.push({ title: `joint, signed ${i + 1}`, z }));
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
  if (!data) throw new Error("t3-attention figures: record.data is missing; rerun the experiment");
  const cfg: Partial<T3Config> = record.config; // an old record may lack newer fields
  const loads = cfg.betaSweepLoads ?? [...new Set(data.capacity.map((r) => r.M))];
  const figs: Record<string, Figure> = {
    "attention-equals-hopfield": equivalenceFigure(data),
    capacity: capacityFigure(data, record),
    "capacity-vs-beta": betaFigure(data, loads, "accuracy"),
    "metastable-averaging": betaFigure(data, loads, "effectivePatterns"),
  };
  const maps = attentionMapsFigure(data);
  if (maps) figs["attention-maps"] = maps;
  if (data.induction.scores.length) figs["induction-scores"] = inductionScoreFigure(data);
  if (data.induction.histories.length)
    figs["induction-loss"] = lossCurveFigure(data.induction.histories, {
      title: "Tiny GPT on the induction task",
      xTitle: "step",
      yTitle: "masked cross-entropy (nats)",
    });
  figs["self-consistency"] = selfConsistencyFigure(record, data);
  figs["adaptation"] = adaptationFigure(record, data);
  figs["gain-codes"] = gainCodesFigure(data);
  return figs;
}
