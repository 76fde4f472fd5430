/**
 * Takeaway 4's settings: the sweep's config with its visible defaults and profiles, and the types of
 * its record (runs, analyses, metric names).
 */
import { checkRange, defineProfiles, frozen } from "../../config";
import { ZIPF_LANGUAGE_DEFAULTS, type ZipfLanguageConfig } from "../../data/zipf-language";
import type { ChinchillaFit, PowerLawFit } from "../../fit";
import type { ResultRecord } from "../../run/results";
import type { Interval } from "../../stats";
import { countGPTParams, type GPTConfig, type GPTSize } from "../../transformer";

/** One model shape of the size ladder (the MLP is 4 dModel wide; vocabulary and context from the language). */
export type T4ModelSize = Pick<GPTSize, "dModel" | "nLayer" | "nHead">;

/** The t4 sweep's settings. */
export interface T4Config {
  /** The synthetic language (see ZIPF_LANGUAGE_DEFAULTS). */
  readonly language: ZipfLanguageConfig;
  /** Context length of every model. */
  readonly seqLen: number;
  /** Sequences per training batch (tokens per step = batchSize · seqLen). */
  readonly batchSize: number;
  /**
   * The model ladder, smallest first within each depth: N (non-embedding parameters) spans ≥ 3 decades at
   * depth 1, with a second depth beside it; adjacent widths at depth 1 differ by about 2× in N.
   */
  readonly sizes: ReadonlyArray<T4ModelSize>;
  /** Training tokens D of the runs: every size is trained once for each (a separate cosine schedule). */
  readonly tokens: ReadonlyArray<number>;
  /**
   * Independent replications of every (N, D) cell (different initialisation and data order, same language
   * and held-out set). Every interval of the record is over these replications (t over seeds).
   */
  readonly seedsPerCell: number;
  /**
   * The learning-rate sweep run before the grid (see {@link T4LrSweepConfig}): it chooses the peak learning
   * rate per size and the warm-up, and its fitted rule lr_opt ∝ N^b sets the grid's learning rates.
   */
  readonly lrSweep: T4LrSweepConfig;
  /** Peak learning rate at N = lrRefParams of the prior rule the sweep looks around (the first edition's pilot). */
  readonly lr: number;
  /** N at which the peak learning rate is `lr`. */
  readonly lrRefParams: number;
  /** Peak lr ∝ N^(−lrSizeExponent) (see {@link t4LearningRate} for where the numbers come from). */
  readonly lrSizeExponent: number;
  /** Upper limit of the peak learning rate (for the smallest models). */
  readonly lrMax: number;
  /** Final learning rate as a fraction of the peak (cosine decay). */
  readonly minLrFraction: number;
  /** Warmup steps as a fraction of the run (at most 100 steps). */
  readonly warmupFraction: number;
  /** Decoupled weight decay of AdamW. */
  readonly weightDecay: number;
  /** Held-out evaluations per run, spaced evenly in log(step) (the loss curve's checkpoints). */
  readonly checkpoints: number;
  /** Held-out batches of 64 sequences per evaluation (the same sequences for every run). */
  readonly evalBatches: number;
  /** Held-out items (context → next word) for the head-to-head contest. */
  readonly headToHeadItems: number;
  /** Tokens of context before each head-to-head continuation (≤ seqLen − maxWordLength − 1). */
  readonly contextLen: number;
  /** Bootstrap resamples for the figure fits of the seed-mean sweep (intervals of claims are over seeds). */
  readonly bootstrapReps: number;
  /** Years to train the smaller brain in the doubled-brain mapping (the paper: 15). */
  readonly baseYears: number;
}

/**
 * The small learning-rate sweep (a stage of the sweep, cached with it): a few sizes spanning the ladder at
 * both depths, each trained at the prior rule's learning rate times each multiplier (warm-up
 * `warmupFractions[0]`, the grid's prior), plus at the prior rule's learning rate with each other warm-up
 * fraction; one token budget. Chosen by the final loss on a held-out validation set that is neither the
 * training stream nor the grid's evaluation set (never by the claims).
 */
