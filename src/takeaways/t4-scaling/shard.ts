/**
 * The t4 sweep on a cluster without new code: the plan ({@link planT4}) is split into shards, each shard
 * trains its runs and writes every finished run as its own file `<dir>/runs/<key>.json` (temp file, fsync,
 * rename: a reader never sees half a file, and shards running concurrently into one folder never write the
 * same file). A shard skips runs whose file is already there (restart = resume). The merge reads the run
 * files of one or more folders, in any order, checks that every run of the plan is there exactly once (the
 * same run found twice with different content is an error; identical copies are fine), and hands them to
 * {@link assembleT4}. Merging twice gives the same record.
 *
 * Two stages, each sharded the same way: the learning-rate sweep (`stage: "lr"`, run files in
 * `<dir>/lr/runs/`; its merge, {@link mergeLrStage}, writes `<dir>/lr-rule.json` and `<dir>/lr-sweep.csv`),
 * then the grid (run files in `<dir>/runs/`), whose shards read the rule from `<dir>/lr-rule.json`. A grid
 * run's file carries the hash of the config and the rule, so runs trained under another rule are never merged.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { throwIfCancelled } from "../../cancel";
import { toCsv, writeFileAtomic, writeJsonAtomic } from "../../run/results";
import { analyseLrSweep } from "./analysis";
import type { T4Config, T4LrRule, T4LrSweep, T4Run } from "./config";
import { lrSweepCostShare, lrSweepCsv, planT4, planT4Lr, type T4Unit, t4Shared, t4UnitCost, trainT4Run } from "./run";

/** The two stages of the sweep: the learning-rate sweep, then the grid. */
export type T4Stage = "lr" | "main";

/** Which shard this process is: index in [0, count). */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/**
 * The shard from `--shard i/n`, else from a Slurm job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT,
 * offset by SLURM_ARRAY_TASK_MIN) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with the count from
 * `shardCount` or T4_SHARD_COUNT), else the whole plan (0/1).
 */
export function resolveShard(flag: string | undefined, env: NodeJS.ProcessEnv, shardCount?: number): ShardSpec {
  const check = (index: number, count: number, where: string): ShardSpec => {
    if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count)
      throw new Error(`${where}: shard ${index} of ${count} is not valid; give i/n with 0 ≤ i < n`);
    return { index, count };
  };
  if (flag !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flag);
    if (!m) throw new Error(`--shard: expected i/n (e.g. 0/3), got "${flag}"`);
    return check(Number(m[1]), Number(m[2]), "--shard");
  }
  const slurmId = env["SLURM_ARRAY_TASK_ID"];
  if (slurmId !== undefined && slurmId !== "") {
    const min = Number(env["SLURM_ARRAY_TASK_MIN"] ?? "0");
    const count = Number(env["SLURM_ARRAY_TASK_COUNT"] ?? shardCount ?? NaN);
    return check(Number(slurmId) - min, count, "SLURM_ARRAY_TASK_ID");
  }
  const k8s = env["JOB_COMPLETION_INDEX"];
  if (k8s !== undefined && k8s !== "") {
    const count = shardCount ?? Number(env["T4_SHARD_COUNT"] ?? NaN);
    return check(Number(k8s), count, "JOB_COMPLETION_INDEX (set the count with --shards N or T4_SHARD_COUNT)");
  }
  return { index: 0, count: 1 };
}

/** The runs of one shard: the plan sorted by cost (largest first), dealt round-robin, so shards balance. */
export function shardUnits(plan: ReadonlyArray<T4Unit>, config: T4Config, shard: ShardSpec): T4Unit[] {
  const sorted = [...plan].sort((a, b) => t4UnitCost(b, config) - t4UnitCost(a, config) || (a.key < b.key ? -1 : 1));
  return sorted.filter((_, i) => i % shard.count === shard.index);
}

/** A hash of the config, and of the learning-rate rule for grid runs (runs of another config or rule are never merged). */
export function configHash(config: T4Config, rule?: T4LrRule): string {
  return crypto
    .createHash("sha256")
    .update(JSON.stringify(config) + (rule ? JSON.stringify(rule) : ""))
    .digest("hex")
    .slice(0, 16);
}

/** Where a stage keeps its run files. */
export function stageDir(dir: string, stage: T4Stage): string {
  return stage === "lr" ? path.join(dir, "lr") : dir;
}

