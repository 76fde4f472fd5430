import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { expectNoLeak, testBackend } from "../run/testing";
import { fusedKernelsActive, linear, setFusedComposite, setFusedJsOnWasm, setFusedNative } from "./fused";
import { withFastPaths } from "./index";
import { loadNative } from "./native";
import { Rng } from "../rng";
import { referenceOps } from "../transformer";

// The model's ops as the model gets them: the reference definitions, with the fused kernels where active.
const ops = withFastPaths(referenceOps, { layerNormEps: 1e-5 });
const { layerNorm, gelu, crossEntropy } = ops;
const causalAttention = (qkv: tf.Tensor2D, B: number, T: number, nH: number, opts: { returnProbs?: boolean } = {}) =>
  ops.causalAttention(qkv, B, T, nH, opts.returnProbs === true);

function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => scale * rng.normal()),
    shape,
  );
}

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  assert.equal(x.length, y.length);
  let scale = 1e-6;
  for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i] as number));
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m / scale;
}

/** Value and gradients of sum(f(inputs) * w) for a fixed random w, with the fused path off (reference) or on. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], composite: boolean): tf.Tensor[] {
  setFusedComposite(composite);
  try {
    return tf.tidy(() => {
      const y0 = f(...inputs);
      const w = randn(y0.shape, 99);
      const g = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w)));
      return [f(...inputs), ...g(inputs)];
    });
  } finally {
    setFusedComposite(false);
  }
}

/** The kernel paths to check: JS on the heap, and the native addon when it is available. */
function paths(): Array<[string, () => void]> {
  // The JS kernels also run on the wasm heap here (in use there only as a fallback for tests).
  setFusedJsOnWasm(true);
  const out: Array<[string, () => void]> = [["js", () => setFusedNative(false)]];
  if (tf.getBackend() === "wasm" && loadNative().available) out.push(["native", () => setFusedNative(true)]);
  return out;
}

function checkAgainstReference(
  name: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  tol: number,
): void {
  const ref = valueAndGrads(f, inputs, true);
  for (const [label, select] of paths()) {
    select();
    const got = valueAndGrads(f, inputs, false);
    ref.forEach((r, i) => {
      const d = maxRelDiff(r, got[i] as tf.Tensor);
      assert.ok(d < tol, `${name} (${label}) ${i === 0 ? "value" : `gradient ${i}`}: relative difference ${d}`);
    });
    tf.dispose(got);
  }
  tf.dispose(ref);
}

test("fused kernels are registered for the test backend", async (t) => {
  const backend = await testBackend();
  if (backend !== "wasm" && backend !== "cpu") return t.skip(`backend ${backend}: reference ops only`);
  setFusedJsOnWasm(true);
  setFusedComposite(false);
  assert.ok(fusedKernelsActive());
  setFusedComposite(true);
  assert.ok(!fusedKernelsActive(), "setFusedComposite(true) selects the reference ops");
  setFusedComposite(false);
});

test("layerNorm: fused value and gradients equal the reference ops", async () => {
  await testBackend();
  const x = randn([37, 24], 1, 3);
  const g = randn([24], 2);
  const b = randn([24], 3);
  checkAgainstReference(
    "layerNorm",
    (x0, g0, b0) => layerNorm(x0 as tf.Tensor, g0 as tf.Tensor, b0 as tf.Tensor),
    [x, g, b],
    2e-5,
  );
  tf.dispose([x, g, b]);
});

test("gelu: fused value and gradient equal the reference ops", async () => {
  await testBackend();
  const x = randn([50, 16], 4, 3);
  checkAgainstReference("gelu", (x0) => gelu(x0 as tf.Tensor), [x], 2e-5);
  x.dispose();
});

