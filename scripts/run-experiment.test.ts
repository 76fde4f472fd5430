import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runScript } from "./script-testing";

function runExperimentCli(args: string[]): { status: number | null; out: string } {
  return runScript("run-experiment.ts", args, { timeoutMs: 120_000 });
}

// Each of these fails before any training: nothing is written.
test("run-experiment --set: a variant needs its own --out, JSON of known fields; errors say the fix", () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "g2b-set-")), "variants");
  const noOut = runExperimentCli(["t2-chain-of-thought", "--profile", "smoke", "--set", '{"positions":"rotary"}']);
  assert.notEqual(noOut.status, 0);
  assert.match(noOut.out, /--set runs a variant of t2-chain-of-thought: give it its own --out DIR/);
  const badJson = runExperimentCli(["t2-chain-of-thought", "--set", "positions=rotary", "--out", out]);
  assert.notEqual(badJson.status, 0);
  assert.match(badJson.out, /--set: not valid JSON .*e\.g\. --set '\{"positions":"rotary"\}'/);
  const notObject = runExperimentCli(["t2-chain-of-thought", "--set", "[1]", "--out", out]);
  assert.match(notObject.out, /--set: must be a JSON object of config fields/);
  const unknown = runExperimentCli([
    "t2-chain-of-thought",
    "--profile",
    "smoke",
    "--set",
    '{"positons":"rotary"}',
    "--out",
    out,
  ]);
  assert.notEqual(unknown.status, 0);
  assert.match(unknown.out, /positons: unknown field/);
  assert.ok(!fs.existsSync(out), "a failed --set wrote nothing");
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
});

test("run-experiment --jobs 2: the seeds in two processes give the one-process record; the store is removed", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-jobs-"));
  try {
    const read = (sub: string) =>
      JSON.parse(fs.readFileSync(path.join(dir, sub, "smoke", "t2-chain-of-thought", "results.json"), "utf8")) as {
        metrics: unknown;
        claims: unknown;
        cacheKey: string;
        data: unknown;
      };
    const base = ["t2-chain-of-thought", "--profile", "smoke", "--seed", "9", "--no-figures", "--out"];
    const one = runExperimentCli([...base, path.join(dir, "one")]);
    assert.equal(one.status, 0, one.out);
    const two = runExperimentCli([...base, path.join(dir, "two"), "--jobs", "2"]);
    assert.equal(two.status, 0, two.out);
    assert.match(two.out, /2 processes/);
    const [a, b] = [read("one"), read("two")];
    assert.deepEqual(b.metrics, a.metrics);
    assert.deepEqual(b.claims, a.claims);
    assert.equal(b.cacheKey, a.cacheKey);
    const noWall = (d: unknown) => JSON.stringify(d, (k, v: unknown) => (k === "trainMs" || k === "timing" ? null : v));
    assert.equal(noWall(b.data), noWall(a.data));
    assert.ok(
      !fs.existsSync(path.join(dir, "two", "smoke", "t2-chain-of-thought", "seeds")),
      "the seed store is removed",
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
