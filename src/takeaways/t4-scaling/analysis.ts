import type { ZipfLanguage } from "../../data/zipf-language";
import {
  bootstrapMany,
  bradleyTerry,
  type ChinchillaFit,
  chinchillaLoss,
  computeOptimalFrontier,
  crossoverPoint,
  fitChinchilla,
  fitPowerLaw,
  fitSizeExponent,
  linearFit,
  logSpace,
  lowerEnvelope,
  RunCurve,
  winMatrix,
} from "../../fit";
import { deriveSeed, Rng } from "../../rng";
import { type Interval, type Metric, meanInterval, tQuantile975 } from "../../stats";
import {
  type T4Config,
  type T4Data,
  type T4IsoProfile,
  type T4LrSweep,
  type T4Metric,
  type T4PairSeed,
  type T4Run,
  type T4SeedAnalysis,
  t4LearningRate,
} from "./config";

/** Spread of validation loss (nats/token) over the learning rates below which a size counts as not learning. */
export const LR_FLAT_NATS = 0.002;

/**
 * The learning-rate sweep's choice. Per size: the validation loss of each multiplier at the first warm-up
 * fraction (mean over the sweep's replications); the chosen rate is the vertex of a parabola in ln lr
 * through the best multiplier and its two neighbours (the best tried rate itself when it is at an end of
 * the multipliers: then it is a bound, flagged `atEdge`). The rule: least squares of ln lr_opt on ln N over
 * the sizes, the exponent with a 95% t-interval (n − 2 degrees of freedom). Warm-up: the fraction with the
 * lowest validation loss at multiplier 1, averaged over sizes and replications, for every size. Only the
 * validation loss decides: no claim is read. A size whose losses differ by less than {@link LR_FLAT_NATS}
 * over all rates (it does not learn within the budget) is flagged `flat` and left out of the fit.
 */
export function analyseLrSweep(
  runs: ReadonlyArray<T4Run>,
  config: Pick<T4Config, "lrSweep" | "lr" | "lrRefParams" | "lrSizeExponent" | "lrMax">,
  costShareOfGrid: number,
): T4LrSweep {
  const L = config.lrSweep;
  const w0 = L.warmupFractions[0] as number;
  const avg = (xs: number[]): number => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const sizes = [...new Map(runs.map((r) => [`${r.nLayer}:${r.dModel}`, r])).values()].sort((a, b) => a.n - b.n);
  const mults = [...L.multipliers].sort((a, b) => a - b);
  const perSize = sizes.map((s) => {
    const rs = runs.filter((r) => r.nLayer === s.nLayer && r.dModel === s.dModel);
    const lrPrior = t4LearningRate(s.n, config);
    const lrs = mults.map((m) => lrPrior * m);
    const losses = mults.map((m) =>
      avg(rs.filter((r) => r.lrMultiplier === m && r.warmupFraction === w0).map((r) => r.finalLoss)),
    );
    const finite = losses.map((l) => (Number.isFinite(l) ? l : Infinity));
    const k = finite.indexOf(Math.min(...finite));
    const atEdge = k === 0 || k === mults.length - 1;
    let lrOpt = lrs[k] as number;
    if (!atEdge) {
      const xs = [k - 1, k, k + 1].map((i) => Math.log(lrs[i] as number));
      const c = fitParabola(
        xs,
        [k - 1, k, k + 1].map((i) => losses[i] as number),
      );
      const x = -c[1] / (2 * c[2]);
      if (c[2] > 0 && Number.isFinite(x)) lrOpt = Math.exp(Math.min(xs[2] as number, Math.max(xs[0] as number, x)));
    }
    // A size that does not learn within the budget (the same loss at every rate) says nothing about its rate.
    const flat = Math.max(...finite) - Math.min(...finite) < LR_FLAT_NATS;
    return { n: s.n, dModel: s.dModel, nLayer: s.nLayer, lrPrior, lrs, losses, lrOpt, atEdge, flat };
  });
  const used = perSize.filter((p) => !p.flat);
  const xs = used.map((p) => Math.log(p.n));
  const ys = used.map((p) => Math.log(p.lrOpt));
  const fit = linearFit(xs, ys);
  const m = xs.length;
  const mx = avg(xs);
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const sse = xs.reduce((a, x, i) => a + ((ys[i] as number) - fit.intercept - fit.slope * x) ** 2, 0);
  const se = m > 2 ? Math.sqrt(sse / (m - 2) / sxx) : NaN;
  const half = m > 2 ? tQuantile975(m - 2) * se : NaN;
  const warmup = L.warmupFractions.map((fraction) => ({
    fraction,
    loss: avg(runs.filter((r) => r.lrMultiplier === 1 && r.warmupFraction === fraction).map((r) => r.finalLoss)),
  }));
  const bestW = warmup.reduce((a, b) => (b.loss < a.loss ? b : a));
  return {
    runs: [...runs].sort((a, b) => a.replicate - b.replicate || a.n - b.n || a.lr - b.lr),
    perSize,
    warmup,
    rule: {
      refParams: config.lrRefParams,
      lrRef: Math.exp(fit.intercept + fit.slope * Math.log(config.lrRefParams)),
      exponent: fit.slope,
      exponentLo: fit.slope - half,
      exponentHi: fit.slope + half,
      warmupFraction: bestW.fraction,
    },
    costShareOfGrid,
    cpuS: runs.reduce((a, r) => a + r.cpuMs, 0) / 1000,
  };
}

