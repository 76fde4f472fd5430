/**
 * `npx tsx scripts/claims-by-seed.ts --seeds 1234,4242,7 [--profile P] [--only id,id] [--jobs N] [--backend B] [--out DIR] [--force] [--strict] [--no-run]`
 * (also `npm run reproduce -- --seeds 1234,4242,7 …`, which delegates here).
 *
 * A claim must hold for any base seed. For each base seed this runs `scripts/reproduce.ts --seed S` (no
 * report, no notebooks) into its own folder, `<out>/by-seed/<S>/<profile>/<id>/`, so reproduce's cache
 * works per seed (a rerun only trains what changed), then writes `<out>/<profile>/claims-by-seed.json`
 * and `.md`: per claim, each base seed's verdict and value, the pooled verdict and the per-seed
 * agreement (rule in {@link POOLING_NOTE}). `--no-run` only collects the results already there.
 * `scripts/readme-claims.ts` puts the table into the README.
 *
 * Exit status: 1 when an experiment failed under some seed; with `--strict` (or GEN2BRAIN_STRICT=1) also
 * when a pooled asserted claim does not hold; 0 otherwise, whatever the verdicts.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import "../src/takeaways/index";
import { isStrict } from "../src/claims";
import { parseSeed } from "../src/config";
import { gitCommit } from "../src/run/experiment";
import { writeFileAtomic, writeJsonAtomic } from "../src/run/results";
import {
  claimsBySeedDocument,
  claimsBySeedMarkdown,
  loadSeedRecords,
  pooledSummary,
  type SeedRun,
} from "./claims-table";
import { parseArgs, runMain } from "./cli";
import { ROOT } from "./jupyter";
import { selectExperimentIds } from "./reproduce-ids";

/** `--seeds 1234,4242,7` as numbers: each a valid base seed, no repeats, at least one. */
export function parseSeedList(value: string): number[] {
  const seeds = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => parseSeed(s, "--seeds"));
  if (seeds.length === 0) throw new Error("--seeds needs at least one base seed, e.g. --seeds 1234,4242,7");
  if (new Set(seeds).size !== seeds.length) throw new Error(`--seeds: a base seed is repeated in "${value}"`);
  return seeds;
}

/** Where one base seed's results live: `<outRoot>/by-seed/<seed>` (then `<profile>/<id>/` as always). */
export function seedOutRoot(outRoot: string, seed: number): string {
  return path.join(outRoot, "by-seed", String(seed));
}

/** The command: run (unless --no-run), collect, write; returns the exit status. */
export async function claimsBySeed(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    ["seeds", "only", "jobs", "out"],
    ["force", "strict", "no-run", "no-notebooks", "no-report"],
  );
  const seedsFlag = args.flags.get("seeds");
  if (typeof seedsFlag !== "string") throw new Error("--seeds is required, e.g. --seeds 1234,4242,7");
  const seeds = parseSeedList(seedsFlag);
  const only = args.flags.get("only");
  const ids = selectExperimentIds(only);
  const outFlag = args.flags.get("out");
  const outRoot = typeof outFlag === "string" ? outFlag : "out";
  console.log(`claims-by-seed: profile ${args.profile}, base seeds ${seeds.join(", ")}, ${ids.length} experiment(s)`);

  const runs: SeedRun[] = [];
  let failed = 0;
  for (const seed of seeds) {
    let wallS: number | undefined;
    if (!args.flags.has("no-run")) {
      const passOn = [
        ...(typeof only === "string" ? ["--only", only] : []),
        ...(typeof args.flags.get("jobs") === "string" ? ["--jobs", args.flags.get("jobs") as string] : []),
        ...(args.backend !== undefined ? ["--backend", args.backend] : []),
        ...(args.flags.has("force") ? ["--force"] : []),
      ];
      console.log(`\n== base seed ${seed} ==`);
      const t0 = Date.now();
      // Strictness is decided on the pooled table, not per seed: the child runs without it.
      const env = { ...process.env, GEN2BRAIN_STRICT: "0" };
      spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(__dirname, "reproduce.ts"),
          "--profile",
          args.profile,
          "--seed",
          String(seed),
          "--out",
          seedOutRoot(outRoot, seed),
          "--no-notebooks",
          "--no-report",
          ...passOn,
        ],
        { cwd: ROOT, stdio: "inherit", env },
      );
      wallS = (Date.now() - t0) / 1000;
    }
    const experiments = loadSeedRecords(seedOutRoot(outRoot, seed), args.profile, ids);
    for (const e of experiments) if (e.error) console.error(`seed ${seed}: ${e.id}: ${e.error}`);
    failed += experiments.filter((e) => e.error).length;
    runs.push({ seed, experiments, ...(wallS !== undefined ? { wallS } : {}) });
  }

  const doc = claimsBySeedDocument(args.profile, runs, gitCommit());
  const json = path.join(outRoot, args.profile, "claims-by-seed.json");
  const md = path.join(outRoot, args.profile, "claims-by-seed.md");
  writeJsonAtomic(json, doc);
  writeFileAtomic(md, claimsBySeedMarkdown(doc));
  console.log(`\nclaims-by-seed: ${doc.claims.length} claim(s), pooled: ${pooledSummary(doc)}`);
  for (const c of doc.claims)
    console.log(
      `  ${c.pooled.verdict.toUpperCase().padEnd(12)} ${c.experiment} ${c.id}: ` +
        seeds.map((s) => `${s}: ${c.bySeed[String(s)]?.verdict ?? "none"}`).join(", ") +
        (c.agreement.of > 0 ? ` (agreement ${c.agreement.agree}/${c.agreement.of})` : ""),
    );
  console.log(`written: ${json}, ${md}`);
  const notHeld = doc.claims.filter((c) => c.asserted && c.pooled.verdict !== "holds");
  if (failed > 0) {
    console.error(`claims-by-seed: ${failed} experiment run(s) failed or have no results`);
    return 1;
  }
  if (notHeld.length > 0 && isStrict(args.flags.has("strict") ? { strict: true } : {}) && args.profile !== "smoke") {
    console.error(`claims-by-seed (strict): ${notHeld.length} pooled asserted claim(s) do not hold`);
    return 1;
  }
  return 0;
}

if (require.main === module) runMain(() => claimsBySeed(process.argv.slice(2)));
