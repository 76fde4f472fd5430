/**
 * Takeaway 1 (Gros 2025, "From generative AI to the brain: five takeaways", §2): world modelling is
 * not enough. Next-token prediction on text about a world stores the world's facts, but the base model
 * only continues text; answering questions appears after supervised fine-tuning (SFT), and SFT on some
 * people unlocks the stored knowledge about others only when pretraining stored it in an extractable
 * form (Allen-Zhu & Li 2023, Physics of LMs 3.1, arXiv:2309.14316).
 *
 * Second edition (issue 16), per seed, each a really trained tiny GPT on a world with two-token names:
 * the base model scored three ways by one answer rule (cloze in its own format, the question zero-shot,
 * few-shot with k = 1, 4 examples in the context), each beside a control; pretrain → SFT with an SFT
 * learning-rate sweep (forgetting read at the rate that answers best); SFT only trained until it fits its
 * own questions (the control of pretrain → SFT); the plain corpus (storage vs extraction); an SFT-people
 * curve per corpus; linear probes at the first and last name token (layer chosen on validation people);
 * and concurrent vs sequential training at matched compute over `concurrentSeeds` seeds, with the
 * concurrent Q/A share swept.
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
    "Next-token pretraining stores the facts of a world, but the base model does not answer questions (zero-shot or with examples in its context); supervised fine-tuning on some people makes it answer about held-out people from the stored knowledge, which needs the world model (SFT alone, trained until it fits its own questions, does not).",
  profiles: T1_PROFILES,
  run: runT1,
  figures: t1Figures,
});
