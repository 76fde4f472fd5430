import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { expectClaimsContract, shardedRuns, testBackend } from "../../run/testing";
import { runExperiment } from "../../run/experiment";
import { fileSeedStore } from "../../run/seed-store";
import { deriveSeed, Rng } from "../../rng";
import {
  renderSwapExample,
  renderSwapInput,
  sampleSwapExample,
  sampleSwapProblem,
  sampleSwapSurface,
  SWAP_END_MARK,
  SWAP_TRAIN_SURFACE,
  SWAP_UNSEEN_SURFACE,
  swapSurfaceOf,
} from "../../data/swaps";
import {
  completeAll,
  createT2Model,
  iXZnormOf,
  iXZof,
  iXZwholeOf,
  directSteps,
  levelOrderCheck,
  experiment,
  extendStoredSeeds,
  formatSeqLen,
  kGridOf,
  runLevel,
  seedInfo,
  slope,
  t2Design,
  t2Figures,
  t2SampleRows,
  t2Tokenizer,
  T2_PROFILES,
  testLevel,
  testProblems,
  groupAccuracy,
  levelRunOf,
  LEARNT_CHAINS,
  t2SplitRows,
  t2ChangeRows,
  t2EndMarkClaims,
  t2FillerProbeClaims,
  t2SepProbeClaims,
  t2Formats,
  t2PackedClaims,
  t2Task,
  trainDirect,
  trainLevel,
  T2Config,
  T2Record,
  validateT2Config,
} from "./index";
import { exercises } from "./exercises";

const TINY: Partial<T2Config> = {
  numSeeds: 2,
  directSeeds: 2,
  kMin: 1,
  kMax: 2,
  kLonger: [3],
  model: { dModel: 16, nHead: 2, nLayer: 1, dFF: 32 },
  directDepths: [1, 2],
  train: { numSteps: 3, batchSize: 4, lr: 3e-3, minLr: 3e-4, warmupSteps: 1, weightDecay: 0 },
  evalPerK: 3,
  info: { perAnswer: 1, numForms: 2, samplesPerSeed: 12, temperature: 1, curveReps: 2, nullShuffles: 5 },
  star: { numSeeds: 2, warmupSteps: 3, rounds: 1, samplesPerRound: 6, stepsPerRound: 2 },
};

test("profiles validate and bad configs give clear errors", () => {
  for (const p of ["smoke", "quick", "full"] as const) validateT2Config(T2_PROFILES[p]);
  assert.throws(() => validateT2Config({ ...T2_PROFILES.smoke, kLonger: [2] }), /t2.kLonger\[0\]/);
  assert.throws(() => validateT2Config({ ...T2_PROFILES.smoke, positions: "rope" as never }), /t2.positions/);
  assert.throws(() => validateT2Config({ ...T2_PROFILES.smoke, directDepths: [] }), /t2.directDepths/);
  assert.throws(
    () => validateT2Config({ ...T2_PROFILES.smoke, markedControl: "yes" as never }),
    /t2.markedControl: must be true or false/,
  );
  // The marked control at every profile; without it, the graded levels alone.
  for (const p of ["smoke", "quick", "full"] as const)
    assert.deepEqual(t2Formats(T2_PROFILES[p]), ["state", "swap", "step", "verbatim", "marked"]);
  assert.deepEqual(t2Formats({ ...T2_PROFILES.full, markedControl: false }), ["state", "swap", "step", "verbatim"]);
  assert.deepEqual(experiment.addedFields, {
    splitUnseen: false,
    endMark: false,
    fillerProbe: false,
    sepProbe: false,
    packed: false,
  });
  // The end mark and the packed layout are variants: off in every profile.
  for (const p of ["smoke", "quick", "full"] as const)
    assert.equal(T2_PROFILES[p].endMark || T2_PROFILES[p].packed, false);
  assert.throws(
    () => validateT2Config({ ...T2_PROFILES.smoke, packed: 1 as never }),
    /t2.packed: must be true or false/,
  );
  assert.throws(
    () => validateT2Config({ ...T2_PROFILES.smoke, endMark: "on" as never }),
    /t2.endMark: must be true or false/,
  );
  // The direct baselines' budget follows the graded levels only, as before the control.
  assert.equal(directSteps(T2_PROFILES.quick), directSteps({ ...T2_PROFILES.quick, markedControl: false }));
  // The design: >= 10 seeds for the bottleneck slope at quick, >= 5 for the other asserted claims.
  assert.ok(
    T2_PROFILES.quick.numSeeds >= 10 && T2_PROFILES.quick.directSeeds >= 5 && T2_PROFILES.quick.star.numSeeds >= 5,
  );
  assert.deepEqual([...T2_PROFILES.quick.directDepths], [1, 2, 4]);
  assert.deepEqual([...T2_PROFILES.quick.kLonger], [T2_PROFILES.quick.kMax + 1, T2_PROFILES.quick.kMax + 2]);
  // Rows grow along the levels; the direct baselines get as many training tokens as the mean chain model.
  const q = T2_PROFILES.quick;
  const lens = (["direct", "state", "swap", "step", "verbatim"] as const).map((f) => formatSeqLen(q, f));
  for (let i = 1; i < lens.length; i++) assert.ok((lens[i] as number) > (lens[i - 1] as number), lens.join(","));
  const chainTokens = q.train.numSteps * (lens.slice(1).reduce((a, b) => a + b, 0) / 4);
  assert.ok(Math.abs(directSteps(q) * (lens[0] as number) - chainTokens) <= lens[0]!);
});

test("slope and per-seed information of hand-made chains", () => {
  assert.equal(slope([0, 1, 2], [1, 0.5, 0]), -0.5);
  assert.ok(Number.isNaN(slope([1, 1], [0, 1])));
  // 4 problems x 4 forms: a chain keeping the problem only (2 of 4 bits), a chain keeping everything.
  const abstract = [];
  const verbatim = [];
  for (let r = 0; r < 16; r++)
    for (let p = 0; p < 4; p++)
      for (let f = 0; f < 4; f++) {
        abstract.push({ x: `${p}/${f}`, z: `z${p}`, y: String(p % 2) });
        verbatim.push({ x: `${p}/${f}`, z: `${p}/${f}`, y: String(p % 2) });
      }
  const a = seedInfo(abstract, 1);
  const v = seedInfo(verbatim, 1);
  assert.ok(Math.abs(a.iXZ / a.hX - 0.5) < 0.02, String(a.iXZ / a.hX));
  assert.ok(Math.abs(v.iXZ / v.hX - 1) < 1e-9);
  assert.ok(Math.abs(a.iZY - 1) < 0.02 && Math.abs(v.iZY - 1) < 0.05);
});

