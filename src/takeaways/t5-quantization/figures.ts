/** Takeaway 5's figures, pure functions of a t5 record (plotly JSON). */
import {
  barFigure,
  type Figure,
  lineFigure,
  type LineSeries,
  lossCurveFigure,
  paletteColor,
  themeLayout,
  type Trace,
  withHorizontalLines,
} from "../../present/plot";
import { sliderFigure } from "../../present/slider";
import type { Interval } from "../../stats";
import {
  MAIN_SCHEMES,
  QAT_BITS,
  QAT_LABELS,
  type QatVariant,
  SCHEME_LABELS,
  type SchemeName,
  type T5Data,
  type T5Record,
  type WeightHistogram,
} from "./config";

// ---------------------------------------------------------------------------------------------------
// Figures (pure functions of the record)

/** Vertical marks: binary, ~10 states (Liu et al. 2017), int4, ~26 states (Bartol et al. 2015). */
const STATE_MARKS: ReadonlyArray<[number, string]> = [
  [2, "2: binary"],
  [10, "~10 spine sizes (Liu 2017)"],
  [16, "16 = int4"],
  [26, "~26 strengths (Bartol 2015)"],
];

/**
 * Reference lines with labels. On a log axis plotly takes shape coordinates in data units but annotation
 * coordinates in log10 units, so the two are placed separately here (plot.ts's withVerticalLines and
 * withHorizontalLines use one value for both, which is right on linear axes only).
 */
function rules(
  fig: Figure,
  axisLetter: "x" | "y",
  values: ReadonlyArray<number>,
  labels: ReadonlyArray<string>,
  log: boolean,
): Figure {
  const line = { color: "#555555", width: 1, dash: axisLetter === "x" ? "dot" : "dash" };
  const shapes = values.map((v) =>
    axisLetter === "x"
      ? { type: "line", xref: "x", yref: "paper", x0: v, x1: v, y0: 0, y1: 1, line, layer: "above" }
      : { type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: v, y1: v, line, layer: "above" },
  );
  const at = (v: number): number => (log ? Math.log10(v) : v);
  const annotations = values.map((v, i) =>
    axisLetter === "x"
      ? {
          text: labels[i],
          xref: "x",
          yref: "paper",
          x: at(v),
          y: 1,
          xanchor: "left",
          yanchor: "top",
          showarrow: false,
          textangle: -90,
          font: { size: 11, color: line.color },
        }
      : {
          text: labels[i],
          xref: "paper",
          yref: "y",
          x: 1,
          y: at(v),
          xanchor: "right",
          yanchor: "bottom",
          showarrow: false,
          font: { size: 11, color: line.color },
        },
  );
  const old = fig.layout as Record<string, unknown>;
  return {
    data: fig.data,
    layout: {
      ...old,
      shapes: [...((old["shapes"] as unknown[] | undefined) ?? []), ...shapes],
      annotations: [...((old["annotations"] as unknown[] | undefined) ?? []), ...annotations],
    },
  };
}

function schemeSeries(
  d: T5Data,
  pick: (scheme: string) => { y: Interval[]; x: number[] },
  schemes: ReadonlyArray<string> = d.schemes,
): LineSeries[] {
  return schemes.map((scheme, i) => {
    const { x, y } = pick(scheme);
    return {
      name: SCHEME_LABELS[scheme as SchemeName] ?? scheme,
      x,
      y: y.map((v) => v.mean),
      lo: y.map((v) => v.lo),
      hi: y.map((v) => v.hi),
      color: paletteColor(i),
      dash: (MAIN_SCHEMES as ReadonlyArray<string>).includes(scheme) ? "solid" : "dot",
    };
  });
}

