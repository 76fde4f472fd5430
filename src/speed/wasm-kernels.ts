/**
 * Kernel overrides for tfjs's wasm backend. Measured on tfjs-backend-wasm 4.22 (SIMD, one
 * thread) on a 2-core AMD EPYC (AVX-512); CPU milliseconds per call, stock -> here:
 *
 * - BatchMatMul: the stock kernel runs XNNPACK's GEMM only when neither transpose flag is set AND both
 *   operands have batch 1; everything else (transposed operands, `[B, T, C] x [C, N]`, batched attention
 *   products) falls into a scalar loop at 0.5-2 GFLOP/s instead of 20-30. Autodiff's matMul gradients
 *   always set a flag. Here every float32 product goes to XNNPACK: explicit transposes of whichever
 *   operand is cheapest to move, `[B, M, K] x [K, N]` as one `[B*M, K] x [K, N]` product, batched
 *   products as one XNNPACK product per batch entry on zero-copy views (512^2 with transposeB: 119 ->
 *   14 ms; dW = X^T dY for [2048, 64] x [2048, 256]: 98 -> 2.8 ms; attention q k^T: 10 -> 3.4 ms).
 *   With the native addon (./native.ts) the machine's BLAS does the product on the heap instead.
 * - _FusedMatMul: on the native GEMM with the bias added in C (else stock: XNNPACK with fused bias).
 * - Transpose of rank >= 5 (after merging axes): a JS copy instead of the C per-element index loop
 *   ([32, 64, 3, 4, 16] -> [3, 32, 4, 64, 16]: 57 -> 0.9 ms).
 * - Sum over leading axes (bias gradients): column sums in one pass instead of transpose + row sums
 *   ([2048, 256] over axis 0: 3.8 -> 1.2 ms; in C with the addon).
 * - Tanh as 2 sigmoid(2x) - 1 on XNNPACK's vectorised sigmoid (libm tanh loop: [2048, 256] 9.6 -> 0.7 ms).
 * - Identity (tf.clone; every tensor autodiff saves) shares memory by reference count, as the cpu backend
 *   does, instead of copying.
 * - Slice / SplitV read the input in place; the stock kernel copies the WHOLE input out of the heap per
 *   slice (splitting a flat [817920] parameter vector into 53 weights: 102 -> 3.6 ms).
 * - Correctness: OneHot honours dtype float32 (stock writes int32 bits), UnsortedSegmentSum exists
 *   (tf.gather's gradient).
 *
 * Everything here talks to the backend's internals (tensor registry, heap); they are stable within
 * tfjs 4.x and checked at install time: if they are not what we expect, nothing is installed.
 */
import * as tf from "@tensorflow/tfjs";
import { nativeAddon, type NativeAddon } from "./native";

/** The parts of the emscripten module of tfjs-backend-wasm used here. */
interface WasmModule {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _BatchMatMul?: (...args: number[]) => void;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: tf.DataType;
}