/** The file the learning-rate stage's merge writes and the grid's shards read. */
export function lrRuleFile(dir: string): string {
  return path.join(dir, "lr-rule.json");
}

/** The rule written by {@link mergeLrStage}; throws with the commands that create it when it is missing. */
export function readLrRule(dir: string, config: T4Config, baseSeed: number): T4LrRule {
  const file = lrRuleFile(dir);
  if (!fs.existsSync(file))
    throw new Error(
      `t4-scaling: no learning-rate rule at ${file}; run the learning-rate stage first: \`tsx scripts/sweep-t4.ts --stage lr --shard i/n\` for each shard, then \`--stage lr --merge\``,
    );
  const got = JSON.parse(fs.readFileSync(file, "utf8")) as { rule: T4LrRule; baseSeed: number; configHash: string };
  if (got.baseSeed !== baseSeed || got.configHash !== configHash(config))
    throw new Error(
      `t4-scaling: ${file} is for seed ${got.baseSeed} and config ${got.configHash}, not seed ${baseSeed} and config ${configHash(config)}; rerun \`--stage lr --merge\` for this sweep`,
    );
  return got.rule;
}

/** What a run file holds. */
export interface RunFile {
  readonly key: string;
  readonly baseSeed: number;
  readonly configHash: string;
  readonly run: T4Run;
}

/** The file of one run. */
export function runFile(dir: string, key: string): string {
  return path.join(dir, "runs", `${key}.json`);
}

/** A run file as written by {@link runShard}, or null when it is not one (unreadable, half a file, another format). */
export function readRunFile(file: string): RunFile | null {
  try {
    const r = JSON.parse(fs.readFileSync(file, "utf8")) as RunFile;
    return typeof r.key === "string" && r.run && typeof r.run.finalLoss === "number" ? r : null;
  } catch {
    return null;
  }
}

/** Options of {@link runShard}. */
export interface ShardOptions {
  readonly signal?: AbortSignal;
  readonly log?: (m: string) => void;
  /** Which stage (default the grid, "main"). */
  readonly stage?: T4Stage;
  /** The grid's learning-rate rule (default: read from `<dir>/lr-rule.json`). */
  readonly rule?: T4LrRule;
}

/**
 * Train the runs of one shard into `<dir>/runs/` (skipping those already written for this seed and config).
 * Returns the runs trained now and the keys skipped.
 */
