import * as tf from "@tensorflow/tfjs";
import { throwIfCancelled } from "./cancel";
import { checkRange } from "./config";
import { CuedStreamsBatch, CuedStreamsTask, sampleCuedStreams } from "./data/cued-streams";
import { Rng, deriveSeed } from "./rng";

/** Sizes and training settings of the two-module system. */
export interface AttentionSystemConfig {
  /**
   * How gain logits become gains: "sigmoid" gives gains in (0,1) (a firing-rate gain, the default);
   * "tanh" gives signed gains in (−1,1), an interface with a sign symmetry (g and −g carry the same
   * information) that the task does not break.
   */
  readonly gainFunction: GainFunction;
  /** Hidden units of the controller (cue → hidden → K gains). */
  readonly controllerHidden: number;
  /** Hidden units of the processor (K·D gated features → hidden → C logits). */
  readonly processorHidden: number;
  /** Standard deviation of the noise added to the gain-modulated streams (what a low gain loses to). */
  readonly interfaceNoise: number;
  /** Gradient steps per module and training mode (the same budget in every condition). */
  readonly numSteps: number;
  readonly batchSize: number;
  /** Adam learning rate. */
  readonly lr: number;
  /** Processor fine-tuning steps at which the adaptation curve (c) is measured (0 = no adaptation). */
  readonly adaptSteps: ReadonlyArray<number>;
  /** Trials in the fixed evaluation set of each seed. */
  readonly evalSize: number;
}

/** See {@link AttentionSystemConfig.gainFunction}. */
export type GainFunction = "sigmoid" | "tanh";

export const ATTENTION_SYSTEM_DEFAULTS: Readonly<AttentionSystemConfig> = Object.freeze({
  gainFunction: "sigmoid" as GainFunction,
  controllerHidden: 16,
  processorHidden: 64,
  interfaceNoise: 0.5,
  numSteps: 600,
  batchSize: 64,
  lr: 0.01,
  adaptSteps: Object.freeze([0, 10, 25, 50, 100, 200, 400, 600]) as ReadonlyArray<number>,
  evalSize: 2000,
});

export function validateAttentionSystemConfig(c: AttentionSystemConfig, where = "attentionSystem"): void {
  if (c.gainFunction !== "sigmoid" && c.gainFunction !== "tanh")
    throw new Error(`${where}.gainFunction: use "sigmoid" or "tanh", got ${JSON.stringify(c.gainFunction)}`);
  checkRange(`${where}.controllerHidden`, c.controllerHidden, 1, 4096, true);
  checkRange(`${where}.processorHidden`, c.processorHidden, 1, 4096, true);
  checkRange(`${where}.interfaceNoise`, c.interfaceNoise, 0, 100);
  checkRange(`${where}.numSteps`, c.numSteps, 1, 1e6, true);
  checkRange(`${where}.batchSize`, c.batchSize, 1, 1e5, true);
  checkRange(`${where}.lr`, c.lr, 1e-6, 10);
  checkRange(`${where}.evalSize`, c.evalSize, 1, 1e6, true);
  if (c.adaptSteps.length === 0) throw new Error(`${where}.adaptSteps: give at least one step count, e.g. [0, 100]`);
  c.adaptSteps.forEach((s, i) => {
    checkRange(`${where}.adaptSteps[${i}]`, s, 0, 1e6, true);
    if (i > 0 && s <= c.adaptSteps[i - 1]!)
      throw new Error(`${where}.adaptSteps: must be strictly increasing, got ${c.adaptSteps.join(", ")}`);
  });
}

// ---------------------------------------------------------------------------------------------------
// Modules (core ops)
// ---------------------------------------------------------------------------------------------------

/** A dense layer's parameters. */
interface Dense {
  readonly W: tf.Variable; // [nIn, nOut]
  readonly b: tf.Variable; // [nOut]
}

/** Normal init with std √(gain/fanIn) (He for gain 2), seeded; zero bias. */
function dense(rng: Rng, nIn: number, nOut: number, gain: number): Dense {
  const w = rng.normalArray(nIn * nOut, 0, Math.sqrt(gain / nIn));
  // Inside tidy so the initial-value tensors are released (the variables keep their data).
  return tf.tidy(() => ({
    W: tf.variable(tf.tensor2d(w, [nIn, nOut]), true),
    b: tf.variable(tf.zeros([nOut]), true),
  }));
}