/** The parts of tfjs-backend-wasm's BackendWasm used here. */
export interface WasmBackendInternals {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): WasmTensorData | undefined };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  incRef(dataId: object): void;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Whether `b` is tfjs-backend-wasm's backend with the internals used here. */
export function isWasmBackend(b: unknown): b is WasmBackendInternals {
  const x = b as Partial<WasmBackendInternals> | null;
  return (
    x !== null &&
    typeof x === "object" &&
    typeof x.wasm === "object" &&
    typeof x.wasm._malloc === "function" &&
    typeof x.wasm._BatchMatMul === "function" &&
    typeof x.wasm.tfjs?.registerTensor === "function" &&
    typeof x.makeOutput === "function" &&
    typeof x.dataIdNextNumber === "number"
  );
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** A float32 view of a tensor on the wasm heap (valid until the next allocation may grow the heap). */
export function heapF32(backend: WasmBackendInternals, t: tf.TensorInfo): Float32Array {
  const d = backend.dataIdMap.get(t.dataId);
  if (d === undefined) throw new Error("wasm-kernels: tensor not on the wasm backend");
  return new Float32Array(backend.wasm.HEAPU8.buffer, d.memoryOffset, tf.util.sizeFromShape(t.shape));
}

/** An int32 view of a tensor on the wasm heap. */
export function heapI32(backend: WasmBackendInternals, t: tf.TensorInfo): Int32Array {
  const d = backend.dataIdMap.get(t.dataId);
  if (d === undefined) throw new Error("wasm-kernels: tensor not on the wasm backend");
  return new Int32Array(backend.wasm.HEAPU8.buffer, d.memoryOffset, tf.util.sizeFromShape(t.shape));
}

/** The backend's record of a tensor (id on the C side, heap offset). */
export function dataOf(backend: WasmBackendInternals, t: tf.TensorInfo): WasmTensorData {
  const d = backend.dataIdMap.get(t.dataId);
  if (d === undefined) throw new Error("wasm-kernels: tensor not on the wasm backend");
  return d;
}

/** Scratch memory on the heap for the shape arrays passed to C (6 x int32 per call). */
let shapeScratch = 0;
let shapeScratchOwner: WasmModule | null = null;

function scratch(wasm: WasmModule): number {
  if (shapeScratchOwner !== wasm) {
    shapeScratch = wasm._malloc(64);
    shapeScratchOwner = wasm;
  }
  return shapeScratch;
}

/**
 * out = a @ b for ids already registered with the C side, with a seen as `[1, m, k]` and b as
 * `[1, k, n]`: the XNNPACK fully-connected path of tfjs's C BatchMatMul.
 */
function xnnProduct(
  backend: WasmBackendInternals,
  aId: number,
  bId: number,
  outId: number,
  m: number,
  k: number,
  n: number,
): void {
  const wasm = backend.wasm;
  const p = scratch(wasm);
  const s = new Int32Array(wasm.HEAPU8.buffer, p, 6);
  s[0] = 1;
  s[1] = m;
  s[2] = k;
  s[3] = 1;
  s[4] = k;
  s[5] = n;
  (wasm._BatchMatMul as (...args: number[]) => void)(aId, p, 3, bId, p + 12, 3, 0, 0, outId);
}

/** Register a tensor id for `size` floats at `offset` (a view into existing memory, no allocation). */
function registerView(backend: WasmBackendInternals, offset: number, size: number): number {
  const id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(id, size, offset);
  return id;
}

/**
 * Shape and permutation with size-1 axes dropped and runs of axes that stay adjacent merged: the same
 * memory movement at the lowest rank. E.g. [32, 64, 3, 4, 16] with perm [2, 0, 3, 1, 4] stays rank 5,
 * [B, nH, T, hs] with [0, 2, 1, 3] stays rank 4, [2, 3, 4] with [0, 1, 2] becomes [24] with [0].
 */
export function reduceTranspose(
  shape: ReadonlyArray<number>,
  perm: ReadonlyArray<number>,
): { shape: number[]; perm: number[] } {
  const keep = shape.map((d) => d !== 1);
  // Drop size-1 axes and renumber.
  const idx: number[] = [];
  let k = 0;
  for (let i = 0; i < shape.length; i++) idx.push(keep[i] ? k++ : -1);
  const s1 = shape.filter((d) => d !== 1);
  const p1 = perm.filter((a) => keep[a]).map((a) => idx[a]);
  if (s1.length === 0) return { shape: [1], perm: [0] };
  // Merge input axes a, a+1 that are adjacent in the output order.
  const groups: number[][] = [];
  for (const a of p1) {
    const g = groups[groups.length - 1];
    if (g !== undefined && g[g.length - 1] === a - 1) g.push(a);
    else groups.push([a]);
  }
  const order = groups
    .map((g) => g[0])
    .slice()
    .sort((x, y) => x - y);
  const newShape = order.map((first) => {
    const g = groups.find((gg) => gg[0] === first) as number[];
    return g.reduce((acc, a) => acc * s1[a], 1);
  });
  const newPerm = groups.map((g) => order.indexOf(g[0] as number));
  return { shape: newShape, perm: newPerm };
}

/**
 * Transpose in JS on heap views, for ranks the C kernel handles with its per-element generic loop
 * (rank >= 5 after reduction: 30-40 ms for the [B, T, 3, nH, hs] -> [3, B, nH, T, hs] split of
 * attention; this takes well under 1 ms). `shape`/`perm` as from {@link reduceTranspose}.
 */
export function transposeInto(
  src: Float32Array | Int32Array,
  shape: ReadonlyArray<number>,
  perm: ReadonlyArray<number>,
  dst: Float32Array | Int32Array,
): void {
  const r = shape.length;
  const inStride = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    inStride[i] = acc;
    acc *= shape[i];
  }
  const outShape = perm.map((a) => shape[a]);
  const step = perm.map((a) => inStride[a]); // source stride per output axis
  const last = outShape[r - 1];
  const lastStep = step[r - 1];
  const counter = new Array<number>(r).fill(0);
  let base = 0;
  let o = 0;
  const n = src.length;
  while (o < n) {
    if (lastStep === 1) {
      for (let j = 0; j < last; j++) dst[o + j] = src[base + j];
    } else {
      for (let j = 0, q = base; j < last; j++, q += lastStep) dst[o + j] = src[q];
    }
    o += last;
    // Odometer over output axes r-2 .. 0.
    let ax = r - 2;
    while (ax >= 0) {
      counter[ax] = counter[ax] + 1;
      base += step[ax];
      if (counter[ax] < outShape[ax]) break;
      base -= step[ax] * outShape[ax];
      counter[ax] = 0;
      ax--;
    }
    if (ax < 0) break;
  }
}

