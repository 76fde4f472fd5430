import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { expectNoLeak, testBackend } from "./run/testing";
import { countGPTParams, createGPT, GPT_DEFAULTS, gptConfig, KVCache, oneHotF32, referenceOps } from "./transformer";

const SMALL = { vocabSize: 11, seqLen: 8, dModel: 16, nHead: 2, nLayer: 2, dFF: 0, tieWeights: false };
type SmallConfig = typeof SMALL & { positions?: "learned" | "none" | "random" | "rotary" };

function tokens(B: number, T: number, V: number, offset = 0): tf.Tensor2D {
  return tf.tensor2d(
    Array.from({ length: B * T }, (_, i) => (i * 7 + 3 + offset) % V),
    [B, T],
    "int32",
  );
}

test("config validation names the field", async () => {
  await testBackend();
  assert.throws(() => gptConfig({ dModel: 30, nHead: 4 }), /GPTConfig\.nHead: must divide dModel \(30\)/);
  assert.throws(() => gptConfig({ vocabSize: 1 }), /GPTConfig\.vocabSize/);
  assert.throws(() => gptConfig({ nLayer: 1.5 }), /GPTConfig\.nLayer/);
  assert.throws(() => gptConfig({ seqLen: 0 }), /GPTConfig\.seqLen/);
  assert.throws(() => gptConfig({ dmodel: 4 } as never), /GPTConfig\.dmodel: unknown field/);
  assert.equal(gptConfig({}).dFF, 4 * GPT_DEFAULTS.dModel);
});

test("parameter count matches the hand count, total and non-embedding", async () => {
  await testBackend();
  const { vocabSize: V, seqLen: T, dModel: C, nLayer: L } = SMALL;
  const F = 4 * C;
  const perBlock = 2 * C + (C * 3 * C + 3 * C) + (C * C + C) + 2 * C + (C * F + F) + (F * C + C);
  const nonEmb = L * perBlock + 2 * C + C * V;
  const model = createGPT(SMALL, 1);
  try {
    assert.equal(model.numParams(), V * C + T * C + nonEmb);
    assert.equal(model.numParams({ nonEmbedding: true }), nonEmb);
    assert.deepEqual(countGPTParams(SMALL), { total: V * C + T * C + nonEmb, nonEmbedding: nonEmb });
    assert.equal(countGPTParams({ ...SMALL, tieWeights: true }).total, V * C + T * C + nonEmb - C * V);
  } finally {
    model.dispose();
  }
  // The sizes the notebooks use, ~1k to ~5M parameters, are all valid configs.
  assert.ok(countGPTParams({ vocabSize: 8, seqLen: 8, dModel: 8, nHead: 1, nLayer: 1 }).total < 2000);
  const big = countGPTParams({ vocabSize: 256, seqLen: 128, dModel: 256, nHead: 8, nLayer: 6 }).total;
  assert.ok(big > 4e6 && big < 6e6, `big model has ${big} params`);
});

test("forward shapes, attention is causal and normalised, hidden states", async () => {
  await testBackend();
  const model = createGPT(SMALL, 2);
  const x = tokens(3, 5, SMALL.vocabSize);
  try {
    const out = model.forward(x, { returnAttention: true, returnHidden: true });
    assert.deepEqual(out.logits.shape, [3, 5, SMALL.vocabSize]);
    assert.equal(out.attention?.length, SMALL.nLayer);
    assert.equal(out.hidden?.length, SMALL.nLayer + 1);
    assert.deepEqual(out.hidden?.[0]?.shape, [3, 5, SMALL.dModel]);
    const a = out.attention?.[1] as tf.Tensor4D;
    assert.deepEqual(a.shape, [3, SMALL.nHead, 5, 5]);
    const p = a.arraySync();
    for (const b of p)
      for (const h of b)
        h.forEach((row, i) => {
          const sum = row.reduce((s, v) => s + v, 0);
          assert.ok(Math.abs(sum - 1) < 1e-5, `row sums to ${sum}`);
          row.forEach((v, j) => {
            if (j > i) assert.equal(v, 0, `attention to the future at ${i}->${j}`);
          });
        });
    const last = model.forward(x, { lastOnly: true });
    assert.deepEqual(last.logits.shape, [3, 1, SMALL.vocabSize]);
    const full = out.logits.arraySync();
    const l = last.logits.arraySync();
    for (let b = 0; b < 3; b++)
      for (let v = 0; v < SMALL.vocabSize; v++)
        assert.ok(Math.abs((l[b]?.[0]?.[v] as number) - (full[b]?.[4]?.[v] as number)) < 1e-5);
    tf.dispose([out.logits, ...(out.attention ?? []), ...(out.hidden ?? []), last.logits]);
    assert.throws(() => model.forward(tokens(1, 9, SMALL.vocabSize)), /sequence length 9 must be in \[1, seqLen=8\]/);
  } finally {
    x.dispose();
    model.dispose();
  }
});

