import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { expectNoLeak, testBackend } from "../run/testing";
import { installKernelFixes, kernelFixesActive, uninstallKernelFixes } from "./install";
import { reduceTranspose, transposeInto } from "./wasm-kernels";
import { Rng } from "../rng";
import { createGPT } from "../transformer";
import { trainModel, type BatchSampler } from "../train";

function randn(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    shape,
  );
}

/** Run `f` with the speed fixes off, then on; returns both results as arrays. */
function stockVsFixed(f: () => tf.Tensor): { stock: Float32Array; fixed: Float32Array; shapes: [number[], number[]] } {
  const backend = tf.getBackend();
  uninstallKernelFixes();
  const a = f();
  installKernelFixes(backend, { speed: true });
  const b = f();
  const out = {
    stock: a.dataSync() as Float32Array,
    fixed: b.dataSync() as Float32Array,
    shapes: [a.shape, b.shape] as [number[], number[]],
  };
  a.dispose();
  b.dispose();
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test("reduceTranspose merges adjacent axes and drops size-1 axes", () => {
  assert.deepEqual(reduceTranspose([2, 3, 4], [0, 1, 2]), { shape: [24], perm: [0] });
  assert.deepEqual(reduceTranspose([2, 3, 4], [2, 0, 1]), { shape: [6, 4], perm: [1, 0] });
  assert.deepEqual(reduceTranspose([32, 1, 4, 16], [0, 2, 1, 3]), { shape: [2048], perm: [0] });
  assert.deepEqual(reduceTranspose([32, 4, 64, 16], [0, 2, 1, 3]), { shape: [32, 4, 64, 16], perm: [0, 2, 1, 3] });
  assert.deepEqual(reduceTranspose([32, 64, 3, 4, 16], [2, 0, 3, 1, 4]), {
    shape: [32, 64, 3, 4, 16],
    perm: [2, 0, 3, 1, 4],
  });
});

test("transposeInto matches a naive transpose (rank 5)", () => {
  const shape = [2, 3, 4, 5, 6];
  const perm = [3, 1, 4, 0, 2];
  const n = shape.reduce((a, b) => a * b, 1);
  const src = Float32Array.from({ length: n }, (_, i) => i);
  const dst = new Float32Array(n);
  const red = reduceTranspose(shape, perm);
  transposeInto(src, red.shape, red.perm, dst);
  const outShape = perm.map((a) => shape[a]);
  const strides = [360, 120, 30, 6, 1];
  let o = 0;
  const idx = [0, 0, 0, 0, 0];
  const rec = (d: number): void => {
    if (d === 5) {
      let s = 0;
      for (let j = 0; j < 5; j++) s += idx[j] * (strides[perm[j]] as number);
      assert.equal(dst[o++], src[s]);
      return;
    }
    for (let i = 0; i < outShape[d]; i++) {
      idx[d] = i;
      rec(d + 1);
    }
  };
  rec(0);
});

test("wasm: matMul with the fixes equals the stock kernel for every flag combination and batch layout", async (t) => {
  const backend = await testBackend();
  if (backend !== "wasm") return t.skip(`backend is ${backend}; the matMul fix is wasm-only`);
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[33, 17], [17, 9], false, false],
    [[17, 33], [17, 9], true, false],
    [[33, 17], [9, 17], false, true],
    [[17, 33], [9, 17], true, true],
    [[64, 8], [64, 200], true, false], // (B^T A)^T branch
    [[4, 7, 5], [5, 6], false, false], // [B, M, K] x [K, N]
    [[4, 5, 7], [5, 6], true, false],
    [[4, 7, 5], [4, 5, 6], false, false], // batched
    [[4, 7, 5], [4, 6, 5], false, true],
    [[4, 5, 7], [4, 5, 6], true, false],
    [[4, 5, 7], [4, 6, 5], true, true],
    [[7, 5], [3, 5, 6], false, false], // a unbatched, b batched
    [[2, 1, 7, 5], [1, 3, 5, 6], false, false], // true broadcasting: stock kernel
  ];
  for (const [sa, sb, ta, tb] of cases) {
    const a = randn(sa, 1);
    const b = randn(sb, 2);
    const r = stockVsFixed(() => tf.matMul(a, b, ta, tb));
    a.dispose();
    b.dispose();
    assert.deepEqual(r.shapes[1], r.shapes[0], `shape for ${JSON.stringify([sa, sb, ta, tb])}`);
    assert.ok(
      maxAbsDiff(r.stock, r.fixed) < 1e-4,
      `values for ${JSON.stringify([sa, sb, ta, tb])}: max diff ${maxAbsDiff(r.stock, r.fixed)}`,
    );
  }
});