function fastTranspose(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackendInternals;
  const x = args.inputs["x"] as tf.TensorInfo;
  const perm = args.attrs?.["perm"] as number[];
  const stock = stockTranspose as tf.KernelConfig;
  if (x.dtype !== "float32" && x.dtype !== "int32") return stock.kernelFunc(args);
  const red = reduceTranspose(x.shape, perm);
  if (red.shape.length <= 4) return stock.kernelFunc(args);
  const outShape = perm.map((a) => x.shape[a]);
  const out = backend.makeOutput(outShape, x.dtype);
  const src = x.dtype === "float32" ? heapF32(backend, x) : heapI32(backend, x);
  const dst = x.dtype === "float32" ? heapF32(backend, out) : heapI32(backend, out);
  transposeInto(src, red.shape, red.perm, dst);
  return out;
}

/**
 * Sum over leading axes (bias and LayerNorm-gain gradients: [N, C] -> [C]) as column sums in one
 * sequential pass. The stock kernel first transposes the input so the reduced axes are innermost
 * (a strided 2D transpose: ~4-10 ms for [2048, 256]). Sequential float32 accumulation, row by row;
 * the stock C loop may accumulate in SIMD lanes, so results agree up to float rounding.
 */
function fastSum(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackendInternals;
  const x = args.inputs["x"] as tf.TensorInfo;
  const stock = stockSum as tf.KernelConfig;
  if (x.dtype !== "float32" || x.shape.length < 2) return stock.kernelFunc(args);
  const axes = tf.util.parseAxisParam(args.attrs?.["axis"] as number | number[], x.shape).sort((a, b) => a - b);
  const k = axes.length;
  const leading = k < x.shape.length && axes.every((a, i) => a === i);
  if (!leading) return stock.kernelFunc(args);
  const rows = tf.util.sizeFromShape(x.shape.slice(0, k));
  const cols = tf.util.sizeFromShape(x.shape.slice(k));
  const keepDims = args.attrs?.["keepDims"] === true;
  const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...x.shape.slice(k)] : x.shape.slice(k);
  const out = backend.makeOutput(outShape, "float32");
  if (nativeGemm !== null) {
    nativeGemm.colSum(
      backend.wasm.HEAPU8.buffer,
      dataOf(backend, x).memoryOffset,
      dataOf(backend, out).memoryOffset,
      rows,
      cols,
    );
    return out;
  }
  const xv = heapF32(backend, x);
  const ov = heapF32(backend, out);
  ov.fill(0);
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    for (let j = 0; j < cols; j++) ov[j] = ov[j] + xv[b + j];
  }
  return out;
}

/** Scalar constants on the heap, not tracked by the engine (they live as long as the backend). */
const constants = new Map<number, tf.TensorInfo>();
let constantsOwner: WasmModule | null = null;

function constant(backend: WasmBackendInternals, value: number): tf.TensorInfo {
  if (constantsOwner !== backend.wasm) {
    constants.clear();
    constantsOwner = backend.wasm;
  }
  let c = constants.get(value);
  if (c === undefined) {
    c = backend.makeOutput([], "float32");
    heapF32(backend, c)[0] = value;
    constants.set(value, c);
  }
  return c;
}

/**
 * tanh(x) = 2 sigmoid(2x) - 1 on the stock kernels: the stock Tanh is a scalar libm loop (~10 ms for
 * [2048, 256]), Sigmoid is XNNPACK's vectorised one (~0.6 ms). Differs from libm tanh by float
 * rounding (absolute error ~1e-7).
 */
