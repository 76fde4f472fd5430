/**
 * A small ReLU MLP classifier written with core ops, with a hook on its weights so that quantization
 * sits inside the forward pass: post-training quantization passes the dequantized matrices,
 * quantization-aware training passes a straight-through fake quantizer (`fakeQuantSTE`), and the
 * optimiser keeps updating the float "latent" weights underneath (Courbariaux et al. 2015; BitNet).
 * (tf.layers has no such hook, hence core ops.)
 */
import * as tf from "@tensorflow/tfjs";
import { throwIfCancelled } from "./cancel";
import { checkRange } from "./config";
import { Progress, silentProgress } from "./present/progress";
import { deriveSeed, Rng } from "./rng";
import { AdamW } from "./train";

/** Architecture. */
export interface MLPConfig {
  readonly inputDim: number;
  /** Hidden layer widths, e.g. [128, 128]. */
  readonly hidden: ReadonlyArray<number>;
  /** Number of classes. */
  readonly outputDim: number;
}

/** What the forward pass does to each weight matrix before using it (identity when absent). */
export type WeightTransform = (w: tf.Tensor2D, layer: number) => tf.Tensor2D;

let instances = 0;

/** A ReLU MLP: logits = W_L(…relu(W_1 x + b_1)…) + b_L, kernels `[in, out]`. */
export class MLP {
  readonly config: MLPConfig;
  readonly kernels: tf.Variable<tf.Rank.R2>[];
  readonly biases: tf.Variable<tf.Rank.R1>[];

  constructor(config: MLPConfig, seed: number) {
    checkRange("MLPConfig.inputDim", config.inputDim, 1, 1e6, true);
    checkRange("MLPConfig.outputDim", config.outputDim, 1, 1e6, true);
    config.hidden.forEach((h, i) => checkRange(`MLPConfig.hidden[${i}]`, h, 1, 1e6, true));
    this.config = config;
    const id = instances++; // tfjs variable names are global: keep them unique per model
    const dims = [config.inputDim, ...config.hidden, config.outputDim];
    this.kernels = [];
    this.biases = [];
    for (let l = 0; l + 1 < dims.length; l++) {
      const [nIn, nOut] = [dims[l], dims[l + 1]];
      // He init for ReLU, one derived seed per layer (STYLE §6)
      const w = new Rng(deriveSeed(seed, "mlp", "kernel", l)).normalArray(nIn * nOut, 0, Math.sqrt(2 / nIn));
      // tf.variable keeps its initial tensor alive: make both inside tidy, which disposes the initial values
      this.kernels.push(tf.tidy(() => tf.variable(tf.tensor2d(w, [nIn, nOut]), true, `mlp${id}/dense${l}/kernel`)));
      this.biases.push(tf.tidy(() => tf.variable(tf.zeros([nOut]), true, `mlp${id}/dense${l}/bias`)));
    }
  }

  get variables(): tf.Variable[] {
    return [...this.kernels, ...this.biases];
  }

  /** Weight matrices (the ones quantization touches), by name. */
  namedKernels(): Record<string, tf.Variable<tf.Rank.R2>> {
    return Object.fromEntries(this.kernels.map((k, l) => [`dense${l}/kernel`, k]));
  }

