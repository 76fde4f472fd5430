import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { assertedClaim, atLeast, atMost, measuredClaim, overSeeds, singleRun, type Claim } from "../src/claims";
import {
  claimListsAcrossSeeds,
  claimsBySeedDocument,
  claimsWithControlsTable,
  claimsBySeedMarkdown,
  committedClaimsFile,
  loadSeedRecords,
  README_BEGIN,
  README_END,
  mergeClaimsBySeed,
  readmeClaimsBlock,
  replaceExperiments,
  spliceBetweenMarkers,
  type SeedRun,
  verdictSummaryTable,
} from "./claims-table";
import { parseSeedList, seedOutRoot } from "./claims-by-seed";

const probe = (values: number[], control: number[]): Claim =>
  assertedClaim({
    id: "probe",
    statement: "decodes above chance",
    paper: "§2",
    refutedBy: "an interval below 0.5",
    quantity: "probe accuracy",
    estimate: overSeeds(values, { bounds: [0, 1] }),
    target: atLeast(0.5),
    control: { id: "random", description: "untrained", estimate: overSeeds(control), expect: "absent" },
  });
const gap = (x: number): Claim =>
  measuredClaim({
    id: "gap",
    statement: "a gap",
    paper: null,
    refutedBy: "reported",
    quantity: "gap",
    estimate: singleRun(x),
    target: atMost(0.02),
  });

const runs: SeedRun[] = [
  { seed: 1234, experiments: [{ id: "tX", claims: [probe([0.8, 0.82, 0.79], [0.1, 0.12, 0.11]), gap(0.0246)] }] },
  // Under this seed the probe's interval straddles 0.5: inconclusive, so it disagrees with the pooled verdict.
  { seed: 4242, experiments: [{ id: "tX", claims: [probe([0.3, 0.9, 0.6], [0.1, 0.12, 0.11]), gap(0.018)] }] },
  { seed: 7, experiments: [{ id: "tX", claims: [probe([0.75, 0.8, 0.78], [0.1, 0.1, 0.13]), gap(0.03)] }] },
];

test("claims across base seeds: per-seed verdicts, pooled over all runs, agreement", () => {
  const doc = claimsBySeedDocument("quick", runs, "abc", new Date("2026-01-01T00:00:00Z"));
  assert.deepEqual(doc.seeds, [1234, 4242, 7]);
  const p = doc.claims.find((c) => c.id === "probe");
  assert.ok(p);
  assert.deepEqual(
    doc.seeds.map((s) => p.bySeed[String(s)]?.verdict),
    ["holds", "inconclusive", "holds"],
  );
  assert.equal(p.pooled.interval.n, 9, "the runs of all base seeds are pooled");
  assert.equal(p.pooled.verdict, "holds");
  assert.deepEqual(p.pooled.interval.bounds, [0, 1], "pooling keeps the bounds of an accuracy");
  assert.ok(p.pooled.interval.hi <= 1);
  const single = (x: number): Claim => probe([x], [0.1]);
  const one = claimsBySeedDocument(
    "smoke",
    [
      { seed: 1, experiments: [{ id: "tX", claims: [single(0.99)] }] },
      { seed: 2, experiments: [{ id: "tX", claims: [single(1)] }] },
      { seed: 3, experiments: [{ id: "tX", claims: [single(0.97)] }] },
    ],
    "abc",
  ).claims[0];
  assert.ok(one && one.pooled.interval.n === 3 && one.pooled.interval.hi <= 1, "one run per seed keeps the bounds too");
  assert.deepEqual(p.agreement, { agree: 2, of: 3 });
  const g = doc.claims.find((c) => c.id === "gap");
  assert.ok(g);
  assert.equal(g.pooled.verdict, "measured");
  assert.equal(g.pooled.interval.n, 3, "single runs pool as one value per base seed");
  // Pooled mean 0.0242 misses ≤ 0.02; seeds 1234 and 7 miss too, 4242 meets it.
  assert.deepEqual(g.agreement, { agree: 2, of: 3 });
  const md = claimsBySeedMarkdown(doc);
  assert.match(md, /\| takeaway \| claim \| seed 1234 \| seed 4242 \| seed 7 \| pooled \(95% interval\) \|/);
  assert.match(
    md,
    /\| tX \| decodes above chance \| holds 0.8033 \| inconclusive 0.6 \| holds 0.7767 \| .* \| ≥ 0.5 \| holds \| 2\/3 \| §2 \|/,
  );
  assert.match(md, /\| tX \| a gap \| 0.0246 \(misses\) \| 0.018 \(meets\) \| 0.03 \(misses\) \|/);
  // Each base seed keeps its control's value and verdict (a claim without a control has none).
  assert.equal(p.bySeed["1234"]?.control?.verdict, "contradicts");
  assert.ok(Math.abs((p.bySeed["1234"]?.control?.value ?? 0) - 0.11) < 1e-12);
  assert.equal(g.bySeed["7"]?.control, undefined);
  // Claim lists made outside one run (two conditions of it), across seeds, with their controls in the table.
  const lists = claimListsAcrossSeeds("tX-pair", [
    { seed: 1, claims: [probe([0.8, 0.82, 0.79], [0.1, 0.12, 0.11])] },
    { seed: 2, claims: [probe([0.3, 0.9, 0.6], [0.1, 0.12, 0.11])] },
  ]);
  assert.deepEqual(
    lists.map((c) => [c.experiment, c.id, c.bySeed["1"]?.verdict, c.bySeed["2"]?.verdict, c.pooled.interval.n]),
    [["tX-pair", "probe", "holds", "inconclusive", 6]],
  );
  const table = claimsWithControlsTable(lists);
  assert.equal(table[0], "| claim | measured, pooled | target | control | verdict | per base seed |");
  assert.match(
    table[2] as string,
    /^\| probe \| .* \| ≥ 0.5 \| random \(negative\): .* \| \*\*\w+\*\* \| 1: holds, 2: inconclusive \|$/,
  );
});

