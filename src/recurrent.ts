/**
 * A small recurrent net without attention: the tiny GPT of ./transformer.ts with its attention replaced
 * by a diagonal linear recurrence, so the two differ in one thing only, how a position reads the past.
 *
 * Attention mixes past positions with weights computed from their content (a query matched against keys:
 * retrieval by content). The recurrence mixes them with fixed, content-independent weights: each of
 * dState channels is a leaky integrator
 *
 *     h_t = λ h_{t−1} + (1 − λ) u_t,     u_t = LN(x_t) W_in + b_in,     y_t = h_t W_out + b_out,
 *
 * a fading memory with a learned time constant per channel (a linear recurrent unit with real decays:
 * Orvieto et al. 2023, "Resurrecting recurrent neural networks for long sequences", arXiv:2303.06349;
 * the (1 − λ) input scaling keeps h an average of the inputs, so long time constants integrate evidence
 * without growing). Position-wise GELU MLPs between the recurrences make the net nonlinear, as in the GPT.
 * In notebook 06 it is the non-attentional (cerebellum) analogue: Ohmae & Ohmae's cerebellar network
 * predicts with a recurrent pathway and no attention (Ohmae & Ohmae 2024, Nat. Commun. 15:1004).
 *
 * The recurrence is computed in its equivalent convolutional form (exact, and parallel over time):
 * h_t = Σ_{s≤t} (1 − λ) λ^{t−s} u_s, a [T, T] lower-triangular matrix per channel applied with one batched
 * matMul. {@link recurrenceReference} is the step-by-step loop it is tested against.
 *
 * Shapes: B batch, T sequence length (≤ seqLen), C dModel, D dState, F dFF, V vocabSize.
 */
import * as tf from "@tensorflow/tfjs";
import { checkRange, frozen, withOverrides } from "./config";
import { withFastPaths } from "./speed/index";
import { oneHotF32, referenceOps, type ForwardOptions, type TrainableModel, type WeightMap } from "./transformer";
import { countParams, initWeights, type ParamSpec, WeightSet } from "./weights";

/** The architecture of the recurrent net. */
export interface RecurrentConfig {
  /** Number of token ids. */
  readonly vocabSize: number;
  /** Longest sequence accepted (the recurrence itself has no length limit; this bounds the cached kernels). */
  readonly seqLen: number;
  /** Width of the residual stream (C). */
  readonly dModel: number;
  /** Recurrent blocks. */
  readonly nLayer: number;
  /** Hidden width of the MLP; 0 means 4 * dModel (as the GPT). */
  readonly dFF: number;
  /** Leaky-integrator channels per block (D); 0 means 2 * dModel (then a block has the GPT block's parameter count). */
  readonly dState: number;
  /** Shortest and longest initial time constant 1 / (1 − λ), in tokens (log-spaced over the channels). */
  readonly tauMin: number;
  readonly tauMax: number;
}

export const RECURRENT_DEFAULTS: Readonly<RecurrentConfig> = frozen({
  vocabSize: 64,
  seqLen: 64,
  dModel: 64,
  nLayer: 2,
  dFF: 0,
  dState: 0,
  tauMin: 1.5,
  tauMax: 100,
});

/** Complete and validate a config (missing fields from {@link RECURRENT_DEFAULTS}); errors name the field. */
export function recurrentConfig(partial: Partial<RecurrentConfig>): RecurrentConfig {
  const c = withOverrides(RECURRENT_DEFAULTS as RecurrentConfig, partial, "RecurrentConfig");
  checkRange("RecurrentConfig.vocabSize", c.vocabSize, 2, 1 << 20, true);
  checkRange("RecurrentConfig.seqLen", c.seqLen, 1, 1 << 12, true);
  checkRange("RecurrentConfig.dModel", c.dModel, 1, 1 << 14, true);
  checkRange("RecurrentConfig.nLayer", c.nLayer, 0, 256, true);
  checkRange("RecurrentConfig.dFF", c.dFF, 0, 1 << 16, true);
  checkRange("RecurrentConfig.dState", c.dState, 0, 1 << 14, true);
  checkRange("RecurrentConfig.tauMin", c.tauMin, 1.0001, 1e6);
  checkRange("RecurrentConfig.tauMax", c.tauMax, c.tauMin, 1e6);
  return { ...c, dFF: c.dFF === 0 ? 4 * c.dModel : c.dFF, dState: c.dState === 0 ? 2 * c.dModel : c.dState };
}

