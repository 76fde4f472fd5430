/**
 * `npm run bench`: tfjs throughput per backend variant, side by side with PyTorch on
 * the same CPU, and the ratios.
 *
 * Cases: 512^2 matMul (GFLOP/s); tiny-GPT training and inference in tokens/s at two sizes, A (dModel 64,
 * 2 layers, 4 heads) and B (dModel 128, 4 layers, 4 heads), seqLen 64, batch 32, vocab 64, trained by
 * src/train.ts's trainModel (AdamW, clipping) on src/transformer.ts's GPT; peak RSS; tensors allocated
 * per step (a count of kernel outputs, i.e. how many ops a step runs).
 *
 * Variants (--backend, comma-separated; default all that load here):
 *   wasm-plain      tfjs-backend-wasm's stock kernels (only the correctness fixes of src/speed/install.ts)
 *   wasm            + the wasm speed fixes (every matMul on XNNPACK, in-place slices, ...); the fused ops
 *                   stay composite (their JS kernels lose to wasm's SIMD kernels)
 *   wasm-native     + the native addon: BLAS GEMM and fused kernels in C on the wasm heap, all cores
 *   wasm-native-1t  the same with one BLAS thread
 *   cpu, cpu-plain  tfjs's plain-JS backend with / without the fused kernels (size A only unless
 *                   --cases names B: a gptB step takes ~40 s there)
 * Each variant runs in its own child process (clean kernel registry, clean peak RSS).
 * PyTorch (scripts/bench_torch.py, Debian python3-torch via /usr/bin/python3 or GEN2BRAIN_PYTHON) runs the
 * same model with 1 thread and all cores; when an OpenBLAS directory is found (GEN2BRAIN_OPENBLAS_DIR,
 * out/openblas/..., or Debian's openblas-pthread) it runs again with that BLAS (Debian's torch links the
 * generic libblas.so.3, which is the slow reference BLAS unless OpenBLAS provides it). The ratio per case
 * is the best tfjs variant over the best PyTorch run.
 *
 * On a shared machine wall-clock numbers swing with other processes' load; bench.json therefore also
 * records wall and CPU milliseconds per step for every run ("timings") and a per-core comparison,
 * "cpuTimeRatios": CPU time per step of the best single-threaded tfjs variant vs the best
 * single-threaded PyTorch run (equal to the wall-clock ratio on an idle machine).
 *
 * Writes out/bench/bench.json and out/bench/bench.md (atomically) and prints the table.
 * Flags: --backend LIST, --cases LIST, --seconds S (timed seconds per case, default 3), --quick (1 s),
 * --no-torch, --out DIR.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../src/run/backend";
import { describeAdapter, kernelFixesStatus, loadNative, setFusedComposite } from "../src/speed/index";
import { writeFileAtomic, writeJsonAtomic } from "../src/run/results";
import { Rng } from "../src/rng";
import { createGPT, type GPTConfig } from "../src/transformer";
import { AdamW, batchTensors, trainConfig, trainModel, type BatchSampler } from "../src/train";

const CASES = [
  "matmul512",
  "matmul2048",
  "gptA-train",
  "gptA-infer",
  "gptB-train",
  "gptB-infer",
  "gptC-train",
  "gptC-infer",
] as const;
/** Cases that only a GPU runs by default (a gptC step takes ~30 s on 2 CPU cores). */
const GPU_ONLY: ReadonlyArray<CaseName> = ["matmul2048", "gptC-train", "gptC-infer"];
type CaseName = (typeof CASES)[number];
type MetricName = "gflops" | "tokensPerSec" | "peakRssMiB" | "tensorsPerStep";

/** One measurement (one row of bench.json). */
interface Row {
  backend: string;
  case: CaseName;
  metric: MetricName;
  value: number;
  unit: string;
}

/** Per case timing detail (beside the bench.json rows): wall vs CPU time shows machine contention. */
interface Timing {
  backend: string;
  case: CaseName;
  steps: number;
  wallMsPerStep: number;
  cpuMsPerStep: number;
}

/** Dawn toggles that trade safety checks for speed (the webgpu-unsafe variant; never the library default). */
const UNSAFE_DAWN_FLAGS =
  "enable-dawn-features=allow_unsafe_apis,disable_robustness,skip_validation,disable_workgroup_init disable-dawn-features=lazy_clear_resource_on_first_use";

interface Variant {
  /** Extra Dawn flags for the webgpu variants. */
  readonly dawnFlags?: string;
  readonly base: "wasm" | "cpu" | "webgpu";
  readonly speed: boolean;
  readonly native: boolean;
  readonly fused: boolean;
  readonly threads?: number;
  readonly about: string;
}

