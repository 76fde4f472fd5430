/**
 * A tiny decoder-only transformer (GPT) written with TensorFlow.js core ops, in the spirit of
 * nanoGPT's `model.py` (https://github.com/karpathy/nanoGPT): token + learned position embeddings,
 * pre-LayerNorm blocks of multi-head causal self-attention and a GELU MLP, a final LayerNorm and a
 * (optionally weight-tied) language-model head.
 *
 * Written for the wasm backend first (the CPU backend that installs everywhere): every matMul is a plain [.., M, K] x
 * [.., K, N] product (explicit transposes, no transpose flags), the embedding lookup is a one-hot
 * matMul (tf.gather's gradient needs UnsortedSegmentSum, which wasm lacks), q, k and v come from one
 * fused [C, 3C] projection, and the weights are stored as [in, out] so no transpose is needed at all
 * in the untied model.
 *
 * Generation uses {@link GPT.forwardIncremental}: the same weights and ops on only the new positions,
 * attending over a key/value cache ({@link KVCache}) of the earlier ones.
 *
 * Shapes: B batch, T sequence length (<= seqLen), C dModel, nH heads, hs = C / nH head size,
 * F dFF, V vocabSize.
 */
import * as tf from "@tensorflow/tfjs";
import { checkBoolean, checkRange, frozen, withOverrides } from "./config";
import { deriveSeed, Rng } from "./rng";
import { withFastPaths, type AttentionResult, type ModelOps } from "./speed/index";

/** The architecture of a tiny GPT. */
export interface GPTConfig {
  /** Number of token ids (tokenizer.vocabSize). */
  readonly vocabSize: number;
  /** Context length: the longest sequence the model sees (size of the position embedding). */
  readonly seqLen: number;
  /** Width of the residual stream (C). */
  readonly dModel: number;
  /** Attention heads per layer; must divide dModel. */
  readonly nHead: number;
  /** Transformer blocks. */
  readonly nLayer: number;
  /** Hidden width of the MLP; 0 means 4 * dModel (GPT-2). */
  readonly dFF: number;
  /** Share the token embedding with the output head (Press & Wolf 2017; GPT-2 does). */
  readonly tieWeights: boolean;
  /**
   * How the model knows where a token is. `learned` (default; GPT-2): a learned absolute position table
   * `wpe` added to the token embedding; positions never trained on (beyond the longest training row) are
   * untrained vectors. `none` (NoPE; Haviv et al. 2022, Kazemnejad et al. 2023): no position embedding at
   * all; the causal mask alone lets attention infer order, and nothing in the weights is tied to an
   * absolute position, so a model can run on longer sequences than it was trained on. `random`
   * (randomized positional encodings; Ruoss et al. 2023, "noisy learnt"): the same learned table of seqLen
   * rows, but a sequence of T tokens gets a random ordered subset of T of its positions (a fresh subset per
   * sequence and call, in training and at test alike) instead of 0..T-1. Every row of the table is trained
   * and only the order of the positions carries information, so a sequence longer than the training rows
   * is still made of trained positions in a familiar order. Make seqLen well above the longest sequence
   * (Ruoss et al.: a range L much larger than the test length). `rotary` (RoPE; Su et al. 2021, RoFormer):
   * no table; each head's queries and keys are rotated by angles proportional to their position, pair of
   * dimensions by pair of dimensions, so that a query-key score depends on the two positions only through
   * their offset: the model sees relative positions, defined at any offset (trained or not).
   */
  readonly positions?: PositionScheme;
}

/** Position schemes of {@link GPTConfig.positions}. */
export type PositionScheme = "learned" | "none" | "random" | "rotary";
export const POSITION_SCHEMES: ReadonlyArray<PositionScheme> = ["learned", "none", "random", "rotary"];

/** Whether a scheme keeps a learned position table `wpe` (learned and random do; NoPE and rotary do not). */
function hasPositionTable(scheme: PositionScheme | undefined): boolean {
  return scheme === undefined || scheme === "learned" || scheme === "random";
}

/** RoPE's base wavelength (Su et al. 2021, eq. 15; GPT-NeoX and LLaMA use the same). */
const ROPE_BASE = 10000;

/** The size of a GPT, apart from what the data decides (vocabulary and context length). */
export type GPTSize = Pick<GPTConfig, "dModel" | "nHead" | "nLayer" | "dFF">;

/** Defaults: a ~100k-parameter model for character-level tasks (benchmark size A). */
export const GPT_DEFAULTS: Readonly<GPTConfig> = frozen({
  vocabSize: 64,
  seqLen: 64,
  dModel: 64,
  nHead: 4,
  nLayer: 2,
  dFF: 0,
  tieWeights: false,
  positions: "learned",
});

/**
 * Complete and validate a GPT config: missing fields from {@link GPT_DEFAULTS}, every field range-
 * checked with an error that names it.
 */
export function gptConfig(partial: Partial<GPTConfig>): GPTConfig {
  const c = withOverrides(GPT_DEFAULTS as GPTConfig, partial, "GPTConfig");
  checkRange("GPTConfig.vocabSize", c.vocabSize, 2, 1 << 20, true);
  checkRange("GPTConfig.seqLen", c.seqLen, 1, 1 << 14, true);
  checkRange("GPTConfig.dModel", c.dModel, 1, 1 << 14, true);
  checkRange("GPTConfig.nHead", c.nHead, 1, c.dModel, true);
  checkRange("GPTConfig.nLayer", c.nLayer, 0, 256, true);
  checkRange("GPTConfig.dFF", c.dFF, 0, 1 << 16, true);
  if (c.dModel % c.nHead !== 0) {
    throw new Error(
      `GPTConfig.nHead: must divide dModel (${c.dModel}), got ${c.nHead}; e.g. nHead ${largestDivisor(c.dModel, c.nHead)}`,
    );
  }
  checkBoolean("GPTConfig.tieWeights", c.tieWeights);
  if (!POSITION_SCHEMES.includes(c.positions ?? "learned"))
    throw new Error(
      `GPTConfig.positions: must be one of ${POSITION_SCHEMES.map((x) => `"${x}"`).join(", ")}, got ${JSON.stringify(c.positions)}`,
    );
  return { ...c, dFF: c.dFF === 0 ? 4 * c.dModel : c.dFF };
}

function largestDivisor(n: number, atMost: number): number {
  for (let d = Math.min(n, atMost); d >= 1; d--) if (n % d === 0) return d;
  return 1;
}

/** What {@link GPT.forward} can return besides the logits. */
export interface ForwardOptions {
  /** Also return the attention probabilities of every layer, [B, nH, T, T] each. */
  readonly returnAttention?: boolean;
  /** Also return the residual stream after the embeddings (index 0) and after each block. */
  readonly returnHidden?: boolean;
  /** Only compute logits at the last position: logits are [B, 1, V] (generation). */
  readonly lastOnly?: boolean;
  /**
   * Positions of the tokens, [B][T], each row strictly increasing in [0, seqLen) (learned, random and
   * rotary schemes). Default: 0..T-1 for `learned` and `rotary`, a fresh random ordered subset per row for
   * `random`.
   */
  readonly positionIds?: ReadonlyArray<ReadonlyArray<number>>;
}

