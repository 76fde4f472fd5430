import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ATTENTION_SYSTEM_DEFAULTS, makeEvalSet } from "../../attention-system";
import { checkClaims } from "../../claims";
import { createCuedStreamsTask } from "../../data/cued-streams";
import { getExperiment, runExperiment } from "../../run/experiment";
import { expectClaimsContract, testBackend } from "../../run/testing";
import { isInterval } from "../../stats";
import { runAttentionSeed, type T3Config, T3_PROFILES } from "./index";

/** A tiny config that exercises every code path in a few seconds. */
const tiny: Partial<T3Config> = {
  numSeeds: 2,
  equivalence: { d: 16, numPatterns: 8, numQueries: 4 },
  capacity: { ...T3_PROFILES.smoke.capacity, d: 32, loads: [3, 16], betas: [0.05], trials: 1, maxQueries: 4 },
  betaSweepLoads: [16],
  induction: {
    ...T3_PROFILES.smoke.induction,
    task: { numTokens: 10, seqLen: 12, numTriggers: 2, minRepeats: 2, maxRepeats: 3 },
    dModel: 16,
    nHead: 2,
    numSteps: 3,
    batchSize: 4,
    evalBatchSize: 4,
  },
  streams: { numStreams: 3, streamDim: 4, numClasses: 3, streamNoise: 0.2 },
  system: {
    ...T3_PROFILES.smoke.system,
    controllerHidden: 4,
    processorHidden: 8,
    numSteps: 3,
    batchSize: 8,
    adaptSteps: [0, 2],
    evalSize: 30,
  },
  signedSwap: true,
};

test("t3-attention runs end to end at a tiny config and writes every documented metric and CSV", async () => {
  await testBackend();
  const exp = getExperiment("t3-attention");
  const before = tf.memory().numTensors;
  const record = await runExperiment(exp, { profile: "smoke", seed: 7, overrides: tiny, save: false });
  assert.equal(tf.memory().numTensors, before, "no tensors left behind");
  const m = record.metrics;
  assert.equal(typeof m["hopfieldMaxAbsDiff"], "number");
  assert.ok((m["hopfieldMaxAbsDiff"] as number) <= 1e-5);
  for (const M of [3, 16]) {
    assert.ok(isInterval(m[`modernRetrievalAt_M${M}`]), `modernRetrievalAt_M${M}`);
    assert.ok(isInterval(m[`classicalRetrievalAt_M${M}`]), `classicalRetrievalAt_M${M}`);
  }
  for (const k of [
    "inductionScoreBestHead",
    "accJoint",
    "accSeparate",
    "accDesignedInterface",
    "accAdaptedFinal",
    "accRandomController",
    "accSwapped",
  ]) {
    assert.ok(isInterval(m[k]), `${k} is {mean, lo, hi, n}`);
  }
  assert.equal((m["accJoint"] as { n: number }).n, 2);
  assert.equal(record.seeds.length, 2);
  const ids = record.claims.map((c) => c.id);
  for (const id of ["hopfield-equivalence", "modern-capacity", "joint-beats-modular", "adaptation", "swapped"])
    assert.ok(ids.includes(id), id);
  assert.ok(checkClaims(record).length >= 5, "smoke only reports");
  expectClaimsContract({ claims: record.claims });
  const jb = record.claims.find((c) => c.id === "joint-beats-modular");
  assert.equal(jb?.interval.n, 2);
  assert.equal(jb?.control?.id, "designedInterface");
  const figs = exp.figures(record);
  for (const name of [
    "attention-equals-hopfield",
    "capacity",
    "capacity-vs-beta",
    "metastable-averaging",
    "attention-maps",
    "induction-scores",
    "self-consistency",
    "adaptation",
    "gain-codes",
  ]) {
    assert.ok(figs[name] && figs[name]!.data.length > 0, `figure ${name}`);
  }
  // Figures are plain JSON.
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(figs)));
});

test("the same base seed gives the same record", async () => {
  await testBackend();
  const exp = getExperiment("t3-attention");
  const small = { ...tiny, induction: { ...tiny.induction!, numSteps: 1 } };
  const a = await runExperiment(exp, { profile: "smoke", seed: 3, overrides: small, save: false });
  const b = await runExperiment(exp, { profile: "smoke", seed: 3, overrides: small, save: false });
  assert.deepEqual(a.metrics, b.metrics);
});

test("overrides are validated", async () => {
  await testBackend();
  const exp = getExperiment("t3-attention");
  await assert.rejects(
    runExperiment(exp, { profile: "smoke", overrides: { numSeedz: 2 } as never, save: false }),
    /numSeedz/,
  );
  await assert.rejects(
    runExperiment(exp, {
      profile: "smoke",
      overrides: {
        ...tiny,
        induction: {
          ...tiny.induction!,
          task: { numTokens: 10, seqLen: 12, numTriggers: 2, minRepeats: 2, maxRepeats: 4 },
        },
      },
      save: false,
    }),
    /maxRepeats/,
  );
});

const smallTask = () => createCuedStreamsTask({ numStreams: 3, streamDim: 4, numClasses: 3, streamNoise: 0.2 }, 7);
const smallSys = {
  ...ATTENTION_SYSTEM_DEFAULTS,
  controllerHidden: 8,
  processorHidden: 24,
  numSteps: 250,
  batchSize: 32,
  adaptSteps: [0, 10],
  evalSize: 300,
};

test("runAttentionSeed measures every condition and frees what it does not return", async () => {
  await testBackend();
  const task = smallTask();
  const sys = { ...smallSys, numSteps: 4 };
  const ev = makeEvalSet(task, sys, 5);
  const before = tf.memory().numTensors;
  const { result, joint } = runAttentionSeed(task, sys, 3, ev);
  joint.controller.dispose();
  joint.processor.dispose();
  assert.equal(tf.memory().numTensors, before);
  for (const k of [
    "accJoint",
    "accSeparate",
    "accSeparateOwnStandIn",
    "accControllerCueDecoding",
    "accDesignedInterface",
    "accRandomController",
    "accBlind",
  ] as const) {
    assert.ok(result[k] >= 0 && result[k] <= 1, k);
  }
  assert.deepEqual(
    result.adaptation.map((a) => a.step),
    [0, 10],
  );
  assert.equal(result.adaptation[0]!.acc, result.accSeparate, "0 adaptation steps = the modular combination");
  assert.equal(result.codes.joint.length, 3);
});
