/**
 * Fused ops for small transformers: LayerNorm, GELU, causal multi-head attention and cross-entropy from
 * integer targets, each one tfjs kernel forward and one backward instead of 10-30 small ops. On the wasm
 * backend they run in C on the wasm heap when the native addon is built (./native.ts), else in JS on the
 * heap (./fused-kernels.ts, the reference kernels); on the cpu backend in JS. Gradients are registered
 * with tfjs, so the ops work under tf.grad / tf.variableGrads like built-in ones.
 *
 * These are fast paths only: the model's own definitions (src/transformer.ts, plain tfjs ops) are the
 * reference, and ./index.ts substitutes these where {@link fusedKernelsActive} says the backend has them.
 *
 * Why: profiling a gptA training step (dModel 64, 2 layers, batch 32 x 64 tokens) on wasm showed ~900
 * kernel launches; after the GEMM fixes, most of the time went to small elementwise kernels and the
 * engine's per-op overhead (~17 us each). Every op here replaces a chain of those.
 *
 * Shapes: N rows (B*T), C features, V vocabulary, B batch, T time, nH heads.
 */
import * as tf from "@tensorflow/tfjs";
import * as K from "./fused-kernels";
import { dataOf, heapF32, heapI32, isWasmBackend, type WasmBackendInternals } from "./wasm-kernels";
import { nativeAddon, type NativeAddon } from "./native";

// ---------------------------------------------------------------------------------------------
// Storage access inside kernels: the wasm heap or the cpu backend's arrays.
// ---------------------------------------------------------------------------------------------