function fastTanh(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackendInternals;
  const x = args.inputs["x"] as tf.TensorInfo;
  if (x.dtype !== "float32" || stockMul === null || stockSigmoid === null || stockSub === null)
    return (stockTanh as tf.KernelConfig).kernelFunc(args);
  const two = constant(backend, 2);
  const one = constant(backend, 1);
  const run = (k: tf.KernelConfig, inputs: tf.NamedTensorInfoMap): tf.TensorInfo =>
    k.kernelFunc({ inputs, backend, attrs: {} }) as tf.TensorInfo;
  const x2 = run(stockMul, { a: x, b: two });
  const s = run(stockSigmoid, { x: x2 });
  backend.disposeData(x2.dataId);
  const s2 = run(stockMul, { a: s, b: two });
  backend.disposeData(s.dataId);
  const out = run(stockSub, { a: s2, b: one });
  backend.disposeData(s2.dataId);
  return out;
}

let stockSum: tf.KernelConfig | null = null;
let stockTanh: tf.KernelConfig | null = null;
let stockMul: tf.KernelConfig | null = null;
let stockSub: tf.KernelConfig | null = null;
let stockSigmoid: tf.KernelConfig | null = null;

let stockBatchMatMul: tf.KernelConfig | null = null;
let stockTranspose: tf.KernelConfig | null = null;

/** Swap the last two axes with the backend's own Transpose kernel; caller disposes (backend.disposeData). */
function transposeLast2(args: KernelArgs, x: tf.TensorInfo): tf.TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return (stockTranspose as tf.KernelConfig).kernelFunc({
    inputs: { x },
    backend: args.backend,
    attrs: { perm },
  }) as tf.TensorInfo;
}

/**
 * a @ b without transpose flags: a [...batchA, M, K], b [...batchB, K, N]. Caller disposes the result.
 * - b unbatched: one XNNPACK product [prod(batchA) * M, K] x [K, N] (rows of a are contiguous);
 * - equal batches, or one side unbatched: one XNNPACK product per batch entry on zero-copy views;
 * - anything else (true broadcasting): the stock kernel without flags.
 */
function plainProduct(args: KernelArgs, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const backend = args.backend as WasmBackendInternals;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[ra - 2];
  const k = a.shape[ra - 1];
  const n = b.shape[rb - 1];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const nA = tf.util.sizeFromShape(batchA);
  const nB = tf.util.sizeFromShape(batchB);
  const outBatch = tf.backend_util.assertAndGetBroadcastShape(batchA, batchB);
  const outShape = [...outBatch, m, n];
  const sameBatch = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
  if (k > 0 && m > 0 && n > 0) {
    if (nB === 1) {
      const out = backend.makeOutput(outShape, "float32");
      xnnProduct(backend, dataOf(backend, a).id, dataOf(backend, b).id, dataOf(backend, out).id, nA * m, k, n);
      return out;
    }
    if (sameBatch || nA === 1) {
      const out = backend.makeOutput(outShape, "float32");
      const ad = dataOf(backend, a);
      const bd = dataOf(backend, b);
      const od = dataOf(backend, out);
      const aStep = nA === 1 ? 0 : m * k;
      for (let i = 0; i < nB; i++) {
        const av = registerView(backend, ad.memoryOffset + 4 * i * aStep, m * k);
        const bv = registerView(backend, bd.memoryOffset + 4 * i * k * n, k * n);
        const ov = registerView(backend, od.memoryOffset + 4 * i * m * n, m * n);
        try {
          xnnProduct(backend, av, bv, ov, m, k, n);
        } finally {
          backend.wasm.tfjs.disposeData(av);
          backend.wasm.tfjs.disposeData(bv);
          backend.wasm.tfjs.disposeData(ov);
        }
      }
      return out;
    }
  }
  return (stockBatchMatMul as tf.KernelConfig).kernelFunc({
    ...args,
    inputs: { a, b },
    attrs: { ...args.attrs, transposeA: false, transposeB: false },
  }) as tf.TensorInfo;
}

/** The native BLAS GEMM when enabled (see {@link setNativeGemm}). */
let nativeGemm: NativeAddon | null = null;

/**
 * Use the native addon's BLAS GEMM for BatchMatMul on the wasm heap (no copies, transpose flags
 * handled by the BLAS). Returns whether it is now in use (false when the addon or a BLAS is missing).
 */
export function setNativeGemm(enabled: boolean): boolean {
  nativeGemm = enabled ? nativeAddon() : null;
  return nativeGemm !== null;
}

/** Whether BatchMatMul runs on the native BLAS. */
export function nativeGemmActive(): boolean {
  return nativeGemm !== null;
}

/**
 * op(a) @ op(b) with the native GEMM, for equal batches or one unbatched side; null for true
 * broadcasting (left to the wasm path). Caller disposes.
 */
