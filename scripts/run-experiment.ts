/**
 * `tsx scripts/run-experiment.ts <id> [--profile P] [--seed N] [--backend B] [--out DIR] [--set JSON] [--jobs N] [--no-figures] [--progress-json]`
 *
 * `--jobs N` (experiments with a seed store: t2-chain-of-thought, t5-quantization) computes the seeds in N
 * processes (shard k takes the seeds i with i mod N = k - 1; N - 1 child processes with `--shard k/N`), then
 * assembles the record from the stored seeds: the same record as one process makes (tested), in about 1/N of
 * the wall time on N idle cores. `npm run reproduce` gives a lone experiment every core this way.
 *
 * `--set '{"positions":"rotary","train":{"numSteps":1600}}'` runs a variant: the profile's config with these
 * fields replaced (validated; an unknown field is an error that names it). A variant needs its own `--out`, so
 * that it never replaces the profile's record; its results.json holds the config it ran.
 *
 * Runs ONE registered experiment in this process: writes `out/<profile>/<id>/results.json`, its CSVs and
 * its figures (JSON, SVG, PNG). `npm run reproduce` starts one such process per experiment (one per core).
 * With --progress-json, progress events go to stdout as `@@progress {json}` lines for the parent, and a last
 * `@@done {"cpuS", "engine"}` line gives the process's CPU seconds.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import "../src/takeaways/index";
import { summarizeVerdicts } from "../src/claims";
import { type AnyExperiment, getExperiment, resolveConfig, runExperiment } from "../src/run/experiment";
import { fileSeedStore, parseShard, SeedsIncomplete } from "../src/run/seed-store";
import { seedStoreDir } from "./seed-store-dir";
import { initBackend, describeBackend } from "../src/run/backend";
import { terminalProgress, Progress } from "../src/present/progress";
import { saveFigures, skippedFiguresLine } from "./figures-lib";
import { type CommonArgs, parseArgs, parseOverrides, runMain } from "./cli";

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["out", "set", "jobs", "shard"], ["no-figures", "progress-json"]);
  const id = args.positional[0];
  if (id === undefined) throw new Error("usage: run-experiment.ts <id> [--profile P] [--seed N]");
  const exp = getExperiment(id);
  const outFlag = args.flags.get("out");
  const outRoot = typeof outFlag === "string" ? outFlag : "out";
  const setFlag = args.flags.get("set");
  const overrides = typeof setFlag === "string" ? parseOverrides(setFlag) : undefined;
  if (overrides !== undefined && typeof outFlag !== "string")
    throw new Error(
      `--set runs a variant of ${id}: give it its own --out DIR (e.g. --out out/variants) so that it does not replace ${path.join("out", args.profile, id)}`,
    );
  const jobsFlag = args.flags.get("jobs");
  const jobs = typeof jobsFlag === "string" ? Number(jobsFlag) : 1;
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new Error(`--jobs must be a positive integer, got ${String(jobsFlag)}`);
  const shardFlag = args.flags.get("shard");
  const shard = typeof shardFlag === "string" ? parseShard(shardFlag) : undefined;
  // Several processes only for experiments whose seeds are independent (a seed store); others run in one.
  const split = shard === undefined && jobs > 1 && exp.seedStore === true;
  const info = await initBackend(args.backend);
  const json = args.flags.has("progress-json");
  const progress: Progress = json
    ? { update: (e) => process.stdout.write(`@@progress ${JSON.stringify(e)}\n`) }
    : terminalProgress(process.stderr, 25, `${id} `);
  if (!json && shard === undefined)
    console.error(
      `${id}: profile ${args.profile}, seed ${args.seed}, ${describeBackend(info)}` +
        (split ? `, ${jobs} processes` : jobs > 1 ? ` (one process: ${id} has no seed store)` : ""),
    );
  const controller = new AbortController();
  process.once("SIGTERM", () => controller.abort());
  process.once("SIGINT", () => controller.abort());
  const base = {
    profile: args.profile,
    seed: args.seed,
    progress,
    outRoot,
    signal: controller.signal,
    ...(overrides !== undefined ? { overrides } : {}),
  };
  const storeDir =
    shard !== undefined || split
      ? seedStoreDir(outRoot, id, args.profile, args.seed, resolveConfig(exp, args.profile, overrides as never), info)
      : "";
  const cpuOf = (): number => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1e6;
  };

  // A shard (started by the split below): compute this shard's seeds into the store, write no record.
  if (shard !== undefined) {
    await runShard(exp, base, storeDir, shard);
    if (json) await writeOut(`@@done ${JSON.stringify({ cpuS: cpuOf() })}\n`);
    return 0;
  }

  let childCpuS = 0;
  let record: Awaited<ReturnType<typeof runExperiment>>;
  if (split) {
    // Seeds i with i mod jobs = k - 1 go to shard k: shards 2..jobs in child processes, shard 1 here; then one
    // more pass loads every stored seed and writes the record, the same as one process would (tested).
    const t0 = Date.now();
    const children = Array.from({ length: jobs - 1 }, (_, i) =>
      runChild(id, args, outRoot, setFlag, `${i + 2}/${jobs}`, controller.signal),
    );
    await runShard(exp, base, storeDir, { k: 1, n: jobs });
    const done = await Promise.all(children);
    const failed = done.find((c) => c.code !== 0);
    if (failed !== undefined)
      throw new Error(`${id}: shard ${failed.shard} failed (seeds it finished stay in ${storeDir}): ${failed.error}`);
    childCpuS = done.reduce((a, c) => a + c.cpuS, 0);
    record = await runExperiment(exp, { ...base, seedStore: fileSeedStore(storeDir), startedAtMs: t0 });
    fs.rmSync(storeDir, { recursive: true, force: true });
    if (fs.readdirSync(path.dirname(storeDir)).length === 0) fs.rmdirSync(path.dirname(storeDir)); // seeds/
  } else {
    record = await runExperiment(exp, base);
  }
  if (!args.flags.has("no-figures")) {
    // Without Chromium the figures stay interactive (JSON, report.html): a finished run is not a failure.
    const { bases, staticSkipped } = await saveFigures(exp, record, outRoot);
    if (staticSkipped !== null) console.error(`${id}: ${skippedFiguresLine(bases.length, staticSkipped)}`);
  }
  if (json) {
    // The parent records each experiment's CPU time (wall time on a shared machine says little alone), the
    // shards' included.
    await writeOut(`@@done ${JSON.stringify({ cpuS: cpuOf() + childCpuS, engine: record.engine })}\n`);
  }
  console.error(
    `${id}: done in ${(record.wallMs / 1000).toFixed(1)} s; claims: ${summarizeVerdicts(record.claims)} -> ${path.join(outRoot, args.profile, id)}/`,
  );
  return 0;
});

/**
 * Write to stdout and wait until it is flushed: stdout to a pipe is asynchronous, and runMain's process.exit
 * would drop a last line still queued behind a run's progress lines (the parent reads its CPU time from it).
 */
