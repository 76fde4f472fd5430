/**
 * `demo`: the smallest experiment that walks the whole path (config → seeded data → tfjs training →
 * metrics with intervals → claims → results.json → figures). It fits a noisy line y = 2x - 1 by
 * gradient descent over a few seeds and checks that the fitted slope recovers 2.
 */
import * as tf from "@tensorflow/tfjs";
import { throwIfCancelled } from "../cancel";
import { assertedClaim, overSeeds, within } from "../claims";
import { defineProfiles, frozen } from "../config";
import { lossCurveFigure } from "../present/plot";
import { deriveSeed, Rng } from "../rng";
import { type Interval, isInterval, meanInterval } from "../stats";
import { registerExperiment } from "./experiment";
import { defineExercise } from "./exercise";
import type { ResultRecord } from "./results";

export interface DemoConfig {
  /** Independent runs (seeds). */
  readonly numSeeds: number;
  /** Points per data set. */
  readonly numPoints: number;
  /** Gradient-descent steps. */
  readonly numSteps: number;
  /** Learning rate. */
  readonly lr: number;
  /** Standard deviation of the noise added to y. */
  readonly noise: number;
}

/** The defaults (the `quick` profile). */
export const DEMO_DEFAULTS: Readonly<DemoConfig> = frozen({
  numSeeds: 5,
  numPoints: 256,
  numSteps: 300,
  lr: 0.1,
  noise: 0.1,
});

export const DEMO_PROFILES = defineProfiles(DEMO_DEFAULTS, {
  smoke: { numSeeds: 3, numPoints: 64, numSteps: 100 },
  full: { numSeeds: 10, numPoints: 1024, numSteps: 1000 },
});

/** One seed's fit. */
export interface DemoRun {
  readonly seed: number;
  readonly slope: number;
  readonly intercept: number;
  /** The slope before training (the claim's negative control: the same readout without the fit). */
  readonly initialSlope: number;
  readonly losses: number[];
}

/** Fit y = a x + b to seeded noisy data by gradient descent; returns the fit and the loss curve. */
export async function fitLine(config: DemoConfig, seed: number): Promise<DemoRun> {
  const rng = new Rng(seed);
  const xs = Array.from({ length: config.numPoints }, () => rng.uniform(-1, 1));
  const ys = xs.map((x) => 2 * x - 1 + rng.normal(0, config.noise));
  const initialSlope = rng.normal(0, 0.1);
  // tf.variable keeps the initial tensor alive: create both inside tidy, which disposes the initial values.
  const [a, b] = tf.tidy(() => [tf.variable(tf.scalar(initialSlope)), tf.variable(tf.scalar(0))]) as [
    tf.Variable,
    tf.Variable,
  ];
  const x = tf.tensor1d(xs);
  const y = tf.tensor1d(ys);
  const losses: number[] = [];
  try {
    for (let step = 0; step < config.numSteps; step++) {
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.losses.meanSquaredError(y, a.mul(x).add(b)) as tf.Scalar,
          [a, b],
        );
        a.assign(a.sub(tf.mul(config.lr, grads[a.name] as tf.Tensor)));
        b.assign(b.sub(tf.mul(config.lr, grads[b.name] as tf.Tensor)));
        return value;
      });
      try {
        losses.push((await loss.data())[0] as number);
      } finally {
        loss.dispose();
      }
    }
    return {
      seed,
      slope: (await a.data())[0] as number,
      intercept: (await b.data())[0] as number,
      initialSlope,
      losses,
    };
  } finally {
    tf.dispose([a, b, x, y]);
  }
}

/** The demo's metric names. */
export type DemoMetric = "slope" | "intercept" | "finalLoss";

