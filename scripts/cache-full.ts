/**
 * `tsx scripts/cache-full.ts --only <experiment> [--seed N] [--backend B] [--out DIR] [--allow-dirty]`
 *
 * The `full` profile of one experiment, cached with provenance in data/results/<experiment>/ (results.json, every
 * CSV, provenance.json with the command, commit, backend, date, wall and CPU time, machine and config).
 * It refuses to run from a tree with uncommitted changes (the commit in the provenance must be the code that ran)
 * unless --allow-dirty. Takeaway 4's sweep has its own sharded script (scripts/sweep-t4.ts).
 * Estimated CPU on a quiet two-core machine: t1-world-model ≈ 90 min (8 full seeds, 12 concurrent-vs-sequential
 * seeds), t5-quantization ≈ 80 min (8 seeds); run it niced on a shared machine:
 * `nice -n 10 npx tsx scripts/cache-full.ts --only t1-world-model`.
 */
import { execSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import "../src/takeaways/index";
import { summarizeVerdicts } from "../src/claims";
import { getExperiment, gitCommit, machine, runExperiment, versions } from "../src/run/experiment";
import { describeBackend, initBackend } from "../src/run/backend";
import { terminalProgress } from "../src/present/progress";
import { writeFileAtomic, writeJsonAtomic } from "../src/run/results";
import { parseArgs, runMain } from "./cli";

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["out", "only"], ["allow-dirty"]);
  const usage =
    "usage: tsx scripts/cache-full.ts --only <experiment> [--seed N] [--backend B] [--out DIR] [--allow-dirty]  (writes data/results/<experiment>/)";
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
  const cacheDir = typeof outFlag === "string" ? outFlag : path.join(__dirname, "..", "data", "results", exp.id);
  const dirty = execSync("git status --porcelain --untracked-files=no", { encoding: "utf8" }).trim();
  if (dirty !== "" && !args.flags.has("allow-dirty")) {
    console.error(`cache-full: the tree has uncommitted changes; commit them first (or --allow-dirty):\n${dirty}`);
    return 1;
  }
  const commit = gitCommit();
  const info = await initBackend(args.backend);
  console.error(`${exp.id} full: seed ${args.seed}, ${describeBackend(info)}, commit ${commit} -> ${cacheDir}`);
  const controller = new AbortController();
  process.once("SIGTERM", () => controller.abort());
  process.once("SIGINT", () => controller.abort());
  const cpu0 = process.cpuUsage();
  const record = await runExperiment(exp, {
    profile: "full",
    seed: args.seed,
    progress: terminalProgress(process.stderr, 50),
    signal: controller.signal,
    log: (m) => console.error(m),
  });
  const cpu = process.cpuUsage(cpu0);
  const outDir = path.join("out", "full", exp.id);
  fs.mkdirSync(cacheDir, { recursive: true });
  const csvs = fs.readdirSync(outDir).filter((f) => f.endsWith(".csv"));
  for (const f of csvs) writeFileAtomic(path.join(cacheDir, f), fs.readFileSync(path.join(outDir, f)));
  writeJsonAtomic(path.join(cacheDir, "results.json"), record);
  writeJsonAtomic(path.join(cacheDir, "provenance.json"), {
    experiment: exp.id,
    profile: record.profile,
    baseSeed: record.baseSeed,
    command: `tsx scripts/cache-full.ts --only ${exp.id} --seed ${args.seed}${args.backend ? " --backend " + args.backend : ""}`,
    commit: record.gitCommit,
    clean: dirty === "",
    backend: describeBackend(info),
    date: record.startedAt,
    wallMinutes: Math.round(record.wallMs / 600) / 100,
    cpuMinutes: Math.round((cpu.user + cpu.system) / 600000) / 100,
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