const VARIANTS: Readonly<Record<string, Variant>> = {
  "wasm-plain": {
    base: "wasm",
    speed: false,
    native: false,
    fused: false,
    about: "stock tfjs-backend-wasm kernels, composite ops",
  },
  wasm: {
    base: "wasm",
    speed: true,
    native: false,
    fused: true,
    about: "wasm speed fixes (XNNPACK for every matMul, in-place slices, ...); composite ops",
  },
  "wasm-native": {
    base: "wasm",
    speed: true,
    native: true,
    fused: true,
    about: "native BLAS GEMM + fused C kernels, all cores",
  },
  "wasm-native-1t": {
    base: "wasm",
    speed: true,
    native: true,
    fused: true,
    threads: 1,
    about: "native, one BLAS thread",
  },
  cpu: { base: "cpu", speed: true, native: false, fused: true, about: "tfjs cpu backend + fused kernels in JS" },
  "cpu-plain": { base: "cpu", speed: false, native: false, fused: false, about: "tfjs cpu backend, composite ops" },
  webgpu: {
    base: "webgpu",
    speed: true,
    native: false,
    fused: true,
    about: "tfjs-backend-webgpu on Dawn (Vulkan/Metal/D3D12), the GPU",
  },
  "webgpu-unsafe": {
    base: "webgpu",
    speed: true,
    native: false,
    fused: true,
    dawnFlags: UNSAFE_DAWN_FLAGS,
    about:
      "webgpu with Dawn's checks off (no bounds clamping in shaders, no API validation, no lazy zeroing): what they cost",
  },
};

type Size = "A" | "B" | "C";
/** The tiny GPTs A and B (CPU-sized) and C, a model big enough for a GPU to matter. Same as bench_torch.py. */
const SIZES: Readonly<Record<Size, { model: Partial<GPTConfig>; batch: number }>> = {
  A: { model: { vocabSize: 64, seqLen: 64, dModel: 64, nHead: 4, nLayer: 2, dFF: 0, tieWeights: false }, batch: 32 },
  B: { model: { vocabSize: 64, seqLen: 64, dModel: 128, nHead: 4, nLayer: 4, dFF: 0, tieWeights: false }, batch: 32 },
  C: { model: { vocabSize: 256, seqLen: 256, dModel: 512, nHead: 8, nLayer: 8, dFF: 0, tieWeights: false }, batch: 64 },
};

// ---------------------------------------------------------------------------------------------
// Child: one variant
// ---------------------------------------------------------------------------------------------

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function nextTensorId(): number {
  return (tf.engine().constructor as unknown as { nextTensorId: number }).nextTensorId;
}

function rssMiB(): number {
  return process.memoryUsage().rss / (1 << 20);
}

/** Repeat `step` (after one warm-up call) for at least `minSteps` and `seconds`. */
async function timeSteps(
  step: () => Promise<void> | void,
  seconds: number,
  minSteps: number,
): Promise<{ steps: number; wallMs: number; cpuMs: number; tensors: number; peakRss: number }> {
  await step();
  let peakRss = rssMiB();
  const id0 = nextTensorId();
  const w0 = performance.now();
  const c0 = cpuMs();
  let steps = 0;
  while (steps < minSteps || performance.now() - w0 < seconds * 1000) {
    await step();
    steps++;
    peakRss = Math.max(peakRss, rssMiB());
  }
  return {
    steps,
    wallMs: (performance.now() - w0) / steps,
    cpuMs: (cpuMs() - c0) / steps,
    tensors: (nextTensorId() - id0) / steps,
    peakRss,
  };
}

/** Train with src/train.ts for at least `minSteps` timed steps and `seconds` (the first step is warm-up). */
async function timeTraining(
  model: ReturnType<typeof createGPT>,
  size: Size,
  seconds: number,
  minSteps: number,
): Promise<{ steps: number; wallMs: number; cpuMs: number; tensors: number; peakRss: number }> {
  const ctrl = new AbortController();
  let count = 0;
  let w0 = 0;
  let c0 = 0;
  let id0 = 0;
  let peakRss = rssMiB();
  let last = { wall: 0, cpu: 0, id: 0 };
  const { batch } = SIZES[size];
  await trainModel(
    model,
    randomTokens(size),
    { numSteps: 1_000_000, batchSize: batch, lr: 1e-3, warmupSteps: 10, evalEvery: 0 },
    {
      seed: 1,
      signal: ctrl.signal,
      onAbort: "return",
      onStep: () => {
        count++;
        peakRss = Math.max(peakRss, rssMiB());
        if (count === 1) {
          w0 = performance.now();
          c0 = cpuMs();
          id0 = nextTensorId();
          return;
        }
        last = { wall: performance.now(), cpu: cpuMs(), id: nextTensorId() };
        if (count - 1 >= minSteps && last.wall - w0 >= seconds * 1000) ctrl.abort();
      },
    },
  );
  const steps = count - 1;
  return {
    steps,
    wallMs: (last.wall - w0) / steps,
    cpuMs: (last.cpu - c0) / steps,
    tensors: (last.id - id0) / steps,
    peakRss,
  };
}

