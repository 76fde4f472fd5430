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
  fakeQuant,
  fakeQuantSTE,
  kmeans1d,
  logLevels,
  type QuantizedTensor,
  quantizeMatrix,
  quantSpec,
  type QuantSpec,
} from "../../quantize";
import { deriveSeed, Rng } from "../../rng";
import { evaluateLoss } from "../../train";
import { type GPT, oneHotF32, referenceOps, type TrainableModel } from "../../transformer";
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
 * The quantizer of a QAT variant (bits). `1.58` is BitNet b1.58's absmean rule (Ma et al. 2024):
 * W_q = γ·round(clip(W/γ, −1, 1)), γ = mean|W| per tensor; `1` is binary with a per-channel scale,
 * sign(W)·mean|W| per output channel (XNOR-Net; ParetoQ's 1-bit rule); 2, 3, 4 and 8 bits are 2^b-state
 * symmetric uniform quantizers per output channel with the clip range that minimises the squared error
 * (recomputed every step, not differentiated).
 */
export function qatSpec(v: QatVariant): QuantSpec {
  switch (v) {
    case "1":
      return quantSpec({ states: 2, granularity: "channel", clip: "absmean" });
    case "1.58":
      return quantSpec({ states: 3, granularity: "tensor", clip: "absmean" });
    case "2":
      return quantSpec({ states: 4, granularity: "channel", clip: "mse" });
    case "3":
      return quantSpec({ states: 8, granularity: "channel", clip: "mse" });
    case "4":
      return quantSpec({ states: 16, granularity: "channel", clip: "mse" });
    case "8":
      return quantSpec({ states: 256, granularity: "channel", clip: "mse" });
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
export async function quantizeAll(
  mats: Matrices,
  spec: QuantSpec,
  tables: ReadonlySet<string> = new Set(),
): Promise<Record<string, QuantizedTensor>> {
  const out: Record<string, QuantizedTensor> = {};
  for (const [name, v] of Object.entries(mats))
    out[name] = await quantizeMatrix(v as tf.Tensor2D, specFor(spec, name, tables));
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

// ---------------------------------------------------------------------------------------------------
// States needed, useful states and the entropy of the codes

/**
 * The smallest number of states within `eps` of float32, as a continuous estimate: `drops[k]` is the
 * float32 minus quantized accuracy at `states[k]` (sorted ascending). S* is the first S from which every
 * larger S on the grid is within eps (the curve's upper envelope, so one lucky S does not count), linearly
 * interpolated in log2 S between the last S outside and the first S inside. Returns `states[0]` when
 * every S is within eps, and NaN when the largest S is not.
 */
export function statesNeeded(states: ReadonlyArray<number>, drops: ReadonlyArray<number>, eps: number): number {
  const n = states.length;
  if (n === 0 || drops.length !== n) throw new Error("statesNeeded: give one drop per number of states");
  let k = n; // first index from which every drop is within eps
  while (k > 0 && (drops[k - 1] as number) <= eps) k--;
  if (k === n) return NaN;
  if (k === 0) return states[0] as number;
  const [s0, s1] = [states[k - 1] as number, states[k] as number];
  const [d0, d1] = [drops[k - 1] as number, drops[k] as number];
  const t = d0 === d1 ? 1 : (d0 - eps) / (d0 - d1); // where the segment crosses eps (d0 > eps ≥ d1)
  return 2 ** (Math.log2(s0) + Math.min(1, Math.max(0, t)) * (Math.log2(s1) - Math.log2(s0)));
}

/**
 * Useful states on a doubling ladder S, 2S, 4S, …: the first S whose doubling gains less than `eps`
 * accuracy (acc(2S) − acc(S) < eps); the last rung when every doubling still gains.
 */
export function usefulStates(ladder: ReadonlyArray<number>, accs: ReadonlyArray<number>, eps: number): number {
  for (let k = 0; k + 1 < ladder.length; k++)
    if ((accs[k + 1] as number) - (accs[k] as number) < eps) return ladder[k] as number;
  return ladder[ladder.length - 1] as number;
}

/** Empirical entropy (bits per weight) of the codes of quantized matrices, weighted by their sizes. */
export function codeEntropyBits(qs: ReadonlyArray<QuantizedTensor>): number {
  let bits = 0;
  let n = 0;
  for (const q of qs) {
    const counts = new Map<number, number>();
    for (const c of q.codes) counts.set(c, (counts.get(c) ?? 0) + 1);
    const total = q.codes.length;
    let h = 0;
    for (const k of counts.values()) h -= (k / total) * Math.log2(k / total);
    bits += h * total;
    n += total;
  }
  return bits / Math.max(1, n);
}

/**
 * Multiplicative synaptic noise: every weight w becomes w·(1 + cv·z), z standard normal, seeded.
 * Caller disposes.
 */
export function noisyWeights(w: tf.Tensor2D, cv: number, seed: number): tf.Tensor2D {
  if (cv === 0) return tf.clone(w);
  return tf.tidy(
    () => tf.mul(w, tf.add(1, tf.mul(cv, tf.randomNormal(w.shape, 0, 1, "float32", seed)))) as tf.Tensor2D,
  );
}

/** Last hidden layer of an MLP (after ReLU) for inputs `x` [B, d], weights optionally replaced. Caller disposes. */
export function mlpHidden(model: MLP, x: tf.Tensor2D, weights?: ReadonlyArray<tf.Tensor2D>): tf.Tensor2D {
  return tf.tidy(() => {
    let h: tf.Tensor2D = x;
    for (let l = 0; l + 1 < model.kernels.length; l++) {
      const w = weights ? (weights[l] as tf.Tensor2D) : (model.kernels[l] as tf.Tensor2D);
      h = tf.relu(tf.add(tf.matMul(h, w), model.biases[l] as tf.Tensor1D)) as tf.Tensor2D; // [B, in] -> [B, out]
    }
    return h;
  });
}

/**
 * Linear CKA (Kornblith et al. 2019) of two representations [n, p] and [n, q] of the same n inputs:
 * ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) after centring each feature; 1 for representations equal up to a
 * rotation and scale.
 */
export async function linearCka(x: tf.Tensor2D, y: tf.Tensor2D): Promise<number> {
  const t = tf.tidy(() => {
    const xc = tf.sub(x, tf.mean(x, 0, true));
    const yc = tf.sub(y, tf.mean(y, 0, true));
    const fro2 = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.sum(tf.square(tf.matMul(a, b, true, false)));
    return tf.stack([fro2(yc, xc), tf.sqrt(fro2(xc, xc)), tf.sqrt(fro2(yc, yc))]);
  });
  const [num, a, b] = Array.from(await t.data());
  t.dispose();
  return (num as number) / Math.max(1e-30, (a as number) * (b as number));
}

// ---------------------------------------------------------------------------------------------------
// GPTQ (Frantar et al. 2022) and round-to-nearest with the same quantizer

/** The quantizer of the GPTQ comparison: asymmetric min–max uniform, 2^bits levels, per output channel or per group of inputs. */
export interface GptqQuantizer {
  readonly bits: number;
  /** `channel`: one scale and zero point per output channel; `group`: per `groupSize` consecutive inputs of a channel. */
  readonly granularity: "channel" | "group";
  readonly groupSize: number;
}

/** Scale and zero point of asymmetric min–max quantization of values (0 is always representable). */
function minMaxParams(vals: ArrayLike<number>, maxq: number): { scale: number; zero: number } {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < vals.length; i++) {
    lo = Math.min(lo, vals[i] as number);
    hi = Math.max(hi, vals[i] as number);
  }
  const scale = hi > lo ? (hi - lo) / maxq : 1;
  return { scale, zero: Math.round(-lo / scale) };
}

const quantOne = (w: number, scale: number, zero: number, maxq: number): number =>
  scale * (Math.min(maxq, Math.max(0, Math.round(w / scale) + zero)) - zero);

/**
 * Quantize W (row-major [in, out], as the model stores it: x W) with GPTQ, or with plain round-to-nearest
 * when `h` is null. GPTQ (Frantar et al. 2022, Algorithm 1 without lazy batching): with H = XᵀX of the
 * layer's calibration inputs (plus 1% of its mean diagonal), quantize one input dimension i at a time,
 * for all output channels at once, and spread the error over the inputs not yet quantized through the
 * upper Cholesky factor U of H⁻¹: W[j, :] −= (w_i − q_i)/U[i,i] · U[i, j]. Group scales are set when a
 * group is reached, from the already updated weights (as the reference code does). Returns the
 * dequantized weights, [in, out].
 */
export function gptqQuantize(
  w: Float32Array,
  nIn: number,
  nOut: number,
  quant: GptqQuantizer,
  h: Float64Array | null,
  damp = 0.01,
): Float32Array {
  const maxq = 2 ** quant.bits - 1;
  const W = Float64Array.from(w); // [in, out]: row i holds input i for every channel
  const Q = new Float32Array(nIn * nOut);
  const scale = new Float64Array(nOut);
  const zero = new Float64Array(nOut);
  const col = new Float64Array(nIn);
  const setParams = (from: number, to: number): void => {
    for (let o = 0; o < nOut; o++) {
      for (let i = from; i < to; i++) col[i - from] = W[i * nOut + o] as number;
      const p = minMaxParams(col.subarray(0, to - from), maxq);
      scale[o] = p.scale;
      zero[o] = p.zero;
    }
  };
  const U = h ? inverseCholeskyUpper(h, nIn, damp, W, nOut) : null;
  if (quant.granularity === "channel") setParams(0, nIn);
  const g = quant.granularity === "group" ? Math.min(quant.groupSize, nIn) : nIn;
  const err = new Float64Array(nOut);
  for (let i = 0; i < nIn; i++) {
    if (quant.granularity === "group" && i % g === 0) setParams(i, Math.min(nIn, i + g));
    const d = U ? (U[i * nIn + i] as number) : 1;
    for (let o = 0; o < nOut; o++) {
      const x = W[i * nOut + o] as number;
      const q = quantOne(x, scale[o] as number, zero[o] as number, maxq);
      Q[i * nOut + o] = q;
      err[o] = (x - q) / d;
    }
    if (!U) continue;
    for (let j = i + 1; j < nIn; j++) {
      const u = U[i * nIn + j] as number;
      if (u === 0) continue;
      const row = j * nOut;
      for (let o = 0; o < nOut; o++) W[row + o] -= (err[o] as number) * u;
    }
  }
  return Q;
}

/**
 * The upper Cholesky factor U (H⁻¹ = UᵀU) of the damped inverse Hessian, as GPTQ uses it. Dead inputs
 * (H[i,i] = 0) get H[i,i] = 1 and their weights zeroed in `W` (as the reference code does).
 */
function inverseCholeskyUpper(hIn: Float64Array, n: number, damp: number, W: Float64Array, nOut: number): Float64Array {
  const H = Float64Array.from(hIn);
  let meanDiag = 0;
  for (let i = 0; i < n; i++) {
    if (H[i * n + i] === 0) {
      H[i * n + i] = 1;
      for (let o = 0; o < nOut; o++) W[i * nOut + o] = 0;
    }
    meanDiag += H[i * n + i] as number;
  }
  meanDiag /= n;
  for (let i = 0; i < n; i++) H[i * n + i] += damp * meanDiag;
  const L = cholesky(H, n); // H = L Lᵀ
  // H⁻¹ = L⁻ᵀ L⁻¹: invert L (lower triangular) by forward substitution
  const Li = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let r = c; r < n; r++) {
      let s = r === c ? 1 : 0;
      for (let k = c; k < r; k++) s -= (L[r * n + k] as number) * (Li[k * n + c] as number);
      Li[r * n + c] = s / (L[r * n + r] as number);
    }
  }
  const Hinv = new Float64Array(n * n);
  for (let r = 0; r < n; r++)
    for (let c = 0; c <= r; c++) {
      let s = 0;
      for (let k = r; k < n; k++) s += (Li[k * n + r] as number) * (Li[k * n + c] as number);
      Hinv[r * n + c] = s;
      Hinv[c * n + r] = s;
    }
  const L2 = cholesky(Hinv, n); // H⁻¹ = L2 L2ᵀ, so U = L2ᵀ
  const U = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = r; c < n; c++) U[r * n + c] = L2[c * n + r] as number;
  return U;
}

