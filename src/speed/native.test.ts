import { test } from "node:test";
import assert from "node:assert/strict";
import { blasThreads, loadNative } from "./native";

test("blasThreads: one thread unless GEN2BRAIN_THREADS says otherwise; bad values name the variable", () => {
  // One default on every machine: the GEMM's summation order, so the last bits of every result, follow it.
  assert.equal(blasThreads(undefined), 1);
  assert.equal(blasThreads(""), 1);
  assert.equal(blasThreads("3"), 3);
  for (const bad of ["0", "-2", "1.5", "two"])
    assert.throws(() => blasThreads(bad), /GEN2BRAIN_THREADS must be a positive integer.*got "/);
});

test("loadNative: the loaded BLAS runs the thread count asked for", () => {
  const s = loadNative();
  if (!s.available) return; // no addon or no BLAS on this machine: nothing to check
  assert.equal(s.threads, blasThreads(process.env["GEN2BRAIN_THREADS"]));
});
