/**
 * A seeded synthetic language with power-law structure, for the scaling-law experiment (takeaway 4).
 *
 * **What it is.** Text is a stream of characters: words separated by spaces. The lexicon holds
 * `lexiconSize` distinct words, random strings over an alphabet of `alphabetSize` letters. Every word
 * belongs to one of `numClasses` word classes ("parts of speech"), and which class may follow which is
 * a sparse random Markov chain: a tiny word-level grammar on top of the character-level spelling.
 * Within its class, the word of base rank k is drawn with probability ∝ (k + zipfOffset)^(-zipfExponent),
 * so the marginal word frequencies follow Zipf's law (Zipf 1949); frequent words are short (Zipf's
 * law of abbreviation). `LexiconWord.rank` is the rank by marginal frequency.
 * Formally it is a hidden Markov model whose hidden state (the class) can be read off the last word,
 * so its entropy rate is known exactly ({@link ZipfLanguage.entropyRate}): the irreducible loss E
 * that a scaling-law fit should find.
 *
 * **Why this source.** Neural scaling laws need data whose structure has a heavy tail: the
 * "quantization model" (Michaud et al. 2023, arXiv:2303.13506) and Hutter's learning-curve theory
 * (2021, arXiv:2102.04074) derive L(N) - E ∝ N^(-α) when the data consist of many discrete pieces
 * of knowledge ("quanta") used with power-law frequencies p_k ∝ k^(-(1+α)), and a model of size N
 * has room for the ~N most frequent ones. Here the quanta are the spellings of words and the class
 * transitions: a small model learns letter statistics and the commonest words; every doubling of
 * capacity memorises further down the Zipf tail, so the loss keeps falling with size over several
 * decades instead of saturating. A plain Markov chain or a small grammar would be learnt exactly by
 * modest models (loss flattens at E early); a Zipfian lexicon of thousands of words is too large for
 * our biggest model to memorise, yet every sentence is new (the stream is generated on the fly, so
 * no model can memorise the corpus itself: train and held-out text are disjoint draws).
 *
 * Tokens: letters are ids 0..alphabetSize-1 ('a', 'b', ...), the space is id alphabetSize, so
 * vocabSize = alphabetSize + 1. No other special tokens are needed.
 */
import { checkRange, frozen, withOverrides } from "../config";
import { deriveSeed, Rng } from "../rng";

/** The parameters of a {@link ZipfLanguage}. */
export interface ZipfLanguageConfig {
  /** Letters of the alphabet (2..26); vocabSize is this + 1 (the space). */
  readonly alphabetSize: number;
  /** Distinct words in the lexicon. */
  readonly lexiconSize: number;
  /** Zipf exponent s of word frequencies p_k ∝ (k + offset)^(-s); s - 1 sets the tail's heaviness. */
  readonly zipfExponent: number;
  /** Zipf–Mandelbrot offset (flattens the head of the distribution; 0 is pure Zipf). */
  readonly zipfOffset: number;
  /** Zipf exponent of letter frequencies inside words (0: uniform letters). */
  readonly letterExponent: number;
  /** Shortest word, in letters. */
  readonly minWordLength: number;
  /** Longest word, in letters. */
  readonly maxWordLength: number;
  /** Word classes of the word-level grammar (1 disables the grammar). */
  readonly numClasses: number;
  /** How many classes may follow each class (1..numClasses). */
  readonly classBranching: number;
}

/** A language of a few thousand words: large enough that no model in the t4 sweep memorises it. */
export const ZIPF_LANGUAGE_DEFAULTS: Readonly<ZipfLanguageConfig> = frozen({
  alphabetSize: 16,
  lexiconSize: 8192,
  zipfExponent: 1.3,
  zipfOffset: 2.7,
  letterExponent: 0.5,
  minWordLength: 2,
  maxWordLength: 8,
  numClasses: 8,
  classBranching: 3,
});

