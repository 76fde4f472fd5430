/**
 * Fitting scaling laws: a small Nelder–Mead optimiser, power laws with an offset, the joint
 * Chinchilla form, the compute-optimal frontier, Bradley–Terry strengths, R², and bootstrap intervals
 * over refits. Pure numerics on plain arrays (no tensors), so every function is cheap to test against
 * hand-computed values.
 *
 * References: Kaplan et al. 2020 (arXiv:2001.08361) for L(N) and the FLOP count C ≈ 6ND; Hoffmann et
 * al. 2022 (arXiv:2203.15556, "Chinchilla") for the joint form L(N, D) = E + A/N^α + B/D^β fitted with
 * a Huber loss on log residuals from a grid of initialisations (their approach 3) and for the
 * minimum-over-runs envelope (approach 1); Bradley & Terry 1952 and Hunter 2004 (Ann. Stat. 32:384)
 * for the MM algorithm; Neumann & Gros 2022/2024 for head-to-head performance P_A/(P_A+P_B).
 */
import type { Interval } from "./stats";
import type { Rng } from "./rng";
import { quantile } from "./stats";

// ---------------------------------------------------------------------------------------------------
// Optimiser

/** Options of {@link nelderMead}. */
export interface NelderMeadOptions {
  /** Initial simplex step per coordinate (a number applies to all); default 0.1·max(1, |x0_i|). */
  readonly step?: number | ReadonlyArray<number>;
  /** Iteration limit (default 200 × dimension). */
  readonly maxIter?: number;
  /** Stop when the simplex's function values and coordinates spread less than this (default 1e-10). */
  readonly tol?: number;
}

/** The result of {@link nelderMead}. */
export interface OptimResult {
  readonly x: number[];
  readonly fx: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Minimise `f` with the Nelder–Mead downhill simplex (Nelder & Mead 1965; the standard coefficients
 * reflection 1, expansion 2, contraction ½, shrink ½, as in Lagarias et al. 1998). Derivative-free and
 * robust to the kinks of a Huber loss; non-finite values of `f` count as +∞ (a barrier).
 */
export function nelderMead(
  f: (x: ReadonlyArray<number>) => number,
  x0: ReadonlyArray<number>,
  opts: NelderMeadOptions = {},
): OptimResult {
  const n = x0.length;
  if (n === 0) throw new Error("nelderMead: x0 must have at least one coordinate");
  if (!x0.every(Number.isFinite)) throw new Error(`nelderMead: x0 must be finite, got [${x0.join(", ")}]`);
  const maxIter = opts.maxIter ?? 200 * n;
  const tol = opts.tol ?? 1e-10;
  const fx = (x: ReadonlyArray<number>): number => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const stepOf = (i: number): number => {
    const s = opts.step;
    if (typeof s === "number") return s;
    if (s !== undefined) return s[i];
    return 0.1 * Math.max(1, Math.abs(x0[i] as number));
  };
  const simplex: number[][] = [[...x0]];
  for (let i = 0; i < n; i++) {
    const p = [...x0];
    p[i] = p[i] + stepOf(i);
    simplex.push(p);
  }
  let values = simplex.map(fx);
  let it = 0;
  let converged = false;
  const combine = (a: number[], b: number[], t: number): number[] => a.map((ai, i) => ai + t * (b[i] - ai));
  for (; it < maxIter; it++) {
    const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
    const s = order.map((i) => simplex[i] as number[]);
    const v = order.map((i) => values[i]);
    simplex.splice(0, simplex.length, ...s);
    values = v;
    const best = values[0];
    const worst = values[n];
    let spread = 0;
    for (let k = 1; k <= n; k++)
      for (let i = 0; i < n; i++)
        spread = Math.max(
          spread,
          Math.abs(((simplex[k] as number[])[i] as number) - ((simplex[0] as number[])[i] as number)),
        );
    if (Number.isFinite(worst) && Math.abs(worst - best) <= tol * (1 + Math.abs(best)) && spread <= Math.sqrt(tol)) {
      converged = true;
      break;
    }
    const centroid = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++)
      for (let i = 0; i < n; i++) centroid[i] = (centroid[i] as number) + ((simplex[k] as number[])[i] as number) / n;
    const xw = simplex[n] as number[];
    const xr = combine(centroid, xw, -1); // reflect
    const fr = fx(xr);
    if (fr < best) {
      const xe = combine(centroid, xw, -2); // expand
      const fe = fx(xe);
      if (fe < fr) {
        simplex[n] = xe;
        values[n] = fe;
      } else {
        simplex[n] = xr;
        values[n] = fr;
      }
    } else if (fr < values[n - 1]) {
      simplex[n] = xr;
      values[n] = fr;
    } else {
      const outside = fr < worst;
      const xc = outside ? combine(centroid, xr, 0.5) : combine(centroid, xw, 0.5); // contract
      const fc = fx(xc);
      if (fc < (outside ? fr : worst)) {
        simplex[n] = xc;
        values[n] = fc;
      } else {
        const x0s = simplex[0] as number[];
        for (let k = 1; k <= n; k++) {
          simplex[k] = combine(x0s, simplex[k] as number[], 0.5); // shrink towards the best
          values[k] = fx(simplex[k] as number[]);
        }
      }
    }
  }
  let bi = 0;
  for (let k = 1; k <= n; k++) if (values[k] < values[bi]) bi = k;
  return { x: [...(simplex[bi] as number[])], fx: values[bi] as number, iterations: it, converged };
}

