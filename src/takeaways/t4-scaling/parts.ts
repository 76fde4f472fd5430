/**
 * Takeaway 4's callable parts for the notebook's by-hand section and its exercises: train one ladder of
 * sizes for one seed at one token budget (the first runs of the sweep itself, with the sweep's own seeds),
 * and read from it the three numbers the exercises change: the size exponent α of a power law through
 * the final losses, the entropy rate it is measured against, and the head-to-head exponent γ.
 *
 * Everything here composes run.ts's parts (planT4's units, t4Shared, trainT4Run) and fit.ts; nothing in
 * the experiment calls it, so the experiment's results do not depend on it.
 */
import { fitPowerLaw, fitSizeExponent, linearFit, winMatrix } from "../../fit";
import type { ExperimentContext } from "../../run/experiment";
import type { T4Config, T4LrRule, T4ModelSize, T4Run } from "./config";
import { t4Shared, t4UnitKey, trainT4Run } from "./run";

/** Options of {@link trainLadder}. */
export interface LadderOptions {
  /** The sizes to train (default: the config's depth-1 sizes, the width ladder). */
  readonly sizes?: ReadonlyArray<T4ModelSize>;
  /** The token budget of every run (default: the config's largest, the budget whose runs play head to head). */
  readonly tokens?: number;
  /** Which replication (default 0: the sweep's first seed of each cell). */
  readonly replicate?: number;
  /**
   * The learning-rate rule to train with: a record's `data.lrSweep.rule` makes these the grid's own runs.
   * Without it, the prior rule the sweep looks around (lr ∝ N^(−lrSizeExponent), config.warmupFraction).
   */
  readonly rule?: T4LrRule;
  readonly progress?: ExperimentContext["progress"];
}

/** One ladder: its runs (smallest N first) and the language's entropy rate (the irreducible loss). */
export interface Ladder {
  readonly runs: ReadonlyArray<T4Run>;
  readonly entropyRate: number;
  /** CPU seconds the training took (this process, user + system). */
  readonly cpuSeconds: number;
}

/**
 * Train each size once at one token budget, for one replication, as the sweep trains those cells (same
 * language, seeds and schedule), and score every model on the head-to-head items. With `opts.rule` from a
 * record's learning-rate sweep these are that sweep's replicate-0 runs at its largest budget: the same losses.
 * Without it they train at the prior rule, which needs no learning-rate sweep first (the by-hand section).
 */
export async function trainLadder(config: T4Config, baseSeed: number, opts: LadderOptions = {}): Promise<Ladder> {
  const sizes = opts.sizes ?? config.sizes.filter((s) => s.nLayer === 1);
  if (sizes.length === 0) throw new Error("trainLadder: no sizes (give opts.sizes or a config with depth-1 sizes)");
  const tokens = opts.tokens ?? Math.max(...config.tokens);
  const replicate = opts.replicate ?? 0;
  const shared = t4Shared(config, baseSeed);
  const c0 = process.cpuUsage();
  const runs: T4Run[] = [];
  for (const [i, size] of sizes.entries()) {
    const unit = { replicate, size, tokens, key: t4UnitKey(replicate, size, tokens), plays: true };
    runs.push(
      await trainT4Run(unit, config, baseSeed, shared, {
        ...(opts.progress ? { progress: opts.progress } : {}),
        label: `ladder ${i + 1}/${sizes.length}: ${unit.key}`,
        ...(opts.rule ? { rule: opts.rule } : {}),
      }),
    );
  }
  opts.progress?.done?.("ladder");
  const cpu = process.cpuUsage(c0);
  return {
    runs: [...runs].sort((a, b) => a.n - b.n),
    entropyRate: shared.lang.entropyRate(),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/** What a ladder says: α two ways, and γ of the deterministic likelihood contest. */
export interface LadderFit {
  /** Slope of log(L − E) on log N with E pinned to the entropy rate: L − E = A/N^α (the by-hand fit). */
  readonly alphaPinned: number;
  /** log A of the pinned fit: the law predicts L(N) = E + exp(logAPinned)·N^(−alphaPinned). */
  readonly logAPinned: number;
  readonly r2Pinned: number;
  /** The library's fit L = E + A/N^α with E free (fitPowerLaw). */
  readonly alphaFree: number;
  readonly eFree: number;
  /** γ of P(A beats B) = N_A^γ/(N_A^γ + N_B^γ), each item won by the higher likelihood (NaN without scores). */
  readonly gamma: number;
}

/** Fit a ladder's final losses against N (see {@link LadderFit}). */
export function fitLadder(ladder: Ladder): LadderFit {
  const ns = ladder.runs.map((r) => r.n);
  const losses = ladder.runs.map((r) => r.finalLoss);
  const excess = losses.map((l) => l - ladder.entropyRate);
  const pinned = excess.every((e) => e > 0)
    ? linearFit(ns.map(Math.log), excess.map(Math.log))
    : { slope: NaN, intercept: NaN, r2: NaN };
  const free = fitPowerLaw(ns, losses);
  const scores = ladder.runs.flatMap((r) => (r.scores ? [r.scores] : []));
  const gamma = scores.length === ns.length ? fitSizeExponent(ns, winMatrix(scores)) : NaN;
  return {
    alphaPinned: -pinned.slope,
    logAPinned: pinned.intercept,
    r2Pinned: pinned.r2,
    alphaFree: free.alpha,
    eFree: free.E,
    gamma,
  };
}

/**
 * How far each of `runs` lies from a ladder's pinned law at its own N: (L − E) / (A·N^(−α)), its excess
 * loss over what the law predicts (1: on the law; below 1: better per parameter than the ladder).
 */
export function excessOverLaw(fit: LadderFit, entropyRate: number, runs: ReadonlyArray<T4Run>): number[] {
  return runs.map((r) => (r.finalLoss - entropyRate) / Math.exp(fit.logAPinned - fit.alphaPinned * Math.log(r.n)));
}