function nativeProduct(
  backend: WasmBackendInternals,
  gemm: NativeAddon,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  tA: boolean,
  tB: boolean,
  m: number,
  n: number,
  k: number,
): tf.TensorInfo | null {
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const nA = tf.util.sizeFromShape(batchA);
  const nB = tf.util.sizeFromShape(batchB);
  const sameBatch = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
  if (!(sameBatch || nA === 1 || nB === 1)) return null;
  const outBatch = tf.backend_util.assertAndGetBroadcastShape(batchA, batchB);
  const out = backend.makeOutput([...outBatch, m, n], "float32");
  if (m * n === 0) return out;
  // Offsets after the allocation: it may have grown (and replaced) the heap.
  const heap = backend.wasm.HEAPU8.buffer;
  const ao = dataOf(backend, a).memoryOffset;
  const bo = dataOf(backend, b).memoryOffset;
  const oo = dataOf(backend, out).memoryOffset;
  if (nB === 1 && !tA) {
    gemm.sgemm(heap, false, tB, nA * m, n, k, ao, bo, oo, 1, 0, 0, 0); // rows of all batches at once
  } else {
    const batch = Math.max(nA, nB);
    gemm.sgemm(heap, tA, tB, m, n, k, ao, bo, oo, batch, nA === 1 ? 0 : m * k, nB === 1 ? 0 : k * n, m * n);
  }
  return out;
}

/**
 * BatchMatMul with every flag combination reduced to flag-free products, transposing whichever
 * operands are cheapest to move: for unbatched products A^T B is computed as (B^T A)^T when B plus
 * the output are smaller than A (dW2 = H^T dY with H [2048, 256], dY [2048, 64]: 7.2 -> 4.7 ms CPU),
 * and A^T B^T = (B A)^T.
 */
function fastBatchMatMul(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackendInternals;
  const a = args.inputs["a"] as tf.TensorInfo;
  const b = args.inputs["b"] as tf.TensorInfo;
  const tA = args.attrs?.["transposeA"] === true;
  const tB = args.attrs?.["transposeB"] === true;
  const stock = stockBatchMatMul as tf.KernelConfig;
  if (a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length < 2 || b.shape.length < 2)
    return stock.kernelFunc(args);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[tA ? ra - 1 : ra - 2];
  const k = a.shape[tA ? ra - 2 : ra - 1];
  const kb = b.shape[tB ? rb - 1 : rb - 2];
  const n = b.shape[tB ? rb - 2 : rb - 1];
  if (k !== kb) {
    throw new Error(
      `matMul: inner dimensions differ (${k} vs ${kb}) for shapes [${a.shape}] and [${b.shape}] with transposeA=${tA}, transposeB=${tB}`,
    );
  }
  if (nativeGemm !== null) {
    const out = nativeProduct(backend, nativeGemm, a, b, tA, tB, m, n, k);
    if (out !== null) return out;
  }
  const sizeA = tf.util.sizeFromShape(a.shape);
  const sizeB = tf.util.sizeFromShape(b.shape);
  const batch = tf.util.sizeFromShape(
    tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)),
  );
  const sizeOut = batch * m * n;
  const temps: tf.TensorInfo[] = [];
  const t = (x: tf.TensorInfo): tf.TensorInfo => {
    const y = transposeLast2(args, x);
    temps.push(y);
    return y;
  };
  try {
    if (!tA && !tB) return plainProduct(args, a, b);
    if (tA && tB) return transposeLast2(args, t0(plainProduct(args, b, a))); // A^T B^T = (B A)^T
    // Batched products transpose small, cache-resident slices and pack small weights: moving the
    // flagged operand itself is cheapest there (measured: P^T dO 1.7 ms vs 2.6 ms the other way).
    const batched = batch > 1;
    if (tA) {
      if (batched || sizeA <= sizeB + sizeOut) return plainProduct(args, t(a), b);
      return transposeLast2(args, t0(plainProduct(args, t(b), a))); // A^T B = (B^T A)^T
    }
    if (batched || sizeB <= sizeA + sizeOut) return plainProduct(args, a, t(b));
    return transposeLast2(args, t0(plainProduct(args, b, t(a)))); // A B^T = (B A^T)^T
  } finally {
    for (const x of temps) backend.disposeData(x.dataId);
  }
  /** Register an intermediate product for disposal and pass it through. */
  function t0(x: tf.TensorInfo): tf.TensorInfo {
    temps.push(x);
    return x;
  }
}

