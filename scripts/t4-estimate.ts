/**
 * `tsx scripts/t4-estimate.ts [--profile full] [--ladder cpu|gpu] [--backend B] [--seed N] [--warmup 3] [--steps 50] [--min-seconds 2] [--process-warmup 1000]
 *   [--against DIR] [--concurrent P] [--out FILE]`  ·  `tsx scripts/t4-estimate.ts --summarize FILE,FILE,…`
 *
 * How long takeaway 4's sweep (scripts/sweep-t4.ts) would take on this engine, in one process, without running it:
 * each size of the ladder is timed for a few steps, one evaluation and one contest (src/takeaways/t4-scaling/
 * estimate.ts), and every run of the plan is predicted from them. Issue 23 asks how long the full sweep takes on the
 * GPU with one more decade of N (`--ladder gpu --backend webgpu`); a device session is too short to run it, not to
 * time it. `--against DIR` checks the prediction against a finished sweep's own run times (its runs/ and lr/runs/),
 * e.g. `--ladder cpu --against data/results/t4-scaling` on the CPU that made the shipped sweep. Writes a JSON record
 * (default out/<profile>/t4-estimate-<ladder>.json) and prints a table.
 *
 * Shards on one GPU: small models are bound by launching kernels from JavaScript, one process per core, so several
 * processes share a GPU well or not, and only a measurement says which. Run P copies at once, each with
 * `--concurrent P` (recorded), then `--summarize` their files with the single one: for each P, the sweep's wall time
 * in P balanced shards is the mean of the copies' one-process totals divided by P.
 */
import * as fs from "fs";
import * as path from "path";
import "../src/takeaways/index";
import { getExperiment, gitCommit, machine, versions, engineFields } from "../src/run/experiment";
import { describeBackend, initBackend } from "../src/run/backend";
import { writeJsonAtomic } from "../src/run/results";
import {
  compareWithRuns,
  estimateSweep,
  shardedSweepSeconds,
  type RunFile,
  type T4Config,
  parseT4Ladder,
  readRunFile,
  t4LadderConfig,
  t4Shared,
  type T4SizeTiming,
  timeT4Sizes,
  validateT4Config,
} from "../src/takeaways/t4-scaling/index";
import { parseArgs, runMain } from "./cli";

/** The runs of a finished sweep folder (grid and learning-rate stage). */
function finishedRuns(dir: string): RunFile["run"][] {
  const read = (d: string): RunFile["run"][] =>
    fs.existsSync(d)
      ? fs
          .readdirSync(d)
          .filter((f) => f.endsWith(".json"))
          .map((f) => readRunFile(path.join(d, f))?.run)
          .filter((r): r is RunFile["run"] => r !== undefined)
      : [];
  const runs = [...read(path.join(dir, "runs")), ...read(path.join(dir, "lr", "runs"))];
  if (runs.length === 0)
    throw new Error(`--against: no run files in ${dir}/runs or ${dir}/lr/runs (a sweep-t4 folder)`);
  return runs;
}

const count = (v: string | true | undefined, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new Error(`--${name}: a whole number ≥ 1, got "${String(v)}"`);
  return x;
};

/** What `--summarize` reads of an estimate file. */
interface EstimateFile {
  readonly ladder: string;
  readonly profile: string;
  readonly engine: string;
  readonly concurrent: number;
  readonly estimate: { readonly totalSeconds: number };
}

