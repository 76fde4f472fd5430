/**
 * Takeaway 1's settings: the config with its visible defaults and profiles, and the types of its record.
 */
import { checkRange, defineProfiles, frozen } from "../../config";
import { validateWorldConfig, type WorldConfig } from "../../data/world";
import type { ProbeConfig } from "../../probe";
import type { ResultRecord } from "../../run/results";
import type { Interval } from "../../stats";
import type { TrainPhase } from "../../train";
import type { GPTSize } from "../../transformer";

/** The experiment's config. */
export interface T1Config {
  /** Independent runs (world, init and batches all derive from the run's seed). */
  readonly numSeeds: number;
  /** The synthetic world of people and their attributes. */
  readonly world: WorldConfig;
  /** Model size (vocabulary and context length come from the world). */
  readonly model: GPTSize;
  /** Next-token pretraining on biographies (augmented or plain). */
  readonly pretrain: TrainPhase;
  /** SFT on Q/A pairs of the training people, loss on the answer and <eos> only. */
  readonly sft: TrainPhase;
  /**
   * Concurrent condition: fraction of rows that are Q/A pairs. 0 = the same number of Q/A rows as
   * sequential SFT sees, spread over the run (same compute, same data, only the schedule differs).
   */
  readonly concurrentQaFraction: number;
  /** Held-out QA accuracy is measured this many times during SFT and concurrent training (curves). */
  readonly curvePoints: number;
  /** The linear probe on the base model's name states. */
  readonly probe: ProbeConfig;
  /** Tokens the base model may generate after the question (to see what it does instead). */
  readonly baseGenTokens: number;
  /** Held-out prompts shown in the base-vs-SFT generations table (seed 0). */
  readonly sampleCount: number;
}

/** The defaults: the `quick` profile (reaches the targets within about 3 minutes with the BLAS). */
export const T1_DEFAULTS: Readonly<T1Config> = frozen({
  numSeeds: 4,
  world: { numEntities: 100, numAttributes: 3, valuesPerAttribute: 8, heldOutFraction: 0.5, nameParts: 1 },
  model: { dModel: 64, nHead: 4, nLayer: 1, dFF: 0 },
  pretrain: { numSteps: 200, batchSize: 128, lr: 1e-2, minLr: 1e-3, warmupSteps: 15, weightDecay: 0 },
  sft: { numSteps: 40, batchSize: 64, lr: 5e-3, minLr: 5e-4, warmupSteps: 4, weightDecay: 0 },
  concurrentQaFraction: 0,
  curvePoints: 4,
  probe: { numSteps: 150, lr: 0.05, l2: 1e-3 },
  baseGenTokens: 6,
  sampleCount: 8,
});

/** Profiles: smoke exercises every path in seconds; full is the paper figure. */
export const T1_PROFILES = defineProfiles(
  T1_DEFAULTS,
  {
    smoke: {
      numSeeds: 1,
      world: { numEntities: 60, numAttributes: 2, valuesPerAttribute: 4 },
      pretrain: { numSteps: 120, batchSize: 64, warmupSteps: 10 },
      sft: { numSteps: 25, batchSize: 32, warmupSteps: 3 },
      curvePoints: 2,
      probe: { numSteps: 50 },
      sampleCount: 6,
    },
    full: {
      numSeeds: 5,
      world: { numEntities: 200, numAttributes: 4 },
      model: { nLayer: 2 },
      pretrain: { numSteps: 600, warmupSteps: 30 },
      sft: { numSteps: 80, warmupSteps: 5 },
      curvePoints: 8,
      probe: { numSteps: 200 },
      sampleCount: 10,
    },
  },
  "t1-world-model",
);

/** A measured point of a learning curve. */
export interface CurvePoint {
  readonly step: number;
  readonly value: number;
}

// ---------------------------------------------------------------------------------------------
// One run (one seed)

/** Per-seed measurements (JSON-serialisable). */
export interface T1SeedResult {
  readonly seed: number;
  readonly params: number;
  readonly seqLen: number;
  readonly vocabSize: number;
  /** Base model (augmented pretraining, no SFT). */
  readonly base: { acc: number; format: number; contains: number; recall: number };
  readonly pretrainSft: {
    acc: number;
    format: number;
    trainAcc: number;
    accByAttribute: number[];
    recallAfter: number;
  };
  readonly sftOnly: { acc: number; format: number; trainAcc: number };
  readonly plain: { recall: number; acc: number; format: number; trainAcc: number; accByAttribute: number[] };
  readonly concurrent: {
    acc: number;
    format: number;
    trainAcc: number;
    recall: number;
    pretrainLoss: number;
    factLoss: number;
  };
  /** Augmented-corpus loss of the sequential model before and after SFT (all tokens; value tokens only). */
  readonly forgetting: { lossBefore: number; lossAfter: number; factLossBefore: number; factLossAfter: number };
  /** Probe accuracy [layer][attribute] on held-out people, for the three models. */
  readonly probe: { augmented: number[][]; plain: number[][]; randomInit: number[][] };
  readonly histories: Record<string, Array<{ step: number; trainLoss: number }>>;
  readonly curves: Record<string, CurvePoint[]>;
  readonly wallMs: Record<string, number>;
}

