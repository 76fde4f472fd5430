/**
 * Notebook conveniences: the setup cell and running an experiment with a live progress display.
 * Profile and seed come from GEN2BRAIN_PROFILE / GEN2BRAIN_SEED unless given. Typed by the experiment,
 * so a notebook reads `config.numSeeds` and `record.data.samples` without a cast.
 */
import { type DeepPartial, type Profile, profileFromEnv, seedFromEnv } from "../config";
import type { Figure } from "../present/plot";
import { notebookProgress, showBackend } from "../present/display";
import { type BackendInfo, initBackend } from "./backend";
import type { Experiment } from "./experiment";
import { loadOrRun, runCost } from "./cache";
import type { ResultRecord } from "./results";
import { summarizeVerdicts } from "../claims";
import { interruptSignal } from "../cancel";

/** What a notebook's setup cell needs. */
export interface NotebookSetup<C extends object> {
  readonly profile: Profile;
  readonly seed: number;
  readonly backend: BackendInfo;
  /** The experiment's config at `profile`. */
  readonly config: Readonly<C>;
}

/**
 * The setup cell: initialise the backend and show which one is used and why; read profile and seed;
 * return them with the experiment's config at that profile.
 */
export async function setupNotebook<C extends object, D, M extends string>(
  experiment: Experiment<C, D, M>,
): Promise<NotebookSetup<C>> {
  const backend = await initBackend();
  const profile = profileFromEnv();
  const seed = seedFromEnv();
  showBackend(backend);
  console.log(`profile ${profile} (GEN2BRAIN_PROFILE), base seed ${seed} (GEN2BRAIN_SEED)`);
  return { profile, seed, backend, config: experiment.profiles[profile] };
}

/** Options of {@link runInNotebook}. */
export interface NotebookRunOptions<C extends object> {
  readonly profile?: Profile;
  readonly seed?: number;
  /** Config overrides (validated against the experiment's config). */
  readonly overrides?: DeepPartial<C>;
  /** Write results.json and CSVs under out/ (default true). */
  readonly save?: boolean;
  /**
   * Train even when out/ holds the record of this very run (same experiment, profile, seed, config,
   * backend and code, e.g. written by `npm run reproduce`). Default false, or GEN2BRAIN_RERUN=1.
   */
  readonly rerun?: boolean;
}

/**
 * The record of an experiment at the notebook's profile and seed: loaded from out/ when a finished run
 * with the same cache key is there (it says so, and from when), else run with a live progress display.
 * Prints one line (seeds, time, backend, claims) and returns the record and its figures.
 */
export async function runInNotebook<C extends object, D, M extends string>(
  experiment: Experiment<C, D, M>,
  opts: NotebookRunOptions<C> = {},
): Promise<{ record: ResultRecord<C, D, M>; figures: Record<string, Figure> }> {
  const profile = opts.profile ?? profileFromEnv();
  const signal = interruptSignal(); // in a kernel, Jupyter's interrupt stops the run (src/cancel.ts)
  const { record, loadedFrom } = await loadOrRun(experiment, {
    profile,
    seed: opts.seed ?? seedFromEnv(),
    progress: notebookProgress(),
    log: (m) => console.log(m),
    ...(signal !== undefined ? { signal } : {}),
    ...(opts.overrides !== undefined ? { overrides: opts.overrides } : {}),
    ...(opts.save !== undefined ? { save: opts.save } : {}),
    ...(opts.rerun !== undefined ? { rerun: opts.rerun } : {}),
  });
  console.log(
    `${record.seeds.length} seed(s) in ${loadedFrom !== null ? runCost(record, loadedFrom) : `${(record.wallMs / 1000).toFixed(0)} s`} ` +
      `on ${record.engine ?? record.backend}; claims: ${summarizeVerdicts(record.claims)}` +
      (opts.save === false || loadedFrom !== null ? "" : `; results in out/${profile}/${experiment.id}/`),
  );
  return { record, figures: experiment.figures(record) };
}
