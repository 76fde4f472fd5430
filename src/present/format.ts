/**
 * Numbers as text, one way everywhere: the notebooks' prose, tables, the report and claim lines.
 * A metric is a plain number or a mean with its interval over seeds ({@link Interval}).
 */
import { type Interval, type Metric, toInterval } from "../stats";

/** Four significant digits; exponent notation below 1e-3 and from 1e5 on. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(3);
  return Number(x.toPrecision(4)).toString();
}

/** A number with `digits` significant digits (integers as they are, exponent form for tiny/huge). */
export function formatSig(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return v.toExponential(Math.max(0, digits - 1));
  return String(Number(v.toPrecision(digits)));
}

/** `digits` significant digits without exponent form ("n/a" when not finite): for labels in figures. */
export function formatPrecision(x: number, digits = 3): string {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : "n/a";
}

/** How to write one number. */
export interface FormatOptions {
  /** A fraction written as a percentage (0.5 -> "50.0%"). */
  readonly percent?: boolean;
  /** Decimals (default: 1 for percentages, else {@link formatNumber}'s four significant digits). */
  readonly digits?: number;
  /** A unit after the central value ("bits", "nats"). */
  readonly unit?: string;
}

/** One number as {@link FormatOptions} say; "n/a" when it is not finite. */
export function formatValue(x: number, opts: FormatOptions = {}): string {
  if (!Number.isFinite(x)) return "n/a";
  if (opts.percent) return `${(100 * x).toFixed(opts.digits ?? 1)}%`;
  return opts.digits === undefined ? formatNumber(x) : x.toFixed(opts.digits);
}

/**
 * A metric as "mean [lo, hi]" (its interval over seeds; with one seed lo = hi = mean), or the value
 * alone for a plain number; "n/a" when it is missing.
 */
export function formatMetric(m: Metric | undefined, opts: FormatOptions = {}): string {
  if (m === undefined || !Number.isFinite(toInterval(m).mean)) return "n/a";
  const unit = opts.unit ? ` ${opts.unit}` : "";
  if (typeof m === "number") return formatValue(m, opts) + unit;
  return `${formatValue(m.mean, opts)}${unit} [${formatValue(m.lo, opts)}, ${formatValue(m.hi, opts)}]`;
}

/** A difference of two fractions in percentage points: "4.0 points [1.3, 6.7]". */
export function formatPoints(m: Metric | undefined, digits = 1): string {
  if (m === undefined) return "n/a";
  const p = (x: number): string => (100 * x).toFixed(digits);
  return typeof m === "number" ? `${p(m)} points` : `${p(m.mean)} points [${p(m.lo)}, ${p(m.hi)}]`;
}

/** Which side of zero a difference lies on, judged by its interval over seeds. */
export function describeSign(m: Metric | undefined): string {
  const iv = toInterval(m);
  if (iv.n < 2) return "undetermined (one seed)";
  if (iv.lo > 0) return "positive (the interval excludes 0)";
  if (iv.hi < 0) return "negative (the interval excludes 0)";
  return "not distinguishable from 0 (the interval contains 0)";
}

/** The formatters bound to one record's metrics (see {@link metricFormatter}). */
export interface MetricFormatter<M extends string> {
  /** The central value (NaN when missing). */
  value(key: M): number;
  interval(key: M): Interval;
  /** "mean [lo, hi]" with the given options. */
  text(key: M, opts?: FormatOptions): string;
  /** As a percentage: "81.3% [76.0%, 86.6%]". */
  pct(key: M, digits?: number): string;
  /** With fixed decimals: "0.543 [0.512, 0.574]". */
  num(key: M, digits?: number): string;
  /** A difference of fractions in percentage points. */
  points(key: M, digits?: number): string;
  /** The sign of a difference, judged by its interval. */
  sign(key: M): string;
}

/**
 * Bind the formatters to a record's metrics, for a notebook's "what the numbers say" cell:
 * `const f = lab.metricFormatter(record.metrics); f.pct("heldoutAccBase")`.
 */
export function metricFormatter<M extends string>(metrics: Readonly<Record<M, Metric>>): MetricFormatter<M> {
  const get = (k: M): Metric | undefined => metrics[k];
  return {
    value: (k) => toInterval(get(k)).mean,
    interval: (k) => toInterval(get(k)),
    text: (k, opts) => formatMetric(get(k), opts),
    pct: (k, digits = 1) => formatMetric(get(k), { percent: true, digits }),
    num: (k, digits = 3) => formatMetric(get(k), { digits }),
    points: (k, digits = 1) => formatPoints(get(k), digits),
    sign: (k) => describeSign(get(k)),
  };
}