/** Uniform random tokens: speed does not depend on the data. */
const randomTokens =
  (size: Size): BatchSampler =>
  (rng, batchSize) => {
    const { vocabSize, seqLen } = SIZES[size].model as { vocabSize: number; seqLen: number };
    const x: number[][] = [];
    const y: number[][] = [];
    for (let b = 0; b < batchSize; b++) {
      const row = Array.from({ length: seqLen + 1 }, () => rng.int(vocabSize));
      x.push(row.slice(0, seqLen));
      y.push(row.slice(1));
    }
    return { x, y };
  };

/**
 * Where a training step's time goes on a GPU backend, the same step as trainModel's (forward, loss,
 * gradients, AdamW, one read of [loss, grad norm]):
 * - dispatchMs: JavaScript building the graph and encoding/submitting kernels (the tidy; the GPU runs
 *   behind it asynchronously);
 * - readMs: the wait for the [loss, grad norm] readback, i.e. the GPU finishing the step plus the copy;
 * - kernelMs: GPU time of the step's kernels from timestamp queries (tf.time), when the adapter has them;
 * - kernels: kernel launches per step; uploadBytes: the batch uploaded per step.
 */
interface Breakdown {
  backend: string;
  case: CaseName;
  steps: number;
  wallMs: number;
  dispatchMs: number;
  readMs: number;
  kernelMs: number | null;
  /** The kernels that took most GPU time in the step (name, ms summed over launches, launches). */
  topKernels: Array<{ name: string; ms: number; launches: number }>;
  kernels: number;
  uploadBytes: number;
}

async function stepBreakdown(
  model: ReturnType<typeof createGPT>,
  size: Size,
  variant: string,
  name: CaseName,
  steps: number,
): Promise<Breakdown> {
  const { batch } = SIZES[size];
  const c = trainConfig({ numSteps: 1000, batchSize: batch, lr: 1e-3, warmupSteps: 10, evalEvery: 0 });
  const weights = model.namedWeights();
  const opt = new AdamW(weights);
  const rng = new Rng(3);
  const sample = randomTokens(size);
  const step = (): tf.Tensor => {
    const b = sample(rng, batch);
    return tf.tidy(() => {
      const t = batchTensors(b, "bench");
      const { value, grads } = tf.variableGrads(() => model.loss(t.x, t.y, t.mask), Object.values(weights));
      const byName: Record<string, tf.Tensor> = {};
      for (const [n, w] of Object.entries(weights)) byName[n] = grads[w.name] as tf.Tensor;
      return tf.stack([value, opt.apply(byName, 1e-3, c)]);
    });
  };
  try {
    const warm = step(); // warm-up: shader compilation
    await warm.data();
    warm.dispose();
    let dispatch = 0;
    let read = 0;
    const w0 = performance.now();
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const stats = step();
      const t1 = performance.now();
      await stats.data();
      stats.dispose();
      dispatch += t1 - t0;
      read += performance.now() - t1;
    }
    const wall = (performance.now() - w0) / steps;
    // GPU time of the step's kernels, where the device has timestamp queries (else tfjs reports 0).
    let kernelMs: number | null = null;
    let topKernels: Breakdown["topKernels"] = [];
    const timestamps = (tf.backend() as unknown as { supportTimestampQuery?: boolean }).supportTimestampQuery === true;
    if (timestamps) {
      let out: tf.Tensor | null = null;
      const info = (await tf.time(() => void (out = step()))) as tf.TimingInfo & { getExtraProfileInfo?: () => string };
      if (out !== null) (out as tf.Tensor).dispose();
      kernelMs = typeof info.kernelMs === "number" ? info.kernelMs : null;
      // "name: ms, name: ms, ..." per launch, from tfjs-backend-webgpu.
      const per = new Map<string, { ms: number; launches: number }>();
      for (const item of (info.getExtraProfileInfo?.() ?? "").split(", ")) {
        const at = item.lastIndexOf(": ");
        if (at < 0) continue;
        const name = item.slice(0, at);
        const e = per.get(name) ?? { ms: 0, launches: 0 };
        e.ms += Number(item.slice(at + 2));
        e.launches += 1;
        per.set(name, e);
      }
      topKernels = [...per.entries()]
        .map(([name, e]) => ({ name, ...e }))
        .sort((x, y) => y.ms - x.ms)
        .slice(0, 12);
    }
    const prof = await tf.profile(() => step());
    if (prof.result instanceof tf.Tensor) prof.result.dispose();
    const { seqLen } = SIZES[size].model as { seqLen: number };
    return {
      backend: variant,
      case: name,
      steps,
      wallMs: wall,
      dispatchMs: dispatch / steps,
      readMs: read / steps,
      kernelMs,
      topKernels,
      kernels: prof.kernels.length,
      uploadBytes: 2 * batch * seqLen * 4,
    };
  } finally {
    opt.dispose();
  }
}

