/**
 * Takeaway 2 (Gros 2025, "From generative AI to the brain: five takeaways", §3): chain of thought as
 * an information bottleneck. A model that writes its own thoughts and answers from (input + thoughts)
 * solves serial problems it cannot answer in one step; in the information-bottleneck reading
 * (Tishby, Pereira & Bialek 1999; Lei et al. 2025) good thoughts Z keep what predicts the answer Y,
 * I(Z;Y) -> H(Y), and discard the surface form X, I(X;Z) small.
 *
 * Design, per seed (each a really trained tiny GPT, same size and training budget per format):
 * 1. the sum of k digits mod 10 written in many surface forms (src/data/digits.ts), trained on
 *    k in [kMin, kMax] in three answer formats: direct, abstract CoT, verbose CoT;
 * 2. accuracy (greedy generation) per k in distribution, for longer k than trained, and on surface forms
 *    never seen in training (new characters; known characters in new roles);
 * 3. information measurements on the model's own generated chains: a fixed design of problems crossed
 *    with surface forms (so X has a manageable alphabet), sampled N times per seed, pooled over seeds;
 *    H(X), H(Z), H(Y), I(X;Z), I(Z;Y) with Miller–Madow plug-in estimators (src/info.ts), bootstrap
 *    intervals and the estimate against sample count.
 *
 * Files: config.ts (settings, defaults, profiles, record types), run.ts (conditions × seeds → record),
 * analysis.ts (model, generation, information of one format), figures.ts.
 */
import { registerExperiment } from "../../run/experiment";
import { T2_PROFILES, type T2Config, type T2Data, type T2Metric } from "./config";
import { t2Figures } from "./figures";
import { runT2 } from "./run";

export * from "./analysis";
export * from "./config";
export * from "./figures";
export * from "./run";

/** The takeaway-2 experiment. */
export const experiment = registerExperiment<T2Config, T2Data, T2Metric>({
  id: "t2-chain-of-thought",
  title: "Takeaway 2: chain of thought as an information bottleneck",
  claim:
    "Writing intermediate thoughts lets a model solve serial problems it cannot answer directly, and good thoughts act as an information bottleneck: they keep what predicts the answer (I(Z;Y) close to H(Y)) and drop the surface form of the input (I(X;Z) well below H(X)).",
  profiles: T2_PROFILES,
  run: runT2,
  figures: t2Figures,
});
