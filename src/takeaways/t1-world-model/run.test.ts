import * as fs from "fs";
import assert from "node:assert/strict";
import { test } from "node:test";
import * as os from "os";
import * as path from "path";
import { Rng } from "../../rng";
import { runExperiment } from "../../run/experiment";
import { isInterval } from "../../stats";
import { fewShotPrompt, makeWorldData, mixedSampler, packedRow, pretrainSampler, sftSampler } from "../../data/world";
import { expectClaimsContract, expectNoLeak, testBackend } from "../../run/testing";
import { createGPT } from "../../transformer";
import {
  concurrentPlan,
  curveSteps,
  experiment,
  factRecall,
  isCorrectAnswer,
  nameStates,
  probeByLayer,
  scoreFewShot,
  scoreQA,
  T1_PROFILES,
  type T1Config,
  type T1Metric,
  type T1SeedResult,
  t1Lengths,
  t1Output,
  t1WorldData,
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
    // Packed biographies: loss on every real target (up to and including each <eos>), none on padding or
    // from an <eos> to the next <bos>.
    for (let t = 0; t < x.length; t++) assert.equal(m[t], y[t] !== d.tok.padId ? 1 : 0);
    assert.ok(y.includes(d.tok.eosId));
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
  const qDocs = mixed.x.reduce((a, x) => a + x.filter((t) => t === d.tok.id("Q")).length, 0);
  const docs = mixed.x.reduce((a, x) => a + x.filter((t) => t === d.tok.bosId).length, 0);
  assert.ok(qDocs > 0.3 * docs && qDocs < 0.7 * docs, `about half the documents are Q/A (${qDocs}/${docs})`);
  // Same rng state, same batch.
  assert.deepEqual(pretrainSampler(d, "augmented")(new Rng(5), 3), pretrainSampler(d, "augmented")(new Rng(5), 3));
});

test("t1 packed rows: whole documents, no loss across a document boundary", () => {
  const d = makeWorldData({ ...tinyWorld, nameParts: 2 }, 3, { contextDocs: 5 });
  assert.ok(d.seqLen >= 5 * (d.qaLen + 1) - 1, "the context holds five Q/A documents");
  const r = packedRow(
    [
      { doc: [d.tok.bosId, 10, 11, d.tok.eosId], lossFrom: 1 },
      { doc: [d.tok.bosId, 12, 13, d.tok.eosId], lossFrom: 3 },
    ],
    10,
    d.tok.padId,
  );
  assert.deepEqual(r.x.slice(0, 8), [d.tok.bosId, 10, 11, d.tok.eosId, d.tok.bosId, 12, 13, d.tok.eosId]);
  assert.deepEqual(r.y.slice(0, 7), [10, 11, d.tok.eosId, d.tok.padId, 12, 13, d.tok.eosId]);
  // First document: loss on 10, 11, <eos>; none from <eos> to the next <bos>; second: only the target at
  // document index 3 (its <eos>), as an SFT answer's loss starts at the answer.
  assert.deepEqual(r.mask, [1, 1, 1, 0, 0, 0, 1, 0, 0, 0]);
  const bio = pretrainSampler(d, "augmented")(new Rng(1), 6);
  for (let b = 0; b < 6; b++) {
    const x = bio.x[b]!;
    assert.equal(x.length, d.seqLen);
    const docs = x.filter((t) => t === d.tok.bosId).length;
    assert.ok(docs >= 2, `a row holds several biographies (${docs})`);
    assert.equal(
      bio.y[b]!.filter((t) => t === d.tok.eosId).length,
      docs,
      "whole documents only (each <eos> is a target)",
    );
  }
});

