import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { expectNoLeak, testBackend } from "./run/testing";
import { Rng } from "./rng";
import {
  bitsPerWeight,
  dequantize,
  fakeQuant,
  fakeQuantSTE,
  float16Bits,
  float16FromBits,
  fromGroups,
  groupLayout,
  kmeans1d,
  logLevels,
  modelBitsPerWeight,
  quantizeMatrix,
  quantSpec,
  roundToFloat16,
  toGroups,
} from "./quantize";

// A 3×2 kernel [in, out] whose hand-quantized values are easy to follow (no ties at level midpoints).
const W = [
  [0.1, -0.6],
  [0.9, 0.2],
  [-1.0, 0.3],
];

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

async function run<T>(f: (w: tf.Tensor2D) => T | Promise<T>): Promise<T> {
  const w = tf.tensor2d(W);
  try {
    return await f(w);
  } finally {
    w.dispose();
  }
}

test("setup backend", async () => {
  await testBackend();
});

test("float16 bits match IEEE binary16 on known values", () => {
  assert.equal(float16Bits(1), 0x3c00);
  assert.equal(float16Bits(-2), 0xc000);
  assert.equal(float16Bits(65504), 0x7bff);
  assert.equal(float16Bits(1e6), 0x7c00); // overflow to +Inf
  assert.equal(float16Bits(1 / 3), 0x3555);
  assert.equal(float16Bits(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(float16Bits(2 ** -26), 0x0000); // underflows to 0
  assert.equal(float16FromBits(0x3555), 0.333251953125);
  assert.equal(float16FromBits(0x0001), 2 ** -24);
  assert.equal(roundToFloat16(0.4), 0.39990234375);
  // round half to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10
  assert.equal(roundToFloat16(1 + 2 ** -11), 1);
  assert.equal(roundToFloat16(1 + 3 * 2 ** -11), 1 + 2 * 2 ** -10);
  const rng = new Rng(1);
  for (let i = 0; i < 200; i++) {
    const x = rng.normal(0, 10);
    const r = roundToFloat16(x);
    assert.equal(roundToFloat16(r), r, "idempotent");
    assert.ok(Math.abs(r - x) <= Math.abs(x) * 2 ** -11 + 1e-12, "within half an ulp");
  }
});

test("grouped layout: shapes, ragged groups, tables by row and exact inverse", () => {
  const lay = (granularity: "tensor" | "channel" | "group", groupSize: number, byRow = false) => ({
    granularity,
    groupSize,
    byRow,
  });
  assert.deepEqual(groupLayout([3, 2], lay("tensor", 32)), { numGroups: 1, groupLen: 6 });
  assert.deepEqual(groupLayout([3, 2], lay("channel", 32)), { numGroups: 2, groupLen: 3 });
  assert.deepEqual(groupLayout([3, 2], lay("group", 2)), { numGroups: 4, groupLen: 2 });
  assert.deepEqual(groupLayout([3, 2], lay("channel", 32, true)), { numGroups: 3, groupLen: 2 });
  assert.deepEqual(groupLayout([3, 5], lay("group", 2, true)), { numGroups: 9, groupLen: 2 });
  run((w) => {
    const g = toGroups(w, lay("group", 2));
    // columns [0.1, 0.9, -1.0] and [-0.6, 0.2, 0.3]; the ragged last group repeats the last weight
    close(g.dataSync(), [0.1, 0.9, -1.0, -1.0, -0.6, 0.2, 0.3, 0.3], 1e-7, "groups");
    // a table by row: each row is a channel
    const r = toGroups(w, lay("channel", 2, true));
    close(r.dataSync(), [0.1, -0.6, 0.9, 0.2, -1.0, 0.3], 1e-7, "rows");
    for (const spec of [
      lay("tensor", 2),
      lay("channel", 2),
      lay("group", 2),
      lay("channel", 2, true),
      lay("group", 1, true),
    ]) {
      const rows = toGroups(w, spec);
      const back = fromGroups(rows, [3, 2], spec);
      assert.deepEqual(
        Array.from(back.dataSync()),
        Array.from(w.dataSync()),
        `${spec.granularity} byRow=${spec.byRow}`,
      );
      tf.dispose([rows, back]);
    }
    // ternary per row: row maxima 0.6, 0.9, 1.0
    const t = fakeQuant(w, quantSpec({ states: 3, granularity: "channel", byRow: true }));
    close(t.dataSync(), [0, -0.6, 0.9, 0, -1, 0], 1e-7, "ternary by row");
    tf.dispose([g, r, t]);
  });
});

test("uniform symmetric quantizer on hand-computed examples", async () => {
  await run(async (w) => {
    // ternary per tensor: c = 1, levels {-1, 0, 1}
    const t = fakeQuant(w, quantSpec({ states: 3, granularity: "tensor" }));
    close(t.dataSync(), [0, -1, 1, 0, -1, 0], 1e-7, "ternary");
    // 4 states per output channel: column 0 has c = 1 → levels ±1, ±1/3; column 1 has c = 0.6 → ±0.6, ±0.2
    const c4 = fakeQuant(w, quantSpec({ states: 4, granularity: "channel" }));
    close(c4.dataSync(), [1 / 3, -0.6, 1, 0.2, -1, 0.2], 1e-6, "4 states per channel");
    // binary per tensor: ±max|w|
    const b = fakeQuant(w, quantSpec({ states: 2, granularity: "tensor" }));
    close(b.dataSync(), [1, -1, 1, 1, -1, 1], 1e-7, "binary");
    // the PTQ path: codes in the grouped layout (one row per column) and float16 steps
    const q = await quantizeMatrix(w, quantSpec({ states: 4, granularity: "channel" }));
    assert.deepEqual(Array.from(q.codes), [2, 3, 0, 0, 2, 2]);
    assert.deepEqual(Array.from(q.params), [roundToFloat16(2 / 3), roundToFloat16(0.4)]);
    const d = dequantize(q);
    close(d.dataSync(), [1 / 3, -0.6, 1, 0.2, -1, 0.2], 5e-4, "dequantized"); // Δ is rounded to float16
    tf.dispose([t, c4, b, d]);
  });
});

test("uniform asymmetric, absmean, mse and log quantizers on hand-computed examples", () => {
  run((w) => {
    // asymmetric per channel, 4 states: column 0 spans [-1, 0.9]: Δ = 1.9/3
    const a = fakeQuant(w, quantSpec({ states: 4, granularity: "channel", symmetric: false }));
    const d0 = 1.9 / 3;
    const d1 = 0.9 / 3; // column 1 spans [-0.6, 0.3]
    close(a.dataSync(), [-1 + 2 * d0, -0.6, 0.9, -0.6 + 3 * d1, -1, 0.3], 1e-6, "asymmetric");
    // BitNet absmean ternary: γ = mean|w| = 3.1/6, levels {-γ, 0, γ}: 0.1, 0.2 → 0 (below γ/2), 0.3 → γ
    const g = 3.1 / 6;
    const t = fakeQuant(w, quantSpec({ states: 3, granularity: "tensor", clip: "absmean" }));
    close(t.dataSync(), [0, -g, g, 0, -g, g], 1e-6, "absmean");
    // log-spaced, 5 states per tensor: {-1, -1/2, 0, 1/2, 1}
    const l = fakeQuant(w, quantSpec({ states: 5, granularity: "tensor", scheme: "log" }));
    close(l.dataSync(), [0, -0.5, 1, 0, -1, 0.5], 1e-7, "log");
    tf.dispose([a, t, l]);
  });
  // the mse rule never does worse than absmax (r = 1 is on the grid)
  const rng = new Rng(3);
  const x = tf.tensor2d(rng.normalArray(64 * 32), [64, 32]);
  for (const states of [2, 3, 4, 16]) {
    const err = (clip: "max" | "mse") =>
      tf.tidy(
        () =>
          tf
            .sum(tf.squaredDifference(fakeQuant(x, quantSpec({ states, granularity: "channel", clip })), x))
            .dataSync()[0] as number,
      );
    assert.ok(err("mse") <= err("max") + 1e-9, `mse clip at S=${states}`);
  }
  x.dispose();
});

test("log and k-means levels", async () => {
  assert.deepEqual(Array.from(logLevels(1, 5)), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(Array.from(logLevels(2, 4)), [-2, -1, 1, 2]);
  assert.deepEqual(Array.from(logLevels(1, 2)), [-1, 1]);
  const wide = logLevels(1, 256);
  assert.equal(wide.length, 256);
  assert.ok(Math.abs(wide[128] - 2 ** -8) < 1e-12, "128 magnitudes span 8 octaves");
  // two well-separated clusters: the centroids are their means, whatever the seed
  for (const seed of [1, 2, 3]) {
    const c = kmeans1d([0, 0.1, 0.2, 10, 10.1, 10.2], 2, new Rng(seed));
    close(c, [0.1, 10.1], 1e-12, `seed ${seed}`);
  }
  // fewer distinct values than k: the distinct values, repeated
  assert.deepEqual(Array.from(kmeans1d([1, 1, 2], 4, new Rng(1))), [1, 2, 2, 2]);
  // Lloyd's fixed point: every centroid is the mean of the values nearest to it
  const rng = new Rng(7);
  const xs = Array.from({ length: 500 }, () => rng.normal());
  const cs = kmeans1d(xs, 8, new Rng(9), 200);
  const sums = new Array(8).fill(0);
  const counts = new Array(8).fill(0);
  for (const x of xs) {
    let best = 0;
    for (let j = 1; j < 8; j++) if (Math.abs(x - cs[j]) < Math.abs(x - cs[best])) best = j;
    sums[best] += x;
    counts[best] += 1;
  }
  for (let j = 0; j < 8; j++) assert.ok(Math.abs(sums[j] / counts[j] - cs[j]) < 1e-9, `centroid ${j}`);
  // k-means beats uniform levels in squared error on Gaussian weights (Lloyd–Max)
  const w = tf.tensor2d(xs.slice(0, 480), [48, 10]);
  const mse = async (scheme: "uniform" | "kmeans"): Promise<number> => {
    const d = dequantize(await quantizeMatrix(w, quantSpec({ states: 8, scheme, granularity: "tensor" })));
    const e = tf.tidy(() => tf.mean(tf.squaredDifference(d, w)).dataSync()[0] as number);
    d.dispose();
    return e;
  };
  assert.ok((await mse("kmeans")) < (await mse("uniform")));
  assert.throws(() => fakeQuant(w, quantSpec({ states: 8, scheme: "kmeans" })), /quantizeMatrix/);
  w.dispose();
});

test("PTQ path agrees with the in-graph quantizer and error falls with S", async () => {
  const rng = new Rng(11);
  const values = rng.normalArray(96 * 40, 0, 0.05);
  const wMax = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const w = tf.tensor2d(values, [96, 40]);
  let last = Infinity;
  for (const states of [2, 4, 16, 256]) {
    for (const granularity of ["tensor", "channel", "group"] as const) {
      const spec = quantSpec({ states, granularity, groupSize: 32 });
      const qm = await quantizeMatrix(w, spec);
      const [a, b, err] = tf.tidy(() => {
        const fq = fakeQuant(w, spec);
        const dq = dequantize(qm);
        return [fq.dataSync(), dq.dataSync(), tf.mean(tf.squaredDifference(dq, w)).dataSync()[0] as number];
      });
      // the only difference is the float16 rounding of Δ: a shifted level (a few float16 ulps), or rarely
      // a weight right at a level midpoint that flips to the neighbouring level (one step)
      let flips = 0;
      const maxStep = (2 * wMax) / (states - 1); // the largest Δ of any group
      const shift = ((states - 1) / 2) * maxStep * 2 ** -11 * 1.01 + 1e-7; // a level moved by Δ's rounding
      for (let i = 0; i < a.length; i++) {
        const diff = Math.abs(a[i] - b[i]);
        if (diff > shift) flips++;
        assert.ok(diff <= maxStep + 1e-6, `${granularity} S=${states}: [${i}] differs by more than one step`);
      }
      assert.ok(flips <= a.length / 50, `${granularity} S=${states}: ${flips} of ${a.length} weights on another level`);
      if (granularity === "channel") {
        assert.ok(err < last, `error falls with S (S=${states})`);
        last = err;
      }
    }
  }
  // k-means and log codes dequantize to their levels
  for (const scheme of ["kmeans", "log"] as const) {
    const spec = quantSpec({ states: 16, scheme, granularity: "channel" });
    const q = await quantizeMatrix(w, spec);
    assert.equal(q.params.length, q.numGroups * (scheme === "kmeans" ? 16 : 1));
    const d = dequantize(q);
    const dv = d.dataSync();
    const distinct = new Set(Array.from({ length: 96 }, (_, i) => dv[i * 40])); // column 0 is one group
    assert.ok(distinct.size <= 16, `${scheme}: at most 16 values per channel`);
    d.dispose();
  }
  w.dispose();
});

test("straight-through estimator: identity inside the clip range, zero outside", () => {
  run((w) => {
    const dy = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const grad = (spec: ReturnType<typeof quantSpec>) =>
      tf.tidy(() =>
        tf
          .grad((x: tf.Tensor) => tf.sum(tf.mul(fakeQuantSTE(x as tf.Tensor2D, spec), dy)))(w)
          .dataSync(),
      );
    // absmax never clips: the gradient is dy itself
    assert.deepEqual(Array.from(grad(quantSpec({ states: 4, granularity: "channel" }))), [1, 2, 3, 4, 5, 6]);
    // absmean γ = 0.5167 clips 0.9, -1.0 and -0.6
    assert.deepEqual(
      Array.from(grad(quantSpec({ states: 3, granularity: "tensor", clip: "absmean" }))),
      [1, 0, 0, 4, 0, 6],
    );
    // the forward value is the quantized matrix
    const v = fakeQuantSTE(w, quantSpec({ states: 3, granularity: "tensor" }));
    close(v.dataSync(), [0, -1, 1, 0, -1, 0], 1e-7, "forward");
    tf.dispose([dy, v]);
    assert.throws(() => fakeQuantSTE(w, quantSpec({ scheme: "kmeans" })), /kmeans/);
  });
});

test("bits per weight include the float16 parameters", () => {
  const s = (p: Parameters<typeof quantSpec>[0]) => quantSpec(p);
  assert.deepEqual(bitsPerWeight(s({ states: 16, granularity: "tensor" }), [64, 64]), {
    codeBits: 4,
    overheadBits: 16 / 4096,
    total: 4 + 16 / 4096,
  });
  assert.equal(bitsPerWeight(s({ states: 16, granularity: "group", groupSize: 32 }), [64, 64]).total, 4.5);
  assert.equal(
    bitsPerWeight(s({ states: 16, granularity: "group", groupSize: 32, symmetric: false }), [64, 64]).total,
    5,
  );
  assert.equal(bitsPerWeight(s({ states: 16, granularity: "channel" }), [64, 32]).total, 4.25);
  assert.equal(
    bitsPerWeight(s({ states: 16, scheme: "kmeans", granularity: "tensor" }), [64, 64]).total,
    4 + 256 / 4096,
  );
  assert.ok(Math.abs(bitsPerWeight(s({ states: 3, granularity: "tensor" }), [1024, 1024]).codeBits - 1.585) < 1e-3);
  const m = modelBitsPerWeight(s({ states: 16, granularity: "channel" }), [
    [64, 32],
    [32, 32],
  ]);
  assert.ok(Math.abs(m.total - (4.25 * 2048 + 4.5 * 1024) / 3072) < 1e-12);
});

test("bad specs are clear errors naming the field", () => {
  assert.throws(() => quantSpec({ states: 1 }), /QuantSpec\.states/);
  assert.throws(() => quantSpec({ states: 300 }), /QuantSpec\.states/);
  assert.throws(() => quantSpec({ groupSize: 0 }), /QuantSpec\.groupSize/);
  assert.throws(() => quantSpec({ scheme: "fancy" as "uniform" }), /QuantSpec\.scheme/);
  assert.throws(() => quantSpec({ clip: "p99" as "max" }), /QuantSpec\.clip/);
});

test("quantizers leak no tensors", async () => {
  const rng = new Rng(5);
  const w = tf.tensor2d(rng.normalArray(70 * 33), [70, 33]);
  try {
    for (const spec of [
      quantSpec({ states: 16, granularity: "group", groupSize: 32 }),
      quantSpec({ states: 4, granularity: "channel", clip: "mse", symmetric: false }),
      quantSpec({ states: 8, scheme: "log", granularity: "tensor" }),
      quantSpec({ states: 8, scheme: "kmeans", granularity: "channel" }),
    ]) {
      if (spec.scheme !== "kmeans") await expectNoLeak(() => fakeQuant(w, spec).dispose(), `fakeQuant ${spec.scheme}`);
      await expectNoLeak(
        async () => dequantize(await quantizeMatrix(w, spec)).dispose(),
        `quantizeMatrix ${spec.scheme}`,
      );
      if (spec.scheme !== "kmeans") {
        await expectNoLeak(
          () => tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(fakeQuantSTE(x as tf.Tensor2D, spec)))(w)).dispose(),
          `STE ${spec.scheme}`,
        );
      }
    }
  } finally {
    w.dispose();
  }
});
