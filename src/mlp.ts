/**
 * A small multi-layer perceptron for non-sequence tasks (STYLE §4: layers API for plain models),
 * with a deterministic seeded initialisation and a deterministic training loop: batches are
 * pre-shuffled with an {@link Rng} and the update is a manual Adam loop (no `fit`, which shuffles
 * with Math.random).
 */
import * as tf from "@tensorflow/tfjs";
import { checkRange } from "./config";
import type { Progress } from "./progress";
import { deriveSeed, Rng } from "./rng";

/** Architecture of an MLP. */
export interface MLPConfig {
  readonly inputDim: number;
  /** Widths of the hidden layers (may be empty: a linear/logistic model). */
  readonly hidden: ReadonlyArray<number>;
  readonly outputDim: number;
  /** Hidden activation. */
  readonly activation: "relu" | "tanh" | "sigmoid" | "elu" | "linear";
}

/** A seeded MLP: `model` is a tf.LayersModel mapping [N, inputDim] to logits [N, outputDim]. */
export interface MLP {
  readonly config: MLPConfig;
  readonly model: tf.Sequential;
  /** Number of parameters. */
  numParams(): number;
  /** Logits [N, outputDim]; caller disposes. */
  predict(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

function validate(c: MLPConfig): void {
  checkRange("MLPConfig.inputDim", c.inputDim, 1, 1 << 24, true);
  checkRange("MLPConfig.outputDim", c.outputDim, 1, 1 << 24, true);
  if (!Array.isArray(c.hidden)) throw new Error("MLPConfig.hidden: must be an array of layer widths, e.g. [64, 64]");
  c.hidden.forEach((h, i) => checkRange(`MLPConfig.hidden[${i}]`, h, 1, 1 << 20, true));
  const acts = ["relu", "tanh", "sigmoid", "elu", "linear"];
  if (!acts.includes(c.activation)) throw new Error(`MLPConfig.activation: unknown "${c.activation}"; use one of ${acts.join(", ")}`);
}

/**
 * Build an MLP with Glorot-uniform weights (Glorot & Bengio 2010) and zero biases drawn from `seed`
 * (one derived seed per layer): same seed, bit-identical weights. Dispose when done.
 */
export function createMLP(config: MLPConfig, seed: number): MLP {
  validate(config);
  if (!Number.isInteger(seed)) throw new Error(`createMLP: seed must be an integer, got ${seed}`);
  const widths = [...config.hidden, config.outputDim];
  const model = tf.sequential();
  widths.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: i < widths.length - 1 ? config.activation : "linear",
        ...(i === 0 ? { inputShape: [config.inputDim] } : {}),
        kernelInitializer: "zeros",
        biasInitializer: "zeros",
      }),
    );
  });
  // Seeded weights from our Rng (tfjs initializers' seeds are not part of our seed tree).
  const dims = [config.inputDim, ...widths];
  const values = widths.flatMap((units, i) => {
    const fanIn = dims[i] as number;
    const limit = Math.sqrt(6 / (fanIn + units));
    const rng = new Rng(deriveSeed(seed, "mlp-init", i));
    const w = new Float32Array(fanIn * units);
    for (let k = 0; k < w.length; k++) w[k] = rng.uniform(-limit, limit);
    return [tf.tensor2d(w, [fanIn, units]), tf.zeros([units])];
  });
  model.setWeights(values);
  tf.dispose(values);
  return {
    config,
    model,
    numParams: () => model.countParams(),
    predict: (x) => model.predict(x) as tf.Tensor2D,
    dispose: () => model.dispose(),
  };
}

/** Options of {@link trainMLP}. */
export interface TrainMLPOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  /** Seed of the per-epoch shuffles. */
  readonly seed: number;
  /** "crossentropy" (y: class ids) or "mse" (y: targets [N][outputDim]). Default crossentropy. */
  readonly loss?: "crossentropy" | "mse";
  /** Evaluated after every epoch. */
  readonly validation?: { readonly x: ReadonlyArray<ReadonlyArray<number>>; readonly y: ReadonlyArray<number> | ReadonlyArray<ReadonlyArray<number>> };
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

/** One row per epoch. */
export interface MLPHistoryRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss?: number;
  /** Validation accuracy (crossentropy only). */
  readonly valAccuracy?: number;
  readonly wallMs: number;
}

function lossOf(kind: "crossentropy" | "mse", logits: tf.Tensor2D, y: tf.Tensor): tf.Scalar {
  if (kind === "mse") return tf.mean(tf.squaredDifference(logits, y)) as tf.Scalar;
  const V = logits.shape[1];
  return tf.losses.softmaxCrossEntropy(tf.cast(tf.oneHot(y as tf.Tensor1D, V), "float32"), logits) as tf.Scalar;
}

function targets(kind: "crossentropy" | "mse", y: ReadonlyArray<number> | ReadonlyArray<ReadonlyArray<number>>, idx: ReadonlyArray<number>, outDim: number): tf.Tensor {
  if (kind === "mse") return tf.tensor2d(idx.flatMap((i) => [...((y as ReadonlyArray<ReadonlyArray<number>>)[i] as number[])]), [idx.length, outDim]);
  return tf.tensor1d(idx.map((i) => (y as ReadonlyArray<number>)[i] as number), "int32");
}