interface CpuBackendInternals {
  data: { get(dataId: object): { values: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: unknown): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

function isCpuBackend(b: unknown): b is CpuBackendInternals {
  const x = b as Partial<CpuBackendInternals> | null;
  return (
    x !== null && typeof x === "object" && typeof x.makeTensorInfo === "function" && typeof x.data?.get === "function"
  );
}

/** Uniform access to tensor memory for the kernels below. */
interface Storage {
  /** Allocate outputs, all before any view is taken (a wasm allocation may move the heap). */
  alloc(specs: ReadonlyArray<readonly [number[], tf.DataType]>): tf.TensorInfo[];
  f32(t: tf.TensorInfo): Float32Array;
  i32(t: tf.TensorInfo): Int32Array;
  /** Free a kernel-internal temporary. */
  free(t: tf.TensorInfo): void;
  /** The native addon when this is the wasm heap and native fused kernels are on. */
  readonly native: NativeAddon | null;
  heap(): ArrayBufferLike;
  off(t: tf.TensorInfo): number;
}

function storage(backend: unknown): Storage {
  if (isWasmBackend(backend)) {
    const b: WasmBackendInternals = backend;
    return {
      alloc: (specs) => specs.map(([shape, dtype]) => b.makeOutput(shape, dtype)),
      f32: (t) => heapF32(b, t),
      i32: (t) => heapI32(b, t),
      free: (t) => void b.disposeData(t.dataId),
      native: fusedNative,
      heap: () => b.wasm.HEAPU8.buffer,
      off: (t) => dataOf(b, t).memoryOffset,
    };
  }
  if (isCpuBackend(backend)) {
    const b: CpuBackendInternals = backend;
    const values = (t: tf.TensorInfo): unknown => {
      const d = b.data.get(t.dataId);
      if (d === undefined) throw new Error("fused: tensor not on the cpu backend");
      return d.values;
    };
    return {
      alloc: (specs) =>
        specs.map(([shape, dtype]) => {
          const n = tf.util.sizeFromShape(shape);
          return b.makeTensorInfo(shape, dtype, dtype === "int32" ? new Int32Array(n) : new Float32Array(n));
        }),
      f32: (t) => values(t) as Float32Array,
      i32: (t) => values(t) as Int32Array,
      free: (t) => void b.disposeData(t.dataId),
      native: null,
      heap: () => {
        throw new Error("fused: no heap on the cpu backend");
      },
      off: () => {
        throw new Error("fused: no heap on the cpu backend");
      },
    };
  }
  throw new Error("fused: kernels are registered for the wasm and cpu backends only");
}

let fusedNative: NativeAddon | null = null;

/** Run the fused kernels in native code on the wasm heap (when the addon is available). */
export function setFusedNative(enabled: boolean): boolean {
  fusedNative = enabled ? nativeAddon() : null;
  return fusedNative !== null;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];
const f32 = "float32" as const;

function lastDim(t: tf.TensorInfo): number {
  return t.shape[t.shape.length - 1];
}

// ---------------------------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------------------------

function layerNormKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { x, g, b } = inputs as { x: tf.TensorInfo; g: tf.TensorInfo; b: tf.TensorInfo };
  const eps = attrs?.["eps"] as number;
  const C = lastDim(x);
  const N = tf.util.sizeFromShape(x.shape) / C;
  const s = storage(backend);
  const [y, mean, rstd] = s.alloc([
    [x.shape, f32],
    [[N], f32],
    [[N], f32],
  ]) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
  if (s.native)
    s.native.layerNormFwd(s.heap(), s.off(x), s.off(g), s.off(b), s.off(y), s.off(mean), s.off(rstd), N, C, eps);
  else K.layerNormFwd(s.f32(x), s.f32(g), s.f32(b), s.f32(y), s.f32(mean), s.f32(rstd), N, C, eps);
  return [y, mean, rstd];
}

function layerNormGradKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const { dy, x, g, mean, rstd } = inputs as Record<string, tf.TensorInfo>;
  const C = lastDim(x as tf.TensorInfo);
  const N = tf.util.sizeFromShape((x as tf.TensorInfo).shape) / C;
  const s = storage(backend);
  const [dx, dg, db] = s.alloc([
    [(x as tf.TensorInfo).shape, f32],
    [[C], f32],
    [[C], f32],
  ]) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
  const [DY, X, G, M, R] = [dy, x, g, mean, rstd] as tf.TensorInfo[] as [
    tf.TensorInfo,
    tf.TensorInfo,
    tf.TensorInfo,
    tf.TensorInfo,
    tf.TensorInfo,
  ];
  if (s.native)
    s.native.layerNormBwd(
      s.heap(),
      s.off(DY),
      s.off(X),
      s.off(G),
      s.off(M),
      s.off(R),
      s.off(dx),
      s.off(dg),
      s.off(db),
      N,
      C,
    );
  else K.layerNormBwd(s.f32(DY), s.f32(X), s.f32(G), s.f32(M), s.f32(R), s.f32(dx), s.f32(dg), s.f32(db), N, C);
  return [dx, dg, db];
}

function geluKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const x = inputs["x"] as tf.TensorInfo;
  const s = storage(backend);
  const [y] = s.alloc([[x.shape, f32]]) as [tf.TensorInfo];
  if (s.native) s.native.geluFwd(s.heap(), s.off(x), s.off(y), tf.util.sizeFromShape(x.shape));
  else K.geluFwd(s.f32(x), s.f32(y));
  return y;
}

function geluGradKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const dy = inputs["dy"] as tf.TensorInfo;
  const x = inputs["x"] as tf.TensorInfo;
  const s = storage(backend);
  const [dx] = s.alloc([[x.shape, f32]]) as [tf.TensorInfo];
  if (s.native) s.native.geluBwd(s.heap(), s.off(dy), s.off(x), s.off(dx), tf.util.sizeFromShape(x.shape));
  else K.geluBwd(s.f32(dy), s.f32(x), s.f32(dx));
  return dx;
}

interface AttentionAttrs {
  batch: number;
  seqLen: number;
  nHead: number;
}

function attentionDims(
  qkv: tf.TensorInfo,
  attrs: tf.NamedAttrMap | undefined,
): { B: number; T: number; nH: number; hs: number; C: number } {
  const { batch: B, seqLen: T, nHead: nH } = attrs as unknown as AttentionAttrs;
  const C = lastDim(qkv) / 3;
  return { B, T, nH, hs: C / nH, C };
}

function attentionKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const qkv = inputs["qkv"] as tf.TensorInfo;
  const { B, T, nH, hs, C } = attentionDims(qkv, attrs);
  const s = storage(backend);
  const [out, probs] = s.alloc([
    [[B * T, C], f32],
    [[B, nH, T, T], f32],
  ]) as [tf.TensorInfo, tf.TensorInfo];
  if (s.native) s.native.attentionFwd(s.heap(), s.off(qkv), s.off(out), s.off(probs), B, T, nH, hs);
  else K.attentionFwd(s.f32(qkv), s.f32(out), s.f32(probs), B, T, nH, hs);
  return [out, probs];
}

function attentionGradKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const qkv = inputs["qkv"] as tf.TensorInfo;
  const probs = inputs["probs"] as tf.TensorInfo;
  const dout = inputs["dout"] as tf.TensorInfo;
  const dprobs = (inputs["dprobs"] as tf.TensorInfo | undefined) ?? null;
  const { B, T, nH, hs } = attentionDims(qkv, attrs);
  const s = storage(backend);
  const [dqkv] = s.alloc([[qkv.shape, f32]]) as [tf.TensorInfo];
  if (s.native)
    s.native.attentionBwd(
      s.heap(),
      s.off(qkv),
      s.off(probs),
      dprobs === null ? -1 : s.off(dprobs),
      s.off(dout),
      s.off(dqkv),
      B,
      T,
      nH,
      hs,
    );
  else
    K.attentionBwd(
      s.f32(qkv),
      s.f32(probs),
      dprobs === null ? null : s.f32(dprobs),
      s.f32(dout),
      s.f32(dqkv),
      B,
      T,
      nH,
      hs,
    );
  return dqkv;
}

function maskCount(mask: Float32Array): number {
  let c = 0;
  for (let i = 0; i < mask.length; i++) c += mask[i];
  return Math.max(c, 1);
}

function crossEntropyKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const logits = inputs["logits"] as tf.TensorInfo;
  const targets = inputs["targets"] as tf.TensorInfo;
  const mask = inputs["mask"] as tf.TensorInfo;
  const V = lastDim(logits);
  const N = tf.util.sizeFromShape(logits.shape) / V;
  const s = storage(backend);
  const [loss, nll] = s.alloc([
    [[], f32],
    [[N], f32],
  ]) as [tf.TensorInfo, tf.TensorInfo];
  if (s.native) s.native.crossEntropyFwd(s.heap(), s.off(logits), s.off(targets), s.off(mask), s.off(nll), N, V);
  else K.crossEntropyFwd(s.f32(logits), s.i32(targets), s.f32(mask), s.f32(nll), N, V);
  const nv = s.f32(nll);
  let total = 0;
  for (let i = 0; i < N; i++) total += nv[i];
  s.f32(loss)[0] = total / maskCount(s.f32(mask));
  s.free(nll);
  return loss;
}

function crossEntropyGradKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const logits = inputs["logits"] as tf.TensorInfo;
  const targets = inputs["targets"] as tf.TensorInfo;
  const mask = inputs["mask"] as tf.TensorInfo;
  const dy = inputs["dy"] as tf.TensorInfo;
  const V = lastDim(logits);
  const N = tf.util.sizeFromShape(logits.shape) / V;
  const s = storage(backend);
  const [dl] = s.alloc([[logits.shape, f32]]) as [tf.TensorInfo];
  const coef = (s.f32(dy)[0] as number) / maskCount(s.f32(mask));
  if (s.native) s.native.crossEntropyBwd(s.heap(), s.off(logits), s.off(targets), s.off(mask), s.off(dl), N, V, coef);
  else K.crossEntropyBwd(s.f32(logits), s.i32(targets), s.f32(mask), s.f32(dl), N, V, coef);
  return dl;
}

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

