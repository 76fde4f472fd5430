/**
 * A model's named weights: a fixed list of parameter specs (name, shape, initialisation), their seeded
 * initial values, and the tf.Variables that hold them. The small models beside the GPT (./recurrent.ts,
 * ./window-net.ts) keep their weights here, so building, counting, reading and freeing them is one piece of code.
 */
import * as tf from "@tensorflow/tfjs";
import { deriveSeed, Rng } from "./rng";

/** Weights as plain arrays (checkpoints, analysis). */
export type WeightArrays = Record<string, Float32Array>;

/** One parameter: its name, shape and initialisation. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: ReadonlyArray<number>;
  /** "normal" (mean 0, `std`), "ones", "zeros", or "custom" (values from the model's own rule). */
  readonly init: "normal" | "ones" | "zeros" | "custom";
  readonly std?: number;
  /** Embedding tables (left out of non-embedding counts, as Kaplan et al. 2020 do). */
  readonly embedding?: boolean;
}

/** Number of values of a shape. */
export function sizeOf(shape: ReadonlyArray<number>): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Total and non-embedding parameter counts of a spec list. */
export function countParams(specs: ReadonlyArray<ParamSpec>): { total: number; nonEmbedding: number } {
  let total = 0;
  let nonEmbedding = 0;
  for (const s of specs) {
    total += sizeOf(s.shape);
    if (!s.embedding) nonEmbedding += sizeOf(s.shape);
  }
  return { total, nonEmbedding };
}

/**
 * Initial values for every spec from `seed`: one derived seed per parameter (`label`, name), so adding a
 * parameter never shifts another's values; "custom" specs take `custom(spec)`.
 */
export function initWeights(
  specs: ReadonlyArray<ParamSpec>,
  seed: number,
  label: string,
  custom?: (spec: ParamSpec) => Float32Array,
): WeightArrays {
  const out: WeightArrays = {};
  for (const s of specs) {
    const n = sizeOf(s.shape);
    if (s.init === "normal") out[s.name] = new Rng(deriveSeed(seed, label, s.name)).normalArray(n, 0, s.std ?? 0.02);
    else if (s.init === "custom") {
      if (!custom) throw new Error(`initWeights: parameter "${s.name}" needs a custom initialiser`);
      out[s.name] = custom(s);
    } else out[s.name] = new Float32Array(n).fill(s.init === "ones" ? 1 : 0);
  }
  return out;
}

/** The tf.Variables of a model, one per spec, in spec order. Call {@link WeightSet.dispose} when done. */
export class WeightSet {
  private readonly vars = new Map<string, tf.Variable>();

  /** `owner` names the model in errors; every spec must have a value of the right size in `weights`. */
  constructor(
    readonly owner: string,
    readonly specs: ReadonlyArray<ParamSpec>,
    weights: WeightArrays,
  ) {
    for (const s of specs) {
      const w = weights[s.name];
      if (w === undefined || w.length !== sizeOf(s.shape))
        throw new Error(`${owner}: weight "${s.name}" missing or of the wrong size`);
      this.vars.set(
        s.name,
        tf.tidy(() => tf.variable(tf.tensor(w, [...s.shape], "float32"), true)),
      );
    }
  }

  /** The variable called `name` (owned by the set). */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (v === undefined) throw new Error(`${this.owner}: no weight "${name}"`);
    return v;
  }

  /** Trainable variables by name (the trainer's keys). */
  named(): Record<string, tf.Variable> {
    return Object.fromEntries(this.vars);
  }

  /** Number of parameters; `nonEmbedding` leaves out the embedding tables. */
  count(opts: { nonEmbedding?: boolean } = {}): number {
    return opts.nonEmbedding ? countParams(this.specs).nonEmbedding : countParams(this.specs).total;
  }

  /** A copy of every weight (read asynchronously: a GPU backend cannot read synchronously). */
  async read(): Promise<WeightArrays> {
    const out: WeightArrays = {};
    for (const [name, v] of this.vars) out[name] = (await v.data()) as Float32Array;
    return out;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
