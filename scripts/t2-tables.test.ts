import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runExperiment } from "../src/run/experiment";
import { testBackend } from "../src/run/testing";
import { experiment, type T2Config } from "../src/takeaways/t2-chain-of-thought";
import { runScript } from "./script-testing";

const TINY: Partial<T2Config> = {
  numSeeds: 2,
  directSeeds: 1,
  kMin: 1,
  kMax: 2,
  kLonger: [3],
  model: { dModel: 16, nHead: 2, nLayer: 1, dFF: 32 },
  directDepths: [1],
  train: { numSteps: 2, batchSize: 4, lr: 3e-3, minLr: 3e-4, warmupSteps: 1, weightDecay: 0 },
  evalPerK: 2,
  info: { perAnswer: 1, numForms: 2, samplesPerSeed: 12, temperature: 1, curveReps: 2, nullShuffles: 5 },
  star: { numSeeds: 1, warmupSteps: 2, rounds: 1, samplesPerRound: 4, stepsPerRound: 1 },
};

test("t2-variant: says what it needs, names the missing records, and writes the paired claims and tables", async () => {
  const none = runScript("t2-variant.ts", [], { timeoutMs: 60_000 });
  assert.equal(none.status, 2, none.out);
  assert.match(none.out, /give --variant endMark or --variant packed/);
  const noDirs = runScript("t2-variant.ts", ["--variant", "packed"], { timeoutMs: 60_000 });
  assert.equal(noDirs.status, 2, noDirs.out);
  assert.match(noDirs.out, /give --plain DIR and --with DIR/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-variant-"));
  try {
    const args = (variant: string) =>
      ["--variant", variant, "--plain", path.join(dir, "plain"), "--with", path.join(dir, variant)].concat([
        "--seeds",
        "5",
        "--profile",
        "smoke",
      ]);
    const missing = runScript("t2-variant.ts", args("endMark"), { timeoutMs: 60_000 });
    assert.equal(missing.status, 2, missing.out);
    assert.match(missing.out, /no t2 record at .*plain\/5\/smoke\/t2-chain-of-thought\/results\.json/);
    await testBackend();
    for (const variant of ["plain", "endMark", "packed"]) {
      const rec = await runExperiment(experiment, {
        profile: "smoke",
        seed: 5,
        overrides: { ...TINY, ...(variant === "plain" ? {} : { [variant]: true }) },
        save: false,
      });
      const at = path.join(dir, variant, "5", "smoke", "t2-chain-of-thought");
      fs.mkdirSync(at, { recursive: true });
      fs.writeFileSync(path.join(at, "results.json"), JSON.stringify(rec));
    }
    for (const [variant, ids, heading] of [
      ["endMark", ["end-mark-closes-slot-gap", "end-mark-frees-filler"], "The change: with the end mark minus without"],
      ["packed", ["packed-frees-new-wordings"], "The change: packed minus grid"],
    ] as const) {
      const out = path.join(dir, `out-${variant}`);
      const ok = runScript("t2-variant.ts", [...args(variant), "--out", out], { timeoutMs: 120_000 });
      assert.equal(ok.status, 0, ok.out);
      const doc = JSON.parse(fs.readFileSync(`${out}.json`, "utf8"));
      assert.deepEqual(
        doc.claims.map((c: { id: string }) => c.id),
        ids,
      );
      assert.equal(doc.claims[0].pooled.interval.n, 2);
      assert.ok(doc.ownClaims.plain.length > 0 && doc.ownClaims.variant.length === doc.ownClaims.plain.length);
      const md = fs.readFileSync(`${out}.md`, "utf8");
      for (const h of ["The pre-registered claims", heading, "own claims"]) assert.ok(md.includes(h), h);
    }
    // A variant's claims refuse records that are not its pair (here: the end mark read as the packed layout).
    const wrong = runScript(
      "t2-variant.ts",
      ["--variant", "packed", "--plain", path.join(dir, "plain"), "--with", path.join(dir, "endMark")].concat([
        "--seeds",
        "5",
        "--profile",
        "smoke",
      ]),
      { timeoutMs: 60_000 },
    );
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.out, /must be without packed \(false\) and the second with it/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("t2-split-table: reads either folder layout, names the missing records, adds the filler probe's claims only with the probe and the own claims with --own", async () => {
  const none = runScript("t2-split-table.ts", [], { timeoutMs: 60_000 });
  assert.equal(none.status, 2, none.out);
  assert.match(none.out, /give --dir/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-split-table-"));
  try {
    const args = (d: string, seeds: string) => ["--dir", d, "--seeds", seeds, "--profile", "smoke"];
    const missing = runScript("t2-split-table.ts", args(dir, "5"), { timeoutMs: 60_000 });
    assert.equal(missing.status, 2, missing.out);
    assert.match(missing.out, /no t2 record at .*by-seed\/5\/smoke\/t2-chain-of-thought\/results\.json/);
    await testBackend();
    // The probes (both) as run-experiment --out DIR/<seed> writes them; the plain run as claims-by-seed --out DIR does.
    for (const fillerProbe of [true, false]) {
      const rec = await runExperiment(experiment, {
        profile: "smoke",
        seed: 5,
        overrides: { ...TINY, fillerProbe, sepProbe: fillerProbe },
        save: false,
      });
      const at = path.join(
        dir,
        fillerProbe ? "probe" : path.join("plain", "by-seed"),
        "5",
        "smoke",
        "t2-chain-of-thought",
      );
      fs.mkdirSync(at, { recursive: true });
      fs.writeFileSync(path.join(at, "results.json"), JSON.stringify(rec));
    }
    const probe = runScript(
      "t2-split-table.ts",
      [...args(path.join(dir, "probe"), "5"), "--out", path.join(dir, "p.md")],
      {
        timeoutMs: 120_000,
      },
    );
    assert.equal(probe.status, 0, probe.out);
    const doc = JSON.parse(fs.readFileSync(path.join(dir, "p.json"), "utf8"));
    assert.deepEqual(
      doc.claims.map((c: { id: string }) => c.id),
      [
        "trained-filler-hides-end",
        "trained-filler-no-easier",
        "trained-separator-costs",
        "trained-separator-no-easier",
      ],
    );
    assert.equal(doc.claims[0].pooled.interval.n, 2);
    assert.deepEqual(Object.keys(doc.claims[0].bySeed), ["5"]);
    const md = fs.readFileSync(path.join(dir, "p.md"), "utf8");
    for (const heading of [
      "pre-registered claims of the filler probe",
      "pre-registered claims of the separator probe",
      "Accuracy per test group",
      "filler-from-header",
      "sep-from-header",
    ])
      assert.ok(md.includes(heading), heading);
    const plain = runScript(
      "t2-split-table.ts",
      [...args(path.join(dir, "plain"), "5"), "--out", path.join(dir, "q.md")],
      {
        timeoutMs: 120_000,
      },
    );
    assert.equal(plain.status, 0, plain.out);
    const plainMd = fs.readFileSync(path.join(dir, "q.md"), "utf8");
    assert.ok(!plainMd.includes("filler probe") && !plainMd.includes("separator probe"));
    assert.equal(fs.existsSync(path.join(dir, "q.json")), false);
    // --own: the record's own claims pooled, in the markdown and the JSON.
    const own = runScript(
      "t2-split-table.ts",
      [...args(path.join(dir, "plain"), "5"), "--own", "--title", "t2 at a budget", "--out", path.join(dir, "o.md")],
      { timeoutMs: 120_000 },
    );
    assert.equal(own.status, 0, own.out);
    const ownMd = fs.readFileSync(path.join(dir, "o.md"), "utf8");
    assert.ok(ownMd.startsWith("# t2 at a budget, profile smoke") && ownMd.includes("own claims"), ownMd.slice(0, 200));
    const ownDoc = JSON.parse(fs.readFileSync(path.join(dir, "o.json"), "utf8"));
    assert.deepEqual(ownDoc.claims, []);
    assert.ok(ownDoc.ownClaims.some((c: { id: string }) => c.id === "copying-chain-transfers-worse"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