/** The output of {@link GPT.forward}; caller disposes every tensor in it. */
export interface ForwardResult {
  /** [B, T, V] unnormalised next-token scores ([B, 1, V] with `lastOnly`). */
  readonly logits: tf.Tensor3D;
  /** Per layer: [B, nH, T, T] attention probabilities (rows sum to 1, causal). */
  readonly attention?: tf.Tensor4D[];
  /** nLayer + 1 tensors [B, T, C]: after the embeddings, then after each block. */
  readonly hidden?: tf.Tensor3D[];
}

/** Anything the trainer can optimise: named variables and a scalar loss. */
export interface TrainableModel {
  /** Trainable weights by stable name (the checkpoint and optimizer keys). */
  namedWeights(): Record<string, tf.Variable>;
  /** Mean loss over the positions where mask is 1; caller disposes. */
  loss(x: tf.Tensor2D, y: tf.Tensor2D, mask?: tf.Tensor2D): tf.Scalar;
}

/** What {@link GPT.forwardIncremental} can do besides filling the cache. */
export interface IncrementalOptions {
  /** Only compute logits at the last new position: logits are [B, 1, V] (generation). */
  readonly lastOnly?: boolean;
}

/**
 * The keys and values of the positions a GPT has already seen, per layer, for incremental decoding
 * with {@link GPT.forwardIncremental} (make one with {@link GPT.createKVCache}). Row r of the cache is
 * sequence r of the batch. It owns its tensors: call {@link KVCache.dispose} when done.
 */
export class KVCache {
  /** Sequences (rows) in the cache. */
  get batch(): number {
    return this.rows;
  }
  /** Positions cached so far: the position of the next token. */
  get length(): number {
    return this.len;
  }
  private rows: number;
  private len = 0;
  /** Per row, the positions of the cached and coming tokens (`random` scheme); null otherwise. */
  private positionRows: number[][] | null = null;
  /**
   * Per layer: keys and values [length, batch * nH, hs], time-major (appending a position is one
   * contiguous copy); null before the first call.
   */
  private readonly kv: Array<{ k: tf.Tensor3D; v: tf.Tensor3D } | null>;

  /** Use {@link GPT.createKVCache}. */
  constructor(
    batch: number,
    readonly nLayer: number,
    readonly nHead: number,
  ) {
    if (!Number.isInteger(batch) || batch < 1)
      throw new Error(`KVCache: batch must be a positive integer, got ${batch}`);
    this.rows = batch;
    this.kv = Array.from({ length: nLayer }, () => null);
  }

  /**
   * The positions drawn for each row (`random` scheme, see {@link GPTConfig.positions}): the cache's
   * tokens take them in order. Null for the other schemes (tokens sit at 0, 1, 2, ...).
   */
  get positionIds(): ReadonlyArray<ReadonlyArray<number>> | null {
    return this.positionRows;
  }

  /** Set by {@link GPT.createKVCache}: one row of positions per sequence. */
  setPositionIds(rows: number[][]): void {
    if (rows.length !== this.rows)
      throw new Error(`KVCache.setPositionIds: ${rows.length} rows given, the cache holds ${this.rows} sequences`);
    this.positionRows = rows;
  }

  /** Keys and values of layer l, [length, batch * nH, hs] each (owned by the cache); null when empty. */
  layer(l: number): { k: tf.Tensor3D; v: tf.Tensor3D } | null {
    return this.kv[l] ?? null;
  }

  /**
   * Replace every layer's keys and values (the cache takes ownership and frees the old ones) and set the
   * cached length. Used by {@link GPT.forwardIncremental}.
   */
  update(layers: ReadonlyArray<{ k: tf.Tensor3D; v: tf.Tensor3D }>, length: number): void {
    if (layers.length !== this.nLayer)
      throw new Error(`KVCache.update: ${layers.length} layers given, the cache has ${this.nLayer}`);
    layers.forEach((e, l) => {
      const old = this.kv[l];
      tf.keep(e.k);
      tf.keep(e.v);
      if (old && old.k !== e.k) old.k.dispose();
      if (old && old.v !== e.v) old.v.dispose();
      this.kv[l] = e;
    });
    this.len = length;
  }

  /**
   * Keep only some rows (sequences), in the given order: e.g. drop the sequences that have stopped.
   * `rows` are indices into the current batch.
   */
  keepRows(rows: ReadonlyArray<number>): void {
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= this.rows)
        throw new Error(`KVCache.keepRows: row ${r} outside [0, batch=${this.rows})`);
    }
    if (rows.length === 0) throw new Error("KVCache.keepRows: keep at least one row (dispose the cache instead)");
    const nH = this.nHead;
    const b = rows.length;
    this.kv.forEach((e, l) => {
      if (e === null) return;
      const [L, , hs] = e.k.shape;
      const pick = (x: tf.Tensor3D): tf.Tensor3D =>
        tf.tidy(() => {
          const idx = tf.tensor1d(rows as number[], "int32"); // [b]
          // [L, batch * nH, hs] seen as [L, batch, nH * hs]: gather along the batch axis.
          return tf.reshape(tf.gather(tf.reshape(x, [L, this.rows, nH * hs]), idx, 1), [L, b * nH, hs]) as tf.Tensor3D;
        });
      const next = { k: tf.keep(pick(e.k)), v: tf.keep(pick(e.v)) };
      e.k.dispose();
      e.v.dispose();
      this.kv[l] = next;
    });
    if (this.positionRows !== null)
      this.positionRows = rows.map((r) => (this.positionRows as number[][])[r] as number[]);
    this.rows = b;
  }

  /** Free the cached tensors (the cache is empty afterwards). */
  dispose(): void {
    this.kv.forEach((e, l) => {
      if (e) {
        e.k.dispose();
        e.v.dispose();
      }
      this.kv[l] = null;
    });
    this.len = 0;
  }
}

/** Weights as plain arrays (for checkpoints, quantization, analysis). */
export type WeightMap = Record<string, Float32Array>;

interface ParamSpec {
  readonly name: string;
  readonly shape: number[];
  /** "normal" with std, "ones" or "zeros". */
  readonly init: "normal" | "ones" | "zeros";
  readonly std?: number;
  /** Embedding tables (excluded from the non-embedding count, as Kaplan et al. 2020 do). */
  readonly embedding?: boolean;
}