export interface T4LrSweepConfig {
  /** Sizes of the sweep (smallest to largest of the ladder's range, both depths; the ladder's largest left out). */
  readonly sizes: ReadonlyArray<T4ModelSize>;
  /** Multipliers of the prior rule's learning rate (e.g. ¼ … 4). */
  readonly multipliers: ReadonlyArray<number>;
  /** Warm-up fractions: the first is used with every multiplier, the others at multiplier 1 only. */
  readonly warmupFractions: ReadonlyArray<number>;
  /** Training tokens of every sweep run. */
  readonly tokens: number;
  /** Replications of every sweep cell (the chosen lr uses their mean loss). */
  readonly seeds: number;
}

/** The learning-rate rule the grid uses: lr(N) = lrRef · (N / refParams)^exponent, fitted by the sweep. */
export interface T4LrRule {
  readonly refParams: number;
  /** Learning rate at N = refParams. */
  readonly lrRef: number;
  /** The fitted exponent b of lr_opt ∝ N^b, with its 95% t-interval over the sweep's sizes (flat ones left out). */
  readonly exponent: number;
  readonly exponentLo: number;
  readonly exponentHi: number;
  /** The warm-up fraction chosen by the sweep (used for every size). */
  readonly warmupFraction: number;
}

/**
 * Depth 1: widths 2 … 96, adjacent ones about 2× apart in N (N ≈ 112 … 114k: 3.0 decades); depth 2 beside
 * it (N ≈ 800 … 57k). Sizes are listed by depth, then width.
 */
const SIZES_LADDER: ReadonlyArray<T4ModelSize> = [
  { dModel: 2, nLayer: 1, nHead: 1 },
  { dModel: 4, nLayer: 1, nHead: 1 },
  { dModel: 6, nLayer: 1, nHead: 2 },
  { dModel: 8, nLayer: 1, nHead: 2 },
  { dModel: 12, nLayer: 1, nHead: 2 },
  { dModel: 16, nLayer: 1, nHead: 2 },
  { dModel: 24, nLayer: 1, nHead: 4 },
  { dModel: 32, nLayer: 1, nHead: 4 },
  { dModel: 48, nLayer: 1, nHead: 4 },
  { dModel: 64, nLayer: 1, nHead: 4 },
  { dModel: 96, nLayer: 1, nHead: 4 },
  { dModel: 6, nLayer: 2, nHead: 2 },
  { dModel: 12, nLayer: 2, nHead: 2 },
  { dModel: 24, nLayer: 2, nHead: 4 },
  { dModel: 48, nLayer: 2, nHead: 4 },
];

/**
 * One more decade of N beyond the CPU ladder (`scripts/sweep-t4.ts --ladder gpu`): depth 1 up to width 320
 * (N ≈ 1.2M, 4.0 decades), depth 2 up to width 160. Meant for a GPU, where small models are dispatch-bound.
 */
export const T4_GPU_EXTRA_SIZES: ReadonlyArray<T4ModelSize> = [
  { dModel: 128, nLayer: 1, nHead: 4 },
  { dModel: 192, nLayer: 1, nHead: 4 },
  { dModel: 256, nLayer: 1, nHead: 8 },
  { dModel: 320, nLayer: 1, nHead: 8 },
  { dModel: 96, nLayer: 2, nHead: 4 },
  { dModel: 160, nLayer: 2, nHead: 8 },
];

/**
 * The defaults: the `quick` profile, the live sweep of the notebook. 15 sizes × 3 budgets × 3 seeds = 135
 * short runs (40 … 160 steps of 1024 tokens): ≈ 3 min of CPU with the BLAS on a quiet machine.
 * Three seeds per cell (the minimum): the t-interval over 3 seeds is wide (t = 4.3), so the
 * quick verdicts are often inconclusive; `full` uses 5.
 */
