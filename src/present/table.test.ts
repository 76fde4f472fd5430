import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { testBackend } from "../run/testing";
import type { ResultRecord } from "../run/results";
import {
  markdownTable,
  claimsTable,
  danfo,
  dataFrameToRows,
  flattenRows,
  formatCell,
  isDataFrame,
  metricsTable,
  rowsToHtml,
  rowsToText,
  toCsvFile,
  toDataFrame,
} from "./table";
import { expectSnapshot } from "./snapshot";
import { assertedClaim, atLeast, atMost, measuredClaim, overSeeds, within } from "../claims";

const control = {
  id: "ctl",
  description: "no effect",
  estimate: overSeeds([0.5, 0.6, 0.55]),
  expect: "absent" as const,
};
const base = { paper: null, refutedBy: "r", quantity: "q" };
const record: Pick<ResultRecord, "metrics" | "claims"> = {
  metrics: { accuracy: { mean: 0.9125, lo: 0.9, hi: 0.925, n: 3 }, params: 1234 },
  claims: [
    assertedClaim({
      ...base,
      id: "int4",
      statement: "s",
      estimate: overSeeds([0.001, 0.002, 0.003]),
      target: atMost(0.01),
      control,
    }),
    measuredClaim({
      ...base,
      id: "exp",
      statement: "exponent near 2",
      estimate: overSeeds([1.7, 1.8]),
      target: within(1.5, 2.5),
    }),
    assertedClaim({
      ...base,
      id: "bad",
      statement: "fails",
      estimate: overSeeds([3, 3.1]),
      target: atMost(1),
      control,
    }),
    assertedClaim({ ...base, id: "one", statement: "one run", estimate: overSeeds([3]), target: atLeast(1), control }),
  ],
};

test("metricsTable and claimsTable: one row per metric / claim", () => {
  assert.deepEqual(metricsTable(record), [
    { metric: "accuracy", mean: 0.9125, lo: 0.9, hi: 0.925, n: 3 },
    { metric: "params", mean: 1234, lo: null, hi: null, n: null },
  ]);
  assert.deepEqual(
    claimsTable(record).map((c) => [c.id, c.verdict, c.target]),
    [
      ["int4", "holds", "≤ 0.01"],
      ["exp", "measured", "in [1.5, 2.5]"],
      ["bad", "contradicts", "≤ 1"],
      ["one", "inconclusive", "≥ 1"],
    ],
  );
});

test("toDataFrame -> CSV file -> danfo readCSV round trip (and no tensors kept)", async () => {
  await testBackend();
  const rows = [
    { run: "a,1", seed: 1, loss: 0.125, acc: { mean: 0.5, lo: 0.25, hi: 0.75, n: 4 }, ok: true },
    { run: 'say "hi"', seed: 2, loss: NaN, acc: { mean: 0.625, lo: 0.5, hi: 0.75, n: 4 }, ok: false },
    { run: "c", seed: 3, loss: 1e-9 },
  ];
  const before = tf.memory().numTensors;
  const df = toDataFrame(rows);
  assert.ok(isDataFrame(df));
  assert.deepEqual(df.columns, ["run", "seed", "loss", "acc", "acc_lo", "acc_hi", "acc_n", "ok"]);
  assert.deepEqual(df.shape, [3, 8]);
  assert.equal(tf.memory().numTensors, before, "a DataFrame holds no tensors");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-table-"));
  try {
    const file = toCsvFile(df, path.join(dir, "out", "runs.csv"));
    const text = fs.readFileSync(file, "utf8");
    assert.equal(
      text,
      'run,seed,loss,acc,acc_lo,acc_hi,acc_n,ok\n"a,1",1,0.125,0.5,0.25,0.75,4,true\n"say ""hi""",2,,0.625,0.5,0.75,4,false\nc,3,1e-9,,,,,\n',
    );
    assert.deepEqual(fs.readdirSync(path.join(dir, "out")), ["runs.csv"], "atomic write leaves no temp file");
    const back = await danfo().readCSV(file);
    const got = dataFrameToRows(back as Parameters<typeof dataFrameToRows>[0]);
    assert.deepEqual(
      got.map((r) => r["run"]),
      ["a,1", 'say "hi"', "c"],
    );
    assert.deepEqual(
      got.map((r) => r["seed"]),
      [1, 2, 3],
    );
    assert.deepEqual(
      got.map((r) => r["acc_hi"]),
      [0.75, 0.75, null],
    );
    assert.equal(got[2]?.["loss"], 1e-9);
    // Rows straight to CSV give the same file.
    const file2 = toCsvFile(rows, path.join(dir, "rows.csv"));
    assert.equal(fs.readFileSync(file2, "utf8"), text);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("toDataFrame: clear errors", () => {
  assert.throws(() => toDataFrame([]), /no rows/);
  assert.throws(() => toDataFrame([{ a: 1 }, 3 as never]), /row 1 is not a plain object/);
  assert.throws(() => toDataFrame([{ a: 1 }], ["a", "b"]), /column\(s\) b appear in no row/);
});

test("formatting: cells, HTML and text tables", () => {
  assert.equal(formatCell(0.123456), "0.1235");
  assert.equal(formatCell(1234), "1234");
  assert.equal(formatCell(2.5e-7), "2.500e-7");
  assert.equal(formatCell({ mean: 0.91234, lo: 0.9, hi: 0.93, n: 3 }, 3), "0.912 [0.9, 0.93]");
  assert.equal(formatCell(null), "");
  assert.deepEqual(flattenRows([{ a: { x: 1 } }]), [{ a: '{"x":1}' }]);
  const rows = [...metricsTable(record), { metric: "<script>", mean: 1, lo: null, hi: null, n: null }];
  const html = rowsToHtml(rows, { title: "Metrics", digits: 3 });
  assert.ok(!html.includes("<script>"), "cells are escaped");
  expectSnapshot("table-html", html);
  expectSnapshot("table-text", rowsToText(rows, { title: "Metrics", digits: 3 }).split("\n"));
  assert.match(rowsToText(rows, { maxRows: 1 }), /… 2 more row\(s\)/);
});

test("markdownTable: header, rule and rows in the first row's column order, a | in a cell escaped", () => {
  assert.equal(
    markdownTable([
      { level: "0 state", unseen: "74.2 [67.3, 81.1]" },
      { level: "1 swap", unseen: "a|b" },
    ]),
    ["| level | unseen |", "|---|---|", "| 0 state | 74.2 [67.3, 81.1] |", "| 1 swap | a\\|b |"].join("\n"),
  );
  assert.equal(markdownTable([]), "|  |\n||");
});
