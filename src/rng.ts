/**
 * The one seeded random generator of gen2brain (STYLE §6).
 *
 * TensorFlow.js has no global seed and `Math.random` is unseeded, so every random choice in `src/`
 * (data generation, initialisation, batch sampling, dropout masks, sampling from a model) draws from an
 * {@link Rng}. Seeds for sub-streams are *derived* by hashing labels, so adding a new consumer of
 * randomness never shifts the numbers another consumer sees.
 *
 * The generator is Alea (via the `seedrandom` package): fast, 32-bit safe, and its state can be saved
 * and restored, which checkpoints need for bit-identical resumption.
 */
import seedrandom from "seedrandom";

/** Saved generator state (opaque; round-trips through JSON). */
export interface RngState {
  readonly seed: number;
  readonly alea: { c: number; s0: number; s1: number; s2: number };
  /** A cached second normal deviate from Box–Muller, or null. */
  readonly spareNormal: number | null;
}

/** FNV-1a over the UTF-16 code units of a string, then a murmur3 finaliser: a well-mixed uint32. */
function hashString(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Derive a child seed (a uint32) from a base seed and any number of labels, e.g.
 * `deriveSeed(base, "t1", "seed", 2, "init")`. Pure: same inputs, same seed.
 */
export function deriveSeed(base: number, ...labels: ReadonlyArray<string | number>): number {
  if (!Number.isFinite(base)) throw new Error(`deriveSeed: base seed must be a finite number, got ${base}`);
  return hashString(labels.map(String).join("\u0000"), hashString(String(base)));
}

type AleaPrng = seedrandom.PRNG & { state(): RngState["alea"] };

/** A seeded generator with the helpers experiments need. Not thread-safe; cheap to fork. */
export class Rng {
  readonly seed: number;
  private prng: AleaPrng;
  private spareNormal: number | null = null;

  constructor(seed: number, state?: RngState) {
    if (!Number.isInteger(seed)) throw new Error(`Rng: seed must be an integer, got ${seed}`);
    this.seed = seed;
    if (state !== undefined) {
      if (state.seed !== seed) throw new Error(`Rng: state belongs to seed ${state.seed}, not ${seed}`);
      this.prng = seedrandom.alea("", { state: { ...state.alea } }) as AleaPrng;
      this.spareNormal = state.spareNormal;
    } else {
      this.prng = seedrandom.alea(String(seed), { state: true }) as AleaPrng;
    }
  }

  /** Restore a generator saved with {@link Rng.state}. */
  static fromState(state: RngState): Rng {
    return new Rng(state.seed, state);
  }

  /** The generator's full state, for checkpoints. */
  state(): RngState {
    return { seed: this.seed, alea: this.prng.state(), spareNormal: this.spareNormal };
  }

  /** A new independent generator for a named sub-stream (does not advance this one). */
  fork(...labels: ReadonlyArray<string | number>): Rng {
    return new Rng(deriveSeed(this.seed, ...labels));
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.prng();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.prng() * n);
  }

  /** A uint32, e.g. a seed for a tfjs initializer or random op. */
  uint32(): number {
    return this.prng.int32() >>> 0;
  }

  /** Standard normal deviate (Box–Muller, caching the spare). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.prng();
    const v = this.prng();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.prng() < p;
  }

  /** One element of a non-empty array. */
  choice<T>(items: ReadonlyArray<T>): T {
    if (items.length === 0) throw new Error("Rng.choice: empty array");
    return items[this.int(items.length)] as T;
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    if (!(total > 0)) throw new Error("Rng.categorical: weights must be non-negative and not all zero");
    let r = this.prng() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Fisher–Yates shuffle, in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** A Float32Array of normal deviates. */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
    return out;
  }
}
