/**
 * Per-kernel timing (issue 10): wrap every kernel registered for a backend with a timer, run a
 * function, restore the kernels. Unlike tf.profile it records attributes (reduction axes, transpose
 * flags) and measures only the kernel body, so the gap to wall time is the engine's per-op overhead.
 */
import * as tf from "@tensorflow/tfjs";

/** Time spent in one kernel for one input signature. */
export interface KernelTiming {
  /** Kernel name plus input shapes and the attributes that matter, e.g. `Sum [2048,64] axis=0`. */
  readonly key: string;
  readonly kernel: string;
  readonly calls: number;
  readonly ms: number;
}

/** What {@link profileKernels} measured. */
export interface KernelProfile {
  /** Time of the whole profiled call (wall or CPU, as the clock chosen). */
  readonly wallMs: number;
  /** Time inside kernel bodies. */
  readonly kernelMs: number;
  /** Kernel invocations. */
  readonly calls: number;
  /** Per kernel signature, slowest first. */
  readonly rows: KernelTiming[];
}

function describeAttrs(attrs: tf.NamedAttrMap | undefined): string {
  if (!attrs) return "";
  const parts: string[] = [];
  for (const k of ["axis", "perm", "transposeA", "transposeB", "keepDims"]) {
    const v = attrs[k];
    if (v !== undefined && v !== false) parts.push(`${k}=${JSON.stringify(v)}`);
  }
  return parts.join(" ");
}

/**
 * Run `fn` once with every kernel of the active backend timed; kernels are restored afterwards (also
 * when `fn` throws). Synchronous kernels only (wasm, cpu): on GPU backends the times mean little.
 */
export function profileKernels(fn: () => void, opts: { backendName?: string; clock?: "wall" | "cpu" } = {}): KernelProfile {
  const backendName = opts.backendName ?? tf.getBackend();
  // CPU time of this process: robust to other processes preempting us on a shared machine (wasm and
  // cpu kernels run on this thread).
  const now = opts.clock === "cpu" ? cpuNow : (): number => performance.now();
  const configs = tf.getKernelsForBackend(backendName);
  const stats = new Map<string, { kernel: string; calls: number; ms: number }>();
  for (const cfg of configs) {
    const inner = cfg.kernelFunc;
    const wrapped: tf.KernelFunc = (args) => {
      const t0 = now();
      try {
        return inner(args);
      } finally {
        const ms = now() - t0;
        const shapes = Object.values(args.inputs)
          .filter((t) => t != null)
          .map((t) => `[${(t as tf.TensorInfo).shape.join(",")}]`)
          .join(",");
        const key = `${cfg.kernelName} ${shapes} ${describeAttrs(args.attrs)}`.trim();
        const s = stats.get(key) ?? { kernel: cfg.kernelName, calls: 0, ms: 0 };
        s.calls += 1;
        s.ms += ms;
        stats.set(key, s);
      }
    };
    tf.unregisterKernel(cfg.kernelName, backendName);
    tf.registerKernel({ ...cfg, kernelFunc: wrapped });
  }
  const t0 = now();
  try {
    fn();
  } finally {
    for (const cfg of configs) {
      tf.unregisterKernel(cfg.kernelName, backendName);
      tf.registerKernel(cfg);
    }
  }
  const wallMs = now() - t0;
  const rows = [...stats.entries()].map(([key, s]) => ({ key, ...s })).sort((a, b) => b.ms - a.ms);
  return {
    wallMs,
    kernelMs: rows.reduce((a, r) => a + r.ms, 0),
    calls: rows.reduce((a, r) => a + r.calls, 0),
    rows,
  };
}

/** Milliseconds of CPU time used by this process so far. */
export function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Totals per kernel name (all signatures), slowest first. */
export function byKernel(p: KernelProfile): KernelTiming[] {
  const m = new Map<string, { calls: number; ms: number }>();
  for (const r of p.rows) {
    const s = m.get(r.kernel) ?? { calls: 0, ms: 0 };
    s.calls += r.calls;
    s.ms += r.ms;
    m.set(r.kernel, s);
  }
  return [...m.entries()].map(([kernel, s]) => ({ key: kernel, kernel, ...s })).sort((a, b) => b.ms - a.ms);
}
