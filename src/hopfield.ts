/**
 * Attention as associative memory (Gros 2025, takeaway 3; Ramsauer et al. 2020, "Hopfield Networks is
 * All You Need", arXiv:2008.02217).
 *
 * - {@link scaledDotProductAttention}: softmax(Q Kᵀ / √d) V written with core ops, so the maths is visible.
 * - {@link modernHopfieldUpdate}: the modern (dense, softmax) Hopfield update ξ ← X softmax(β Xᵀ ξ)
 *   (Ramsauer et al. eq. 3). With keys = values = the stored patterns and β = 1/√d it *is* one attention
 *   step (their eq. 10 with identity projections); {@link attentionHopfieldMaxAbsDiff} checks it.
 * - The classical Hebbian Hopfield network (Hopfield 1982): W = (1/d) Σ_μ ξ^μ ξ^μᵀ, sign updates, capacity
 *   ≈ 0.138·d patterns (Amit, Gutfreund & Sompolinsky 1985).
 * - Retrieval helpers: random ±1 patterns, corrupted queries, cosine overlap, one capacity sweep.
 *
 * The classical network's asynchronous sign dynamics run in plain JS (one neuron at a time is a
 * sequential loop, thousands of tiny tensor ops otherwise); the modern update runs batched in tfjs.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "./rng";

// ---------------------------------------------------------------------------------------------------
// Attention and the modern Hopfield update (core ops)
// ---------------------------------------------------------------------------------------------------

/** Swap the last two axes (explicit transpose: on wasm, matMul's transpose flags are ~10x slower). */
function transposeLast2(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const n = perm.length;
  perm[n - 2] = n - 1;
  perm[n - 1] = n - 2;
  return tf.transpose(x, perm);
}

/** Output of {@link scaledDotProductAttention}. */
export interface AttentionOutput {
  /** softmax(scale · Q Kᵀ + mask) V: [..., Tq, dv]. */
  readonly output: tf.Tensor;
  /** The attention weights: [..., Tq, Tk], rows sum to 1. */
  readonly weights: tf.Tensor;
}

/**
 * Scaled dot-product attention (Vaswani et al. 2017, eq. 1) from core ops.
 * @param q queries [..., Tq, dk]
 * @param k keys [..., Tk, dk]
 * @param v values [..., Tk, dv]
 * @param opts.scale the inverse temperature β (default 1/√dk)
 * @param opts.mask additive mask broadcastable to [..., Tq, Tk] (0 = keep, large negative = block)
 * @returns output and weights; caller disposes both.
 */
export function scaledDotProductAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  opts: { scale?: number; mask?: tf.Tensor } = {},
): AttentionOutput {
  const dk = q.shape[q.rank - 1];
  if (q.rank < 2 || k.rank !== q.rank || v.rank !== q.rank) {
    throw new Error(
      `scaledDotProductAttention: q, k, v must have the same rank >= 2, got ${q.rank}, ${k.rank}, ${v.rank}`,
    );
  }
  if (k.shape[k.rank - 1] !== dk)
    throw new Error(`scaledDotProductAttention: key dim ${k.shape[k.rank - 1]} != query dim ${dk}`);
  if (k.shape[k.rank - 2] !== v.shape[v.rank - 2]) {
    throw new Error(`scaledDotProductAttention: ${k.shape[k.rank - 2]} keys but ${v.shape[v.rank - 2]} values`);
  }
  const scale = opts.scale ?? 1 / Math.sqrt(dk);
  return tf.tidy(() => {
    const scores = tf.mul(tf.matMul(q, transposeLast2(k)), scale); // [..., Tq, dk] x [..., dk, Tk] -> [..., Tq, Tk]
    const masked = opts.mask ? tf.add(scores, opts.mask) : scores;
    const shifted = tf.sub(masked, tf.max(masked, -1, true)); // stable softmax over keys
    const e = tf.exp(shifted);
    const weights = tf.div(e, tf.sum(e, -1, true)); // [..., Tq, Tk]
    const output = tf.matMul(weights, v); // [..., Tq, Tk] x [..., Tk, dv] -> [..., Tq, dv]
    return { output, weights };
  });
}