const KERNELS: Array<[string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]]> = [
  ["G2bLayerNorm", layerNormKernel],
  ["G2bLayerNormGrad", layerNormGradKernel],
  ["G2bGelu", geluKernel],
  ["G2bGeluGrad", geluGradKernel],
  ["G2bAttention", attentionKernel],
  ["G2bAttentionGrad", attentionGradKernel],
  ["G2bCrossEntropy", crossEntropyKernel],
  ["G2bCrossEntropyGrad", crossEntropyGradKernel],
];

const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor | tf.Tensor[] =>
  tf.engine().runKernel(name, inputs, attrs) as tf.Tensor | tf.Tensor[];

const first = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy);

let gradientsRegistered = false;

function registerGradients(): void {
  if (gradientsRegistered) return;
  gradientsRegistered = true;
  tf.registerGradient({
    kernelName: "G2bLayerNorm",
    inputsToSave: ["x", "g"],
    outputsToSave: [false, true, true],
    gradFunc: (dy, saved) => {
      const [x, g, mean, rstd] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      // One kernel computes all three gradients; it runs here, outside the per-input tidy scopes.
      const [dx, dg, db] = run("G2bLayerNormGrad", { dy: first(dy), x, g, mean, rstd }) as tf.Tensor[];
      return { x: () => dx as tf.Tensor, g: () => dg as tf.Tensor, b: () => db as tf.Tensor };
    },
  });
  tf.registerGradient({
    kernelName: "G2bGelu",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const dx = run("G2bGeluGrad", { dy: first(dy), x: saved[0] as tf.Tensor }) as tf.Tensor;
      return { x: () => dx };
    },
  });
  tf.registerGradient({
    kernelName: "G2bAttention",
    inputsToSave: ["qkv"],
    outputsToSave: [false, true],
    gradFunc: (dy, saved, attrs) => {
      const dys = Array.isArray(dy) ? dy : [dy];
      const [qkv, probs] = saved as [tf.Tensor, tf.Tensor];
      const inputs: tf.NamedTensorMap = { qkv, probs, dout: dys[0] as tf.Tensor };
      if (dys[1] !== undefined) inputs["dprobs"] = dys[1];
      const dqkv = run("G2bAttentionGrad", inputs, attrs) as tf.Tensor;
      return { qkv: () => dqkv };
    },
  });
  tf.registerGradient({
    kernelName: "G2bCrossEntropy",
    inputsToSave: ["logits", "targets", "mask"],
    gradFunc: (dy, saved) => {
      const [logits, targets, mask] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const dl = run("G2bCrossEntropyGrad", { logits, targets, mask, dy: first(dy) }) as tf.Tensor;
      return { logits: () => dl, targets: () => tf.zerosLike(targets), mask: () => tf.zerosLike(mask) };
    },
  });
}

/**
 * Register the fused kernels for the wasm and cpu backends (idempotent). Called by installKernelFixes;
 * call it yourself only when not going through initBackend.
 */
export function registerFusedKernels(): void {
  registerGradients();
  for (const backendName of ["wasm", "cpu"]) {
    for (const [kernelName, fn] of KERNELS) {
      if (tf.getKernel(kernelName, backendName) === undefined) {
        tf.registerKernel({ kernelName, backendName, kernelFunc: fn as tf.KernelFunc });
      }
    }
  }
}

let forceComposite = false;
let jsOnWasm = false;

/** For tests and benchmarks: use the reference ops (the model's plain tfjs definitions) even where kernels exist. */
export function setFusedComposite(on: boolean): void {
  forceComposite = on;
}

/**
 * For tests: run the JS kernels on the wasm heap even without the native addon. Off by default because
 * they lose there: on a gptA training step the JS attention, GELU and LayerNorm kernels took 295 ms CPU
 * against 173 ms for the composite path on wasm's SIMD kernels (the C versions take 58 ms).
 */
export function setFusedJsOnWasm(on: boolean): void {
  jsOnWasm = on;
}