test("causality: changing a later token leaves earlier logits unchanged", async () => {
  await testBackend();
  const model = createGPT(SMALL, 3);
  try {
    const a = [[1, 2, 3, 4, 5, 6]];
    const b = [[1, 2, 3, 9, 9, 9]];
    const la = tf.tidy(() => model.forward(tf.tensor2d(a, undefined, "int32")).logits.arraySync());
    const lb = tf.tidy(() => model.forward(tf.tensor2d(b, undefined, "int32")).logits.arraySync());
    for (let t = 0; t < 3; t++) assert.deepEqual(la[0]?.[t], lb[0]?.[t]);
    assert.notDeepEqual(la[0]?.[4], lb[0]?.[4]);
  } finally {
    model.dispose();
  }
});

test("same seed gives bit-identical weights and loss; another seed does not", async () => {
  await testBackend();
  const m1 = createGPT(SMALL, 42);
  const m2 = createGPT(SMALL, 42);
  const m3 = createGPT(SMALL, 43);
  const x = tokens(2, 8, SMALL.vocabSize);
  const y = tokens(2, 8, SMALL.vocabSize, 1);
  try {
    const w1 = await m1.readWeights();
    const w2 = await m2.readWeights();
    for (const k of Object.keys(w1)) assert.deepEqual(w1[k], w2[k], `weight ${k}`);
    assert.notDeepEqual(w1["wte"], (await m3.readWeights())["wte"]);
    const l1 = tf.tidy(() => m1.loss(x, y).dataSync()[0]);
    const l2 = tf.tidy(() => m2.loss(x, y).dataSync()[0]);
    assert.equal(l1, l2);
    // At init the loss is close to ln V (uniform predictions).
    assert.ok(Math.abs((l1 as number) - Math.log(SMALL.vocabSize)) < 0.2, `init loss ${l1}`);
  } finally {
    tf.dispose([x, y]);
    [m1, m2, m3].forEach((m) => m.dispose());
  }
});

