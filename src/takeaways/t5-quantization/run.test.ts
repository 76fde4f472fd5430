import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { expectClaimsContract, shardedRuns, testBackend } from "../../run/testing";
import { runExperiment } from "../../run/experiment";
import { deriveSeed } from "../../rng";

import { isInterval } from "../../stats";
import {
  MAIN_SCHEMES,
  qatSpec,
  QAT_VARIANTS,
  schemeSpec,
  experiment,
  ptqDamageSlope,
  trainFloatGpt,
  type T5Config,
  type T5Record,
  T5_PROFILES,
} from "./index";

/** A tiny end-to-end config: every code path, seconds of compute. */
const TINY: Partial<T5Config> = {
  numSeeds: 2,
  states: [2, 3, 4, 16],
  gptStates: [2, 16],
  noiseStates: [2, 4],
  noiseDraws: 1,
  ckaSamples: 32,
  gptLadder: [{ dModel: 8, nHead: 2, nLayer: 1, dFF: 0 }],
  tokenCheckpoints: [0.5, 1],
  scalingBits: [2, 4, 16],
  gptqBits: [3, 4, 8],
  gptqCalibration: 2,
  gptQatVariants: ["1", "1.58", "8"],
  gptQatTrain: { ...T5_PROFILES.smoke.gptQatTrain, numSteps: 2, batchSize: 4, warmupSteps: 1 },
  schemes: [...MAIN_SCHEMES, "logChannel", "uniformChannelAsym"],
  task: { ...T5_PROFILES.smoke.task, inputDim: 8, numClasses: 4, clustersPerClass: 2, trainSize: 256, testSize: 128 },
  mlpHidden: [16, 16],
  mlpTrain: { ...T5_PROFILES.smoke.mlpTrain, numSteps: 20, batchSize: 32 },
  qatVariants: ["1", "1.58", "2", "3", "4", "8"],
  qatTrain: { ...T5_PROFILES.smoke.qatTrain, numSteps: 3, batchSize: 32 },
  gpt: { seqLen: 8, dModel: 16, nHead: 2, nLayer: 1, dFF: 0 },
  gptTrain: { ...T5_PROFILES.smoke.gptTrain, numSteps: 4, batchSize: 8, warmupSteps: 1 },
  evalBatches: 1,
  histogramBins: 10,
};

/** The figures every record has (the second edition's with their controls). */
const FIGURES = [
  "mlp-accuracy-vs-states",
  "mlp-accuracy-drop-vs-states",
  "states-slider",
  "gpt-perplexity-vs-states",
  "mlp-accuracy-vs-bits",
  "gpt-perplexity-vs-bits",
  "ptq-vs-qat",
  "states-needed",
  "states-needed-control",
  "noise-accuracy-vs-states",
  "paretoq-weight-change",
  "paretoq-cka",
  "gptq-vs-rtn",
  "gpt-ptq-vs-qat",
  "ptq-damage-vs-tokens",
  "bit-level-scaling",
  "mlp-weight-histogram",
  "gpt-weight-histogram",
];

test("setup backend", async () => {
  await testBackend();
});

test("scheme and QAT specs are what their names say", () => {
  assert.equal(schemeSpec("uniformGroup", 16, 32, 0).granularity, "group");
  assert.equal(schemeSpec("uniformGroup", 16, 32, 0).groupSize, 32);
  assert.equal(schemeSpec("kmeans", 8, 32, 0).scheme, "kmeans");
  assert.equal(schemeSpec("uniformChannelAsym", 8, 32, 0).symmetric, false);
  assert.equal(qatSpec("1.58").states, 3);
  assert.equal(qatSpec("1.58").clip, "absmean");
  assert.equal(qatSpec("1").states, 2);
  assert.equal(qatSpec("1").granularity, "channel", "binary has a per-channel scale");
  assert.deepEqual(
    (["2", "3", "4", "8"] as const).map((v) => qatSpec(v).states),
    [4, 8, 16, 256],
  );
  assert.deepEqual([...QAT_VARIANTS], ["1", "1.58", "2", "3", "4", "8"]);
});

