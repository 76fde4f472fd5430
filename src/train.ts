/**
 * One trainer for every sequence model: AdamW with decoupled weight decay (Loshchilov & Hutter 2019),
 * linear warmup + cosine decay, gradient clipping by global norm, seeded batch sampling, loss masking,
 * periodic evaluation, history records, progress callbacks, cooperative cancellation, and state that
 * checkpoints exactly (optimizer moments, step, sampler RNG), so a resumed run is bit-identical to an
 * uninterrupted one on the same backend.
 *
 * The AdamW update is written with core ops (no tf.train optimizer) so its state is plain named
 * tensors that save and load without loss. One tf.tidy per step; the loss is read once per step,
 * outside the tidy.
 */
import * as tf from "@tensorflow/tfjs";
import { cancelledError, interruptSignal, yieldToEventLoop } from "./cancel";
import { checkRange, frozen, withOverrides } from "./config";
import type { Progress } from "./present/progress";
import { deriveSeed, Rng, type RngState } from "./rng";
import type { TrainableModel } from "./transformer";

/** Optimisation settings. */
export interface TrainConfig {
  /** Optimizer steps in total (a resumed run continues up to this step). */
  readonly numSteps: number;
  /** Sequences per batch. */
  readonly batchSize: number;
  /** Peak learning rate (reached after warmup). */
  readonly lr: number;
  /** Learning rate at the end of the cosine decay. */
  readonly minLr: number;
  /** Steps of linear warmup from lr/warmupSteps to lr. */
  readonly warmupSteps: number;
  /** Decoupled weight decay, applied to matrices and embeddings only (not biases, LayerNorm gains). */
  readonly weightDecay: number;
  /** Adam's first-moment decay. */
  readonly beta1: number;
  /** Adam's second-moment decay. */
  readonly beta2: number;
  /** Clip the global gradient norm to this value; 0 disables clipping. */
  readonly gradClip: number;
  /** Evaluate every this many steps (and after the last step); 0 disables evaluation. */
  readonly evalEvery: number;
  /** Batches averaged per evaluation. */
  readonly evalBatches: number;
}

/** nanoGPT-like defaults for tiny models. */
/** The knobs of one training phase that experiments set (the rest keep {@link TRAIN_DEFAULTS}). */
export type TrainPhase = Pick<TrainConfig, "numSteps" | "batchSize" | "lr" | "minLr" | "warmupSteps" | "weightDecay">;

export const TRAIN_DEFAULTS: Readonly<TrainConfig> = frozen({
  numSteps: 1000,
  batchSize: 32,
  lr: 3e-3,
  minLr: 3e-4,
  warmupSteps: 50,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  gradClip: 1.0,
  evalEvery: 100,
  evalBatches: 4,
});

/** Adam's epsilon. */
const ADAM_EPS = 1e-8;

/** Complete and validate a train config; errors name the field. */
export function trainConfig(partial: Partial<TrainConfig>): TrainConfig {
  const c = withOverrides(TRAIN_DEFAULTS as TrainConfig, partial, "TrainConfig");
  checkRange("TrainConfig.numSteps", c.numSteps, 0, 1e9, true);
  checkRange("TrainConfig.batchSize", c.batchSize, 1, 1 << 20, true);
  checkRange("TrainConfig.lr", c.lr, 0, 10);
  checkRange("TrainConfig.minLr", c.minLr, 0, c.lr);
  checkRange("TrainConfig.warmupSteps", c.warmupSteps, 0, 1e9, true);
  checkRange("TrainConfig.weightDecay", c.weightDecay, 0, 10);
  checkRange("TrainConfig.beta1", c.beta1, 0, 0.999999);
  checkRange("TrainConfig.beta2", c.beta2, 0, 0.999999);
  checkRange("TrainConfig.gradClip", c.gradClip, 0, 1e9);
  checkRange("TrainConfig.evalEvery", c.evalEvery, 0, 1e9, true);
  checkRange("TrainConfig.evalBatches", c.evalBatches, 1, 1e6, true);
  return c;
}

/**
 * Draws one batch from a seeded generator. x, y: [B][T] token ids (y is x shifted by one);
 * mask [B][T]: 1 where the loss counts (all positions when absent). Must use only `rng` for
 * randomness, so that batches are reproducible and resumable.
 */
