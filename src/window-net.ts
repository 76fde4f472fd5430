/**
 * A feed-forward predictor over a fixed window of the last `window` tokens: no attention and no recurrence,
 * so nothing older than the window can reach its prediction. In notebook 06 it is the memoryless
 * non-attentional predictor (the cerebellum as a feed-forward network over a short temporal basis, the
 * classic Marr–Albus–Ito picture) beside the recurrent one of ./recurrent.ts, and it shows that a history
 * sweep can detect a predictor that cannot use a long history.
 *
 *     e_t = onehot(x_t) W_te;   z_t = [e_t, e_{t−1}, …, e_{t−w+1}] (zeros before the start);
 *     logits_t = W_3 gelu(W_2 gelu(W_1 z_t + b_1) + b_2) + b_3
 *
 * Shapes: B batch, T sequence length (≤ seqLen), E dModel (embedding), w window, H dHidden, V vocabSize.
 */
import * as tf from "@tensorflow/tfjs";
import { checkRange, frozen, withOverrides } from "./config";
import { withFastPaths } from "./speed/index";
import { oneHotF32, referenceOps, type TrainableModel, type WeightMap } from "./transformer";
import { countParams, initWeights, type ParamSpec, WeightSet } from "./weights";

/** The architecture of the window net. */
export interface WindowNetConfig {
  readonly vocabSize: number;
  /** Longest sequence accepted. */
  readonly seqLen: number;
  /** Embedding width (E). */
  readonly dModel: number;
  /** Tokens the prediction at t sees: t, t−1, …, t−window+1. */
  readonly window: number;
  /** Width of the two hidden layers (H). */
  readonly dHidden: number;
}

export const WINDOW_NET_DEFAULTS: Readonly<WindowNetConfig> = frozen({
  vocabSize: 64,
  seqLen: 64,
  dModel: 32,
  window: 4,
  dHidden: 128,
});

/** Complete and validate a config; errors name the field. */
export function windowNetConfig(partial: Partial<WindowNetConfig>): WindowNetConfig {
  const c = withOverrides(WINDOW_NET_DEFAULTS as WindowNetConfig, partial, "WindowNetConfig");
  checkRange("WindowNetConfig.vocabSize", c.vocabSize, 2, 1 << 20, true);
  checkRange("WindowNetConfig.seqLen", c.seqLen, 1, 1 << 14, true);
  checkRange("WindowNetConfig.dModel", c.dModel, 1, 1 << 14, true);
  checkRange("WindowNetConfig.window", c.window, 1, c.seqLen, true);
  checkRange("WindowNetConfig.dHidden", c.dHidden, 1, 1 << 16, true);
  return c;
}

function paramSpecs(c: WindowNetConfig): ParamSpec[] {
  const { dModel: E, window: w, dHidden: H, vocabSize: V } = c;
  return [
    { name: "wte", shape: [V, E], init: "normal", std: 0.02, embedding: true },
    // He-style scale for the GELU layers; the output layer starts small (as the GPT's head).
    { name: "w1", shape: [w * E, H], init: "normal", std: Math.sqrt(2 / (w * E)) },
    { name: "b1", shape: [H], init: "zeros" },
    { name: "w2", shape: [H, H], init: "normal", std: Math.sqrt(2 / H) },
    { name: "b2", shape: [H], init: "zeros" },
    { name: "w3", shape: [H, V], init: "normal", std: 0.02 },
    { name: "b3", shape: [V], init: "zeros" },
  ];
}

/** Parameter count of a config without building it. */
export function countWindowNetParams(config: Partial<WindowNetConfig>): { total: number; nonEmbedding: number } {
  return countParams(paramSpecs(windowNetConfig(config)));
}

const ops = withFastPaths(referenceOps, { layerNormEps: 1e-5 });

/** The window net. Build it with {@link createWindowNet}; call {@link WindowNet.dispose} when done. */
export class WindowNet implements TrainableModel {
  readonly config: WindowNetConfig;
  private readonly weights: WeightSet;

  /** Use {@link createWindowNet}. */
  constructor(config: WindowNetConfig, weights: WeightMap) {
    this.config = config;
    this.weights = new WeightSet("WindowNet", paramSpecs(config), weights);
  }

  namedWeights(): Record<string, tf.Variable> {
    return this.weights.named();
  }

  numParams(opts: { nonEmbedding?: boolean } = {}): number {
    return this.weights.count(opts);
  }

  async readWeights(): Promise<WeightMap> {
    return this.weights.read();
  }

