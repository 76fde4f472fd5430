/**
 * Takeaway 3 (Gros 2025, §4): no attention without self-consistency; attention is an associative
 * working memory, a modern Hopfield network (Ramsauer et al. 2020, arXiv:2008.02217).
 *
 * 1. One attention step equals the modern Hopfield update ξ ← X softmax(β Xᵀ ξ) with β = 1/√d.
 * 2. Capacity: the modern (softmax) network retrieves far more random patterns than the classical
 *    Hebbian network (≈ 0.14·d); small β gives metastable averages of many patterns.
 * 3. A tiny GPT trained on "… A B … A → B" grows an induction head (Olsson et al. 2022).
 * 4. Self-consistency: a controller emitting top-down gains and a processor reading gain-modulated
 *    streams work when trained together, not when each is trained on its own objective (Ludueña &
 *    Gros 2013); a designed interface, adaptation, a random controller and swapped joint runs bracket it.
 *
 * Files: config.ts (settings, defaults, profiles, record types), run.ts (the four parts × seeds →
 * record, with the self-consistency conditions), figures.ts; the two-module system is in
 * src/attention-system.ts, the Hopfield networks in src/hopfield.ts.
 */
import { registerExperiment } from "../../run/experiment";
import { T3_PROFILES, type T3Config, type T3Data, type T3Metric } from "./config";
import { t3Figures } from "./figures";
import { runT3 } from "./run";

export * from "./config";
export * from "./figures";
export * from "./run";

/** The takeaway-3 experiment. */
export const experiment = registerExperiment<T3Config, T3Data, T3Metric>({
  id: "t3-attention",
  title: "Takeaway 3: no attention without self-consistency; attention as associative working memory",
  claim:
    "Attention is a modern Hopfield update with a large associative capacity, and a top-down attention signal only works when its generator and its reader are trained to be consistent with each other.",
  profiles: T3_PROFILES,
  run: runT3,
  figures: t3Figures,
});
