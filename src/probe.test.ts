import { test } from "node:test";
import assert from "node:assert/strict";
import { testBackend, expectNoLeak } from "./run/testing";
import { fitLinearProbe, probeAccuracy, probePredict, probeTrainTest } from "./probe";
import { Rng } from "./rng";

/** Gaussian clusters: class k centred at 3·e_k in d dimensions (plus noise dims). */
function clusters(n: number, K: number, d: number, rng: Rng, sep = 3): { X: number[][]; y: number[] } {
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % K;
    const row = Array.from({ length: d }, () => rng.normal());
    row[k] = row[k] + sep;
    X.push(row);
    y.push(k);
  }
  return { X, y };
}

test("probe: separable clusters are decoded on unseen samples; shuffled labels are not", async () => {
  await testBackend();
  const rng = new Rng(1);
  const train = clusters(120, 4, 10, rng);
  const test_ = clusters(80, 4, 10, rng);
  const r = await probeTrainTest(train.X, train.y, test_.X, test_.y, 4, { numSteps: 150 });
  assert.ok(r.testAcc > 0.85, `test accuracy ${r.testAcc}`);
  // Labels unrelated to the features: held-out accuracy near chance (0.25).
  const shuffled = new Rng(2).shuffle([...train.y]);
  const noise = await probeTrainTest(train.X, shuffled, test_.X, test_.y, 4, { numSteps: 150 });
  assert.ok(noise.testAcc < 0.5, `shuffled-label accuracy ${noise.testAcc}`);
});

test("probe: hand-checkable 1-D case and argmax prediction", async () => {
  await testBackend();
  // Class 0 for negative x, class 1 for positive x.
  const X = [[-2], [-1], [-0.5], [0.5], [1], [2]];
  const y = [0, 0, 0, 1, 1, 1];
  const p = await fitLinearProbe(X, y, 2, { numSteps: 100, lr: 0.1, l2: 0 });
  assert.deepEqual(probePredict(p, [[-3], [3]]), [0, 1]);
  assert.equal(probeAccuracy(p, X, y), 1);
  // Standardisation uses the training statistics: mean 0 here, population std sqrt(mean(x^2)).
  assert.ok(Math.abs(p.mu[0] - 0) < 1e-6);
  assert.ok(Math.abs(p.sigma[0] - Math.sqrt(((4 + 1 + 0.25) * 2) / 6)) < 1e-5);
  // The weight of class 1 exceeds class 0's (positive x favours class 1).
  assert.ok(p.weights[1] > p.weights[0]);
});

test("probe: deterministic and leak-free", async () => {
  await testBackend();
  const { X, y } = clusters(40, 3, 6, new Rng(5));
  const a = await fitLinearProbe(X, y, 3, { numSteps: 30 });
  const b = await expectNoLeak(() => fitLinearProbe(X, y, 3, { numSteps: 30 }), "fitLinearProbe");
  assert.deepEqual(Array.from(a.weights), Array.from(b.weights));
  assert.deepEqual(Array.from(a.bias), Array.from(b.bias));
});

test("probe: bad input is a clear error", async () => {
  await testBackend();
  await assert.rejects(() => fitLinearProbe([], [], 2), /no samples/);
  await assert.rejects(() => fitLinearProbe([[1], [2]], [0], 2), /2 feature rows but 1 labels/);
  await assert.rejects(() => fitLinearProbe([[1], [2, 3]], [0, 1], 2), /row 1 has 2 values/);
  await assert.rejects(() => fitLinearProbe([[1], [2]], [0, 5], 2), /label 1 is 5/);
  await assert.rejects(() => fitLinearProbe([[1], [2]], [0, 1], 2, { numSteps: 0 }), /ProbeConfig\.numSteps/);
});