export const T4_DEFAULTS: Readonly<T4Config> = frozen({
  language: { ...ZIPF_LANGUAGE_DEFAULTS },
  seqLen: 32,
  batchSize: 32,
  lr: 0.02,
  lrRefParams: 1e4,
  lrSizeExponent: 0.5,
  lrMax: 0.08,
  minLrFraction: 0.1,
  warmupFraction: 0.05,
  weightDecay: 0.1,
  contextLen: 20,
  baseYears: 15,
  sizes: SIZES_LADDER,
  tokens: [40960, 81920, 163840],
  // Six sizes over the ladder's range at both depths (d = 96, the held-out largest, is left out so that its
  // learning rate, like its loss, comes from the smaller sizes); multipliers ¼ … 4 of the prior rule.
  lrSweep: {
    sizes: [
      { dModel: 2, nLayer: 1, nHead: 1 },
      { dModel: 8, nLayer: 1, nHead: 2 },
      { dModel: 24, nLayer: 1, nHead: 4 },
      { dModel: 64, nLayer: 1, nHead: 4 },
      { dModel: 12, nLayer: 2, nHead: 2 },
      { dModel: 48, nLayer: 2, nHead: 4 },
    ],
    multipliers: [0.25, 0.5, 1, 2, 4],
    warmupFractions: [0.05, 0.01, 0.15],
    tokens: 40960,
    seeds: 1,
  },
  seedsPerCell: 3,
  checkpoints: 6,
  evalBatches: 2,
  headToHeadItems: 300,
  bootstrapReps: 50,
});

/** Profiles: smoke exercises every code path in seconds; quick is the live notebook sweep; full is the cached paper sweep. */
export const T4_PROFILES = defineProfiles(
  T4_DEFAULTS,
  {
    smoke: {
      sizes: [
        { dModel: 2, nLayer: 1, nHead: 1 },
        { dModel: 4, nLayer: 1, nHead: 1 },
        { dModel: 8, nLayer: 1, nHead: 2 },
        { dModel: 16, nLayer: 1, nHead: 2 },
        { dModel: 6, nLayer: 2, nHead: 2 },
      ],
      batchSize: 8,
      tokens: [2048, 4096],
      lrSweep: {
        sizes: [
          { dModel: 2, nLayer: 1, nHead: 1 },
          { dModel: 8, nLayer: 1, nHead: 2 },
          { dModel: 6, nLayer: 2, nHead: 2 },
        ],
        multipliers: [0.5, 1, 2],
        warmupFractions: [0.05, 0.15],
        tokens: 2048,
        seeds: 1,
      },
      checkpoints: 3,
      evalBatches: 1,
      headToHeadItems: 32,
      bootstrapReps: 5,
    },
    full: {
      tokens: [131072, 262144, 524288, 1048576],
      // One budget inside the grid's range (192 steps), two replications: ≈ 11% of the grid's compute
      // (shard.ts unitCost; a test checks it stays under 15%).
      lrSweep: { tokens: 196608, seeds: 2 },
      // Five seeds per cell: issue 15's minimum for asserted claims (t = 2.78 instead of 4.30 at three).
      seedsPerCell: 5,
      checkpoints: 10,
      evalBatches: 6,
      headToHeadItems: 1000,
      bootstrapReps: 100,
    },
  },
  "t4-scaling",
);

/** Non-embedding parameters of a ladder entry for a language. */
export function t4Params(size: T4ModelSize, config: Pick<T4Config, "language" | "seqLen">): number {
  return countGPTParams(t4GptConfig(size, config)).nonEmbedding;
}

/** The GPT config of a ladder entry. */
export function t4GptConfig(size: T4ModelSize, config: Pick<T4Config, "language" | "seqLen">): GPTConfig {
  return {
    vocabSize: config.language.alphabetSize + 1,
    seqLen: config.seqLen,
    dModel: size.dModel,
    nLayer: size.nLayer,
    nHead: size.nHead,
    dFF: 0,
    tieWeights: false,
  };
}