function histogramWithLevels(h: WeightHistogram, title: string): Figure {
  const layout = themeLayout(
    {
      title,
      subtitle: `levels of three per-tensor quantizers with S = ${h.states} states`,
      xTitle: "weight value",
      yTitle: "number of weights",
    },
    "t5 histogram",
  );
  const centers = h.counts.map((_, b) => (h.edges[b] + h.edges[b + 1]) / 2);
  const width = h.edges[1] - h.edges[0];
  const top = Math.max(1, ...h.counts);
  const data: Trace[] = [
    {
      type: "bar",
      name: "weights",
      x: centers,
      y: h.counts,
      width,
      marker: { color: "#bbbbbb", line: { color: "#888888", width: 0.5 } },
    },
  ];
  Object.entries(h.levels).forEach(([name, levels], i) => {
    const frac = 1 - 0.12 * i; // stagger the heights so overlapping level sets stay readable
    data.push({
      type: "scatter",
      mode: "lines",
      name: `${name} levels`,
      x: levels.flatMap((v) => [v, v, null]),
      y: levels.flatMap(() => [0, top * frac, null]),
      line: { color: paletteColor(i), width: 2, dash: i === 0 ? "solid" : i === 1 ? "dash" : "dot" },
    });
  });
  return { data, layout: { ...layout, bargap: 0, showlegend: true } };
}

/**
 * States and scheme, explored without re-running: one frame per number of states S of the MLP's PTQ
 * sweep, with every scheme's held-out accuracy (mean over seeds, 95% interval) beside float32 and chance.
 * The same numbers as "mlp-accuracy-vs-states", computed once by the experiment; the slider (plotly's own
 * frames) only chooses which S is drawn, so it works on a static page too.
 */
export function statesSliderFigure(record: T5Record): Figure {
  const d = record.data;
  const n = record.seeds.length;
  const labels = d.schemes.map((q) => SCHEME_LABELS[q as SchemeName] ?? q);
  const top = Math.min(1, Math.max(d.mlp.fp32.hi, d.mlp.bayes.mean) + 0.05);
  const steps = d.states.map((s, k) => {
    const at = (q: string): Interval => d.mlp.ptq[q]?.acc[k] ?? { mean: NaN, lo: NaN, hi: NaN, n: 0 };
    const drop = (q: string): number => d.mlp.ptq[q]?.drop[k]?.mean ?? NaN;
    const fig = barFigure(
      labels,
      [
        {
          name: "quantized MLP",
          y: d.schemes.map((q) => at(q).mean),
          lo: d.schemes.map((q) => at(q).lo),
          hi: d.schemes.map((q) => at(q).hi),
          color: paletteColor(0),
        },
      ],
      {
        title: `S = ${s} states per weight (${Math.log2(s).toFixed(s === 3 ? 2 : 0)} bits per code): MLP accuracy by scheme`,
        subtitle: `post-training quantization of the trained MLP; profile ${record.profile}, ${n} seed${n === 1 ? "" : "s"}, 95% t-intervals; move the slider to change S`,
        xTitle: "how the levels are placed",
        yTitle: "held-out accuracy",
        yRange: [0, top],
        valueDigits: 3,
      },
    );
    const hover = d.schemes.map((q) => `${(100 * at(q).mean).toFixed(2)}% (${drop(q).toFixed(2)} pp below float32)`);
    const withHover: Figure = {
      data: fig.data.map((t) => ({ ...t, hovertext: hover, hoverinfo: "x+text" })),
      layout: fig.layout,
    };
    return {
      label: String(s),
      figure: withHorizontalLines(withHover, [d.mlp.fp32.mean, d.chance], ["float32", "chance"], { dash: "dash" }),
    };
  });
  const active = d.states.includes(16) ? d.states.indexOf(16) : d.states.length - 1;
  return sliderFigure(steps, { prefix: "states per weight S = ", active });
}

