/**
 * Takeaway 3's settings: the config with its visible defaults and profiles, and the types of its record.
 */
import { ATTENTION_SYSTEM_DEFAULTS, type AttentionSystemConfig } from "../../attention-system";
import { defineProfiles, frozen } from "../../config";
import { CUED_STREAMS_DEFAULTS, type CuedStreamsConfig } from "../../data/cued-streams";
import { type HeadScores, INDUCTION_DEFAULTS, type InductionConfig } from "../../data/induction";
import type { CapacityRow, CapacitySettings } from "../../hopfield";
import type { ResultRecord } from "../../run/results";
import type { GPTSize } from "../../transformer";

/** Part 3's model and training settings. */
export interface T3InductionConfig extends Pick<GPTSize, "dModel" | "nHead" | "nLayer"> {
  /** Independent GPT runs. */
  readonly numSeeds: number;
  /** The induction task (sequences with a repeated token pair). */
  readonly task: InductionConfig;
  /** Training steps. */
  readonly numSteps: number;
  /** Sequences per training batch. */
  readonly batchSize: number;
  /** Peak learning rate. */
  readonly lr: number;
  /** Learning rate at the end of the cosine decay. */
  readonly minLr: number;
  /** Steps of linear warm-up. */
  readonly warmupSteps: number;
  /** Sequences used to measure the attention scores and the induction accuracy. */
  readonly evalBatchSize: number;
}

/** The experiment's config (one per profile, see {@link T3_PROFILES}). */
export interface T3Config {
  /** Independent seeds for parts 1, 2 and 4 (≥ 3 at quick/full). */
  readonly numSeeds: number;
  /** Part 1: pattern dimension, stored patterns and queries of the equivalence check. */
  readonly equivalence: { readonly d: number; readonly numPatterns: number; readonly numQueries: number };
  /** Part 2: the capacity sweep (d is the pattern dimension; β = 1/√d, attention's, is always included). */
  readonly capacity: CapacitySettings;
  /** Part 2 figure: the loads drawn in the β sweep. */
  readonly betaSweepLoads: ReadonlyArray<number>;
  /** Part 3: the induction task and the tiny GPT. */
  readonly induction: T3InductionConfig;
  /** Part 4: the cued-streams task. */
  readonly streams: CuedStreamsConfig;
  /** Part 4: the two-module system and its training budget. */
  readonly system: AttentionSystemConfig;
  /**
   * Part 4 extra: also train joint systems with signed (tanh) gains and swap them, to see whether two
   * self-consistent systems share a code when the interface has a symmetry the task does not break.
   */
  readonly signedSwap: boolean;
}

/** The defaults: the `quick` profile. */
export const T3_DEFAULTS: Readonly<T3Config> = frozen({
  numSeeds: 3,
  equivalence: { d: 64, numPatterns: 64, numQueries: 32 },
  capacity: {
    d: 100,
    loads: [5, 10, 14, 20, 30, 50, 100, 200, 400, 800],
    betas: [0.01, 0.02, 0.05, 0.1, 0.2, 0.5],
    flipFraction: 0.15,
    minOverlap: 0.9,
    trials: 2,
    maxQueries: 32,
    maxSweeps: 20,
  },
  betaSweepLoads: [30, 100, 400],
  induction: {
    numSeeds: 2,
    task: { ...INDUCTION_DEFAULTS },
    dModel: 32,
    nHead: 2,
    nLayer: 2,
    numSteps: 1200,
    batchSize: 32,
    lr: 3e-3,
    minLr: 1e-3,
    warmupSteps: 30,
    evalBatchSize: 64,
  },
  streams: { ...CUED_STREAMS_DEFAULTS },
  system: { ...ATTENTION_SYSTEM_DEFAULTS },
  signedSwap: true,
});

/** Profiles: smoke exercises every path in seconds; full is the paper figure. */
export const T3_PROFILES = defineProfiles(
  T3_DEFAULTS,
  {
    smoke: {
      numSeeds: 2,
      equivalence: { numPatterns: 32, numQueries: 16 },
      capacity: { loads: [10, 30, 100], betas: [0.02, 0.1, 0.5], trials: 1, maxQueries: 16 },
      betaSweepLoads: [30, 100],
      induction: { numSeeds: 1, numSteps: 40, batchSize: 16, warmupSteps: 10, evalBatchSize: 16 },
      system: { numSteps: 80, adaptSteps: [0, 20, 80], evalSize: 500 },
    },
    full: {
      numSeeds: 5,
      equivalence: { numPatterns: 256, numQueries: 64 },
      capacity: { loads: [5, 10, 14, 20, 30, 50, 100, 200, 400, 800, 1600], trials: 5, maxQueries: 64 },
      betaSweepLoads: [30, 100, 400, 1600],
      induction: { numSeeds: 3, numSteps: 2000, warmupSteps: 50, evalBatchSize: 128 },
      system: { numSteps: 1000, adaptSteps: [0, 10, 25, 50, 100, 200, 400, 1000, 2000] },
    },
  },
  "t3-attention",
);