/**
 * The prior rule the learning-rate sweep looks around: lr·(N/lrRefParams)^(−lrSizeExponent), capped at
 * lrMax (the first edition's pilot, one-layer models, 320 … 39k). The grid does not use it directly: it uses
 * the rule the sweep fits ({@link t4RuleLearningRate}, analysis.ts `fitLrRule`).
 */
export function t4LearningRate(
  n: number,
  config: Pick<T4Config, "lr" | "lrRefParams" | "lrSizeExponent" | "lrMax">,
): number {
  return Math.min(config.lrMax, config.lr * Math.pow(n / config.lrRefParams, -config.lrSizeExponent));
}

/** The peak learning rate of the grid for N non-embedding parameters under a fitted rule. */
export function t4RuleLearningRate(n: number, rule: T4LrRule): number {
  return rule.lrRef * Math.pow(n / rule.refParams, rule.exponent);
}

/** Validate a config; errors name the field and the fix. */
export function validateT4Config(c: T4Config): void {
  checkRange("t4-scaling.config.seqLen", c.seqLen, 4, 1024, true);
  checkRange("t4-scaling.config.batchSize", c.batchSize, 1, 4096, true);
  checkRange("t4-scaling.config.checkpoints", c.checkpoints, 1, 1000, true);
  checkRange("t4-scaling.config.evalBatches", c.evalBatches, 1, 1000, true);
  checkRange("t4-scaling.config.headToHeadItems", c.headToHeadItems, 2, 1e6, true);
  checkRange("t4-scaling.config.bootstrapReps", c.bootstrapReps, 1, 1e5, true);
  checkRange("t4-scaling.config.contextLen", c.contextLen, 1, c.seqLen - c.language.maxWordLength - 1, true);
  checkRange("t4-scaling.config.lr", c.lr, 1e-6, 1);
  checkRange("t4-scaling.config.minLrFraction", c.minLrFraction, 0, 1);
  checkRange("t4-scaling.config.warmupFraction", c.warmupFraction, 0, 0.5);
  checkRange("t4-scaling.config.baseYears", c.baseYears, 0.1, 1000);
  checkRange("t4-scaling.config.seedsPerCell", c.seedsPerCell, 1, 1000, true);
  if (c.sizes.length < 2)
    throw new Error("t4-scaling.config.sizes: give at least 2 model sizes (4+ for a power-law fit)");
  if (c.tokens.length < 1) throw new Error("t4-scaling.config.tokens: give at least one token budget");
  c.sizes.forEach((s, i) => {
    checkRange(`t4-scaling.config.sizes[${i}].dModel`, s.dModel, 1, 4096, true);
    checkRange(`t4-scaling.config.sizes[${i}].nLayer`, s.nLayer, 1, 64, true);
    if (s.dModel % s.nHead !== 0)
      throw new Error(`t4-scaling.config.sizes[${i}].nHead: ${s.nHead} must divide dModel ${s.dModel}`);
  });
  const L = c.lrSweep;
  if (!L || L.sizes.length < 3)
    throw new Error("t4-scaling.config.lrSweep.sizes: give at least 3 sizes (the rule is a line through them)");
  if (L.multipliers.length < 3 || !L.multipliers.includes(1))
    throw new Error("t4-scaling.config.lrSweep.multipliers: give at least 3 multipliers, 1 among them");
  if (L.warmupFractions.length < 1)
    throw new Error("t4-scaling.config.lrSweep.warmupFractions: give at least one warm-up fraction");
  L.multipliers.forEach((m, i) => checkRange(`t4-scaling.config.lrSweep.multipliers[${i}]`, m, 1e-3, 1e3));
  L.warmupFractions.forEach((w, i) => checkRange(`t4-scaling.config.lrSweep.warmupFractions[${i}]`, w, 0, 0.5));
  checkRange("t4-scaling.config.lrSweep.seeds", L.seeds, 1, 100, true);
  if (!(L.tokens >= c.batchSize * c.seqLen))
    throw new Error(
      `t4-scaling.config.lrSweep.tokens: ${L.tokens} is less than one batch (${c.batchSize * c.seqLen} tokens)`,
    );
  L.sizes.forEach((s, i) => {
    if (s.dModel % s.nHead !== 0)
      throw new Error(`t4-scaling.config.lrSweep.sizes[${i}].nHead: ${s.nHead} must divide dModel ${s.dModel}`);
  });
  c.tokens.forEach((d, i) => {
    if (!(d >= c.batchSize * c.seqLen))
      throw new Error(`t4-scaling.config.tokens[${i}]: ${d} is less than one batch (${c.batchSize * c.seqLen} tokens)`);
  });
}