/**
 * Whether the fused kernels serve the active backend: on wasm when they run natively (or
 * {@link setFusedJsOnWasm}), on cpu always (JS either way, and fewer passes), elsewhere never.
 */
export function fusedKernelsActive(): boolean {
  if (forceComposite) return false;
  const backend = tf.getBackend();
  if (tf.getKernel("G2bLayerNorm", backend) === undefined) return false;
  return backend !== "wasm" || fusedNative !== null || jsOnWasm;
}

// ---------------------------------------------------------------------------------------------
// Ops
// ---------------------------------------------------------------------------------------------

/**
 * LayerNorm over the last axis (Ba et al. 2016): (x - mean) / sqrt(var + eps) * g + b.
 * x [..., C], g [C], b [C] -> [..., C]. Caller disposes.
 */
export function layerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor2D {
  // mean and rstd are outputs only so that autodiff saves them for the backward kernel.
  const [y, mean, rstd] = run("G2bLayerNorm", { x, g, b }, { eps }) as [tf.Tensor2D, tf.Tensor, tf.Tensor];
  mean.dispose();
  rstd.dispose();
  return y;
}

/** GELU, GPT-2's tanh approximation (Hendrycks & Gimpel 2016): x sigmoid(x (B + A x^2)). Caller disposes. */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  return run("G2bGelu", { x }) as tf.Tensor2D;
}

/** What {@link causalAttention} returns; caller disposes both. */
export interface AttentionResult {
  /** [B*T, C], heads merged (head h at columns h*hs). */
  readonly out: tf.Tensor2D;
  /** [B, nH, T, T] attention probabilities (rows sum to 1 over keys j <= i), when asked for. */
  readonly probs?: tf.Tensor4D;
}

/**
 * Causal multi-head self-attention (Vaswani et al. 2017, eq. 1), softmax(q k^T / sqrt(hs)) v with
 * keys j <= i, on the fused projection qkv [B*T, 3C] laid out q | k | v with head h at columns
 * h*hs of each (what x @ Wqkv gives for Wqkv [C, 3C]). No transposes, no [B, nH, T, T] mask add.
 */
export function causalAttention(
  qkv: tf.Tensor2D,
  batch: number,
  seqLen: number,
  nHead: number,
  returnProbs: boolean,
): AttentionResult {
  const C3 = qkv.shape[1];
  if (qkv.shape[0] !== batch * seqLen || C3 % 3 !== 0 || (C3 / 3) % nHead !== 0) {
    throw new Error(
      `causalAttention: qkv must be [batch*seqLen, 3*C] with nHead | C; got [${qkv.shape}] for batch ${batch}, seqLen ${seqLen}, nHead ${nHead}`,
    );
  }
  const [out, probs] = run("G2bAttention", { qkv }, { batch, seqLen, nHead }) as [tf.Tensor2D, tf.Tensor4D];
  if (returnProbs) return { out, probs };
  probs.dispose();
  return { out };
}

/**
 * Mean next-token cross-entropy (nats) over rows where mask is 1: -log softmax(logits)[target].
 * logits [N, V], targets int32 [N], mask float [N] (all ones when absent) -> scalar. Caller disposes.
 */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, mask?: tf.Tensor1D): tf.Scalar {
  if (targets.dtype !== "int32") throw new Error(`crossEntropy: targets must be int32, got ${targets.dtype}`);
  const N = logits.shape[0];
  if (targets.shape[0] !== N || (mask && mask.shape[0] !== N))
    throw new Error(`crossEntropy: targets/mask must have ${N} rows`);
  return tf.tidy(() => {
    const m = mask ?? tf.ones([N]);
    return run("G2bCrossEntropy", { logits, targets, mask: m }) as tf.Scalar;
  });
}

/**
 * x W + b as one fused matMul (bias added in the product; on wasm with the native addon the GEMM runs
 * on the BLAS). Autodiff gives dx = dy W^T, dW = x^T dy, db = column sums of dy, all fast paths after
 * installKernelFixes. x [N, K], W [K, M], b [M] -> [N, M]. Caller disposes.
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
}
