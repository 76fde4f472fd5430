/**
 * Takeaway 3 (Gros 2025, §4): no attention without self-consistency; attention is an associative
 * working memory, a modern Hopfield network (Ramsauer et al. 2020, arXiv:2008.02217).
 *
 * 1. One attention step equals the modern Hopfield update ξ ← X softmax(β Xᵀ ξ) with β = 1/√d.
 * 2. Capacity: the modern (softmax) network retrieves far more random patterns than the classical
 *    Hebbian network (≈ 0.14·d); small β gives metastable averages of many patterns.
 * 3. A tiny GPT trained on "… A B … A → B" grows an induction head (Olsson et al. 2022).
 * 4. Self-consistency: a controller emitting top-down gains and a processor reading gain-modulated
 *    streams work when trained together, not when each is trained on its own objective (Ludueña &
 *    Gros 2013); a designed interface, adaptation, a random controller and swapped joint runs bracket it.
 */
import * as tf from "@tensorflow/tfjs";
import {
  ATTENTION_SYSTEM_DEFAULTS,
  AttentionSeedResult,
  AttentionSystemConfig,
  JointModules,
  evaluatePair,
  gainCodeDistance,
  gainSelectivity,
  makeEvalSet,
  oneHotCode,
  runAttentionSeed,
  trainJoint,
  validateAttentionSystemConfig,
} from "../../attention-system";
import { checkRange, frozen } from "../../config";
import { CUED_STREAMS_DEFAULTS, CuedStreamsConfig, createCuedStreamsTask } from "../../data/cued-streams";
import {
  INDUCTION_DEFAULTS,
  InductionConfig,
  inductionSampler,
  inductionScores,
  inductionVocabSize,
  sampleInductionBatch,
  validateInductionConfig,
  HeadScores,
} from "../../data/induction";
import { ExperimentContext, ExperimentOutput, registerExperiment } from "../../run/experiment";
import { attentionHopfieldMaxAbsDiff, CapacityRow, CapacitySettings, capacitySweep } from "../../hopfield";
import { barFigure, Figure, heatmapGridFigure, lineFigure, LineSeries, lossCurveFigure, scatterFigure, withHorizontalLines, withVerticalLines } from "../../present/plot";
import type { Interval, Metric, ResultRecord } from "../../run/results";
import { Rng, deriveSeed } from "../../rng";
import { claim, mean, meanInterval } from "../../stats";
import { trainModel } from "../../train";
import { createGPT } from "../../transformer";