/** One checkpoint of a run's loss curve. */
export interface T4Checkpoint {
  readonly step: number;
  readonly tokens: number;
  /** 6·N·tokens. */
  readonly flops: number;
  /** 6·N·tokens + the attention term 6·n_layer·n_ctx·d_model·tokens (Kaplan et al. 2020, table 1). */
  readonly flopsAttn: number;
  /** Held-out loss (nats/token). */
  readonly loss: number;
}

/** One training run of the sweep. */
export interface T4Run {
  readonly dModel: number;
  readonly nLayer: number;
  readonly nHead: number;
  /** Non-embedding parameters. */
  readonly n: number;
  /** Planned training tokens. */
  readonly tokens: number;
  readonly steps: number;
  readonly lr: number;
  /** Learning-rate sweep runs only: the multiplier of the prior rule and the warm-up fraction. */
  readonly lrMultiplier?: number;
  readonly warmupFraction?: number;
  readonly seed: number;
  /** Which replication of its (N, D) cell (0 … seedsPerCell − 1). */
  readonly replicate: number;
  /** The shard that trained it (0 when the sweep ran in one process). */
  readonly shard: number;
  readonly finalLoss: number;
  readonly curve: ReadonlyArray<T4Checkpoint>;
  readonly wallMs: number;
  /** CPU time of the run's process while it trained (ms; user + system). */
  readonly cpuMs: number;
  /**
   * Log-likelihood of the true next word of every head-to-head item (only for the runs with the largest
   * token budget, the ones that play; absent on the others).
   */
  readonly scores?: ReadonlyArray<number>;
}

/** The learning-rate sweep: its runs, the choice per size, the warm-up, and the fitted rule. */
export interface T4LrSweep {
  readonly runs: ReadonlyArray<T4Run>;
  readonly perSize: ReadonlyArray<{
    readonly n: number;
    readonly dModel: number;
    readonly nLayer: number;
    /** The prior rule's learning rate of this size. */
    readonly lrPrior: number;
    /** Learning rates tried (prior × multipliers, first warm-up) and their validation loss (mean over seeds). */
    readonly lrs: number[];
    readonly losses: number[];
    /** The chosen learning rate: the vertex of a parabola in ln lr through the best and its neighbours. */
    readonly lrOpt: number;
    /** Whether the best loss was at an end of the multipliers (then lrOpt is that end, a bound). */
    readonly atEdge: boolean;
    /** Whether the losses are the same at every rate (it does not learn in the budget): left out of the fit. */
    readonly flat: boolean;
  }>;
  /** Validation loss per warm-up fraction at multiplier 1 (mean over sizes and seeds). */
  readonly warmup: ReadonlyArray<{ readonly fraction: number; readonly loss: number }>;
  readonly rule: T4LrRule;
  /** The sweep's summed training steps × cost over the grid's (shard.ts unitCost), and its CPU time. */
  readonly costShareOfGrid: number;
  readonly cpuS: number;
}

