import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  countRecurrentParams,
  createRecurrentNet,
  initialDecays,
  lagMaskTensors,
  linearRecurrence,
  recurrenceReference,
  recurrentConfig,
} from "./recurrent";
import { Rng } from "./rng";
import { expectNoLeak, testBackend } from "./run/testing";
import { countGPTParams } from "./transformer";
import { trainModel } from "./train";

const SMALL = { vocabSize: 11, seqLen: 12, dModel: 16, nLayer: 2, dFF: 0, dState: 0 };

function tokens(B: number, T: number, V: number, offset = 0): tf.Tensor2D {
  return tf.tensor2d(
    Array.from({ length: B * T }, (_, i) => (i * 7 + 3 + offset) % V),
    [B, T],
    "int32",
  );
}

test("config validation names the field; defaults fill dFF and dState", async () => {
  await testBackend();
  assert.throws(() => recurrentConfig({ nLayer: 1.5 }), /RecurrentConfig\.nLayer/);
  assert.throws(() => recurrentConfig({ tauMin: 1 }), /RecurrentConfig\.tauMin/);
  assert.throws(() => recurrentConfig({ dstate: 3 } as never), /RecurrentConfig\.dstate: unknown field/);
  const c = recurrentConfig({ dModel: 8 });
  assert.equal(c.dFF, 32);
  assert.equal(c.dState, 16);
});

test("parameter count by hand; with dState = 2 dModel a block has the GPT block's count plus the C decays' worth", async () => {
  await testBackend();
  const { vocabSize: V, dModel: C, nLayer: L } = SMALL;
  const F = 4 * C;
  const D = 2 * C;
  const perBlock = 2 * C + (C * D + D) + D + (D * C + C) + 2 * C + (C * F + F) + (F * C + C);
  const total = V * C + L * perBlock + 2 * C + C * V;
  const m = createRecurrentNet(SMALL, 1);
  try {
    assert.equal(m.numParams(), total);
    assert.deepEqual(countRecurrentParams(SMALL), { total, nonEmbedding: total - V * C });
  } finally {
    m.dispose();
  }
  // GPT block: 4C² + 4C (attention) vs 2CD + 2D + C (recurrence): equal up to C at D = 2C.
  const gpt = countGPTParams({
    vocabSize: V,
    seqLen: SMALL.seqLen,
    dModel: C,
    nHead: 2,
    nLayer: L,
    dFF: 0,
    tieWeights: false,
  });
  const gptNoPos = gpt.total - SMALL.seqLen * C;
  assert.equal(total - gptNoPos, L * C);
});

test("initial decays: time constants log-spaced from tauMin to tauMax", () => {
  const nu = initialDecays(5, 2, 32);
  const tau = Array.from(nu, (v) => 1 / (1 - Math.exp(-Math.exp(v))));
  [2, 4, 8, 16, 32].forEach((t, i) => assert.ok(Math.abs((tau[i] as number) - t) < 1e-3 * t, `tau ${tau[i]} vs ${t}`));
});

test("the convolutional recurrence equals the step-by-step loop", async () => {
  await testBackend();
  const rng = new Rng(3);
  const [B, T, D] = [2, 7, 3];
  const u = Array.from({ length: B }, () =>
    Array.from({ length: T }, () => Array.from({ length: D }, () => rng.normal())),
  );
  const nu = [Math.log(-Math.log(0.5)), Math.log(-Math.log(0.9)), Math.log(-Math.log(0.99))];
  const lm = lagMaskTensors(T);
  const ut = tf.tensor3d(u);
  const nut = tf.tensor1d(nu);
  try {
    const h = linearRecurrence(ut, nut, lm);
    const got = h.arraySync();
    h.dispose();
    const want = recurrenceReference(u, [0.5, 0.9, 0.99]);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let d = 0; d < D; d++)
          assert.ok(
            Math.abs(got[b]![t]![d]! - want[b]![t]![d]!) < 1e-5,
            `b${b} t${t} d${d}: ${got[b]![t]![d]} vs ${want[b]![t]![d]}`,
          );
  } finally {
    tf.dispose([lm.lag, lm.mask, ut, nut]);
  }
});

