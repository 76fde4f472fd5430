/**
 * A seeded synthetic classification task for the MLP of takeaway 5: a Gaussian mixture where every class
 * owns several clusters scattered at random, so the class regions are non-convex and interleaved, and
 * clusters of different classes overlap. Because the generating mixture is known, the Bayes-optimal
 * accuracy (the ceiling no classifier can beat) is computed exactly, and a trained network's accuracy
 * sits visibly below 100% — so the cost of quantizing its weights shows up as lost accuracy.
 */
import { checkRange } from "../config";
import { Rng } from "../rng";

/** The task's knobs. */
export interface ClassificationConfig {
  /** Input dimension d. */
  readonly inputDim: number;
  /** Number of classes K. */
  readonly numClasses: number;
  /** Gaussian clusters per class (more → more intricate class regions). */
  readonly clustersPerClass: number;
  /** Standard deviation of the cluster centres around the origin (per coordinate). */
  readonly centerStd: number;
  /** Standard deviation of points around their cluster centre (per coordinate); overlap grows with it. */
  readonly noiseStd: number;
  /** Training examples. */
  readonly trainSize: number;
  /** Held-out test examples. */
  readonly testSize: number;
}

/** Defaults: 16-D, 8 classes × 4 clusters with strong overlap: Bayes accuracy around 0.9. */
export const CLASSIFICATION_DEFAULTS: ClassificationConfig = Object.freeze({
  inputDim: 16,
  numClasses: 8,
  clustersPerClass: 4,
  centerStd: 1.0,
  noiseStd: 1.0,
  trainSize: 8192,
  testSize: 4096,
});

/** A generated task: the mixture and the train/test samples (row-major `[n, d]`). */
export interface ClassificationTask {
  readonly config: ClassificationConfig;
  /** Cluster centres `[K·M, d]`; cluster j belongs to class ⌊j / M⌋. */
  readonly centers: Float32Array;
  readonly xTrain: Float32Array;
  readonly yTrain: Int32Array;
  readonly xTest: Float32Array;
  readonly yTest: Int32Array;
}

function validate(c: ClassificationConfig): void {
  checkRange("ClassificationConfig.inputDim", c.inputDim, 1, 4096, true);
  checkRange("ClassificationConfig.numClasses", c.numClasses, 2, 1000, true);
  checkRange("ClassificationConfig.clustersPerClass", c.clustersPerClass, 1, 1000, true);
  checkRange("ClassificationConfig.centerStd", c.centerStd, 1e-6, 1e6);
  checkRange("ClassificationConfig.noiseStd", c.noiseStd, 1e-6, 1e6);
  checkRange("ClassificationConfig.trainSize", c.trainSize, 1, 1e7, true);
  checkRange("ClassificationConfig.testSize", c.testSize, 1, 1e7, true);
}

/** Draw n labelled points: a uniformly chosen cluster, then Gaussian noise around its centre. */
function sample(c: ClassificationConfig, centers: Float32Array, n: number, rng: Rng): { x: Float32Array; y: Int32Array } {
  const d = c.inputDim;
  const numClusters = c.numClasses * c.clustersPerClass;
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = rng.int(numClusters);
    y[i] = Math.floor(j / c.clustersPerClass);
    for (let k = 0; k < d; k++) x[i * d + k] = centers[j * d + k] + rng.normal(0, c.noiseStd);
  }
  return { x, y };
}

/** Generate the task from a seed (same seed → identical arrays). */
export function makeClassificationTask(config: Partial<ClassificationConfig>, seed: number): ClassificationTask {
  const c: ClassificationConfig = { ...CLASSIFICATION_DEFAULTS, ...config };
  validate(c);
  const rng = new Rng(seed);
  const numClusters = c.numClasses * c.clustersPerClass;
  const centers = rng.fork("centers").normalArray(numClusters * c.inputDim, 0, c.centerStd);
  const train = sample(c, centers, c.trainSize, rng.fork("train"));
  const test = sample(c, centers, c.testSize, rng.fork("test"));
  return { config: c, centers, xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y };
}

/**
 * The Bayes-optimal prediction for each row of x `[n, d]`: the class with the largest posterior
 * Σ_j∈class exp(−|x − μ_j|² / 2σ²) (all clusters equally likely, equal isotropic σ).
 */
export function bayesPredict(task: ClassificationTask, x: Float32Array): Int32Array {
  const { inputDim: d, numClasses: K, clustersPerClass: M, noiseStd } = task.config;
  if (x.length % d !== 0) throw new Error(`bayesPredict: x has ${x.length} values, not a multiple of inputDim ${d}`);
  const n = x.length / d;
  const out = new Int32Array(n);
  const logp = new Float64Array(K * M);
  const inv = 1 / (2 * noiseStd * noiseStd);
  for (let i = 0; i < n; i++) {
    let maxL = -Infinity;
    for (let j = 0; j < K * M; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (x[i * d + k] - task.centers[j * d + k]) ** 2;
      logp[j] = -s * inv;
      if (logp[j] > maxL) maxL = logp[j];
    }
    let best = 0;
    let bestP = -1;
    for (let cls = 0; cls < K; cls++) {
      let p = 0;
      for (let m = 0; m < M; m++) p += Math.exp(logp[cls * M + m] - maxL);
      if (p > bestP) {
        bestP = p;
        best = cls;
      }
    }
    out[i] = best;
  }
  return out;
}

/** Fraction of predictions equal to the labels. */
export function accuracyOf(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  if (pred.length !== y.length) throw new Error(`accuracyOf: ${pred.length} predictions for ${y.length} labels`);
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

/** Accuracy of the Bayes-optimal classifier on the task's test set: the ceiling for any model. */
export function bayesAccuracy(task: ClassificationTask): number {
  return accuracyOf(bayesPredict(task, task.xTest), task.yTest);
}
