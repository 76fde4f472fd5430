/**
 * Character-level and word-level tokenizers with special tokens, built from a corpus and saved with
 * the model (as JSON).
 *
 * Ids: the special tokens come first, in a fixed order (`<pad>` 0, `<bos>` 1, `<eos>` 2, `<sep>` 3,
 * then `<unk>` when enabled, then any extra specials), followed by the corpus symbols sorted by code
 * unit, so the same corpus always gives the same ids. Special tokens written literally in the text
 * (e.g. "abc<sep>cba") are recognised by `encode`. A symbol not in the vocabulary is an error naming
 * it, unless the tokenizer was built with `unk: true`, in which case it maps to `<unk>`.
 */

const PAD = "<pad>";
const BOS = "<bos>";
const EOS = "<eos>";
const SEP = "<sep>";
const UNK = "<unk>";

/** The built-in special tokens (ids: pad 0, bos 1, eos 2, sep 3, then unk when enabled). */
export const SPECIAL_TOKENS = { pad: PAD, bos: BOS, eos: EOS, sep: SEP, unk: UNK } as const;

/** Options for building a tokenizer from a corpus. */
export interface TokenizerOptions {
  /** Map unknown symbols to `<unk>` instead of throwing (default false). */
  readonly unk?: boolean;
  /** Extra special tokens (e.g. "<think>", "<ans>"), kept whole by encode. */
  readonly specials?: ReadonlyArray<string>;
}

/** Word tokenizer option: lowercase the text before splitting. */
export interface WordTokenizerOptions extends TokenizerOptions {
  readonly lowercase?: boolean;
}

/** The JSON form saved with a model. */
export interface TokenizerJSON {
  readonly type: "char" | "word";
  readonly vocab: ReadonlyArray<string>;
  readonly specials: ReadonlyArray<string>;
  readonly unk: boolean;
  readonly lowercase?: boolean;
}

/** What every tokenizer offers. */
export interface Tokenizer {
  readonly type: "char" | "word";
  readonly vocabSize: number;
  /** Every token, by id. */
  readonly vocab: ReadonlyArray<string>;
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly sepId: number;
  /** Id of `<unk>`, or -1 when unknown symbols are errors. */
  readonly unkId: number;
  encode(text: string): number[];
  decode(ids: ReadonlyArray<number>): string;
  /** Id of a token (a symbol or a special); throws when unknown. */
  id(token: string): number;
  /** Token of an id; throws when out of range. */
  token(id: number): string;
  isSpecial(id: number): boolean;
  toJSON(): TokenizerJSON;
}

