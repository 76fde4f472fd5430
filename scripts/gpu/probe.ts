/**
 * `tsx scripts/gpu/probe.ts`: what WebGPU finds here (adapter or the reason there is none) and which
 * backend the automatic order then takes. Prints one JSON object.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, describeBackend } from "../../src/run/backend";
import { probeWebGPU } from "../../src/speed/webgpu";
import { runMain } from "../cli";

runMain(async () => {
  const t0 = performance.now();
  const probe = probeWebGPU();
  const probeMs = performance.now() - t0;
  const info = await initBackend();
  const memory = tf.memory();
  process.stdout.write(
    JSON.stringify({ probe, probeMs, backend: describeBackend(info), unavailable: info.unavailable, memory }, null, 1) +
      "\n",
  );
  return 0;
});