function writeOut(line: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(line, () => resolve()));
}

/** Compute one shard's seeds into the store; the other shards' seeds are missing then, which is expected. */
async function runShard(
  exp: AnyExperiment,
  base: Parameters<typeof runExperiment>[1],
  storeDir: string,
  shard: { k: number; n: number },
): Promise<void> {
  try {
    await runExperiment(exp, { ...base, save: false, seedStore: fileSeedStore(storeDir, shard) });
  } catch (e) {
    if (!(e instanceof SeedsIncomplete)) throw e;
  }
}

/** One shard in a child process (this script with --shard); resolves with its exit code and CPU seconds. */
function runChild(
  id: string,
  args: CommonArgs,
  outRoot: string,
  setFlag: string | true | undefined,
  shard: string,
  signal: AbortSignal,
): Promise<{ shard: string; code: number | null; cpuS: number; error: string }> {
  const argv = [id, "--profile", args.profile, "--seed", String(args.seed), "--out", outRoot, "--shard", shard];
  if (args.backend !== undefined) argv.push("--backend", args.backend);
  if (typeof setFlag === "string") argv.push("--set", setFlag);
  argv.push("--progress-json");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", __filename, ...argv], {
      cwd: path.join(__dirname, ".."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const kill = (): void => void child.kill("SIGTERM");
    signal.addEventListener("abort", kill);
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
    child.stderr?.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-20000)));
    child.on("close", (code) => {
      signal.removeEventListener("abort", kill);
      const done = /@@done (\{.*\})/.exec(out);
      const cpuS = done ? ((JSON.parse(done[1] as string) as { cpuS?: number }).cpuS ?? 0) : 0;
      const lines = err.trim().split("\n");
      resolve({
        shard,
        code,
        cpuS,
        error: (lines.filter((l) => l.startsWith("error:")).pop() ?? lines.slice(-5).join("\n")) || `exit ${code}`,
      });
    });
  });
}
