/**
 * The preflight: what this machine has for gen2brain, and for each missing piece what it costs and the
 * exact command that adds it. `npm run reproduce` prints it before any training; `npm run doctor`
 * prints it alone. Nothing here is required: without a BLAS the model trains on wasm alone (slower),
 * without Chromium figures are interactive only (no PNG/SVG), without Jupyter the notebooks are not
 * executed. {@link gatherFacts} looks at the machine, {@link assessPreflight} turns the facts into a
 * typed record (pure, tested on constructed facts), {@link formatPreflight} prints it.
 */
import * as path from "path";
import { BACKEND_CHOICES, backendInfo, type BackendInfo } from "./backend";
import { describeAdapter, kernelFixesStatus, loadNative, type NativeStatus, type WebGPUAdapter } from "../speed/index";
import { findChrome } from "../present/render";
import { APT_PACKAGES, findPython, JUPYTER_MODULES } from "./jupyter";

/**
 * How much slower training is without a BLAS (the native addon idle, wasm alone). Measured on this
 * project's 2-core EPYC: `npm run reproduce` (quick) with GEN2BRAIN_NATIVE=0 against the default, CPU
 * seconds per experiment (README, "Timings").
 */
export const NO_BLAS_SLOWDOWN = "about 3–4×";

/** Found (a path) or missing (why). */
export type Probe = { readonly path: string } | { readonly missing: string };

/** What the preflight looks at. */
export interface PreflightFacts {
  readonly backend: BackendInfo;
  /** The native addon and its BLAS as loaded (src/speed/native.ts). */
  readonly native: NativeStatus;
  /** Whether the wasm speed fixes are on (GEN2BRAIN_KERNEL_FIXES); the addon works beneath them. */
  readonly kernelFixes: boolean;
  readonly chrome: Probe;
  /** A Python with {@link JUPYTER_MODULES}. */
  readonly jupyter: Probe;
  readonly platform: NodeJS.Platform;
  /** Whether install commands need `sudo` (not root). */
  readonly sudo: boolean;
}

/** The four things checked. */
export type PreflightName = "backend" | "gemm" | "chromium" | "jupyter";

/** One line of the preflight. */
export interface PreflightCheck {
  readonly name: PreflightName;
  /** As printed: "backend", "GEMM", "Chromium", "Jupyter". */
  readonly label: string;
  /** False when a piece is missing (the run still works, at a cost). */
  readonly ok: boolean;
  /** What was found, or why it is missing (one line). */
  readonly found: string;
  /** Indented detail lines (e.g. each backend that did not load, and why). */
  readonly details: ReadonlyArray<string>;
  /** When missing: what it costs. */
  readonly cost?: string;
  /** When missing: the exact command (or setting) that adds it. */
  readonly fix?: string;
}

/** The preflight as a typed record. */
export interface Preflight {
  readonly checks: ReadonlyArray<PreflightCheck>;
  /** How the model computes, e.g. "wasm+OpenBLAS" (also recorded in every results.json). */
  readonly engine: string;
  /** One command that adds every missing Debian package, when any is missing. */
  readonly fixAll?: string;
}

/** A BLAS library's common name from its file name (libdnnl.so.2 → oneDNN). */
export function blasName(lib: string): string {
  const base = path.basename(lib).toLowerCase();
  if (base.startsWith("libdnnl")) return "oneDNN";
  if (base.startsWith("libopenblas")) return "OpenBLAS";
  if (base.startsWith("libmkl")) return "MKL";
  if (base.startsWith("libblis")) return "BLIS";
  return path.basename(lib);
}

/**
 * "wasm+OpenBLAS" when the native addon runs the GEMMs, else the backend's name; with the BLAS's thread count when
 * known ("wasm+OpenBLAS (2 threads)"), because the GEMM's summation order, and so the last bits of every trained
 * weight, depend on it: the same seed, code and engine give the same numbers only at the same thread count
 * (measured: t4 and t5 at smoke differ in 21 of 45 files between GEN2BRAIN_THREADS=1 and 2); and with the kernels
 * OpenBLAS reports ("wasm+OpenBLAS (1 thread, Haswell kernels)"), which decide the order too; and with the vector
 * instructions of the addon's own loops ("…, AVX2 loops"), whose reductions sum in that width (native/march.js).
 */
