import * as fs from "fs";
import assert from "node:assert/strict";
import { test } from "node:test";
import * as os from "os";
import * as path from "path";
import { ZipfLanguage } from "../../data/zipf-language";
import { chinchillaLoss, logSpace } from "../../fit";
import { Rng } from "../../rng";
import { runExperiment } from "../../run/experiment";
import type { ResultRecord } from "../../run/results";
import { isInterval, metricValue } from "../../stats";
import { expectClaimsContract, testBackend } from "../../run/testing";
import {
  analyseT4,
  checkpointSteps,
  loadCachedT4,
  T4_PROFILES,
  T4Config,
  t4LearningRate,
  t4Params,
  T4Run,
  experiment,
  type T4Metric,
  type T4Record,
} from "./index";

const DOCUMENTED_METRICS: ReadonlyArray<T4Metric> = [
  "alphaN",
  "r2N",
  "E",
  "fitAlpha",
  "fitBeta",
  "computeOptimalA",
  "impliedComputeExponent",
  "gammaHeadToHead",
  "doubledBrainTrainTimeRatio",
  "doubledBrainCrossoverFraction",
  "decadesN",
];

test("checkpointSteps are log-spaced, unique, and end at the last step", () => {
  const s = checkpointSteps(1000, 8);
  assert.equal(s[s.length - 1], 1000);
  assert.ok(s.every((v, i) => i === 0 || v > s[i - 1]));
  assert.ok(s[1] / s[0] > 1.3, "log spacing");
  assert.deepEqual(checkpointSteps(1, 5), [1]);
});

test("the learning rate falls with size and is capped", () => {
  const c = T4_PROFILES.full;
  assert.ok(t4LearningRate(1e3, c) > t4LearningRate(1e4, c));
  assert.ok(Math.abs(t4LearningRate(c.lrRefParams, c) - c.lr) < 1e-12);
  assert.equal(t4LearningRate(1, c), c.lrMax);
});

test("the full ladder spans at least two decades of non-embedding parameters, each size about twice the last", () => {
  const c = T4_PROFILES.full;
  const ns = c.sizes.map((s) => t4Params(s, c));
  assert.ok(Math.log10(ns[ns.length - 1] / ns[0]) >= 2, `N from ${ns[0]} to ${ns[ns.length - 1]}`);
  for (let i = 1; i < ns.length; i++) {
    const r = ns[i] / ns[i - 1];
    assert.ok(r > 1.6 && r < 2.6, `ratio ${r} between ${ns[i - 1]} and ${ns[i]}`);
  }
});

/** Synthetic runs whose curves follow a known Chinchilla surface (final losses on it exactly). */
function syntheticRuns(truth: { E: number; A: number; B: number; alpha: number; beta: number }): T4Run[] {
  const runs: T4Run[] = [];
  for (const n of logSpace(300, 4e4, 8).map(Math.round)) {
    for (const tokens of logSpace(1.3e5, 2.1e6, 5).map(Math.round)) {
      const curve = logSpace(tokens / 32, tokens, 12).map((t, k) => ({
        step: k + 1,
        tokens: t,
        flops: 6 * n * t,
        loss: chinchillaLoss(truth, n, t),
      }));
      runs.push({
        dModel: 0,
        nLayer: 1,
        nHead: 1,
        n,
        tokens,
        steps: 12,
        lr: 0.01,
        seed: 0,
        finalLoss: (curve[curve.length - 1] as { loss: number }).loss,
        curve,
        wallMs: 0,
      });
    }
  }
  return runs;
}

test("analyseT4 recovers the exponents of a known surface and gamma from synthetic head-to-head scores", () => {
  // B/A = 20^α puts the optimum at D ≈ 20 N (Chinchilla's ratio), inside the ladder.
  const truth = { E: 0.9, A: 20, B: 20 * Math.pow(20, 0.35), alpha: 0.35, beta: 0.35 };
  const runs = syntheticRuns(truth);
  const sizes = [...new Set(runs.map((r) => r.n))].sort((a, b) => a - b);
  // Scores log N_i + Gumbel noise make model i beat j with probability exactly N_i/(N_i+N_j) (gamma = 1).
  const rng = new Rng(3);
  const rand = (): number => 1 - rng.next(); // in (0, 1]
  const items = 4000;
  const scores = sizes.map(() => new Array<number>(items).fill(0));
  for (let k = 0; k < items; k++)
    sizes.forEach((n, i) => ((scores[i] as number[])[k] = Math.log(n) - Math.log(-Math.log(rand()))));
  const lang = new ZipfLanguage({ lexiconSize: 256 }, 1);
  const { metrics, data } = analyseT4(runs, scores, { bootstrapReps: 20, baseYears: 15 }, lang, 7);
  const v = (k: T4Metric): number => metricValue(metrics[k]);
  assert.ok(Math.abs(v("fitAlpha") - 0.35) < 0.02, `fitAlpha ${v("fitAlpha")}`);
  assert.ok(Math.abs(v("fitBeta") - 0.35) < 0.02, `fitBeta ${v("fitBeta")}`);
  assert.ok(Math.abs(v("gammaHeadToHead") - 1) < 0.1, `gamma ${v("gammaHeadToHead")}`);
  // With alpha = beta the optimum is a = 1/2; the envelope of curves on a coarse N ladder is rougher.
  assert.ok(Math.abs(v("computeOptimalA") - 0.5) < 0.15, `a ${v("computeOptimalA")}`);
  assert.ok(v("r2N") > 0.95);
  assert.ok(v("decadesN") > 2);
  // The doubled model crosses its half-size neighbour somewhere along compute.
  assert.ok(data.doubled.pairs.some((p) => p.computeKind === "crosses"));
  for (const k of DOCUMENTED_METRICS) assert.ok(k in metrics, `metric ${k}`);
});

