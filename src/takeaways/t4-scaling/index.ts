/**
 * Takeaway 4 (Gros 2025, section 5): neural scaling laws and the brain that is twice as large.
 *
 * A family of tiny GPTs spanning ≥ 2 decades of non-embedding parameters N is trained on a Zipfian
 * character language (src/data/zipf-language.ts) for several token budgets D each. From the loss
 * curves we fit L(N) = E + A/N^α (Kaplan et al. 2020), the joint L(N, D) = E + A/N^α + B/D^β
 * (Hoffmann et al. 2022, approach 3), and the compute-optimal frontier N_opt ∝ C^a from the
 * minimum-over-runs envelope (approach 1), which implies C ∝ N^(1/a) (the paper's C ~ N² is a = ½).
 * The best model of each size then competes head to head on held-out words (Neumann & Gros 2022,
 * 2024: P_A/(P_A+P_B) ~ N_A/(N_A+N_B)); a Bradley–Terry fit gives the exponent γ. Finally the
 * measured curves of adjacent sizes (N and ≈2N) say how much longer the doubled model trains and for
 * what fraction of that time it is behind (the paper: 4× as long, 15 → 60 years, behind most of it).
 *
 * Every run's curve is recorded; `runs.csv` holds one row per run and checkpoint so that every fit
 * can be recomputed independently. The `full` sweep is too slow for a notebook: scripts/sweep-t4.ts
 * runs it and caches the record in data/results/t4-scaling/ ({@link loadCachedT4}).
 *
 * Files: config.ts (settings, defaults, profiles, record types), run.ts (the sweep and its claims),
 * analysis.ts (the fits, pure functions of the runs), figures.ts (plotly figures of a record), parts.ts (one
 * ladder of sizes for one seed, and its fits: the notebook's by-hand section and exercises), shard.ts (the sweep
 * sharded into run files), estimate.ts (the sweep's wall time predicted from a few timed steps per size).
 */
import { registerExperiment } from "../../run/experiment";
import { T4_PROFILES, type T4Config, type T4Data, type T4Metric } from "./config";
import {
  computeOptimalAFigure,
  crossoverTrendFigure,
  extrapolationFigure,
  guessingGameFigure,
  doubledBrainDataFigure,
  doubledBrainFigure,
  frontierFigure,
  headToHeadFigure,
  isoFlopFigure,
  lossVsComputeFigure,
  lossVsNFigure,
  sizeSliderFigure,
} from "./figures";
import { runT4 } from "./run";

export * from "./analysis";
export * from "./config";
export * from "./estimate";
export * from "./figures";
export * from "./parts";
export * from "./run";
export * from "./shard";

/** The takeaway-4 experiment. */
export const experiment = registerExperiment<T4Config, T4Data, T4Metric>({
  id: "t4-scaling",
  title: "Neural scaling laws and the brain that is twice as large",
  claim:
    "Loss falls as a power law of model size; compute-optimal training needs C ~ N², so a brain twice as large needs about four times as long to train (15 → 60 years) and underperforms for most of that time.",
  profiles: T4_PROFILES,
  run: runT4,
  figures: (record) => ({
    "loss-vs-n": lossVsNFigure(record),
    "loss-vs-compute": lossVsComputeFigure(record),
    "size-slider": sizeSliderFigure(record),
    frontier: frontierFigure(record),
    isoflop: isoFlopFigure(record),
    "head-to-head": headToHeadFigure(record),
    "doubled-brain": doubledBrainFigure(record),
    "doubled-brain-data": doubledBrainDataFigure(record),
    "compute-optimal-a": computeOptimalAFigure(record),
    extrapolation: extrapolationFigure(record),
    "guessing-game": guessingGameFigure(record),
    "crossover-trend": crossoverTrendFigure(record),
  }),
});
