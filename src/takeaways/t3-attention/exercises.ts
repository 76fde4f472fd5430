/**
 * Notebook 03's exercise checks: `lab.exercises.t3.e1(x)` … (see src/run/exercise.ts for the convention).
 * Each range says where it comes from: runs of the exercise's own solution at three base seeds (1234, 4242,
 * 7), or, where no quick run was made, a prediction from the quick records and a stated argument.
 */
import { defineExercise } from "../../run/exercise";
import { type CapacitySeedResult, capacityLogSlope } from "./run";
import type { AttentionSeedResult } from "./config";

const isRun = (r: AttentionSeedResult): string | null =>
  typeof r?.accModularSalience === "number" ? null : "pass the result of lab.t3.runSystemSeed(...)";

export const exercises = Object.freeze({
  /** Sigmoid gains everywhere: the modular system whose controller maximises the cued stream's salience. */
  e1: defineExercise<AttentionSeedResult>({
    id: "t3.e1",
    quantity: "accuracy of the modular system (salience controller) with sigmoid gains",
    // Smoke: 0.86, 0.84, 0.77 at base seeds 1234, 4242, 7 (run 0; 300 eval trials, standard error ≈ 0.02).
    // Quick: predicted before running it: the designed interface (one-hot gains) matches joint training at
    // quick (96–99%, gap 0.1 points in the three-seed records), and with sigmoid gains the salience objective
    // and the processor's stand-in both converge on that code. Then measured: 0.99, 1.00, 0.96 (run 0 at quick).
    expected: { smoke: [0.6, 1], quick: [0.8, 1] },
    why: "With sigmoid gains one code fits best (amplify the cued stream, damp the others); the salience objective asks for exactly that, and so does the task the processor learnt with its stand-in. The modules agree without having been trained together: the interface, not the training, decides.",
    ifNot:
      'that you passed `gainFunction: "sigmoid"` in `system` (result.codes.modularSalience should be near one-hot, all entries in [0, 1]); a value near the signed-gain 0.2–0.45 means the change did not reach the run.',
    read: (r) => r.accModularSalience,
    precondition: (r) =>
      isRun(r) ??
      (r.codes.modularSalience.flat().some((g) => g < 0)
        ? 'the salience controller emits negative gains: these are signed (tanh) gains; set system.gainFunction to "sigmoid"'
        : null),
  }),
  /** A quiet interface: the processor with no gain signal, at interface noise 0. */
  e2: defineExercise<AttentionSeedResult>({
    id: "t3.e2",
    quantity: "accuracy of the processor with no gain signal at interface noise 0",
    // Smoke: 0.54, 0.55, 0.53 at base seeds 1234, 4242, 7 (run 0; 300 eval trials). Quick: the three-seed
    // quick records give 0.497 [0.490, 0.504] with noise; the argument below says noise cannot matter here. Then measured at quick: 0.53, 0.49, 0.50 (run 0).
    expected: { smoke: [0.4, 0.65], quick: [0.45, 0.55] },
    why: "Without gains the processor never learns which stream is cued: the cue does not reach it at all. Removing the noise on the streams does not give it that information, so it stays at what the streams alone allow (about 50%, above the 25% chance), while joint training gets close to 100%.",
    ifNot:
      "that you read `accNoGain` of the run with `interfaceNoise: 0`; a value near joint accuracy would mean the cue leaks into the processor (a bug).",
    read: (r) => r.accNoGain,
    precondition: isRun,
  }),
  /** Noisier cues: the modern network's capacity exponent with 30% of each query flipped. */
  e3: defineExercise<CapacitySeedResult>({
    id: "t3.e3",
    quantity: "slope of ln M_max against d, modern network at its best β, 30% of each query flipped",
    // Smoke (d = 8–24, one capacity seed): 0.064, 0.062, 0.101 at base seeds 1234, 4242, 7. Quick: a prediction,
    // not measured: the separation argument gives (1 − 2·0.3)²/2 = 0.08 (at 25% it gives 0.125, and the quick
    // records measured 0.135 [0.128, 0.141]), so we expect about 0.08–0.09, below the 0.135 of 25%.
    expected: { smoke: [0.03, 0.15], quick: [0.06, 0.11] },
    why: "A query with a fraction f of its entries flipped keeps an overlap of (1 − 2f)·d with its pattern; retrieval needs that to beat the largest overlap with M − 1 random patterns, about √(2 d ln M). So ln M_max grows like (1 − 2f)²·d/2: the exponent falls from 0.125 at f = 0.25 to 0.08 at f = 0.3, and the growth stays exponential.",
    ifNot:
      "that `flipFraction` is 0.3 in the settings you passed; a NaN means some d never broke within `maxLoad` (raise it); a slope below the linear law's would be a real surprise.",
    read: (r) => capacityLogSlope(r, "best"),
    precondition: (r) => (Array.isArray(r?.mMax) ? null : "pass the result of lab.t3.runCapacitySeed(...)"),
  }),
  /** Budget or principle: the modular system (salience controller) with twice the training steps. */
  e5: defineExercise<AttentionSeedResult>({
    id: "t3.e5",
    quantity: "accuracy of the modular system (salience controller, signed gains) after twice the training steps",
    // Smoke (120 steps): 0.44, 0.37, 0.35 at base seeds 1234, 4242, 7 (run 0). Quick: a prediction from the
    // three-seed quick records, where the modular salience system gets 35–45% after 400 steps: more steps
    // train each module better on its own objective, not towards the other's code. Then measured at quick
    // (800 steps, run 0): 0.48, 0.37, 0.40.
    expected: { smoke: [0.2, 0.6], quick: [0.25, 0.6] },
    why: "Each module already reaches its own objective; what is missing is agreement between their codes, and no amount of separate training creates it. Joint training, and the adaptation curve, do: they let the processor learn the controller's code.",
    ifNot:
      "that `numSteps` is doubled in `system` (it sets every module's budget) and the gains are signed (tanh); a value near joint accuracy would contradict the takeaway: look at result.codes.modularSalience against result.codes.modularStandIn.",
    read: (r) => r.accModularSalience,
    precondition: isRun,
  }),
});
