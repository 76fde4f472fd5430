import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ATTENTION_SYSTEM_DEFAULTS, makeEvalSet } from "../../attention-system";
import { checkClaims } from "../../claims";
import { createCuedStreamsTask } from "../../data/cued-streams";
import { getExperiment, runExperiment } from "../../run/experiment";
import { expectClaimsContract, testBackend } from "../../run/testing";
import { isInterval } from "../../stats";
import {
  type SwapRow,
  T3_PROFILES,
  type T3Config,
  type T3Data,
  attendedCounts,
  pairBootstrap,
  runAttentionSeed,
} from "./index";

/** A tiny config that exercises every code path in a few seconds. */
const tiny: Partial<T3Config> = {
  numSeeds: 2,
  equivalence: { d: 16, numPatterns: 8, numQueries: 4 },
  capacity: { ...T3_PROFILES.smoke.capacity, ds: [8, 12, 16, 24], maxLoad: 64, trials: 1, maxQueries: 4 },
  induction: {
    ...T3_PROFILES.smoke.induction,
    task: { numTokens: 10, seqLen: 12, numTriggers: 2, minRepeats: 2, maxRepeats: 3 },
    dModel: 16,
    nHead: 2,
    numSteps: 3,
    batchSize: 4,
    evalBatchSize: 4,
    checkpoints: [0, 3],
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
  systemSeeds: 3,
};

/** The output contract of issue 18: metric keys. */
function contractKeys(ds: ReadonlyArray<number>, heads: number): string[] {
  return [
    ...ds.flatMap((d) => [`mMax_modern_d${d}`, `mMax_classical_d${d}`]),
    "capacityLogSlopeModern",
    "capacitySlopeClassical",
    ...Array.from({ length: heads }, (_, h) => `attendedPatterns_head${h}`),
    "codeDistanceJoint",
    "accSwapped",
    "swapVsDistanceSlope",
    "accJoint",
    "accModular_cueDecodable",
    "accModular_salience",
    "accDesignedInterface",
    "accNoGain",
    "adaptationStepsTo90",
  ];
}

test("t3-attention runs end to end at a tiny config and writes every metric of the output contract", async () => {
  await testBackend();
  const exp = getExperiment("t3-attention");
  const before = tf.memory().numTensors;
  const record = await runExperiment(exp, { profile: "smoke", seed: 7, overrides: tiny, save: false });
  assert.equal(tf.memory().numTensors, before, "no tensors left behind");
  const m = record.metrics;
  assert.equal(typeof m["hopfieldMaxAbsDiff"], "number");
  assert.ok((m["hopfieldMaxAbsDiff"] as number) <= 1e-5);
  for (const k of contractKeys([8, 12, 16, 24], 4)) {
    if (k === "adaptationStepsTo90") assert.ok(k in m, k);
    else assert.ok(isInterval(m[k as keyof typeof m]), `${k} is {mean, lo, hi, n}`);
  }
  assert.equal((m["accJoint"] as { n: number }).n, 3);
  assert.equal((m["swapVsDistanceSlope"] as { n: number }).n, 3, "n counts runs, not pairs");
  assert.equal((record.data as T3Data).system.swaps.length, 2 * 3 * 2, "every ordered pair, main and control");
  const ids = record.claims.map((c) => c.id);
  for (const id of [
    "hopfield-equivalence",
    "capacity-exponential",
    "capacity-exponential-attention-beta",
    "swap-costs-accuracy",
    "swap-falls-with-distance",
    "joint-beats-modular-cueDecodable",
    "joint-beats-modular-salience",
  ])
    assert.ok(ids.includes(id), id);
  assert.equal(record.claims.find((c) => c.id === "hopfield-equivalence")?.verdict, "measured", "a check, not a claim");
  assert.equal(record.claims.find((c) => c.id === "capacity-exponential")?.control?.id, "beta0");
  assert.ok(checkClaims(record).length >= 7, "smoke only reports");
  expectClaimsContract({ claims: record.claims });
  const figs = exp.figures(record);
  for (const name of [
    "attention-equals-hopfield",
    "capacity",
    "capacity-mmax",
    "attended-patterns",
    "attention-maps",
    "induction-scores",
    "swap-vs-distance",
    "self-consistency",
    "adaptation",
    "gain-codes",
    "hopfield-slider",
  ]) {
    assert.ok(figs[name] && figs[name]!.data.length > 0, `figure ${name}`);
  }
  // The slider: one frame per β multiplier of the sweep, one curve per d in each.
  const slider = figs["hopfield-slider"]!;
  assert.equal(slider.frames?.length, (record.config as T3Config).capacity.betaMultipliers.length);
  for (const f of slider.frames ?? []) assert.equal(f.data.length, (record.config as T3Config).capacity.ds.length);
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(figs)));
});