export type BatchSampler = (rng: Rng, batchSize: number) => { x: number[][]; y: number[][]; mask?: number[][] };

/** One row of the training history. */
export interface HistoryRecord {
  /** Optimizer steps done (1-based: the record after the first step has step 1). */
  readonly step: number;
  /** Training tokens seen so far (batchSize * T * step). */
  readonly tokens: number;
  /** Loss of this step's batch (before the update). */
  readonly trainLoss: number;
  /** Mean loss over evalBatches held-out batches, on evaluation steps. */
  readonly evalLoss?: number;
  /** Learning rate used for this step. */
  readonly lr: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Milliseconds since this call of trainModel started. */
  readonly wallMs: number;
}

/** Saved optimizer state: step count and the two moment estimates per weight. */
export interface AdamWState {
  readonly step: number;
  readonly m: Record<string, Float32Array>;
  readonly v: Record<string, Float32Array>;
}

/** Everything besides the weights that a resumed run needs. */
export interface TrainState {
  /** Optimizer steps done. */
  readonly step: number;
  /** Tokens seen. */
  readonly tokens: number;
  /** The batch sampler's generator state after `step` batches. */
  readonly rng: RngState;
  readonly optimizer: AdamWState;
  /** History up to `step` (so a resumed run returns the full curve). */
  readonly history: HistoryRecord[];
}

/** What {@link trainModel} returns. */
export interface TrainResult {
  readonly history: HistoryRecord[];
  /** Train loss of the last step (NaN when no step ran). */
  readonly finalLoss: number;
  /** Eval loss of the last evaluation, if any. */
  readonly finalEvalLoss?: number;
  /** State to resume from or checkpoint (see checkpoint.ts). */
  readonly state: TrainState;
  /** True when stopped early by the signal with `onAbort: "return"`. */
  readonly cancelled: boolean;
  /** True when stopped at a non-finite loss with `onNonFinite: "return"` (weights are then unusable). */
  readonly diverged: boolean;
}

/** Options of {@link trainModel}. */
export interface TrainOptions {
  /** Base seed of the batch sampler (ignored when resuming from `state`, which carries the RNG). */
  readonly seed: number;
  /** Held-out batches for periodic evaluation (drawn from a fixed generator, same batches each time). */
  readonly evalSampler?: BatchSampler;
  readonly progress?: Progress;
  /** Progress label (default "train"). */
  readonly label?: string;
  /** Cooperative cancellation, checked before every step. */
  readonly signal?: AbortSignal;
  /** "throw" (default) rejects with an AbortError; "return" returns what was done with cancelled: true. */
  readonly onAbort?: "throw" | "return";
  /** A NaN/Infinity loss: "throw" (default) an error naming the step, or "return" with diverged: true. */
  readonly onNonFinite?: "throw" | "return";
  /** Called after every step (after evaluation, when there is one); may be async (e.g. to checkpoint). */
  readonly onStep?: (record: HistoryRecord, state: () => Promise<TrainState>) => void | Promise<void>;
  /** Resume from a saved state (optimizer, rng, step, history). */
  readonly state?: TrainState;
  /**
   * Start counting at this step without saved optimizer state (fresh moments, fresh rng): e.g. to
   * continue a schedule. Prefer `state` for exact resumption.
   */
  readonly startStep?: number;
}