async function runCase(
  name: CaseName,
  seconds: number,
  variant: string,
  rows: Row[],
  timings: Timing[],
  breakdowns: Breakdown[],
): Promise<void> {
  const push = (metric: MetricName, value: number, unit: string): void =>
    void rows.push({ backend: variant, case: name, metric, value, unit });
  if (name.startsWith("matmul")) {
    const n = name === "matmul512" ? 512 : 2048;
    const a = tf.randomNormal([n, n], 0, 1, "float32", 1);
    const b = tf.randomNormal([n, n], 0, 1, "float32", 2);
    // Read back one element (as bench_torch.py does): a full n x n readback would time the copy, not the product.
    const r = await timeSteps(
      async () => {
        const c = tf.tidy(() => tf.slice(tf.matMul(a, b), [0, 0], [1, 1]));
        await c.data();
        c.dispose();
      },
      seconds,
      5,
    );
    tf.dispose([a, b]);
    push("gflops", (2 * n ** 3) / r.wallMs / 1e6, "GFLOP/s");
    timings.push({ backend: variant, case: name, steps: r.steps, wallMsPerStep: r.wallMs, cpuMsPerStep: r.cpuMs });
    return;
  }
  const size = name.charAt(3) as Size;
  const { model: cfg, batch } = SIZES[size];
  const seqLen = cfg.seqLen as number;
  const model = createGPT(cfg, 1);
  try {
    let r: Awaited<ReturnType<typeof timeSteps>>;
    if (name.endsWith("-train")) {
      r = await timeTraining(model, size, seconds, 1);
      if (variant.startsWith("webgpu"))
        breakdowns.push(await stepBreakdown(model, size, variant, name, Math.max(2, Math.min(20, r.steps))));
    } else {
      const rng = new Rng(7);
      const x = tf.tensor2d(randomTokens(size)(rng, batch).x.flat(), [batch, seqLen], "int32");
      r = await timeSteps(
        async () => {
          const { logits } = model.forward(x);
          await logits.data();
          logits.dispose();
        },
        seconds,
        3,
      );
      x.dispose();
    }
    push("tokensPerSec", (batch * seqLen) / (r.wallMs / 1000), "tokens/s");
    push("peakRssMiB", r.peakRss, "MiB");
    push("tensorsPerStep", r.tensors, "tensors");
    timings.push({ backend: variant, case: name, steps: r.steps, wallMsPerStep: r.wallMs, cpuMsPerStep: r.cpuMs });
  } finally {
    model.dispose();
  }
}

async function child(variantName: string, cases: CaseName[], seconds: number, explicitCases: boolean): Promise<void> {
  const v = VARIANTS[variantName];
  if (v === undefined) throw new Error(`unknown variant ${variantName}`);
  const info = await initBackend(v.base);
  setFusedComposite(!v.fused);
  const rows: Row[] = [];
  const timings: Timing[] = [];
  const breakdowns: Breakdown[] = [];
  const gpu = v.base === "webgpu";
  const mine = explicitCases
    ? cases
    : cases.filter((c) => (gpu || !GPU_ONLY.includes(c)) && !(v.base === "cpu" && c.startsWith("gptB")));
  for (const c of mine) await runCase(c, seconds, variantName, rows, timings, breakdowns);
  const status = v.base === "wasm" ? kernelFixesStatus() : { speed: false, native: false };
  const adapter = info.adapter ? describeAdapter(info.adapter) : undefined;
  process.stdout.write(
    "\n@@BENCH@@" +
      JSON.stringify({
        variant: variantName,
        backend: info.choice,
        flags: info.flags,
        adapter,
        status,
        rows,
        timings,
        breakdowns,
      }) +
      "\n",
  );
}

// ---------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------

interface Flags {
  variants: string[];
  cases: CaseName[];
  /** --cases was given (the cpu variants then run B too). */
  explicitCases: boolean;
  seconds: number;
  torch: boolean;
  /** PyTorch devices to run the reference on (--torch-device cpu,cuda). */
  torchDevices: string[];
  out: string;
}

