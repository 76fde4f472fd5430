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
  /**
   * Independent runs of every condition (world, init and batches all derive from the run's seed). Five:
   * the asserted claims need an interval over at least five runs (issue 15), and a seed costs about a
   * dozen trainings.
   */
  readonly numSeeds: number;
  /**
   * Runs of the concurrent-vs-sequential comparison (≥ numSeeds): the first numSeeds are the full runs;
   * the others train only the augmented pretraining, its SFT and the concurrent schedule. Eight, since
   * the difference of two noisy accuracies needs more runs than a level.
   */
  readonly concurrentSeeds: number;
  /** The synthetic world of people and their attributes (two-token names: first + last). */
  readonly world: WorldConfig;
  /** Model size (vocabulary and context length come from the world). */
  readonly model: GPTSize;
  /** Next-token pretraining on biographies (augmented or plain), rows packed with whole biographies. */
  readonly pretrain: TrainPhase;
  /** SFT on Q/A pairs of the training people, loss on the answer and <eos> only. */
  readonly sft: TrainPhase;
  /** SFT only (from random init) trains in rounds of sft.numSteps until its training accuracy reaches this… */
  readonly sftOnlyTarget: number;
  /**
   * …or it has trained this many steps: a cap, not a budget. Set from training accuracy alone (base seed 1234,
   * run 0): 95% is reached after 560 steps at quick and 1600 at full (400 questions, two layers); the former caps
   * of 240 and 640 stopped it at 79% and 60%, which left the held-out control half-trained. A from-scratch
   * model at the pretraining rate fits more slowly (57% after 640 steps at quick), so the rate stays SFT's.
   */
  readonly sftOnlyMaxSteps: number;
  /** SFT learning rates for the forgetting sweep, as multiples of sft.lr (1 is the main run). */
  readonly sftLrFactors: ReadonlyArray<number>;
  /** Numbers of SFT people for the LIMA-style curve (fewer than all training people; "all" is the main run). */
  readonly sftPeople: ReadonlyArray<number>;
  /**
   * Concurrent schedules: Q/A shares as multiples of the matched share (the share at which the concurrent
   * run sees as many Q/A documents as sequential SFT). The first is 1, the one compared over concurrentSeeds.
   */
  readonly concurrentMix: ReadonlyArray<number>;
  /** Held-out QA accuracy is measured this many times during SFT and concurrent training (curves). */
  readonly curvePoints: number;
  /** The linear probes on name states. */
  readonly probe: ProbeConfig;
  /** Tokens the base model may generate after the question (to see what it does instead). */
  readonly baseGenTokens: number;
  /** Held-out prompts shown in the base-vs-SFT generations table (seed 0). */
  readonly sampleCount: number;
}

/** The few-shot prompts' numbers of in-context examples (the output contract's k = 1 and k = 4). */
export const FEW_SHOT_K = [1, 4] as const;

