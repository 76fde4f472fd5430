import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import "../takeaways/index";
import { checkClaims } from "../claims";
import { getExperiment, listExperiments, runExperiment } from "./experiment";
import { loadResults } from "./results";
import { testBackend } from "./testing";
import { fitLine, DEMO_PROFILES } from "./demo";

test("the registry knows the demo and names the known ids on a typo", () => {
  assert.ok(listExperiments().some((e) => e.id === "demo"));
  assert.throws(() => getExperiment("demoo"), /unknown experiment "demoo"; registered: .*demo/);
});

test("demo runs end to end and writes every field of results.json", async () => {
  await testBackend();
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-exp-"));
  const record = await runExperiment(getExperiment("demo"), { profile: "smoke", seed: 7, outRoot });
  const file = path.join(outRoot, "smoke", "demo", "results.json");
  const saved = loadResults(file);
  for (const k of ["id", "profile", "seeds", "backend", "versions", "gitCommit", "wallMs", "metrics", "claims"])
    assert.ok(k in saved, k);
  assert.equal(saved.versions.tfjs, tf.version_core);
  assert.equal(record.claims[0]?.holds, true);
  assert.ok(fs.existsSync(path.join(outRoot, "smoke", "demo", "fits.csv")));
  assert.ok(checkClaims(record).every((l) => l.startsWith("HOLDS")));
});

test("checkClaims throws only when strict, at quick, when an asserted claim fails; only reports at smoke", async () => {
  const base = await runExperiment(getExperiment("demo"), {
    profile: "smoke",
    seed: 1,
    save: false,
    overrides: { numSteps: 1 },
  });
  assert.equal(base.claims[0]?.holds, false);
  assert.doesNotThrow(() => checkClaims(base, { strict: true }));
  assert.doesNotThrow(() => checkClaims({ ...base, profile: "quick" }, { strict: false }));
  assert.throws(
    () => checkClaims({ ...base, profile: "quick" }, { strict: true }),
    /1 claim\(s\) failed at profile quick/,
  );
  const saved = process.env["GEN2BRAIN_STRICT"];
  process.env["GEN2BRAIN_STRICT"] = "1";
  try {
    assert.throws(() => checkClaims({ ...base, profile: "quick" }), /failed at profile quick \(strict\)/);
  } finally {
    if (saved === undefined) delete process.env["GEN2BRAIN_STRICT"];
    else process.env["GEN2BRAIN_STRICT"] = saved;
  }
});

test("demo training is deterministic and leaks no tensors", async () => {
  await testBackend();
  const a = fitLine(DEMO_PROFILES.smoke, 3);
  const before = tf.memory().numTensors;
  const b = fitLine(DEMO_PROFILES.smoke, 3);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(a, b);
});