/** The parameter list of a config, in a fixed order (the checkpoint order). */
function paramSpecs(c: GPTConfig): ParamSpec[] {
  const C = c.dModel;
  const F = c.dFF;
  // GPT-2 init (Radford et al. 2019, §2.3): N(0, 0.02), residual projections scaled by 1/sqrt(2 nLayer).
  const std = 0.02;
  const resid = 0.02 / Math.sqrt(2 * Math.max(1, c.nLayer));
  const specs: ParamSpec[] = [{ name: "wte", shape: [c.vocabSize, C], init: "normal", std, embedding: true }];
  if (hasPositionTable(c.positions))
    specs.push({ name: "wpe", shape: [c.seqLen, C], init: "normal", std, embedding: true });
  for (let l = 0; l < c.nLayer; l++) {
    const p = `h${l}.`;
    specs.push(
      { name: p + "ln1.g", shape: [C], init: "ones" },
      { name: p + "ln1.b", shape: [C], init: "zeros" },
      { name: p + "attn.wqkv", shape: [C, 3 * C], init: "normal", std },
      { name: p + "attn.bqkv", shape: [3 * C], init: "zeros" },
      { name: p + "attn.wo", shape: [C, C], init: "normal", std: resid },
      { name: p + "attn.bo", shape: [C], init: "zeros" },
      { name: p + "ln2.g", shape: [C], init: "ones" },
      { name: p + "ln2.b", shape: [C], init: "zeros" },
      { name: p + "mlp.w1", shape: [C, F], init: "normal", std },
      { name: p + "mlp.b1", shape: [F], init: "zeros" },
      { name: p + "mlp.w2", shape: [F, C], init: "normal", std: resid },
      { name: p + "mlp.b2", shape: [C], init: "zeros" },
    );
  }
  specs.push({ name: "lnf.g", shape: [C], init: "ones" }, { name: "lnf.b", shape: [C], init: "zeros" });
  if (!c.tieWeights) specs.push({ name: "lmHead", shape: [C, c.vocabSize], init: "normal", std });
  return specs;
}

function sizeOf(shape: ReadonlyArray<number>): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Parameter count of a config without building it: total and non-embedding (Kaplan et al. 2020). */
export function countGPTParams(config: Partial<GPTConfig>): { total: number; nonEmbedding: number } {
  const specs = paramSpecs(gptConfig(config));
  let total = 0;
  let nonEmbedding = 0;
  for (const s of specs) {
    const n = sizeOf(s.shape);
    total += n;
    if (!s.embedding) nonEmbedding += n;
  }
  return { total, nonEmbedding };
}

const LN_EPS = 1e-5;

/**
 * One-hot rows as float32: [N] int32 -> [N, V]. Built as int32 then cast, because the stock wasm
 * OneHot kernel ignores dtype "float32" (it writes int32 bit patterns, which read as ~1e-45).
 * Caller disposes.
 */
export function oneHotF32(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(indices, depth), "float32") as tf.Tensor2D); // [N] -> [N, V]
}

/** Column sums: [N, M] -> [M] (a leading-axis Sum; kernels.ts gives it a fast wasm kernel). */
function colSum(x: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(x, 0); // [N, M] -> [M]
}

/**
 * Affine map x W + b with a hand-written gradient that uses explicit transposes and plain matMuls
 * only (transpose flags are slow on stock wasm).
 * x [N, K], W [K, M], b [M] -> [N, M].
 */
const linear = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const save = args[3] as tf.GradSaveFunc;
  save([x, w]);
  const value = tf.add(tf.matMul(x, w), b); // [N, K] @ [K, M] + [M] -> [N, M]
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
    const d = dy as tf.Tensor2D;
    const dx = tf.matMul(d, tf.transpose(ws)); // [N, M] @ [M, K] -> [N, K]
    const dw = tf.matMul(tf.transpose(xs), d); // [K, N] @ [N, M] -> [K, M]
    return [dx, dw, colSum(d)];
  };
  return { value, gradFunc };
});

/**
 * LayerNorm over the last axis (Ba et al. 2016): (x - mean) / sqrt(var + eps) * g + b, with the
 * textbook closed-form gradient (one pass instead of autodiff through moments).
 * x [N, C], g [C], b [C] -> [N, C].
 */
const layerNorm = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, g, b] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
  const save = args[3] as tf.GradSaveFunc;
  const xc = tf.sub(x, tf.mean(x, -1, true)); // [N, C]
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS)); // [N, 1]
  const xhat = tf.mul(xc, rstd); // [N, C]
  save([xhat, rstd, g]);
  const value = tf.add(tf.mul(xhat, g), b); // [N, C]
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [xh, rs, gs] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const d = dy as tf.Tensor2D;
    const dxhat = tf.mul(d, gs); // [N, C]
    // dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat))
    const inner = tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), -1, true))); // [N, C]
    const dx = tf.mul(inner, rs); // [N, C]
    return [dx, colSum(tf.mul(d, xh) as tf.Tensor2D), colSum(d)];
  };
  return { value, gradFunc };
});

/** GPT-2's tanh GELU written with a sigmoid: 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = k (x + 0.044715 x^3). */
const GELU_A = 2 * Math.sqrt(2 / Math.PI) * 0.044715;
const GELU_B = 2 * Math.sqrt(2 / Math.PI);

/**
 * GELU, the tanh approximation used by GPT-2 (Hendrycks & Gimpel 2016, eq. in §2), computed exactly
 * as x * sigmoid(x (GELU_B + GELU_A x^2)) because sigmoid is ~10x faster than tanh on wasm, with a
 * hand-written gradient (fewer ops than autodiff).
 * x [N, F] -> [N, F].
 */
const gelu = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor2D;
  const save = args[1] as tf.GradSaveFunc;
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_A), GELU_B))); // [N, F]
  save([x, s]);
  const value = tf.mul(x, s); // [N, F]
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
    const [xs, ss] = saved as [tf.Tensor, tf.Tensor];
    // d/dx [x s(u)] = s + x s (1 - s) u',  u' = GELU_B + 3 GELU_A x^2
    const du = tf.add(tf.mul(tf.square(xs), 3 * GELU_A), GELU_B); // [N, F]
    const d = tf.add(ss, tf.mul(tf.mul(xs, du), tf.mul(ss, tf.sub(1, ss)))); // [N, F]
    return tf.mul(dy, d); // [N, F]
  };
  return { value, gradFunc };
});

/** Probabilities below this count as this in the loss (log 1e-30 = -69 nats): guards log(0). */
const P_FLOOR = 1e-30;

/**
 * Masked mean cross-entropy with a fused gradient (softmax - onehot) * mask / count. Uses the
 * softmax kernel rather than logSoftmax (whose Exp is slow on wasm); the loss of a token whose
 * probability underflows below 1e-30 is capped at 69 nats.
 * logits [N, V], targets one-hot [N, V], mask [N] -> scalar.
 */
const maskedCrossEntropy = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [logits, onehot, mask] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const save = args[3] as tf.GradSaveFunc;
  const probs = tf.softmax(logits); // [N, V]
  const pTarget = tf.sum(tf.mul(probs, onehot), -1); // [N]
  const nll = tf.neg(tf.log(tf.maximum(pTarget, P_FLOOR))); // [N]
  const count = tf.maximum(tf.sum(mask), 1); // []
  const value = tf.div(tf.sum(tf.mul(nll, mask)), count) as tf.Scalar; // []
  save([probs, onehot, mask, count]);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [p, oh, m, n] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const w = tf.reshape(tf.div(tf.mul(m, dy), n), [-1, 1]); // [N, 1]
    const dLogits = tf.mul(tf.sub(p, oh), w); // [N, V]
    return [dLogits, tf.zerosLike(oh), tf.zerosLike(m)];
  };
  return { value, gradFunc };
});

