import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { expectNoLeak, testBackend } from "./run/testing";
import { Rng } from "./rng";
import {
  attentionHopfieldMaxAbsDiff,
  capacitySweep,
  capacityAt,
  capacityCurves,
  capacityLoadGrid,
  massCount,
  classicalRetrieve,
  corruptPattern,
  cosine,
  effectiveNumber,
  hebbianHopfield,
  modernHopfieldUpdate,
  modernHopfieldUpdateRef,
  randomBinaryPatterns,
  scaledDotProductAttention,
} from "./hopfield";

test("scaled dot-product attention matches a hand computation", async () => {
  await testBackend();
  // q = [1, 0], keys [1, 0] and [0, 1], d = 2: scores [1, 0] / √2, values [1, 2] and [3, 4].
  const { output, weights } = scaledDotProductAttention(
    tf.tensor2d([[1, 0]]),
    tf.tensor2d([
      [1, 0],
      [0, 1],
    ]),
    tf.tensor2d([
      [1, 2],
      [3, 4],
    ]),
  );
  const e = Math.exp(1 / Math.SQRT2);
  const w0 = e / (e + 1);
  const w = (await weights.array()) as number[][];
  const o = (await output.array()) as number[][];
  assert.ok(Math.abs(w[0]![0]! - w0) < 1e-6 && Math.abs(w[0]![1]! - (1 - w0)) < 1e-6);
  assert.ok(Math.abs(o[0]![0]! - (w0 * 1 + (1 - w0) * 3)) < 1e-5);
  assert.ok(Math.abs(o[0]![1]! - (w0 * 2 + (1 - w0) * 4)) < 1e-5);
  tf.dispose([output, weights]);
});

test("attention masks and batched (rank-3) inputs", async () => {
  await testBackend();
  const q = tf.tensor3d([
    [
      [1, 0],
      [0, 1],
    ],
  ]); // [1, 2, 2]
  const mask = tf.tensor2d([
    [0, -1e9],
    [0, 0],
  ]); // causal
  const { output, weights } = scaledDotProductAttention(q, q, q, { mask });
  const w = (await weights.array()) as number[][][];
  assert.equal(w[0]![0]![1], 0);
  assert.ok(Math.abs(w[0]![0]![0]! - 1) < 1e-6);
  assert.ok(Math.abs(w[0]![1]![0]! + w[0]![1]![1]! - 1) < 1e-6);
  tf.dispose([q, mask, output, weights]);
  assert.throws(() => scaledDotProductAttention(tf.zeros([2, 3]), tf.zeros([2, 4]), tf.zeros([2, 3])), /key dim/);
});

test("the tfjs Hopfield update equals the float64 reference", async () => {
  await testBackend();
  const rng = new Rng(3);
  const d = 8;
  const X = Array.from({ length: 5 }, () => rng.normalArray(d));
  const xi = rng.normalArray(d);
  const out = tf.tidy(() =>
    modernHopfieldUpdate(
      tf.tensor2d(X.map((r) => Array.from(r))).transpose() as tf.Tensor2D,
      tf.tensor2d(Array.from(xi), [d, 1]),
      0.7,
    ).arraySync(),
  );
  const ref = modernHopfieldUpdateRef(X, xi, 0.7);
  for (let i = 0; i < d; i++) assert.ok(Math.abs(out[i]![0]! - ref[i]!) < 1e-5, `entry ${i}`);
  // β → ∞ picks the most similar pattern.
  const hard = modernHopfieldUpdateRef(X, X[2]!, 100);
  for (let i = 0; i < d; i++) assert.ok(Math.abs(hard[i]! - X[2]![i]!) < 1e-6);
});

test("one attention step equals one modern Hopfield update (β = 1/√d)", async () => {
  await testBackend();
  const r = await attentionHopfieldMaxAbsDiff(new Rng(1), 32, 20, 10);
  assert.equal(r.beta, 1 / Math.sqrt(32));
  assert.ok(r.maxAbsDiff <= 1e-5, `max abs diff ${r.maxAbsDiff}`);
  assert.ok(r.maxAbsOutput > 0.05, "outputs are not trivially zero");
  assert.equal(r.sample.attention.length, Math.min(256, 32 * 10));
});

test("attention and the Hopfield update leak no tensors", async () => {
  await testBackend();
  const q = tf.randomNormal([2, 4, 8], 0, 1, "float32", 1);
  const X = tf.randomNormal([8, 5], 0, 1, "float32", 2) as tf.Tensor2D;
  const xi = tf.randomNormal([8, 3], 0, 1, "float32", 3) as tf.Tensor2D;
  await expectNoLeak(() => {
    const a = scaledDotProductAttention(q, q, q);
    tf.dispose([a.output, a.weights]);
    modernHopfieldUpdate(X, xi, 0.5).dispose();
  }, "attention + hopfield");
  tf.dispose([q, X, xi]);
});

test("patterns, corruption, overlaps", () => {
  const rng = new Rng(5);
  const [p] = randomBinaryPatterns(rng, 1, 40);
  assert.ok(p!.every((v) => v === 1 || v === -1));
  const c = corruptPattern(rng, p!, 0.25);
  let flipped = 0;
  for (let i = 0; i < 40; i++) if (c[i] !== p![i]) flipped++;
  assert.equal(flipped, 10);
  assert.ok(Math.abs(cosine(c, p!) - (40 - 20) / 40) < 1e-12);
  assert.equal(effectiveNumber([0.5, 0.5]), 2);
  assert.equal(effectiveNumber([1, 0, 0]), 1);
  assert.throws(() => corruptPattern(rng, p!, 1.5), /flipFraction/);
});

