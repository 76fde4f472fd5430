/**
 * Sampling from a GPT (greedy, temperature, top-k, stop token; batched) and scoring given
 * continuations by their log-likelihood (for evaluation and head-to-head comparisons).
 *
 * Prompts of different lengths are batched by length (the model has learned absolute positions, so
 * left-padding would shift them). Decoding is incremental: the prompt runs once and fills a key/value
 * cache ({@link GPT.forwardIncremental}), then each step runs only the newest token. Once a sequence is
 * longer than seqLen the context window slides (positions shift), so from then on each step reruns the
 * model on the last seqLen tokens, as `useCache: false` does throughout.
 */
import * as tf from "@tensorflow/tfjs";
import { interruptSignal, throwIfCancelled, yieldToEventLoop } from "./cancel";
import type { Rng } from "./rng";
import { type GPT, type KVCache, oneHotF32 } from "./transformer";

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** Tokens to generate per prompt (at most; fewer when the stop token comes). */
  readonly maxNewTokens: number;
  /** Softmax temperature; 0 = greedy (argmax, ties to the lowest id). Default 0. */
  readonly temperature?: number;
  /** Sample only among the k most likely tokens (temperature > 0). */
  readonly topK?: number;
  /** Stop a sequence after it emits this token (the stop token is not included in the output). */
  readonly stopToken?: number;
  /** Generator for sampling; required when temperature > 0. */
  readonly rng?: Rng;
  /** Most sequences run through the model at once (default 256). */
  readonly batchSize?: number;
  /**
   * Decode incrementally with a key/value cache (default true). false reruns the whole context for
   * every new token (the reference path; same tokens up to float rounding of the logits).
   */
  readonly useCache?: boolean;
}

function validatePrompt(model: GPT, p: ReadonlyArray<number>, i: number, where: string): void {
  if (p.length === 0) throw new Error(`${where}: prompt ${i} is empty; start it with a token such as <bos>`);
  for (const t of p) {
    if (!Number.isInteger(t) || t < 0 || t >= model.config.vocabSize) {
      throw new Error(`${where}: prompt ${i} has token ${t}, outside [0, vocabSize=${model.config.vocabSize})`);
    }
  }
}

/** Pick a token from one row of logits. */
function pick(row: Float32Array, temperature: number, topK: number | undefined, rng: Rng | undefined): number {
  if (temperature === 0) {
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
    return best;
  }
  let idx = Array.from({ length: row.length }, (_, j) => j);
  if (topK !== undefined && topK < row.length) {
    // Stable sort by logit, descending: ties keep the lower id first (deterministic).
    idx = idx.sort((a, b) => row[b] - row[a] || a - b).slice(0, topK);
  }
  let max = -Infinity;
  for (const j of idx) max = Math.max(max, row[j]);
  const w = idx.map((j) => Math.exp((row[j] - max) / temperature));
  return idx[(rng as Rng).categorical(w)] as number;
}

/**
 * Continue each prompt by up to `maxNewTokens` tokens; returns the new tokens only (without the stop
 * token). Deterministic given the rng state. Leaves no tensors behind.
 */
export async function generate(
  model: GPT,
  prompts: ReadonlyArray<ReadonlyArray<number>>,
  opts: GenerateOptions,
): Promise<number[][]> {
  const where = "generate";
  const temperature = opts.temperature ?? 0;
  if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 0)
    throw new Error(`${where}: maxNewTokens must be a non-negative integer, got ${opts.maxNewTokens}`);
  if (!(temperature >= 0) || !Number.isFinite(temperature))
    throw new Error(`${where}: temperature must be >= 0, got ${temperature}`);
  if (temperature > 0 && opts.rng === undefined)
    throw new Error(`${where}: temperature ${temperature} > 0 samples, so pass an rng (e.g. new Rng(seed))`);
  if (opts.topK !== undefined && (!Number.isInteger(opts.topK) || opts.topK < 1))
    throw new Error(`${where}: topK must be a positive integer, got ${opts.topK}`);
  const maxBatch = opts.batchSize ?? 256;
  prompts.forEach((p, i) => validatePrompt(model, p, i, where));
  const { seqLen, vocabSize: V } = model.config;
  const out: number[][] = prompts.map(() => []);
  // Group prompt indices by length (kept in order), then chunk by batch size.
  const groups = new Map<number, number[]>();
  prompts.forEach((p, i) => {
    const g = groups.get(p.length) ?? [];
    g.push(i);
    groups.set(p.length, g);
  });
  const chunks: number[][] = [];
  for (const g of groups.values()) for (let s = 0; s < g.length; s += maxBatch) chunks.push(g.slice(s, s + maxBatch));
  // Process chunks in order of their first prompt so rng draws follow prompt order.
  chunks.sort((a, b) => a[0] - b[0]);
  const useCache = opts.useCache ?? true;
  // Taken once: each interrupt replaces the signal with a fresh one for the runs after it (src/cancel.ts).
  const signal = interruptSignal();
  for (const chunk of chunks) {
    const seqs = chunk.map((i) => [...(prompts[i] as number[])]);
    let active = chunk.map((_, r) => r);
    let cache: KVCache | null = null;
    /** The chunk rows held by the cache, in cache order. */
    let cacheRows: number[] = [];
    try {
      for (let n = 0; n < opts.maxNewTokens && active.length > 0; n++) {
        await yieldToEventLoop();
        throwIfCancelled(signal, "generation");
        const len = (seqs[active[0]] as number[]).length;
        let logits: tf.Tensor3D;
        if (useCache && len <= seqLen) {
          // Positions 0..len-1 fit: run only what the cache lacks (the prompt first, then one token).
          if (cache === null) {
            // The longest the rows will grow here (the last new token is never fed back): the `random`
            // position scheme draws that many positions per row, as it does for a training row.
            cache = model.createKVCache(active.length, Math.min(seqLen, len + opts.maxNewTokens - 1 - n));
            cacheRows = active;
          } else if (cacheRows.length !== active.length) {
            const at = new Map(cacheRows.map((r, i) => [r, i]));
            cache.keepRows(active.map((r) => at.get(r) as number));
            cacheRows = active;
          }
          const from = cache.length;
          const ctx = active.flatMap((r) => (seqs[r] as number[]).slice(from, len));
          const tokens = tf.tensor2d(ctx, [active.length, len - from], "int32"); // [b, t]
          try {
            logits = model.forwardIncremental(tokens, cache, { lastOnly: true }); // [b, 1, V]
          } finally {
            tokens.dispose();
          }
        } else {
          if (cache !== null) {
            cache.dispose();
            cache = null;
          }
          const T = Math.min(len, seqLen);
          const ctx = active.flatMap((r) => (seqs[r] as number[]).slice(len - T));
          logits = tf.tidy(() => {
            const tokens = tf.tensor2d(ctx, [active.length, T], "int32"); // [b, T]
            return model.forward(tokens, { lastOnly: true }).logits; // [b, 1, V]
          });
        }
        let data: Float32Array;
        try {
          data = (await logits.data()) as Float32Array;
        } finally {
          logits.dispose();
        }
        const still: number[] = [];
        active.forEach((r, k) => {
          const tok = pick(data.subarray(k * V, (k + 1) * V), temperature, opts.topK, opts.rng);
          (seqs[r] as number[]).push(tok);
          if (opts.stopToken !== undefined && tok === opts.stopToken) return;
          (out[chunk[r]] as number[]).push(tok);
          still.push(r);
        });
        active = still;
      }
    } finally {
      if (cache !== null) cache.dispose();
    }
  }
  return out;
}