/** Lower Cholesky factor of a symmetric positive definite n×n matrix (row-major). */
export function cholesky(A: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (L[i * n + k] as number) * (L[j * n + k] as number);
      if (i === j) {
        if (!(s > 0)) throw new Error(`cholesky: matrix not positive definite at ${i} (pivot ${s})`);
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / (L[j * n + j] as number);
    }
  }
  return L;
}

/**
 * The GPT's forward pass recomputed with the reference ops from weights given by `w(name)` (the model's own,
 * or e.g. fake-quantized ones): logits [B·T, V]. `keep(name, x)` sees the input of every linear map (wqkv,
 * wo, w1, w2 of each block, lmHead). Must run inside a tidy.
 */
export function referenceLogits(
  model: GPT,
  tokens: tf.Tensor2D,
  w: (name: string) => tf.Tensor,
  keep: (name: string, x: tf.Tensor2D) => tf.Tensor2D = (_n, x) => x,
): tf.Tensor2D {
  const { nLayer, nHead, dModel: C, vocabSize: V } = model.config;
  const [B, T] = tokens.shape;
  const ops = referenceOps;
  const oneHot = oneHotF32(tf.reshape(tokens, [B * T]) as tf.Tensor1D, V); // [B*T, V]
  const tok = tf.matMul(oneHot, w("wte") as tf.Tensor2D); // [B*T, C]
  const pos = tf.slice(w("wpe"), [0, 0], [T, C]); // [T, C]
  let x = tf.reshape(tf.add(tf.reshape(tok, [B, T, C]), pos), [B * T, C]) as tf.Tensor2D;
  for (let l = 0; l < nLayer; l++) {
    const a = keep(`h${l}.attn.wqkv`, ops.layerNorm(x, w(`h${l}.ln1.g`), w(`h${l}.ln1.b`)));
    const qkv = ops.linear(a, w(`h${l}.attn.wqkv`), w(`h${l}.attn.bqkv`));
    const att = keep(`h${l}.attn.wo`, ops.causalAttention(qkv, B, T, nHead, false).out as tf.Tensor2D);
    x = tf.add(x, ops.linear(att, w(`h${l}.attn.wo`), w(`h${l}.attn.bo`)));
    const m = keep(`h${l}.mlp.w1`, ops.layerNorm(x, w(`h${l}.ln2.g`), w(`h${l}.ln2.b`)));
    const hid = keep(`h${l}.mlp.w2`, ops.gelu(ops.linear(m, w(`h${l}.mlp.w1`), w(`h${l}.mlp.b1`))));
    x = tf.add(x, ops.linear(hid, w(`h${l}.mlp.w2`), w(`h${l}.mlp.b2`)));
  }
  const hf = keep("lmHead", ops.layerNorm(x, w("lnf.g"), w("lnf.b")));
  return tf.matMul(hf, w("lmHead") as tf.Tensor2D) as tf.Tensor2D; // [B*T, V]
}

