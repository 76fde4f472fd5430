/**
 * Notebook 06's exercise checks: `lab.exercises.t6.e1(x)` … (see src/run/exercise.ts for the convention).
 * Each range says where it comes from: a computation in the known world, or runs over three base seeds
 * (1234, 4242, 7) of the exercise's own solution, widened by its sampling error.
 */
import { defineExercise } from "../../run/exercise";
import type { ResultRecord } from "../../run/results";
import { isInterval, type Metric } from "../../stats";
import type { T6Config } from "./config";
import type { PredictorScores } from "./run";

/** The mean of a record's metric (NaN when absent). */
function metricMean(record: ResultRecord<T6Config, unknown, string>, key: string): number {
  const m = (record.metrics as Readonly<Record<string, Metric | undefined>>)[key];
  return m === undefined ? NaN : isInterval(m) ? m.mean : m;
}

export const exercises = Object.freeze({
  /** Weaker evidence: the Bayes classifier after 8 steps at slip 0.75 (no training). */
  e1: defineExercise<number>({
    id: "t6.e1",
    quantity: "accuracy of the Bayes classifier after 8 steps at slip 0.75",
    // Computed, not trained: 2000 Monte Carlo episodes give 0.67–0.69 for three seeds (standard error ≈ 0.01).
    expected: { smoke: [0.62, 0.75], quick: [0.62, 0.75] },
    why: "At slip 0.75 a step shows the true perturbation's displacement with probability 0.25 + 0.75/5 = 0.40 and a wrong one's with 0.15, so each step multiplies the odds by about 2.7 instead of 0.52/0.12 ≈ 4.3 at slip 0.6: 8 steps now give about 0.68 instead of 0.87, and 90% needs about 24–32 steps.",
    ifNot:
      "the world you passed to bayesAccuracy: `{ ...config.world, slip: 0.75 }` and h = 8; and enough episodes (≥ 1000) for a Monte Carlo error below 0.02.",
    read: (acc) => acc,
    precondition: (acc) => (typeof acc === "number" ? null : "pass the accuracy (a number between 0 and 1)"),
  }),
  /** Longer training by hand: the recurrent predictor after 240 steps instead of 60. */
  e2: defineExercise<{ readonly trained: PredictorScores }>({
    id: "t6.e2",
    quantity: "held-out prediction loss (nats per step) of the recurrent predictor after 240 steps",
    // Three base seeds: 1.386–1.406 at quick, 1.370–1.401 at smoke (16 held-out episodes: a noisier set).
    expected: { smoke: [1.3, 1.5], quick: [1.35, 1.45] },
    why: "A predictor that infers the hidden perturbation approaches the optimal predictor's loss (about 1.40 nats per step), far below the 1.59 of the best predictor that ignores the history; 240 steps are close to the full experiment's 300, which closes 98% of that gap.",
    ifNot:
      "a loss near 1.59 means the predictor learnt the average movement but not the perturbation: check that `numSteps` is 240 in the config you passed and that you read `.trained`, not `.untrained`.",
    read: (r) => r.trained.predLoss,
  }),
  /** The window: a 16-step window predictor at h = 24 (the full experiment with `window: 16`). */
  e3: defineExercise<ResultRecord<T6Config, unknown, string>>({
    id: "t6.e3",
    quantity: "the window predictor's analysis-by-synthesis accuracy at h = 24 with a 16-step window",
    // Reasoning: Bayes with 16 steps ≈ 0.96 (the Data section's curve). Measured, one base seed (1234) at quick:
    // 0.96 at h = 16 and h = 24. Smoke (30 steps, 16 test episodes): 0.56–0.69 for three base seeds.
    expected: { smoke: [0.3, 1], quick: [0.9, 0.99] },
    why: "Nothing older than 16 steps reaches the window net, so at h = 24 it can do no better than the Bayes classifier with 16 steps (about 0.96), and prediction learning takes it close to that: the window is a sharp limit.",
    ifNot:
      "the history sweep figure of your run: is the window curve flat from h = 16 on? Below 0.9 at quick means the window net trained poorly (compare its prediction loss with the others'); above 0.99 would mean it sees more than its window.",
    precondition: (r) =>
      (r.config as T6Config).window !== 16
        ? `this record has window ${(r.config as T6Config).window}: run with overrides: { window: 16 }`
        : !(r.config as T6Config).historyLengths.includes(24)
          ? "this record's historyLengths has no 24"
          : null,
    read: (r) => metricMean(r, "latentAccSynthesis_window_h24"),
  }),
  /** One example per hypothesis: analysis by synthesis with labelledPerLatent 1. */
  e5: defineExercise<ResultRecord<T6Config, unknown, string>>({
    id: "t6.e5",
    quantity:
      "the attention predictor's analysis-by-synthesis accuracy after 8 steps with one labelled episode per cause",
    // Upper end: the Bayes classifier after 8 steps (0.87). Measured, one base seed (1234) at quick: 0.79
    // [0.62, 0.95] over 5 seeds; smoke: 0.66–0.78 for three base seeds (16 test episodes each).
    expected: { smoke: [0.4, 1], quick: [0.65, 0.87] },
    why: "Analysis by synthesis compares how surprised the predictor is under each hypothesis; one example per hypothesis only has to put the predictor in the right state, but a single unrepresentative example (many slips) misleads it, so accuracy falls from 0.87 and varies more between seeds.",
    ifNot:
      "that the run used labelledPerLatent: 1 (record.config.labelledPerLatent); then the per-seed values (record.data.results[i].sweep.synthesis.attention): one bad seed pulls the mean down.",
    precondition: (r) =>
      (r.config as T6Config).labelledPerLatent !== 1
        ? `this record has labelledPerLatent ${(r.config as T6Config).labelledPerLatent}: run with overrides: { labelledPerLatent: 1 }`
        : null,
    read: (r) => metricMean(r, "latentAccSynthesis_attention"),
  }),
});