function parseFlags(argv: string[]): Flags & { child?: string } {
  const get = (name: string): string | undefined => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    const a = argv[i] as string;
    if (a.includes("=")) return a.slice(a.indexOf("=") + 1);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`--${name} needs a value`);
    return v;
  };
  const known = new Set([
    "backend",
    "cases",
    "seconds",
    "quick",
    "no-torch",
    "torch-device",
    "out",
    "child",
    "explicit-cases",
    "help",
  ]);
  for (const a of argv) {
    if (a.startsWith("--") && !known.has(a.slice(2).split("=")[0] as string)) {
      throw new Error(`unknown flag ${a}; known: ${[...known].map((k) => "--" + k).join(" ")}`);
    }
  }
  const expand = (list: string): string[] =>
    list.split(",").flatMap((b) => {
      if (b === "wasm" && list.split(",").length === 1) return ["wasm-plain", "wasm", "wasm-native", "wasm-native-1t"];
      if (VARIANTS[b] === undefined)
        throw new Error(`--backend: unknown variant "${b}"; use ${Object.keys(VARIANTS).join(", ")} (comma-separated)`);
      return [b];
    });
  const backend = get("backend") ?? process.env["GEN2BRAIN_BACKEND"];
  const variants = backend ? expand(backend) : ["wasm-plain", "wasm", "wasm-native", "wasm-native-1t", "cpu"];
  const cases = (get("cases") ?? CASES.join(",")).split(",").map((c) => {
    if (!(CASES as ReadonlyArray<string>).includes(c))
      throw new Error(`--cases: unknown case "${c}"; use ${CASES.join(", ")}`);
    return c as CaseName;
  });
  const seconds = argv.includes("--quick") ? 1 : Number(get("seconds") ?? 3);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number`);
  const childName = get("child");
  const torchDevices = (get("torch-device") ?? "cpu").split(",");
  for (const d of torchDevices)
    if (d !== "cpu" && d !== "cuda") throw new Error(`--torch-device: "${d}" is not cpu or cuda (comma-separated)`);
  return {
    variants,
    cases,
    explicitCases: get("cases") !== undefined,
    seconds,
    torch: !argv.includes("--no-torch"),
    torchDevices,
    out: get("out") ?? path.join("out", "bench"),
    ...(childName ? { child: childName } : {}),
  };
}

interface ChildResult {
  rows: Row[];
  timings: Timing[];
  status: unknown;
  adapter?: string;
  breakdowns?: Breakdown[];
}

function runChild(variant: string, f: Flags): ChildResult | { error: string } {
  const v = VARIANTS[variant] as Variant;
  const env: NodeJS.ProcessEnv = { ...process.env, GEN2BRAIN_BACKEND: v.base };
  env["GEN2BRAIN_KERNEL_FIXES"] = v.speed ? "1" : "0";
  env["GEN2BRAIN_NATIVE"] = v.native ? "1" : "0";
  if (v.threads !== undefined) env["GEN2BRAIN_THREADS"] = String(v.threads);
  // Dawn exposes timestamp queries (GPU time per kernel, for the breakdown) only with unsafe APIs on.
  if (v.base === "webgpu") {
    env["GEN2BRAIN_DAWN_FLAGS"] = [env["GEN2BRAIN_DAWN_FLAGS"], v.dawnFlags ?? "enable-dawn-features=allow_unsafe_apis"]
      .filter(Boolean)
      .join(" ");
  }
  const args = [
    ...process.execArgv,
    __filename,
    "--child",
    variant,
    "--cases",
    f.cases.join(","),
    "--seconds",
    String(f.seconds),
    ...(f.explicitCases ? ["--explicit-cases"] : []),
  ];
  const r = spawnSync(process.execPath, args, { env, encoding: "utf8", maxBuffer: 64 << 20, timeout: 30 * 60 * 1000 });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("@@BENCH@@"));
  if (r.status !== 0 || line === undefined) {
    const why = (r.stderr || r.stdout || String(r.error))
      .split("\n")
      .filter((l) => l.trim() && !l.includes("npm warn"))
      .slice(-3)
      .join(" | ");
    return { error: `exit ${r.status}: ${why}` };
  }
  return JSON.parse(line.slice("@@BENCH@@".length)) as ChildResult;
}

/** Directories with an OpenBLAS libblas.so.3 for the PyTorch reference (first existing). */
function openblasDir(): string | null {
  const candidates = [
    process.env["GEN2BRAIN_OPENBLAS_DIR"],
    path.resolve("out/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread"),
    "/usr/lib/x86_64-linux-gnu/openblas-pthread",
  ].filter((c): c is string => typeof c === "string" && c !== "");
  for (const c of candidates) if (fs.existsSync(path.join(c, "libblas.so.3"))) return c;
  return null;
}

function runTorch(f: Flags): { rows: Row[]; info: unknown[]; timings: Timing[]; skipped?: string } {
  const python = process.env["GEN2BRAIN_PYTHON"] ?? "/usr/bin/python3";
  const script = path.join(__dirname, "bench_torch.py");
  const cpu = f.torchDevices.includes("cpu");
  const runs: Array<{ label: string; env: NodeJS.ProcessEnv; device: string }> = cpu
    ? [{ label: "", env: { ...process.env }, device: "cpu" }]
    : [];
  const ob = openblasDir();
  const systemBlas = (() => {
    try {
      return fs.realpathSync("/usr/lib/x86_64-linux-gnu/libblas.so.3");
    } catch {
      return "";
    }
  })();
  if (cpu && ob !== null && !systemBlas.includes("openblas")) {
    runs.push({
      label: "openblas-",
      env: { ...process.env, LD_LIBRARY_PATH: [ob, process.env["LD_LIBRARY_PATH"]].filter(Boolean).join(":") },
      device: "cpu",
    });
  }
  // bench_torch.py labels its CUDA rows "torch-cuda" itself.
  if (f.torchDevices.includes("cuda")) runs.push({ label: "", env: { ...process.env }, device: "cuda" });
  const rows: Row[] = [];
  const info: unknown[] = [];
  const timings: Timing[] = [];
  for (const run of runs) {
    const cases = run.device === "cpu" && !f.explicitCases ? f.cases.filter((c) => !GPU_ONLY.includes(c)) : f.cases;
    const args = [script, "--seconds", String(f.seconds), "--cases", cases.join(","), "--device", run.device];
    const r = spawnSync(python, args, { env: run.env, encoding: "utf8", timeout: 30 * 60 * 1000 });
    if (r.status !== 0) {
      const why =
        r.status === 3
          ? (r.stderr || "").trim()
          : `${python} failed (exit ${r.status}): ${(r.stderr || String(r.error)).trim().split("\n").slice(-2).join(" | ")}`;
      if (run.label === "" && run.device === "cpu") return { rows, info, timings, skipped: why };
      info.push({ blas: run.label, device: run.device, skipped: why });
      continue;
    }
    const out = JSON.parse(r.stdout.trim().split("\n").pop() as string) as {
      torch: Record<string, unknown>;
      results: Row[];
      timings?: Timing[];
    };
    const blas =
      run.device === "cuda"
        ? "CUDA (cuBLAS)"
        : run.label === ""
          ? systemBlas || "system libblas.so.3"
          : `OpenBLAS from ${ob}`;
    info.push({ ...out.torch, blas });
    for (const row of out.results) rows.push({ ...row, backend: row.backend.replace("torch-", `torch-${run.label}`) });
    for (const t of out.timings ?? [])
      timings.push({ ...t, backend: t.backend.replace("torch-", `torch-${run.label}`) });
  }
  return { rows, info, timings };
}

function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "";
  if (v >= 1000) return Math.round(v).toLocaleString("en-US");
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function markdown(
  rows: Row[],
  torch: Row[],
  ratios: Array<Record<string, unknown>>,
  cpuRatios: Array<Record<string, unknown>>,
  machine: Record<string, unknown>,
  notes: string[],
): string {
  const all = [...rows, ...torch];
  const backends = [...new Set(all.map((r) => r.backend))];
  const lines: string[] = [];
  lines.push(
    `# gen2brain benchmark`,
    "",
    `Machine: ${machine["cpus"]} x ${machine["model"]}; load average ${JSON.stringify(machine["loadavgStart"])} at start, ${JSON.stringify(machine["loadavgEnd"])} at end.`,
    "",
  );
  for (const metric of ["tokensPerSec", "gflops", "tensorsPerStep", "peakRssMiB"] as MetricName[]) {
    const cases = CASES.filter((c) => all.some((r) => r.case === c && r.metric === metric));
    if (cases.length === 0) continue;
    const cols = backends.filter((b) => all.some((r) => r.backend === b && r.metric === metric));
    lines.push(`## ${metric}`, "", `| case | ${cols.join(" | ")} |`, `|---|${cols.map(() => "---:").join("|")}|`);
    for (const c of cases)
      lines.push(
        `| ${c} | ${cols.map((b) => fmt(all.find((r) => r.backend === b && r.case === c && r.metric === metric)?.value)).join(" | ")} |`,
      );
    lines.push("");
  }
  if (ratios.length > 0) {
    lines.push(
      "## tfjs / PyTorch (best variant over best run)",
      "",
      "| case | ratio | tfjs | PyTorch |",
      "|---|---:|---|---|",
    );
    for (const r of ratios)
      lines.push(
        `| ${r["case"]} | ${(r["tfjsOverTorch"] as number).toFixed(2)} | ${r["tfjs"]} ${fmt(r["tfjsValue"] as number)} | ${r["torch"]} ${fmt(r["torchValue"] as number)} |`,
      );
    lines.push("");
  }
  if (cpuRatios.length > 0) {
    lines.push(
      "## Per-core: CPU ms per step, one thread (robust to machine load)",
      "",
      "| case | tfjs / PyTorch | tfjs | PyTorch |",
      "|---|---:|---|---|",
    );
    for (const r of cpuRatios)
      lines.push(
        `| ${r["case"]} | ${(r["tfjsOverTorch"] as number).toFixed(2)} | ${r["tfjs"]} ${fmt(r["tfjsCpuMs"] as number)} ms | ${r["torch"]} ${fmt(r["torchCpuMs"] as number)} ms |`,
      );
    lines.push("");
  }
  for (const n of notes) lines.push(`- ${n}`);
  return lines.join("\n") + "\n";
}