test("t4-scaling runs end to end at a tiny override and writes every documented metric and CSV", async () => {
  await testBackend();
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "t4-"));
  const overrides: Partial<T4Config> = {
    sizes: [
      { dModel: 4, nLayer: 1, nHead: 1 },
      { dModel: 6, nLayer: 1, nHead: 2 },
      { dModel: 8, nLayer: 1, nHead: 2 },
      { dModel: 10, nLayer: 1, nHead: 2 },
    ],
    tokens: [1024, 2048],
    checkpoints: 2,
    evalBatches: 1,
    headToHeadItems: 16,
    bootstrapReps: 4,
  };
  const record = await runExperiment(experiment, { profile: "smoke", seed: 5, overrides, outRoot });
  for (const k of DOCUMENTED_METRICS) assert.ok(k in record.metrics, `metric ${k} missing`);
  for (const k of ["alphaN", "r2N", "E", "fitAlpha", "fitBeta", "computeOptimalA"] as const)
    assert.ok(isInterval(record.metrics[k]), `${k} is an interval`);
  const csv = fs
    .readFileSync(path.join(outRoot, "smoke", "t4-scaling", "runs.csv"), "utf8")
    .trim()
    .split("\n");
  assert.equal(csv[0], "n_params,tokens,flops,loss");
  assert.ok(csv.length > 8 * 2, "one row per run and checkpoint");
  const row = (csv[1] as string).split(",").map(Number);
  assert.equal(row[2], 6 * row[0] * row[1], "flops = 6 N D");
  expectClaimsContract({ file: path.join(outRoot, "smoke", "t4-scaling", "results.json") });
  assert.ok(
    record.claims.every((c) => c.verdict === "measured"),
    "one seed per cell: nothing is asserted",
  );
  const figs = experiment.figures(
    JSON.parse(fs.readFileSync(path.join(outRoot, "smoke", "t4-scaling", "results.json"), "utf8")) as T4Record,
  );
  for (const name of [
    "loss-vs-n",
    "loss-vs-compute",
    "frontier",
    "isoflop",
    "head-to-head",
    "doubled-brain",
    "doubled-brain-data",
  ])
    assert.ok(figs[name] && figs[name].data.length > 0, `figure ${name}`);
  fs.rmSync(outRoot, { recursive: true, force: true });
});

test("an interrupted full sweep resumes from its finished runs and gives the same record", async () => {
  await testBackend();
  const overrides: Partial<T4Config> = {
    sizes: [
      { dModel: 4, nLayer: 1, nHead: 1 },
      { dModel: 6, nLayer: 1, nHead: 2 },
      { dModel: 8, nLayer: 1, nHead: 2 },
      { dModel: 10, nLayer: 1, nHead: 2 },
    ],
    tokens: [512, 1024],
    checkpoints: 2,
    evalBatches: 1,
    headToHeadItems: 8,
    bootstrapReps: 2,
  };
  const rootA = fs.mkdtempSync(path.join(os.tmpdir(), "t4a-"));
  const rootB = fs.mkdtempSync(path.join(os.tmpdir(), "t4b-"));
  const a = await runExperiment(experiment, { profile: "full", seed: 3, overrides, outRoot: rootA });
  assert.ok(
    !fs.existsSync(path.join(rootA, "full", "t4-scaling", "partial.json")),
    "partial.json is removed after a complete sweep",
  );
  const controller = new AbortController();
  let finished = 0;
  const log = (m: string): void => {
    if (m.startsWith("t4: N=") && ++finished === 3) controller.abort();
  };
  await assert.rejects(
    runExperiment(experiment, { profile: "full", seed: 3, overrides, outRoot: rootB, signal: controller.signal, log }),
  );
  assert.ok(fs.existsSync(path.join(rootB, "full", "t4-scaling", "partial.json")));
  const messages: string[] = [];
  const b = await runExperiment(experiment, {
    profile: "full",
    seed: 3,
    overrides,
    outRoot: rootB,
    log: (m) => messages.push(m),
  });
  assert.ok(
    messages.some((m) => m.includes("resuming") && m.includes("3 finished runs")),
    messages.join("\n"),
  );
  assert.equal(messages.filter((m) => m.startsWith("t4: N=")).length, 8 - 3, "only the missing runs are trained");
  const loss = (r: ResultRecord): number[] =>
    (r.data as { runs: { finalLoss: number }[] }).runs.map((x) => x.finalLoss);
  assert.deepEqual(loss(b), loss(a));
  assert.deepEqual(b.metrics["gammaHeadToHead"], a.metrics["gammaHeadToHead"]);
  fs.rmSync(rootA, { recursive: true, force: true });
  fs.rmSync(rootB, { recursive: true, force: true });
});

test("loadCachedT4 names the script that creates a missing cache", () => {
  assert.throws(() => loadCachedT4("/nonexistent/results.json"), /sweep-t4/);
});
