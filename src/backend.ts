/**
 * Choosing and reporting the TensorFlow.js backend.
 *
 * Preference: tfjs-node-gpu (CUDA) > tfjs-node (native CPU) > wasm (SIMD) > cpu (plain JS).
 * The native packages are optionalDependencies: they download libtensorflow at install time, which
 * fails without network, and npm then skips them. `GEN2BRAIN_BACKEND` (or `--backend`) forces one.
 *
 * There is exactly one tfjs engine in the process (`@tensorflow/tfjs` 4.22.0); every package here
 * registers its backend into that engine.
 */
import * as tf from "@tensorflow/tfjs";
import { installKernelFixes } from "./kernels";

/** The names accepted by `GEN2BRAIN_BACKEND` / `--backend`. */
export type BackendChoice = "node-gpu" | "node" | "wasm" | "cpu";
export const BACKEND_CHOICES: ReadonlyArray<BackendChoice> = ["node-gpu", "node", "wasm", "cpu"];

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
}

export function isBackendChoice(x: unknown): x is BackendChoice {
  return typeof x === "string" && (BACKEND_CHOICES as ReadonlyArray<string>).includes(x);
}

/** Try to make one backend available; returns the error text if it cannot be. */
async function load(choice: BackendChoice): Promise<string | null> {
  try {
    switch (choice) {
      case "node-gpu":
        require("@tensorflow/tfjs-node-gpu");
        break;
      case "node":
        require("@tensorflow/tfjs-node");
        break;
      case "wasm":
        require("@tensorflow/tfjs-backend-wasm");
        break;
      case "cpu":
        break;
    }
    return null;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] ?? String(e) : String(e);
    return msg;
  }
}

function tfName(choice: BackendChoice): string {
  return choice === "node-gpu" || choice === "node" ? "tensorflow" : choice;
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
    throw new Error(`GEN2BRAIN_BACKEND / --backend: unknown backend "${raw}"; use one of ${BACKEND_CHOICES.join(", ")}`);
  }
  const requested = raw as BackendChoice | undefined;
  if (current !== null && (requested === undefined || requested === current.choice)) return current;

  const available: BackendChoice[] = [];
  const unavailable: { choice: BackendChoice; error: string }[] = [];
  // The GPU package registers the same "tensorflow" backend name as the CPU one: load only one of them.
  let native: BackendChoice | null = null;
  for (const choice of BACKEND_CHOICES) {
    if ((choice === "node-gpu" || choice === "node") && native !== null) {
      unavailable.push({ choice, error: `not tried: ${native} already provides the tensorflow backend` });
      continue;
    }
    if ((choice === "node-gpu" || choice === "node") && requested !== undefined && requested !== choice && requested !== "node" && requested !== "node-gpu") {
      unavailable.push({ choice, error: "not tried: another backend was forced" });
      continue;
    }
    const err = await load(choice);
    if (err === null) {
      available.push(choice);
      if (choice === "node-gpu" || choice === "node") native = choice;
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
        : `best available: ${skipped.map((u) => `${u.choice} unavailable (${u.error.slice(0, 80)})`).join("; ")}`;
  }
  const ok = await tf.setBackend(tfName(choice));
  if (!ok) throw new Error(`backend "${choice}" was registered but failed to initialise; available: ${available.join(", ")}`);
  await tf.ready();
  installKernelFixes(tf.getBackend());
  const flags: Record<string, boolean | number> = {};
  if (choice === "wasm") {
    flags["simd"] = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
    flags["threads"] = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
  }
  current = { choice, tfBackend: tf.getBackend(), reason, available, unavailable, flags };
  return current;
}

/** One line for logs and notebook headers. */
export function describeBackend(info: BackendInfo): string {
  const flags = Object.entries(info.flags).map(([k, v]) => `${k}=${v}`).join(" ");
  return `backend ${info.choice} (tfjs "${info.tfBackend}"${flags ? ", " + flags : ""}): ${info.reason}`;
}
