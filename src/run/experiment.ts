/**
 * The experiment registry and runner. An experiment is a plain function of (config, context) that
 * returns metrics, claims and data; it contains no notebook or terminal code. Progress, cancellation,
 * the backend and the output folder come in through the {@link ExperimentContext}.
 *
 * Notebooks, `npm run reproduce` and the tests all call {@link runExperiment}.
 */
import * as crypto from "crypto";
import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import { execFileSync } from "child_process";
import * as tf from "@tensorflow/tfjs";
import { type Claim, claimContractProblems } from "../claims";
import { type DeepPartial, Profile, withOverrides, DEFAULT_SEED } from "../config";
import type { Metric } from "../stats";
import { BackendInfo, initBackend } from "./backend";
import { describeAdapter } from "../speed/index";
import { Progress, silentProgress } from "../present/progress";
import { ResultRecord, resultDir, saveResults, writeCsvAtomic, Versions } from "./results";
import type { Figure } from "../present/plot";
import { defaultOutRoot, repoRoot } from "./paths";
import { currentEngine } from "./preflight";
import type { SeedStore } from "./seed-store";

/** What an experiment gets besides its config. */
export interface ExperimentContext {
  readonly profile: Profile;
  /** The base seed; per-run seeds are derived from it with `deriveSeed`. */
  readonly seed: number;
  readonly backend: BackendInfo;
  /** The folder for this experiment's outputs (already created). */
  readonly outDir: string;
  readonly progress: Progress;
  /** Cooperative cancellation: long loops check `signal.aborted` and throw. */
  readonly signal?: AbortSignal;
  /**
   * Per-seed results on disk (scripts/cache-full.ts --shard): an experiment that supports it loads the seeds
   * stored there, computes only those that are {@link SeedStore.mine}, and stores each as it finishes.
   */
  readonly seedStore?: SeedStore;
  log(message: string): void;
}

/** What an experiment returns: `D` is the data its figures need, `M` the names of its metrics. */
export interface ExperimentOutput<D = unknown, M extends string = string> {
  /** Seeds of the independent runs (derived from the base seed). */
  readonly seeds: ReadonlyArray<number>;
  readonly metrics: Readonly<Record<M, Metric>>;
  readonly claims: ReadonlyArray<Claim>;
  /** Whatever the figures and notebook need (histories, tables, samples). JSON-serialisable. */
  readonly data: D;
  /** CSV files to write beside results.json: file name → rows (and optional column order). */
  readonly csv?: Readonly<
    Record<string, { rows: ReadonlyArray<Readonly<Record<string, unknown>>>; columns?: ReadonlyArray<string> }>
  >;
}

/**
 * A registered experiment: `C` is its config, `D` the data of its record, `M` its metric names. A
 * notebook that runs it gets a `ResultRecord<C, D, M>` and reads `record.data` without a cast.
 */
export interface Experiment<C extends object = object, D = unknown, M extends string = string> {
  readonly id: string;
  readonly title: string;
  /** The paper's claim in one sentence. */
  readonly claim: string;
  /** Default config per profile. */
  readonly profiles: Readonly<Record<Profile, Readonly<C>>>;
  run(config: C, ctx: ExperimentContext): Promise<ExperimentOutput<D, M>>;
  /** The figures, as pure functions of the record: name → plotly figure. */
  figures(record: ResultRecord<C, D, M>): Record<string, Figure>;
  /**
   * Whether `run` honours {@link ExperimentContext.seedStore} (each seed's runs depend on its seed alone), so that
   * its seeds can be computed in several processes (scripts/run-experiment.ts --jobs, scripts/cache-full.ts --shard).
   */
  readonly seedStore?: boolean;
  /**
   * Config fields added after a shipped full run was computed, each with the value under which that run's code
   * ran (top level only): a shipped record without such a field reads as having this value, so a new option that
   * the full profile leaves at it keeps the shipped run (see loadShippedRun). A field whose value at full differs
   * still makes the shipped run another config's.
   */
  readonly addedFields?: Readonly<Partial<C>>;
}

/** Any registered experiment, as scripts see it (they choose experiments by id at run time). */
export type AnyExperiment = Experiment<object, unknown, string>;

const registry = new Map<string, AnyExperiment>();

/** Register an experiment under its id (an id can be registered once). */
export function registerExperiment<C extends object, D, M extends string>(e: Experiment<C, D, M>): Experiment<C, D, M> {
  if (registry.has(e.id) && registry.get(e.id) !== (e as unknown))
    throw new Error(`experiment "${e.id}" is registered twice`);
  registry.set(e.id, e as unknown as AnyExperiment);
  return e;
}

/** The ids of the registered experiments that honour a seed store ({@link Experiment.seedStore}). */
export function seedStoreExperiments(): string[] {
  return listExperiments()
    .filter((e) => e.seedStore === true)
    .map((e) => e.id);
}

export function listExperiments(): AnyExperiment[] {
  return [...registry.values()];
}

/** The experiment registered as `id` (typed: use the takeaway's own `experiment` export). */
export function getExperiment(id: string): AnyExperiment {
  const e = registry.get(id);
  if (!e) throw new Error(`unknown experiment "${id}"; registered: ${[...registry.keys()].join(", ")}`);
  return e;
}

let cachedCommit: string | null = null;
/** The git commit of the working tree (with "-dirty" when it has changes), or "unknown". */
export function gitCommit(): string {
  if (cachedCommit !== null) return cachedCommit;
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoRoot(), stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: repoRoot(),
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
    cachedCommit = head + (dirty ? "-dirty" : "");
  } catch {
    cachedCommit = "unknown";
  }
  return cachedCommit;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

