/**
 * Weight quantizers (Gros 2025, takeaway 5: "4 bits suffice"; synapses hold ~10–26 states).
 *
 * A quantizer maps every weight of a matrix to one of S states. Everything here is written with tfjs
 * core ops so the maths is visible (STYLE §4):
 *
 * - **uniform** levels, evenly spaced: symmetric on [-c, c] (c = max|w|, or a clipped c) or asymmetric
 *   on [min w, max w]; `x̂ = lo + Δ·clip(round((x − lo)/Δ), 0, S − 1)` with `Δ = (hi − lo)/(S − 1)`.
 *   Symmetric with odd S contains 0 (S = 3 is ternary); with even S it does not (S = 2 is binary ±c).
 * - **kmeans** levels: the S centroids of a 1-D k-means (Lloyd's algorithm, seeded k-means++ start) fitted
 *   to the weights — the MSE-optimal codebook ("deep compression", Han et al. 2016).
 * - **log** levels: magnitudes spaced in powers of two below c (Miyashita et al. 2016), dense near zero like
 *   the heavy-tailed distribution of synapse sizes (Bartol et al. 2015; Liu et al. 2017).
 *
 * Granularity says which weights share a scale (or a codebook): one per **tensor**, one per output
 * **channel** (a column of the `[in, out]` kernel), or one per **group** of `groupSize` consecutive input
 * weights within a column (GPTQ/AWQ/GGML-style group-wise int4). Lookup tables (embeddings) are
 * quantized `byRow`: each row is a token's vector and plays the output channel.
 *
 * Two paths share the maths:
 * - {@link fakeQuant} / {@link fakeQuantSTE}: float32 in, float32 out, all in the graph; the STE version
 *   passes gradients straight through inside the clip range (Bengio et al. 2013), for quantization-aware
 *   training (QAT).
 * - {@link quantizeMatrix} / {@link dequantize}: post-training quantization (PTQ) into integer codes and
 *   float16 parameters — a real format that `quant-pack.ts` stores at 4 bits per weight.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "./rng";

/** How the S levels are placed. */
export type QuantScheme = "uniform" | "kmeans" | "log";
/** Which weights share one scale / codebook. */
export type Granularity = "tensor" | "channel" | "group";
/**
 * How a uniform quantizer chooses its range c: `max` = max|w| (absmax, never clips), `mse` = the c on a
 * grid that minimises the squared quantization error, `absmean` = mean|w| (BitNet b1.58's ternary rule).
 */
export type ClipRule = "max" | "mse" | "absmean";

/** A quantizer. */
export interface QuantSpec {
  /** Number of states S per weight (2..256): 16 is int4, 3 is ternary, 2 binary. */
  readonly states: number;
  readonly scheme: QuantScheme;
  /** Uniform only: levels symmetric about 0 (true) or spanning [min, max] (false). */
  readonly symmetric: boolean;
  readonly granularity: Granularity;
  /** Weights per group along the input axis (granularity `group`): 32, 64 or 128 are typical. */
  readonly groupSize: number;
  /**
   * The matrix is a lookup table `[rows, dim]` (token or position embeddings): each row is a vector of
   * its own, so rows play the output channels and groups run along a row (as GGML stores embeddings).
   * False for a kernel `[in, out]`, whose channels are its columns.
   */
  readonly byRow: boolean;
  /** Uniform only: how the range is chosen. */
  readonly clip: ClipRule;
  /** kmeans only: seed of the k-means++ start. */
  readonly seed: number;
  /** kmeans only: at most this many Lloyd iterations. */
  readonly maxIter: number;
}

/** Defaults: symmetric absmax int4, one scale per output channel. */
export const QUANT_DEFAULTS: QuantSpec = Object.freeze({
  states: 16,
  scheme: "uniform",
  symmetric: true,
  granularity: "channel",
  groupSize: 32,
  byRow: false,
  clip: "max",
  seed: 0,
  maxIter: 50,
});

