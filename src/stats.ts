/**
 * Summaries with intervals: means over seeds (Student t) and bootstrap percentile intervals. Every
 * number a notebook states comes through here.
 */
import { Rng } from "./rng";

/** A metric over seeds or bootstrap resamples: mean and interval [lo, hi] from n values. */
export interface Interval {
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

/** A measured quantity: a plain number, or a mean with its interval. */
export type Metric = number | Interval;

export function isInterval(x: unknown): x is Interval {
  return typeof x === "object" && x !== null && "mean" in x && "lo" in x && "hi" in x && "n" in x;
}

/** The central value of a metric (NaN when it is missing). */
export function metricValue(m: Metric | undefined): number {
  return m === undefined ? NaN : typeof m === "number" ? m : m.mean;
}

/**
 * A metric as an interval: a plain number is the interval [m, m] from one value; a missing metric is
 * all NaN with n = 0 (figures draw nothing for it).
 */
export function toInterval(m: Metric | undefined): Interval {
  if (m === undefined) return { mean: NaN, lo: NaN, hi: NaN, n: 0 };
  return typeof m === "number" ? { mean: m, lo: m, hi: m, n: 1 } : m;
}

export function mean(xs: ReadonlyArray<number>): number {
  if (xs.length === 0) throw new Error("mean: empty sample");
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n - 1); 0 for a single value. */
export function std(xs: ReadonlyArray<number>): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

/** Two-sided 95% Student-t quantiles for df = 1..30 (then the normal 1.96 is close enough). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (df < 1) return NaN;
  return df <= 30 ? T975[df - 1] : 1.96;
}

/**
 * Mean with a 95% t-interval over independent runs (seeds). With one value, lo = hi = mean and n = 1
 * (no interval can be claimed). Intervals of bounded metrics (accuracies) are clipped to [min, max].
 */
export function meanInterval(xs: ReadonlyArray<number>, bounds?: readonly [number, number]): Interval {
  const m = mean(xs);
  const n = xs.length;
  const half = n > 1 ? (tQuantile975(n - 1) * std(xs)) / Math.sqrt(n) : 0;
  let lo = m - half;
  let hi = m + half;
  if (bounds) {
    lo = Math.max(bounds[0], lo);
    hi = Math.min(bounds[1], hi);
  }
  return { mean: m, lo, hi, n };
}

/** The q-quantile (0..1) of a sample, linear interpolation. */
export function quantile(xs: ReadonlyArray<number>, q: number): number {
  if (xs.length === 0) throw new Error("quantile: empty sample");
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const i = Math.floor(pos);
  const f = pos - i;
  return s[i] + f * ((s[Math.min(i + 1, s.length - 1)] as number) - s[i]);
}

/**
 * Percentile bootstrap: resample `items` with replacement `reps` times, apply `statistic`, and return
 * the point estimate on the full sample with the 2.5/97.5 percentiles. `n` is the number of resamples
 * that gave a finite value.
 */
export function bootstrap<T>(
  items: ReadonlyArray<T>,
  statistic: (sample: ReadonlyArray<T>) => number,
  rng: Rng,
  reps = 1000,
): Interval {
  const point = statistic(items);
  const values: number[] = [];
  const sample: T[] = new Array<T>(items.length);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < items.length; i++) sample[i] = items[rng.int(items.length)] as T;
    const v = statistic(sample);
    if (Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) return { mean: point, lo: NaN, hi: NaN, n: 0 };
  return { mean: point, lo: quantile(values, 0.025), hi: quantile(values, 0.975), n: values.length };
}

/** Ranks of a sample (1-based), ties sharing their average rank. */
export function ranks(xs: ReadonlyArray<number>): number[] {
  const idx = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const out = new Array<number>(xs.length);
  for (let k = 0; k < idx.length;) {
    let j = k;
    while (j + 1 < idx.length && (idx[j + 1] as { x: number }).x === (idx[k] as { x: number }).x) j++;
    for (let m = k; m <= j; m++) out[(idx[m] as { i: number }).i] = (k + j) / 2 + 1;
    k = j + 1;
  }
  return out;
}

/**
 * Spearman's rank correlation of paired samples (Pearson's r of the ranks, ties averaged): +1 when y rises
 * whenever x does. NaN when either sample is constant or shorter than 2.
 */
export function spearman(xs: ReadonlyArray<number>, ys: ReadonlyArray<number>): number {
  if (xs.length !== ys.length) throw new Error(`spearman: ${xs.length} x values but ${ys.length} y values`);
  if (xs.length < 2) return NaN;
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    const dx = (rx[i] as number) - mx;
    const dy = (ry[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/**
 * The ratio of two means over paired runs, Σ num / Σ den, with a 95% percentile-bootstrap interval that
 * resamples the runs (pairs kept together). Better behaved than the mean of per-run ratios when a run's
 * denominator is near zero. `n` is the number of runs; NaN when the pooled denominator is not positive.
 */
export function ratioOfMeans(num: ReadonlyArray<number>, den: ReadonlyArray<number>, rng: Rng, reps = 2000): Interval {
  if (num.length !== den.length)
    throw new Error(`ratioOfMeans: ${num.length} numerators but ${den.length} denominators`);
  const n = num.length;
  const ratio = (idx: ReadonlyArray<number>): number => {
    let a = 0;
    let b = 0;
    for (const i of idx) {
      a += num[i] as number;
      b += den[i] as number;
    }
    return b > 0 ? a / b : NaN;
  };
  const all = Array.from({ length: n }, (_, i) => i);
  const point = n === 0 ? NaN : ratio(all);
  if (n < 2 || !Number.isFinite(point)) return { mean: point, lo: point, hi: point, n };
  const b = bootstrap(all, ratio, rng, reps);
  return { mean: point, lo: b.lo, hi: b.hi, n };
}
