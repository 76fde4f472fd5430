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
 */
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { checkRange, frozen } from "../../config";
import { ExperimentContext, registerExperiment } from "../../run/experiment";
import { deriveSeed, Rng } from "../../rng";
import { claim, mean, meanInterval } from "../../stats";
import type { Claim, Interval, Metric, ResultRecord } from "../../run/results";
import { createGPT, GPT, GPTConfig } from "../../transformer";
import { evaluateLoss, HistoryRecord, trainModel, TrainConfig, TRAIN_DEFAULTS } from "../../train";
import { ZipfLanguage, ZipfLanguageConfig, ZIPF_LANGUAGE_DEFAULTS } from "../../data/zipf-language";
import { bayesAccuracy, ClassificationConfig, CLASSIFICATION_DEFAULTS, makeClassificationTask } from "../../data/classification";
import { createQuantMLP, MLPHistoryPoint, mlpAccuracy, MLPTrainConfig, QuantMLP, trainQuantMLP } from "../../mlp";
import {
  dequantize,
  fakeQuantSTE,
  kmeans1d,
  bitsPerWeight,
  logLevels,
  QuantizedTensor,
  quantizeMatrix,
  quantSpec,
  QuantSpec,
} from "../../quantize";
import { decodePacked, encodePacked, float32Bytes, FloatEntry, loadPacked, PackedModel, savePacked } from "../../quant-pack";
import { barFigure, Figure, histogramCounts, lineFigure, LineSeries, lossCurveFigure, paletteColor, themeLayout, Trace, withHorizontalLines } from "../../present/plot";

// ---------------------------------------------------------------------------------------------------
// Quantization schemes

/** The PTQ schemes of the output contract (`mlpAcc_<Q>_s<S>`, `gptPpl_<Q>_s<S>`). */
export const CONTRACT_SCHEMES = ["uniformTensor", "uniformChannel", "uniformGroup", "kmeans"] as const;
/** Further PTQ schemes, shown in the notebook (metrics `mlpAcc_<Q>_s<S>` too, beyond the contract). */
export const VARIANT_SCHEMES = ["uniformChannelAsym", "uniformChannelMse", "logChannel", "uniformGroup64", "uniformGroup128"] as const;
export type SchemeName = (typeof CONTRACT_SCHEMES)[number] | (typeof VARIANT_SCHEMES)[number];
const ALL_SCHEMES: ReadonlyArray<string> = [...CONTRACT_SCHEMES, ...VARIANT_SCHEMES];

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

/** The quantizer of a named scheme at S states (absmax range unless the name says otherwise). */
export function schemeSpec(name: SchemeName, states: number, groupSize: number, seed: number): QuantSpec {
  switch (name) {
    case "uniformTensor":
      return quantSpec({ states, granularity: "tensor" });
    case "uniformChannel":
      return quantSpec({ states, granularity: "channel" });
    case "uniformGroup":
      return quantSpec({ states, granularity: "group", groupSize });
    case "kmeans":
      return quantSpec({ states, scheme: "kmeans", granularity: "tensor", seed });
    case "uniformChannelAsym":
      return quantSpec({ states, granularity: "channel", symmetric: false });
    case "uniformChannelMse":
      return quantSpec({ states, granularity: "channel", clip: "mse" });
    case "logChannel":
      return quantSpec({ states, scheme: "log", granularity: "channel" });
    case "uniformGroup64":
      return quantSpec({ states, granularity: "group", groupSize: 64 });
    case "uniformGroup128":
      return quantSpec({ states, granularity: "group", groupSize: 128 });
  }
}

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

/**
 * The quantizer of a QAT variant. `ternary` is BitNet b1.58's absmean rule (Ma et al. 2024):
 * W_q = γ·round(clip(W/γ, −1, 1)), γ = mean|W| per tensor; `binary` is ±mean|W| (XNOR-Net, BitNet);
 * `s2`, `s3`, `s4` are b-bit (2^b states) symmetric uniform quantizers per output channel with the
 * clip range that minimises the squared error (recomputed every step, not differentiated).
 */
export function qatSpec(v: QatVariant): QuantSpec {
  switch (v) {
    case "binary":
      return quantSpec({ states: 2, granularity: "tensor", clip: "absmean" });
    case "ternary":
      return quantSpec({ states: 3, granularity: "tensor", clip: "absmean" });
    case "s2":
      return quantSpec({ states: 4, granularity: "channel", clip: "mse" });
    case "s3":
      return quantSpec({ states: 8, granularity: "channel", clip: "mse" });
    case "s4":
      return quantSpec({ states: 16, granularity: "channel", clip: "mse" });
  }
}

// ---------------------------------------------------------------------------------------------------
// Config

/** Size of the tiny GPT (vocabulary and context come from the language). */
export interface T5GptModel {
  readonly seqLen: number;
  readonly dModel: number;
  readonly nHead: number;
  readonly nLayer: number;
  /** MLP width; 0 = 4·dModel. */
  readonly dFF: number;
}

