/**
 * `tsx scripts/sweep-t4.ts [--profile full] [--seed N] [--backend B] [--out DIR] [--ladder cpu|gpu]
 *   [--stage lr|main] [--shard i/n | --shards n] [--merge [--in DIR,DIR]] [--reanalyse]`
 *
 * The heavy sweep of takeaway 4 (experiment `t4-scaling`), sharded so that it runs on one machine, on
 * several processes of one GPU or on a cluster without new code:
 *
 * - **train a shard**: `--shard i/n` (or a Slurm job array: SLURM_ARRAY_TASK_ID/COUNT; or a Kubernetes
 *   Indexed Job: JOB_COMPLETION_INDEX with `--shards n` or T4_SHARD_COUNT) trains every n-th run of the plan
 *   (balanced by cost) and writes each finished run atomically to `<out>/runs/<key>.json`. Shards may run
 *   concurrently into one folder (no file is written by two shards; temp file then rename). A restarted
 *   shard skips its finished runs. Each run file records its wall and CPU time.
 * - **merge**: `--merge` reads `<out>/runs/` (and the folders of `--in`), checks that every run of the plan is
 *   there once, analyses them and writes `<out>/results.json`, runs.csv, runs-detail.csv, timing.json and
 *   provenance.json. Idempotent; refuses (exit 1) and lists the missing runs when the sweep is incomplete.
 * - **two stages**: `--stage lr` (shards, then `--stage lr --merge`) is the learning-rate sweep: its runs go
 *   to `<out>/lr/runs/`, its merge writes `<out>/lr-rule.json` and `<out>/lr-sweep.csv`. The grid's stage
 *   (`--stage main`, the default) reads the rule from `<out>/lr-rule.json` and refuses to start without it;
 *   its merge re-derives the learning-rate sweep from its runs into the record.
 * - no `--shard` and no `--merge`: trains both stages in this process, then merges.
 *
 * `--ladder gpu` extends the CPU ladder by one decade of N (config.ts T4_GPU_EXTRA_SIZES; its runs go to
 * `<out>` = data/results/t4-scaling-gpu/ by default), for measuring "one more decade in the same wall time".
 * Without `--out` the full profile's cache is data/results/t4-scaling/ (the only place this script writes
 * into data/); other profiles write under out/<profile>/t4-scaling-sweep/. `--reanalyse` redoes the analyses
 * of `<out>/results.json` from its runs (no training) and records that in provenance.json.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import "../src/takeaways/index";
import { summarizeVerdicts } from "../src/claims";
import {
  backendKey,
  cacheKey,
  codeVersion,
  engineFields,
  getExperiment,
  gitCommit,
  machine,
  versions,
} from "../src/run/experiment";
import { describeBackend, initBackend } from "../src/run/backend";
import { shippedResultsRoot } from "../src/run/paths";
import { toCsv, writeFileAtomic, writeJsonAtomic, type ResultRecord } from "../src/run/results";
import {
  assembleT4,
  collectRuns,
  loadCachedT4,
  mergeLrStage,
  planT4,
  planT4Lr,
  reanalyseT4,
  resolveShard,
  runShard,
  sweepCommand,
  T4_CACHE_ID,
  parseT4Ladder,
  t4LadderConfig,
  type T4Config,
  validateT4Config,
} from "../src/takeaways/t4-scaling/index";
import { parseArgs, runMain } from "./cli";

runMain(async () => {
  const args = parseArgs(
    process.argv.slice(2),
    ["out", "ladder", "shard", "shards", "in", "stage"],
    ["reanalyse", "merge"],
    "full", // this script exists for the full sweep
  );
  const exp = getExperiment("t4-scaling");
  const profile = args.profile;
  const ladder = parseT4Ladder(args.flags.get("ladder"));
  const config = t4LadderConfig(exp.profiles[profile] as T4Config, ladder);
  validateT4Config(config);
  const outFlag = args.flags.get("out");
  const root = path.join(__dirname, "..");
  const dir =
    typeof outFlag === "string"
      ? path.resolve(outFlag)
      : profile === "full"
        ? path.join(shippedResultsRoot(root), ladder === "gpu" ? T4_CACHE_ID + "-gpu" : T4_CACHE_ID)
        : path.join(root, "out", profile, `t4-scaling-sweep${ladder === "gpu" ? "-gpu" : ""}`);

  if (args.flags.has("reanalyse")) {
    const commit = gitCommit();
    const old = loadCachedT4(path.join(dir, "results.json"));
    const record = reanalyseT4(old);
    writeJsonAtomic(path.join(dir, "results.json"), record);
    const provFile = path.join(dir, "provenance.json");
    const prov = fs.existsSync(provFile)
      ? (JSON.parse(fs.readFileSync(provFile, "utf8")) as Record<string, unknown>)
      : {};
    writeJsonAtomic(provFile, {
      ...prov,
      reanalysed: {
        commit,
        date: new Date().toISOString(),
        note: "analyses redone from the cached runs; no retraining",
      },
    });
    console.error(`t4-scaling: reanalysed ${dir}/results.json; claims: ${summarizeVerdicts(record.claims)}`);
    return 0;
  }

  const merging = args.flags.has("merge");
  const shardFlag = args.flags.get("shard");
  const shardsFlag = args.flags.get("shards");
  const sharded =
    shardFlag !== undefined ||
    process.env["SLURM_ARRAY_TASK_ID"] !== undefined ||
    process.env["JOB_COMPLETION_INDEX"] !== undefined;
  const stageFlag = (args.flags.get("stage") as string | undefined) ?? (sharded || merging ? "main" : "all");
  if (!["lr", "main", "all"].includes(stageFlag)) throw new Error(`--stage: lr or main, got "${stageFlag}"`);
  const inFlag = args.flags.get("in");
  const dirs = [dir, ...(typeof inFlag === "string" ? inFlag.split(",").map((d) => path.resolve(d)) : [])];
  const info = await initBackend(args.backend);
  const plan = planT4(config);
  const trainStage = async (stage: "lr" | "main"): Promise<void> => {
    const shard = resolveShard(
      typeof shardFlag === "string" ? shardFlag : undefined,
      process.env,
      typeof shardsFlag === "string" ? Number(shardsFlag) : undefined,
    );
    const nRuns = stage === "lr" ? planT4Lr(config).length : plan.length;
    console.error(
      `t4-scaling ${profile} sweep, ladder ${ladder}, stage ${stage}: shard ${shard.index}/${shard.count} of ${nRuns} runs, seed ${args.seed}, ${describeBackend(info)} -> ${dir}`,
    );
    const controller = new AbortController();
    process.once("SIGTERM", () => controller.abort());
    process.once("SIGINT", () => controller.abort());
    const t0 = Date.now();
    const c0 = process.cpuUsage();
    const { trained, skipped } = await runShard(config, args.seed, dir, shard, {
      stage,
      signal: controller.signal,
      log: (m) => console.error(m),
    });
    const cpu = process.cpuUsage(c0);
    const timing = {
      stage,
      shard: `${shard.index}/${shard.count}`,
      ladder,
      profile,
      backend: describeBackend(info),
      trained: trained.length,
      skipped: skipped.length,
      wallS: (Date.now() - t0) / 1000,
      cpuS: (cpu.user + cpu.system) / 1e6,
      runs: trained.map((r) => ({ n: r.n, tokens: r.tokens, steps: r.steps, wallMs: r.wallMs, cpuMs: r.cpuMs })),
    };
    const prefix = stage === "lr" ? "lr-shard" : "shard";
    writeJsonAtomic(path.join(dir, "timing", `${prefix}-${shard.index}-of-${shard.count}.json`), timing);
    console.error(
      `t4-scaling ${stage} shard ${shard.index}/${shard.count}: ${trained.length} runs trained, ${skipped.length} already there; wall ${timing.wallS.toFixed(1)} s, cpu ${timing.cpuS.toFixed(1)} s`,
    );
  };
  const mergeLr = (): ReturnType<typeof mergeLrStage> => {
    const sweep = mergeLrStage(dirs, config, args.seed);
    const r = sweep.rule;
    console.error(
      `t4 lr merge: ${sweep.runs.length} runs; lr_opt = ${r.lrRef.toPrecision(3)}·(N/${r.refParams})^${r.exponent.toFixed(3)} [${r.exponentLo.toFixed(3)}, ${r.exponentHi.toFixed(3)}], warm-up ${r.warmupFraction}; cost ${(100 * sweep.costShareOfGrid).toFixed(1)}% of the grid -> ${dir}/lr-rule.json, lr-sweep.csv`,
    );
    return sweep;
  };
  if (stageFlag === "lr") {
    if (!merging) await trainStage("lr");
    if (merging || !sharded) mergeLr();
    return 0;
  }
  if (stageFlag === "all") {
    await trainStage("lr");
    mergeLr();
  }
  if (!merging) {
    await trainStage("main");
    if (sharded) return 0; // the merge is a separate step once every shard is done
  }

  // Merge: the learning-rate sweep re-derived from its runs (its rule must be the one the grid trained with).
  const lrSweep = mergeLr();
  const got = collectRuns(dirs, config, args.seed, { rule: lrSweep.rule });
  if (got.foreign.length > 0)
    console.error(`t4 merge: ignored ${got.foreign.length} run file(s) of another seed or config`);
  if (got.duplicates.length > 0)
    console.error(`t4 merge: ${got.duplicates.length} identical duplicate run(s) kept once`);
  if (got.missing.length > 0) {
    console.error(
      `t4 merge: ${got.missing.length} of ${plan.length} runs missing (rerun their shards): ${got.missing.slice(0, 20).join(", ")}${got.missing.length > 20 ? ", …" : ""}`,
    );
    return 1;
  }
  const commit = gitCommit();
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const out = assembleT4(got.runs, config, args.seed, profile, lrSweep);
  const record: ResultRecord = {
    id: exp.id,
    title: exp.title,
    profile,
    baseSeed: args.seed,
    seeds: out.seeds,
    ...engineFields(info),
    versions: versions(),
    gitCommit: commit,
    startedAt,
    wallMs: Math.round(got.runs.reduce((s, r) => s + r.wallMs, 0) + (performance.now() - t0)),
    machine: machine(),
    config,
    metrics: out.metrics,
    claims: out.claims,
    data: out.data,
    cacheKey: cacheKey(exp.id, profile, args.seed, config, backendKey(info), codeVersion()),
  };
  for (const [name, csv] of Object.entries(out.csv ?? {}))
    writeFileAtomic(path.join(dir, name), toCsv(csv.rows, csv.columns));
  writeJsonAtomic(path.join(dir, "results.json"), record);
  const runWall = got.runs.reduce((s, r) => s + r.wallMs, 0) / 1000;
  const runCpu = got.runs.reduce((s, r) => s + r.cpuMs, 0) / 1000;
  const shardTimings = fs.existsSync(path.join(dir, "timing"))
    ? fs
        .readdirSync(path.join(dir, "timing"))
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => {
          const t = JSON.parse(fs.readFileSync(path.join(dir, "timing", f), "utf8")) as Record<string, unknown>;
          return {
            file: f,
            stage: t["stage"] ?? "main",
            shard: t["shard"],
            trained: t["trained"],
            wallS: t["wallS"],
            cpuS: t["cpuS"],
          };
        })
    : [];
  writeJsonAtomic(path.join(dir, "timing.json"), {
    runs: got.runs.length,
    sumOfRunWallS: runWall,
    sumOfRunCpuS: runCpu,
    lrSweep: {
      runs: lrSweep.runs.length,
      sumOfRunWallS: lrSweep.runs.reduce((s, r) => s + r.wallMs, 0) / 1000,
      sumOfRunCpuS: lrSweep.cpuS,
      estimatedCostShareOfGrid: lrSweep.costShareOfGrid,
    },
    shardProcesses: shardTimings,
    byShard: Object.fromEntries(
      [...new Set(got.runs.map((r) => r.shard))].map((s) => [
        s,
        got.runs.filter((r) => r.shard === s).reduce((t, r) => t + r.wallMs, 0) / 1000,
      ]),
    ),
    bySize: [...new Set(got.runs.map((r) => r.n))].map((n) => ({
      n,
      wallS: got.runs.filter((r) => r.n === n).reduce((t, r) => t + r.wallMs, 0) / 1000,
    })),
  });
  writeJsonAtomic(path.join(dir, "provenance.json"), {
    experiment: exp.id,
    profile,
    ladder,
    baseSeed: args.seed,
    command: sweepCommand(profile, args.seed, ladder, shardTimings),
    commit,
    clean: !commit.endsWith("-dirty"),
    backend: describeBackend(info),
    date: startedAt,
    runs: got.runs.length,
    sumOfRunWallMinutes: Math.round(runWall / 0.6) / 100,
    versions: versions(),
    machine: { ...machine(), cpus: os.cpus().length },
    config,
  });
  console.error(
    `t4-scaling: merged ${got.runs.length} runs (sum of run wall ${(runWall / 60).toFixed(1)} min, cpu ${(runCpu / 60).toFixed(1)} min); claims: ${summarizeVerdicts(out.claims)} -> ${dir}/`,
  );
  return 0;
});
