/**
 * Entropy and mutual information of discrete symbols (strings, numbers) from samples: plug-in
 * (maximum-likelihood) estimators with the Miller–Madow bias correction, bootstrap intervals
 * (stats.ts `bootstrap`) and estimate-vs-sample-count curves, for the information-bottleneck
 * measurements of takeaway 2 (Tishby, Pereira & Bialek 1999; Shwartz-Ziv & Tishby 2017).
 *
 * The plug-in entropy of N samples over m occupied bins underestimates the true entropy by about
 * (m - 1) / (2N) nats (Miller 1955); Miller–Madow adds that term back. Mutual information is
 * I(X;Y) = H(X) + H(Y) - H(X,Y) with each entropy estimated the same way, so its bias shrinks only when
 * N is large compared with the number of occupied joint bins: design the sample so the alphabets are
 * small (Paninski 2003 surveys the estimators and their failure modes), and look at the estimate as a
 * function of N before believing it.
 *
 * Values are in bits unless `base` says otherwise.
 */
import type { Rng } from "./rng";
import { bootstrap, quantile, mean } from "./stats";
import type { Interval } from "./stats";

/** A discrete symbol. Strings and numbers are compared by their string form. */
export type InfoSymbol = string | number;

/** How to estimate an entropy. */
export interface EntropyOptions {
  /** `miller-madow` (default) adds (m - 1) / (2N) nats to the plug-in estimate; `none` is plug-in. */
  readonly correction?: "none" | "miller-madow";
  /** Logarithm base: 2 (bits, default) or Math.E (nats). */
  readonly base?: number;
}

