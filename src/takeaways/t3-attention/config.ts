/**
 * Takeaway 3's settings: the config with its visible defaults and profiles, and the types of its record.
 */
import { ATTENTION_SYSTEM_DEFAULTS, type AttentionSystemConfig, type GainFunction } from "../../attention-system";
import { defineProfiles, frozen } from "../../config";
import { CUED_STREAMS_DEFAULTS, type CuedStreamsConfig } from "../../data/cued-streams";
import { type HeadScores, INDUCTION_DEFAULTS, type InductionConfig } from "../../data/induction";
import type { CapacityCurveSettings, CapacityPoint } from "../../hopfield";
import type { ResultRecord } from "../../run/results";
import type { GPTSize } from "../../transformer";

/** Part 2's model and training settings (the induction GPT). */
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
  /** Training steps at which the attended-pattern counts are measured (0 = the untrained model). */
  readonly checkpoints: ReadonlyArray<number>;
}

/** The experiment's config (one per profile, see {@link T3_PROFILES}). */
export interface T3Config {
  /**
   * Independent seeds of part 1 (the capacity sweep). 5 at quick: the claims are on per-seed slopes,
   * whose spread over seeds is small next to the gap between an exponential and a linear law.
   */
  readonly numSeeds: number;
  /** The worked first step: attention = Hopfield update (pattern dimension, stored patterns, queries). */
  readonly equivalence: { readonly d: number; readonly numPatterns: number; readonly numQueries: number };
  /** Part 1: retrieval against load for several d, to past the modern network's failure. */
  readonly capacity: CapacityCurveSettings;
  /** M_max(d) is the load where retrieval falls through this fraction (0.9). */
  readonly retrievalTarget: number;
  /** Part 2: the induction task and the tiny GPT. */
  readonly induction: T3InductionConfig;
  /** Part 3: the cued-streams task. */
  readonly streams: CuedStreamsConfig;
  /**
   * Part 3: the two-module system of the main condition. Signed (tanh) gains: g and −g carry the same
   * information for the processor, so many codes work equally well and independent runs can differ.
   */
  readonly system: AttentionSystemConfig;
  /**
   * Independent runs of part 3 (≥ 10 at quick, as the issue asks: the swap relation is fitted over the
   * n(n − 1) ordered pairs of runs and bootstrapped over runs).
   */
  readonly systemSeeds: number;
  /** The swap control: the same joint runs with this gain function (sigmoid: one code fits best). */
  readonly controlGainFunction: GainFunction;
}

/** The defaults: the `quick` profile. */
export const T3_DEFAULTS: Readonly<T3Config> = frozen({
  numSeeds: 5,
  equivalence: { d: 64, numPatterns: 64, numQueries: 32 },
  capacity: {
    ds: [16, 32, 48, 64],
    maxLoad: 16384,
    betaMultipliers: [0, 1, 2, 4, 8],
    flipFraction: 0.25,
    minOverlap: 0.9,
    trials: 2,
    maxQueries: 32,
    maxSweeps: 20,
    stopBelow: 0.5,
  },
  retrievalTarget: 0.9,
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
    checkpoints: [0, 100, 300, 600, 1200],
  },
  streams: { ...CUED_STREAMS_DEFAULTS },
  system: {
    ...ATTENTION_SYSTEM_DEFAULTS,
    gainFunction: "tanh",
    numSteps: 400,
    adaptSteps: [0, 10, 25, 50, 100, 200, 400],
    evalSize: 1000,
  },
  systemSeeds: 10,
  controlGainFunction: "sigmoid",
});

/** Profiles: smoke exercises every path in seconds; full is the paper figure. */
export const T3_PROFILES = defineProfiles(
  T3_DEFAULTS,
  {
    smoke: {
      numSeeds: 2,
      equivalence: { numPatterns: 32, numQueries: 16 },
      capacity: { ds: [8, 12, 16, 24], maxLoad: 256, betaMultipliers: [0, 1, 4], trials: 1, maxQueries: 8 },
      induction: {
        numSeeds: 1,
        numSteps: 40,
        batchSize: 16,
        warmupSteps: 10,
        evalBatchSize: 16,
        checkpoints: [0, 20, 40],
      },
      system: { numSteps: 60, adaptSteps: [0, 20, 60], evalSize: 300 },
      systemSeeds: 3,
    },
    full: {
      numSeeds: 10,
      capacity: { ds: [16, 24, 32, 40, 48, 56, 64], maxLoad: 32768, trials: 4, maxQueries: 64 },
      induction: {
        numSeeds: 3,
        numSteps: 2000,
        warmupSteps: 50,
        evalBatchSize: 128,
        checkpoints: [0, 100, 300, 600, 1000, 2000],
      },
      system: { numSteps: 600, adaptSteps: [0, 10, 25, 50, 100, 200, 400, 600, 1000], evalSize: 2000 },
      systemSeeds: 16,
    },
  },
  "t3-attention",
);

/** The β of attention for patterns of dimension d. */
export function attentionBeta(d: number): number {
  return 1 / Math.sqrt(d);
}

/** The conditions of part 3, in display order: metric key and label. */
export const T3_CONDITIONS: ReadonlyArray<{ readonly key: T3Metric; readonly label: string }> = [
  { key: "accJoint", label: "joint" },
  { key: "accModular_cueDecodable", label: "modular: cue decodable" },
  { key: "accModular_salience", label: "modular: salience" },
  { key: "accDesignedInterface", label: "designed interface" },
  { key: "accNoGain", label: "no gain signal" },
  { key: "accSwapped", label: "swapped joint runs" },
  { key: "accSwappedControl", label: "swapped, sigmoid gains (control)" },
];