/** Additive causal mask for t queries at positions pos..pos+t-1 over keys 0..pos+t-1: [t, pos + t], -1e9 above the diagonal. */
function causalMaskValues(t: number, pos: number): Float32Array {
  const n = pos + t;
  const a = new Float32Array(t * n);
  for (let i = 0; i < t; i++) for (let j = pos + i + 1; j < n; j++) a[i * n + j] = -1e9;
  return a;
}

/** RoPE's tables for a run of positions: cos and sin per position and qkv column, and the rotate-half matrix. */
interface RotaryTables {
  /** [P, 3C]: cos 1 and sin 0 in the value columns (values are not rotated). */
  readonly cos: tf.Tensor2D;
  readonly sin: tf.Tensor2D;
  /** [3C, 3C] signed permutation (rotate-half) over the q and k columns, zero over the values. */
  readonly rot: tf.Tensor2D;
  /** One row per sequence row and time step (P = B*T, caller-given positions), else one per time step (P = T). */
  readonly perRow: boolean;
}

/**
 * Rotary position embedding (Su et al. 2021, RoFormer, eq. 34), the tables of {@link rotary}: in each head (hs
 * columns of q and of k) dimension j < hs/2 is paired with j + hs/2 (the GPT-NeoX layout) and the pair is
 * rotated by the angle p * base^(-2j/hs), so q(p) . k(p') depends on p - p' only. Made once per forward and
 * shared by the layers. Caller disposes (a tidy).
 */
function rotaryTables(positions: ReadonlyArray<number>, C: number, nH: number, perRow: boolean): RotaryTables {
  const C3 = 3 * C;
  const hs = C / nH;
  const half = hs / 2;
  const P = positions.length;
  const cos = new Float32Array(P * C3);
  const sin = new Float32Array(P * C3);
  for (let r = 0; r < P; r++) {
    const p = positions[r] as number;
    for (let c = 0; c < C3; c++) {
      if (c >= 2 * C) {
        cos[r * C3 + c] = 1; // values: not rotated
        continue;
      }
      const j = (c % hs) % half; // the pair's index within the head
      const angle = p * Math.pow(ROPE_BASE, (-2 * j) / hs);
      cos[r * C3 + c] = Math.cos(angle);
      sin[r * C3 + c] = Math.sin(angle);
    }
  }
  // rotate-half: column j of a head takes -x[j + hs/2], column j + hs/2 takes x[j] (q and k columns only).
  const rot = new Float32Array(C3 * C3);
  for (let c = 0; c < 2 * C; c++) {
    const head = c - (c % hs);
    const j = c % hs;
    if (j < half) rot[(head + j + half) * C3 + c] = -1;
    else rot[(head + j - half) * C3 + c] = 1;
  }
  return {
    cos: tf.tensor2d(cos, [P, C3]),
    sin: tf.tensor2d(sin, [P, C3]),
    rot: tf.tensor2d(rot, [C3, C3]),
    perRow,
  };
}

/**
 * RoPE applied to the fused projection qkv [B*T, 3C] (batch-major rows): q and k rotated by their positions,
 * the values left as they are. Written as qkv * cos + (qkv @ rot) * sin, one matMul whose gradient is a plain
 * matMul on every backend.
 */
function rotary(qkv: tf.Tensor2D, B: number, T: number, t: RotaryTables): tf.Tensor2D {
  const C3 = qkv.shape[1];
  const rotated = tf.matMul(qkv, t.rot); // [B*T, 3C] @ [3C, 3C] -> [B*T, 3C]
  const shape = t.perRow ? [B * T, C3] : [B, T, C3]; // per time step: broadcast over the batch
  const out = tf.add(tf.mul(tf.reshape(qkv, shape), t.cos), tf.mul(tf.reshape(rotated, shape), t.sin));
  return tf.reshape(out, [B * T, C3]) as tf.Tensor2D;
}

/**
 * Attention of queries over keys (Vaswani et al. 2017, eq. 1): softmax(q k^T / sqrt(hs) + mask) v, per
 * batch*head. q [BH, t, hs], kT [BH, hs, n] (keys already transposed), v [BH, n, hs], mask [t, n]
 * -> out [BH, t, hs] and the probabilities [BH, t, n] (rows sum to 1 over the unmasked keys).
 */
function attend(
  q: tf.Tensor3D,
  kT: tf.Tensor3D,
  v: tf.Tensor3D,
  mask: tf.Tensor2D,
): { out: tf.Tensor3D; probs: tf.Tensor3D } {
  const hs = q.shape[2];
  // Scale the [t, n] scores rather than q: one op either way, and the scores stay the textbook q k^T / sqrt(hs).
  const scores = tf.add(tf.mul(tf.matMul(q, kT), 1 / Math.sqrt(hs)), mask); // [BH, t, n]
  const probs = tf.softmax(scores) as tf.Tensor3D; // [BH, t, n]
  return { out: tf.matMul(probs, v), probs }; // [BH, t, n] @ [BH, n, hs] -> [BH, t, hs]
}

/**
 * Causal multi-head self-attention on the fused projection qkv [B*T, 3C] (q | k | v, head h at
 * columns h*hs of each) -> [B*T, C], and the probabilities [B, nH, T, T] when asked for.
 */
function causalAttention(qkv: tf.Tensor2D, B: number, T: number, nH: number, returnProbs: boolean): AttentionResult {
  const C = qkv.shape[1] / 3;
  const hs = C / nH;
  // Rank <= 4 transposes only: wasm's rank-5 transpose is ~50x slower.
  const qkv3 = tf.transpose(tf.reshape(qkv, [B * T, 3, C]), [1, 0, 2]); // [B*T, 3, C] -> [3, B*T, C]
  const [q2, k2, v2] = tf.split(qkv3, 3, 0) as [tf.Tensor, tf.Tensor, tf.Tensor]; // 3 x [1, B*T, C], contiguous
  const q = tf.reshape(tf.transpose(tf.reshape(q2, [B, T, nH, hs]), [0, 2, 1, 3]), [B * nH, T, hs]) as tf.Tensor3D; // [B, T, nH, hs] -> [B*nH, T, hs]
  const kT = tf.reshape(tf.transpose(tf.reshape(k2, [B, T, nH, hs]), [0, 2, 3, 1]), [B * nH, hs, T]) as tf.Tensor3D; // [B, T, nH, hs] -> [B*nH, hs, T]
  const v = tf.reshape(tf.transpose(tf.reshape(v2, [B, T, nH, hs]), [0, 2, 1, 3]), [B * nH, T, hs]) as tf.Tensor3D; // [B, T, nH, hs] -> [B*nH, T, hs]
  const { out, probs } = attend(q, kT, v, tf.tensor2d(causalMaskValues(T, 0), [T, T])); // [B*nH, T, hs], [B*nH, T, T]
  const merged = tf.reshape(tf.transpose(tf.reshape(out, [B, nH, T, hs]), [0, 2, 1, 3]), [B * T, C]) as tf.Tensor2D; // [B, nH, T, hs] -> [B, T, nH, hs] -> [B*T, C]
  return returnProbs ? { out: merged, probs: tf.reshape(probs, [B, nH, T, T]) as tf.Tensor4D } : { out: merged };
}

