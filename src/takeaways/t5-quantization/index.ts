/**
 * Takeaway 5 (Gros 2025, "From generative AI to the brain: five takeaways", §6): weights are stored in
 * ever fewer bits — with INT4 a weight takes one of 16 values and networks still work — and synapses
 * are quantized too: all-or-none potentiation steps (Petersen et al. 1998), ~10 distinguishable spine
 * sizes (Liu et al. 2017), ~26 distinguishable synaptic strengths (Bartol et al. 2015).
 *
 * Per seed, two really trained models:
 * 1. an MLP classifier on a seeded Gaussian-mixture task (data/classification.ts), accuracy on held-out data;
 * 2. a tiny GPT on a seeded Zipfian character language (data/zipf-language.ts), perplexity on held-out text.
 * Post-training quantization (PTQ) of every weight matrix to S states for S in {2 … 256} with uniform
 * (per tensor, per output channel, group-wise), k-means and log-spaced levels; quantization-aware
 * training (QAT, straight-through estimator) of the MLP at 1.58 (ternary), 2, 3 and 4 bits from the
 * float model with one fine-tuning budget; and the GPT saved and loaded in a real packed 4-bit format.
 *
 * Files: config.ts (schemes, settings, defaults, profiles, record types), run.ts (models × seeds →
 * record), analysis.ts (quantizing a trained model and measuring it), figures.ts; the quantizers are in
 * src/quantize.ts, the packed format in src/quant-pack.ts, the MLP in src/mlp.ts.
 */
import { registerExperiment } from "../../run/experiment";
import { T5_PROFILES, type T5Config, type T5Data, type T5Metric } from "./config";
import { t5Figures } from "./figures";
import { runT5 } from "./run";

export * from "./analysis";
export * from "./config";
export * from "./figures";
export * from "./run";

/** The takeaway-5 experiment. */
export const experiment = registerExperiment<T5Config, T5Data, T5Metric>({
  id: "t5-quantization",
  title: "Takeaway 5: how many weight states does a trained network need?",
  claim:
    "Trained networks keep their accuracy with 4-bit weights (16 states) and, with quantization-aware training, even with ternary weights, while 1-bit post-training quantization collapses — so ~10–26 synaptic states are enough to store what a network has learnt.",
  profiles: T5_PROFILES,
  run: runT5,
  figures: t5Figures,
  seedStore: true,
});