/**
 * _FusedMatMul (tf.fused.matMul, used for x W + b) on the native GEMM with the bias added in C; other
 * cases (activations, PReLU, no addon) go to the stock kernel, which uses XNNPACK with the bias fused.
 */
function fastFusedMatMul(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const stock = stockFusedMatMul as tf.KernelConfig;
  const gemm = nativeGemm;
  if (gemm === null) return stock.kernelFunc(args);
  const backend = args.backend as WasmBackendInternals;
  const a = args.inputs["a"] as tf.TensorInfo;
  const b = args.inputs["b"] as tf.TensorInfo;
  const bias = (args.inputs["bias"] as tf.TensorInfo | undefined) ?? null;
  const prelu = args.inputs["preluActivationWeights"] as tf.TensorInfo | undefined;
  const activation = (args.attrs?.["activation"] as string | undefined) ?? "linear";
  const tA = args.attrs?.["transposeA"] === true;
  const tB = args.attrs?.["transposeB"] === true;
  if (
    a.dtype !== "float32" ||
    b.dtype !== "float32" ||
    activation !== "linear" ||
    prelu != null ||
    a.shape.length < 2 ||
    b.shape.length < 2
  ) {
    return stock.kernelFunc(args);
  }
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[tA ? ra - 1 : ra - 2];
  const k = a.shape[tA ? ra - 2 : ra - 1];
  const n = b.shape[tB ? rb - 2 : rb - 1];
  if (bias !== null && (bias.dtype !== "float32" || bias.shape.length !== 1 || bias.shape[0] !== n))
    return stock.kernelFunc(args);
  if (k !== b.shape[tB ? rb - 1 : rb - 2]) return stock.kernelFunc(args);
  const out = nativeProduct(backend, gemm, a, b, tA, tB, m, n, k);
  if (out === null) return stock.kernelFunc(args);
  if (bias !== null && n > 0) {
    gemm.addRowVector(
      backend.wasm.HEAPU8.buffer,
      dataOf(backend, out).memoryOffset,
      dataOf(backend, bias).memoryOffset,
      tf.util.sizeFromShape(out.shape) / n,
      n,
    );
  }
  return out;
}

let stockFusedMatMul: tf.KernelConfig | null = null;

/**
 * Identity (tf.clone, and every tensor autodiff saves for the backward pass) sharing the input's memory
 * with a reference count, as the cpu backend and the wasm Reshape kernel do; the stock wasm kernel
 * copies (97 copies per gptA training step).
 */
