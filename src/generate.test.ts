import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { continuationLogLikelihood, continuationTokenLogProbs, generate } from "./generate";
import { Rng } from "./rng";
import { expectNoLeak, testBackend } from "./run/testing";
import { createGPT, type GPT } from "./transformer";

const CFG = { vocabSize: 9, seqLen: 6, dModel: 16, nHead: 2, nLayer: 1 };

/** Greedy decoding by hand: full forward, argmax of the last position, one token at a time. */
function greedyByHand(model: GPT, prompt: number[], n: number): number[] {
  const seq = [...prompt];
  for (let i = 0; i < n; i++) {
    const ctx = seq.slice(-CFG.seqLen);
    const row = tf.tidy(() => {
      const l = model.forward(tf.tensor2d([ctx], undefined, "int32")).logits; // [1, T, V]
      return Array.from(l.dataSync().slice((ctx.length - 1) * CFG.vocabSize, ctx.length * CFG.vocabSize));
    });
    seq.push(row.indexOf(Math.max(...row)));
  }
  return seq.slice(prompt.length);
}

test("greedy generation: batched prompts of mixed lengths equal one-at-a-time decoding, context cropped", async () => {
  await testBackend();
  const model = createGPT(CFG, 3);
  try {
    const prompts = [[1, 2], [1, 5, 6, 7], [1, 3], [8]];
    const out = await generate(model, prompts, { maxNewTokens: 7 });
    prompts.forEach((p, i) => assert.deepEqual(out[i], greedyByHand(model, p, 7), `prompt ${i}`));
    assert.ok(out.every((o) => o.length === 7));
  } finally {
    model.dispose();
  }
});

test("stop token ends a sequence (and is not returned); sampling is seeded; topK 1 is greedy", async () => {
  await testBackend();
  const model = createGPT(CFG, 4);
  try {
    const prompts = [[1, 2, 3], [4]];
    const greedy = await generate(model, prompts, { maxNewTokens: 5 });
    const stop = greedy[0]?.[2] as number;
    const stopped = await generate(model, prompts, { maxNewTokens: 5, stopToken: stop });
    assert.deepEqual(stopped[0], (greedy[0] as number[]).slice(0, (greedy[0] as number[]).indexOf(stop)));
    const s1 = await generate(model, prompts, { maxNewTokens: 5, temperature: 1, rng: new Rng(7) });
    const s2 = await generate(model, prompts, { maxNewTokens: 5, temperature: 1, rng: new Rng(7) });
    assert.deepEqual(s1, s2);
    assert.deepEqual(
      await generate(model, prompts, { maxNewTokens: 5, temperature: 2, topK: 1, rng: new Rng(8) }),
      greedy,
    );
    await assert.rejects(() => generate(model, prompts, { maxNewTokens: 2, temperature: 1 }), /pass an rng/);
    await assert.rejects(() => generate(model, [[]], { maxNewTokens: 2 }), /prompt 0 is empty/);
    await assert.rejects(() => generate(model, [[9]], { maxNewTokens: 2 }), /token 9, outside \[0, vocabSize=9\)/);
  } finally {
    model.dispose();
  }
});

test("continuation log-likelihoods equal log-softmax of the forward pass; probabilities sum to 1", async () => {
  await testBackend();
  const model = createGPT(CFG, 5);
  try {
    const prefixes = [
      [1, 2],
      [1, 4, 4],
    ];
    const conts = [[3, 5, 6], [7]];
    const lp = await continuationTokenLogProbs(model, prefixes, conts);
    const manual = tf.tidy(() => {
      const l = tf
        .logSoftmax(model.forward(tf.tensor2d([[1, 2, 3, 5]], undefined, "int32")).logits)
        .arraySync()[0] as number[][];
      return [l[1]?.[3], l[2]?.[5], l[3]?.[6]] as number[];
    });
    manual.forEach((m, i) => assert.ok(Math.abs(m - (lp[0]?.[i] as number)) < 1e-5));
    const ll = await continuationLogLikelihood(model, prefixes, conts);
    assert.ok(Math.abs(ll[0] - manual.reduce((a, b) => a + b, 0)) < 1e-5);
    // Over all one-token continuations, probabilities sum to 1.
    const all = await continuationLogLikelihood(
      model,
      Array.from({ length: 9 }, () => [1, 2]),
      Array.from({ length: 9 }, (_, v) => [v]),
    );
    assert.ok(Math.abs(all.reduce((s, v) => s + Math.exp(v), 0) - 1) < 1e-5);
    // Long inputs are cropped from the left to seqLen + 1 tokens.
    assert.equal((await continuationLogLikelihood(model, [[1, 2, 3, 4, 5, 6, 7]], [[8, 1]])).length, 1);
    await assert.rejects(() => continuationLogLikelihood(model, [[1]], []), /1 prefixes but 0 continuations/);
  } finally {
    model.dispose();
  }
});

