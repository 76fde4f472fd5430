/**
 * How long the t4 sweep takes on this engine, from a few timed steps of each size (issue 23, item 4: "say how long
 * the full sweep takes on the GPU"). A run of the sweep is its training steps, its evaluations (one per checkpoint;
 * one for a learning-rate sweep run) and, for the run that plays, the head-to-head contest; each costs about the same
 * every time for a given size, so a handful of timed steps, one evaluation and one contest per size predict every run
 * of the plan. The first steps of a size are not timed: they compile (WebGPU's shaders, V8's code) and would count a
 * once-per-process cost against every step. The prediction is checked against a finished sweep's own run times
 * ({@link compareWithRuns}), on the CPU where one is shipped (data/results/t4-scaling/).
 */
import { continuationLogLikelihood } from "../../generate";
import { deriveSeed } from "../../rng";
import { evaluateLoss, trainModel } from "../../train";
import { createGPT } from "../../transformer";
import { type T4Config, type T4ModelSize, type T4Run, t4GptConfig, t4Params, T4_GPU_EXTRA_SIZES } from "./config";
import { checkpointSteps, planT4, planT4Lr, type T4Shared, type T4Unit, t4RunSteps } from "./run";

/** Which ladder of sizes: the CPU's, or the CPU's and one more decade of N ({@link T4_GPU_EXTRA_SIZES}). */
export type T4Ladder = "cpu" | "gpu";

/** A `--ladder` value, checked. */
export function parseT4Ladder(value: string | true | undefined): T4Ladder {
  const ladder = value ?? "cpu";
  if (ladder !== "cpu" && ladder !== "gpu") throw new Error(`--ladder: cpu or gpu, got "${String(ladder)}"`);
  return ladder;
}

/** The config of a ladder: the GPU ladder adds its sizes to the profile's, sorted by depth, then width. */
export function t4LadderConfig(base: T4Config, ladder: T4Ladder): T4Config {
  if (ladder === "cpu") return base;
  return {
    ...base,
    sizes: [...base.sizes, ...T4_GPU_EXTRA_SIZES].sort((a, b) => a.nLayer - b.nLayer || a.dModel - b.dModel),
  };
}

/** What one size costs on this engine (milliseconds), measured by {@link timeT4Size}. */
export interface T4SizeTiming extends T4ModelSize {
  readonly n: number;
  /** Steps run before the timing (compilation, first allocations). */
  readonly warmupSteps: number;
  readonly timedSteps: number;
  /** One optimiser step: forward, backward, AdamW and the [loss, grad norm] readback. */
  readonly msPerStep: number;
  /** One held-out evaluation (evaluateLoss, config.evalBatches batches of 64). */
  readonly msPerEval: number;
  /** The head-to-head contest (the log-likelihood of every item), paid by the run that plays. */
  readonly msContest: number;
}

/** Untimed steps at the start of each later chunk of {@link timeT4Size}. */
const RESTART_STEPS = 10;

/**
 * Time one size: `warmup` untimed steps, then `steps` timed ones, and while fewer than `minMs` milliseconds are
 * timed, one more chunk sized to fill the rest (a few milliseconds per step on the CPU: fifty steps alone vary by
 * ±50%); then one evaluation and one contest (each after one untimed call). Each chunk is a trainModel call; a
 * step's time is the interval between two steps' ends within a chunk, so a chunk's set-up is not counted.
 * Measured on the CPU against a quick sweep run just before (one core each): chunks of 50 steps predicted the
 * smallest sizes' runs 1.3–1.7× too slow, one chunk of 400 steps 1.05–1.2×.
 */