/** The first edition's metrics, now computed on the seed-mean sweep for the figures only (not claims). */
type MeanSweepMetric =
  | "decadesN"
  | "alphaN"
  | "E"
  | "r2N"
  | "fitAlpha"
  | "fitBeta"
  | "fitE"
  | "entropyRate"
  | "computeOptimalA"
  | "impliedComputeExponent"
  | "gammaHeadToHead"
  | "doubledBrainTrainTimeRatio"
  | "doubledBrainDataTimeRatio"
  | "doubledBrainCrossoverFraction"
  | "doubledBrainCrossoverFractionData";

/**
 * An interval of the frontier exponent a mapped through a function of 1/a (decreasing for a > 0).
 * Bounds at or below 0 are taken as 0⁺, so such an interval is unbounded above (Infinity, null in JSON).
 */
function mapExponentInterval(iv: Interval, f: (a: number) => number): Interval {
  const pos = (x: number): number => (x > 0 ? x : Number.MIN_VALUE);
  const a = f(pos(iv.lo));
  const b = f(pos(iv.hi));
  return { mean: f(iv.mean), lo: Math.min(a, b), hi: Math.max(a, b), n: iv.n };
}

/**
 * The first edition's fits, on the seed-mean sweep (each (N, D) cell averaged over its replications), for
 * the figures: runs and the head-to-head scores (scores[size][item]); pure apart from the seeded bootstrap.
 * Its intervals resample sizes, runs or items, not seeds, so no claim reads them.
 */