test("manipulation check of I(X;Z): passes only when the level means rise from abstract to verbatim", () => {
  const up = levelOrderCheck([0.1, 0.3, 0.2, 0.9]);
  assert.ok(up.ok && up.rho > 0 && Math.abs(up.verbatimMinusAbstract - 0.8) < 1e-12);
  assert.match(up.why, /0\.100, 0\.300, 0\.200, 0\.900.*it rises with the design/);
  // The quick records' pattern: level 0 highest, the verbatim level near 0.
  const against = levelOrderCheck([0.085, 0.031, 0.03, 0.001]);
  assert.ok(!against.ok && against.rho < 0 && against.verbatimMinusAbstract < 0);
  assert.match(against.why, /does not rise with the design/);
  // A positive rank correlation whose verbatim level is still below the abstract one fails too.
  const mixed = levelOrderCheck([0.5, 0.6, 0.7, 0.8, 0.9, 0.4]);
  assert.ok(mixed.rho > 0 && !mixed.ok);
  assert.equal(levelOrderCheck([0.1, NaN, 0.2, 0.3]).ok, false);
  assert.equal(levelOrderCheck([0.2, 0.2, 0.2, 0.2]).ok, false);
});

test("permutation null: chains independent of the input give a corrected I(X;Z) near 0 while the plug-in is clearly > 0", () => {
  // The experiment's quick design: 20 input values, 160 samples; chains drawn independently of the input from 40
  // values (as varied as a half-trained model's level-0 chains): the true I(X;Z) is 0.
  const reps = 20;
  let plug = 0;
  let mm = 0;
  let corr = 0;
  const rng = new Rng(17);
  for (let r = 0; r < reps; r++) {
    const rows = Array.from({ length: 160 }, () => ({ x: `x${rng.int(20)}`, z: `z${rng.int(40)}`, y: "0" }));
    const i = seedInfo(rows, 0, undefined, { shuffles: 50, rng: new Rng(100 + r) });
    assert.equal(i.nullShuffles, 50);
    assert.ok((i.iXZnullSE as number) > 0 && (i.iXZnullSE as number) < 0.02, String(i.iXZnullSE));
    assert.ok(Math.abs((i.iXZcorrected as number) - ((i.iXZplugIn as number) - (i.iXZnull as number))) < 1e-12);
    assert.equal(iXZwholeOf(i), i.iXZcorrected);
    // The experiment's I(X;Z) is the surface bound: these inputs and chains have one surface each ("x", "z").
    assert.equal(iXZof(i), i.iXZsurface);
    assert.equal(iXZof(i), 0);
    assert.equal(iXZnormOf(i), 0);
    plug += (i.iXZplugIn as number) / reps;
    mm += i.iXZ / reps;
    corr += (i.iXZcorrected as number) / reps;
  }
  assert.ok(plug > 1.5, `plug-in ${plug}`); // the bias: about 2 bits of "information" that is not there
  assert.ok(mm > 0.5, `Miller–Madow ${mm}`); // Miller–Madow removes only part of it at this N
  assert.ok(Math.abs(corr) < 0.05, `corrected ${corr}`);
  // Seeded: the same generator gives the same null; without the option no null is computed.
  const rows = Array.from({ length: 40 }, (_, j) => ({ x: j % 5, z: (j * 7) % 11, y: 0 }));
  const a = seedInfo(rows, 0, undefined, { shuffles: 10, rng: new Rng(3) });
  const b = seedInfo(rows, 0, undefined, { shuffles: 10, rng: new Rng(3) });
  assert.deepEqual(a, b);
  assert.equal(seedInfo(rows, 0).iXZcorrected, undefined);
  assert.ok(Number.isNaN(iXZof(seedInfo(rows, 0))));
  assert.throws(() => seedInfo(rows, 0, undefined, { shuffles: 0, rng: new Rng(1) }), /shuffles/);
});

test("surface bound: sees what distinct verbose chains keep of the input, where the whole-chain estimate cannot", () => {
  // The quick design's sample: 5 problems x 4 surface forms, 160 sampled chains. A "verbatim" model restates the
  // input with one random digit slip per chain (so nearly every chain is distinct), a "states" model writes digits
  // only. True I(X;Z) for verbatim: at least H(form) = 2 bits (its surface names the form); for states: 0 from the
  // surface.
  assert.equal(swapSurfaceOf("Q2;01,34:12...|202"), "Q;,:...|");
  assert.equal(swapSurfaceOf("202"), "");
  const rng = new Rng(5);
  const design = t2Design({ ...T2_PROFILES.quick, kMax: 3 }, 1234);
  const grid = 2 + 3 * 3;
  const sample = (verbatim: boolean) =>
    Array.from({ length: 160 }, () => {
      const p = design.problems[rng.int(design.problems.length)]!;
      const f = design.forms[rng.int(design.forms.length)]!;
      const e = renderSwapExample(p, f, verbatim ? "verbatim" : "state", grid);
      const z = [...e.chain];
      const digits = z.flatMap((ch, i) => (/[0-9]/.test(ch) ? [i] : []));
      z[digits[rng.int(digits.length)]!] = String(rng.int(5)); // a slip: the chains are (nearly) all distinct
      return { x: e.input, z: z.join(""), y: String(p.answer) };
    });
  const v = seedInfo(sample(true), 0, undefined, { shuffles: 50, rng: new Rng(1) });
  const s0 = seedInfo(sample(false), 0, undefined, { shuffles: 50, rng: new Rng(2) });
  assert.ok(Math.abs((v.hXsurface as number) - 2) < 0.05, `H(surface(X)) ${v.hXsurface}`);
  assert.ok(Math.abs((v.iXZsurface as number) - 2) < 0.1, `verbatim surface bound ${v.iXZsurface}`);
  assert.ok(Math.abs(s0.iXZsurface as number) < 0.02, `states-only surface bound ${s0.iXZsurface}`);
  // The whole-chain estimate of the verbatim chains: plug-in and null both near H(X), corrected far below 2 bits.
  assert.ok((v.iXZcorrected as number) < 1, `whole-chain corrected ${v.iXZcorrected}`);
  assert.ok(iXZof(v) > iXZof(s0) + 1.5);
});