/** Mean cross-entropy from integer targets: the one-hot form above, all rows counted when no mask. */
function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, mask?: tf.Tensor1D): tf.Scalar {
  const N = logits.shape[0];
  const onehot = oneHotF32(targets, logits.shape[1]); // [N, V]
  return maskedCrossEntropy(logits, onehot, mask ?? tf.ones([N])) as tf.Scalar; // []
}

/**
 * The model's primitive ops as defined above, in plain tfjs ops: the reference that the fused kernels
 * are tested against. Results: caller disposes.
 */
export const referenceOps: ModelOps = {
  linear: (x, w, b) => linear(x, w, b) as tf.Tensor2D,
  layerNorm: (x, g, b) => layerNorm(x, g, b) as tf.Tensor2D,
  gelu: (x) => gelu(x) as tf.Tensor2D,
  causalAttention,
  crossEntropy,
};

/**
 * The ops the model runs: the reference ops, with src/speed/'s fused kernels (one kernel forward, one
 * backward, the same maths up to float rounding) substituted where the backend has them.
 */
const ops = withFastPaths(referenceOps, { layerNormEps: LN_EPS });

/**
 * A tiny GPT. Build it with {@link createGPT}; weights live in tf.Variables owned by the model
 * (call {@link GPT.dispose} when done).
 */
export class GPT implements TrainableModel {
  readonly config: GPTConfig;
  private readonly params = new Map<string, tf.Variable>();
  private readonly specs: ParamSpec[];
  /** Additive causal masks for t new queries after `pos` cached keys, by "t,pos": [t, pos + t]. */
  private readonly offsetMasks = new Map<string, tf.Tensor2D>();

  /** Draws the positions of the `random` scheme (unused by the others). */
  private readonly positionRng: Rng;

  /**
   * Use {@link createGPT}. `weights` must hold every parameter (already validated); `positionSeed` seeds
   * the draws of the `random` position scheme.
   */
  constructor(config: GPTConfig, weights: WeightMap, positionSeed = 0) {
    this.config = config;
    this.positionRng = new Rng(deriveSeed(positionSeed, "gpt-positions"));
    this.specs = paramSpecs(config);
    for (const s of this.specs) {
      const w = weights[s.name];
      if (w === undefined || w.length !== sizeOf(s.shape))
        throw new Error(`GPT: weight "${s.name}" missing or of the wrong size`);
      this.params.set(
        s.name,
        tf.tidy(() => tf.variable(tf.tensor(w, s.shape, "float32"), true)),
      );
    }
  }

  /** All trainable variables, in checkpoint order. */
  get variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  /** Trainable variables by name (`wte`, `h0.attn.wqkv`, ...). */
  namedWeights(): Record<string, tf.Variable> {
    return Object.fromEntries(this.params);
  }

  /** Parameter shapes by name. */
  shapes(): Record<string, number[]> {
    return Object.fromEntries(this.specs.map((s) => [s.name, [...s.shape]]));
  }

  /** Number of parameters; `nonEmbedding` leaves out the token and position tables (Kaplan et al. 2020). */
  numParams(opts: { nonEmbedding?: boolean } = {}): number {
    let n = 0;
    for (const s of this.specs) if (!(opts.nonEmbedding && s.embedding)) n += sizeOf(s.shape);
    return n;
  }

  /** A copy of every weight as a Float32Array (read asynchronously: a GPU backend cannot read synchronously). */
  async readWeights(): Promise<WeightMap> {
    const out: WeightMap = {};
    for (const [name, v] of this.params) out[name] = (await v.data()) as Float32Array;
    return out;
  }

  /**
   * Overwrite weights by name. Every name must be known and every size must match; with
   * `partial: false` (default) every parameter must be given.
   */
  setWeights(weights: WeightMap, opts: { partial?: boolean } = {}): void {
    for (const name of Object.keys(weights)) {
      if (!this.params.has(name))
        throw new Error(`GPT.setWeights: unknown weight "${name}"; known: ${[...this.params.keys()].join(", ")}`);
    }
    for (const s of this.specs) {
      const w = weights[s.name];
      if (w === undefined) {
        if (opts.partial) continue;
        throw new Error(`GPT.setWeights: weight "${s.name}" is missing (pass {partial: true} to set a subset)`);
      }
      if (w.length !== sizeOf(s.shape)) {
        throw new Error(
          `GPT.setWeights: weight "${s.name}" has ${w.length} values, expected ${sizeOf(s.shape)} for shape [${s.shape.join(", ")}]`,
        );
      }
      tf.tidy(() => (this.params.get(s.name) as tf.Variable).assign(tf.tensor(w, s.shape, "float32")));
    }
  }

  private p(name: string): tf.Variable {
    return this.params.get(name) as tf.Variable;
  }

  /**
   * Multi-head causal self-attention of layer l: x [B*T, C] (already layer-normed) -> [B*T, C]; also the
   * probabilities [B, nH, T, T] when asked.
   */
  private attention(
    x: tf.Tensor2D,
    l: number,
    B: number,
    T: number,
    wantProbs: boolean,
    rope: RotaryTables | null,
  ): { y: tf.Tensor2D; probs?: tf.Tensor4D } {
    const p = `h${l}.attn.`;
    let qkv = ops.linear(x, this.p(p + "wqkv"), this.p(p + "bqkv")); // [B*T, C] @ [C, 3C] -> [B*T, 3C]
    if (rope !== null) qkv = rotary(qkv, B, T, rope); // q and k rotated by position
    const a = ops.causalAttention(qkv, B, T, this.config.nHead, wantProbs); // [B*T, C], [B, nH, T, T]
    const y = ops.linear(a.out, this.p(p + "wo"), this.p(p + "bo")); // [B*T, C] @ [C, C] -> [B*T, C]
    return wantProbs ? { y, probs: a.probs as tf.Tensor4D } : { y };
  }

  /** Position-wise GELU MLP: x [B*T, C] -> [B*T, F] -> [B*T, C]. */
  private mlp(x: tf.Tensor2D, l: number): tf.Tensor2D {
    const p = `h${l}.mlp.`;
    const h = ops.gelu(ops.linear(x, this.p(p + "w1"), this.p(p + "b1"))); // [B*T, C] @ [C, F] -> [B*T, F]
    return ops.linear(h, this.p(p + "w2"), this.p(p + "b2")); // [B*T, F] @ [F, C] -> [B*T, C]
  }

  /**
   * For each of `rows` sequences, a random ordered subset of `T` positions of [0, seqLen) (the `random`
   * scheme). Selection sampling (Knuth's Algorithm S): position i is taken with probability
   * (still needed) / (still left), which yields every T-subset with equal probability, already sorted.
   */
  private samplePositionIds(rows: number, T: number): number[][] {
    const L = this.config.seqLen;
    return Array.from({ length: rows }, () => {
      const ids: number[] = [];
      for (let i = 0; i < L && ids.length < T; i++) if (this.positionRng.next() * (L - i) < T - ids.length) ids.push(i);
      return ids;
    });
  }