test("a tiny run writes every documented metric, claim, CSV, figure and a packed file", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-t5-"));
  const before = tf.memory().numTensors;
  try {
    const rec: T5Record = await runExperiment(experiment, { profile: "smoke", seed: 5, overrides: TINY, outRoot: dir });
    assert.ok(tf.memory().numTensors - before <= 0, `the experiment leaked ${tf.memory().numTensors - before} tensors`);
    const m = rec.metrics as Record<string, unknown>;
    const interval = (k: string): void => {
      const v = m[k];
      assert.ok(isInterval(v), `${k} is {mean, lo, hi, n}`);
      assert.equal((v as { n: number }).n, 2, `${k} is over the 2 seeds`);
    };
    for (const q of MAIN_SCHEMES) {
      for (const s of TINY.states as number[]) interval(`mlpAcc_${q}_s${s}`);
      for (const s of TINY.gptStates as number[]) interval(`gptPpl_${q}_s${s}`);
    }
    // the output contract
    for (const q of TINY.schemes as string[]) for (const e of [0.01, 0.0025]) interval(`statesNeeded_${q}_eps${e}`);
    for (const k of [
      "optimalBitsAtFixedTotal",
      "ptqDamageSlope_3bit",
      "ptqDamageSlope_4bit",
      "ptqDamageSlope_6bit",
      "gptqMinusRtn_3bit",
      "gptqMinusRtn_4bit",
      "qatMinusPtq_1",
      "qatMinusPtq_1.58",
      "paretoqStepRatio",
      "usefulStates_cv0",
      "usefulStates_cv0.1",
      "usefulStates_cv0.2",
      "usefulStates_cv0.3",
      "weightEntropyBitsAtSmin",
      "mlpAccFp32",
      "gptPplFp32",
      "qatAcc_1",
      "qatAcc_8",
      "gptQatGainNats_1",
      "gptQatGainNats_1.58",
      "gptQatGainNats_8",
    ])
      interval(k);
    assert.equal(typeof m["packedInt4SizeRatio"], "number");
    assert.equal(m["packedInt4Exact"], 1, "the packed file round-trips exactly");
    expectClaimsContract({ file: path.join(dir, "smoke", "t5-quantization", "results.json") });
    const ids = rec.claims.map((c) => c.id);
    for (const id of [
      "states-needed-le10-eps0.01",
      "states-needed-le26-eps0.01",
      "states-needed-le10-eps0.0025",
      "states-needed-le26-eps0.0025",
      "optimal-bits-at-fixed-total",
      "ptq-damage-grows-with-tokens",
      "gptq-beats-rtn-3bit",
      "gptq-beats-rtn-4bit",
      "int4-gpt-nearly-lossless",
      "ternary-qat-near-float",
      "qat-beats-ptq-1bit",
      "qat-beats-ptq-1.58bit",
      "paretoq-transition",
      "useful-states-cv0.2",
      "weight-entropy-at-smin",
      "binary-ptq-collapses-gpt",
      "packed-int4-exact",
      "gpt-qat-beats-ptq-1.58bit",
    ])
      assert.ok(ids.includes(id), id);
    for (const c of rec.claims) if (c.asserted) assert.ok(c.control, `${c.id} has a control`);
    const out = path.join(dir, "smoke", "t5-quantization");
    for (const f of [
      "results.json",
      "ptq.csv",
      "qat.csv",
      "states-needed.csv",
      "gptq.csv",
      "tokens.csv",
      "scaling.csv",
      "noise.csv",
      "gpt-qat.csv",
      "gpt-int4.g2bq",
    ])
      assert.ok(fs.existsSync(path.join(out, f)), f);
    const csv = fs.readFileSync(path.join(out, "ptq.csv"), "utf8").split("\n");
    assert.equal(csv[0], "model,scheme,states,bitsPerWeight,seed,metric,value");
    assert.equal(
      csv.length - 2,
      2 * ((TINY.schemes as string[]).length * (TINY.states as number[]).length + MAIN_SCHEMES.length * 2),
    );
    const figs = experiment.figures(JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as T5Record);
    for (const name of FIGURES) {
      const f = figs[name];
      assert.ok(f && f.data.length > 0, name);
      JSON.stringify(f);
    }
    // the slider: one frame per S of the sweep, each with one bar per scheme, opening at S = 16 when swept
    const slider = figs["states-slider"] as { frames?: Array<{ name: string; data: Array<{ y: unknown[] }> }> };
    assert.deepEqual(
      slider.frames?.map((fr) => fr.name),
      (TINY.states as number[]).map(String),
    );
    for (const fr of slider.frames ?? []) assert.equal(fr.data[0]?.y.length, (TINY.schemes as string[]).length);
    // on a log axis, plotly wants shapes in data units and annotations in log10 units
    const layout = (figs["mlp-accuracy-vs-states"] as { layout: Record<string, unknown> }).layout;
    const shapes = layout["shapes"] as Array<Record<string, unknown>>;
    const notes = layout["annotations"] as Array<Record<string, unknown>>;
    assert.ok(
      shapes.some((sh) => sh["xref"] === "x" && sh["x0"] === 16),
      "a vertical mark at S = 16",
    );
    assert.ok(
      notes.some((a) => a["xref"] === "x" && Math.abs((a["x"] as number) - Math.log10(16)) < 1e-12),
      "its label at log10(16)",
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("split into shards through a seed store, the run gives the unsplit record bit for bit", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-t5-shards-"));
  try {
    // Shard 2/2 alone cannot make the record (seed 0 is shard 1's); shard 1/2 after it computes seed 0, loads
    // seed 1 and makes the record; so does a run without a shard, which then computes nothing.
    const { whole, shard1, assembled, store } = await shardedRuns(experiment, { seed: 11, overrides: TINY }, dir);
    assert.deepEqual(fs.readdirSync(store).sort(), TINY_SEED_FILES(11));
    assert.deepEqual(shard1.metrics, whole.metrics);
    assert.deepEqual(assembled.metrics, whole.metrics);
    assert.deepEqual(assembled.claims, whole.claims);
    // The data too, but for the CPU times and the packed file's folder (seed 0's, here the shard's outRoot).
    const comparable = (r: T5Record): string =>
      [path.join(dir, "shard1"), path.join(dir, "whole")].reduce(
        (text, folder) => text.split(folder).join("<out>"),
        JSON.stringify({ ...r.data, cpuSeconds: 0, cpuByPhase: {} }),
      );
    assert.equal(comparable(assembled), comparable(whole));
    for (const f of fs
      .readdirSync(path.join(dir, "whole", "smoke", "t5-quantization"))
      .filter((f) => f.endsWith(".csv")))
      assert.equal(
        fs.readFileSync(path.join(dir, "assembled", "smoke", "t5-quantization", f), "utf8"),
        fs.readFileSync(path.join(dir, "whole", "smoke", "t5-quantization", f), "utf8"),
        `${f} differs`,
      );
    // the stored seeds' CPU is counted in the record
    assert.ok(assembled.data.cpuSeconds > 0 && Object.keys(assembled.data.cpuByPhase).length > 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const TINY_SEED_FILES = (base: number): string[] =>
  [0, 1].map((i) => `seed-${i}-${deriveSeed(base, "t5", i)}.json`).sort();

test("lab.t5.trainFloatGpt is the experiment's GPT: its checkpoints are the record's first seed's, bit for bit", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-t5-gpt-"));
  try {
    await runExperiment(experiment, { profile: "smoke", seed: 5, overrides: TINY, outRoot: dir });
    const seed0 = deriveSeed(5, "t5", 0);
    const rows = fs
      .readFileSync(path.join(dir, "smoke", "t5-quantization", "tokens.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","))
      .filter((r) => Number(r[0]) === seed0);
    assert.ok(rows.length > 0, "tokens.csv has the first seed's checkpoints");
    const before = tf.memory().numTensors;
    const g = await trainFloatGpt({ ...T5_PROFILES.smoke, ...TINY } as T5Config, seed0);
    try {
      for (const r of rows) {
        const t = g.tokens.find((x) => x.step === Number(r[1]));
        assert.ok(t, `checkpoint at step ${r[1]}`);
        assert.ok(Object.is(t.fp32Ppl, Number(r[4])), `float32 perplexity at step ${r[1]}`);
        assert.ok(
          Object.is(Math.log((t.ptq[Number(r[3])] as number) / t.fp32Ppl), Number(r[6])),
          `damage at ${r[3]} bits`,
        );
      }
      const slope3 = ptqDamageSlope(g.tokens, 3);
      assert.ok(Number.isFinite(slope3), "the 3-bit damage slope is a number");
    } finally {
      g.model.dispose();
    }
    assert.equal(tf.memory().numTensors, before, "trainFloatGpt leaves no tensor but its model");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("bad configs are clear errors naming the field", async () => {
  await assert.rejects(
    runExperiment(experiment, {
      profile: "smoke",
      overrides: { ...TINY, schemes: ["uniformTensor", "nope"] },
      save: false,
    }),
    /config\.schemes\[1\]/,
  );
  await assert.rejects(
    runExperiment(experiment, { profile: "smoke", overrides: { ...TINY, states: [1] }, save: false }),
    /config\.states\[0\]/,
  );
  await assert.rejects(
    runExperiment(experiment, { profile: "smoke", overrides: { ...TINY, qatVariants: ["5"] }, save: false }),
    /config\.qatVariants\[0\]/,
  );
});