/** All figures of a t5 record. */
export function t5Figures(record: T5Record): Record<string, Figure> {
  const d = record.data;
  const n = record.seeds.length;
  const sub = `profile ${record.profile}, ${n} seed${n === 1 ? "" : "s"}, 95% t-intervals; dotted: variants`;
  const marks = (fig: Figure): Figure =>
    rules(
      fig,
      "x",
      STATE_MARKS.map(([s]) => s),
      STATE_MARKS.map(([, l]) => l),
      true,
    );
  const figs: Record<string, Figure> = {};
  const lines = (series: LineSeries[], o: Parameters<typeof lineFigure>[1]): Figure =>
    lineFigure(series, { errors: "bars", legendTitle: "scheme", ...o });
  let f = lines(
    schemeSeries(d, (s) => ({ x: d.states, y: d.mlp.ptq[s]?.acc ?? [] })),
    {
      title: "MLP accuracy after post-training quantization",
      subtitle: sub,
      xTitle: "states per weight S (log scale)",
      yTitle: "held-out accuracy",
      xLog: true,
    },
  );
  f = withHorizontalLines(f, [d.mlp.fp32.mean, d.chance], ["float32", "chance"], { dash: "dash" });
  figs["mlp-accuracy-vs-states"] = marks(f);
  f = lines(
    schemeSeries(d, (s) => ({ x: d.states, y: d.mlp.ptq[s]?.drop ?? [] })),
    {
      title: "MLP accuracy lost to post-training quantization",
      subtitle: `float32 minus quantized accuracy of the same model; ${n} seed${n === 1 ? "" : "s"}, 95% t-intervals`,
      xTitle: "states per weight S (log scale)",
      yTitle: "accuracy lost (percentage points)",
      xLog: true,
    },
  );
  f = withHorizontalLines(f, [0, 1], ["", "1 pp"], { dash: "dash" });
  figs["mlp-accuracy-drop-vs-states"] = marks(f);
  figs["states-slider"] = statesSliderFigure(record);
  f = lines(
    schemeSeries(d, (s) => ({ x: d.gpt.states, y: d.gpt.ptq[s]?.ratio ?? [] }), Object.keys(d.gpt.ptq)),
    {
      title: "Tiny GPT perplexity after post-training quantization, relative to float32",
      subtitle: `quantized / float32 perplexity of the same model; ${n} seed${n === 1 ? "" : "s"}, geometric mean, 95% t-intervals`,
      xTitle: "states per weight S (log scale)",
      yTitle: "perplexity ratio (log scale)",
      xLog: true,
      yLog: true,
    },
  );
  f = rules(f, "y", [1, 1.02, d.gpt.unigramPpl / d.gpt.fp32Ppl.mean], ["", "+2%", "context-free model"], true);
  figs["gpt-perplexity-vs-states"] = marks(f);
  f = lines(
    schemeSeries(d, (s) => ({ x: d.mlp.ptq[s]?.bits ?? [], y: d.mlp.ptq[s]?.drop ?? [] })),
    {
      title: "MLP accuracy lost against storage cost",
      subtitle:
        "bits per weight = log2 S + float16 scales / codebooks shared by the weights of a tensor, channel or group",
      xTitle: "bits per weight, including scale overhead (log scale)",
      yTitle: "accuracy lost (percentage points)",
      xLog: true,
    },
  );
  figs["mlp-accuracy-vs-bits"] = withHorizontalLines(f, [0, 1], ["", "1 pp"], { dash: "dash" });
  f = lines(
    schemeSeries(d, (s) => ({ x: d.gpt.ptq[s]?.bits ?? [], y: d.gpt.ptq[s]?.ratio ?? [] }), Object.keys(d.gpt.ptq)),
    {
      title: "Tiny GPT perplexity against storage cost",
      subtitle: "bits per weight = log2 S + float16 parameters per tensor / channel / group",
      xTitle: "bits per weight, including scale overhead (log scale)",
      yTitle: "perplexity ratio to float32 (log scale)",
      xLog: true,
      yLog: true,
    },
  );
  figs["gpt-perplexity-vs-bits"] = rules(f, "y", [1, 1.02], ["", "+2%"], true);

  const variants = Object.keys(d.mlp.qat);
  if (variants.length > 0) {
    const cats = variants.map((v) => QAT_LABELS[v as QatVariant] ?? v);
    const get = (k: "ptq" | "qat") => variants.map((v) => (d.mlp.qat[v] as T5Data["mlp"]["qat"][string])[k]);
    const ptq = get("ptq");
    const qat = get("qat");
    f = barFigure(
      cats,
      [
        {
          name: "PTQ of the float model",
          y: ptq.map((i) => i.mean),
          lo: ptq.map((i) => i.lo),
          hi: ptq.map((i) => i.hi),
        },
        {
          name: "QAT (straight-through estimator)",
          y: qat.map((i) => i.mean),
          lo: qat.map((i) => i.lo),
          hi: qat.map((i) => i.hi),
        },
      ],
      {
        title: "Post-training quantization vs quantization-aware training (MLP)",
        subtitle: `${sub.split(";")[0]}; same QAT fine-tuning budget for every bit width`,
        xTitle: "weight precision",
        yTitle: "held-out accuracy",
        valueDigits: 3,
      },
    );
    figs["ptq-vs-qat"] = withHorizontalLines(f, [d.mlp.fp32.mean, d.chance], ["float32", "chance"], { dash: "dash" });
    const wc = variants.map((v) => (d.mlp.qat[v] as T5Data["mlp"]["qat"][string]).weightChange);
    figs["qat-weight-change"] = barFigure(
      cats,
      [{ name: "relative change", y: wc.map((i) => i.mean), lo: wc.map((i) => i.lo), hi: wc.map((i) => i.hi) }],
      {
        title: "How far QAT moves the weights from the float model",
        subtitle: "‖W_QAT − W_float‖ / ‖W_float‖ over all kernels (ParetoQ: small at 3–4 bits, large at ≤ 2 bits)",
        xTitle: "weight precision",
        yTitle: "relative weight change",
        valueDigits: 2,
      },
    );
    const runs = Object.entries(d.mlp.qatHistories).map(([v, h]) => ({
      name: QAT_LABELS[v as QatVariant] ?? v,
      history: h.map((p) => ({ step: p.step, trainLoss: p.loss })),
    }));
    if (runs.length > 0 && runs.every((r) => r.history.length > 0)) {
      figs["qat-loss-curves"] = lossCurveFigure(runs, {
        title: "QAT fine-tuning loss (MLP, first seed)",
        yTitle: "training cross-entropy (nats)",
      });
    }
  }
  Object.assign(figs, secondEditionFigures(record));
  if (d.mlp.histogram)
    figs["mlp-weight-histogram"] = histogramWithLevels(
      d.mlp.histogram,
      `Weights of ${d.mlp.histogram.layer} and quantization levels`,
    );
  if (d.gpt.histogram)
    figs["gpt-weight-histogram"] = histogramWithLevels(
      d.gpt.histogram,
      `Weights of ${d.gpt.histogram.layer} and quantization levels`,
    );
  return figs;
}

