import * as fs from "fs";
import assert from "node:assert/strict";
import { test } from "node:test";
import * as os from "os";
import * as path from "path";
import { chinchillaLoss, logSpace } from "../../fit";
import { Rng } from "../../rng";
import { resolveConfig, runExperiment } from "../../run/experiment";
import { isInterval } from "../../stats";
import { expectClaimsContract, testBackend } from "../../run/testing";
import {
  analyseLrSweep,
  analyseReplicate,
  assembleT4,
  checkpointSteps,
  collectRuns,
  experiment,
  guessingGameWins,
  isoFlopFit,
  loadCachedT4,
  lrSweepCostShare,
  mergeLrStage,
  parametricComputeOptimalA,
  planT4,
  planT4Lr,
  readLrRule,
  resolveShard,
  sweepCommand,
  runFile,
  runShard,
  shardUnits,
  T4_GPU_EXTRA_SIZES,
  T4_PROFILES,
  type T4Config,
  type T4Metric,
  type T4Record,
  type T4Run,
  t4LearningRate,
  t4Params,
  t4RuleLearningRate,
} from "./index";

/** The output contract's metric keys (issue 19). */
const CONTRACT_METRICS: ReadonlyArray<T4Metric> = [
  "decadesN",
  "seedsPerCell",
  "depths",
  "alphaN",
  "computeOptimalA_isoflop_6ND",
  "computeOptimalA_isoflop_withAttention",
  "computeOptimalA_parametric_6ND",
  "computeOptimalA_parametric_withAttention",
  "fitE_free",
  "entropyRate",
  "extrapolationRelError",
  "gammaHeadToHead",
  "doubledBrainCrossoverSlope_compute",
  "doubledBrainCrossoverSlope_data",
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

test("the learning-rate sweep: sizes over the ladder at both depths, ¼…4 × the prior, ≤ 15% of the grid's compute", () => {
  for (const profile of ["quick", "full"] as const) {
    const c = T4_PROFILES[profile];
    const share = lrSweepCostShare(c);
    assert.ok(share > 0.02 && share <= 0.15, `${profile}: lr sweep ${share} of the grid`);
    assert.equal(new Set(c.lrSweep.sizes.map((s) => s.nLayer)).size, 2);
    const ns = c.lrSweep.sizes.map((s) => t4Params(s, c));
    const ladder = c.sizes.map((s) => t4Params(s, c));
    assert.ok(Math.min(...ns) === Math.min(...ladder) && Math.max(...ns) < Math.max(...ladder), "largest left out");
    assert.ok(Math.log10(Math.max(...ns) / Math.min(...ns)) > 2.5, "spans the ladder");
    const units = planT4Lr(c);
    assert.equal(new Set(units.map((u) => u.key)).size, units.length);
    assert.equal(
      units.length,
      c.lrSweep.seeds * c.lrSweep.sizes.length * (c.lrSweep.multipliers.length + c.lrSweep.warmupFractions.length - 1),
    );
  }
});

test("analyseLrSweep recovers a known lr_opt ∝ N^b with its interval, the best warm-up, and flags an optimum at an edge", () => {
  const c = T4_PROFILES.full;
  const b = -0.4;
  const truth = (n: number): number => 0.02 * Math.pow(n / 1e4, b);
  const runs: T4Run[] = [];
  let k = 0;
  for (const u of planT4Lr(c)) {
    const n = t4Params(u.size, c);
    const lr = t4LearningRate(n, c) * (u.lrMultiplier as number);
    // A smooth bowl in ln lr around the truth (the largest size's optimum beyond the largest multiplier),
    // plus a small deterministic wobble; warm-up 0.15 is best.
    const centre = u.size.dModel === 64 ? t4LearningRate(n, c) * 8 : truth(n);
    const loss =
      1 + 0.05 * Math.log(lr / centre) ** 2 + 0.001 * Math.sin(k++) + (u.warmupFraction === 0.15 ? -0.01 : 0);
    runs.push({
      ...u.size,
      n,
      tokens: u.tokens,
      steps: 1,
      lr,
      lrMultiplier: u.lrMultiplier as number,
      warmupFraction: u.warmupFraction as number,
      seed: 0,
      replicate: u.replicate,
      shard: 0,
      finalLoss: loss,
      curve: [],
      wallMs: 0,
      cpuMs: 1,
    });
  }
  const sweep = analyseLrSweep(runs, c, 0.1);
  const edge = sweep.perSize.find((p) => p.dModel === 64 && p.nLayer === 1);
  assert.ok(edge?.atEdge, "the d = 64 optimum lies beyond the largest multiplier");
  for (const p of sweep.perSize.filter((q) => !q.atEdge && q.n < 5e4)) {
    const inRange = truth(p.n) >= Math.min(...p.lrs) && truth(p.n) <= Math.max(...p.lrs);
    if (inRange)
      assert.ok(Math.abs(Math.log(p.lrOpt / truth(p.n))) < 0.2, `lr_opt ${p.lrOpt} vs ${truth(p.n)} at N = ${p.n}`);
  }
  assert.equal(sweep.rule.warmupFraction, 0.15);
  assert.ok(sweep.rule.exponentLo <= sweep.rule.exponent && sweep.rule.exponent <= sweep.rule.exponentHi);
  assert.ok(Math.abs(t4RuleLearningRate(sweep.rule.refParams, sweep.rule) - sweep.rule.lrRef) < 1e-15);
  // Without the edge size the exponent is the truth's.
  const clean = analyseLrSweep(
    runs.filter((r) => !(r.dModel === 64 && r.nLayer === 1)),
    c,
    0.1,
  );
  assert.ok(Math.abs(clean.rule.exponent - b) < 0.05, `exponent ${clean.rule.exponent}`);
  assert.ok(clean.rule.exponentLo < b && b < clean.rule.exponentHi, "interval covers the truth");
});

test("the full ladder spans ≥ 3 decades at depth 1 with ≈ 2× steps, two depths, ≥ 5 seeds; the GPU ladder adds a decade", () => {
  const c = T4_PROFILES.full;
  const d1 = c.sizes.filter((s) => s.nLayer === 1).map((s) => t4Params(s, c));
  assert.ok(Math.log10(d1[d1.length - 1] / d1[0]) >= 3, `N from ${d1[0]} to ${d1[d1.length - 1]}`);
  for (let i = 1; i < d1.length; i++) {
    const r = d1[i] / d1[i - 1];
    assert.ok(r > 1.6 && r < 3, `ratio ${r} between ${d1[i - 1]} and ${d1[i]}`);
  }
  assert.ok(new Set(c.sizes.map((s) => s.nLayer)).size >= 2);
  assert.ok(c.seedsPerCell >= 5 && T4_PROFILES.quick.seedsPerCell >= 3);
  const gpu = [...c.sizes, ...T4_GPU_EXTRA_SIZES].map((s) => t4Params(s, c));
  assert.ok(Math.log10(Math.max(...gpu) / Math.max(...d1)) >= 1, "one more decade");
});

/** Synthetic runs on a known surface: sizes of both depths, curves on it exactly. */
function syntheticRuns(
  truth: { E: number; A: number; B: number; alpha: number; beta: number },
  replicate = 0,
): T4Run[] {
  const runs: T4Run[] = [];
  const widths = [4, 6, 8, 12, 16, 24, 32, 48, 64, 96];
  for (const [L, ws] of [
    [1, widths],
    [2, [8, 16, 32]],
  ] as const) {
    for (const d of ws) {
      const n = 12 * d * d * L;
      for (const tokens of logSpace(1.3e5, 2.1e6, 5).map(Math.round)) {
        const curve = logSpace(tokens / 32, tokens, 12).map((t, k) => ({
          step: k + 1,
          tokens: t,
          flops: 6 * n * t,
          flopsAttn: 6 * (n + L * 32 * d) * t,
          loss: chinchillaLoss(truth, n, t),
        }));
        runs.push({
          dModel: d,
          nLayer: L,
          nHead: 1,
          n,
          tokens,
          steps: 12,
          lr: 0.01,
          seed: 0,
          replicate,
          shard: 0,
          finalLoss: (curve[curve.length - 1] as { loss: number }).loss,
          curve,
          wallMs: 0,
          cpuMs: 0,
        });
      }
    }
  }
  return runs;
}

test("IsoFLOP profiles and the parametric optimum recover a = β/(α+β) on known surfaces (½ and Kaplan's 0.73)", () => {
  for (const [alpha, beta] of [
    [0.35, 0.35],
    [0.3 * (0.27 / 0.73), 0.3],
  ] as const) {
    const want = beta / (alpha + beta);
    // B/A chosen so the optimum lies inside the ladder at the middle budgets.
    const truth = { E: 0.9, A: 20, B: 20 * Math.pow(20, alpha), alpha, beta };
    const runs = syntheticRuns(truth);
    const ns = [...new Set(runs.map((r) => r.n))];
    const sizes = ns.map((n) => ({
      n,
      curves: runs
        .filter((r) => r.n === n)
        .map((r) => ({ xs: r.curve.map((p) => p.flops), ys: r.curve.map((p) => p.loss) })),
    }));
    const p = parametricComputeOptimalA(truth, (n) => n, 1e9, 1e12);
    assert.ok(Math.abs(p - want) < 0.01, `parametric a ${p} vs ${want}`);
    if (want === 0.5) {
      const iso = isoFlopFit(sizes);
      assert.ok(Math.abs(iso.a - 0.5) < 0.1, `isoflop a ${iso.a}`);
    }
  }
});

test("the guessing game: identical players split evenly, a better guesser wins more, and γ follows", () => {
  const K = 3000;
  const rng = new Rng(4);
  const weak = Array.from({ length: K }, () => Math.log(0.2));
  const strong = Array.from({ length: K }, () => Math.log(0.6));
  const same = guessingGameWins([weak, weak], rng);
  const share = (same[1] as number[])[0] / ((same[1] as number[])[0] + (same[0] as number[])[1]);
  assert.ok(Math.abs(share - 0.5) < 0.04, `identical share ${share}`);
  const w = guessingGameWins([weak, strong], rng);
  // P(strong wins a decided round) = 0.6·0.8 / (0.6·0.8 + 0.2·0.4) = 0.857.
  const s2 = (w[1] as number[])[0] / K;
  assert.ok(Math.abs(s2 - 0.857) < 0.03, `strong share ${s2}`);
});

test("analyseReplicate on an exact surface: the held-out largest size is predicted, persistence is not; control a ≈ 0.73", () => {
  const truth = { E: 0.9, A: 20, B: 20 * Math.pow(20, 0.35), alpha: 0.35, beta: 0.35 };
  const a = analyseReplicate(syntheticRuns(truth), { seqLen: 32 }, 0.9, 0, 1);
  assert.ok(a.extrapolation.relError < 0.005, `extrapolation error ${a.extrapolation.relError}`);
  assert.ok(a.extrapolation.relErrorPersistence > 0.01, `persistence error ${a.extrapolation.relErrorPersistence}`);
  assert.ok(Math.abs(a.fitE_free - 0.9) < 0.02, `E ${a.fitE_free}`);
  assert.ok(Math.abs(a.fitAlpha_pinned - 0.35) < 0.02, `pinned α ${a.fitAlpha_pinned}`);
  assert.ok(Math.abs(a.computeOptimalA_parametric_6ND - 0.5) < 0.01, `a ${a.computeOptimalA_parametric_6ND}`);
  assert.ok(Math.abs(a.computeOptimalA_kaplanControl - 0.73) < 0.12, `control a ${a.computeOptimalA_kaplanControl}`);
  assert.ok(Number.isFinite(a.computeOptimalA_isoflop_withAttention));
  // The next size's compute-optimal budget from the smaller sizes agrees with the fit on every size.
  assert.ok(Math.abs(a.nextSize.log10Ratio) < 0.15, `next-size log10 ratio ${a.nextSize.log10Ratio}`);
  assert.ok(a.nextSize.predictedTokens > 0);
});

test("shards: --shard i/n, Slurm and Kubernetes indices; every run in exactly one shard", () => {
  assert.deepEqual(resolveShard("1/3", {}), { index: 1, count: 3 });
  assert.deepEqual(
    resolveShard(undefined, { SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "4", SLURM_ARRAY_TASK_COUNT: "3" }),
    {
      index: 1,
      count: 3,
    },
  );
  assert.deepEqual(resolveShard(undefined, { JOB_COMPLETION_INDEX: "2" }, 4), { index: 2, count: 4 });
  assert.deepEqual(resolveShard(undefined, {}), { index: 0, count: 1 });
  assert.throws(() => resolveShard("3/3", {}), /shard/);
  assert.throws(() => resolveShard("x", {}), /i\/n/);
  assert.throws(() => resolveShard(undefined, { JOB_COMPLETION_INDEX: "0" }), /count/);
  const c = T4_PROFILES.quick;
  const plan = planT4(c);
  const keys = [0, 1, 2].flatMap((i) => shardUnits(plan, c, { index: i, count: 3 }).map((u) => u.key));
  assert.equal(keys.length, plan.length);
  assert.equal(new Set(keys).size, plan.length);
});

const TINY: Partial<T4Config> = {
  sizes: [
    { dModel: 2, nLayer: 1, nHead: 1 },
    { dModel: 4, nLayer: 1, nHead: 1 },
    { dModel: 6, nLayer: 1, nHead: 2 },
    { dModel: 4, nLayer: 2, nHead: 1 },
  ],
  batchSize: 4,
  tokens: [512, 1024],
  seedsPerCell: 2,
  checkpoints: 2,
  evalBatches: 1,
  headToHeadItems: 8,
  bootstrapReps: 2,
  lrSweep: { ...T4_PROFILES.smoke.lrSweep, tokens: 512 },
};

test("t4-scaling end to end: contract metrics with intervals over seeds, CSV columns, claims contract, figures; three shards merge to the same record", async () => {
  await testBackend();
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "t4-"));
  const record = await runExperiment(experiment, { profile: "smoke", seed: 5, overrides: TINY, outRoot });
  for (const k of CONTRACT_METRICS) assert.ok(k in record.metrics, `metric ${k} missing`);
  assert.ok(isInterval(record.metrics.lrExponent), "the learning-rate rule's exponent with its interval");
  assert.ok(fs.existsSync(path.join(outRoot, "smoke", "t4-scaling", "lr-sweep.csv")));
  for (const k of ["alphaN", "fitE_free", "gammaHeadToHead", "extrapolationRelError"] as const) {
    const m = record.metrics[k];
    assert.ok(isInterval(m) && m.n === 2, `${k} is an interval over the 2 seeds`);
  }
  const csv = fs
    .readFileSync(path.join(outRoot, "smoke", "t4-scaling", "runs.csv"), "utf8")
    .trim()
    .split("\n");
  const cols = (csv[0] as string).split(",");
  for (const c of ["n_params", "tokens", "flops", "loss", "seed", "depth", "shard", "flops_attn"])
    assert.ok(cols.includes(c), c);
  expectClaimsContract({ file: path.join(outRoot, "smoke", "t4-scaling", "results.json") });
  assert.ok(record.claims.some((c) => c.asserted && c.control !== null));
  const figs = experiment.figures(
    JSON.parse(fs.readFileSync(path.join(outRoot, "smoke", "t4-scaling", "results.json"), "utf8")) as T4Record,
  );
  for (const [name, f] of Object.entries(figs)) assert.ok(f.data.length > 0, `figure ${name}`);

  // The same sweep in three shards into one folder, then merged: the learning-rate stage first (the grid's
  // shards refuse to start without its rule), then the grid; the same runs and claims.
  const config = resolveConfig(experiment, "smoke", TINY);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t4s-"));
  await assert.rejects(() => runShard(config, 5, dir, { index: 0, count: 3 }), /stage lr/);
  for (const index of [1, 0, 2]) await runShard(config, 5, dir, { index, count: 3 }, { stage: "lr" });
  assert.throws(() => readLrRule(dir, config, 5), /lr-rule|learning-rate/);
  const sweep = mergeLrStage([dir], config, 5);
  assert.deepEqual(readLrRule(dir, config, 5), sweep.rule);
  assert.deepEqual(sweep.rule, record.data.lrSweep?.rule, "sharded lr stage = in-process lr stage");
  assert.ok(fs.existsSync(path.join(dir, "lr-sweep.csv")));
  for (const index of [2, 0, 1]) await runShard(config, 5, dir, { index, count: 3 });
  const again = await runShard(config, 5, dir, { index: 0, count: 3 });
  assert.equal(again.trained.length, 0, "a restarted shard skips its finished runs");
  const rule = sweep.rule;
  const got = collectRuns([dir], config, 5, { rule });
  assert.deepEqual(got.missing, []);
  // Runs trained under another rule are not this sweep's.
  assert.equal(collectRuns([dir], config, 5, { rule: { ...rule, lrRef: rule.lrRef * 2 } }).runs.length, 0);
  const merged = assembleT4(got.runs, config, 5, "smoke", sweep);
  const losses = (runs: ReadonlyArray<T4Run>): number[] => runs.map((r) => r.finalLoss);
  assert.deepEqual(losses(merged.data.runs), losses(record.data.runs));
  assert.deepEqual(
    merged.claims.map((c) => [c.id, c.verdict, c.value]),
    record.claims.map((c) => [c.id, c.verdict, c.value]),
  );
  // The grid trained with the fitted rule's learning rates.
  for (const r of merged.data.runs) assert.ok(Math.abs(r.lr - t4RuleLearningRate(r.n, rule)) < 1e-12);
  // A missing run is reported; an identical copy in a second folder is fine; a conflicting one is an error.
  const plan = planT4(config);
  const victim = runFile(dir, (plan[0] as { key: string }).key);
  const text = fs.readFileSync(victim, "utf8");
  const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), "t4s2-"));
  fs.mkdirSync(path.join(dir2, "runs"));
  fs.writeFileSync(path.join(dir2, "runs", path.basename(victim)), text);
  assert.equal(collectRuns([dir, dir2], config, 5, { rule }).duplicates.length, 1);
  fs.rmSync(victim);
  assert.deepEqual(collectRuns([dir], config, 5, { rule }).missing, [(plan[0] as { key: string }).key]);
  const changed = JSON.parse(text) as { run: { finalLoss: number } };
  changed.run.finalLoss += 1;
  fs.writeFileSync(victim, JSON.stringify(changed));
  assert.throws(() => collectRuns([dir, dir2], config, 5, { rule }), /different results/);
  for (const d of [outRoot, dir, dir2]) fs.rmSync(d, { recursive: true, force: true });
});

test("loadCachedT4 names the script that creates a missing cache", () => {
  assert.throws(() => loadCachedT4("/nonexistent/results.json"), /sweep-t4/);
});

test("the sweep's provenance says how it ran: in one process or in shards, per stage", () => {
  const one = sweepCommand("full", 1234, "cpu", [
    { stage: "lr", shard: "0/1" },
    { stage: "main", shard: "0/1" },
  ]);
  assert.match(one, /--stage lr in one process, its merge, then the grid in one process and --merge$/);
  const sharded = sweepCommand("full", 7, "gpu", [
    { stage: "lr", shard: "0/2" },
    { stage: "lr", shard: "1/2" },
    { stage: "main", shard: "0/8" },
    ...Array.from({ length: 7 }, (_, i) => ({ stage: "main", shard: `${i + 1}/8` })),
  ]);
  assert.match(
    sharded,
    /--seed 7 --ladder gpu: --stage lr in 2 shards \(--shard i\/2\), its merge, then the grid in 8 shards/,
  );
});