/** A side-by-side row of generations for one held-out question. */
export interface T1Sample {
  readonly question: string;
  readonly answer: string;
  readonly base: string;
  readonly pretrainSft: string;
  readonly sftOnly: string;
  readonly plainSft: string;
  readonly concurrent: string;
}

/** Concurrent condition: Q/A fraction and steps so that it sees the same rows as pretrain + SFT. */
export function concurrentPlan(config: T1Config): { qaFraction: number; numSteps: number } {
  const pre = config.pretrain.numSteps * config.pretrain.batchSize;
  const qa = config.sft.numSteps * config.sft.batchSize;
  const numSteps = Math.max(1, Math.round((pre + qa) / config.pretrain.batchSize));
  const qaFraction = config.concurrentQaFraction > 0 ? config.concurrentQaFraction : qa / (pre + qa);
  return { qaFraction, numSteps };
}

/** Validate a config; errors name the field. */
export function validateT1Config(c: T1Config): void {
  checkRange("t1.numSeeds", c.numSeeds, 1, 100, true);
  validateWorldConfig(c.world);
  checkRange("t1.model.dModel", c.model.dModel, 4, 1024, true);
  checkRange("t1.model.nLayer", c.model.nLayer, 1, 16, true);
  for (const [name, p] of [
    ["pretrain", c.pretrain],
    ["sft", c.sft],
  ] as const) {
    checkRange(`t1.${name}.numSteps`, p.numSteps, 1, 1e6, true);
    checkRange(`t1.${name}.batchSize`, p.batchSize, 1, 4096, true);
  }
  checkRange("t1.concurrentQaFraction", c.concurrentQaFraction, 0, 1);
  checkRange("t1.curvePoints", c.curvePoints, 1, 100, true);
  checkRange("t1.baseGenTokens", c.baseGenTokens, 2, 64, true);
  checkRange("t1.sampleCount", c.sampleCount, 0, 1000, true);
}

// ---------------------------------------------------------------------------------------------
// The experiment

/** The conditions, in display order, with the label the figures use. */
export const T1_CONDITIONS = [
  { key: "base", label: "base (pretrained only)" },
  { key: "pretrainSft", label: "pretrain → SFT" },
  { key: "sftOnly", label: "SFT only" },
  { key: "plainSft", label: "plain corpus → SFT" },
  { key: "concurrent", label: "concurrent" },
] as const;

// ---------------------------------------------------------------------------------------------
// Figures (pure functions of the record)

export interface T1Data {
  /** 1 / values per attribute. */
  readonly chance: number;
  /** Learning curves averaged over seeds, by name. */
  readonly curves: Record<string, { step: number[]; mean: number[]; lo: number[]; hi: number[] }>;
  /** Probe accuracy per layer (mean over attributes) for each model, over seeds. */
  readonly probeByLayer: Array<{ model: string; layers: Interval[] }>;
  /** Every seed's measurements. */
  readonly results: T1SeedResult[];
  /** Greedy generations of every condition for held-out questions (the first seed). */
  readonly samples: T1Sample[];
  /** The concurrent condition's Q/A fraction and steps. */
  readonly concurrent: { readonly qaFraction: number; readonly numSteps: number };
}

/** The metrics of a t1 record: means with 95% t-intervals over seeds. */
export type T1Metric =
  | "heldoutAccBase"
  | "formatRateBase"
  | "heldoutAccPretrainSft"
  | "formatRateSft"
  | "heldoutAccSftOnly"
  | "heldoutAccPlainSft"
  | "heldoutAccConcurrent"
  | "pretrainLossBeforeSft"
  | "pretrainLossAfterSft"
  | "probeAccBest"
  | "chance"
  | "heldoutContainsBase"
  | "heldoutRecallBase"
  | "heldoutRecallPlain"
  | "heldoutRecallConcurrent"
  | "trainAccPretrainSft"
  | "trainAccSftOnly"
  | "trainAccPlainSft"
  | "trainAccConcurrent"
  | "formatRateSftOnly"
  | "formatRatePlainSft"
  | "formatRateConcurrent"
  | "factLossBeforeSft"
  | "factLossAfterSft"
  | "pretrainLossConcurrent"
  | "factLossConcurrent"
  | "probeAccBestPlain"
  | "probeAccBestRandomInit"
  | "concurrentMinusSequential"
  | "augmentedMinusPlain"
  | "forgettingDelta";

/** A t1 record, as results.json holds it. */
export type T1Record = ResultRecord<T1Config, T1Data, T1Metric>;
