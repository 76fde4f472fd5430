/** Takeaway 1's figures, pure functions of a t1 record (plotly JSON); every control is drawn beside its condition. */
import { ATTRIBUTES } from "../../data/world";
import {
  barFigure,
  type BarSeries,
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

function bars(name: string, ivs: ReadonlyArray<Interval>): BarSeries {
  return { name, y: ivs.map((v) => v.mean), lo: ivs.map((v) => v.lo), hi: ivs.map((v) => v.hi) };
}

function over(results: ReadonlyArray<T1SeedResult>, f: (r: T1SeedResult) => number, bounded = true): Interval {
  return meanInterval(results.map(f), bounded ? [0, 1] : undefined);
}

/** The figures: the base model three ways, held-out accuracy by condition, SFT-people curve, forgetting sweep, probes, concurrency. */
export function t1Figures(record: T1Record): Record<string, Figure> {
  const data = record.data;
  const R = data.results;
  const chance = data.chance;
  const n = R.length;
  const m = (k: T1Metric): Interval => metricOf(record, k);

  // 1. The base model scored three ways, each beside its control, by the same answer rule.
  const baseThreeWays = withHorizontalLines(
    barFigure(
      ["cloze (pretraining format)", "question, zero-shot", "question, few-shot k = 1", "question, few-shot k = 4"],
      [
        bars("base model", [m("clozeAccBase"), m("zeroShotAccBase"), m("fewShotAccBase_k1"), m("fewShotAccBase_k4")]),
        bars("control", [
          m("clozeAccRandomInit"),
          m("heldoutAccPretrainSft"),
          m("zeroShotAccBase"),
          m("fewShotAccPretrainSft_k4"),
        ]),
      ],
      {
        title: "What the base model does with a held-out person's facts",
        subtitle: `controls: cloze → untrained model; zero-shot → the same model after SFT; few-shot k=1 → zero-shot; k=4 → after SFT with k=4; answer = value then "." or <eos>; ${n} seed(s)`,
        xTitle: "prompt format",
        yTitle: "held-out accuracy",
        yRange: [0, 1.05],
        valueDigits: 2,
      },
    ),
    [chance],
    ["chance"],
  );

  // 2. Held-out accuracy by condition, with training accuracy beside it.
  const conds: Array<[string, Interval, Interval | null]> = [
    ["pretrain → SFT", m("heldoutAccPretrainSft"), m("trainAccPretrainSft")],
    ["SFT only, same steps", m("heldoutAccSftOnlyMatched"), m("trainAccSftOnlyMatched")],
    ["SFT only, converged", m("heldoutAccSftOnly"), m("trainAccSftOnly")],
    ["plain corpus → SFT", m("heldoutAccPlainSft"), m("trainAccPlainSft")],
    ["concurrent (matched)", m("heldoutAccConcurrent"), null],
  ];
  const nan: Interval = { mean: NaN, lo: NaN, hi: NaN, n: 0 };
  const accuracy = withHorizontalLines(
    barFigure(
      conds.map(([l]) => l),
      [
        bars(
          "held-out people",
          conds.map(([, h]) => h),
        ),
        bars(
          "training people (SFT questions)",
          conds.map(([, , t]) => t ?? nan),
        ),
      ],
      {
        title: "Questions about held-out people, and the SFT people's own",
        subtitle: `mean and 95% interval over seeds (${n}; concurrent over ${data.pairs.length}); SFT only is the control of pretrain → SFT`,
        xTitle: "condition",
        yTitle: "question accuracy",
        yRange: [0, 1.05],
        valueDigits: 2,
      },
    ),
    [chance],
    ["chance"],
  );

  // 3. The SFT-people curve per corpus (LIMA-style).
  const people = data.sftPeople;
  const curve = (corpus: "augmented" | "plain"): LineSeries => {
    const ivs = people.map((p) =>
      over(R, (r) => r.sftPeople.find((x) => x.corpus === corpus && x.people === p)?.acc ?? NaN),
    );
    return {
      name: `${corpus} corpus → SFT`,
      x: people,
      y: ivs.map((v) => v.mean),
      lo: ivs.map((v) => v.lo),
      hi: ivs.map((v) => v.hi),
    };
  };
  const sftPeople = withHorizontalLines(
    lineFigure([curve("augmented"), curve("plain")], {
      title: "How many fine-tuning people install answering?",
      subtitle:
        "held-out accuracy after the same SFT steps on the first N training people; the plain corpus is the control",
      xTitle: "people in SFT",
      yTitle: "held-out accuracy",
      xLog: true,
      yRange: [0, 1.05],
    }),
    [chance],
    ["chance"],
  );

  // 4. The SFT learning-rate sweep: answers and the world model's loss.
  const lrs = R[0]?.forgetting.map((x) => x.lr) ?? [];
  const atLr = (r: T1SeedResult, i: number) => r.forgetting[i]!;
  const accIv = lrs.map((_, i) => over(R, (r) => atLr(r, i).acc));
  const lossIv = lrs.map((_, i) => over(R, (r) => atLr(r, i).pretrainLoss, false));
  const before = m("pretrainLossBeforeSft");
  const forgettingAcc = withHorizontalLines(
    lineFigure(
      [
        {
          name: "held-out accuracy after SFT",
          x: lrs,
          y: accIv.map((v) => v.mean),
          lo: accIv.map((v) => v.lo),
          hi: accIv.map((v) => v.hi),
        },
      ],
      {
        title: "SFT learning rate: answers",
        subtitle: `augmented base model; mean and 95% interval over ${n} seed(s)`,
        xTitle: "SFT peak learning rate",
        yTitle: "held-out accuracy",
        xLog: true,
        yRange: [0, 1.05],
      },
    ),
    [chance],
    ["chance"],
  );
  const forgettingLoss = withHorizontalLines(
    lineFigure(
      [
        {
          name: "biography loss after SFT",
          x: lrs,
          y: lossIv.map((v) => v.mean),
          lo: lossIv.map((v) => v.lo),
          hi: lossIv.map((v) => v.hi),
        },
      ],
      {
        title: "SFT learning rate: forgetting of the world model",
        subtitle: "augmented biographies, all tokens; the line is the base model before SFT (the control)",
        xTitle: "SFT peak learning rate",
        yTitle: "cross-entropy (nats / token)",
        xLog: true,
      },
    ),
    [before.mean],
    ["before SFT"],
  );

  // 5. Probes at the first and last name token, per layer, for both corpora and the untrained model.
  const names: Record<string, string> = { augmented: "augmented base", plain: "plain base", randomInit: "untrained" };
  const probe = withHorizontalLines(
    lineFigure(
      data.probeByLayer.map((p) => ({
        name: `${names[p.model] ?? p.model}, ${p.position} name token`,
        x: p.layers.map((_, l) => (l === 0 ? "embedding" : `block ${l}`)),
        y: p.layers.map((v) => v.mean),
        lo: p.layers.map((v) => v.lo),
        hi: p.layers.map((v) => v.hi),
        ...(p.position === "first" ? { dash: "dash" as const } : {}),
      })),
      {
        title: "Linear probes on the name: attributes of held-out people, before any SFT",
        subtitle:
          "fitted on training people, read on held-out people (the claim uses the layer chosen on validation people); mean over attributes",
        xTitle: "layer",
        yTitle: "probe accuracy (held-out people)",
        yRange: [0, 1.05],
        errors: "bars",
      },
    ),
    [chance],
    ["chance"],
  );

  // 6. Concurrent schedules (per mixing ratio) beside sequential.
  const mixes = R[0]?.concurrent.map((c) => c.mix) ?? [];
  const mixIv = mixes.map((_, i) => over(R, (r) => r.concurrent[i]!.acc));
  const mixLoss = mixes.map((_, i) => over(R, (r) => r.concurrent[i]!.pretrainLoss, false));
  const seqAcc = over(R, (r) => r.pretrainSft.acc);
  const seqLoss = over(R, (r) => r.pretrainSft.pretrainLoss, false);
  const cats = [
    "sequential (pretrain → SFT)",
    ...mixes.map(
      (x, i) =>
        `concurrent, Q/A share ×${x} (${((R[0]?.concurrent[i]?.qaFraction ?? NaN) * 100).toFixed(1)}% of documents)`,
    ),
  ];
  const concurrentAcc = withHorizontalLines(
    barFigure(cats, [bars("held-out accuracy", [seqAcc, ...mixIv])], {
      title: "Concurrent vs sequential at matched compute: answers",
      subtitle: `${n} seed(s); the ×1 difference over ${data.pairs.length} seeds is in the claims`,
      xTitle: "schedule",
      yTitle: "held-out accuracy",
      yRange: [0, 1.05],
      valueDigits: 2,
    }),
    [chance],
    ["chance"],
  );
  const concurrentLoss = withHorizontalLines(
    barFigure(cats, [bars("biography loss at the end", [seqLoss, ...mixLoss])], {
      title: "Concurrent vs sequential at matched compute: the world model's loss",
      subtitle: "augmented biographies, all tokens; the line is the base model before SFT",
      xTitle: "schedule",
      yTitle: "cross-entropy (nats / token)",
      valueDigits: 3,
    }),
    [before.mean],
    ["before SFT"],
  );

  // 7. Learning curves and training losses (first seed), accuracy by attribute.
  const c = data.curves;
  const line = (key: string, name: string, dash?: "dash" | "dot"): LineSeries | null => {
    const v = c[key];
    return v ? { name, x: v.step, y: v.mean, lo: v.lo, hi: v.hi, ...(dash ? { dash } : {}) } : null;
  };
  const keep = (xs: Array<LineSeries | null>): LineSeries[] => xs.filter((x): x is LineSeries => x !== null);
  const pretrainCurves = withHorizontalLines(
    lineFigure(
      keep([
        line("clozeAugmented", "augmented corpus: cloze"),
        line("clozePlain", "plain corpus: cloze (its own biographies)"),
        line("clozeConcurrent", "concurrent: cloze"),
        line("qaConcurrent", "concurrent: question answering", "dash"),
      ]),
      {
        title: "What pretraining learns about held-out people",
        subtitle: 'cloze: the value after "Name lives in" etc.; QA: answer to "Q : where does Name live ? A :"',
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
      keep([line("qaPretrainSft", "pretrain (augmented) → SFT"), line("qaPlainSft", "pretrain (plain) → SFT")]),
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
  const A = R[0]?.pretrainSft.accByAttribute.length ?? 0;
  const attrLabels = Array.from({ length: A }, (_, a) => `${a + 1}. ${ATTRIBUTES[a]?.name ?? a}`);
  const byAttr = (f: (r: T1SeedResult) => number[]): Interval[] =>
    attrLabels.map((_, a) => over(R, (r) => f(r)[a] ?? NaN));
  const byAttribute = withHorizontalLines(
    barFigure(
      attrLabels,
      [
        bars(
          "augmented → SFT",
          byAttr((r) => r.pretrainSft.accByAttribute),
        ),
        bars(
          "plain → SFT",
          byAttr((r) => r.plain.accByAttribute),
        ),
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
  const first = R[0];
  const losses = lossCurveFigure(
    first ? Object.entries(first.histories).map(([name, history]) => ({ name, history })) : [],
    {
      title: "Training loss of every phase (first seed)",
      subtitle: "pretraining: all tokens; SFT: answer tokens only; concurrent: both",
      x: "step",
    },
  );
  return {
    "base-three-ways": baseThreeWays,
    "heldout-accuracy": accuracy,
    "sft-people": sftPeople,
    "forgetting-accuracy": forgettingAcc,
    "forgetting-loss": forgettingLoss,
    "probe-by-layer": probe,
    "concurrent-accuracy": concurrentAcc,
    "concurrent-loss": concurrentLoss,
    "pretraining-curves": pretrainCurves,
    "sft-curves": sftCurves,
    "loss-curves": losses,
    "by-attribute": byAttribute,
  };
}
