import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { generate } from "./generate";
import { Rng } from "./rng";
import { expectNoLeak, testBackend } from "./run/testing";
import { AdamW, type BatchSampler, learningRate, trainConfig, trainModel } from "./train";
import { createGPT } from "./transformer";

/** Reverse task: <bos> a1..an <sep> an..a1, loss only on the reversed half. */
function reverseTask(
  n: number,
  D: number,
): { V: number; T: number; seq: (rng: Rng) => number[]; sampler: BatchSampler } {
  const seq = (rng: Rng): number[] => {
    const a = Array.from({ length: n }, () => 4 + rng.int(D));
    return [1, ...a, 3, ...[...a].reverse()];
  };
  const sampler: BatchSampler = (rng, bs) => {
    const x: number[][] = [];
    const y: number[][] = [];
    const mask: number[][] = [];
    for (let b = 0; b < bs; b++) {
      const s = seq(rng);
      x.push(s.slice(0, -1));
      y.push(s.slice(1));
      mask.push(s.slice(1).map((_, i) => (i >= n ? 1 : 0)));
    }
    return { x, y, mask };
  };
  return { V: 4 + D, T: 2 * n + 1, seq, sampler };
}

test("learning rate: linear warmup then cosine to minLr", () => {
  const c = { lr: 1, minLr: 0.1, warmupSteps: 10, numSteps: 110 };
  assert.equal(learningRate(0, c), 0.1);
  assert.equal(learningRate(9, c), 1);
  assert.equal(learningRate(10, c), 1);
  assert.ok(Math.abs(learningRate(60, c) - 0.55) < 1e-12);
  assert.ok(Math.abs(learningRate(110, c) - 0.1) < 1e-12);
  assert.throws(() => trainConfig({ minLr: 1, lr: 0.1 }), /TrainConfig\.minLr/);
  assert.throws(() => trainConfig({ batchSize: 0 }), /TrainConfig\.batchSize/);
  assert.throws(() => trainConfig({ numstep: 3 } as never), /TrainConfig\.numstep: unknown field/);
});

test("AdamW: one step by hand, decoupled decay on matrices only, clipping by global norm", async () => {
  await testBackend();
  const w = tf.variable(tf.tensor2d([[1, -2]]));
  const b = tf.variable(tf.tensor1d([0.5]));
  const opt = new AdamW({ w, b });
  try {
    const lr = 0.1;
    const c = { beta1: 0.9, beta2: 0.99, weightDecay: 0.5, gradClip: 0 };
    const g = { w: tf.tensor2d([[3, 4]]), b: tf.tensor1d([2]) };
    const norm = opt.apply(g, lr, c);
    assert.ok(Math.abs((norm.dataSync()[0] as number) - Math.sqrt(29)) < 1e-5);
    norm.dispose();
    // Step 1: m^ = g, v^ = g^2, so the Adam step is lr * sign(g) (up to eps); decay lr*wd*w on w only.
    const wv = w.dataSync();
    assert.ok(Math.abs(wv[0] - (1 - 0.1 - 0.05)) < 1e-6, `w0 ${wv[0]}`);
    assert.ok(Math.abs(wv[1] - (-2 - 0.1 + 0.1)) < 1e-6, `w1 ${wv[1]}`);
    assert.ok(Math.abs((b.dataSync()[0] as number) - 0.4) < 1e-6);
    // With clipping the moments see the clipped gradient: m = 0.9 m + 0.1 g * clip / norm.
    const opt2 = new AdamW({ w });
    const n2 = opt2.apply({ w: g.w }, lr, { ...c, gradClip: 1 });
    n2.dispose();
    const st = await opt2.readState();
    assert.ok(Math.abs((st.m["w"]?.[0] as number) - (0.1 * 3) / 5) < 1e-6);
    assert.equal(st.step, 1);
    opt2.dispose();
    tf.dispose([g.w, g.b]);
  } finally {
    opt.dispose();
    tf.dispose([w, b]);
  }
});

