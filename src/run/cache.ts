/**
 * No work done twice. A finished `results.json` whose cache key (experiment, profile, seed, resolved
 * config, backend, code version: see {@link cacheKey}) matches the run being asked for is that run's
 * record: `npm run reproduce` skips it, and a notebook opened after `reproduce` loads it instead of
 * training again, saying so. At `full` a notebook also takes the shipped full run in data/results/ when its
 * base seed and config are the ones asked for (hours of training otherwise), naming its commit.
 * `rerun: true` (or GEN2BRAIN_RERUN=1) trains again.
 */
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import type { DeepPartial, Profile } from "../config";
import { DEFAULT_SEED } from "../config";
import { initBackend } from "./backend";
import {
  backendKey,
  cacheKey,
  codeVersion,
  type Experiment,
  resolveConfig,
  runExperiment,
  type RunOptions,
} from "./experiment";
import { defaultOutRoot, repoRoot, shippedResultsFile } from "./paths";
import { loadResults, resultDir, type ResultRecord } from "./results";

export { shippedResultsFile, shippedResultsRoot } from "./paths";

/** Is there a readable results.json at `file` with this cache key? */
export function isCached(file: string, key: string): boolean {
  if (!fs.existsSync(file)) return false;
  try {
    return loadResults(file).cacheKey === key;
  } catch {
    return false;
  }
}

/** Where a run's record lives and the key it must carry to be reused. */
export interface CacheSlot {
  readonly file: string;
  readonly key: string;
}

/** The results.json path and expected cache key of a run of `exp` (code version of this checkout). */
export function cacheSlot<C extends object>(
  exp: Pick<Experiment<C>, "id" | "profiles">,
  opts: { profile: Profile; seed: number; overrides?: DeepPartial<C>; outRoot?: string; backend: string },
): CacheSlot {
  const config = resolveConfig(exp, opts.profile, opts.overrides);
  return {
    file: path.join(resultDir(opts.outRoot ?? defaultOutRoot(), opts.profile, exp.id), "results.json"),
    key: cacheKey(exp.id, opts.profile, opts.seed, config, opts.backend, codeVersion()),
  };
}

/** Options of {@link loadOrRun}: those of runExperiment, plus `rerun`. */
export interface LoadOrRunOptions<C extends object> extends RunOptions<C> {
  /** Train even when a matching record exists (default: GEN2BRAIN_RERUN=1). */
  readonly rerun?: boolean;
  /** The shipped full run to consider (default data/results/<id>/results.json; false: none). */
  readonly shipped?: string | false;
}

/**
 * The shipped full run at `file` when it is the run asked for (profile full, no overrides, the same base seed and
 * the same resolved config), or why it is not; null where there is nothing to say (another profile, overrides, no
 * shipped file). Unlike a record in out/, its code may be older than this checkout's (it was computed once, from
 * a clean commit its provenance.json names, because a full run takes up to hours); scripts/cached-results.test.ts
 * keeps it drawable by today's figures and its verdicts today's rule's.
 */
export function loadShippedRun<C extends object, D = unknown, M extends string = string>(
  exp: Pick<Experiment<C>, "id" | "profiles" | "addedFields">,
  file: string,
  opts: { profile: Profile; seed: number; overrides?: DeepPartial<C> },
): { record: ResultRecord<C, D, M> } | { why: string } | null {
  if (opts.profile !== "full" || opts.overrides !== undefined || !fs.existsSync(file)) return null;
  let r: ResultRecord<C, D, M>;
  try {
    r = loadResults<C, D, M>(file);
  } catch (e) {
    return { why: `it cannot be read (${e instanceof Error ? e.message : String(e)})` };
  }
  if (r.id !== exp.id || r.profile !== "full") return { why: `it is ${r.id} at ${r.profile}` };
  if (r.baseSeed !== opts.seed) return { why: `it is for base seed ${r.baseSeed}, not ${opts.seed}` };
  // A field added since the run was computed reads as the value its code ran with (Experiment.addedFields).
  const config = { ...(exp.addedFields ?? {}), ...r.config } as C;
  const diff = firstDifference(config, JSON.parse(JSON.stringify(resolveConfig(exp, "full"))));
  if (diff !== null) return { why: `its config differs from this checkout's full profile at ${diff}` };
  return { record: { ...r, config } };
}

/** The first path at which two JSON values differ ("train.numSteps", "sizes[2]"), or null when equal. */
function firstDifference(a: unknown, b: unknown, at = "config"): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (
    typeof a !== "object" ||
    typeof b !== "object" ||
    a === null ||
    b === null ||
    Array.isArray(a) !== Array.isArray(b)
  )
    return at;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      Array.isArray(a) ? `${at}[${k}]` : `${at}.${k}`,
    );
    if (d !== null) return d;
  }
  return at;
}

/** The record, and the file it was loaded from (null when it was computed now). */
export interface LoadOrRunResult<C, D, M extends string> {
  readonly record: ResultRecord<C, D, M>;
  readonly loadedFrom: string | null;
}

/** Whether GEN2BRAIN_RERUN asks to train again. */
export function rerunFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env["GEN2BRAIN_RERUN"] === "1";
}

/**
 * Load the record whose cache key matches this run, or run the experiment (and save, as runExperiment
 * does). When it loads, it logs one line saying from where, when and on what (see {@link describeLoaded}).
 */
