/**
 * WebGPU for TensorFlow.js in Node: Dawn (Chromium's WebGPU implementation, shipped prebuilt as the
 * `webgpu` npm package's `dawn.node`) under `@tensorflow/tfjs-backend-webgpu`. Both install from the npm
 * registry alone, unlike tfjs-node-gpu, which downloads a CUDA 11 libtensorflow at install time.
 *
 * Dawn needs a native GPU API: Vulkan on Linux (the loader `libvulkan.so.1` and a driver), Metal on
 * macOS, D3D12 on Windows. Whether an adapter exists is asked in a child process: Dawn reports why it
 * found none only on stderr (from C++), so a child lets us read its own message, and a driver that
 * crashes takes the child down, not the caller. The answer is cached for the process.
 *
 * Software adapters (Mesa's llvmpipe through OpenGL ES, lavapipe, SwiftShader) are never chosen by the
 * automatic backend order: they are slower than the CPU backends. `GEN2BRAIN_WEBGPU_ADAPTER=software`
 * asks for Mesa's OpenGL ES adapter in WebGPU's compatibility mode on purpose, so the WebGPU code path
 * can be tested on a machine without a GPU (Debian: `libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri`).
 */
import { spawnSync } from "child_process";
import * as path from "path";

/** Which adapter to ask Dawn for: a hardware GPU (default), or Mesa's software OpenGL ES (tests). */
export type WebGPUAdapterKind = "hardware" | "software";

/** The adapter Dawn gave us, as the preflight block and every record name it. */
export interface WebGPUAdapter {
  readonly vendor: string;
  readonly architecture: string;
  /** Device name (for NVIDIA on Vulkan e.g. "NVIDIA H200"). */
  readonly device: string;
  /** Driver description as Dawn reports it (for Vulkan: driver name and version). */
  readonly description: string;
  /** "core" or "compatibility" (OpenGL ES adapters exist only in compatibility mode). */
  readonly featureLevel: "core" | "compatibility";
  /** llvmpipe, lavapipe, SwiftShader, or an adapter Dawn marks as a fallback. */
  readonly software: boolean;
  /** maxStorageBufferBindingSize and maxBufferSize, bytes: the largest tensor the GPU can hold. */
  readonly maxBufferSize: number;
}

/** Why no usable adapter was found. */
export type WebGPUFailure =
  | "not-installed" // the webgpu npm package (dawn.node) is missing
  | "no-loader" // Linux: libvulkan.so.1 not found
  | "no-driver" // the Vulkan loader found no driver (ICD)
  | "refused" // Dawn saw a device but refused it (missing features), with Dawn's reason
  | "software-only" // only a software adapter, which the automatic order does not take
  | "no-adapter" // Dawn returned none and said nothing we recognise
  | "crashed"; // the probe process died

export type WebGPUProbe =
  | { readonly ok: true; readonly adapter: WebGPUAdapter; readonly dawnFlags: ReadonlyArray<string> }
  | { readonly ok: false; readonly cause: WebGPUFailure; readonly message: string };

/** Where `dawn.node` is: `GEN2BRAIN_DAWN_NODE`, else inside the installed `webgpu` package; null if absent. */
export function dawnNodePath(env: NodeJS.ProcessEnv = process.env): string | null {
  const forced = env["GEN2BRAIN_DAWN_NODE"];
  if (forced !== undefined && forced !== "") return forced;
  try {
    const pkg = require.resolve("webgpu/package.json");
    const arch = process.platform === "darwin" ? "universal" : process.arch;
    return path.join(path.dirname(pkg), "dist", `${process.platform}-${arch}`, "dawn.node");
  } catch {
    return null;
  }
}

/** The adapter kind asked for by `GEN2BRAIN_WEBGPU_ADAPTER` (default hardware). */
export function adapterKind(env: NodeJS.ProcessEnv = process.env): WebGPUAdapterKind {
  const raw = env["GEN2BRAIN_WEBGPU_ADAPTER"];
  if (raw === undefined || raw === "" || raw === "hardware") return "hardware";
  if (raw === "software") return "software";
  throw new Error(`GEN2BRAIN_WEBGPU_ADAPTER: unknown value "${raw}"; use "hardware" (default) or "software"`);
}

/**
 * Dawn's creation flags and the adapter request for a kind. `GEN2BRAIN_DAWN_FLAGS` adds Dawn flags
 * (space-separated), e.g. `enable-dawn-features=allow_unsafe_apis`, which the benchmark sets so that
 * timestamp queries (GPU time per kernel) are available.
 */