function paramSpecs(c: RecurrentConfig): ParamSpec[] {
  const { dModel: C, dFF: F, dState: D } = c;
  // GPT-2 init, as the GPT (Radford et al. 2019, §2.3).
  const std = 0.02;
  const resid = 0.02 / Math.sqrt(2 * Math.max(1, c.nLayer));
  const specs: ParamSpec[] = [{ name: "wte", shape: [c.vocabSize, C], init: "normal", std, embedding: true }];
  for (let l = 0; l < c.nLayer; l++) {
    const p = `h${l}.`;
    specs.push(
      { name: p + "ln1.g", shape: [C], init: "ones" },
      { name: p + "ln1.b", shape: [C], init: "zeros" },
      { name: p + "rec.win", shape: [C, D], init: "normal", std },
      { name: p + "rec.bin", shape: [D], init: "zeros" },
      { name: p + "rec.nu", shape: [D], init: "custom" }, // decays: initialDecays
      { name: p + "rec.wout", shape: [D, C], init: "normal", std: resid },
      { name: p + "rec.bout", shape: [C], init: "zeros" },
      { name: p + "ln2.g", shape: [C], init: "ones" },
      { name: p + "ln2.b", shape: [C], init: "zeros" },
      { name: p + "mlp.w1", shape: [C, F], init: "normal", std },
      { name: p + "mlp.b1", shape: [F], init: "zeros" },
      { name: p + "mlp.w2", shape: [F, C], init: "normal", std: resid },
      { name: p + "mlp.b2", shape: [C], init: "zeros" },
    );
  }
  specs.push(
    { name: "lnf.g", shape: [C], init: "ones" },
    { name: "lnf.b", shape: [C], init: "zeros" },
    { name: "lmHead", shape: [C, c.vocabSize], init: "normal", std },
  );
  return specs;
}

/** Parameter count of a config without building it: total and non-embedding. */
export function countRecurrentParams(config: Partial<RecurrentConfig>): { total: number; nonEmbedding: number } {
  return countParams(paramSpecs(recurrentConfig(config)));
}

/**
 * The decay parameters ν with λ = exp(−exp(ν)), so that 0 < λ < 1 for any ν: time constants
 * τ = 1 / (1 − λ) log-spaced from tauMin to tauMax over the D channels (deterministic).
 */
export function initialDecays(D: number, tauMin: number, tauMax: number): Float32Array {
  const nu = new Float32Array(D);
  for (let d = 0; d < D; d++) {
    const tau = D === 1 ? tauMin : tauMin * Math.pow(tauMax / tauMin, d / (D - 1));
    const lambda = 1 - 1 / tau;
    nu[d] = Math.log(-Math.log(lambda));
  }
  return nu;
}

/**
 * The recurrence step by step (the definition; slow): u [B, T, D], λ [D] -> h [B, T, D] with
 * h_t = λ h_{t−1} + (1 − λ) u_t, h_{−1} = 0. Plain arrays; for tests.
 */
export function recurrenceReference(u: number[][][], lambda: ReadonlyArray<number>): number[][][] {
  return u.map((seq) => {
    const h = new Array<number>(lambda.length).fill(0);
    return seq.map((ut) => {
      lambda.forEach((l, d) => (h[d] = l * (h[d] as number) + (1 - l) * (ut[d] as number)));
      return [...h];
    });
  });
}

/** The lag matrix (t − s for s ≤ t, else 0) and the causal 0/1 mask of length T, [T, T] each. Caller disposes. */
export function lagMaskTensors(T: number): { lag: tf.Tensor2D; mask: tf.Tensor2D } {
  const lag = new Float32Array(T * T);
  const mask = new Float32Array(T * T);
  for (let t = 0; t < T; t++)
    for (let s = 0; s <= t; s++) {
      lag[t * T + s] = t - s;
      mask[t * T + s] = 1;
    }
  return { lag: tf.tensor2d(lag, [T, T]), mask: tf.tensor2d(mask, [T, T]) };
}

/**
 * The diagonal linear recurrence h_t = λ h_{t−1} + (1 − λ) u_t (h_{−1} = 0) in its convolutional form:
 * u [B, T, D], decay parameters ν [D] with λ = exp(−exp(ν)) -> h [B, T, D]; `lm` from {@link lagMaskTensors}(T).
 * Differentiable in u and ν. Caller disposes.
 */
