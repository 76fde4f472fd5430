/**
 * Notebook conveniences: the setup cell and running a registered experiment with a live progress
 * display. Profile and seed come from GEN2BRAIN_PROFILE / GEN2BRAIN_SEED unless given.
 */
import { BackendInfo, initBackend } from "./backend";
import { Profile, profileFromEnv, seedFromEnv } from "../config";
import { getExperiment, runExperiment } from "./experiment";
import { notebookProgress, showBackend, showMarkdown } from "../present/display";
import type { ResultRecord } from "./results";

/** What a notebook's setup cell needs. */
export interface NotebookSetup {
  readonly profile: Profile;
  readonly seed: number;
  readonly backend: BackendInfo;
}

/** Initialise the backend, show which one is used and why, and return profile, seed and backend. */
export async function setupNotebook(): Promise<NotebookSetup> {
  const backend = await initBackend();
  const profile = profileFromEnv();
  const seed = seedFromEnv();
  showBackend(backend);
  console.log(`profile ${profile} (GEN2BRAIN_PROFILE), base seed ${seed} (GEN2BRAIN_SEED)`);
  return { profile, seed, backend };
}

/** Options of {@link runInNotebook}. */
export interface NotebookRunOptions {
  readonly profile?: Profile;
  readonly seed?: number;
  /** Config overrides (validated against the experiment's config). */
  readonly overrides?: object;
  /** Write results.json and CSVs under out/ (default true). */
  readonly save?: boolean;
}

/**
 * Run a registered experiment at the notebook's profile and seed with a live progress display, and
 * return its record (also saved to `out/<profile>/<id>/results.json`).
 */
export async function runInNotebook(id: string, opts: NotebookRunOptions = {}): Promise<ResultRecord> {
  const exp = getExperiment(id);
  const profile = opts.profile ?? profileFromEnv();
  const seed = opts.seed ?? seedFromEnv();
  showMarkdown(`Running **${exp.title}** (\`${id}\`) at profile \`${profile}\` with base seed ${seed}…`);
  const record = await runExperiment(exp, {
    profile,
    seed,
    progress: notebookProgress(),
    ...(opts.overrides !== undefined ? { overrides: opts.overrides } : {}),
    ...(opts.save !== undefined ? { save: opts.save } : {}),
  });
  const held = record.claims.filter((c) => c.holds).length;
  console.log(
    `${id}: ${(record.wallMs / 1000).toFixed(1)} s on ${record.backend}, seeds ${record.seeds.join(", ")}; ` +
      `${held}/${record.claims.length} claims hold` + (opts.save === false ? "" : `; saved to out/${profile}/${id}/results.json`),
  );
  return record;
}