  private p(name: string): tf.Variable {
    return this.weights.get(name);
  }

  /** The second hidden layer [B*T, H] (what the read-out sees). */
  private trunk(tokens: tf.Tensor2D): tf.Tensor2D {
    const [B, T] = tokens.shape;
    const { vocabSize: V, dModel: E, window: w, seqLen } = this.config;
    if (tokens.rank !== 2)
      throw new Error(`WindowNet.forward: tokens must be [batch, time], got shape [${tokens.shape.join(", ")}]`);
    if (T < 1 || T > seqLen)
      throw new Error(`WindowNet.forward: sequence length ${T} must be in [1, seqLen=${seqLen}]`);
    if (tokens.dtype !== "int32") throw new Error(`WindowNet.forward: tokens must be int32, got ${tokens.dtype}`);
    const e = tf.reshape(tf.matMul(oneHotF32(tf.reshape(tokens, [B * T]) as tf.Tensor1D, V), this.p("wte")), [B, T, E]); // [B*T, V] @ [V, E] -> [B, T, E]
    // The window: the embedding of t, then of t−1, … (shifted right, zeros before the start).
    const lagged = Array.from({ length: w }, (_, j) =>
      j === 0
        ? e
        : tf.slice(
            tf.pad(e, [
              [0, 0],
              [j, 0],
              [0, 0],
            ]),
            [0, 0, 0],
            [B, T, E],
          ),
    ); // w x [B, T, E]
    const z = tf.reshape(tf.concat(lagged, 2), [B * T, w * E]) as tf.Tensor2D; // [B, T, wE] -> [B*T, wE]
    const h1 = ops.gelu(ops.linear(z, this.p("w1"), this.p("b1"))); // [B*T, wE] @ [wE, H] -> [B*T, H]
    return ops.gelu(ops.linear(h1, this.p("w2"), this.p("b2"))); // [B*T, H] @ [H, H] -> [B*T, H]
  }

  /**
   * Run the net on tokens [B, T] int32. Returns logits [B, T, V] and, with `returnHidden`, the second hidden
   * layer [B, T, H] (one tensor, for the same read-outs as the GPT's last block). Caller disposes.
   */
  forward(tokens: tf.Tensor2D, opts: { returnHidden?: boolean } = {}): { logits: tf.Tensor3D; hidden?: tf.Tensor3D[] } {
    return tf.tidy(() => {
      const [B, T] = tokens.shape;
      const h = this.trunk(tokens); // [B*T, H]
      const logits = tf.reshape(ops.linear(h, this.p("w3"), this.p("b3")), [
        B,
        T,
        this.config.vocabSize,
      ]) as tf.Tensor3D; // [B, T, V]
      return (opts.returnHidden
        ? { logits, hidden: [tf.reshape(h, [B, T, this.config.dHidden])] }
        : { logits }) as unknown as tf.TensorContainer;
    }) as unknown as { logits: tf.Tensor3D; hidden?: tf.Tensor3D[] };
  }

  /** Mean next-token cross-entropy over positions where mask is 1 (all when absent). Caller disposes. */
  loss(x: tf.Tensor2D, y: tf.Tensor2D, mask?: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const [B, T] = x.shape;
      if (y.shape[0] !== B || y.shape[1] !== T)
        throw new Error(`WindowNet.loss: y shape [${y.shape.join(", ")}] must equal x shape [${x.shape.join(", ")}]`);
      const logits = ops.linear(this.trunk(x), this.p("w3"), this.p("b3")); // [B*T, V]
      const m = mask ? (tf.reshape(tf.cast(mask, "float32"), [B * T]) as tf.Tensor1D) : undefined;
      return ops.crossEntropy(logits, tf.reshape(y, [B * T]) as tf.Tensor1D, m); // []
    });
  }

  dispose(): void {
    this.weights.dispose();
  }
}

/** Initial weights from `seed` (one derived seed per parameter). */
export function initWindowNetWeights(config: WindowNetConfig, seed: number): WeightMap {
  return initWeights(paramSpecs(config), seed, "window-init");
}

/** Build a window net with weights drawn from `seed` (same seed, same weights). Dispose it when done. */
export function createWindowNet(config: Partial<WindowNetConfig>, seed: number): WindowNet {
  if (!Number.isInteger(seed)) throw new Error(`createWindowNet: seed must be an integer, got ${seed}`);
  const c = windowNetConfig(config);
  return new WindowNet(c, initWindowNetWeights(c, seed));
}
