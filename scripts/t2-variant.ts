/**
 * `tsx scripts/t2-variant.ts --variant endMark|packed --plain DIR --with DIR --seeds 11,12,13 [--profile quick]
 *   [--out PREFIX] [--note TEXT]`
 *
 * A variant of takeaway 2 against the plain runs of the same base seeds, run by run: the end mark (`endMark`,
 * pre-registered in data/claims-by-seed/t2-end-mark/) or the packed layout (`packed`, data/claims-by-seed/t2-packed/).
 * Each base seed in its own folder under each DIR (`DIR/<seed>/<profile>/t2-chain-of-thought/results.json`, what
 * `run-experiment --out DIR/<seed>` writes; `--with` holds the runs with `--set '{"<variant>":true}'`). Writes the
 * variant's pre-registered claims per base seed and pooled over every run, each level's accuracy per test group in
 * both conditions and its change, the level-minus-swap gaps, where the wrong answers first leave their target, and
 * the experiment's own claims in both conditions: PREFIX.md and PREFIX.json (the claims in claims-by-seed.json's
 * shape), each through a temporary file, then renamed, else the markdown on stdout; --note adds a paragraph at the end.
 */
import * as fs from "fs";
import * as path from "path";
import { type Claim, formatEstimate } from "../src/claims";
import { writeFileAtomic, writeJsonAtomic } from "../src/run/results";
import {
  type T2Record,
  type T2Variant,
  t2ChangeRows,
  t2EndMarkClaims,
  t2PackedClaims,
  t2SplitRows,
} from "../src/takeaways/t2-chain-of-thought";
import { markdownTable } from "../src/present/table";
import { claimListsAcrossSeeds, claimsWithControlsTable } from "./claims-table";
import { parseArgs, runMain } from "./cli";

/** What each variant is called in the tables, and its claims. */
const VARIANTS: Record<
  T2Variant,
  {
    readonly title: string;
    readonly claimsId: string;
    readonly minus: string;
    readonly without: string;
    readonly withIt: string;
    readonly change: string;
    readonly claims: (plain: T2Record, variant: T2Record) => Claim[];
  }
> = {
  endMark: {
    title: "end mark",
    claimsId: "t2-end-mark",
    minus: "end mark minus plain",
    without: "without the end mark",
    withIt: "with it",
    change: "with the end mark minus without",
    claims: t2EndMarkClaims,
  },
  packed: {
    title: "packed layout",
    claimsId: "t2-packed",
    minus: "packed minus grid",
    without: "in the grid layout",
    withIt: "packed",
    change: "packed minus grid",
    claims: t2PackedClaims,
  },
};

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["variant", "plain", "with", "seeds", "out", "note"], []);
  const variant = args.flags.get("variant");
  const plainDir = args.flags.get("plain");
  const withDir = args.flags.get("with");
  const seedsFlag = args.flags.get("seeds");
  if (variant !== "endMark" && variant !== "packed") {
    console.error(`t2-variant: give --variant endMark or --variant packed, got ${JSON.stringify(variant ?? null)}`);
    return 2;
  }
  if (typeof plainDir !== "string" || typeof withDir !== "string" || typeof seedsFlag !== "string") {
    console.error(
      `t2-variant: give --plain DIR and --with DIR (run-experiment --out DIR/<seed> without and with --set '{"${variant}":true}') and --seeds (comma-separated base seeds)`,
    );
    return 2;
  }
  const v = VARIANTS[variant];
  const seeds = seedsFlag.split(",").map((s) => s.trim());
  const file = (dir: string, s: string) => path.join(dir, s, args.profile, "t2-chain-of-thought", "results.json");
  const missing = seeds.flatMap((s) => [file(plainDir, s), file(withDir, s)]).filter((f) => !fs.existsSync(f));
  if (missing.length > 0) {
    console.error(`t2-variant: no t2 record at ${missing.join(", ")}; run run-experiment for those base seeds first`);
    return 2;
  }
  const read = (f: string) => JSON.parse(fs.readFileSync(f, "utf8")) as T2Record;
  const plain = seeds.map((s) => read(file(plainDir, s)));
  const after = seeds.map((s) => read(file(withDir, s)));
  const across = (name: string, lists: ReadonlyArray<ReadonlyArray<Claim>>) =>
    claimListsAcrossSeeds(
      name,
      lists.map((claims, i) => ({ seed: Number(seeds[i]), claims })),
    );
  const claims = across(
    v.claimsId,
    seeds.map((_, i) => v.claims(plain[i] as T2Record, after[i] as T2Record)),
  );
  const own = {
    plain: across(
      "t2-chain-of-thought",
      plain.map((r) => r.claims as Claim[]),
    ),
    variant: across(
      "t2-chain-of-thought",
      after.map((r) => r.claims as Claim[]),
    ),
  };
  const commits = [...new Set([...plain, ...after].map((r) => r.gitCommit.slice(0, 12)))];
  const n = plain.reduce((a, r) => a + r.data.levelRuns.length / r.data.levels.length, 0);
  const [sp, se] = [t2SplitRows(plain), t2SplitRows(after)];
  const note = args.flags.get("note");
  const text = [
    `# t2's ${v.title}, profile ${args.profile}, base seeds ${seeds.join(", ")}`,
    "",
    `Commit ${commits.join(", ")}; ${n} runs per level and condition, paired by run; 95% t-intervals over the runs. ` +
      `Generated by \`npx tsx scripts/t2-variant.ts --variant ${variant} --plain DIR/plain --with DIR/${variant} --seeds ${seeds.join(",")} --profile ${args.profile}\`; ` +
      "the pre-registration is PREREGISTRATION.md beside this file.",
    "",
    `## The pre-registered claims (${v.minus}, per run)`,
    "",
    ...claimsWithControlsTable(claims),
    "",
    `## Accuracy per test group (percent), ${v.without}`,
    "",
    markdownTable(sp.accuracy),
    "",
    `## … and ${v.withIt}`,
    "",
    markdownTable(se.accuracy),
    "",
    `## The change: ${v.change} (points, paired by run)`,
    "",
    markdownTable(t2ChangeRows(plain, after)),
    "",
    `## Each level minus the swap level (points, paired by seed), ${v.without}`,
    "",
    markdownTable(sp.minusSwap),
    "",
    `## … and ${v.withIt}`,
    "",
    markdownTable(se.minusSwap),
    "",
    `## Where the wrong answers first leave their target (counts pooled over runs), ${v.without}`,
    "",
    markdownTable(sp.departures),
    "",
    `## … and ${v.withIt}`,
    "",
    markdownTable(se.departures),
    "",
    "## The experiment's own claims in both conditions (pooled over the base seeds)",
    "",
    `| claim | ${v.without} | ${v.withIt} |`,
    "|---|---|---|",
    ...own.plain.map((p) => {
      const e = own.variant.find((x) => x.id === p.id);
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
    // As claims-by-seed.json holds them: each base seed's value, interval, verdict and control; the pooled claim
    // keeps every run's value.
    claims,
    ownClaims: own,
  });
  console.log(`written: ${out}.md, ${out}.json`);
  return 0;
});
