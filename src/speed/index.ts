/**
 * The one dispatch point between the model and everything that makes its ops fast.
 *
 * The model (src/transformer.ts) is written in five primitive ops, each defined there with plain tfjs
 * ops: that definition is the reference, the maths a reader checks. {@link withFastPaths} wraps those
 * definitions once; at every call it runs the fused kernel of ./fused.ts (C on the wasm heap with the
 * native addon, JS on the cpu backend) where the backend has it, and the reference otherwise. The model
 * never asks which path is on. The fused kernels compute the same maths up to float rounding
 * (./fused.test.ts checks values and gradients against the reference).
 *
 * Beneath the ops, {@link installKernelFixes} (called once by the backend choice) patches tfjs's wasm
 * kernels (./wasm-kernels.ts) and routes GEMMs to the machine's BLAS (./native.ts).
 */
import type * as tf from "@tensorflow/tfjs";
import * as fused from "./fused";

export type { AttentionResult } from "./fused";
export { fusedKernelsActive, setFusedComposite, setFusedJsOnWasm, setFusedNative } from "./fused";
export {
  installKernelFixes,
  uninstallKernelFixes,
  kernelFixesStatus,
  kernelFixesActive,
  type KernelFixOptions,
} from "./install";
export { loadNative, type NativeStatus } from "./native";

/** The primitive ops of the model; every result is the caller's to dispose. */
export interface ModelOps {
  /** x W + b: x [N, K], W [K, M], b [M] -> [N, M]. */
  linear(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D;
  /** LayerNorm over the last axis: x [N, C], g [C], b [C] -> [N, C]. */
  layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D;
  /** GPT-2's tanh GELU, elementwise. */
  gelu(x: tf.Tensor): tf.Tensor2D;
  /**
   * Causal multi-head self-attention on the fused projection qkv [B*T, 3C] (q | k | v, head h at
   * columns h*hs of each) -> out [B*T, C], and the probabilities [B, nH, T, T] when `returnProbs`.
   */
  causalAttention(
    qkv: tf.Tensor2D,
    batch: number,
    seqLen: number,
    nHead: number,
    returnProbs: boolean,
  ): fused.AttentionResult;
  /** Mean cross-entropy over rows where mask is 1: logits [N, V], targets int32 [N], mask [N] -> []. */
  crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, mask?: tf.Tensor1D): tf.Scalar;
}

/** What the fused kernels need to know about the reference that the ops' arguments do not carry. */
export interface FastPathOptions {
  /** The reference LayerNorm's epsilon. */
  readonly layerNormEps: number;
}

/**
 * The model's ops with the fast paths substituted where the active backend has them: the fused kernels
 * on wasm with the native addon and on cpu, `reference` everywhere else (tfjs-node, and wasm without a
 * BLAS, where wasm's own SIMD kernels beat the JS kernels).
 */
export function withFastPaths(reference: ModelOps, opts: FastPathOptions): ModelOps {
  return {
    linear: (x, w, b) =>
      fused.fusedKernelsActive()
        ? fused.linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D)
        : reference.linear(x, w, b),
    layerNorm: (x, g, b) =>
      fused.fusedKernelsActive()
        ? fused.layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, opts.layerNormEps)
        : reference.layerNorm(x, g, b),
    gelu: (x) => (fused.fusedKernelsActive() ? fused.gelu(x as tf.Tensor2D) : reference.gelu(x)),
    causalAttention: (qkv, batch, seqLen, nHead, returnProbs) =>
      fused.fusedKernelsActive()
        ? fused.causalAttention(qkv, batch, seqLen, nHead, returnProbs)
        : reference.causalAttention(qkv, batch, seqLen, nHead, returnProbs),
    crossEntropy: (logits, targets, mask) =>
      fused.fusedKernelsActive()
        ? fused.crossEntropy(logits, targets, mask)
        : reference.crossEntropy(logits, targets, mask),
  };
}
export {
  adapterKind,
  describeAdapter,
  probeWebGPU,
  registerWebGPUBackend,
  type WebGPUAdapter,
  type WebGPUProbe,
} from "./webgpu";
