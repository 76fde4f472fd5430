/**
 * Takeaway 2's settings: the config with its visible defaults and profiles, and the types of its record.
 */
import { checkRange, defineProfiles, frozen } from "../../config";
import { type AnswerFormat, type ChainStyle, gridWidth, type Layout, maxCompletionLength } from "../../data/digits";
import type { CurvePoint } from "../../info";
import type { ResultRecord } from "../../run/results";
import type { Interval } from "../../stats";
import type { HistoryRecord, TrainPhase } from "../../train";
import type { GPTSize } from "../../transformer";

/** The sample design of the information measurements. */
export interface T2InfoConfig {
  /** Distinct problems per answer value (k = kMax), so Y is uniform over 0..modulus-1. */
  readonly perAnswer: number;
  /** Distinct surface forms each problem is rendered in. */
  readonly numForms: number;
  /** (X, Z, Y) samples drawn from the design per seed (pooled over seeds for the estimates). */
  readonly samplesPerSeed: number;
  /** Bootstrap resamples for the intervals. */
  readonly bootstrapReps: number;
  /** Subsamples per size of the estimate-vs-sample-count curves. */
  readonly curveReps: number;
}

/** Configuration of the t2-chain-of-thought experiment. */
export interface T2Config {
  /** Independent runs (each trains one model per format). */
  readonly numSeeds: number;
  /** Smallest number of operands in training. */
  readonly kMin: number;
  /** Largest number of operands in training ("the largest trained k"). */
  readonly kMax: number;
  /** Operand counts beyond training for the length-generalisation test (each > kMax). */
  readonly kLonger: ReadonlyArray<number>;
  /** The sum is taken mod this (10: digits; 2: parity). */
  readonly modulus: number;
  /** `grid` pads every input to the same width; `free` does not (harder; an exercise). */
  readonly layout: Layout;
  /** How abstract steps are written: operand + running sum (`pairs`, default), running sums only (`sums`), or operand, previous and new sum (`triples`). */
  readonly chainStyle: ChainStyle;
  /**
   * Training curriculum: extra probability that a training operand is 0 (tests use uniform digits). A 0
   * operand leaves the running sum unchanged, which gives "read the previous result" a direct training
   * signal; without it the step s_i = s_(i-1) + d_i mod 10 is XOR-like (neither input alone predicts it) and
   * training sits on a long plateau. The same data for every format.
   */
  readonly zeroRate: number;
  /** The tiny GPT of every format (the same for all three). */
  readonly model: GPTSize;
  /** The training budget of every format (the same for all three). */
  readonly train: TrainPhase;
  /** Test problems per k (fresh problems and surface forms, the same for every format). */
  readonly evalPerK: number;
  /**
   * Test problems per new-surface-form test (k uniform in [kMin, kMax]): `unseen` uses characters that never
   * occur in training, `recombined` training characters in new roles.
   */
  readonly evalUnseen: number;
  /** The sample design of the information measurements. */
  readonly info: T2InfoConfig;
}

/** The defaults: the `quick` profile. */
export const T2_DEFAULTS: Readonly<T2Config> = frozen({
  numSeeds: 3,
  kMin: 2,
  kMax: 6,
  kLonger: [7, 8],
  modulus: 10,
  layout: "grid",
  chainStyle: "pairs",
  zeroRate: 0.3,
  model: { dModel: 64, nHead: 4, nLayer: 2, dFF: 512 },
  train: { numSteps: 500, batchSize: 32, lr: 3e-3, minLr: 3e-4, warmupSteps: 20, weightDecay: 0 },
  evalPerK: 64,
  evalUnseen: 128,
  info: { perAnswer: 2, numForms: 12, samplesPerSeed: 2000, bootstrapReps: 200, curveReps: 10 },
});

/** Profiles: smoke exercises every path in seconds; full is the paper figure. */
export const T2_PROFILES = defineProfiles(
  T2_DEFAULTS,
  {
    smoke: {
      numSeeds: 1,
      kMax: 4,
      kLonger: [5],
      train: { numSteps: 300 },
      evalPerK: 32,
      evalUnseen: 32,
      info: { perAnswer: 1, numForms: 8, samplesPerSeed: 400, bootstrapReps: 50, curveReps: 5 },
    },
    full: {
      numSeeds: 5,
      kMax: 8,
      kLonger: [9, 10, 12],
      model: { dModel: 96, dFF: 768 },
      train: { numSteps: 2000, batchSize: 64 },
      evalPerK: 256,
      evalUnseen: 512,
      info: { perAnswer: 4, numForms: 24, samplesPerSeed: 8000, bootstrapReps: 500, curveReps: 20 },
    },
  },
  "t2-chain-of-thought",
);