/** Learning rate at step `step` (0-based): linear warmup then cosine decay to minLr (as nanoGPT). */
export function learningRate(step: number, c: Pick<TrainConfig, "lr" | "minLr" | "warmupSteps" | "numSteps">): number {
  if (step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  const span = c.numSteps - c.warmupSteps;
  if (span <= 0) return c.lr;
  const ratio = Math.min(1, (step - c.warmupSteps) / span);
  return c.minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (c.lr - c.minLr);
}

/** Weight decay applies to matrices (rank >= 2), not to biases and LayerNorm parameters. */
function decays(v: tf.Variable): boolean {
  return v.rank >= 2;
}

/**
 * AdamW (Loshchilov & Hutter 2019, Algorithm 2; PyTorch's form):
 * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps) + lr wd p.
 *
 * All weights are updated as one flat vector (one concat of the gradients, a dozen element-wise ops,
 * one split), so a step costs ~20 + nWeights small ops instead of ~12 per weight. The moments are
 * flat variables; {@link readState} / {@link setState} convert them to and from per-weight arrays.
 */
export class AdamW {
  private readonly names: string[];
  private readonly sizes: number[];
  private readonly total: number;
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;
  /** 1 for weights that decay (matrices, embeddings), 0 for biases and LayerNorm gains. */
  private readonly decayMask: tf.Tensor1D;
  /** Updates done. */
  step = 0;

  constructor(private readonly weights: Record<string, tf.Variable>) {
    this.names = Object.keys(weights);
    this.sizes = this.names.map((n) => (weights[n] as tf.Variable).size);
    this.total = this.sizes.reduce((a, b) => a + b, 0);
    const mask = new Float32Array(this.total);
    let at = 0;
    this.names.forEach((n, i) => {
      if (decays(weights[n] as tf.Variable)) mask.fill(1, at, at + this.sizes[i]);
      at += this.sizes[i];
    });
    this.decayMask = tf.tensor1d(mask);
    this.m = tf.tidy(() => tf.variable(tf.zeros([this.total]), false));
    this.v = tf.tidy(() => tf.variable(tf.zeros([this.total]), false));
  }

  private flat(ts: ReadonlyArray<tf.Tensor>): tf.Tensor1D {
    return tf.concat(
      ts.map((t) => tf.reshape(t, [-1])),
      0,
    ) as tf.Tensor1D; // [P]
  }

  /**
   * Apply one update with gradients `grads` (by weight name), clipped to global norm `clip`
   * (0: no clipping). Returns the global norm before clipping as a scalar; caller disposes.
   */
  apply(
    grads: Record<string, tf.Tensor>,
    lr: number,
    c: Pick<TrainConfig, "beta1" | "beta2" | "weightDecay" | "gradClip">,
  ): tf.Scalar {
    for (const n of this.names)
      if (grads[n] === undefined) throw new Error(`AdamW.apply: no gradient for weight "${n}"`);
    this.step += 1;
    const t = this.step;
    return tf.tidy(() => {
      let g = this.flat(this.names.map((n) => grads[n] as tf.Tensor)); // [P]
      const w = this.flat(this.names.map((n) => this.weights[n] as tf.Variable)); // [P]
      const norm = tf.sqrt(tf.sum(tf.square(g))) as tf.Scalar; // []
      // scale = min(1, clip / (norm + 1e-6)), on the device: no sync.
      if (c.gradClip > 0) g = tf.mul(g, tf.minimum(1, tf.div(c.gradClip, tf.add(norm, 1e-6)))); // [P]
      const bc1 = 1 - Math.pow(c.beta1, t);
      const bc2 = 1 - Math.pow(c.beta2, t);
      const m1 = tf.add(tf.mul(this.m, c.beta1), tf.mul(g, 1 - c.beta1)); // [P]
      const v1 = tf.add(tf.mul(this.v, c.beta2), tf.mul(tf.square(g), 1 - c.beta2)); // [P]
      this.m.assign(m1);
      this.v.assign(v1);
      const denom = tf.add(tf.sqrt(tf.div(v1, bc2)), ADAM_EPS); // [P]
      let w1 = tf.sub(w, tf.mul(tf.div(m1, denom), lr / bc1)); // [P]
      if (c.weightDecay > 0) w1 = tf.sub(w1, tf.mul(tf.mul(w, this.decayMask), lr * c.weightDecay)); // [P]
      const parts = tf.split(w1, this.sizes, 0); // nWeights x [size]
      this.names.forEach((n, i) => {
        const wv = this.weights[n] as tf.Variable;
        wv.assign(tf.reshape(parts[i] as tf.Tensor, wv.shape));
      });
      return norm;
    });
  }

  private unflat(a: Float32Array): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    let at = 0;
    this.names.forEach((n, i) => {
      out[n] = a.slice(at, at + this.sizes[i]);
      at += this.sizes[i];
    });
    return out;
  }

  /** A copy of the state, per weight (read asynchronously: a GPU backend cannot read synchronously). */
  async readState(): Promise<AdamWState> {
    const step = this.step;
    const [m, v] = await Promise.all([this.m.data(), this.v.data()]);
    return { step, m: this.unflat(m as Float32Array), v: this.unflat(v as Float32Array) };
  }

  /** Restore a saved state; names and sizes must match the weights. */
  setState(s: AdamWState): void {
    if (!Number.isInteger(s.step) || s.step < 0)
      throw new Error(`AdamW.setState: step must be a non-negative integer, got ${s.step}`);
    const flat: Record<"m" | "v", Float32Array> = { m: new Float32Array(this.total), v: new Float32Array(this.total) };
    for (const label of ["m", "v"] as const) {
      const saved = s[label];
      let at = 0;
      this.names.forEach((n, i) => {
        const a = saved[n];
        const size = this.sizes[i];
        if (a === undefined) throw new Error(`AdamW.setState: optimizer ${label} for weight "${n}" is missing`);
        if (a.length !== size)
          throw new Error(
            `AdamW.setState: optimizer ${label} for weight "${n}" has ${a.length} values, expected ${size}`,
          );
        flat[label].set(a, at);
        at += size;
      });
      for (const n of Object.keys(saved))
        if (!(n in this.weights)) throw new Error(`AdamW.setState: optimizer ${label} has unknown weight "${n}"`);
    }
    tf.tidy(() => {
      this.m.assign(tf.tensor1d(flat.m));
      this.v.assign(tf.tensor1d(flat.v));
    });
    this.step = s.step;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
    this.decayMask.dispose();
  }
}