test("permutation null: a known positive I(X;Z) (and I(Z;Y)) is recovered, the plug-in overshoots", () => {
  // X = (problem p of 4, form f of 4); the chain names p with probability 1/2, else a uniform value of 4; it
  // ignores the form. I(X;Z) = I(P;Z) = 2 − H(5/8, 1/8, 1/8, 1/8) bits; Y = p, so I(Z;Y) is the same.
  const trueI = 2 - ((5 / 8) * Math.log2(8 / 5) + 3 * (1 / 8) * 3);
  const reps = 20;
  let plug = 0;
  let corr = 0;
  let corrZY = 0;
  const rng = new Rng(42);
  for (let r = 0; r < reps; r++) {
    const rows = Array.from({ length: 640 }, () => {
      const p = rng.int(4);
      const z = rng.next() < 0.5 ? p : rng.int(4);
      return { x: `${p}/${rng.int(4)}`, z: `z${z}`, y: String(p) };
    });
    const i = seedInfo(rows, 0, undefined, { shuffles: 50, rng: new Rng(200 + r) });
    plug += (i.iXZplugIn as number) / reps;
    corr += (i.iXZcorrected as number) / reps;
    corrZY += (i.iZYcorrected as number) / reps;
  }
  assert.ok(Math.abs(trueI - 0.4512) < 1e-3, String(trueI));
  assert.ok(plug - trueI > 0.03, `plug-in ${plug} vs true ${trueI}`); // (16 − 1)(4 − 1) / (2N ln 2) ≈ 0.05 bits of bias
  assert.ok(Math.abs(corr - trueI) < 0.02, `corrected ${corr} vs true ${trueI}`);
  assert.ok(Math.abs(corrZY - trueI) < 0.02, `corrected I(Z;Y) ${corrZY} vs true ${trueI}`);
});

test("generation for evaluation and sampling leaks no tensors; NoPE models have no position table", async () => {
  await testBackend();
  const c = { ...T2_PROFILES.smoke, ...TINY, positions: "none" } as T2Config;
  const tok = t2Tokenizer(c);
  const model = createT2Model(c, tok.vocabSize, 1);
  try {
    assert.equal(model.config.positions, "none");
    assert.equal((await model.readWeights())["wpe"], undefined);
    const rng = new Rng(1);
    const exs = Array.from({ length: 4 }, () =>
      renderSwapExample(sampleSwapProblem(rng, 2), sampleSwapSurface(rng, 2), "state", 3),
    );
    const gens = await completeAll(model, tok, exs, c, "verbatim");
    assert.equal(gens.length, 4);
    const before = tf.memory().numTensors;
    await completeAll(model, tok, exs, c, "verbatim", { temperature: 1, rng: new Rng(2) });
    assert.equal(tf.memory().numTensors, before);
  } finally {
    model.dispose();
  }
});

test("the parts: trainLevel + testLevel give runLevel's run, the returned model is the caller's, nothing leaks", async () => {
  await testBackend();
  const c = { ...T2_PROFILES.smoke, ...TINY } as T2Config;
  const tests = testProblems(c, 11);
  const design = t2Design(c, 11);
  const whole = await runLevel(c, {}, 11, 0, tests, design);
  const before = tf.memory().numTensors;
  const trained = await trainLevel(c, {}, 11, 0);
  assert.ok(tf.memory().numTensors > before, "the trained model is returned alive");
  const parts = await testLevel(trained, c, tests, design);
  trained.model.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual({ ...parts.run, trainMs: 0 }, { ...whole.run, trainMs: 0 });
  assert.deepEqual(parts.rows, whole.rows);
  const direct = await trainDirect(c, {}, 11, 2, 2);
  assert.equal(direct.level, null);
  assert.equal(direct.depth, 2);
  direct.model.dispose();
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(() => trainLevel(c, {}, 11, 5), /level must be 0\.\.4 \(state, swap, step, verbatim, marked\)/);
  await assert.rejects(
    () => trainLevel({ ...c, markedControl: false }, {}, 11, 4),
    /level must be 0\.\.3 .*the marked control is off \(markedControl: false\)/,
  );
  // The exercise checks read what the parts return, and refuse a run of the wrong condition.
  assert.equal(exercises.e2.evaluate(parts.run, { profile: "smoke" }).value, parts.run.accInDist);
  assert.match(exercises.e2.evaluate({ ...parts.run, level: 1 }, { profile: "smoke" }).message, /train level 0/);
  assert.match(
    exercises.e1.evaluate({ seed: 1, depth: 4, accuracy: { k1: 1 }, finalLoss: 0, steps: 1, trainMs: 0 }).message,
    /train depth 8/,
  );
});

