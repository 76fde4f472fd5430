/**
 * The induction task of takeaway 3, part 3: "… A B … A → B" (Elhage et al. 2021; Olsson et al. 2022,
 * "In-context learning and induction heads", arXiv:2209.11895; the planted-bigram design follows Bietti
 * et al. 2023, "Birth of a transformer: a memory viewpoint", arXiv:2306.00802).
 *
 * Each sequence picks K trigger tokens A and, for each, a target token B, both fresh for every sequence.
 * Every occurrence of A is followed by its B; everything else is random filler. The pairs sit at random
 * places, so the distance back to an earlier A is random. The first "A B" of a sequence cannot be
 * predicted; from the second A on, the next token is the one that followed A before. To predict it the
 * model has to find the earlier A and copy what came after it — an induction head — and attention is the
 * only place a transformer can look it up: the context window acts as a working memory (Gros 2025, §4).
 *
 * Two easier designs we tried first let a small GPT take shortcuts instead (recorded in the notebook):
 * a segment repeated cyclically is solved by heads at fixed offsets, and a repeated segment after a
 * random prefix leaks the segment length through absolute position. Random pair positions close both.
 *
 * Token ids: 0 … numTokens−1 are content tokens, numTokens is `<bos>` (vocabSize = numTokens + 1).
 */
import { checkRange } from "../config";
import type { Rng } from "../rng";

/** Shape of the induction task. */
export interface InductionConfig {
  /** Content tokens (the vocabulary is numTokens + 1 with `<bos>`). */
  readonly numTokens: number;
  /** Model context length T: x and y have T tokens (the sequence has T + 1 with `<bos>`). */
  readonly seqLen: number;
  /** Trigger tokens A per sequence, each with its own target B. */
  readonly numTriggers: number;
  /** Fewest occurrences of each "A B" pair in a sequence (≥ 2, so at least one is predictable). */
  readonly minRepeats: number;
  /** Most occurrences of each pair. */
  readonly maxRepeats: number;
}

export const INDUCTION_DEFAULTS: Readonly<InductionConfig> = Object.freeze({
  numTokens: 24,
  seqLen: 32,
  numTriggers: 4,
  minRepeats: 2,
  maxRepeats: 4,
});

export function validateInductionConfig(c: InductionConfig, where = "induction"): void {
  checkRange(`${where}.seqLen`, c.seqLen, 4, 1 << 14, true);
  checkRange(`${where}.numTriggers`, c.numTriggers, 1, 1 << 12, true);
  checkRange(`${where}.numTokens`, c.numTokens, 2 * c.numTriggers + 1, 1 << 16, true);
  checkRange(`${where}.minRepeats`, c.minRepeats, 2, c.seqLen, true);
  checkRange(`${where}.maxRepeats`, c.maxRepeats, c.minRepeats, c.seqLen, true);
  if (2 * c.numTriggers * c.maxRepeats > c.seqLen) {
    throw new Error(
      `${where}.maxRepeats: ${c.numTriggers} triggers × ${c.maxRepeats} repeats × 2 tokens = ${2 * c.numTriggers * c.maxRepeats} exceeds seqLen ${c.seqLen}; lower maxRepeats or numTriggers, or raise seqLen`,
    );
  }
}

/** The `<bos>` token id. */
export function bosToken(c: InductionConfig): number {
  return c.numTokens;
}

/** Vocabulary size for the GPT: content tokens + `<bos>`. */
export function inductionVocabSize(c: InductionConfig): number {
  return c.numTokens + 1;
}

/** One sequence of T + 1 tokens (`<bos>` first) and its planted pairs. */
export interface InductionSequence {
  readonly tokens: number[];
  /** The trigger tokens A and their targets B. */
  readonly triggers: number[];
  readonly targets: number[];
}

/**
 * Sample one sequence: K fresh (A, B) pairs, each placed r ∈ [minRepeats, maxRepeats] times at random
 * non-overlapping places; filler tokens drawn uniformly from the non-trigger tokens.
 */
export function sampleInductionSequence(c: InductionConfig, rng: Rng): InductionSequence {
  const T = c.seqLen;
  const K = c.numTriggers;
  const perm = rng.permutation(c.numTokens);
  const triggers = perm.slice(0, K);
  const targets = perm.slice(K, 2 * K);
  const fillers = perm.slice(K); // anything but a trigger (targets may also appear as filler)
  // Items: one per pair occurrence (trigger index) and one per filler slot, in random order.
  const items: number[] = [];
  triggers.forEach((_, i) => {
    const r = c.minRepeats + rng.int(c.maxRepeats - c.minRepeats + 1);
    for (let k = 0; k < r; k++) items.push(i);
  });
  const numFill = T - 2 * items.length;
  for (let k = 0; k < numFill; k++) items.push(-1);
  rng.shuffle(items);
  const tokens = [bosToken(c)];
  for (const it of items) {
    if (it < 0) tokens.push(fillers[rng.int(fillers.length)]!);
    else tokens.push(triggers[it]!, targets[it]!);
  }
  return { tokens, triggers, targets };
}