/** A batch as tensors; caller disposes. */
export function batchTensors(
  b: ReturnType<BatchSampler>,
  where = "batch",
): { x: tf.Tensor2D; y: tf.Tensor2D; mask?: tf.Tensor2D } {
  const B = b.x.length;
  if (B === 0) throw new Error(`${where}: the sampler returned an empty batch`);
  const T = (b.x[0] as number[]).length;
  const check = (rows: number[][], name: string): void => {
    if (rows.length !== B) throw new Error(`${where}.${name}: has ${rows.length} rows, x has ${B}`);
    rows.forEach((r, i) => {
      if (r.length !== T)
        throw new Error(
          `${where}.${name}[${i}]: has length ${r.length}, expected ${T} (all rows must have the same length; pad them)`,
        );
    });
  };
  check(b.x, "x");
  check(b.y, "y");
  if (b.mask) check(b.mask, "mask");
  const flat = (rows: number[][]): number[] => rows.flat();
  return {
    x: tf.tensor2d(flat(b.x), [B, T], "int32"),
    y: tf.tensor2d(flat(b.y), [B, T], "int32"),
    ...(b.mask ? { mask: tf.tensor2d(flat(b.mask), [B, T], "float32") } : {}),
  };
}

/** Number of loss-bearing tokens of a batch (for the token counter we count all positions). */
function batchTokens(b: ReturnType<BatchSampler>): number {
  return b.x.length * (b.x[0] as number[]).length;
}

/**
 * Mean loss over `numBatches` batches drawn from `sampler` with a generator seeded by `seed`
 * (same seed, same batches). Leaves no tensors behind.
 */
export async function evaluateLoss(
  model: TrainableModel,
  sampler: BatchSampler,
  batchSize: number,
  numBatches: number,
  seed: number,
): Promise<number> {
  const rng = new Rng(seed);
  let total = 0;
  for (let i = 0; i < numBatches; i++) {
    const b = sampler(rng, batchSize);
    const loss = tf.tidy(() => {
      const t = batchTensors(b, "evalSampler");
      return model.loss(t.x, t.y, t.mask);
    });
    try {
      total += (await loss.data())[0] as number;
    } finally {
      loss.dispose();
    }
  }
  return total / numBatches;
}

/**
 * Train `model` on batches from `sampler`. Deterministic for a given seed on a given backend; with
 * `state` (from a previous result or a checkpoint) it continues exactly where that run stopped.
 * Weights are updated in place.
 */
