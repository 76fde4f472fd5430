/**
 * Notebook 06's settings: the config with its visible defaults and profiles, and the types of its record.
 */
import { checkRange, defineProfiles, frozen } from "../../config";
import {
  MOTOR_WORLD_DEFAULTS,
  type MotorWorldConfig,
  type PolicyTeacher,
  validateMotorWorldConfig,
} from "../../data/motor-world";
import type { ProbeConfig } from "../../probe";
import type { ResultRecord } from "../../run/results";
import type { TrainPhase } from "../../train";
import type { GPTSize } from "../../transformer";

/** The two predictors: attention (the tiny GPT: neocortex analogue) and no attention (the recurrent net: cerebellum analogue). */
export const ARCHS = ["attention", "noattention"] as const;
export type Arch = (typeof ARCHS)[number];

/**
 * Every predictor: the two of the output contract, and a feed-forward net over a short window (no attention,
 * no recurrence: nothing older than its window reaches it), which shows what a predictor that cannot use a
 * long history looks like in the history sweep (the positive control of the long-history claim).
 */
export const PREDICTORS = [...ARCHS, "window"] as const;
export type Predictor = (typeof PREDICTORS)[number];

/** Short names for figure legends and axes. */
export const ARCH_SHORT: Readonly<Record<Predictor, string>> = frozen({
  attention: "attention",
  noattention: "recurrent",
  window: "window",
});

/** How the tables and the notebook name the predictors. */
export const ARCH_LABELS: Readonly<Record<Predictor, string>> = frozen({
  attention: "attention (tiny GPT)",
  noattention: "no attention (recurrent)",
  window: "no attention, short window (feed-forward)",
});

/** The reaching task that the predictor is repurposed for. */
export interface ReachConfig {
  /** Reaching tasks per seed (each controller gets the same tasks and the same slips). */
  readonly tasks: number;
  /** Exploring steps before the goal appears: the history the hidden perturbation is inferred from. */
  readonly contextSteps: number;
  /** Commands allowed to reach the goal. */
  readonly maxSteps: number;
  /** Fewest places between where the context ends and the goal. */
  readonly minDistance: number;
}

/** The experiment's config. */
export interface T6Config {
  /** Independent runs (world data, initialisations and batches all derive from the run's seed). */
  readonly numSeeds: number;
  /** The world: a ring, four motor commands, a hidden perturbation, slips. */
  readonly world: MotorWorldConfig;
  /**
   * The tiny GPT's size (dFF = 4 dModel); the recurrent net has the same dModel, nLayer and dFF and the
   * state width that gives it the GPT's parameter count.
   */
  readonly model: Pick<GPTSize, "dModel" | "nHead" | "nLayer">;
  /** Steps the feed-forward window predictor sees (its hidden width gives it the GPT's parameter count). */
  readonly window: number;
  /**
   * Training by next-step prediction error only; the task-specific controls (direct classifier, direct
   * policy) train with the same settings on the same episodes.
   */
  readonly train: TrainPhase;
  /**
   * Who labels the direct policy's training rows: `bayes` (the best command given the history the policy
   * sees: the strongest task-specific reference) or `oracle` (the best command for the true z).
   */
  readonly policyTeacher: PolicyTeacher;
  /** Labelled episodes per hidden cause: the probe's training set and the hypotheses of analysis by synthesis. */
  readonly labelledPerLatent: number;
  /** Steps of a labelled episode that stand for its hypothesis in analysis by synthesis. */
  readonly exemplarSteps: number;
  /** Held-out test episodes per hidden cause. */
  readonly testPerLatent: number;
  /** The short episode of the headline numbers: history steps the hidden cause is inferred from. */
  readonly episodeSteps: number;
  /** The history-length sweep (must contain episodeSteps; the longest plus exemplarSteps fits in an episode). */
  readonly historyLengths: ReadonlyArray<number>;
  /** Lengths ≤ this are the short history of the hypothesis test. */
  readonly shortHistory: number;
  /** Lengths ≥ this are the long history of the hypothesis test. */
  readonly longHistory: number;
  /** Held-out episodes for the prediction loss. */
  readonly evalEpisodes: number;
  readonly reach: ReachConfig;
  /** The linear probe on the frozen predictor's state. */
  readonly probe: ProbeConfig;
  /** Training steps at which understanding and generation are also measured (0 and the last step always are). */
  readonly curveSteps: ReadonlyArray<number>;
  /** Episodes per length for the Bayes classifier's reference curve (Monte Carlo). */
  readonly bayesCurveEpisodes: number;
}