export function analyseMeanSweep(
  runs: ReadonlyArray<T4Run>,
  scores: ReadonlyArray<ReadonlyArray<number>>,
  config: Pick<T4Config, "bootstrapReps" | "baseYears">,
  lang: ZipfLanguage,
  bootstrapSeed: number,
): { metrics: Record<MeanSweepMetric, Metric>; data: Omit<T4Data, "seeds" | "depths" | "meanRuns"> } {
  const sizesN = [...new Set(runs.map((r) => r.n))].sort((a, b) => a - b);
  const reps = config.bootstrapReps;

  // L(N): for each size, the lowest final loss over its runs (the most-trained, i.e. closest to convergence).
  const sizeRows = sizesN.map((n) => {
    const rs = runs.filter((r) => r.n === n);
    const best = rs.reduce((a, b) => (b.finalLoss < a.finalLoss ? b : a));
    return { n, dModel: best.dModel, nLayer: best.nLayer, bestLoss: best.finalLoss, bestTokens: best.tokens };
  });
  const lossN = fitPowerLaw(
    sizeRows.map((s) => s.n),
    sizeRows.map((s) => s.bestLoss),
  );
  const bootN = bootstrapMany(
    sizeRows,
    (sample) => {
      const f = fitPowerLaw(
        sample.map((s) => s.n),
        sample.map((s) => s.bestLoss),
      );
      // Resamples with fewer than 4 distinct sizes fit 3 parameters exactly: skip them.
      return new Set(sample.map((s) => s.n)).size < 4
        ? { alpha: NaN, r2: NaN, E: NaN }
        : { alpha: f.alpha, r2: f.r2, E: f.E };
    },
    new Rng(deriveSeed(bootstrapSeed, "lossN")),
    reps,
  );

  // Joint L(N, D) from the final loss of every run (Hoffmann approach 3).
  const points = runs.map((r) => ({ n: r.n, d: r.tokens, loss: r.finalLoss }));
  const joint = fitChinchilla(points);
  const bootJ = bootstrapMany(
    points,
    (sample) => {
      const f = fitChinchilla(sample);
      return { alpha: f.alpha, beta: f.beta, E: f.E };
    },
    new Rng(deriveSeed(bootstrapSeed, "joint")),
    Math.max(1, Math.round(reps / 2)),
  );

  // Frontier (approach 1) from every checkpoint of every run; bootstrap over runs.
  const curves: RunCurve[] = runs.map((r) => ({
    n: r.n,
    points: r.curve.map((p) => ({ flops: p.flops, loss: p.loss })),
  }));
  const frontier = computeOptimalFrontier(curves);
  const bootF = bootstrapMany(
    curves,
    (sample) => ({ a: computeOptimalFrontier(sample).a }),
    new Rng(deriveSeed(bootstrapSeed, "frontier")),
    reps,
  );
  const aIv = bootF["a"] as Interval;

  // IsoFLOP profiles: at a few budgets, each size's best loss at that compute (lower envelope of its runs).
  const allFlops = runs.flatMap((r) => r.curve.map((p) => p.flops));
  const fLo = Math.min(...allFlops);
  const fHi = Math.max(...allFlops);
  const sizeCurves = sizesN.map((n) =>
    runs.filter((r) => r.n === n).map((r) => ({ xs: r.curve.map((p) => p.flops), ys: r.curve.map((p) => p.loss) })),
  );
  const isoBudgets = logSpace(fLo * 4, fHi / 2, 5).filter((c) => c > fLo && c < fHi);
  const isoFlop = isoBudgets.map((c) => {
    const ls = sizeCurves.map((cv) => lowerEnvelope(cv, [c])[0] as number);
    const keep = ls.map((l, i) => i).filter((i) => Number.isFinite(ls[i]));
    return { flops: c, n: keep.map((i) => sizesN[i]), loss: keep.map((i) => ls[i]) };
  });

  // Head to head.
  const wins = winMatrix(scores);
  const strengths = bradleyTerry(wins, { prior: 0.5 });
  const gamma = fitSizeExponent(sizesN, wins);
  const gammaFromStrengths = linearFit(sizesN.map(Math.log), strengths.map(Math.log)).slope;
  const itemIdx = Array.from({ length: (scores[0] ?? []).length }, (_, k) => k);
  const bootG = bootstrapMany(
    itemIdx,
    (sample) => ({ gamma: fitSizeExponent(sizesN, winMatrix(scores, sample)) }),
    new Rng(deriveSeed(bootstrapSeed, "gamma")),
    reps,
  );
  const pairs: { i: number; j: number; ratio: number; winRate: number; games: number }[] = [];
  for (let i = 0; i < sizesN.length; i++) {
    for (let j = 0; j < i; j++) {
      const w = (wins[i] as number[])[j] as number;
      const l = (wins[j] as number[])[i] as number;
      pairs.push({ i, j, ratio: sizesN[i] / sizesN[j], winRate: w / (w + l), games: w + l });
    }
  }

  // The doubled brain: adjacent sizes (ratio ≈ 2), per-size lower envelopes along compute and along tokens.
  // "Best loss reachable with at most this much training": the running minimum of each size's
  // lower envelope (a run with a shorter schedule that already ended still counts). Outside the
  // measured range it stays undefined (NaN).
  const runningMin = (xs: number[]): number[] => {
    let m = Infinity;
    return xs.map((x) => (Number.isFinite(x) ? (m = Math.min(m, x)) : NaN));
  };
  const cGrid = logSpace(fLo, fHi, 80);
  const envelopes = sizeCurves.map((cv) => runningMin(lowerEnvelope(cv, cGrid)));
  const tokenCurves = sizesN.map((n) =>
    runs.filter((r) => r.n === n).map((r) => ({ xs: r.curve.map((p) => p.tokens), ys: r.curve.map((p) => p.loss) })),
  );
  const allTokens = runs.flatMap((r) => r.curve.map((p) => p.tokens));
  const dGrid = logSpace(Math.min(...allTokens), Math.max(...allTokens), 80);
  const tokenEnvelopes = tokenCurves.map((cv) => runningMin(lowerEnvelope(cv, dGrid)));
  const optimalFlops = (n: number): number => Math.exp((Math.log(n) - frontier.logK) / frontier.a);
  const doubledPairs = sizesN.slice(0, -1).map((n, i) => {
    const n2 = sizesN[i + 1];
    const cc = crossoverPoint(cGrid, envelopes[i] as number[], envelopes[i + 1] as number[]);
    const cd = crossoverPoint(dGrid, tokenEnvelopes[i] as number[], tokenEnvelopes[i + 1] as number[]);
    const c2 = optimalFlops(n2);
    const d2 = c2 / (6 * n2);
    return {
      n,
      n2,
      computeKind: cc.kind,
      crossoverFlops: cc.x,
      optimalFlops2: c2,
      fraction: cc.x / c2,
      dataKind: cd.kind,
      crossoverTokens: cd.x,
      optimalTokens2: d2,
      fractionData: cd.x / d2,
    };
  });
  const measured = doubledPairs.filter((p) => p.computeKind === "crosses" && Number.isFinite(p.fraction));
  const crossoverFraction: Interval =
    measured.length > 0
      ? meanInterval(
          measured.map((p) => p.fraction),
          [0, Infinity],
        )
      : { mean: NaN, lo: NaN, hi: NaN, n: 0 };
  // Along tokens the larger model is often ahead from the first checkpoint on ("always"): that pair's
  // fraction is an upper bound (its first shared checkpoint); pairs that never cross are left out.
  const measuredD = doubledPairs.filter(
    (p) => (p.dataKind === "crosses" || p.dataKind === "always") && Number.isFinite(p.fractionData),
  );
  const dataFraction =
    measuredD.length > 0
      ? meanInterval(
          measuredD.map((p) => p.fractionData),
          [0, Infinity],
        )
      : NaN;
  const trainTimeRatio = mapExponentInterval({ ...aIv, mean: frontier.a }, (a) => Math.pow(2, 1 / a));
  const dataTimeRatio = mapExponentInterval({ ...aIv, mean: frontier.a }, (a) => Math.pow(2, 1 / a - 1));
  const yearsCompute = config.baseYears * trainTimeRatio.mean;
  const yearsData = config.baseYears * dataTimeRatio.mean;

  const decadesN = Math.log10(sizesN[sizesN.length - 1] / sizesN[0]);
  const metrics: Record<MeanSweepMetric, Metric> = {
    alphaN: { ...(bootN["alpha"] as Interval), mean: lossN.alpha },
    r2N: { ...(bootN["r2"] as Interval), mean: lossN.r2 },
    E: { ...(bootN["E"] as Interval), mean: lossN.E },
    fitAlpha: { ...(bootJ["alpha"] as Interval), mean: joint.alpha },
    fitBeta: { ...(bootJ["beta"] as Interval), mean: joint.beta },
    fitE: { ...(bootJ["E"] as Interval), mean: joint.E },
    computeOptimalA: { ...aIv, mean: frontier.a },
    impliedComputeExponent: mapExponentInterval({ ...aIv, mean: frontier.a }, (a) => 1 / a),
    gammaHeadToHead: { ...(bootG["gamma"] as Interval), mean: gamma },
    doubledBrainTrainTimeRatio: trainTimeRatio,
    doubledBrainDataTimeRatio: dataTimeRatio,
    doubledBrainCrossoverFraction: crossoverFraction,
    doubledBrainCrossoverFractionData: typeof dataFraction === "number" ? NaN : dataFraction,
    decadesN,
    entropyRate: lang.entropyRate(),
  };
  const data: Omit<T4Data, "seeds" | "depths" | "meanRuns"> = {
    language: {
      entropyRate: lang.entropyRate(),
      unigramEntropy: lang.unigramEntropy(),
      tokensPerWord: lang.meanTokensPerWord(),
      sample: lang.decode(lang.sampleTokens(new Rng(deriveSeed(bootstrapSeed, "sample")), 120)),
      topWords: lang.lexicon.slice(0, 12).map((w) => w.text),
    },
    runs,
    sizes: sizeRows,
    lossN,
    joint,
    frontier: { a: frontier.a, logK: frontier.logK, r2: frontier.r2, envelope: frontier.envelope },
    isoFlop,
    headToHead: {
      sizes: sizesN,
      wins,
      strengths,
      gamma,
      gammaFromStrengths,
      items: itemIdx.length,
      scores: scores.map((r) => [...r]),
      pairs,
    },
    doubled: {
      pairs: doubledPairs,
      trainTimeRatio,
      dataTimeRatio,
      years: {
        compute: { total: yearsCompute, behindUntil: crossoverFraction.mean * yearsCompute },
        data: {
          total: yearsData,
          behindUntil: (typeof dataFraction === "number" ? NaN : dataFraction.mean) * yearsData,
        },
      },
      grid: cGrid,
      envelopes,
      tokenGrid: dGrid,
      tokenEnvelopes,
    },
  };
  return { metrics, data };
}