/**
 * One modern Hopfield update ξ ← X softmax(β Xᵀ ξ) (Ramsauer et al. 2020, eq. 3), for Q states at once.
 * @param X stored patterns as columns [d, M]
 * @param xi states (queries) as columns [d, Q]
 * @returns the new states [d, Q]; caller disposes.
 */
export function modernHopfieldUpdate(X: tf.Tensor2D, xi: tf.Tensor2D, beta: number): tf.Tensor2D {
  if (X.shape[0] !== xi.shape[0])
    throw new Error(`modernHopfieldUpdate: patterns have d=${X.shape[0]} but states d=${xi.shape[0]}`);
  return tf.tidy(() => {
    const sim = tf.mul(tf.matMul(tf.transpose(X), xi), beta); // [M, d] x [d, Q] -> [M, Q]
    const p = tf.transpose(tf.softmax(tf.transpose(sim))); // softmax over the M patterns -> [M, Q]
    return tf.matMul(X, p) as tf.Tensor2D; // [d, M] x [M, Q] -> [d, Q]
  });
}

/**
 * The same update in float64 plain JS, an independent reference for checks.
 * @param X patterns row-major [M][d]; @param xi one state [d]
 */
export function modernHopfieldUpdateRef(
  X: ReadonlyArray<ArrayLike<number>>,
  xi: ArrayLike<number>,
  beta: number,
): Float64Array {
  const M = X.length;
  const d = xi.length;
  const s = new Float64Array(M);
  let mx = -Infinity;
  for (let m = 0; m < M; m++) {
    const x = X[m] as ArrayLike<number>;
    let dot = 0;
    for (let i = 0; i < d; i++) dot += x[i] * xi[i];
    s[m] = beta * dot;
    if (s[m]! > mx) mx = s[m]!;
  }
  let z = 0;
  for (let m = 0; m < M; m++) {
    s[m] = Math.exp(s[m]! - mx);
    z += s[m]!;
  }
  const out = new Float64Array(d);
  for (let m = 0; m < M; m++) {
    const w = s[m]! / z;
    const x = X[m] as ArrayLike<number>;
    for (let i = 0; i < d; i++) out[i] = out[i]! + w * x[i];
  }
  return out;
}

/** Result of {@link attentionHopfieldMaxAbsDiff}. */
export interface EquivalenceCheck {
  readonly d: number;
  readonly numPatterns: number;
  readonly numQueries: number;
  readonly beta: number;
  /** max |attention(R, Y, Y) − X softmax(β Xᵀ ξ)| with the Hopfield update in float64 JS. */
  readonly maxAbsDiff: number;
  /** The same difference against the tfjs Hopfield update (same float32 arithmetic). */
  readonly maxAbsDiffTf: number;
  /** Largest |output| entry, for scale. */
  readonly maxAbsOutput: number;
  /** The first `sampleSize` output entries of both computations, for a scatter plot. */
  readonly sample: { readonly attention: number[]; readonly hopfield: number[] };
}

/**
 * Part 1: one attention step with keys = values = the stored patterns Y [M, d] and queries R [Q, d] equals
 * the modern Hopfield update of the states ξ = Rᵀ with X = Yᵀ and β = 1/√d. Patterns and queries are
 * standard normal.
 */