test("training is deterministic and leaks no tensors; eval and history are recorded", async () => {
  await testBackend();
  const task = reverseTask(3, 4);
  const cfg = { vocabSize: task.V, seqLen: task.T, dModel: 16, nHead: 2, nLayer: 1 };
  const tc = { numSteps: 6, batchSize: 8, warmupSteps: 2, evalEvery: 3, evalBatches: 2 };
  const run = async () => {
    const model = createGPT(cfg, 11);
    try {
      const r = await trainModel(model, task.sampler, tc, { seed: 5, evalSampler: task.sampler });
      return {
        losses: r.history.map((h) => h.trainLoss),
        history: r.history,
        w: (await model.readWeights())["h0.attn.wqkv"] as Float32Array,
      };
    } finally {
      model.dispose();
    }
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.w, b.w);
  assert.equal(a.history.length, 6);
  assert.deepEqual(
    a.history.map((h) => h.step),
    [1, 2, 3, 4, 5, 6],
  );
  assert.deepEqual(
    a.history.map((h) => h.tokens),
    [56, 112, 168, 224, 280, 336],
  );
  assert.deepEqual(
    a.history.map((h) => h.evalLoss !== undefined),
    [false, false, true, false, false, true],
  );
  assert.ok(a.history.every((h) => Number.isFinite(h.trainLoss) && h.lr > 0 && h.wallMs >= 0));

  const model = createGPT(cfg, 12);
  try {
    // Burn-in inside expectNoLeak; the model's cached causal mask persists by design.
    await expectNoLeak(
      () => trainModel(model, task.sampler, { ...tc, numSteps: 2 }, { seed: 1, evalSampler: task.sampler }),
      "trainModel",
    );
    const before = tf.memory().numTensors;
    await trainModel(model, task.sampler, { ...tc, numSteps: 5 }, { seed: 2, evalSampler: task.sampler });
    assert.equal(tf.memory().numTensors, before, "tensors after 5 steps");
  } finally {
    model.dispose();
  }
});

test("progress callbacks and cooperative cancellation", async () => {
  await testBackend();
  const task = reverseTask(3, 4);
  const model = createGPT({ vocabSize: task.V, seqLen: task.T, dModel: 8, nHead: 1, nLayer: 1 }, 1);
  try {
    const events: number[] = [];
    const ac = new AbortController();
    const tc = { numSteps: 10, batchSize: 4, evalEvery: 0 };
    await assert.rejects(
      trainModel(model, task.sampler, tc, {
        seed: 1,
        signal: ac.signal,
        progress: { update: (e) => events.push(e.step) },
        onStep: (r) => {
          if (r.step === 3) ac.abort();
        },
      }),
      (e: Error) => e.name === "AbortError" && /cancelled at step 3/.test(e.message),
    );
    assert.deepEqual(events, [1, 2, 3]);
    const r = await trainModel(model, task.sampler, tc, { seed: 1, signal: ac.signal, onAbort: "return" });
    assert.equal(r.cancelled, true);
    assert.equal(r.history.length, 0);
  } finally {
    model.dispose();
  }
});

test("training gives the event loop a turn: a timer set before it fires during it, not after", async () => {
  // Before, a loop that awaits only resolved promises held the loop for the whole run: in a notebook, Jupyter's
  // interrupt and the kernel's messages waited until the end.
  await testBackend();
  const task = reverseTask(3, 4);
  const model = createGPT({ vocabSize: task.V, seqLen: task.T, dModel: 16, nHead: 2, nLayer: 1 }, 1);
  try {
    let steps = 0;
    let firedAt = -1;
    setTimeout(() => (firedAt = steps), 0);
    await trainModel(
      model,
      task.sampler,
      { numSteps: 300, batchSize: 8, evalEvery: 0 },
      {
        seed: 1,
        onStep: () => void steps++,
      },
    );
    assert.ok(firedAt >= 0 && firedAt < 300, `the timer fired at step ${firedAt} of ${steps}`);
  } finally {
    model.dispose();
  }
});

/**
 * A notebook kernel in miniature: cancelOnInterrupt (what src/index.ts does in a kernel), a long training, a SIGINT
 * (Jupyter's interrupt) sent at its 20th step; then a second training, started after the interrupt; then a long
 * generation, interrupted as it starts. One JSON line.
 */