test("GPT-2 init statistics: std 0.02, residual projections scaled, LayerNorm ones", async () => {
  await testBackend();
  const model = createGPT({ ...SMALL, dModel: 64, nHead: 4, nLayer: 4 }, 5);
  try {
    const w = await model.readWeights();
    const std = (a: Float32Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    assert.ok(Math.abs(std(w["h0.attn.wqkv"] as Float32Array) - 0.02) < 0.001);
    assert.ok(Math.abs(std(w["h0.mlp.w2"] as Float32Array) - 0.02 / Math.sqrt(8)) < 0.0005);
    assert.ok((w["h1.ln1.g"] as Float32Array).every((v) => v === 1));
    assert.ok((w["h1.attn.bqkv"] as Float32Array).every((v) => v === 0));
  } finally {
    model.dispose();
  }
});

test("masked loss averages only over masked positions", async () => {
  await testBackend();
  const model = createGPT(SMALL, 6);
  const x = tokens(2, 6, SMALL.vocabSize);
  const y = tokens(2, 6, SMALL.vocabSize, 2);
  try {
    const [full, masked, manual] = tf.tidy(() => {
      const logits = model.forward(x).logits; // [2, 6, V]
      const lsm = tf.logSoftmax(logits);
      const nll = tf.neg(
        tf.sum(
          tf.mul(lsm, oneHotF32(tf.reshape(y, [12]) as tf.Tensor1D, SMALL.vocabSize).reshape([2, 6, SMALL.vocabSize])),
          -1,
        ),
      ); // [2, 6]
      const mask = tf.tensor2d([
        [0, 0, 1, 1, 0, 1],
        [1, 0, 0, 0, 0, 0],
      ]);
      const man = tf.div(tf.sum(tf.mul(nll, mask)), 4);
      return [model.loss(x, y).dataSync()[0], model.loss(x, y, mask).dataSync()[0], man.dataSync()[0]] as number[];
    });
    assert.ok(Math.abs((masked as number) - (manual as number)) < 1e-5, `${masked} vs ${manual}`);
    assert.notEqual(full, masked);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

test("hand-written gradients equal autodiff of the textbook formulas", async () => {
  await testBackend();
  const rnd = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, "float32", seed);
  const close = (a: tf.Tensor, b: tf.Tensor, what: string): void => {
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
    const s = tf.tidy(() => tf.max(tf.abs(b)).dataSync()[0] as number);
    assert.ok(d <= 1e-4 * Math.max(1, s), `${what}: max difference ${d}`);
  };
  tf.tidy(() => {
    const x = rnd([6, 5], 1),
      w = rnd([5, 4], 2),
      b = rnd([4], 3),
      r = rnd([6, 4], 4);
    const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(referenceOps.linear(xx, ww, bb), r));
    const g = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.matMul(xx, ww), bb), r));
    const ga = tf.grads(f)([x, w, b]);
    const gb = tf.grads(g)([x, w, b]);
    ga.forEach((t, i) => close(t, gb[i] as tf.Tensor, `linear grad ${i}`));
  });
  tf.tidy(() => {
    const x = rnd([7, 5], 5),
      gg = rnd([5], 6),
      b = rnd([5], 7),
      r = rnd([7, 5], 8);
    const ref = (xx: tf.Tensor, g2: tf.Tensor, b2: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, 1e-5))), g2), b2);
    };
    close(referenceOps.layerNorm(x, gg, b), ref(x, gg, b), "layerNorm value");
    const ga = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
      tf.sum(tf.mul(referenceOps.layerNorm(a, c, d), r)),
    )([x, gg, b]);
    const gb = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(ref(a, c, d), r)))([x, gg, b]);
    ga.forEach((t, i) => close(t, gb[i] as tf.Tensor, `layerNorm grad ${i}`));
  });
  tf.tidy(() => {
    const x = tf.mul(rnd([4, 9], 9), 3),
      r = rnd([4, 9], 10);
    const ref = (a: tf.Tensor) =>
      tf.mul(
        tf.mul(a, 0.5),
        tf.add(1, tf.tanh(tf.mul(tf.add(a, tf.mul(tf.pow(a, 3), 0.044715)), Math.sqrt(2 / Math.PI)))),
      );
    close(referenceOps.gelu(x), ref(x), "gelu value");
    close(
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(referenceOps.gelu(a), r)))(x),
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(ref(a), r)))(x),
      "gelu grad",
    );
  });
  tf.tidy(() => {
    const logits = rnd([5, 6], 11);
    const targets = tf.tensor1d([0, 3, 5, 1, 1], "int32");
    const oh = tf.oneHot(targets, 6).toFloat();
    const mask = tf.tensor1d([1, 0, 1, 1, 0]);
    const ref = (l: tf.Tensor) => tf.div(tf.sum(tf.mul(tf.neg(tf.sum(tf.mul(tf.logSoftmax(l), oh), -1)), mask)), 3);
    close(referenceOps.crossEntropy(logits as tf.Tensor2D, targets, mask), ref(logits), "CE value");
    close(
      tf.grad((l: tf.Tensor) => referenceOps.crossEntropy(l as tf.Tensor2D, targets, mask))(logits),
      tf.grad(ref)(logits),
      "CE grad",
    );
  });
});

test("weight tying shares the embedding with the head; setWeights validates", async () => {
  await testBackend();
  const model = createGPT({ ...SMALL, tieWeights: true }, 8);
  try {
    assert.ok(!("lmHead" in model.namedWeights()));
    const w = await model.readWeights();
    assert.throws(() => model.setWeights({ ...w, nope: new Float32Array(1) }), /unknown weight "nope"/);
    assert.throws(
      () => model.setWeights({ ...w, wte: new Float32Array(3) }),
      /weight "wte" has 3 values, expected 176/,
    );
    assert.throws(() => model.setWeights({ wte: w["wte"] as Float32Array }), /weight "wpe" is missing/);
    model.setWeights({ wte: new Float32Array(176).fill(0.5) }, { partial: true });
    assert.equal((await model.readWeights())["wte"]?.[7], 0.5);
  } finally {
    model.dispose();
  }
});

test("forward, loss and gradients leak no tensors", async () => {
  await testBackend();
  const model = createGPT(SMALL, 9);
  const x = tokens(2, 8, SMALL.vocabSize);
  const y = tokens(2, 8, SMALL.vocabSize, 1);
  try {
    await expectNoLeak(() => {
      const o = model.forward(x, { returnAttention: true, returnHidden: true });
      tf.dispose([o.logits, ...(o.attention ?? []), ...(o.hidden ?? [])]);
    }, "forward");
    await expectNoLeak(() => model.loss(x, y).dispose(), "loss");
    await expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => model.loss(x, y), model.variables);
      value.dispose();
      tf.dispose(grads);
    }, "gradients");
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