test("Hebbian weights are symmetric with a zero diagonal", () => {
  const pats = [Float64Array.from([1, -1, 1]), Float64Array.from([1, 1, -1])];
  const { W, d } = hebbianHopfield(pats);
  assert.equal(d, 3);
  // W_01 = (1·(−1) + 1·1) / 3 = 0, W_02 = (1 + (−1)) / 3 = 0, W_12 = (−1 + −1) / 3.
  assert.equal(W[0 * 3 + 0], 0);
  assert.ok(Math.abs(W[1 * 3 + 2]! - -2 / 3) < 1e-12);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.equal(W[i * 3 + j], W[j * 3 + i]);
});

test("the classical network repairs a corrupted pattern at low load and fails at high load", () => {
  const rng = new Rng(11);
  const d = 100;
  const few = randomBinaryPatterns(rng, 3, d);
  const q = corruptPattern(rng, few[0]!, 0.15);
  assert.ok(cosine(classicalRetrieve(hebbianHopfield(few), q, rng).state, few[0]!) > 0.99);
  const many = randomBinaryPatterns(rng, 60, d);
  let ok = 0;
  const net = hebbianHopfield(many);
  for (let i = 0; i < 10; i++)
    if (cosine(classicalRetrieve(net, corruptPattern(rng, many[i]!, 0.15), rng).state, many[i]!) >= 0.9) ok++;
  assert.ok(ok <= 3, `retrieved ${ok}/10 at M = 0.6 d`);
});

test("capacity sweep: modern beats classical beyond 0.14 d, rows are complete", async () => {
  await testBackend();
  const rows = await capacitySweep(
    {
      d: 64,
      loads: [4, 32],
      betas: [0.01, 0.125],
      flipFraction: 0.15,
      minOverlap: 0.9,
      trials: 1,
      maxQueries: 8,
      maxSweeps: 20,
    },
    new Rng(2),
  );
  assert.equal(rows.length, 2 * 3);
  const get = (network: string, M: number, beta?: number) =>
    rows.find((r) => r.network === network && r.M === M && (beta === undefined || r.beta === beta))!;
  assert.equal(get("modern", 32, 0.125).accuracy, 1);
  assert.ok(get("classical", 32).accuracy < 0.5);
  assert.equal(get("classical", 4).accuracy, 1);
  // Tiny β: the state is an average over (almost) all stored patterns.
  assert.ok(get("modern", 32, 0.01).effectivePatterns > 20);
  assert.ok(get("modern", 32, 0.125).effectivePatterns < 2);
  // Deterministic.
  const again = await capacitySweep(
    {
      d: 64,
      loads: [4, 32],
      betas: [0.01, 0.125],
      flipFraction: 0.15,
      minOverlap: 0.9,
      trials: 1,
      maxQueries: 8,
      maxSweeps: 20,
    },
    new Rng(2),
  );
  assert.deepEqual(again, rows);
});

test("capacity curves: loads, M_max interpolation and the mass count", () => {
  assert.deepEqual(capacityLoadGrid(20), [1, 2, 3, 4, 6, 8, 11, 16]);
  assert.equal(massCount([0.5, 0.3, 0.2], 0.9), 3);
  assert.equal(massCount([0.95, 0.05], 0.9), 1);
  assert.equal(massCount([0.25, 0.25, 0.25, 0.25], 0.9), 4);
  // Crossing of 0.9 between M = 4 (acc 1) and M = 16 (acc 0.8): halfway in ln M → 8.
  assert.ok(
    Math.abs(
      capacityAt(
        [
          { M: 4, accuracy: 1 },
          { M: 16, accuracy: 0.8 },
        ],
        0.9,
      ) - 8,
    ) < 1e-9,
  );
  assert.ok(Number.isNaN(capacityAt([{ M: 4, accuracy: 1 }], 0.9)), "never below: censored");
  assert.equal(capacityAt([{ M: 2, accuracy: 0.5 }], 0.9), 2);
});

test("capacity curves: the modern network at large β outlasts the classical one and β → 0 fails at M = 2", () => {
  const s = {
    ds: [16, 32],
    maxLoad: 512,
    betaMultipliers: [0, 1, 8],
    flipFraction: 0.15,
    minOverlap: 0.9,
    trials: 1,
    maxQueries: 16,
    maxSweeps: 20,
    stopBelow: 0.5,
  };
  const pts = capacityCurves(s, new Rng(3));
  const cap = (d: number, f: (p: (typeof pts)[number]) => boolean) => capacityAt(pts.filter((p) => p.d === d && f(p)));
  for (const d of [16, 32]) {
    assert.equal(
      pts.find((p) => p.d === d && p.M === 1 && p.betaMultiplier === 0)?.accuracy,
      1,
      "one pattern is always retrieved",
    );
    assert.ok(cap(d, (p) => p.betaMultiplier === 0) < 2, "β → 0 averages: no retrieval from two patterns on");
  }
  const big = cap(32, (p) => p.betaMultiplier === 8);
  const classical = cap(32, (p) => p.network === "classical");
  // NaN: still retrieving at the largest load swept (censored), beyond 512.
  assert.ok(Number.isNaN(big) || big > 3 * classical, `modern ${big} vs classical ${classical}`);
  const small = cap(16, (p) => p.betaMultiplier === 8);
  assert.ok(Number.isFinite(small) && small < 512 && (Number.isNaN(big) || big > small), "grows with d");
  assert.deepEqual(capacityCurves(s, new Rng(3)), pts, "deterministic");
});