/**
 * Mean loss and accuracy (crossentropy) of an MLP on a data set. Leaves no tensors behind.
 */
export function evaluateMLP(mlp: MLP, x: ReadonlyArray<ReadonlyArray<number>>, y: ReadonlyArray<number> | ReadonlyArray<ReadonlyArray<number>>, loss: "crossentropy" | "mse" = "crossentropy"): { loss: number; accuracy?: number } {
  const idx = x.map((_, i) => i);
  const [l, acc] = tf.tidy(() => {
    const xt = tf.tensor2d(x.flatMap((r) => [...r]), [x.length, mlp.config.inputDim]); // [N, in]
    const logits = mlp.predict(xt); // [N, out]
    const yt = targets(loss, y, idx, mlp.config.outputDim);
    const a = loss === "crossentropy" ? tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), yt), "float32")) : tf.scalar(NaN);
    return [lossOf(loss, logits, yt), a];
  });
  const lv = l.dataSync()[0] as number;
  const av = acc.dataSync()[0] as number;
  tf.dispose([l, acc]);
  return loss === "crossentropy" ? { loss: lv, accuracy: av } : { loss: lv };
}

/**
 * Train an MLP with Adam on (x, y) for `epochs`, shuffling with a seeded generator each epoch
 * (deterministic on a given backend). Returns one history record per epoch.
 */
export async function trainMLP(mlp: MLP, x: ReadonlyArray<ReadonlyArray<number>>, y: ReadonlyArray<number> | ReadonlyArray<ReadonlyArray<number>>, opts: TrainMLPOptions): Promise<MLPHistoryRecord[]> {
  const kind = opts.loss ?? "crossentropy";
  checkRange("trainMLP epochs", opts.epochs, 0, 1e7, true);
  checkRange("trainMLP batchSize", opts.batchSize, 1, 1 << 24, true);
  checkRange("trainMLP lr", opts.lr, 0, 10);
  if (x.length !== y.length) throw new Error(`trainMLP: x has ${x.length} rows but y has ${y.length}`);
  if (x.length === 0) throw new Error("trainMLP: empty training set");
  x.forEach((r, i) => {
    if (r.length !== mlp.config.inputDim) throw new Error(`trainMLP: x[${i}] has ${r.length} features, the MLP expects inputDim=${mlp.config.inputDim}`);
  });
  if (kind === "crossentropy") {
    (y as ReadonlyArray<number>).forEach((c, i) => {
      if (!Number.isInteger(c) || c < 0 || c >= mlp.config.outputDim) throw new Error(`trainMLP: y[${i}] = ${c} is not a class id in [0, ${mlp.config.outputDim})`);
    });
  }
  const rng = new Rng(deriveSeed(opts.seed, "mlp-shuffle"));
  const optimizer = tf.train.adam(opts.lr);
  const vars = mlp.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const history: MLPHistoryRecord[] = [];
  const start = Date.now();
  const xs = tf.tensor2d(x.flatMap((r) => [...r]), [x.length, mlp.config.inputDim]); // [N, in]
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const perm = rng.permutation(x.length);
      let sum = 0;
      let n = 0;
      for (let s = 0; s < perm.length; s += opts.batchSize) {
        if (opts.signal?.aborted) {
          const e = new Error(`trainMLP cancelled at epoch ${epoch}`);
          e.name = "AbortError";
          throw e;
        }
        const idx = perm.slice(s, s + opts.batchSize);
        const cost = tf.tidy(() => {
          const xb = tf.gather(xs, tf.tensor1d(idx, "int32")); // [b, in]
          const yb = targets(kind, y, idx, mlp.config.outputDim);
          return optimizer.minimize(() => lossOf(kind, mlp.model.apply(xb, { training: true }) as tf.Tensor2D, yb), true, vars) as tf.Scalar;
        });
        sum += ((await cost.data())[0] as number) * idx.length;
        n += idx.length;
        cost.dispose();
      }
      const rec: MLPHistoryRecord = { epoch, trainLoss: sum / n, wallMs: Date.now() - start };
      let val: { loss: number; accuracy?: number } | undefined;
      if (opts.validation) val = evaluateMLP(mlp, opts.validation.x, opts.validation.y, kind);
      const full: MLPHistoryRecord = val ? { ...rec, valLoss: val.loss, ...(val.accuracy !== undefined ? { valAccuracy: val.accuracy } : {}) } : rec;
      history.push(full);
      opts.progress?.update({ label: "mlp", step: epoch, total: opts.epochs, info: { loss: full.trainLoss, ...(full.valAccuracy !== undefined ? { valAcc: full.valAccuracy } : {}) } });
    }
    opts.progress?.done?.("mlp");
    return history;
  } finally {
    xs.dispose();
    optimizer.dispose();
  }
}