function squash(fn: GainFunction, logits: tf.Tensor2D): tf.Tensor2D {
  return fn === "tanh" ? tf.tanh(logits) : tf.sigmoid(logits);
}

function applyDense(l: Dense, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, l.W), l.b); // [B, nIn] x [nIn, nOut] -> [B, nOut]
}

/** Something that maps cues to K gains in (0,1): the controller, or a stand-in. */
export interface GainSource {
  /** Gains [B, K] for cues [B] (int32); caller disposes. */
  gains(cue: tf.Tensor1D): tf.Tensor2D;
  readonly variables: ReadonlyArray<tf.Variable>;
  dispose(): void;
}

/** The controller: cue (one-hot) → ReLU hidden → K gains (sigmoid, or tanh). */
export class Controller implements GainSource {
  readonly numStreams: number;
  readonly gainFunction: GainFunction;
  private readonly l1: Dense;
  private readonly l2: Dense;

  constructor(numStreams: number, hidden: number, seed: number, gainFunction: GainFunction = "sigmoid") {
    const rng = new Rng(seed);
    this.numStreams = numStreams;
    this.gainFunction = gainFunction;
    this.l1 = dense(rng.fork("l1"), numStreams, hidden, 2);
    this.l2 = dense(rng.fork("l2"), hidden, numStreams, 1);
  }

  get variables(): tf.Variable[] {
    return [this.l1.W, this.l1.b, this.l2.W, this.l2.b];
  }

  /** Pre-sigmoid gain logits [B, K]; caller disposes. */
  gainLogits(cue: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => {
      const x = tf.oneHot(cue, this.numStreams).toFloat() as tf.Tensor2D; // [B] -> [B, K]
      const h = tf.relu(applyDense(this.l1, x)); // [B, H]
      return applyDense(this.l2, h); // [B, K]
    });
  }

  gains(cue: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => squash(this.gainFunction, this.gainLogits(cue)));
  }

  /** The gain code: row c = gains for cue c, [K][K] (read asynchronously). */
  gainCode(): Promise<number[][]> {
    return gainCodeOf(this, this.numStreams);
  }

  /** Copies of the weights (read asynchronously: a GPU backend cannot read synchronously). */
  async readWeights(): Promise<Float32Array[]> {
    return Promise.all(this.variables.map(async (v) => (await v.data()) as Float32Array));
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}

/**
 * The processor's private stand-in for a controller in modular training: a free table of gain logits,
 * one row per cue, learned together with the processor. It gives the processor the best gain signal it
 * can find for itself, with no code imposed from outside.
 */
export class GainTable implements GainSource {
  readonly numStreams: number;
  private readonly logits: tf.Variable; // [K cues, K streams]

  constructor(
    numStreams: number,
    seed: number,
    readonly gainFunction: GainFunction = "sigmoid",
  ) {
    this.numStreams = numStreams;
    const rng = new Rng(seed);
    const init = rng.normalArray(numStreams * numStreams, 0, 0.5);
    this.logits = tf.tidy(() => tf.variable(tf.tensor2d(init, [numStreams, numStreams]), true));
  }

  get variables(): tf.Variable[] {
    return [this.logits];
  }

  gains(cue: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() =>
      squash(this.gainFunction, tf.matMul(tf.oneHot(cue, this.numStreams).toFloat(), this.logits) as tf.Tensor2D),
    ); // [B, K] x [K, K]
  }

  gainCode(): Promise<number[][]> {
    return gainCodeOf(this, this.numStreams);
  }

  dispose(): void {
    this.logits.dispose();
  }
}

/** Gains fixed from outside: one-hot on the cued stream (the designed interface, b'). */
export class OneHotGains implements GainSource {
  readonly variables: ReadonlyArray<tf.Variable> = [];
  constructor(readonly numStreams: number) {}
  gains(cue: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => tf.oneHot(cue, this.numStreams).toFloat() as tf.Tensor2D);
  }
  dispose(): void {}
}

/** Gains for every cue, [K][K], read after the tidy (a GPU backend cannot read synchronously). */
export async function gainCodeOf(src: GainSource, K: number): Promise<number[][]> {
  const g = tf.tidy(() => src.gains(tf.range(0, K, 1, "int32") as tf.Tensor1D));
  try {
    return (await g.array()) as number[][];
  } finally {
    g.dispose();
  }
}