/** The GPU section: tfjs-webgpu against PyTorch CUDA on the same GPU, and where a step's time goes. */
function gpuMarkdown(
  gpuRatios: Array<Record<string, unknown>>,
  breakdowns: Breakdown[],
  machine: Record<string, unknown>,
): string {
  if (gpuRatios.length === 0 && breakdowns.length === 0) return "";
  const lines: string[] = ["", `## GPU: tfjs-webgpu / PyTorch CUDA (eager, float32), ${machine["gpu"] ?? "GPU"}`, ""];
  if (gpuRatios.length > 0) {
    lines.push("| case | ratio | tfjs-webgpu | PyTorch CUDA |", "|---|---:|---:|---:|");
    for (const r of gpuRatios)
      lines.push(
        `| ${r["case"]} | ${(r["tfjsOverTorch"] as number).toFixed(2)} | ${fmt(r["tfjsValue"] as number)} | ${fmt(r["torchValue"] as number)} |`,
      );
    lines.push("");
  }
  if (breakdowns.length > 0) {
    lines.push(
      "Where a webgpu training step's time goes (ms per step): dispatch = JavaScript building and submitting the kernels; read = waiting for the",
      "[loss, grad norm] readback (the GPU finishing, then the copy); GPU = the kernels' own time from timestamp queries.",
      "",
      "| variant | case | wall | dispatch | read | GPU kernels | launches | upload |",
      "|---|---|---:|---:|---:|---:|---:|---:|",
    );
    for (const b of breakdowns) {
      const k = b.kernelMs === null ? "n/a" : fmt(b.kernelMs);
      lines.push(
        `| ${b.backend} | ${b.case} | ${fmt(b.wallMs)} | ${fmt(b.dispatchMs)} | ${fmt(b.readMs)} | ${k} | ${b.kernels} | ${(b.uploadBytes / 1024).toFixed(0)} KiB |`,
      );
    }
    lines.push("");
    const big = breakdowns.filter((b) => b.topKernels.length > 0).sort((x, y) => y.wallMs - x.wallMs)[0];
    if (big !== undefined) {
      lines.push(
        `GPU time by kernel, ${big.backend} ${big.case} (one step; ms summed over launches):`,
        "",
        "| kernel | ms | launches |",
        "|---|---:|---:|",
      );
      for (const t of big.topKernels) lines.push(`| ${t.name} | ${fmt(t.ms)} | ${t.launches} |`);
      lines.push("");
    }
  }
  return lines.join("\n") + "\n";
}