/** A model with its random weights scaled up, so attention is far from uniform and logits are large. */
async function sharpGPT(config: Partial<SmallConfig>, seed: number, scale = 8): Promise<ReturnType<typeof createGPT>> {
  const model = createGPT(config, seed);
  const w = await model.readWeights();
  for (const [name, a] of Object.entries(w))
    if (!/ln|\.b/.test(name)) for (let i = 0; i < a.length; i++) a[i] = a[i] * scale;
  model.setWeights(w);
  return model;
}

/** Max |a - b| over two nested arrays of the same shape. */
function maxDiff(a: number[][][], b: number[][][]): number {
  let m = 0;
  a.forEach((x, i) =>
    x.forEach((y, j) => y.forEach((v, k) => (m = Math.max(m, Math.abs(v - (b[i]?.[j]?.[k] as number)))))),
  );
  return m;
}

test("incremental decoding with a key/value cache gives the full forward's logits", async () => {
  await testBackend();
  for (const tieWeights of [false, true]) {
    const model = await sharpGPT({ ...SMALL, tieWeights }, 10);
    const x = tokens(3, 8, SMALL.vocabSize, 2); // [3, 8]
    const cache = model.createKVCache(3);
    try {
      const full = tf.tidy(() => model.forward(x).logits.arraySync()); // [3, 8, V]
      const scale = Math.max(...full.flat(2).map(Math.abs));
      assert.ok(scale > 1, `logits are large enough to show errors (max |logit| ${scale})`);
      // Prompt of 3 (t > 1 from position 0), then 2 at once (t > 1 after cached positions), then 1 at a time.
      const pieces: Array<[number, number]> = [
        [0, 3],
        [3, 5],
        [5, 6],
        [6, 7],
        [7, 8],
      ];
      for (const [a, b] of pieces) {
        const inc = tf.tidy(() => {
          const l = model.forwardIncremental(tf.slice(x, [0, a], [3, b - a]), cache);
          return l.arraySync();
        });
        assert.equal(cache.length, b);
        const ref = full.map((row) => row.slice(a, b));
        const d = maxDiff(inc, ref);
        assert.ok(d < 1e-4, `tie=${tieWeights} positions ${a}..${b - 1}: max |diff| ${d}`);
      }
      // The check can fail: the same tokens at other positions (a fresh cache) give other logits.
      const shifted = model.createKVCache(3);
      try {
        const l = tf.tidy(() => model.forwardIncremental(tf.slice(x, [0, 5], [3, 3]), shifted).arraySync());
        assert.ok(
          maxDiff(
            l,
            full.map((row) => row.slice(5, 8)),
          ) > 1e-2,
          "positions must matter",
        );
      } finally {
        shifted.dispose();
      }
      assert.throws(
        () => tf.tidy(() => model.forwardIncremental(tf.slice(x, [0, 0], [3, 1]), cache)),
        /1 new tokens after 8 cached positions must fit in seqLen=8/,
      );
    } finally {
      cache.dispose();
      x.dispose();
      model.dispose();
    }
  }
});