  /** Logits `[B, K]` for inputs `[B, d]`. Caller disposes. */
  forward(x: tf.Tensor2D, transform?: WeightTransform): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = x; // [B, d]
      this.kernels.forEach((k, l) => {
        const w = transform ? transform(k, l) : k;
        h = tf.add(tf.matMul(h, w), this.biases[l] as tf.Tensor1D) as tf.Tensor2D; // [B, in] -> [B, out]
        if (l < this.kernels.length - 1) h = tf.relu(h);
      });
      return h;
    });
  }

  /** Mean softmax cross-entropy for labels y `[B]` (int32). Caller disposes. */
  loss(x: tf.Tensor2D, y: tf.Tensor1D, transform?: WeightTransform): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.forward(x, transform); // [B, K]
      return tf.losses.softmaxCrossEntropy(tf.oneHot(y, this.config.outputDim), logits) as tf.Scalar;
    });
  }

  numParams(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }

  /** Copies of all weights by name (read asynchronously: a GPU backend cannot read synchronously). */
  async readWeights(): Promise<Record<string, { shape: number[]; values: Float32Array }>> {
    const out: Record<string, { shape: number[]; values: Float32Array }> = {};
    for (const v of this.variables) {
      out[v.name.replace(/^mlp\d+\//, "")] = { shape: [...v.shape], values: (await v.data()) as Float32Array };
    }
    return out;
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

/** A seeded MLP (same seed → bit-identical initial weights). */
export function createMLP(config: MLPConfig, seed: number): MLP {
  return new MLP(config, seed);
}

/** Training knobs (Adam, cosine decay to `minLr`). */
export interface MLPTrainConfig {
  readonly numSteps: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly minLr: number;
  /** Decoupled weight decay (AdamW). */
  readonly weightDecay: number;
}

/** One point of the training curve. */
export interface MLPHistoryPoint {
  readonly step: number;
  readonly loss: number;
}

/** Options of {@link trainMLP}. */
export interface MLPTrainOptions {
  readonly seed: number;
  /** Applied to the weights inside the forward pass (QAT: a straight-through fake quantizer). */
  readonly transform?: WeightTransform;
  readonly progress?: Progress;
  readonly label?: string;
  readonly signal?: AbortSignal;
  /** Record the loss every this many steps (default numSteps / 50). */
  readonly logEvery?: number;
}

/** Rows `idx` of a row-major `[n, d]` array as a `[B, d]` tensor. Caller disposes. */
export function rowsTensor(x: Float32Array, d: number, idx: ArrayLike<number>): tf.Tensor2D {
  const out = new Float32Array(idx.length * d);
  for (let i = 0; i < idx.length; i++) out.set(x.subarray(idx[i] * d, (idx[i] + 1) * d), i * d);
  return tf.tensor2d(out, [idx.length, d]);
}

/**
 * Train with AdamW on minibatches drawn (with replacement) by a seeded generator. Deterministic for a
 * seed on a given backend. Returns the loss history.
 */
export async function trainMLP(
  model: MLP,
  x: Float32Array,
  y: Int32Array,
  cfg: MLPTrainConfig,
  opts: MLPTrainOptions,
): Promise<MLPHistoryPoint[]> {
  checkRange("MLPTrainConfig.numSteps", cfg.numSteps, 0, 1e8, true);
  checkRange("MLPTrainConfig.batchSize", cfg.batchSize, 1, 1e6, true);
  const d = model.config.inputDim;
  const n = y.length;
  if (x.length !== n * d) throw new Error(`trainMLP: x has ${x.length} values for ${n} labels of dimension ${d}`);
  const rng = new Rng(deriveSeed(opts.seed, "mlp-batches"));
  const progress = opts.progress ?? silentProgress;
  const label = opts.label ?? "train MLP";
  const logEvery = opts.logEvery ?? Math.max(1, Math.floor(cfg.numSteps / 50));
  const vars = model.variables;
  // the library's AdamW (src/train.ts): the same update as the GPT trainer, decoupled decay on matrices only
  const named = Object.fromEntries(vars.map((v) => [v.name, v]));
  const opt = new AdamW(named);
  const adam = { beta1: 0.9, beta2: 0.999, weightDecay: cfg.weightDecay, gradClip: 0 };
  const history: MLPHistoryPoint[] = [];
  try {
    for (let step = 0; step < cfg.numSteps; step++) {
      throwIfCancelled(opts.signal, label, ` at step ${step}`);
      const lr = cfg.minLr + 0.5 * (cfg.lr - cfg.minLr) * (1 + Math.cos((Math.PI * step) / Math.max(1, cfg.numSteps)));
      const idx = Array.from({ length: cfg.batchSize }, () => rng.int(n));
      const xb = rowsTensor(x, d, idx);
      const yb = tf.tensor1d(
        Int32Array.from(idx, (i) => y[i]),
        "int32",
      );
      try {
        const lossT = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => model.loss(xb, yb, opts.transform), vars);
          opt.apply(grads, lr, adam).dispose(); // returns the gradient norm, unused here
          return value;
        });
        if (step % logEvery === 0 || step === cfg.numSteps - 1) {
          const loss = (await lossT.data())[0] as number;
          history.push({ step, loss });
          progress.update({ label, step: step + 1, total: cfg.numSteps, info: { loss } });
        }
        lossT.dispose();
      } finally {
        tf.dispose([xb, yb]);
      }
    }
  } finally {
    opt.dispose();
  }
  return history;
}

/** Predicted classes for rows of x `[n, d]`, in batches. */
export async function predictClasses(
  model: MLP,
  x: Float32Array,
  transform?: WeightTransform,
  batchSize = 2048,
): Promise<Int32Array> {
  const d = model.config.inputDim;
  const n = x.length / d;
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const xb = tf.tensor2d(x.subarray(start * d, end * d), [end - start, d]);
    const pred = tf.tidy(() => tf.argMax(model.forward(xb, transform), 1));
    try {
      out.set((await pred.data()) as Int32Array, start);
    } finally {
      tf.dispose([xb, pred]);
    }
  }
  return out;
}

/** Accuracy on (x, y). */
export async function mlpAccuracy(
  model: MLP,
  x: Float32Array,
  y: Int32Array,
  transform?: WeightTransform,
): Promise<number> {
  const pred = await predictClasses(model, x, transform);
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}