function summarize(files: string[]): number {
  const got = files.map((f) => {
    let e: Partial<EstimateFile>;
    try {
      e = JSON.parse(fs.readFileSync(f, "utf8")) as Partial<EstimateFile>;
    } catch (err) {
      throw new Error(`--summarize: cannot read ${f} as JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (typeof e.estimate?.totalSeconds !== "number" || typeof e.concurrent !== "number")
      throw new Error(`--summarize: ${f} is not a t4-estimate record (no estimate.totalSeconds or concurrent)`);
    return e as EstimateFile;
  });
  const first = got[0] as EstimateFile;
  const what = (e: EstimateFile): string => `${e.profile} ${e.ladder} on ${e.engine}`;
  const other = got.find((e) => what(e) !== what(first));
  if (other !== undefined)
    throw new Error(
      `--summarize: the files mix sweeps or engines (${what(first)}; ${what(other)}): give one at a time`,
    );
  const rows = shardedSweepSeconds(
    got.map((e) => ({ concurrent: e.concurrent, totalSeconds: e.estimate.totalSeconds })),
  );
  console.log(`t4 ${first.profile} sweep, ladder ${first.ladder}, on ${first.engine}:`);
  for (const r of rows)
    console.log(
      `  ${r.concurrent} process(es) at once (${r.files} file(s)): ${(r.meanSecondsPerProcess / 60).toFixed(1)} min of work each -> sweep in ${r.concurrent} shard(s) ≈ ${(r.sweepSeconds / 60).toFixed(1)} min`,
    );
  return 0;
}

runMain(async () => {
  const args = parseArgs(
    process.argv.slice(2),
    ["ladder", "warmup", "steps", "process-warmup", "min-seconds", "against", "out", "concurrent", "summarize"],
    [],
    "full", // this script exists for the full sweep's time
  );
  const sum = args.flags.get("summarize");
  if (sum !== undefined) {
    if (typeof sum !== "string" || sum === "") throw new Error("--summarize: a comma-separated list of estimate files");
    return summarize(sum.split(","));
  }
  const concurrent = count(args.flags.get("concurrent"), "concurrent", 1);
  const profile = args.profile;
  const ladder = parseT4Ladder(args.flags.get("ladder"));
  const warmup = count(args.flags.get("warmup"), "warmup", 3);
  const steps = count(args.flags.get("steps"), "steps", 50);
  if (steps < 2) throw new Error(`--steps: at least 2 (a step's time is the interval between two), got ${steps}`);
  const processWarmup = count(args.flags.get("process-warmup"), "process-warmup", 1000);
  const minSecondsFlag = args.flags.get("min-seconds");
  const minSeconds = minSecondsFlag === undefined ? 2 : Number(minSecondsFlag);
  if (!(Number.isFinite(minSeconds) && minSeconds >= 0))
    throw new Error(`--min-seconds: a number of seconds ≥ 0, got "${String(minSecondsFlag)}"`);
  const against = args.flags.get("against");
  const config: T4Config = t4LadderConfig(getExperiment("t4-scaling").profiles[profile] as T4Config, ladder);
  validateT4Config(config);
  const runs = typeof against === "string" ? finishedRuns(path.resolve(against)) : undefined;
  const info = await initBackend(args.backend);
  console.error(
    `t4 estimate: ${profile} sweep, ladder ${ladder}, ${config.sizes.length} sizes, ${processWarmup} steps to warm up, then ${warmup} + at least ${steps} steps and ${minSeconds} s each, ${describeBackend(info)}`,
  );
  const shared = t4Shared(config, args.seed);
  const t0 = performance.now();
  const timings: T4SizeTiming[] = await timeT4Sizes(
    config,
    args.seed,
    shared,
    { warmup, steps, processWarmup, minMs: 1000 * minSeconds },
    (t) =>
      console.error(
        `  L${t.nLayer} d${String(t.dModel).padStart(3)}  N=${String(t.n).padStart(8)}  ${t.msPerStep.toFixed(2).padStart(8)} ms/step  ${t.msPerEval.toFixed(1).padStart(7)} ms/eval  ${t.msContest.toFixed(0).padStart(6)} ms/contest`,
      ),
  );
  const estimate = estimateSweep(config, timings);
  const check = runs ? compareWithRuns(config, timings, runs) : undefined;
  const min = (s: number): string => `${(s / 60).toFixed(1)} min`;
  console.error(
    `predicted in one process: learning-rate stage ${estimate.lr.runs} runs ${min(estimate.lr.seconds)}, grid ${estimate.grid.runs} runs ${min(estimate.grid.seconds)}, total ${min(estimate.totalSeconds)} (timing took ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  if (check)
    console.error(
      `against ${String(against)}: predicted ${min(check.predictedS)} for its ${check.bySize.reduce((s, r) => s + r.runs, 0)} runs, measured ${min(check.measuredS)} of wall, ${min(check.measuredCpuS)} of CPU (ratios ${check.ratio.toFixed(2)}, ${check.ratioCpu.toFixed(2)}; predicted / CPU by size ${check.bySize.map((r) => r.ratioCpu.toFixed(2)).join(" ")})`,
    );
  const outFlag = args.flags.get("out");
  const out =
    typeof outFlag === "string"
      ? path.resolve(outFlag)
      : path.join(__dirname, "..", "out", profile, `t4-estimate-${ladder}.json`);
  writeJsonAtomic(out, {
    experiment: "t4-scaling",
    what: "predicted wall time of the sweep in one process, from timed steps of each size",
    profile,
    ladder,
    baseSeed: args.seed,
    processWarmupSteps: processWarmup,
    warmupSteps: warmup,
    timedSteps: steps,
    minSeconds,
    concurrent,
    ...engineFields(info),
    commit: gitCommit(),
    date: new Date().toISOString(),
    machine: machine(),
    versions: versions(),
    timings,
    estimate,
    ...(check ? { against: String(against), check } : {}),
  });
  console.error(`-> ${out}`);
  return 0;
});
