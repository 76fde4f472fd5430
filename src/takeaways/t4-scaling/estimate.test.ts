import assert from "node:assert/strict";
import { test } from "node:test";
import { expectNoLeak, testBackend } from "../../run/testing";
import {
  checkpointSteps,
  compareWithRuns,
  estimateSweep,
  planT4,
  planT4Lr,
  predictRunMs,
  runWork,
  shardedSweepSeconds,
  T4_GPU_EXTRA_SIZES,
  T4_PROFILES,
  type T4Config,
  type T4ModelSize,
  type T4Run,
  type T4SizeTiming,
  t4LadderConfig,
  t4Params,
  t4Shared,
  timeT4Size,
  timeT4Sizes,
} from "./index";

const FULL = T4_PROFILES.full;

/** Made-up timings that grow with width, so that a wrong size lookup shows. */
const fakeTimings = (c: T4Config): T4SizeTiming[] =>
  c.sizes.map((s) => ({
    ...s,
    n: t4Params(s, c),
    warmupSteps: 1,
    timedSteps: 1,
    msPerStep: s.dModel * s.nLayer,
    msPerEval: 10 * s.dModel,
    msContest: 1000 + s.dModel,
  }));

test("the GPU ladder is the CPU ladder and one more decade of N, sorted by depth then width", () => {
  assert.equal(t4LadderConfig(FULL, "cpu"), FULL);
  const gpu = t4LadderConfig(FULL, "gpu");
  assert.equal(gpu.sizes.length, FULL.sizes.length + T4_GPU_EXTRA_SIZES.length);
  for (const s of FULL.sizes) assert.ok(gpu.sizes.includes(s));
  const order = gpu.sizes.map((s) => s.nLayer * 1000 + s.dModel);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
  const maxN = (c: T4Config): number => Math.max(...c.sizes.map((s) => t4Params(s, c)));
  assert.ok(Math.log10(maxN(gpu) / maxN(FULL)) >= 1);
});

test("a run's work: its steps, one evaluation per checkpoint (one for a learning-rate run), and the contest if it plays", () => {
  const grid = planT4(FULL);
  const u = grid.find((x) => x.plays) as (typeof grid)[number];
  const steps = Math.round(u.tokens / (FULL.batchSize * FULL.seqLen));
  assert.deepEqual(runWork(u, FULL), { steps, evals: checkpointSteps(steps, FULL.checkpoints).length });
  const lr = planT4Lr(FULL)[0] as (typeof grid)[number];
  assert.equal(runWork(lr, FULL).evals, 1);
  const t = { msPerStep: 2, msPerEval: 30, msContest: 500 };
  assert.equal(predictRunMs(u, FULL, t), 2 * steps + 30 * runWork(u, FULL).evals + 500);
  const notPlaying = { ...u, plays: false };
  assert.equal(predictRunMs(notPlaying, FULL, t), 2 * steps + 30 * runWork(u, FULL).evals);
});

test("the sweep's estimate sums every planned run by its own size's timing, and refuses an untimed size", () => {
  const c = t4LadderConfig(FULL, "gpu");
  const timings = fakeTimings(c);
  const e = estimateSweep(c, timings);
  assert.equal(e.grid.runs, planT4(c).length);
  assert.equal(e.lr.runs, planT4Lr(c).length);
  const byHand = (units: ReturnType<typeof planT4>): number =>
    units.reduce((s, u) => {
      const t = timings.find((x) => x.dModel === u.size.dModel && x.nLayer === u.size.nLayer) as T4SizeTiming;
      return s + predictRunMs(u, c, t);
    }, 0) / 1000;
  assert.ok(Math.abs(e.grid.seconds - byHand(planT4(c))) < 1e-6);
  assert.ok(Math.abs(e.lr.seconds - byHand(planT4Lr(c))) < 1e-6);
  assert.ok(Math.abs(e.totalSeconds - e.lr.seconds - e.grid.seconds) < 1e-9);
  assert.ok(Math.abs(e.bySize.reduce((s, r) => s + r.gridSeconds, 0) - e.grid.seconds) < 1e-6);
  assert.equal(e.bySize.length, c.sizes.length);
  // The CPU ladder's timings cannot price the GPU ladder.
  assert.throws(() => estimateSweep(c, fakeTimings(FULL)), /size L1-d128-h4 was not timed/);
});