test("KV cache: lastOnly, dropping rows, validation, no leaks", async () => {
  await testBackend();
  const model = await sharpGPT(SMALL, 11);
  const x = tokens(4, 7, SMALL.vocabSize, 5); // [4, 7]
  try {
    const full = tf.tidy(() => model.forward(x).logits.arraySync()); // [4, 7, V]
    const cache = model.createKVCache(4);
    try {
      const last = tf.tidy(() =>
        model.forwardIncremental(tf.slice(x, [0, 0], [4, 4]), cache, { lastOnly: true }).arraySync(),
      );
      assert.equal(last.length, 4);
      assert.equal(last[0]?.length, 1);
      assert.ok(
        maxDiff(
          last,
          full.map((r) => r.slice(3, 4)),
        ) < 1e-4,
      );
      // Keep rows 3 and 1 (in that order), then continue them.
      cache.keepRows([3, 1]);
      assert.equal(cache.batch, 2);
      const sub = tf.tidy(() => tf.gather(x, tf.tensor1d([3, 1], "int32"))) as tf.Tensor2D; // [2, 7]
      try {
        const inc = tf.tidy(() => model.forwardIncremental(tf.slice(sub, [0, 4], [2, 3]), cache).arraySync());
        const d = maxDiff(
          inc,
          [full[3], full[1]].map((r) => (r as number[][]).slice(4, 7)),
        );
        assert.ok(d < 1e-4, `after keepRows: max |diff| ${d}`);
      } finally {
        sub.dispose();
      }
      assert.throws(
        () => tf.tidy(() => model.forwardIncremental(tf.slice(x, [0, 0], [4, 1]), cache)),
        /tokens have batch 4, the cache holds 2 sequences/,
      );
      assert.throws(() => cache.keepRows([2]), /row 2 outside \[0, batch=2\)/);
      assert.throws(
        () =>
          tf.tidy(() =>
            model.forwardIncremental(tf.cast(tf.slice(x, [0, 0], [2, 1]), "float32") as tf.Tensor2D, cache),
          ),
        /must be int32/,
      );
    } finally {
      cache.dispose();
    }
    const other = createGPT({ ...SMALL, nLayer: 1 }, 1);
    const wrong = other.createKVCache(4);
    try {
      assert.throws(
        () => tf.tidy(() => model.forwardIncremental(tf.slice(x, [0, 0], [4, 1]), wrong)),
        /cache was made for 1 layers/,
      );
    } finally {
      wrong.dispose();
      other.dispose();
    }
    await expectNoLeak(() => {
      const c = model.createKVCache(4);
      try {
        tf.tidy(() => {
          model.forwardIncremental(tf.slice(x, [0, 0], [4, 3]), c);
          model.forwardIncremental(tf.slice(x, [0, 3], [4, 1]), c, { lastOnly: true });
        });
        c.keepRows([0, 2]);
        tf.tidy(() => {
          model.forwardIncremental(
            tf.tensor2d(
              [
                [1, 2],
                [3, 4],
              ],
              undefined,
              "int32",
            ),
            c,
          );
        });
      } finally {
        c.dispose();
      }
    }, "forwardIncremental");
  } finally {
    x.dispose();
    model.dispose();
  }
});

test("positions none (NoPE): no position table, equals a learned model with zero positions, KV cache, gradients, no leaks", async () => {
  await testBackend();
  assert.equal(gptConfig({}).positions, "learned"); // the default is unchanged
  assert.throws(() => gptConfig({ positions: "alibi" as never }), /GPTConfig\.positions/);
  const nope = await sharpGPT({ ...SMALL, positions: "none" }, 12);
  const learned = createGPT(SMALL, 12);
  const x = tokens(3, 8, SMALL.vocabSize, 4); // [3, 8]
  try {
    const w = await nope.readWeights();
    assert.equal(w["wpe"], undefined);
    const { seqLen: T, dModel: C } = SMALL;
    assert.equal(countGPTParams(SMALL).total - countGPTParams({ ...SMALL, positions: "none" }).total, T * C);
    // The same weights in a learned-position model whose table is all zeros: the same logits.
    learned.setWeights({ ...w, wpe: new Float32Array(T * C) });
    const a = tf.tidy(() => nope.forward(x).logits.arraySync());
    const b = tf.tidy(() => learned.forward(x).logits.arraySync());
    assert.ok(maxDiff(a, b) < 1e-5, `NoPE vs zero positions: ${maxDiff(a, b)}`);
    // Incremental decoding in uneven chunks gives the full forward's logits.
    const cache = nope.createKVCache(3);
    const inc: number[][][] = [[], [], []];
    for (const [s, e] of [
      [0, 3],
      [3, 4],
      [4, 8],
    ] as const) {
      const l = tf.tidy(() => nope.forwardIncremental(tf.slice(x, [0, s], [3, e - s]), cache).arraySync());
      l.forEach((row, i) => (inc[i] as number[][]).push(...row));
    }
    cache.dispose();
    assert.ok(maxDiff(a, inc) < 1e-4, `KV cache vs full forward: ${maxDiff(a, inc)}`);
    // Gradients reach every weight and are finite.
    const y = tokens(3, 8, SMALL.vocabSize, 5);
    const { value, grads } = tf.variableGrads(() => nope.loss(x, y), nope.variables);
    const names = Object.keys(nope.namedWeights());
    assert.equal(Object.keys(grads).length, names.length);
    for (const [name, g] of Object.entries(grads)) {
      const d = g.dataSync();
      assert.ok(d.every(Number.isFinite), `gradient of ${name} is finite`);
      if (!/\.b$|bqkv|bo$|b1$|b2$/.test(name))
        assert.ok(
          d.some((v) => v !== 0),
          `gradient of ${name} is nonzero`,
        );
    }
    value.dispose();
    tf.dispose(grads);
    await expectNoLeak(() => {
      const o = nope.forward(x, { returnAttention: true, returnHidden: true });
      tf.dispose([o.logits, ...(o.attention ?? []), ...(o.hidden ?? [])]);
      const c2 = nope.createKVCache(3);
      tf.tidy(() => {
        nope.forwardIncremental(tf.slice(x, [0, 0], [3, 5]), c2);
        nope.forwardIncremental(tf.slice(x, [0, 5], [3, 1]), c2, { lastOnly: true });
      });
      c2.dispose();
      const g = tf.variableGrads(() => nope.loss(x, y), nope.variables);
      g.value.dispose();
      tf.dispose(g.grads);
    }, "NoPE forward, cache and gradients");
    y.dispose();
  } finally {
    tf.dispose(x);
    nope.dispose();
    learned.dispose();
  }
});

