/**
 * `tsx scripts/sweep-t4.ts [--seed N] [--backend B] [--out DIR] [--reanalyse]`
 *
 * The heavy `full` sweep of takeaway 4 (experiment `t4-scaling`): 8 model sizes × 6 token budgets (48 runs),
 * every loss curve recorded, then all the fits. It is the ONLY script that writes into data/: it
 * caches the record in data/results/t4-scaling/ (results.json, runs.csv, runs-detail.csv and
 * provenance.json with the config, commit, backend, date, wall time and machine), which
 * notebooks/04-scaling-laws.ipynb reads to draw the paper figures. Sized for ≈ 30–40 minutes on
 * one core with the wasm backend; run it niced on a shared machine (`nice -n 10 npx tsx
 * scripts/sweep-t4.ts`). Everything else (notebooks, tests, `npm run reproduce`) only reads the cache
 * or writes under out/. An interrupted sweep resumes from out/full/t4-scaling/partial.json (same seed
 * and config). `--reanalyse` redoes the fits of the cached record with the current code (no training)
 * and records that in provenance.json.
 */
import * as fs from "fs";
import * as path from "path";
import "../src/takeaways/index";
import { summarizeVerdicts } from "../src/claims";
import { getExperiment, runExperiment, versions, machine } from "../src/run/experiment";
import { initBackend, describeBackend } from "../src/run/backend";
import { terminalProgress } from "../src/present/progress";
import { writeJsonAtomic, writeFileAtomic } from "../src/run/results";
import { T4_CACHE_DIR, loadCachedT4, reanalyseT4 } from "../src/takeaways/t4-scaling/index";
import { gitCommit } from "../src/run/experiment";
import { parseArgs, runMain } from "./cli";

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["out"], ["reanalyse"]);
  if (args.flags.has("help")) {
    console.error(
      "usage: tsx scripts/sweep-t4.ts [--seed N] [--backend B] [--out DIR] [--reanalyse]  (writes data/results/t4-scaling/)",
    );
    return 0;
  }
  const exp = getExperiment("t4-scaling");
  const outFlag = args.flags.get("out");
  const cacheDir = typeof outFlag === "string" ? outFlag : path.join(__dirname, "..", T4_CACHE_DIR);
  if (args.flags.has("reanalyse")) {
    const commit = gitCommit(); // before writing: the tree is clean until then
    const old = loadCachedT4(path.join(cacheDir, "results.json"));
    const record = reanalyseT4(old);
    writeJsonAtomic(path.join(cacheDir, "results.json"), record);
    const provFile = path.join(cacheDir, "provenance.json");
    const prov = fs.existsSync(provFile)
      ? (JSON.parse(fs.readFileSync(provFile, "utf8")) as Record<string, unknown>)
      : {};
    writeJsonAtomic(provFile, {
      ...prov,
      reanalysed: {
        commit,
        date: new Date().toISOString(),
        note: "fits and claims redone from the cached runs and scores; no retraining",
      },
    });
    console.error(`t4-scaling: reanalysed ${cacheDir}/results.json; claims: ${summarizeVerdicts(record.claims)}`);
    return 0;
  }
  const info = await initBackend(args.backend);
  console.error(`t4-scaling full sweep: seed ${args.seed}, ${describeBackend(info)} -> ${cacheDir}`);
  const controller = new AbortController();
  process.once("SIGTERM", () => controller.abort());
  process.once("SIGINT", () => controller.abort());
  // The run writes its usual out/full/t4-scaling/ files; the cache gets copies plus provenance.
  const record = await runExperiment(exp, {
    profile: "full",
    seed: args.seed,
    progress: terminalProgress(process.stderr, 50),
    signal: controller.signal,
    log: (m) => console.error(m),
  });
  const outDir = path.join("out", "full", exp.id);
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const f of ["runs.csv", "runs-detail.csv"])
    writeFileAtomic(path.join(cacheDir, f), fs.readFileSync(path.join(outDir, f)));
  writeJsonAtomic(path.join(cacheDir, "results.json"), record);
  writeJsonAtomic(path.join(cacheDir, "provenance.json"), {
    experiment: exp.id,
    profile: record.profile,
    baseSeed: record.baseSeed,
    command: `tsx scripts/sweep-t4.ts --seed ${args.seed}${args.backend ? " --backend " + args.backend : ""}`,
    commit: record.gitCommit,
    backend: describeBackend(info),
    date: record.startedAt,
    wallMinutes: Math.round(record.wallMs / 600) / 100,
    runs: (record.data as { runs: unknown[] }).runs.length,
    versions: versions(),
    machine: machine(),
    config: record.config,
  });
  console.error(
    `t4-scaling: done in ${(record.wallMs / 60000).toFixed(1)} min; claims: ${summarizeVerdicts(record.claims)} -> ${cacheDir}/`,
  );
  return 0;
});
