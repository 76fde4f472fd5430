/**
 * Notebook 01's exercise checks: `lab.exercises.t1.e1(scores)` … (see src/run/exercise.ts for the convention).
 * Every exercise retrains only what it changes, from the by-hand section's run (the experiment's first run of
 * the notebook's base seed: {@link t1RunSeed}(seed, 0)), so its outcome at quick is one run of a condition the
 * three-seed quick records (base seeds 1234, 4242, 7; 5 full runs each, main at 59fb13e) already measured
 * 15 times, where they measured it; the ranges say where they come from. Smoke ranges: the solutions run at
 * smoke for the three base seeds (notes/22-01.md), widened by the sampling error of 48 held-out questions.
 */
import { defineExercise } from "../../run/exercise";
import type { T1ModelScores } from "./run";

/** A number in [0, 1] (an accuracy) or a problem for the student. */
function accuracyProblem(x: unknown): string | null {
  return typeof x === "number" && x >= 0 && x <= 1 ? null : "pass the accuracy (a number between 0 and 1)";
}

export const exercises = Object.freeze({
  /** A gentler SFT: the by-hand base model fine-tuned at lr × 0.2. */
  e1: defineExercise<T1ModelScores>({
    id: "t1.e1",
    quantity: "held-out accuracy after SFT at lr × 0.2",
    // Quick: the 15 runs of the three-seed records (forgetting sweep, lrFactor 0.2) gave 0.33–0.61.
    // Smoke (4 values per attribute: chance 0.25; 48 held-out questions): 0.29, 0.13, 0.10 for base seeds 1234, 4242, 7.
    expected: { smoke: [0, 0.5], quick: [0.3, 0.65] },
    why: "At lr × 1 SFT overwrites the world model it should unlock (the biography loss jumps from about 0.6 to 4–5 nats per token); a fifth of the rate installs the answer format and keeps most of the stored facts, so held-out accuracy roughly doubles (lr × 1: 0.16–0.41 over the same 15 runs).",
    ifNot:
      "the factor you passed (`lrFactor: 0.2` in lab.t1.fineTune), that you fine-tuned the by-hand base model (`base.model`) and scored the new model, not `sft.model`.",
    read: (s) => s.heldOutAcc,
    precondition: (s) => accuracyProblem(s?.heldOutAcc),
  }),
  /** Forgetting at the gentle rate: biography loss after SFT at lr × 0.2 minus before. */
  e2: defineExercise<number>({
    id: "t1.e2",
    quantity: "biography loss after SFT at lr × 0.2 minus before (nats per token)",
    // Quick: the 15 runs of the three-seed records gave 0.51–1.30 (lr × 1: 3.2–5.0).
    // Smoke: 1.17, 1.04, 0.51 for base seeds 1234, 4242, 7.
    expected: { smoke: [0.2, 2], quick: [0.45, 1.4] },
    why: "SFT trains only on answers, so every step moves the weights away from predicting biographies; at a fifth of the rate the loss still rises, by about 1 nat per token, against 3–5 nats at lr × 1, where the model predicts biographies hardly better than a uniform guess over its vocabulary.",
    ifNot:
      "that you subtracted the base model's biography loss (`baseScores.bioLoss`) from the fine-tuned model's, both from `lab.t1.scoreModel(kit, …)` (the same evaluation batches).",
    read: (x) => x,
    precondition: (x) => (typeof x === "number" && Number.isFinite(x) ? null : "pass the loss difference (a number)"),
  }),
  /** How few people: SFT on 4 training people only. */
  e3: defineExercise<T1ModelScores>({
    id: "t1.e3",
    quantity: "held-out accuracy after SFT on 4 training people",
    // Quick: the 15 runs of the three-seed records (SFT-people curve, augmented, 4 people) gave 0.12–0.21.
    // Smoke (chance 0.25): 0.27, 0.25, 0.25 for base seeds 1234, 4242, 7.
    expected: { smoke: [0.05, 0.5], quick: [0.1, 0.25] },
    why: "With 4 people (12 questions) SFT mostly memorises their answers: held-out accuracy stays near chance (0.125), below SFT on all training people (0.16–0.41 at lr × 1), unlike LIMA's few examples. At this scale SFT does not install a general answering behaviour from a handful of people.",
    ifNot:
      "the people you passed (`people: kit.d.world.trainIds.slice(0, 4)`) and that you scored held-out people (`heldOutAcc`); far above 0.25 would mean held-out people leaked into SFT.",
    read: (s) => s.heldOutAcc,
    precondition: (s) => accuracyProblem(s?.heldOutAcc),
  }),
  /** A weaker world model: half the pretraining steps, then the same SFT. */
  e4: defineExercise<T1ModelScores>({
    id: "t1.e4",
    quantity: "held-out accuracy after half the pretraining steps, then SFT",
    // Quick: this solution at quick for base seeds 1234, 4242, 7 gave 0.173, 0.167, 0.167 (cloze of the half-trained
    // base 0.23–0.27, against 0.59–0.80 after all steps); widened by the sampling error of 150 held-out questions.
    // Smoke (chance 0.25): 0.25, 0.25, 0.25.
    expected: { smoke: [0.05, 0.5], quick: [0.1, 0.25] },
    why: "SFT can only unlock what pretraining stored: with half the steps the cloze on held-out people falls, and the held-out accuracy after SFT falls with it.",
    ifNot:
      "that both the pretraining and the SFT used the halved config (`half`) and its own kit (`lab.t1.runKit(half, run0)`), and compare with the cloze accuracy of the half-trained base model.",
    read: (s) => s.heldOutAcc,
    precondition: (s) => accuracyProblem(s?.heldOutAcc),
  }),
  /** Examples in the context: few-shot k = 4 on the by-hand base model. */
  e5: defineExercise<number>({
    id: "t1.e5",
    quantity: "few-shot accuracy of the base model with k = 4 examples",
    // Quick: the 15 runs of the three-seed records gave 0–0.02 at k = 4 (0–0.047 at k = 1).
    // Smoke (chance 0.25): 0.02, 0, 0 for base seeds 1234, 4242, 7.
    expected: { smoke: [0, 0.2], quick: [0, 0.05] },
    why: "The base model never saw a question during pretraining; at this scale (one layer, 64 dimensions) it does not pick up the question/answer pattern from examples in its context, so it stays at or below chance however many examples fit.",
    ifNot:
      "that you scored `base.model` (not the SFT model, which answers) with `lab.t1.scoreFewShot(base.model, kit.d, kit.d.heldOutQA, 4, …)`.",
    read: (x) => x,
    precondition: accuracyProblem,
  }),
  /** The brain's schedule by hand: the concurrent run of the by-hand seed. */
  e6: defineExercise<T1ModelScores>({
    id: "t1.e6",
    quantity: "held-out accuracy of the concurrent schedule (Q/A share × 1, matched compute)",
    // Quick: the 15 full runs of the three-seed records (concurrent × 1) gave 0.35–0.64.
    // Smoke (chance 0.25): 0.27, 0.25, 0.25 for base seeds 1234, 4242, 7 (biography loss 1.00–1.02, the base model's).
    expected: { smoke: [0.05, 0.5], quick: [0.3, 0.7] },
    why: "Answers mixed into the world-model data from step 0 are learnt without overwriting the biographies (their loss stays at the base model's 0.6 nats), so held-out people are answered about twice as often as after sequential SFT at lr × 1.",
    ifNot:
      "that you trained `lab.t1.trainConcurrent(config, kit, 1)` (mix 1) from the by-hand kit and scored its `.model`.",
    read: (s) => s.heldOutAcc,
    precondition: (s) => accuracyProblem(s?.heldOutAcc),
  }),
});
