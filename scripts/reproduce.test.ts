import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { notebookExperiment } from "./reproduce-ids";
import { runScript } from "./script-testing";
import { tempDir } from "../src/run/testing";

const ROOT = path.join(__dirname, "..");

function reproduce(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; out: string } {
  return runScript("reproduce.ts", args, { timeoutMs: 240_000, env });
}

test(
  "a missing optional tool does not fail a finished run: preflight first, JSON figures, verdict table, exit 0",
  { timeout: 300_000 },
  (t) => {
    const out = tempDir(t, "g2b-repro-");
    const env = { GEN2BRAIN_CHROME: "/nonexistent/chrome-for-gen2brain-test" };
    const first = reproduce(["--only", "demo", "--profile", "smoke", "--no-notebooks", "--out", out], env);
    assert.equal(first.status, 0, first.out);
    const at = (s: string): number => {
      const i = first.out.indexOf(s);
      assert.ok(i >= 0, `"${s}" in:\n${first.out}`);
      return i;
    };
    assert.ok(at("preflight:") < at("demo: done"), "the preflight comes before any training");
    at("missing  Chromium");
    at("without Chromium: no PNG/SVG, interactive figures only");
    at("figures: interactive only");
    assert.ok(at("verdicts (profile smoke, base seed") > at("demo: done"), "the verdict table comes at the end");
    const dir = path.join(out, "smoke", "demo");
    const files = fs.readdirSync(dir);
    assert.ok(files.includes("results.json"));
    assert.ok(
      files.some((f) => f.endsWith(".json") && f !== "results.json"),
      `a figure's JSON in ${files.join(", ")}`,
    );
    assert.ok(!files.some((f) => f.endsWith(".png") || f.endsWith(".svg")), "no PNG/SVG without Chromium");
    assert.ok(fs.existsSync(path.join(out, "smoke", "report.html")));
    const summary = JSON.parse(fs.readFileSync(path.join(out, "smoke", "reproduce.json"), "utf8")) as {
      cpuS: number;
      engine: string;
      experiments: { id: string; state: string; cpuS?: number }[];
    };
    assert.equal(summary.experiments[0]?.state, "done");
    assert.ok((summary.experiments[0]?.cpuS ?? 0) > 0, "the worker's CPU seconds are recorded");
    assert.match(summary.engine, /^(wasm|cpu|node)/);
    // The second run reuses the record: no work done twice.
    const second = reproduce(["--only", "demo", "--profile", "smoke", "--no-notebooks", "--out", out], env);
    assert.equal(second.status, 0, second.out);
    assert.match(second.out, /demo: cached/);
  },
);

test("each notebook waits for the record of the experiment it runs", () => {
  const ids = ["t1-world-model", "t4-scaling", "t12-x"];
  assert.equal(notebookExperiment("const exp = lab.t1.experiment;", ids), "t1-world-model");
  assert.equal(notebookExperiment('"const exp = lab.t4.experiment;\\n"', ids), "t4-scaling");
  assert.equal(notebookExperiment("lab.t12.experiment", ids), "t12-x");
  assert.equal(notebookExperiment("lab.demoExperiment", ids), null);
  for (const f of fs.readdirSync(path.join(ROOT, "notebooks")).filter((n) => /^0[1-5]-.*\.ipynb$/.test(n))) {
    const dep = notebookExperiment(fs.readFileSync(path.join(ROOT, "notebooks", f), "utf8"), [
      "t1-world-model",
      "t2-chain-of-thought",
      "t3-attention",
      "t4-scaling",
      "t5-quantization",
    ]);
    assert.equal(dep?.slice(0, 2), `t${f[1]}`, f);
  }
});