test("the experiment runs end to end at a tiny config and writes the output contract", async () => {
  await testBackend();
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "t2-"));
  try {
    const before = tf.memory().numTensors;
    const rec = await runExperiment(experiment, { profile: "smoke", seed: 5, overrides: TINY, outRoot });
    assert.equal(tf.memory().numTensors, before, "the experiment leaked tensors");
    const m = rec.metrics as Record<string, unknown>;
    const isInterval = (key: string): void => {
      const v = m[key] as { mean: number; lo: number; hi: number; n: number } | undefined;
      assert.ok(v && typeof v.mean === "number" && typeof v.lo === "number" && typeof v.hi === "number", key);
    };
    for (const depth of [1, 2]) for (const k of [1, 2]) isInterval(`directAcc_depth${depth}_k${k}`);
    for (let l = 0; l < 4; l++)
      for (const key of ["accInDist", "accUnseen", "iXZ", "iZY", "accLonger"]) isInterval(`${key}_level${l}`);
    for (let l = 0; l < 4; l++)
      for (const key of ["iXZmm", "iXZplugIn", "iXZnull", "iZYmm", "iZYplugIn", "iZYnull", "iXZnormMM"])
        isInterval(`${key}_level${l}`);
    for (const key of ["bottleneckSlope", "iXZ_selfChosen_before", "iXZ_selfChosen_after"]) isInterval(key);
    // The experiment's I(X;Z) is the plug-in minus its permutation null; the slope's x-axis is it over H(X).
    for (const r of rec.data.levelRuns) {
      const i = r.info;
      assert.equal(i.nullShuffles, TINY.info!.nullShuffles);
      assert.ok(Math.abs((i.iXZcorrected as number) - ((i.iXZplugIn as number) - (i.iXZnull as number))) < 1e-12);
    }
    const s0 = rec.data.slopes[0]!;
    // The slope is over the graded levels 0-3; the marked control (level 4) is not one of them.
    assert.deepEqual(rec.data.levels, ["state", "swap", "step", "verbatim", "marked"]);
    const rs0 = rec.data.levelRuns.filter((r) => r.seed === s0.seed && r.level < 4).sort((a, b) => a.level - b.level);
    if (Number.isFinite(s0.unseen))
      assert.ok(
        Math.abs(
          s0.unseen -
            slope(
              rs0.map((r) => iXZnormOf(r.info)),
              rs0.map((r) => r.accUnseen),
            ),
        ) < 1e-12,
      );
    assert.equal((m["accInDist_level0"] as { n: number }).n, 2);
    const dir = path.join(outRoot, "smoke", "t2-chain-of-thought");
    const csv = fs.readFileSync(path.join(dir, "mi-samples.csv"), "utf8").split("\n");
    assert.equal(csv[0], "format,x,z,y");
    // 12 sampled chains per seed and level (2 seeds), and per STaR seed before and after.
    assert.equal(csv.filter((l) => l.startsWith("level0,")).length, 24);
    assert.equal(csv.filter((l) => l.startsWith("selfChosen_after,")).length, 24);
    const figs = t2Figures(rec);
    for (const name of [
      "accuracy-vs-k",
      "bottleneck-slope",
      "information-plane",
      "self-chosen",
      "copying-contrast",
      "mi-vs-samples",
    ]) {
      assert.ok(figs[name]?.data.length, name);
      JSON.stringify(figs[name]);
    }
    // The control is drawn beside the condition.
    assert.ok(figs["bottleneck-slope"]!.data.some((t) => String(t["name"]).startsWith("control")));
    assert.ok(figs["self-chosen"]!.data.some((t) => String(t["name"]).startsWith("control")));
    assert.deepEqual(
      figs["copying-contrast"]!.data.map((t) => t["name"]),
      ["level 1 swap", "level 2 step", "level 4 marked"],
    );
    // The slope figure shows the graded levels its slope is fitted to, not the marked control.
    assert.equal((figs["bottleneck-slope"]!.data[0]!["x"] as number[]).length, 4);
    assert.ok((figs["copying-contrast"]!.data[0]!["x"] as string[])[0]!.includes("(control)"));
    assert.ok(t2SampleRows(rec).length > 0);
    expectClaimsContract({ file: path.join(dir, "results.json") });
    const ids = rec.claims.map((c) => c.id);
    for (const id of ["cot-beats-direct", "bottleneck-slope", "self-chosen-bottleneck"])
      assert.ok(rec.claims.find((c) => c.id === id)?.asserted, id);
    assert.ok(ids.includes("direct-depth-budget") && ids.includes("longer-abstract-vs-verbatim"));
    // The claims on I(X;Z) carry the manipulation check, computed from the level means; a failed one is inconclusive.
    const check = levelOrderCheck([0, 1, 2, 3].map((l) => (m[`iXZnorm_level${l}`] as { mean: number }).mean));
    assert.equal(m["iXZorderOk"], check.ok ? 1 : 0);
    for (const id of ["bottleneck-slope", "self-chosen-bottleneck"]) {
      const c = rec.claims.find((x) => x.id === id)!;
      assert.equal(c.validity?.ok, check.ok, id);
      if (!check.ok) {
        assert.equal(c.verdict, "inconclusive", id);
        assert.match(c.why, /manipulation check.*cannot test the claim/, id);
      }
    }
    assert.equal(rec.claims.find((x) => x.id === "cot-beats-direct")!.validity, undefined);
    // The step-vs-swap contrast: per seed, level 2 minus level 1 on the same test problems, unseen (condition)
    // and in distribution (control); its manipulation check reads the two levels' surface information.
    const contrast = rec.claims.find((x) => x.id === "copying-chain-transfers-worse")!;
    assert.ok(contrast.asserted);
    const perSeed = (key: "accUnseen" | "accInDist") =>
      rec.data.slopes.map((sl) => {
        const at = (l: number) => levelRunOf(rec, sl.seed, l, "test");
        return at(2)[key] - at(1)[key];
      });
    const mu = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(contrast.value - mu(perSeed("accUnseen"))) < 1e-12);
    assert.ok(Math.abs(contrast.control!.value - mu(perSeed("accInDist"))) < 1e-12);
    assert.ok(Math.abs((m["stepMinusSwapUnseen"] as { mean: number }).mean - contrast.value) < 1e-12);
    const surf = (l: number) => (m[`iXZnorm_level${l}`] as { mean: number }).mean;
    assert.equal(contrast.validity?.ok, surf(2) > surf(1));
    // The marked control: step minus marked per seed (condition unseen, control in distribution), marked minus swap
    // reported; its manipulation check reads the surface information of the step and marked levels.
    assert.equal(csv.filter((l) => l.startsWith("level4,")).length, 24);
    const sampledMarked = rec.data.levelRuns.find((r) => r.level === 4)!;
    assert.equal(sampledMarked.format, "marked");
    const pair = (a: number, b: number, key: "accUnseen" | "accInDist") =>
      rec.data.slopes.map((sl) => {
        const at = (l: number) => levelRunOf(rec, sl.seed, l, "test");
        return at(a)[key] - at(b)[key];
      });
    const cost = rec.claims.find((x) => x.id === "copied-separators-cost")!;
    assert.ok(cost.asserted);
    assert.ok(Math.abs(cost.value - mu(pair(2, 4, "accUnseen"))) < 1e-12);
    assert.ok(Math.abs(cost.control!.value - mu(pair(2, 4, "accInDist"))) < 1e-12);
    assert.equal(cost.validity?.ok, surf(4) < surf(2));
    const left = rec.claims.find((x) => x.id === "marked-vs-swap")!;
    assert.ok(!left.asserted);
    assert.ok(Math.abs(left.value - mu(pair(4, 1, "accUnseen"))) < 1e-12);
    assert.ok(Math.abs((m["markedMinusSwapUnseen"] as { mean: number }).mean - left.value) < 1e-12);
    // Same seed, same record (determinism of data, training and evaluation on one backend).
    const again = await runExperiment(experiment, { profile: "smoke", seed: 5, overrides: TINY, save: false });
    assert.deepEqual(again.metrics, rec.metrics);
  } finally {
    fs.rmSync(outRoot, { recursive: true, force: true });
  }
});