/**
 * Minimise from several starting points: evaluate `f` on every point of `grid`, run Nelder–Mead from
 * the `top` best, polish the winner once more (restarting a simplex avoids premature collapse), and
 * return the best result.
 */
export function multiStartMinimize(
  f: (x: ReadonlyArray<number>) => number,
  grid: ReadonlyArray<ReadonlyArray<number>>,
  opts: NelderMeadOptions & { readonly top?: number } = {},
): OptimResult {
  if (grid.length === 0) throw new Error("multiStartMinimize: the grid of initialisations is empty");
  const scored = grid.map((x) => ({ x, v: f(x) })).filter((s) => Number.isFinite(s.v));
  if (scored.length === 0) throw new Error("multiStartMinimize: the objective is not finite at any initialisation");
  scored.sort((a, b) => a.v - b.v);
  let best: OptimResult | null = null;
  for (const s of scored.slice(0, opts.top ?? 4)) {
    const r = nelderMead(f, s.x, opts);
    if (best === null || r.fx < best.fx) best = r;
  }
  const polished = nelderMead(f, (best as OptimResult).x, opts);
  return polished.fx <= (best as OptimResult).fx ? polished : (best as OptimResult);
}

// ---------------------------------------------------------------------------------------------------
// Losses and goodness of fit

/** Huber loss (Huber 1964): r²/2 for |r| ≤ δ, δ(|r| − δ/2) beyond; δ = ∞ is least squares. */
export function huber(r: number, delta: number): number {
  const a = Math.abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/** log(e^a + e^b) without overflow. */
export function logSumExp(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** Coefficient of determination 1 − SS_res / SS_tot of predictions `yHat` for observations `y`. */
export function rSquared(y: ReadonlyArray<number>, yHat: ReadonlyArray<number>): number {
  if (y.length !== yHat.length) throw new Error(`rSquared: ${y.length} observations but ${yHat.length} predictions`);
  if (y.length < 2) return NaN;
  const m = y.reduce((s, v) => s + v, 0) / y.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i] - yHat[i]) ** 2;
    ssTot += (y[i] - m) ** 2;
  }
  return ssTot === 0 ? NaN : 1 - ssRes / ssTot;
}