/**
 * The inputs of every linear map of a GPT on `tokens` [B, T]: wqkv, wo, w1, w2 of each block and lmHead
 * (wte and wpe are lookup tables: their "input" is one-hot). Recomputes the forward pass with the
 * reference ops from the model's weights (the test checks the logits against `model.forward`). Returns
 * name → [B·T, in] values and the logits. Reads asynchronously.
 */
export async function gptLinearInputs(
  model: GPT,
  tokens: tf.Tensor2D,
): Promise<{ inputs: Record<string, { rows: number; cols: number; values: Float32Array }>; logits: Float32Array }> {
  const p = model.namedWeights();
  const captured: Record<string, tf.Tensor2D> = {};
  const logits = tf.tidy(() =>
    referenceLogits(
      model,
      tokens,
      (n) => p[n] as tf.Tensor,
      (name, t) => {
        captured[name] = tf.keep(t.clone());
        return t;
      },
    ),
  );
  const inputs: Record<string, { rows: number; cols: number; values: Float32Array }> = {};
  try {
    for (const [name, t] of Object.entries(captured))
      inputs[name] = { rows: t.shape[0], cols: t.shape[1], values: (await t.data()) as Float32Array };
    return { inputs, logits: (await logits.data()) as Float32Array };
  } finally {
    tf.dispose([logits, ...Object.values(captured)]);
  }
}