export interface T5Config {
  /** Independent runs (seeds): data, initialisation and sampling all derive from each. */
  readonly numSeeds: number;
  /** Numbers of states S of the PTQ sweep. */
  readonly states: ReadonlyArray<number>;
  /** PTQ schemes: the four of the contract plus any of the variants. */
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
  /** QAT variants to run (the contract needs ternary, s2, s3, s4). */
  readonly qatVariants: ReadonlyArray<string>;
  /** QAT fine-tuning from the float model: the same budget for every variant. */
  readonly qatTrain: MLPTrainConfig;
  /** The character language of the GPT. */
  readonly language: ZipfLanguageConfig;
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

const STATES = [2, 3, 4, 8, 10, 16, 26, 32, 64, 256];
/** A small Zipfian language (12 letters, 256 words): a tiny GPT gets far within a minute. */
const LANGUAGE: ZipfLanguageConfig = { ...ZIPF_LANGUAGE_DEFAULTS, alphabetSize: 12, lexiconSize: 256, maxWordLength: 6, numClasses: 8, classBranching: 3 };

export const T5_PROFILES = {
  smoke: frozen<T5Config>({
    numSeeds: 1,
    states: STATES,
    schemes: [...CONTRACT_SCHEMES, ...VARIANT_SCHEMES],
    groupSize: 32,
    packGroupSize: 64,
    task: { ...CLASSIFICATION_DEFAULTS, trainSize: 4096, testSize: 2048 },
    mlpHidden: [64, 64],
    mlpTrain: { numSteps: 300, batchSize: 128, lr: 3e-3, minLr: 1e-4, weightDecay: 1e-4 },
    qatVariants: [...QAT_VARIANTS],
    qatTrain: { numSteps: 60, batchSize: 128, lr: 2e-3, minLr: 2e-4, weightDecay: 0 },
    language: LANGUAGE,
    gpt: { seqLen: 32, dModel: 32, nHead: 4, nLayer: 1, dFF: 0 },
    gptTrain: { ...TRAIN_DEFAULTS, numSteps: 60, batchSize: 32, lr: 3e-3, minLr: 3e-4, warmupSteps: 10, evalEvery: 0 },
    evalBatches: 2,
    histogramBins: 60,
    histogramStates: 8,
  }),
  quick: frozen<T5Config>({
    numSeeds: 3,
    states: STATES,
    schemes: [...CONTRACT_SCHEMES, ...VARIANT_SCHEMES],
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
  }),
  full: frozen<T5Config>({
    numSeeds: 5,
    states: STATES,
    schemes: [...CONTRACT_SCHEMES, ...VARIANT_SCHEMES],
    groupSize: 32,
    packGroupSize: 64,
    task: { ...CLASSIFICATION_DEFAULTS, trainSize: 32768, testSize: 8192 },
    mlpHidden: [256, 256],
    mlpTrain: { numSteps: 4000, batchSize: 128, lr: 3e-3, minLr: 1e-4, weightDecay: 1e-4 },
    qatVariants: [...QAT_VARIANTS],
    qatTrain: { numSteps: 1000, batchSize: 128, lr: 2e-3, minLr: 2e-4, weightDecay: 0 },
    language: LANGUAGE,
    gpt: { seqLen: 64, dModel: 128, nHead: 4, nLayer: 4, dFF: 0 },
    gptTrain: { ...TRAIN_DEFAULTS, numSteps: 1500, batchSize: 32, lr: 2e-3, minLr: 2e-4, warmupSteps: 100, evalEvery: 0 },
    evalBatches: 16,
    histogramBins: 100,
    histogramStates: 8,
  }),
};

function validate(c: T5Config): void {
  checkRange("t5-quantization.config.numSeeds", c.numSeeds, 1, 100, true);
  if (c.states.length === 0) throw new Error("t5-quantization.config.states: give at least one number of states, e.g. [2, 4, 16]");
  c.states.forEach((s, i) => checkRange(`t5-quantization.config.states[${i}]`, s, 2, 256, true));
  c.schemes.forEach((s, i) => {
    if (!ALL_SCHEMES.includes(s)) throw new Error(`t5-quantization.config.schemes[${i}]: unknown scheme "${s}"; use any of ${ALL_SCHEMES.join(", ")}`);
  });
  c.qatVariants.forEach((v, i) => {
    if (!(QAT_VARIANTS as ReadonlyArray<string>).includes(v)) {
      throw new Error(`t5-quantization.config.qatVariants[${i}]: unknown variant "${v}"; use any of ${QAT_VARIANTS.join(", ")}`);
    }
  });
  checkRange("t5-quantization.config.groupSize", c.groupSize, 1, 1 << 16, true);
  checkRange("t5-quantization.config.packGroupSize", c.packGroupSize, 1, 1 << 16, true);
  checkRange("t5-quantization.config.evalBatches", c.evalBatches, 1, 1e4, true);
  checkRange("t5-quantization.config.histogramBins", c.histogramBins, 1, 1000, true);
  checkRange("t5-quantization.config.histogramStates", c.histogramStates, 2, 256, true);
  checkRange("t5-quantization.config.qatTrain.numSteps", c.qatTrain.numSteps, 0, 1e8, true);
}

// ---------------------------------------------------------------------------------------------------
// Quantizing a model's matrices

/** Matrices of a model by name (2-D variables; biases and LayerNorm stay float). */
type Matrices = Record<string, tf.Variable>;

/**
 * The GPT's lookup tables (token and position embeddings): quantized by row, one vector per token or
 * position, as GGML stores them. Quantized by column, one outlying position would set the scale of
 * every position.
 */
export const GPT_TABLES: ReadonlySet<string> = new Set(["wte", "wpe"]);

/** The spec for one matrix: tables by row, a k-means seed of its own. */
function specFor(spec: QuantSpec, name: string, tables: ReadonlySet<string>): QuantSpec {
  return { ...spec, byRow: tables.has(name), seed: deriveSeed(spec.seed, name) };
}

/** Quantize every matrix with `spec`; returns the quantized tensors (the model is not touched). */
export function quantizeAll(mats: Matrices, spec: QuantSpec, tables: ReadonlySet<string> = new Set()): Record<string, QuantizedTensor> {
  const out: Record<string, QuantizedTensor> = {};
  for (const [name, v] of Object.entries(mats)) out[name] = quantizeMatrix(v as tf.Tensor2D, specFor(spec, name, tables));
  return out;
}

/** Shapes of the matrices by name, for bits-per-weight accounting. */
function shapesOf(mats: Matrices): Record<string, [number, number]> {
  return Object.fromEntries(Object.entries(mats).map(([n, v]) => [n, [v.shape[0] as number, v.shape[1] as number]]));
}

/** Bits per weight (codes + float16 parameters) over all matrices of a model. */
function modelBits(spec: QuantSpec, shapes: Record<string, [number, number]>, tables: ReadonlySet<string>): number {
  let n = 0;
  let bits = 0;
  for (const [name, shape] of Object.entries(shapes)) {
    const k = shape[0] * shape[1];
    n += k;
    bits += bitsPerWeight(specFor(spec, name, tables), shape).total * k;
  }
  return bits / n;
}

/** MLP accuracy with every kernel replaced by its quantized version. */
function mlpQuantAccuracy(model: QuantMLP, q: Record<string, QuantizedTensor>, x: Float32Array, y: Int32Array): number {
  const names = Object.keys(model.namedKernels());
  const deq = names.map((n) => dequantize(q[n] as QuantizedTensor));
  try {
    return mlpAccuracy(model, x, y, (_w, l) => deq[l] as tf.Tensor2D);
  } finally {
    tf.dispose(deq);
  }
}

/** Held-out perplexity exp(mean CE) of a GPT over fixed batches. */
async function perplexity(model: GPT, lang: ZipfLanguage, c: T5Config, seed: number): Promise<number> {
  const loss = await evaluateLoss(model, lang.batchSampler(c.gpt.seqLen), c.gptTrain.batchSize, c.evalBatches, deriveSeed(seed, "heldout"));
  return Math.exp(loss);
}

/** Perplexity of the GPT with its matrices replaced by `q` (restored afterwards). */
async function gptQuantPerplexity(model: GPT, mats: Matrices, q: Record<string, QuantizedTensor>, lang: ZipfLanguage, c: T5Config, seed: number): Promise<number> {
  const saved: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(mats)) {
    saved[name] = tf.clone(v);
    const d = dequantize(q[name] as QuantizedTensor);
    v.assign(d);
    d.dispose();
  }
  try {
    return await perplexity(model, lang, c, seed);
  } finally {
    for (const [name, v] of Object.entries(mats)) v.assign(saved[name] as tf.Tensor);
    tf.dispose(Object.values(saved));
  }
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

function weightHistogram(layer: string, values: Float32Array, states: number, bins: number, seed: number): WeightHistogram {
  const arr = Array.from(values);
  let c = 0;
  for (const v of arr) c = Math.max(c, Math.abs(v));
  const { edges, counts } = histogramCounts(arr, bins, [-c, c]);
  const uniform = Array.from({ length: states }, (_, k) => -c + (2 * c * k) / (states - 1));
  return {
    layer,
    states,
    edges,
    counts,
    levels: {
      "uniform (absmax)": uniform,
      "k-means": Array.from(kmeans1d(values, states, new Rng(seed), 50)),
      "log-spaced": Array.from(logLevels(c, states)),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The per-seed runs

/** CPU seconds by phase (process CPU time: on a shared machine, wall time is longer). */
class PhaseClock {
  readonly seconds: Record<string, number> = {};
  private last = process.cpuUsage();
  /** Charge the CPU time since the previous mark to `phase`. */
  mark(phase: string): void {
    const d = process.cpuUsage(this.last);
    this.last = process.cpuUsage();
    this.seconds[phase] = (this.seconds[phase] ?? 0) + (d.user + d.system) / 1e6;
  }
}

interface MlpSeedResult {
  readonly fp32: number;
  readonly bayes: number;
  /** scheme -> S -> accuracy */
  readonly ptq: Record<string, Record<number, number>>;
  readonly qat: Record<string, { qat: number; ptq: number; weightChange: number; history: MLPHistoryPoint[] }>;
  readonly histogram?: WeightHistogram;
  readonly packed?: { bytes: number; float32Bytes: number; exact: boolean };
  readonly fp32History: MLPHistoryPoint[];
}

/** Relative L2 distance between two weight sets (all kernels together). */
function relativeChange(a: Float32Array[], b: Float32Array[]): number {
  let num = 0;
  let den = 0;
  a.forEach((x, i) => {
    const y = b[i] as Float32Array;
    for (let j = 0; j < x.length; j++) {
      num += ((x[j] as number) - (y[j] as number)) ** 2;
      den += (x[j] as number) ** 2;
    }
  });
  return Math.sqrt(num / Math.max(den, 1e-30));
}

async function runMlpSeed(c: T5Config, ctx: ExperimentContext, seed: number, first: boolean, clock: PhaseClock): Promise<MlpSeedResult> {
  const task = makeClassificationTask(c.task, deriveSeed(seed, "task"));
  const arch = { inputDim: task.config.inputDim, hidden: c.mlpHidden, outputDim: task.config.numClasses };
  const model = createQuantMLP(arch, deriveSeed(seed, "mlp-init"));
  try {
    const fp32History = await trainQuantMLP(model, task.xTrain, task.yTrain, c.mlpTrain, {
      seed: deriveSeed(seed, "mlp-train"),
      progress: ctx.progress,
      label: "MLP float32",
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const fp32 = mlpAccuracy(model, task.xTest, task.yTest);
    clock.mark("mlp float32 training");
    const mats = model.namedKernels();
    const ptq: Record<string, Record<number, number>> = {};
    let done = 0;
    for (const scheme of c.schemes) {
      ptq[scheme] = {};
      for (const s of c.states) {
        if (ctx.signal?.aborted) throw new Error("t5-quantization: cancelled");
        const q = quantizeAll(mats, schemeSpec(scheme as SchemeName, s, c.groupSize, deriveSeed(seed, "kmeans")));
        (ptq[scheme] as Record<number, number>)[s] = mlpQuantAccuracy(model, q, task.xTest, task.yTest);
        ctx.progress.update({ label: "MLP PTQ", step: ++done, total: c.schemes.length * c.states.length, info: { scheme, S: s } });
      }
    }
    // QAT: fine-tune a copy of the float model with the quantizer in the forward pass
    clock.mark("mlp PTQ sweep");
    const fpKernels = Object.values(mats).map((v) => v.dataSync() as Float32Array);
    const qat: MlpSeedResult["qat"] = {};
    for (const v of c.qatVariants as ReadonlyArray<QatVariant>) {
      const spec = qatSpec(v);
      const student = createQuantMLP(arch, deriveSeed(seed, "mlp-init"));
      try {
        student.variables.forEach((w, i) => w.assign(model.variables[i] as tf.Variable));
        const ptqAcc = mlpQuantAccuracy(student, quantizeAll(student.namedKernels(), spec), task.xTest, task.yTest);
        const history = await trainQuantMLP(student, task.xTrain, task.yTrain, c.qatTrain, {
          seed: deriveSeed(seed, "qat-train"), // the same batches for every variant
          transform: (w) => fakeQuantSTE(w, spec),
          progress: ctx.progress,
          label: `QAT ${v}`,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        const qatAcc = mlpQuantAccuracy(student, quantizeAll(student.namedKernels(), spec), task.xTest, task.yTest);
        const after = Object.values(student.namedKernels()).map((k) => k.dataSync() as Float32Array);
        qat[v] = { qat: qatAcc, ptq: ptqAcc, weightChange: relativeChange(fpKernels, after), history };
      } finally {
        student.dispose();
      }
    }
    clock.mark("mlp QAT");
    let histogram: WeightHistogram | undefined;
    let packed: MlpSeedResult["packed"];
    if (first) {
      const hidden = Object.entries(mats)[Math.min(1, Object.keys(mats).length - 1)] as [string, tf.Variable];
      histogram = weightHistogram(`MLP ${hidden[0]}`, hidden[1].dataSync() as Float32Array, c.histogramStates, c.histogramBins, deriveSeed(seed, "hist"));
      const q = quantizeAll(mats, schemeSpec("uniformGroup", 16, c.packGroupSize, 0));
      const floats: Record<string, FloatEntry> = {};
      model.biases.forEach((b, l) => (floats[`dense${l}/bias`] = { shape: [...b.shape], values: b.dataSync() as Float32Array }));
      const pm: PackedModel = { quantized: q, float: floats };
      const bytes = encodePacked(pm);
      const back = decodePacked(bytes);
      const exact = Object.keys(q).every((n) => sameArray((q[n] as QuantizedTensor).codes, (back.quantized[n] as QuantizedTensor).codes));
      packed = { bytes: bytes.length, float32Bytes: float32Bytes(pm), exact };
    }
    return {
      fp32,
      bayes: bayesAccuracy(task),
      ptq,
      qat,
      fp32History,
      ...(histogram ? { histogram } : {}),
      ...(packed ? { packed } : {}),
    };
  } finally {
    model.dispose();
  }
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

interface GptSeedResult {
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

async function runGptSeed(c: T5Config, ctx: ExperimentContext, seed: number, first: boolean, clock: PhaseClock): Promise<GptSeedResult> {
  const lang = new ZipfLanguage(c.language, deriveSeed(seed, "language"));
  const cfg: Partial<GPTConfig> = { vocabSize: lang.vocabSize, ...c.gpt, tieWeights: false };
  const model = createGPT(cfg, deriveSeed(seed, "gpt-init"));
  try {
    const res = await trainModel(model, lang.batchSampler(c.gpt.seqLen), c.gptTrain, {
      seed: deriveSeed(seed, "gpt-train"),
      progress: ctx.progress,
      label: "GPT float32",
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const fp32Ppl = await perplexity(model, lang, c, seed);
    clock.mark("gpt float32 training");
    const all = model.namedWeights();
    const mats: Matrices = Object.fromEntries(Object.entries(all).filter(([, v]) => v.rank === 2));
    const ptq: Record<string, Record<number, number>> = {};
    let done = 0;
    for (const scheme of c.schemes) {
      ptq[scheme] = {};
      for (const s of c.states) {
        if (ctx.signal?.aborted) throw new Error("t5-quantization: cancelled");
        const q = quantizeAll(mats, schemeSpec(scheme as SchemeName, s, c.groupSize, deriveSeed(seed, "kmeans")), GPT_TABLES);
        (ptq[scheme] as Record<number, number>)[s] = await gptQuantPerplexity(model, mats, q, lang, c, seed);
        ctx.progress.update({ label: "GPT PTQ", step: ++done, total: c.schemes.length * c.states.length, info: { scheme, S: s } });
      }
    }
    // Where the int4 error comes from: group-wise int4 on one matrix at a time, and on all matrices but
    // with the embedding tables at 8 bits (BitNet and ParetoQ keep embeddings in high precision)
    const int4 = schemeSpec("uniformGroup", 16, c.groupSize, 0);
    const int4ByMatrix: Record<string, number> = {};
    for (const [name, v] of Object.entries(mats)) {
      const one: Matrices = { [name]: v };
      int4ByMatrix[name] = (await gptQuantPerplexity(model, one, quantizeAll(one, int4, GPT_TABLES), lang, c, seed)) / fp32Ppl - 1;
    }
    const qEmb8 = quantizeAll(mats, int4, GPT_TABLES);
    for (const name of GPT_TABLES) {
      const v = mats[name];
      if (v) qEmb8[name] = quantizeMatrix(v as tf.Tensor2D, specFor({ ...int4, states: 256 }, name, GPT_TABLES));
    }
    const int4Emb8Ppl = await gptQuantPerplexity(model, mats, qEmb8, lang, c, seed);
    clock.mark("gpt PTQ sweep");
    let histogram: WeightHistogram | undefined;
    let packed: GptSeedResult["packed"];
    if (first) {
      const name = "h0.mlp.w1" in mats ? "h0.mlp.w1" : (Object.keys(mats)[0] as string);
      histogram = weightHistogram(`GPT ${name}`, (mats[name] as tf.Variable).dataSync() as Float32Array, c.histogramStates, c.histogramBins, deriveSeed(seed, "hist"));
      packed = await packedRoundTrip(model, mats, all, lang, c, ctx, seed);
    }
    return { fp32Ppl, ptq, int4ByMatrix, int4Emb8Ppl, history: res.history, numParams: model.numParams(), entropyRatePpl: Math.exp(lang.entropyRate()), unigramPpl: Math.exp(lang.unigramEntropy()), ...(histogram ? { histogram } : {}), ...(packed ? { packed } : {}) };
  } finally {
    model.dispose();
  }
}

/**
 * Save the GPT in the packed 4-bit format (group-wise int4 matrices + float32 vectors), load it back
 * into the model, and check that nothing changed: codes, parameters, dequantized weights and the
 * held-out perplexity are identical.
 */
async function packedRoundTrip(
  model: GPT,
  mats: Matrices,
  all: Record<string, tf.Variable>,
  lang: ZipfLanguage,
  c: T5Config,
  ctx: ExperimentContext,
  seed: number,
): Promise<NonNullable<GptSeedResult["packed"]>> {
  const original = model.getWeights();
  const spec = schemeSpec("uniformGroup", 16, c.packGroupSize, 0);
  const q = quantizeAll(mats, spec, GPT_TABLES);
  const floats: Record<string, FloatEntry> = {};
  for (const [name, v] of Object.entries(all)) if (v.rank !== 2) floats[name] = { shape: [...v.shape], values: original[name] as Float32Array };
  const pm: PackedModel = { quantized: q, float: floats };
  // the same model packed with the PTQ scheme's groups, for comparison (size only)
  const bytesAtGroupSize = encodePacked({ quantized: quantizeAll(mats, schemeSpec("uniformGroup", 16, c.groupSize, 0), GPT_TABLES), float: floats }).length;
  const file = path.join(ctx.outDir, "gpt-int4.g2bq");
  const bytes = savePacked(file, pm);
  const pplBefore = await gptQuantPerplexity(model, mats, q, lang, c, seed);
  const back = loadPacked(file);
  let exact = true;
  const loaded: Record<string, Float32Array> = {};
  for (const [name, qt] of Object.entries(q)) {
    const lq = back.quantized[name];
    if (!lq || !sameArray(lq.codes, qt.codes) || !sameArray(lq.params, qt.params)) exact = false;
    const [a, b] = [dequantize(qt), lq ? dequantize(lq) : null];
    const av = a.dataSync() as Float32Array;
    if (!b || !sameArray(av, b.dataSync())) exact = false;
    loaded[name] = b ? (b.dataSync() as Float32Array) : av;
    tf.dispose(b ? [a, b] : [a]);
  }
  for (const [name, f] of Object.entries(back.float)) {
    if (!sameArray(f.values, original[name] as Float32Array)) exact = false;
    loaded[name] = f.values;
  }
  model.setWeights(loaded);
  const pplAfter = await perplexity(model, lang, c, seed);
  model.setWeights(original);
  if (!Object.is(pplAfter, pplBefore)) exact = false;
  return { file, groupSize: c.packGroupSize, bytes, bytesAtGroupSize, float32Bytes: float32Bytes(pm), exact, pplBefore, pplAfter };
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
    readonly qat: Record<string, { states: number; bits: number; qat: Interval; ptq: Interval; weightChange: Interval }>;
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

const pos = (xs: number[]): Interval => meanInterval(xs, [0, Infinity]);
/** Geometric mean with a t-interval on the log scale (for ratios, which multiply). */
const geoInterval = (xs: number[]): Interval => {
  const l = meanInterval(xs.map((x) => Math.log(x)));
  return { mean: Math.exp(l.mean), lo: Math.exp(l.lo), hi: Math.exp(l.hi), n: l.n };
};
const acc01 = (xs: number[]): Interval => meanInterval(xs, [0, 1]);

export const t5Quantization = registerExperiment<T5Config>({
  id: "t5-quantization",
  title: "Takeaway 5: how many weight states does a trained network need?",
  claim:
    "Trained networks keep their accuracy with 4-bit weights (16 states) and, with quantization-aware training, even with ternary weights, while 1-bit post-training quantization collapses — so ~10–26 synaptic states are enough to store what a network has learnt.",
  profiles: T5_PROFILES,
  async run(c, ctx) {
    validate(c);
    for (const s of CONTRACT_SCHEMES) if (!c.schemes.includes(s)) throw new Error(`t5-quantization.config.schemes: must include the contract scheme "${s}"`);
    const cpu0 = process.cpuUsage(); // CPU time of this process: the wall time an otherwise idle machine would need
    const clock = new PhaseClock();
    const seeds = Array.from({ length: c.numSeeds }, (_, i) => deriveSeed(ctx.seed, "t5", i));
    const mlpRuns: MlpSeedResult[] = [];
    const gptRuns: GptSeedResult[] = [];
    for (const [i, seed] of seeds.entries()) {
      ctx.log(`t5: seed ${i + 1}/${seeds.length} (${seed}): MLP`);
      mlpRuns.push(await runMlpSeed(c, ctx, seed, i === 0, clock));
      clock.mark("other");
      ctx.log(`t5: seed ${i + 1}/${seeds.length} (${seed}): GPT`);
      gptRuns.push(await runGptSeed(c, ctx, seed, i === 0, clock));
      clock.mark("other");
    }
    const m0 = mlpRuns[0] as MlpSeedResult;
    const g0 = gptRuns[0] as GptSeedResult;
    const numClasses = c.task.numClasses;
    const chance = 1 / numClasses;

    // bits per weight on each model's matrices
    const mlpShapes: Record<string, [number, number]> = (() => {
      const dims = [c.task.inputDim, ...c.mlpHidden, numClasses];
      return Object.fromEntries(dims.slice(0, -1).map((d, l) => [`dense${l}/kernel`, [d, dims[l + 1] as number] as [number, number]]));
    })();
    const noTables: ReadonlySet<string> = new Set();
    const gptShapes = (() => {
      const lang = new ZipfLanguage(c.language, 0);
      const gm = createGPT({ vocabSize: lang.vocabSize, ...c.gpt, tieWeights: false }, 0);
      try {
        return shapesOf(Object.fromEntries(Object.entries(gm.namedWeights()).filter(([, v]) => v.rank === 2)));
      } finally {
        gm.dispose();
      }
    })();

    const metrics: Record<string, Metric> = {};
    const csvPtq: Array<Record<string, unknown>> = [];
    const mlpPtq: T5Data["mlp"]["ptq"] = {};
    const gptPtq: T5Data["gpt"]["ptq"] = {};
    for (const scheme of c.schemes) {
      mlpPtq[scheme] = { acc: [], drop: [], bits: [] };
      gptPtq[scheme] = { ppl: [], ratio: [], bits: [] };
      for (const s of c.states) {
        const spec = schemeSpec(scheme as SchemeName, s, c.groupSize, 0);
        const accs = mlpRuns.map((r) => (r.ptq[scheme] as Record<number, number>)[s] as number);
        const ppls = gptRuns.map((r) => (r.ptq[scheme] as Record<number, number>)[s] as number);
        const bm = modelBits(spec, mlpShapes, noTables);
        const bg = modelBits(spec, gptShapes, GPT_TABLES);
        metrics[`mlpAcc_${scheme}_s${s}`] = acc01(accs);
        metrics[`gptPpl_${scheme}_s${s}`] = pos(ppls);
        // paired over seeds: the same model before and after quantization
        mlpPtq[scheme]?.acc.push(acc01(accs));
        mlpPtq[scheme]?.drop.push(meanInterval(accs.map((a, i) => 100 * (mlpRuns[i]!.fp32 - a))));
        mlpPtq[scheme]?.bits.push(bm);
        gptPtq[scheme]?.ppl.push(pos(ppls));
        gptPtq[scheme]?.ratio.push(geoInterval(ppls.map((p, i) => p / gptRuns[i]!.fp32Ppl)));
        gptPtq[scheme]?.bits.push(bg);
        seeds.forEach((sd, i) => {
          csvPtq.push({ model: "mlp", scheme, states: s, bitsPerWeight: bm, seed: sd, metric: "accuracy", value: accs[i] });
          csvPtq.push({ model: "gpt", scheme, states: s, bitsPerWeight: bg, seed: sd, metric: "perplexity", value: ppls[i] });
        });
      }
    }
    const fp32Accs = mlpRuns.map((r) => r.fp32);
    const fp32Ppls = gptRuns.map((r) => r.fp32Ppl);
    metrics["mlpAccFp32"] = acc01(fp32Accs);
    metrics["gptPplFp32"] = pos(fp32Ppls);
    metrics["mlpBayesAcc"] = acc01(mlpRuns.map((r) => r.bayes));
    metrics["gptPplInt4GroupEmb8"] = pos(gptRuns.map((r) => r.int4Emb8Ppl));

    const qatData: T5Data["mlp"]["qat"] = {};
    const csvQat: Array<Record<string, unknown>> = [];
    for (const v of c.qatVariants as ReadonlyArray<QatVariant>) {
      const spec = qatSpec(v);
      const q = mlpRuns.map((r) => r.qat[v]?.qat as number);
      const p = mlpRuns.map((r) => r.qat[v]?.ptq as number);
      const wc = mlpRuns.map((r) => r.qat[v]?.weightChange as number);
      const bits = modelBits(spec, mlpShapes, noTables);
      qatData[v] = { states: spec.states, bits, qat: acc01(q), ptq: acc01(p), weightChange: pos(wc) };
      metrics[`qatAcc_${v}`] = acc01(q);
      metrics[`qatPtqAcc_${v}`] = acc01(p);
      metrics[`qatWeightChange_${v}`] = pos(wc);
      seeds.forEach((sd, i) => csvQat.push({ variant: v, states: spec.states, bitsPerWeight: bits, seed: sd, fp32Acc: fp32Accs[i], ptqAcc: p[i], qatAcc: q[i], weightChange: wc[i] }));
    }
    const gp = g0.packed;
    if (gp) {
      metrics["packedInt4SizeRatio"] = gp.bytes / gp.float32Bytes;
      metrics["packedInt4Exact"] = gp.exact ? 1 : 0;
      metrics[`packedInt4SizeRatio_group${c.groupSize}`] = gp.bytesAtGroupSize / gp.float32Bytes;
    }
    if (m0.packed) metrics["packedInt4SizeRatioMlp"] = m0.packed.bytes / m0.packed.float32Bytes;

    // Claims
    const claims: Claim[] = [];
    const paired = (f: (i: number) => number): number => mean(seeds.map((_, i) => f(i)));
    const has = (scheme: string, s: number): boolean => c.schemes.includes(scheme) && c.states.includes(s);
    if (has("uniformGroup", 16)) {
      const drop = paired((i) => fp32Accs[i]! - (mlpRuns[i]!.ptq["uniformGroup"] as Record<number, number>)[16]!);
      claims.push(claim("int4-group-mlp", `Group-wise int4 PTQ (16 states, groups of ${c.groupSize}) loses at most 1 percentage point of MLP accuracy (mean paired drop)`, drop, "<=", 0.01));
      const rel = paired((i) => (gptRuns[i]!.ptq["uniformGroup"] as Record<number, number>)[16]! / fp32Ppls[i]! - 1);
      claims.push(claim("int4-group-gpt", "Group-wise int4 PTQ raises the GPT's held-out perplexity by at most 2% (relative, mean over seeds)", rel, "<=", 0.02));
      const relEmb8 = paired((i) => gptRuns[i]!.int4Emb8Ppl / fp32Ppls[i]! - 1);
      claims.push(
        claim(
          "int4-group-gpt-emb8",
          "Group-wise int4 PTQ with 8-bit embedding tables (as BitNet and ParetoQ keep embeddings in high precision) raises the GPT's perplexity by at most 2% (measured and stated)",
          relEmb8,
          "<=",
          0.02,
          false,
        ),
      );
    }
    if (c.qatVariants.includes("ternary")) {
      const drop = paired((i) => fp32Accs[i]! - mlpRuns[i]!.qat["ternary"]!.qat);
      claims.push(claim("ternary-qat-mlp", "Ternary QAT (BitNet b1.58 absmean, 3 states) stays within 3 percentage points of float32 accuracy (mean paired drop)", drop, "<=", 0.03));
    }
    if (has("uniformTensor", 2)) {
      // Collapse of the GPT: worse than a model that ignores context altogether (the unigram perplexity)
      const vsUnigram = paired((i) => (gptRuns[i]!.ptq["uniformTensor"] as Record<number, number>)[2]! / gptRuns[i]!.unigramPpl);
      metrics["gptPplBinaryOverUnigram"] = pos(gptRuns.map((r) => (r.ptq["uniformTensor"] as Record<number, number>)[2]! / r.unigramPpl));
      claims.push(
        claim(
          "binary-ptq-collapses-gpt",
          "Binary per-tensor PTQ (2 states, ±max|w|) collapses the GPT: its perplexity exceeds that of a model that ignores context (the unigram perplexity); value = ratio",
          vsUnigram,
          ">=",
          1,
        ),
      );
      const kept = paired((i) => ((mlpRuns[i]!.ptq["uniformTensor"] as Record<number, number>)[2]! - chance) / Math.max(1e-9, fp32Accs[i]! - chance));
      metrics["mlpBinaryKeptAboveChance"] = kept;
      claims.push(
        claim(
          "binary-ptq-collapses-mlp",
          "Binary per-tensor PTQ keeps at most half of the MLP's accuracy above chance (measured and stated; value = fraction kept)",
          kept,
          "<=",
          0.5,
          false,
        ),
      );
    }
    if (gp) {
      claims.push(claim("packed-int4-exact", "The packed 4-bit file (two codes per byte + float16 scales) round-trips exactly: same codes, weights and perplexity", gp.exact ? 1 : 0, ">=", 1));
      claims.push(claim("packed-int4-size", `The packed 4-bit GPT file (float16 scale per ${gp.groupSize} weights, float32 biases and LayerNorm) is at most 0.16 of its float32 size`, gp.bytes / gp.float32Bytes, "<=", 0.16));
    }
    for (const scheme of ["uniformGroup", "kmeans"]) {
      if (!c.schemes.includes(scheme)) continue;
      const sorted = [...c.states].sort((a, b) => a - b);
      const within = sorted.find((s) => paired((i) => fp32Accs[i]! - (mlpRuns[i]!.ptq[scheme] as Record<number, number>)[s]!) <= 0.01);
      metrics[`mlpStatesWithin1pp_${scheme}`] = within ?? NaN;
      claims.push(
        claim(
          `states-needed-${scheme}`,
          `Fewest states at which ${SCHEME_LABELS[scheme as SchemeName]} PTQ is within 1 pp of float32 on the MLP (measured and stated; synapses: ~10–26)`,
          within ?? NaN,
          "<=",
          26,
          false,
        ),
      );
    }
    if (c.qatVariants.includes("s2") && c.qatVariants.includes("s3")) {
      const low = paired((i) => mlpRuns[i]!.qat["s2"]!.weightChange);
      const high = paired((i) => mlpRuns[i]!.qat["s3"]!.weightChange);
      claims.push(
        claim("paretoq-transition", "ParetoQ's 2–3 bit transition: QAT moves the weights further from the float model at 2 bits than at 3 bits (ratio of relative weight changes, measured and stated)", low / high, ">", 1, false),
      );
    }

    const qatHistories: Record<string, MLPHistoryPoint[]> = {};
    for (const [v, r] of Object.entries(m0.qat)) qatHistories[v] = r.history;
    const cpu = process.cpuUsage(cpu0);
    const data: T5Data = {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      cpuByPhase: clock.seconds,
      states: [...c.states],
      schemes: [...c.schemes],
      groupSize: c.groupSize,
      chance,
      mlp: {
        numParams: Object.values(mlpShapes).reduce((n, [a, b]) => n + a * b + b, 0),
        fp32: acc01(fp32Accs),
        bayes: acc01(mlpRuns.map((r) => r.bayes)),
        ptq: mlpPtq,
        qat: qatData,
        ...(m0.histogram ? { histogram: m0.histogram } : {}),
        ...(m0.packed ? { packed: m0.packed } : {}),
        qatHistories,
      },
      gpt: {
        numParams: g0.numParams,
        fp32Ppl: pos(fp32Ppls),
        entropyRatePpl: g0.entropyRatePpl,
        unigramPpl: g0.unigramPpl,
        int4ByMatrix: Object.fromEntries(Object.keys(g0.int4ByMatrix).map((n) => [n, meanInterval(gptRuns.map((r) => r.int4ByMatrix[n] as number))])),
        ptq: gptPtq,
        ...(g0.histogram ? { histogram: g0.histogram } : {}),
        ...(gp ? { packed: gp } : {}),
        history: g0.history.map((h) => ({ step: h.step, trainLoss: h.trainLoss })),
      },
    };
    return {
      seeds,
      metrics,
      claims,
      data,
      csv: {
        "ptq.csv": { rows: csvPtq, columns: ["model", "scheme", "states", "bitsPerWeight", "seed", "metric", "value"] },
        "qat.csv": { rows: csvQat, columns: ["variant", "states", "bitsPerWeight", "seed", "fp32Acc", "ptqAcc", "qatAcc", "weightChange"] },
      },
    };
  },
  figures(record) {
    return t5Figures(record);
  },
});

// ---------------------------------------------------------------------------------------------------
// Figures (pure functions of the record)

/** Vertical marks: binary, ~10 states (Liu et al. 2017), int4, ~26 states (Bartol et al. 2015). */
const STATE_MARKS: ReadonlyArray<[number, string]> = [
  [2, "2: binary"],
  [10, "~10 spine sizes (Liu 2017)"],
  [16, "16 = int4"],
  [26, "~26 strengths (Bartol 2015)"],
];

/**
 * Reference lines with labels. On a log axis plotly takes shape coordinates in data units but annotation
 * coordinates in log10 units, so the two are placed separately here (plot.ts's withVerticalLines and
 * withHorizontalLines use one value for both, which is right on linear axes only).
 */
function rules(fig: Figure, axisLetter: "x" | "y", values: ReadonlyArray<number>, labels: ReadonlyArray<string>, log: boolean): Figure {
  const line = { color: "#555555", width: 1, dash: axisLetter === "x" ? "dot" : "dash" };
  const shapes = values.map((v) =>
    axisLetter === "x"
      ? { type: "line", xref: "x", yref: "paper", x0: v, x1: v, y0: 0, y1: 1, line, layer: "above" }
      : { type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: v, y1: v, line, layer: "above" },
  );
  const at = (v: number): number => (log ? Math.log10(v) : v);
  const annotations = values.map((v, i) =>
    axisLetter === "x"
      ? { text: labels[i], xref: "x", yref: "paper", x: at(v), y: 1, xanchor: "left", yanchor: "top", showarrow: false, textangle: -90, font: { size: 11, color: line.color } }
      : { text: labels[i], xref: "paper", yref: "y", x: 1, y: at(v), xanchor: "right", yanchor: "bottom", showarrow: false, font: { size: 11, color: line.color } },
  );
  const old = fig.layout as Record<string, unknown>;
  return {
    data: fig.data,
    layout: {
      ...old,
      shapes: [...((old["shapes"] as unknown[] | undefined) ?? []), ...shapes],
      annotations: [...((old["annotations"] as unknown[] | undefined) ?? []), ...annotations],
    },
  };
}

function schemeSeries(d: T5Data, pick: (scheme: string) => { y: Interval[]; x: number[] }): LineSeries[] {
  return d.schemes.map((scheme, i) => {
    const { x, y } = pick(scheme);
    return {
      name: SCHEME_LABELS[scheme as SchemeName] ?? scheme,
      x,
      y: y.map((v) => v.mean),
      lo: y.map((v) => v.lo),
      hi: y.map((v) => v.hi),
      color: paletteColor(i),
      dash: (CONTRACT_SCHEMES as ReadonlyArray<string>).includes(scheme) ? "solid" : "dot",
    };
  });
}

function histogramWithLevels(h: WeightHistogram, title: string): Figure {
  const layout = themeLayout({ title, subtitle: `levels of three per-tensor quantizers with S = ${h.states} states`, xTitle: "weight value", yTitle: "number of weights" }, "t5 histogram");
  const centers = h.counts.map((_, b) => ((h.edges[b] as number) + (h.edges[b + 1] as number)) / 2);
  const width = (h.edges[1] as number) - (h.edges[0] as number);
  const top = Math.max(1, ...h.counts);
  const data: Trace[] = [{ type: "bar", name: "weights", x: centers, y: h.counts, width, marker: { color: "#bbbbbb", line: { color: "#888888", width: 0.5 } } }];
  Object.entries(h.levels).forEach(([name, levels], i) => {
    const frac = 1 - 0.12 * i; // stagger the heights so overlapping level sets stay readable
    data.push({
      type: "scatter",
      mode: "lines",
      name: `${name} levels`,
      x: levels.flatMap((v) => [v, v, null]),
      y: levels.flatMap(() => [0, top * frac, null]),
      line: { color: paletteColor(i), width: 2, dash: i === 0 ? "solid" : i === 1 ? "dash" : "dot" },
    });
  });
  return { data, layout: { ...layout, bargap: 0, showlegend: true } };
}

/** All figures of a t5 record. */
export function t5Figures(record: ResultRecord): Record<string, Figure> {
  const d = record.data as T5Data;
  const n = record.seeds.length;
  const sub = `profile ${record.profile}, ${n} seed${n === 1 ? "" : "s"}, 95% t-intervals; dotted: variants`;
  const marks = (fig: Figure): Figure =>
    rules(
      fig,
      "x",
      STATE_MARKS.map(([s]) => s),
      STATE_MARKS.map(([, l]) => l),
      true,
    );
  const figs: Record<string, Figure> = {};
  const lines = (series: LineSeries[], o: Parameters<typeof lineFigure>[1]): Figure => lineFigure(series, { errors: "bars", legendTitle: "scheme", ...o });
  let f = lines(schemeSeries(d, (s) => ({ x: d.states, y: d.mlp.ptq[s]?.acc ?? [] })), {
    title: "MLP accuracy after post-training quantization",
    subtitle: sub,
    xTitle: "states per weight S (log scale)",
    yTitle: "held-out accuracy",
    xLog: true,
  });
  f = withHorizontalLines(f, [d.mlp.fp32.mean, d.chance], ["float32", "chance"], { dash: "dash" });
  figs["mlp-accuracy-vs-states"] = marks(f);
  f = lines(schemeSeries(d, (s) => ({ x: d.states, y: d.mlp.ptq[s]?.drop ?? [] })), {
    title: "MLP accuracy lost to post-training quantization",
    subtitle: `float32 minus quantized accuracy of the same model; ${n} seed${n === 1 ? "" : "s"}, 95% t-intervals`,
    xTitle: "states per weight S (log scale)",
    yTitle: "accuracy lost (percentage points)",
    xLog: true,
  });
  f = withHorizontalLines(f, [0, 1], ["", "1 pp"], { dash: "dash" });
  figs["mlp-accuracy-drop-vs-states"] = marks(f);
  f = lines(schemeSeries(d, (s) => ({ x: d.states, y: d.gpt.ptq[s]?.ratio ?? [] })), {
    title: "Tiny GPT perplexity after post-training quantization, relative to float32",
    subtitle: `quantized / float32 perplexity of the same model; ${n} seed${n === 1 ? "" : "s"}, geometric mean, 95% t-intervals`,
    xTitle: "states per weight S (log scale)",
    yTitle: "perplexity ratio (log scale)",
    xLog: true,
    yLog: true,
  });
  f = rules(f, "y", [1, 1.02, d.gpt.unigramPpl / d.gpt.fp32Ppl.mean], ["", "+2%", "context-free model"], true);
  figs["gpt-perplexity-vs-states"] = marks(f);
  f = lines(schemeSeries(d, (s) => ({ x: d.mlp.ptq[s]?.bits ?? [], y: d.mlp.ptq[s]?.drop ?? [] })), {
    title: "MLP accuracy lost against storage cost",
    subtitle: "bits per weight = log2 S + float16 scales / codebooks shared by the weights of a tensor, channel or group",
    xTitle: "bits per weight, including scale overhead (log scale)",
    yTitle: "accuracy lost (percentage points)",
    xLog: true,
  });
  figs["mlp-accuracy-vs-bits"] = withHorizontalLines(f, [0, 1], ["", "1 pp"], { dash: "dash" });
  f = lines(schemeSeries(d, (s) => ({ x: d.gpt.ptq[s]?.bits ?? [], y: d.gpt.ptq[s]?.ratio ?? [] })), {
    title: "Tiny GPT perplexity against storage cost",
    subtitle: "bits per weight = log2 S + float16 parameters per tensor / channel / group",
    xTitle: "bits per weight, including scale overhead (log scale)",
    yTitle: "perplexity ratio to float32 (log scale)",
    xLog: true,
    yLog: true,
  });
  figs["gpt-perplexity-vs-bits"] = rules(f, "y", [1, 1.02], ["", "+2%"], true);

  const variants = Object.keys(d.mlp.qat);
  if (variants.length > 0) {
    const cats = variants.map((v) => QAT_LABELS[v as QatVariant] ?? v);
    const get = (k: "ptq" | "qat") => variants.map((v) => (d.mlp.qat[v] as T5Data["mlp"]["qat"][string])[k]);
    const ptq = get("ptq");
    const qat = get("qat");
    f = barFigure(
      cats,
      [
        { name: "PTQ of the float model", y: ptq.map((i) => i.mean), lo: ptq.map((i) => i.lo), hi: ptq.map((i) => i.hi) },
        { name: "QAT (straight-through estimator)", y: qat.map((i) => i.mean), lo: qat.map((i) => i.lo), hi: qat.map((i) => i.hi) },
      ],
      { title: "Post-training quantization vs quantization-aware training (MLP)", subtitle: `${sub.split(";")[0]}; same QAT fine-tuning budget for every bit width`, xTitle: "weight precision", yTitle: "held-out accuracy", valueDigits: 3 },
    );
    figs["ptq-vs-qat"] = withHorizontalLines(f, [d.mlp.fp32.mean, d.chance], ["float32", "chance"], { dash: "dash" });
    const wc = variants.map((v) => (d.mlp.qat[v] as T5Data["mlp"]["qat"][string]).weightChange);
    figs["qat-weight-change"] = barFigure(
      cats,
      [{ name: "relative change", y: wc.map((i) => i.mean), lo: wc.map((i) => i.lo), hi: wc.map((i) => i.hi) }],
      { title: "How far QAT moves the weights from the float model", subtitle: "‖W_QAT − W_float‖ / ‖W_float‖ over all kernels (ParetoQ: small at 3–4 bits, large at ≤ 2 bits)", xTitle: "weight precision", yTitle: "relative weight change", valueDigits: 2 },
    );
    const runs = Object.entries(d.mlp.qatHistories).map(([v, h]) => ({ name: QAT_LABELS[v as QatVariant] ?? v, history: h.map((p) => ({ step: p.step, trainLoss: p.loss })) }));
    if (runs.length > 0 && runs.every((r) => r.history.length > 0)) {
      figs["qat-loss-curves"] = lossCurveFigure(runs, { title: "QAT fine-tuning loss (MLP, first seed)", yTitle: "training cross-entropy (nats)" });
    }
  }
  const byMatrix = Object.entries(d.gpt.int4ByMatrix ?? {});
  if (byMatrix.length > 0) {
    figs["gpt-int4-by-matrix"] = barFigure(
      byMatrix.map(([n]) => n),
      [{ name: "perplexity increase", y: byMatrix.map(([, v]) => 100 * v.mean), lo: byMatrix.map(([, v]) => 100 * v.lo), hi: byMatrix.map(([, v]) => 100 * v.hi) }],
      { title: "Where the GPT's int4 error comes from", subtitle: `group-wise int4 (groups of ${d.groupSize}) applied to one matrix at a time; ${sub.split(";")[0]}`, xTitle: "quantized matrix", yTitle: "relative perplexity increase (%)", valueDigits: 2 },
    );
  }
  if (d.mlp.histogram) figs["mlp-weight-histogram"] = histogramWithLevels(d.mlp.histogram, `Weights of ${d.mlp.histogram.layer} and quantization levels`);
  if (d.gpt.histogram) figs["gpt-weight-histogram"] = histogramWithLevels(d.gpt.histogram, `Weights of ${d.gpt.histogram.layer} and quantization levels`);
  return figs;
}