/** Validate a config; errors name the field and the fix. */
export function validateT2Config(c: T2Config): void {
  checkRange("t2.numSeeds", c.numSeeds, 1, 100, true);
  checkRange("t2.kMin", c.kMin, 1, 32, true);
  checkRange("t2.kMax", c.kMax, c.kMin, 32, true);
  c.kLonger.forEach((k, i) => checkRange(`t2.kLonger[${i}]`, k, c.kMax + 1, 32, true));
  checkRange("t2.modulus", c.modulus, 2, 10, true);
  if (c.layout !== "grid" && c.layout !== "free")
    throw new Error(`t2.layout: must be "grid" or "free", got ${JSON.stringify(c.layout)}`);
  if (!["pairs", "sums", "triples"].includes(c.chainStyle))
    throw new Error(`t2.chainStyle: must be "pairs", "sums" or "triples", got ${JSON.stringify(c.chainStyle)}`);
  if (!(c.zeroRate >= 0 && c.zeroRate < 1)) throw new Error(`t2.zeroRate: must be in [0, 1), got ${c.zeroRate}`);
  checkRange("t2.train.numSteps", c.train.numSteps, 0, 1e7, true);
  checkRange("t2.evalPerK", c.evalPerK, 1, 1e6, true);
  checkRange("t2.evalUnseen", c.evalUnseen, 1, 1e6, true);
  checkRange("t2.info.perAnswer", c.info.perAnswer, 1, 1000, true);
  checkRange("t2.info.numForms", c.info.numForms, 1, 10000, true);
  checkRange("t2.info.samplesPerSeed", c.info.samplesPerSeed, 10, 1e7, true);
  checkRange("t2.info.bootstrapReps", c.info.bootstrapReps, 10, 1e5, true);
  checkRange("t2.info.curveReps", c.info.curveReps, 1, 1e4, true);
}

/** Capitalised format name for metric keys: `accAbstract_k6`. */
export function cap(f: AnswerFormat): Capitalize<AnswerFormat> {
  return (f.charAt(0).toUpperCase() + f.slice(1)) as Capitalize<AnswerFormat>;
}

/** The largest k any input is rendered with (sets the grid width). */
export function kGridOf(c: T2Config): number {
  return Math.max(c.kMax, ...c.kLonger);
}

/** Context length of a format's training rows: prompt + completion + <eos>, minus one. */
export function formatSeqLen(c: T2Config, format: AnswerFormat): number {
  const kg = kGridOf(c);
  const inputLen = c.layout === "grid" ? gridWidth(kg) : 2 * kg;
  return inputLen + 2 + maxCompletionLength(format, c.layout, kg, c.chainStyle);
}

/** A generated completion checked against the truth. */
export interface Generated {
  readonly input: string;
  readonly output: string;
  readonly target: string;
  readonly correct: boolean;
}

/** What one (seed, format) run measured. */
export interface T2Run {
  readonly seed: number;
  readonly format: AnswerFormat;
  /** Accuracy per test group (`k2`, ..., `unseen`, `recombined`). */
  readonly accuracy: Record<string, number>;
  /** Accuracy of the model's answer on the information design (k = kMax). */
  readonly designAccuracy: number;
  readonly finalLoss: number;
  readonly trainMs: number;
  readonly evalMs: number;
  /** Every 10th history record (loss curves). */
  readonly history: ReadonlyArray<Pick<HistoryRecord, "step" | "trainLoss">>;
  /** A few generations: in distribution at kMax, longer, unseen. */
  readonly samples: ReadonlyArray<Generated & { group: string }>;
}

/** One row of mi-samples.csv. */
export type MiRow = {
  readonly format: AnswerFormat;
  readonly x: string;
  readonly z: string;
  readonly y: string;
};

/** Information estimates of one format, pooled over seeds, with bootstrap intervals. */
export interface FormatInfo {
  readonly n: number;
  readonly hX: Interval;
  readonly hY: Interval;
  readonly hZ: Interval;
  readonly iXZ: Interval;
  readonly iZY: Interval;
  /** I(X;Z) / H(X) and I(Z;Y) / H(Y) (bootstrap of the ratio). */
  readonly iXZnorm: Interval;
  readonly iZYnorm: Interval;
  /** Plug-in (no bias correction) point estimates, for comparison. */
  readonly plugIn: { hX: number; hZ: number; hY: number; iXZ: number; iZY: number };
  /** Estimate (Miller–Madow) against sample count. */
  readonly curves: { hX: CurvePoint[]; iXZ: CurvePoint[]; iZY: CurvePoint[]; iXZplugIn: CurvePoint[] };
}

/** Everything the figures and the notebook need. */
export interface T2Data {
  readonly formats: ReadonlyArray<AnswerFormat>;
  readonly ks: ReadonlyArray<number>;
  readonly kMax: number;
  readonly runs: ReadonlyArray<T2Run>;
  readonly info: Record<string, FormatInfo>;
  /** H(X) of the design's X alphabet if sampled exactly uniformly: log2(#problems * #forms). */
  readonly designHX: number;
  readonly designHY: number;
  readonly params: number;
  readonly seqLens: Record<string, number>;
  /** Wall time per stage, ms. */
  readonly timing: { train: number; eval: number; info: number };
}

/** The metrics of a t2 record: accuracies over seeds per format and k; information estimates (bits) pooled over seeds. */
export type T2Metric =
  | `acc${Capitalize<AnswerFormat>}_k${number}`
  | `acc${Capitalize<AnswerFormat>}${"Longer" | "Unseen" | "Recombined"}`
  | "hX"
  | "hY"
  | `${"hZ" | "iXZ" | "iXZnorm" | "iZY" | "iZYnorm"}_${AnswerFormat}`
  | "miSamples";

/** A t2 record, as results.json holds it. */
export type T2Record = ResultRecord<T2Config, T2Data, T2Metric>;