/** A spec from defaults and overrides, validated (errors name the field and the fix). */
export function quantSpec(partial: Partial<QuantSpec> = {}): QuantSpec {
  const s: QuantSpec = { ...QUANT_DEFAULTS, ...partial };
  if (!Number.isInteger(s.states) || s.states < 2 || s.states > 256) {
    throw new Error(`QuantSpec.states: must be an integer in [2, 256] (codes are stored in one byte), got ${s.states}`);
  }
  if (!["uniform", "kmeans", "log"].includes(s.scheme))
    throw new Error(`QuantSpec.scheme: use uniform, kmeans or log, got "${s.scheme}"`);
  if (!["tensor", "channel", "group"].includes(s.granularity)) {
    throw new Error(`QuantSpec.granularity: use tensor, channel or group, got "${s.granularity}"`);
  }
  if (!Number.isInteger(s.groupSize) || s.groupSize < 1)
    throw new Error(`QuantSpec.groupSize: must be a positive integer, got ${s.groupSize}`);
  if (typeof s.byRow !== "boolean") throw new Error(`QuantSpec.byRow: must be a boolean, got ${String(s.byRow)}`);
  if (!["max", "mse", "absmean"].includes(s.clip))
    throw new Error(`QuantSpec.clip: use max, mse or absmean, got "${s.clip}"`);
  if (!Number.isInteger(s.maxIter) || s.maxIter < 1)
    throw new Error(`QuantSpec.maxIter: must be a positive integer, got ${s.maxIter}`);
  if (!Number.isInteger(s.seed)) throw new Error(`QuantSpec.seed: must be an integer, got ${s.seed}`);
  return s;
}

/** A short label, e.g. `uniform-sym-group32-max-s16`. */
export function describeSpec(s: QuantSpec): string {
  const gran = (s.granularity === "group" ? `group${s.groupSize}` : s.granularity) + (s.byRow ? "-byrow" : "");
  const uni = s.scheme === "uniform" ? `-${s.symmetric ? "sym" : "asym"}-${s.clip}` : "";
  return `${s.scheme}${uni}-${gran}-s${s.states}`;
}