/** What `data` holds in a t4 record (everything the figures and the notebook need). */
export interface T4Data {
  /** The learning-rate sweep that set the grid's learning rates (absent in records made before it). */
  readonly lrSweep?: T4LrSweep;
  /** The per-replication analyses (the values every interval is made from). */
  readonly seeds: ReadonlyArray<T4SeedAnalysis>;
  /** Depths on the ladder. */
  readonly depths: number[];
  readonly language: {
    readonly entropyRate: number;
    readonly unigramEntropy: number;
    readonly tokensPerWord: number;
    readonly sample: string;
    readonly topWords: string[];
  };
  /** Every run of every replication (the figures of the seed-mean sweep use `meanRuns`). */
  readonly runs: ReadonlyArray<T4Run>;
  /** Each (N, D) cell's runs averaged over replications (loss per checkpoint); the old figures draw these. */
  readonly meanRuns: ReadonlyArray<T4Run>;
  readonly sizes: ReadonlyArray<{
    readonly n: number;
    readonly dModel: number;
    readonly nLayer: number;
    readonly bestLoss: number;
    readonly bestTokens: number;
  }>;
  readonly lossN: PowerLawFit;
  readonly joint: ChinchillaFit;
  readonly frontier: {
    readonly a: number;
    readonly logK: number;
    readonly r2: number;
    readonly envelope: ReadonlyArray<{ flops: number; loss: number; nOpt: number; clipped: boolean }>;
  };
  readonly isoFlop: ReadonlyArray<{ readonly flops: number; readonly n: number[]; readonly loss: number[] }>;
  readonly headToHead: {
    readonly sizes: number[];
    readonly wins: number[][];
    readonly strengths: number[];
    readonly gamma: number;
    readonly gammaFromStrengths: number;
    readonly items: number;
    /** scores[size][item]: log-likelihood of the true next word (kept so the fits can be redone). */
    readonly scores: number[][];
    readonly pairs: ReadonlyArray<{
      readonly i: number;
      readonly j: number;
      readonly ratio: number;
      readonly winRate: number;
      readonly games: number;
    }>;
  };
  readonly doubled: {
    readonly pairs: ReadonlyArray<{
      readonly n: number;
      readonly n2: number;
      readonly computeKind: string;
      readonly crossoverFlops: number;
      readonly optimalFlops2: number;
      readonly fraction: number;
      readonly dataKind: string;
      readonly crossoverTokens: number;
      readonly optimalTokens2: number;
      readonly fractionData: number;
    }>;
    readonly trainTimeRatio: Interval;
    readonly dataTimeRatio: Interval;
    readonly years: {
      readonly compute: { readonly total: number; readonly behindUntil: number };
      readonly data: { readonly total: number; readonly behindUntil: number };
    };
    /** Per-size lower envelopes on a shared compute grid (for the timeline figure). */
    readonly grid: number[];
    readonly envelopes: number[][];
    /** The same along training tokens. */
    readonly tokenGrid: number[];
    readonly tokenEnvelopes: number[][];
  };
}

/** One adjacent pair of depth-1 sizes (N and ≈ 2N) in one replication: where the larger overtakes. */
export interface T4PairSeed {
  readonly n: number;
  readonly n2: number;
  /** Crossover kind along compute (attention-inclusive count) and along tokens. */
  readonly computeKind: string;
  readonly dataKind: string;
  /** Crossover compute / the larger model's compute-optimal compute (NaN when the curves do not cross). */
  readonly fraction: number;
  /** Crossover tokens / the larger model's compute-optimal tokens (NaN when they do not cross). */
  readonly fractionData: number;
}

/** One IsoFLOP profile of one replication: the loss of every size at one compute, and its parabola's minimum. */
export interface T4IsoProfile {
  readonly flops: number;
  readonly n: number[];
  readonly loss: number[];
  /** Loss-minimising N from the parabola in log N (NaN when the minimum is not inside the sizes measured). */
  readonly nOpt: number;
  /** The parabola loss = c0 + c1·x + c2·x² in x = ln N. */
  readonly coef: [number, number, number];
}