test("positions random (Ruoss et al. 2023): ordered subsets of the table, uniform, seeded, the KV cache keeps its rows", async () => {
  await testBackend();
  const { seqLen: L, vocabSize: V } = SMALL;
  const rnd = await sharpGPT({ ...SMALL, positions: "random" }, 13);
  const learned = createGPT(SMALL, 13);
  const x = tokens(3, 5, V, 4); // [3, 5]: shorter than seqLen = 8, so the subsets vary
  try {
    // The same table as the learned scheme (same parameter count and init).
    assert.deepEqual(countGPTParams({ ...SMALL, positions: "random" }), countGPTParams(SMALL));
    const w = await rnd.readWeights();
    learned.setWeights(w);
    // At positions 0..T-1 given explicitly, the random model is the learned model.
    const at0 = [0, 1, 2, 3, 4];
    const a = tf.tidy(() => rnd.forward(x, { positionIds: [at0, at0, at0] }).logits.arraySync());
    const b = tf.tidy(() => learned.forward(x).logits.arraySync());
    assert.ok(maxDiff(a, b) < 1e-5, `random at 0..T-1 vs learned: ${maxDiff(a, b)}`);
    // Without positions, each call draws fresh ones: the logits change (the check can fail if they do not).
    const r1 = tf.tidy(() => rnd.forward(x).logits.arraySync());
    const r2 = tf.tidy(() => rnd.forward(x).logits.arraySync());
    assert.ok(maxDiff(r1, r2) > 1e-3, "fresh positions per call must change the logits");
    // Seeded: a second model from the same seed draws the same positions.
    const twin = createGPT({ ...SMALL, positions: "random" }, 13);
    const other = createGPT({ ...SMALL, positions: "random" }, 14);
    const ca = twin.createKVCache(4, 6);
    const cb = createGPT({ ...SMALL, positions: "random" }, 13).createKVCache(4, 6);
    const cc = other.createKVCache(4, 6);
    assert.deepEqual(ca.positionIds, cb.positionIds);
    assert.notDeepEqual(ca.positionIds, cc.positionIds);
    for (const row of ca.positionIds ?? []) {
      assert.equal(row.length, 6);
      row.forEach((p, t) =>
        assert.ok(Number.isInteger(p) && p >= 0 && p < L && (t === 0 || p > (row[t - 1] as number))),
      );
    }
    [ca, cb, cc].forEach((c) => c.dispose());
    twin.dispose();
    other.dispose();
    // Uniform: each position is in a T-subset with probability T / L, and each pair of positions with
    // T(T-1) / (L(L-1)); 4000 rows of 3 of 8 positions: 0.375 +- 0.008 (sd), 0.107 +- 0.005.
    const big = createGPT({ ...SMALL, positions: "random" }, 15);
    const cu = big.createKVCache(4000, 3);
    const rows = cu.positionIds ?? [];
    for (let p = 0; p < L; p++) {
      const f = rows.filter((r) => r.includes(p)).length / rows.length;
      assert.ok(Math.abs(f - 3 / 8) < 0.04, `position ${p} drawn in ${f} of rows, expected 0.375`);
    }
    const pair = rows.filter((r) => r.includes(0) && r.includes(7)).length / rows.length;
    assert.ok(Math.abs(pair - (3 * 2) / (8 * 7)) < 0.025, `pair (0, 7) in ${pair} of rows, expected 0.107`);
    cu.dispose();
    big.dispose();
    // Incremental decoding over the cache's drawn positions, in uneven chunks, gives the full forward's
    // logits at those positions; keepRows keeps each kept row's positions.
    const cache = rnd.createKVCache(3, 5);
    const drawn = (cache.positionIds ?? []).map((r) => [...r]);
    const full = tf.tidy(() => rnd.forward(x, { positionIds: drawn }).logits.arraySync());
    const inc: number[][][] = [[], [], []];
    for (const [s, e] of [
      [0, 2],
      [2, 3],
    ] as const) {
      const l = tf.tidy(() => rnd.forwardIncremental(tf.slice(x, [0, s], [3, e - s]), cache).arraySync());
      l.forEach((row, i) => (inc[i] as number[][]).push(...row));
    }
    cache.keepRows([2, 0]);
    assert.deepEqual(cache.positionIds, [drawn[2], drawn[0]]);
    const rest = tf.tidy(() =>
      rnd.forwardIncremental(tf.gather(tf.slice(x, [0, 3], [3, 2]), [2, 0]) as tf.Tensor2D, cache).arraySync(),
    );
    (inc[2] as number[][]).push(...(rest[0] as number[][]));
    (inc[0] as number[][]).push(...(rest[1] as number[][]));
    assert.ok(
      maxDiff([full[0], full[2]] as number[][][], [inc[0], inc[2]] as number[][][]) < 1e-4,
      "KV cache vs forward at the drawn positions",
    );
    // Past the length the cache was made for: a clear error.
    assert.throws(
      () => rnd.forwardIncremental(tf.tensor2d([[1], [2]], [2, 1], "int32"), cache),
      /exceed the 5 positions the cache was made for; pass the full length to model\.createKVCache/,
    );
    cache.dispose();
    // Bad positions name the field and the rule.
    assert.throws(() => rnd.forward(x, { positionIds: [at0, at0] }), /positionIds has 2 rows, the batch has 3/);
    assert.throws(
      () => rnd.forward(x, { positionIds: [at0, at0, [0, 1, 1, 2, 3]] }),
      /positionIds\[2\]\[2\] = 1: .*strictly increasing/,
    );
    assert.throws(() => rnd.forward(x, { positionIds: [at0, at0, [0, 1, 2, 3, 8]] }), /seqLen=8/);
    assert.throws(() => rnd.createKVCache(2, 9), /length must be an integer in \[1, seqLen=8\]/);
    assert.throws(
      () => rnd.forwardIncremental(tf.tensor2d([[1], [2], [3]], [3, 1], "int32"), new KVCache(3, 2, 2)),
      /a random-position model needs a cache from model\.createKVCache/,
    );
    const nope = createGPT({ ...SMALL, positions: "none" }, 1);
    assert.throws(() => nope.forward(x, { positionIds: [at0, at0, at0] }), /no positions/);
    nope.dispose();
    // Gradients reach the position table, finite; nothing leaks.
    const y = tokens(3, 5, V, 5);
    const { value, grads } = tf.variableGrads(() => rnd.loss(x, y), rnd.variables);
    const gw = (grads[(rnd.namedWeights()["wpe"] as tf.Variable).name] as tf.Tensor).dataSync();
    assert.ok(gw.every(Number.isFinite) && gw.some((v) => v !== 0), "wpe gradient finite and nonzero");
    value.dispose();
    tf.dispose(grads);
    await expectNoLeak(() => {
      tf.dispose(rnd.forward(x).logits);
      const c2 = rnd.createKVCache(3, 6);
      tf.tidy(() => {
        rnd.forwardIncremental(tf.slice(x, [0, 0], [3, 4]), c2);
        rnd.forwardIncremental(tf.slice(x, [0, 4], [3, 1]), c2, { lastOnly: true });
      });
      c2.dispose();
      const g = tf.variableGrads(() => rnd.loss(x, y), rnd.variables);
      g.value.dispose();
      tf.dispose(g.grads);
    }, "random positions forward, cache and gradients");
    y.dispose();
  } finally {
    tf.dispose(x);
    rnd.dispose();
    learned.dispose();
  }
});