test("the check against finished runs: predicted over measured per size; sizes without a timing are left out", () => {
  const c = FULL;
  const timings = fakeTimings(c).slice(0, 3);
  const plan = planT4(c);
  const asRun = (u: (typeof plan)[number], wallMs: number): T4Run =>
    ({
      ...u.size,
      n: t4Params(u.size, c),
      tokens: u.tokens,
      replicate: u.replicate,
      wallMs,
      cpuMs: wallMs / 4,
      ...(u.plays ? { scores: [0] } : {}),
    }) as unknown as T4Run;
  const priced = (u: (typeof plan)[number]): number => {
    const t = timings.find((x) => x.dModel === u.size.dModel && x.nLayer === u.size.nLayer);
    return t === undefined ? 1000 : predictRunMs(u, c, t);
  };
  // Every run took twice its prediction: the ratio is ½ for every size, the others are not counted.
  const runs = plan.map((u) => asRun(u, 2 * priced(u)));
  const check = compareWithRuns(c, timings, runs);
  assert.equal(check.bySize.length, 3);
  for (const r of check.bySize) assert.ok(Math.abs(r.ratio - 0.5) < 1e-9, `${r.size}: ${r.ratio}`);
  assert.ok(Math.abs(check.ratio - 0.5) < 1e-9);
  assert.ok(Math.abs(check.ratioCpu - 2) < 1e-9, "CPU time a quarter of the wall time");
  assert.equal(
    check.bySize.reduce((s, r) => s + r.runs, 0),
    plan.filter((u) => timings.some((t) => t.dModel === u.size.dModel && t.nLayer === u.size.nLayer)).length,
  );
  // A run that played is charged its contest: dropping the scores lowers the prediction by exactly that.
  const playing = runs.filter((r) => r.scores !== undefined && r.dModel === (timings[0] as T4ModelSize).dModel);
  const without = compareWithRuns(
    c,
    timings.slice(0, 1),
    playing.map(({ scores: _s, ...r }) => r as T4Run),
  );
  const withScores = compareWithRuns(c, timings.slice(0, 1), playing);
  assert.ok(
    Math.abs(
      withScores.predictedS - without.predictedS - (playing.length * (timings[0] as T4SizeTiming).msContest) / 1000,
    ) < 1e-9,
  );
});

test("timing a size: positive step, evaluation and contest times, and no tensor left behind", async () => {
  await testBackend();
  const c = T4_PROFILES.smoke;
  const shared = t4Shared(c, 3);
  const size = c.sizes[0] as T4ModelSize;
  const t = await expectNoLeak(() => timeT4Size(size, c, 3, shared, { warmup: 1, steps: 2 }), "timeT4Size");
  assert.equal(t.n, t4Params(size, c));
  for (const k of ["msPerStep", "msPerEval", "msContest"] as const)
    assert.ok(Number.isFinite(t[k]) && t[k] > 0, `${k} = ${t[k]}`);
  await assert.rejects(
    () => timeT4Size(size, c, 3, shared, { warmup: 0, steps: 2 }),
    /warmup must be ≥ 1 and steps ≥ 2/,
  );
});

test("P copies at once: the sweep in P shards takes their mean one-process total over P", () => {
  const rows = shardedSweepSeconds([
    { concurrent: 4, totalSeconds: 400 },
    { concurrent: 1, totalSeconds: 100 },
    { concurrent: 4, totalSeconds: 480 },
    { concurrent: 4, totalSeconds: 440 },
    { concurrent: 4, totalSeconds: 440 },
  ]);
  assert.deepEqual(rows, [
    { concurrent: 1, files: 1, meanSecondsPerProcess: 100, sweepSeconds: 100 },
    { concurrent: 4, files: 4, meanSecondsPerProcess: 440, sweepSeconds: 110 },
  ]);
  assert.throws(() => shardedSweepSeconds([{ concurrent: 0, totalSeconds: 1 }]), /concurrent must be a whole number/);
});

test("timing a size goes on, chunk after chunk, until the minimum time is timed", async () => {
  await testBackend();
  const c = T4_PROFILES.smoke;
  const size = c.sizes[0] as T4ModelSize;
  const t = await timeT4Size(size, c, 3, t4Shared(c, 3), { warmup: 1, steps: 2, minMs: 300 });
  assert.ok(t.timedSteps > 2, `${t.timedSteps} steps`);
  assert.ok(t.timedSteps * t.msPerStep >= 300, `${t.timedSteps} × ${t.msPerStep} ms`);
});

test("timing a ladder: every size once, in the ladder's order, each reported as it is done", async () => {
  await testBackend();
  const c = { ...T4_PROFILES.smoke, sizes: T4_PROFILES.smoke.sizes.slice(0, 3) };
  const seen: number[] = [];
  const ts = await timeT4Sizes(c, 3, t4Shared(c, 3), { warmup: 1, steps: 2, processWarmup: 2 }, (t) =>
    seen.push(t.dModel),
  );
  assert.deepEqual(
    ts.map((t) => t.dModel),
    c.sizes.map((s) => s.dModel),
  );
  assert.deepEqual(
    seen,
    c.sizes.map((s) => s.dModel),
  );
  await assert.rejects(
    () => timeT4Sizes({ ...c, sizes: [] }, 3, t4Shared(c, 3), { warmup: 1, steps: 2, processWarmup: 0 }),
    /no sizes/,
  );
});