test("t1 answer rule and few-shot prompts", () => {
  const d = makeWorldData({ ...tinyWorld, nameParts: 2 }, 5, { contextDocs: 5 });
  const v = d.valueIds[0]![0]!;
  const dot = d.tok.id(".");
  assert.ok(isCorrectAnswer(d, [v, dot], v), "cloze: value then '.'");
  assert.ok(isCorrectAnswer(d, [v, d.tok.eosId], v), "answer: value then <eos>");
  assert.ok(!isCorrectAnswer(d, [v, d.tok.id("Q")], v));
  assert.ok(!isCorrectAnswer(d, [d.valueIds[0]![1]!, dot], v));
  const item = d.heldOutQA[0]!;
  const p = fewShotPrompt(d, item, 4, new Rng(2));
  assert.ok(p.length <= d.seqLen, "a k = 4 prompt fits the context");
  assert.equal(p.filter((t) => t === d.tok.bosId).length, 5);
  assert.equal(p.filter((t) => t === d.tok.eosId).length, 4);
  assert.equal(p[p.length - 1], d.tok.id(":"));
  // The examples are about training people only.
  const examples = p.slice(0, p.lastIndexOf(d.tok.bosId));
  const text = ` ${examples.map((t) => d.tok.token(t)).join(" ")} `;
  for (const id of d.world.heldOutIds) {
    const name = d.world.entities[id]!.name.join(" ");
    assert.ok(!text.includes(` ${name} `), `no held-out person (${name}) among the examples`);
  }
});

test("t1 world: two-token names, each part shared by several people, pairs unique", () => {
  const d = makeWorldData(
    { numEntities: 100, numAttributes: 3, valuesPerAttribute: 8, heldOutFraction: 0.5, nameParts: 2 },
    11,
  );
  const names = d.world.entities.map((e) => e.name);
  assert.ok(names.every((n) => n.length === 2));
  assert.equal(new Set(names.map((n) => n.join(" "))).size, names.length);
  const firsts = new Map<string, number>();
  for (const n of names) firsts.set(n[0]!, (firsts.get(n[0]!) ?? 0) + 1);
  assert.ok([...firsts.values()].filter((c) => c >= 2).length >= firsts.size / 2, "most first names are shared");
});

test("t1 plan helpers", () => {
  assert.deepEqual(curveSteps(100, 4), [25, 50, 75, 100]);
  assert.deepEqual(curveSteps(3, 5), [1, 2, 3]);
  assert.deepEqual(curveSteps(0, 3), []);
  const q = T1_PROFILES.quick as T1Config;
  const d = t1WorldData(q, 7);
  const L = t1Lengths(d);
  const plan = concurrentPlan(q, L);
  const tokens = q.pretrain.numSteps * q.pretrain.batchSize * L.seqLen + q.sft.numSteps * q.sft.batchSize * L.qaLen;
  assert.ok(
    Math.abs(plan.numSteps * q.pretrain.batchSize * L.seqLen - tokens) <= q.pretrain.batchSize * L.seqLen,
    "same tokens as pretrain + SFT",
  );
  // Q/A documents the mixed sampler really draws per row: about as many over the run as SFT sees.
  const sample = mixedSampler(d, plan.qaFraction)(new Rng(3), 400);
  const qaPerRow = sample.x.reduce((s, x) => s + x.filter((t) => t === d.tok.id("Q")).length, 0) / 400;
  const expected = (q.sft.numSteps * q.sft.batchSize) / (plan.numSteps * q.pretrain.batchSize);
  assert.ok(Math.abs(qaPerRow - expected) < 0.25 * expected + 0.02, `Q/A documents per row ${qaPerRow} ≈ ${expected}`);
  assert.ok(concurrentPlan(q, L, 2).qaFraction > plan.qaFraction);
});

/** A constructed seed result (no training) for the claims' logic. */
function fakeSeed(
  seed: number,
  v: { aug: number; plain: number; sftOnly: number; probeAug: number; probePlain: number },
): T1SeedResult {
  const probe = (acc: number) => ({ valByLayer: [acc, acc], heldOutByLayer: [acc, acc], layer: 0, acc });
  const j = (x: number) => x + ((seed % 7) - 3) * 0.004; // a little seed-to-seed noise
  return {
    seed,
    params: 1,
    seqLen: 10,
    vocabSize: 10,
    base: { cloze: j(0.9), zeroShot: j(0.12), zeroShotFormat: 0, contains: 0, fewShot: [j(0.13), j(0.2)] },
    clozeRandomInit: j(0.12),
    pretrainLossBefore: j(1),
    pretrainSft: {
      acc: j(v.aug),
      format: 1,
      trainAcc: 1,
      accByAttribute: [0.5],
      cloze: 0.9,
      pretrainLoss: j(1.2),
      fewShot: [0.5, 0.6],
    },
    sftOnly: { accMatched: j(0.12), trainAccMatched: 0.5, acc: j(v.sftOnly), trainAcc: 0.99, steps: 100 },
    plain: { cloze: j(0.95), acc: j(v.plain), trainAcc: 1, accByAttribute: [0.3] },
    sftPeople: [
      { corpus: "augmented", people: 4, acc: 0.3 },
      { corpus: "augmented", people: 50, acc: v.aug },
      { corpus: "plain", people: 4, acc: 0.2 },
      { corpus: "plain", people: 50, acc: v.plain },
    ],
    forgetting: [0.2, 1, 5].map((f) => ({
      lrFactor: f,
      lr: f * 1e-3,
      acc: f === 1 ? j(v.aug) : j(v.aug - 0.1),
      pretrainLoss: j(1 + f / 10),
    })),
    probe: {
      augmented: { first: probe(j(0.13)), last: probe(j(v.probeAug)) },
      plain: { first: probe(j(0.13)), last: probe(j(v.probePlain)) },
      randomInit: { first: probe(j(0.12)), last: probe(j(0.12)) },
    },
    concurrent: [1, 0.5, 2].map((mix) => ({
      mix,
      qaFraction: 0.05 * mix,
      numSteps: 10,
      acc: j(v.aug - 0.05),
      trainAcc: 1,
      pretrainLoss: j(1.05),
    })),
    histories: {},
    curves: {},
    wallMs: {},
  };
}