export async function attentionHopfieldMaxAbsDiff(
  rng: Rng,
  d: number,
  numPatterns: number,
  numQueries: number,
  sampleSize = 256,
): Promise<EquivalenceCheck> {
  const beta = 1 / Math.sqrt(d);
  const Y = Array.from({ length: numPatterns }, () => rng.normalArray(d));
  const R = Array.from({ length: numQueries }, () => rng.normalArray(d));
  const [attT, hopT] = tf.tidy(() => {
    const y = tf.tensor2d(Y.map((r) => Array.from(r))); // [M, d]
    const r = tf.tensor2d(R.map((q) => Array.from(q))); // [Q, d]
    const a = scaledDotProductAttention(r, y, y).output; // [Q, d]
    const h = tf.transpose(modernHopfieldUpdate(tf.transpose(y) as tf.Tensor2D, tf.transpose(r) as tf.Tensor2D, beta)); // [Q, d]
    return [a, h];
  });
  // Read after the tidy, asynchronously (a GPU backend cannot read synchronously).
  const [att, hop] = await Promise.all([attT.array() as Promise<number[][]>, hopT.array() as Promise<number[][]>]);
  tf.dispose([attT, hopT]);
  let maxAbsDiff = 0;
  let maxAbsDiffTf = 0;
  let maxAbsOutput = 0;
  const sample = { attention: [] as number[], hopfield: [] as number[] };
  R.forEach((q, i) => {
    const ref = modernHopfieldUpdateRef(Y, q, beta);
    for (let j = 0; j < d; j++) {
      const a = att[i]![j]!;
      if (sample.attention.length < sampleSize) {
        sample.attention.push(a);
        sample.hopfield.push(ref[j]!);
      }
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a - ref[j]!));
      maxAbsDiffTf = Math.max(maxAbsDiffTf, Math.abs(a - hop[i]![j]!));
      maxAbsOutput = Math.max(maxAbsOutput, Math.abs(a));
    }
  });
  return { d, numPatterns, numQueries, beta, maxAbsDiff, maxAbsDiffTf, maxAbsOutput, sample };
}

// ---------------------------------------------------------------------------------------------------
// Patterns, queries and overlaps
// ---------------------------------------------------------------------------------------------------

/** M random ±1 patterns of dimension d (each entry ±1 with probability 1/2). */
export function randomBinaryPatterns(rng: Rng, M: number, d: number): Float64Array[] {
  return Array.from({ length: M }, () => {
    const p = new Float64Array(d);
    for (let i = 0; i < d; i++) p[i] = rng.next() < 0.5 ? -1 : 1;
    return p;
  });
}

/** A copy of a ±1 pattern with exactly round(flipFraction·d) entries flipped (chosen at random). */
export function corruptPattern(rng: Rng, pattern: ArrayLike<number>, flipFraction: number): Float64Array {
  if (!(flipFraction >= 0 && flipFraction <= 1))
    throw new Error(`corruptPattern: flipFraction must be in [0, 1], got ${flipFraction}`);
  const d = pattern.length;
  const out = Float64Array.from(pattern as ArrayLike<number>);
  const nFlip = Math.round(flipFraction * d);
  const idx = rng.permutation(d).slice(0, nFlip);
  for (const i of idx) out[i] = -out[i]!;
  return out;
}

/** Cosine similarity a·b / (|a| |b|); 0 when either is zero. For ±1 vectors it is the overlap (1/d) a·b. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** Participation ratio 1 / Σ p² of a probability vector: how many patterns a state averages over. */
export function effectiveNumber(p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i] ** 2;
  return s > 0 ? 1 / s : 0;
}

// ---------------------------------------------------------------------------------------------------
// Classical Hebbian Hopfield network
// ---------------------------------------------------------------------------------------------------

/** A classical Hopfield network: symmetric Hebbian weights with zero diagonal, row-major [d, d]. */
export interface ClassicalHopfield {
  readonly d: number;
  readonly W: Float64Array;
}

/** Hebbian storage W = (1/d) Σ_μ ξ^μ ξ^μᵀ with W_ii = 0 (Hopfield 1982). */
export function hebbianHopfield(patterns: ReadonlyArray<ArrayLike<number>>): ClassicalHopfield {
  if (patterns.length === 0) throw new Error("hebbianHopfield: need at least one pattern");
  const d = patterns[0]!.length;
  const W = new Float64Array(d * d);
  for (const p of patterns) {
    if (p.length !== d) throw new Error(`hebbianHopfield: pattern of length ${p.length}, expected ${d}`);
    for (let i = 0; i < d; i++) {
      const pi = p[i] / d;
      const row = i * d;
      for (let j = 0; j < d; j++) W[row + j] = W[row + j]! + pi * p[j];
    }
  }
  for (let i = 0; i < d; i++) W[i * d + i] = 0;
  return { d, W };
}