// ---------------------------------------------------------------------------------------------------
// Float16: the parameters (scales, offsets, codebooks) of a quantized tensor are stored as float16.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of x (round to nearest even; overflow to ±Inf). */
export function float16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const e32 = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (e32 === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const exp = e32 - 127 + 15;
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (exp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++; // a carry into the exponent is correct
  return sign | half;
}

/** The number whose binary16 bits are h. */
export function float16FromBits(h: number): number {
  const s = (h & 0x8000) !== 0 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m !== 0 ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** x rounded to the nearest float16 value. */
export function roundToFloat16(x: number): number {
  return float16FromBits(float16Bits(x));
}

// ---------------------------------------------------------------------------------------------------
// Layout: a kernel [in, out] as rows that share one scale.

/** The spec fields that decide which weights share a scale. */
export type LayoutSpec = Pick<QuantSpec, "granularity" | "groupSize" | "byRow">;

/** The `[in, out]` view of a matrix: its transpose for a table quantized by row. */
function kernelShape(shape: readonly [number, number], spec: LayoutSpec): [number, number] {
  return spec.byRow ? [shape[1], shape[0]] : [shape[0], shape[1]];
}

/** Rows × row length of the grouped layout of a matrix of `shape`. */
export function groupLayout(
  shape: readonly [number, number],
  spec: LayoutSpec,
): {
  numGroups: number;
  groupLen: number;
} {
  const [nIn, nOut] = kernelShape(shape, spec);
  if (spec.granularity === "tensor") return { numGroups: 1, groupLen: nIn * nOut };
  if (spec.granularity === "channel") return { numGroups: nOut, groupLen: nIn };
  const g = Math.min(spec.groupSize, nIn);
  return { numGroups: nOut * Math.ceil(nIn / g), groupLen: g };
}

/**
 * The weights of a kernel `w` [in, out] as rows that share a scale: `[1, in·out]` (tensor), `[out, in]`
 * (channel) or `[out·⌈in/g⌉, g]` (group). With `byRow` the matrix is a lookup table `[rows, dim]` and
 * rows take the role of output channels. A ragged last group is padded by repeating the channel's last
 * weight, which changes neither its max, min nor absmax. Caller disposes.
 */
export function toGroups(w: tf.Tensor2D, spec: LayoutSpec): tf.Tensor2D {
  return tf.tidy(() => {
    const k = spec.byRow ? (w.transpose() as tf.Tensor2D) : w; // a table [rows, dim] -> [dim, rows]
    const [nIn, nOut] = k.shape;
    const { numGroups, groupLen } = groupLayout(w.shape, spec);
    if (spec.granularity === "tensor") return k.reshape([1, nIn * nOut]); // [in, out] -> [1, in·out]
    const wt = k.transpose() as tf.Tensor2D; // [in, out] -> [out, in]
    if (spec.granularity === "channel") return wt;
    const padded = (numGroups / nOut) * groupLen;
    let x: tf.Tensor2D = wt;
    if (padded > nIn) {
      const idx = tf.tensor1d(
        Array.from({ length: padded }, (_, i) => Math.min(i, nIn - 1)),
        "int32",
      );
      x = tf.gather(wt, idx, 1) as tf.Tensor2D; // [out, in] -> [out, padded]
    }
    return x.reshape([numGroups, groupLen]); // [out, padded] -> [out·nG, g]
  });
}

/** Inverse of {@link toGroups}: rows back to a matrix of `shape` (padding dropped). Caller disposes. */
export function fromGroups(rows: tf.Tensor2D, shape: readonly [number, number], spec: LayoutSpec): tf.Tensor2D {
  return tf.tidy(() => {
    const [nIn, nOut] = kernelShape(shape, spec);
    let k: tf.Tensor2D;
    if (spec.granularity === "tensor") k = rows.reshape([nIn, nOut]);
    else {
      const { numGroups, groupLen } = groupLayout(shape, spec);
      let x = rows.reshape([nOut, (numGroups / nOut) * groupLen]) as tf.Tensor2D; // [out·nG, g] -> [out, padded]
      if (x.shape[1] > nIn) x = x.slice([0, 0], [nOut, nIn]); // -> [out, in]
      k = x.transpose() as tf.Tensor2D; // [out, in] -> [in, out]
    }
    return spec.byRow ? (k.transpose() as tf.Tensor2D) : k;
  });
}

// ---------------------------------------------------------------------------------------------------
// Core ops, per row of the grouped layout.

/** Clip ratios tried by the `mse` rule: 20 values from 1 down to 0.05, geometric (steps of ~17%). */
export const MSE_CLIP_GRID: ReadonlyArray<number> = Array.from({ length: 20 }, (_, k) => 0.05 ** (k / 19));

/** Uniform fake quantization of rows x [G, L] with per-row lo, delta [G, 1]: x̂ and the codes. Caller disposes. */
export function uniformQuantOps(
  x: tf.Tensor,
  lo: tf.Tensor,
  delta: tf.Tensor,
  states: number,
): { codes: tf.Tensor; xHat: tf.Tensor } {
  return tf.tidy(() => {
    const codes = tf.clipByValue(tf.round(tf.div(tf.sub(x, lo), delta)), 0, states - 1); // [G, L] in {0..S-1}
    return { codes, xHat: tf.add(lo, tf.mul(codes, delta)) };
  });
}

/** Per-row range [lo, hi] (each [G, 1]) of a uniform quantizer before the clip rule. Caller disposes. */
function rawRange(x: tf.Tensor2D, symmetric: boolean, clip: ClipRule): { lo: tf.Tensor2D; hi: tf.Tensor2D } {
  return tf.tidy(() => {
    if (clip === "absmean") {
      const c = tf.mean(tf.abs(x), 1, true) as tf.Tensor2D; // BitNet b1.58: γ = mean|W|
      return { lo: tf.neg(c), hi: c };
    }
    if (symmetric) {
      const c = tf.max(tf.abs(x), 1, true) as tf.Tensor2D;
      return { lo: tf.neg(c), hi: c };
    }
    return { lo: tf.min(x, 1, true) as tf.Tensor2D, hi: tf.max(x, 1, true) as tf.Tensor2D };
  });
}

/** A step that is never 0 (a row of equal weights gets Δ = 1 and every code 0). */
function safeDelta(lo: tf.Tensor, hi: tf.Tensor, states: number): tf.Tensor {
  return tf.tidy(() => {
    const d = tf.div(tf.sub(hi, lo), states - 1);
    return tf.where(tf.greater(d, 0), d, tf.onesLike(d));
  });
}

/**
 * The per-row range [lo, hi] ([G, 1] each) of a uniform quantizer of rows x [G, L] under the spec's
 * clip rule. `mse` tries c·r for r in {@link MSE_CLIP_GRID} and keeps the r with the least squared error
 * per row. Caller disposes.
 */
export function uniformRange(
  x: tf.Tensor2D,
  spec: Pick<QuantSpec, "states" | "symmetric" | "clip">,
): { lo: tf.Tensor2D; hi: tf.Tensor2D } {
  return tf.tidy(() => {
    const raw = rawRange(x, spec.symmetric, spec.clip);
    if (spec.clip !== "mse") return raw;
    const r = tf.tensor(MSE_CLIP_GRID as number[], [MSE_CLIP_GRID.length, 1, 1]); // [R, 1, 1]
    let lo = tf.mul(r, raw.lo.expandDims(0)); // [R, G, 1]
    let hi = tf.mul(r, raw.hi.expandDims(0));
    if (!spec.symmetric) {
      // shrink an asymmetric range towards its midpoint
      const mid = tf.div(tf.add(raw.lo, raw.hi), 2).expandDims(0);
      lo = tf.add(mid, tf.mul(r, tf.sub(raw.lo.expandDims(0), mid)));
      hi = tf.add(mid, tf.mul(r, tf.sub(raw.hi.expandDims(0), mid)));
    }
    const { xHat } = uniformQuantOps(x.expandDims(0), lo, safeDelta(lo, hi, spec.states), spec.states); // [R, G, L]
    const err = tf.sum(tf.squaredDifference(xHat, x.expandDims(0)), 2); // [R, G]
    const best = tf.oneHot(tf.argMin(err, 0), MSE_CLIP_GRID.length).transpose().expandDims(2); // [G] -> [R, G, 1] one-hot
    const pick = (t: tf.Tensor) => tf.sum(tf.mul(t, best), 0) as tf.Tensor2D; // [R, G, 1] -> [G, 1]
    return { lo: pick(lo), hi: pick(hi) };
  });
}

/** Nearest-level codes of rows x [G, L] for sorted levels [G, S] (searchSorted on the midpoints). Caller disposes. */
export function nearestLevelCodes(x: tf.Tensor2D, levels: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const s = levels.shape[1];
    if (s === 1) return tf.zeros(x.shape, "int32") as tf.Tensor2D;
    const mids = tf.div(tf.add(levels.slice([0, 0], [-1, s - 1]), levels.slice([0, 1], [-1, s - 1])), 2); // [G, S-1]
    return tf.searchSorted(mids, x, "left") as tf.Tensor2D; // [G, L]: # midpoints below x
  });
}

