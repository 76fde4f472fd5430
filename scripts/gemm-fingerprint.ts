/**
 * `npx tsx scripts/gemm-fingerprint.ts`
 *
 * Prints, as one JSON line, the engine this process trains on and a fingerprint of its matrix products: the
 * SHA-256 (first 16 hex digits) of five products of fixed matrices, shapes as the models use them (a wide inner
 * dimension as in a weight gradient, square, tall, odd sizes). Two machines with the same fingerprint computed
 * those products bit for bit alike, and train the same seed to the same numbers; two with different ones round
 * differently (another BLAS, another thread count, or other OpenBLAS kernels: see openblasCoretype in
 * src/speed/native.ts), and their records agree only to float precision. Nothing is written.
 */
import { createHash } from "crypto";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/run/backend";
import { currentEngine } from "../src/run/preflight";
import { Rng } from "../src/rng";
import { loadNative } from "../src/speed/native";
import { runMain } from "./cli";

/** [m, k, n]: A is m × k, B is k × n. */
const SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [64, 4096, 64],
  [256, 64, 512],
  [1024, 512, 64],
  [33, 1000, 17],
  [4096, 256, 256],
];

/** The fingerprint of this process's matMul: inputs uniform in [−½, ½) from the project's RNG at seed 1. */
function gemmFingerprint(): string {
  const h = createHash("sha256");
  const rng = new Rng(1);
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.uniform(-0.5, 0.5));
  for (const [m, k, n] of SHAPES) {
    const c = tf.tidy(() => tf.matMul(tf.tensor2d(fill(m * k), [m, k]), tf.tensor2d(fill(k * n), [k, n])));
    h.update(Buffer.from((c.dataSync() as Float32Array).buffer));
    c.dispose();
  }
  return h.digest("hex").slice(0, 16);
}

runMain(async () => {
  await initBackend();
  const n = loadNative();
  console.log(
    JSON.stringify({
      engine: currentEngine(),
      blas: n.available ? (n.lib ?? null) : null,
      kernels: n.kernels ?? null,
      fingerprint: gemmFingerprint(),
    }),
  );
});