/** The defaults: the `quick` profile (about 3 minutes of CPU with the BLAS). */
export const T6_DEFAULTS: Readonly<T6Config> = frozen({
  numSeeds: 5,
  world: { ...MOTOR_WORLD_DEFAULTS },
  model: { dModel: 32, nHead: 4, nLayer: 2 },
  window: 4,
  train: { numSteps: 300, batchSize: 32, lr: 3e-3, minLr: 3e-4, warmupSteps: 20, weightDecay: 0 },
  policyTeacher: "bayes",
  labelledPerLatent: 8,
  exemplarSteps: 8,
  testPerLatent: 24,
  episodeSteps: 8,
  historyLengths: [1, 2, 4, 8, 16, 24],
  shortHistory: 4,
  longHistory: 16,
  evalEpisodes: 128,
  reach: { tasks: 96, contextSteps: 8, maxSteps: 8, minDistance: 3 },
  probe: { numSteps: 150, lr: 0.05, l2: 1e-3 },
  curveSteps: [5, 10, 20, 40, 80, 160],
  bayesCurveEpisodes: 4000,
});

/** Profiles: smoke exercises every path in seconds; full is the paper figure. */
export const T6_PROFILES = defineProfiles(
  T6_DEFAULTS,
  {
    smoke: {
      numSeeds: 2,
      train: { numSteps: 30, batchSize: 16, warmupSteps: 5 },
      labelledPerLatent: 3,
      testPerLatent: 4,
      historyLengths: [1, 8, 24],
      evalEpisodes: 16,
      reach: { tasks: 12 },
      probe: { numSteps: 30 },
      curveSteps: [10],
      bayesCurveEpisodes: 200,
    },
    full: {
      numSeeds: 10,
      train: { numSteps: 800, batchSize: 64, warmupSteps: 40 },
      testPerLatent: 64,
      historyLengths: [1, 2, 4, 6, 8, 12, 16, 20, 24],
      evalEpisodes: 512,
      reach: { tasks: 256 },
      curveSteps: [5, 10, 20, 40, 80, 160, 320, 640],
      bayesCurveEpisodes: 20000,
    },
  },
  "t6-predictive-world-model",
);

/** Validate a config; errors name the field and the fix. */
export function validateT6Config(c: T6Config): void {
  checkRange("t6.numSeeds", c.numSeeds, 1, 1000, true);
  validateMotorWorldConfig(c.world, "t6.world");
  checkRange("t6.model.dModel", c.model.dModel, 4, 1024, true);
  checkRange("t6.model.nLayer", c.model.nLayer, 1, 16, true);
  checkRange("t6.model.nHead", c.model.nHead, 1, c.model.dModel, true);
  if (c.policyTeacher !== "bayes" && c.policyTeacher !== "oracle")
    throw new Error(`t6.policyTeacher: must be "bayes" or "oracle", got ${String(c.policyTeacher)}`);
  checkRange("t6.window", c.window, 1, c.world.episodeLen, true);
  checkRange("t6.train.numSteps", c.train.numSteps, 1, 1e6, true);
  checkRange("t6.train.batchSize", c.train.batchSize, 1, 4096, true);
  checkRange("t6.labelledPerLatent", c.labelledPerLatent, 1, 1e5, true);
  checkRange("t6.testPerLatent", c.testPerLatent, 1, 1e5, true);
  checkRange("t6.evalEpisodes", c.evalEpisodes, 1, 1e6, true);
  const T = c.world.episodeLen;
  if (c.historyLengths.length === 0) throw new Error("t6.historyLengths: give at least one history length");
  c.historyLengths.forEach((h, i) => checkRange(`t6.historyLengths[${i}]`, h, 1, T, true));
  for (let i = 1; i < c.historyLengths.length; i++)
    if ((c.historyLengths[i] as number) <= (c.historyLengths[i - 1] as number))
      throw new Error(`t6.historyLengths: must increase, got [${c.historyLengths.join(", ")}]`);
  if (!c.historyLengths.includes(c.episodeSteps))
    throw new Error(
      `t6.episodeSteps: ${c.episodeSteps} must be one of historyLengths [${c.historyLengths.join(", ")}] (the headline is read from the sweep)`,
    );
  const hMax = Math.max(...c.historyLengths);
  checkRange("t6.exemplarSteps", c.exemplarSteps, 1, T - hMax, true);
  checkRange("t6.shortHistory", c.shortHistory, Math.min(...c.historyLengths), c.longHistory - 1, true);
  checkRange("t6.longHistory", c.longHistory, c.shortHistory + 1, hMax, true);
  checkRange("t6.reach.tasks", c.reach.tasks, 1, 1e6, true);
  checkRange("t6.reach.contextSteps", c.reach.contextSteps, 0, T - 1, true);
  checkRange("t6.reach.maxSteps", c.reach.maxSteps, 1, T - c.reach.contextSteps, true);
  checkRange("t6.reach.minDistance", c.reach.minDistance, 1, Math.floor(c.world.numPositions / 2), true);
  c.curveSteps.forEach((s, i) => checkRange(`t6.curveSteps[${i}]`, s, 1, c.train.numSteps, true));
  checkRange("t6.bayesCurveEpisodes", c.bayesCurveEpisodes, 1, 1e7, true);
}

