import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { expectNoLeak, testBackend } from "./run/testing";
import { makeClassificationTask } from "./data/classification";
import { createMLP, mlpAccuracy, rowsTensor, trainMLP } from "./mlp";
import { fakeQuantSTE, quantSpec } from "./quantize";

const arch = { inputDim: 4, hidden: [16, 16], outputDim: 3 };
const task = makeClassificationTask(
  { inputDim: 4, numClasses: 3, clustersPerClass: 1, noiseStd: 0.3, trainSize: 512, testSize: 256 },
  5,
);
const trainCfg = { numSteps: 150, batchSize: 32, lr: 1e-2, minLr: 1e-3, weightDecay: 0 };

test("setup backend", async () => {
  await testBackend();
});

test("same seed → bit-identical initial weights and training", async () => {
  const a = createMLP(arch, 1);
  const b = createMLP(arch, 1);
  const c = createMLP(arch, 2);
  try {
    assert.deepEqual(await a.readWeights(), await b.readWeights());
    assert.notDeepEqual((await a.readWeights())["dense0/kernel"], (await c.readWeights())["dense0/kernel"]);
    assert.equal(a.numParams(), 4 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3);
    const ha = await trainMLP(a, task.xTrain, task.yTrain, { ...trainCfg, numSteps: 5 }, { seed: 9, logEvery: 1 });
    const hb = await trainMLP(b, task.xTrain, task.yTrain, { ...trainCfg, numSteps: 5 }, { seed: 9, logEvery: 1 });
    assert.deepEqual(ha, hb);
    assert.deepEqual(await a.readWeights(), await b.readWeights());
  } finally {
    [a, b, c].forEach((m) => m.dispose());
  }
});

test("it learns a separable task, with float and with ternary QAT weights", async () => {
  const m = createMLP(arch, 3);
  try {
    const before = await mlpAccuracy(m, task.xTest, task.yTest);
    const h = await trainMLP(m, task.xTrain, task.yTrain, trainCfg, { seed: 1 });
    const after = await mlpAccuracy(m, task.xTest, task.yTest);
    assert.ok((h[h.length - 1]?.loss as number) < (h[0]?.loss as number), "loss falls");
    assert.ok(after > 0.9 && after > before, `accuracy ${before} → ${after}`);
    const spec = quantSpec({ states: 3, granularity: "tensor", clip: "absmean" });
    const q = createMLP(arch, 3);
    try {
      await trainMLP(q, task.xTrain, task.yTrain, trainCfg, { seed: 1, transform: (w) => fakeQuantSTE(w, spec) });
      const acc = await mlpAccuracy(q, task.xTest, task.yTest, (w) => fakeQuantSTE(w, spec));
      assert.ok(acc > 0.9, `ternary QAT accuracy ${acc}`);
    } finally {
      q.dispose();
    }
  } finally {
    m.dispose();
  }
});

test("the weight transform is applied in the forward pass", () => {
  const m = createMLP(arch, 4);
  const x = rowsTensor(task.xTest, 4, [0, 1, 2]);
  try {
    const logits = m.forward(x, (w) => tf.zerosLike(w));
    // zero weights and zero biases give zero logits
    assert.deepEqual(Array.from(logits.dataSync()), new Array(9).fill(0));
    logits.dispose();
  } finally {
    x.dispose();
    m.dispose();
  }
});

test("forward, loss and a training step leak no tensors", async () => {
  const m = createMLP(arch, 6);
  const spec = quantSpec({ states: 4, granularity: "channel", clip: "mse" });
  const x = rowsTensor(task.xTrain, 4, [0, 1, 2, 3]);
  const y = tf.tensor1d([0, 1, 2, 0], "int32");
  try {
    await expectNoLeak(() => m.forward(x).dispose(), "forward");
    await expectNoLeak(() => m.loss(x, y, (w) => fakeQuantSTE(w, spec)).dispose(), "loss");
    await expectNoLeak(
      () =>
        trainMLP(
          m,
          task.xTrain,
          task.yTrain,
          { ...trainCfg, numSteps: 2 },
          { seed: 1, transform: (w) => fakeQuantSTE(w, spec) },
        ),
      "train step",
    );
    await expectNoLeak(() => mlpAccuracy(m, task.xTest, task.yTest), "accuracy");
  } finally {
    tf.dispose([x, y]);
    m.dispose();
  }
});