/**
 * Induction positions of a token row x (x[0] = `<bos>`): positions q where x[q] is a trigger that
 * occurred before, with the keys k that hold the token after an earlier occurrence (x[k − 1] = x[q],
 * k ≤ q). There, y[q] is the target that followed A each time before.
 */
export function inductionTargets(x: ReadonlyArray<number>, triggers: ReadonlyArray<number>): { q: number; keys: number[] }[] {
  const isTrigger = new Set(triggers);
  const out: { q: number; keys: number[] }[] = [];
  for (let q = 1; q < x.length; q++) {
    const a = x[q]!;
    if (!isTrigger.has(a)) continue;
    const keys: number[] = [];
    for (let j = 1; j < q; j++) if (x[j] === a) keys.push(j + 1);
    if (keys.length > 0) out.push({ q, keys });
  }
  return out;
}

/** A batch: x, y [B][T] (y = x shifted by one), mask 1 at induction positions; the planted triggers per row. */
export interface InductionBatch {
  readonly x: number[][];
  readonly y: number[][];
  readonly mask: number[][];
  readonly triggers: number[][];
}

export function sampleInductionBatch(c: InductionConfig, rng: Rng, batchSize: number): InductionBatch {
  validateInductionConfig(c);
  const x: number[][] = [];
  const y: number[][] = [];
  const mask: number[][] = [];
  const triggers: number[][] = [];
  for (let b = 0; b < batchSize; b++) {
    const s = sampleInductionSequence(c, rng);
    const xr = s.tokens.slice(0, c.seqLen);
    x.push(xr);
    y.push(s.tokens.slice(1, c.seqLen + 1));
    const m = new Array<number>(c.seqLen).fill(0);
    for (const { q } of inductionTargets(xr, s.triggers)) m[q] = 1;
    mask.push(m);
    triggers.push(s.triggers);
  }
  return { x, y, mask, triggers };
}

/**
 * A BatchSampler for src/train.ts. The loss counts only at induction positions: the first occurrence of a
 * pair and the filler are random and unpredictable.
 */
export function inductionSampler(c: InductionConfig): (rng: Rng, batchSize: number) => { x: number[][]; y: number[][]; mask: number[][] } {
  validateInductionConfig(c);
  return (rng, batchSize) => {
    const { x, y, mask } = sampleInductionBatch(c, rng, batchSize);
    return { x, y, mask };
  };
}

/** Per-head attention scores of one layer. */
export interface HeadScores {
  readonly layer: number;
  readonly head: number;
  /** Mean attention from the second (or later) A to the token(s) after the earlier A(s). */
  readonly induction: number;
  /** Mean attention from the second A to the earlier A itself (a duplicate-token head). */
  readonly duplicate: number;
  /** Mean attention from q to q − 1 (a previous-token head, the first half of the induction circuit). */
  readonly previousToken: number;
  /** What uniform causal attention would give for the induction score: #keys / (q + 1), averaged. */
  readonly uniformBaseline: number;
}

/**
 * Induction, duplicate-token and previous-token scores per layer and head, averaged over every induction
 * position of every sequence. `attention[l][b][h][q][k]` are attention probabilities (GPT.forward's
 * `returnAttention`, as nested arrays); `x` the token rows, `triggers` the planted triggers per row.
 */
export function inductionScores(attention: ReadonlyArray<number[][][][]>, x: ReadonlyArray<ReadonlyArray<number>>, triggers: ReadonlyArray<ReadonlyArray<number>>): HeadScores[] {
  if (x.length !== triggers.length) throw new Error(`inductionScores: ${x.length} rows but ${triggers.length} trigger lists`);
  const targets = x.map((row, b) => inductionTargets(row, triggers[b]!));
  const out: HeadScores[] = [];
  attention.forEach((layer, l) => {
    const nH = layer[0]?.length ?? 0;
    for (let h = 0; h < nH; h++) {
      let ind = 0;
      let dup = 0;
      let prev = 0;
      let uni = 0;
      let n = 0;
      targets.forEach((ts, b) => {
        const A = layer[b]![h]!;
        for (const { q, keys } of ts) {
          for (const k of keys) {
            ind += A[q]![k]!;
            dup += A[q]![k - 1]!;
          }
          prev += A[q]![q - 1]!;
          uni += keys.length / (q + 1);
          n++;
        }
      });
      out.push({
        layer: l,
        head: h,
        induction: n ? ind / n : NaN,
        duplicate: n ? dup / n : NaN,
        previousToken: n ? prev / n : NaN,
        uniformBaseline: n ? uni / n : NaN,
      });
    }
  });
  return out;
}
