/**
 * `tsx scripts/t2-end-mark.ts --plain DIR --end DIR --seeds 11,12,13 [--profile quick] [--out PREFIX] [--note TEXT]`
 *
 * Takeaway 2's end mark (pre-registered in data/claims-by-seed/t2-end-mark/): the same base seeds run without the end
 * mark (`--plain`) and with it (`--end`, run-experiment `--set '{"endMark":true}'`), each base seed in its own folder
 * (`DIR/<seed>/<profile>/t2-chain-of-thought/results.json`, what `run-experiment --out DIR/<seed>` writes). Writes
 * the pre-registered claims per base seed and pooled over every run, each level's accuracy per test group in both
 * conditions and its change, the level-minus-swap gaps, where the wrong answers first leave their target, and the
 * experiment's own claims in both conditions: PREFIX.md and PREFIX.json (each through a temporary file, then
 * renamed), else the markdown on stdout; --note adds a paragraph at the end (what the run was).
 */
import * as fs from "fs";
import * as path from "path";
import { type Claim, formatControl, formatEstimate, poolClaim } from "../src/claims";
import { writeFileAtomic, writeJsonAtomic } from "../src/run/results";
import { type T2Record, t2ChangeRows, t2EndMarkClaims, t2SplitRows } from "../src/takeaways/t2-chain-of-thought";
import { parseArgs, runMain } from "./cli";

/** A markdown table of rows with the same keys. */
function markdown(rows: ReadonlyArray<Record<string, string>>): string {
  const cols = Object.keys(rows[0] ?? {});
  return [
    `| ${cols.join(" | ")} |`,
    `|${cols.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${cols.map((c) => (r[c] ?? "").replace(/\|/g, "\\|")).join(" | ")} |`),
  ].join("\n");
}

/** A claim pooled over base seeds, with each base seed's verdict. */
interface PooledClaim {
  readonly id: string;
  readonly bySeed: Record<string, Claim>;
  readonly pooled: Claim;
}

function pool(seeds: ReadonlyArray<string>, perSeed: ReadonlyArray<ReadonlyArray<Claim>>): PooledClaim[] {
  const ids = [...new Set(perSeed.flatMap((cs) => cs.map((c) => c.id)))];
  return ids.map((id) => {
    const bySeed: Record<string, Claim> = {};
    perSeed.forEach((cs, i) => {
      const c = cs.find((x) => x.id === id);
      if (c !== undefined) bySeed[seeds[i] as string] = c;
    });
    return { id, bySeed, pooled: poolClaim(Object.values(bySeed)) };
  });
}

/** A pooled claim for the JSON file: each base seed's claim cut to its value, interval and verdict. */
function brief(p: PooledClaim): { id: string; bySeed: Record<string, object>; pooled: Claim } {
  const bySeed = Object.fromEntries(
    Object.entries(p.bySeed).map(([s, c]) => [
      s,
      {
        value: c.value,
        interval: { lo: c.interval.lo, hi: c.interval.hi, n: c.interval.n },
        verdict: c.verdict,
        ...(c.control ? { control: { value: c.control.value, verdict: c.control.verdict } } : {}),
      },
    ]),
  );
  return { id: p.id, bySeed, pooled: p.pooled };
}