// ---------------------------------------------------------------------------------------------------
// Second edition: one analysis per replication (seed), the intervals over seeds.

/** A run's loss curve along one compute count. */
interface SizeCurves {
  readonly n: number;
  readonly curves: { xs: number[]; ys: number[] }[];
}

/** Least-squares parabola y = c0 + c1 x + c2 x² (NaNs with fewer than 3 points). */
export function fitParabola(xs: ReadonlyArray<number>, ys: ReadonlyArray<number>): [number, number, number] {
  if (xs.length < 3) return [NaN, NaN, NaN];
  // Normal equations of [1, x, x²], centred in x for conditioning.
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const S = [0, 0, 0, 0, 0];
  const T = [0, 0, 0];
  xs.forEach((x0, i) => {
    const x = x0 - mx;
    const y = ys[i] as number;
    let p = 1;
    for (let k = 0; k < 5; k++) {
      S[k] = (S[k] as number) + p;
      if (k < 3) T[k] = (T[k] as number) + p * y;
      p *= x;
    }
  });
  const [s0, s1, s2, s3, s4] = S as [number, number, number, number, number];
  const M = [
    [s0, s1, s2],
    [s1, s2, s3],
    [s2, s3, s4],
  ];
  const det = (m: number[][]): number =>
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const D = det(M);
  if (!(Math.abs(D) > 1e-300)) return [NaN, NaN, NaN];
  const sol = [0, 1, 2].map((c) => det(M.map((row, r) => row.map((v, k) => (k === c ? (T[r] as number) : v)))) / D);
  const [b0, b1, b2] = sol as [number, number, number];
  // Back from x − mx to x.
  return [b0 - b1 * mx + b2 * mx * mx, b1 - 2 * b2 * mx, b2];
}

/**
 * Hoffmann et al.'s approach 2 (IsoFLOP profiles): at each compute budget C, every size's loss at exactly C
 * (the lower envelope of its runs' curves, interpolated between checkpoints), a parabola in ln N through
 * the measured minimum and up to two sizes on each side, its vertex N_opt(C) when the parabola opens upwards,
 * the lowest measured size is not the smallest or largest at that budget, and the vertex lies in the window;
 * then ln N_opt = ln k + a·ln C by least squares (a NaN with fewer than 2 minima). Budgets: `count` log-spaced
 * between the compute where at least 4 sizes have data.
 */