function fastIdentity(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs["x"] as tf.TensorInfo;
  if (x.dtype === "string") return (stockIdentity as tf.KernelConfig).kernelFunc(args);
  (args.backend as WasmBackendInternals).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

let stockIdentity: tf.KernelConfig | null = null;

function heapView(backend: WasmBackendInternals, t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array {
  const d = dataOf(backend, t);
  const n = tf.util.sizeFromShape(t.shape);
  const buf = backend.wasm.HEAPU8.buffer;
  if (t.dtype === "float32") return new Float32Array(buf, d.memoryOffset, n);
  if (t.dtype === "int32") return new Int32Array(buf, d.memoryOffset, n);
  return new Uint8Array(buf, d.memoryOffset, n);
}

/**
 * Slice reading the input in place. The stock wasm kernel first copies the WHOLE input out of the heap
 * (backend.readSync) for every slice: tf.split of the trainer's flat [817920] parameter vector into
 * 53 weights took 102 ms (53 full copies); this copies only the slice (~1 ms).
 */
function fastSlice(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackendInternals;
  const x = args.inputs["x"] as tf.TensorInfo;
  if (x.dtype === "string" || x.dtype === "complex64") return (stockSlice as tf.KernelConfig).kernelFunc(args);
  const [begin, size] = tf.slice_util.parseSliceParams(
    x as tf.TensorInfo as tf.Tensor,
    args.attrs?.["begin"] as number[],
    args.attrs?.["size"] as number[],
  );
  return sliceInto(backend, x, begin, size);
}

function sliceInto(backend: WasmBackendInternals, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const total = tf.util.sizeFromShape(size);
  if (total === 0) return out;
  // Views after the allocation (it may grow the heap).
  const src = heapView(backend, x);
  const dst = heapView(backend, out);
  const r = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  if (r === 0 || tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const off = r === 0 ? 0 : tf.slice_util.computeFlatOffset(begin, strides);
    dst.set(src.subarray(off, off + total));
    return out;
  }
  // Rows of the last axis are contiguous: copy them one by one, odometer over the other axes.
  const row = size[r - 1];
  const idx = new Array<number>(r - 1).fill(0);
  let o = 0;
  while (o < total) {
    let off = begin[r - 1];
    for (let a = 0; a < r - 1; a++) off += (begin[a] + idx[a]) * strides[a];
    dst.set(src.subarray(off, off + row), o);
    o += row;
    for (let a = r - 2; a >= 0; a--) {
      idx[a] = idx[a] + 1;
      if (idx[a] < size[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}

/** SplitV as slices read in place (see {@link fastSlice}). */
function fastSplitV(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackendInternals;
  const x = args.inputs["x"] as tf.TensorInfo;
  if (x.dtype === "string" || x.dtype === "complex64") return (stockSplitV as tf.KernelConfig).kernelFunc(args);
  const axis = tf.util.parseAxisParam(args.attrs?.["axis"] as number, x.shape)[0] as number;
  const sizes = tf.backend_util.prepareSplitSize(
    x as tf.TensorInfo as tf.Tensor,
    args.attrs?.["numOrSizeSplits"] as number | number[],
    axis,
  );
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const out = sliceInto(backend, x, [...begin], size);
    begin[axis] = begin[axis] + s;
    return out;
  });
}

let stockSlice: tf.KernelConfig | null = null;
let stockSplitV: tf.KernelConfig | null = null;

/**
 * UnsortedSegmentSum on the heap: out[segmentIds[i], :] += x[i, :]. Ids outside [0, numSegments) are
 * dropped, as in TensorFlow.
 */
function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendInternals;
  const x = args.inputs["x"] as tf.TensorInfo;
  const ids = args.inputs["segmentIds"] as tf.TensorInfo;
  const numSegments = args.attrs?.["numSegments"] as number;
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    throw new Error(`UnsortedSegmentSum (wasm): dtype ${x.dtype} not supported; cast x to float32`);
  }
  if (ids.shape.length !== 1 || ids.shape[0] !== x.shape[0]) {
    throw new Error(
      `UnsortedSegmentSum (wasm): segmentIds must be 1-D of length x.shape[0]=${x.shape[0]}; got [${ids.shape}]`,
    );
  }
  const rows = x.shape[0];
  const inner = rows === 0 ? 0 : tf.util.sizeFromShape(x.shape) / rows;
  const outShape = [numSegments, ...x.shape.slice(1)];
  const out = backend.makeOutput(outShape, x.dtype);
  // Views are taken after the allocation: it may grow the heap and detach earlier views.
  const xv = x.dtype === "float32" ? heapF32(backend, x) : heapI32(backend, x);
  const ov = x.dtype === "float32" ? heapF32(backend, out) : heapI32(backend, out);
  const iv = heapI32(backend, ids);
  ov.fill(0);
  for (let r = 0; r < rows; r++) {
    const s = iv[r];
    if (s < 0 || s >= numSegments) continue;
    const src = r * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) (ov as Float32Array)[dst + j] += (xv as Float32Array)[src + j] as number;
  }
  return out;
}

/**
 * OneHot writing the dtype it was asked for. The stock wasm kernel writes int32 bit patterns even when
 * float32 is requested (tfjs-backend-wasm 4.22: `tf.oneHot(i, d, 1, 0, "float32")` reads back as
 * 1.4e-45), which silently breaks one-hot embeddings and cross-entropy targets.
 */
function oneHotKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as WasmBackendInternals;
  const indices = args.inputs["indices"] as tf.TensorInfo;
  const dtype = args.attrs?.["dtype"] as tf.DataType;
  if (dtype !== "float32" || indices.dtype !== "int32") return (stockOneHot as tf.KernelConfig).kernelFunc(args);
  const depth = args.attrs?.["depth"] as number;
  const onValue = args.attrs?.["onValue"] as number;
  const offValue = args.attrs?.["offValue"] as number;
  const out = backend.makeOutput([...indices.shape, depth], "float32");
  const ov = heapF32(backend, out);
  const iv = heapI32(backend, indices);
  ov.fill(offValue);
  for (let i = 0; i < iv.length; i++) {
    const k = iv[i];
    if (k >= 0 && k < depth) ov[i * depth + k] = onValue;
  }
  return out;
}

let stockOneHot: tf.KernelConfig | null = null;
let correctnessInstalled = false;
let speedInstalled = false;

/** Whether the wasm speed overrides (BatchMatMul) are active. */
export function wasmFixesInstalled(): boolean {
  return speedInstalled;
}

