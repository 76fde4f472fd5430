/**
 * Kernel and gradient fixes for a backend.
 *
 * wasm (tfjs-backend-wasm 4.22):
 * - correctness, always on: OneHot honours dtype float32 (the stock kernel writes int32 bit
 *   patterns, so one-hot embeddings and targets read as ~1e-45), UnsortedSegmentSum exists
 *   (tf.gather's gradient, i.e. embeddings trained through gather);
 * - speed: BatchMatMul runs every shape and transpose flag on XNNPACK's GEMM (the stock kernel does so
 *   only for unbatched, flag-free products, and autodiff's matMul gradients always set a flag);
 *   rank-5 Transpose, leading-axis Sum and Tanh avoid the stock kernels' scalar loops;
 * - native (when the optional addon and a BLAS are present): BatchMatMul on the machine's BLAS,
 *   multi-threaded, directly on the wasm heap, and the fused kernels in C.
 * every backend: the fused ops of ./fused.ts (LayerNorm, GELU, attention, cross-entropy) run as single
 * kernels on wasm and cpu (the model's reference ops elsewhere, and when the speed fixes are off).
 * See ./wasm-kernels.ts for the measurements.
 *
 * `installKernelFixes` is called by initBackend once the backend is chosen. The speed fixes change
 * speed, not results beyond float rounding (a test compares loss curves with and without them).
 * Environment: `GEN2BRAIN_KERNEL_FIXES=0` leaves the speed fixes out (the "plain" path of the
 * benchmark); `GEN2BRAIN_NATIVE=0` leaves the native GEMM out.
 */
import {
  installWasmKernels,
  nativeGemmActive,
  setNativeGemm,
  uninstallWasmKernels,
  wasmFixesInstalled,
} from "./wasm-kernels";
import { registerFusedKernels, setFusedComposite, setFusedNative } from "./fused";
import { loadNative } from "./native";

/** Which fixes to install. */
export interface KernelFixOptions {
  /** Speed overrides (default: unless GEN2BRAIN_KERNEL_FIXES=0). */
  readonly speed?: boolean;
  /** Native BLAS GEMM when available (default: unless GEN2BRAIN_NATIVE=0; needs `speed`). */
  readonly native?: boolean;
}

/**
 * Install the fixes that apply to `tfBackend` (a tfjs backend name). Idempotent; calling it again with
 * other options switches the speed/native parts on or off. Returns the kernels overridden or added.
 */
export function installKernelFixes(tfBackend: string, opts: KernelFixOptions = {}): string[] {
  const speed = opts.speed ?? process.env["GEN2BRAIN_KERNEL_FIXES"] !== "0";
  const native = speed && (opts.native ?? process.env["GEN2BRAIN_NATIVE"] !== "0");
  // The fused kernels (./fused.ts) are new kernels, used only by the fused ops: always registered;
  // without the speed fixes the model runs its reference ops instead.
  registerFusedKernels();
  setFusedComposite(!speed);
  if (tfBackend !== "wasm") return speed ? ["fused"] : [];
  if (!speed) uninstallWasmKernels();
  const names = installWasmKernels({ speed });
  const useNative = native && loadNative().available;
  setNativeGemm(useNative);
  setFusedNative(useNative);
  return names;
}

/**
 * Back to the stock (slow) kernels where a speed fix was installed, and the model to its reference ops;
 * correctness fixes stay.
 */
export function uninstallKernelFixes(): void {
  setNativeGemm(false);
  setFusedNative(false);
  setFusedComposite(true);
  uninstallWasmKernels();
}

/** What is active, for logs and benchmark labels. */
export function kernelFixesStatus(): {
  speed: boolean;
  native: boolean;
  nativeLib?: string;
  nativeThreads?: number;
  nativeKernels?: string;
  nativeSimd?: string;
} {
  const n = loadNative();
  const native = nativeGemmActive();
  return {
    speed: wasmFixesInstalled(),
    native,
    ...(native && n.lib !== undefined ? { nativeLib: n.lib } : {}),
    ...(native && n.threads !== undefined ? { nativeThreads: n.threads } : {}),
    ...(native && n.kernels !== undefined ? { nativeKernels: n.kernels } : {}),
    ...(native && n.simd !== undefined ? { nativeSimd: n.simd } : {}),
  };
}

/** Whether any speed fix is active. */
export function kernelFixesActive(): boolean {
  return wasmFixesInstalled();
}