/** A word of the lexicon. */
export interface LexiconWord {
  /** 1-based frequency rank. */
  readonly rank: number;
  /** Letter ids. */
  readonly letters: ReadonlyArray<number>;
  readonly text: string;
  readonly cls: number;
  /** Marginal probability in the stationary text (per word). */
  readonly probability: number;
}

/** A held-out item for head-to-head comparison: a context and its true next word (with its space). */
export interface ContinuationItem {
  readonly prefix: number[];
  readonly continuation: number[];
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** Validate a language config; errors name the field. */
export function zipfLanguageConfig(partial: Partial<ZipfLanguageConfig> = {}): ZipfLanguageConfig {
  const c = withOverrides(ZIPF_LANGUAGE_DEFAULTS as ZipfLanguageConfig, partial, "ZipfLanguageConfig");
  checkRange("ZipfLanguageConfig.alphabetSize", c.alphabetSize, 2, 26, true);
  checkRange("ZipfLanguageConfig.lexiconSize", c.lexiconSize, 1, 1 << 20, true);
  checkRange("ZipfLanguageConfig.zipfExponent", c.zipfExponent, 0, 10);
  checkRange("ZipfLanguageConfig.zipfOffset", c.zipfOffset, 0, 1e6);
  checkRange("ZipfLanguageConfig.letterExponent", c.letterExponent, 0, 10);
  checkRange("ZipfLanguageConfig.minWordLength", c.minWordLength, 1, 64, true);
  checkRange("ZipfLanguageConfig.maxWordLength", c.maxWordLength, c.minWordLength, 64, true);
  checkRange("ZipfLanguageConfig.numClasses", c.numClasses, 1, 1024, true);
  checkRange("ZipfLanguageConfig.classBranching", c.classBranching, 1, c.numClasses, true);
  let capacity = 0;
  for (let len = c.minWordLength; len <= c.maxWordLength && capacity < 2 * c.lexiconSize; len++) capacity += Math.pow(c.alphabetSize, len);
  if (capacity < 2 * c.lexiconSize) {
    throw new Error(
      `ZipfLanguageConfig.lexiconSize: ${c.lexiconSize} words do not fit comfortably in ${capacity} possible strings of ` +
        `${c.minWordLength}..${c.maxWordLength} letters over ${c.alphabetSize} letters; raise maxWordLength or alphabetSize`,
    );
  }
  return c;
}

function cumulative(weights: ReadonlyArray<number>): Float64Array {
  const out = new Float64Array(weights.length);
  let s = 0;
  for (let i = 0; i < weights.length; i++) {
    s += weights[i];
    out[i] = s;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i] / s;
  return out;
}

/** Index i with cum[i-1] <= u < cum[i] (binary search); cum is normalised to end at 1. */
function searchCumulative(cum: Float64Array, u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u < cum[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * A seeded instance of the Zipfian character language. Same config and seed, same lexicon, grammar
 * and text. Sampling methods take the {@link Rng} to draw from, so train and held-out streams are
 * independent when given independent generators.
 */
export class ZipfLanguage {
  readonly config: ZipfLanguageConfig;
  readonly seed: number;
  /** Words by rank (index 0 is rank 1). */
  readonly lexicon: ReadonlyArray<LexiconWord>;
  /** Class transition matrix T[c][c'] (rows sum to 1). */
  readonly transitions: ReadonlyArray<ReadonlyArray<number>>;
  /** Stationary distribution of the class chain. */
  readonly classStationary: ReadonlyArray<number>;
  /** Word indices (rank - 1) of each class. */
  private classWords: number[][];
  /** Cumulative within-class word distribution per class. */
  private readonly classWordCum: Float64Array[];
  private readonly transitionCum: Float64Array[];
  private readonly stationaryCum: Float64Array;
  /** Within-class word probabilities per class (same order as classWords). */
  private readonly classWordProb: number[][];

  constructor(config: Partial<ZipfLanguageConfig>, seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`ZipfLanguage: seed must be an integer, got ${seed}`);
    const c = zipfLanguageConfig(config);
    this.config = c;
    this.seed = seed;
    const K = c.lexiconSize;
    const A = c.alphabetSize;
    const C = c.numClasses;

    // Letter frequencies: a mild Zipf law over a shuffled alphabet.
    const lrng = new Rng(deriveSeed(seed, "zipf-language", "letters"));
    const letterOrder = lrng.permutation(A);
    const letterWeights = new Array<number>(A).fill(0);
    letterOrder.forEach((letter, r) => (letterWeights[letter] = Math.pow(r + 1, -c.letterExponent)));
    const letterCum = cumulative(letterWeights);

    // Word lengths grow with log-rank (law of abbreviation), with ±1 jitter.
    const wrng = new Rng(deriveSeed(seed, "zipf-language", "words"));
    const span = c.maxWordLength - c.minWordLength;
    const seen = new Set<string>();
    const letters: number[][] = [];
    for (let k = 1; k <= K; k++) {
      const base = c.minWordLength + (span * Math.log(k)) / Math.log(Math.max(2, K));
      let len = Math.round(base + (wrng.int(3) - 1));
      len = Math.min(c.maxWordLength, Math.max(c.minWordLength, len));
      for (let attempt = 0; ; attempt++) {
        const w: number[] = [];
        for (let i = 0; i < len; i++) w.push(searchCumulative(letterCum, wrng.next()));
        const key = w.join(",");
        if (!seen.has(key)) {
          seen.add(key);
          letters.push(w);
          break;
        }
        // Short lengths run out of strings: try one letter longer.
        if (attempt % 20 === 19 && len < c.maxWordLength) len += 1;
        if (attempt > 100000) throw new Error(`ZipfLanguage: could not find ${K} distinct words; raise maxWordLength`);
      }
    }

    // Classes: ranks dealt to classes at random, so each class keeps a Zipfian head and tail.
    const crng = new Rng(deriveSeed(seed, "zipf-language", "classes"));
    const cls = Array.from({ length: K }, (_, i) => (i < C ? i : crng.int(C)));
    const zipf = Array.from({ length: K }, (_, i) => Math.pow(i + 1 + c.zipfOffset, -c.zipfExponent));
    this.classWords = Array.from({ length: C }, () => [] as number[]);
    for (let i = 0; i < K; i++) (this.classWords[cls[i]] as number[]).push(i);
    this.classWordProb = this.classWords.map((ws) => {
      const tot = ws.reduce((s, i) => s + zipf[i], 0);
      return ws.map((i) => zipf[i] / tot);
    });
    this.classWordCum = this.classWordProb.map((ps) => cumulative(ps));

    // Class grammar: each class is followed by `classBranching` classes with random weights.
    const grng = new Rng(deriveSeed(seed, "zipf-language", "grammar"));
    const T: number[][] = [];
    for (let a = 0; a < C; a++) {
      const row = new Array<number>(C).fill(0);
      const succ = grng.permutation(C).slice(0, c.classBranching);
      // Keep the chain irreducible: the next class in a cycle is always a possible successor.
      if (!succ.includes((a + 1) % C)) succ[succ.length - 1] = (a + 1) % C;
      for (const b of succ) row[b] = 0.2 + grng.next();
      const s = row.reduce((x, y) => x + y, 0);
      T.push(row.map((x) => x / s));
    }
    this.transitions = T;
    this.transitionCum = T.map((row) => cumulative(row));
    this.classStationary = stationary(T);
    this.stationaryCum = cumulative(this.classStationary);

    const wordProb = new Array<number>(K).fill(0);
    this.classWords.forEach((ws, ci) => ws.forEach((w, j) => (wordProb[w] = this.classStationary[ci] * (this.classWordProb[ci]?.[j] as number))));
    // The marginal frequency also depends on how often a word's class occurs: rank words by it.
    const order = Array.from({ length: K }, (_, i) => i).sort((i, j) => wordProb[j] - wordProb[i] || i - j);
    const newIndex = new Array<number>(K).fill(0);
    order.forEach((old, r) => (newIndex[old] = r));
    this.classWords = this.classWords.map((ws) => ws.map((w) => newIndex[w]));
    this.lexicon = order.map((i, r) => ({
      rank: r + 1,
      letters: letters[i] as number[],
      text: (letters[i] as number[]).map((x) => LETTERS[x]).join(""),
      cls: cls[i],
      probability: wordProb[i],
    }));
  }

  /** Token ids: letters 0..alphabetSize-1, space = alphabetSize. */
  get vocabSize(): number {
    return this.config.alphabetSize + 1;
  }

  /** The id of the word separator. */
  get spaceId(): number {
    return this.config.alphabetSize;
  }

  /** Draw the index of a word of class `c`. */
  private drawWord(rng: Rng, c: number): number {
    return (this.classWords[c] as number[])[searchCumulative(this.classWordCum[c] as Float64Array, rng.next())] as number;
  }

  /**
   * A stream of `count` word indices (rank - 1) starting from the stationary class distribution.
   */
  sampleWords(rng: Rng, count: number): number[] {
    const out: number[] = [];
    let c = searchCumulative(this.stationaryCum, rng.next());
    for (let i = 0; i < count; i++) {
      if (i > 0) c = searchCumulative(this.transitionCum[c] as Float64Array, rng.next());
      out.push(this.drawWord(rng, c));
    }
    return out;
  }

  /**
   * `length` tokens of running text that start at a random point inside a word (so no position of a
   * training window is special).
   */
  sampleTokens(rng: Rng, length: number): number[] {
    const out: number[] = [];
    let c = searchCumulative(this.stationaryCum, rng.next());
    let first = true;
    while (out.length < length) {
      if (!first) c = searchCumulative(this.transitionCum[c] as Float64Array, rng.next());
      const w = this.lexicon[this.drawWord(rng, c)] as LexiconWord;
      const toks = [...w.letters, this.spaceId];
      const start = first ? rng.int(toks.length) : 0;
      first = false;
      for (let i = start; i < toks.length && out.length < length; i++) out.push(toks[i] as number);
    }
    return out;
  }

  /** A batch sampler for the trainer: x = tokens[0..T-1], y = tokens[1..T] of fresh text. */
  batchSampler(seqLen: number): (rng: Rng, batchSize: number) => { x: number[][]; y: number[][] } {
    checkRange("ZipfLanguage.batchSampler seqLen", seqLen, 1, 1 << 16, true);
    return (rng, batchSize) => {
      const x: number[][] = [];
      const y: number[][] = [];
      for (let b = 0; b < batchSize; b++) {
        const t = this.sampleTokens(rng, seqLen + 1);
        x.push(t.slice(0, seqLen));
        y.push(t.slice(1));
      }
      return { x, y };
    };
  }

  /**
   * Held-out items for head-to-head comparisons: `contextLen` tokens of text ending with a space,
   * then the true next word and its space as the continuation. prefix + continuation has at most
   * contextLen + maxWordLength + 1 tokens.
   */
  continuationItems(rng: Rng, count: number, contextLen: number): ContinuationItem[] {
    checkRange("ZipfLanguage.continuationItems contextLen", contextLen, 1, 1 << 16, true);
    const items: ContinuationItem[] = [];
    for (let n = 0; n < count; n++) {
      // Enough words that the context is full, then one more word as the continuation.
      const words = this.sampleWords(rng, Math.ceil(contextLen / (this.config.minWordLength + 1)) + 2);
      const toks: number[] = [];
      for (const w of words.slice(0, -1)) toks.push(...(this.lexicon[w] as LexiconWord).letters, this.spaceId);
      const last = this.lexicon[words[words.length - 1]] as LexiconWord;
      items.push({ prefix: toks.slice(toks.length - contextLen), continuation: [...last.letters, this.spaceId] });
    }
    return items;
  }

  /**
   * Exact log-probability (nats) of a word stream (word indices, as {@link sampleWords} returns), the
   * first word drawn from the stationary class distribution: for checking the entropy rate.
   */
  wordsLogProb(words: ReadonlyArray<number>): number {
    let lp = 0;
    let prev = -1;
    for (const w of words) {
      const word = this.lexicon[w];
      if (word === undefined) throw new Error(`ZipfLanguage.wordsLogProb: word index ${w} is outside the lexicon (0..${this.lexicon.length - 1})`);
      const c = word.cls;
      const pc = prev < 0 ? (this.classStationary[c] as number) : ((this.transitions[prev] as number[])[c] as number);
      const j = (this.classWords[c] as number[]).indexOf(w);
      lp += Math.log(pc) + Math.log((this.classWordProb[c] as number[])[j] as number);
      prev = c;
    }
    return lp;
  }

  /** Ids to text ('_' marks the space so word boundaries stay visible in tables). */
  decode(ids: ReadonlyArray<number>, space = " "): string {
    return ids.map((i) => (i === this.spaceId ? space : i >= 0 && i < this.config.alphabetSize ? LETTERS[i] : "?")).join("");
  }

  /** Text to ids (letters of the alphabet and spaces only). */
  encode(text: string): number[] {
    return [...text].map((ch, i) => {
      if (ch === " ") return this.spaceId;
      const id = LETTERS.indexOf(ch);
      if (id < 0 || id >= this.config.alphabetSize) throw new Error(`ZipfLanguage.encode: character "${ch}" at ${i} is not in the ${this.config.alphabetSize}-letter alphabet`);
      return id;
    });
  }

  /** Mean tokens per word (letters + the space) in stationary text. */
  meanTokensPerWord(): number {
    let s = 0;
    for (const w of this.lexicon) s += w.probability * (w.letters.length + 1);
    return s;
  }

  /**
   * The source's entropy rate in nats per token: the loss of the best possible predictor with
   * unlimited context, i.e. the irreducible term E of a scaling law. Per word it is
   * Σ_c π_c Σ_c' T[c][c'] (−log T[c][c'] + H(word | c')); spelling and spaces are deterministic given
   * the words, so per token it is that divided by the mean tokens per word.
   */
  entropyRate(): number {
    const C = this.config.numClasses;
    const hWord = this.classWordProb.map((ps) => ps.reduce((s, p) => (p > 0 ? s - p * Math.log(p) : s), 0));
    let perWord = 0;
    for (let a = 0; a < C; a++) {
      for (let b = 0; b < C; b++) {
        const t = (this.transitions[a] as number[])[b] as number;
        if (t > 0) perWord += this.classStationary[a] * t * (-Math.log(t) + hWord[b]);
      }
    }
    return perWord / this.meanTokensPerWord();
  }

  /** Unigram entropy of tokens (nats): the loss of a model that ignores context entirely. */
  unigramEntropy(): number {
    const counts = new Array<number>(this.vocabSize).fill(0);
    for (const w of this.lexicon) {
      for (const l of w.letters) counts[l] = counts[l] + w.probability;
      counts[this.spaceId] = counts[this.spaceId] + w.probability;
    }
    const tot = counts.reduce((a, b) => a + b, 0);
    return counts.reduce((s, c) => (c > 0 ? s - (c / tot) * Math.log(c / tot) : s), 0);
  }

  /** Probability mass (per word) of the words ranked below `rank` (the tail a model has not learnt). */
  tailMass(rank: number): number {
    let s = 0;
    for (const w of this.lexicon) if (w.rank > rank) s += w.probability;
    return s;
  }
}

/** Stationary distribution of a row-stochastic matrix by power iteration (the chain is irreducible). */
export function stationary(T: ReadonlyArray<ReadonlyArray<number>>): number[] {
  const n = T.length;
  let p = new Array<number>(n).fill(1 / n);
  for (let it = 0; it < 10000; it++) {
    const q = new Array<number>(n).fill(0);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) q[b] = (q[b] as number) + (p[a] as number) * ((T[a] as number[])[b] as number);
    // Lazy step (average with the previous) so periodic chains converge too.
    const r = q.map((x, i) => 0.5 * x + 0.5 * p[i]);
    let diff = 0;
    for (let i = 0; i < n; i++) diff += Math.abs(r[i] - p[i]);
    p = r;
    if (diff < 1e-14) break;
  }
  const s = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / s);
}