export const demoExperiment = registerExperiment<DemoConfig, { runs: DemoRun[] }, DemoMetric>({
  id: "demo",
  title: "Demo: the end-to-end path",
  claim: "Gradient descent on a seeded noisy line recovers its slope (a check of the pipeline, not of the paper).",
  profiles: DEMO_PROFILES,
  async run(config, ctx) {
    const seeds = Array.from({ length: config.numSeeds }, (_, i) => deriveSeed(ctx.seed, "demo", i));
    const runs: DemoRun[] = [];
    for (const [i, seed] of seeds.entries()) {
      throwIfCancelled(ctx.signal, "demo");
      runs.push(await fitLine(config, seed));
      ctx.progress.update({ label: "demo", step: i + 1, total: seeds.length, info: { slope: runs[i]?.slope ?? NaN } });
    }
    const slope = meanInterval(runs.map((r) => r.slope));
    const finalLoss = meanInterval(runs.map((r) => r.losses[r.losses.length - 1]));
    return {
      seeds,
      metrics: { slope, intercept: meanInterval(runs.map((r) => r.intercept)), finalLoss },
      claims: [
        assertedClaim({
          id: "slope",
          statement: "The fitted slope recovers the true slope 2 within ±0.1",
          paper: null, // a check of the pipeline, not a claim of the paper
          quantity: "fitted slope, one fit per seed",
          refutedBy: "a slope interval wholly outside [1.9, 2.1]",
          estimate: overSeeds(runs.map((r) => r.slope)),
          target: within(1.9, 2.1),
          control: {
            id: "untrained",
            description: "the slope before any gradient step (the same readout without the fit)",
            estimate: overSeeds(runs.map((r) => r.initialSlope)),
            expect: "absent",
          },
        }),
      ],
      data: { runs },
      csv: {
        "fits.csv": {
          rows: runs.map((r) => ({
            seed: r.seed,
            slope: r.slope,
            intercept: r.intercept,
            finalLoss: r.losses[r.losses.length - 1],
          })),
        },
      },
    };
  },
  figures(record) {
    const runs = record.data.runs;
    const fig = lossCurveFigure(
      runs.map((r) => ({ name: `seed ${r.seed}`, history: r.losses.map((trainLoss, step) => ({ step, trainLoss })) })),
      { title: "Demo: loss while fitting a line", yTitle: "mean squared error", yLog: true },
    );
    return { "loss-curves": fig };
  },
});

type DemoRecord = ResultRecord<DemoConfig, { runs: DemoRun[] }, DemoMetric>;

const slopeOf = (r: DemoRecord): Interval => {
  const m = r.metrics.slope;
  return isInterval(m) ? m : { mean: m, lo: m, hi: m, n: 1 };
};

/** The tour's exercise checks: `lab.exercises.tour.e1(record)` (see src/run/exercise.ts). */
export const demoExercises = Object.freeze({
  /** Another base seed: the claim must still hold. */
  e1: defineExercise<DemoRecord>({
    id: "tour.e1",
    quantity: "mean fitted slope over the seeds of another base seed",
    expected: { smoke: [1.9, 2.1], quick: [1.9, 2.1] },
    why: "Gradient descent converges in well under 100 steps (each step shrinks the error by about lr·2/3 ≈ 7%), and noise 0.1 moves one fit's slope by about 0.1/√(n/3) ≈ 0.01–0.02: any seed lands well inside the claim's band.",
    ifNot:
      "the record's config (numSteps, lr): a slope far from 2 means the fit has not converged; and that you passed the record of the run with the new seed.",
    precondition: (r) =>
      r.baseSeed === 1234
        ? "this record has the default base seed 1234: the exercise asks for another (seed: 7)"
        : null,
    read: (r) => slopeOf(r).mean,
  }),
  /** Ten times the noise: how wide does the slope's interval get? */
  e2: defineExercise<DemoRecord>({
    id: "tour.e2",
    quantity: "width of the slope's 95% interval over seeds (hi − lo) at noise 1",
    // From the sampling distribution, not from runs: one fit's slope has standard error σ/√(n·Var x) =
    // 1/√(256/3) ≈ 0.11 at quick (64 points at smoke: 0.22); the t-interval over 5 (3) seeds is 2·t·s/√seeds
    // wide, with s/σ between the 0.5% and 99.5% points of √(χ²/df): 0.06–0.52 at quick, 0.07–2.5 at smoke.
    expected: { smoke: [0.07, 2.5], quick: [0.06, 0.52] },
    why: "Ten times the noise makes each fit's slope ten times as uncertain (standard error ≈ 0.11 at 256 points), and the interval over seeds follows: about 0.27 wide at quick, ten times the default's.",
    ifNot: "that the run used `overrides: { noise: 1 }` (record.config.noise) and that you read the slope's lo and hi.",
    precondition: (r) =>
      r.config.noise === 1 ? null : `this record was run with noise ${r.config.noise}: the exercise asks for noise 1`,
    read: (r) => slopeOf(r).hi - slopeOf(r).lo,
  }),
});