/** Gains fixed at one value for every cue and stream: a processor that gets no gain signal at all. */
export class ConstantGains implements GainSource {
  readonly variables: ReadonlyArray<tf.Variable> = [];
  constructor(
    readonly numStreams: number,
    readonly value = 1,
  ) {}
  gains(cue: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => tf.fill([cue.shape[0], this.numStreams], this.value) as tf.Tensor2D);
  }
  dispose(): void {}
}

/** The processor: gated streams [B, K·D] → ReLU hidden → C logits. */
export class Processor {
  private readonly l1: Dense;
  private readonly l2: Dense;
  constructor(
    readonly numStreams: number,
    readonly streamDim: number,
    readonly numClasses: number,
    hidden: number,
    seed: number,
  ) {
    const rng = new Rng(seed);
    this.l1 = dense(rng.fork("l1"), numStreams * streamDim, hidden, 2);
    this.l2 = dense(rng.fork("l2"), hidden, numClasses, 1);
  }

  get variables(): tf.Variable[] {
    return [this.l1.W, this.l1.b, this.l2.W, this.l2.b];
  }

  /** Logits [B, C] from gated streams [B, K·D]; caller disposes. */
  logits(gated: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => applyDense(this.l2, tf.relu(applyDense(this.l1, gated))));
  }

  /** Copies of the weights (read asynchronously: a GPU backend cannot read synchronously). */
  async readWeights(): Promise<Float32Array[]> {
    return Promise.all(this.variables.map(async (v) => (await v.data()) as Float32Array));
  }

  setWeights(ws: ReadonlyArray<Float32Array>): void {
    const vs = this.variables;
    if (ws.length !== vs.length)
      throw new Error(`Processor.setWeights: ${ws.length} arrays for ${vs.length} variables`);
    vs.forEach((v, i) => v.assign(tf.tensor(ws[i]!, v.shape)));
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}

/** A linear read-out of the cue from the gains: the controller's own objective in modular training. */
export class CueDecoder {
  private readonly l: Dense;
  constructor(numStreams: number, seed: number) {
    this.l = dense(new Rng(seed), numStreams, numStreams, 1);
  }
  get variables(): tf.Variable[] {
    return [this.l.W, this.l.b];
  }
  logits(gains: tf.Tensor2D): tf.Tensor2D {
    return applyDense(this.l, gains);
  }
  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}

/** Tensors of one batch: streams [B, K, D], cues [B], targets [B], interface noise [B, K, D]. */
export interface BatchTensors {
  readonly streams: tf.Tensor3D;
  readonly cue: tf.Tensor1D;
  readonly target: tf.Tensor1D;
  readonly noise: tf.Tensor3D;
}

function toTensors(batch: CuedStreamsBatch, K: number, D: number, noise: Float32Array): BatchTensors {
  const B = batch.batchSize;
  return {
    streams: tf.tensor3d(batch.streams, [B, K, D]),
    cue: tf.tensor1d(batch.cue, "int32"),
    target: tf.tensor1d(batch.target, "int32"),
    noise: tf.tensor3d(noise, [B, K, D]),
  };
}

function disposeBatch(t: BatchTensors): void {
  tf.dispose([t.streams, t.cue, t.target, t.noise]);
}

/**
 * The interface: each stream scaled by its gain, then noise: g_k · x_k + ε, flattened to [B, K·D].
 * Caller disposes.
 */
export function gateStreams(streams: tf.Tensor3D, gains: tf.Tensor2D, noise: tf.Tensor3D | null): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, K, D] = streams.shape;
    const gated = tf.mul(streams, tf.expandDims(gains, 2)); // [B, K, D] * [B, K, 1] -> [B, K, D]
    const noisy = noise ? tf.add(gated, noise) : gated;
    return tf.reshape(noisy, [B, K * D]) as tf.Tensor2D; // -> [B, K·D]
  });
}

/** Mean softmax cross-entropy of logits [B, C] against int labels [B]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const C = logits.shape[1];
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, C), logits) as tf.Scalar;
}

/** The task loss of a (gain source, processor) pair on one batch. */
export function taskLoss(src: GainSource, proc: Processor, t: BatchTensors): tf.Scalar {
  return crossEntropy(proc.logits(gateStreams(t.streams, src.gains(t.cue), t.noise)), t.target);
}

// ---------------------------------------------------------------------------------------------------
// Training and evaluation
// ---------------------------------------------------------------------------------------------------