export function isoFlopFit(
  sizesIn: ReadonlyArray<SizeCurves>,
  count = 8,
): { profiles: T4IsoProfile[]; a: number; logK: number } {
  const sizes = [...sizesIn].sort((a, b) => a.n - b.n);
  const allLo = sizes.map((s) => Math.min(...s.curves.map((c) => c.xs[0] as number))).sort((a, b) => a - b);
  const allHi = sizes
    .map((s) => Math.max(...s.curves.map((c) => c.xs[c.xs.length - 1] as number)))
    .sort((a, b) => b - a);
  // The widest range where at least 4 sizes (or all, if fewer) have a loss.
  const k = Math.min(4, sizes.length) - 1;
  const cLo = allLo[k] as number;
  const cHi = allHi[k] as number;
  const budgets = cHi > cLo ? logSpace(cLo * 1.05, cHi / 1.05, count) : [];
  const profiles: T4IsoProfile[] = budgets.map((c) => {
    const ns: number[] = [];
    const ls: number[] = [];
    for (const s of sizes) {
      const l = lowerEnvelope(s.curves, [c])[0] as number;
      if (Number.isFinite(l)) {
        ns.push(s.n);
        ls.push(l);
      }
    }
    // The parabola is fitted near the minimum (Hoffmann et al. fit each profile around its minimum): the
    // lowest measured size and up to two sizes on each side; its vertex must lie inside that window.
    const k0 = ls.indexOf(Math.min(...ls));
    const lo = Math.max(0, k0 - 2);
    const hi = Math.min(ns.length, k0 + 3);
    const wn = ns.slice(lo, hi);
    const coef = fitParabola(
      wn.map((n) => Math.log(n)),
      ls.slice(lo, hi),
    );
    const x = -coef[1] / (2 * coef[2]);
    const inside =
      coef[2] > 0 &&
      wn.length >= 3 &&
      k0 > 0 &&
      k0 < ns.length - 1 &&
      x >= Math.log(wn[0] as number) &&
      x <= Math.log(wn[wn.length - 1] as number);
    return { flops: c, n: ns, loss: ls, nOpt: inside ? Math.exp(x) : NaN, coef };
  });
  const ok = profiles.filter((p) => Number.isFinite(p.nOpt));
  if (ok.length < 2) return { profiles, a: NaN, logK: NaN };
  const fit = linearFit(
    ok.map((p) => Math.log(p.flops)),
    ok.map((p) => Math.log(p.nOpt)),
  );
  return { profiles, a: fit.slope, logK: fit.intercept };
}

/**
 * The compute-optimal exponent of a parametric fit L(N, D) = E + A/N^α + B/D^β under a compute count
 * C = 6·D·nEff(N) (nEff(N) = N for 6ND; N plus the attention term for the attention-inclusive count): on a
 * log grid of C between cLo and cHi, N_opt(C) minimises L(N, C/(6·nEff(N))) over a fine log grid of N; a is
 * the slope of ln N_opt on ln C. With nEff(N) = N it equals β/(α+β) (Hoffmann et al. eq. 4).
 */
export function parametricComputeOptimalA(
  fit: Pick<ChinchillaFit, "E" | "A" | "B" | "alpha" | "beta">,
  nEff: (n: number) => number,
  cLo: number,
  cHi: number,
): number {
  if (![fit.A, fit.B, fit.alpha, fit.beta].every(Number.isFinite) || !(cHi > cLo)) return NaN;
  const nGrid = logSpace(1, 1e12, 1200);
  const cs = logSpace(cLo, cHi, 12);
  const opt = cs.map((c) => {
    let best = Infinity;
    let arg = NaN;
    for (const n of nGrid) {
      const l = chinchillaLoss(fit, n, c / (6 * nEff(n)));
      if (l < best) {
        best = l;
        arg = n;
      }
    }
    return arg;
  });
  if (opt.some((n) => n === nGrid[0] || n === nGrid[nGrid.length - 1] || !Number.isFinite(n))) return NaN;
  return linearFit(
    cs.map((c) => Math.log(c)),
    opt.map((n) => Math.log(n)),
  ).slope;
}

/**
 * The head-to-head contest with chance: on every held-out item each player guesses the next word by
 * sampling from its own distribution, which names the true word with probability p = exp(log-likelihood);
 * a round in which exactly one player is right is won by that player; otherwise the round is replayed (at
 * most `maxRounds` times, then the game is a draw, ½ each). Sampling a Bernoulli(p) per player is exactly
 * the chance that a sampled continuation equals the true word. Returns wins[i][j].
 */
export function guessingGameWins(scores: ReadonlyArray<ReadonlyArray<number>>, rng: Rng, maxRounds = 50): number[][] {
  const m = scores.length;
  const K = (scores[0] ?? []).length;
  const w = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      for (let k = 0; k < K; k++) {
        const pi = Math.exp((scores[i] as number[])[k] as number);
        const pj = Math.exp((scores[j] as number[])[k] as number);
        let winner = -1;
        for (let r = 0; r < maxRounds && winner < 0; r++) {
          const a = rng.next() < pi;
          const b = rng.next() < pj;
          if (a !== b) winner = a ? i : j;
        }
        if (winner === i) (w[i] as number[])[j] = ((w[i] as number[])[j] as number) + 1;
        else if (winner === j) (w[j] as number[])[i] = ((w[j] as number[])[i] as number) + 1;
        else {
          (w[i] as number[])[j] = ((w[i] as number[])[j] as number) + 0.5;
          (w[j] as number[])[i] = ((w[j] as number[])[i] as number) + 0.5;
        }
      }
    }
  }
  return w;
}

/** Non-embedding parameters plus the attention term per token, n_layer·n_ctx·d_model (C = 6·D·this). */
export function attentionParams(run: Pick<T4Run, "n" | "nLayer" | "dModel">, seqLen: number): number {
  return run.n + run.nLayer * seqLen * run.dModel;
}

/**
 * One replication's analysis: every quantity a claim reads, from that replication's runs alone (its
 * seed per (N, D) cell). `entropyRate` is the language's known entropy rate (the pinned E).
 */
