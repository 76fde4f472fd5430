/**
 * Takeaway 5's settings: the quantization schemes and QAT variants, the config with its visible defaults
 * and profiles, and the types of its record.
 */
import { checkRange, defineProfiles, frozen } from "../../config";
import { CLASSIFICATION_DEFAULTS, type ClassificationConfig } from "../../data/classification";
import { ZIPF_LANGUAGE_DEFAULTS, type ZipfLanguageConfig } from "../../data/zipf-language";
import type { MLPHistoryPoint, MLPTrainConfig } from "../../mlp";
import type { ResultRecord } from "../../run/results";
import type { Interval } from "../../stats";
import { type HistoryRecord, TRAIN_DEFAULTS, type TrainConfig } from "../../train";
import type { GPTSize } from "../../transformer";

// ---------------------------------------------------------------------------------------------------
// Quantization schemes

/** The PTQ schemes every run measures (`mlpAcc_<Q>_s<S>`, `gptPpl_<Q>_s<S>`). */
export const MAIN_SCHEMES = ["uniformTensor", "uniformChannel", "uniformGroup", "kmeans"] as const;
/** Further PTQ schemes, shown in the notebook (metrics `mlpAcc_<Q>_s<S>` too). */
export const VARIANT_SCHEMES = [
  "uniformChannelAsym",
  "uniformChannelMse",
  "logChannel",
  "uniformGroup64",
  "uniformGroup128",
] as const;
export type SchemeName = (typeof MAIN_SCHEMES)[number] | (typeof VARIANT_SCHEMES)[number];
const ALL_SCHEMES: ReadonlyArray<string> = [...MAIN_SCHEMES, ...VARIANT_SCHEMES];

/** Human-readable scheme names for figures. */
export const SCHEME_LABELS: Readonly<Record<SchemeName, string>> = {
  uniformTensor: "uniform, per tensor",
  uniformChannel: "uniform, per channel",
  uniformGroup: "uniform, groups of 32",
  kmeans: "k-means levels, per tensor",
  uniformChannelAsym: "uniform asymmetric, per channel",
  uniformChannelMse: "uniform MSE-clipped, per channel",
  logChannel: "log-spaced, per channel",
  uniformGroup64: "uniform, groups of 64",
  uniformGroup128: "uniform, groups of 128",
};

/** QAT settings: BitNet's 1-bit and 1.58-bit rules, and 2/3/4-bit uniform per-channel MSE-clipped quantizers. */
export const QAT_VARIANTS = ["binary", "ternary", "s2", "s3", "s4"] as const;
export type QatVariant = (typeof QAT_VARIANTS)[number];

/** Human-readable QAT variant names. */
export const QAT_LABELS: Readonly<Record<QatVariant, string>> = {
  binary: "binary (1 bit)",
  ternary: "ternary (1.58 bits)",
  s2: "2 bits (4 states)",
  s3: "3 bits (8 states)",
  s4: "4 bits (16 states)",
};

// ---------------------------------------------------------------------------------------------------
// Config

/** Size of the tiny GPT (vocabulary and context come from the language). */
export interface T5GptModel extends GPTSize {
  /** Context length. */
  readonly seqLen: number;
}

export interface T5Config {
  /** Independent runs (seeds): data, initialisation and sampling all derive from each. */
  readonly numSeeds: number;
  /** Numbers of states S of the PTQ sweep. */
  readonly states: ReadonlyArray<number>;
  /** PTQ schemes: the four main ones plus any of the variants. */
  readonly schemes: ReadonlyArray<string>;
  /** Weights per group of the `uniformGroup` scheme. */
  readonly groupSize: number;
  /** Weights per float16 scale in the packed 4-bit file (GGML's Q4_0 uses 32; 64 halves the scale overhead). */
  readonly packGroupSize: number;
  /** The classification task. */
  readonly task: ClassificationConfig;
  /** Hidden widths of the MLP. */
  readonly mlpHidden: ReadonlyArray<number>;
  /** Float32 training of the MLP. */
  readonly mlpTrain: MLPTrainConfig;
  /** QAT variants to run (the claims need ternary, s2, s3, s4). */
  readonly qatVariants: ReadonlyArray<string>;
  /** QAT fine-tuning from the float model: the same budget for every variant. */
  readonly qatTrain: MLPTrainConfig;
  /** The character language of the GPT. */
  readonly language: ZipfLanguageConfig;
  /** Size of the tiny GPT (vocabulary from the language). */
  readonly gpt: T5GptModel;
  /** GPT training. */
  readonly gptTrain: TrainConfig;
  /** Held-out batches (of gptTrain.batchSize sequences) for perplexity. */
  readonly evalBatches: number;
  /** Bins of the weight histograms. */
  readonly histogramBins: number;
  /** States of the levels drawn over the weight histograms. */
  readonly histogramStates: number;
}