export async function runShard(
  config: T4Config,
  baseSeed: number,
  dir: string,
  shard: ShardSpec,
  opts: ShardOptions = {},
): Promise<{ trained: T4Run[]; skipped: string[] }> {
  const stage = opts.stage ?? "main";
  const rule = stage === "main" ? (opts.rule ?? readLrRule(dir, config, baseSeed)) : undefined;
  const units = shardUnits(stage === "lr" ? planT4Lr(config) : planT4(config), config, shard);
  const shared = t4Shared(config, baseSeed);
  const hash = configHash(config, rule);
  const where = stageDir(dir, stage);
  const trained: T4Run[] = [];
  const skipped: string[] = [];
  for (const [i, unit] of units.entries()) {
    throwIfCancelled(opts.signal, "t4-scaling shard");
    const file = runFile(where, unit.key);
    const have = fs.existsSync(file) ? readRunFile(file) : null;
    if (have && have.baseSeed === baseSeed && have.configHash === hash) {
      skipped.push(unit.key);
      continue;
    }
    const run = await trainT4Run(unit, config, baseSeed, shared, {
      shard: shard.index,
      ...(rule ? { rule } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const out: RunFile = { key: unit.key, baseSeed, configHash: hash, run };
    writeJsonAtomic(file, out);
    trained.push(run);
    opts.log?.(
      `t4 ${stage} shard ${shard.index}/${shard.count} run ${i + 1}/${units.length} ${unit.key}: N=${run.n} loss=${run.finalLoss.toFixed(4)} wall ${(run.wallMs / 1000).toFixed(1)} s cpu ${(run.cpuMs / 1000).toFixed(1)} s`,
    );
  }
  return { trained, skipped };
}

/** The result of collecting run files: the runs of the plan, and what is missing. */
export interface Collected {
  readonly runs: T4Run[];
  readonly missing: string[];
  /** Keys found more than once with identical content (kept once). */
  readonly duplicates: string[];
  /** Files of another seed or config, or unreadable (ignored). */
  readonly foreign: string[];
}

/**
 * Read the run files of one or more sweep folders and match them to the plan. Throws when one run appears
 * twice with different content (two shards disagree); lists missing runs (the caller refuses to merge).
 */
export function collectRuns(
  dirs: ReadonlyArray<string>,
  config: T4Config,
  baseSeed: number,
  opts: { readonly stage?: T4Stage; readonly rule?: T4LrRule } = {},
): Collected {
  const stage = opts.stage ?? "main";
  if (stage === "main" && !opts.rule)
    throw new Error("t4 merge: the grid's runs are matched with their learning-rate rule; pass it");
  const hash = configHash(config, stage === "main" ? opts.rule : undefined);
  const plan = stage === "lr" ? planT4Lr(config) : planT4(config);
  const found = new Map<string, { file: string; text: string; run: T4Run }>();
  const duplicates: string[] = [];
  const foreign: string[] = [];
  for (const dir of dirs) {
    const runsDir = path.join(stageDir(dir, stage), "runs");
    if (!fs.existsSync(runsDir)) continue;
    for (const name of fs.readdirSync(runsDir).sort()) {
      if (!name.endsWith(".json")) continue; // temp files of a shard still writing
      const file = path.join(runsDir, name);
      const r = readRunFile(file);
      if (!r || r.baseSeed !== baseSeed || r.configHash !== hash) {
        foreign.push(file);
        continue;
      }
      const text = JSON.stringify(r.run);
      const prior = found.get(r.key);
      if (prior) {
        if (prior.text !== text)
          throw new Error(`t4 merge: run ${r.key} is in ${prior.file} and ${file} with different results`);
        duplicates.push(r.key);
        continue;
      }
      found.set(r.key, { file, text, run: r.run });
    }
  }
  const missing = plan.filter((u) => !found.has(u.key)).map((u) => u.key);
  const runs = plan.filter((u) => found.has(u.key)).map((u) => (found.get(u.key) as { run: T4Run }).run);
  return { runs, missing, duplicates, foreign };
}

/**
 * Merge the learning-rate stage: collect its runs from `dirs`, choose and fit ({@link analyseLrSweep}), and
 * write `<dirs[0]>/lr-rule.json` (the rule and the choice per size) and `<dirs[0]>/lr-sweep.csv`. Throws,
 * listing them, when runs are missing. Idempotent.
 */
export function mergeLrStage(dirs: ReadonlyArray<string>, config: T4Config, baseSeed: number): T4LrSweep {
  const got = collectRuns(dirs, config, baseSeed, { stage: "lr" });
  if (got.missing.length > 0)
    throw new Error(
      `t4 lr merge: ${got.missing.length} learning-rate runs missing (rerun their shards with --stage lr): ${got.missing.slice(0, 10).join(", ")}`,
    );
  const sweep = analyseLrSweep(got.runs, config, lrSweepCostShare(config));
  const dir = dirs[0] as string;
  const { runs: _runs, ...summary } = sweep;
  writeJsonAtomic(lrRuleFile(dir), { baseSeed, configHash: configHash(config), ...summary });
  const csv = lrSweepCsv(sweep);
  writeFileAtomic(path.join(dir, "lr-sweep.csv"), toCsv(csv.rows, csv.columns));
  return sweep;
}

/**
 * How the sweep was run, for its provenance: the shard processes of each stage, read from the timing files
 * (one shard of one means the stage ran in one process).
 */
export function sweepCommand(
  profile: string,
  seed: number,
  ladder: string,
  shards: ReadonlyArray<{ readonly stage: unknown; readonly shard: unknown }>,
): string {
  const count = (stage: string): number => shards.filter((t) => t.stage === stage).length;
  const how = (stage: string, what: string): string => {
    const n = count(stage);
    return n <= 1 ? `${what} in one process` : `${what} in ${n} shards (--shard i/${n})`;
  };
  return (
    `tsx scripts/sweep-t4.ts --profile ${profile} --seed ${seed} --ladder ${ladder}: ` +
    `${how("lr", "--stage lr")}, its merge, then ${how("main", "the grid")} and --merge`
  );
}
