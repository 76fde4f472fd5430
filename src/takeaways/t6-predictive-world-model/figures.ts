/** Notebook 06's figures, pure functions of a t6 record (plotly JSON); every control is drawn beside its condition. */
import {
  barFigure,
  type Figure,
  lineFigure,
  type LineSeries,
  paletteColor,
  withHorizontalLines,
} from "../../present/plot";
import { sliderFigure } from "../../present/slider";
import { type Interval, meanInterval } from "../../stats";
import { pooledFraction } from "./analysis";
import { type Arch, ARCH_SHORT, ARCHS, PREDICTORS, type T6Record, type T6SeedResult } from "./config";

/** Mean and 95% t-interval over seeds of a per-seed value (NaN-free values only). */
function over(
  results: ReadonlyArray<T6SeedResult>,
  f: (r: T6SeedResult) => number,
  bounds?: [number, number],
): Interval {
  const v = results.map(f).filter((x) => Number.isFinite(x));
  return v.length === 0 ? { mean: NaN, lo: NaN, hi: NaN, n: 0 } : meanInterval(v, bounds);
}

function subtitle(record: T6Record): string {
  return `profile ${record.profile}, ${record.seeds.length} seed(s), 95% t-intervals over seeds`;
}

function bars(
  categories: ReadonlyArray<string>,
  series: ReadonlyArray<{ name: string; ivs: ReadonlyArray<Interval>; color?: string }>,
  opts: Parameters<typeof barFigure>[2],
): Figure {
  return barFigure(
    categories,
    series.map((s) => ({
      name: s.name,
      y: s.ivs.map((i) => i.mean),
      lo: s.ivs.map((i) => i.lo),
      hi: s.ivs.map((i) => i.hi),
      ...(s.color ? { color: s.color } : {}),
    })),
    opts,
  );
}

/** Held-out prediction loss of each predictor, trained and untrained, against the optimal and the no-latent predictor. */
export function predictionLossFigure(record: T6Record): Figure {
  const rs = record.data.results;
  const fig = bars(
    PREDICTORS.map((a) => ARCH_SHORT[a]),
    [
      { name: "trained (prediction error only)", ivs: PREDICTORS.map((a) => over(rs, (r) => r.predLoss[a])) },
      {
        name: "untrained (control)",
        ivs: PREDICTORS.map((a) => over(rs, (r) => r.predLossUntrained[a])),
        color: "#bbbbbb",
      },
    ],
    {
      title: "Prediction: next-step loss on held-out episodes",
      subtitle: subtitle(record),
      xTitle: "predictor",
      yTitle: "loss, nats per step (−log p of the consequence)",
    },
  );
  const opt = over(rs, (r) => r.predLossOptimal).mean;
  const noLatent = over(rs, (r) => r.predLossNoLatent).mean;
  return withHorizontalLines(fig, [opt, noLatent], ["optimal (Bayes)", "ignores the history (no latent)"]);
}

/** Latent inference at the headline history length: synthesis and probe per predictor, trained and untrained, with the direct classifier, the Bayes classifier and chance. */
export function understandingFigure(record: T6Record): Figure {
  const rs = record.data.results;
  const h0 = record.config.episodeSteps;
  const k0 = record.data.historyLengths.indexOf(h0);
  const acc = (f: (r: T6SeedResult) => number): Interval => over(rs, f, [0, 1]);
  const fig = bars(
    PREDICTORS.map((a) => ARCH_SHORT[a]),
    [
      { name: "analysis by synthesis", ivs: PREDICTORS.map((a) => acc((r) => r.sweep.synthesis[a][k0] as number)) },
      {
        name: "synthesis, untrained (control)",
        ivs: PREDICTORS.map((a) => acc((r) => r.sweep.synthesisUntrained[a][k0] as number)),
        color: "#bbbbbb",
      },
      { name: "linear probe", ivs: PREDICTORS.map((a) => acc((r) => r.sweep.probe[a][k0] as number)) },
      {
        name: "probe, untrained (control)",
        ivs: PREDICTORS.map((a) => acc((r) => r.sweep.probeUntrained[a][k0] as number)),
        color: "#888888",
      },
    ],
    {
      title: `Understanding: inferring the hidden perturbation from ${h0} steps`,
      subtitle: subtitle(record),
      xTitle: "frozen predictor, never trained on the inference task",
      yTitle: "accuracy on held-out episodes",
      yRange: [0, 1],
    },
  );
  return withHorizontalLines(
    fig,
    [acc((r) => r.sweep.direct[k0] as number).mean, acc((r) => r.sweep.bayes[k0] as number).mean, record.data.chance],
    ["direct classifier (task-specific)", "Bayes classifier (optimal)", "chance"],
  );
}