test("wasm: transpose, leading-axis sum, slice, split and tanh with the fixes equal the stock kernels", async (t) => {
  const backend = await testBackend();
  if (backend !== "wasm") return t.skip(`backend is ${backend}; these fixes are wasm-only`);
  const x5 = randn([3, 4, 3, 2, 5], 3);
  const tr = stockVsFixed(() => tf.transpose(x5, [2, 0, 3, 1, 4]));
  assert.deepEqual(tr.shapes[1], [3, 3, 2, 4, 5]);
  assert.equal(maxAbsDiff(tr.stock, tr.fixed), 0);
  const xi = tf.tensor(
    Int32Array.from({ length: 120 }, (_, i) => i),
    [2, 3, 4, 5, 1],
    "int32",
  );
  const ti = stockVsFixed(() => tf.cast(tf.transpose(xi, [4, 3, 1, 0, 2]), "float32"));
  assert.equal(maxAbsDiff(ti.stock, ti.fixed), 0);
  xi.dispose();
  const x = randn([6, 5, 7], 4);
  for (const [axis, keepDims] of [
    [0, false],
    [[0, 1], false],
    [[1, 0], true],
    [1, false],
    [-1, true],
    [null, false],
  ] as Array<[number | number[] | null, boolean]>) {
    const s = stockVsFixed(() => tf.sum(x, axis ?? undefined, keepDims));
    assert.deepEqual(s.shapes[1], s.shapes[0], `sum shape axis=${JSON.stringify(axis)} keepDims=${keepDims}`);
    // The stock C loop may accumulate in SIMD lanes: equal up to float rounding.
    assert.ok(
      maxAbsDiff(s.stock, s.fixed) < 1e-5,
      `sum axis=${JSON.stringify(axis)}: max diff ${maxAbsDiff(s.stock, s.fixed)}`,
    );
  }
  // Slice / split (read in place instead of copying the whole input).
  for (const [begin, size] of [
    [
      [1, 0, 2],
      [3, 5, 4],
    ],
    [
      [0, 2, 0],
      [6, 2, 7],
    ],
    [
      [2, 1, 3],
      [1, 1, 1],
    ],
    [
      [0, 0, 0],
      [6, 5, 7],
    ],
  ] as Array<[number[], number[]]>) {
    const sl = stockVsFixed(() => tf.slice(x, begin, size));
    assert.deepEqual(sl.shapes[1], size);
    assert.equal(maxAbsDiff(sl.stock, sl.fixed), 0, `slice ${begin} ${size}`);
  }
  const sp = stockVsFixed(() => tf.concat(tf.split(x, [1, 3, 1], 1).map((t) => tf.reshape(t, [-1]))));
  assert.equal(maxAbsDiff(sp.stock, sp.fixed), 0, "split");
  const flat = tf.reshape(x, [-1]);
  const sp1 = stockVsFixed(() => tf.concat(tf.split(flat, [100, 5, 105], 0).map((t) => tf.mul(t, 2))));
  assert.equal(maxAbsDiff(sp1.stock, sp1.fixed), 0, "split 1-D");
  const bools = tf.greater(x, 0);
  const sb = stockVsFixed(() => tf.cast(tf.slice(bools, [1, 1, 1], [2, 3, 4]), "float32"));
  assert.equal(maxAbsDiff(sb.stock, sb.fixed), 0, "slice bool");
  tf.dispose([flat, bools]);
  const th = stockVsFixed(() => tf.tanh(tf.mul(x, 3)));
  assert.ok(maxAbsDiff(th.stock, th.fixed) < 1e-6, `tanh max diff ${maxAbsDiff(th.stock, th.fixed)}`);
  x.dispose();
  x5.dispose();
  assert.ok(kernelFixesActive());
});