export function linearRecurrence(
  u: tf.Tensor3D,
  nu: tf.Tensor1D | tf.Variable,
  lm: { lag: tf.Tensor2D; mask: tf.Tensor2D },
): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T, D] = u.shape;
    const logLambda = tf.neg(tf.exp(nu)); // [D], log λ < 0
    const oneMinus = tf.sub(1, tf.exp(logLambda)); // [D]
    // K[d, t, s] = (1 − λ_d) λ_d^(t−s) for s ≤ t, else 0.
    const kernel = tf.mul(
      tf.mul(tf.exp(tf.mul(tf.reshape(logLambda, [D, 1, 1]), lm.lag)), lm.mask), // [D, 1, 1] * [T, T] -> [D, T, T]
      tf.reshape(oneMinus, [D, 1, 1]),
    ) as tf.Tensor3D;
    const uT = tf.transpose(u, [2, 1, 0]) as tf.Tensor3D; // [B, T, D] -> [D, T, B]
    const h = tf.matMul(kernel, uT); // [D, T, T] @ [D, T, B] -> [D, T, B]
    return tf.reshape(tf.transpose(h, [2, 1, 0]), [B, T, D]) as tf.Tensor3D; // [D, T, B] -> [B, T, D]
  });
}

const ops = withFastPaths(referenceOps, { layerNormEps: 1e-5 });

/** What {@link RecurrentNet.forward} returns; caller disposes every tensor in it. */
export interface RecurrentForwardResult {
  /** [B, T, V] next-token scores. */
  readonly logits: tf.Tensor3D;
  /** nLayer + 1 tensors [B, T, C]: after the embedding, then after each block (with `returnHidden`). */
  readonly hidden?: tf.Tensor3D[];
}

/** The recurrent net. Build it with {@link createRecurrentNet}; call {@link RecurrentNet.dispose} when done. */
export class RecurrentNet implements TrainableModel {
  readonly config: RecurrentConfig;
  private readonly weights: WeightSet;
  /** Per T: the lag matrix (t − s for s ≤ t, else 0) and the causal 0/1 mask, [T, T] each. */
  private readonly lagCache = new Map<number, { lag: tf.Tensor2D; mask: tf.Tensor2D }>();

  /** Use {@link createRecurrentNet}. */
  constructor(config: RecurrentConfig, weights: WeightMap) {
    this.config = config;
    this.weights = new WeightSet("RecurrentNet", paramSpecs(config), weights);
  }

  namedWeights(): Record<string, tf.Variable> {
    return this.weights.named();
  }

  /** Number of parameters; `nonEmbedding` leaves out the token table. */
  numParams(opts: { nonEmbedding?: boolean } = {}): number {
    return this.weights.count(opts);
  }

  /** A copy of every weight (read asynchronously). */
  async readWeights(): Promise<WeightMap> {
    return this.weights.read();
  }

  /** The decays λ of block l (read asynchronously). */
  async decays(l: number): Promise<Float32Array> {
    const lam = tf.tidy(() => tf.exp(tf.neg(tf.exp(this.p(`h${l}.rec.nu`)))));
    try {
      return (await lam.data()) as Float32Array;
    } finally {
      lam.dispose();
    }
  }

  private p(name: string): tf.Variable {
    return this.weights.get(name);
  }

  private lagMask(T: number): { lag: tf.Tensor2D; mask: tf.Tensor2D } {
    let e = this.lagCache.get(T);
    if (e === undefined) {
      e = lagMaskTensors(T);
      tf.keep(e.lag);
      tf.keep(e.mask);
      this.lagCache.set(T, e);
    }
    return e;
  }

  /** The leaky integrators of block l over time: u [B*T, D] -> h [B*T, D]. */
  private recurrence(u: tf.Tensor2D, l: number, B: number, T: number): tf.Tensor2D {
    const D = this.config.dState;
    const h = linearRecurrence(tf.reshape(u, [B, T, D]) as tf.Tensor3D, this.p(`h${l}.rec.nu`), this.lagMask(T)); // [B, T, D]
    return tf.reshape(h, [B * T, D]) as tf.Tensor2D;
  }