  /**
   * RoPE's tables for this call (`rotary` only, else null), at the caller's positionIds (one per row and time
   * step) or at offset..offset+T-1 (shared by the batch). Made once per call, used by every layer.
   */
  private rotaryAt(
    T: number,
    positionIds: ReadonlyArray<ReadonlyArray<number>> | undefined,
    offset: number,
  ): RotaryTables | null {
    if (this.config.positions !== "rotary") return null;
    const { dModel: C, nHead: nH } = this.config;
    return positionIds !== undefined
      ? rotaryTables(positionIds.flat(), C, nH, true)
      : rotaryTables(
          Array.from({ length: T }, (_, t) => offset + t),
          C,
          nH,
          false,
        );
  }

  /** Check caller-given positions: [B][T], each row strictly increasing in [0, seqLen). */
  private checkPositionIds(ids: ReadonlyArray<ReadonlyArray<number>>, B: number, T: number, where: string): void {
    if (this.config.positions === "none")
      throw new Error(`${where}: positionIds given, but the model has no positions (positions "none")`);
    if (ids.length !== B) throw new Error(`${where}: positionIds has ${ids.length} rows, the batch has ${B}`);
    ids.forEach((row, b) => {
      if (row.length !== T)
        throw new Error(`${where}: positionIds[${b}] has ${row.length} positions, the row has ${T} tokens`);
      row.forEach((p, t) => {
        if (!Number.isInteger(p) || p < 0 || p >= this.config.seqLen || (t > 0 && p <= (row[t - 1] as number)))
          throw new Error(
            `${where}: positionIds[${b}][${t}] = ${p}: positions must be integers in [0, seqLen=${this.config.seqLen}), strictly increasing along a row`,
          );
      });
    });
  }

  /** Rows of the position table at the given positions: [B][T] -> [B*T, C] (one-hot matMul, as for tokens). */
  private positionRowsAt(ids: ReadonlyArray<ReadonlyArray<number>>): tf.Tensor2D {
    const flat = tf.tensor1d(ids.flat() as number[], "int32"); // [B*T]
    return tf.matMul(oneHotF32(flat, this.config.seqLen), this.p("wpe")) as tf.Tensor2D; // [B*T, L] @ [L, C] -> [B*T, C]
  }

  /**
   * Token + position embedding: tokens [B, T] int32 -> [B*T, C]. The tokens sit at `positionIds` when
   * given, else at offset..offset+T-1 (`learned`) or at freshly drawn positions (`random`). Used by
   * {@link GPT.forward} (offset 0) and {@link GPT.forwardIncremental} (offset = the cached length).
   */
  private embed(
    tokens: tf.Tensor2D,
    B: number,
    T: number,
    positionIds?: ReadonlyArray<ReadonlyArray<number>>,
    offset = 0,
  ): tf.Tensor2D {
    const { vocabSize: V, dModel: C } = this.config;
    // One-hot matMul instead of gather: its gradient is a plain matMul on every backend.
    const oneHot = oneHotF32(tf.reshape(tokens, [B * T]) as tf.Tensor1D, V); // [B*T, V]
    const tok = tf.matMul(oneHot, this.p("wte")); // [B*T, V] @ [V, C] -> [B*T, C]
    // NoPE: order comes from the causal mask only; rotary: positions enter in attention (GPT.attention).
    if (!hasPositionTable(this.config.positions)) return tok as tf.Tensor2D;
    if (positionIds !== undefined || this.config.positions === "random") {
      const ids = positionIds ?? this.samplePositionIds(B, T);
      return tf.add(tok, this.positionRowsAt(ids)) as tf.Tensor2D; // [B*T, C] + [B*T, C]
    }
    const pos = tf.slice(this.p("wpe"), [offset, 0], [T, C]); // [T, C]
    return tf.reshape(tf.add(tf.reshape(tok, [B, T, C]), pos), [B * T, C]) as tf.Tensor2D; // [B, T, C] + [T, C] -> [B*T, C]
  }

  /** The final hidden states [B*T, C] (after lnf) and the optional extras. */
  private trunk(
    tokens: tf.Tensor2D,
    opts: ForwardOptions,
  ): { h: tf.Tensor2D; attention?: tf.Tensor4D[]; hidden?: tf.Tensor3D[] } {
    const [B, T] = tokens.shape;
    const { seqLen, dModel: C } = this.config;
    if (tokens.rank !== 2)
      throw new Error(`GPT.forward: tokens must be [batch, time], got shape [${tokens.shape.join(", ")}]`);
    if (T < 1 || T > seqLen)
      throw new Error(
        `GPT.forward: sequence length ${T} must be in [1, seqLen=${seqLen}]; crop the context to the last ${seqLen} tokens`,
      );
    if (tokens.dtype !== "int32") throw new Error(`GPT.forward: tokens must be int32, got ${tokens.dtype}`);
    if (opts.positionIds !== undefined) this.checkPositionIds(opts.positionIds, B, T, "GPT.forward");
    const attention: tf.Tensor4D[] = [];
    const hidden: tf.Tensor3D[] = [];
    let x = this.embed(tokens, B, T, opts.positionIds); // [B*T, C]
    const rope = this.rotaryAt(T, opts.positionIds, 0);
    if (opts.returnHidden) hidden.push(tf.reshape(x, [B, T, C]));
    for (let l = 0; l < this.config.nLayer; l++) {
      const p = `h${l}.`;
      const a = this.attention(
        ops.layerNorm(x, this.p(p + "ln1.g"), this.p(p + "ln1.b")),
        l,
        B,
        T,
        !!opts.returnAttention,
        rope,
      );
      if (a.probs) attention.push(a.probs);
      x = tf.add(x, a.y); // [B*T, C] residual
      x = tf.add(x, this.mlp(ops.layerNorm(x, this.p(p + "ln2.g"), this.p(p + "ln2.b")), l)); // [B*T, C] residual
      if (opts.returnHidden) hidden.push(tf.reshape(x, [B, T, C]));
    }
    const h = ops.layerNorm(x, this.p("lnf.g"), this.p("lnf.b")); // [B*T, C]
    return {
      h,
      ...(opts.returnAttention ? { attention } : {}),
      ...(opts.returnHidden ? { hidden } : {}),
    };
  }

  /** The output head weight as [C, V]. */
  private head(): tf.Tensor2D {
    return this.config.tieWeights
      ? (tf.transpose(this.p("wte")) as tf.Tensor2D) /* [V, C] -> [C, V] */
      : (this.p("lmHead") as tf.Tensor2D);
  }

