import * as fs from "fs";
import assert from "node:assert/strict";
import { test } from "node:test";
import * as os from "os";
import * as path from "path";
import { Rng } from "../../rng";
import { runExperiment } from "../../run/experiment";
import { isInterval } from "../../stats";
import { makeWorldData, mixedSampler, pretrainSampler, sftSampler } from "../../data/world";
import { expectClaimsContract, expectNoLeak, testBackend } from "../../run/testing";
import { createGPT } from "../../transformer";
import {
  concurrentPlan,
  curveSteps,
  experiment,
  factRecall,
  nameStates,
  probeByLayer,
  scoreQA,
  T1_PROFILES,
  type T1Config,
  type T1Metric,
} from "./index";

const tinyWorld = { numEntities: 16, numAttributes: 2, valuesPerAttribute: 2, heldOutFraction: 0.5, nameParts: 1 };

test("t1 samplers: row shapes, shifted targets, and loss masks", () => {
  const d = makeWorldData(tinyWorld, 3);
  const rng = new Rng(1);
  const bio = pretrainSampler(d, "augmented")(rng, 4);
  assert.equal(bio.x.length, 4);
  for (let b = 0; b < 4; b++) {
    const x = bio.x[b]!;
    const y = bio.y[b]!;
    const m = bio.mask![b]!;
    assert.equal(x.length, d.seqLen);
    assert.equal(x[0], d.tok.bosId);
    for (let t = 0; t + 1 < x.length; t++)
      if (x[t + 1] !== d.tok.padId) assert.equal(y[t], x[t + 1], "y is x shifted by one");
    // Loss on every real target (up to and including <eos>), none on padding.
    const last = y.indexOf(d.tok.eosId);
    assert.ok(last > 0);
    for (let t = 0; t < x.length; t++) assert.equal(m[t], t <= last ? 1 : 0);
  }
  const values = pretrainSampler(d, "augmented", true)(rng, 4);
  values.mask!.forEach((m, b) => m.forEach((v, t) => assert.equal(v, d.allValueIds.has(values.y[b]![t]!) ? 1 : 0)));
  const qa = sftSampler(d)(rng, 6);
  qa.mask!.forEach((m, b) => {
    // Loss only on the answer value and the <eos> after it.
    const targets = qa.y[b]!.filter((_, t) => m[t] === 1);
    assert.equal(targets.length, 2);
    assert.ok(d.allValueIds.has(targets[0]!));
    assert.equal(targets[1], d.tok.eosId);
  });
  // SFT only draws training people.
  const trainNames = new Set(d.world.trainIds.map((id) => d.tok.id(d.world.entities[id]!.name[0]!)));
  qa.x.forEach((x) => assert.ok(x.some((t) => trainNames.has(t))));
  const mixed = mixedSampler(d, 0.5)(new Rng(2), 64);
  const qaRows = mixed.mask!.filter((m) => m.reduce((a, b) => a + b, 0) === 2).length;
  assert.ok(qaRows > 16 && qaRows < 48, `about half the rows are Q/A (${qaRows}/64)`);
  // Same rng state, same batch.
  assert.deepEqual(pretrainSampler(d, "augmented")(new Rng(5), 3), pretrainSampler(d, "augmented")(new Rng(5), 3));
});

test("t1 plan helpers", () => {
  assert.deepEqual(curveSteps(100, 4), [25, 50, 75, 100]);
  assert.deepEqual(curveSteps(3, 5), [1, 2, 3]);
  assert.deepEqual(curveSteps(0, 3), []);
  const q = T1_PROFILES.quick as T1Config;
  const plan = concurrentPlan(q);
  const rows = q.pretrain.numSteps * q.pretrain.batchSize + q.sft.numSteps * q.sft.batchSize;
  assert.ok(
    Math.abs(plan.numSteps * q.pretrain.batchSize - rows) <= q.pretrain.batchSize / 2,
    "same rows as pretrain + SFT",
  );
  assert.ok(Math.abs(plan.qaFraction - (q.sft.numSteps * q.sft.batchSize) / rows) < 1e-12);
});

