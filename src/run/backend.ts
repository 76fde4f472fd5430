/**
 * Choosing and reporting the TensorFlow.js backend.
 *
 * Preference ({@link BACKENDS}, the one list to extend): tfjs-node-gpu (CUDA) > webgpu (Dawn on Vulkan,
 * Metal or D3D12: a GPU from the npm registry alone, src/speed/webgpu.ts) > tfjs-node (native CPU) >
 * wasm (SIMD, with the optional native BLAS addon beneath) > cpu (plain JS). WebGPU is taken only with a
 * hardware adapter; without one, its reason (no Vulkan loader, no driver, adapter refused, with Dawn's own
 * message) is one line in {@link BackendInfo.unavailable}, and the next backend is used.
 * The native packages are optionalDependencies: they download libtensorflow at install time, which
 * fails without network, and npm then skips them. `GEN2BRAIN_BACKEND` (or `--backend`) forces one.
 *
 * There is exactly one tfjs engine in the process (`@tensorflow/tfjs` 4.22.0); every package here
 * registers its backend into that engine.
 */
import * as tf from "@tensorflow/tfjs";
import {
  describeAdapter,
  installKernelFixes,
  probeWebGPU,
  registerWebGPUBackend,
  type WebGPUAdapter,
} from "../speed/index";

/**
 * One backend the library can run on. To add one (a GPU backend, say), add an entry to
 * {@link BACKENDS} at its place in the preference order: nothing else needs to change.
 */
interface BackendCandidate {
  /** Our name for it (`GEN2BRAIN_BACKEND` / `--backend`). */
  readonly choice: string;
  /** The name it registers in the tfjs engine. */
  readonly tfName: string;
  /** Make it available (require its package, find its device); throws when it cannot be. */
  readonly load: () => void | Promise<void>;
  /** Speed-relevant flags to report once it is the active backend. */
  readonly flags?: () => Record<string, boolean | number>;
  /** Not tried when another backend is forced: trying it costs something (a device probe in a child process). */
  readonly lazy?: boolean;
}

/** The backends in preference order: the first that loads is used unless one is forced. */
const BACKENDS = [
  { choice: "node-gpu", tfName: "tensorflow", load: () => void require("@tensorflow/tfjs-node-gpu") },
  {
    choice: "webgpu",
    tfName: "webgpu",
    lazy: true,
    load: () => {
      if (process.env["GEN2BRAIN_WEBGPU"] === "0") throw new Error("switched off by GEN2BRAIN_WEBGPU=0");
      const probe = probeWebGPU();
      if ("cause" in probe) throw new Error(`${probe.cause}: ${probe.message}`); // narrows without strict mode (tslab)
      registerWebGPUBackend();
    },
  },
  { choice: "node", tfName: "tensorflow", load: () => void require("@tensorflow/tfjs-node") },
  {
    choice: "wasm",
    tfName: "wasm",
    load: () => void require("@tensorflow/tfjs-backend-wasm"),
    flags: () => ({
      simd: tf.env().getBool("WASM_HAS_SIMD_SUPPORT"),
      threads: tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT"),
    }),
  },
  { choice: "cpu", tfName: "cpu", load: () => undefined },
] as const satisfies ReadonlyArray<BackendCandidate>;

/** The names accepted by `GEN2BRAIN_BACKEND` / `--backend`. */
export type BackendChoice = (typeof BACKENDS)[number]["choice"];
export const BACKEND_CHOICES: ReadonlyArray<BackendChoice> = BACKENDS.map((b) => b.choice);

/** What {@link initBackend} chose, and why. */
export interface BackendInfo {
  /** Our name for it. */
  readonly choice: BackendChoice;
  /** The tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
  readonly tfBackend: string;
  /** One sentence: why this one. */
  readonly reason: string;
  /** Backends that loaded on this machine, in preference order. */
  readonly available: ReadonlyArray<BackendChoice>;
  /** Backends that did not load, with the reason. */
  readonly unavailable: ReadonlyArray<{ readonly choice: BackendChoice; readonly error: string }>;
  /** Backend flags that matter for speed (wasm SIMD/threads). */
  readonly flags: Readonly<Record<string, boolean | number>>;
  /** The GPU adapter when the backend runs on one (webgpu): vendor, architecture, device, driver. */
  readonly adapter?: WebGPUAdapter;
}

export function isBackendChoice(x: unknown): x is BackendChoice {
  return typeof x === "string" && (BACKEND_CHOICES as ReadonlyArray<string>).includes(x);
}