/** A small Zipfian language (12 letters, 256 words): a tiny GPT gets far within a minute. */
const LANGUAGE: ZipfLanguageConfig = {
  ...ZIPF_LANGUAGE_DEFAULTS,
  alphabetSize: 12,
  lexiconSize: 256,
  maxWordLength: 6,
  numClasses: 8,
  classBranching: 3,
};

/** The defaults: the `quick` profile. */
export const T5_DEFAULTS: Readonly<T5Config> = frozen({
  numSeeds: 3,
  states: [2, 3, 4, 8, 10, 16, 26, 32, 64, 256],
  schemes: [...MAIN_SCHEMES, ...VARIANT_SCHEMES],
  groupSize: 32,
  packGroupSize: 64,
  task: { ...CLASSIFICATION_DEFAULTS, trainSize: 16384, testSize: 4096 },
  mlpHidden: [128, 128],
  mlpTrain: { numSteps: 1500, batchSize: 128, lr: 3e-3, minLr: 1e-4, weightDecay: 1e-4 },
  qatVariants: [...QAT_VARIANTS],
  qatTrain: { numSteps: 300, batchSize: 128, lr: 2e-3, minLr: 2e-4, weightDecay: 0 },
  language: LANGUAGE,
  gpt: { seqLen: 32, dModel: 64, nHead: 4, nLayer: 2, dFF: 0 },
  gptTrain: { ...TRAIN_DEFAULTS, numSteps: 300, batchSize: 32, lr: 3e-3, minLr: 3e-4, warmupSteps: 30, evalEvery: 0 },
  evalBatches: 4,
  histogramBins: 80,
  histogramStates: 8,
});

/** Profiles: smoke exercises every path in seconds; full is the paper figure. */
export const T5_PROFILES = defineProfiles(
  T5_DEFAULTS,
  {
    smoke: {
      numSeeds: 1,
      task: { trainSize: 4096, testSize: 2048 },
      mlpHidden: [64, 64],
      mlpTrain: { numSteps: 300 },
      qatTrain: { numSteps: 60 },
      gpt: { dModel: 32, nLayer: 1 },
      gptTrain: { numSteps: 60, warmupSteps: 10 },
      evalBatches: 2,
      histogramBins: 60,
    },
    full: {
      numSeeds: 5,
      task: { trainSize: 32768, testSize: 8192 },
      mlpHidden: [256, 256],
      mlpTrain: { numSteps: 4000 },
      qatTrain: { numSteps: 1000 },
      gpt: { seqLen: 64, dModel: 128, nLayer: 4 },
      gptTrain: { numSteps: 1500, lr: 2e-3, minLr: 2e-4, warmupSteps: 100 },
      evalBatches: 16,
      histogramBins: 100,
    },
  },
  "t5-quantization",
);

/** Validate a config; errors name the field and the fix. */
export function validateT5Config(c: T5Config): void {
  checkRange("t5-quantization.config.numSeeds", c.numSeeds, 1, 100, true);
  if (c.states.length === 0)
    throw new Error("t5-quantization.config.states: give at least one number of states, e.g. [2, 4, 16]");
  c.states.forEach((s, i) => checkRange(`t5-quantization.config.states[${i}]`, s, 2, 256, true));
  c.schemes.forEach((s, i) => {
    if (!ALL_SCHEMES.includes(s))
      throw new Error(
        `t5-quantization.config.schemes[${i}]: unknown scheme "${s}"; use any of ${ALL_SCHEMES.join(", ")}`,
      );
  });
  c.qatVariants.forEach((v, i) => {
    if (!(QAT_VARIANTS as ReadonlyArray<string>).includes(v)) {
      throw new Error(
        `t5-quantization.config.qatVariants[${i}]: unknown variant "${v}"; use any of ${QAT_VARIANTS.join(", ")}`,
      );
    }
  });
  checkRange("t5-quantization.config.groupSize", c.groupSize, 1, 1 << 16, true);
  checkRange("t5-quantization.config.packGroupSize", c.packGroupSize, 1, 1 << 16, true);
  checkRange("t5-quantization.config.evalBatches", c.evalBatches, 1, 1e4, true);
  checkRange("t5-quantization.config.histogramBins", c.histogramBins, 1, 1000, true);
  checkRange("t5-quantization.config.histogramStates", c.histogramStates, 2, 256, true);
  checkRange("t5-quantization.config.qatTrain.numSteps", c.qatTrain.numSteps, 0, 1e8, true);
}