test("t1 evaluation: scoring, recall, name states and probes leave no tensors behind", async () => {
  await testBackend();
  const d = makeWorldData(tinyWorld, 4);
  const m = createGPT(
    { vocabSize: d.tok.vocabSize, seqLen: d.seqLen, dModel: 16, nHead: 2, nLayer: 1, dFF: 0, tieWeights: false },
    1,
  );
  try {
    const s = await expectNoLeak(() => scoreQA(m, d, d.heldOutQA, 3), "scoreQA");
    assert.equal(s.generations.length, d.heldOutQA.length);
    for (const g of s.generations) assert.equal(g.length, 3);
    for (const v of [s.acc, s.format, s.contains]) assert.ok(v >= 0 && v <= 1);
    assert.ok(s.acc <= s.format, "a correct answer is in the answer format");
    await expectNoLeak(() => factRecall(m, d, d.world.heldOutIds), "factRecall");
    const states = await expectNoLeak(() => nameStates(m, d), "nameStates");
    assert.equal(states.length, 2);
    assert.equal(states[0]!.length, tinyWorld.numEntities);
    assert.equal(states[0]![0]!.length, 16);
    const p = await expectNoLeak(() => probeByLayer(m, d, { numSteps: 5, lr: 0.05, l2: 1e-3 }), "probeByLayer");
    assert.equal(p.length, 2);
    assert.equal(p[0]!.length, tinyWorld.numAttributes);
  } finally {
    m.dispose();
  }
});

test("t1 experiment: a tiny end-to-end run writes every documented metric and CSV", async () => {
  await testBackend();
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "t1-"));
  const overrides: Partial<T1Config> = {
    numSeeds: 2,
    world: tinyWorld,
    model: { dModel: 16, nHead: 2, nLayer: 1, dFF: 0 },
    pretrain: { numSteps: 6, batchSize: 8, lr: 1e-2, minLr: 1e-3, warmupSteps: 1, weightDecay: 0 },
    sft: { numSteps: 3, batchSize: 8, lr: 3e-3, minLr: 3e-4, warmupSteps: 1, weightDecay: 0 },
    curvePoints: 2,
    probe: { numSteps: 5, lr: 0.05, l2: 1e-3 },
    sampleCount: 3,
  };
  const record = await runExperiment(experiment, { profile: "smoke", seed: 9, overrides, outRoot });
  const keys: T1Metric[] = [
    "heldoutAccBase",
    "formatRateBase",
    "heldoutAccPretrainSft",
    "formatRateSft",
    "heldoutAccSftOnly",
    "heldoutAccPlainSft",
    "heldoutAccConcurrent",
    "pretrainLossBeforeSft",
    "pretrainLossAfterSft",
    "probeAccBest",
  ];
  for (const k of keys) {
    const m = record.metrics[k];
    assert.ok(isInterval(m), `metric ${k} is an interval`);
    assert.equal(m.n, 2);
    assert.ok(Number.isFinite(m.mean));
  }
  assert.equal(record.metrics["chance"], 0.5);
  assert.equal(record.seeds.length, 2);
  assert.ok(record.claims.some((c) => c.id === "pretrain-sft-answers"));
  assert.ok(record.claims.some((c) => c.id === "plain-corpus-effect" && c.asserted === false));
  const dir = path.join(outRoot, "smoke", "t1-world-model");
  expectClaimsContract({ file: path.join(dir, "results.json") });
  const probe = record.claims.find((c) => c.id === "probe-before-sft");
  assert.equal(probe?.interval.n, 2, "the probe claim's interval is over the 2 seeds");
  assert.equal(probe?.control?.id, "randomInit");
  const saved = JSON.parse(fs.readFileSync(path.join(dir, "results.json"), "utf8")) as {
    metrics: Record<string, unknown>;
  };
  for (const k of keys) assert.ok(k in saved.metrics);
  const runs = fs.readFileSync(path.join(dir, "runs.csv"), "utf8").trim().split("\n");
  assert.equal(runs[0], "seedIndex,seed,condition,heldoutAcc,formatRate,trainAcc,heldoutRecall,pretrainLoss");
  assert.equal(runs.length, 1 + 2 * 5);
  assert.ok(fs.existsSync(path.join(dir, "probe.csv")));
  assert.equal(record.data.samples.length, 3);
  const figs = experiment.figures(record);
  assert.deepEqual(Object.keys(figs).sort(), [
    "by-attribute",
    "forgetting",
    "heldout-accuracy",
    "loss-curves",
    "pretraining-curves",
    "probe-by-layer",
    "sft-curves",
  ]);
  for (const f of Object.values(figs)) assert.ok(f.data.length > 0);
  fs.rmSync(outRoot, { recursive: true, force: true });
});

test("t1 config errors name the field", async () => {
  await testBackend();
  await assert.rejects(
    runExperiment(experiment, {
      profile: "smoke",
      save: false,
      overrides: { world: { ...tinyWorld, numAttributes: 7 } },
    }),
    /WorldConfig\.numAttributes/,
  );
  await assert.rejects(
    runExperiment(experiment, { profile: "smoke", save: false, overrides: { curvePoints: 0 } }),
    /t1\.curvePoints/,
  );
});
