/**
 * `tsx scripts/gpu/selftest.ts [--steps N] [--out FILE]`: does the WebGPU backend train the tiny GPT as
 * the CPU does? Trains gptA (dModel 64, 2 layers) for N steps from the same seed and the same batches
 * on webgpu twice and on the best CPU backend once, and reports:
 * - agreement: the largest |loss_gpu - loss_cpu| over the steps (float32 sums in another order drift
 *   apart slowly; the tolerance is stated in webgpu.test.ts and the README);
 * - determinism: whether the two webgpu runs are bit-identical;
 * - leaks: tf.memory() tensors and GPU bytes before and after a training run (after one burn-in run).
 * Prints one JSON object (and writes it to --out). Exit code 1 when webgpu cannot be initialised.
 */
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { initBackend, describeBackend } from "../../src/run/backend";
import { createGPT } from "../../src/transformer";
import { trainModel, type BatchSampler } from "../../src/train";
import { parseArgs, runMain } from "../cli";

const MODEL = { vocabSize: 64, seqLen: 32, dModel: 64, nHead: 4, nLayer: 2, dFF: 0, tieWeights: false };

/** A learnable stream: each row counts up from a random start (mod vocab), so the loss falls quickly. */
const counting: BatchSampler = (rng, batchSize) => {
  const x: number[][] = [];
  const y: number[][] = [];
  for (let b = 0; b < batchSize; b++) {
    const s = rng.int(MODEL.vocabSize);
    const row = Array.from({ length: MODEL.seqLen + 1 }, (_, i) => (s + i * (1 + (s % 3))) % MODEL.vocabSize);
    x.push(row.slice(0, MODEL.seqLen));
    y.push(row.slice(1));
  }
  return { x, y };
};

export async function trainLosses(steps: number): Promise<number[]> {
  const model = createGPT(MODEL, 7);
  try {
    const r = await trainModel(
      model,
      counting,
      { numSteps: steps, batchSize: 16, lr: 3e-3, warmupSteps: 5, evalEvery: 0 },
      { seed: 11 },
    );
    return r.history.map((h) => h.trainLoss);
  } finally {
    model.dispose();
  }
}

export interface SelftestResult {
  gpu: string;
  cpu: string;
  steps: number;
  lossesGpu: number[];
  lossesCpu: number[];
  maxAbsDiff: number;
  deterministic: boolean;
  leakedTensors: number;
  gpuBytesBefore: number | null;
  gpuBytesAfter: number | null;
  secondsGpu: number;
  secondsCpu: number;
}

/** Run the comparison: `gpu` and `cpu` are backend choices (e.g. "webgpu" and "wasm"). */
export async function selftest(steps: number, gpu = "webgpu", cpu = "wasm"): Promise<SelftestResult> {
  const g = await initBackend(gpu);
  const gpuName = describeBackend(g);
  await trainLosses(2); // burn-in: shaders, optimizer slots
  const mem0 = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  const t0 = performance.now();
  const a = await trainLosses(steps);
  const secondsGpu = (performance.now() - t0) / 1000;
  const mem1 = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  const b = await trainLosses(steps);
  const c0 = await initBackend(cpu);
  const t1 = performance.now();
  const c = await trainLosses(steps);
  const secondsCpu = (performance.now() - t1) / 1000;
  const maxAbsDiff = Math.max(...a.map((v, i) => Math.abs(v - (c[i] as number))));
  return {
    gpu: gpuName,
    cpu: describeBackend(c0),
    steps,
    lossesGpu: a,
    lossesCpu: c,
    maxAbsDiff,
    deterministic: a.every((v, i) => Object.is(v, b[i])),
    leakedTensors: mem1.numTensors - mem0.numTensors,
    gpuBytesBefore: mem0.numBytesInGPU ?? null,
    gpuBytesAfter: mem1.numBytesInGPU ?? null,
    secondsGpu,
    secondsCpu,
  };
}

if (require.main === module) {
  runMain(async () => {
    const args = parseArgs(process.argv.slice(2), ["steps", "out", "gpu", "cpu"], []);
    const steps = Number(args.flags.get("steps") ?? 30);
    const r = await selftest(steps, String(args.flags.get("gpu") ?? "webgpu"), String(args.flags.get("cpu") ?? "wasm"));
    const json = JSON.stringify(r, null, 1);
    process.stdout.write(json + "\n");
    const out = args.flags.get("out");
    if (typeof out === "string") fs.writeFileSync(out, json);
    return 0;
  });
}
