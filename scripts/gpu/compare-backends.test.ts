import { test } from "node:test";
import assert from "node:assert/strict";
import { compareRecords, markdownTable } from "./compare-backends";

test("compare-backends counts agreeing verdicts and measures loss-curve and metric differences", () => {
  const cpu = {
    claims: [
      { id: "a", verdict: "holds" },
      { id: "b", verdict: "inconclusive" },
    ],
    metrics: { acc: { mean: 0.5, lo: 0.4, hi: 0.6, n: 5 } },
    data: {
      history: [
        { step: 1, trainLoss: 2.0 },
        { step: 2, trainLoss: 1.5 },
      ],
      losses: [3, 2],
    },
  };
  const gpu = {
    claims: [
      { id: "a", verdict: "holds" },
      { id: "b", verdict: "holds" },
    ],
    metrics: { acc: { mean: 0.51, lo: 0.4, hi: 0.6, n: 5 } },
    data: {
      history: [
        { step: 1, trainLoss: 2.0 },
        { step: 2, trainLoss: 1.5001 },
      ],
      losses: [3, 2.01],
    },
  };
  const r = compareRecords("smoke/x", gpu, cpu);
  assert.equal(r.claims, 2);
  assert.equal(r.verdictsSame, 1);
  assert.deepEqual(r.differing, ["b: gpu holds, cpu inconclusive"]);
  assert.equal(r.lossValues, 4);
  assert.ok(Math.abs(r.maxLossDiff - 0.01) < 1e-9);
  assert.ok(Math.abs(r.maxMetricRelDiff - 0.02) < 1e-9);
  assert.match(markdownTable([r]), /\| smoke\/x \| 1\/2 \|/);
});