test("the same base seed gives the same record", async () => {
  await testBackend();
  const exp = getExperiment("t3-attention");
  const small = { ...tiny, induction: { ...tiny.induction!, numSteps: 1, checkpoints: [0, 1] } };
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
      overrides: { ...tiny, capacity: { ...tiny.capacity!, betaMultipliers: [1, 4] } },
      save: false,
    }),
    /betaMultipliers/,
  );
});

test("attended counts: one-hot attention needs one key, uniform attention 90% of them", () => {
  const T = 4;
  const oneHot = Array.from({ length: T }, (_, t) => Array.from({ length: T }, (_, k) => (k === t ? 1 : 0)));
  const uniform = Array.from({ length: T }, (_, t) => Array.from({ length: T }, (_, k) => (k <= t ? 1 / (t + 1) : 0)));
  const [a, b] = attendedCounts([[[oneHot, uniform]]]);
  assert.equal(a!.attended, 1);
  assert.equal(b!.attended, b!.uniform);
  assert.equal(b!.uniform, (3 + 4) / 2); // t = 2: ceil(0.9·3) = 3; t = 3: ceil(0.9·4) = 4
});

test("pair bootstrap: the statistic of all pairs, an interval over runs, n = runs", () => {
  const rows: SwapRow[] = [];
  for (let i = 0; i < 5; i++)
    for (let j = 0; j < 5; j++)
      if (i !== j)
        rows.push({
          condition: "main",
          controllerRun: i,
          processorRun: j,
          distance: Math.abs(i - j),
          accSwapped: 1 - 0.1 * Math.abs(i - j),
          accProcessorJoint: 1,
        });
  const e = pairBootstrap(rows, 5, (rs) => rs.reduce((s, r) => s + r.accSwapped, 0) / rs.length);
  assert.equal(e.n, 5);
  assert.equal(e.method, "bootstrap over seeds");
  assert.ok(e.lo <= e.mean && e.mean <= e.hi);
});

const smallTask = () => createCuedStreamsTask({ numStreams: 3, streamDim: 4, numClasses: 3, streamNoise: 0.2 }, 7);
const smallSys = {
  ...ATTENTION_SYSTEM_DEFAULTS,
  gainFunction: "tanh" as const,
  controllerHidden: 8,
  processorHidden: 24,
  numSteps: 4,
  batchSize: 32,
  adaptSteps: [0, 2, 10],
  evalSize: 300,
};

test("runAttentionSeed measures every condition and frees what it does not return", async () => {
  await testBackend();
  const task = smallTask();
  const ev = makeEvalSet(task, smallSys, 5);
  const before = tf.memory().numTensors;
  const { result, joint, jointControl } = await runAttentionSeed(task, smallSys, 3, ev);
  for (const j of [joint, jointControl]) {
    j.controller.dispose();
    j.processor.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  for (const k of [
    "accJoint",
    "accJointControl",
    "accModularCueDecodable",
    "accModularSalience",
    "accModularOwnStandIn",
    "accDesignedInterface",
    "accNoGain",
  ] as const) {
    assert.ok(result[k] >= 0 && result[k] <= 1, k);
  }
  assert.deepEqual(
    result.adaptation.map((a) => a.step),
    [0, 2, 10],
  );
  assert.equal(result.adaptation[0]!.acc, result.accModularSalience, "0 adaptation steps = the modular combination");
  assert.deepEqual(
    result.jointCurve.map((a) => a.step),
    [0, 2],
    "the joint curve stops at numSteps",
  );
  assert.equal(result.codes.joint.length, 3);
});