test("oneHot float32 holds 1 and 0 (the stock wasm kernel wrote int32 bits)", async () => {
  await testBackend();
  const o = tf.oneHot(tf.tensor1d([1, 0, 3, 7], "int32"), 4, 1, 0, "float32");
  assert.equal(o.dtype, "float32");
  assert.deepEqual([...o.dataSync()], [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  const o2 = tf.oneHot(tf.tensor1d([2], "int32"), 3, 5, -1);
  assert.equal(o2.dtype, "int32");
  assert.deepEqual([...o2.dataSync()], [-1, -1, 5]);
  tf.dispose([o, o2]);
});

test("tf.gather trains: its gradient (UnsortedSegmentSum) equals hand-computed segment sums", async () => {
  await testBackend();
  const E = randn([5, 3], 7);
  const W = randn([6, 3], 8);
  const idx = tf.tensor1d([4, 0, 4, 2, 4, 0], "int32");
  const g = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, idx), W)))(E);
  const w = W.dataSync();
  const want = new Float32Array(15);
  [4, 0, 4, 2, 4, 0].forEach((row, i) => {
    for (let j = 0; j < 3; j++) want[row * 3 + j] = want[row * 3 + j] + w[i * 3 + j];
  });
  assert.ok(maxAbsDiff(g.dataSync() as Float32Array, want) < 1e-6);
  const direct = tf.unsortedSegmentSum(
    tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]),
    tf.tensor1d([1, 1, 9], "int32"),
    3,
  );
  assert.deepEqual([...direct.dataSync()], [0, 0, 4, 6, 0, 0]);
  tf.dispose([E, W, idx, g, direct]);
});

const SIZE = { vocabSize: 16, seqLen: 12, dModel: 16, nHead: 2, nLayer: 2 };
const sampler: BatchSampler = (rng, batchSize) => {
  const x: number[][] = [];
  const y: number[][] = [];
  for (let b = 0; b < batchSize; b++) {
    const start = rng.int(16);
    const row = Array.from({ length: SIZE.seqLen + 1 }, (_, i) => (start + 3 * i) % 16);
    x.push(row.slice(0, -1));
    y.push(row.slice(1));
  }
  return { x, y };
};

async function lossCurve(steps: number): Promise<number[]> {
  const model = createGPT(SIZE, 11);
  try {
    const r = await trainModel(
      model,
      sampler,
      { numSteps: steps, batchSize: 8, lr: 1e-2, warmupSteps: 2, evalEvery: 0 },
      { seed: 5 },
    );
    return r.history.map((h) => h.trainLoss);
  } finally {
    model.dispose();
  }
}

test("a GPT's loss curve with the kernel fixes equals the plain path within float tolerance, and is deterministic", async () => {
  const backend = await testBackend();
  uninstallKernelFixes();
  const plain = await lossCurve(6);
  installKernelFixes(backend === "node" || backend === "node-gpu" ? "tensorflow" : backend, { speed: true });
  const fixed = await lossCurve(6);
  const again = await lossCurve(6);
  assert.deepEqual(again, fixed, "same seed, same backend: bit-identical losses");
  assert.ok(fixed[5] < fixed[0] - 0.1, `it learns: ${fixed.map((l) => l.toFixed(3)).join(" ")}`);
  for (let i = 0; i < plain.length; i++) {
    const p = plain[i];
    const f = fixed[i];
    assert.ok(Math.abs(p - f) <= 1e-4 * Math.max(1, Math.abs(p)), `step ${i + 1}: plain ${p} vs fixed ${f}`);
  }
});

test("a training step with the fixes leaks no tensors and no backend memory", async () => {
  await testBackend();
  const model = createGPT(SIZE, 3);
  try {
    const step = async (): Promise<void> => {
      await trainModel(model, sampler, { numSteps: 2, batchSize: 4, warmupSteps: 1, evalEvery: 0 }, { seed: 1 });
    };
    await expectNoLeak(step, "trainModel with kernel fixes");
    const be = tf.backend() as unknown as { numDataIds(): number };
    const ids = be.numDataIds();
    await step();
    assert.equal(be.numDataIds(), ids, "backend data ids");
  } finally {
    model.dispose();
  }
});