const verdicts = (p: PooledClaim): string =>
  Object.entries(p.bySeed)
    .map(([s, c]) => `${s}: ${c.verdict}`)
    .join(", ");

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["plain", "end", "seeds", "out", "note"], []);
  const plainDir = args.flags.get("plain");
  const endDir = args.flags.get("end");
  const seedsFlag = args.flags.get("seeds");
  if (typeof plainDir !== "string" || typeof endDir !== "string" || typeof seedsFlag !== "string") {
    console.error(
      "t2-end-mark: give --plain DIR and --end DIR (run-experiment --out DIR/<seed> without and with --set '{\"endMark\":true}') and --seeds (comma-separated base seeds)",
    );
    return 2;
  }
  const seeds = seedsFlag.split(",").map((s) => s.trim());
  const file = (dir: string, s: string) => path.join(dir, s, args.profile, "t2-chain-of-thought", "results.json");
  const missing = seeds.flatMap((s) => [file(plainDir, s), file(endDir, s)]).filter((f) => !fs.existsSync(f));
  if (missing.length > 0) {
    console.error(`t2-end-mark: no t2 record at ${missing.join(", ")}; run run-experiment for those base seeds first`);
    return 2;
  }
  const read = (f: string) => JSON.parse(fs.readFileSync(f, "utf8")) as T2Record;
  const plain = seeds.map((s) => read(file(plainDir, s)));
  const end = seeds.map((s) => read(file(endDir, s)));
  const claims = pool(
    seeds,
    seeds.map((_, i) => t2EndMarkClaims(plain[i] as T2Record, end[i] as T2Record)),
  );
  const own = {
    plain: pool(
      seeds,
      plain.map((r) => r.claims as Claim[]),
    ),
    end: pool(
      seeds,
      end.map((r) => r.claims as Claim[]),
    ),
  };
  const commits = [...new Set([...plain, ...end].map((r) => r.gitCommit.slice(0, 12)))];
  const n = plain.reduce((a, r) => a + r.data.levelRuns.length / r.data.levels.length, 0);
  const [sp, se] = [t2SplitRows(plain), t2SplitRows(end)];
  const note = args.flags.get("note");
  const text = [
    `# t2's end mark, profile ${args.profile}, base seeds ${seeds.join(", ")}`,
    "",
    `Commit ${commits.join(", ")}; ${n} runs per level and condition, paired by run; 95% t-intervals over the runs. ` +
      `Generated by \`npx tsx scripts/t2-end-mark.ts --plain DIR/plain --end DIR/end --seeds ${seeds.join(",")} --profile ${args.profile}\`; ` +
      "the pre-registration is PREREGISTRATION.md beside this file.",
    "",
    "## The pre-registered claims (end mark minus plain, per run)",
    "",
    "| claim | measured, pooled | target | control | verdict | per base seed |",
    "|---|---|---|---|---|---|",
    ...claims.map(
      (p) =>
        `| ${p.id} | ${formatEstimate(p.pooled.value, p.pooled.interval)} | ${p.pooled.threshold} | ${formatControl(p.pooled.control)} | **${p.pooled.verdict}** | ${verdicts(p)} |`,
    ),
    "",
    "## Accuracy per test group (percent), without the end mark",
    "",
    markdown(sp.accuracy),
    "",
    "## … and with it",
    "",
    markdown(se.accuracy),
    "",
    "## The change: with the end mark minus without (points, paired by run)",
    "",
    markdown(t2ChangeRows(plain, end)),
    "",
    "## Each level minus the swap level (points, paired by seed), without the end mark",
    "",
    markdown(sp.minusSwap),
    "",
    "## … and with it",
    "",
    markdown(se.minusSwap),
    "",
    "## Where the wrong answers first leave their target (counts pooled over runs), without the end mark",
    "",
    markdown(sp.departures),
    "",
    "## … and with it",
    "",
    markdown(se.departures),
    "",
    "## The experiment's own claims in both conditions (pooled over the base seeds)",
    "",
    "| claim | without the end mark | with it |",
    "|---|---|---|",
    ...own.plain.map((p) => {
      const e = own.end.find((x) => x.id === p.id);
      const cell = (c: Claim | undefined) =>
        c === undefined ? "—" : `${formatEstimate(c.value, c.interval)}: ${c.verdict}`;
      return `| ${p.id} | ${cell(p.pooled)} | ${cell(e?.pooled)} |`;
    }),
    "",
    ...(typeof note === "string" ? [note, ""] : []),
  ].join("\n");
  const out = args.flags.get("out");
  if (typeof out !== "string") {
    process.stdout.write(text);
    return 0;
  }
  writeFileAtomic(`${out}.md`, text);
  writeJsonAtomic(`${out}.json`, {
    profile: args.profile,
    seeds: seeds.map(Number),
    commits,
    generatedAt: new Date().toISOString(),
    // Each base seed's claim as its value, interval and verdict (the pooled claim keeps every run's value).
    claims: claims.map(brief),
    ownClaims: { plain: own.plain.map(brief), end: own.end.map(brief) },
  });
  console.log(`written: ${out}.md, ${out}.json`);
  return 0;
});