/** Counts of each symbol (by its string form). */
export function symbolCounts(xs: ReadonlyArray<InfoSymbol>): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) {
    const k = String(x);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function logBase(opts: EntropyOptions | undefined): number {
  const b = opts?.base ?? 2;
  if (!(b > 1) || !Number.isFinite(b))
    throw new Error(`entropy options.base: must be a finite number > 1 (2 for bits, Math.E for nats), got ${b}`);
  return Math.log(b);
}

/**
 * Entropy from a histogram of counts (zeros are ignored). Plug-in H = -sum p log p with p = c / N;
 * Miller–Madow adds (m - 1) / (2N) nats, m = number of nonzero counts. Empty histogram: NaN.
 */
export function entropyFromCounts(counts: Iterable<number>, opts?: EntropyOptions): number {
  const lb = logBase(opts);
  let n = 0;
  let m = 0;
  let sumClogC = 0;
  for (const c of counts) {
    if (!(c >= 0) || !Number.isFinite(c))
      throw new Error(`entropyFromCounts: counts must be finite and >= 0, got ${c}`);
    if (c === 0) continue;
    n += c;
    m += 1;
    sumClogC += c * Math.log(c);
  }
  if (n === 0) return NaN;
  // H = log N - (1/N) sum c log c  (nats)
  let h = Math.log(n) - sumClogC / n;
  if ((opts?.correction ?? "miller-madow") === "miller-madow") h += (m - 1) / (2 * n);
  return Math.max(0, h) / lb;
}

/** Entropy of a sample of symbols (see {@link entropyFromCounts}). */
export function entropy(xs: ReadonlyArray<InfoSymbol>, opts?: EntropyOptions): number {
  return entropyFromCounts(symbolCounts(xs).values(), opts);
}

/** Pair symbols into one joint symbol per sample (unambiguous: the parts are JSON-quoted). */
export function jointSymbols(...columns: ReadonlyArray<ReadonlyArray<InfoSymbol>>): string[] {
  if (columns.length === 0) throw new Error("jointSymbols: pass at least one column");
  const n = (columns[0] as ReadonlyArray<InfoSymbol>).length;
  columns.forEach((c, i) => {
    if (c.length !== n)
      throw new Error(`jointSymbols: column ${i} has ${c.length} samples, column 0 has ${n}; pair the samples`);
  });
  return Array.from({ length: n }, (_, i) => JSON.stringify(columns.map((c) => String(c[i]))));
}

/** Joint entropy H(X, Y). */
export function jointEntropy(
  xs: ReadonlyArray<InfoSymbol>,
  ys: ReadonlyArray<InfoSymbol>,
  opts?: EntropyOptions,
): number {
  return entropy(jointSymbols(xs, ys), opts);
}

/** Conditional entropy H(Y | X) = H(X, Y) - H(X). */
export function conditionalEntropy(
  ys: ReadonlyArray<InfoSymbol>,
  xs: ReadonlyArray<InfoSymbol>,
  opts?: EntropyOptions,
): number {
  return jointEntropy(xs, ys, opts) - entropy(xs, opts);
}

/**
 * Mutual information I(X; Y) = H(X) + H(Y) - H(X, Y), each term estimated with `opts` (Miller–Madow by
 * default). The corrected estimate can be slightly negative for independent variables; it is not
 * clipped, so averages stay unbiased.
 */
export function mutualInformation(
  xs: ReadonlyArray<InfoSymbol>,
  ys: ReadonlyArray<InfoSymbol>,
  opts?: EntropyOptions,
): number {
  if (xs.length !== ys.length)
    throw new Error(`mutualInformation: ${xs.length} x samples but ${ys.length} y samples; pass paired samples`);
  return entropy(xs, opts) + entropy(ys, opts) - jointEntropy(xs, ys, opts);
}

/** One sample of the bottleneck analysis: input X, chain (thoughts) Z, answer Y. */
export interface XZYSample {
  readonly x: InfoSymbol;
  readonly z: InfoSymbol;
  readonly y: InfoSymbol;
}

/** The information quantities of a set of (X, Z, Y) samples. */
export interface InformationProfile {
  readonly n: number;
  readonly hX: number;
  readonly hZ: number;
  readonly hY: number;
  readonly iXZ: number;
  readonly iZY: number;
}

/** The keys of {@link InformationProfile} that are estimates. */
export const INFO_QUANTITIES = ["hX", "hZ", "hY", "iXZ", "iZY"] as const;
export type InfoQuantity = (typeof INFO_QUANTITIES)[number];

/** Symbols replaced by dense integer codes 0..size-1 (first occurrence order). */
export function encodeSymbols(xs: ReadonlyArray<InfoSymbol>): { codes: Int32Array; size: number } {
  const ids = new Map<string, number>();
  const codes = new Int32Array(xs.length);
  xs.forEach((x, i) => {
    const k = String(x);
    let c = ids.get(k);
    if (c === undefined) {
      c = ids.size;
      ids.set(k, c);
    }
    codes[i] = c;
  });
  return { codes, size: ids.size };
}

/**
 * Entropy of integer codes in [0, size), over the samples `index` (default: all), e.g. a bootstrap
 * resample given as indices. The fast path of {@link entropy} for repeated estimates.
 */
export function entropyOfCodes(
  codes: ArrayLike<number>,
  size: number,
  opts?: EntropyOptions,
  index?: ArrayLike<number>,
): number {
  const counts = new Float64Array(size);
  if (index) for (let i = 0; i < index.length; i++) counts[codes[index[i]] as number] += 1;
  else for (let i = 0; i < codes.length; i++) counts[codes[i]] += 1;
  return entropyFromCounts(counts, opts);
}

/** (X, Z, Y) samples as integer codes, with the joint codes of (X, Z) and (Z, Y). */
export interface CodedXZY {
  readonly n: number;
  readonly x: { codes: Int32Array; size: number };
  readonly z: { codes: Int32Array; size: number };
  readonly y: { codes: Int32Array; size: number };
  readonly xz: { codes: Int32Array; size: number };
  readonly zy: { codes: Int32Array; size: number };
}

/** Encode (X, Z, Y) samples once for many estimates (bootstrap, curves). */
export function codeSamples(samples: ReadonlyArray<XZYSample>): CodedXZY {
  const x = encodeSymbols(samples.map((s) => s.x));
  const z = encodeSymbols(samples.map((s) => s.z));
  const y = encodeSymbols(samples.map((s) => s.y));
  const pair = (a: Int32Array, b: Int32Array, nb: number): number[] => Array.from(a, (v, i) => v * nb + b[i]);
  return {
    n: samples.length,
    x,
    z,
    y,
    xz: encodeSymbols(pair(x.codes, z.codes, z.size)),
    zy: encodeSymbols(pair(z.codes, y.codes, y.size)),
  };
}

/** The information profile of coded samples over `index` (default: all samples). */
export function codedProfile(c: CodedXZY, opts?: EntropyOptions, index?: ArrayLike<number>): InformationProfile {
  const h = (v: { codes: Int32Array; size: number }): number => entropyOfCodes(v.codes, v.size, opts, index);
  const hX = h(c.x);
  const hZ = h(c.z);
  const hY = h(c.y);
  return { n: index ? index.length : c.n, hX, hZ, hY, iXZ: hX + hZ - h(c.xz), iZY: hZ + hY - h(c.zy) };
}

/** H(X), H(Z), H(Y), I(X;Z), I(Z;Y) of a sample. */
export function informationProfile(samples: ReadonlyArray<XZYSample>, opts?: EntropyOptions): InformationProfile {
  return codedProfile(codeSamples(samples), opts);
}

/** A statistic of a sample of items (e.g. one information quantity). */
export type SampleStatistic<T> = (sample: ReadonlyArray<T>) => number;

/**
 * Bootstrap interval of an information statistic over resampled items, from stats.ts `bootstrap`.
 * Resampling with replacement duplicates items, so a resample has fewer distinct symbols and its
 * entropy estimates are biased low: the plain percentile interval can miss the point estimate
 * altogether. The default `shifted` interval moves the percentile interval by the bootstrap estimate
 * of that bias (point estimate minus the mean over resamples), keeping its width (Efron & Tibshirani
 * 1993, §10); `percentile` returns stats.ts's interval as it is.
 */
export function bootstrapInfo<T>(
  items: ReadonlyArray<T>,
  statistic: SampleStatistic<T>,
  rng: Rng,
  reps = 200,
  method: "shifted" | "percentile" = "shifted",
): Interval {
  if (items.length === 0) throw new Error("bootstrapInfo: no samples");
  const values: number[] = [];
  // stats.ts calls the statistic on the full sample first, then once per resample.
  const p = bootstrap(
    items,
    (s) => {
      const v = statistic(s);
      values.push(v);
      return v;
    },
    rng,
    reps,
  );
  if (method === "percentile" || p.n === 0) return p;
  const resampled = values.slice(1).filter((v) => Number.isFinite(v));
  const bias = mean(resampled) - p.mean;
  return { mean: p.mean, lo: p.lo - bias, hi: p.hi - bias, n: p.n };
}

/** One point of an estimate-vs-sample-count curve. */
export interface CurvePoint {
  /** Subsample size. */
  readonly n: number;
  /** Mean of the estimate over the subsamples. */
  readonly mean: number;
  /** 2.5% and 97.5% quantiles over the subsamples. */
  readonly lo: number;
  readonly hi: number;
}

/**
 * How an estimate depends on the sample count: for each size n (at most items.length), draw `reps`
 * subsamples of n items without replacement and summarise the statistic over them. A stable
 * estimate flattens out well before the full sample size.
 */
export function estimateCurve<T>(
  items: ReadonlyArray<T>,
  statistic: SampleStatistic<T>,
  sizes: ReadonlyArray<number>,
  rng: Rng,
  reps = 20,
): CurvePoint[] {
  if (!Number.isInteger(reps) || reps < 1)
    throw new Error(`estimateCurve: reps must be a positive integer, got ${reps}`);
  const out: CurvePoint[] = [];
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`estimateCurve: sizes must be positive integers, got ${n}`);
    if (n > items.length) continue;
    const vals: number[] = [];
    const r = n === items.length ? 1 : reps;
    for (let i = 0; i < r; i++) {
      const idx = n === items.length ? items.map((_, j) => j) : partialPermutation(rng, items.length, n);
      const v = statistic(idx.map((j) => items[j] as T));
      if (Number.isFinite(v)) vals.push(v);
    }
    if (vals.length === 0) continue;
    out.push({ n, mean: mean(vals), lo: quantile(vals, 0.025), hi: quantile(vals, 0.975) });
  }
  return out;
}

/** n distinct indices of 0..N-1 in random order (partial Fisher–Yates). */
function partialPermutation(rng: Rng, N: number, n: number): number[] {
  const a = Array.from({ length: N }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(N - i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a.slice(0, n);
}

/** Sample sizes 2^j * start up to and including `max` (for estimate-vs-N curves). */
export function doublingSizes(start: number, max: number): number[] {
  if (!(start >= 1) || !(max >= start))
    throw new Error(`doublingSizes: need 1 <= start <= max, got start=${start}, max=${max}`);
  const out: number[] = [];
  for (let n = Math.round(start); n < max; n *= 2) out.push(n);
  out.push(Math.round(max));
  return out;
}