export async function loadOrRun<C extends object, D, M extends string>(
  exp: Experiment<C, D, M>,
  opts: LoadOrRunOptions<C>,
): Promise<LoadOrRunResult<C, D, M>> {
  if (!(opts.rerun ?? rerunFromEnv())) {
    const backend = await initBackend();
    const slot = cacheSlot(exp, {
      profile: opts.profile,
      seed: opts.seed ?? DEFAULT_SEED,
      backend: backendKey(backend),
      ...(opts.overrides !== undefined ? { overrides: opts.overrides } : {}),
      ...(opts.outRoot !== undefined ? { outRoot: opts.outRoot } : {}),
    });
    if (isCached(slot.file, slot.key)) {
      const record = loadResults<C, D, M>(slot.file);
      opts.log?.(describeLoaded(record, slot.file));
      return { record, loadedFrom: slot.file };
    }
    const shipped = opts.shipped === undefined ? shippedResultsFile(exp.id) : opts.shipped;
    if (shipped !== false) {
      const got = loadShippedRun<C, D, M>(exp, shipped, { ...opts, seed: opts.seed ?? DEFAULT_SEED });
      if (got !== null) {
        // (two steps: tslab's TypeScript 5.0 does not narrow `got` after a combined test)
        if ("record" in got) {
          opts.log?.(describeShipped(got.record, shipped));
          return { record: got.record, loadedFrom: shipped };
        }
        opts.log?.(`not using the shipped full run ${fromRepo(shipped, repoRoot())}: ${got.why}; training`);
      }
    }
  }
  return { record: await runExperiment(exp, opts), loadedFrom: null };
}

/**
 * "loaded the shipped full run data/results/t3-attention/results.json (commit 4f7584d, 10 seeds, 8 min on
 * wasm+OpenBLAS); set `rerun: true` to train again with this checkout's code".
 */
export function describeShipped(record: ResultRecord, file: string, root = repoRoot()): string {
  return (
    `loaded the shipped full run ${fromRepo(file, root)} (commit ${record.gitCommit.slice(0, 7)}, ${record.seeds.length} seeds, ` +
    `${runCost(record, file)} on ${record.engine ?? record.backend}); set \`rerun: true\` to train again with this checkout's code`
  );
}

/** One stored seed as a shipped run's provenance.json lists it: which shard computed it, in how many minutes. */
export interface StoredSeedProvenance {
  readonly file: string;
  readonly shard: string;
  readonly wallMinutes: number;
  readonly cpuMinutes: number;
  /** Conditions a later commit added to the stored seed (its CPU is in cpuMinutes): see StoredSeed.extended. */
  readonly extended?: { readonly what: string; readonly commit: string; readonly cpuMinutes: number };
}

/**
 * The fields of a shipped run's provenance.json (written by scripts/cache-full.ts; t4's by scripts/sweep-t4.ts,
 * which writes no `files` and no `storedSeeds`) that code reads back.
 */
export interface ShippedProvenance {
  readonly experiment?: string;
  readonly commit: string;
  readonly clean?: boolean;
  readonly profile?: string;
  readonly files?: ReadonlyArray<string>;
  /** Present when the run was assembled from seeds that shards stored (`--shard k/n`). */
  readonly storedSeeds?: ReadonlyArray<StoredSeedProvenance>;
}

/**
 * What the run at `file` cost: "12 min" of wall time, or, for a record assembled from seeds that shards stored
 * (its provenance.json beside it lists them), their CPU: "7.7 h of CPU in 2 shards". The record's own wall
 * time is then only the assembling process's (t2's full run: 12 s of its 7.7 h).
 */
export function runCost(record: ResultRecord, file: string): string {
  let seeds: ShippedProvenance["storedSeeds"];
  try {
    seeds = (JSON.parse(fs.readFileSync(path.join(path.dirname(file), "provenance.json"), "utf8")) as ShippedProvenance)
      .storedSeeds;
  } catch {
    seeds = undefined; // no provenance (a record in out/): its own wall time
  }
  if (!Array.isArray(seeds) || seeds.length === 0) return formatAge(record.wallMs);
  // (a hand-edited provenance may hold anything: count only numbers)
  const cpuMin = seeds.reduce((a, s) => a + (typeof s.cpuMinutes === "number" ? s.cpuMinutes : 0), 0);
  const shards = new Set(seeds.map((s) => String(s.shard))).size;
  return `${formatAge(cpuMin * 60_000)} of CPU in ${shards} shard${shards === 1 ? "" : "s"}`;
}

/** A path relative to the repository when it lies inside it, else as given. */
function fromRepo(file: string, root: string): string {
  const rel = path.relative(root, path.resolve(file));
  return rel.startsWith("..") ? file : rel;
}

/** "45 s", "12 min", "3.5 h", "2 days". */
export function formatAge(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${Math.round(s / 86400)} days`;
}

/**
 * "loaded out/quick/t1-world-model/results.json, computed 12 min ago on wasm+OpenBLAS; set `rerun: true`
 * to train again". The age counts from the end of the run; the path is relative to the repository.
 */
export function describeLoaded(record: ResultRecord, file: string, now = Date.now(), root = repoRoot()): string {
  const finished = Date.parse(record.startedAt) + record.wallMs;
  const where = fromRepo(file, root);
  const when = Number.isFinite(finished) ? `computed ${formatAge(now - finished)} ago` : "computed earlier";
  return `loaded ${where}, ${when} on ${record.engine ?? record.backend}; set \`rerun: true\` to train again`;
}
