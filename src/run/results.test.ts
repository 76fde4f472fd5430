import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { loadResults, toCsv, toJson, writeFileAtomic } from "./results";
import { tempDir } from "./testing";

test("writeFileAtomic leaves either the old or the new file, never a temp file", (t) => {
  const dir = tempDir(t, "g2b-res-");
  const f = path.join(dir, "a", "results.json");
  writeFileAtomic(f, "old");
  writeFileAtomic(f, "new");
  assert.equal(fs.readFileSync(f, "utf8"), "new");
  assert.deepEqual(fs.readdirSync(path.dirname(f)), ["results.json"]);
});

test("a failed write keeps the previous file intact and removes the temp file", (t) => {
  const dir = tempDir(t, "g2b-res-");
  const f = path.join(dir, "results.json");
  writeFileAtomic(f, "keep me");
  fs.mkdirSync(f + ".blocker");
  // Renaming onto a directory fails: simulate by writing to a path whose target is a directory.
  assert.throws(() => writeFileAtomic(f + ".blocker", "x"));
  assert.equal(fs.readFileSync(f, "utf8"), "keep me");
  assert.deepEqual(fs.readdirSync(dir).sort(), ["results.json", "results.json.blocker"]);
});

test("loadResults names the missing field", (t) => {
  const dir = tempDir(t, "g2b-res-");
  const f = path.join(dir, "results.json");
  fs.writeFileSync(f, JSON.stringify({ id: "x", profile: "smoke" }));
  assert.throws(() => loadResults(f), /results field "seeds" is missing/);
  fs.writeFileSync(f, "{not json");
  assert.throws(() => loadResults(f), /cannot read results/);
});

test("JSON writes NaN as null; CSV quotes per RFC 4180", () => {
  assert.equal(toJson({ a: NaN, b: 1 }), '{\n  "a": null,\n  "b": 1\n}\n');
  assert.equal(toCsv([{ x: "a,b", y: 'say "hi"', z: 3 }]), 'x,y,z\n"a,b","say ""hi""",3\n');
});

test("loadResults turns the NaN written as null back into NaN in metrics, intervals and claim values", (t) => {
  const dir = tempDir(t, "g2b-res-");
  const f = path.join(dir, "results.json");
  const record = {
    id: "x",
    profile: "smoke",
    seeds: [1],
    backend: "cpu",
    versions: {},
    gitCommit: "c",
    wallMs: 1,
    metrics: { a: NaN, b: 2, c: { mean: NaN, lo: NaN, hi: 1, n: 2 } },
    claims: [{ id: "k", statement: "s", value: NaN, threshold: "> 0", holds: false }],
    data: { gap: null },
  };
  fs.writeFileSync(f, toJson(record));
  const r = loadResults<object, { gap: null }>(f);
  assert.ok(Number.isNaN(r.metrics["a"] as number));
  assert.equal(r.metrics["b"], 2);
  assert.deepEqual(r.metrics["c"], { mean: NaN, lo: NaN, hi: 1, n: 2 });
  assert.ok(Number.isNaN(r.claims[0]?.value as number));
  assert.equal(r.data.gap, null, "data is the experiment's own: left as written");
});
