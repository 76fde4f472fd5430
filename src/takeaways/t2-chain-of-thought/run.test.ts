import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { expectClaimsContract, testBackend } from "../../run/testing";
import { runExperiment } from "../../run/experiment";
import { Rng } from "../../rng";
import { CharTokenizer } from "../../tokenizer";
import { digitsAlphabet, renderExample, sampleProblem, sampleSurface } from "../../data/digits";
import {
  completeAll,
  createT2Model,
  formatInformation,
  formatSeqLen,
  experiment,
  t2Figures,
  t2SampleRows,
  T2_PROFILES,
  T2Config,
  validateT2Config,
} from "./index";

const TINY: Partial<T2Config> = {
  numSeeds: 1,
  kMin: 2,
  kMax: 3,
  kLonger: [4],
  model: { dModel: 16, nHead: 2, nLayer: 1, dFF: 32 },
  train: { numSteps: 3, batchSize: 4, lr: 3e-3, minLr: 3e-4, warmupSteps: 1, weightDecay: 0 },
  evalPerK: 3,
  evalUnseen: 3,
  info: { perAnswer: 1, numForms: 2, samplesPerSeed: 30, bootstrapReps: 10, curveReps: 2 },
};

test("profiles validate and bad configs give clear errors", () => {
  for (const p of ["smoke", "quick", "full"] as const) validateT2Config(T2_PROFILES[p]);
  assert.throws(() => validateT2Config({ ...T2_PROFILES.smoke, kLonger: [3] }), /t2.kLonger\[0\]/);
  assert.throws(() => validateT2Config({ ...T2_PROFILES.smoke, zeroRate: 1 }), /t2.zeroRate/);
  assert.ok(T2_PROFILES.quick.numSeeds >= 3);
  // The verbose chain restates the input, so it needs the longest context.
  assert.ok(formatSeqLen(T2_PROFILES.quick, "verbose") > formatSeqLen(T2_PROFILES.quick, "abstract"));
  assert.ok(formatSeqLen(T2_PROFILES.quick, "abstract") > formatSeqLen(T2_PROFILES.quick, "direct"));
});

test("information estimates of a hand-made bottleneck", () => {
  // 4 problems x 4 forms, the chain keeps the problem only, the answer is the problem's parity.
  const rows = [];
  for (let r = 0; r < 8; r++)
    for (let p = 0; p < 4; p++) for (let f = 0; f < 4; f++) rows.push({ x: `${p}/${f}`, z: `z${p}`, y: String(p % 2) });
  const info = formatInformation(
    rows,
    { perAnswer: 1, numForms: 4, samplesPerSeed: 128, bootstrapReps: 20, curveReps: 3 },
    1,
    "test",
  );
  assert.ok(Math.abs(info.plugIn.hX - 4) < 1e-9);
  assert.ok(Math.abs(info.plugIn.iXZ - 2) < 1e-9);
  assert.ok(Math.abs(info.plugIn.iZY - 1) < 1e-9);
  assert.ok(info.iXZnorm.mean > 0.45 && info.iXZnorm.mean < 0.55, JSON.stringify(info.iXZnorm));
  assert.ok(info.iZYnorm.mean > 0.97, JSON.stringify(info.iZYnorm));
  assert.equal(info.curves.iXZ[info.curves.iXZ.length - 1]?.n, rows.length);
});

test("generation for evaluation leaks no tensors", async () => {
  await testBackend();
  const c = { ...T2_PROFILES.smoke, ...TINY } as T2Config;
  const tok = CharTokenizer.fromAlphabet(digitsAlphabet());
  const model = createT2Model(c, tok.vocabSize, 1);
  try {
    const rng = new Rng(1);
    const exs = Array.from({ length: 4 }, () =>
      renderExample(sampleProblem(rng, 3), sampleSurface(rng, 3), "abstract", "grid", 4),
    );
    const gens = await completeAll(model, tok, exs, c, "abstract");
    assert.equal(gens.length, 4);
    const before = tf.memory().numTensors;
    await completeAll(model, tok, exs, c, "verbose");
    assert.equal(tf.memory().numTensors, before);
  } finally {
    model.dispose();
  }
});

test("the experiment runs end to end at a tiny config and writes every documented metric and CSV", async () => {
  await testBackend();
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "t2-"));
  try {
    const before = tf.memory().numTensors;
    const rec = await runExperiment(experiment, { profile: "smoke", seed: 5, overrides: TINY, outRoot });
    assert.equal(tf.memory().numTensors, before, "the experiment leaked tensors");
    const m = rec.metrics;
    for (const f of ["Direct", "Abstract", "Verbose"]) {
      for (const k of [2, 3, 4]) assert.ok(`acc${f}_k${k}` in m, `acc${f}_k${k}`);
      assert.ok(`acc${f}Longer` in m && `acc${f}Unseen` in m && `acc${f}Recombined` in m);
    }
    for (const key of [
      "hX",
      "hY",
      "hZ_abstract",
      "iXZ_abstract",
      "iZY_abstract",
      "hZ_verbose",
      "iXZ_verbose",
      "iZY_verbose",
    ])
      assert.ok(key in m, key);
    const acc = m["accAbstract_k3"] as { mean: number; lo: number; hi: number; n: number };
    assert.ok(acc.mean >= 0 && acc.mean <= 1 && acc.n === 1);
    const csv = fs
      .readFileSync(path.join(outRoot, "smoke", "t2-chain-of-thought", "mi-samples.csv"), "utf8")
      .split("\n");
    assert.equal(csv[0], "format,x,z,y");
    assert.equal(csv.filter((l) => l.startsWith("abstract,")).length, 30);
    assert.ok(fs.existsSync(path.join(outRoot, "smoke", "t2-chain-of-thought", "results.json")));
    const figs = t2Figures(rec);
    for (const name of ["accuracy-vs-k", "information-plane", "mi-vs-samples", "generalisation", "loss-curves"]) {
      assert.ok(figs[name]?.data.length, name);
      JSON.stringify(figs[name]);
    }
    assert.ok(t2SampleRows(rec).length > 0);
    assert.equal(rec.claims.length, 7);
    expectClaimsContract({ file: path.join(outRoot, "smoke", "t2-chain-of-thought", "results.json") });
    // One seed: no interval, so every asserted claim is inconclusive whatever its value.
    for (const c of rec.claims) assert.equal(c.verdict, c.asserted ? "inconclusive" : "measured", c.id);
    // Same seed, same record (determinism of data, training and evaluation on one backend).
    const again = await runExperiment(experiment, { profile: "smoke", seed: 5, overrides: TINY, save: false });
    assert.deepEqual(again.metrics, rec.metrics);
  } finally {
    fs.rmSync(outRoot, { recursive: true, force: true });
  }
});