test("the split wordings are evaluation only: without them the run is the same bit for bit; their claim reads them", async () => {
  await testBackend();
  const on = { ...T2_PROFILES.smoke, ...TINY, splitUnseen: true } as T2Config;
  const off = { ...on, splitUnseen: false };
  // The test items: the same as without the split, then the unseen group's problems again, once for each part of
  // the wording left unseen alone (separators; header and filler; header; filler), the rest from training.
  const [tOn, tOff] = [testProblems(on, 3), testProblems(off, 3)];
  assert.deepEqual(tOn.slice(0, tOff.length), tOff);
  const unseen = tOff.filter((t) => t.group === "unseen");
  const has = (xs: ReadonlyArray<string>, x: string) => xs.includes(x);
  const T = SWAP_TRAIN_SURFACE;
  const U = SWAP_UNSEEN_SURFACE;
  for (const [group, header, seps, filler] of [
    ["unseen-sep", T, U, T],
    ["unseen-frame", U, T, U],
    ["unseen-header", U, T, T],
    ["unseen-filler", T, T, U],
  ] as const) {
    const g = tOn.filter((t) => t.group === group);
    assert.deepEqual(
      g.map((t) => t.problem),
      unseen.map((t) => t.problem),
    );
    for (const { form } of g) {
      assert.ok(has(header.headers, form.header) && has(filler.fillers, form.filler), JSON.stringify(form));
      assert.ok(
        form.separators.every((x) => has(seps.separators, x)),
        JSON.stringify(form),
      );
    }
  }
  assert.equal(tOn.length, tOff.length + 4 * unseen.length);
  assert.throws(() => validateT2Config({ ...on, splitUnseen: 1 as never }), /t2.splitUnseen: must be true or false/);
  // The whole run: every number of the run without them is the same with them.
  const run = (splitUnseen: boolean) =>
    runExperiment(experiment, { profile: "smoke", seed: 5, overrides: { ...TINY, splitUnseen }, save: false });
  const [a, b] = [await run(true), await run(false)];
  const isSplitKey = (k: string) => /Unseen(Sep|Frame|Header|Filler)/.test(k);
  assert.deepEqual(Object.fromEntries(Object.entries(a.metrics).filter(([k]) => !isSplitKey(k))), b.metrics);
  const newClaims = ["slot-cost-is-separators", "step-split-wordings"];
  assert.deepEqual(
    a.claims.filter((x) => !newClaims.includes(x.id)),
    b.claims,
  );
  assert.deepEqual(
    a.data.levelRuns.map(({ departures, ...r }) => ({
      ...r,
      trainMs: 0,
      accuracy: Object.fromEntries(Object.entries(r.accuracy).filter(([g]) => !g.startsWith("unseen-"))),
    })),
    b.data.levelRuns.map((r) => ({ ...r, trainMs: 0 })),
  );
  // The claim: marked minus swap per seed with only the separators unseen; its control with only the frame unseen.
  const pair = (x: number, y: number, group: string) =>
    a.data.slopes.map((sl) => {
      const at = (l: number) => levelRunOf(a, sl.seed, l, "test");
      return (at(x).accuracy[group] as number) - (at(y).accuracy[group] as number);
    });
  const mu = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  const claim = a.claims.find((x) => x.id === "slot-cost-is-separators")!;
  assert.ok(claim.asserted);
  assert.ok(Math.abs(claim.value - mu(pair(4, 1, "unseen-sep"))) < 1e-12);
  assert.ok(Math.abs(claim.control!.value - mu(pair(4, 1, "unseen-frame"))) < 1e-12);
  const step = a.claims.find((x) => x.id === "step-split-wordings")!;
  assert.ok(!step.asserted);
  assert.ok(Math.abs(step.value - mu(pair(2, 1, "unseen-sep"))) < 1e-12);
  assert.ok(Math.abs((a.metrics["stepMinusSwapUnseenFrame"] as { mean: number }).mean - step.control!.value) < 1e-12);
  // The wrong answers of each unseen group, counted by where they first leave their target.
  const nUnseen = testProblems({ ...T2_PROFILES.smoke, ...TINY } as T2Config, 0).filter(
    (t) => t.group === "unseen",
  ).length;
  for (const r of a.data.levelRuns)
    for (const g of ["unseen", "unseen-sep", "unseen-frame", "unseen-header", "unseen-filler"]) {
      const wrong = Object.values(r.departures?.[g] ?? {}).reduce((x, y) => x + y, 0);
      assert.equal(wrong, Math.round(nUnseen * (1 - (r.accuracy[g] as number))), `${r.level} ${g}`);
    }
  assert.ok(b.data.levelRuns.every((r) => r.departures === undefined));
  // The pooled table of the split (scripts/t2-split-table.ts): one row per level, the record's own intervals.
  const rows = t2SplitRows([a]);
  assert.deepEqual(Object.keys(rows.accuracy[4]!), [
    "level",
    "training forms",
    "unseen",
    "unseen-sep",
    "unseen-frame",
    "unseen-header",
    "unseen-filler",
  ]);
  const sep4 = a.metrics["accUnseenSep_level4"] as { mean: number; lo: number; hi: number };
  assert.equal(
    rows.accuracy[4]!["unseen-sep"],
    `${(100 * sep4.mean).toFixed(1)} [${(100 * sep4.lo).toFixed(1)}, ${(100 * sep4.hi).toFixed(1)}]`,
  );
  assert.equal(rows.minusSwap.length, 4);
  assert.ok(rows.departures.every((r) => !Object.values(r).includes("not recorded")));
  const older = t2SplitRows([b]);
  assert.deepEqual(Object.keys(older.accuracy[0]!), ["level", "training forms", "unseen"]);
  assert.equal(older.departures[0]!["unseen"], "not recorded");
  // Without the marked control the split is still measured (levels and the step chain), without the claim.
  const noMarked = await runExperiment(experiment, {
    profile: "smoke",
    seed: 5,
    overrides: { ...TINY, splitUnseen: true, markedControl: false },
    save: false,
  });
  assert.ok(noMarked.claims.some((x) => x.id === "step-split-wordings"));
  assert.ok(!noMarked.claims.some((x) => x.id === "slot-cost-is-separators"));
  assert.ok("accUnseenSep_level3" in noMarked.metrics && !("markedMinusSwapUnseenSep" in noMarked.metrics));
  for (let l = 0; l < 5; l++)
    for (const key of ["accUnseenSep", "accUnseenFrame", "accUnseenHeader", "accUnseenFiller"])
      assert.ok(`${key}_level${l}` in a.metrics, key);
});