/** Ordinary least squares y = intercept + slope·x, with R². */
export function linearFit(
  x: ReadonlyArray<number>,
  y: ReadonlyArray<number>,
): { slope: number; intercept: number; r2: number } {
  if (x.length !== y.length) throw new Error(`linearFit: ${x.length} x values but ${y.length} y values`);
  const n = x.length;
  if (n < 2) return { slope: NaN, intercept: NaN, r2: NaN };
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  if (sxx === 0) return { slope: NaN, intercept: NaN, r2: NaN };
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  return {
    slope,
    intercept,
    r2: rSquared(
      y,
      x.map((v) => intercept + slope * v),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------
// L(N) = E + A / N^α

/** A fitted power law with offset, y = E + A·x^(−α). */
export interface PowerLawFit {
  readonly E: number;
  readonly A: number;
  readonly alpha: number;
  /** R² of the fit on the loss scale (not log). */
  readonly r2: number;
  /** Final value of the objective. */
  readonly objective: number;
}

/** y = E + A x^(−α). */
export function powerLaw(fit: Pick<PowerLawFit, "E" | "A" | "alpha">, x: number): number {
  return fit.E + fit.A * Math.pow(x, -fit.alpha);
}

/** Options of {@link fitPowerLaw}. */
export interface PowerLawOptions {
  /** Huber δ on log residuals (default ∞: least squares in log space). */
  readonly delta?: number;
  /** Starting exponents to try (default 0.05 … 1.5). */
  readonly alphaInits?: ReadonlyArray<number>;
}

/**
 * Fit L(x) = E + A/x^α (Kaplan et al. 2020 eq. 1.1 with an irreducible term) by minimising the Huber
 * loss of log L − log L̂ with L̂ = exp(LSE(a − α log x, e)) (E = e^e, A = e^a keep both positive).
 * Starts from a grid of (E, α) with A set by a log-linear fit; needs ≥ 3 distinct x values (else NaNs).
 */
export function fitPowerLaw(
  x: ReadonlyArray<number>,
  y: ReadonlyArray<number>,
  opts: PowerLawOptions = {},
): PowerLawFit {
  if (x.length !== y.length) throw new Error(`fitPowerLaw: ${x.length} x values but ${y.length} y values`);
  if (!x.every((v) => v > 0) || !y.every((v) => v > 0)) throw new Error("fitPowerLaw: x and y must be positive");
  const nan: PowerLawFit = { E: NaN, A: NaN, alpha: NaN, r2: NaN, objective: NaN };
  if (new Set(x).size < 3) return nan;
  const delta = opts.delta ?? Infinity;
  const lx = x.map(Math.log);
  const ly = y.map(Math.log);
  const objective = (t: ReadonlyArray<number>): number => {
    const [a, alpha, e] = t as [number, number, number];
    let s = 0;
    for (let i = 0; i < lx.length; i++) s += huber(logSumExp(a - alpha * lx[i], e) - ly[i], delta);
    return s;
  };
  const yMin = Math.min(...y);
  const grid: number[][] = [];
  for (const eFrac of [0.01, 0.3, 0.6, 0.8, 0.9, 0.97]) {
    const E = eFrac * yMin;
    for (const alpha of opts.alphaInits ?? [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5]) {
      // Given E and α, the best log A in least squares is the mean of log(y − E) + α log x.
      let a = 0;
      for (let i = 0; i < x.length; i++) a += Math.log(y[i] - E) + alpha * lx[i];
      grid.push([a / x.length, alpha, Math.log(E)]);
    }
  }
  const r = multiStartMinimize(objective, grid, { top: 5, maxIter: 3000, tol: 1e-14 });
  const [a, alpha, e] = r.x as [number, number, number];
  const fit = { E: Math.exp(e), A: Math.exp(a), alpha };
  return {
    ...fit,
    r2: rSquared(
      y,
      x.map((v) => powerLaw(fit, v)),
    ),
    objective: r.fx,
  };
}

// ---------------------------------------------------------------------------------------------------
// L(N, D) = E + A/N^α + B/D^β

/** One training run's outcome for the joint fit. */
export interface ScalingPoint {
  /** Non-embedding parameters. */
  readonly n: number;
  /** Training tokens. */
  readonly d: number;
  readonly loss: number;
}

/** The fitted Chinchilla form. */
export interface ChinchillaFit {
  readonly E: number;
  readonly A: number;
  readonly B: number;
  readonly alpha: number;
  readonly beta: number;
  /** R² of the fit on the loss scale. */
  readonly r2: number;
  readonly objective: number;
}

/** L(N, D) = E + A/N^α + B/D^β. */
export function chinchillaLoss(
  fit: Pick<ChinchillaFit, "E" | "A" | "B" | "alpha" | "beta">,
  n: number,
  d: number,
): number {
  return fit.E + fit.A * Math.pow(n, -fit.alpha) + fit.B * Math.pow(d, -fit.beta);
}

/** Options of {@link fitChinchilla}. */
export interface ChinchillaOptions {
  /** Huber δ on log residuals (Hoffmann et al. use 1e-3). */
  readonly delta?: number;
  /** Nelder–Mead runs from the best grid points (default 6). */
  readonly top?: number;
  /**
   * Pin the irreducible loss E to a known value (e.g. a source's entropy rate) and fit the other four
   * parameters; the returned E is this value.
   */
  readonly fixedE?: number;
}

/**
 * Fit L(N, D) = E + A/N^α + B/D^β as Hoffmann et al. 2022 (approach 3, eq. 10 and App. D.2): minimise
 * Σ Huber_δ(LSE(a − α log N, b − β log D, e) − log L) over (a, b, e, α, β), with E = e^e, A = e^a,
 * B = e^b, from a grid of initialisations (α, β ∈ {0, 0.5, 1, 1.5, 2}, e ∈ {−1, −0.5, 0, 0.5, 1},
 * a, b ∈ {0, 5, …, 25}, their grid); they polish with L-BFGS, we run Nelder–Mead from the `top`
 * best grid points. Needs ≥ 5 points with ≥ 2 distinct N and ≥ 2 distinct D (else NaNs).
 */
export function fitChinchilla(points: ReadonlyArray<ScalingPoint>, opts: ChinchillaOptions = {}): ChinchillaFit {
  const nan: ChinchillaFit = { E: NaN, A: NaN, B: NaN, alpha: NaN, beta: NaN, r2: NaN, objective: NaN };
  for (const p of points) {
    if (!(p.n > 0 && p.d > 0 && p.loss > 0))
      throw new Error(`fitChinchilla: n, d and loss must be positive, got ${JSON.stringify(p)}`);
  }
  if (points.length < 5 || new Set(points.map((p) => p.n)).size < 2 || new Set(points.map((p) => p.d)).size < 2)
    return nan;
  const delta = opts.delta ?? 1e-3;
  const fixedE = opts.fixedE;
  if (fixedE !== undefined && !(fixedE > 0)) throw new Error(`fitChinchilla: fixedE must be positive, got ${fixedE}`);
  const ln = points.map((p) => Math.log(p.n));
  const ld = points.map((p) => Math.log(p.d));
  const ll = points.map((p) => Math.log(p.loss));
  const objective = (t: ReadonlyArray<number>): number => {
    const [a, b, e, alpha, beta] = t as [number, number, number, number, number];
    let s = 0;
    for (let i = 0; i < ll.length; i++) {
      const u = a - alpha * ln[i];
      const v = b - beta * ld[i];
      const m = Math.max(u, v, e);
      const pred = m + Math.log(Math.exp(u - m) + Math.exp(v - m) + Math.exp(e - m));
      s += huber(pred - ll[i], delta);
    }
    return s;
  };
  const grid: number[][] = [];
  const es = fixedE === undefined ? [-1, -0.5, 0, 0.5, 1] : [Math.log(fixedE)];
  for (const alpha of [0, 0.5, 1, 1.5, 2])
    for (const beta of [0, 0.5, 1, 1.5, 2])
      for (const e of es)
        for (const a of [0, 5, 10, 15, 20, 25])
          for (const b of [0, 5, 10, 15, 20, 25])
            grid.push(fixedE === undefined ? [a, b, e, alpha, beta] : [a, b, alpha, beta]);
  // With E pinned the search runs over (a, b, α, β) and e is the constant log E.
  const full = (t: ReadonlyArray<number>): number[] =>
    fixedE === undefined ? [...t] : [t[0] as number, t[1] as number, Math.log(fixedE), t[2] as number, t[3] as number];
  const r = multiStartMinimize((t) => objective(full(t)), grid, {
    top: opts.top ?? 6,
    maxIter: 4000,
    tol: 1e-14,
    step: fixedE === undefined ? [1, 1, 0.2, 0.1, 0.1] : [1, 1, 0.1, 0.1],
  });
  const [a, b, e, alpha, beta] = full(r.x) as [number, number, number, number, number];
  const fit = { E: Math.exp(e), A: Math.exp(a), B: Math.exp(b), alpha, beta };
  return {
    ...fit,
    r2: rSquared(
      points.map((p) => p.loss),
      points.map((p) => chinchillaLoss(fit, p.n, p.d)),
    ),
    objective: r.fx,
  };
}

/**
 * The compute-optimal allocation implied by a Chinchilla fit (Hoffmann et al. eq. 4): at C = 6ND,
 * N_opt = G (C/6)^(β/(α+β)) with G = (αA/(βB))^(1/(α+β)), D_opt = (C/6)/N_opt. So a = β/(α+β).
 */
export function chinchillaOptimum(
  fit: Pick<ChinchillaFit, "A" | "B" | "alpha" | "beta">,
  flops: number,
): { n: number; d: number; a: number } {
  const a = fit.beta / (fit.alpha + fit.beta);
  const G = Math.pow((fit.alpha * fit.A) / (fit.beta * fit.B), 1 / (fit.alpha + fit.beta));
  const n = G * Math.pow(flops / 6, a);
  return { n, d: flops / 6 / n, a };
}

// ---------------------------------------------------------------------------------------------------
// Compute-optimal frontier (approach 1)

/** A loss curve of one run, as (compute, loss) checkpoints in increasing compute. */
export interface RunCurve {
  /** Non-embedding parameters of the run's model. */
  readonly n: number;
  /** Checkpoints: training FLOPs so far (6·N·D) and the held-out loss there. */
  readonly points: ReadonlyArray<{ readonly flops: number; readonly loss: number }>;
}

/** log-log linear interpolation of a curve at x (NaN outside its range). */
export function interpolateLogLog(xs: ReadonlyArray<number>, ys: ReadonlyArray<number>, x: number): number {
  const n = xs.length;
  if (n === 0 || x < xs[0] || x > xs[n - 1]) return NaN;
  if (n === 1) return ys[0];
  let i = 0;
  while (i < n - 2 && x > xs[i + 1]) i++;
  const x0 = Math.log(xs[i] as number);
  const x1 = Math.log(xs[i + 1] as number);
  const t = x1 === x0 ? 0 : (Math.log(x) - x0) / (x1 - x0);
  return Math.exp(Math.log(ys[i] as number) + t * (Math.log(ys[i + 1] as number) - Math.log(ys[i] as number)));
}

/**
 * `count` points spaced evenly in log between lo and hi. The ends are lo and hi exactly: exp(log(hi)) can
 * round above hi, and a grid point past a curve's last x is outside it (interpolateLogLog gives NaN there),
 * which silently dropped the highest compute from an envelope.
 */
export function logSpace(lo: number, hi: number, count: number): number[] {
  if (count === 1) return [Math.sqrt(lo * hi)];
  return Array.from({ length: count }, (_, i) =>
    i === 0 ? lo : i === count - 1 ? hi : Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / (count - 1)),
  );
}

/** One point of the minimum-over-runs envelope. */
export interface EnvelopePoint {
  readonly flops: number;
  /** The lowest loss any run reaches at this compute. */
  readonly loss: number;
  /** N of the run that reaches it. */
  readonly nOpt: number;
  /**
   * True when the optimum is not bracketed: nOpt is the smallest or largest N of the sweep, or a
   * neighbouring size has no run that reaches this compute (so a size we did not measure here might
   * be better). Such points are drawn but not fitted.
   */
  readonly clipped: boolean;
}

/** The frontier N_opt(C) = k·C^a fitted to the envelope. */
export interface FrontierFit {
  readonly envelope: EnvelopePoint[];
  readonly a: number;
  /** log k of N_opt = k C^a. */
  readonly logK: number;
  readonly r2: number;
  /** Envelope points used in the fit (the bracketed ones; all when fewer than 3 are bracketed). */
  readonly used: number;
}

/**
 * Hoffmann et al.'s approach 1: on a log grid of compute, take the run with the lowest (interpolated)
 * loss among all runs whose curve covers that compute; its N is N_opt(C). Fit log N_opt = log k +
 * a·log C by least squares over the points where the optimum is bracketed: the next smaller and the
 * next larger size both have a run reaching that compute. (Without this, the high-compute end of a
 * finite sweep is reached only by the largest models, which biases a upwards.)
 */
export function computeOptimalFrontier(
  runs: ReadonlyArray<RunCurve>,
  opts: { readonly numPoints?: number } = {},
): FrontierFit {
  const withPoints = runs.filter((r) => r.points.length > 0);
  const nan: FrontierFit = { envelope: [], a: NaN, logK: NaN, r2: NaN, used: 0 };
  if (withPoints.length < 2) return nan;
  const lo = Math.min(...withPoints.map((r) => (r.points[0] as { flops: number }).flops));
  const hi = Math.max(...withPoints.map((r) => (r.points[r.points.length - 1] as { flops: number }).flops));
  const sizes = [...new Set(withPoints.map((r) => r.n))].sort((a, b) => a - b);
  const curves = withPoints.map((r) => ({ n: r.n, xs: r.points.map((p) => p.flops), ys: r.points.map((p) => p.loss) }));
  const covers = (n: number, c: number): boolean =>
    curves.some((cv) => cv.n === n && c >= cv.xs[0] && c <= cv.xs[cv.xs.length - 1]);
  const envelope: EnvelopePoint[] = [];
  for (const c of logSpace(lo, hi, opts.numPoints ?? 40)) {
    let best = Infinity;
    let nOpt = NaN;
    for (const cv of curves) {
      const l = interpolateLogLog(cv.xs, cv.ys, c);
      if (l < best) {
        best = l;
        nOpt = cv.n;
      }
    }
    if (!Number.isFinite(best)) continue;
    const k = sizes.indexOf(nOpt);
    const bracketed = k > 0 && k < sizes.length - 1 && covers(sizes[k - 1], c) && covers(sizes[k + 1], c);
    envelope.push({ flops: c, loss: best, nOpt, clipped: !bracketed });
  }
  let used = envelope.filter((p) => !p.clipped);
  if (used.length < 3) used = envelope;
  const fit = linearFit(
    used.map((p) => Math.log(p.flops)),
    used.map((p) => Math.log(p.nOpt)),
  );
  return { envelope, a: fit.slope, logK: fit.intercept, r2: fit.r2, used: used.length };
}

/**
 * The lower envelope of several curves of one model size along an axis (compute or tokens): at each
 * x of `grid`, the lowest interpolated loss among the curves covering x (NaN where none does).
 */
export function lowerEnvelope(
  curves: ReadonlyArray<{ readonly xs: ReadonlyArray<number>; readonly ys: ReadonlyArray<number> }>,
  grid: ReadonlyArray<number>,
): number[] {
  return grid.map((x) => {
    let best = NaN;
    for (const c of curves) {
      const l = interpolateLogLog(c.xs, c.ys, x);
      if (Number.isFinite(l) && !(l >= best)) best = l;
    }
    return best;
  });
}

/** Where curve B overtakes curve A on a shared grid. */
export interface Crossover {
  /**
   * "crosses": B is above A at first and below from `x` on; "always": B is already at or below A at the
   * first shared grid point (x is that point, an upper bound); "never": B is still above A at the last
   * shared point (x is that point, a lower bound); "none": the curves share no grid point.
   */
  readonly kind: "crosses" | "always" | "never" | "none";
  readonly x: number;
}

/**
 * The point from which curve B (e.g. the doubled model) stays at or below curve A, interpolated in
 * log x between the last grid point where B is above and the next. Grid points where either curve is
 * undefined (NaN) are skipped.
 */
export function crossoverPoint(
  grid: ReadonlyArray<number>,
  a: ReadonlyArray<number>,
  b: ReadonlyArray<number>,
): Crossover {
  const idx = grid.map((_, i) => i).filter((i) => Number.isFinite(a[i]) && Number.isFinite(b[i]));
  if (idx.length === 0) return { kind: "none", x: NaN };
  const diff = (i: number): number => b[i] - a[i];
  let lastAbove = -1;
  idx.forEach((i, k) => {
    if (diff(i) > 0) lastAbove = k;
  });
  if (lastAbove === -1) return { kind: "always", x: grid[idx[0]] as number };
  if (lastAbove === idx.length - 1) return { kind: "never", x: grid[idx[idx.length - 1]] as number };
  const i0 = idx[lastAbove];
  const i1 = idx[lastAbove + 1];
  const d0 = diff(i0);
  const d1 = diff(i1);
  const t = d0 === d1 ? 0 : d0 / (d0 - d1);
  const lx = Math.log(grid[i0] as number) + t * (Math.log(grid[i1] as number) - Math.log(grid[i0] as number));
  return { kind: "crosses", x: Math.exp(lx) };
}

// ---------------------------------------------------------------------------------------------------
// Head-to-head: Bradley–Terry

/**
 * Win counts from per-item scores: wins[i][j] = number of items where player i scores higher than
 * player j (ties count ½ to each). scores[i][k] is player i's score on item k (e.g. log-likelihood
 * of the true continuation).
 */
export function winMatrix(scores: ReadonlyArray<ReadonlyArray<number>>, items?: ReadonlyArray<number>): number[][] {
  const m = scores.length;
  const K = (scores[0] ?? []).length;
  for (const [i, s] of scores.entries())
    if (s.length !== K) throw new Error(`winMatrix: player ${i} has ${s.length} scores, player 0 has ${K}`);
  const idx = items ?? Array.from({ length: K }, (_, k) => k);
  const w = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (const k of idx) {
    for (let i = 0; i < m; i++) {
      const si = (scores[i] as number[])[k] as number;
      for (let j = i + 1; j < m; j++) {
        const sj = (scores[j] as number[])[k] as number;
        if (si > sj) (w[i] as number[])[j] = ((w[i] as number[])[j] as number) + 1;
        else if (sj > si) (w[j] as number[])[i] = ((w[j] as number[])[i] as number) + 1;
        else {
          (w[i] as number[])[j] = ((w[i] as number[])[j] as number) + 0.5;
          (w[j] as number[])[i] = ((w[j] as number[])[i] as number) + 0.5;
        }
      }
    }
  }
  return w;
}

/**
 * Bradley–Terry strengths p_i with P(i beats j) = p_i/(p_i + p_j), by Hunter's (2004) MM iteration
 * p_i ← W_i / Σ_j n_ij/(p_i + p_j), normalised to geometric mean 1. `prior` adds that many wins to
 * each ordered pair (keeps strengths finite when a player never wins or never loses).
 */
export function bradleyTerry(
  wins: ReadonlyArray<ReadonlyArray<number>>,
  opts: { readonly prior?: number; readonly maxIter?: number; readonly tol?: number } = {},
): number[] {
  const m = wins.length;
  const prior = opts.prior ?? 0;
  const w = wins.map((row, i) => row.map((v, j) => (i === j ? 0 : v + prior)));
  let p = new Array<number>(m).fill(1);
  for (let it = 0; it < (opts.maxIter ?? 10000); it++) {
    const next = p.map((pi, i) => {
      let W = 0;
      let den = 0;
      for (let j = 0; j < m; j++) {
        if (j === i) continue;
        const nij = ((w[i] as number[])[j] as number) + ((w[j] as number[])[i] as number);
        W += (w[i] as number[])[j] as number;
        if (nij > 0) den += nij / (pi + p[j]);
      }
      return den > 0 ? W / den : pi;
    });
    const g = Math.exp(next.reduce((s, v) => s + Math.log(Math.max(v, 1e-300)), 0) / m);
    const normed = next.map((v) => v / g);
    let change = 0;
    for (let i = 0; i < m; i++)
      change = Math.max(change, Math.abs(Math.log(Math.max(normed[i], 1e-300)) - Math.log(Math.max(p[i], 1e-300))));
    p = normed;
    if (change < (opts.tol ?? 1e-10)) break;
  }
  return p;
}

/**
 * The exponent γ of P(A beats B) = N_A^γ / (N_A^γ + N_B^γ), i.e. Bradley–Terry strengths constrained
 * to p_i = N_i^γ, by maximum likelihood over all win counts (Newton's method on the one-parameter
 * logistic model with regressor log N_A − log N_B and no intercept). The paper's form is γ = 1.
 */
export function fitSizeExponent(sizes: ReadonlyArray<number>, wins: ReadonlyArray<ReadonlyArray<number>>): number {
  const m = sizes.length;
  const pairs: { x: number; w: number; l: number }[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const x = Math.log(sizes[i] as number) - Math.log(sizes[j] as number);
      const w = (wins[i] as number[])[j] as number;
      const l = (wins[j] as number[])[i] as number;
      if (w + l > 0 && x !== 0) pairs.push({ x, w, l });
    }
  }
  if (pairs.length === 0) return NaN;
  let g = 0;
  for (let it = 0; it < 100; it++) {
    let grad = 0;
    let hess = 0;
    for (const { x, w, l } of pairs) {
      const p = 1 / (1 + Math.exp(-g * x));
      grad += x * (w - (w + l) * p);
      hess -= x * x * (w + l) * p * (1 - p);
    }
    if (hess === 0) return NaN;
    const step = grad / hess;
    g -= step;
    if (!Number.isFinite(g) || Math.abs(g) > 1e6) return NaN; // one side always wins: no finite MLE
    if (Math.abs(step) < 1e-12) break;
  }
  return g;
}

// ---------------------------------------------------------------------------------------------------
// Bootstrap over refits

/**
 * Percentile bootstrap of several statistics from one refit per resample (the multi-statistic form
 * of stats.ts `bootstrap`, so an expensive fit runs once per resample, not once per statistic).
 * Returns, per key, the full-sample value with the 2.5/97.5 percentiles of the finite resampled
 * values; n counts them.
 */
export function bootstrapMany<T>(
  items: ReadonlyArray<T>,
  statistic: (sample: ReadonlyArray<T>) => Record<string, number>,
  rng: Rng,
  reps = 200,
): Record<string, Interval> {
  const point = statistic(items);
  const values: Record<string, number[]> = Object.fromEntries(Object.keys(point).map((k) => [k, [] as number[]]));
  const sample: T[] = new Array<T>(items.length);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < items.length; i++) sample[i] = items[rng.int(items.length)] as T;
    const s = statistic(sample);
    for (const k of Object.keys(point)) {
      const v = s[k];
      if (v !== undefined && Number.isFinite(v)) (values[k] as number[]).push(v);
    }
  }
  const out: Record<string, Interval> = {};
  for (const [k, p] of Object.entries(point)) {
    const vs = values[k] as number[];
    out[k] =
      vs.length === 0
        ? { mean: p, lo: NaN, hi: NaN, n: 0 }
        : { mean: p, lo: quantile(vs, 0.025), hi: quantile(vs, 0.975), n: vs.length };
  }
  return out;
}
