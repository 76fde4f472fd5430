/**
 * `npx tsx scripts/readme-claims.ts [--profile P] [--file F[,F2,...]] [--readme README.md] [--check]`
 *
 * The README's claims table, between the markers `<!-- claims-by-seed:begin … -->` and
 * `<!-- claims-by-seed:end -->`, is generated from `data/claims-by-seed/<profile>.json`, a table kept in the
 * repository: no hand-typed table, and no table that only lives in a lost `out/` folder.
 *
 * - `--file F[,F2,...]`: claims-by-seed runs (`out/<profile>/claims-by-seed.json`, written by
 *   `npm run reproduce -- --seeds …`, one file per run of disjoint experiments) replace the rows of the
 *   experiments they hold in the committed table (the others keep theirs, each with its own commit named);
 *   the committed table is written, then the README.
 * - no `--file`: the README is regenerated from the committed table.
 * - `--check`: changes nothing and exits 1 when the README is not what the committed table gives (a unit test
 *   runs it).
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../src/run/results";
import {
  byExperiment,
  type ClaimsBySeed,
  committedClaimsFile,
  mergeClaimsBySeed,
  readmeClaimsBlock,
  replaceExperiments,
  spliceBetweenMarkers,
} from "./claims-table";
import { parseArgs, runMain } from "./cli";
import { ROOT } from "./jupyter";

function readTable(file: string, hint: string): ClaimsBySeed {
  if (!fs.existsSync(file)) throw new Error(`${file} not found: ${hint}`);
  const doc = JSON.parse(fs.readFileSync(file, "utf8")) as ClaimsBySeed;
  if (!Array.isArray(doc.claims) || !Array.isArray(doc.seeds))
    throw new Error(`${file}: not a claims-by-seed table (no "claims" or "seeds"); regenerate it`);
  return doc;
}

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["file", "readme"], ["check"]);
  const committed = committedClaimsFile(ROOT, args.profile);
  const rerun = `run \`npm run reproduce -- --profile ${args.profile} --seeds 1234,4242,7\` first`;
  const fileFlag = args.flags.get("file");
  const files = typeof fileFlag === "string" ? fileFlag.split(",").filter((f) => f !== "") : [];
  if (files.length > 0 && args.flags.has("check")) throw new Error("--check compares the committed table; drop --file");
  let doc: ClaimsBySeed;
  if (files.length === 0) doc = readTable(committed, `${rerun}, then give its table with --file`);
  else {
    const runs = files.map((file) => ({ file, doc: readTable(file, `${rerun} (or give the right --file)`) }));
    const update = runs.length === 1 ? (runs[0] as { doc: ClaimsBySeed }).doc : mergeClaimsBySeed(runs);
    doc = fs.existsSync(committed)
      ? replaceExperiments(readTable(committed, ""), update, files.join(", "))
      : byExperiment(update);
    writeFileAtomic(committed, JSON.stringify(doc, null, 1) + "\n");
    console.log(`${committed}: rows of ${[...new Set(update.claims.map((c) => c.experiment))].join(", ")} replaced`);
  }
  const readmeFlag = args.flags.get("readme");
  const readme = typeof readmeFlag === "string" ? readmeFlag : path.join(ROOT, "README.md");
  const before = fs.readFileSync(readme, "utf8");
  const after = spliceBetweenMarkers(before, readmeClaimsBlock(doc));
  if (args.flags.has("check")) {
    if (after !== before) {
      console.error(`${readme}: the claims table differs from ${committed}; run scripts/readme-claims.ts`);
      return 1;
    }
    console.log(`${readme}: the claims table matches ${committed}`);
    return 0;
  }
  if (after !== before) writeFileAtomic(readme, after);
  console.log(`${readme}: claims table ${after === before ? "unchanged" : "updated"} (${doc.claims.length} claims)`);
  return 0;
});
