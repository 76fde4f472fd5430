/**
 * Test helpers shared by the `*.test.ts` files (not part of the notebook API).
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { TestContext } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { claimContractProblems } from "../claims";
import type { DeepPartial } from "../config";
import { initBackend } from "./backend";
import { type Experiment, runExperiment } from "./experiment";
import { type ResultRecord, toJson } from "./results";
import { fileSeedStore, SeedsIncomplete, type SeedStore } from "./seed-store";

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

/**
 * An experiment run three ways through a seed store in `dir` (for the tests that sharded runs give the unsplit
 * record): `whole` without a store; shard 2/2 alone, which must stop with SeedsIncomplete (seed 0 is shard 1's,
 * seed 1 its own); then `shard1` (shard 1/2, which computes seed 0, loads seed 1 and makes the record) and
 * `assembled` (no shard: loads every seed). Each run writes under `dir/<name>`; the store is `dir/seeds`.
 */
export async function shardedRuns<C extends object, D, M extends string>(
  exp: Experiment<C, D, M>,
  opts: { seed: number; overrides: DeepPartial<C> },
  dir: string,
): Promise<{
  whole: ResultRecord<C, D, M>;
  shard1: ResultRecord<C, D, M>;
  assembled: ResultRecord<C, D, M>;
  store: string;
}> {
  const run = (sub: string, seedStore?: SeedStore) =>
    runExperiment(exp, {
      profile: "smoke",
      seed: opts.seed,
      overrides: opts.overrides,
      outRoot: path.join(dir, sub),
      ...(seedStore ? { seedStore } : {}),
    });
  const whole = await run("whole");
  const store = path.join(dir, "seeds");
  await assert.rejects(
    run("shard2", fileSeedStore(store, { k: 2, n: 2 })),
    (e: unknown) => e instanceof SeedsIncomplete && e.missing.join() === "0" && e.computed.join() === "1",
  );
  const shard1 = await run("shard1", fileSeedStore(store, { k: 1, n: 2 }));
  const assembled = await run("assembled", fileSeedStore(store));
  return { whole, shard1, assembled, store };
}

/**
 * A new folder `<tmpdir>/<prefix>XXXXXX`, removed with all it holds when the test `t` ends, passed or failed (before,
 * every `npm test` left a dozen folders in the temporary directory, the reproduce test's 5 MB among them).
 */
export function tempDir(t: TestContext, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
