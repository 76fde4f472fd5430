/**
 * Shared command-line handling for the scripts: `--profile`, `--seed`, `--backend` mirror the
 * environment variables GEN2BRAIN_PROFILE, GEN2BRAIN_SEED and GEN2BRAIN_BACKEND (flags win).
 */
import * as fs from "fs";
import { parseProfile, parseSeed, profileFromEnv, seedFromEnv, Profile } from "../src/config";
import { isBackendChoice, BACKEND_CHOICES } from "../src/run/backend";

export interface CommonArgs {
  profile: Profile;
  seed: number;
  backend: string | undefined;
  /** Flags not consumed here: name → value (`true` for bare flags). */
  flags: Map<string, string | true>;
  /** Positional arguments. */
  positional: string[];
}

/**
 * Parse argv. `valueFlags` lists the script's own flags that take a value; other `--x` flags are bare.
 * Unknown flags are an error naming the flag and the known ones. `defaultProfile`, for scripts that exist for one
 * profile (t4's full sweep and its estimate), replaces GEN2BRAIN_PROFILE when no `--profile` is given.
 */
export function parseArgs(
  argv: string[],
  valueFlags: string[] = [],
  bareFlags: string[] = [],
  defaultProfile?: Profile,
): CommonArgs {
  const takesValue = new Set(["profile", "seed", "backend", ...valueFlags]);
  const known = new Set([...takesValue, ...bareFlags, "help"]);
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (!known.has(name))
      throw new Error(`unknown flag --${name}; known flags: ${[...known].map((k) => "--" + k).join(" ")}`);
    if (takesValue.has(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || value.startsWith("--")) throw new Error(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      flags.set(name, true);
    }
  }
  const p = flags.get("profile");
  const s = flags.get("seed");
  const b = flags.get("backend");
  if (typeof b === "string" && !isBackendChoice(b))
    throw new Error(`--backend: unknown backend "${b}"; use one of ${BACKEND_CHOICES.join(", ")}`);
  const profile = typeof p === "string" ? parseProfile(p, "--profile") : (defaultProfile ?? profileFromEnv());
  const seed = typeof s === "string" ? parseSeed(s, "--seed") : seedFromEnv();
  const backend = typeof b === "string" ? b : process.env["GEN2BRAIN_BACKEND"] || undefined;
  // Children (workers, notebooks) see the same choices through the environment.
  process.env["GEN2BRAIN_PROFILE"] = profile;
  process.env["GEN2BRAIN_SEED"] = String(seed);
  if (backend !== undefined) process.env["GEN2BRAIN_BACKEND"] = backend;
  for (const k of ["profile", "seed", "backend"]) flags.delete(k);
  return { profile, seed, backend, flags, positional };
}

/**
 * The usage text of a script: its opening doc comment, without the comment markers. Every script starts with
 * one that names its command line, so `--help` prints the same text a reader sees in the source.
 */
export function usageOf(source: string): string {
  const m = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!m) return "";
  return (m[1] as string)
    .split("\n")
    .map((l) => l.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim();
}

/**
 * Run `main`, printing an error's message (not a stack) and exiting non-zero on failure. `--help` (or `-h`)
 * anywhere on the command line prints the script's usage and exits 0 without running anything (a run can take
 * hours: asking how to call it must not start one).
 */
export function runMain(main: () => Promise<number | void>): void {
  const args = process.argv.slice(2);
  const script = process.argv[1];
  if ((args.includes("--help") || args.includes("-h")) && script !== undefined && fs.existsSync(script)) {
    console.log(usageOf(fs.readFileSync(script, "utf8")) || `usage: see ${script}`);
    process.exit(0);
  }
  main().then(
    (code) => process.exit(typeof code === "number" ? code : 0),
    (e: unknown) => {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
      if (process.env["GEN2BRAIN_DEBUG"] && e instanceof Error) console.error(e.stack);
      process.exit(1);
    },
  );
}

/** `--set` JSON -> config overrides: a JSON object, or an error that shows the form. */
export function parseOverrides(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `--set: not valid JSON (${(e as Error).message}); give an object of config fields, e.g. --set '{"positions":"rotary"}'`,
    );
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new Error(`--set: must be a JSON object of config fields, e.g. --set '{"positions":"rotary"}', got ${text}`);
  return v as Record<string, unknown>;
}