/** Levels [G, S] gathered at codes [G, L]. Caller disposes. */
export function levelsAt(levels: tf.Tensor2D, codes: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [g, s] = levels.shape;
    // a flat gather at row·S + code (wasm's batched gather is unreliable for large inputs)
    const offsets = tf.range(0, g * s, s, "int32").expandDims(1); // [G, 1]: row·S
    const idx = tf.add(tf.cast(codes, "int32"), offsets); // [G, L]
    return tf.gather(levels.reshape([g * s]), idx.reshape([-1])).reshape(codes.shape) as tf.Tensor2D;
  });
}

// ---------------------------------------------------------------------------------------------------
// Non-uniform codebooks (fitted in plain JS: a 1-D fit over sorted values, not a tensor op).

/**
 * Lloyd's algorithm in 1-D (Lloyd 1982 = Max 1960 for 1-D): k centroids minimising the squared error,
 * started by seeded k-means++ (Arthur & Vassilvitskii 2007). Works on the sorted values with prefix
 * sums, so each iteration costs O(k log n). Returns k sorted centroids (repeated values when the input
 * has fewer than k distinct values).
 */
export function kmeans1d(values: ArrayLike<number>, k: number, rng: Rng, maxIter = 50): Float64Array {
  const n = values.length;
  if (n === 0) throw new Error("kmeans1d: no values");
  if (!Number.isInteger(k) || k < 1) throw new Error(`kmeans1d: k must be a positive integer, got ${k}`);
  const xs = Float64Array.from(values).sort();
  const distinct: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || xs[i] !== xs[i - 1]) distinct.push(xs[i] as number);
  if (distinct.length <= k) {
    const out = new Float64Array(k);
    for (let j = 0; j < k; j++) out[j] = distinct[Math.min(j, distinct.length - 1)] as number;
    return out.sort();
  }
  // k-means++ start: each next centroid drawn with probability ∝ squared distance to the nearest one.
  const c: number[] = [xs[rng.int(n)] as number];
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) d2[i] = (xs[i] - c[0]) ** 2;
  while (c.length < k) {
    let total = 0;
    for (let i = 0; i < n; i++) total += d2[i];
    let pick = n - 1;
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < n; i++) {
        r -= d2[i];
        if (r < 0) {
          pick = i;
          break;
        }
      }
    }
    const ci = xs[pick];
    c.push(ci);
    for (let i = 0; i < n; i++) d2[i] = Math.min(d2[i], (xs[i] - ci) ** 2);
  }
  const cent = Float64Array.from(c).sort();
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + xs[i];
  /** First index i with xs[i] > t. */
  const upper = (t: number): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (xs[m] <= t) lo = m + 1;
      else hi = m;
    }
    return lo;
  };
  for (let iter = 0; iter < maxIter; iter++) {
    let changed = false;
    // boundaries from the current centroids, then every centroid moves to the mean of its interval
    const ends = Array.from({ length: k }, (_, j) => (j === k - 1 ? n : upper((cent[j] + cent[j + 1]) / 2)));
    let start = 0;
    for (let j = 0; j < k; j++) {
      const end = ends[j];
      if (end > start) {
        const m = (prefix[end] - prefix[start]) / (end - start);
        if (m !== cent[j]) changed = true;
        cent[j] = m;
      }
      start = Math.max(start, end);
    }
    cent.sort();
    if (!changed) break;
  }
  return cent;
}