  private trunk(tokens: tf.Tensor2D, returnHidden: boolean): { h: tf.Tensor2D; hidden: tf.Tensor3D[] } {
    const [B, T] = tokens.shape;
    const { vocabSize: V, dModel: C, seqLen } = this.config;
    if (tokens.rank !== 2)
      throw new Error(`RecurrentNet.forward: tokens must be [batch, time], got shape [${tokens.shape.join(", ")}]`);
    if (T < 1 || T > seqLen)
      throw new Error(`RecurrentNet.forward: sequence length ${T} must be in [1, seqLen=${seqLen}]`);
    if (tokens.dtype !== "int32") throw new Error(`RecurrentNet.forward: tokens must be int32, got ${tokens.dtype}`);
    const hidden: tf.Tensor3D[] = [];
    // One-hot matMul instead of gather, as the GPT (its gradient is a plain matMul on every backend).
    const oneHot = oneHotF32(tf.reshape(tokens, [B * T]) as tf.Tensor1D, V); // [B*T, V]
    let x = tf.matMul(oneHot, this.p("wte")) as tf.Tensor2D; // [B*T, V] @ [V, C] -> [B*T, C]
    if (returnHidden) hidden.push(tf.reshape(x, [B, T, C]));
    for (let l = 0; l < this.config.nLayer; l++) {
      const p = `h${l}.`;
      const u = ops.linear(
        ops.layerNorm(x, this.p(p + "ln1.g"), this.p(p + "ln1.b")),
        this.p(p + "rec.win"),
        this.p(p + "rec.bin"),
      ); // [B*T, C] @ [C, D] -> [B*T, D]
      const y = ops.linear(this.recurrence(u, l, B, T), this.p(p + "rec.wout"), this.p(p + "rec.bout")); // [B*T, D] @ [D, C] -> [B*T, C]
      x = tf.add(x, y); // [B*T, C] residual
      const m = ops.layerNorm(x, this.p(p + "ln2.g"), this.p(p + "ln2.b")); // [B*T, C]
      const f = ops.linear(
        ops.gelu(ops.linear(m, this.p(p + "mlp.w1"), this.p(p + "mlp.b1"))),
        this.p(p + "mlp.w2"),
        this.p(p + "mlp.b2"),
      ); // [B*T, C] -> [B*T, F] -> [B*T, C]
      x = tf.add(x, f); // [B*T, C] residual
      if (returnHidden) hidden.push(tf.reshape(x, [B, T, C]));
    }
    return { h: ops.layerNorm(x, this.p("lnf.g"), this.p("lnf.b")), hidden }; // [B*T, C]
  }

  /** Run the net on tokens [B, T] int32 (T ≤ seqLen). Caller disposes every returned tensor. */
  forward(tokens: tf.Tensor2D, opts: Pick<ForwardOptions, "returnHidden"> = {}): RecurrentForwardResult {
    const { vocabSize: V } = this.config;
    return tf.tidy(() => {
      const [B, T] = tokens.shape;
      const { h, hidden } = this.trunk(tokens, !!opts.returnHidden);
      const logits = tf.reshape(tf.matMul(h, this.p("lmHead")), [B, T, V]) as tf.Tensor3D; // [B*T, C] @ [C, V] -> [B, T, V]
      return (opts.returnHidden ? { logits, hidden } : { logits }) as unknown as tf.TensorContainer;
    }) as unknown as RecurrentForwardResult;
  }

  /** Mean next-token cross-entropy over positions where mask is 1 (all when absent). Caller disposes. */
  loss(x: tf.Tensor2D, y: tf.Tensor2D, mask?: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const [B, T] = x.shape;
      if (y.shape[0] !== B || y.shape[1] !== T)
        throw new Error(
          `RecurrentNet.loss: y shape [${y.shape.join(", ")}] must equal x shape [${x.shape.join(", ")}]`,
        );
      if (mask && (mask.shape[0] !== B || mask.shape[1] !== T))
        throw new Error(
          `RecurrentNet.loss: mask shape [${mask.shape.join(", ")}] must equal x shape [${x.shape.join(", ")}]`,
        );
      const { h } = this.trunk(x, false); // [B*T, C]
      const logits = tf.matMul(h, this.p("lmHead")) as tf.Tensor2D; // [B*T, C] @ [C, V] -> [B*T, V]
      const m = mask ? (tf.reshape(tf.cast(mask, "float32"), [B * T]) as tf.Tensor1D) : undefined; // [B*T]
      return ops.crossEntropy(logits, tf.reshape(y, [B * T]) as tf.Tensor1D, m); // []
    });
  }

  /** Free the weights and cached kernels' index tensors. */
  dispose(): void {
    this.weights.dispose();
    for (const e of this.lagCache.values()) {
      e.lag.dispose();
      e.mask.dispose();
    }
    this.lagCache.clear();
  }
}

/** Initial weights from `seed` (one derived seed per parameter); decays log-spaced (deterministic). */
export function initRecurrentWeights(config: RecurrentConfig, seed: number): WeightMap {
  return initWeights(paramSpecs(config), seed, "recurrent-init", (s) =>
    initialDecays(s.shape[0] as number, config.tauMin, config.tauMax),
  );
}

/** Build a recurrent net with weights drawn from `seed` (same seed, same weights). Dispose it when done. */
export function createRecurrentNet(config: Partial<RecurrentConfig>, seed: number): RecurrentNet {
  if (!Number.isInteger(seed)) throw new Error(`createRecurrentNet: seed must be an integer, got ${seed}`);
  const c = recurrentConfig(config);
  return new RecurrentNet(c, initRecurrentWeights(c, seed));
}