function replaceKernel(kernelName: string, kernelFunc: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]): void {
  if (tf.getKernel(kernelName, "wasm") !== undefined) tf.unregisterKernel(kernelName, "wasm");
  // No setupFunc: the stock ones already ran when the backend initialised, and ours need none.
  tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: kernelFunc as tf.KernelFunc });
}

/**
 * Install the wasm fixes. Correctness fixes (float32 OneHot, the missing UnsortedSegmentSum) are always
 * installed; the speed fix (BatchMatMul on XNNPACK for every shape) only with `speed` (default true).
 * Idempotent; returns the names of the kernels now overridden or added ([] when the backend isn't the
 * tfjs-backend-wasm we know).
 */
export function installWasmKernels(opts: { speed?: boolean } = {}): string[] {
  const backend = tf.findBackend("wasm");
  if (!isWasmBackend(backend)) return [];
  if (!correctnessInstalled) {
    const oh = tf.getKernel("OneHot", "wasm");
    const tr = tf.getKernel("Transpose", "wasm");
    const bmm = tf.getKernel("BatchMatMul", "wasm");
    if (oh === undefined || tr === undefined || bmm === undefined) return [];
    stockOneHot = oh;
    stockTranspose = tr;
    stockBatchMatMul = bmm;
    stockSum = tf.getKernel("Sum", "wasm") ?? null;
    stockTanh = tf.getKernel("Tanh", "wasm") ?? null;
    stockMul = tf.getKernel("Multiply", "wasm") ?? null;
    stockSub = tf.getKernel("Sub", "wasm") ?? null;
    stockSigmoid = tf.getKernel("Sigmoid", "wasm") ?? null;
    stockFusedMatMul = tf.getKernel("_FusedMatMul", "wasm") ?? null;
    stockIdentity = tf.getKernel("Identity", "wasm") ?? null;
    stockSlice = tf.getKernel("Slice", "wasm") ?? null;
    stockSplitV = tf.getKernel("SplitV", "wasm") ?? null;
    replaceKernel("OneHot", oneHotKernel);
    if (tf.getKernel("UnsortedSegmentSum", "wasm") === undefined)
      replaceKernel("UnsortedSegmentSum", unsortedSegmentSum);
    correctnessInstalled = true;
  }
  if ((opts.speed ?? true) && !speedInstalled) {
    for (const [name, fn] of speedKernels()) replaceKernel(name, fn);
    speedInstalled = true;
  }
  return ["OneHot", "UnsortedSegmentSum", ...(speedInstalled ? speedKernels().map(([n]) => n) : [])];
}

/**
 * Restore the stock wasm BatchMatMul (the "plain" path, for benchmarks and equivalence tests). The
 * correctness fixes stay: without them the plain path computes wrong losses or cannot train embeddings.
 */
export function uninstallWasmKernels(): void {
  if (!speedInstalled) return;
  for (const [name] of speedKernels()) {
    const stock = stockKernel(name);
    tf.unregisterKernel(name, "wasm");
    if (stock !== null) tf.registerKernel(stock);
  }
  speedInstalled = false;
}

type WasmKernelFunc = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** The speed overrides whose stock kernel exists. */
function speedKernels(): Array<[string, WasmKernelFunc]> {
  const all: Array<[string, WasmKernelFunc, tf.KernelConfig | null]> = [
    ["BatchMatMul", fastBatchMatMul, stockBatchMatMul],
    ["Transpose", fastTranspose, stockTranspose],
    ["Sum", fastSum, stockSum],
    ["Tanh", fastTanh, stockTanh],
    ["_FusedMatMul", fastFusedMatMul, stockFusedMatMul],
    ["Identity", fastIdentity, stockIdentity],
    ["Slice", fastSlice, stockSlice],
    ["SplitV", fastSplitV, stockSplitV],
  ];
  return all.filter(([, , stock]) => stock !== null).map(([n, f]) => [n, f]);
}

function stockKernel(name: string): tf.KernelConfig | null {
  switch (name) {
    case "BatchMatMul":
      return stockBatchMatMul;
    case "Transpose":
      return stockTranspose;
    case "Sum":
      return stockSum;
    case "Tanh":
      return stockTanh;
    case "_FusedMatMul":
      return stockFusedMatMul;
    case "Identity":
      return stockIdentity;
    case "Slice":
      return stockSlice;
    case "SplitV":
      return stockSplitV;
    default:
      return null;
  }
}
