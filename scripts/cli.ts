/**
 * Shared command-line handling for the scripts: `--profile`, `--seed`, `--backend` mirror the
 * environment variables GEN2BRAIN_PROFILE, GEN2BRAIN_SEED and GEN2BRAIN_BACKEND (flags win).
 */
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
 * Unknown flags are an error naming the flag and the known ones.
 */
export function parseArgs(argv: string[], valueFlags: string[] = [], bareFlags: string[] = []): CommonArgs {
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
  const profile = typeof p === "string" ? parseProfile(p, "--profile") : profileFromEnv();
  const seed = typeof s === "string" ? parseSeed(s, "--seed") : seedFromEnv();
  const backend = typeof b === "string" ? b : process.env["GEN2BRAIN_BACKEND"] || undefined;
  // Children (workers, notebooks) see the same choices through the environment.
  process.env["GEN2BRAIN_PROFILE"] = profile;
  process.env["GEN2BRAIN_SEED"] = String(seed);
  if (backend !== undefined) process.env["GEN2BRAIN_BACKEND"] = backend;
  for (const k of ["profile", "seed", "backend"]) flags.delete(k);
  return { profile, seed, backend, flags, positional };
}

/** Run `main`, printing an error's message (not a stack) and exiting non-zero on failure. */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(typeof code === "number" ? code : 0),
    (e: unknown) => {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
      if (process.env["GEN2BRAIN_DEBUG"] && e instanceof Error) console.error(e.stack);
      process.exit(1);
    },
  );
}