function specialList(opts: TokenizerOptions): string[] {
  const list = [PAD, BOS, EOS, SEP];
  if (opts.unk) list.push(UNK);
  for (const s of opts.specials ?? []) {
    if (s.length === 0) throw new Error("tokenizer specials: a special token must not be empty");
    if (!list.includes(s)) list.push(s);
  }
  return list;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

abstract class BaseTokenizer implements Tokenizer {
  abstract readonly type: "char" | "word";
  readonly vocab: ReadonlyArray<string>;
  readonly specials: ReadonlyArray<string>;
  readonly padId = 0;
  readonly bosId = 1;
  readonly eosId = 2;
  readonly sepId = 3;
  readonly unkId: number;
  protected readonly ids: Map<string, number>;
  /** Specials sorted longest first, for greedy matching inside text. */
  private readonly specialsByLength: string[];

  protected constructor(vocab: ReadonlyArray<string>, specials: ReadonlyArray<string>, unk: boolean) {
    this.vocab = vocab;
    this.specials = specials;
    this.ids = new Map();
    vocab.forEach((t, i) => {
      if (this.ids.has(t)) throw new Error(`tokenizer vocab: token ${JSON.stringify(t)} appears twice`);
      this.ids.set(t, i);
    });
    for (let i = 0; i < 4; i++) {
      if (vocab[i] !== [PAD, BOS, EOS, SEP][i])
        throw new Error(`tokenizer vocab: id ${i} must be ${[PAD, BOS, EOS, SEP][i]}, got ${JSON.stringify(vocab[i])}`);
    }
    this.unkId = unk ? (this.ids.get(UNK) ?? -1) : -1;
    if (unk && this.unkId < 0) throw new Error(`tokenizer vocab: unk is enabled but ${UNK} is not in the vocabulary`);
    this.specialsByLength = [...specials].sort((a, b) => b.length - a.length);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  id(token: string): number {
    const i = this.ids.get(token);
    if (i === undefined)
      throw new Error(`tokenizer: unknown token ${JSON.stringify(token)} (vocabulary of ${this.vocabSize})`);
    return i;
  }

  token(id: number): string {
    const t = this.vocab[id];
    if (!Number.isInteger(id) || t === undefined)
      throw new Error(`tokenizer: id ${id} is outside [0, ${this.vocabSize})`);
    return t;
  }

  isSpecial(id: number): boolean {
    return id >= 0 && id < this.specials.length;
  }

  /** Id of a symbol from the text: its id, `<unk>`, or an error naming it and where it was. */
  protected symbolId(sym: string, at: number): number {
    const i = this.ids.get(sym);
    if (i !== undefined) return i;
    if (this.unkId >= 0) return this.unkId;
    throw new Error(
      `tokenizer.encode: unknown ${this.type === "char" ? "character" : "word"} ${JSON.stringify(sym)} at position ${at}; build the vocabulary from a corpus that contains it, or build with {unk: true}`,
    );
  }

  /** Split text into plain segments and special tokens. */
  protected segments(text: string): Array<{ special: boolean; text: string; at: number }> {
    const out: Array<{ special: boolean; text: string; at: number }> = [];
    let plainStart = 0;
    let i = 0;
    while (i < text.length) {
      let matched: string | undefined;
      if (text[i] === "<")
        for (const s of this.specialsByLength)
          if (text.startsWith(s, i)) {
            matched = s;
            break;
          }
      if (matched === undefined) {
        i++;
        continue;
      }
      if (i > plainStart) out.push({ special: false, text: text.slice(plainStart, i), at: plainStart });
      out.push({ special: true, text: matched, at: i });
      i += matched.length;
      plainStart = i;
    }
    if (plainStart < text.length) out.push({ special: false, text: text.slice(plainStart), at: plainStart });
    return out;
  }

  abstract encode(text: string): number[];
  abstract decode(ids: ReadonlyArray<number>): string;

  toJSON(): TokenizerJSON {
    return { type: this.type, vocab: [...this.vocab], specials: [...this.specials], unk: this.unkId >= 0 };
  }
}

/** One token per character (UTF-16 code unit). */
export class CharTokenizer extends BaseTokenizer {
  readonly type = "char" as const;

  /** Use {@link CharTokenizer.fromCorpus} or {@link CharTokenizer.fromJSON}. */
  constructor(vocab: ReadonlyArray<string>, specials: ReadonlyArray<string>, unk: boolean) {
    super(vocab, specials, unk);
  }

  /** Build the vocabulary from every character of the corpus. */
  static fromCorpus(corpus: string | ReadonlyArray<string>, opts: TokenizerOptions = {}): CharTokenizer {
    const specials = specialList(opts);
    const chars = new Set<string>();
    const tmp = new CharTokenizer(specials, specials, false);
    for (const text of typeof corpus === "string" ? [corpus] : corpus) {
      for (const seg of tmp.segments(text))
        if (!seg.special) for (let k = 0; k < seg.text.length; k++) chars.add(seg.text[k] as string);
    }
    return new CharTokenizer([...specials, ...[...chars].sort(cmp)], specials, !!opts.unk);
  }

  /** Build from an explicit alphabet (e.g. "0123456789+="). */
  static fromAlphabet(alphabet: string | ReadonlyArray<string>, opts: TokenizerOptions = {}): CharTokenizer {
    return CharTokenizer.fromCorpus(typeof alphabet === "string" ? alphabet : alphabet.join(""), opts);
  }

  static fromJSON(json: TokenizerJSON): CharTokenizer {
    if (json.type !== "char") throw new Error(`CharTokenizer.fromJSON: type is "${json.type}", expected "char"`);
    return new CharTokenizer(json.vocab, json.specials, json.unk);
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const seg of this.segments(text)) {
      if (seg.special) out.push(this.id(seg.text));
      else for (let k = 0; k < seg.text.length; k++) out.push(this.symbolId(seg.text[k] as string, seg.at + k));
    }
    return out;
  }

  /** Concatenate the tokens; specials are written literally ("<sep>"). */
  decode(ids: ReadonlyArray<number>): string {
    return ids.map((i) => this.token(i)).join("");
  }
}

/** Words: runs of letters/digits/underscore, and each punctuation mark on its own. */
const WORD_RE = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

/** One token per word or punctuation mark; whitespace separates and is not kept. */
export class WordTokenizer extends BaseTokenizer {
  readonly type = "word" as const;
  readonly lowercase: boolean;

  constructor(vocab: ReadonlyArray<string>, specials: ReadonlyArray<string>, unk: boolean, lowercase = false) {
    super(vocab, specials, unk);
    this.lowercase = lowercase;
  }

  /** Split text into words (no vocabulary needed). */
  static split(text: string, lowercase = false): string[] {
    return (lowercase ? text.toLowerCase() : text).match(WORD_RE) ?? [];
  }

  static fromCorpus(corpus: string | ReadonlyArray<string>, opts: WordTokenizerOptions = {}): WordTokenizer {
    const specials = specialList(opts);
    const tmp = new WordTokenizer([...specials], specials, !!opts.unk, !!opts.lowercase);
    const words = new Set<string>();
    for (const text of typeof corpus === "string" ? [corpus] : corpus) {
      for (const seg of tmp.segments(text))
        if (!seg.special) for (const w of WordTokenizer.split(seg.text, !!opts.lowercase)) words.add(w);
    }
    for (const s of specials) words.delete(s);
    return new WordTokenizer([...specials, ...[...words].sort(cmp)], specials, !!opts.unk, !!opts.lowercase);
  }

  static fromJSON(json: TokenizerJSON): WordTokenizer {
    if (json.type !== "word") throw new Error(`WordTokenizer.fromJSON: type is "${json.type}", expected "word"`);
    return new WordTokenizer(json.vocab, json.specials, json.unk, !!json.lowercase);
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const seg of this.segments(text)) {
      if (seg.special) {
        out.push(this.id(seg.text));
        continue;
      }
      const src = this.lowercase ? seg.text.toLowerCase() : seg.text;
      WORD_RE.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = WORD_RE.exec(src)) !== null) out.push(this.symbolId(m[0], seg.at + m.index));
    }
    return out;
  }

  /** Tokens joined by single spaces (so encode(decode(ids)) gives ids back). */
  decode(ids: ReadonlyArray<number>): string {
    return ids.map((i) => this.token(i)).join(" ");
  }

  override toJSON(): TokenizerJSON {
    return { ...super.toJSON(), lowercase: this.lowercase };
  }
}

/** Rebuild a tokenizer saved with toJSON (either type); errors name what is malformed. */
export function tokenizerFromJSON(json: unknown): CharTokenizer | WordTokenizer {
  const j = json as Partial<TokenizerJSON> | null;
  if (typeof j !== "object" || j === null) throw new Error("tokenizerFromJSON: expected an object");
  if (!Array.isArray(j.vocab) || !j.vocab.every((t) => typeof t === "string"))
    throw new Error('tokenizerFromJSON: field "vocab" must be an array of strings');
  if (!Array.isArray(j.specials)) throw new Error('tokenizerFromJSON: field "specials" must be an array of strings');
  if (typeof j.unk !== "boolean") throw new Error('tokenizerFromJSON: field "unk" must be a boolean');
  if (j.type === "char") return CharTokenizer.fromJSON(j as TokenizerJSON);
  if (j.type === "word") return WordTokenizer.fromJSON(j as TokenizerJSON);
  throw new Error(`tokenizerFromJSON: field "type" must be "char" or "word", got ${JSON.stringify(j.type)}`);
}