const ivSeries = (
  name: string,
  x: ReadonlyArray<number>,
  y: ReadonlyArray<Interval>,
  i: number,
  scale = 1,
  dash: LineSeries["dash"] = "solid",
): LineSeries => ({
  name,
  x,
  y: y.map((v) => scale * v.mean),
  lo: y.map((v) => scale * v.lo),
  hi: y.map((v) => scale * v.hi),
  color: paletteColor(i),
  dash,
});

/** The second edition's figures: states needed with its control, noise, QAT ladder, GPTQ, tokens, bit-level scaling. */
function secondEditionFigures(record: T5Record): Record<string, Figure> {
  const d = record.data;
  const n = record.seeds.length;
  const seedsText = `${n} seed${n === 1 ? "" : "s"}, 95% t-intervals over seeds`;
  const figs: Record<string, Figure> = {};
  const sn = d.mlp.statesNeeded;
  if (sn && Object.keys(sn).length > 0) {
    const schemes = Object.keys(sn);
    const cats = schemes.map((q) => SCHEME_LABELS[q as SchemeName] ?? q);
    const series = d.epsilons.map((e, i) => {
      const ivs = schemes.map((q) => (sn[q] as Record<string, { interval: Interval }>)[String(e)]?.interval);
      return {
        name: `within ${100 * e} pt of float32`,
        y: ivs.map((v) => v?.mean ?? NaN),
        lo: ivs.map((v) => v?.lo ?? NaN),
        hi: ivs.map((v) => v?.hi ?? NaN),
        color: paletteColor(i),
      };
    });
    const f = barFigure(cats, series, {
      title: "States a trained MLP needs (PTQ), interpolated per seed",
      subtitle: `smallest S from which accuracy stays within ε of float32; ${seedsText}; lines: Liu 2017 (≈10), Bartol 2015 (≈26)`,
      xTitle: "quantizer",
      yTitle: "states needed S_min",
      valueDigits: 3,
    });
    figs["states-needed"] = withHorizontalLines(f, [10, 26], ["≈10 (Liu 2017)", "≈26 (Bartol 2015)"], { dash: "dash" });
  }
  if (d.mlp.untrainedDrop && d.mlp.ptq["uniformChannel"]) {
    figs["states-needed-control"] = withHorizontalLines(
      lineFigure(
        [
          ivSeries("trained MLP (uniform per channel)", d.states, d.mlp.ptq["uniformChannel"].drop, 0),
          ivSeries("control: untrained MLP, same quantizer", d.states, d.mlp.untrainedDrop, 1, 1, "dash"),
        ],
        {
          title: "Accuracy lost to PTQ: the trained network beside its untrained control",
          subtitle: `float32 minus quantized accuracy of the same network; ${seedsText}`,
          xTitle: "states per weight S (log scale)",
          yTitle: "accuracy lost (points)",
          xLog: true,
          errors: "bars",
        },
      ),
      d.epsilons.map((e) => 100 * e),
      d.epsilons.map((e) => `ε = ${100 * e} pt`),
      { dash: "dash" },
    );
  }
  if (d.mlp.noise && Object.keys(d.mlp.noise).length > 0) {
    const cvs = Object.keys(d.mlp.noise);
    figs["noise-accuracy-vs-states"] = lineFigure(
      cvs.map((cv, i) =>
        ivSeries(
          `cv = ${cv}${Number(cv) === 0 ? " (control: no noise)" : ""} · useful ≈ ${(d.mlp.noise[cv] as { useful: Interval }).useful.mean.toFixed(1)}`,
          d.mlp.noiseStates,
          (d.mlp.noise[cv] as { acc: Interval[] }).acc,
          i,
          1,
          Number(cv) === 0 ? "dash" : "solid",
        ),
      ),
      {
        title: "Noisy synapses: accuracy against states, per noise level",
        subtitle: `each quantized weight multiplied by (1 + cv·z); uniform per channel; ${seedsText}`,
        xTitle: "states per weight S (log scale)",
        yTitle: "held-out accuracy",
        xLog: true,
        errors: "bars",
        legendTitle: "synaptic noise",
      },
    );
  }
  const variants = Object.keys(d.mlp.qat ?? {});
  if (variants.length > 0 && (d.mlp.qat[variants[0] as string] as { ptqChange?: Interval }).ptqChange) {
    const bits = variants.map((v) => QAT_BITS[v as QatVariant] ?? Number(v));
    const get = (k: "weightChange" | "ptqChange" | "cka" | "ptqCka"): Interval[] =>
      variants.map((v) => (d.mlp.qat[v] as unknown as Record<string, Interval>)[k] as Interval);
    figs["paretoq-weight-change"] = lineFigure(
      [
        ivSeries("QAT: learned weights vs float", bits, get("weightChange"), 0),
        ivSeries("control: rounding alone (PTQ) vs float", bits, get("ptqChange"), 1, 1, "dash"),
      ],
      {
        title: "ParetoQ's question: do the learned weights jump between 3 and 2 bits?",
        subtitle: `‖W − W_float‖ / ‖W_float‖ over all kernels (MLP); ${seedsText}`,
        xTitle: "bits per weight (log scale)",
        yTitle: "relative weight change",
        xLog: true,
        errors: "bars",
      },
    );
    figs["paretoq-cka"] = lineFigure(
      [
        ivSeries("QAT", bits, get("cka"), 0),
        ivSeries("control: PTQ of the float model", bits, get("ptqCka"), 1, 1, "dash"),
      ],
      {
        title: "Representation similarity to the float model",
        subtitle: `linear CKA of the last hidden layer on test inputs (MLP); ${seedsText}`,
        xTitle: "bits per weight (log scale)",
        yTitle: "linear CKA",
        xLog: true,
        errors: "bars",
      },
    );
  }
  const gq = d.gpt.gptq;
  if (gq && Object.keys(gq).length > 0) {
    const conds = Object.keys(gq);
    const label = (k: string): string => {
      const [m, g, p] = k.split("_");
      return `${m === "gptq" ? "GPTQ" : "RTN"}, per ${g}${p === "emb8" ? ", emb. 8 bit" : ", emb. same bits"}`;
    };
    figs["gptq-vs-rtn"] = barFigure(
      d.gpt.gptqBits.map((b) => `${b} bits`),
      conds.map((k, i) => ({
        name: label(k),
        y: (gq[k] as Interval[]).map((v) => 100 * v.mean),
        lo: (gq[k] as Interval[]).map((v) => 100 * v.lo),
        hi: (gq[k] as Interval[]).map((v) => 100 * v.hi),
        color: paletteColor(i),
      })),
      {
        title: "GPTQ beside round-to-nearest (tiny GPT)",
        subtitle: `perplexity increase over float32, same asymmetric min–max quantizer; 8 bits is the control; ${seedsText}`,
        xTitle: "bits per weight",
        yTitle: "perplexity increase (%)",
      },
    );
  }
  const gqat = d.gpt.qat;
  if (gqat && Object.keys(gqat).length > 0) {
    const vs = Object.keys(gqat);
    const pick = (k: "ptq" | "qat") => vs.map((v) => (gqat[v] as { ptq: Interval; qat: Interval })[k]);
    figs["gpt-ptq-vs-qat"] = withHorizontalLines(
      barFigure(
        vs.map((v) => `${QAT_LABELS[v as QatVariant] ?? v}${v === "8" ? " (control)" : ""}`),
        (["ptq", "qat"] as const).map((k, i) => ({
          name: k === "ptq" ? "PTQ of the float GPT" : "QAT (straight-through estimator)",
          y: pick(k).map((x) => x.mean),
          lo: pick(k).map((x) => x.lo),
          hi: pick(k).map((x) => x.hi),
          color: paletteColor(i),
        })),
        {
          title: "Tiny GPT: post-training quantization vs quantization-aware training",
          subtitle: `held-out perplexity; at 8 bits QAT can only gain from the extra fine-tuning (the control); ${seedsText}`,
          xTitle: "weight precision",
          yTitle: "perplexity",
        },
      ),
      [d.gpt.fp32Ppl.mean],
      ["float32"],
      { dash: "dash" },
    );
  }
  if (d.gpt.tokens && d.gpt.tokens.length > 0) {
    const x = d.gpt.tokens.map((t) => t.tokens);
    figs["ptq-damage-vs-tokens"] = lineFigure(
      d.gpt.tokenBits.map((b, k) =>
        ivSeries(
          `${b} bits${b === Math.max(...d.gpt.tokenBits) ? " (control)" : ""}`,
          x,
          d.gpt.tokens.map((t) => t.damage[k] as Interval),
          k,
          1,
          b === Math.max(...d.gpt.tokenBits) ? "dash" : "solid",
        ),
      ),
      {
        title: "Does PTQ hurt more the longer a model was trained? (Kumar et al. 2024)",
        subtitle: `loss increase from group-wise round-to-nearest at checkpoints of one run (constant LR); ${seedsText}`,
        xTitle: "training tokens (log scale)",
        yTitle: "loss increase (nats)",
        xLog: true,
        errors: "bars",
      },
    );
  }
  if (d.gpt.scaling && d.gpt.scaling.length > 0) {
    const f = lineFigure(
      d.gpt.scaling.map((s, k) =>
        ivSeries(
          s.bits >= 16 ? "16 bits (float reference)" : `${s.bits} bits`,
          s.models.map((m) => m.totalBits),
          s.models.map((m) => m.loss),
          k,
          1,
          s.bits >= 16 ? "dash" : "solid",
        ),
      ),
      {
        title: "Bit-level scaling: loss against total model bits (Dettmers & Zettlemoyer 2023)",
        subtitle: `GPTs of ${d.gpt.scaling[0]?.models.length ?? 0} sizes, group-wise round-to-nearest; dotted line: the budget where the optimum is read; ${seedsText}`,
        xTitle: "total model bits (log scale)",
        yTitle: "held-out loss (nats)",
        xLog: true,
        errors: "bars",
        legendTitle: "precision",
      },
    );
    figs["bit-level-scaling"] = rules(f, "x", [d.gpt.scalingBudget], ["budget"], true);
  }
  return figs;
}
