/**
 * Notebook 06 (Ohmae & Ohmae 2025, "The brain-AI convergence: predictive and generative world models for
 * general-purpose computation", arXiv:2512.02419): one predictive world model, learnt by prediction error
 * alone, repurposed for understanding and for generation; an attention-based predictor (neocortex
 * analogue) against a non-attentional one (cerebellum analogue).
 *
 * 1. A world with a hidden cause: motor commands whose consequences depend on a hidden perturbation
 *    (src/data/motor-world.ts), with the optimal predictor and the Bayes classifier known exactly.
 * 2. Two predictors with the same parameter budget, trained only on next-step prediction error: the tiny
 *    GPT (src/transformer.ts) and the same network with a linear recurrence instead of attention
 *    (src/recurrent.ts).
 * 3. Understanding without training on it: a linear probe on the frozen state, and analysis by synthesis
 *    (the hypothesis under which the predictor is least surprised); against the untrained predictor and a
 *    classifier trained directly on the same episodes.
 * 4. Generation without training on it: model-predictive control towards a goal; against the untrained
 *    predictor, a policy trained directly on the same episodes, and random commands.
 * 5. The history-length sweep: does the non-attentional predictor fall behind when the hidden cause must be
 *    inferred from a long history?
 * 6. Learning curves: understanding and generation measured along the prediction learning curve.
 *
 * Files: config.ts (settings, profiles, record types), analysis.ts (the parts, each callable alone),
 * run.ts (conditions × seeds → record, claims), figures.ts.
 */
import { registerExperiment } from "../../run/experiment";
import { T6_PROFILES, type T6Config, type T6Data, type T6Metric } from "./config";
import { t6Figures } from "./figures";
import { runT6 } from "./run";

export * from "./config";
export * from "./analysis";
export * from "./figures";
export * from "./run";

/** The notebook-06 experiment. */
export const experiment = registerExperiment<T6Config, T6Data, T6Metric>({
  id: "t6-predictive-world-model",
  title: "Notebook 06: one predictive world model, repurposed for understanding and for generation",
  claim:
    "A world model learnt by prediction error alone is repurposed, without further training, for understanding (inferring hidden causes) and for generation (reaching goals); attention is needed when the hidden cause must be inferred from a long history.",
  profiles: T6_PROFILES,
  run: runT6,
  figures: t6Figures,
});
