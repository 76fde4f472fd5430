import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { testBackend } from "../../run/testing";
import { Rng } from "../../rng";
import { createGPT } from "../../transformer";
import { quantizeMatrix, quantSpec } from "../../quantize";
import {
  cholesky,
  codeEntropyBits,
  gptLinearInputs,
  gptqQuantize,
  gramMatrix,
  linearCka,
  quantizedTrainable,
  statesNeeded,
  usefulStates,
} from "./analysis";
import { optimalBits, paretoStepRatio, scalingBudget, slope } from "./run";

test("setup backend", async () => {
  await testBackend();
});

test("states needed: the upper envelope, interpolated in log2 S", () => {
  const S = [2, 4, 8, 16];
  // drops 10, 3, 0.5, 0 points: crosses 1 point between 4 and 8, at t = (3 − 1)/(3 − 0.5) = 0.8
  assert.ok(Math.abs(statesNeeded(S, [0.1, 0.03, 0.005, 0], 0.01) - 2 ** (2 + 0.8)) < 1e-12);
  // a lucky S = 4 inside eps does not count when S = 8 is outside again
  assert.ok(statesNeeded(S, [0.1, 0.0, 0.05, 0], 0.01) > 8);
  assert.equal(statesNeeded(S, [0, 0, 0, 0], 0.01), 2, "every S within eps: the smallest");
  assert.ok(Number.isNaN(statesNeeded(S, [0.1, 0.1, 0.1, 0.1], 0.01)), "none within eps: NaN");
  assert.throws(() => statesNeeded(S, [0.1], 0.01), /one drop per/);
});

test("useful states: the first S whose doubling gains less than eps", () => {
  const L = [2, 4, 8, 16];
  assert.equal(usefulStates(L, [0.5, 0.8, 0.805, 0.806], 0.01), 4);
  assert.equal(usefulStates(L, [0.5, 0.6, 0.7, 0.8], 0.01), 16, "still gaining at the top: the last rung");
  assert.equal(usefulStates(L, [0.8, 0.8, 0.8, 0.8], 0.01), 2);
});

test("code entropy: log2 S for uniform codes, less for peaked ones", async () => {
  const w = tf.tensor2d(
    Array.from({ length: 64 }, (_, i) => (i % 4) - 1.5),
    [16, 4],
  );
  const q = await quantizeMatrix(w, quantSpec({ states: 4, granularity: "tensor" }));
  assert.ok(Math.abs(codeEntropyBits([q]) - 2) < 1e-12, "four equally used codes: 2 bits");
  const peaked = tf.tensor2d([...Array(60).fill(0), 1, -1, 1, -1], [16, 4]);
  const qp = await quantizeMatrix(peaked, quantSpec({ states: 3, granularity: "tensor" }));
  assert.ok(codeEntropyBits([qp]) < 0.5);
  tf.dispose([w, peaked]);
});

test("linear CKA is 1 for a rotated, scaled copy and lower for an unrelated representation", async () => {
  const rng = new Rng(3);
  const x = tf.tensor2d(rng.normalArray(200 * 6), [200, 6]);
  const q = tf.linalg.qr(tf.tensor2d(rng.normalArray(36), [6, 6]))[0] as tf.Tensor2D;
  const y = tf.mul(tf.matMul(x, q), 3) as tf.Tensor2D;
  const z = tf.tensor2d(rng.normalArray(200 * 6), [200, 6]);
  assert.ok(Math.abs((await linearCka(x, y)) - 1) < 1e-4);
  assert.ok((await linearCka(x, z)) < 0.2);
  tf.dispose([x, q, y, z]);
});

test("GPTQ: Cholesky is exact, no Hessian is round-to-nearest, and error feedback lowers the layer's output error", () => {
  const rng = new Rng(7);
  const A = Float64Array.from([4, 2, 2, 3]);
  const L = cholesky(A, 2);
  assert.deepEqual(Array.from(L), [2, 0, 1, Math.sqrt(2)]);
  const [nIn, nOut, rows] = [32, 8, 256];
  // correlated inputs (as a layer's inputs are): x = z M
  const z = rng.normalArray(rows * nIn);
  const M = rng.normalArray(nIn * nIn, 0, 0.3);
  for (let i = 0; i < nIn; i++) M[i * nIn + i] += 1;
  const x = new Float32Array(rows * nIn);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < nIn; j++) {
      let s = 0;
      for (let k = 0; k < nIn; k++) s += z[r * nIn + k] * M[k * nIn + j];
      x[r * nIn + j] = s;
    }
  const w = Float32Array.from(rng.normalArray(nIn * nOut, 0, 0.1));
  const H = gramMatrix({ rows, cols: nIn, values: x });
  const outErr = (q: Float32Array): number => {
    let e = 0;
    for (let r = 0; r < rows; r++)
      for (let o = 0; o < nOut; o++) {
        let s = 0;
        for (let i = 0; i < nIn; i++) s += x[r * nIn + i] * (w[i * nOut + o] - q[i * nOut + o]);
        e += s * s;
      }
    return e;
  };
  for (const granularity of ["channel", "group"] as const) {
    const quant = { bits: 3, granularity, groupSize: 8 };
    const rtn = gptqQuantize(w, nIn, nOut, quant, null);
    const gptq = gptqQuantize(w, nIn, nOut, quant, H);
    // round-to-nearest: at most half a step from each weight, at most 2^bits values per channel
    for (let o = 0; o < nOut; o++) {
      const vals = new Set(Array.from({ length: nIn }, (_, i) => rtn[i * nOut + o]));
      if (granularity === "channel") assert.ok(vals.size <= 8, `channel ${o}: ${vals.size} levels`);
    }
    assert.ok(outErr(gptq) < 0.8 * outErr(rtn), `${granularity}: GPTQ ${outErr(gptq)} vs RTN ${outErr(rtn)}`);
  }
});

