/**
 * The optional native addon: GEMM from the machine's BLAS (OpenBLAS, MKL, oneDNN or BLIS,
 * found at run time), called on the wasm backend's heap without copies. Built at install time by
 * native/build.js; when it or a BLAS is missing everything runs on wasm alone.
 *
 * Environment: GEN2BRAIN_NATIVE=0 disables it; GEN2BRAIN_BLAS=/path/lib.so picks the library;
 * GEN2BRAIN_THREADS=n sets the BLAS and OpenMP thread count (default 1: the GEMM's summation order follows the
 * thread count, so one fixed default gives the same numbers on every machine and in every worker layout, and for
 * these small models one thread is also the fastest on two cores; parallelism comes from running experiments
 * and seeds in separate processes); OMP_WAIT_POLICY defaults to PASSIVE; OPENBLAS_CORETYPE defaults to Haswell on
 * x86-64 machines with AVX2 and FMA ({@link openblasCoretype}: the same kernels, so the same numbers, on every such
 * machine; set it to another core type, e.g. SkylakeX, to let OpenBLAS use that one).
 */
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../run/paths";

/**
 * native/march.js, which chooses the addon's build target at install time (plain JS: it runs before any TypeScript
 * tooling): one reading of the CPU's flags and one rule for what is fixed, the build's and the BLAS's. Found from the
 * repository root, as the addon is: tslab runs this module from a copy under notebooks/, where a relative path misses.
 */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const march = require(path.join(repoRoot(), "native", "march.js")) as {
  cpuFlags(cpuinfo: string | null): ReadonlySet<string> | null;
  fixedTarget(arch: string, flags: ReadonlySet<string> | null): boolean;
  readCpuinfo(): string | null;
};

/** The addon's functions (native/g2b_native.c). */
export interface NativeAddon {
  load(libPath: string): boolean;
  /** core: the kernels OpenBLAS runs, by its own name (openblas_get_corename; absent for other BLAS). */
  info(): { lib: string; api: "cblas" | "dnnl"; threads: number; simd?: string; core?: string } | null;
  setThreads(n: number): void;
  /**
   * for i < batch: C_i[m, n] = op(A_i) op(B_i) on `heap`, row-major; offsets in bytes, strides in
   * floats (0 broadcasts an operand).
   */
  sgemm(
    heap: ArrayBufferLike,
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    aOffset: number,
    bOffset: number,
    cOffset: number,
    batch: number,
    strideA: number,
    strideB: number,
    strideC: number,
  ): void;
  /** One row-major GEMM with leading dimensions: C = alpha op(A) op(B) + beta C. */
  gemmEx(
    heap: ArrayBufferLike,
    transposeA: number,
    transposeB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    aOffset: number,
    lda: number,
    bOffset: number,
    ldb: number,
    beta: number,
    cOffset: number,
    ldc: number,
  ): void;
  /** out[j] = sum_r x[r, j] (byte offsets). */
  colSum(heap: ArrayBufferLike, x: number, out: number, rows: number, cols: number): void;
  /** out[r, :] += v for r < rows (byte offsets). */
  addRowVector(heap: ArrayBufferLike, out: number, v: number, rows: number, cols: number): void;
  // Fused kernels: byte offsets into `heap`; semantics as in ./fused-kernels.ts.
  layerNormFwd(
    heap: ArrayBufferLike,
    x: number,
    g: number,
    b: number,
    y: number,
    mean: number,
    rstd: number,
    N: number,
    C: number,
    eps: number,
  ): void;
  layerNormBwd(
    heap: ArrayBufferLike,
    dy: number,
    x: number,
    g: number,
    mean: number,
    rstd: number,
    dx: number,
    dg: number,
    db: number,
    N: number,
    C: number,
  ): void;
  geluFwd(heap: ArrayBufferLike, x: number, y: number, n: number): void;
  geluBwd(heap: ArrayBufferLike, dy: number, x: number, dx: number, n: number): void;
  attentionFwd(
    heap: ArrayBufferLike,
    qkv: number,
    out: number,
    probs: number,
    B: number,
    T: number,
    nH: number,
    hs: number,
  ): void;
  /** dprobs < 0: none. */
  attentionBwd(
    heap: ArrayBufferLike,
    qkv: number,
    probs: number,
    dprobs: number,
    dout: number,
    dqkv: number,
    B: number,
    T: number,
    nH: number,
    hs: number,
  ): void;
  crossEntropyFwd(
    heap: ArrayBufferLike,
    logits: number,
    targets: number,
    mask: number,
    nll: number,
    N: number,
    V: number,
  ): void;
  crossEntropyBwd(
    heap: ArrayBufferLike,
    logits: number,
    targets: number,
    mask: number,
    dlogits: number,
    N: number,
    V: number,
    coef: number,
  ): void;
}

/** What loading found. */
export interface NativeStatus {
  readonly available: boolean;
  /** The BLAS library in use, its API and thread count. */
  readonly lib?: string;
  readonly api?: string;
  readonly threads?: number;
  /** The kernels OpenBLAS runs, by its own name (Haswell, Zen, SkylakeX, …): they decide the products' last bits. */
  readonly kernels?: string;
  /**
   * The vector instructions the addon's own loops were compiled for (AVX2, AVX-512, NEON, …; native/march.js): the
   * width of their reductions, so the last bits of LayerNorm, softmax and cross-entropy, follow it.
   */
  readonly simd?: string;
  /** Why it is not available. */
  readonly reason?: string;
}