async function parent(f: Flags): Promise<void> {
  const machine: Record<string, unknown> = {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? "unknown",
    loadavgStart: os.loadavg().map((x) => +x.toFixed(2)),
  };
  const rows: Row[] = [];
  const timings: Timing[] = [];
  const variants: Record<string, unknown> = {};
  const breakdowns: Breakdown[] = [];
  const notes: string[] = [];
  const native = loadNative();
  for (const v of f.variants) {
    const def = VARIANTS[v] as Variant;
    if (def.native && !native.available) {
      notes.push(`${v} skipped: native addon unavailable (${native.reason})`);
      continue;
    }
    if (v === "wasm-native-1t" && os.cpus().length === 1) continue;
    process.stderr.write(`bench: ${v} (${def.about}) ...\n`);
    const t0 = Date.now();
    const r = runChild(v, f);
    if ("error" in r) {
      notes.push(`${v} failed: ${r.error}`);
      process.stderr.write(`bench: ${v} failed: ${r.error}\n`);
      continue;
    }
    rows.push(...r.rows);
    timings.push(...r.timings);
    breakdowns.push(...(r.breakdowns ?? []));
    if (r.adapter !== undefined) machine["gpu"] = r.adapter;
    variants[v] = {
      about: def.about,
      status: r.status,
      ...(r.adapter ? { adapter: r.adapter } : {}),
      seconds: (Date.now() - t0) / 1000,
    };
  }
  let torch: Row[] = [];
  let torchInfo: unknown[] = [];
  let torchTimings: Timing[] = [];
  if (f.torch) {
    process.stderr.write(`bench: PyTorch reference ...\n`);
    const t = runTorch(f);
    torch = t.rows;
    torchInfo = t.info;
    torchTimings = t.timings;
    if (t.skipped) notes.push(`PyTorch skipped: ${t.skipped}`);
    for (const i of t.info as Array<{ skipped?: string; device?: string }>)
      if (i.skipped) notes.push(`PyTorch (${i.device ?? "cpu"}) skipped: ${i.skipped}`);
  } else {
    notes.push("PyTorch skipped (--no-torch)");
  }
  // CPU against CPU and GPU against GPU: the best tfjs CPU variant over the best PyTorch CPU run, and
  // tfjs-webgpu over PyTorch CUDA (eager, float32) on the same GPU.
  const ratios: Array<Record<string, unknown>> = [];
  const gpuRatios: Array<Record<string, unknown>> = [];
  const onGpu = (r: Row): boolean => r.backend.startsWith("webgpu") || r.backend === "torch-cuda";
  for (const c of f.cases) {
    const metric: MetricName = c.startsWith("matmul") ? "gflops" : "tokensPerSec";
    const best = (rs: Row[]): Row | undefined =>
      rs.filter((r) => r.case === c && r.metric === metric).sort((a, b) => b.value - a.value)[0];
    const pair = (a: Row | undefined, b: Row | undefined): Record<string, unknown> | null =>
      a && b
        ? {
            case: c,
            tfjsOverTorch: a.value / b.value,
            tfjs: a.backend,
            torch: b.backend,
            tfjsValue: a.value,
            torchValue: b.value,
          }
        : null;
    const cpu = pair(best(rows.filter((r) => !onGpu(r))), best(torch.filter((r) => !onGpu(r))));
    if (cpu) ratios.push(cpu);
    // The safe default is what users get: the ratio is for "webgpu"; webgpu-unsafe is reported beside it.
    const gpu = pair(best(rows.filter((r) => r.backend === "webgpu")), best(torch.filter(onGpu)));
    if (gpu) gpuRatios.push(gpu);
  }
  // Per-core efficiency, robust to other processes on the machine: CPU time per step of the one-thread
  // runs (wasm-plain/wasm/wasm-native-1t are single-threaded; torch-*-1t), best of each side.
  const cpuRatios: Array<Record<string, unknown>> = [];
  const oneThread = (t: Timing): boolean =>
    t.backend === "wasm-plain" || t.backend === "wasm" || t.backend.endsWith("-1t");
  for (const c of f.cases) {
    const best = (ts: Timing[]): Timing | undefined =>
      ts.filter((t) => t.case === c && oneThread(t)).sort((a, b) => a.cpuMsPerStep - b.cpuMsPerStep)[0];
    const a = best(timings);
    const b = best(torchTimings);
    if (a && b)
      cpuRatios.push({
        case: c,
        tfjsOverTorch: b.cpuMsPerStep / a.cpuMsPerStep,
        tfjs: a.backend,
        torch: b.backend,
        tfjsCpuMs: a.cpuMsPerStep,
        torchCpuMs: b.cpuMsPerStep,
      });
  }
  machine["loadavgEnd"] = os.loadavg().map((x) => +x.toFixed(2));
  const contended = timings.filter((t) => t.wallMsPerStep > 1.3 * t.cpuMsPerStep && t.cpuMsPerStep > 0);
  if (contended.length > 0) {
    notes.push(
      `machine contention: ${contended.length} of ${timings.length} cases took >1.3x more wall time than CPU time ` +
        `(load average ${JSON.stringify(machine["loadavgStart"])} -> ${JSON.stringify(machine["loadavgEnd"])}); wall-clock numbers are pessimistic`,
    );
  }
  const out = {
    machine,
    results: rows,
    ...(torch.length > 0 ? { torch, ratios, cpuTimeRatios: cpuRatios } : {}),
    ...(gpuRatios.length > 0 ? { gpuRatios } : {}),
    ...(breakdowns.length > 0 ? { gpuBreakdown: breakdowns } : {}),
    variants,
    torchInfo,
    timings: [...timings, ...torchTimings],
    notes,
    date: new Date().toISOString(),
  };
  writeJsonAtomic(path.join(f.out, "bench.json"), out);
  const md = markdown(rows, torch, ratios, cpuRatios, machine, notes) + gpuMarkdown(gpuRatios, breakdowns, machine);
  writeFileAtomic(path.join(f.out, "bench.md"), md);
  process.stdout.write(md);
}

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2));
  if (process.argv.includes("--help")) {
    process.stdout.write(fs.readFileSync(__filename, "utf8").split("*/")[0] + "*/\n");
    return;
  }
  if (f.child !== undefined) await child(f.child, f.cases, f.seconds, process.argv.includes("--explicit-cases"));
  else await parent(f);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env["GEN2BRAIN_DEBUG"] && e instanceof Error) console.error(e.stack);
    process.exit(1);
  },
);
