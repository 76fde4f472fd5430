/**
 * `npx tsx scripts/kernel-fingerprint.ts`
 *
 * Prints, as one JSON line, the engine this process trains on and fingerprints of its arithmetic: `gemm`, the
 * SHA-256 (first 16 hex digits) of five products of fixed matrices, shapes as the models use them (a wide inner
 * dimension as in a weight gradient, square, tall, odd sizes); `loops`, the same of the fused ops' forward and
 * backward passes (LayerNorm, GELU, causal attention, cross-entropy: on wasm with the native addon, its own C
 * loops), whose reductions sum in the vector width they were compiled for; and `fingerprint`, both together.
 * Two machines with the same fingerprint computed these bit for bit alike, and train the same seed to the same
 * numbers; two with different ones round differently (another BLAS, another thread count, other OpenBLAS kernels
 * or another build of the addon's loops: see openblasCoretype in src/speed/native.ts and native/march.js), and
 * their records agree only to float precision. Nothing is written.
 */
import { createHash } from "crypto";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/run/backend";
import { currentEngine } from "../src/run/preflight";
import { Rng } from "../src/rng";
import { loadNative } from "../src/speed/native";
import { causalAttention, crossEntropy, gelu, layerNorm } from "../src/speed/fused";
import { runMain } from "./cli";

/** [m, k, n]: A is m × k, B is k × n. */
const SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [64, 4096, 64],
  [256, 64, 512],
  [1024, 512, 64],
  [33, 1000, 17],
  [4096, 256, 256],
];

/** Inputs uniform in [−½, ½) from the project's RNG at seed 1. */
function filler(): (n: number) => Float32Array {
  const rng = new Rng(1);
  return (n) => Float32Array.from({ length: n }, () => rng.uniform(-0.5, 0.5));
}

const hashOf = (tensors: readonly tf.Tensor[]): string => {
  const h = createHash("sha256");
  for (const t of tensors) h.update(Buffer.from((t.dataSync() as Float32Array).buffer));
  return h.digest("hex").slice(0, 16);
};

/** The fingerprint of this process's matMul. */
function gemmFingerprint(): string {
  const fill = filler();
  const out = SHAPES.map(([m, k, n]) =>
    tf.tidy(() => tf.matMul(tf.tensor2d(fill(m * k), [m, k]), tf.tensor2d(fill(k * n), [k, n]))),
  );
  const f = hashOf(out);
  tf.dispose(out);
  return f;
}

/**
 * The fingerprint of the fused ops, forward and gradient, at a small GPT's shapes (batch 4 × 64 tokens, 4 heads of
 * 32 features): LayerNorm of a fused q | k | v projection → causal attention → GELU → cross-entropy with the 128
 * features as the vocabulary, and the gradient of that loss with respect to the input and the LayerNorm gain. No
 * matMul of its own (the attention's products inside the addon are BLAS calls), so it follows the addon's loops.
 */
function loopsFingerprint(): string {
  const fill = filler();
  const [B, T, C, H] = [4, 64, 128, 4];
  const out = tf.tidy(() => {
    const qkv = tf.tensor2d(fill(B * T * 3 * C), [B * T, 3 * C]);
    const g = tf.tensor1d(fill(3 * C));
    const b = tf.tensor1d(fill(3 * C));
    const targets = tf.tensor1d(
      Int32Array.from({ length: B * T }, (_, i) => (i * 37) % C),
      "int32",
    );
    const loss = (x: tf.Tensor2D, gain: tf.Tensor1D): tf.Scalar =>
      crossEntropy(gelu(causalAttention(layerNorm(x, gain, b, 1e-5), B, T, H, false).out), targets);
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => loss(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor1D))(
      [qkv, g],
    );
    return [value, ...grads];
  });
  const f = hashOf(out);
  tf.dispose(out);
  return f;
}

runMain(async () => {
  await initBackend();
  const n = loadNative();
  const gemm = gemmFingerprint();
  const loops = loopsFingerprint();
  console.log(
    JSON.stringify({
      engine: currentEngine(),
      blas: n.available ? (n.lib ?? null) : null,
      kernels: n.kernels ?? null,
      simd: n.simd ?? null,
      gemm,
      loops,
      fingerprint: createHash("sha256").update(`${gemm} ${loops}`).digest("hex").slice(0, 16),
    }),
  );
});