test("a claim missing under one seed, a failed experiment, and differing wording are reported", () => {
  const withGap: SeedRun[] = [
    runs[0] as SeedRun,
    { seed: 5, experiments: [{ id: "tX", error: "no results" }] },
    { seed: 6, experiments: [{ id: "tX", claims: [{ ...probe([0.7, 0.8], [0.1, 0.2]), statement: "other words" }] }] },
  ];
  const doc = claimsBySeedDocument("smoke", withGap, "abc");
  const p = doc.claims.find((c) => c.id === "probe");
  assert.equal(p?.bySeed["5"], null);
  assert.equal(p?.statementsDiffer, true);
  assert.equal(doc.runs[1]?.experiments["tX"], "no results");
  assert.match(claimsBySeedMarkdown(doc), /seed 5: tX FAILED \(no results\)/);
});

test("the README block is spliced between its markers, idempotently, and a missing marker is an error", () => {
  const doc = claimsBySeedDocument("smoke", runs, "0123456789abcdef", new Date("2026-01-01T00:00:00Z"));
  const readme = `# x\n\n${README_BEGIN}\nold table\n${README_END}\n\nafter\n`;
  const once = spliceBetweenMarkers(readme, readmeClaimsBlock(doc));
  assert.ok(!once.includes("old table"));
  assert.match(once, /Generated by `npx tsx scripts\/readme-claims.ts --profile smoke`/);
  assert.match(once, /--seeds 1234,4242,7/);
  assert.ok(once.endsWith(`${README_END}\n\nafter\n`));
  assert.equal(spliceBetweenMarkers(once, readmeClaimsBlock(doc)), once);
  assert.throws(() => spliceBetweenMarkers("no markers", "x"), /marker not found: <!-- claims-by-seed:begin/);
});

test("the summary at a glance counts asserted claims per takeaway by pooled verdict, the paper's apart from ours", () => {
  // A qualification of ours (paper: null) that every base seed contradicts, beside the probe (the paper's; it holds
  // pooled, under two base seeds of three alone) and the measured gap.
  const ours = (values: number[]): Claim => ({ ...probe(values, [0.1, 0.12, 0.11]), id: "ours", paper: null });
  const withOurs: SeedRun[] = runs.map((r, i) => ({
    seed: r.seed,
    experiments: [
      { id: "tX", claims: [...(r.experiments[0]?.claims ?? [])] },
      { id: "tY", claims: [ours([0.1 + i / 100, 0.12, 0.11])] },
    ],
  }));
  const doc = claimsBySeedDocument("quick", withOurs, "abc", new Date("2026-01-01T00:00:00Z"));
  assert.deepEqual(verdictSummaryTable(doc).slice(2), [
    "| tX | 1 (0) | 0 | 0 | 0 / 0 / 0 | 1 | — |",
    "| tY | 0 | 0 | 0 | 0 / 1 (1) / 0 | 0 | ours (ours) |",
    "| all | 1 (0) | 0 | 0 | 0 / 1 (1) / 0 | 1 | — |",
  ]);
  assert.match(readmeClaimsBlock(doc), /At a glance[^]*\| tY \| 0 \| 0 \| 0 \| 0 \/ 1 \(1\) \/ 0 \|[^]*Every claim:/);
});

/** The same claims as another experiment's (`<id>-b`), run a day later at another commit. */
function otherExperiment(doc: ReturnType<typeof claimsBySeedDocument>): ReturnType<typeof claimsBySeedDocument> {
  return {
    ...doc,
    gitCommit: "fedcba9876543210",
    generatedAt: "2026-01-02T00:00:00.000Z",
    claims: doc.claims.map((c) => ({ ...c, experiment: `${c.experiment}-b` })),
  };
}

