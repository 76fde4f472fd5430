/**
 * Test helpers shared by the `*.test.ts` files (not part of the notebook API).
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./backend";

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