/**
 * Asynchronous sign dynamics s_i ← sign(Σ_j W_ij s_j) (ties keep the current sign), neurons visited in a
 * fresh random order each sweep, until a sweep changes nothing or `maxSweeps` is reached. The energy
 * never increases, so it converges to a fixed point (a stored pattern or a spurious state).
 */
export function classicalRetrieve(
  net: ClassicalHopfield,
  query: ArrayLike<number>,
  rng: Rng,
  maxSweeps = 20,
): { state: Float64Array; sweeps: number } {
  const { d, W } = net;
  const s = new Float64Array(d);
  for (let i = 0; i < d; i++) s[i] = query[i] >= 0 ? 1 : -1;
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let changed = 0;
    for (const i of rng.permutation(d)) {
      let h = 0;
      const row = i * d;
      for (let j = 0; j < d; j++) h += W[row + j]! * s[j]!;
      const next = h > 0 ? 1 : h < 0 ? -1 : s[i]!;
      if (next !== s[i]) {
        s[i] = next;
        changed++;
      }
    }
    if (changed === 0) break;
  }
  return { state: s, sweeps };
}

// ---------------------------------------------------------------------------------------------------
// Capacity sweep (part 2)
// ---------------------------------------------------------------------------------------------------

/** Settings of {@link capacitySweep}. */
export interface CapacitySettings {
  /** Pattern dimension d. */
  readonly d: number;
  /** Numbers of stored patterns M to sweep. */
  readonly loads: ReadonlyArray<number>;
  /** Inverse temperatures β of the modern network to sweep (1/√d is attention's). */
  readonly betas: ReadonlyArray<number>;
  /** Fraction of a query's entries flipped. */
  readonly flipFraction: number;
  /** A retrieval counts when cosine(final state, stored pattern) ≥ this. */
  readonly minOverlap: number;
  /** Independent pattern sets per load. */
  readonly trials: number;
  /** At most this many of the M patterns are queried per trial. */
  readonly maxQueries: number;
  /** Sweep cap of the classical asynchronous dynamics. */
  readonly maxSweeps: number;
}

/** One row of the capacity sweep: one network, load and β, over all trials. */
export interface CapacityRow {
  readonly network: "modern" | "classical";
  readonly M: number;
  /** M / d. */
  readonly load: number;
  /** NaN for the classical network. */
  readonly beta: number;
  /** Fraction of queries retrieved (cosine ≥ minOverlap). */
  readonly accuracy: number;
  /** Mean cosine between the retrieved state and the stored pattern. */
  readonly meanOverlap: number;
  /** Modern only: mean participation ratio 1/Σp² of the softmax weights (1 = one pattern, M = all). */
  readonly effectivePatterns: number;
  readonly numQueries: number;
}

/**
 * Store M random ±1 patterns, query each (up to maxQueries) with a corrupted copy, and retrieve with the
 * modern network (one step, every β) and with the classical network (asynchronous dynamics to a fixed
 * point). The classical network gets the more generous treatment (many steps, not one).
 */