/**
 * A GPT seen by the trainer with its weight matrices fake-quantized in the forward pass (straight-through
 * estimator, as BitNet trains): the same variables, a loss through {@link referenceLogits} with
 * `fakeQuantSTE` on every matrix (tables by row). QAT of the GPT with `trainModel`.
 */
export function quantizedTrainable(model: GPT, spec: QuantSpec): TrainableModel {
  return {
    namedWeights: () => model.namedWeights(),
    loss: (x: tf.Tensor2D, y: tf.Tensor2D, mask?: tf.Tensor2D): tf.Scalar =>
      tf.tidy(() => {
        const p = model.namedWeights();
        const w = (n: string): tf.Tensor => {
          const v = p[n] as tf.Variable;
          return v.rank === 2
            ? fakeQuantSTE(v as tf.Variable as unknown as tf.Tensor2D, specFor(spec, n, GPT_TABLES))
            : v;
        };
        const [B, T] = x.shape;
        const logits = referenceLogits(model, x, w);
        const m = mask ? (tf.reshape(tf.cast(mask, "float32"), [B * T]) as tf.Tensor1D) : undefined;
        return referenceOps.crossEntropy(logits, tf.reshape(y, [B * T]) as tf.Tensor1D, m);
      }),
  };
}

/** The GPT's matrices fake-quantized with `spec` (tables by row), read as arrays for {@link gptPerplexityWith}. */
export async function fakeQuantValues(model: GPT, spec: QuantSpec): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [n, v] of Object.entries(model.namedWeights())) {
    if (v.rank !== 2) continue;
    const q = fakeQuant(v as unknown as tf.Tensor2D, specFor(spec, n, GPT_TABLES));
    try {
      out[n] = (await q.data()) as Float32Array;
    } finally {
      q.dispose();
    }
  }
  return out;
}

