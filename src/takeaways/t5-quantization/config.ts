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

/**
 * QAT settings by bits per weight (ParetoQ's ladder {1, 1.58, 2, 3, 4, 8}): `1` is binary with a
 * per-channel scale (sign(w)·mean|w| per output channel, straight-through estimator), `1.58` BitNet
 * b1.58's absmean ternary rule, 2–8 bits symmetric uniform per channel with the MSE-optimal clip.
 */
export const QAT_VARIANTS = ["1", "1.58", "2", "3", "4", "8"] as const;
export type QatVariant = (typeof QAT_VARIANTS)[number];

/** Human-readable QAT variant names. */
export const QAT_LABELS: Readonly<Record<QatVariant, string>> = {
  "1": "binary (1 bit, per-channel scale)",
  "1.58": "ternary (1.58 bits, absmean)",
  "2": "2 bits (4 states)",
  "3": "3 bits (8 states)",
  "4": "4 bits (16 states)",
  "8": "8 bits (256 states)",
};

/** Bits per weight of a QAT variant's codes (log2 of its states). */
export const QAT_BITS: Readonly<Record<QatVariant, number>> = {
  "1": 1,
  "1.58": Math.log2(3),
  "2": 2,
  "3": 3,
  "4": 4,
  "8": 8,
};

/** Embedding policy of GPT PTQ: the tables at the same bits as the rest, or at 8 bits. */
export const EMBEDDING_POLICIES = ["same", "emb8"] as const;
export type EmbeddingPolicy = (typeof EMBEDDING_POLICIES)[number];

// ---------------------------------------------------------------------------------------------------
// Config

/** Size of the tiny GPT (vocabulary and context come from the language). */
export interface T5GptModel extends GPTSize {
  /** Context length. */
  readonly seqLen: number;
}

