/**
 * Takeaway 5's tools for quantizing a trained model: the quantizer of each scheme and QAT variant,
 * quantizing every matrix, bits per weight, and accuracy or perplexity with quantized weights.
 */
import * as tf from "@tensorflow/tfjs";
import type { ZipfLanguage } from "../../data/zipf-language";
import { mlpAccuracy, type MLP } from "../../mlp";
import { histogramCounts } from "../../present/plot";
import {
  bitsPerWeight,
  dequantize,
  kmeans1d,
  logLevels,
  type QuantizedTensor,
  quantizeMatrix,
  quantSpec,
  type QuantSpec,
} from "../../quantize";
import { deriveSeed, Rng } from "../../rng";
import { evaluateLoss } from "../../train";
import type { GPT } from "../../transformer";
import type { QatVariant, SchemeName, T5Config, WeightHistogram } from "./config";

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
// Quantizing a model's matrices

/** Matrices of a model by name (2-D variables; biases and LayerNorm stay float). */
export type Matrices = Record<string, tf.Variable>;

/**
 * The GPT's lookup tables (token and position embeddings): quantized by row, one vector per token or
 * position, as GGML stores them. Quantized by column, one outlying position would set the scale of
 * every position.
 */
export const GPT_TABLES: ReadonlySet<string> = new Set(["wte", "wpe"]);

/** The spec for one matrix: tables by row, a k-means seed of its own. */
export function specFor(spec: QuantSpec, name: string, tables: ReadonlySet<string>): QuantSpec {
  return { ...spec, byRow: tables.has(name), seed: deriveSeed(spec.seed, name) };
}

/** Quantize every matrix with `spec`; returns the quantized tensors (the model is not touched). */
export function quantizeAll(
  mats: Matrices,
  spec: QuantSpec,
  tables: ReadonlySet<string> = new Set(),
): Record<string, QuantizedTensor> {
  const out: Record<string, QuantizedTensor> = {};
  for (const [name, v] of Object.entries(mats))
    out[name] = quantizeMatrix(v as tf.Tensor2D, specFor(spec, name, tables));
  return out;
}

/** Shapes of the matrices by name, for bits-per-weight accounting. */
export function shapesOf(mats: Matrices): Record<string, [number, number]> {
  return Object.fromEntries(Object.entries(mats).map(([n, v]) => [n, [v.shape[0] as number, v.shape[1] as number]]));
}

/** Bits per weight (codes + float16 parameters) over all matrices of a model. */
export function modelBits(
  spec: QuantSpec,
  shapes: Record<string, [number, number]>,
  tables: ReadonlySet<string>,
): number {
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
export async function mlpQuantAccuracy(
  model: MLP,
  q: Record<string, QuantizedTensor>,
  x: Float32Array,
  y: Int32Array,
): Promise<number> {
  const names = Object.keys(model.namedKernels());
  const deq = names.map((n) => dequantize(q[n] as QuantizedTensor));
  try {
    return await mlpAccuracy(model, x, y, (_w, l) => deq[l] as tf.Tensor2D);
  } finally {
    tf.dispose(deq);
  }
}

/** Held-out perplexity exp(mean CE) of a GPT over fixed batches. */
export async function perplexity(model: GPT, lang: ZipfLanguage, c: T5Config, seed: number): Promise<number> {
  const loss = await evaluateLoss(
    model,
    lang.batchSampler(c.gpt.seqLen),
    c.gptTrain.batchSize,
    c.evalBatches,
    deriveSeed(seed, "heldout"),
  );
  return Math.exp(loss);
}

/** Perplexity of the GPT with its matrices replaced by `q` (restored afterwards). */
export async function gptQuantPerplexity(
  model: GPT,
  mats: Matrices,
  q: Record<string, QuantizedTensor>,
  lang: ZipfLanguage,
  c: T5Config,
  seed: number,
): Promise<number> {
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

export function weightHistogram(
  layer: string,
  values: Float32Array,
  states: number,
  bins: number,
  seed: number,
): WeightHistogram {
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

/** Relative L2 distance between two weight sets (all kernels together). */
export function relativeChange(a: Float32Array[], b: Float32Array[]): number {
  let num = 0;
  let den = 0;
  a.forEach((x, i) => {
    const y = b[i] as Float32Array;
    for (let j = 0; j < x.length; j++) {
      num += (x[j] - y[j]) ** 2;
      den += x[j] ** 2;
    }
  });
  return Math.sqrt(num / Math.max(den, 1e-30));
}

export function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
