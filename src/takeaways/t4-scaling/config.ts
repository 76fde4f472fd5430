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
  /** The model ladder, smallest first; N (non-embedding parameters) should span ≥ 2 decades. */
  readonly sizes: ReadonlyArray<T4ModelSize>;
  /** Training tokens D of the runs: every size is trained once for each (a separate cosine schedule). */
  readonly tokens: ReadonlyArray<number>;
  /** Peak learning rate at N = lrRefParams. */
  readonly lr: number;
  /** N at which the peak learning rate is `lr`. */
  readonly lrRefParams: number;
  /** Peak lr ∝ N^(−lrSizeExponent): small models train best with larger steps (measured in a pilot). */
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
  /** Held-out items (context → next word) for the head-to-head comparison. */
  readonly headToHeadItems: number;
  /** Tokens of context before each head-to-head continuation (≤ seqLen − maxWordLength − 1). */
  readonly contextLen: number;
  /** Bootstrap resamples for the fit intervals. */
  readonly bootstrapReps: number;
  /** Years to train the smaller brain in the doubled-brain mapping (the paper: 15). */
  readonly baseYears: number;
}

/** One-layer models (a pilot found them better per parameter than two-layer ones here), N ≈ 320 … 39k, each ≈ 2× the last. */
const SIZES_FULL: ReadonlyArray<T4ModelSize> = [
  { dModel: 4, nLayer: 1, nHead: 1 },
  { dModel: 6, nLayer: 1, nHead: 2 },
  { dModel: 10, nLayer: 1, nHead: 2 },
  { dModel: 14, nLayer: 1, nHead: 2 },
  { dModel: 20, nLayer: 1, nHead: 4 },
  { dModel: 28, nLayer: 1, nHead: 4 },
  { dModel: 40, nLayer: 1, nHead: 4 },
  { dModel: 56, nLayer: 1, nHead: 4 },
];

/** The defaults: the `quick` profile, the live sweep of the notebook (about a minute per decade of N). */
export const T4_DEFAULTS: Readonly<T4Config> = frozen({
  language: { ...ZIPF_LANGUAGE_DEFAULTS },
  seqLen: 32,
  batchSize: 16,
  lr: 0.02,
  lrRefParams: 1e4,
  lrSizeExponent: 0.5,
  lrMax: 0.08,
  minLrFraction: 0.1,
  warmupFraction: 0.05,
  weightDecay: 0.1,
  contextLen: 20,
  baseYears: 15,
  sizes: SIZES_FULL,
  tokens: [131072, 262144, 524288],
  checkpoints: 8,
  evalBatches: 4,
  headToHeadItems: 400,
  bootstrapReps: 200,
});

/** Profiles: smoke exercises every code path in seconds; quick is the live notebook sweep; full is the cached paper sweep. */
export const T4_PROFILES = defineProfiles(
  T4_DEFAULTS,
  {
    smoke: {
      sizes: [
        { dModel: 4, nLayer: 1, nHead: 1 },
        { dModel: 8, nLayer: 1, nHead: 2 },
        { dModel: 12, nLayer: 1, nHead: 2 },
        { dModel: 16, nLayer: 1, nHead: 2 },
      ],
      tokens: [4096, 8192],
      checkpoints: 3,
      evalBatches: 1,
      headToHeadItems: 32,
      bootstrapReps: 20,
    },
    full: {
      tokens: [131072, 262144, 524288, 1048576, 2097152, 4194304],
      checkpoints: 12,
      evalBatches: 8,
      headToHeadItems: 1000,
      bootstrapReps: 300,
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

/** The peak learning rate of a model with N non-embedding parameters. */
export function t4LearningRate(
  n: number,
  config: Pick<T4Config, "lr" | "lrRefParams" | "lrSizeExponent" | "lrMax">,
): number {
  return Math.min(config.lrMax, config.lr * Math.pow(n / config.lrRefParams, -config.lrSizeExponent));
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
  if (c.sizes.length < 2)
    throw new Error("t4-scaling.config.sizes: give at least 2 model sizes (4+ for a power-law fit)");
  if (c.tokens.length < 1) throw new Error("t4-scaling.config.tokens: give at least one token budget");
  c.sizes.forEach((s, i) => {
    checkRange(`t4-scaling.config.sizes[${i}].dModel`, s.dModel, 1, 4096, true);
    checkRange(`t4-scaling.config.sizes[${i}].nLayer`, s.nLayer, 1, 64, true);
    if (s.dModel % s.nHead !== 0)
      throw new Error(`t4-scaling.config.sizes[${i}].nHead: ${s.nHead} must divide dModel ${s.dModel}`);
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
  readonly seed: number;
  readonly finalLoss: number;
  readonly curve: ReadonlyArray<T4Checkpoint>;
  readonly wallMs: number;
}

/** What `data` holds in a t4 record (everything the figures and the notebook need). */
export interface T4Data {
  readonly language: {
    readonly entropyRate: number;
    readonly unigramEntropy: number;
    readonly tokensPerWord: number;
    readonly sample: string;
    readonly topWords: string[];
  };
  readonly runs: ReadonlyArray<T4Run>;
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

/** The metrics of a t4 record (intervals from bootstraps over runs and items). */
export type T4Metric =
  | "decadesN"
  | "alphaN"
  | "E"
  | "r2N"
  | "fitAlpha"
  | "fitBeta"
  | "fitE"
  | "entropyRate"
  | "computeOptimalA"
  | "impliedComputeExponent"
  | "gammaHeadToHead"
  | "doubledBrainTrainTimeRatio"
  | "doubledBrainDataTimeRatio"
  | "doubledBrainCrossoverFraction"
  | "doubledBrainCrossoverFractionData";

/** A t4 record, as results.json holds it. */
export type T4Record = ResultRecord<T4Config, T4Data, T4Metric>;