export function engineLabel(
  backend: string,
  nativeLib: string | undefined,
  threads?: number,
  kernels?: string,
  simd?: string,
): string {
  if (nativeLib === undefined) return backend;
  const parts = [
    ...(threads !== undefined && threads > 0 ? [`${threads} thread${threads === 1 ? "" : "s"}`] : []),
    ...(kernels !== undefined && kernels !== "" ? [`${kernels} kernels`] : []),
    ...(simd !== undefined && simd !== "" ? [`${simd} loops`] : []),
  ];
  return `${backend}+${blasName(nativeLib)}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
}

/**
 * A GPU backend's engine: the adapter as a record must name it (device, vendor/architecture, driver; issue 23),
 * because kernels, and so the last bits, are the driver's: "webgpu (NVIDIA H200, nvidia/hopper, driver 580.1)".
 */
export function gpuEngineLabel(choice: string, adapter: WebGPUAdapter): string {
  return `${choice} (${describeAdapter(adapter)})`;
}

/** The engine of the current process (after initBackend), or null before a backend is chosen. */
export function currentEngine(): string | null {
  const info = backendInfo();
  if (info === null) return null;
  const k = kernelFixesStatus();
  if (info.adapter !== undefined) return gpuEngineLabel(info.choice, info.adapter);
  return engineLabel(
    info.choice,
    k.native ? k.nativeLib : undefined,
    k.native ? k.nativeThreads : undefined,
    k.native ? k.nativeKernels : undefined,
    k.native ? k.nativeSimd : undefined,
  );
}

function apt(packages: ReadonlyArray<string>, sudo: boolean): string {
  return `${sudo ? "sudo " : ""}apt-get install -y --no-install-recommends ${packages.join(" ")}`;
}

function backendCheck(info: BackendInfo): PreflightCheck {
  const flags = Object.entries(info.flags)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const forced = info.reason.startsWith("forced");
  const before = info.unavailable.filter(
    (u) => BACKEND_CHOICES.indexOf(u.choice) < BACKEND_CHOICES.indexOf(info.choice),
  );
  const why = forced
    ? info.reason
    : before.length === 0
      ? `the first choice of ${BACKEND_CHOICES.join(" > ")}`
      : `the best available of ${BACKEND_CHOICES.join(" > ")}`;
  // A GPU backend names its adapter (device, vendor/architecture, driver).
  const adapter = info.adapter !== undefined ? describeAdapter(info.adapter) : null;
  return {
    name: "backend",
    label: "backend",
    ok: true,
    found: `${info.choice}${flags ? ` (${flags})` : ""}: ${why}`,
    details: [
      ...(adapter !== null ? [`adapter: ${adapter}`] : []),
      ...info.unavailable.map((u) => `${u.choice}: not available (${u.error.split("\n")[0] ?? u.error})`),
    ],
  };
}

function gemmCheck(f: PreflightFacts): PreflightCheck {
  const base = { name: "gemm" as const, label: "GEMM", details: [] as string[] };
  if (f.backend.choice !== "wasm")
    return { ...base, ok: true, found: `the ${f.backend.choice} backend's own kernels (the native addon serves wasm)` };
  if (!f.kernelFixes)
    return {
      ...base,
      ok: false,
      found: "wasm's stock kernels (GEN2BRAIN_KERNEL_FIXES=0: speed fixes and native addon off)",
      cost: "several times slower training",
      fix: "unset GEN2BRAIN_KERNEL_FIXES",
    };
  const n = f.native;
  if (n.available && n.lib !== undefined)
    return {
      ...base,
      ok: true,
      found: `${blasName(n.lib)} (${n.lib}, ${n.api ?? "?"} API) through the native addon, ${n.threads ?? "?"} thread(s)${n.kernels !== undefined ? `, ${n.kernels} kernels` : ""}${n.simd !== undefined ? `, ${n.simd} loops` : ""}`,
    };
  const reason = n.reason ?? "not available";
  const fix = reason.includes("GEN2BRAIN_NATIVE=0")
    ? "unset GEN2BRAIN_NATIVE"
    : reason.includes("GEN2BRAIN_BLAS=")
      ? "point GEN2BRAIN_BLAS at a BLAS with cblas_sgemm (e.g. libopenblas.so.0), or unset it"
      : reason.startsWith("addon not built") || reason.startsWith("addon failed")
        ? f.platform === "linux"
          ? `${apt([...APT_PACKAGES.compiler, ...APT_PACKAGES.blas], f.sudo)} && npm run build:native`
          : "install a C compiler and OpenBLAS, then npm run build:native"
        : f.platform === "linux"
          ? apt(APT_PACKAGES.blas, f.sudo)
          : f.platform === "darwin"
            ? "brew install openblas"
            : "install OpenBLAS and set GEN2BRAIN_BLAS to its library";
  return { ...base, ok: false, found: reason, cost: `${NO_BLAS_SLOWDOWN} slower training (wasm alone)`, fix };
}

