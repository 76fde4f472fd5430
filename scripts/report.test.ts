import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import "../src/takeaways/index";
import { isClaim } from "../src/claims";
import { loadResults } from "../src/run/results";
import { writeReport, type ReproduceSummary } from "./report";
import { runScript } from "./script-testing";
import { tempDir } from "../src/run/testing";

test("report: a record read from elsewhere (the cached full runs) brings its claims, provenance and metrics", async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-report-"));
  try {
    const cached = path.join(__dirname, "..", "data", "results", "t6-predictive-world-model", "results.json");
    const summary = (results?: string): ReproduceSummary => ({
      profile: "full",
      seed: 1234,
      jobs: 0,
      wallS: 1,
      backend: "wasm",
      experiments: [{ id: "t6-predictive-world-model", state: "done", ...(results ? { results } : {}) }],
    });
    const read = async (s: ReproduceSummary): Promise<string> => {
      const [md] = await writeReport("full", out, s);
      return fs.readFileSync(md as string, "utf8");
    };
    const without = await read(summary());
    assert.doesNotMatch(without, /^\| t6-predictive-world-model \|/m, "nothing in out/: no claims (the control)");
    const withCached = await read(summary(cached));
    const rows = withCached.split("\n").filter((l) => l.startsWith("| t6-predictive-world-model |"));
    const claims = loadResults(cached).claims.filter(isClaim);
    assert.ok(claims.length > 0);
    assert.equal(rows.length, claims.length, "one row per claim of the cached record");
    assert.match(withCached, /Provenance: commit `[0-9a-f]{40}`/);
    assert.match(withCached, /^Figures redrawn from saved records/m, "no workers: a redraw, not a run");
    assert.match(withCached, /\| generationFraction \| /);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test("figures: an unknown --only id is an error naming the known ones, and no report is written", (t) => {
  const out = tempDir(t, "g2b-figures-");
  const r = runScript("figures.ts", ["--profile", "quick", "--only", "t2-chain-of-thought,t9", "--out", out], {
    timeoutMs: 60_000,
  });
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /unknown experiment "t9"; registered: .*t2-chain-of-thought/);
  assert.deepEqual(fs.readdirSync(out), []);
});
