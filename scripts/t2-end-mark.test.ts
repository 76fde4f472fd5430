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

test("t2-end-mark: says what it needs, names the missing records, and writes the paired claims and tables", async () => {
  const none = runScript("t2-end-mark.ts", [], { timeoutMs: 60_000 });
  assert.equal(none.status, 2, none.out);
  assert.match(none.out, /give --plain DIR and --end DIR/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "t2-end-mark-"));
  try {
    const missing = runScript(
      "t2-end-mark.ts",
      ["--plain", path.join(dir, "plain"), "--end", path.join(dir, "end"), "--seeds", "5", "--profile", "smoke"],
      { timeoutMs: 60_000 },
    );
    assert.equal(missing.status, 2, missing.out);
    assert.match(missing.out, /no t2 record at .*plain\/5\/smoke\/t2-chain-of-thought\/results\.json/);
    await testBackend();
    for (const endMark of [false, true]) {
      const rec = await runExperiment(experiment, {
        profile: "smoke",
        seed: 5,
        overrides: { ...TINY, endMark },
        save: false,
      });
      const at = path.join(dir, endMark ? "end" : "plain", "5", "smoke", "t2-chain-of-thought");
      fs.mkdirSync(at, { recursive: true });
      fs.writeFileSync(path.join(at, "results.json"), JSON.stringify(rec));
    }
    const out = path.join(dir, "out");
    const ok = runScript(
      "t2-end-mark.ts",
      ["--plain", path.join(dir, "plain"), "--end", path.join(dir, "end"), "--seeds", "5", "--profile", "smoke"].concat(
        ["--out", out],
      ),
      { timeoutMs: 120_000 },
    );
    assert.equal(ok.status, 0, ok.out);
    const doc = JSON.parse(fs.readFileSync(`${out}.json`, "utf8"));
    assert.deepEqual(
      doc.claims.map((c: { id: string }) => c.id),
      ["end-mark-closes-slot-gap", "end-mark-frees-filler"],
    );
    assert.equal(doc.claims[0].pooled.interval.n, 2);
    const md = fs.readFileSync(`${out}.md`, "utf8");
    for (const heading of ["The pre-registered claims", "The change: with the end mark minus without", "own claims"])
      assert.ok(md.includes(heading), heading);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