/**
 * Log-spaced symmetric levels for range c: magnitudes c·2^(−jκ), j = 0..M−1, with ±each, and 0 when S is
 * odd (M = ⌊S/2⌋). κ = 1 (powers of two) up to M = 9; beyond, the M magnitudes spread evenly in log
 * over 8 octaves. Returns S sorted levels.
 */
export function logLevels(c: number, states: number): Float64Array {
  const m = Math.floor(states / 2);
  const kappa = m <= 9 ? 1 : 8 / (m - 1);
  const mags = Array.from({ length: m }, (_, j) => c * 2 ** (-j * kappa));
  const levels = [...mags.map((v) => -v), ...mags];
  if (states % 2 === 1) levels.push(0);
  return Float64Array.from(levels).sort();
}

// ---------------------------------------------------------------------------------------------------
// Fake quantization (float in, float out) and the straight-through estimator.

/**
 * Quantize-dequantize `w` [in, out] in the graph (float32 parameters): uniform and log schemes, pure
 * tensor ops, synchronous. A k-means codebook is fitted off-graph from the weights' values, which a GPU
 * backend can only read asynchronously: use `dequantize(await quantizeMatrix(w, spec))` for it.
 * Caller disposes.
 */
export function fakeQuant(w: tf.Tensor2D, spec: QuantSpec): tf.Tensor2D {
  if (spec.scheme === "kmeans")
    throw new Error(
      "fakeQuant: QuantSpec.scheme kmeans fits its codebook off-graph (an async read); use dequantize(await quantizeMatrix(w, spec))",
    );
  return tf.tidy(() => inGraph(w, spec, false).value);
}