const INTERRUPTED = `
const { cancelOnInterrupt } = require("./src/cancel");
const { trainModel } = require("./src/train");
const { createGPT } = require("./src/transformer");
const { generate } = require("./src/generate");
const { initBackend } = require("./src/run/backend");
(async () => {
  await initBackend();
  cancelOnInterrupt();
  const model = createGPT({ vocabSize: 8, seqLen: 8, dModel: 16, nHead: 2, nLayer: 1 }, 1);
  const sampler = (rng, b) => { const x = Array.from({ length: b }, () => Array.from({ length: 8 }, () => rng.int(8))); return { x, y: x }; };
  let steps = 0;
  let error = null;
  try {
    const onStep = () => { if (++steps === 20) process.kill(process.pid, "SIGINT"); };
    await trainModel(model, sampler, { numSteps: 100000, batchSize: 4, evalEvery: 0 }, { seed: 1, onStep });
  } catch (e) { error = e.name; }
  const after = await trainModel(model, sampler, { numSteps: 5, batchSize: 4, evalEvery: 0 }, { seed: 2 });
  // Generation too: the timer fires at the loop's first turn, and the SIGINT lands at the next.
  setTimeout(() => process.kill(process.pid, "SIGINT"), 0);
  let generation = null;
  let tokens = 0;
  try {
    tokens = (await generate(model, [[1]], { maxNewTokens: 3000, useCache: false }))[0].length;
  } catch (e) { generation = e.name; }
  console.log(JSON.stringify({ error, steps, after: after.history.length, generation, tokens }));
  process.exit(0);
})();
`;

test("in a notebook, an interrupt (SIGINT) stops the training or generation in progress, and the next one runs", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", INTERRUPTED], {
    cwd: path.join(__dirname, ".."),
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as {
    error: string;
    steps: number;
    after: number;
    generation: string | null;
    tokens: number;
  };
  assert.equal(out.error, "AbortError");
  assert.ok(out.steps >= 20 && out.steps < 100000, `stopped after ${out.steps} steps`);
  assert.equal(out.after, 5, "a training started after the interrupt is not cancelled");
  assert.equal(out.generation, "AbortError", `a generation is interrupted too (it wrote ${out.tokens} tokens)`);
});

test("a tiny GPT learns to reverse a sequence to >= 99% token accuracy", async () => {
  await testBackend();
  const n = 5;
  const task = reverseTask(n, 6);
  const model = createGPT({ vocabSize: task.V, seqLen: task.T, dModel: 32, nHead: 2, nLayer: 2 }, 7);
  try {
    const t0 = Date.now();
    const r = await trainModel(
      model,
      task.sampler,
      { numSteps: 200, batchSize: 32, lr: 3e-3, minLr: 3e-4, warmupSteps: 20, weightDecay: 0.01, evalEvery: 0 },
      { seed: 3 },
    );
    const rng = new Rng(99);
    const tests = Array.from({ length: 200 }, () => task.seq(rng));
    const outs = await generate(
      model,
      tests.map((s) => s.slice(0, n + 2)),
      { maxNewTokens: n },
    );
    let ok = 0;
    tests.forEach((s, i) =>
      s.slice(n + 2).forEach((t, j) => {
        if (outs[i]?.[j] === t) ok++;
      }),
    );
    const acc = ok / (tests.length * n);
    console.log(
      `# reverse task: accuracy ${acc.toFixed(4)}, final loss ${r.finalLoss.toFixed(4)}, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    assert.ok(acc >= 0.99, `token accuracy ${acc}`);
  } finally {
    model.dispose();
  }
});

test("any TrainableModel trains; a non-finite loss is an error naming the step, or a diverged result", async () => {
  await testBackend();
  const w = tf.variable(tf.tensor2d([[2, -1]]));
  const sampler: BatchSampler = () => ({ x: [[0]], y: [[0]] });
  try {
    // Minimise |w|^2: decays towards 0.
    const quad = { namedWeights: () => ({ w }), loss: () => tf.sum(tf.square(w)) as tf.Scalar };
    const r = await trainModel(
      quad,
      sampler,
      { numSteps: 50, batchSize: 1, lr: 0.1, minLr: 0.01, warmupSteps: 0, weightDecay: 0, evalEvery: 0 },
      { seed: 1 },
    );
    assert.ok(
      r.finalLoss < (r.history[0]?.trainLoss as number) / 10,
      `loss ${r.history[0]?.trainLoss} -> ${r.finalLoss}`,
    );
    const nan = { namedWeights: () => ({ w }), loss: () => tf.mul(tf.sum(w), NaN) as tf.Scalar };
    await assert.rejects(
      trainModel(nan, sampler, { numSteps: 3, batchSize: 1, evalEvery: 0 }, { seed: 1 }),
      /loss is NaN at step 1 \(diverged\); lower TrainConfig\.lr/,
    );
    const d = await trainModel(
      nan,
      sampler,
      { numSteps: 3, batchSize: 1, evalEvery: 0 },
      { seed: 1, onNonFinite: "return" },
    );
    assert.equal(d.diverged, true);
  } finally {
    w.dispose();
  }
});