export async function capacitySweep(
  s: CapacitySettings,
  rng: Rng,
  onLoad?: (i: number, total: number) => void,
): Promise<CapacityRow[]> {
  const rows: CapacityRow[] = [];
  for (const [li, M] of s.loads.entries()) {
    const modernAcc = s.betas.map(() => ({ ok: 0, ov: 0, eff: 0 }));
    const classical = { ok: 0, ov: 0 };
    let nq = 0;
    for (let t = 0; t < s.trials; t++) {
      const r = rng.fork("load", M, "trial", t);
      const patterns = randomBinaryPatterns(r.fork("patterns"), M, s.d);
      const qIdx = r.fork("which").permutation(M).slice(0, Math.min(M, s.maxQueries));
      const qr = r.fork("corrupt");
      const queries = qIdx.map((i) => corruptPattern(qr, patterns[i]!, s.flipFraction));
      nq += queries.length;
      // Modern: ξ ← X softmax(β Xᵀ ξ), all queries at once, one step.
      for (const [bi, beta] of s.betas.entries()) {
        const [outT, pT] = tf.tidy(() => {
          const X = tf.tensor2d(patterns.map((x) => Array.from(x))).transpose() as tf.Tensor2D; // [d, M]
          const xi = tf.tensor2d(queries.map((x) => Array.from(x))).transpose() as tf.Tensor2D; // [d, Q]
          const sim = tf.mul(tf.matMul(tf.transpose(X), xi), beta); // [M, Q]
          const weights = tf.softmax(tf.transpose(sim)); // [Q, M]
          const next = modernHopfieldUpdate(X, xi, beta).transpose(); // [Q, d]
          return [next, weights];
        });
        const [out, p] = [(await outT.array()) as number[][], (await pT.array()) as number[][]];
        tf.dispose([outT, pT]);
        const acc = modernAcc[bi]!;
        out.forEach((state, q) => {
          const ov = cosine(state, patterns[qIdx[q]!]!);
          acc.ov += ov;
          if (ov >= s.minOverlap) acc.ok++;
          acc.eff += effectiveNumber(p[q]!);
        });
      }
      // Classical: Hebbian weights, asynchronous sign dynamics to a fixed point.
      const net = hebbianHopfield(patterns);
      const dyn = r.fork("dynamics");
      queries.forEach((query, q) => {
        const ov = cosine(classicalRetrieve(net, query, dyn, s.maxSweeps).state, patterns[qIdx[q]!]!);
        classical.ov += ov;
        if (ov >= s.minOverlap) classical.ok++;
      });
    }
    s.betas.forEach((beta, bi) => {
      const a = modernAcc[bi]!;
      rows.push({
        network: "modern",
        M,
        load: M / s.d,
        beta,
        accuracy: a.ok / nq,
        meanOverlap: a.ov / nq,
        effectivePatterns: a.eff / nq,
        numQueries: nq,
      });
    });
    rows.push({
      network: "classical",
      M,
      load: M / s.d,
      beta: NaN,
      accuracy: classical.ok / nq,
      meanOverlap: classical.ov / nq,
      effectivePatterns: NaN,
      numQueries: nq,
    });
    onLoad?.(li + 1, s.loads.length);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// Capacity to the breaking point: retrieval against load for several d, and M_max(d)
// ---------------------------------------------------------------------------------------------------

/** Settings of {@link capacityCurves}: retrieval against load M for each pattern dimension d. */
export interface CapacityCurveSettings {
  /** Pattern dimensions d swept (ascending). */
  readonly ds: ReadonlyArray<number>;
  /** Largest load M tried; loads are the geometric grid of {@link capacityLoadGrid}, up to this. */
  readonly maxLoad: number;
  /**
   * Inverse temperatures of the modern network as multiples of attention's β = 1/√d (1 is attention's;
   * 0 is the β → 0 limit, where the update returns the plain average of the stored patterns).
   */
  readonly betaMultipliers: ReadonlyArray<number>;
  /** Fraction of a query's entries flipped (fixed for every d and M). */
  readonly flipFraction: number;
  /** A retrieval counts when cosine(returned state, stored pattern) ≥ this. */
  readonly minOverlap: number;
  /** Independent pattern sets per d. */
  readonly trials: number;
  /** Patterns queried per trial (the first ones stored; all of them while M is smaller). */
  readonly maxQueries: number;
  /** Sweep cap of the classical asynchronous dynamics. */
  readonly maxSweeps: number;
  /** Stop a network's curve once its retrieval falls below this (it has broken down). */
  readonly stopBelow: number;
}

/** The loads of the capacity curves: 1, 2, 3, 4, 6, 8, 11, 16, … (factor √2), up to maxLoad. */
export function capacityLoadGrid(maxLoad: number): number[] {
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const M = Math.round(2 ** (k / 2));
    if (M > maxLoad) break;
    if (out[out.length - 1] !== M) out.push(M);
  }
  return out;
}

/** One point of a capacity curve. */
export interface CapacityPoint {
  readonly d: number;
  /** "classical" or "modern"; for the modern network `betaMultiplier` says which β. */
  readonly network: "modern" | "classical";
  /** β / (1/√d) for the modern network; NaN for the classical one. */
  readonly betaMultiplier: number;
  readonly M: number;
  /** Fraction of queries retrieved, over the trials. */
  readonly accuracy: number;
  /** Modern only: mean number of patterns holding 90% of the softmax weight (NaN for classical). */
  readonly attended90: number;
  readonly numQueries: number;
}

/**
 * Retrieval against load for every d: per trial, maxLoad random ±1 patterns are drawn once and load M
 * stores the first M of them (nested sets, so the curve of one trial is smooth in M); the first
 * min(M, maxQueries) patterns are queried with copies that have round(flipFraction·d) entries flipped.
 * The modern network makes one update ξ ← X softmax(β Xᵀ ξ) (float64, plain JS), the classical network
 * runs its asynchronous sign dynamics to a fixed point. A curve stops once its retrieval falls below
 * `stopBelow`, so the cost follows the capacity, not the grid.
 */
export function capacityCurves(
  s: CapacityCurveSettings,
  rng: Rng,
  onD?: (i: number, total: number) => void,
): CapacityPoint[] {
  if (!(s.flipFraction >= 0 && s.flipFraction < 0.5))
    throw new Error(`capacityCurves: flipFraction must be in [0, 0.5), got ${s.flipFraction}`);
  const loads = capacityLoadGrid(s.maxLoad);
  const points: CapacityPoint[] = [];
  s.ds.forEach((d, di) => {
    const betas = s.betaMultipliers.map((m) => m / Math.sqrt(d));
    const nNet = betas.length + 1; // the modern networks, then the classical one
    const ok = loads.map(() => new Array<number>(nNet).fill(0));
    const att = loads.map(() => new Array<number>(nNet).fill(0));
    const nq = loads.map(() => 0);
    const alive = loads.map(() => new Array<boolean>(nNet).fill(true));
    for (let t = 0; t < s.trials; t++) {
      const r = rng.fork("d", d, "trial", t);
      const patterns = randomBinaryPatterns(r.fork("patterns"), s.maxLoad, d);
      const Q = Math.min(s.maxQueries, s.maxLoad);
      const cr = r.fork("corrupt");
      const queries = Array.from({ length: Q }, (_, q) => corruptPattern(cr, patterns[q]!, s.flipFraction));
      // Overlaps of every query with every stored pattern, once: S[q][m] = ξ_m · query_q.
      const S = queries.map((x) => {
        const row = new Float64Array(s.maxLoad);
        for (let m = 0; m < s.maxLoad; m++) {
          const p = patterns[m]!;
          let dot = 0;
          for (let i = 0; i < d; i++) dot += p[i]! * x[i]!;
          row[m] = dot;
        }
        return row;
      });
      const dyn = r.fork("dynamics");
      const W = new Float64Array(d * d);
      let stored = 0;
      const stopped = new Array<boolean>(nNet).fill(false);
      const out = new Float64Array(d);
      const w = new Float64Array(s.maxLoad);
      for (const [li, M] of loads.entries()) {
        if (stopped.every((x) => x)) break;
        const nQ = Math.min(M, Q);
        nq[li] = nq[li]! + nQ;
        // Modern networks: one update per query and β.
        betas.forEach((beta, bi) => {
          if (stopped[bi]) {
            alive[li]![bi] = false;
            return;
          }
          let hits = 0;
          let attended = 0;
          for (let q = 0; q < nQ; q++) {
            const sq = S[q]!;
            let mx = -Infinity;
            for (let m = 0; m < M; m++) mx = Math.max(mx, beta * sq[m]!);
            let z = 0;
            for (let m = 0; m < M; m++) {
              w[m] = Math.exp(beta * sq[m]! - mx);
              z += w[m]!;
            }
            out.fill(0);
            for (let m = 0; m < M; m++) {
              const pm = w[m]! / z;
              w[m] = pm;
              if (pm < 1e-12) continue;
              const p = patterns[m]!;
              for (let i = 0; i < d; i++) out[i] = out[i]! + pm * p[i]!;
            }
            if (cosine(out, patterns[q]!) >= s.minOverlap) hits++;
            attended += massCount(w.subarray(0, M), 0.9);
          }
          ok[li]![bi] = ok[li]![bi]! + hits;
          att[li]![bi] = att[li]![bi]! + attended;
          if (hits / nQ < s.stopBelow) stopped[bi] = true;
        });
        // Classical network: add the new patterns to the Hebbian weights, then run the dynamics.
        const ci = nNet - 1;
        if (stopped[ci]) {
          alive[li]![ci] = false;
          continue;
        }
        for (; stored < M; stored++) {
          const p = patterns[stored]!;
          for (let i = 0; i < d; i++) {
            const pi = p[i]! / d;
            for (let j = 0; j < d; j++) if (j !== i) W[i * d + j] = W[i * d + j]! + pi * p[j]!;
          }
        }
        const net: ClassicalHopfield = { d, W };
        let hits = 0;
        for (let q = 0; q < nQ; q++)
          if (cosine(classicalRetrieve(net, queries[q]!, dyn, s.maxSweeps).state, patterns[q]!) >= s.minOverlap) hits++;
        ok[li]![ci] = ok[li]![ci]! + hits;
        if (hits / nQ < s.stopBelow) stopped[ci] = true;
      }
    }
    loads.forEach((M, li) => {
      if (nq[li] === 0) return;
      for (let k = 0; k < nNet; k++) {
        if (!alive[li]![k]) continue; // a curve that stopped in some trial is not reported past that load
        const modern = k < betas.length;
        points.push({
          d,
          network: modern ? "modern" : "classical",
          betaMultiplier: modern ? s.betaMultipliers[k]! : NaN,
          M,
          accuracy: ok[li]![k]! / nq[li]!,
          attended90: modern ? att[li]![k]! / nq[li]! : NaN,
          numQueries: nq[li]!,
        });
      }
    });
    onD?.(di + 1, s.ds.length);
  });
  return points;
}

/** How many of the largest entries of a probability vector it takes to hold `mass` of it (≥ 1). */
export function massCount(p: ArrayLike<number>, mass = 0.9): number {
  const sorted = Array.from(p).sort((a, b) => b - a);
  let s = 0;
  for (let k = 0; k < sorted.length; k++) {
    s += sorted[k]!;
    if (s >= mass - 1e-12) return k + 1;
  }
  return sorted.length;
}

/**
 * The largest load a curve retrieves at `target` (e.g. 0.9): the crossing of accuracy = target, interpolated
 * linearly in ln M between the last load at or above the target and the first load below it. NaN when the
 * curve never falls below the target (the capacity lies beyond the swept loads: censored) or is empty.
 */
export function capacityAt(curve: ReadonlyArray<{ M: number; accuracy: number }>, target = 0.9): number {
  const pts = [...curve].sort((a, b) => a.M - b.M);
  const firstBelow = pts.findIndex((p) => p.accuracy < target);
  if (firstBelow < 0) return NaN;
  if (firstBelow === 0) return pts[0]!.M; // below already at the smallest load
  const a = pts[firstBelow - 1]!;
  const b = pts[firstBelow]!;
  const f = (a.accuracy - target) / (a.accuracy - b.accuracy);
  return Math.exp(Math.log(a.M) + f * (Math.log(b.M) - Math.log(a.M)));
}
