import assert from "node:assert/strict";
import * as fs from "fs";
import { test } from "node:test";
import * as os from "os";
import * as path from "path";
import { runScript } from "./script-testing";
import { tempDir } from "../src/run/testing";

test("t4-estimate: times every size, predicts the sweep, checks itself against a finished sweep, and summarizes copies run at once", (t) => {
  const dir = tempDir(t, "t4est-");
  const sweep = runScript("sweep-t4.ts", ["--profile", "smoke", "--out", path.join(dir, "sweep")], {
    timeoutMs: 120_000,
  });
  assert.equal(sweep.status, 0, sweep.out);
  const est = path.join(dir, "est.json");
  const r = runScript(
    "t4-estimate.ts",
    [
      "--profile",
      "smoke",
      "--steps",
      "2",
      "--min-seconds",
      "0",
      "--process-warmup",
      "1",
      "--against",
      path.join(dir, "sweep"),
      "--out",
      est,
    ],
    { timeoutMs: 120_000 },
  );
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /predicted in one process: learning-rate stage \d+ runs .* grid \d+ runs/);
  const rec = JSON.parse(fs.readFileSync(est, "utf8")) as {
    engine: string;
    concurrent: number;
    timings: Array<{ msPerStep: number }>;
    estimate: { totalSeconds: number; grid: { runs: number }; lr: { runs: number } };
    check: { bySize: Array<{ runs: number; ratio: number }> };
  };
  assert.equal(rec.concurrent, 1);
  assert.ok(rec.engine.length > 0);
  assert.ok(rec.timings.length > 0 && rec.timings.every((t) => t.msPerStep > 0));
  // Every run of the finished sweep is priced by its size (the same ladder), each size with a finite ratio.
  assert.equal(
    rec.check.bySize.reduce((s, x) => s + x.runs, 0),
    rec.estimate.grid.runs + rec.estimate.lr.runs,
  );
  assert.ok(rec.check.bySize.every((x) => Number.isFinite(x.ratio) && x.ratio > 0));
  const s = runScript("t4-estimate.ts", ["--summarize", `${est},${est}`], { timeoutMs: 60_000 });
  assert.equal(s.status, 0, s.out);
  assert.match(s.out, /1 process\(es\) at once \(2 file\(s\)\)/);
});

test("t4-estimate: bad flags and files are clear errors", () => {
  const minS = runScript("t4-estimate.ts", ["--min-seconds", "-1"], { timeoutMs: 60_000 });
  assert.match(minS.out, /--min-seconds: a number of seconds ≥ 0, got "-1"/);
  const steps = runScript("t4-estimate.ts", ["--steps", "0"], { timeoutMs: 60_000 });
  assert.notEqual(steps.status, 0);
  assert.match(steps.out, /--steps: a whole number ≥ 1, got "0"/);
  const ladder = runScript("t4-estimate.ts", ["--ladder", "tpu"], { timeoutMs: 60_000 });
  assert.match(ladder.out, /--ladder: cpu or gpu, got "tpu"/);
  const against = runScript("t4-estimate.ts", ["--against", os.tmpdir()], { timeoutMs: 60_000 });
  assert.match(against.out, /--against: no run files in .* \(a sweep-t4 folder\)/);
  const notJson = runScript("t4-estimate.ts", ["--summarize", __filename], { timeoutMs: 60_000 });
  assert.match(notJson.out, /--summarize: cannot read .*t4-estimate\.test\.ts as JSON/);
});