/** Reaching success: model-based control per predictor, trained and untrained, with the direct policy, random commands, the Bayes controller and the oracle. */
export function generationFigure(record: T6Record): Figure {
  const rs = record.data.results;
  const acc = (f: (r: T6SeedResult) => number): Interval => over(rs, f, [0, 1]);
  const fig = bars(
    PREDICTORS.map((a) => ARCH_SHORT[a]),
    [
      { name: "model-predictive control", ivs: PREDICTORS.map((a) => acc((r) => r.reach.modelBased[a])) },
      {
        name: "with the untrained predictor (control)",
        ivs: PREDICTORS.map((a) => acc((r) => r.reach.modelBasedUntrained[a])),
        color: "#bbbbbb",
      },
    ],
    {
      title: `Generation: reaching the goal within ${record.config.reach.maxSteps} commands`,
      subtitle: subtitle(record),
      xTitle: "frozen predictor, never trained on the goal task",
      yTitle: "fraction of tasks reaching the goal",
      yRange: [0, 1],
    },
  );
  return withHorizontalLines(
    fig,
    [
      acc((r) => r.reach.directPolicy).mean,
      acc((r) => r.reach.random).mean,
      acc((r) => r.reach.bayes).mean,
      acc((r) => r.reach.oracle).mean,
    ],
    ["direct policy (task-specific)", "random commands", "exact model + Bayes", "oracle (z known)"],
  );
}

/** Latent inference against the history length: the hypothesis test (does the non-attentional predictor fall behind on long histories?). */
export function historySweepFigure(record: T6Record): Figure {
  const rs = record.data.results;
  const hs = record.data.historyLengths;
  const line = (
    name: string,
    f: (r: T6SeedResult, k: number) => number,
    style: Partial<LineSeries> = {},
    band = false,
  ): LineSeries => {
    const ivs = hs.map((_, k) => over(rs, (r) => f(r, k), [0, 1]));
    const y = ivs.map((i) => i.mean);
    return band
      ? { name, x: hs, y, lo: ivs.map((i) => i.lo), hi: ivs.map((i) => i.hi), ...style }
      : { name, x: hs, y, ...style };
  };
  const series: LineSeries[] = [];
  PREDICTORS.forEach((a, i) => {
    const color = paletteColor(i);
    series.push(
      line(`${ARCH_SHORT[a]}: synthesis`, (r, k) => r.sweep.synthesis[a][k] as number, { color, group: a }, true),
      line(`${ARCH_SHORT[a]}: probe`, (r, k) => r.sweep.probe[a][k] as number, { color, dash: "dash", group: a }),
      line(`${ARCH_SHORT[a]}: untrained`, (r, k) => r.sweep.synthesisUntrained[a][k] as number, {
        color,
        dash: "dot",
        width: 1,
        group: a,
      }),
    );
  });
  series.push(
    line("direct classifier", (r, k) => r.sweep.direct[k] as number, { color: paletteColor(3), dash: "dashdot" }),
    { name: "Bayes classifier (optimal)", x: hs, y: [...record.data.bayesCurve], color: "#222222", dash: "dot" },
  );
  const fig = lineFigure(series, {
    title: "Inferring the hidden cause from a history of h steps",
    subtitle: `${subtitle(record)} (bands: synthesis); dashed: probe; dotted: untrained`,
    xTitle: "history length h (steps the hidden cause is inferred from)",
    yTitle: "accuracy on held-out episodes",
    yRange: [0, 1.02],
  });
  return withHorizontalLines(fig, [record.data.chance], ["chance"]);
}

/**
 * The history sweep with a slider over h: at each history length, every predictor's accuracy (trained and
 * untrained) beside the direct classifier and the Bayes classifier. The same numbers as the sweep figure,
 * computed once by the experiment; the slider only chooses which h is drawn.
 */
export function historySliderFigure(record: T6Record): Figure {
  const rs = record.data.results;
  const hs = record.data.historyLengths;
  const cats = [...PREDICTORS.map((a) => ARCH_SHORT[a]), "direct classifier", "Bayes (optimal)"];
  const none: Interval = { mean: NaN, lo: NaN, hi: NaN, n: 0 };
  const steps = hs.map((h, k) => {
    const per = (f: (r: T6SeedResult, a: (typeof PREDICTORS)[number]) => number): Interval[] => [
      ...PREDICTORS.map((a) => over(rs, (r) => f(r, a), [0, 1])),
      none,
      none,
    ];
    const bayes = record.data.bayesCurve[k] as number;
    const fig = bars(
      cats,
      [
        {
          name: "analysis by synthesis",
          ivs: per((r, a) => r.sweep.synthesis[a][k] as number),
          color: paletteColor(0),
        },
        { name: "linear probe", ivs: per((r, a) => r.sweep.probe[a][k] as number), color: paletteColor(1) },
        {
          name: "synthesis, untrained predictor (control)",
          ivs: per((r, a) => r.sweep.synthesisUntrained[a][k] as number),
          color: "#bbbbbb",
        },
        {
          name: "trained for the task / optimal",
          ivs: [
            ...PREDICTORS.map(() => none),
            over(rs, (r) => r.sweep.direct[k] as number, [0, 1]),
            { mean: bayes, lo: bayes, hi: bayes, n: 1 },
          ],
          color: "#222222",
        },
      ],
      {
        title: `Inferring the hidden cause from h = ${h} step${h === 1 ? "" : "s"} of history`,
        subtitle: `${subtitle(record)}; move the slider to change h`,
        xTitle: "model",
        yTitle: "accuracy on held-out episodes",
        yRange: [0, 1.02],
      },
    );
    return { label: `h = ${h}`, figure: withHorizontalLines(fig, [record.data.chance], ["chance"]) };
  });
  const active = Math.max(0, hs.indexOf(record.config.episodeSteps));
  return sliderFigure(steps, { prefix: "history length: ", active });
}