export function versions(): Versions {
  return { node: process.version, tfjs: tf.version_core, package: packageVersion() };
}

export function machine(): ResultRecord["machine"] {
  const cpus = os.cpus();
  return { cpus: cpus.length, model: cpus[0]?.model ?? "unknown", platform: `${os.platform()}-${os.arch()}` };
}

/** Options of {@link runExperiment}. */
export interface RunOptions<C extends object> {
  readonly profile: Profile;
  readonly seed?: number;
  readonly overrides?: DeepPartial<C>;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
  /** Root of outputs (default `<repo>/out`, also from a notebook). */
  readonly outRoot?: string;
  /** Write results.json and CSVs (default true). */
  readonly save?: boolean;
  /** Per-seed results on disk, for experiments that support it (see {@link ExperimentContext.seedStore}). */
  readonly seedStore?: SeedStore;
  readonly log?: (message: string) => void;
  /**
   * When the run began (ms since the epoch), where its seeds were computed before this call (by shards, into the
   * seed store): the record's startedAt and wallMs then count from it. Default: now.
   */
  readonly startedAtMs?: number;
}

/** The config a run uses: the experiment's profile with the overrides applied (validated). */
export function resolveConfig<C extends object>(
  exp: Pick<Experiment<C>, "id" | "profiles">,
  profile: Profile,
  overrides?: DeepPartial<C>,
): C {
  return withOverrides(exp.profiles[profile] as C, overrides, `${exp.id}.config`);
}

/** Run one experiment and return (and by default save) its record. */
export async function runExperiment<C extends object, D, M extends string>(
  exp: Experiment<C, D, M>,
  opts: RunOptions<C>,
): Promise<ResultRecord<C, D, M>> {
  const backend = await initBackend();
  const seed = opts.seed ?? DEFAULT_SEED;
  const outRoot = opts.outRoot ?? defaultOutRoot();
  const outDir = resultDir(outRoot, opts.profile, exp.id);
  const save = opts.save ?? true;
  const config = resolveConfig(exp, opts.profile, opts.overrides); // a bad override fails before anything is written
  if (save) fs.mkdirSync(outDir, { recursive: true });
  const ctx: ExperimentContext = {
    profile: opts.profile,
    seed,
    backend,
    outDir,
    progress: opts.progress ?? silentProgress,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.seedStore ? { seedStore: opts.seedStore } : {}),
    log: opts.log ?? (() => undefined),
  };
  const startedAtMs = opts.startedAtMs ?? Date.now();
  const startedAt = new Date(startedAtMs).toISOString();
  const t0 = performance.now() - (Date.now() - startedAtMs);
  const out = await exp.run(config, ctx);
  const problems = claimContractProblems(out.claims);
  if (problems.length > 0)
    throw new Error(
      `${exp.id}: its claims break the claims contract (make them with assertedClaim/measuredClaim from claims.ts):\n  ${problems.join("\n  ")}`,
    );
  const record: ResultRecord<C, D, M> = {
    id: exp.id,
    title: exp.title,
    profile: opts.profile,
    baseSeed: seed,
    seeds: out.seeds,
    ...engineFields(backend),
    versions: versions(),
    gitCommit: gitCommit(),
    startedAt,
    wallMs: Math.round(performance.now() - t0),
    machine: machine(),
    config,
    metrics: out.metrics,
    claims: out.claims,
    data: out.data,
    // A GPU run is keyed by its device too (another GPU may round differently); CPU keys are unchanged.
    cacheKey: cacheKey(exp.id, opts.profile, seed, config, backendKey(backend), codeVersion()),
  };
  if (save) {
    for (const [name, csv] of Object.entries(out.csv ?? {}))
      writeCsvAtomic(path.join(outDir, name), csv.rows, csv.columns);
    saveResults(record, outRoot);
  }
  return record;
}

/**
 * A hash of the library's source (every non-test `.ts` file under `src/`) and the lockfile: results
 * computed by the same code, config and seed have the same cache key.
 */
export function codeVersion(root = repoRoot()): string {
  const h = crypto.createHash("sha256");
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) files.push(p);
    }
  };
  walk(path.join(root, "src"));
  const lock = path.join(root, "package-lock.json");
  if (fs.existsSync(lock)) files.push(lock);
  for (const f of files.sort()) {
    h.update(path.relative(root, f));
    h.update(fs.readFileSync(f));
  }
  return h.digest("hex").slice(0, 16);
}

/**
 * What a record says of the engine that computed it: the backend, the GPU adapter where there is one, and the
 * whole engine (BLAS, threads, kernels, the addon's loops; or the adapter), whose kernels decide the last bits.
 * One place for every writer of records (runExperiment, scripts/sweep-t4.ts), so they cannot drift apart.
 */
export function engineFields(info: BackendInfo): Pick<ResultRecord, "backend" | "adapter" | "engine"> {
  return {
    backend: info.choice,
    ...(info.adapter !== undefined ? { adapter: describeAdapter(info.adapter) } : {}),
    engine: currentEngine() ?? info.choice,
  };
}

/** The backend as the cache key names it: the choice, and the GPU's device name where there is one. */
export function backendKey(info: BackendInfo): string {
  return info.adapter !== undefined ? `${info.choice}:${info.adapter.device}` : info.choice;
}

/** The cache key of a run: experiment, profile, seed, resolved config, backend and code version. */
export function cacheKey(
  id: string,
  profile: Profile,
  seed: number,
  config: unknown,
  backend: string,
  code: string,
): string {
  return crypto
    .createHash("sha256")
    .update(JSON.stringify({ id, profile, seed, config, backend, code }))
    .digest("hex")
    .slice(0, 16);
}