test("t1 claims can come out either way (constructed results, no training)", () => {
  const q = T1_PROFILES.quick as T1Config;
  const seeds = [1, 2, 3, 4, 5];
  const pairOf = (r: T1SeedResult) => ({
    seed: r.seed,
    sequential: { acc: r.pretrainSft.acc, pretrainLoss: 1.2 },
    concurrent: { acc: r.concurrent[0]!.acc, pretrainLoss: 1.05 },
  });
  const verdicts = (v: Parameters<typeof fakeSeed>[1]): Record<string, string> => {
    const rs = seeds.map((s) => fakeSeed(s, v));
    const out = t1Output(q, rs, rs.map(pairOf), [], seeds);
    return Object.fromEntries(out.claims.map((c) => [c.id, c.verdict]));
  };
  const good = verdicts({ aug: 0.8, plain: 0.3, sftOnly: 0.12, probeAug: 0.6, probePlain: 0.2 });
  for (const id of [
    "pretrain-sft-answers",
    "extraction-needs-augmentation",
    "probe-separates-corpora",
    "probe-at-name",
    "base-knows-cloze",
    "base-does-not-answer",
  ])
    assert.equal(good[id], "holds", id);
  assert.equal(good["concurrent-vs-sequential"], "measured");
  const bad = verdicts({ aug: 0.3, plain: 0.7, sftOnly: 0.12, probeAug: 0.15, probePlain: 0.6 });
  for (const id of [
    "pretrain-sft-answers",
    "extraction-needs-augmentation",
    "probe-separates-corpora",
    "probe-at-name",
  ])
    assert.equal(bad[id], "contradicts", id);
  // An SFT-only control that answers as well as pretrain → SFT makes the claim inconclusive.
  const noControl = verdicts({ aug: 0.8, plain: 0.3, sftOnly: 0.8, probeAug: 0.6, probePlain: 0.2 });
  assert.equal(noControl["pretrain-sft-answers"], "inconclusive");
});

test("t1 evaluation: scoring, cloze, few-shot, name states and probes leave no tensors behind", async () => {
  await testBackend();
  const d = makeWorldData({ ...tinyWorld, nameParts: 2 }, 4, { contextDocs: 5 });
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
    const f = await expectNoLeak(() => scoreFewShot(m, d, d.heldOutQA, 4, 3), "scoreFewShot");
    assert.equal(f.generations.length, d.heldOutQA.length);
    for (const position of ["first", "last"] as const) {
      const states = await expectNoLeak(() => nameStates(m, d, position), "nameStates");
      assert.equal(states.length, 2);
      assert.equal(states[0]!.length, tinyWorld.numEntities);
      assert.equal(states[0]![0]!.length, 16);
    }
    const first = await nameStates(m, d, "first");
    const es = d.world.entities;
    const a = es.findIndex((e, i) => es.some((o, j) => j !== i && o.name[0] === e.name[0]));
    const b = es.findIndex((o, j) => j !== a && o.name[0] === es[a]!.name[0]);
    assert.deepEqual(first[1]![a], first[1]![b], "two people with the same first name share the first-token state");
    const p = await expectNoLeak(() => probeByLayer(m, d, { numSteps: 5, lr: 0.05, l2: 1e-3 }), "probeByLayer");
    assert.equal(p.heldOutByLayer.length, 2);
    assert.equal(p.valByLayer.length, 2);
    assert.ok(p.layer === 0 || p.layer === 1);
    assert.equal(p.acc, p.heldOutByLayer[p.layer]);
  } finally {
    m.dispose();
  }
});

