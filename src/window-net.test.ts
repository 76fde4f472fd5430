import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { countWindowNetParams, createWindowNet, windowNetConfig } from "./window-net";
import { expectNoLeak, testBackend } from "./run/testing";

const SMALL = { vocabSize: 9, seqLen: 10, dModel: 6, window: 3, dHidden: 20 };

test("config validation names the field; parameter count by hand", async () => {
  await testBackend();
  assert.throws(() => windowNetConfig({ window: 0 }), /WindowNetConfig\.window/);
  assert.throws(() => windowNetConfig({ seqLen: 4, window: 5 }), /WindowNetConfig\.window/);
  const { vocabSize: V, dModel: E, window: w, dHidden: H } = SMALL;
  const total = V * E + (w * E * H + H) + (H * H + H) + (H * V + V);
  assert.deepEqual(countWindowNetParams(SMALL), { total, nonEmbedding: total - V * E });
  const m = createWindowNet(SMALL, 1);
  try {
    assert.equal(m.numParams(), total);
  } finally {
    m.dispose();
  }
});

test("the prediction at t sees tokens t−window+1 … t and nothing older or later", async () => {
  await testBackend();
  const m = createWindowNet(SMALL, 2);
  const base = [1, 2, 3, 4, 5, 6, 7, 8];
  const run = (seq: number[]): number[][] => {
    const x = tf.tensor2d([seq], [1, seq.length], "int32");
    const f = m.forward(x);
    const out = (f.logits.arraySync() as number[][][])[0] as number[][];
    tf.dispose([x, f.logits]);
    return out;
  };
  try {
    const a = run(base);
    const changed = [...base];
    changed[2] = 0; // token 2 is inside the windows of positions 2, 3, 4 only
    const b = run(changed);
    const differs = (t: number): boolean =>
      (a[t] as number[]).some((v, k) => Math.abs(v - ((b[t] as number[])[k] as number)) > 1e-6);
    [0, 1, 5, 6, 7].forEach((t) => assert.ok(!differs(t), `position ${t} must not see token 2`));
    [2, 3, 4].forEach((t) => assert.ok(differs(t), `position ${t} must see token 2`));
  } finally {
    m.dispose();
  }
});

test("forward and loss leak no tensors; hidden states [B, T, dHidden]; the same seed gives the same weights", async () => {
  await testBackend();
  const m = createWindowNet(SMALL, 3);
  const m2 = createWindowNet(SMALL, 3);
  const x = tf.tensor2d(
    [
      [1, 2, 3, 4, 5],
      [5, 4, 3, 2, 1],
    ],
    [2, 5],
    "int32",
  );
  try {
    await expectNoLeak(() => {
      const f = m.forward(x, { returnHidden: true });
      assert.deepEqual(f.hidden?.[0]?.shape, [2, 5, SMALL.dHidden]);
      tf.dispose([f.logits, ...(f.hidden ?? [])]);
    }, "forward");
    await expectNoLeak(() => m.loss(x, x).dispose(), "loss");
    const [w1, w2] = [await m.readWeights(), await m2.readWeights()];
    for (const k of Object.keys(w1)) assert.deepEqual(w1[k], w2[k], k);
  } finally {
    x.dispose();
    m.dispose();
    m2.dispose();
  }
});
