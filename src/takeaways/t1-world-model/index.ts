/**
 * Takeaway 1 (Gros 2025, "From generative AI to the brain: five takeaways", §2): world modelling is
 * not enough. Next-token prediction on text about a world stores the world's facts, but the base model
 * only continues text; answering questions appears after supervised fine-tuning (SFT), and SFT on some
 * people unlocks the stored knowledge about others only when pretraining stored it in an extractable
 * form (Allen-Zhu & Li 2023, Physics of LMs 3.1, arXiv:2309.14316).
 *
 * Conditions, per seed (each a really trained tiny GPT):
 * 1. base: pretrained on the augmented corpus, asked the questions as they are;
 * 2. pretrain → SFT (the ML recipe);
 * 3. SFT only, from random init (no world model);
 * 4. plain corpus → SFT (one fixed biography per person);
 * 5. concurrent: Q/A rows mixed into the augmented pretraining stream from step 0, with the same rows
 *    (so the same compute) as 2; plus forgetting: the pretraining loss before and after SFT.
 * A linear probe on the base model's hidden state at a name decodes the person's attributes for
 * held-out people, before any SFT.
 *
 * Files: config.ts (settings, defaults, profiles, record types), run.ts (conditions × seeds → record),
 * analysis.ts (answers, recall, probes of a trained model), figures.ts; the world and its samplers are
 * in src/data/world.ts.
 */
import { registerExperiment } from "../../run/experiment";
import { T1_PROFILES, type T1Config, type T1Data, type T1Metric } from "./config";
import { t1Figures } from "./figures";
import { runT1 } from "./run";

export * from "./analysis";
export * from "./config";
export * from "./figures";
export * from "./run";

/** The takeaway-1 experiment. */
export const experiment = registerExperiment<T1Config, T1Data, T1Metric>({
  id: "t1-world-model",
  title: "Takeaway 1: world modelling is not enough — pretraining stores the world, fine-tuning makes it answer",
  claim:
    "Next-token pretraining stores the facts of a world, but the base model does not answer questions; supervised fine-tuning on some people makes it answer about held-out people from the stored knowledge, which needs the world model (SFT alone is at chance).",
  profiles: T1_PROFILES,
  run: runT1,
  figures: t1Figures,
});