/** The β of attention for patterns of dimension d. */
export function attentionBeta(d: number): number {
  return 1 / Math.sqrt(d);
}

/** The conditions of part 4, in display order: metric key and label. */
export const T3_CONDITIONS: ReadonlyArray<{ readonly key: T3Metric; readonly label: string }> = [
  { key: "accJoint", label: "(a) joint" },
  { key: "accSeparate", label: "(b) modular" },
  { key: "accDesignedInterface", label: "(b') designed interface" },
  { key: "accAdaptedFinal", label: "(c) modular + adaptation" },
  { key: "accRandomController", label: "(d) random controller" },
  { key: "accSwapped", label: "(e) swapped joint runs" },
];

/** What the figures and the notebook read from `record.data`. */
export interface T3Data {
  readonly d: number;
  readonly attentionBeta: number;
  readonly equivalence: {
    readonly maxAbsDiff: number[];
    readonly maxAbsDiffTf: number[];
    readonly sample: { attention: number[]; hopfield: number[] };
  };
  /** Capacity rows of every seed. */
  readonly capacity: ReadonlyArray<CapacityRow & { readonly seed: number }>;
  /** The smallest swept load where the classical network retrieves < 50% (null if none). */
  readonly claimLoad: number | null;
  readonly induction: {
    readonly scores: ReadonlyArray<HeadScores & { readonly seed: number }>;
    readonly accuracy: number[];
    readonly histories: { name: string; history: { step: number; trainLoss: number }[] }[];
    /** One example sequence of the first seed: tokens, period, attention maps [layer][head][T][T]. */
    readonly example: { tokens: number[]; triggers: number[]; attention: number[][][][] } | null;
  };
  readonly system: {
    readonly perSeed: ReadonlyArray<Omit<AttentionSeedResult, "histories">>;
    readonly swapped: ReadonlyArray<{ controllerSeed: number; processorSeed: number; acc: number }>;
    readonly swappedSigned: ReadonlyArray<{ controllerSeed: number; processorSeed: number; acc: number }>;
    readonly signedJointAcc: number[];
    readonly signedCodes: number[][][];
    readonly chance: number;
    readonly histories: Readonly<Record<string, ReadonlyArray<{ step: number; loss: number }>>>;
  };
}

/** Everything one seed measures. Accuracies are on the seed's fixed evaluation set. */
export interface AttentionSeedResult {
  readonly seed: number;
  /** (a) both modules trained end to end on the task. */
  readonly accJoint: number;
  /** (b) controller trained to represent the cue, processor trained with its private gain table; combined untrained. */
  readonly accSeparate: number;
  /** The modular processor with its own stand-in gains (what it could do with the code it learned). */
  readonly accSeparateOwnStandIn: number;
  /** The modular controller's own objective: accuracy of reading the cue back from its gains. */
  readonly accControllerCueDecoding: number;
  /** (b') both trained separately against one-hot gains, then combined. */
  readonly accDesignedInterface: number;
  /** (c) accuracy of (b) after fine-tuning the processor on the frozen controller, at each of `adaptSteps`. */
  readonly adaptation: ReadonlyArray<{ readonly step: number; readonly acc: number }>;
  /** (d) frozen random controller, processor trained on its gains. */
  readonly accRandomController: number;
  /** The joint processor with uninformative gains (1/2 everywhere): what the streams alone give. */
  readonly accBlind: number;
  /** Gain codes [K][K] (row = cue, column = stream). */
  readonly codes: {
    readonly joint: number[][];
    readonly modularController: number[][];
    readonly modularStandIn: number[][];
    readonly designed: number[][];
    readonly random: number[][];
  };
  /** Loss histories per training mode. */
  readonly histories: Readonly<Record<string, ReadonlyArray<{ step: number; loss: number }>>>;
}

/** The metrics of a t3 record: means with intervals over seeds (retrieval per load M, adaptation per step). */
export type T3Metric =
  | "hopfieldMaxAbsDiff"
  | `${"modern" | "classical"}RetrievalAt_M${number}`
  | "inductionScoreBestHead"
  | "inductionUniformBaseline"
  | "inductionAccuracy"
  | "accJoint"
  | "accSeparate"
  | "accSeparateOwnStandIn"
  | "accControllerCueDecoding"
  | "accDesignedInterface"
  | "accRandomController"
  | "accBlind"
  | "accSwapped"
  | "accJointSigned"
  | "accSwappedSigned"
  | "accAdaptedFinal"
  | `accAdapted_step${number}`
  | "adaptationCeiling"
  | "cuesPassedModular"
  | "jointMinusSeparate"
  | "gainCodeDistanceJoint"
  | "gainCodeDistanceJointSigned"
  | "gainCodeDistanceJointToOneHot"
  | "gainCodeDistanceModular"
  | "gainCodeDistanceModularControllers"
  | "gainSelectivityJoint"
  | "gainSelectivityModularController"
  | "chance";

/** A t3 record, as results.json holds it. */
export type T3Record = ResultRecord<T3Config, T3Data, T3Metric>;