function dawnSetup(
  kind: WebGPUAdapterKind,
  env: NodeJS.ProcessEnv = process.env,
): { flags: string[]; featureLevel: "core" | "compatibility" } {
  const extra = (env["GEN2BRAIN_DAWN_FLAGS"] ?? "").split(/\s+/).filter((f) => f !== "");
  // Mesa's llvmpipe offers OpenGL ES 3.2 through EGL without a display (EGL_PLATFORM=surfaceless); Dawn
  // exposes OpenGL ES only in WebGPU's compatibility mode.
  return kind === "software"
    ? { flags: ["backend=opengles", ...extra], featureLevel: "compatibility" }
    : { flags: extra, featureLevel: "core" };
}

/** The environment Dawn needs for a kind (software: EGL without a display). */
export function dawnEnv(kind: WebGPUAdapterKind, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return kind === "software" ? { ...env, EGL_PLATFORM: env["EGL_PLATFORM"] ?? "surfaceless" } : env;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software/i;

/**
 * Turn Dawn's stderr (and the probe's exit) into a cause and one line a user can act on.
 * Exported for tests: CI machines have no GPU, so each message is tested on Dawn's own words.
 */
export function classifyDawnFailure(
  stderr: string,
  platform: NodeJS.Platform = process.platform,
): { cause: WebGPUFailure; message: string } {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .map((l) => l.replace(/^- /, ""))
    .filter((l) => l !== "" && !l.startsWith("at ") && !/XDG_RUNTIME_DIR|artificially reduced/.test(l));
  const dawn = lines
    .join("; ")
    .replace(/^Warning: /, "")
    .replace(/; Warning: /g, "; ");
  if (/libvulkan\.so\.1|Couldn't load Vulkan/i.test(stderr)) {
    return {
      cause: "no-loader",
      message: `no Vulkan loader (libvulkan.so.1 not found; Debian/Ubuntu: sudo apt-get install libvulkan1) — Dawn: ${dawn}`,
    };
  }
  if (/Found no drivers|VK_ERROR_INCOMPATIBLE_DRIVER/i.test(stderr)) {
    return {
      cause: "no-driver",
      message: `Vulkan loader found but no Vulkan driver (install the GPU vendor's driver, e.g. NVIDIA's with its Vulkan ICD) — Dawn: ${dawn}`,
    };
  }
  if (/While initializing adapter|required|not supported/i.test(stderr)) {
    return { cause: "refused", message: `Dawn refused the adapter — Dawn: ${dawn}` };
  }
  const api = platform === "darwin" ? "Metal" : platform === "win32" ? "D3D12" : "Vulkan";
  return {
    cause: "no-adapter",
    message: `Dawn found no ${api} adapter${dawn === "" ? " and gave no reason" : ` — Dawn: ${dawn}`}`,
  };
}

/** The probe, run by `node -e` in a child: one JSON line on stdout. */
const PROBE_SCRIPT = `
const [dawnPath, flagsJson, featureLevel] = process.argv.slice(1);
const { create } = require(dawnPath);
create(JSON.parse(flagsJson)).requestAdapter({ powerPreference: "high-performance", featureLevel })
  .then((a) => {
    if (!a) { process.stdout.write(JSON.stringify({ adapter: null }) + "\\n"); return; }
    const i = a.info || {};
    process.stdout.write(JSON.stringify({ adapter: {
      vendor: i.vendor || "", architecture: i.architecture || "", device: i.device || "",
      description: i.description || "", fallback: a.isFallbackAdapter === true || i.isFallbackAdapter === true,
      featureLevel, maxBufferSize: Math.min(a.limits.maxBufferSize, a.limits.maxStorageBufferBindingSize) } }) + "\\n");
  })
  .catch((e) => { process.stderr.write(String(e && e.message || e) + "\\n"); process.exitCode = 2; })
  .finally(() => setTimeout(() => process.exit(), 10));
`;

interface ProbeJson {
  adapter: null | {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    fallback: boolean;
    featureLevel: "core" | "compatibility";
    maxBufferSize: number;
  };
}

const cache = new Map<string, WebGPUProbe>();

/**
 * Ask Dawn for an adapter of `kind`, in a child process (about 0.2 s). Never throws: the result says
 * which adapter, or why none. A software adapter counts only when `kind` is "software".
 */
export function probeWebGPU(
  kind: WebGPUAdapterKind = adapterKind(),
  env: NodeJS.ProcessEnv = process.env,
): WebGPUProbe {
  const dawn = dawnNodePath(env);
  // Only the process's own environment is cached (tests probe with others: VK_DRIVER_FILES, ...).
  if (env !== process.env) return runProbe(kind, dawn, env);
  const key = `${kind}|${dawn}|${env["GEN2BRAIN_DAWN_FLAGS"] ?? ""}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const result = runProbe(kind, dawn, env);
  cache.set(key, result);
  return result;
}

function runProbe(kind: WebGPUAdapterKind, dawn: string | null, env: NodeJS.ProcessEnv): WebGPUProbe {
  if (dawn === null || !require("fs").existsSync(dawn)) {
    return {
      ok: false,
      cause: "not-installed",
      message:
        dawn === null
          ? "the webgpu npm package (Dawn) is not installed: npm install webgpu"
          : `Dawn not found at ${dawn} (GEN2BRAIN_DAWN_NODE or the webgpu package)`,
    };
  }
  const { flags, featureLevel } = dawnSetup(kind, env);
  const child = spawnSync(process.execPath, ["-e", PROBE_SCRIPT, dawn, JSON.stringify(flags), featureLevel], {
    env: dawnEnv(kind, env),
    encoding: "utf8",
    timeout: 60_000,
  });
  const stderr = child.stderr ?? "";
  let parsed: ProbeJson | null = null;
  for (const line of (child.stdout ?? "").split("\n")) {
    if (line.startsWith("{")) parsed = JSON.parse(line) as ProbeJson;
  }
  if (parsed === null) {
    const why =
      child.error?.message ?? (child.signal !== null ? `killed by ${child.signal}` : `exit code ${child.status}`);
    const dawnSaid = classifyDawnFailure(stderr).message;
    return { ok: false, cause: "crashed", message: `the WebGPU probe failed (${why}); ${dawnSaid}` };
  }
  if (parsed.adapter === null) return { ok: false, ...classifyDawnFailure(stderr) };
  return judgeAdapter(parsed.adapter, kind, flags);
}

/** What Dawn reports of an adapter (the probe's JSON). */
export type RawAdapter = NonNullable<ProbeJson["adapter"]>;

/** Accept an adapter for `kind`: software adapters only when asked for. Exported for tests. */
export function judgeAdapter(
  a: RawAdapter,
  kind: WebGPUAdapterKind,
  dawnFlags: ReadonlyArray<string> = [],
): WebGPUProbe {
  const software = a.fallback || SOFTWARE.test(`${a.device} ${a.description} ${a.vendor}`);
  const adapter: WebGPUAdapter = {
    vendor: a.vendor,
    architecture: a.architecture,
    device: a.device,
    description: a.description,
    featureLevel: a.featureLevel,
    software,
    maxBufferSize: a.maxBufferSize,
  };
  if (software && kind === "hardware") {
    return {
      ok: false,
      cause: "software-only",
      message: `only a software adapter (${describeAdapter(adapter)}), slower than the CPU backends; GEN2BRAIN_WEBGPU_ADAPTER=software takes it anyway`,
    };
  }
  return { ok: true, adapter, dawnFlags };
}

/** One line naming the adapter: device, vendor/architecture, driver. */
export function describeAdapter(a: WebGPUAdapter): string {
  const va = [a.vendor, a.architecture].filter((s) => s !== "").join("/");
  const parts = [
    a.device || "unnamed device",
    va === "" ? null : va,
    a.description === "" ? null : `driver ${a.description}`,
  ];
  if (a.featureLevel === "compatibility") parts.push("compatibility mode");
  if (a.software) parts.push("software");
  return parts.filter((p): p is string => p !== null).join(", ");
}

interface GPULike {
  requestAdapter(options?: Record<string, unknown>): Promise<unknown>;
}

let registered: WebGPUAdapterKind | null = null;

/**
 * Make `navigator.gpu` Dawn's and register tfjs's "webgpu" backend (which looks for `navigator.gpu` when
 * its module loads). Call only after a successful {@link probeWebGPU} of the same kind.
 */
export function registerWebGPUBackend(kind: WebGPUAdapterKind = adapterKind()): void {
  if (registered !== null) {
    if (registered !== kind) throw new Error(`WebGPU was already set up for a ${registered} adapter in this process`);
    return;
  }
  const dawn = dawnNodePath();
  if (dawn === null) throw new Error("the webgpu npm package (Dawn) is not installed: npm install webgpu");
  if (kind === "software" && process.env["EGL_PLATFORM"] === undefined) process.env["EGL_PLATFORM"] = "surfaceless";
  const { flags, featureLevel } = dawnSetup(kind);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { create, globals } = require(dawn) as { create(flags: string[]): GPULike; globals: Record<string, unknown> };
  // GPUBufferUsage, GPUMapMode, ... : tfjs-backend-webgpu reads them as globals, as in a browser.
  for (const [k, v] of Object.entries(globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  const gpu = create(flags);
  const wrapped: GPULike = {
    // tfjs asks for a high-performance adapter without a feature level; OpenGL ES needs "compatibility".
    requestAdapter: (options = {}) => gpu.requestAdapter({ ...options, featureLevel }),
  };
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav !== undefined) Object.defineProperty(nav, "gpu", { value: wrapped, configurable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu: wrapped }, configurable: true, writable: true });
  require("@tensorflow/tfjs-backend-webgpu");
  registered = kind;
}