/** Quantize-dequantize in the graph, and (on request) the mask of weights inside the clip range. */
function inGraph(w: tf.Tensor2D, spec: QuantSpec, wantMask: boolean): { value: tf.Tensor2D; mask?: tf.Tensor2D } {
  const x = toGroups(w, spec); // [G, L]
  let value: tf.Tensor2D;
  let lo: tf.Tensor;
  let hi: tf.Tensor;
  if (spec.scheme === "uniform") {
    ({ lo, hi } = uniformRange(x, spec)); // [G, 1] each
    value = uniformQuantOps(x, lo, safeDelta(lo, hi, spec.states), spec.states).xHat as tf.Tensor2D; // [G, L]
  } else {
    hi = tf.max(tf.abs(x), 1, true); // [G, 1]
    lo = tf.neg(hi);
    const unit = tf.tensor(Array.from(logLevels(1, spec.states)), [1, spec.states]); // [1, S]
    const levels = tf.mul(hi, unit) as tf.Tensor2D; // [G, S]
    value = levelsAt(levels, nearestLevelCodes(x, levels)); // [G, L]
  }
  const out: { value: tf.Tensor2D; mask?: tf.Tensor2D } = { value: fromGroups(value, w.shape, spec) };
  if (wantMask) {
    const mask = tf.logicalAnd(tf.greaterEqual(x, lo), tf.lessEqual(x, hi)).toFloat() as tf.Tensor2D; // [G, L]
    out.mask = fromGroups(mask, w.shape, spec);
  }
  return out;
}

/**
 * {@link fakeQuant} with a straight-through estimator (Bengio et al. 2013; used by BitNet and ParetoQ):
 * the forward pass sees quantized weights, the backward pass treats quantization as the identity for
 * weights inside the clip range [lo, hi] and passes no gradient for clipped ones. The range is not
 * differentiated (a stop-gradient). Uniform and log schemes only (k-means codebooks are fitted off-graph).
 * Caller disposes.
 */
export function fakeQuantSTE(w: tf.Tensor2D, spec: QuantSpec): tf.Tensor2D {
  if (spec.scheme === "kmeans")
    throw new Error("fakeQuantSTE: QuantSpec.scheme kmeans has no in-graph codebook; use uniform or log for QAT");
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[1] as tf.GradSaveFunc;
    const { value, mask } = inGraph(args[0] as tf.Tensor2D, spec, true);
    save([mask as tf.Tensor2D]);
    return {
      value,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => tf.mul(dy, saved[0] as tf.Tensor), // identity inside [lo, hi], 0 outside
    };
  });
  return f(w) as tf.Tensor2D;
}

// ---------------------------------------------------------------------------------------------------
// Post-training quantization into codes + float16 parameters.

