/**
 * Kernel and gradient fixes for a backend (issue 10 fills this in: fast matMul gradients on wasm,
 * UnsortedSegmentSum for embedding gradients, fused kernels).
 */

/** Install the fixes that apply to `tfBackend`. Idempotent. */
export function installKernelFixes(tfBackend: string): void {
  void tfBackend;
}
