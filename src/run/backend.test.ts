import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "child_process";
import * as path from "path";
import { BACKEND_CHOICES, describeBackend, initBackend, isBackendChoice } from "./backend";

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
  await assert.rejects(initBackend("vulkan"), /unknown backend "vulkan"; use one of node-gpu, webgpu, node, wasm, cpu/);
  const info = await initBackend();
  const missing = (["node-gpu", "webgpu", "node"] as const).find((b) => !info.available.includes(b));
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

test("the backend order puts a GPU first: tfjs-node-gpu > webgpu > tfjs-node > wasm > cpu", () => {
  assert.deepEqual([...BACKEND_CHOICES], ["node-gpu", "webgpu", "node", "wasm", "cpu"]);
});

test("without a usable GPU, webgpu's reason is one line naming the cause, and the next backend is used", () => {
  // A fresh process with the automatic order (this one's backend was chosen and forced by the tests above).
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env["GEN2BRAIN_BACKEND"];
  delete env["GEN2BRAIN_WEBGPU"];
  const script = path.join(__dirname, "..", "..", "scripts", "gpu", "probe.ts");
  const r = spawnSync(process.execPath, ["--import", "tsx", script], { env, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { backend: string; unavailable: Array<{ choice: string; error: string }> };
  if (/^backend webgpu /.test(out.backend)) return; // a machine with a GPU: nothing to fall back from
  const webgpu = out.unavailable.find((u) => u.choice === "webgpu");
  assert.ok(webgpu !== undefined, "webgpu must be listed as unavailable, with its reason");
  assert.doesNotMatch(webgpu.error, /\n/);
  assert.match(webgpu.error, /^(not-installed|no-loader|no-driver|refused|software-only|no-adapter|crashed): .+$/);
  assert.match(out.backend, /^backend (wasm|cpu|node) .*best available: .*webgpu unavailable \(/);
});

test("forcing webgpu where it is unavailable names the cause and what is available instead", async () => {
  const info = await initBackend();
  if (info.available.includes("webgpu")) return;
  await assert.rejects(initBackend("webgpu"), /backend "webgpu" was forced .*\(.+\); available here: /);
});
