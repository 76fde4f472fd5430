import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { expectNoLeak, testBackend } from "./run/testing";
import { Rng } from "./rng";
import { createCuedStreamsTask } from "./data/cued-streams";
import {
  ATTENTION_SYSTEM_DEFAULTS,
  ConstantGains,
  salienceLoss,
  stepsToReach,
  taskLoss,
  Controller,
  GainTable,
  OneHotGains,
  Processor,
  evaluatePair,
  gainCodeDistance,
  gainSelectivity,
  gateStreams,
  makeEvalSet,
  oneHotCode,
  trainJoint,
  trainSteps,
  validateAttentionSystemConfig,
} from "./attention-system";

const smallTask = () => createCuedStreamsTask({ numStreams: 3, streamDim: 4, numClasses: 3, streamNoise: 0.2 }, 7);
const smallSys = {
  ...ATTENTION_SYSTEM_DEFAULTS,
  controllerHidden: 8,
  processorHidden: 24,
  numSteps: 250,
  batchSize: 32,
  adaptSteps: [0, 10],
  evalSize: 300,
};

test("gating multiplies each stream by its gain and adds the noise", async () => {
  await testBackend();
  const out = tf.tidy(() =>
    gateStreams(
      tf.tensor3d([
        [
          [1, 2],
          [3, 4],
        ],
      ]),
      tf.tensor2d([[0.5, 0]]),
      tf.tensor3d([
        [
          [0.1, 0.1],
          [0.2, 0.2],
        ],
      ]),
    ).arraySync(),
  );
  const want = [0.6, 1.1, 0.2, 0.2];
  out[0]!.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-6, `entry ${i}: ${v}`));
});

test("gain-code distance and selectivity match hand values", () => {
  assert.equal(gainCodeDistance(oneHotCode(2), oneHotCode(2)), 0);
  // Every entry differs by 1: RMS 1.
  assert.equal(
    gainCodeDistance(oneHotCode(2), [
      [0, 1],
      [1, 0],
    ]),
    1,
  );
  assert.equal(gainSelectivity(oneHotCode(4)), 1);
  assert.equal(
    gainSelectivity([
      [0, 1],
      [1, 0],
    ]),
    -1,
  );
  assert.equal(
    gainSelectivity([
      [0.5, 0.5],
      [0.5, 0.5],
    ]),
    0,
  );
  assert.throws(() => gainCodeDistance(oneHotCode(2), oneHotCode(3)), /codes of 2 and 3/);
});

test("gain sources: shapes, ranges, determinism", async () => {
  await testBackend();
  const a = new Controller(3, 8, 1);
  const b = new Controller(3, 8, 1);
  const t = new GainTable(3, 2, "tanh");
  try {
    const ca = await a.gainCode();
    assert.deepEqual(ca, await b.gainCode());
    assert.equal(ca.length, 3);
    assert.ok(ca.flat().every((g) => g > 0 && g < 1));
    assert.ok((await t.gainCode()).flat().every((g) => g > -1 && g < 1));
    const oh = tf.tidy(() => new OneHotGains(3).gains(tf.tensor1d([2, 0], "int32")).arraySync());
    assert.deepEqual(oh, [
      [0, 0, 1],
      [1, 0, 0],
    ]);
  } finally {
    a.dispose();
    b.dispose();
    t.dispose();
  }
});

test("a training step and an evaluation leak no tensors", async () => {
  await testBackend();
  const task = smallTask();
  const c = new Controller(3, 8, 1);
  const p = new Processor(3, 4, 3, 16, 2);
  const ev = makeEvalSet(task, { ...smallSys, evalSize: 30 }, 3);
  try {
    await expectNoLeak(async () => {
      await trainSteps(
        task,
        smallSys,
        [...c.variables, ...p.variables],
        (t) =>
          tf.tidy(() => {
            const logits = p.logits(gateStreams(t.streams, c.gains(t.cue), t.noise));
            return tf.losses.softmaxCrossEntropy(tf.oneHot(t.target, 3), logits) as tf.Scalar;
          }),
        2,
        new Rng(4),
      );
      await evaluatePair(task, c, p, ev);
    }, "train step + eval");
  } finally {
    c.dispose();
    p.dispose();
  }
});

test("joint training learns the task and a one-hot-like code; it is deterministic", async () => {
  await testBackend();
  const task = smallTask();
  const ev = makeEvalSet(task, smallSys, 5);
  const j = await trainJoint(task, smallSys, 11);
  const j2 = await trainJoint(task, { ...smallSys, numSteps: 3 }, 11);
  const j3 = await trainJoint(task, { ...smallSys, numSteps: 3 }, 11);
  try {
    const acc = await evaluatePair(task, j.controller, j.processor, ev);
    assert.ok(acc > 0.8, `joint accuracy ${acc}`);
    assert.ok(gainSelectivity(await j.controller.gainCode()) > 0.3, "the cued stream gets the larger gain");
    assert.deepEqual(await j2.controller.readWeights(), await j3.controller.readWeights());
    assert.deepEqual(j2.history, j3.history);
  } finally {
    for (const x of [j, j2, j3]) {
      x.controller.dispose();
      x.processor.dispose();
    }
  }
});

test("config validation names the field", () => {
  assert.throws(() => validateAttentionSystemConfig({ ...smallSys, adaptSteps: [10, 5] }), /adaptSteps/);
  assert.throws(() => validateAttentionSystemConfig({ ...smallSys, gainFunction: "relu" as never }), /gainFunction/);
  assert.throws(() => validateAttentionSystemConfig({ ...smallSys, lr: 0 }), /lr/);
});

test("constant gains, the salience objective and steps to a target", async () => {
  await testBackend();
  const g = tf.tidy(() => new ConstantGains(3, 1).gains(tf.tensor1d([0, 2], "int32")));
  assert.deepEqual(await g.array(), [
    [1, 1, 1],
    [1, 1, 1],
  ]);
  g.dispose();
  // Salience: a controller trained only on it turns its cued stream up, the others down.
  const task = smallTask();
  const c = new Controller(3, 8, 9, "tanh");
  try {
    await trainSteps(task, smallSys, c.variables, (t) => salienceLoss(c, t.cue), 150, new Rng(2));
    const code = await c.gainCode();
    code.forEach((row, i) =>
      row.forEach((x, k) => assert.ok(k === i ? x > 0.5 : x < row[i]!, `cue ${i}, stream ${k}: ${x}`)),
    );
  } finally {
    c.dispose();
  }
  const curve = [
    { step: 0, acc: 0.2 },
    { step: 10, acc: 0.6 },
    { step: 20, acc: 1 },
  ];
  assert.equal(stepsToReach(curve, 0.8), 15);
  assert.equal(stepsToReach(curve, 0.1), 0);
  assert.ok(Number.isNaN(stepsToReach(curve, 1.1)));
});

test("trainSteps calls onEval at the requested steps, including step 0", async () => {
  await testBackend();
  const task = smallTask();
  const c = new Controller(3, 8, 1);
  const p = new Processor(3, 4, 3, 16, 2);
  const seen: number[] = [];
  try {
    await trainSteps(task, smallSys, [...c.variables, ...p.variables], (t) => taskLoss(c, p, t), 5, new Rng(1), {
      evalAt: [0, 2, 5, 9],
      onEval: async (s) => {
        seen.push(s);
      },
    });
    assert.deepEqual(seen, [0, 2, 5]);
  } finally {
    c.dispose();
    p.dispose();
  }
});
