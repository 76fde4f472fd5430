/**
 * Notebook 04's exercise checks: `lab.exercises.t4.e1(x)` … (see src/run/exercise.ts for the convention).
 * Every exercise changes one setting of the by-hand ladder (`lab.t4.trainLadder`: the depth-1 sizes, one
 * seed, the largest token budget), not the whole sweep. Each range says where it comes from: a computation
 * in the known language, or the exercise's own solution at the three base seeds 1234, 4242 and 7
 * (scripts/t4-exercise-ranges.ts; the numbers in notes/22-04.md), widened by its spread between seeds.
 */
import { defineExercise } from "../../run/exercise";
import type { LadderFit } from "./parts";

const isFit = (x: unknown): string | null =>
  typeof x === "object" && x !== null && "alphaPinned" in x ? null : "pass the result of lab.t4.fitLadder(ladder)";

export const exercises = Object.freeze({
  /** A heavier tail: the by-hand α with Zipf exponent 1.6 instead of 1.3. */
  e1: defineExercise<LadderFit>({
    id: "t4.e1",
    quantity: "the by-hand size exponent α (E pinned to the entropy rate) with zipfExponent 1.6",
    // Smoke: 0.014, 0.024, 0.034 at base seeds 1234, 4242, 7 (default language: 0.009–0.020).
    // Quick: 0.120, 0.119, 0.122 at base seeds 1234, 4242, 7 (default language, by-hand ladder: 0.052–0.059).
    expected: { smoke: [0, 0.08], quick: [0.09, 0.15] },
    why: "With a steeper Zipf law the frequent words carry more of the text, so each doubling of the model learns a larger share of what is left: the loss falls faster with N (the quantization model: α grows with the Zipf exponent; about twice 0.05–0.06 here), even though these short runs are far from the converged α ≈ s − 1.",
    ifNot:
      "that the override reached the language (`{ ...config.language, zipfExponent: 1.6 }`) and that you pinned E to this language's own entropy rate (ladder.entropyRate), which changes with the exponent.",
    read: (f) => f.alphaPinned,
    precondition: isFit,
  }),
  /** No grammar: the entropy rate of a language with one word class. */
  e2: defineExercise<number>({
    id: "t4.e2",
    quantity: "the entropy rate (nats per token) of the language with one word class (no grammar)",
    // Computed, not trained (the language is the same at every profile): 1.048, 1.061, 1.058 at base seeds
    // 1234, 4242, 7, against 0.865–0.867 with 8 classes.
    expected: { smoke: [1, 1.1], quick: [1, 1.1] },
    why: "With 8 classes the previous word says which few classes may come next, so the next word's first letters are partly predictable; with one class every word is drawn from the whole lexicon, and the irreducible loss rises by what the grammar told about the next word (about 0.19 nats per token).",
    ifNot:
      "that you set both numClasses: 1 and classBranching: 1 in the language, and passed the entropy rate (lang.entropyRate()), not a trained loss.",
    read: (h) => h,
    precondition: (h) => (typeof h === "number" ? null : "pass the entropy rate (a number)"),
  }),
  /** Depth instead of width: the depth-2 sizes against the depth-1 law at the same N. */
  e3: defineExercise<ReadonlyArray<number>>({
    id: "t4.e3",
    quantity: "the depth-2 models' excess loss over the depth-1 law at the same N (geometric mean of the ratios)",
    // Smoke: 1.021, 0.998, 1.001 at base seeds 1234, 4242, 7 (one depth-2 size). Quick: 1.07, 1.00, 1.06
    // (four depth-2 sizes each; the prior learning-rate rule, as trainLadder without a rule).
    expected: { smoke: [0.9, 1.1], quick: [0.95, 1.15] },
    why: "Kaplan et al. found loss nearly independent of shape at fixed N once depth is above one layer; here a second layer costs a little (ratios about 1.0–1.1): at 40–160 steps the deeper models train no faster per parameter, and the language's structure (spelling, one-word grammar) needs little composition.",
    ifNot:
      "that you passed lab.t4.excessOverLaw(fit, ladder.entropyRate, deep.runs) with `fit` from the depth-1 ladder and `deep` trained on the config's nLayer-2 sizes.",
    read: (ratios) => Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length),
    precondition: (ratios) =>
      Array.isArray(ratios) && ratios.length > 0 && ratios.every((r) => r > 0)
        ? null
        : "pass the list of positive ratios from lab.t4.excessOverLaw",
  }),
  /** One learning rate for every size. */
  e4: defineExercise<LadderFit>({
    id: "t4.e4",
    quantity: "the by-hand size exponent α with lrSizeExponent 0 (one learning rate for every size)",
    // Smoke: 0.019, 0.019, 0.025 at base seeds 1234, 4242, 7 (with lr ∝ N^(−1/2): 0.009–0.020).
    // Quick: 0.006, 0.021, 0.010 at base seeds 1234, 4242, 7 (with the prior rule lr ∝ N^(−1/2): 0.052–0.059).
    // Smoke and quick move in opposite directions: 16 steps are mostly warmup, 160 are not.
    expected: { smoke: [0, 0.06], quick: [-0.01, 0.04] },
    why: "With lrSizeExponent 0 every size trains at the reference rate lr = 0.02: the small models (N < 10⁴) lose the larger rates they had, the large ones get a larger one than before. At quick the law nearly flattens (α from about 0.055 to 0.006–0.021): in runs this short, most of the measured exponent comes with the size-dependent learning rate.",
    ifNot: "that every run's lr is the same (ladder.runs.map((r) => r.lr)); and pin E to ladder.entropyRate.",
    read: (f) => f.alphaPinned,
    precondition: isFit,
  }),
  /** Shorter contexts in the head-to-head contest. */
  e5: defineExercise<LadderFit>({
    id: "t4.e5",
    quantity: "γ of the deterministic head-to-head contest with contextLen 5",
    // Smoke: 0.16, 0.27, 0.31 at base seeds 1234, 4242, 7 (32 items; contextLen 20: 0.19–0.35).
    // Quick: 0.330, 0.341, 0.411 at base seeds 1234, 4242, 7 (300 items; contextLen 20: 0.325, 0.357, 0.401).
    expected: { smoke: [0, 0.6], quick: [0.25, 0.5] },
    why: "γ measures how reliably the larger model gives the true next word the higher likelihood. A shorter context makes every model less sure of the next word alike (the previous word is often cut), but it does not change which model knows more spellings: γ stays about where it was with 20 letters (at quick within 0.01–0.02 of it).",
    ifNot:
      "that the ladder was trained with contextLen 5 (the contest items depend on it) and that every run has scores (the runs play only when trainLadder made them).",
    read: (f) => f.gamma,
    precondition: isFit,
  }),
});