/** Prediction, understanding and generation over training (none of the latter two is trained). */
export function learningCurvesFigure(record: T6Record): Figure {
  const rs = record.data.results;
  const first = rs[0];
  if (!first) throw new Error("learningCurvesFigure: the record has no runs");
  const series: LineSeries[] = [];
  const measures: Array<{ key: string; label: string; f: (r: T6SeedResult, a: Arch, k: number) => number }> = [
    {
      key: "gap",
      label: "prediction (gap closed)",
      f: (r, a, k) => {
        const p = r.curves[a][k] as { predLoss: number };
        return (r.predLossNoLatent - p.predLoss) / (r.predLossNoLatent - r.predLossOptimal);
      },
    },
    {
      key: "synthesis",
      label: "understanding (synthesis)",
      f: (r, a, k) => (r.curves[a][k] as { synthesis: number }).synthesis,
    },
    {
      key: "reach",
      label: "generation (reaching)",
      f: (r, a, k) => (r.curves[a][k] as { reach: number }).reach,
    },
  ];
  ARCHS.forEach((a, ai) => {
    const steps = first.curves[a].map((p) => p.step);
    measures.forEach((m, mi) => {
      const ivs = steps.map((_, k) => over(rs, (r) => m.f(r, a, k)));
      series.push({
        name: `${ARCH_SHORT[a]}: ${m.label}`,
        x: steps.map((st) => st + 1),
        y: ivs.map((i) => i.mean),
        lo: ivs.map((i) => i.lo),
        hi: ivs.map((i) => i.hi),
        color: paletteColor(mi),
        dash: ai === 0 ? "solid" : "dash",
        group: m.key,
      });
    });
  });
  return lineFigure(series, {
    title: "Learning by prediction error: understanding and generation come along",
    subtitle: `${subtitle(record)}; solid: attention, dashed: recurrent; x = 1 is the untrained model`,
    xTitle: "training step + 1 (next-step prediction only)",
    yTitle: "score (gap closed: 0 = no latent, 1 = optimal)",
    xLog: true,
  });
}

/** The brain question in one number each: what share of a task-specific model's above-baseline performance the one predictive model gives for free. */
export function fractionsFigure(record: T6Record): Figure {
  const rs = record.data.results;
  const k0 = record.data.historyLengths.indexOf(record.config.episodeSteps);
  const chance = record.data.chance;
  // The pooled ratio over seeds with its bootstrap interval, as the record's understandingFraction and generationFraction.
  const frac = (
    x: (r: T6SeedResult) => number,
    ref: (r: T6SeedResult) => number,
    zero: (r: T6SeedResult) => number,
    label: string,
  ): Interval => pooledFraction(rs, x, ref, zero, record.baseSeed, label);
  const fig = bars(
    ["understanding:<br>synthesis", "understanding:<br>linear probe", "generation:<br>model-predictive control"],
    PREDICTORS.map((a) => ({
      name: ARCH_SHORT[a],
      ivs: [
        frac(
          (r) => r.sweep.synthesis[a][k0] as number,
          (r) => r.sweep.direct[k0] as number,
          () => chance,
          `u-${a}`,
        ),
        frac(
          (r) => r.sweep.probe[a][k0] as number,
          (r) => r.sweep.direct[k0] as number,
          () => chance,
          `p-${a}`,
        ),
        frac(
          (r) => r.reach.modelBased[a],
          (r) => r.reach.directPolicy,
          (r) => r.reach.random,
          `g-${a}`,
        ),
      ],
    })),
    {
      title: "What one predictive model gives for free",
      subtitle: `profile ${record.profile}, ${record.seeds.length} seed(s); ratio of mean above-baseline scores, bootstrap 95% over seeds`,
      xTitle: "repurposed use of the frozen predictor",
      yTitle: "share of the task-specific score",
    },
  );
  return withHorizontalLines(fig, [1, 0.5, 0], ["task-specific model", "claim threshold", "baseline"]);
}

/** Every figure of a t6 record, by name. */
export function t6Figures(record: T6Record): Record<string, Figure> {
  return {
    "prediction-loss": predictionLossFigure(record),
    understanding: understandingFigure(record),
    generation: generationFigure(record),
    "history-sweep": historySweepFigure(record),
    "history-slider": historySliderFigure(record),
    "learning-curves": learningCurvesFigure(record),
    fractions: fractionsFigure(record),
  };
}
