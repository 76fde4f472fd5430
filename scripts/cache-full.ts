/**
 * `tsx scripts/cache-full.ts --only <experiment> [--seed N] [--backend B] [--out DIR] [--shard k/n] [--set JSON] [--allow-dirty]`
 *
 * The `full` profile of one experiment, cached with provenance in data/results/<experiment>/ (results.json, every
 * CSV, gzip-compressed over 1 MB, provenance.json with the command, commit, backend, date, wall and CPU time,
 * machine and config).
 * It refuses to run from a tree with uncommitted changes (the commit in the provenance must be the code that ran)
 * unless --allow-dirty. Takeaway 4's sweep has its own sharded script (scripts/sweep-t4.ts).
 *
 * --set '{"splitUnseen":true}' computes the full profile as a change to it will make it, from a commit that does not
 * make it yet: a run of hours can then go on from one fixed commit (a worktree) while the checkout moves on, and
 * ships with the commit that changes the profile (the record names the config it ran; the provenance, the command).
 *
 * --shard k/n (experiments with a seed store: t2-chain-of-thought, t5-quantization) computes every n-th seed (index ≡ k − 1 mod n)
 * and stores each in out/full/<experiment>/seeds/<run key>/; run the n shards side by side (one per core), then
 * the same command without --shard, which loads the stored seeds, computes any still missing and writes the
 * cache: the same record as one unsplit run (tested at smoke). The run key names the experiment, config, code and
 * engine, so seeds of another commit or thread count are never mixed in.
 *
 * Measured on the project's 2-core EPYC with one BLAS thread (2026-12-01): t1-world-model 48.6 min of wall time,
 * 46 min of CPU (8 full seeds, 12 concurrent-vs-sequential seeds) with another job on the other core;
 * t5-quantization about 24 min per seed in the same conditions (8 seeds: 3.2 h in one process, so
 * `--shard 1/2` and `--shard 2/2` side by side, about 1.6 h, then the assembling run). t2-chain-of-thought's
 * 20 full seeds (4 chain models each, 10 of them with 3 direct models and a STaR run) took 6.5 h of CPU (26–29
 * CPU min for each of the first ten seeds, 10–13 for the others; 2026-12-01/02): two shards, run over three
 * sessions from a worktree at one commit (the run key holds the code); its marked control, added later by
 * scripts/t2-extend-seeds.ts to the stored seeds, 70 CPU min more (each extended seed says so, and this script's
 * provenance lists it).
 */
import { execSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import "../src/takeaways/index";
import { summarizeVerdicts } from "../src/claims";
import {
  getExperiment,
  gitCommit,
  machine,
  resolveConfig,
  runExperiment,
  seedStoreExperiments,
  versions,
} from "../src/run/experiment";
import { fileSeedStore, parseShard, SeedsIncomplete, type StoredSeed } from "../src/run/seed-store";
import { seedStoreDir } from "./seed-store-dir";
import { shipCsvs } from "./ship-csv";
import { describeBackend, initBackend } from "../src/run/backend";
import { terminalProgress } from "../src/present/progress";
import { writeJsonAtomic } from "../src/run/results";
import { shippedResultsRoot, type StoredSeedProvenance } from "../src/run/cache";
import { parseArgs, parseOverrides, runMain } from "./cli";

/** What the provenance says of the stored seeds: which shard made each, with its wall and CPU minutes. */
function storedSeedsOf(dir: string): StoredSeedProvenance[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^seed-\d+-\d+\.json$/.test(f))
    .sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]))
    .map((f) => {
      const e = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as StoredSeed<unknown>;
      const min = (s: number): number => Math.round(s / 0.6) / 100;
      const x = e.extended;
      return {
        file: f,
        shard: e.shard,
        wallMinutes: min(e.wallSeconds),
        cpuMinutes: min(e.cpuSeconds),
        ...(x ? { extended: { what: x.what, commit: x.commit, cpuMinutes: min(x.cpuSeconds) } } : {}),
      };
    });
}

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["out", "only", "shard", "set"], ["allow-dirty"]);
  const usage =
    "usage: tsx scripts/cache-full.ts --only <experiment> [--seed N] [--backend B] [--out DIR] [--shard k/n] [--set JSON] [--allow-dirty]  (writes data/results/<experiment>/)";
  const only = args.flags.get("only");
  if (typeof only !== "string" || only === "") {
    console.error(`cache-full: --only is required (one experiment id, e.g. --only t1-world-model)\n${usage}`);
    return 2;
  }
  if (only === "t4-scaling") {
    console.error("cache-full: takeaway 4's sweep is cached by scripts/sweep-t4.ts (sharded); see the README");
    return 2;
  }
  const exp = getExperiment(only);
  const outFlag = args.flags.get("out");
  const cacheDir = typeof outFlag === "string" ? outFlag : path.join(shippedResultsRoot(), exp.id);
  const dirty = execSync("git status --porcelain --untracked-files=no", { encoding: "utf8" }).trim();
  if (dirty !== "" && !args.flags.has("allow-dirty")) {
    console.error(`cache-full: the tree has uncommitted changes; commit them first (or --allow-dirty):\n${dirty}`);
    return 1;
  }
  const shardFlag = args.flags.get("shard");
  const shard = typeof shardFlag === "string" ? parseShard(shardFlag) : undefined;
  if (shardFlag === true) throw new Error("--shard needs a value k/n, e.g. --shard 1/2");
  if (shard !== undefined && exp.seedStore !== true)
    throw new Error(
      `--shard: ${exp.id} has no seed store (experiments that do: ${seedStoreExperiments().join(", ")}); run it without --shard`,
    );
  const setFlag = args.flags.get("set");
  const overrides = typeof setFlag === "string" ? parseOverrides(setFlag) : undefined;
  const config = resolveConfig(exp, "full", overrides as never); // a bad field fails before anything runs
  const commit = gitCommit();
  const command =
    `cache-full.ts --only ${exp.id} --seed ${args.seed}` +
    (args.backend ? ` --backend ${args.backend}` : "") +
    (typeof setFlag === "string" ? ` --set '${setFlag}'` : "");
  const info = await initBackend(args.backend);
  const storeDir = seedStoreDir("out", exp.id, "full", args.seed, config, info);
  const seedStore = exp.seedStore === true ? fileSeedStore(storeDir, shard) : undefined;
  console.error(
    `${exp.id} full: seed ${args.seed}, ${describeBackend(info)}, commit ${commit}` +
      (overrides ? `, the full profile with ${setFlag}` : "") +
      (shard ? `, shard ${shard.k}/${shard.n} -> ${storeDir}` : ` -> ${cacheDir}`),
  );
  const controller = new AbortController();
  process.once("SIGTERM", () => controller.abort());
  process.once("SIGINT", () => controller.abort());
  const cpu0 = process.cpuUsage();
  let record: Awaited<ReturnType<typeof runExperiment>>;
  try {
    record = await runExperiment(exp, {
      profile: "full",
      seed: args.seed,
      progress: terminalProgress(process.stderr, 50),
      signal: controller.signal,
      ...(seedStore ? { seedStore } : {}),
      ...(overrides ? { overrides } : {}),
      log: (m) => console.error(m),
    });
  } catch (e) {
    if (!(e instanceof SeedsIncomplete)) throw e;
    const cmd = `npx tsx scripts/${command}`;
    console.error(
      `${exp.id}: shard ${shard ? `${shard.k}/${shard.n}` : ""} done, seed(s) ${e.computed.join(", ") || "none"} stored in ` +
        `${storeDir}; still missing: ${e.missing.join(", ")}. When every shard is done: ${cmd}`,
    );
    return 0;
  }
  const cpu = process.cpuUsage(cpu0);
  const outDir = path.join("out", "full", exp.id);
  fs.mkdirSync(cacheDir, { recursive: true });
  const csvs = shipCsvs(outDir, cacheDir);
  writeJsonAtomic(path.join(cacheDir, "results.json"), record);
  writeJsonAtomic(path.join(cacheDir, "provenance.json"), {
    experiment: exp.id,
    profile: record.profile,
    baseSeed: record.baseSeed,
    command: `tsx scripts/${command}`,
    commit: record.gitCommit,
    clean: dirty === "",
    backend: describeBackend(info),
    date: record.startedAt,
    wallMinutes: Math.round(record.wallMs / 600) / 100,
    cpuMinutes: Math.round((cpu.user + cpu.system) / 600000) / 100,
    ...(seedStore ? { storedSeeds: storedSeedsOf(storeDir) } : {}),
    files: ["results.json", ...csvs],
    versions: versions(),
    machine: machine(),
    config: record.config,
  });
  console.error(
    `${exp.id}: done in ${(record.wallMs / 60000).toFixed(1)} min; claims: ${summarizeVerdicts(record.claims)} -> ${cacheDir}/`,
  );
  return 0;
});
