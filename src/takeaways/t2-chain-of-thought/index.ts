/**
 * Takeaway 2 (Gros 2025, "From generative AI to the brain: five takeaways", §3): chain of thought, and
 * thoughts as an information bottleneck (Tishby & Zaslavsky 2015; Lei et al. 2025). Second edition: the
 * bottleneck is tested, not built in.
 *
 * Design (src/data/swaps.ts: a ball under one of 5 cups and k swaps, a serial task in Li et al.'s 2024
 * sense, written in many surface forms):
 * 1. direct baselines of depth 1, 2 and 4 trained on as many tokens as the chain models: accuracy vs k,
 *    the number of serial steps one forward pass does;
 * 2. four chain levels with the same answer at the end but more and more of the input copied (states only,
 *    swaps + states, swaps as written + states, the input verbatim + states), >= 10 seeds: in-distribution
 *    accuracy, accuracy on unseen surface forms, I(X;Z) and I(Z;Y) of the model's own sampled chains, and
 *    the per-seed slope of unseen accuracy against I(X;Z)/H(X) (the bottleneck's prediction: negative); beside
 *    them a control format (pre-registered 2026-12-02), the step chain with one fixed mark for every copied
 *    separator: the step format without the surface, so that step minus marked on unseen wordings is the cost
 *    of the copying alone; and (pre-registered 2026-12-02) the unseen problems again with one part of the wording
 *    unseen at a time (separators, header + filler, header, filler), with where each wrong answer first leaves
 *    its target: which part of a new wording the chains pay for; and a variant (`endMark`, pre-registered
 *    2026-12-02) that marks where the swaps end with a fixed character, compared with the plain layout by
 *    `t2EndMarkClaims` (scripts/t2-variant.ts): is the cost of new wordings finding the end of the problem? (It
 *    is not repaired by the mark); `fillerProbe`, trained characters in the filler's place (t2FillerProbeClaims:
 *    they hide the end as untrained ones do, and more); `packed`, inputs not padded, so that the end of the
 *    swaps is always marked by the prompt's trained `<sep>` (t2PackedClaims): new wordings without a hidden end;
 *    and `sepProbe`, trained characters in the separators' place (t2SepProbeClaims): is what new separators cost
 *    the swap chain their untrained embeddings or characters out of their role?
 * 3. chains the model chooses: a warm-up on the mixed levels, then outcome-only training (STaR, Zelikman et
 *    al. 2022) beside self-training that keeps every chain; I(X;Z) of the sampled chains before and after;
 * 4. length generalisation at k + 1, k + 2 (GPTConfig.positions: learned at quick and full, where it learns the
 *    task in the budget; "none" (NoPE), "random" (Ruoss et al. 2023) and "rotary" (RoPE) can run past the
 *    trained length and are one config field away, with their sizing runs in config.ts).
 *
 * Files: config.ts (settings, profiles, record types), analysis.ts (one condition, one seed: model, test set,
 * generation, information, one level, one direct depth, one STaR run), run.ts (conditions x seeds -> record,
 * claims), figures.ts.
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
    "Writing intermediate thoughts lets a model solve serial problems one forward pass cannot, and good thoughts act as an information bottleneck: chains that keep less of the input's surface form generalise better to new surface forms, and training on the outcome alone makes the chains a model chooses more abstract.",
  profiles: T2_PROFILES,
  run: runT2,
  figures: t2Figures,
  seedStore: true,
  // The shipped full run (df96217) predates the split wordings and was tested without them.
  addedFields: { splitUnseen: false, endMark: false, fillerProbe: false, sepProbe: false, packed: false },
});