test("claims-by-seed runs of different experiments merge into one table naming each one's commit", () => {
  const doc = claimsBySeedDocument("smoke", runs, "0123456789abcdef", new Date("2026-01-01T00:00:00Z"));
  const other = otherExperiment(doc);
  const merged = mergeClaimsBySeed([
    { file: "a.json", doc },
    { file: "b.json", doc: other },
  ]);
  assert.equal(merged.claims.length, 2 * doc.claims.length);
  assert.equal(merged.generatedAt, "2026-01-02T00:00:00.000Z");
  assert.equal(merged.sources?.length, 2);
  const block = readmeClaimsBlock(merged);
  assert.match(block, /at commit `0123456789ab` \(2026-01-01\)/);
  assert.match(block, /at commit `fedcba987654` \(2026-01-02\)/);
  assert.throws(
    () =>
      mergeClaimsBySeed([
        { file: "a.json", doc },
        { file: "c.json", doc },
      ]),
    /c\.json: .* is also in a\.json/,
  );
  assert.throws(
    () =>
      mergeClaimsBySeed([
        { file: "a.json", doc },
        { file: "d.json", doc: { ...other, seeds: [1] } },
      ]),
    /d\.json: base seeds 1, but a\.json has/,
  );
  assert.throws(() => mergeClaimsBySeed([]), /no claims-by-seed files/);
});

test("rerunning one experiment replaces its rows in the committed table and keeps the others' rows and commits", () => {
  const a = claimsBySeedDocument("smoke", runs, "0123456789abcdef", new Date("2026-01-01T00:00:00Z"));
  const b = otherExperiment(a);
  const committed = mergeClaimsBySeed([
    { file: "a.json", doc: a },
    { file: "b.json", doc: b },
  ]);
  // A rerun of the first experiment only, at a later commit, with a changed value.
  const first = a.claims[0];
  assert.ok(first !== undefined);
  const rerun = {
    ...a,
    gitCommit: "aaaabbbbccccdddd",
    generatedAt: "2026-01-03T00:00:00.000Z",
    claims: a.claims.map((c) => ({ ...c, statement: `${c.statement} (rerun)` })),
  };
  const next = replaceExperiments(committed, rerun, "rerun.json");
  assert.equal(next.claims.length, committed.claims.length);
  assert.ok(next.claims.filter((c) => c.experiment === first.experiment).every((c) => c.statement.endsWith("(rerun)")));
  assert.ok(next.claims.filter((c) => c.experiment.endsWith("-b")).every((c) => !c.statement.endsWith("(rerun)")));
  const block = readmeClaimsBlock(next);
  assert.match(block, /at commit `aaaabbbbcccc` \(2026-01-03\)/);
  assert.match(block, /at commit `fedcba987654` \(2026-01-02\)/);
  assert.doesNotMatch(block, /0123456789ab/);
  assert.throws(
    () => replaceExperiments(committed, { ...rerun, seeds: [1] }, "rerun.json"),
    /rerun\.json: base seeds 1/,
  );
});

test("the README's claims table is what the committed table gives (scripts/readme-claims.ts regenerates it)", () => {
  const root = path.join(__dirname, "..");
  const file = committedClaimsFile(root, "quick");
  const doc = JSON.parse(fs.readFileSync(file, "utf8")) as Parameters<typeof readmeClaimsBlock>[0];
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  assert.equal(spliceBetweenMarkers(readme, readmeClaimsBlock(doc)), readme, "run npx tsx scripts/readme-claims.ts");
});

test("--seeds parsing and per-seed folders; records written before verdicts are flagged", () => {
  assert.deepEqual(parseSeedList("1234, 4242,7"), [1234, 4242, 7]);
  assert.throws(() => parseSeedList("1,1"), /repeated/);
  assert.throws(() => parseSeedList("1,-2"), /--seeds/);
  assert.throws(() => parseSeedList(","), /at least one/);
  assert.equal(seedOutRoot("out", 7), path.join("out", "by-seed", "7"));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-cbs-"));
  const dir = path.join(root, "smoke", "tX");
  fs.mkdirSync(dir, { recursive: true });
  const base = {
    id: "tX",
    profile: "smoke",
    seeds: [1],
    backend: "cpu",
    versions: {},
    gitCommit: "x",
    wallMs: 1,
    metrics: {},
  };
  fs.writeFileSync(path.join(dir, "results.json"), JSON.stringify({ ...base, claims: [{ id: "a", holds: true }] }));
  const [old, missing] = loadSeedRecords(root, "smoke", ["tX", "tY"]);
  assert.match(old?.error ?? "", /before claims had verdicts/);
  assert.match(missing?.error ?? "", /no results/);
  fs.writeFileSync(path.join(dir, "results.json"), JSON.stringify({ ...base, claims: [gap(0.01)] }));
  assert.equal(loadSeedRecords(root, "smoke", ["tX"])[0]?.claims?.length, 1);
  fs.rmSync(root, { recursive: true, force: true });
});