export async function timeT4Size(
  size: T4ModelSize,
  config: T4Config,
  baseSeed: number,
  shared: T4Shared,
  opts: { readonly warmup: number; readonly steps: number; readonly minMs?: number },
): Promise<T4SizeTiming> {
  if (!(opts.warmup >= 1 && opts.steps >= 2))
    throw new Error(`timeT4Size: warmup must be ≥ 1 and steps ≥ 2 (got ${opts.warmup}, ${opts.steps})`);
  const minMs = opts.minMs ?? 0;
  const n = t4Params(size, config);
  const seed = deriveSeed(baseSeed, "t4", "estimate", size.dModel, size.nLayer, size.nHead);
  const model = createGPT(t4GptConfig(size, config), deriveSeed(seed, "init"));
  try {
    let timedMs = 0;
    let timedSteps = 0;
    for (let chunk = 0; timedSteps < opts.steps || timedMs < minMs; chunk++) {
      // A new trainModel call runs its first steps slower (new optimizer state): those of a later chunk are not
      // timed either, and it is sized to fill the time still missing, so that few chunks are needed.
      const untimed = chunk === 0 ? opts.warmup : RESTART_STEPS;
      const timed =
        chunk === 0 ? opts.steps : Math.max(opts.steps, Math.ceil((1.1 * (minMs - timedMs)) / (timedMs / timedSteps)));
      let prev = Number.NaN;
      await trainModel(
        model,
        shared.sampler,
        {
          numSteps: untimed + timed,
          batchSize: config.batchSize,
          lr: config.lr,
          minLr: config.lr * config.minLrFraction,
          warmupSteps: 1,
          weightDecay: config.weightDecay,
          evalEvery: 0,
          gradClip: 1,
        },
        {
          seed: deriveSeed(seed, "chunk", chunk),
          // onStep runs after the step's readback, so the clock sees finished steps.
          onStep: (rec) => {
            const now = performance.now();
            if (rec.step > untimed) {
              timedMs += now - prev;
              timedSteps += 1;
            }
            prev = now;
          },
        },
      );
    }
    const timeIt = async (f: () => Promise<unknown>): Promise<number> => {
      await f();
      const t0 = performance.now();
      await f();
      return performance.now() - t0;
    };
    const msPerEval = await timeIt(() => evaluateLoss(model, shared.sampler, 64, config.evalBatches, shared.evalSeed));
    const msContest = await timeIt(() =>
      continuationLogLikelihood(
        model,
        shared.items.map((it) => it.prefix),
        shared.items.map((it) => it.continuation),
      ),
    );
    return {
      ...size,
      n,
      warmupSteps: opts.warmup,
      timedSteps,
      msPerStep: timedMs / timedSteps,
      msPerEval,
      msContest,
    };
  } finally {
    model.dispose();
  }
}

/**
 * Time every size of the config's ladder, after warming the process up: the first model of a fresh process runs
 * its steps up to 2× slower than later ones (measured on the CPU: 5.5 against 2.5 ms per step for the smallest size,
 * V8 still compiling tfjs's dispatch), while a sweep's runs come after hundreds of steps. So the first size trains
 * `processWarmup` steps untimed before anything is timed.
 */
export async function timeT4Sizes(
  config: T4Config,
  baseSeed: number,
  shared: T4Shared,
  opts: { readonly warmup: number; readonly steps: number; readonly minMs?: number; readonly processWarmup: number },
  onSize?: (t: T4SizeTiming) => void,
): Promise<T4SizeTiming[]> {
  const first = config.sizes[0];
  if (first === undefined) throw new Error("timeT4Sizes: the config has no sizes");
  if (opts.processWarmup > 0)
    await timeT4Size(first, config, baseSeed, shared, { warmup: opts.processWarmup, steps: 2 });
  const out: T4SizeTiming[] = [];
  for (const size of config.sizes) {
    const t = await timeT4Size(size, config, baseSeed, shared, opts);
    out.push(t);
    onSize?.(t);
  }
  return out;
}

const sizeKey = (s: T4ModelSize): string => `L${s.nLayer}-d${s.dModel}-h${s.nHead}`;

/** The steps and evaluations a planned run makes (as {@link trainT4Run} does them). */
export function runWork(
  unit: T4Unit,
  config: Pick<T4Config, "batchSize" | "seqLen" | "checkpoints">,
): {
  steps: number;
  evals: number;
} {
  const steps = t4RunSteps(unit.tokens, config);
  return { steps, evals: unit.lrMultiplier !== undefined ? 1 : checkpointSteps(steps, config.checkpoints).length };
}

/** A run's predicted wall time (ms) from its size's timing. */
export function predictRunMs(
  unit: T4Unit,
  config: Pick<T4Config, "batchSize" | "seqLen" | "checkpoints">,
  timing: Pick<T4SizeTiming, "msPerStep" | "msPerEval" | "msContest">,
): number {
  const { steps, evals } = runWork(unit, config);
  return steps * timing.msPerStep + evals * timing.msPerEval + (unit.plays ? timing.msContest : 0);
}

/** The predicted time of a sweep's two stages in one process, and per size. */
export interface T4SweepEstimate {
  readonly lr: { readonly runs: number; readonly seconds: number };
  readonly grid: { readonly runs: number; readonly seconds: number };
  /** Both stages, one after the other, in one process. */
  readonly totalSeconds: number;
  readonly bySize: ReadonlyArray<{ readonly size: string; readonly n: number; readonly gridSeconds: number }>;
}