/** Per-step callback: step (1-based) and loss. */
export type StepCallback = (step: number, loss: number) => void;

/** Options of {@link trainSteps}. */
export interface TrainStepsOptions {
  readonly onStep?: StepCallback;
  readonly signal?: AbortSignal;
  /** Keep the loss every this many steps (default 25). */
  readonly logEvery?: number;
  /** Steps after which `onEval` is awaited (0 = before the first step), e.g. to measure accuracy during training. */
  readonly evalAt?: ReadonlyArray<number>;
  readonly onEval?: (step: number) => Promise<void>;
}

/**
 * Train `vars` for `numSteps` Adam steps on `loss(batch)`; batches and interface noise come from `rng`.
 * Returns the loss every `logEvery` steps. Losses are read asynchronously (WebGPU cannot read synchronously).
 */
export async function trainSteps(
  task: CuedStreamsTask,
  sys: AttentionSystemConfig,
  vars: ReadonlyArray<tf.Variable>,
  loss: (t: BatchTensors) => tf.Scalar,
  numSteps: number,
  rng: Rng,
  opts: TrainStepsOptions = {},
): Promise<{ step: number; loss: number }[]> {
  const { numStreams: K, streamDim: D } = task.config;
  const opt = tf.train.adam(sys.lr);
  const history: { step: number; loss: number }[] = [];
  const logEvery = opts.logEvery ?? 25;
  const evalAt = new Set(opts.evalAt ?? []);
  try {
    if (opts.onEval && evalAt.has(0)) await opts.onEval(0);
    for (let step = 1; step <= numSteps; step++) {
      throwIfCancelled(opts.signal, "attention-system training");
      const batch = sampleCuedStreams(task, rng, sys.batchSize);
      const noise = rng.normalArray(sys.batchSize * K * D, 0, sys.interfaceNoise);
      const t = toTensors(batch, K, D, noise);
      try {
        const cost = opt.minimize(() => loss(t), true, vars as tf.Variable[]);
        if (cost && (step % logEvery === 0 || step === numSteps || opts.onStep)) {
          const v = (await cost.data())[0]!;
          if (step % logEvery === 0 || step === numSteps) history.push({ step, loss: v });
          opts.onStep?.(step, v);
        }
        cost?.dispose();
      } finally {
        disposeBatch(t);
      }
      if (opts.onEval && evalAt.has(step)) await opts.onEval(step);
    }
  } finally {
    opt.dispose();
  }
  return history;
}

/** A fixed evaluation set: trials with their interface noise, cues balanced over streams. */
export interface EvalSet {
  readonly batch: CuedStreamsBatch;
  readonly noise: Float32Array;
}

export function makeEvalSet(task: CuedStreamsTask, sys: AttentionSystemConfig, seed: number): EvalSet {
  const rng = new Rng(seed);
  const K = task.config.numStreams;
  const cues = Array.from({ length: sys.evalSize }, (_, i) => i % K);
  const batch = sampleCuedStreams(task, rng, sys.evalSize, cues);
  return { batch, noise: rng.normalArray(sys.evalSize * K * task.config.streamDim, 0, sys.interfaceNoise) };
}

/** Accuracy of a (gain source, processor) pair on an evaluation set: argmax logits = category of the cued stream. */
export async function evaluatePair(
  task: CuedStreamsTask,
  src: GainSource,
  proc: Processor,
  ev: EvalSet,
): Promise<number> {
  const { numStreams: K, streamDim: D } = task.config;
  const t = toTensors(ev.batch, K, D, ev.noise);
  try {
    const predT = tf.tidy(() => tf.argMax(proc.logits(gateStreams(t.streams, src.gains(t.cue), t.noise)), 1));
    const pred = await predT.data();
    predT.dispose();
    let ok = 0;
    for (let i = 0; i < ev.batch.batchSize; i++) if (pred[i] === ev.batch.target[i]) ok++;
    return ok / ev.batch.batchSize;
  } finally {
    disposeBatch(t);
  }
}

/** Accuracy of a processor that gets no usable gain signal (all gains 1/2): what the streams alone allow. */
export function evaluateBlind(task: CuedStreamsTask, proc: Processor, ev: EvalSet): Promise<number> {
  const K = task.config.numStreams;
  const half: GainSource = {
    variables: [],
    gains: (cue) => tf.tidy(() => tf.fill([cue.shape[0], K], 0.5) as tf.Tensor2D),
    dispose: () => undefined,
  };
  return evaluatePair(task, half, proc, ev);
}

