import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { executeNotebook, executeNotebooks, prepareKernel, selectNotebooks } from "./run-notebooks";
import { findPython } from "./jupyter";
import { tempDir } from "../src/run/testing";

const FIXTURES = path.join(__dirname, "fixtures");

function jupyter(): { python: string; jupyterPath: string } | string {
  try {
    const python = findPython(["nbclient", "nbformat", "jupyter_client", "ipykernel"]);
    return { python, jupyterPath: prepareKernel(python) };
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

test("selectNotebooks filters by name and names what is missing", () => {
  assert.deepEqual(
    selectNotebooks(FIXTURES, ["passing"]).map((f) => path.basename(f)),
    ["passing.ipynb"],
  );
  assert.throws(() => selectNotebooks(FIXTURES, ["no-such"]), /no notebook matches "no-such"/);
});

test("a failing cell fails the run with the cell's own message", { timeout: 180_000 }, async (t) => {
  const j = jupyter();
  if (typeof j === "string") return t.skip(j);
  const out = tempDir(t, "g2b-nb-");
  const run = await executeNotebook(path.join(FIXTURES, "failing-cell.ipynb"), out, { ...j, timeoutS: 120 });
  assert.equal(run.ok, false);
  assert.match(run.error ?? "", /boom-from-cell: the answer was 42/);
  assert.match(run.error ?? "", /cell 1/);
  // The executed copy is written, with the first cell's output and without the third cell run.
  const nb = JSON.parse(fs.readFileSync(run.output, "utf8")) as {
    cells: { outputs: { text?: string[] | string }[] }[];
  };
  assert.match(JSON.stringify(nb.cells[0]?.outputs), /before 2/);
  assert.equal(nb.cells[2]?.outputs.length, 0);
});

test("a type error fails the run with the compiler's message", { timeout: 180_000 }, async (t) => {
  const j = jupyter();
  if (typeof j === "string") return t.skip(j);
  const out = tempDir(t, "g2b-nb-");
  const run = await executeNotebook(path.join(FIXTURES, "type-error.ipynb"), out, { ...j, timeoutS: 120 });
  assert.equal(run.ok, false);
  assert.match(run.error ?? "", /not assignable to type 'number'/);
});

test("a passing notebook passes and writes the executed copy", { timeout: 180_000 }, async (t) => {
  const j = jupyter();
  if (typeof j === "string") return t.skip(j);
  const out = tempDir(t, "g2b-nb-");
  const run = await executeNotebook(path.join(FIXTURES, "passing.ipynb"), out, { ...j, timeoutS: 120 });
  assert.equal(run.ok, true, run.error);
  assert.match(fs.readFileSync(run.output, "utf8"), /fine 42/);
});

test("executeNotebooks runs several at a time and returns them in input order", { timeout: 240_000 }, async (t) => {
  const j = jupyter();
  if (typeof j === "string") return t.skip(j);
  const out = tempDir(t, "g2b-nb-");
  const heard: string[] = [];
  const runs = await executeNotebooks(
    [path.join(FIXTURES, "failing-cell.ipynb"), path.join(FIXTURES, "passing.ipynb")],
    out,
    { ...j, timeoutS: 120, jobs: 2, onDone: (r) => heard.push(path.basename(r.notebook)) },
  );
  assert.deepEqual(
    runs.map((r) => [path.basename(r.notebook), r.ok]),
    [
      ["failing-cell.ipynb", false],
      ["passing.ipynb", true],
    ],
  );
  assert.deepEqual([...heard].sort(), ["failing-cell.ipynb", "passing.ipynb"]);
});