/** Predict every run of the plan (learning-rate stage and grid) from per-size timings; every size must be timed. */
export function estimateSweep(config: T4Config, timings: ReadonlyArray<T4SizeTiming>): T4SweepEstimate {
  const byKey = new Map(timings.map((t) => [sizeKey(t), t]));
  const of = (u: T4Unit): T4SizeTiming => {
    const t = byKey.get(sizeKey(u.size));
    if (t === undefined) throw new Error(`estimateSweep: size ${sizeKey(u.size)} was not timed`);
    return t;
  };
  const sum = (units: T4Unit[]): number => units.reduce((s, u) => s + predictRunMs(u, config, of(u)), 0) / 1000;
  const lrUnits = planT4Lr(config);
  const grid = planT4(config);
  const lr = { runs: lrUnits.length, seconds: sum(lrUnits) };
  const g = { runs: grid.length, seconds: sum(grid) };
  return {
    lr,
    grid: g,
    totalSeconds: lr.seconds + g.seconds,
    bySize: config.sizes.map((s) => ({
      size: sizeKey(s),
      n: t4Params(s, config),
      gridSeconds: sum(grid.filter((u) => sizeKey(u.size) === sizeKey(s))),
    })),
  };
}

/** Predicted against measured, per size, for the runs of a finished sweep (their `wallMs`). */
export interface T4EstimateCheck {
  readonly bySize: ReadonlyArray<{
    readonly size: string;
    readonly n: number;
    readonly runs: number;
    readonly predictedS: number;
    readonly measuredS: number;
    /** The runs' CPU time: what a single-threaded engine's wall time is when the run had a core to itself. */
    readonly measuredCpuS: number;
    /** predicted / measured (wall), predicted / measured CPU. */
    readonly ratio: number;
    readonly ratioCpu: number;
  }>;
  readonly predictedS: number;
  readonly measuredS: number;
  readonly measuredCpuS: number;
  readonly ratio: number;
  readonly ratioCpu: number;
}

/**
 * Compare the prediction with a finished sweep's runs (grid runs: `steps` and `scores` say what each did). Sizes
 * without a timing are left out (a CPU sweep checked against GPU-ladder timings, or the reverse). On the CPU the
 * runs' CPU time is the fairer yardstick when the sweep shared its cores (its wall time then counts waiting).
 */
export function compareWithRuns(
  config: Pick<T4Config, "batchSize" | "seqLen" | "checkpoints">,
  timings: ReadonlyArray<T4SizeTiming>,
  runs: ReadonlyArray<T4Run>,
): T4EstimateCheck {
  const byKey = new Map(timings.map((t) => [sizeKey(t), t]));
  const rows = new Map<
    string,
    { n: number; runs: number; predictedS: number; measuredS: number; measuredCpuS: number }
  >();
  for (const r of runs) {
    const t = byKey.get(sizeKey(r));
    if (t === undefined) continue;
    const unit: T4Unit = {
      replicate: r.replicate,
      size: r,
      tokens: r.tokens,
      key: "",
      plays: r.scores !== undefined,
      ...(r.lrMultiplier !== undefined ? { lrMultiplier: r.lrMultiplier } : {}),
    };
    const row = rows.get(sizeKey(r)) ?? { n: r.n, runs: 0, predictedS: 0, measuredS: 0, measuredCpuS: 0 };
    row.runs += 1;
    row.predictedS += predictRunMs(unit, config, t) / 1000;
    row.measuredS += r.wallMs / 1000;
    row.measuredCpuS += r.cpuMs / 1000;
    rows.set(sizeKey(r), row);
  }
  const bySize = [...rows.entries()]
    .map(([size, r]) => ({ size, ...r, ratio: r.predictedS / r.measuredS, ratioCpu: r.predictedS / r.measuredCpuS }))
    .sort((a, b) => a.n - b.n);
  const predictedS = bySize.reduce((s, r) => s + r.predictedS, 0);
  const measuredS = bySize.reduce((s, r) => s + r.measuredS, 0);
  const measuredCpuS = bySize.reduce((s, r) => s + r.measuredCpuS, 0);
  return {
    bySize,
    predictedS,
    measuredS,
    measuredCpuS,
    ratio: predictedS / measuredS,
    ratioCpu: predictedS / measuredCpuS,
  };
}

/**
 * The sweep's wall time in P balanced shards from estimates made by P copies running at once (each copy's total is
 * the whole sweep in one process at that sharing): the mean total over P. Rows by P, ascending.
 */
export function shardedSweepSeconds(
  estimates: ReadonlyArray<{ readonly concurrent: number; readonly totalSeconds: number }>,
): Array<{ concurrent: number; files: number; meanSecondsPerProcess: number; sweepSeconds: number }> {
  const byP = new Map<number, number[]>();
  for (const e of estimates) {
    if (!(Number.isInteger(e.concurrent) && e.concurrent >= 1))
      throw new Error(`shardedSweepSeconds: concurrent must be a whole number ≥ 1 (got ${e.concurrent})`);
    byP.set(e.concurrent, [...(byP.get(e.concurrent) ?? []), e.totalSeconds]);
  }
  return [...byP.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([concurrent, totals]) => {
      const mean = totals.reduce((s, t) => s + t, 0) / totals.length;
      return { concurrent, files: totals.length, meanSecondsPerProcess: mean, sweepSeconds: mean / concurrent };
    });
}