/** One GPT head's attended-pattern count at one training step. */
export interface AttendedRow {
  readonly seed: number;
  readonly step: number;
  readonly layer: number;
  readonly head: number;
  /** Mean number of keys holding 90% of the attention mass, over query positions t ≥ T/2. */
  readonly attended: number;
  /** The same count for uniform attention over the t + 1 visible keys. */
  readonly uniform: number;
}

/** One ordered swap: controller of run i with the processor of run j. */
export interface SwapRow {
  readonly condition: "main" | "control";
  readonly controllerRun: number;
  readonly processorRun: number;
  /** RMS distance between the two runs' gain codes. */
  readonly distance: number;
  readonly accSwapped: number;
  /** The processor's own joint accuracy. */
  readonly accProcessorJoint: number;
}

/** What the figures and the notebook read from `record.data`. */
export interface T3Data {
  readonly equivalence: {
    readonly maxAbsDiff: number[];
    readonly maxAbsDiffTf: number[];
    readonly sample: { attention: number[]; hopfield: number[] };
  };
  /** Capacity curves of every seed. */
  readonly capacity: ReadonlyArray<CapacityPoint & { readonly seed: number }>;
  /** M_max per seed, d and network ("classical", or "modern" with its β multiplier; "best" = max over β). */
  readonly mMax: ReadonlyArray<{ seed: number; d: number; network: string; mMax: number }>;
  /** The log-slope a linear law M_max ∝ d would give over the swept d (the threshold of "exponential"). */
  readonly linearLogSlope: number;
  readonly induction: {
    readonly scores: ReadonlyArray<HeadScores & { readonly seed: number }>;
    readonly accuracy: number[];
    readonly attended: ReadonlyArray<AttendedRow>;
    readonly histories: { name: string; history: { step: number; trainLoss: number }[] }[];
    /** One example sequence of the first seed: tokens, period, attention maps [layer][head][T][T]. */
    readonly example: { tokens: number[]; triggers: number[]; attention: number[][][][] } | null;
  };
  readonly system: {
    readonly perSeed: ReadonlyArray<AttentionSeedResult>;
    readonly swaps: ReadonlyArray<SwapRow>;
    readonly chance: number;
  };
}

/** Everything one run of part 3 measures. Accuracies are on the run's fixed evaluation set. */
export interface AttentionSeedResult {
  readonly seed: number;
  /** Both modules trained end to end on the task (main gain function). */
  readonly accJoint: number;
  /** The joint run's accuracy during training, at `system.adaptSteps`. */
  readonly jointCurve: ReadonlyArray<{ readonly step: number; readonly acc: number }>;
  /** The same joint training with the control gain function (sigmoid). */
  readonly accJointControl: number;
  /** Modular: controller trained so that a linear read-out recovers the cue from its gains. */
  readonly accModularCueDecodable: number;
  /** Modular: controller trained to make the cued stream the most salient (softmax over gains). */
  readonly accModularSalience: number;
  /** The modular processor with its private stand-in gains (what it could do with its own code). */
  readonly accModularOwnStandIn: number;
  /** Both modules trained separately against one-hot gains, then combined. */
  readonly accDesignedInterface: number;
  /** A processor trained and tested with constant gains (no gain signal). */
  readonly accNoGain: number;
  /** The modular processor fine-tuned on the frozen salience controller, at `system.adaptSteps`. */
  readonly adaptation: ReadonlyArray<{ readonly step: number; readonly acc: number }>;
  /** Fine-tuning steps to 90% of joint accuracy (NaN: not within the steps measured). */
  readonly adaptationStepsTo90: number;
  /** Joint training steps to 90% of its final accuracy. */
  readonly jointStepsTo90: number;
  /** Gain codes [K][K] (row = cue, column = stream). */
  readonly codes: {
    readonly joint: number[][];
    readonly jointControl: number[][];
    readonly modularCueDecodable: number[][];
    readonly modularSalience: number[][];
    readonly modularStandIn: number[][];
  };
}

/** The metrics of a t3 record: means with intervals over seeds. */
export type T3Metric =
  | "hopfieldMaxAbsDiff"
  | `mMax_modern_d${number}`
  | `mMax_modernAttention_d${number}`
  | `mMax_modernBeta0_d${number}`
  | `mMax_classical_d${number}`
  | "capacityLogSlopeModern"
  | "capacityLogSlopeModernAttention"
  | "capacityLogSlopeModernBeta0"
  | "capacityLogSlopeClassical"
  | "capacitySlopeClassical"
  | "capacityLinearLogSlope"
  | `attendedPatterns_head${number}`
  | `attendedPatternsInit_head${number}`
  | "attendedPatternsUniform"
  | "inductionScoreBestHead"
  | "inductionUniformBaseline"
  | "inductionAccuracy"
  | "codeDistanceJoint"
  | "codeDistanceJointControl"
  | "accSwapped"
  | "accSwappedControl"
  | "swapLoss"
  | "swapLossControl"
  | "swapVsDistanceSlope"
  | "jointVsDistanceSlope"
  | "accJoint"
  | "accJointControl"
  | "accModular_cueDecodable"
  | "accModular_salience"
  | "accModularOwnStandIn"
  | "accDesignedInterface"
  | "accNoGain"
  | "adaptationStepsTo90"
  | "adaptationReached90"
  | "jointStepsTo90"
  | "chance";

/** A t3 record, as results.json holds it. */
export type T3Record = ResultRecord<T3Config, T3Data, T3Metric>;