test("positions rotary (RoPE, Su et al. 2021): no table, relative positions only, KV cache, gradients, no leaks", async () => {
  await testBackend();
  const { vocabSize: V } = SMALL;
  const rope = await sharpGPT({ ...SMALL, positions: "rotary" }, 16);
  const nope = createGPT({ ...SMALL, positions: "none" }, 16);
  const learned = await sharpGPT(SMALL, 16);
  const x = tokens(3, 5, V, 4); // [3, 5]
  try {
    // No position table: the parameters of a NoPE model.
    assert.deepEqual(
      countGPTParams({ ...SMALL, positions: "rotary" }),
      countGPTParams({ ...SMALL, positions: "none" }),
    );
    const w = await rope.readWeights();
    assert.equal(w["wpe"], undefined);
    // Positions matter: the same weights without the rotation (NoPE) give other logits.
    nope.setWeights(w);
    const a = tf.tidy(() => rope.forward(x).logits.arraySync());
    const n = tf.tidy(() => nope.forward(x).logits.arraySync());
    assert.ok(maxDiff(a, n) > 1e-3, `rotary vs NoPE with the same weights: ${maxDiff(a, n)}`);
    // Only offsets matter: every position shifted by 3 gives the same logits (the check fails if the rotation
    // is wrong, e.g. a sign in rotate-half), where a learned table does change them (the control).
    const at = (o: number) => [0, 1, 2, 3, 4].map((t) => t + o);
    const shifted = tf.tidy(() => rope.forward(x, { positionIds: [at(3), at(3), at(3)] }).logits.arraySync());
    assert.ok(maxDiff(a, shifted) < 1e-4, `rotary, shifted by 3: ${maxDiff(a, shifted)}`);
    const l0 = tf.tidy(() => learned.forward(x).logits.arraySync());
    const l3 = tf.tidy(() => learned.forward(x, { positionIds: [at(3), at(3), at(3)] }).logits.arraySync());
    assert.ok(maxDiff(l0, l3) > 1e-3, `learned, shifted by 3: ${maxDiff(l0, l3)}`);
    // Per-row positions (one row shifted, the others not) equal the shared ones row by row.
    const mixed = tf.tidy(() => rope.forward(x, { positionIds: [at(0), at(2), at(0)] }).logits.arraySync());
    assert.ok(maxDiff(a, mixed) < 1e-4, `rotary, one row shifted: ${maxDiff(a, mixed)}`);
    // Gaps between positions do matter (offsets change): positions 0, 2, 4, ... differ from 0, 1, 2, ...
    const gaps = [0, 2, 4, 6, 7];
    const g = tf.tidy(() => rope.forward(x, { positionIds: [gaps, gaps, gaps] }).logits.arraySync());
    assert.ok(maxDiff(a, g) > 1e-3, `rotary with other offsets: ${maxDiff(a, g)}`);
    // Incremental decoding in uneven chunks gives the full forward's logits (cached keys stay rotated).
    const x8 = tokens(3, 8, V, 6);
    const full = tf.tidy(() => rope.forward(x8).logits.arraySync());
    const cache = rope.createKVCache(3);
    const inc: number[][][] = [[], [], []];
    for (const [s, e] of [
      [0, 3],
      [3, 4],
      [4, 5],
      [5, 8],
    ] as const) {
      const l = tf.tidy(() => rope.forwardIncremental(tf.slice(x8, [0, s], [3, e - s]), cache).arraySync());
      l.forEach((row, i) => (inc[i] as number[][]).push(...row));
    }
    cache.dispose();
    assert.ok(maxDiff(full, inc) < 1e-4, `KV cache vs full forward: ${maxDiff(full, inc)}`);
    // Gradients reach every weight and are finite; nothing leaks.
    const y = tokens(3, 5, V, 5);
    const { value, grads } = tf.variableGrads(() => rope.loss(x, y), rope.variables);
    assert.equal(Object.keys(grads).length, Object.keys(rope.namedWeights()).length);
    for (const [name, gr] of Object.entries(grads)) {
      const d = gr.dataSync();
      assert.ok(d.every(Number.isFinite), `gradient of ${name} is finite`);
    }
    value.dispose();
    tf.dispose(grads);
    await expectNoLeak(() => {
      const o = rope.forward(x, { returnAttention: true, positionIds: [at(1), at(0), at(2)] });
      tf.dispose([o.logits, ...(o.attention ?? [])]);
      const c2 = rope.createKVCache(3);
      tf.tidy(() => {
        rope.forwardIncremental(tf.slice(x, [0, 0], [3, 4]), c2);
        rope.forwardIncremental(tf.slice(x, [0, 4], [3, 1]), c2, { lastOnly: true });
      });
      c2.dispose();
      const gr = tf.variableGrads(() => rope.loss(x, y), rope.variables);
      gr.value.dispose();
      tf.dispose(gr.grads);
    }, "rotary forward, cache and gradients");
    y.dispose();
    x8.dispose();
  } finally {
    tf.dispose(x);
    rope.dispose();
    nope.dispose();
    learned.dispose();
  }
});
