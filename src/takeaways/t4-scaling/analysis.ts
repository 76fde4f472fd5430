import type { ZipfLanguage } from "../../data/zipf-language";
import {
  bootstrapMany,
  bradleyTerry,
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
import { type Interval, type Metric, meanInterval } from "../../stats";
import type { T4Config, T4Data, T4Metric, T4Run } from "./config";

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
 * All the fits of t4 from the runs and the head-to-head scores (scores[size][item]); pure apart from
 * the seeded bootstrap generator, so the notebook can re-analyse a cached sweep.
 */
export function analyseT4(
  runs: ReadonlyArray<T4Run>,
  scores: ReadonlyArray<ReadonlyArray<number>>,
  config: Pick<T4Config, "bootstrapReps" | "baseYears">,
  lang: ZipfLanguage,
  bootstrapSeed: number,
): { metrics: Record<T4Metric, Metric>; data: T4Data } {
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
  const metrics: Record<T4Metric, Metric> = {
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
  const data: T4Data = {
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