/** Two records of the same run: metrics, claims and data equal, but for the wall times (of each run and stage). */
function assertSameRun(got: T2Record, want: T2Record): void {
  assert.deepEqual(got.metrics, want.metrics);
  assert.deepEqual(got.claims, want.claims);
  const noTiming = (x: T2Record) =>
    JSON.stringify(x.data, (k, v: unknown) => (k === "trainMs" || k === "timing" ? null : v));
  assert.equal(noTiming(got), noTiming(want));
}

/** The sampled chains a smoke run wrote under `dir/sub`. */
function miSamplesCsv(dir: string, sub: string): string {
  return fs.readFileSync(path.join(dir, sub, "smoke", "t2-chain-of-thought", "mi-samples.csv"), "utf8");
}

test("the end mark: the same problems and wordings with `!` after the last swap, in training and test; the vocabulary gains it", async () => {
  await testBackend();
  const off = { ...T2_PROFILES.smoke, ...TINY } as T2Config;
  const on = { ...off, endMark: true };
  const kGrid = kGridOf(on);
  const [tOn, tOff] = [testProblems(on, 3), testProblems(off, 3)];
  // The same problems and forms (the mark is copied into the spec, never drawn), each form now with the mark.
  assert.equal(tOn.length, tOff.length);
  tOn.forEach((t, i) => {
    const u = tOff[i]!;
    assert.deepEqual(t.problem, u.problem);
    assert.deepEqual(t.form, { ...u.form, end: SWAP_END_MARK });
    const input = renderSwapInput(t.problem, t.form, kGrid);
    const plain = renderSwapInput(u.problem, u.form, kGrid);
    const k = t.problem.swaps.length;
    const at = 2 + 3 * k;
    assert.equal(input.length, plain.length);
    if (k < kGrid) assert.equal(input, plain.slice(0, at) + SWAP_END_MARK + plain.slice(at + 1), t.group);
    else assert.equal(input, plain, t.group);
  });
  assert.ok(t2Tokenizer(on).encode(SWAP_END_MARK).length === 1);
  assert.equal(t2Tokenizer(on).vocabSize, t2Tokenizer(off).vocabSize + 1);
  // The information design's forms carry it too (the same forms otherwise).
  const [dOn, dOff] = [t2Design(on, 3), t2Design(off, 3)];
  assert.deepEqual(dOn.problems, dOff.problems);
  assert.deepEqual(
    dOn.forms,
    dOff.forms.map((f) => ({ ...f, end: SWAP_END_MARK })),
  );
  // Training (chain levels, direct baselines, STaR): every sampled input has the mark right after its last swap.
  const rng = new Rng(7);
  for (let i = 0; i < 20; i++) {
    const e = sampleSwapExample(rng, t2Task(on, ["state"]));
    assert.equal(e.input.charAt(2 + 3 * e.problem.swaps.length), SWAP_END_MARK, e.input);
    assert.equal(e.input.split(SWAP_END_MARK).length, 2, e.input);
  }
  assert.ok(!sampleSwapExample(new Rng(7), t2Task(off, ["state"])).input.includes(SWAP_END_MARK));
});

test("the end mark's claims: paired per run between the two conditions, each with its control; the records must differ only in endMark", async () => {
  await testBackend();
  const run = (endMark: boolean) =>
    runExperiment(experiment, { profile: "smoke", seed: 5, overrides: { ...TINY, endMark }, save: false });
  const [plain, end] = [(await run(false)) as T2Record, (await run(true)) as T2Record];
  const claims = t2EndMarkClaims(plain, end);
  assert.deepEqual(
    claims.map((c) => [c.id, c.asserted, c.control?.expect]),
    [
      ["end-mark-closes-slot-gap", true, "absent"],
      ["end-mark-frees-filler", true, "absent"],
    ],
  );
  expectClaimsContract({ claims });
  // By hand: marked minus swap on unseen, with the end mark minus without, per run.
  const [iSwap, iMarked] = [plain.data.levels.indexOf("swap"), plain.data.levels.indexOf("marked")];
  const acc = (r: T2Record, seed: number, l: number, g: string) => levelRunOf(r, seed, l, "test").accuracy[g] as number;
  const seeds = plain.data.slopes.map((x) => x.seed);
  const gap = (r: T2Record, s: number) => acc(r, s, iMarked, "unseen") - acc(r, s, iSwap, "unseen");
  assert.deepEqual(
    claims[0]!.interval.values,
    seeds.map((s) => gap(end, s) - gap(plain, s)),
  );
  assert.deepEqual(
    claims[1]!.control!.interval.values,
    seeds.map((s) => acc(end, s, iMarked, "unseen-header") - acc(plain, s, iMarked, "unseen-header")),
  );
  // The wrong order, or records that differ in more than the end mark, are refused with the reason.
  assert.throws(() => t2EndMarkClaims(end, plain), /must be without endMark \(false\)/);
  const other = { ...end, config: { ...end.config, evalPerK: end.config.evalPerK + 1 } } as T2Record;
  assert.throws(() => t2EndMarkClaims(plain, other), /differ only in endMark/);
  // The change table: a condition against itself changes nothing.
  for (const row of t2ChangeRows([plain], [plain]))
    for (const [k, v] of Object.entries(row)) if (k !== "level") assert.match(v, /^0\.0 /, `${row.level} ${k}`);
  assert.throws(() => t2ChangeRows([plain], []), /as many records/);
});

/**
 * A probe's test items (`field` on): every other item the same as without it, then the unseen problems again as
 * `group`.
 */