/** A tiny GPT (vocabulary 11, context 6) and two token rows for it. Caller disposes. */
function tinyGpt(nLayer: number, seed: number): { model: ReturnType<typeof createGPT>; tokens: tf.Tensor2D } {
  const model = createGPT({ vocabSize: 11, seqLen: 6, dModel: 16, nHead: 2, nLayer, dFF: 0, tieWeights: false }, seed);
  const rows = [
    [1, 2, 3, 4, 5, 6],
    [7, 8, 9, 10, 0, 1],
  ];
  return { model, tokens: tf.tensor2d(rows, [2, 6], "int32") };
}

test("the captured layer inputs reproduce the GPT's forward pass", async () => {
  const { model, tokens } = tinyGpt(2, 3);
  try {
    const { inputs, logits } = await gptLinearInputs(model, tokens);
    const ref = model.forward(tokens).logits;
    const want = (await ref.data()) as Float32Array;
    ref.dispose();
    for (let i = 0; i < want.length; i++)
      assert.ok(Math.abs((logits[i] as number) - (want[i] as number)) < 1e-4, `logit ${i}`);
    for (const n of ["h0.attn.wqkv", "h0.attn.wo", "h0.mlp.w1", "h0.mlp.w2", "h1.mlp.w2", "lmHead"]) {
      const x = inputs[n];
      assert.ok(x, n);
      assert.equal(x.rows, 12);
      assert.equal(x.cols, (model.namedWeights()[n] as tf.Variable).shape[0], `${n}: one column per input`);
    }
  } finally {
    tokens.dispose();
    model.dispose();
  }
});

test("bit-level scaling: the budget lies where every precision's curve is measured, and the argmin is read there", () => {
  // two models; loss falls with total bits; 4 bits is best per bit of the budget by construction
  const models = [1000, 8000].map((n, k) => ({
    points: [2, 4, 8, 16].map((bits) => ({
      bits,
      totalBits: n * bits,
      loss: 3 - 0.5 * k + (bits === 2 ? 0.4 : bits === 4 ? 0 : 0.01 * bits),
    })),
  }));
  const budget = scalingBudget(models);
  assert.ok(budget >= 16000 && budget <= 16000, `overlap of [2000·…]: ${budget}`);
  assert.equal(optimalBits(models, budget).bits, 4);
  assert.ok(Math.abs(slope([0, 1, 2], [1, 3, 5]) - 2) < 1e-12);
});

test("ParetoQ step ratio: large for a jump between 3 and 2 bits, about 1 for even steps", () => {
  const even = { "8": 0.1, "4": 0.2, "3": 0.3, "2": 0.4, "1.58": 0.5, "1": 0.6 };
  assert.ok(Math.abs(paretoStepRatio(even) - 1) < 1e-9);
  const jump = { "8": 0.1, "4": 0.11, "3": 0.12, "2": 0.6, "1.58": 0.61, "1": 0.62 };
  assert.ok(paretoStepRatio(jump) > 10);
});

test("QAT of the GPT: the quantized loss is close to the float loss at 8 bits, far at 1 bit, and every weight gets a gradient", () => {
  const { model, tokens: x } = tinyGpt(1, 4);
  const y = tf.tensor2d(
    [
      [2, 3, 4, 5, 6, 7],
      [8, 9, 10, 0, 1, 2],
    ],
    [2, 6],
    "int32",
  );
  try {
    const at = (states: number): number =>
      tf.tidy(
        () =>
          quantizedTrainable(model, quantSpec({ states, granularity: "channel" }))
            .loss(x, y)
            .dataSync()[0] as number,
      );
    const fp = tf.tidy(() => model.loss(x, y).dataSync()[0] as number);
    assert.ok(Math.abs(at(256) - fp) < 1e-2, `8 bits ${at(256)} vs float ${fp}`);
    assert.ok(Math.abs(at(2) - fp) > Math.abs(at(256) - fp));
    const q = quantizedTrainable(model, quantSpec({ states: 3, granularity: "tensor", clip: "absmean" }));
    const vars = Object.values(q.namedWeights());
    const { value, grads } = tf.variableGrads(() => q.loss(x, y), vars);
    for (const v of vars) assert.ok(grads[v.name], `gradient for ${v.name}`);
    tf.dispose([value, ...Object.values(grads)]);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});