// ---------------------------------------------------------------------------------------------
// The record

/** Understanding and generation measured at one training step (the learning curves). */
export interface CurvePoint {
  readonly step: number;
  /** Next-step prediction loss on the held-out episodes (nats). */
  readonly predLoss: number;
  /** Analysis-by-synthesis accuracy at the headline history length. */
  readonly synthesis: number;
  /** Linear-probe accuracy at the headline history length. */
  readonly probe: number;
  /** Model-based reaching success. */
  readonly reach: number;
}

/** Accuracy per history length (aligned with `historyLengths`). */
export type Sweep = ReadonlyArray<number>;

/** One run (one seed): every condition's measurements. */
export interface T6SeedResult {
  readonly seed: number;
  /** Parameter counts. */
  readonly params: Readonly<Record<Predictor | "directClassifier" | "directPolicy", number>>;
  /** Held-out next-step loss (nats per step, displacement given command and history). */
  readonly predLoss: Readonly<Record<Predictor, number>>;
  readonly predLossUntrained: Readonly<Record<Predictor, number>>;
  /** The Bayes-optimal predictor's and the no-latent predictor's loss on the same episodes. */
  readonly predLossOptimal: number;
  readonly predLossNoLatent: number;
  /** Latent inference accuracy per history length. */
  readonly sweep: {
    readonly bayes: Sweep;
    readonly direct: Sweep;
    readonly synthesis: Readonly<Record<Predictor, Sweep>>;
    readonly probe: Readonly<Record<Predictor, Sweep>>;
    readonly synthesisUntrained: Readonly<Record<Predictor, Sweep>>;
    readonly probeUntrained: Readonly<Record<Predictor, Sweep>>;
  };
  /** Reaching success of each controller on the same tasks. */
  readonly reach: {
    readonly modelBased: Readonly<Record<Predictor, number>>;
    readonly modelBasedUntrained: Readonly<Record<Predictor, number>>;
    readonly directPolicy: number;
    readonly random: number;
    /** Knows z: the ceiling of one-step control. */
    readonly oracle: number;
    /** The world's exact model with z inferred by Bayes: the best a perfect predictor gives. */
    readonly bayes: number;
  };
  /** Learning curves of both predictors (step 0 is the untrained model). */
  readonly curves: Readonly<Record<Predictor, ReadonlyArray<CurvePoint>>>;
  /** Training loss histories (thinned), by model. */
  readonly histories: Readonly<Record<string, ReadonlyArray<{ step: number; trainLoss: number }>>>;
  readonly wallMs: Readonly<Record<string, number>>;
}

/** What the figures and the notebook need. */
export interface T6Data {
  /** 1 / numLatents. */
  readonly chance: number;
  readonly historyLengths: ReadonlyArray<number>;
  /** The Bayes classifier's accuracy per history length, by Monte Carlo (a smooth reference). */
  readonly bayesCurve: Sweep;
  /** The perturbations in play, by name. */
  readonly perturbations: ReadonlyArray<string>;
  readonly results: ReadonlyArray<T6SeedResult>;
}

/** Metric names: the output contract, then what the contract's numbers rest on (per predictor, window included). */
export type T6Metric =
  | `predLoss_${Predictor}`
  | "predLossOptimal"
  | "predLossNoLatent"
  | `predLossUntrained_${Predictor}`
  | `latentGapCaptured_${Predictor}`
  | `latentAccProbe_${Predictor}`
  | `latentAccSynthesis_${Predictor}`
  | `latentAccUntrained_${Predictor}`
  | `latentAccSynthesisUntrained_${Predictor}`
  | "latentAccDirect"
  | "latentAccBayes"
  | `goalSuccessModelBased_${Predictor}`
  | `goalSuccessModelBasedUntrained_${Predictor}`
  | "goalSuccessDirectPolicy"
  | "goalSuccessRandom"
  | "goalSuccessOracle"
  | "goalSuccessBayes"
  | `latentAccSynthesis_${Predictor}_h${number}`
  | `latentAccProbe_${Predictor}_h${number}`
  | `latentAccDirect_h${number}`
  | `latentAccBayes_h${number}`
  | "understandingFraction"
  | "generationFraction"
  | `understandingFraction_${Predictor}`
  | `generationFraction_${Predictor}`
  | `attentionAdvantage_short`
  | `attentionAdvantage_long`
  | `curveCorrelationUnderstanding_${Predictor}`
  | `curveCorrelationGeneration_${Predictor}`
  | "chance";

/** A t6 record, as results.json holds it. */
export type T6Record = ResultRecord<T6Config, T6Data, T6Metric>;