/** The defaults: the `quick` profile. */
export const T1_DEFAULTS: Readonly<T1Config> = frozen({
  numSeeds: 5,
  concurrentSeeds: 8,
  world: { numEntities: 100, numAttributes: 3, valuesPerAttribute: 8, heldOutFraction: 0.5, nameParts: 2 },
  model: { dModel: 64, nHead: 4, nLayer: 1, dFF: 0 },
  pretrain: { numSteps: 200, batchSize: 48, lr: 1e-2, minLr: 1e-3, warmupSteps: 15, weightDecay: 0 },
  sft: { numSteps: 40, batchSize: 64, lr: 5e-3, minLr: 5e-4, warmupSteps: 4, weightDecay: 0 },
  sftOnlyTarget: 0.95,
  sftOnlyMaxSteps: 1200,
  sftLrFactors: [0.2, 1, 5],
  sftPeople: [4, 16],
  // Only the matched share at quick: the sweep over shares (smoke exercises it; full measures it over five shares)
  // was a third of quick's CPU, 390 s per base seed with it (base seed 1234, load 3) against the 4-min budget.
  concurrentMix: [1],
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
      concurrentSeeds: 2,
      world: { numEntities: 48, numAttributes: 2, valuesPerAttribute: 4 },
      pretrain: { numSteps: 60, batchSize: 32, warmupSteps: 5 },
      sft: { numSteps: 20, batchSize: 32, warmupSteps: 3 },
      sftOnlyMaxSteps: 40,
      sftPeople: [4],
      concurrentMix: [1, 0.5, 2],
      curvePoints: 2,
      probe: { numSteps: 40 },
      sampleCount: 4,
    },
    full: {
      numSeeds: 8,
      concurrentSeeds: 12,
      world: { numEntities: 200, numAttributes: 4 },
      model: { nLayer: 2 },
      pretrain: { numSteps: 600, warmupSteps: 30 },
      sft: { numSteps: 80, warmupSteps: 5 },
      sftOnlyMaxSteps: 3200,
      sftLrFactors: [0.1, 0.3, 1, 3, 10],
      sftPeople: [4, 16, 64],
      concurrentMix: [1, 0.25, 0.5, 2, 4],
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

/** A probe's accuracy per layer and the layer chosen on the validation people. */
export interface T1Probe {
  readonly valByLayer: number[];
  readonly heldOutByLayer: number[];
  readonly layer: number;
  readonly acc: number;
}

/** Probes at the first and the last name token. */
export interface T1ProbePair {
  readonly first: T1Probe;
  readonly last: T1Probe;
}

/** Per-seed measurements of the full set of conditions (JSON-serialisable). */
export interface T1SeedResult {
  readonly seed: number;
  readonly params: number;
  readonly seqLen: number;
  readonly vocabSize: number;
  /** Base model (augmented pretraining, no SFT), scored three ways by the same answer rule. */
  readonly base: {
    /** Cloze in the pretraining format ("Name lives in ___"), held-out people. */
    cloze: number;
    /** The question, zero-shot. */
    zeroShot: number;
    zeroShotFormat: number;
    /** The first baseGenTokens tokens of the zero-shot continuation contain the right value. */
    contains: number;
    /** Few-shot accuracy per FEW_SHOT_K. */
    fewShot: number[];
  };
  /** The same cloze on the untrained model (the cloze's negative control). */
  readonly clozeRandomInit: number;
  /** Augmented biography loss of the base model (before SFT). */
  readonly pretrainLossBefore: number;
  readonly pretrainSft: {
    acc: number;
    format: number;
    trainAcc: number;
    accByAttribute: number[];
    cloze: number;
    pretrainLoss: number;
    fewShot: number[];
  };
  readonly sftOnly: {
    /** After as many SFT steps as pretrain → SFT had. */
    accMatched: number;
    trainAccMatched: number;
    /** After training to sftOnlyTarget training accuracy (or sftOnlyMaxSteps). */
    acc: number;
    trainAcc: number;
    steps: number;
  };
  readonly plain: { cloze: number; acc: number; trainAcc: number; accByAttribute: number[] };
  /** Held-out accuracy after SFT on the first `people` training people, per corpus (all = the main runs). */
  readonly sftPeople: Array<{ corpus: "augmented" | "plain"; people: number; acc: number }>;
  /** SFT learning-rate sweep from the augmented base model. */
  readonly forgetting: Array<{ lrFactor: number; lr: number; acc: number; pretrainLoss: number }>;
  readonly probe: { augmented: T1ProbePair; plain: T1ProbePair; randomInit: T1ProbePair };
  /** Concurrent schedules, per concurrentMix. */
  readonly concurrent: Array<{
    mix: number;
    qaFraction: number;
    numSteps: number;
    acc: number;
    trainAcc: number;
    pretrainLoss: number;
  }>;
  readonly histories: Record<string, Array<{ step: number; trainLoss: number }>>;
  readonly curves: Record<string, CurvePoint[]>;
  readonly wallMs: Record<string, number>;
}

/** One run of the concurrent-vs-sequential comparison (every seed of concurrentSeeds). */
export interface T1PairResult {
  readonly seed: number;
  readonly sequential: { acc: number; pretrainLoss: number };
  readonly concurrent: { acc: number; pretrainLoss: number };
}

/** A side-by-side row of generations for one held-out question. */
export interface T1Sample {
  readonly question: string;
  readonly answer: string;
  readonly base: string;
  readonly fewShot: string;
  readonly pretrainSft: string;
  readonly sftOnly: string;
  readonly plainSft: string;
  readonly concurrent: string;
}

/** The lengths a concurrent plan needs: the context, a Q/A row, and mean document lengths in tokens. */
export interface T1Lengths {
  readonly seqLen: number;
  readonly qaLen: number;
  readonly meanBioDoc: number;
  readonly meanQaDoc: number;
}

/**
 * Concurrent condition at matched compute: as many training tokens as pretraining + SFT (rows of
 * seqLen tokens), and a Q/A document share such that it sees as many Q/A documents as SFT does
 * (times `mix`). Packing leaves a little padding at the end of rows, so the match is approximate.
 */
export function concurrentPlan(config: T1Config, L: T1Lengths, mix = 1): { qaFraction: number; numSteps: number } {
  const preTokens = config.pretrain.numSteps * config.pretrain.batchSize * L.seqLen;
  const qaDocs = config.sft.numSteps * config.sft.batchSize;
  const sftTokens = qaDocs * L.qaLen;
  const numSteps = Math.max(1, Math.round((preTokens + sftTokens) / (config.pretrain.batchSize * L.seqLen)));
  // Documents in the run ≈ rows × seqLen / mean document length; solve for the Q/A share p.
  const rows = numSteps * config.pretrain.batchSize;
  // rows * seqLen = D * (p Lq + (1 - p) Lb), and p D = qaDocs * mix.
  const target = qaDocs * mix;
  const p = (target * L.meanBioDoc) / (rows * L.seqLen - target * (L.meanQaDoc - L.meanBioDoc));
  return { qaFraction: Math.min(0.95, Math.max(0.001, p)), numSteps };
}

/** Validate a config; errors name the field. */
export function validateT1Config(c: T1Config): void {
  checkRange("t1.numSeeds", c.numSeeds, 1, 100, true);
  checkRange("t1.concurrentSeeds", c.concurrentSeeds, c.numSeeds, 200, true);
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
  checkRange("t1.sftOnlyTarget", c.sftOnlyTarget, 0, 1);
  checkRange("t1.sftOnlyMaxSteps", c.sftOnlyMaxSteps, c.sft.numSteps, 1e6, true);
  if (c.sftLrFactors.length < 1 || !c.sftLrFactors.includes(1))
    throw new Error("t1.sftLrFactors: give at least one factor and include 1 (the main SFT run)");
  for (const f of c.sftLrFactors) checkRange("t1.sftLrFactors[]", f, 1e-3, 1e3);
  for (const n of c.sftPeople) checkRange("t1.sftPeople[]", n, 1, 1e6, true);
  if (c.concurrentMix[0] !== 1) throw new Error("t1.concurrentMix: the first entry must be 1 (the matched share)");
  for (const m of c.concurrentMix) checkRange("t1.concurrentMix[]", m, 0.01, 100);
  checkRange("t1.curvePoints", c.curvePoints, 1, 100, true);
  checkRange("t1.baseGenTokens", c.baseGenTokens, 2, 64, true);
  checkRange("t1.sampleCount", c.sampleCount, 0, 1000, true);
}

// ---------------------------------------------------------------------------------------------
// Figures (pure functions of the record)

export interface T1Data {
  /** 1 / values per attribute. */
  readonly chance: number;
  /** Learning curves averaged over seeds, by name. */
  readonly curves: Record<string, { step: number[]; mean: number[]; lo: number[]; hi: number[] }>;
  /** Probe accuracy per layer on held-out people, per model and name position, over seeds. */
  readonly probeByLayer: Array<{ model: string; position: "first" | "last"; layers: Interval[] }>;
  /** Every full seed's measurements. */
  readonly results: T1SeedResult[];
  /** Every seed of the concurrent-vs-sequential comparison. */
  readonly pairs: T1PairResult[];
  /** Greedy generations of every condition for held-out questions (the first seed). */
  readonly samples: T1Sample[];
  /** The concurrent schedules (first seed's lengths): mix, Q/A share and steps. */
  readonly concurrent: ReadonlyArray<{ readonly mix: number; readonly qaFraction: number; readonly numSteps: number }>;
  /** The SFT people counts of the curve (the last is all training people). */
  readonly sftPeople: number[];
}

/** The metrics of a t1 record: means with 95% t-intervals over seeds (numbers where noted). */
export type T1Metric =
  | "clozeAccBase"
  | "clozeAccRandomInit"
  | "clozeAccPlain"
  | "zeroShotAccBase"
  | "zeroShotFormatBase"
  | "zeroShotContainsBase"
  | "fewShotAccBase_k1"
  | "fewShotAccBase_k4"
  | "fewShotAccPretrainSft_k4"
  | "heldoutAccPretrainSft"
  | "trainAccPretrainSft"
  | "formatRateSft"
  | "heldoutAccSftOnly"
  | "trainAccSftOnly"
  | "heldoutAccSftOnlyMatched"
  | "trainAccSftOnlyMatched"
  | "sftOnlySteps"
  | "heldoutAccPlainSft"
  | "trainAccPlainSft"
  | "augmentedMinusPlain"
  | "probeAcc_augmented_first"
  | "probeAcc_augmented_last"
  | "probeAcc_plain_first"
  | "probeAcc_plain_last"
  | "probeAcc_randomInit_first"
  | "probeAcc_randomInit_last"
  | "pretrainLossBeforeSft"
  | "pretrainLossAfterSft"
  | "bestSftLrFactor"
  | "forgettingAtBestLr"
  | "heldoutAccAtBestLr"
  | "heldoutAccConcurrent"
  | "heldoutAccSequential"
  | "concurrentMinusSequential"
  | "concurrentMinusSequentialAtBestLr"
  | "concurrentMinusSequentialPretrainLoss"
  | "namePartsPerPerson"
  | "chance";

/** A t1 record, as results.json holds it. */
export type T1Record = ResultRecord<T1Config, T1Data, T1Metric>;