  /**
   * Run the model. tokens: [B, T] int32 with T <= seqLen. Caller disposes every returned tensor.
   */
  forward(tokens: tf.Tensor2D, opts: ForwardOptions = {}): ForwardResult {
    const { vocabSize: V, dModel: C } = this.config;
    return tf.tidy(() => {
      const [B, T] = tokens.shape;
      const { h, attention, hidden } = this.trunk(tokens, opts);
      let logits: tf.Tensor3D;
      if (opts.lastOnly) {
        const last = tf.reshape(tf.slice(tf.reshape(h, [B, T, C]), [0, T - 1, 0], [B, 1, C]), [B, C]); // [B, C]
        logits = tf.reshape(tf.matMul(last, this.head()), [B, 1, V]); // [B, C] @ [C, V] -> [B, 1, V]
      } else {
        logits = tf.reshape(tf.matMul(h, this.head()), [B, T, V]); // [B*T, C] @ [C, V] -> [B, T, V]
      }
      const out: { logits: tf.Tensor3D; attention?: tf.Tensor4D[]; hidden?: tf.Tensor3D[] } = { logits };
      if (attention) out.attention = attention;
      if (hidden) out.hidden = hidden;
      return out as unknown as tf.TensorContainer;
    }) as unknown as ForwardResult;
  }

  /** Causal mask for t queries at positions pos..pos+t-1 over keys 0..pos+t-1: [t, pos + t]. */
  private causalMaskAt(t: number, pos: number): tf.Tensor2D {
    const key = `${t},${pos}`;
    let m = this.offsetMasks.get(key);
    if (m === undefined) {
      m = tf.keep(tf.tensor2d(causalMaskValues(t, pos), [t, pos + t]));
      this.offsetMasks.set(key, m);
    }
    return m;
  }

  /**
   * An empty key/value cache for `batch` sequences, for {@link GPT.forwardIncremental}. `length` is the
   * longest each sequence will grow (default seqLen): the `random` position scheme draws that many
   * positions per sequence here, as it would for a whole sequence of that length. Caller disposes
   * (`cache.dispose()`).
   */
  createKVCache(batch: number, length = this.config.seqLen): KVCache {
    if (!Number.isInteger(length) || length < 1 || length > this.config.seqLen)
      throw new Error(
        `GPT.createKVCache: length must be an integer in [1, seqLen=${this.config.seqLen}], got ${length}`,
      );
    const cache = new KVCache(batch, this.config.nLayer, this.config.nHead);
    if (this.config.positions === "random") cache.setPositionIds(this.samplePositionIds(batch, length));
    return cache;
  }

  /**
   * Attention of t new positions over the cached keys/values plus their own (causal within the new
   * ones): x [B*t, C] (layer-normed) -> y [B*t, C], and the layer's keys/values extended to
   * [pos + t, B*nH, hs] (time-major, see {@link KVCache}). Same weights as {@link GPT.attention}.
   */
  private attentionIncremental(
    x: tf.Tensor2D,
    l: number,
    B: number,
    t: number,
    past: { k: tf.Tensor3D; v: tf.Tensor3D } | null,
    pos: number,
    rope: RotaryTables | null,
  ): { y: tf.Tensor2D; k: tf.Tensor3D; v: tf.Tensor3D } {
    const { dModel: C, nHead: nH } = this.config;
    const hs = C / nH;
    const BH = B * nH;
    const n = pos + t;
    const p = `h${l}.attn.`;
    let qkv = linear(x, this.p(p + "wqkv"), this.p(p + "bqkv")) as tf.Tensor2D; // [B*t, C] @ [C, 3C] -> [B*t, 3C]
    // RoPE: the new keys are cached already rotated, at their own positions, as GPT.attention has them.
    if (rope !== null) qkv = rotary(qkv, B, t, rope);
    let merged: tf.Tensor2D;
    let k: tf.Tensor3D;
    let v: tf.Tensor3D;
    if (t === 1) {
      // One new position: q, k, v [B, C] = [B, nH, hs] need reshapes only. With the cache time-major
      // the append is one contiguous copy, and both products are an elementwise op plus a sum (not
      // per-head batched matMuls, which run one tiny GEMM per batch*head on wasm: ~3x slower here).
      const [q2, k2, v2] = tf.split(qkv, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor]; // 3 x [B, C]
      const kNew = tf.reshape(k2, [1, BH, hs]) as tf.Tensor3D; // [1, B*nH, hs]
      const vNew = tf.reshape(v2, [1, BH, hs]) as tf.Tensor3D; // [1, B*nH, hs]
      k = past === null ? kNew : (tf.concat([past.k, kNew], 0) as tf.Tensor3D); // [n, B*nH, hs]
      v = past === null ? vNew : (tf.concat([past.v, vNew], 0) as tf.Tensor3D); // [n, B*nH, hs]
      // scores[j, bh] = q[bh] . k[j, bh] / sqrt(hs): all keys are at or before the query, no mask.
      const scores = tf.mul(tf.sum(tf.mul(k, tf.reshape(q2, [1, BH, hs])), -1), 1 / Math.sqrt(hs)); // [n, B*nH, hs] -> [n, B*nH]
      const probs = tf.transpose(tf.softmax(tf.transpose(scores))); // softmax over keys: [B*nH, n] -> [n, B*nH]
      // out[bh] = sum_j probs[j, bh] v[j, bh] (a leading-axis sum; not ones[1, n] @ [n, B*nH*hs]: wasm's
      // matMul packs its right operand, which is new every step).
      const weighted = tf.reshape(tf.mul(v, tf.reshape(probs, [n, BH, 1])), [n, BH * hs]); // [n, B*nH*hs]
      merged = tf.reshape(tf.sum(weighted, 0), [B, C]) as tf.Tensor2D; // [B*nH*hs] = [B, nH, hs] -> [B, C]
    } else {
      const qkv3 = tf.transpose(tf.reshape(qkv, [B * t, 3, C]), [1, 0, 2]); // [B*t, 3, C] -> [3, B*t, C]
      const [q2, k2, v2] = tf.split(qkv3, 3, 0) as [tf.Tensor, tf.Tensor, tf.Tensor]; // 3 x [1, B*t, C]
      const heads = (z: tf.Tensor): tf.Tensor3D =>
        tf.reshape(tf.transpose(tf.reshape(z, [B, t, nH, hs]), [0, 2, 1, 3]), [BH, t, hs]) as tf.Tensor3D; // [B, t, nH, hs] -> [B*nH, t, hs]
      const q = heads(q2);
      const pastB = (z: tf.Tensor3D): tf.Tensor3D => tf.transpose(z, [1, 0, 2]) as tf.Tensor3D; // [pos, B*nH, hs] -> [B*nH, pos, hs]
      const kb = past === null ? heads(k2) : (tf.concat([pastB(past.k), heads(k2)], 1) as tf.Tensor3D); // [B*nH, n, hs]
      const vb = past === null ? heads(v2) : (tf.concat([pastB(past.v), heads(v2)], 1) as tf.Tensor3D); // [B*nH, n, hs]
      const kT = tf.transpose(kb, [0, 2, 1]) as tf.Tensor3D; // [B*nH, hs, n]
      const { out } = attend(q, kT, vb, this.causalMaskAt(t, pos)); // [B*nH, t, hs]
      merged = tf.reshape(tf.transpose(tf.reshape(out, [B, nH, t, hs]), [0, 2, 1, 3]), [B * t, C]) as tf.Tensor2D; // [B, nH, t, hs] -> [B*t, C]
      k = tf.transpose(kb, [1, 0, 2]) as tf.Tensor3D; // [n, B*nH, hs]
      v = tf.transpose(vb, [1, 0, 2]) as tf.Tensor3D; // [n, B*nH, hs]
    }
    const y = linear(merged, this.p(p + "wo"), this.p(p + "bo")) as tf.Tensor2D; // [B*t, C] @ [C, C] -> [B*t, C]
    return { y, k, v };
  }