function probeItems(off: T2Config, field: "fillerProbe" | "sepProbe", group: string) {
  const [tOn, tOff] = [testProblems({ ...off, [field]: true }, 3), testProblems(off, 3)];
  assert.deepEqual(tOn.slice(0, tOff.length), tOff);
  const unseen = tOff.filter((t) => t.group === "unseen");
  const probe = tOn.slice(tOff.length);
  assert.deepEqual(
    probe.map((t) => [t.group, t.problem]),
    unseen.map((t) => [group, t.problem]),
  );
  return { tOff, unseen, probe };
}

/** A smoke run with a probe and one without: evaluation only, so every number but the probe's group is the same. */
async function probeRuns(
  overrides: Partial<T2Config>,
  field: "fillerProbe" | "sepProbe",
  group: string,
): Promise<[T2Record, T2Record]> {
  const run = (on: boolean) =>
    runExperiment(experiment, {
      profile: "smoke",
      seed: 5,
      overrides: { ...TINY, ...overrides, [field]: on },
      save: false,
    });
  const [a, b] = [(await run(true)) as T2Record, (await run(false)) as T2Record];
  assert.deepEqual(a.metrics, b.metrics);
  assert.deepEqual(a.claims, b.claims);
  for (const r of a.data.levelRuns) {
    assert.ok(typeof r.accuracy[group] === "number");
    const { [group]: _, ...rest } = r.accuracy;
    assert.deepEqual(rest, levelRunOf(b, r.seed, r.level, "test").accuracy);
  }
  return [a, b];
}

test("the filler probe: the unseen problems again with a filler from the training headers, after every other item, evaluation only", async () => {
  await testBackend();
  const off = { ...T2_PROFILES.smoke, ...TINY } as T2Config;
  const on = { ...off, fillerProbe: true };
  const { probe } = probeItems(off, "fillerProbe", "filler-from-header");
  for (const { form } of probe) {
    assert.ok(SWAP_TRAIN_SURFACE.headers.includes(form.filler) && SWAP_TRAIN_SURFACE.headers.includes(form.header));
    assert.ok(form.separators.every((x) => SWAP_TRAIN_SURFACE.separators.includes(x)));
  }
  assert.throws(() => validateT2Config({ ...on, fillerProbe: 0 as never }), /t2.fillerProbe: must be true or false/);
  const [a, b] = await probeRuns({}, "fillerProbe", "filler-from-header");
  // Its claims (pre-registered): per run, the learnt chains' mean accuracy on one group minus another.
  const claims = t2FillerProbeClaims(a);
  assert.deepEqual(
    claims.map((c) => [c.id, c.asserted, c.threshold, c.control?.id, c.control?.expect]),
    [
      ["trained-filler-hides-end", true, "> 0.05", "unseenHeader", "absent"],
      ["trained-filler-no-easier", true, "≤ 0.05", "inDist", "absent"],
    ],
  );
  expectClaimsContract({ claims });
  const rec = a;
  const learnt = LEARNT_CHAINS.map((n) => rec.data.levels.indexOf(n));
  assert.deepEqual(learnt, [0, 1, 2, 4]);
  const A = (seed: number, g: string) =>
    learnt.reduce((acc, l) => acc + groupAccuracy(levelRunOf(rec, seed, l, "test"), g), 0) / learnt.length;
  const seeds = rec.data.slopes.map((x) => x.seed);
  assert.deepEqual(
    claims[0]!.interval.values,
    seeds.map((s) => A(s, "inDist") - A(s, "filler-from-header")),
  );
  assert.deepEqual(
    claims[1]!.control!.interval.values,
    seeds.map((s) => A(s, "inDist") - A(s, "unseen-filler")),
  );
  // A record without the probe, or with the end mark, is refused with the reason.
  assert.throws(() => t2FillerProbeClaims(b), /need a grid record with the filler probe/);
  assert.throws(() => groupAccuracy(rec.data.levelRuns[0]!, "nowhere"), /has no test group "nowhere"/);
});

test("the separator probe: the unseen problems again with separators from the training headers, after every other item, evaluation only", async () => {
  await testBackend();
  const off = { ...T2_PROFILES.smoke, ...TINY, packed: true } as T2Config;
  const on = { ...off, sepProbe: true };
  const { tOff, unseen, probe } = probeItems(off, "sepProbe", "sep-from-header");
  const T = SWAP_TRAIN_SURFACE;
  for (const { form } of probe) {
    assert.ok(T.headers.includes(form.header) && T.fillers.includes(form.filler) && form.packed === true);
    assert.ok(form.separators.every((x) => T.headers.includes(x) && !T.separators.includes(x)));
  }
  // With the filler probe too, each probe's items come after the other's and are the same as alone.
  const both = testProblems({ ...on, fillerProbe: true }, 3);
  assert.deepEqual(both.slice(0, tOff.length), tOff);
  assert.deepEqual(both.slice(tOff.length + unseen.length), probe);
  assert.throws(() => validateT2Config({ ...on, sepProbe: "yes" as never }), /t2.sepProbe: must be true or false/);
  const [a, b] = await probeRuns({ packed: true }, "sepProbe", "sep-from-header");
  // Its claims (pre-registered): per run, the swap chain's accuracy on one group minus another.
  const claims = t2SepProbeClaims(a);
  assert.deepEqual(
    claims.map((c) => [c.id, c.asserted, c.threshold, c.control?.id, c.control?.expect]),
    [
      ["trained-separator-costs", true, "> 0.05", "unseenHeader", "absent"],
      ["trained-separator-no-easier", true, "≤ 0.05", "inDist", "absent"],
    ],
  );
  expectClaimsContract({ claims });
  const swap = a.data.levels.indexOf("swap");
  const A = (seed: number, g: string) => groupAccuracy(levelRunOf(a, seed, swap, "test"), g);
  const seeds = a.data.slopes.map((x) => x.seed);
  assert.deepEqual(
    claims[0]!.interval.values,
    seeds.map((s) => A(s, "inDist") - A(s, "sep-from-header")),
  );
  assert.deepEqual(
    claims[1]!.interval.values,
    seeds.map((s) => A(s, "sep-from-header") - A(s, "unseen-sep")),
  );
  assert.deepEqual(
    claims[0]!.control!.interval.values,
    seeds.map((s) => A(s, "inDist") - A(s, "unseen-header")),
  );
  // A record without the probe is refused with the reason.
  assert.throws(() => t2SepProbeClaims(b), /need a record with the separator probe/);
});

