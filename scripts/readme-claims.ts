/**
 * `npx tsx scripts/readme-claims.ts [--profile P] [--file F[,F2,...]] [--readme README.md] [--check]`
 *
 * Regenerates the README's claims table from `out/<profile>/claims-by-seed.json` (written by
 * `npm run reproduce -- --seeds …`), between the markers `<!-- claims-by-seed:begin … -->` and
 * `<!-- claims-by-seed:end -->`: no hand-typed table. `--check` changes nothing and exits 1 when the README
 * is not what the JSON gives. Several files (comma-separated, e.g. one claims-by-seed run per experiment) are
 * merged into one table that names each experiment's commit; `--write-merged F` also saves the merged JSON.
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../src/run/results";
import { type ClaimsBySeed, mergeClaimsBySeed, readmeClaimsBlock, spliceBetweenMarkers } from "./claims-table";
import { parseArgs, runMain } from "./cli";
import { ROOT } from "./jupyter";

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["file", "readme", "write-merged"], ["check"]);
  const fileFlag = args.flags.get("file");
  const files =
    typeof fileFlag === "string"
      ? fileFlag.split(",").filter((f) => f !== "")
      : [path.join(ROOT, "out", args.profile, "claims-by-seed.json")];
  const docs = files.map((file) => {
    if (!fs.existsSync(file))
      throw new Error(
        `${file} not found: run \`npm run reproduce -- --profile ${args.profile} --seeds 1234,4242,7\` first (or give --file)`,
      );
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as ClaimsBySeed;
    if (!Array.isArray(doc.claims) || !Array.isArray(doc.seeds))
      throw new Error(`${file}: not a claims-by-seed table (no "claims" or "seeds"); regenerate it`);
    return { file, doc };
  });
  const doc = docs.length === 1 ? (docs[0] as { doc: ClaimsBySeed }).doc : mergeClaimsBySeed(docs);
  const mergedFlag = args.flags.get("write-merged");
  if (typeof mergedFlag === "string") writeFileAtomic(mergedFlag, JSON.stringify(doc, null, 1) + "\n");
  const readmeFlag = args.flags.get("readme");
  const readme = typeof readmeFlag === "string" ? readmeFlag : path.join(ROOT, "README.md");
  const before = fs.readFileSync(readme, "utf8");
  const after = spliceBetweenMarkers(before, readmeClaimsBlock(doc));
  if (args.flags.has("check")) {
    if (after !== before) {
      console.error(`${readme}: the claims table differs from ${files.join(", ")}; run scripts/readme-claims.ts`);
      return 1;
    }
    console.log(`${readme}: the claims table matches ${files.join(", ")}`);
    return 0;
  }
  if (after !== before) writeFileAtomic(readme, after);
  console.log(
    `${readme}: claims table ${after === before ? "unchanged" : "updated"} from ${files.join(", ")} (${doc.claims.length} claims)`,
  );
  return 0;
});