function chromeCheck(f: PreflightFacts): PreflightCheck {
  const base = { name: "chromium" as const, label: "Chromium", details: [] as string[] };
  if ("path" in f.chrome) return { ...base, ok: true, found: `${f.chrome.path}: figures also as SVG and PNG` };
  return {
    ...base,
    ok: false,
    found: f.chrome.missing.split(". ")[0] ?? f.chrome.missing,
    cost: "no PNG/SVG, interactive figures only (plotly JSON and report.html)",
    fix:
      f.platform === "linux"
        ? `${apt(APT_PACKAGES.chromium, f.sudo)} (or set GEN2BRAIN_CHROME to a Chrome/Chromium binary)`
        : "install Chrome or Chromium and set GEN2BRAIN_CHROME to its binary",
  };
}

function jupyterCheck(f: PreflightFacts): PreflightCheck {
  const base = { name: "jupyter" as const, label: "Jupyter", details: [] as string[] };
  if ("path" in f.jupyter) return { ...base, ok: true, found: `${f.jupyter.path}: notebooks executed` };
  return {
    ...base,
    ok: false,
    found: `no Python with ${JUPYTER_MODULES.join(", ")}`,
    cost: "notebooks not executed (results, figures and the report are still written)",
    fix:
      f.platform === "linux"
        ? `${apt(APT_PACKAGES.jupyter, f.sudo)} (or set GEN2BRAIN_PYTHON to a Python that has them)`
        : "pip install jupyterlab nbclient nbconvert (or set GEN2BRAIN_PYTHON)",
  };
}

/** The preflight record for the given facts (pure). */
export function assessPreflight(f: PreflightFacts): Preflight {
  const checks = [backendCheck(f.backend), gemmCheck(f), chromeCheck(f), jupyterCheck(f)];
  const packages: string[] = [];
  const gemm = checks[1] as PreflightCheck;
  if (!gemm.ok && gemm.fix?.includes(APT_PACKAGES.blas[0] as string)) {
    if (gemm.fix.includes("build:native")) packages.push(...APT_PACKAGES.compiler);
    packages.push(...APT_PACKAGES.blas);
  }
  if ("missing" in f.chrome) packages.push(...APT_PACKAGES.chromium);
  if ("missing" in f.jupyter) packages.push(...APT_PACKAGES.jupyter);
  // The same label every record of this machine carries (currentEngine): the thread count is this process's,
  // which the jobs a run starts inherit (GEN2BRAIN_THREADS, else one).
  const engine = engineLabel(
    f.backend.choice,
    f.backend.choice === "wasm" && f.kernelFixes && f.native.available ? f.native.lib : undefined,
    f.native.threads,
    f.native.kernels,
    f.native.simd,
  );
  return {
    checks,
    engine,
    ...(f.platform === "linux" && packages.length > 1 ? { fixAll: apt(packages, f.sudo) } : {}),
  };
}

/**
 * Look at this machine. `backend` is initBackend()'s result (the caller chooses the backend first, so
 * that a forced one is reported as such).
 */
export function gatherFacts(backend: BackendInfo, env: NodeJS.ProcessEnv = process.env): PreflightFacts {
  let chrome: Probe;
  try {
    chrome = { path: findChrome(env) };
  } catch (e) {
    chrome = { missing: e instanceof Error ? e.message : String(e) };
  }
  let jupyter: Probe;
  try {
    jupyter = { path: findPython(JUPYTER_MODULES) };
  } catch (e) {
    jupyter = { missing: e instanceof Error ? e.message : String(e) };
  }
  return {
    backend,
    native: loadNative(),
    kernelFixes: env["GEN2BRAIN_KERNEL_FIXES"] !== "0",
    chrome,
    jupyter,
    platform: process.platform,
    sudo: typeof process.getuid === "function" && process.getuid() !== 0,
  };
}

/** The preflight block as text: one line per check, then what each missing piece costs and its fix. */
export function formatPreflight(p: Preflight): string {
  const width = Math.max(...p.checks.map((c) => c.label.length));
  const lines = ["preflight:"];
  for (const c of p.checks) {
    lines.push(`  ${c.ok ? "ok     " : "missing"}  ${c.label.padEnd(width)}  ${c.found}`);
    for (const d of c.details) lines.push(`  ${" ".repeat(7 + 2 + width + 2)}${d}`);
  }
  const missing = p.checks.filter((c) => !c.ok);
  if (missing.length === 0) {
    lines.push("  everything optional is here: full speed, PNG/SVG figures, executed notebooks");
  } else {
    for (const c of missing)
      lines.push(`  without ${c.label}: ${c.cost ?? "reduced function"}; add it: ${c.fix ?? "-"}`);
    if (p.fixAll !== undefined) lines.push(`  everything at once: ${p.fixAll}`);
  }
  return lines.join("\n");
}
