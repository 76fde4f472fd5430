import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { describeBackend, initBackend, isBackendChoice } from "./backend";

test("the best available backend is chosen and reported", async () => {
  const info = await initBackend(process.env["GEN2BRAIN_BACKEND"]);
  assert.ok(info.available.includes(info.choice));
  assert.equal(tf.getBackend(), info.tfBackend);
  assert.ok(info.reason.length > 0);
  assert.match(describeBackend(info), /^backend /);
  // Without the native packages (as here), wasm must be found; cpu is always there.
  assert.ok(info.available.includes("cpu"));
  if (!info.available.includes("node") && !info.available.includes("node-gpu")) {
    assert.ok(info.available.includes("wasm"), "wasm should load when tfjs-node is absent");
    if (process.env["GEN2BRAIN_BACKEND"] === undefined) assert.equal(info.choice, "wasm");
  }
});

test("forcing an unknown or unavailable backend is a clear error listing what is available", async () => {
  await assert.rejects(initBackend("webgpu"), /unknown backend "webgpu"; use one of node-gpu, node, wasm, cpu/);
  const info = await initBackend();
  const missing = (["node-gpu", "node"] as const).find((b) => !info.available.includes(b));
  if (missing)
    await assert.rejects(initBackend(missing), new RegExp(`backend "${missing}" was forced .* available here: `));
  assert.equal(isBackendChoice("cpu"), true);
});

test("forcing cpu switches the engine's backend, and back", async () => {
  const first = await initBackend();
  const cpu = await initBackend("cpu");
  assert.equal(cpu.choice, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.match(cpu.reason, /forced/);
  await initBackend(first.choice);
  assert.equal(tf.getBackend(), first.tfBackend);
});

test("one tfjs engine: every tfjs package resolves to the same tfjs-core", () => {
  const core = require.resolve("@tensorflow/tfjs-core");
  const fromWasm = require.resolve("@tensorflow/tfjs-core", {
    paths: [require.resolve("@tensorflow/tfjs-backend-wasm")],
  });
  const fromDanfo = require.resolve("@tensorflow/tfjs-core", { paths: [require.resolve("danfojs-node")] });
  assert.equal(fromWasm, core);
  assert.equal(fromDanfo, core);
});