/** Everything measured in one replication (one seed per (N, D) cell): the per-seed values the intervals use. */
export interface T4SeedAnalysis {
  readonly replicate: number;
  readonly alphaN: number;
  readonly E_N: number;
  readonly fitE_free: number;
  readonly fitAlpha: number;
  readonly fitBeta: number;
  readonly fitAlpha_pinned: number;
  readonly fitBeta_pinned: number;
  readonly computeOptimalA_isoflop_6ND: number;
  readonly computeOptimalA_isoflop_withAttention: number;
  readonly computeOptimalA_parametric_6ND: number;
  readonly computeOptimalA_parametric_withAttention: number;
  /** The IsoFLOP exponent measured on the Kaplan-world control surface (attention-inclusive count). */
  readonly computeOptimalA_kaplanControl: number;
  readonly isoWithAttention: ReadonlyArray<T4IsoProfile>;
  /** log k of N_opt = k·C^a from the attention-inclusive IsoFLOP profiles. */
  readonly isoLogK: number;
  readonly extrapolation: {
    readonly heldOutN: number;
    readonly tokens: number[];
    readonly observed: number[];
    readonly predicted: number[];
    readonly persistence: number[];
    readonly relError: number;
    readonly relErrorPersistence: number;
  };
  /**
   * The compute-optimal budget of the largest size predicted before it is trained (IsoFLOP fit on the
   * smaller sizes), beside what the IsoFLOP fit on every size says (a measurement only when `inGrid`).
   */
  readonly nextSize: {
    readonly n: number;
    readonly predictedFlops: number;
    readonly predictedTokens: number;
    readonly measuredFlops: number;
    readonly measuredTokens: number;
    /** log10(predicted / measured) tokens. */
    readonly log10Ratio: number;
    /** Whether the largest size's runs reach the measured optimum and an IsoFLOP minimum reaches the top of the ladder. */
    readonly inGrid: boolean;
  };
  readonly gammaGame: number;
  readonly gammaIdentical: number;
  readonly gammaDeterministic: number;
  /** Games won by the larger of each pair, and its share: one row per pair (i < j by N). */
  readonly gamePairs: ReadonlyArray<{ n: number; n2: number; winRate: number; games: number }>;
  readonly pairs: ReadonlyArray<T4PairSeed>;
  readonly crossoverFraction: number;
  readonly crossoverFractionData: number;
  readonly crossoverSlope_compute: number;
  readonly crossoverSlope_data: number;
  readonly trainTimeRatio: number;
  readonly dataTimeRatio: number;
  readonly trainTimeRatio_kaplanControl: number;
  readonly dataTimeRatio_kaplanControl: number;
}

/** The metrics of a t4 record: `{mean, lo, hi, n}` over seeds (t interval) unless a plain number. */
export type T4Metric =
  | "decadesN"
  | "seedsPerCell"
  | "depths"
  | "alphaN"
  | "E"
  | "fitAlpha"
  | "fitBeta"
  | "fitE_free"
  | "fitAlpha_pinned"
  | "fitBeta_pinned"
  | "entropyRate"
  | "computeOptimalA_isoflop_6ND"
  | "computeOptimalA_isoflop_withAttention"
  | "computeOptimalA_parametric_6ND"
  | "computeOptimalA_parametric_withAttention"
  | "computeOptimalA_kaplanControl"
  | "extrapolationRelError"
  | "extrapolationRelError_persistence"
  | "nextSizeOptimalLog10Tokens_predicted"
  | "nextSizeOptimalLog10Tokens_measured"
  | "nextSizeOptimalTokens_log10Ratio"
  | "lrExponent"
  | "gammaHeadToHead"
  | "gammaHeadToHead_identical"
  | "gammaDeterministic"
  | "doubledBrainTrainTimeRatio"
  | "doubledBrainDataTimeRatio"
  | "doubledBrainCrossoverFraction"
  | "doubledBrainCrossoverFractionData"
  | "doubledBrainCrossoverSlope_compute"
  | "doubledBrainCrossoverSlope_data";

/** A t4 record, as results.json holds it. */
export type T4Record = ResultRecord<T4Config, T4Data, T4Metric>;
