import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { expectClaimsContract, testBackend } from "../../run/testing";
import { runExperiment } from "../../run/experiment";

import { isInterval } from "../../stats";
import {
  MAIN_SCHEMES,
  qatSpec,
  QAT_VARIANTS,
  schemeSpec,
  experiment,
  type T5Config,
  type T5Record,
  T5_PROFILES,
} from "./index";

/** A tiny end-to-end config: every code path, seconds of compute. */
const TINY: Partial<T5Config> = {
  numSeeds: 1,
  states: [2, 3, 16],
  schemes: [...MAIN_SCHEMES, "logChannel", "uniformChannelAsym"],
  task: { ...T5_PROFILES.smoke.task, inputDim: 8, numClasses: 4, clustersPerClass: 2, trainSize: 256, testSize: 128 },
  mlpHidden: [16, 16],
  mlpTrain: { ...T5_PROFILES.smoke.mlpTrain, numSteps: 20, batchSize: 32 },
  qatVariants: ["ternary", "s2", "s3", "s4"],
  qatTrain: { ...T5_PROFILES.smoke.qatTrain, numSteps: 3, batchSize: 32 },
  gpt: { seqLen: 8, dModel: 16, nHead: 2, nLayer: 1, dFF: 0 },
  gptTrain: { ...T5_PROFILES.smoke.gptTrain, numSteps: 3, batchSize: 8, warmupSteps: 1 },
  evalBatches: 1,
  histogramBins: 10,
};

test("setup backend", async () => {
  await testBackend();
});

test("scheme and QAT specs are what their names say", () => {
  assert.equal(schemeSpec("uniformGroup", 16, 32, 0).granularity, "group");
  assert.equal(schemeSpec("uniformGroup", 16, 32, 0).groupSize, 32);
  assert.equal(schemeSpec("kmeans", 8, 32, 0).scheme, "kmeans");
  assert.equal(schemeSpec("uniformChannelAsym", 8, 32, 0).symmetric, false);
  assert.equal(qatSpec("ternary").states, 3);
  assert.equal(qatSpec("ternary").clip, "absmean");
  assert.deepEqual(
    ["s2", "s3", "s4"].map((v) => qatSpec(v as "s2").states),
    [4, 8, 16],
  );
  assert.ok(QAT_VARIANTS.includes("binary"));
});

test("a tiny run writes every documented metric, figures and a packed file", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-t5-"));
  const before = tf.memory().numTensors;
  try {
    const rec: T5Record = await runExperiment(experiment, { profile: "smoke", seed: 5, overrides: TINY, outRoot: dir });
    assert.ok(tf.memory().numTensors - before <= 0, `the experiment leaked ${tf.memory().numTensors - before} tensors`);
    const m = rec.metrics;
    for (const q of MAIN_SCHEMES) {
      for (const s of TINY.states as number[]) {
        assert.ok(isInterval(m[`mlpAcc_${q}_s${s}`]), `mlpAcc_${q}_s${s}`);
        assert.ok(isInterval(m[`gptPpl_${q}_s${s}`]), `gptPpl_${q}_s${s}`);
      }
    }
    for (const k of ["mlpAccFp32", "gptPplFp32", "qatAcc_s2", "qatAcc_s3", "qatAcc_s4", "qatAcc_ternary"] as const) {
      const v = m[k];
      assert.ok(isInterval(v), k);
      assert.ok(Number.isFinite(v.mean) && v.n === 1, k);
    }
    assert.equal(typeof m["packedInt4SizeRatio"], "number");
    assert.equal(m["packedInt4Exact"], 1, "the packed file round-trips exactly");
    const acc = m["mlpAccFp32"];
    assert.ok(isInterval(acc) && acc.mean >= 0 && acc.mean <= 1);
    const ppl = m["gptPplFp32"];
    assert.ok(isInterval(ppl) && ppl.mean > 1);
    expectClaimsContract({ file: path.join(dir, "smoke", "t5-quantization", "results.json") });
    const ids = rec.claims.map((c) => c.id);
    for (const id of [
      "int4-group-mlp",
      "int4-group-gpt",
      "ternary-qat-mlp",
      "binary-ptq-collapses-mlp",
      "packed-int4-exact",
      "packed-int4-size",
    ])
      assert.ok(ids.includes(id), id);
    const out = path.join(dir, "smoke", "t5-quantization");
    for (const f of ["results.json", "ptq.csv", "qat.csv", "gpt-int4.g2bq"])
      assert.ok(fs.existsSync(path.join(out, f)), f);
    const csv = fs.readFileSync(path.join(out, "ptq.csv"), "utf8").split("\n");
    assert.equal(csv[0], "model,scheme,states,bitsPerWeight,seed,metric,value");
    assert.equal(csv.length - 2, 2 * (TINY.schemes as string[]).length * (TINY.states as number[]).length);
    const figs = experiment.figures(JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as T5Record);
    for (const name of [
      "mlp-accuracy-vs-states",
      "mlp-accuracy-drop-vs-states",
      "gpt-perplexity-vs-states",
      "mlp-accuracy-vs-bits",
      "gpt-perplexity-vs-bits",
      "ptq-vs-qat",
      "qat-weight-change",
      "gpt-int4-by-matrix",
      "mlp-weight-histogram",
      "gpt-weight-histogram",
    ]) {
      const f = figs[name];
      assert.ok(f && f.data.length > 0, name);
      JSON.stringify(f);
    }
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
    runExperiment(experiment, { profile: "smoke", overrides: { ...TINY, qatVariants: ["s5"] }, save: false }),
    /config\.qatVariants\[0\]/,
  );
});