test("causal: changing a later token leaves earlier logits unchanged; hidden states have the GPT's shapes", async () => {
  await testBackend();
  const m = createRecurrentNet(SMALL, 2);
  const a = tokens(2, 6, SMALL.vocabSize);
  const b = tf.tidy(() => tf.concat([tf.slice(a, [0, 0], [2, 4]), tf.fill([2, 2], 1, "int32")], 1) as tf.Tensor2D);
  try {
    const fa = m.forward(a, { returnHidden: true });
    const fb = m.forward(b);
    assert.deepEqual(fa.logits.shape, [2, 6, SMALL.vocabSize]);
    assert.equal(fa.hidden?.length, SMALL.nLayer + 1);
    assert.deepEqual(fa.hidden?.[2]?.shape, [2, 6, SMALL.dModel]);
    const la = fa.logits.arraySync();
    const lb = fb.logits.arraySync();
    for (let r = 0; r < 2; r++)
      for (let t = 0; t < 4; t++)
        for (let v = 0; v < SMALL.vocabSize; v++) assert.ok(Math.abs(la[r]![t]![v]! - lb[r]![t]![v]!) < 1e-5);
    let differs = false;
    for (let v = 0; v < SMALL.vocabSize; v++) if (Math.abs(la[0]![5]![v]! - lb[0]![5]![v]!) > 1e-6) differs = true;
    assert.ok(differs, "the last position must see the changed tokens");
    tf.dispose([fa.logits, ...(fa.hidden ?? []), fb.logits]);
  } finally {
    tf.dispose([a, b]);
    m.dispose();
  }
});

test("forward and loss leak no tensors; the same seed gives bit-identical weights and first loss", async () => {
  await testBackend();
  const m = createRecurrentNet(SMALL, 5);
  const m2 = createRecurrentNet(SMALL, 5);
  const x = tokens(3, 8, SMALL.vocabSize);
  const y = tokens(3, 8, SMALL.vocabSize, 1);
  try {
    await expectNoLeak(() => {
      const f = m.forward(x, { returnHidden: true });
      tf.dispose([f.logits, ...(f.hidden ?? [])]);
    }, "forward");
    await expectNoLeak(() => m.loss(x, y).dispose(), "loss");
    const [w1, w2] = [await m.readWeights(), await m2.readWeights()];
    for (const k of Object.keys(w1)) assert.deepEqual(w1[k], w2[k], k);
    const l1 = m.loss(x, y);
    const l2 = m2.loss(x, y);
    assert.equal((await l1.data())[0], (await l2.data())[0]);
    tf.dispose([l1, l2]);
  } finally {
    tf.dispose([x, y]);
    m.dispose();
    m2.dispose();
  }
});

test("it can learn to remember: the first token, recalled at the end of the sequence; the decays train", async () => {
  await testBackend();
  // Sequences "k 0 0 0 0 0 0 k": the last target is the first token, 7 steps back. A memoryless model
  // is at log 4 on it; the recurrence must hold the token.
  const T = 8;
  const sampler = (rng: Rng, n: number): { x: number[][]; y: number[][]; mask: number[][] } => {
    const rows = Array.from({ length: n }, () => {
      const k = 1 + rng.int(4);
      const seq = [k, ...new Array<number>(T - 1).fill(0), k];
      return { x: seq.slice(0, T), y: seq.slice(1), mask: [...new Array<number>(T - 1).fill(0), 1] };
    });
    return { x: rows.map((r) => r.x), y: rows.map((r) => r.y), mask: rows.map((r) => r.mask) };
  };
  const m = createRecurrentNet(
    { vocabSize: 5, seqLen: T, dModel: 16, nLayer: 1, dState: 16, tauMin: 1.5, tauMax: 20 },
    7,
  );
  try {
    const nu0 = await m.decays(0);
    const res = await trainModel(
      m,
      sampler,
      { numSteps: 150, batchSize: 32, lr: 1e-2, minLr: 1e-3, warmupSteps: 10, weightDecay: 0, evalEvery: 0 },
      { seed: 1 },
    );
    const nu1 = await m.decays(0);
    assert.ok(
      res.finalLoss < 0.5 * Math.log(4),
      `loss on the recalled token ${res.finalLoss}, not below half of a memoryless model's ${Math.log(4).toFixed(3)}`,
    );
    assert.ok(
      nu0.some((v, i) => Math.abs(v - (nu1[i] as number)) > 1e-4),
      "the decays receive gradients",
    );
  } finally {
    m.dispose();
  }
});