/** A quantized matrix: one code per weight in the grouped layout, float16-valued parameters per row. */
export interface QuantizedTensor {
  /** The original `[in, out]` shape. */
  readonly shape: readonly [number, number];
  readonly spec: QuantSpec;
  readonly numGroups: number;
  readonly groupLen: number;
  /** `numGroups × groupLen` codes in [0, S), row-major over the grouped layout. */
  readonly codes: Uint8Array;
  /**
   * Per row: uniform → [Δ] (symmetric) or [Δ, lo] (asymmetric); log → [c]; kmeans → the S levels.
   * Every value is float16-representable. Length `numGroups × paramsPerGroup(spec)`.
   */
  readonly params: Float32Array;
}

/** Float16 parameters stored per row of the grouped layout. */
export function paramsPerGroup(spec: QuantSpec): number {
  if (spec.scheme === "kmeans") return spec.states;
  if (spec.scheme === "log") return 1;
  return spec.symmetric ? 1 : 2;
}

/** Per-row [lo, Δ] of a uniform quantizer from its stored parameters (float32 maths). */
function uniformLoDelta(
  spec: QuantSpec,
  params: Float32Array,
  numGroups: number,
): { lo: Float32Array; delta: Float32Array } {
  const lo = new Float32Array(numGroups);
  const delta = new Float32Array(numGroups);
  const half = Math.fround((spec.states - 1) / 2);
  for (let g = 0; g < numGroups; g++) {
    const d = params[g * paramsPerGroup(spec)] as number;
    delta[g] = d;
    lo[g] = spec.symmetric ? Math.fround(-half * d) : params[g * 2 + 1];
  }
  return { lo, delta };
}

/** Per-row sorted levels [G, S] of a non-uniform quantizer from its stored parameters. */
function codebookLevels(spec: QuantSpec, params: Float32Array, numGroups: number): Float32Array {
  if (spec.scheme === "kmeans") return params;
  const unit = logLevels(1, spec.states);
  const out = new Float32Array(numGroups * spec.states);
  for (let g = 0; g < numGroups; g++) {
    for (let j = 0; j < spec.states; j++) out[g * spec.states + j] = roundToFloat16(params[g] * unit[j]);
  }
  return out;
}

/**
 * Quantize a matrix `[in, out]` to codes and float16 parameters (PTQ). Uniform: the range from the clip
 * rule, Δ rounded to float16 before the codes are computed, so that storing Δ loses nothing. Async: the
 * parameters and codes are read from the backend (`await t.data()`; a GPU cannot read synchronously).
 */
export async function quantizeMatrix(w: tf.Tensor2D, spec: QuantSpec): Promise<QuantizedTensor> {
  const shape: [number, number] = [w.shape[0], w.shape[1]];
  const { numGroups, groupLen } = groupLayout(shape, spec);
  const rows = toGroups(w, spec);
  try {
    const ppg = paramsPerGroup(spec);
    const params = new Float32Array(numGroups * ppg);
    let codesT: tf.Tensor;
    if (spec.scheme === "uniform") {
      const range = uniformRange(rows, spec);
      let loA: Float32Array;
      let hiA: Float32Array;
      try {
        [loA, hiA] = [(await range.lo.data()) as Float32Array, (await range.hi.data()) as Float32Array];
      } finally {
        tf.dispose([range.lo, range.hi]);
      }
      for (let g = 0; g < numGroups; g++) {
        let d = roundToFloat16((hiA[g] - loA[g]) / (spec.states - 1));
        // a constant row: the smallest float16 step keeps x̂ within 2^-25 of it (even S has no 0 level)
        if (!(d > 0)) d = 2 ** -24;
        if (!Number.isFinite(d))
          throw new Error(`quantizeMatrix: a weight range of ${hiA[g]! - loA[g]!} overflows float16 scales`);
        params[g * ppg] = d;
        if (!spec.symmetric) params[g * ppg + 1] = roundToFloat16(loA[g] as number);
      }
      const { lo, delta } = uniformLoDelta(spec, params, numGroups);
      codesT = tf.tidy(
        () =>
          uniformQuantOps(rows, tf.tensor2d(lo, [numGroups, 1]), tf.tensor2d(delta, [numGroups, 1]), spec.states).codes,
      );
    } else {
      const x = (await rows.data()) as Float32Array;
      for (let g = 0; g < numGroups; g++) {
        const row = x.subarray(g * groupLen, (g + 1) * groupLen);
        if (spec.scheme === "log") {
          let c = 0;
          for (const v of row) c = Math.max(c, Math.abs(v));
          params[g] = roundToFloat16(c);
        } else {
          const cb = kmeans1d(row, spec.states, new Rng(spec.seed).fork("kmeans", g), spec.maxIter);
          for (let j = 0; j < spec.states; j++) params[g * ppg + j] = roundToFloat16(cb[j] as number);
          params.subarray(g * ppg, (g + 1) * ppg).sort();
        }
      }
      const levels = codebookLevels(spec, params, numGroups);
      codesT = tf.tidy(() => nearestLevelCodes(rows, tf.tensor2d(levels, [numGroups, spec.states])));
    }
    let codes: Uint8Array;
    try {
      codes = Uint8Array.from(await codesT.data());
    } finally {
      codesT.dispose();
    }
    return { shape, spec, numGroups, groupLen, codes, params };
  } finally {
    rows.dispose();
  }
}