/**
 * BLAS libraries to try, in order (sonames of Debian/Ubuntu/Fedora/conda packages). oneDNN first: on
 * the gptB training step it measured 164 ms CPU vs 205 ms for OpenBLAS 0.3.21 (one thread).
 */
const BLAS_CANDIDATES = [
  "libdnnl.so.3",
  "libdnnl.so.2",
  "libopenblas.so.0",
  "libopenblasp.so.0",
  "libopenblas.so",
  "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "libmkl_rt.so.2",
  "libmkl_rt.so",
  "libblis.so.4",
  "libblis.so",
  "libopenblas.dylib",
  "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
  "/usr/local/opt/openblas/lib/libopenblas.dylib",
];

let addon: NativeAddon | null = null;
let status: NativeStatus | null = null;

function addonPath(): string | null {
  const roots = [repoRoot(), process.cwd()];
  for (const r of roots) {
    for (const rel of ["native/build/Release/g2b_native.node", "native/build/g2b_native.node"]) {
      const p = path.join(r, rel);
      if (fs.existsSync(p)) return p;
    }
  }
  return null;
}

/** Load the addon and a BLAS once; later calls return the same result. */
export function loadNative(): NativeStatus {
  if (status !== null) return status;
  if (process.env["GEN2BRAIN_NATIVE"] === "0")
    return (status = { available: false, reason: "disabled by GEN2BRAIN_NATIVE=0" });
  const p = addonPath();
  if (p === null)
    return (status = {
      available: false,
      reason: "addon not built (run `npm run build:native`; needs a C compiler and Node's headers)",
    });
  // OpenMP (the addon's own loops, oneDNN) spin-waits between parallel regions by default; on a shared
  // or busy machine a spinning second thread made a gptB step 2.6x slower than one thread (1688 vs
  // 650 ms), passive waiting matched one thread. libgomp reads this once, when the addon loads it.
  if (process.env["OMP_WAIT_POLICY"] === undefined) process.env["OMP_WAIT_POLICY"] = "PASSIVE";
  // OpenBLAS reads its core type once, when it is loaded: set before any candidate is tried.
  // The flags are read only when they matter: a user's own OPENBLAS_CORETYPE is kept as it is.
  const asked = process.env["OPENBLAS_CORETYPE"];
  const coretype = asked ? undefined : openblasCoretype(asked, process.arch, cpuFlags());
  if (coretype !== undefined) process.env["OPENBLAS_CORETYPE"] = coretype;
  let a: NativeAddon;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    a = require(p) as NativeAddon;
  } catch (e) {
    return (status = {
      available: false,
      reason: `addon failed to load: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
    });
  }
  const forced = process.env["GEN2BRAIN_BLAS"];
  const candidates = forced !== undefined && forced !== "" ? [forced] : BLAS_CANDIDATES;
  const lib = candidates.find((c) => a.load(c));
  if (lib === undefined) {
    return (status = {
      available: false,
      reason: forced
        ? `GEN2BRAIN_BLAS=${forced} could not be loaded or has no sgemm`
        : "no BLAS found (install libopenblas0 or set GEN2BRAIN_BLAS)",
    });
  }
  const threads = blasThreads(process.env["GEN2BRAIN_THREADS"]);
  a.setThreads(threads);
  addon = a;
  const info = a.info();
  // The kernels by OpenBLAS's own name, never the variable asked for (a build for one CPU ignores it).
  const kernels = info?.core;
  return (status = {
    available: true,
    lib: info?.lib ?? lib,
    api: info?.api ?? "?",
    threads: info?.threads ?? threads,
    ...(kernels !== undefined && kernels !== "" ? { kernels } : {}),
    ...(info?.simd !== undefined && info.simd !== "" ? { simd: info.simd } : {}),
  });
}

/**
 * The core type OpenBLAS should use, or undefined to leave its choice (or the user's OPENBLAS_CORETYPE) alone.
 *
 * OpenBLAS picks its GEMM kernels for the CPU it finds (Zen, Haswell, SkylakeX, …), and kernels differ in their
 * summation order, so the same seed trained different models on the project's machines (an AVX-512 one and an
 * AVX2-only one gave t4's extrapolation error 3.2% and 3.0% from the same code; checked 2026-12-03). Haswell's kernels
 * need AVX2 and FMA, and their blocking does not depend on the cache size, so pinning them makes every x86-64 machine
 * with AVX2 compute the same products (on a Zen machine they are Zen's own kernels, bit for bit). Without AVX2 (or off
 * x86-64) nothing is pinned: a core type the CPU cannot run would crash the process.
 */
export function openblasCoretype(
  current: string | undefined,
  arch: string,
  flags: ReadonlySet<string> | null,
): string | undefined {
  if (current !== undefined && current !== "") return undefined;
  return march.fixedTarget(arch, flags) ? "Haswell" : undefined;
}

/** The CPU's feature flags (Linux: /proc/cpuinfo), or null where they cannot be read. */
export function cpuFlags(cpuinfo?: string): ReadonlySet<string> | null {
  return march.cpuFlags(cpuinfo ?? march.readCpuinfo());
}

/** The BLAS/OpenMP thread count from GEN2BRAIN_THREADS: 1 when unset or empty, else a positive integer. */
export function blasThreads(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(
      `GEN2BRAIN_THREADS must be a positive integer (the BLAS thread count; unset for the default, 1), got ${JSON.stringify(value)}`,
    );
  return n;
}

/** The loaded addon, or null (call {@link loadNative} first). */
export function nativeAddon(): NativeAddon | null {
  loadNative();
  return addon;
}