export async function trainModel(
  model: TrainableModel,
  sampler: BatchSampler,
  config: Partial<TrainConfig>,
  opts: TrainOptions,
): Promise<TrainResult> {
  const c = trainConfig(config);
  if (!Number.isInteger(opts.seed)) throw new Error(`trainModel: seed must be an integer, got ${opts.seed}`);
  const weights = model.namedWeights();
  const opt = new AdamW(weights);
  const label = opts.label ?? "train";
  const history: HistoryRecord[] = [];
  let rng: Rng;
  let step: number;
  let tokens: number;
  if (opts.state) {
    const s = opts.state;
    opt.setState(s.optimizer);
    rng = Rng.fromState(s.rng);
    step = s.step;
    tokens = s.tokens;
    history.push(...s.history);
  } else {
    rng = new Rng(deriveSeed(opts.seed, "train-batches"));
    step = opts.startStep ?? 0;
    checkRange("trainModel startStep", step, 0, c.numSteps, true);
    tokens = 0;
  }
  const evalSeed = deriveSeed(opts.seed, "train-eval");
  const state = async (): Promise<TrainState> => ({
    step,
    tokens,
    rng: rng.state(),
    optimizer: await opt.readState(),
    history: [...history],
  });
  const start = Date.now();
  let lastLoss = history.length > 0 ? (history[history.length - 1] as HistoryRecord).trainLoss : NaN;
  let lastEval: number | undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const e = (history[i] as HistoryRecord).evalLoss;
    if (e !== undefined) {
      lastEval = e;
      break;
    }
  }
  let cancelled = false;
  let diverged = false;
  // In a notebook, Jupyter's interrupt stops the training (src/cancel.ts) unless the caller gave its own signal.
  const signal = opts.signal ?? interruptSignal();
  try {
    while (step < c.numSteps) {
      await yieldToEventLoop();
      if (signal?.aborted) {
        if (opts.onAbort === "return") {
          cancelled = true;
          break;
        }
        throw cancelledError(opts.label ?? "training", ` at step ${step}`);
      }
      const lr = learningRate(step, c);
      const b = sampler(rng, c.batchSize);
      // [loss, grad norm], read with one sync outside the tidy.
      const stats = tf.tidy(() => {
        const t = batchTensors(b, "sampler");
        const { value, grads } = tf.variableGrads(() => model.loss(t.x, t.y, t.mask), Object.values(weights));
        // variableGrads keys gradients by the variable's tfjs name; map back to our names.
        const byName: Record<string, tf.Tensor> = {};
        for (const [n, w] of Object.entries(weights)) byName[n] = grads[w.name] as tf.Tensor;
        const gn = opt.apply(byName, lr, c);
        return tf.stack([value, gn]); // [2]
      });
      let lossValue: number;
      let normValue: number;
      try {
        const d = await stats.data();
        lossValue = d[0];
        normValue = d[1];
      } finally {
        stats.dispose();
      }
      if (!Number.isFinite(lossValue)) {
        if (opts.onNonFinite === "return") {
          diverged = true;
          break;
        }
        throw new Error(
          `trainModel: loss is ${lossValue} at step ${step + 1} (diverged); lower TrainConfig.lr (${c.lr}) or check the data`,
        );
      }
      step += 1;
      tokens += batchTokens(b);
      lastLoss = lossValue;
      let evalLoss: number | undefined;
      const isEval =
        opts.evalSampler !== undefined && c.evalEvery > 0 && (step % c.evalEvery === 0 || step === c.numSteps);
      if (isEval) {
        evalLoss = await evaluateLoss(model, opts.evalSampler as BatchSampler, c.batchSize, c.evalBatches, evalSeed);
        lastEval = evalLoss;
      }
      const record: HistoryRecord = {
        step,
        tokens,
        trainLoss: lossValue,
        ...(evalLoss !== undefined ? { evalLoss } : {}),
        lr,
        gradNorm: normValue,
        wallMs: Date.now() - start,
      };
      history.push(record);
      opts.progress?.update({
        label,
        step,
        total: c.numSteps,
        info: { loss: lossValue, ...(lastEval !== undefined ? { eval: lastEval } : {}), lr },
      });
      if (opts.onStep) await opts.onStep(record, state);
    }
    const s = await state();
    opts.progress?.done?.(label);
    return {
      history,
      finalLoss: lastLoss,
      ...(lastEval !== undefined ? { finalEvalLoss: lastEval } : {}),
      state: s,
      cancelled,
      diverged,
    };
  } finally {
    opt.dispose();
  }
}