/** XᵀX of inputs [rows, cols] (the layer Hessian of GPTQ up to a factor 2/rows), float64. */
export function gramMatrix(x: { rows: number; cols: number; values: Float32Array }): Float64Array {
  const { rows, cols, values } = x;
  const H = new Float64Array(cols * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let i = 0; i < cols; i++) {
      const xi = values[o + i] as number;
      if (xi === 0) continue;
      const hi = i * cols;
      for (let j = i; j < cols; j++) H[hi + j] += xi * (values[o + j] as number);
    }
  }
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) H[i * cols + j] = H[j * cols + i] as number;
  return H;
}

/** Perplexity of the GPT with some weights replaced by `values` ([in, out] float32 each), restored afterwards. */
export async function gptPerplexityWith(
  model: GPT,
  values: Record<string, Float32Array>,
  lang: ZipfLanguage,
  c: T5Config,
  seed: number,
): Promise<number> {
  const all = model.namedWeights();
  const saved: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(values)) {
    const variable = all[name];
    if (!variable) throw new Error(`gptPerplexityWith: the model has no weight "${name}"`);
    saved[name] = tf.clone(variable);
    const t = tf.tensor(v, variable.shape);
    variable.assign(t);
    t.dispose();
  }
  try {
    return await perplexity(model, lang, c, seed);
  } finally {
    for (const [name, t] of Object.entries(saved)) (all[name] as tf.Variable).assign(t);
    tf.dispose(Object.values(saved));
  }
}