test("t1 experiment: a tiny end-to-end run writes every documented metric and CSV", async () => {
  await testBackend();
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "t1-"));
  const overrides: Partial<T1Config> = {
    numSeeds: 2,
    concurrentSeeds: 3,
    world: { ...tinyWorld, nameParts: 2 },
    model: { dModel: 16, nHead: 2, nLayer: 1, dFF: 0 },
    pretrain: { numSteps: 6, batchSize: 8, lr: 1e-2, minLr: 1e-3, warmupSteps: 1, weightDecay: 0 },
    sft: { numSteps: 3, batchSize: 8, lr: 3e-3, minLr: 3e-4, warmupSteps: 1, weightDecay: 0 },
    sftOnlyMaxSteps: 6,
    sftPeople: [2],
    curvePoints: 2,
    probe: { numSteps: 5, lr: 0.05, l2: 1e-3 },
    sampleCount: 3,
  };
  const record = await runExperiment(experiment, { profile: "smoke", seed: 9, overrides, outRoot });
  // The output contract of issue 16.
  const keys: T1Metric[] = [
    "clozeAccBase",
    "zeroShotAccBase",
    "fewShotAccBase_k1",
    "fewShotAccBase_k4",
    "heldoutAccPretrainSft",
    "heldoutAccSftOnly",
    "trainAccSftOnly",
    "heldoutAccPlainSft",
    "probeAcc_augmented_first",
    "probeAcc_augmented_last",
    "probeAcc_plain_first",
    "probeAcc_plain_last",
  ];
  for (const k of keys) {
    const m = record.metrics[k];
    assert.ok(isInterval(m), `metric ${k} is an interval`);
    assert.equal(m.n, 2);
    assert.ok(Number.isFinite(m.mean));
  }
  const cms = record.metrics["concurrentMinusSequential"];
  assert.ok(isInterval(cms) && cms.n === 3, "concurrent − sequential over concurrentSeeds");
  assert.equal(record.metrics["namePartsPerPerson"], 2);
  assert.equal(record.metrics["chance"], 0.5);
  assert.equal(record.seeds.length, 3);
  for (const id of [
    "base-knows-cloze",
    "base-does-not-answer",
    "pretrain-sft-answers",
    "extraction-needs-augmentation",
    "probe-at-name",
    "probe-separates-corpora",
  ])
    assert.ok(
      record.claims.some((c) => c.id === id && c.asserted && c.control !== null),
      `asserted claim ${id} with a control`,
    );
  assert.ok(record.claims.some((c) => c.id === "concurrent-vs-sequential" && c.interval.n === 3));
  const dir = path.join(outRoot, "smoke", "t1-world-model");
  expectClaimsContract({ file: path.join(dir, "results.json") });
  const saved = JSON.parse(fs.readFileSync(path.join(dir, "results.json"), "utf8")) as {
    metrics: Record<string, Record<string, number>>;
  };
  for (const k of keys) for (const f of ["mean", "lo", "hi", "n"]) assert.ok(f in saved.metrics[k]!, `${k}.${f}`);
  const people = fs.readFileSync(path.join(dir, "sft-people.csv"), "utf8").trim().split("\n");
  assert.equal(people[0], "corpus,people,seed,heldoutAcc");
  assert.equal(people.length, 1 + 2 * 2 * 2, "2 corpora × (2 people, all) × 2 seeds");
  const forgetting = fs.readFileSync(path.join(dir, "forgetting.csv"), "utf8").trim().split("\n");
  assert.equal(forgetting[0], "lr,seed,heldoutAcc,pretrainLoss");
  assert.equal(forgetting.length, 1 + 2 * 4, "before SFT and three learning rates, × 2 seeds");
  assert.equal(record.data.samples.length, 3);
  const figs = experiment.figures(record);
  for (const k of [
    "base-three-ways",
    "heldout-accuracy",
    "sft-people",
    "forgetting-accuracy",
    "forgetting-loss",
    "probe-by-layer",
    "concurrent-accuracy",
  ])
    assert.ok(k in figs, k);
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
