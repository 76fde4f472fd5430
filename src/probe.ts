/**
 * Linear probes: multinomial logistic regression from a model's hidden states to a label (Alain &
 * Bengio 2016, "Understanding intermediate layers using linear classifier probes", arXiv:1610.01644).
 * If a linear read-out trained on some entities decodes an attribute of *other* entities from the
 * hidden state at their name, the attribute is stored there in a linearly accessible form (the
 * "P-probing" of Allen-Zhu & Li 2023, Physics of LMs 3.1).
 *
 * Written with tf core ops (the maths is the point): features are standardised with the training
 * statistics, weights start at zero (so the fit is deterministic), and full-batch Adam minimises the
 * mean cross-entropy plus an L2 penalty on the weights.
 */
import * as tf from "@tensorflow/tfjs";
import { checkRange, frozen, withOverrides } from "./config";

/** How a probe is fitted. */
export interface ProbeConfig {
  /** Full-batch Adam iterations. */
  readonly numSteps: number;
  /** Adam learning rate. */
  readonly lr: number;
  /** L2 penalty λ·|W|² added to the mean cross-entropy (not on the bias). */
  readonly l2: number;
}

export const PROBE_DEFAULTS: Readonly<ProbeConfig> = frozen({ numSteps: 200, lr: 0.05, l2: 1e-3 });

/** A fitted probe (plain arrays: no tensors to dispose). */
export interface LinearProbe {
  readonly inputDim: number;
  readonly numClasses: number;
  /** Feature means and standard deviations of the training set. */
  readonly mu: Float32Array;
  readonly sigma: Float32Array;
  /** [inputDim, numClasses] row-major. */
  readonly weights: Float32Array;
  /** [numClasses]. */
  readonly bias: Float32Array;
  /** Final training loss (cross-entropy + penalty). */
  readonly trainLoss: number;
}

function checkData(
  where: string,
  X: ReadonlyArray<ArrayLike<number>>,
  y: ReadonlyArray<number>,
  numClasses: number,
  inputDim?: number,
): number {
  if (X.length === 0) throw new Error(`${where}: no samples; pass at least one feature row`);
  if (X.length !== y.length)
    throw new Error(`${where}: ${X.length} feature rows but ${y.length} labels; pass one label per row`);
  const d = inputDim ?? (X[0] as ArrayLike<number>).length;
  X.forEach((row, i) => {
    if (row.length !== d) throw new Error(`${where}: feature row ${i} has ${row.length} values, expected ${d}`);
  });
  y.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= numClasses)
      throw new Error(`${where}: label ${i} is ${c}, outside [0, numClasses=${numClasses})`);
  });
  return d;
}

function flatten(X: ReadonlyArray<ArrayLike<number>>, d: number): Float32Array {
  const out = new Float32Array(X.length * d);
  X.forEach((row, i) => {
    for (let j = 0; j < d; j++) out[i * d + j] = row[j];
  });
  return out;
}

/**
 * Fit a multinomial logistic regression probe on features X [n][d] and labels y in [0, numClasses).
 * Deterministic (zero init, full batch). Leaves no tensors behind.
 */
