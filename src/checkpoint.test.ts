import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkpointEvery, hasCheckpoint, loadCheckpoint, loadGPT, restoreWeights, saveCheckpoint } from "./checkpoint";
import { testBackend } from "./run/testing";
import { CharTokenizer } from "./tokenizer";
import { type BatchSampler, trainConfig, trainModel } from "./train";
import { createGPT } from "./transformer";

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-ckpt-"));
process.on("exit", () => fs.rmSync(tmpRoot, { recursive: true, force: true }));

const tok = CharTokenizer.fromCorpus("abcdef");
const V = tok.vocabSize;
const CFG = { vocabSize: V, seqLen: 8, dModel: 16, nHead: 2, nLayer: 2 };
/** Sorting task: sequences of letters then the same letters sorted; loss on the second half. */
const sampler: BatchSampler = (rng, bs) => {
  const x: number[][] = [];
  const y: number[][] = [];
  const mask: number[][] = [];
  for (let b = 0; b < bs; b++) {
    const a = Array.from({ length: 4 }, () => 4 + rng.int(V - 4));
    const s = [tok.bosId, ...a, ...[...a].sort((p, q) => p - q)];
    x.push(s.slice(0, 8));
    y.push(s.slice(1, 9));
    mask.push([0, 0, 0, 1, 1, 1, 1, 1]);
  }
  return { x, y, mask };
};
const TC = { numSteps: 12, batchSize: 8, lr: 3e-3, minLr: 3e-4, warmupSteps: 3, evalEvery: 4, evalBatches: 1 };

test("save and load round-trip weights, config, tokenizer and train state", async () => {
  await testBackend();
  const dir = path.join(tmpRoot, "roundtrip");
  const model = createGPT(CFG, 1);
  try {
    const r = await trainModel(model, sampler, { ...TC, numSteps: 3 }, { seed: 2 });
    await saveCheckpoint(dir, {
      model,
      tokenizer: tok,
      trainState: r.state,
      trainConfig: trainConfig({ ...TC, numSteps: 3 }),
    });
    assert.ok(hasCheckpoint(dir));
    assert.deepEqual(
      fs.readdirSync(tmpRoot).filter((f) => f.includes(".tmp-") || f.includes(".old-")),
      [],
      "no temp dirs left",
    );
    const loaded = loadGPT(dir);
    try {
      assert.deepEqual(loaded.model.config, model.config);
      assert.deepEqual(await loaded.model.readWeights(), await model.readWeights());
      assert.deepEqual(loaded.tokenizer?.vocab, tok.vocab);
      assert.equal(loaded.trainState?.step, 3);
      assert.deepEqual(loaded.trainState?.rng, r.state.rng);
      assert.deepEqual(loaded.trainState?.optimizer.m["wte"], r.state.optimizer.m["wte"]);
      assert.equal(loaded.trainState?.history.length, 3);
      assert.equal(loaded.meta.trainConfig?.numSteps, 3);
    } finally {
      loaded.model.dispose();
    }
    // Saving again over the same directory replaces it atomically.
    await saveCheckpoint(dir, { model });
    assert.equal(loadCheckpoint(dir).trainState, undefined);
  } finally {
    model.dispose();
  }
});

test("training killed at step k and resumed from its checkpoint ends bit-identical to an uninterrupted run", async () => {
  await testBackend();
  // Uninterrupted run.
  const ref = createGPT(CFG, 21);
  let refLoss: number;
  let refWeights: Record<string, Float32Array>;
  let refHistory: number[];
  try {
    const r = await trainModel(ref, sampler, TC, { seed: 22, evalSampler: sampler });
    refLoss = r.finalLoss;
    refWeights = await ref.readWeights();
    refHistory = r.history.map((h) => h.trainLoss);
  } finally {
    ref.dispose();
  }
  // Interrupted run: checkpoint every 5 steps, "killed" (aborted) after step 7.
  const dir = path.join(tmpRoot, "resume");
  const first = createGPT(CFG, 21);
  const ac = new AbortController();
  try {
    await assert.rejects(
      trainModel(first, sampler, TC, {
        seed: 22,
        evalSampler: sampler,
        signal: ac.signal,
        onStep: async (rec, state) => {
          await checkpointEvery(dir, 5, { model: first, tokenizer: tok })(rec, state);
          if (rec.step === 7) ac.abort();
        },
      }),
      /cancelled at step 7/,
    );
  } finally {
    first.dispose();
  }
  // A fresh model (different init seed: everything must come from the checkpoint) resumes from step 5.
  const resumed = createGPT(CFG, 999);
  try {
    const ckpt = restoreWeights(dir, resumed);
    assert.equal(ckpt.trainState?.step, 5);
    const r = await trainModel(resumed, sampler, TC, { seed: 22, evalSampler: sampler, state: ckpt.trainState });
    assert.equal(r.finalLoss, refLoss);
    assert.deepEqual(
      r.history.map((h) => h.trainLoss),
      refHistory,
    );
    const w = await resumed.readWeights();
    for (const k of Object.keys(refWeights)) assert.deepEqual(w[k], refWeights[k], `weight ${k}`);
  } finally {
    resumed.dispose();
  }
});

test("corrupt and mismatched checkpoints are clear errors naming what is wrong", async () => {
  await testBackend();
  const dir = path.join(tmpRoot, "bad");
  const model = createGPT(CFG, 3);
  const other = createGPT({ ...CFG, dModel: 8 }, 3);
  try {
    await saveCheckpoint(dir, { model, tokenizer: tok });
    assert.throws(
      () => restoreWeights(dir, other),
      /model config does not match \(dModel: checkpoint has 16, model has 8/,
    );
    const bin = path.join(dir, "tensors.bin");
    const buf = fs.readFileSync(bin);
    buf[100] = buf[100] ^ 0xff;
    fs.writeFileSync(bin, buf);
    assert.throws(() => loadCheckpoint(dir), /tensors\.bin fails its SHA-256 check \(corrupt\)/);
    fs.writeFileSync(bin, buf.subarray(0, 50));
    assert.throws(() => loadCheckpoint(dir), /tensors\.bin has 50 bytes, expected \d+ \(truncated or corrupt\)/);
    fs.writeFileSync(path.join(dir, "checkpoint.json"), "{ not json");
    assert.throws(() => loadCheckpoint(dir), /checkpoint\.json is corrupt/);
    fs.rmSync(path.join(dir, "checkpoint.json"));
    assert.throws(() => loadCheckpoint(dir), /metadata file checkpoint\.json is missing/);
    assert.throws(() => loadCheckpoint(path.join(tmpRoot, "nowhere")), /directory does not exist/);
  } finally {
    model.dispose();
    other.dispose();
  }
});
