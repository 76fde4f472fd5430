import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { runScript } from "./script-testing";
import { tempDir } from "../src/run/testing";

/** A result tree as reproduce writes it: one results.json (with provenance that may differ) and one CSV. */
function tree(root: string, value: number, startedAt: string): string {
  const dir = path.join(root, "quick", "demo");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "results.json"), JSON.stringify({ startedAt, metrics: { loss: value } }));
  fs.writeFileSync(path.join(dir, "curve.csv"), `step,loss\n1,${value}\n`);
  // t4's runs carry their timings in …_ms columns: ignored, as a record's wall and CPU times are.
  const ms = 100 + Number(startedAt.slice(-2)); // differs between the two trees of the first test
  fs.writeFileSync(path.join(dir, "runs.csv"), `run,wall_ms,"note, quoted",cpu_ms\nr0,${ms},"a, b",${ms + 1}\n`);
  return root;
}

const compare = (...args: string[]): { status: number | null; out: string } =>
  runScript("compare-results.ts", args, { timeoutMs: 60_000 });

test("compare-results: equal numbers pass whatever the provenance; a changed number fails and is named", (t) => {
  const a = tree(tempDir(t, "g2b-cmp-a-"), 0.125, "2026-12-01");
  const same = tree(tempDir(t, "g2b-cmp-b-"), 0.125, "2026-12-03");
  const other = tree(tempDir(t, "g2b-cmp-c-"), 0.12500001, "2026-12-01");
  const ok = compare(a, same);
  assert.equal(ok.status, 0, ok.out);
  assert.match(ok.out, /3\/3 files bit-identical/);
  const bad = compare(a, other);
  assert.equal(bad.status, 1, bad.out);
  assert.match(bad.out, /DIFFERS quick\/demo\/results\.json\n {2}\$\.metrics\.loss: 0\.125 vs 0\.12500001/);
});

test("compare-results: a folder that is not there, or trees with nothing to compare, are errors, not a pass", (t) => {
  const a = tree(tempDir(t, "g2b-cmp-a-"), 1, "x");
  const missing = compare(a, path.join(a, "no-such-folder"));
  assert.equal(missing.status, 2, missing.out);
  assert.match(missing.out, /no-such-folder is not a folder/);
  const empty = compare(tempDir(t, "g2b-cmp-e-"), tempDir(t, "g2b-cmp-f-"));
  assert.equal(empty.status, 2, empty.out);
  assert.match(empty.out, /nothing to compare/);
  const max = compare(a, a, "--max", "x");
  assert.equal(max.status, 2, max.out);
  assert.match(max.out, /--max wants a whole number/);
});
