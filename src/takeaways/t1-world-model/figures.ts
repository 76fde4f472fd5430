/** Takeaway 1's figures, pure functions of a t1 record (plotly JSON). */
import { ATTRIBUTES } from "../../data/world";
import {
  barFigure,
  type Figure,
  lineFigure,
  type LineSeries,
  lossCurveFigure,
  withHorizontalLines,
} from "../../present/plot";
import { type Interval, meanInterval, toInterval } from "../../stats";
import type { T1Metric, T1Record, T1SeedResult } from "./config";

function metricOf(record: T1Record, key: T1Metric): Interval {
  if (record.metrics[key] === undefined) throw new Error(`t1 figures: metric "${key}" missing from the record`);
  return toInterval(record.metrics[key]);
}

/** The figures: held-out accuracy by condition, learning curves, probe by layer, accuracy by attribute, forgetting. */
export function t1Figures(record: T1Record): Record<string, Figure> {
  const data = record.data;
  const chance = data.chance;
  const conds = [
    ["base (pretrained only)", "heldoutAccBase", "formatRateBase"],
    ["pretrain → SFT", "heldoutAccPretrainSft", "formatRateSft"],
    ["SFT only", "heldoutAccSftOnly", "formatRateSftOnly"],
    ["plain corpus → SFT", "heldoutAccPlainSft", "formatRatePlainSft"],
    ["concurrent", "heldoutAccConcurrent", "formatRateConcurrent"],
  ] as const;
  const acc = conds.map(([, k]) => metricOf(record, k));
  const fmt = conds.map(([, , k]) => metricOf(record, k));
  const n = acc[0]?.n ?? 0;
  const accuracy = withHorizontalLines(
    barFigure(
      conds.map(([l]) => l),
      [
        { name: "held-out accuracy", y: acc.map((v) => v.mean), lo: acc.map((v) => v.lo), hi: acc.map((v) => v.hi) },
        { name: "format rate", y: fmt.map((v) => v.mean), lo: fmt.map((v) => v.lo), hi: fmt.map((v) => v.hi) },
      ],
      {
        title: "Questions about held-out people",
        subtitle: `mean and 95% interval over ${n} seed(s); answer = value then <eos>`,
        xTitle: "condition",
        yTitle: "fraction of held-out questions",
        yRange: [0, 1.05],
        valueDigits: 2,
      },
    ),
    [chance],
    ["chance"],
  );
  const c = data.curves;
  const line = (key: string, name: string, dash?: "dash" | "dot"): LineSeries | null => {
    const v = c[key];
    return v ? { name, x: v.step, y: v.mean, lo: v.lo, hi: v.hi, ...(dash ? { dash } : {}) } : null;
  };
  const keep = (xs: Array<LineSeries | null>): LineSeries[] => xs.filter((x): x is LineSeries => x !== null);
  const pretrainCurves = withHorizontalLines(
    lineFigure(
      keep([
        line("recallAugmented", "augmented corpus: fact completion"),
        line("recallPlain", "plain corpus: fact completion (its own biographies)"),
        line("recallConcurrent", "concurrent: fact completion"),
        line("qaConcurrent", "concurrent: question answering", "dash"),
      ]),
      {
        title: "What pretraining learns about held-out people",
        subtitle:
          'fact completion: the value after "Name lives in" etc.; QA: answer to "Q : where does Name live ? A :"',
        xTitle: "pretraining step",
        yTitle: "held-out accuracy",
        yRange: [0, 1.05],
      },
    ),
    [chance],
    ["chance"],
  );
  const sftCurves = withHorizontalLines(
    lineFigure(
      keep([
        line("qaPretrainSft", "pretrain (augmented) → SFT"),
        line("qaPlainSft", "pretrain (plain) → SFT"),
        line("qaSftOnly", "SFT only"),
      ]),
      {
        title: "Held-out question answering during SFT",
        subtitle: "SFT trains on the other people's Q/A pairs only",
        xTitle: "SFT step",
        yTitle: "held-out accuracy",
        yRange: [0, 1.05],
      },
    ),
    [chance],
    ["chance"],
  );
  const names: Record<string, string> = {
    augmented: "base model (augmented corpus)",
    plain: "plain-corpus model",
    randomInit: "untrained (random init)",
  };
  const probe = withHorizontalLines(
    lineFigure(
      data.probeByLayer.map((p) => ({
        name: names[p.model] ?? p.model,
        x: p.layers.map((_, l) => (l === 0 ? "embedding" : `block ${l}`)),
        y: p.layers.map((v) => v.mean),
        lo: p.layers.map((v) => v.lo),
        hi: p.layers.map((v) => v.hi),
      })),
      {
        title: "Linear probe: attributes of held-out people from the hidden state at their name",
        subtitle: "before any SFT; mean over attributes",
        xTitle: "layer",
        yTitle: "probe accuracy (held-out people)",
        yRange: [0, 1.05],
        errors: "bars",
      },
    ),
    [chance],
    ["chance"],
  );
  const allTokens = [
    metricOf(record, "pretrainLossBeforeSft"),
    metricOf(record, "pretrainLossAfterSft"),
    metricOf(record, "pretrainLossConcurrent"),
  ];
  const valueTokens = [
    metricOf(record, "factLossBeforeSft"),
    metricOf(record, "factLossAfterSft"),
    metricOf(record, "factLossConcurrent"),
  ];
  const forgetting = barFigure(
    ["after pretraining", "after SFT", "concurrent (end)"],
    [
      {
        name: "all tokens",
        y: allTokens.map((v) => v.mean),
        lo: allTokens.map((v) => v.lo),
        hi: allTokens.map((v) => v.hi),
      },
      {
        name: "value tokens only",
        y: valueTokens.map((v) => v.mean),
        lo: valueTokens.map((v) => v.lo),
        hi: valueTokens.map((v) => v.hi),
      },
    ],
    {
      title: "Forgetting: the world model's loss on biographies",
      subtitle: `augmented biographies, mean and 95% interval over ${n} seed(s)`,
      xTitle: "model",
      yTitle: "cross-entropy (nats / token)",
      valueDigits: 3,
    },
  );
  const A = data.results[0]?.pretrainSft.accByAttribute.length ?? 0;
  const attrLabels = Array.from({ length: A }, (_, a) => `${a + 1}. ${ATTRIBUTES[a]?.name ?? a}`);
  const byAttr = (f: (r: T1SeedResult) => number[]): Interval[] =>
    attrLabels.map((_, a) =>
      meanInterval(
        data.results.map((r) => f(r)[a] as number),
        [0, 1],
      ),
    );
  const aug = byAttr((r) => r.pretrainSft.accByAttribute);
  const pl = byAttr((r) => r.plain.accByAttribute);
  const byAttribute = withHorizontalLines(
    barFigure(
      attrLabels,
      [
        { name: "augmented → SFT", y: aug.map((v) => v.mean), lo: aug.map((v) => v.lo), hi: aug.map((v) => v.hi) },
        { name: "plain → SFT", y: pl.map((v) => v.mean), lo: pl.map((v) => v.lo), hi: pl.map((v) => v.hi) },
      ],
      {
        title: "Which facts SFT can extract, by attribute",
        subtitle: "attributes in the plain biography's order: the first follows the name, the later ones a pronoun",
        xTitle: "attribute (plain-corpus position)",
        yTitle: "held-out accuracy after SFT",
        yRange: [0, 1.05],
        valueDigits: 2,
      },
    ),
    [chance],
    ["chance"],
  );
  const first = data.results[0];
  const losses = lossCurveFigure(
    first ? Object.entries(first.histories).map(([name, history]) => ({ name, history })) : [],
    {
      title: "Training loss of every phase (first seed)",
      subtitle: "pretraining: all tokens; SFT: answer tokens only; concurrent: both",
      x: "step",
    },
  );
  return {
    "heldout-accuracy": accuracy,
    "pretraining-curves": pretrainCurves,
    "sft-curves": sftCurves,
    "loss-curves": losses,
    "probe-by-layer": probe,
    "by-attribute": byAttribute,
    forgetting,
  };
}