/** Histogram of a matrix's weights with the levels of three per-tensor quantizers at S states. */
export interface WeightHistogram {
  readonly layer: string;
  readonly states: number;
  readonly edges: number[];
  readonly counts: number[];
  /** Levels by quantizer: uniform absmax, k-means, log-spaced. */
  readonly levels: Record<string, number[]>;
}

export interface MlpSeedResult {
  readonly fp32: number;
  readonly bayes: number;
  /** scheme -> S -> accuracy */
  readonly ptq: Record<string, Record<number, number>>;
  readonly qat: Record<string, { qat: number; ptq: number; weightChange: number; history: MLPHistoryPoint[] }>;
  readonly histogram?: WeightHistogram;
  readonly packed?: { bytes: number; float32Bytes: number; exact: boolean };
  readonly fp32History: MLPHistoryPoint[];
}

export interface GptSeedResult {
  readonly fp32Ppl: number;
  readonly ptq: Record<string, Record<number, number>>;
  /** Relative perplexity increase when only this matrix is quantized (group-wise int4). */
  readonly int4ByMatrix: Record<string, number>;
  /** Perplexity with group-wise int4 everywhere except 8-bit embedding tables. */
  readonly int4Emb8Ppl: number;
  readonly history: HistoryRecord[];
  readonly histogram?: WeightHistogram;
  /** The packed int4 round trip (first seed only). */
  readonly packed?: {
    readonly file: string;
    /** Weights per float16 scale in the file. */
    readonly groupSize: number;
    readonly bytes: number;
    /** File size had the groups been those of the `uniformGroup` PTQ scheme. */
    readonly bytesAtGroupSize: number;
    readonly float32Bytes: number;
    /** Codes, parameters and dequantized weights identical after save + load, and the same perplexity. */
    readonly exact: boolean;
    readonly pplBefore: number;
    readonly pplAfter: number;
  };
  readonly numParams: number;
  readonly entropyRatePpl: number;
  /** Perplexity of the best context-free model, exp(unigram entropy). */
  readonly unigramPpl: number;
}

// ---------------------------------------------------------------------------------------------------
// The experiment

/** Data saved with the record (everything the figures and the notebook need). */
export interface T5Data {
  /** CPU seconds the run used (on a shared machine, wall time is longer). */
  readonly cpuSeconds: number;
  /** CPU seconds by phase, over all seeds ("other" includes histograms and the packed round trip). */
  readonly cpuByPhase: Record<string, number>;
  readonly states: number[];
  readonly schemes: string[];
  readonly groupSize: number;
  readonly chance: number;
  readonly mlp: {
    readonly numParams: number;
    readonly fp32: Interval;
    readonly bayes: Interval;
    /** scheme -> per S: accuracy over seeds and bits per weight (codes + float16 parameters). */
    readonly ptq: Record<string, { acc: Interval[]; drop: Interval[]; bits: number[] }>;
    readonly qat: Record<
      string,
      { states: number; bits: number; qat: Interval; ptq: Interval; weightChange: Interval }
    >;
    readonly histogram?: WeightHistogram;
    readonly packed?: { bytes: number; float32Bytes: number; exact: boolean };
    readonly qatHistories: Record<string, MLPHistoryPoint[]>;
  };
  readonly gpt: {
    readonly numParams: number;
    readonly fp32Ppl: Interval;
    readonly entropyRatePpl: number;
    readonly unigramPpl: number;
    /** Relative perplexity increase from group-wise int4 on one matrix at a time, over seeds. */
    readonly int4ByMatrix: Record<string, Interval>;
    readonly ptq: Record<string, { ppl: Interval[]; ratio: Interval[]; bits: number[] }>;
    readonly histogram?: WeightHistogram;
    readonly packed?: GptSeedResult["packed"];
    readonly history: Array<{ step: number; trainLoss: number }>;
  };
}

/** The metrics of a t5 record: means with intervals over seeds, per scheme Q, number of states S and QAT variant. */
export type T5Metric =
  | `mlpAcc_${SchemeName}_s${number}`
  | `gptPpl_${SchemeName}_s${number}`
  | `mlpStatesWithin1pp_${SchemeName}`
  | `${"qatAcc" | "qatPtqAcc" | "qatWeightChange"}_${QatVariant}`
  | "mlpAccFp32"
  | "mlpBayesAcc"
  | "mlpBinaryKeptAboveChance"
  | "gptPplFp32"
  | "gptPplInt4GroupEmb8"
  | "gptPplBinaryOverUnigram"
  | "packedInt4Exact"
  | "packedInt4SizeRatio"
  | "packedInt4SizeRatioMlp"
  | `packedInt4SizeRatio_group${number}`;

/** A t5 record, as results.json holds it. */
export type T5Record = ResultRecord<T5Config, T5Data, T5Metric>;
