import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createMLP, evaluateMLP, trainMLP } from "./mlp";
import { Rng } from "./rng";
import { expectNoLeak, testBackend } from "./testing";

/** Two interleaved noisy rings in 2-D: not linearly separable. */
function rings(n: number, seed: number): { x: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const r = (c === 0 ? 0.5 : 1.5) + rng.normal(0, 0.1);
    const a = rng.uniform(0, 2 * Math.PI);
    x.push([r * Math.cos(a), r * Math.sin(a)]);
    y.push(c);
  }
  return { x, y };
}

test("config validation names the field", async () => {
  await testBackend();
  assert.throws(() => createMLP({ inputDim: 0, hidden: [4], outputDim: 2, activation: "relu" }, 1), /MLPConfig\.inputDim/);
  assert.throws(() => createMLP({ inputDim: 2, hidden: [4, 0], outputDim: 2, activation: "relu" }, 1), /MLPConfig\.hidden\[1\]/);
  assert.throws(() => createMLP({ inputDim: 2, hidden: [4], outputDim: 2, activation: "gelu" as never }, 1), /MLPConfig\.activation: unknown "gelu"/);
});

test("same seed, bit-identical weights and training; the MLP separates two rings", async () => {
  await testBackend();
  const cfg = { inputDim: 2, hidden: [16, 16], outputDim: 2, activation: "tanh" as const };
  const data = rings(400, 1);
  const val = rings(200, 2);
  const run = async () => {
    const mlp = createMLP(cfg, 5);
    try {
      const w0 = mlp.model.getWeights().map((t) => t.dataSync().slice());
      const h = await trainMLP(mlp, data.x, data.y, { epochs: 30, batchSize: 32, lr: 0.02, seed: 3, validation: val });
      return { w0, h };
    } finally {
      mlp.dispose();
    }
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a.w0, b.w0);
  assert.deepEqual(a.h.map((r) => r.trainLoss), b.h.map((r) => r.trainLoss));
  const m = createMLP(cfg, 5);
  assert.equal(m.numParams(), 2 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2);
  m.dispose();
  const last = a.h[a.h.length - 1];
  assert.ok((last?.valAccuracy as number) >= 0.95, `validation accuracy ${last?.valAccuracy}`);
});

test("training and evaluation leak no tensors; bad labels are named", async () => {
  await testBackend();
  const mlp = createMLP({ inputDim: 2, hidden: [4], outputDim: 2, activation: "relu" }, 1);
  const data = rings(64, 3);
  try {
    await expectNoLeak(() => trainMLP(mlp, data.x, data.y, { epochs: 1, batchSize: 16, lr: 0.01, seed: 1 }), "trainMLP");
    await expectNoLeak(() => evaluateMLP(mlp, data.x, data.y), "evaluateMLP");
    await expectNoLeak(() => tf.tidy(() => { mlp.predict(tf.zeros([3, 2])); }), "predict");
    await assert.rejects(trainMLP(mlp, data.x, data.y.map((v) => v + 1), { epochs: 1, batchSize: 16, lr: 0.01, seed: 1 }), /y\[1\] = 2 is not a class id in \[0, 2\)/);
  } finally {
    mlp.dispose();
  }
});
