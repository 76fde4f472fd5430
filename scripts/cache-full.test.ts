import { test } from "node:test";
import assert from "node:assert/strict";
import { runScript } from "./script-testing";

function cacheFull(args: string[]): { status: number | null; out: string } {
  return runScript("cache-full.ts", args, { timeoutMs: 120_000 });
}

// --allow-dirty: the checks below come before any training, whatever the state of the tree.
test("cache-full --shard: a bad value or an experiment without a seed store is a clear error, nothing runs", () => {
  const bad = cacheFull(["--only", "t5-quantization", "--shard", "3/2", "--allow-dirty"]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.out, /--shard must be k\/n with 1 <= k <= n .*got "3\/2"/);
  const noStore = cacheFull(["--only", "t1-world-model", "--shard", "1/2", "--allow-dirty"]);
  assert.notEqual(noStore.status, 0);
  assert.match(
    noStore.out,
    /--shard: t1-world-model has no seed store \(experiments that do: t2-chain-of-thought, t5-quantization\)/,
  );
});

test("cache-full --set: bad JSON, a non-object or an unknown field is a clear error naming it, nothing runs", () => {
  const notJson = cacheFull(["--only", "t2-chain-of-thought", "--set", "{splitUnseen:true}", "--allow-dirty"]);
  assert.notEqual(notJson.status, 0);
  assert.match(notJson.out, /--set: not valid JSON/);
  const notObject = cacheFull(["--only", "t2-chain-of-thought", "--set", "[true]", "--allow-dirty"]);
  assert.notEqual(notObject.status, 0);
  assert.match(notObject.out, /--set: must be a JSON object of config fields/);
  const unknown = cacheFull(["--only", "t2-chain-of-thought", "--set", '{"splitUnsen":true}', "--allow-dirty"]);
  assert.notEqual(unknown.status, 0);
  assert.match(unknown.out, /splitUnsen/);
});
