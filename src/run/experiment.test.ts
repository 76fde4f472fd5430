import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import "../takeaways/index";
import { checkClaims } from "../claims";
import { getExperiment, listExperiments, runExperiment } from "./experiment";
import { loadResults } from "./results";
import { expectClaimsContract, tempDir, testBackend } from "./testing";
import { fitLine, DEMO_PROFILES } from "./demo";

test("the registry knows the demo and names the known ids on a typo", () => {
  assert.ok(listExperiments().some((e) => e.id === "demo"));
  assert.throws(() => getExperiment("demoo"), /unknown experiment "demoo"; registered: .*demo/);
});

test("demo runs end to end and writes every field of results.json", async (t) => {
  await testBackend();
  const outRoot = tempDir(t, "g2b-exp-");
  const record = await runExperiment(getExperiment("demo"), { profile: "smoke", seed: 7, outRoot });
  const file = path.join(outRoot, "smoke", "demo", "results.json");
  const saved = loadResults(file);
  for (const k of ["id", "profile", "seeds", "backend", "versions", "gitCommit", "wallMs", "metrics", "claims"])
    assert.ok(k in saved, k);
  assert.equal(saved.versions.tfjs, tf.version_core);
  assert.equal(record.claims[0]?.verdict, "holds");
  assert.equal(record.claims[0]?.control?.verdict, "contradicts");
  assert.ok(fs.existsSync(path.join(outRoot, "smoke", "demo", "fits.csv")));
  expectClaimsContract({ file });
  const lines = checkClaims(record);
  assert.ok(lines[0]?.startsWith("HOLDS"), lines[0]);
  assert.match(lines[lines.length - 1] ?? "", /1 holds, 0 contradicts, 0 inconclusive, 0 measured/);
});

test("checkClaims reports by default and throws only when strict (and not at smoke)", async () => {
  const base = await runExperiment(getExperiment("demo"), {
    profile: "smoke",
    seed: 1,
    save: false,
    overrides: { numSteps: 1 },
  });
  assert.notEqual(base.claims[0]?.verdict, "holds");
  const quick = { ...base, profile: "quick" as const };
  assert.doesNotThrow(() => checkClaims(base, { strict: true }));
  assert.doesNotThrow(() => checkClaims(quick, { strict: false }));
  assert.throws(
    () => checkClaims(quick, { strict: true }),
    /1 asserted claim\(s\) of demo do not hold at profile quick/,
  );
  const saved = process.env["GEN2BRAIN_STRICT"];
  process.env["GEN2BRAIN_STRICT"] = "1";
  try {
    assert.throws(() => checkClaims(quick), /do not hold at profile quick/);
  } finally {
    if (saved === undefined) delete process.env["GEN2BRAIN_STRICT"];
    else process.env["GEN2BRAIN_STRICT"] = saved;
  }
});

test("demo training is deterministic and leaks no tensors", async () => {
  await testBackend();
  const a = await fitLine(DEMO_PROFILES.smoke, 3);
  const before = tf.memory().numTensors;
  const b = await fitLine(DEMO_PROFILES.smoke, 3);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(a, b);
});

test("every registered experiment's smoke test checks its claims against the contract", () => {
  // Each takeaway's run.test.ts runs it at smoke and reads its results.json through expectClaimsContract;
  // runExperiment refuses claims that break the contract, so a new experiment cannot skip it silently.
  const takeaways = path.join(__dirname, "..", "takeaways");
  for (const e of listExperiments()) {
    if (e.id === "demo") continue; // checked above
    const test = path.join(takeaways, e.id, "run.test.ts");
    assert.ok(fs.existsSync(test), `${e.id}: no src/takeaways/${e.id}/run.test.ts`);
    assert.match(fs.readFileSync(test, "utf8"), /expectClaimsContract\(/, `${e.id}: run.test.ts must check its claims`);
  }
});

test("runExperiment refuses claims that break the contract, naming the claim", async () => {
  const bad = {
    ...getExperiment("demo"),
    id: "demo-bad-claims",
    run: async () => ({ seeds: [1], metrics: {}, claims: [{ id: "x", statement: "s", value: 1 }] as never, data: {} }),
  };
  await assert.rejects(
    runExperiment(bad, { profile: "smoke", save: false }),
    /demo-bad-claims: its claims break the claims contract[\s\S]*claim "x": verdict must be one of/,
  );
});