export interface T5Config {
  /**
   * Independent runs (seeds): data, initialisation and sampling all derive from each. 5 at quick: the
   * issue-15 minimum for asserted claims, and what fits the time budget (a t-interval over 5 seeds has
   * t = 2.78).
   */
  readonly numSeeds: number;
  /** Numbers of states S of the MLP's PTQ sweep (every S from 2 to 32, then 64 and 256). */
  readonly states: ReadonlyArray<number>;
  /** Numbers of states of the GPT's PTQ sweep (a coarser grid: a GPT evaluation costs more). */
  readonly gptStates: ReadonlyArray<number>;
  /** PTQ schemes: the four main ones plus any of the variants. */
  readonly schemes: ReadonlyArray<string>;
  /**
   * The tolerances ε of "states needed" (accuracy, fraction), fixed before any run: 1 point (the first
   * edition's) and a quarter point (about two standard errors of a paired accuracy difference on the test set).
   */
  readonly epsilons: ReadonlyArray<number>;
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
  /** QAT variants (bits) to run: ParetoQ's ladder; the claims need all of them. */
  readonly qatVariants: ReadonlyArray<string>;
  /** QAT fine-tuning from the float model: the same budget for every variant. */
  readonly qatTrain: MLPTrainConfig;
  /** QAT variants of the GPT (8 is the control: there QAT can only gain from the extra fine-tuning). */
  readonly gptQatVariants: ReadonlyArray<string>;
  /** QAT of the GPT from its float weights (constant learning rate; the same budget and batches per variant). */
  readonly gptQatTrain: TrainConfig;
  /** Test inputs on which the representation similarity (linear CKA) to the float model is measured. */
  readonly ckaSamples: number;
  /** Coefficients of variation of multiplicative synaptic noise (0 is the noiseless control). */
  readonly noiseCvs: ReadonlyArray<number>;
  /** The doubling ladder of states for the noise experiment. */
  readonly noiseStates: ReadonlyArray<number>;
  /** Noise draws per (cv, S), averaged. */
  readonly noiseDraws: number;
  /** The character language of the GPT. */
  readonly language: ZipfLanguageConfig;
  /** Size of the main GPT (vocabulary from the language); the largest of the size ladder. */
  readonly gpt: T5GptModel;
  /** Smaller GPTs for the bit-level scaling (same context, language and training), smallest first. */
  readonly gptLadder: ReadonlyArray<GPTSize>;
  /**
   * GPT training: constant learning rate after warmup (minLr = lr) so that the checkpoints of the
   * precision-vs-tokens experiment are comparable (none is in the middle of a decay).
   */
  readonly gptTrain: TrainConfig;
  /** Fractions of gptTrain.numSteps at which the PTQ damage is measured (a factor ≥ 8 in tokens). */
  readonly tokenCheckpoints: ReadonlyArray<number>;
  /** Bits of the precision-vs-tokens PTQ (group-wise round-to-nearest); 8 is the control. */
  readonly tokenBits: ReadonlyArray<number>;
  /** Bits of the bit-level scaling (16 = the float reference). */
  readonly scalingBits: ReadonlyArray<number>;
  /** Bits of the GPTQ comparison (8 is the control). */
  readonly gptqBits: ReadonlyArray<number>;
  /** Calibration sequences for GPTQ (drawn from the training language with a seed of their own). */
  readonly gptqCalibration: number;
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

/** Every S from 2 to 32, then 64 and 256. */
const STATES = [...Array.from({ length: 31 }, (_, i) => i + 2), 64, 256];

/** The defaults: the `quick` profile. */
export const T5_DEFAULTS: Readonly<T5Config> = frozen({
  numSeeds: 5,
  states: STATES,
  gptStates: [2, 3, 4, 8, 16, 256],
  schemes: [...MAIN_SCHEMES, "logChannel"],
  epsilons: [0.01, 0.0025],
  groupSize: 32,
  packGroupSize: 64,
  task: { ...CLASSIFICATION_DEFAULTS, trainSize: 16384, testSize: 4096 },
  mlpHidden: [128, 128],
  mlpTrain: { numSteps: 1500, batchSize: 128, lr: 3e-3, minLr: 1e-4, weightDecay: 1e-4 },
  qatVariants: [...QAT_VARIANTS],
  qatTrain: { numSteps: 200, batchSize: 128, lr: 2e-3, minLr: 2e-4, weightDecay: 0 },
  gptQatVariants: ["1", "1.58", "8"],
  gptQatTrain: { ...TRAIN_DEFAULTS, numSteps: 80, batchSize: 32, lr: 1e-3, minLr: 1e-3, warmupSteps: 5, evalEvery: 0 },
  ckaSamples: 1024,
  noiseCvs: [0, 0.1, 0.2, 0.3],
  noiseStates: [2, 4, 8, 16, 32, 64, 128],
  noiseDraws: 2,
  language: LANGUAGE,
  gpt: { seqLen: 32, dModel: 64, nHead: 4, nLayer: 2, dFF: 0 },
  gptLadder: [
    { dModel: 32, nHead: 4, nLayer: 1, dFF: 0 },
    { dModel: 48, nHead: 4, nLayer: 2, dFF: 0 },
  ],
  gptTrain: { ...TRAIN_DEFAULTS, numSteps: 320, batchSize: 32, lr: 3e-3, minLr: 3e-3, warmupSteps: 20, evalEvery: 0 },
  tokenCheckpoints: [0.125, 0.25, 0.5, 1],
  tokenBits: [3, 4, 6, 8],
  scalingBits: [2, 3, 4, 5, 6, 8, 16],
  gptqBits: [3, 4, 8],
  gptqCalibration: 32,
  evalBatches: 4,
  histogramBins: 80,
  histogramStates: 8,
});

/** Profiles: smoke exercises every path in seconds; full is the paper figure. */
export const T5_PROFILES = defineProfiles(
  T5_DEFAULTS,
  {
    smoke: {
      numSeeds: 2,
      states: [2, 3, 4, 6, 8, 16, 32, 256],
      gptStates: [2, 4, 16],
      task: { trainSize: 4096, testSize: 2048 },
      mlpHidden: [64, 64],
      mlpTrain: { numSteps: 200 },
      qatTrain: { numSteps: 30 },
      ckaSamples: 256,
      gptQatTrain: { numSteps: 6, warmupSteps: 1 },
      noiseStates: [2, 4, 8, 16],
      noiseDraws: 1,
      gpt: { dModel: 32, nLayer: 1 },
      gptLadder: [{ dModel: 16, nHead: 4, nLayer: 1, dFF: 0 }],
      gptTrain: { numSteps: 48, warmupSteps: 8 },
      gptqCalibration: 8,
      evalBatches: 2,
      histogramBins: 60,
    },
    full: {
      numSeeds: 8,
      task: { trainSize: 32768, testSize: 8192 },
      mlpHidden: [256, 256],
      mlpTrain: { numSteps: 4000 },
      qatTrain: { numSteps: 1000 },
      noiseStates: [2, 4, 8, 16, 32, 64, 128, 256],
      noiseDraws: 4,
      gptQatTrain: { numSteps: 400, warmupSteps: 20 },
      gpt: { seqLen: 64, dModel: 128, nLayer: 4 },
      gptLadder: [
        { dModel: 48, nHead: 4, nLayer: 2, dFF: 0 },
        { dModel: 64, nHead: 4, nLayer: 2, dFF: 0 },
        { dModel: 96, nHead: 4, nLayer: 3, dFF: 0 },
      ],
      gptTrain: { numSteps: 1600, lr: 2e-3, minLr: 2e-3, warmupSteps: 100 },
      gptqCalibration: 64,
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
  c.epsilons.forEach((e, i) => checkRange(`t5-quantization.config.epsilons[${i}]`, e, 0, 1));
  c.noiseCvs.forEach((v, i) => checkRange(`t5-quantization.config.noiseCvs[${i}]`, v, 0, 10));
  c.tokenCheckpoints.forEach((v, i) => checkRange(`t5-quantization.config.tokenCheckpoints[${i}]`, v, 1e-6, 1));
  c.gptStates.forEach((s, i) => checkRange(`t5-quantization.config.gptStates[${i}]`, s, 2, 256, true));
  for (const [k, xs] of [
    ["tokenBits", c.tokenBits],
    ["gptqBits", c.gptqBits],
    ["scalingBits", c.scalingBits],
  ] as const)
    xs.forEach((b, i) => checkRange(`t5-quantization.config.${k}[${i}]`, b, 1, 16, true));
  c.gptQatVariants.forEach((v, i) => {
    if (!(QAT_VARIANTS as ReadonlyArray<string>).includes(v))
      throw new Error(
        `t5-quantization.config.gptQatVariants[${i}]: unknown variant "${v}"; use any of ${QAT_VARIANTS.join(", ")}`,
      );
  });
  checkRange("t5-quantization.config.noiseDraws", c.noiseDraws, 1, 1000, true);
  checkRange("t5-quantization.config.gptqCalibration", c.gptqCalibration, 1, 1e5, true);
  checkRange("t5-quantization.config.ckaSamples", c.ckaSamples, 2, 1e6, true);
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

/** One QAT variant of one seed. */
export interface QatSeedResult {
  /** Accuracy with the QAT-trained weights quantized. */
  readonly qat: number;
  /** Accuracy of the same quantizer applied to the float model (PTQ). */
  readonly ptq: number;
  /** ‖W_QAT − W_float‖ / ‖W_float‖ over the latent (unquantized) kernels. */
  readonly weightChange: number;
  /** ‖Q(W_float) − W_float‖ / ‖W_float‖: how far the quantizer alone moves the float weights (the control). */
  readonly ptqChange: number;
  /** Linear CKA of the last hidden layer (quantized QAT model vs float model) on test inputs. */
  readonly cka: number;
  /** The same for the PTQ model. */
  readonly ptqCka: number;
  readonly history: MLPHistoryPoint[];
}

export interface MlpSeedResult {
  readonly fp32: number;
  readonly bayes: number;
  /** scheme -> S -> accuracy */
  readonly ptq: Record<string, Record<number, number>>;
  /** The positive control of "states needed": the same sweep of the untrained (random-init) MLP, uniformChannel. */
  readonly untrainedFp32: number;
  readonly untrainedPtq: Record<number, number>;
  readonly qat: Record<string, QatSeedResult>;
  /** cv -> accuracy of the float model with noise, and per noise-ladder S the accuracy of the quantized model with noise. */
  readonly noise: Record<string, { fp32: number; acc: number[] }>;
  /** Code entropy (bits/weight) of uniformChannel PTQ at ⌈S_min⌉ (first tolerance), and that S. */
  readonly entropyAtSmin: { states: number; bits: number };
  readonly histogram?: WeightHistogram;
  readonly packed?: { bytes: number; float32Bytes: number; exact: boolean };
  readonly fp32History: MLPHistoryPoint[];
}

export interface GptSeedResult {
  readonly fp32Ppl: number;
  readonly ptq: Record<string, Record<number, number>>;
  /** GPTQ and RTN (same asymmetric min–max quantizer): `${method}_${granularity}_${policy}` -> bits -> perplexity. */
  readonly gptq: Record<string, Record<number, number>>;
  /** QAT of the GPT per variant: perplexity with the variant's quantizer after QAT, and applied to the float model (PTQ). */
  readonly qat: Record<string, { qat: number; ptq: number }>;
  /** Precision vs training tokens: per checkpoint, tokens seen, float32 perplexity and PTQ perplexity per bits. */
  readonly tokens: Array<{ step: number; tokens: number; fp32Ppl: number; ptq: Record<number, number> }>;
  /** Bit-level scaling: per model of the ladder (main last), parameters and per bits: total bits and loss (nats). */
  readonly scaling: Array<{
    dModel: number;
    nLayer: number;
    params: number;
    points: Array<{ bits: number; totalBits: number; loss: number }>;
  }>;
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
  readonly epsilons: number[];
  readonly groupSize: number;
  readonly chance: number;
  readonly mlp: {
    readonly numParams: number;
    readonly fp32: Interval;
    readonly bayes: Interval;
    /** scheme -> per S: accuracy over seeds, paired drop in points, and bits per weight (codes + float16 parameters). */
    readonly ptq: Record<string, { acc: Interval[]; drop: Interval[]; bits: number[] }>;
    /** The untrained control: per S, paired drop in points. */
    readonly untrainedDrop: Interval[];
    /** scheme -> ε -> S_min over seeds (and the per-seed values). */
    readonly statesNeeded: Record<string, Record<string, { interval: Interval; values: number[] }>>;
    readonly qat: Record<
      string,
      {
        states: number;
        bits: number;
        qat: Interval;
        ptq: Interval;
        weightChange: Interval;
        ptqChange: Interval;
        cka: Interval;
        ptqCka: Interval;
      }
    >;
    /** cv -> float accuracy and accuracy per noise-ladder S (over seeds), and useful states. */
    readonly noise: Record<string, { fp32: Interval; acc: Interval[]; useful: Interval }>;
    readonly noiseStates: number[];
    readonly entropyAtSmin: Interval;
    readonly histogram?: WeightHistogram;
    readonly packed?: { bytes: number; float32Bytes: number; exact: boolean };
    readonly qatHistories: Record<string, MLPHistoryPoint[]>;
  };
  readonly gpt: {
    readonly numParams: number;
    readonly fp32Ppl: Interval;
    readonly entropyRatePpl: number;
    readonly unigramPpl: number;
    readonly states: number[];
    readonly ptq: Record<string, { ppl: Interval[]; ratio: Interval[]; bits: number[] }>;
    /** condition -> per gptqBits: relative perplexity increase over float32. */
    readonly gptq: Record<string, Interval[]>;
    readonly gptqBits: number[];
    /** QAT vs PTQ of the GPT per variant: perplexity over seeds. */
    readonly qat: Record<string, { qat: Interval; ptq: Interval }>;
    /** Per checkpoint: tokens and per tokenBits the loss increase (nats) over float32. */
    readonly tokens: Array<{ tokens: number; damage: Interval[] }>;
    readonly tokenBits: number[];
    /** Bit-level scaling: per bits, per model, total bits and loss (over seeds). */
    readonly scaling: Array<{ bits: number; models: Array<{ params: number; totalBits: number; loss: Interval }> }>;
    /** The budget (total bits) at which the optimal precision is read, and the predicted loss per bits there. */
    readonly scalingBudget: number;
    readonly histogram?: WeightHistogram;
    readonly packed?: GptSeedResult["packed"];
    readonly history: Array<{ step: number; trainLoss: number }>;
  };
}

/** The metrics of a t5 record: means with intervals over seeds (`{mean, lo, hi, n}`), per scheme Q, number of states S, tolerance e, bits b and noise c. */
export type T5Metric =
  | `mlpAcc_${SchemeName}_s${number}`
  | `gptPpl_${SchemeName}_s${number}`
  | `statesNeeded_${SchemeName}_eps${number}`
  | `${"qatAcc" | "qatPtqAcc" | "qatWeightChange" | "qatCka"}_${QatVariant}`
  | `qatMinusPtq_${"1" | "1.58"}`
  | `gptqMinusRtn_${number}bit`
  | `gptQatGainNats_${QatVariant}`
  | `ptqDamageSlope_${number}bit`
  | `usefulStates_cv${number}`
  | "optimalBitsAtFixedTotal"
  | "paretoqStepRatio"
  | "paretoqStepRatioPtq"
  | "weightEntropyBitsAtSmin"
  | "mlpAccFp32"
  | "mlpBayesAcc"
  | "gptPplFp32"
  | "gptPplBinaryOverUnigram"
  | "packedInt4Exact"
  | "packedInt4SizeRatio"
  | "packedInt4SizeRatioMlp"
  | `packedInt4SizeRatio_group${number}`;

/** A t5 record, as results.json holds it. */
export type T5Record = ResultRecord<T5Config, T5Data, T5Metric>;