function candidate(choice: BackendChoice): BackendCandidate {
  return BACKENDS.find((b) => b.choice === choice) as BackendCandidate;
}

/** Try to make one backend available; returns the error text if it cannot be. */
async function load(choice: BackendChoice): Promise<string | null> {
  try {
    await candidate(choice).load();
    return null;
  } catch (e) {
    return e instanceof Error ? (e.message.split("\n")[0] ?? String(e)) : String(e);
  }
}

let current: BackendInfo | null = null;

/** The backend chosen by the last {@link initBackend}, or null before. */
export function backendInfo(): BackendInfo | null {
  return current;
}

/**
 * Choose, initialise and report the backend. Idempotent for the same request.
 * @param force a backend to use (default: `GEN2BRAIN_BACKEND`, else the best available).
 * @throws when the forced backend is unknown or cannot be loaded, listing what is available.
 */
export async function initBackend(force: string | undefined = process.env["GEN2BRAIN_BACKEND"]): Promise<BackendInfo> {
  const raw = force === undefined || force === "" ? undefined : force;
  if (raw !== undefined && !isBackendChoice(raw)) {
    throw new Error(
      `GEN2BRAIN_BACKEND / --backend: unknown backend "${raw}"; use one of ${BACKEND_CHOICES.join(", ")}`,
    );
  }
  const requested = raw as BackendChoice | undefined;
  if (current !== null && (requested === undefined || requested === current.choice)) return current;

  const available: BackendChoice[] = [];
  const unavailable: { choice: BackendChoice; error: string }[] = [];
  // Two packages that register the same tfjs name (tfjs-node-gpu and tfjs-node both register
  // "tensorflow") cannot both load: the first one that does provides the name.
  const provider = new Map<string, BackendChoice>();
  for (const { choice, tfName } of BACKENDS) {
    const taken = provider.get(tfName);
    if (taken !== undefined) {
      unavailable.push({ choice, error: `not tried: ${taken} already provides the ${tfName} backend` });
      continue;
    }
    // A package that registers a name another candidate shares is loaded only when asked for or when nothing is forced.
    const shared = BACKENDS.some((b) => b.tfName === tfName && b.choice !== choice);
    if (
      (shared || candidate(choice).lazy === true) &&
      requested !== undefined &&
      candidate(requested).tfName !== tfName
    ) {
      unavailable.push({ choice, error: "not tried: another backend was forced" });
      continue;
    }
    const err = await load(choice);
    if (err === null) {
      available.push(choice);
      provider.set(tfName, choice);
    } else {
      unavailable.push({ choice, error: err });
    }
  }
  let choice: BackendChoice;
  let reason: string;
  if (requested !== undefined) {
    if (!available.includes(requested)) {
      const why = unavailable.find((u) => u.choice === requested)?.error ?? "not installed";
      throw new Error(
        `backend "${requested}" was forced (GEN2BRAIN_BACKEND / --backend) but is not available (${why}); ` +
          `available here: ${available.join(", ")}. Unset GEN2BRAIN_BACKEND or choose one of those.`,
      );
    }
    choice = requested;
    reason = `forced by GEN2BRAIN_BACKEND/--backend=${requested}`;
  } else {
    choice = available[0] ?? "cpu";
    const skipped = unavailable.filter((u) => BACKEND_CHOICES.indexOf(u.choice) < BACKEND_CHOICES.indexOf(choice));
    reason =
      skipped.length === 0
        ? `${choice} is the first choice and loaded`
        : `best available: ${skipped.map((u) => `${u.choice} unavailable (${u.error.slice(0, 240)})`).join("; ")}`;
  }
  const ok = await tf.setBackend(candidate(choice).tfName);
  if (!ok)
    throw new Error(`backend "${choice}" was registered but failed to initialise; available: ${available.join(", ")}`);
  await tf.ready();
  installKernelFixes(tf.getBackend());
  const flags = candidate(choice).flags?.() ?? {};
  const probe = choice === "webgpu" ? probeWebGPU() : null;
  const adapter = probe !== null && "adapter" in probe ? { adapter: probe.adapter } : {};
  current = { choice, tfBackend: tf.getBackend(), reason, available, unavailable, flags, ...adapter };
  return current;
}

/** One line for logs and notebook headers. */
export function describeBackend(info: BackendInfo): string {
  const flags = Object.entries(info.flags)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const gpu = info.adapter !== undefined ? `, adapter ${describeAdapter(info.adapter)}` : "";
  return `backend ${info.choice} (tfjs "${info.tfBackend}"${flags ? ", " + flags : ""}${gpu}): ${info.reason}`;
}