export function analyseReplicate(
  runs: ReadonlyArray<T4Run>,
  config: Pick<T4Config, "seqLen">,
  entropyRate: number,
  replicate: number,
  seed: number,
): T4SeedAnalysis {
  const sizeKeys = [...new Map(runs.map((r) => [`${r.nLayer}:${r.dModel}`, r])).values()].sort((a, b) => a.n - b.n);
  const sizeRuns = sizeKeys.map((s) => runs.filter((r) => r.nLayer === s.nLayer && r.dModel === s.dModel));
  const bestPerSize = sizeRuns.map((rs) => rs.reduce((a, b) => (b.finalLoss < a.finalLoss ? b : a)));
  // L(N) on the best loss per size (both depths).
  const lossN = fitPowerLaw(
    bestPerSize.map((r) => r.n),
    bestPerSize.map((r) => r.finalLoss),
  );
  // Approach 3: the parametric fit on every run's final loss, E free and E pinned to the entropy rate.
  const points = runs.map((r) => ({ n: r.n, d: r.tokens, loss: r.finalLoss }));
  const free = fitChinchilla(points);
  const pinned = fitChinchilla(points, { fixedE: entropyRate });
  // nEff(N) for the attention-inclusive count, as a power law through the ladder's (N, N + attention) points.
  const effFit = linearFit(
    sizeKeys.map((r) => Math.log(r.n)),
    sizeKeys.map((r) => Math.log(attentionParams(r, config.seqLen))),
  );
  const nEffAttn = (n: number): number => Math.exp(effFit.intercept + effFit.slope * Math.log(n));
  const flopsAll = runs.flatMap((r) => r.curve.map((p) => p.flops));
  const flopsAttnAll = runs.flatMap((r) => r.curve.map((p) => p.flopsAttn));
  const aParam6 = parametricComputeOptimalA(free, (n) => n, Math.min(...flopsAll), Math.max(...flopsAll));
  const aParamAttn = parametricComputeOptimalA(free, nEffAttn, Math.min(...flopsAttnAll), Math.max(...flopsAttnAll));
  // Approach 2: IsoFLOP profiles with each count.
  const curvesBy = (key: "flops" | "flopsAttn"): SizeCurves[] =>
    sizeRuns.map((rs) => ({
      n: (rs[0] as T4Run).n,
      curves: rs.map((r) => ({ xs: r.curve.map((p) => p[key]), ys: r.curve.map((p) => p.loss) })),
    }));
  const iso6 = isoFlopFit(curvesBy("flops"));
  const isoAttn = isoFlopFit(curvesBy("flopsAttn"));
  // The negative control: a Kaplan world (a = 0.73) on the same (N, D) checkpoints, measured by the same
  // IsoFLOP code. Its surface is fixed before the run, not fitted: E = the entropy rate, β = 0.3, α set so
  // that β/(α+β) = 0.73; B so that the data term at the middle budget is half the runs' mean excess loss,
  // and A so that its 6ND optimum sits at the ladder's geometric middle at the middle compute.
  const kaplanA = 0.73;
  const betaK = 0.3;
  const alphaK = (betaK * (1 - kaplanA)) / kaplanA;
  const meanLoss = runs.reduce((s, r) => s + r.finalLoss, 0) / runs.length;
  const excess = Math.max(meanLoss - entropyRate, 0.05);
  const tokAll0 = runs.map((r) => r.tokens);
  const dMid = Math.sqrt(Math.min(...tokAll0) * Math.max(...tokAll0));
  const Bk = (excess / 2) * Math.pow(dMid, betaK);
  const nMid = Math.sqrt((sizeKeys[0] as T4Run).n * (sizeKeys[sizeKeys.length - 1] as T4Run).n);
  const cMid = Math.sqrt(Math.min(...flopsAll) * Math.max(...flopsAll));
  const G = nMid / Math.pow(cMid / 6, kaplanA);
  const Ak = (Math.pow(G, alphaK + betaK) * betaK * Bk) / alphaK;
  const world = { E: entropyRate, A: Ak, B: Bk, alpha: alphaK, beta: betaK };
  const synthetic: SizeCurves[] = sizeRuns.map((rs) => ({
    n: (rs[0] as T4Run).n,
    curves: rs.map((r) => ({
      xs: r.curve.map((p) => p.flopsAttn),
      ys: r.curve.map((p) => chinchillaLoss(world, r.n, p.tokens)),
    })),
  }));
  const aKaplan = isoFlopFit(synthetic).a;
  // A prediction before the run: fit on every size but the largest N, predict the largest's final losses.
  const nMax = (sizeKeys[sizeKeys.length - 1] as T4Run).n;
  const heldOut = runs.filter((r) => r.n === nMax).sort((a, b) => a.tokens - b.tokens);
  const below = sizeKeys.filter((r) => r.n < nMax && r.nLayer === (heldOut[0] as T4Run).nLayer);
  const nNext = below.length > 0 ? (below[below.length - 1] as T4Run).n : NaN;
  const small = fitChinchilla(points.filter((p) => p.n < nMax));
  const predicted = heldOut.map((r) => chinchillaLoss(small, r.n, r.tokens));
  const persistence = heldOut.map((r) => {
    const prev = runs.find((q) => q.n === nNext && q.tokens === r.tokens);
    return prev ? prev.finalLoss : NaN;
  });
  // The compute-optimal budget of the largest size, predicted before it is trained: the IsoFLOP fit
  // N_opt = k·C^a on the smaller sizes only, inverted at N = nMax; beside it the same from every size.
  const isoSmall = isoFlopFit(curvesBy("flopsAttn").filter((s) => s.n < nMax));
  const nEffMax = attentionParams(heldOut[0] as T4Run, config.seqLen);
  const cOpt = (fit: { a: number; logK: number }): number => Math.exp((Math.log(nMax) - fit.logK) / fit.a);
  const predictedFlops = cOpt(isoSmall);
  const measuredFlops = cOpt(isoAttn);
  const heldFlops = heldOut.flatMap((r) => r.curve.map((p) => p.flopsAttn));
  const inGrid =
    measuredFlops >= Math.min(...heldFlops) &&
    measuredFlops <= Math.max(...heldFlops) &&
    isoAttn.profiles.some((p) => Number.isFinite(p.nOpt) && p.nOpt >= nNext);
  const nextSize = {
    n: nMax,
    predictedFlops,
    predictedTokens: predictedFlops / (6 * nEffMax),
    measuredFlops,
    measuredTokens: measuredFlops / (6 * nEffMax),
    log10Ratio: Math.log10(predictedFlops / measuredFlops),
    inGrid,
  };
  const relErr = (pred: number[]): number =>
    heldOut.reduce((s, r, i) => s + Math.abs((pred[i] as number) - r.finalLoss) / r.finalLoss, 0) / heldOut.length;
  // Head to head: the most-trained run of each size plays (largest token budget; scores recorded).
  const players = sizeRuns
    .map((rs) => rs.reduce((a, b) => (b.tokens > a.tokens ? b : a)))
    .filter((r) => r.scores !== undefined);
  const pn = players.map((r) => r.n);
  const scores = players.map((r) => r.scores as ReadonlyArray<number>);
  const rng = new Rng(deriveSeed(seed, "t4", "game", replicate));
  const gameWins = guessingGameWins(scores, rng);
  const gammaGame = fitSizeExponent(pn, gameWins);
  // Negative control: every player replaced by one model (the median size), so only chance decides.
  const mid = scores[Math.floor(scores.length / 2)] ?? [];
  const gammaIdentical = fitSizeExponent(
    pn,
    guessingGameWins(
      scores.map(() => mid),
      new Rng(deriveSeed(seed, "t4", "game-control", replicate)),
    ),
  );
  const gammaDeterministic = fitSizeExponent(pn, winMatrix(scores));
  const gamePairs: { n: number; n2: number; winRate: number; games: number }[] = [];
  for (let i = 0; i < pn.length; i++)
    for (let j = i + 1; j < pn.length; j++) {
      const w = (gameWins[j] as number[])[i] as number;
      const l = (gameWins[i] as number[])[j] as number;
      gamePairs.push({ n: pn[i] as number, n2: pn[j] as number, winRate: w / (w + l), games: w + l });
    }
  // The doubled brain: adjacent depth-1 sizes, lower envelopes along compute (attention-inclusive) and tokens.
  const runningMin = (xs: number[]): number[] => {
    let m = Infinity;
    return xs.map((x) => (Number.isFinite(x) ? (m = Math.min(m, x)) : NaN));
  };
  const depth1 = sizeRuns.filter((rs) => (rs[0] as T4Run).nLayer === 1);
  const fLo = Math.min(...flopsAttnAll);
  const fHi = Math.max(...flopsAttnAll);
  const cGrid = logSpace(fLo, fHi, 80);
  const tokAll = runs.flatMap((r) => r.curve.map((p) => p.tokens));
  const dGrid = logSpace(Math.min(...tokAll), Math.max(...tokAll), 80);
  const envC = depth1.map((rs) =>
    runningMin(
      lowerEnvelope(
        rs.map((r) => ({ xs: r.curve.map((p) => p.flopsAttn), ys: r.curve.map((p) => p.loss) })),
        cGrid,
      ),
    ),
  );
  const envD = depth1.map((rs) =>
    runningMin(
      lowerEnvelope(
        rs.map((r) => ({ xs: r.curve.map((p) => p.tokens), ys: r.curve.map((p) => p.loss) })),
        dGrid,
      ),
    ),
  );
  const a = isoAttn.a;
  const optimalFlops = (n: number): number => Math.exp((Math.log(n) - isoAttn.logK) / a);
  const pairs: T4PairSeed[] = depth1.slice(0, -1).map((rs, i) => {
    const n = (rs[0] as T4Run).n;
    const big = depth1[i + 1] as T4Run[];
    const n2 = (big[0] as T4Run).n;
    const cc = crossoverPoint(cGrid, envC[i] as number[], envC[i + 1] as number[]);
    const cd = crossoverPoint(dGrid, envD[i] as number[], envD[i + 1] as number[]);
    const c2 = optimalFlops(n2);
    const d2 = c2 / (6 * attentionParams(big[0] as T4Run, config.seqLen));
    return {
      n,
      n2,
      computeKind: cc.kind,
      dataKind: cd.kind,
      fraction: cc.kind === "crosses" ? cc.x / c2 : NaN,
      fractionData: cd.kind === "crosses" ? cd.x / d2 : NaN,
    };
  });
  const meanFinite = (xs: number[]): number => {
    const f = xs.filter(Number.isFinite);
    return f.length > 0 ? f.reduce((s, x) => s + x, 0) / f.length : NaN;
  };
  const slope = (key: "fraction" | "fractionData"): number => {
    const ok = pairs.filter((p) => Number.isFinite(p[key]));
    return ok.length >= 2
      ? linearFit(
          ok.map((p) => Math.log10(p.n)),
          ok.map((p) => p[key]),
        ).slope
      : NaN;
  };
  return {
    replicate,
    alphaN: lossN.alpha,
    E_N: lossN.E,
    fitE_free: free.E,
    fitAlpha: free.alpha,
    fitBeta: free.beta,
    fitAlpha_pinned: pinned.alpha,
    fitBeta_pinned: pinned.beta,
    computeOptimalA_isoflop_6ND: iso6.a,
    computeOptimalA_isoflop_withAttention: isoAttn.a,
    computeOptimalA_parametric_6ND: aParam6,
    computeOptimalA_parametric_withAttention: aParamAttn,
    computeOptimalA_kaplanControl: aKaplan,
    isoWithAttention: isoAttn.profiles,
    isoLogK: isoAttn.logK,
    extrapolation: {
      heldOutN: nMax,
      tokens: heldOut.map((r) => r.tokens),
      observed: heldOut.map((r) => r.finalLoss),
      predicted,
      persistence,
      relError: relErr(predicted),
      relErrorPersistence: relErr(persistence),
    },
    nextSize,
    gammaGame,
    gammaIdentical,
    gammaDeterministic,
    gamePairs,
    pairs,
    crossoverFraction: meanFinite(pairs.map((p) => p.fraction)),
    crossoverFractionData: meanFinite(pairs.map((p) => p.fractionData)),
    crossoverSlope_compute: slope("fraction"),
    crossoverSlope_data: slope("fractionData"),
    trainTimeRatio: Math.pow(2, 1 / a),
    dataTimeRatio: Math.pow(2, 1 / a - 1),
    trainTimeRatio_kaplanControl: Math.pow(2, 1 / aKaplan),
    dataTimeRatio_kaplanControl: Math.pow(2, 1 / aKaplan - 1),
  };
}