/** The float32 matrix `[in, out]` a quantized tensor stands for. Caller disposes. */
export function dequantize(q: QuantizedTensor): tf.Tensor2D {
  return tf.tidy(() => {
    const codes = tf.tensor2d(q.codes, [q.numGroups, q.groupLen], "int32");
    let rows: tf.Tensor2D;
    if (q.spec.scheme === "uniform") {
      const { lo, delta } = uniformLoDelta(q.spec, q.params, q.numGroups);
      rows = tf.add(tf.tensor2d(lo, [q.numGroups, 1]), tf.mul(codes.toFloat(), tf.tensor2d(delta, [q.numGroups, 1]))); // [G, L]
    } else {
      rows = levelsAt(tf.tensor2d(codebookLevels(q.spec, q.params, q.numGroups), [q.numGroups, q.spec.states]), codes);
    }
    return fromGroups(rows, q.shape, q.spec);
  });
}

// ---------------------------------------------------------------------------------------------------
// Cost: bits per weight, including the parameters.

/** Bits per weight of a quantized matrix: the code (log2 S, its information content), the stored ceil, and float16 parameters. */
export interface BitsPerWeight {
  /** log2(S): what an ideal (entropy-free) packing of S states costs. */
  readonly codeBits: number;
  /** Parameter bits per weight: 16 bits per scale / offset / codebook entry, spread over the weights that share it. */
  readonly overheadBits: number;
  /** codeBits + overheadBits. */
  readonly total: number;
}

/** Bits per weight of `spec` on a matrix of `shape` [in, out]. */
export function bitsPerWeight(spec: QuantSpec, shape: readonly [number, number]): BitsPerWeight {
  const { numGroups } = groupLayout(shape, spec);
  const codeBits = Math.log2(spec.states);
  const overheadBits = (16 * paramsPerGroup(spec) * numGroups) / (shape[0] * shape[1]);
  return { codeBits, overheadBits, total: codeBits + overheadBits };
}

/** Weighted bits per weight over several matrices (by their number of weights). */
export function modelBitsPerWeight(spec: QuantSpec, shapes: ReadonlyArray<readonly [number, number]>): BitsPerWeight {
  let n = 0;
  let code = 0;
  let over = 0;
  for (const s of shapes) {
    const b = bitsPerWeight(spec, s);
    const k = s[0] * s[1];
    n += k;
    code += b.codeBits * k;
    over += b.overheadBits * k;
  }
  if (n === 0) throw new Error("modelBitsPerWeight: no matrices");
  return { codeBits: code / n, overheadBits: over / n, total: (code + over) / n };
}
