import { test } from "node:test";
import assert from "node:assert/strict";
import { countLine, formatVerdictTable, notHeld, claimVerdict, verdictRows, type ClaimLike } from "./verdicts";

const claims: ClaimLike[] = [
  { id: "a", statement: "holds by its interval", value: 0.9, threshold: ">= 0.5", verdict: "holds", asserted: true },
  {
    id: "b",
    statement: "the interval lies on the other side",
    value: 0.02,
    threshold: "<= 0.01",
    verdict: "contradicts",
    asserted: true,
    interval: { lo: 0.015, hi: 0.025, n: 5 },
  },
  { id: "c", statement: "straddles", value: 0.5, threshold: ">= 0.5", verdict: "inconclusive", asserted: true },
  { id: "d", statement: "only reported", value: 3, threshold: "", verdict: "measured", asserted: false },
];

test("claimVerdict: a claim's own verdict; an older point-value claim by holds/asserted", () => {
  assert.equal(claimVerdict(claims[1] as ClaimLike), "contradicts");
  const old = { id: "o", statement: "s", value: 1, threshold: 2 };
  assert.equal(claimVerdict({ ...old, holds: true }), "holds");
  assert.equal(claimVerdict({ ...old, holds: false }), "contradicts");
  assert.equal(claimVerdict({ ...old, holds: false, asserted: false }), "measured");
  assert.equal(claimVerdict({ ...old, holds: true, asserted: false }), "measured", "a stated claim never holds");
});

test("the table: one row per claim, counts, and what --strict fails on", () => {
  const rows = verdictRows([{ id: "t9-example", claims }]);
  assert.deepEqual(
    rows.map((r) => [r.claim, r.verdict, r.asserted]),
    [
      ["a", "holds", true],
      ["b", "contradicts", true],
      ["c", "inconclusive", true],
      ["d", "measured", false],
    ],
  );
  assert.equal(rows[1]?.measured, "0.02 [0.015, 0.025]");
  assert.deepEqual(
    notHeld(rows).map((r) => r.claim),
    ["b", "c"],
  );
  assert.equal(countLine(rows), "1 holds, 1 contradicts, 1 inconclusive, 1 measured");
  const text = formatVerdictTable(rows, "verdicts (profile quick)", 100);
  const lines = text.split("\n");
  assert.equal(lines[0], "verdicts (profile quick): 1 holds, 1 contradicts, 1 inconclusive, 1 measured");
  assert.match(lines[1] ?? "", /^ {2}verdict +experiment +claim +measured +target +statement$/);
  assert.match(lines[3] ?? "", /^ {2}contradicts +t9-example +b +0\.02 \[0\.015, 0\.025\] +<= 0\.01 +the interval/);
  assert.ok(
    lines.every((l) => l.length <= 100),
    "fits the width",
  );
  assert.equal(lines.length, 2 + claims.length);
});