test("the packed layout: the same problems and wordings, no padding; its claim pairs the runs of both layouts", async () => {
  await testBackend();
  const grid = { ...T2_PROFILES.smoke, ...TINY } as T2Config;
  const packed = { ...grid, packed: true };
  const [tg, tp] = [testProblems(grid, 3), testProblems(packed, 3)];
  // The same random stream: every item the same problem and form, the packed form only flagged.
  assert.deepEqual(
    tp.map((t) => [t.group, t.problem, { ...t.form, packed: undefined }]),
    tg.map((t) => [t.group, t.problem, { ...t.form, packed: undefined }]),
  );
  assert.ok(tp.every((t) => t.form.packed === true) && tg.every((t) => t.form.packed === undefined));
  const kGrid = kGridOf(grid);
  for (const [a, b] of tg.map((t, i) => [t, tp[i]!] as const)) {
    const [ig, ip] = [renderSwapInput(a.problem, a.form, kGrid), renderSwapInput(b.problem, b.form, kGrid)];
    assert.equal(ip.length, 2 + 3 * b.problem.swaps.length, ip);
    assert.ok(
      ig.startsWith(ip) && ig.slice(ip.length) === a.form.filler.repeat(ig.length - ip.length),
      `${ig} / ${ip}`,
    );
  }
  const run = (on: boolean) =>
    runExperiment(experiment, { profile: "smoke", seed: 5, overrides: { ...TINY, packed: on }, save: false });
  const [g, p] = [(await run(false)) as T2Record, (await run(true)) as T2Record];
  assert.ok(p.data.levelRuns.every((r) => r.samples.every((x) => !x.input.includes(".") && !x.input.includes("_"))));
  const claims = t2PackedClaims(g, p);
  assert.deepEqual(
    claims.map((c) => [c.id, c.asserted, c.threshold, c.control?.id, c.control?.expect]),
    [["packed-frees-new-wordings", true, "> 0.05", "inDist", "absent"]],
  );
  expectClaimsContract({ claims });
  const learnt = LEARNT_CHAINS.map((n) => g.data.levels.indexOf(n));
  const A = (rec: T2Record, seed: number, grp: string) =>
    learnt.reduce((acc, l) => acc + groupAccuracy(levelRunOf(rec, seed, l, "test"), grp), 0) / learnt.length;
  const seeds = g.data.slopes.map((x) => x.seed);
  assert.deepEqual(
    claims[0]!.interval.values,
    seeds.map((s) => A(p, s, "unseen") - A(g, s, "unseen")),
  );
  // A grid run with the filler probe pairs too (evaluation only); the wrong order or another difference is refused.
  const probed = { ...g, config: { ...g.config, fillerProbe: true } } as T2Record;
  assert.equal(t2PackedClaims(probed, p).length, 1);
  assert.throws(() => t2PackedClaims(p, g), /must be without packed \(false\)/);
  const other = { ...p, config: { ...p.config, evalPerK: p.config.evalPerK + 1 } } as T2Record;
  assert.throws(() => t2PackedClaims(g, other), /differ only in packed/);
});

test("split into shards through a seed store, the run gives the unsplit record bit for bit", async () => {
  await testBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-t2-shards-"));
  try {
    // Shard 2/2 alone cannot make the record (seed 0 is shard 1's); shard 1/2 after it computes seed 0, loads
    // seed 1 and makes the record; a run without a shard then computes nothing and makes it again.
    const { whole, shard1, assembled, store } = await shardedRuns(experiment, { seed: 6, overrides: TINY }, dir);
    assert.equal(fs.readdirSync(store).length, 2);
    for (const r of [shard1, assembled]) assertSameRun(r, whole);
    assert.equal(miSamplesCsv(dir, "assembled"), miSamplesCsv(dir, "whole"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("seeds stored without the marked control, extended by it, give a run with it bit for bit", async () => {
  await testBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-t2-extend-"));
  try {
    const withMarked = { ...TINY, markedControl: true };
    const run = (sub: string, overrides: typeof TINY, seedStore?: ReturnType<typeof fileSeedStore>) =>
      runExperiment(experiment, {
        profile: "smoke",
        seed: 7,
        overrides,
        outRoot: path.join(dir, sub),
        ...(seedStore ? { seedStore } : {}),
      });
    const whole = await run("whole", withMarked);
    const before = await run("before", { ...TINY, markedControl: false }, fileSeedStore(path.join(dir, "old")));
    assert.equal(before.data.levels.length, 4);
    const c = { ...T2_PROFILES.smoke, ...withMarked } as T2Config;
    const from = fileSeedStore(path.join(dir, "old"));
    const to = path.join(dir, "new");
    // A verification that fails stops before anything is written: a stored level 0 that is not what training gives.
    const tampered = fileSeedStore(path.join(dir, "tampered"));
    const s0 = deriveSeed(7, "t2", 0);
    const e0 = from.load<{ levels: Array<{ accUnseen: number }> }>(0, s0)!;
    e0.value.levels[0]!.accUnseen += 0.5;
    tampered.save(0, s0, e0);
    await assert.rejects(
      extendStoredSeeds(c, 7, tampered, fileSeedStore(path.join(dir, "never")), { commit: "x", verifyLevel: 0 }),
      /level 0 of seed 0, trained again, differs from the stored run/,
    );
    assert.equal(fs.existsSync(path.join(dir, "never")), false);
    // Two shards side by side, the first verifying a stored level; then the record from the extended store.
    assert.deepEqual(await extendStoredSeeds(c, 7, from, fileSeedStore(to, { k: 2, n: 2 }), { commit: "abc" }), [1]);
    assert.deepEqual(
      await extendStoredSeeds(c, 7, from, fileSeedStore(to, { k: 1, n: 2 }), { commit: "abc", verifyLevel: 2 }),
      [0],
    );
    const stored = fileSeedStore(to).load<unknown>(1, deriveSeed(7, "t2", 1))!;
    assert.equal(stored.extended?.what, "level 4 (marked)");
    assert.equal(stored.extended?.commit, "abc");
    assert.equal(stored.extended?.shard, "2/2");
    assertSameRun(await run("assembled", withMarked, fileSeedStore(to)), whole);
    assert.equal(miSamplesCsv(dir, "assembled"), miSamplesCsv(dir, "whole"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
