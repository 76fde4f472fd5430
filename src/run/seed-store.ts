/**
 * Per-seed results on disk, for runs too long for one process. `scripts/cache-full.ts --shard k/n` computes
 * every n-th seed of an experiment that supports it (t5's full profile: 8 seeds of about 24 CPU minutes each)
 * and stores each seed's raw result; the same command without --shard loads the stored seeds, computes any
 * that are missing, and builds the record. Each seed's randomness comes from deriveSeed alone, so a stored
 * seed is exactly what the unsplit run computes and the record is the same bit for bit (tested at smoke).
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "./results";

/** One seed's stored result, with what it cost. */
export interface StoredSeed<T> {
  readonly value: T;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  /** The shard that computed it ("2/4"), or "all". */
  readonly shard: string;
  /**
   * Set when a later commit added conditions to a seed stored before them (scripts/t2-extend-seeds.ts): what it
   * added, where, and what that cost (included in cpuSeconds and wallSeconds above).
   */
  readonly extended?: SeedExtension;
}

/** What a later commit added to a stored seed; see {@link StoredSeed.extended}. */
export interface SeedExtension {
  readonly what: string;
  readonly commit: string;
  readonly shard: string;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
}

/** Where an experiment keeps its per-seed results; see {@link fileSeedStore}. */
export interface SeedStore {
  /** "k/n", or "all" when this process computes every seed that is not stored. */
  readonly shard: string;
  /** The stored result of seed `index` (base-seed-derived `seed`), or undefined. */
  load<T>(index: number, seed: number): StoredSeed<T> | undefined;
  save<T>(index: number, seed: number, entry: StoredSeed<T>): void;
  /** Whether this process computes seed `index` when it is not stored. */
  mine(index: number): boolean;
}

/** Thrown by an experiment run with a shard whose other shards' seeds are not stored yet. */
export class SeedsIncomplete extends Error {
  constructor(
    readonly experiment: string,
    readonly computed: ReadonlyArray<number>,
    readonly missing: ReadonlyArray<number>,
  ) {
    super(
      `${experiment}: seed(s) ${missing.join(", ")} belong to other shards and are not stored yet ` +
        `(this shard computed ${computed.length === 0 ? "none" : computed.join(", ")})`,
    );
    this.name = "SeedsIncomplete";
  }
}

/** "k/n" (1 ≤ k ≤ n) -> {k, n}; the error names the flag and the fix. */
export function parseShard(text: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n)
    throw new Error(`--shard must be k/n with 1 <= k <= n (e.g. --shard 1/2), got ${JSON.stringify(text)}`);
  return { k, n };
}

// JSON has no Infinity or NaN (a diverged perplexity is a result too): stored as {"$number": "Infinity"}.
const NON_FINITE = "$number";
const encode = (_: string, v: unknown): unknown =>
  typeof v === "number" && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v;
const decode = (_: string, v: unknown): unknown => {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === NON_FINITE) return Number((v as Record<string, string>)[NON_FINITE]);
  }
  return v;
};

/**
 * Seeds stored as `dir/seed-<index>-<seed>.json` (written to a temporary file, then renamed). With `shard`,
 * this process computes the seeds with index ≡ k − 1 (mod n); without, every seed not stored. `dir` should
 * name the run (experiment, profile, config, code, engine) so that no other run's seeds are mixed in.
 */
export function fileSeedStore(dir: string, shard?: { k: number; n: number }): SeedStore {
  const file = (index: number, seed: number): string => path.join(dir, `seed-${index}-${seed}.json`);
  return {
    shard: shard ? `${shard.k}/${shard.n}` : "all",
    load<T>(index: number, seed: number): StoredSeed<T> | undefined {
      const f = file(index, seed);
      if (!fs.existsSync(f)) return undefined;
      return JSON.parse(fs.readFileSync(f, "utf8"), decode) as StoredSeed<T>;
    },
    save<T>(index: number, seed: number, entry: StoredSeed<T>): void {
      fs.mkdirSync(dir, { recursive: true });
      writeFileAtomic(file(index, seed), JSON.stringify(entry, encode));
    },
    mine: (index) => shard === undefined || index % shard.n === shard.k - 1,
  };
}

/** One seed's result as its experiment computed it, with the CPU seconds it cost (counted as that experiment counts). */
export interface ComputedSeed<T> {
  readonly value: T;
  readonly cpuSeconds: number;
}

/**
 * The seed loop of an experiment that has a seed store (t2, t5): in seed order, each seed's stored result
 * where there is one, else, when this process computes it (no store, or the store says it is this shard's),
 * a fresh one, stored as soon as it is made. `use` sees every seed's result in seed order, with its stored
 * entry when it was loaded (the experiment may add the CPU it cost). Seeds of other shards that are not stored
 * yet are skipped, and end the loop with {@link SeedsIncomplete} once this shard's seeds are done and stored.
 */
export async function forEachSeed<T>(
  experiment: string,
  store: SeedStore | undefined,
  seeds: ReadonlyArray<number>,
  log: (line: string) => void,
  compute: (index: number, seed: number) => Promise<ComputedSeed<T>>,
  use: (value: T, stored: StoredSeed<T> | undefined) => void,
): Promise<void> {
  const tag = experiment.split("-")[0] as string;
  const computed: number[] = [];
  const missing: number[] = [];
  for (const [i, seed] of seeds.entries()) {
    const stored = store?.load<T>(i, seed);
    if (stored !== undefined) {
      log(`${tag}: seed ${i + 1}/${seeds.length} (${seed}): stored by shard ${stored.shard}`);
      use(stored.value, stored);
      continue;
    }
    if (store !== undefined && !store.mine(i)) {
      missing.push(i);
      continue;
    }
    const t0 = performance.now();
    const { value, cpuSeconds } = await compute(i, seed);
    computed.push(i);
    store?.save(i, seed, { value, cpuSeconds, wallSeconds: (performance.now() - t0) / 1000, shard: store.shard });
    use(value, undefined);
  }
  if (missing.length > 0) throw new SeedsIncomplete(experiment, computed, missing);
}