/** The record's metrics: each per-seed quantity as `{mean, lo, hi, n}` (t over seeds). */
export function summariseSeeds(
  seeds: ReadonlyArray<T4SeedAnalysis>,
  extra: { decadesN: number; seedsPerCell: number; depths: number; entropyRate: number; lrExponent: Metric },
): Record<T4Metric, Metric> {
  const iv = (f: (s: T4SeedAnalysis) => number): Interval => {
    const vs = seeds.map(f);
    return vs.length >= 2 ? meanInterval(vs) : { mean: vs[0] ?? NaN, lo: NaN, hi: NaN, n: vs.length };
  };
  return {
    decadesN: extra.decadesN,
    seedsPerCell: extra.seedsPerCell,
    depths: extra.depths,
    entropyRate: extra.entropyRate,
    alphaN: iv((s) => s.alphaN),
    E: iv((s) => s.E_N),
    fitAlpha: iv((s) => s.fitAlpha),
    fitBeta: iv((s) => s.fitBeta),
    fitE_free: iv((s) => s.fitE_free),
    fitAlpha_pinned: iv((s) => s.fitAlpha_pinned),
    fitBeta_pinned: iv((s) => s.fitBeta_pinned),
    computeOptimalA_isoflop_6ND: iv((s) => s.computeOptimalA_isoflop_6ND),
    computeOptimalA_isoflop_withAttention: iv((s) => s.computeOptimalA_isoflop_withAttention),
    computeOptimalA_parametric_6ND: iv((s) => s.computeOptimalA_parametric_6ND),
    computeOptimalA_parametric_withAttention: iv((s) => s.computeOptimalA_parametric_withAttention),
    computeOptimalA_kaplanControl: iv((s) => s.computeOptimalA_kaplanControl),
    extrapolationRelError: iv((s) => s.extrapolation.relError),
    extrapolationRelError_persistence: iv((s) => s.extrapolation.relErrorPersistence),
    nextSizeOptimalLog10Tokens_predicted: iv((s) => Math.log10(s.nextSize.predictedTokens)),
    nextSizeOptimalLog10Tokens_measured: iv((s) => Math.log10(s.nextSize.measuredTokens)),
    nextSizeOptimalTokens_log10Ratio: iv((s) => s.nextSize.log10Ratio),
    lrExponent: extra.lrExponent,
    gammaHeadToHead: iv((s) => s.gammaGame),
    gammaHeadToHead_identical: iv((s) => s.gammaIdentical),
    gammaDeterministic: iv((s) => s.gammaDeterministic),
    doubledBrainTrainTimeRatio: iv((s) => s.trainTimeRatio),
    doubledBrainDataTimeRatio: iv((s) => s.dataTimeRatio),
    doubledBrainCrossoverFraction: iv((s) => s.crossoverFraction),
    doubledBrainCrossoverFractionData: iv((s) => s.crossoverFractionData),
    doubledBrainCrossoverSlope_compute: iv((s) => s.crossoverSlope_compute),
    doubledBrainCrossoverSlope_data: iv((s) => s.crossoverSlope_data),
  };
}