test("causalAttention: fused output, probabilities and gradients equal the reference ops", async () => {
  await testBackend();
  const [B, T, nH, hs] = [3, 7, 2, 4];
  const qkv = randn([B * T, 3 * nH * hs], 5);
  checkAgainstReference("attention", (q) => causalAttention(q as tf.Tensor2D, B, T, nH).out, [qkv], 2e-5);
  // Gradient through the returned probabilities too (e.g. a loss on attention maps).
  checkAgainstReference(
    "attention probs",
    (q) => {
      const r = causalAttention(q as tf.Tensor2D, B, T, nH, { returnProbs: true });
      return tf.concat([tf.reshape(r.out, [-1]), tf.reshape(r.probs as tf.Tensor, [-1])]);
    },
    [qkv],
    2e-5,
  );
  const { out, probs } = causalAttention(qkv as tf.Tensor2D, B, T, nH, { returnProbs: true });
  const p = (probs as tf.Tensor4D).arraySync();
  for (const row of p[1]?.[1] ?? []) {
    const i = (p[1]?.[1] ?? []).indexOf(row);
    assert.ok(Math.abs(row.reduce((a, v) => a + v, 0) - 1) < 1e-5, "rows sum to 1");
    for (let j = i + 1; j < T; j++) assert.equal(row[j], 0, "causal: no weight on future keys");
  }
  tf.dispose([qkv, out, probs as tf.Tensor]);
});

test("crossEntropy: fused loss and gradient equal the reference ops, with and without a mask", async () => {
  await testBackend();
  const logits = randn([20, 11], 6, 4);
  const targets = tf.tensor1d(
    [...Array(20).keys()].map((i) => (i * 7) % 11),
    "int32",
  );
  const mask = tf.tensor1d([...Array(20).keys()].map((i) => (i % 3 === 0 ? 0 : 1)));
  checkAgainstReference("crossEntropy", (l) => crossEntropy(l as tf.Tensor2D, targets, mask), [logits], 2e-5);
  checkAgainstReference("crossEntropy (no mask)", (l) => crossEntropy(l as tf.Tensor2D, targets), [logits], 2e-5);
  tf.dispose([logits, targets, mask]);
});

test("linear: fused matMul with bias equals x W + b and its gradients", async () => {
  await testBackend();
  const x = randn([33, 12], 7);
  const w = randn([12, 9], 8);
  const b = randn([9], 9);
  const f = (x0: tf.Tensor, w0: tf.Tensor, b0: tf.Tensor): tf.Tensor =>
    linear(x0 as tf.Tensor2D, w0 as tf.Tensor2D, b0 as tf.Tensor1D);
  const plain = (x0: tf.Tensor, w0: tf.Tensor, b0: tf.Tensor): tf.Tensor => tf.add(tf.matMul(x0, w0), b0);
  const a1 = valueAndGrads(f as (...xs: tf.Tensor[]) => tf.Tensor, [x, w, b], false);
  const a2 = valueAndGrads(plain as (...xs: tf.Tensor[]) => tf.Tensor, [x, w, b], false);
  a1.forEach((t, i) => assert.ok(maxRelDiff(t, a2[i] as tf.Tensor) < 2e-6, `linear ${i}`));
  tf.dispose([x, w, b, ...a1, ...a2]);
});

test("fused ops called outside tf.tidy leave only their result", async () => {
  await testBackend();
  const x = randn([6, 8], 30);
  const g = randn([8], 31);
  const b = randn([8], 32);
  const qkv = randn([2 * 3, 3 * 8], 33);
  await expectNoLeak(() => {
    tf.dispose([layerNorm(x, g, b), gelu(x), causalAttention(qkv as tf.Tensor2D, 2, 3, 2).out]);
  }, "fused ops outside tidy");
  tf.dispose([x, g, b, qkv]);
});

test("fused ops leak no tensors in a forward-backward pass", async () => {
  await testBackend();
  const [B, T, nH, C] = [2, 5, 2, 8];
  const x = randn([B * T, C], 20);
  const g = tf.variable(randn([C], 21));
  const b = tf.variable(randn([C], 22));
  const wqkv = tf.variable(randn([C, 3 * C], 23, 0.3));
  const bqkv = tf.variable(randn([3 * C], 24, 0.1));
  const targets = tf.tensor1d(
    [...Array(B * T).keys()].map((i) => i % C),
    "int32",
  );
  const step = (): void => {
    const { value, grads } = tf.variableGrads(() => {
      const h = layerNorm(x, g, b) as tf.Tensor2D;
      const a = causalAttention(linear(h, wqkv as tf.Tensor2D, bqkv as tf.Tensor1D), B, T, nH).out;
      return crossEntropy(gelu(a) as tf.Tensor2D, targets);
    });
    value.dispose();
    tf.dispose(Object.values(grads));
  };
  await expectNoLeak(step, "fused forward-backward");
  tf.dispose([x, g, b, wqkv, bqkv, targets]);
});