// ---------------------------------------------------------------------------------------------------
// Gain codes
// ---------------------------------------------------------------------------------------------------

/** Root-mean-square difference between two gain codes [K][K] (0 = the same code, the scale is gain units). */
export function gainCodeDistance(
  a: ReadonlyArray<ReadonlyArray<number>>,
  b: ReadonlyArray<ReadonlyArray<number>>,
): number {
  if (a.length !== b.length) throw new Error(`gainCodeDistance: codes of ${a.length} and ${b.length} cues`);
  let s = 0;
  let n = 0;
  a.forEach((row, i) => {
    const other = b[i]!;
    if (row.length !== other.length)
      throw new Error(`gainCodeDistance: row ${i} has ${row.length} and ${other.length} gains`);
    row.forEach((x, j) => {
      s += (x - other[j]!) ** 2;
      n++;
    });
  });
  return Math.sqrt(s / n);
}

/** The identity code: one-hot gains on the cued stream. */
export function oneHotCode(K: number): number[][] {
  return Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => (i === j ? 1 : 0)));
}

/**
 * Selectivity of a gain code: mean over cues of (gain on the cued stream − mean gain on the others).
 * 1 for one-hot, 0 when the cue does not favour its stream, negative when the code suppresses it.
 */
export function gainSelectivity(code: ReadonlyArray<ReadonlyArray<number>>): number {
  const K = code.length;
  let s = 0;
  code.forEach((row, c) => {
    let others = 0;
    row.forEach((g, k) => {
      if (k !== c) others += g;
    });
    s += row[c]! - others / (K - 1);
  });
  return s / K;
}

/** The joint modules of one seed, kept alive for the swap test; caller disposes. */
export interface JointModules {
  readonly controller: Controller;
  readonly processor: Processor;
}

/**
 * Condition (a): controller and processor trained end to end on the task, gradients flowing through
 * the gains. Seeds derive from `seed` exactly as in {@link runAttentionSeed}. Caller disposes the modules.
 */
export async function trainJoint(
  task: CuedStreamsTask,
  sys: AttentionSystemConfig,
  seed: number,
  opts: TrainStepsOptions = {},
): Promise<JointModules & { history: { step: number; loss: number }[] }> {
  validateAttentionSystemConfig(sys);
  const { numStreams: K, streamDim: D, numClasses: C } = task.config;
  const controller = new Controller(K, sys.controllerHidden, deriveSeed(seed, "joint", "controller"), sys.gainFunction);
  const processor = new Processor(K, D, C, sys.processorHidden, deriveSeed(seed, "joint", "processor"));
  try {
    const history = await trainSteps(
      task,
      sys,
      [...controller.variables, ...processor.variables],
      (t) => taskLoss(controller, processor, t),
      sys.numSteps,
      new Rng(deriveSeed(seed, "joint", "data")),
      opts,
    );
    return { controller, processor, history };
  } catch (e) {
    controller.dispose();
    processor.dispose();
    throw e;
  }
}

/**
 * A top-down objective of the controller's own, for modular training: the gains, read as the logits of a
 * softmax over streams (scaled by `scale`), must point at the cued stream (cross-entropy). "Make the cued
 * stream the most salient" — the normalisation model's view of attention (Reynolds & Heeger 2009) — with no
 * reference to the processor.
 */
export function salienceLoss(src: GainSource, cue: tf.Tensor1D, scale = 5): tf.Scalar {
  return tf.tidy(() => crossEntropy(tf.mul(src.gains(cue), scale) as tf.Tensor2D, cue));
}

/**
 * Steps for a learning curve to reach `target`: the first measured step at or above it, interpolated linearly
 * from the step before; NaN when it never gets there (censored at the last step measured).
 */
export function stepsToReach(curve: ReadonlyArray<{ step: number; acc: number }>, target: number): number {
  const pts = [...curve].sort((a, b) => a.step - b.step);
  const i = pts.findIndex((p) => p.acc >= target);
  if (i < 0) return NaN;
  if (i === 0) return pts[0]!.step;
  const a = pts[i - 1]!;
  const b = pts[i]!;
  return a.step + ((target - a.acc) / (b.acc - a.acc)) * (b.step - a.step);
}