test("generation and scoring leak no tensors", async () => {
  await testBackend();
  const model = createGPT(CFG, 6);
  try {
    await expectNoLeak(
      () => generate(model, [[1, 2], [3]], { maxNewTokens: 8, temperature: 1, topK: 3, rng: new Rng(1) }),
      "generate",
    );
    await expectNoLeak(
      () => continuationLogLikelihood(model, [[1, 2], [3]], [[4], [5, 6]]),
      "continuationLogLikelihood",
    );
  } finally {
    model.dispose();
  }
});

test("the key/value cache changes nothing: same tokens as full recomputation (greedy, sampled, stop, sliding window)", async () => {
  await testBackend();
  const model = createGPT(CFG, 12);
  try {
    // Sharpen the random model so that logits are far apart (differences of float rounding cannot flip a pick).
    const w = await model.readWeights();
    for (const [name, a] of Object.entries(w))
      if (!/ln|\.b/.test(name)) for (let i = 0; i < a.length; i++) a[i] = a[i] * 8;
    model.setWeights(w);
    // Mixed lengths, one prompt of exactly seqLen and one longer (window slides from the start).
    const prompts = [[1, 2], [1, 5, 6, 7], [1, 3], [8], [2, 2], [4, 5, 6, 7, 8, 1], [3, 1, 4, 1, 5, 2, 6]];
    const greedy = await generate(model, prompts, { maxNewTokens: 9, useCache: false });
    assert.deepEqual(await generate(model, prompts, { maxNewTokens: 9 }), greedy);
    // A stop token that ends some rows mid-batch (the cache drops their rows).
    // The token that occurs in the fewest (but at least one) rows' outputs.
    const rowsWith = (tok: number): number => greedy.filter((o) => o.includes(tok)).length;
    const seen = [...new Set(greedy.flat())].sort((a, b) => rowsWith(a) - rowsWith(b) || a - b);
    const stop = seen[0];
    const stopped = await generate(model, prompts, { maxNewTokens: 9, stopToken: stop, useCache: false });
    assert.ok(
      stopped.some((o) => o.length < 9) && stopped.some((o) => o.length === 9),
      "the stop token ends some rows, not all",
    );
    assert.deepEqual(await generate(model, prompts, { maxNewTokens: 9, stopToken: stop }), stopped);
    // Sampling: the same rng gives the same tokens, so the draws happen in the same order.
    for (const topK of [undefined, 3]) {
      const opts = { maxNewTokens: 9, temperature: 1.5, stopToken: stop, ...(topK !== undefined ? { topK } : {}) };
      const a = await generate(model, prompts, { ...opts, rng: new Rng(21), useCache: false });
      const b = await generate(model, prompts, { ...opts, rng: new Rng(21) });
      assert.deepEqual(b, a, `topK ${topK}`);
    }
    // Small batches (several chunks per length group) give the same tokens too.
    assert.deepEqual(await generate(model, prompts, { maxNewTokens: 9, batchSize: 1 }), greedy);
    await expectNoLeak(
      () => generate(model, prompts, { maxNewTokens: 9, stopToken: stop, temperature: 1, rng: new Rng(3) }),
      "generate with cache, stops and sliding window",
    );
  } finally {
    model.dispose();
  }
});
