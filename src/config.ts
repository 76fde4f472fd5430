/**
 * Profiles, seeds and typed configs (STYLE §7).
 *
 * Every experiment has a config interface, a frozen `*_DEFAULTS` per profile and accepts partial
 * overrides. `smoke` runs in seconds (CI), `quick` in minutes (the default), `full` is the paper figure.
 */

/** How big a run is. */
export type Profile = "smoke" | "quick" | "full";
export const PROFILES: ReadonlyArray<Profile> = ["smoke", "quick", "full"];

/** The default profile when neither `--profile` nor `GEN2BRAIN_PROFILE` says otherwise. */
export const DEFAULT_PROFILE: Profile = "quick";
/** The default base seed when neither `--seed` nor `GEN2BRAIN_SEED` says otherwise. */
export const DEFAULT_SEED = 1234;

export function isProfile(x: unknown): x is Profile {
  return typeof x === "string" && (PROFILES as ReadonlyArray<string>).includes(x);
}

/** Parse a profile name, with an error that names the source and the allowed values. */
export function parseProfile(value: string, source = "profile"): Profile {
  if (!isProfile(value)) {
    throw new Error(`${source}: unknown profile "${value}"; use one of ${PROFILES.join(", ")}`);
  }
  return value;
}

/** Parse a base seed (a non-negative integer), with an error that names the source. */
export function parseSeed(value: string, source = "seed"): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new Error(`${source}: seed must be a non-negative integer, got "${value}"`);
  }
  return n;
}

/** The profile from `GEN2BRAIN_PROFILE`, else `quick`. */
export function profileFromEnv(env: NodeJS.ProcessEnv = process.env): Profile {
  const v = env["GEN2BRAIN_PROFILE"];
  return v === undefined || v === "" ? DEFAULT_PROFILE : parseProfile(v, "GEN2BRAIN_PROFILE");
}

/** The base seed from `GEN2BRAIN_SEED`, else {@link DEFAULT_SEED}. */
export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const v = env["GEN2BRAIN_SEED"];
  return v === undefined || v === "" ? DEFAULT_SEED : parseSeed(v, "GEN2BRAIN_SEED");
}

function describe(x: unknown): string {
  if (Array.isArray(x)) return "array";
  if (x === null) return "null";
  return typeof x;
}

/** Overrides of a config: any field, and any field of a nested object (arrays are replaced whole). */
export type DeepPartial<T> = {
  readonly [K in keyof T]?: T[K] extends ReadonlyArray<unknown> ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

/**
 * A copy of `base` with `partial` applied, validated: unknown keys and values of the wrong type are
 * errors that name the field (`where.field`) and the fix. Nested plain objects merge recursively.
 */
export function withOverrides<T extends object>(base: T, partial: DeepPartial<T> | undefined, where = "config"): T {
  if (partial === undefined) return { ...base };
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(partial as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (!(key in out)) {
      const known = Object.keys(out).join(", ");
      throw new Error(`${where}.${key}: unknown field; known fields are ${known}`);
    }
    const current = out[key];
    if (describe(current) !== describe(value)) {
      throw new Error(
        `${where}.${key}: expected ${describe(current)}, got ${describe(value)} (${JSON.stringify(value)})`,
      );
    }
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new Error(`${where}.${key}: must be a finite number, got ${value}`);
    }
    if (describe(current) === "object") {
      out[key] = withOverrides(current as object, value as object, `${where}.${key}`);
    } else {
      out[key] = value;
    }
  }
  return out as T;
}

/** Throw a clear error when a numeric field is outside [lo, hi] or not an integer where required. */
export function checkRange(where: string, value: number, lo: number, hi: number, integer = false): void {
  if (!Number.isFinite(value) || value < lo || value > hi || (integer && !Number.isInteger(value))) {
    throw new Error(`${where}: must be ${integer ? "an integer" : "a number"} in [${lo}, ${hi}], got ${value}`);
  }
}

/** Throw unless `value` is true or false; the error names the field (`where`) and what it got. */
export function checkBoolean(where: string, value: unknown): void {
  if (typeof value !== "boolean") throw new Error(`${where}: must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * The profiles of an experiment from its visible defaults: `quick` (the default profile) is the
 * defaults themselves; `smoke` (seconds, for CI) and `full` (the paper figure) name only what they
 * change (nested objects merge, arrays are replaced). All deep-frozen.
 */
export function defineProfiles<C extends object>(
  defaults: Readonly<C>,
  overrides: { readonly smoke: DeepPartial<C>; readonly full: DeepPartial<C> },
  where = "profiles",
): Readonly<Record<Profile, Readonly<C>>> {
  return frozen({
    smoke: withOverrides(defaults as C, overrides.smoke, `${where}.smoke`),
    quick: defaults,
    full: withOverrides(defaults as C, overrides.full, `${where}.full`),
  });
}

/** Deep-freeze a defaults object so nobody mutates it by accident. */
export function frozen<T extends object>(x: T): Readonly<T> {
  for (const v of Object.values(x)) if (v !== null && typeof v === "object") frozen(v as object);
  return Object.freeze(x);
}