/** Part 3's model and training settings. */
export interface T3InductionConfig {
  /** Independent GPT runs. */
  readonly numSeeds: number;
  readonly task: InductionConfig;
  readonly dModel: number;
  readonly nHead: number;
  readonly nLayer: number;
  readonly numSteps: number;
  readonly batchSize: number;
  /** Peak learning rate, and the end of its cosine decay. */
  readonly lr: number;
  readonly minLr: number;
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

const CAPACITY_QUICK: CapacitySettings = {
  d: 100,
  loads: [5, 10, 14, 20, 30, 50, 100, 200, 400, 800],
  betas: [0.01, 0.02, 0.05, 0.1, 0.2, 0.5],
  flipFraction: 0.15,
  minOverlap: 0.9,
  trials: 2,
  maxQueries: 32,
  maxSweeps: 20,
};

export const T3_PROFILES = {
  smoke: frozen<T3Config>({
    numSeeds: 2,
    equivalence: { d: 64, numPatterns: 32, numQueries: 16 },
    capacity: { ...CAPACITY_QUICK, loads: [10, 30, 100], betas: [0.02, 0.1, 0.5], trials: 1, maxQueries: 16 },
    betaSweepLoads: [30, 100],
    induction: { numSeeds: 1, task: { ...INDUCTION_DEFAULTS }, dModel: 32, nHead: 2, nLayer: 2, numSteps: 40, batchSize: 16, lr: 3e-3, minLr: 1e-3, warmupSteps: 10, evalBatchSize: 16 },
    streams: { ...CUED_STREAMS_DEFAULTS },
    system: { ...ATTENTION_SYSTEM_DEFAULTS, numSteps: 80, adaptSteps: [0, 20, 80], evalSize: 500 },
    signedSwap: true,
  }),
  quick: frozen<T3Config>({
    numSeeds: 3,
    equivalence: { d: 64, numPatterns: 64, numQueries: 32 },
    capacity: CAPACITY_QUICK,
    betaSweepLoads: [30, 100, 400],
    induction: { numSeeds: 2, task: { ...INDUCTION_DEFAULTS }, dModel: 32, nHead: 2, nLayer: 2, numSteps: 1200, batchSize: 32, lr: 3e-3, minLr: 1e-3, warmupSteps: 30, evalBatchSize: 64 },
    streams: { ...CUED_STREAMS_DEFAULTS },
    system: { ...ATTENTION_SYSTEM_DEFAULTS },
    signedSwap: true,
  }),
  full: frozen<T3Config>({
    numSeeds: 5,
    equivalence: { d: 64, numPatterns: 256, numQueries: 64 },
    capacity: { ...CAPACITY_QUICK, loads: [5, 10, 14, 20, 30, 50, 100, 200, 400, 800, 1600], trials: 5, maxQueries: 64 },
    betaSweepLoads: [30, 100, 400, 1600],
    induction: { numSeeds: 3, task: { ...INDUCTION_DEFAULTS }, dModel: 32, nHead: 2, nLayer: 2, numSteps: 2000, batchSize: 32, lr: 3e-3, minLr: 1e-3, warmupSteps: 50, evalBatchSize: 128 },
    streams: { ...CUED_STREAMS_DEFAULTS },
    system: { ...ATTENTION_SYSTEM_DEFAULTS, numSteps: 1000, adaptSteps: [0, 10, 25, 50, 100, 200, 400, 1000, 2000] },
    signedSwap: true,
  }),
};

/** The β of attention for patterns of dimension d. */
export function attentionBeta(d: number): number {
  return 1 / Math.sqrt(d);
}

/** The conditions of part 4, in display order: metric key and label. */
export const T3_CONDITIONS: ReadonlyArray<{ readonly key: string; readonly label: string }> = [
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
  readonly equivalence: { readonly maxAbsDiff: number[]; readonly maxAbsDiffTf: number[]; readonly sample: { attention: number[]; hopfield: number[] } };
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

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function acc01(xs: ReadonlyArray<number>): Interval {
  return meanInterval(xs, [0, 1]);
}

function checkAborted(ctx: ExperimentContext): void {
  if (ctx.signal?.aborted) throw new Error("t3-attention: aborted");
}

/** Pairwise distances between the codes of different runs (i < j). */
function pairwise(codes: ReadonlyArray<number[][]>): number[] {
  const out: number[] = [];
  for (let i = 0; i < codes.length; i++) for (let j = i + 1; j < codes.length; j++) out.push(gainCodeDistance(codes[i]!, codes[j]!));
  return out;
}

/** Swap controllers and processors across runs: controller i with processor i+1 (mod n). */
function swapAcross(
  task: ReturnType<typeof createCuedStreamsTask>,
  joints: ReadonlyArray<JointModules>,
  evs: ReadonlyArray<ReturnType<typeof makeEvalSet>>,
  seeds: ReadonlyArray<number>,
): { controllerSeed: number; processorSeed: number; acc: number }[] {
  if (joints.length < 2) return [];
  return joints.map((jc, i) => {
    const j = (i + 1) % joints.length;
    return { controllerSeed: seeds[i]!, processorSeed: seeds[j]!, acc: evaluatePair(task, jc.controller, joints[j]!.processor, evs[j]!) };
  });
}

async function runInduction(config: T3Config, ctx: ExperimentContext, seeds: ReadonlyArray<number>): Promise<T3Data["induction"]> {
  const ic = config.induction;
  validateInductionConfig(ic.task, "t3.induction.task");
  const scores: (HeadScores & { seed: number })[] = [];
  const accuracy: number[] = [];
  const histories: { name: string; history: { step: number; trainLoss: number }[] }[] = [];
  let example: T3Data["induction"]["example"] = null;
  for (let i = 0; i < ic.numSeeds; i++) {
    checkAborted(ctx);
    const seed = seeds[i] ?? deriveSeed(ctx.seed, "t3", "induction", i);
    const model = createGPT(
      { vocabSize: inductionVocabSize(ic.task), seqLen: ic.task.seqLen, dModel: ic.dModel, nHead: ic.nHead, nLayer: ic.nLayer, dFF: 0, tieWeights: false },
      deriveSeed(seed, "induction", "init"),
    );
    try {
      const label = `t3 induction GPT (seed ${i + 1}/${ic.numSeeds})`;
      const res = await trainModel(
        model,
        inductionSampler(ic.task),
        { numSteps: ic.numSteps, batchSize: ic.batchSize, lr: ic.lr, minLr: Math.min(ic.minLr, ic.lr), warmupSteps: Math.min(ic.warmupSteps, ic.numSteps), weightDecay: 0.01, evalEvery: 0 },
        { seed: deriveSeed(seed, "induction", "batches"), progress: ctx.progress, label, ...(ctx.signal ? { signal: ctx.signal } : {}) },
      );
      const every = Math.max(1, Math.floor(res.history.length / 200));
      histories.push({ name: `seed ${i + 1}`, history: res.history.filter((_, k) => k % every === 0 || k === res.history.length - 1).map((h) => ({ step: h.step, trainLoss: h.trainLoss })) });
      const batch = sampleInductionBatch(ic.task, new Rng(deriveSeed(seed, "induction", "eval")), ic.evalBatchSize);
      const { att, pred } = tf.tidy(() => {
        const out = model.forward(tf.tensor2d(batch.x, undefined, "int32"), { returnAttention: true });
        return {
          att: (out.attention ?? []).map((a) => a.arraySync() as number[][][][]),
          pred: tf.argMax(out.logits, 2).arraySync() as number[][],
        };
      });
      let ok = 0;
      let n = 0;
      batch.mask.forEach((m, b) =>
        m.forEach((v, q) => {
          if (v === 1) {
            n++;
            if (pred[b]![q] === batch.y[b]![q]) ok++;
          }
        }),
      );
      accuracy.push(n ? ok / n : NaN);
      for (const s of inductionScores(att, batch.x, batch.triggers)) scores.push({ ...s, seed });
      if (i === 0) example = { tokens: batch.x[0]!, triggers: batch.triggers[0]!, attention: att.map((layer) => layer[0]!) };
    } finally {
      model.dispose();
    }
  }
  return { scores, accuracy, histories, example };
}

async function run(config: T3Config, ctx: ExperimentContext): Promise<ExperimentOutput> {
  const seeds = Array.from({ length: config.numSeeds }, (_, i) => deriveSeed(ctx.seed, "t3", i));
  checkRange("t3.numSeeds", config.numSeeds, 1, 1000, true);
  checkRange("t3.induction.numSeeds", config.induction.numSeeds, 0, 1000, true);
  validateInductionConfig(config.induction.task, "t3.induction.task");
  validateAttentionSystemConfig(config.system, "t3.system");
  const d = config.capacity.d;
  const betaAtt = attentionBeta(d);
  const betas = [...new Set([...config.capacity.betas, betaAtt])].sort((a, b) => a - b);
  const capSettings: CapacitySettings = { ...config.capacity, betas };

  // Part 1: attention = Hopfield update.
  const eq = seeds.map((s) => attentionHopfieldMaxAbsDiff(new Rng(deriveSeed(s, "equivalence")), config.equivalence.d, config.equivalence.numPatterns, config.equivalence.numQueries));
  ctx.progress.update({ label: "t3 equivalence", step: 1, total: 1, info: { maxAbsDiff: Math.max(...eq.map((e) => e.maxAbsDiff)) } });

  // Part 2: capacity, one sweep per seed.
  const capacity: (CapacityRow & { seed: number })[] = [];
  seeds.forEach((s, i) => {
    checkAborted(ctx);
    for (const r of capacitySweep(capSettings, new Rng(deriveSeed(s, "capacity")), (l, n) => ctx.progress.update({ label: `t3 capacity (seed ${i + 1}/${seeds.length})`, step: l, total: n }))) {
      capacity.push({ ...r, seed: s });
    }
  });
  const at = (network: "modern" | "classical", M: number): number[] =>
    capacity.filter((r) => r.network === network && r.M === M && (network === "classical" || r.beta === betaAtt)).map((r) => r.accuracy);
  const claimLoad = config.capacity.loads.find((M) => mean(at("classical", M)) < 0.5) ?? null;

  // Part 3: induction heads in a tiny GPT.
  const inductionSeeds = Array.from({ length: config.induction.numSeeds }, (_, i) => deriveSeed(ctx.seed, "t3", "induction", i));
  const induction = await runInduction(config, ctx, inductionSeeds);

  // Part 4: self-consistency. One task (the world) for every seed; seeds vary init and data.
  const task = createCuedStreamsTask(config.streams, deriveSeed(ctx.seed, "t3", "cued-streams"));
  const perSeed: AttentionSeedResult[] = [];
  const joints: JointModules[] = [];
  const signedJoints: JointModules[] = [];
  const evs = seeds.map((s) => makeEvalSet(task, config.system, deriveSeed(s, "system", "eval")));
  let swapped: { controllerSeed: number; processorSeed: number; acc: number }[] = [];
  let swappedSigned: { controllerSeed: number; processorSeed: number; acc: number }[] = [];
  const signedJointAcc: number[] = [];
  const signedCodes: number[][][] = [];
  try {
    seeds.forEach((s, i) => {
      checkAborted(ctx);
      const label = `t3 self-consistency (seed ${i + 1}/${seeds.length})`;
      const { result, joint } = runAttentionSeed(task, config.system, deriveSeed(s, "system"), evs[i]!, {
        onPhase: (phase, step, total) => {
          if (step % 50 === 0 || step === total) ctx.progress.update({ label, step, total, info: { phase } });
        },
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      perSeed.push(result);
      joints.push(joint);
    });
    swapped = swapAcross(task, joints, evs, seeds);
    if (config.signedSwap) {
      const signedSys: AttentionSystemConfig = { ...config.system, gainFunction: "tanh" };
      seeds.forEach((s, i) => {
        checkAborted(ctx);
        const j = trainJoint(task, signedSys, deriveSeed(s, "system", "signed"), {
          onStep: (step) => {
            if (step % 50 === 0 || step === signedSys.numSteps) ctx.progress.update({ label: `t3 signed gains (seed ${i + 1}/${seeds.length})`, step, total: signedSys.numSteps });
          },
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        signedJoints.push(j);
        signedJointAcc.push(evaluatePair(task, j.controller, j.processor, evs[i]!));
        signedCodes.push(j.controller.gainCode());
      });
      swappedSigned = swapAcross(task, signedJoints, evs, seeds);
    }
  } finally {
    [...joints, ...signedJoints].forEach((j) => {
      j.controller.dispose();
      j.processor.dispose();
    });
  }

  // Metrics.
  const K = config.streams.numStreams;
  const metrics: Record<string, Metric> = {};
  metrics["hopfieldMaxAbsDiff"] = Math.max(...eq.map((e) => e.maxAbsDiff));
  for (const M of config.capacity.loads) {
    metrics[`modernRetrievalAt_M${M}`] = acc01(at("modern", M));
    metrics[`classicalRetrievalAt_M${M}`] = acc01(at("classical", M));
  }
  const bestHead = inductionSeeds.map((s) => Math.max(...induction.scores.filter((x) => x.seed === s).map((x) => x.induction)));
  const none: Interval = { mean: NaN, lo: NaN, hi: NaN, n: 0 };
  metrics["inductionScoreBestHead"] = bestHead.length ? acc01(bestHead) : none;
  metrics["inductionUniformBaseline"] = induction.scores.length ? mean(induction.scores.map((x) => x.uniformBaseline)) : NaN;
  metrics["inductionAccuracy"] = induction.accuracy.length ? acc01(induction.accuracy) : none;
  const col = (f: (r: AttentionSeedResult) => number) => perSeed.map(f);
  metrics["accJoint"] = acc01(col((r) => r.accJoint));
  metrics["accSeparate"] = acc01(col((r) => r.accSeparate));
  metrics["accDesignedInterface"] = acc01(col((r) => r.accDesignedInterface));
  metrics["accAdaptedFinal"] = acc01(col((r) => r.adaptation[r.adaptation.length - 1]!.acc));
  metrics["accRandomController"] = acc01(col((r) => r.accRandomController));
  metrics["accSwapped"] = swapped.length ? acc01(swapped.map((x) => x.acc)) : none;
  metrics["jointMinusSeparate"] = meanInterval(col((r) => r.accJoint - r.accSeparate));
  metrics["accSeparateOwnStandIn"] = acc01(col((r) => r.accSeparateOwnStandIn));
  metrics["accControllerCueDecoding"] = acc01(col((r) => r.accControllerCueDecoding));
  metrics["accBlind"] = acc01(col((r) => r.accBlind));
  metrics["chance"] = 1 / config.streams.numClasses;
  const jointCodes = perSeed.map((r) => r.codes.joint);
  metrics["gainCodeDistanceJoint"] = jointCodes.length > 1 ? meanInterval(pairwise(jointCodes)) : NaN;
  metrics["gainCodeDistanceModular"] = meanInterval(perSeed.map((r) => gainCodeDistance(r.codes.modularController, r.codes.modularStandIn)));
  metrics["gainCodeDistanceModularControllers"] = perSeed.length > 1 ? meanInterval(pairwise(perSeed.map((r) => r.codes.modularController))) : NaN;
  metrics["gainCodeDistanceJointToOneHot"] = meanInterval(jointCodes.map((c) => gainCodeDistance(c, oneHotCode(K))));
  metrics["gainSelectivityJoint"] = meanInterval(jointCodes.map(gainSelectivity));
  metrics["gainSelectivityModularController"] = meanInterval(perSeed.map((r) => gainSelectivity(r.codes.modularController)));
  if (config.signedSwap) {
    metrics["gainCodeDistanceJointSigned"] = signedCodes.length > 1 ? meanInterval(pairwise(signedCodes)) : NaN;
    metrics["accJointSigned"] = acc01(signedJointAcc);
    metrics["accSwappedSigned"] = swappedSigned.length ? acc01(swappedSigned.map((x) => x.acc)) : none;
  }
  // The adaptation ceiling: a cue whose own stream the modular controller turns down (gain < ½) has lost
  // its answer at the interface; no processor can beat chance there. Elsewhere assume joint accuracy.
  const passed = perSeed.map((r) => r.codes.modularController.filter((row, c) => row[c]! >= 0.5).length / K);
  metrics["cuesPassedModular"] = acc01(passed);
  metrics["adaptationCeiling"] = acc01(perSeed.map((r, i) => passed[i]! * r.accJoint + (1 - passed[i]!) / config.streams.numClasses));
  for (const step of config.system.adaptSteps) {
    metrics[`accAdapted_step${step}`] = acc01(perSeed.map((r) => r.adaptation.find((a) => a.step === step)!.acc));
  }

  // Claims.
  const v = (k: string) => {
    const m = metrics[k];
    return m === undefined ? NaN : typeof m === "number" ? m : m.mean;
  };
  const modernAtClaim = claimLoad === null ? NaN : mean(at("modern", claimLoad));
  const claims = [
    claim("hopfield-equivalence", "one attention step equals the modern Hopfield update (max abs difference)", v("hopfieldMaxAbsDiff"), "<=", 1e-5),
    claim(
      "modern-capacity",
      claimLoad === null
        ? `the classical network never fell below 50% retrieval in the swept loads (d = ${d}), so the comparison could not be made`
        : `at M = ${claimLoad} (M/d = ${(claimLoad / d).toFixed(2)}, the smallest swept load where the classical Hebbian network retrieves < 50%), the modern network with attention's β = 1/√d retrieves ≥ 95% (d = ${d})`,
      modernAtClaim,
      ">=",
      0.95,
    ),
    claim("induction-head", `an induction head emerges: the best head's attention from the second A to the token after the first A (uniform attention would give ${v("inductionUniformBaseline").toFixed(3)})`, v("inductionScoreBestHead"), ">=", 0.3, false),
    claim("joint-beats-modular", "joint training beats the modular combination (b) by ≥ 20 percentage points (mean accuracy difference)", v("accJoint") - v("accSeparate"), ">=", 0.2),
    claim("designed-interface", "a designed interface (one-hot gains fixed from outside) also works (stated)", v("accDesignedInterface"), ">=", 0.9, false),
    claim(
      "adaptation",
      `after ${config.system.adaptSteps[config.system.adaptSteps.length - 1]} steps of fine-tuning the modular processor on the frozen controller, accuracy reaches the ceiling the controller's code leaves (cues whose stream it turns down are lost; ceiling ${v("adaptationCeiling").toFixed(3)}, joint ${v("accJoint").toFixed(3)}) within 0.05 (stated)`,
      v("accAdaptedFinal"),
      ">=",
      round3(v("adaptationCeiling") - 0.05),
      false,
    ),
    claim("swapped", "the controller of one joint run works with the processor of another (stated: do self-consistent systems share a code?)", v("accSwapped"), ">=", round3(v("accJoint") - 0.05), false),
  ];
  if (config.signedSwap) {
    claims.push(claim("swapped-signed", "with signed (tanh) gains, swapped joint runs still work (stated)", v("accSwappedSigned"), ">=", round3(v("accJointSigned") - 0.05), false));
  }

  const data: T3Data = {
    d,
    attentionBeta: betaAtt,
    equivalence: { maxAbsDiff: eq.map((e) => e.maxAbsDiff), maxAbsDiffTf: eq.map((e) => e.maxAbsDiffTf), sample: eq[0]!.sample },
    capacity,
    claimLoad,
    induction,
    system: {
      perSeed: perSeed.map(({ histories: _h, ...rest }) => rest),
      swapped,
      swappedSigned,
      signedJointAcc,
      signedCodes,
      chance: 1 / config.streams.numClasses,
      histories: perSeed[0]?.histories ?? {},
    },
  };

  const conditionRows = perSeed.flatMap((r) => [
    { seed: r.seed, condition: "joint", accuracy: r.accJoint },
    { seed: r.seed, condition: "modular", accuracy: r.accSeparate },
    { seed: r.seed, condition: "modular-own-standin", accuracy: r.accSeparateOwnStandIn },
    { seed: r.seed, condition: "designed-interface", accuracy: r.accDesignedInterface },
    { seed: r.seed, condition: "modular-adapted", accuracy: r.adaptation[r.adaptation.length - 1]!.acc },
    { seed: r.seed, condition: "random-controller", accuracy: r.accRandomController },
    { seed: r.seed, condition: "blind", accuracy: r.accBlind },
  ]);
  swapped.forEach((x) => conditionRows.push({ seed: x.controllerSeed, condition: "swapped", accuracy: x.acc }));
  swappedSigned.forEach((x) => conditionRows.push({ seed: x.controllerSeed, condition: "swapped-signed", accuracy: x.acc }));
  return {
    seeds,
    metrics,
    claims,
    data,
    csv: {
      "capacity.csv": { rows: capacity.map((r) => ({ ...r })), columns: ["seed", "network", "M", "load", "beta", "accuracy", "meanOverlap", "effectivePatterns", "numQueries"] },
      "induction-heads.csv": { rows: induction.scores.map((r) => ({ ...r })), columns: ["seed", "layer", "head", "induction", "duplicate", "previousToken", "uniformBaseline"] },
      "self-consistency.csv": { rows: conditionRows, columns: ["seed", "condition", "accuracy"] },
      "adaptation.csv": { rows: perSeed.flatMap((r) => r.adaptation.map((a) => ({ seed: r.seed, step: a.step, accuracy: a.acc }))), columns: ["seed", "step", "accuracy"] },
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Figures (pure functions of the record)
// ---------------------------------------------------------------------------------------------------

function intervalOf(m: Metric | undefined): Interval {
  if (m === undefined) return { mean: NaN, lo: NaN, hi: NaN, n: 0 };
  return typeof m === "number" ? { mean: m, lo: m, hi: m, n: 1 } : m;
}

/** Mean and t-interval of `values` grouped by a key, in key order. */
function byKey<T>(rows: ReadonlyArray<T>, key: (r: T) => number, value: (r: T) => number): { x: number[]; y: number[]; lo: number[]; hi: number[] } {
  const groups = new Map<number, number[]>();
  for (const r of rows) {
    const k = key(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(value(r));
  }
  const x = [...groups.keys()].sort((a, b) => a - b);
  const iv = x.map((k) => meanInterval(groups.get(k)!));
  return { x, y: iv.map((i) => i.mean), lo: iv.map((i) => i.lo), hi: iv.map((i) => i.hi) };
}

function equivalenceFigure(data: T3Data): Figure {
  const s = data.equivalence.sample;
  return scatterFigure([{ name: "output entries", x: s.hopfield, y: s.attention, size: 5 }], {
    title: "One attention step = one modern Hopfield update",
    subtitle: `max |difference| ${Math.max(...data.equivalence.maxAbsDiff).toExponential(2)} (float32 attention vs float64 Hopfield)`,
    xTitle: "Hopfield update X softmax(β Xᵀξ), entry",
    yTitle: "attention softmax(QKᵀ/√d) V, entry",
    diagonal: true,
  });
}

function capacityFigure(data: T3Data, record: ResultRecord): Figure {
  const rows = data.capacity;
  const series: LineSeries[] = [];
  const modern = byKey(rows.filter((r) => r.network === "modern" && r.beta === data.attentionBeta), (r) => r.M, (r) => r.accuracy);
  const classical = byKey(rows.filter((r) => r.network === "classical"), (r) => r.M, (r) => r.accuracy);
  series.push({ name: `modern, β = 1/√d = ${data.attentionBeta.toPrecision(2)}`, ...modern, lo: modern.lo.map((v) => Math.max(0, v)), hi: modern.hi.map((v) => Math.min(1, v)) });
  series.push({ name: "classical Hebbian", ...classical, lo: classical.lo.map((v) => Math.max(0, v)), hi: classical.hi.map((v) => Math.min(1, v)) });
  const others = [...new Set(rows.filter((r) => r.network === "modern" && r.beta !== data.attentionBeta).map((r) => r.beta))].sort((a, b) => a - b);
  for (const beta of others) {
    const m = byKey(rows.filter((r) => r.network === "modern" && r.beta === beta), (r) => r.M, (r) => r.accuracy);
    series.push({ name: `modern, β = ${beta}`, x: m.x, y: m.y, dash: "dot", width: 1 });
  }
  const fig = lineFigure(series, {
    title: "Associative memory: retrieval vs number of stored patterns",
    subtitle: `d = ${data.d}, ${record.seeds.length} seed(s), one step for the modern network, asynchronous dynamics to a fixed point for the classical one`,
    xTitle: "stored patterns M",
    yTitle: "fraction retrieved (cosine ≥ threshold)",
    xLog: true,
    yRange: [-0.02, 1.02],
  });
  return withHorizontalLines(fig, [0.5], ["50%"]);
}

function betaFigure(data: T3Data, loads: ReadonlyArray<number>, what: "accuracy" | "effectivePatterns"): Figure {
  const rows = data.capacity.filter((r) => r.network === "modern");
  const available = new Set(rows.map((r) => r.M));
  const series: LineSeries[] = loads.filter((M) => available.has(M)).map((M) => {
    const g = byKey(rows.filter((r) => r.M === M), (r) => r.beta, (r) => r[what]);
    return { name: `M = ${M}`, x: g.x, y: g.y };
  });
  const fig = lineFigure(series, {
    title: what === "accuracy" ? "Modern Hopfield retrieval vs inverse temperature β" : "Small β: the update averages over many patterns (metastable states)",
    xTitle: "β (attention uses 1/√d)",
    yTitle: what === "accuracy" ? "fraction retrieved" : "patterns averaged, 1/Σp²",
    xLog: true,
    yLog: what === "effectivePatterns",
  });
  return withVerticalLines(fig, [data.attentionBeta], ["β = 1/√d"]);
}

function attentionMapsFigure(data: T3Data): Figure | null {
  const ex = data.induction.example;
  if (!ex) return null;
  const panels = ex.attention.flatMap((layer, l) => layer.map((z, h) => ({ title: `layer ${l}, head ${h}`, z })));
  const trig = new Set(ex.tokens.length ? ex.triggers : []);
  const labels = ex.tokens.map((t, i) => (i === 0 ? "<bos>" : trig.has(t) ? `${t}*` : String(t)));
  return heatmapGridFigure(panels, {
    title: "Attention maps of the trained GPT on one held-out sequence",
    subtitle: "rows: query, columns: key; * marks a trigger A",
    xTitle: "key token",
    yTitle: "query token",
    xLabels: labels,
    yLabels: labels,
    zTitle: "attention",
    zmin: 0,
    zmax: 1,
    cols: Math.max(1, ex.attention[0]?.length ?? 1),
    height: 380 * ex.attention.length + 120,
  });
}

function inductionScoreFigure(data: T3Data): Figure {
  const heads = [...new Set(data.induction.scores.map((s) => `L${s.layer}H${s.head}`))];
  const agg = (f: (s: HeadScores) => number) =>
    heads.map((h) => meanInterval(data.induction.scores.filter((s) => `L${s.layer}H${s.head}` === h).map(f)));
  const ind = agg((s) => s.induction);
  const prev = agg((s) => s.previousToken);
  const dup = agg((s) => s.duplicate);
  const fig = barFigure(
    heads,
    [
      { name: "induction: second A → token after first A", y: ind.map((i) => i.mean), lo: ind.map((i) => i.lo), hi: ind.map((i) => i.hi) },
      { name: "previous token", y: prev.map((i) => i.mean), lo: prev.map((i) => i.lo), hi: prev.map((i) => i.hi) },
      { name: "duplicate: second A → first A", y: dup.map((i) => i.mean), lo: dup.map((i) => i.lo), hi: dup.map((i) => i.hi) },
    ],
    { title: "Which heads do induction?", subtitle: "mean attention weight at induction positions, over GPT seeds", xTitle: "layer / head", yTitle: "attention weight", yRange: [0, 1] },
  );
  const base = data.induction.scores.length ? mean(data.induction.scores.map((s) => s.uniformBaseline)) : NaN;
  return withHorizontalLines(fig, [base], ["uniform attention"]);
}

function selfConsistencyFigure(record: ResultRecord, data: T3Data): Figure {
  const ivs = T3_CONDITIONS.map((c) => intervalOf(record.metrics[c.key]));
  const cats = T3_CONDITIONS.map((c) => c.label);
  const signed = record.metrics["accSwappedSigned"];
  if (signed !== undefined) {
    cats.push("(e') swapped, signed gains");
    ivs.push(intervalOf(signed));
  }
  const fig = barFigure(cats, [{ name: "accuracy", y: ivs.map((i) => i.mean), lo: ivs.map((i) => i.lo), hi: ivs.map((i) => i.hi) }], {
    title: "No attention without self-consistency",
    subtitle: `report the category of the cued stream; ${record.seeds.length} seeds, 95% t-intervals`,
    xTitle: "training condition",
    yTitle: "accuracy",
    yRange: [0, 1.05],
    valueDigits: 2,
  });
  const blind = intervalOf(record.metrics["accBlind"]).mean;
  return withHorizontalLines(fig, [data.system.chance, blind], ["chance", "no cue (gains all ½)"]);
}

function adaptationFigure(record: ResultRecord, data: T3Data): Figure {
  const rows = data.system.perSeed.flatMap((r) => r.adaptation.map((a) => ({ step: a.step, acc: a.acc })));
  const g = byKey(rows, (r) => r.step, (r) => r.acc);
  const series: LineSeries[] = [
    { name: "(c) modular + processor fine-tuning, mean", x: g.x, y: g.y, lo: g.lo.map((v) => Math.max(0, v)), hi: g.hi.map((v) => Math.min(1, v)) },
    ...data.system.perSeed.map((r, i) => ({ name: `seed ${i + 1}`, x: r.adaptation.map((a) => a.step), y: r.adaptation.map((a) => a.acc), dash: "dot" as const, width: 1, color: "#888888", group: "seeds", showLegend: i === 0 })),
  ];
  const fig = lineFigure(series, {
    title: "What re-alignment costs: fine-tuning the processor to a foreign code",
    subtitle: `the controller stays frozen; ${record.seeds.length} seeds (dotted: each seed)`,
    xTitle: "processor fine-tuning steps",
    yTitle: "accuracy",
    yRange: [0, 1.05],
  });
  return withHorizontalLines(
    fig,
    [intervalOf(record.metrics["accJoint"]).mean, intervalOf(record.metrics["adaptationCeiling"]).mean, data.system.chance],
    ["joint", "ceiling left by the modular code", "chance"],
  );
}

function gainCodesFigure(data: T3Data): Figure {
  const p = data.system.perSeed;
  const panels: { title: string; z: number[][] }[] = [];
  p.slice(0, 2).forEach((r, i) => panels.push({ title: `joint ${i + 1}`, z: r.codes.joint }));
  p.slice(0, 2).forEach((r, i) => panels.push({ title: `modular controller ${i + 1}`, z: r.codes.modularController }));
  if (p[0]) panels.push({ title: "processor's stand-in 1", z: p[0].codes.modularStandIn });
  if (p[0]) panels.push({ title: "random controller 1", z: p[0].codes.random });
  data.system.signedCodes.slice(0, 2).forEach((z, i) => panels.push({ title: `joint, signed ${i + 1}`, z }));
  const labels = (p[0]?.codes.joint ?? []).map((_, i) => String(i));
  return heatmapGridFigure(panels, {
    title: "The gain codes: what each cue does to the K streams (rows: cue, columns: stream)",
    xTitle: "stream",
    yTitle: "cue",
    xLabels: labels,
    yLabels: labels,
    colorscale: "diverging",
    zmin: -1,
    zmax: 1,
    zTitle: "gain",
    annotate: true,
    digits: 2,
    cols: 4,
    height: 300 * Math.ceil(panels.length / 4) + 140,
  });
}

function t3Figures(record: ResultRecord): Record<string, Figure> {
  const data = record.data as T3Data | undefined;
  if (!data) throw new Error("t3-attention figures: record.data is missing; rerun the experiment");
  const cfg = record.config as Partial<T3Config>;
  const loads = cfg.betaSweepLoads ?? [...new Set(data.capacity.map((r) => r.M))];
  const figs: Record<string, Figure> = {
    "attention-equals-hopfield": equivalenceFigure(data),
    capacity: capacityFigure(data, record),
    "capacity-vs-beta": betaFigure(data, loads, "accuracy"),
    "metastable-averaging": betaFigure(data, loads, "effectivePatterns"),
  };
  const maps = attentionMapsFigure(data);
  if (maps) figs["attention-maps"] = maps;
  if (data.induction.scores.length) figs["induction-scores"] = inductionScoreFigure(data);
  if (data.induction.histories.length) figs["induction-loss"] = lossCurveFigure(data.induction.histories, { title: "Tiny GPT on the induction task", xTitle: "step", yTitle: "masked cross-entropy (nats)" });
  figs["self-consistency"] = selfConsistencyFigure(record, data);
  figs["adaptation"] = adaptationFigure(record, data);
  figs["gain-codes"] = gainCodesFigure(data);
  return figs;
}

export const t3Attention = registerExperiment<T3Config>({
  id: "t3-attention",
  title: "Takeaway 3: no attention without self-consistency; attention as associative working memory",
  claim:
    "Attention is a modern Hopfield update with a large associative capacity, and a top-down attention signal only works when its generator and its reader are trained to be consistent with each other.",
  profiles: T3_PROFILES,
  run,
  figures: t3Figures,
});