export async function fitLinearProbe(
  X: ReadonlyArray<ArrayLike<number>>,
  y: ReadonlyArray<number>,
  numClasses: number,
  config: Partial<ProbeConfig> = {},
): Promise<LinearProbe> {
  const c = withOverrides(PROBE_DEFAULTS as ProbeConfig, config, "ProbeConfig");
  checkRange("ProbeConfig.numSteps", c.numSteps, 1, 1e6, true);
  checkRange("ProbeConfig.lr", c.lr, 0, 100);
  checkRange("ProbeConfig.l2", c.l2, 0, 1e6);
  checkRange("fitLinearProbe numClasses", numClasses, 2, 1e6, true);
  const d = checkData("fitLinearProbe", X, y, numClasses);
  const n = X.length;
  // Standardise with the training statistics (sigma floored so constant features stay 0).
  const flat = flatten(X, d);
  const mu = new Float32Array(d);
  const sigma = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += flat[i * d + j];
    mu[j] = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (flat[i * d + j] - mu[j]) ** 2;
    sigma[j] = Math.max(Math.sqrt(v / n), 1e-6);
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) flat[i * d + j] = (flat[i * d + j] - mu[j]) / sigma[j];
  // Variables copy their initial values, so the zeros are made (and freed) inside tidy.
  const W = tf.tidy(() => tf.variable(tf.zeros([d, numClasses]), true)); // [d, K]
  const b = tf.tidy(() => tf.variable(tf.zeros([numClasses]), true)); // [K]
  const opt = tf.train.adam(c.lr);
  const Xt = tf.tensor2d(flat, [n, d]); // [n, d]
  const Yt = tf.tidy(() => tf.oneHot(tf.tensor1d(y as number[], "int32"), numClasses).toFloat()); // [n, K]
  let trainLoss = NaN;
  try {
    const lossFn = (): tf.Scalar =>
      tf.tidy(() => {
        const logits = tf.add(tf.matMul(Xt, W), b); // [n, d] @ [d, K] -> [n, K]
        const ce = tf.neg(tf.mean(tf.sum(tf.mul(Yt, tf.logSoftmax(logits)), -1))); // []
        return tf.add(ce, tf.mul(c.l2, tf.sum(tf.square(W)))) as tf.Scalar; // []
      });
    for (let s = 0; s < c.numSteps; s++) {
      const cost = opt.minimize(lossFn, s === c.numSteps - 1, [W, b]);
      if (cost) {
        trainLoss = (await cost.data())[0] as number;
        cost.dispose();
      }
    }
    return {
      inputDim: d,
      numClasses,
      mu,
      sigma,
      weights: (await W.data()) as Float32Array,
      bias: (await b.data()) as Float32Array,
      trainLoss,
    };
  } finally {
    W.dispose();
    b.dispose();
    Xt.dispose();
    Yt.dispose();
    opt.dispose();
  }
}

/** Predicted class of every row (argmax of the logits; ties to the lower class). Pure JS. */
export function probePredict(probe: LinearProbe, X: ReadonlyArray<ArrayLike<number>>): number[] {
  const { inputDim: d, numClasses: K, mu, sigma, weights, bias } = probe;
  return X.map((row, i) => {
    if (row.length !== d) throw new Error(`probePredict: feature row ${i} has ${row.length} values, expected ${d}`);
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < K; k++) {
      let s = bias[k];
      for (let j = 0; j < d; j++) s += ((row[j] - mu[j]) / sigma[j]) * weights[j * K + k];
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    return best;
  });
}

/** Fraction of rows the probe classifies correctly. */
export function probeAccuracy(
  probe: LinearProbe,
  X: ReadonlyArray<ArrayLike<number>>,
  y: ReadonlyArray<number>,
): number {
  checkData("probeAccuracy", X, y, probe.numClasses, probe.inputDim);
  const pred = probePredict(probe, X);
  let ok = 0;
  pred.forEach((p, i) => (ok += p === y[i] ? 1 : 0));
  return ok / y.length;
}

/**
 * Fit on (trainX, trainY) and report accuracy on (testX, testY): the generalisation of a linear
 * read-out to unseen items (e.g. held-out entities).
 */
export async function probeTrainTest(
  trainX: ReadonlyArray<ArrayLike<number>>,
  trainY: ReadonlyArray<number>,
  testX: ReadonlyArray<ArrayLike<number>>,
  testY: ReadonlyArray<number>,
  numClasses: number,
  config: Partial<ProbeConfig> = {},
): Promise<{ trainAcc: number; testAcc: number; probe: LinearProbe }> {
  const probe = await fitLinearProbe(trainX, trainY, numClasses, config);
  return { trainAcc: probeAccuracy(probe, trainX, trainY), testAcc: probeAccuracy(probe, testX, testY), probe };
}