/**
 * Log-probability (nats) of every token of each continuation given its prefix and the tokens before
 * it: result[i][j] = log p(cont_i[j] | prefix_i, cont_i[<j]). When prefix + continuation is longer
 * than seqLen + 1, the prefix is cropped from the left. Leaves no tensors behind.
 */
export async function continuationTokenLogProbs(
  model: GPT,
  prefixes: ReadonlyArray<ReadonlyArray<number>>,
  continuations: ReadonlyArray<ReadonlyArray<number>>,
  batchSize = 64,
): Promise<number[][]> {
  const where = "continuationLogLikelihood";
  if (prefixes.length !== continuations.length)
    throw new Error(
      `${where}: ${prefixes.length} prefixes but ${continuations.length} continuations; pass one of each per item`,
    );
  const { seqLen, vocabSize: V } = model.config;
  const rows = prefixes.map((p, i) => {
    validatePrompt(model, p, i, where);
    const c = continuations[i] as ReadonlyArray<number>;
    if (c.length > seqLen)
      throw new Error(`${where}: continuation ${i} has ${c.length} tokens, more than seqLen=${seqLen}`);
    for (const t of c)
      if (!Number.isInteger(t) || t < 0 || t >= V)
        throw new Error(`${where}: continuation ${i} has token ${t}, outside [0, vocabSize=${V})`);
    const full = [...p, ...c].slice(-(seqLen + 1));
    return { input: full.slice(0, -1), target: full.slice(1), nCont: c.length };
  });
  const out: number[][] = rows.map(() => []);
  for (let s = 0; s < rows.length; s += batchSize) {
    const chunk = rows.slice(s, s + batchSize).filter((r) => r.nCont > 0);
    const idx = rows
      .map((_, i) => i)
      .slice(s, s + batchSize)
      .filter((i) => (rows[i] as { nCont: number }).nCont > 0);
    if (chunk.length === 0) continue;
    const T = Math.max(...chunk.map((r) => r.input.length));
    // Right-pad with token 0: causal attention means padding never affects earlier positions.
    const pad = (a: number[]): number[] => [...a, ...new Array<number>(T - a.length).fill(0)];
    const lp = tf.tidy(() => {
      const x = tf.tensor2d(
        chunk.flatMap((r) => pad(r.input)),
        [chunk.length, T],
        "int32",
      ); // [b, T]
      const y = tf.tensor1d(
        chunk.flatMap((r) => pad(r.target)),
        "int32",
      ); // [b*T]
      const { logits } = model.forward(x); // [b, T, V]
      const lsm = tf.logSoftmax(tf.reshape(logits, [chunk.length * T, V])); // [b*T, V]
      return tf.sum(tf.mul(lsm, oneHotF32(y, V)), -1); // [b*T]
    });
    let data: Float32Array;
    try {
      data = (await lp.data()) as Float32Array;
    } finally {
      lp.dispose();
    }
    chunk.forEach((r, k) => {
      const L = r.input.length;
      const vals: number[] = [];
      for (let t = L - r.nCont; t < L; t++) vals.push(data[k * T + t] as number);
      out[idx[k]] = vals;
    });
  }
  return out;
}

/** Sum of log p (nats) of each continuation given its prefix (see {@link continuationTokenLogProbs}). */
export async function continuationLogLikelihood(
  model: GPT,
  prefixes: ReadonlyArray<ReadonlyArray<number>>,
  continuations: ReadonlyArray<ReadonlyArray<number>>,
  batchSize = 64,
): Promise<number[]> {
  const perToken = await continuationTokenLogProbs(model, prefixes, continuations, batchSize);
  return perToken.map((v) => v.reduce((a, b) => a + b, 0));
}
