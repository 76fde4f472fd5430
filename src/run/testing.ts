/**
 * Test helpers shared by the `*.test.ts` files (not part of the notebook API).
 */
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { claimContractProblems } from "../claims";
import { initBackend } from "./backend";
import { toJson } from "./results";

/** Initialise the backend the tests run on (GEN2BRAIN_BACKEND or the best available). */
export async function testBackend(): Promise<string> {
  return (await initBackend()).choice;
}

/**
 * Assert that `fn` leaks no tensors: run it once as burn-in (optimizer slots, caches), then again and
 * compare `tf.memory().numTensors` before and after. Returns the second call's result.
 */
export async function expectNoLeak<T>(fn: () => T | Promise<T>, what = "call"): Promise<T> {
  await fn();
  const before = tf.memory().numTensors;
  const out = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`${what} leaked ${after - before} tensor(s) (${before} -> ${after})`);
  return out;
}

/**
 * Assert that a record's claims, as results.json stores them (`file`) or as returned (`claims`, sent through
 * JSON like the file), meet the claims contract: verdict, interval {lo, hi, n}, paper, refutedBy, and a
 * control for each asserted claim. Returns the claims read back.
 */
export function expectClaimsContract(source: { file: string } | { claims: ReadonlyArray<unknown> }): unknown[] {
  const claims =
    "file" in source
      ? (JSON.parse(fs.readFileSync(source.file, "utf8")) as { claims: unknown[] }).claims
      : (JSON.parse(toJson(source.claims)) as unknown[]);
  if (!Array.isArray(claims) || claims.length === 0) throw new Error("the record has no claims");
  const problems = claimContractProblems(claims);
  if (problems.length > 0) throw new Error(`claims contract:\n  ${problems.join("\n  ")}`);
  return claims;
}