  /**
   * Incremental decoding: run t new tokens per sequence that follow the `cache.length` positions already
   * in `cache`, append their keys and values to it, and return their logits. tokens: [B, t] int32 with
   * B = cache.batch and cache.length + t <= seqLen (absolute positions: a longer context needs a fresh
   * forward over the cropped window). The logits equal those of {@link GPT.forward} on the whole
   * sequence at these positions (up to float rounding). Caller disposes the logits; the cache keeps
   * its tensors (dispose it when done).
   */
  forwardIncremental(tokens: tf.Tensor2D, cache: KVCache, opts: IncrementalOptions = {}): tf.Tensor3D {
    const where = "GPT.forwardIncremental";
    const { seqLen, dModel: C, vocabSize: V, nLayer, nHead } = this.config;
    if (tokens.rank !== 2)
      throw new Error(`${where}: tokens must be [batch, time], got shape [${tokens.shape.join(", ")}]`);
    if (tokens.dtype !== "int32") throw new Error(`${where}: tokens must be int32, got ${tokens.dtype}`);
    const [B, t] = tokens.shape;
    if (cache.nLayer !== nLayer || cache.nHead !== nHead)
      throw new Error(
        `${where}: the cache was made for ${cache.nLayer} layers / ${cache.nHead} heads, the model has ${nLayer} / ${nHead}; use model.createKVCache(batch)`,
      );
    if (B !== cache.batch)
      throw new Error(`${where}: tokens have batch ${B}, the cache holds ${cache.batch} sequences`);
    const pos = cache.length;
    if (t < 1 || pos + t > seqLen)
      throw new Error(
        `${where}: ${t} new tokens after ${pos} cached positions must fit in seqLen=${seqLen}; for longer contexts run forward on the last ${seqLen} tokens`,
      );
    const drawn = cache.positionIds;
    if (this.config.positions === "random" && drawn === null)
      throw new Error(`${where}: a random-position model needs a cache from model.createKVCache(batch, length)`);
    const planned = drawn?.[0]?.length;
    if (planned !== undefined && pos + t > planned)
      throw new Error(
        `${where}: ${t} new tokens after ${pos} cached positions exceed the ${planned} positions the cache was made for; pass the full length to model.createKVCache(batch, length)`,
      );
    const res = tf.tidy(() => {
      // The new tokens at the cache's drawn positions (random) or at pos..pos+t-1: [B*t, C].
      let x = this.embed(
        tokens,
        B,
        t,
        drawn?.map((row) => row.slice(pos, pos + t)),
        pos,
      );
      const rope = this.rotaryAt(t, undefined, pos);
      const kv: Array<{ k: tf.Tensor3D; v: tf.Tensor3D }> = [];
      for (let l = 0; l < nLayer; l++) {
        const p = `h${l}.`;
        const a = this.attentionIncremental(
          layerNorm(x, this.p(p + "ln1.g"), this.p(p + "ln1.b")) as tf.Tensor2D,
          l,
          B,
          t,
          cache.layer(l),
          pos,
          rope,
        );
        kv.push({ k: a.k, v: a.v });
        x = tf.add(x, a.y); // [B*t, C] residual
        x = tf.add(x, this.mlp(layerNorm(x, this.p(p + "ln2.g"), this.p(p + "ln2.b")) as tf.Tensor2D, l)); // [B*t, C] residual
      }
      let h = layerNorm(x, this.p("lnf.g"), this.p("lnf.b")) as tf.Tensor2D; // [B*t, C]
      let T = t;
      if (opts.lastOnly && t > 1) {
        h = tf.reshape(tf.slice(tf.reshape(h, [B, t, C]), [0, t - 1, 0], [B, 1, C]), [B, C]); // [B, C]
        T = 1;
      }
      const logits = tf.reshape(tf.matMul(h, this.head()), [B, T, V]) as tf.Tensor3D; // [B*T, C] @ [C, V] -> [B, T, V]
      return { logits, kv };
    });
    cache.update(res.kv, pos + t);
    return res.logits;
  }

  /**
   * Mean next-token cross-entropy (nats) over the positions where `mask` is 1 (all positions when
   * no mask is given). x, y: [B, T] int32 (y = x shifted by one), mask [B, T] float 0/1.
   * Caller disposes.
   */
  loss(x: tf.Tensor2D, y: tf.Tensor2D, mask?: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => {
      const [B, T] = x.shape;
      if (y.shape[0] !== B || y.shape[1] !== T)
        throw new Error(`GPT.loss: y shape [${y.shape.join(", ")}] must equal x shape [${x.shape.join(", ")}]`);
      if (mask && (mask.shape[0] !== B || mask.shape[1] !== T))
        throw new Error(`GPT.loss: mask shape [${mask.shape.join(", ")}] must equal x shape [${x.shape.join(", ")}]`);
      const { h } = this.trunk(x, {}); // [B*T, C]
      const logits = tf.matMul(h, this.head()) as tf.Tensor2D; // [B*T, C] @ [C, V] -> [B*T, V]
      const m = mask ? (tf.reshape(tf.cast(mask, "float32"), [B * T]) as tf.Tensor1D) : undefined; // [B*T]
      return ops.crossEntropy(logits, tf.reshape(y, [B * T]) as tf.Tensor1D, m); // []
    });
  }

  /** Free the weights and cached masks. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    for (const m of this.offsetMasks.values()) m.dispose();
    this.offsetMasks.clear();
    this.params.clear();
  }
}

/** Initial weights of a config, drawn from seeded generators (one derived seed per parameter). */
export function initGPTWeights(config: GPTConfig, seed: number): WeightMap {
  const out: WeightMap = {};
  for (const s of paramSpecs(config)) {
    const n = sizeOf(s.shape);
    if (s.init === "normal")
      out[s.name] = new Rng(deriveSeed(seed, "gpt-init", s.name)).normalArray(n, 0, s.std ?? 0.02);
    else out[s.name] = new Float32Array(n).fill(s.init === "ones" ? 1 : 0);
  }
  return out;
}

/**
 * Build a GPT with GPT-2-style initial weights drawn from `seed` (same seed, same weights: bit-identical).
 * `config` may be partial; missing fields come from {@link GPT_DEFAULTS}. Dispose the model when done.
 */
export function createGPT(config: Partial<GPTConfig>, seed: number): GPT {
  if (!Number.isInteger(seed)) throw new Error(`createGPT: seed must be an integer, got ${seed}`);
  const c = gptConfig(config);
  return new GPT(c, initGPTWeights(c, seed), seed);
}
