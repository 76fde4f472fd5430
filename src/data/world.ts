/**
 * A synthetic world of invented people for takeaway 1 (Gros 2025, §2: "world modelling is not
 * enough"): entities with invented names (so no prior knowledge can help), a few attributes each, the
 * pretraining corpora that state their facts as text, and question/answer data for supervised
 * fine-tuning (SFT) on a training subset of the entities.
 *
 * Two pretraining corpora, after Allen-Zhu & Li, "Physics of Language Models: Part 3.1, Knowledge
 * Storage and Extraction" (arXiv:2309.14316):
 * - **augmented**: every biography is drawn afresh, with a random paraphrase template per fact, the
 *   facts in random order and the name repeated in every sentence (their "multi + permute + fullname");
 * - **plain**: one fixed biography per person (first template, fixed order), the name said once and
 *   then a pronoun (their "bioS single").
 *
 * Attribute values are assigned so that every value occurs equally often (±1) among the training
 * entities and, separately, among the held-out entities: a model that does not know a held-out person
 * scores exactly chance with any constant guess, so "chance" is 1 / valuesPerAttribute.
 *
 * Everything here is words (string[]); the experiment maps words to token ids with a WordTokenizer
 * built from {@link worldVocabulary}. Values are single words; names are one word (`nameParts: 1`) or a
 * first and a last name (`nameParts: 2`), each part shared by several people, so that a person is
 * identified only by the pair and their knowledge must be bound across two tokens (Allen-Zhu & Li's
 * bioS). Token data (rows, packed pretraining rows, Q/A rows, few-shot prompts) is at the end.
 */
import { checkRange } from "../config";
import { Rng } from "../rng";
import { Tokenizer,WordTokenizer } from "../tokenizer";
import { BatchSampler } from "../train";

/** The size and split of a world. */
export interface WorldConfig {
  /** Number of people (entities). */
  readonly numEntities: number;
  /** Attributes per person: the first k of {@link ATTRIBUTES} (1..4). */
  readonly numAttributes: number;
  /** Possible values per attribute (2..10); chance accuracy is 1 / valuesPerAttribute. */
  readonly valuesPerAttribute: number;
  /** Fraction of the people whose Q/A pairs are held out of SFT (their facts are still in pretraining). */
  readonly heldOutFraction: number;
  /** Words per name: 1 (one token per person) or 2 (first + last name, each shared by several people). */
  readonly nameParts: number;
}

export const WORLD_DEFAULTS: Readonly<WorldConfig> = Object.freeze({
  numEntities: 120,
  numAttributes: 4,
  valuesPerAttribute: 8,
  heldOutFraction: 0.5,
  nameParts: 1,
});

/** One kind of fact about a person. `{N}` is the name, `{V}` the value in templates. */
export interface Attribute {
  readonly name: string;
  /** All values this attribute can take (a world uses the first valuesPerAttribute). */
  readonly pool: ReadonlyArray<string>;
  /** Paraphrase templates; the first is the one the plain corpus uses. */
  readonly templates: ReadonlyArray<string>;
  /** The plain corpus's sentence for the later facts, with a pronoun instead of the name. */
  readonly pronounTemplate: string;
  /** The SFT question (without "Q :" / "A :"). */
  readonly question: string;
}

/** The attributes, in the plain corpus's fixed order. Values are distinct across attributes. */
export const ATTRIBUTES: ReadonlyArray<Attribute> = Object.freeze([
  {
    name: "city",
    pool: ["Tovin", "Marsk", "Quellby", "Darrow", "Ostrel", "Vennick", "Halbury", "Sorin", "Pelgrave", "Ulmar"],
    templates: ["{N} lives in {V} .", "{N} is from {V} .", "the home of {N} is {V} ."],
    pronounTemplate: "she lives in {V} .",
    question: "where does {N} live ?",
  },
  {
    name: "job",
    pool: ["baker", "nurse", "pilot", "farmer", "tailor", "miner", "painter", "judge", "sailor", "potter"],
    templates: ["{N} works as a {V} .", "{N} is a {V} .", "the job of {N} is {V} ."],
    pronounTemplate: "she works as a {V} .",
    question: "what is the job of {N} ?",
  },
  {
    name: "food",
    pool: ["soup", "rice", "plums", "cheese", "bread", "figs", "beans", "honey", "fish", "olives"],
    templates: ["{N} likes to eat {V} .", "{N} eats {V} .", "the food of {N} is {V} ."],
    pronounTemplate: "she likes to eat {V} .",
    question: "what does {N} like to eat ?",
  },
  {
    name: "decade",
    pool: ["1920s", "1930s", "1940s", "1950s", "1960s", "1970s", "1980s", "1990s", "2000s", "2010s"],
    templates: ["{N} was born in the {V} .", "{N} dates from the {V} .", "the birth of {N} was in the {V} ."],
    pronounTemplate: "she was born in the {V} .",
    question: "when was {N} born ?",
  },
]);

/** A person: name words, one value index per attribute, and whether their Q/A pairs are held out. */
export interface Entity {
  readonly id: number;
  readonly name: ReadonlyArray<string>;
  /** values[a] indexes attribute a's pool. */
  readonly values: ReadonlyArray<number>;
  readonly heldOut: boolean;
}

/** A generated world. */
export interface World {
  readonly config: WorldConfig;
  readonly attributes: ReadonlyArray<Attribute>;
  readonly entities: ReadonlyArray<Entity>;
  /** Ids of the entities whose Q/A pairs are in SFT. */
  readonly trainIds: ReadonlyArray<number>;
  /** Ids of the entities whose Q/A pairs are only used for evaluation. */
  readonly heldOutIds: ReadonlyArray<number>;
}

/** The corpus style: see the module comment. */
export type CorpusStyle = "augmented" | "plain";

/** Validate a world config; errors name the field and the allowed range. */
export function validateWorldConfig(c: WorldConfig): void {
  checkRange("WorldConfig.numEntities", c.numEntities, 4, 5000, true);
  checkRange("WorldConfig.numAttributes", c.numAttributes, 1, ATTRIBUTES.length, true);
  checkRange("WorldConfig.valuesPerAttribute", c.valuesPerAttribute, 2, Math.min(...ATTRIBUTES.map((a) => a.pool.length)), true);
  checkRange("WorldConfig.heldOutFraction", c.heldOutFraction, 0.05, 0.95);
  checkRange("WorldConfig.nameParts", c.nameParts, 1, 2, true);
  const held = Math.round(c.numEntities * c.heldOutFraction);
  if (held < 1 || held >= c.numEntities) {
    throw new Error(`WorldConfig.heldOutFraction: ${c.heldOutFraction} of ${c.numEntities} entities leaves no training or no held-out entity; use a value in (0, 1) with numEntities larger`);
  }
}

const ONSETS = ["b", "br", "d", "dr", "f", "g", "gr", "k", "kr", "l", "m", "n", "p", "r", "s", "t", "tr", "v", "z", "sh"];
const VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"];
const CODAS = ["", "", "", "n", "l", "r", "s", "x"];

/** An invented capitalised name of 2-3 syllables, e.g. "Brolimun". */
function inventName(rng: Rng): string {
  const syllables = 2 + rng.int(2);
  let s = "";
  for (let i = 0; i < syllables; i++) s += rng.choice(ONSETS) + rng.choice(VOWELS);
  s += rng.choice(CODAS);
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `n` distinct invented names that clash with no other word of the world. */
function inventNames(n: number, rng: Rng, taken: Set<string>): string[] {
  const out: string[] = [];
  let tries = 0;
  while (out.length < n) {
    if (++tries > 100 * n + 1000) throw new Error(`world: could not invent ${n} distinct names`);
    const name = inventName(rng);
    if (taken.has(name) || taken.has(name.toLowerCase())) continue;
    taken.add(name);
    out.push(name);
  }
  return out;
}

/** Every template and question word (not names, not values). */
function fixedWords(): Set<string> {
  const words = new Set<string>(["Q", "A", ":"]);
  for (const a of ATTRIBUTES) {
    for (const t of [...a.templates, a.pronounTemplate, a.question]) for (const w of t.split(" ")) if (w !== "{N}" && w !== "{V}") words.add(w);
    for (const v of a.pool) words.add(v);
  }
  return words;
}

/** Values 0..K-1 repeated to length n (balanced to ±1), shuffled. */
function balancedValues(n: number, K: number, rng: Rng): number[] {
  const vals = Array.from({ length: n }, (_, i) => i % K);
  return rng.shuffle(vals);
}

/**
 * Generate a world from a seed: names, attribute values (balanced within the train and within the
 * held-out entities, independent across attributes) and the split. Same seed, same world.
 */
export function createWorld(config: WorldConfig, seed: number): World {
  validateWorldConfig(config);
  const rng = new Rng(seed);
  const { numEntities: n, numAttributes, valuesPerAttribute: K, nameParts } = config;
  const attributes = ATTRIBUTES.slice(0, numAttributes);
  const taken = fixedWords();
  // Names: one invented word each, or distinct (first, last) pairs from two pools.
  let names: string[][];
  if (nameParts === 1) {
    names = inventNames(n, rng.fork("names"), taken).map((w) => [w]);
  } else {
    const poolSize = Math.max(2, Math.ceil(Math.sqrt(2 * n)));
    const nameRng = rng.fork("names");
    const firsts = inventNames(poolSize, nameRng, taken);
    const lasts = inventNames(poolSize, nameRng, taken);
    const pairs = rng.fork("pairs").permutation(poolSize * poolSize).slice(0, n);
    names = pairs.map((p) => [firsts[Math.floor(p / poolSize)] as string, lasts[p % poolSize] as string]);
  }
  const numHeld = Math.round(n * config.heldOutFraction);
  const order = rng.fork("split").permutation(n);
  const heldSet = new Set(order.slice(0, numHeld));
  const trainIds = [...Array(n).keys()].filter((i) => !heldSet.has(i));
  const heldOutIds = [...Array(n).keys()].filter((i) => heldSet.has(i));
  const values: number[][] = Array.from({ length: n }, () => new Array<number>(numAttributes).fill(0));
  attributes.forEach((_, a) => {
    for (const [label, ids] of [["train", trainIds], ["held", heldOutIds]] as const) {
      const v = balancedValues(ids.length, K, rng.fork("values", a, label));
      ids.forEach((id, k) => ((values[id] as number[])[a] = v[k] as number));
    }
  });
  const entities: Entity[] = names.map((name, id) => ({ id, name, values: values[id] as number[], heldOut: heldSet.has(id) }));
  return { config: { ...config }, attributes, entities, trainIds, heldOutIds };
}

/** The value word of attribute `a` of entity `e`. */
export function valueWord(world: World, e: Entity, a: number): string {
  return (world.attributes[a] as Attribute).pool[e.values[a]] as string;
}

/** The value words attribute `a` can take in this world. */
export function attributeValues(world: World, a: number): string[] {
  return (world.attributes[a] as Attribute).pool.slice(0, world.config.valuesPerAttribute);
}

function fill(template: string, name: ReadonlyArray<string>, value: string): string[] {
  const out: string[] = [];
  for (const w of template.split(" ")) {
    if (w === "{N}") out.push(...name);
    else if (w === "{V}") out.push(value);
    else out.push(w);
  }
  return out;
}

/**
 * One biography of an entity as words (no <bos>/<eos>). `augmented`: a random template per fact,
 * random fact order, the name in every sentence (uses `rng`). `plain`: the first template for the
 * first fact, then the pronoun sentence, in the fixed order (deterministic; `rng` unused).
 */
export function biography(world: World, e: Entity, style: CorpusStyle, rng?: Rng): string[] {
  const A = world.attributes.length;
  if (style === "plain") {
    const out: string[] = [];
    for (let a = 0; a < A; a++) {
      const attr = world.attributes[a] as Attribute;
      out.push(...fill(a === 0 ? (attr.templates[0] as string) : attr.pronounTemplate, e.name, valueWord(world, e, a)));
    }
    return out;
  }
  if (rng === undefined) throw new Error("biography: the augmented style needs an rng (templates and order are random)");
  const order = rng.permutation(A);
  const out: string[] = [];
  for (const a of order) {
    const attr = world.attributes[a] as Attribute;
    out.push(...fill(rng.choice(attr.templates), e.name, valueWord(world, e, a)));
  }
  return out;
}

/**
 * Fill-in-the-value prompts for attribute `a` of entity `e`, as (prefix, value) pairs: in the
 * `augmented` style one per template (the sentence cut before the value); in the `plain` style the
 * one fixed biography cut before the value (the model's own training text). Used to score a model's
 * knowledge of held-out facts as next-token prediction.
 */
export function factPrompts(world: World, e: Entity, a: number, style: CorpusStyle = "augmented"): Array<{ prefix: string[]; value: string }> {
  const attr = world.attributes[a] as Attribute;
  const value = valueWord(world, e, a);
  if (style === "plain") {
    const bio = biography(world, e, "plain");
    return [{ prefix: bio.slice(0, bio.indexOf(value)), value }];
  }
  return attr.templates.map((t) => {
    const words = fill(t, e.name, value);
    return { prefix: words.slice(0, words.indexOf(value)), value };
  });
}

/** The SFT question for attribute `a` of entity `e`: "Q : <question> A :" as words. */
export function questionWords(world: World, e: Entity, a: number): string[] {
  return ["Q", ":", ...fill((world.attributes[a] as Attribute).question, e.name, ""), "A", ":"].filter((w) => w !== "");
}

/** One Q/A item: the entity, attribute, question words and answer word. */
export interface QAItem {
  readonly entity: number;
  readonly attribute: number;
  readonly question: ReadonlyArray<string>;
  readonly answer: string;
}

/** Every (entity, attribute) question of the given entities. */
export function qaItems(world: World, ids: ReadonlyArray<number>): QAItem[] {
  const out: QAItem[] = [];
  for (const id of ids) {
    const e = world.entities[id] as Entity;
    for (let a = 0; a < world.attributes.length; a++) out.push({ entity: id, attribute: a, question: questionWords(world, e, a), answer: valueWord(world, e, a) });
  }
  return out;
}

/**
 * Every word the world's texts can use (names, values, template and question words), for building a
 * word tokenizer: `WordTokenizer.fromCorpus(worldVocabulary(world).join(" "))`.
 */
export function worldVocabulary(world: World): string[] {
  const words = new Set<string>(fixedWords());
  for (const e of world.entities) for (const w of e.name) words.add(w);
  return [...words].sort();
}

/** The longest biography (in words) this world can produce, for sizing the context. */
export function maxBiographyWords(world: World): number {
  let nameLen = 0;
  for (const e of world.entities) nameLen = Math.max(nameLen, e.name.length);
  let n = 0;
  for (const attr of world.attributes) {
    const lens = [...attr.templates, attr.pronounTemplate].map((t) => t.split(" ").reduce((s, w) => s + (w === "{N}" ? nameLen : 1), 0));
    n += Math.max(...lens);
  }
  return n;
}

/** The longest question + answer (in words). */
export function maxQAWords(world: World): number {
  let nameLen = 0;
  for (const e of world.entities) nameLen = Math.max(nameLen, e.name.length);
  return Math.max(...world.attributes.map((a) => 4 + a.question.split(" ").reduce((s, w) => s + (w === "{N}" ? nameLen : 1), 0) + 1));
}

// ---------------------------------------------------------------------------------------------
// Token data

/** A world with its tokenizer and the token ids the evaluation needs. */
export interface WorldData {
  readonly world: World;
  readonly tok: Tokenizer;
  /**
   * Context length of the model (x = row[0..T), y = row[1..T]): long enough for the longest biography
   * and for `contextDocs` question/answer documents in a row (few-shot prompts). Pretraining rows are
   * packed with whole biographies up to this length, so the base model has seen documents follow one
   * another in its context, as a few-shot prompt has them.
   */
  readonly seqLen: number;
  /** Length of a single Q/A row (SFT rows are padded to this, not to seqLen). */
  readonly qaLen: number;
  /** Token ids of attribute a's values. */
  readonly valueIds: ReadonlyArray<ReadonlyArray<number>>;
  /** Every value id (all attributes). */
  readonly allValueIds: ReadonlySet<number>;
  /** Tokens that may end an answer: <eos> (a Q/A document's end) and "." (a sentence's end). */
  readonly terminatorIds: ReadonlySet<number>;
  readonly trainQA: ReadonlyArray<QAItem>;
  readonly heldOutQA: ReadonlyArray<QAItem>;
}

/** Options of {@link makeWorldData}. */
export interface WorldDataOptions {
  /** Q/A documents ([<bos> ... <eos>]) the context must hold one after another (few-shot k + 1); default 1. */
  readonly contextDocs?: number;
}

/** Build the world of one run and its word tokenizer. */
export function makeWorldData(config: WorldConfig, seed: number, opts: WorldDataOptions = {}): WorldData {
  const world = createWorld(config, seed);
  const tok = WordTokenizer.fromCorpus(worldVocabulary(world).join(" "));
  const qaDocLen = maxQAWords(world) + 2; // <bos> words <eos>
  const contextDocs = Math.max(1, Math.round(opts.contextDocs ?? 1));
  const seqLen = Math.max(maxBiographyWords(world) + 2, contextDocs * qaDocLen) - 1;
  const valueIds = world.attributes.map((_, a) => attributeValues(world, a).map((v) => tok.id(v)));
  return {
    world,
    tok,
    seqLen,
    qaLen: qaDocLen - 1,
    valueIds,
    allValueIds: new Set(valueIds.flat()),
    terminatorIds: new Set([tok.eosId, tok.id(".")]),
    trainQA: qaItems(world, world.trainIds),
    heldOutQA: qaItems(world, world.heldOutIds),
  };
}

export function ids(tok: Tokenizer, words: ReadonlyArray<string>): number[] {
  return words.map((w) => tok.id(w));
}

/** A document as token ids and the index of its first loss-bearing token (targets from there on count). */
export interface Doc {
  readonly doc: number[];
  readonly lossFrom: number;
  /** Count only targets in this set (e.g. the attribute values for a "fact loss"). */
  readonly only?: ReadonlySet<number>;
}

/**
 * One training row from documents laid one after another ([<bos>, ..., <eos>][<bos>, ..., <eos>]...):
 * x, y shifted by one, padded to T; the mask counts each document's targets from its `lossFrom` on (and
 * never the step from one document's <eos> to the next's <bos>).
 */
export function packedRow(docs: ReadonlyArray<Doc>, T: number, padId: number): { x: number[]; y: number[]; mask: number[] } {
  const x = new Array<number>(T).fill(padId);
  const y = new Array<number>(T).fill(padId);
  const mask = new Array<number>(T).fill(0);
  let at = 0;
  for (const { doc, lossFrom, only } of docs) {
    if (at + doc.length > T + 1) throw new Error(`t1: documents of ${at + doc.length} tokens do not fit seqLen ${T}`);
    for (let t = 0; t < doc.length; t++) {
      if (at + t < T) x[at + t] = doc[t] as number;
      if (t + 1 < doc.length) {
        y[at + t] = doc[t + 1] as number;
        // Position at + t predicts doc[t + 1]: counted from the first loss-bearing target on.
        mask[at + t] = t + 1 >= lossFrom && (only === undefined || only.has(doc[t + 1] as number)) ? 1 : 0;
      }
    }
    at += doc.length;
  }
  return { x, y, mask };
}

/** One training row from a document [<bos>, ..., <eos>]: x, y shifted, padded to T; mask from `lossFrom`. */
export function row(doc: number[], T: number, lossFrom: number, padId: number, only?: ReadonlySet<number>): { x: number[]; y: number[]; mask: number[] } {
  if (doc.length > T + 1) throw new Error(`t1: document of ${doc.length} tokens does not fit seqLen ${T}`);
  return packedRow([{ doc, lossFrom, ...(only ? { only } : {}) }], T, padId);
}

/** A biography document as token ids, with <bos> and <eos>. */
export function bioDoc(d: WorldData, e: Entity, style: CorpusStyle, rng: Rng): number[] {
  return [d.tok.bosId, ...ids(d.tok, biography(d.world, e, style, rng)), d.tok.eosId];
}

/** A Q/A document [<bos>, Q, :, ..., A, :, value, <eos>] and where its answer starts. */
export function qaDoc(d: WorldData, item: QAItem): { doc: number[]; answerAt: number } {
  const q = [d.tok.bosId, ...ids(d.tok, item.question)];
  return { doc: [...q, d.tok.id(item.answer), d.tok.eosId], answerAt: q.length };
}

/** Fill rows of length d.seqLen with whole documents from `next` until the next one does not fit. */
function packedSampler(d: WorldData, next: (rng: Rng) => Doc): BatchSampler {
  return (rng, B) => {
    const x: number[][] = [];
    const y: number[][] = [];
    const mask: number[][] = [];
    for (let b = 0; b < B; b++) {
      const docs: Doc[] = [];
      let len = 0;
      for (;;) {
        const doc = next(rng);
        if (len + doc.doc.length > d.seqLen + 1) {
          if (docs.length === 0) throw new Error(`t1: a document of ${doc.doc.length} tokens does not fit seqLen ${d.seqLen}`);
          break; // the drawn document is dropped: rows hold whole documents only
        }
        docs.push(doc);
        len += doc.doc.length;
      }
      const r = packedRow(docs, d.seqLen, d.tok.padId);
      x.push(r.x);
      y.push(r.y);
      mask.push(r.mask);
    }
    return { x, y, mask };
  };
}

/**
 * Pretraining batches: rows of d.seqLen tokens packed with biographies of people drawn uniformly (all
 * people, held-out ones too), loss on every token. `valuesOnly`: loss only where the target is an
 * attribute value (the "fact loss").
 */
export function pretrainSampler(d: WorldData, style: CorpusStyle, valuesOnly = false): BatchSampler {
  const only = valuesOnly ? d.allValueIds : undefined;
  return packedSampler(d, (rng) => ({
    doc: bioDoc(d, d.world.entities[rng.int(d.world.entities.length)] as Entity, style, rng),
    lossFrom: 1,
    ...(only ? { only } : {}),
  }));
}

/**
 * SFT batches: one Q/A pair per row (rows of d.qaLen tokens), loss on the answer value and <eos> only.
 * `people`: the training people whose questions are used (default all of them).
 */
export function sftSampler(d: WorldData, people?: ReadonlyArray<number>): BatchSampler {
  const items = people === undefined ? d.trainQA : qaItems(d.world, people);
  if (items.length === 0) throw new Error("sftSampler: no people to fine-tune on");
  return (rng, B) => {
    const x: number[][] = [];
    const y: number[][] = [];
    const mask: number[][] = [];
    for (let b = 0; b < B; b++) {
      const { doc, answerAt } = qaDoc(d, items[rng.int(items.length)] as QAItem);
      const r = row(doc, d.qaLen, answerAt, d.tok.padId);
      x.push(r.x);
      y.push(r.y);
      mask.push(r.mask);
    }
    return { x, y, mask };
  };
}

/**
 * Concurrent batches: rows packed with documents, each a Q/A pair of a training person (loss on the
 * answer) with probability `qaFraction`, else an augmented biography (loss on every token).
 */
export function mixedSampler(d: WorldData, qaFraction: number): BatchSampler {
  return packedSampler(d, (rng) => {
    if (rng.bernoulli(qaFraction)) {
      const { doc, answerAt } = qaDoc(d, d.trainQA[rng.int(d.trainQA.length)] as QAItem);
      return { doc, lossFrom: answerAt };
    }
    return { doc: bioDoc(d, d.world.entities[rng.int(d.world.entities.length)] as Entity, "augmented", rng), lossFrom: 1 };
  });
}

/**
 * A few-shot prompt: `k` Q/A documents about training people (drawn with `rng`, other people than the
 * asked one, each attribute equally often) followed by the question: [<bos> Q … A : v <eos>] × k
 * [<bos> Q … A :]. No weight changes: the examples are in the context only.
 */
export function fewShotPrompt(d: WorldData, item: QAItem, k: number, rng: Rng): number[] {
  const out: number[] = [];
  const pool = d.trainQA.filter((it) => it.entity !== item.entity);
  for (let i = 0; i < k; i++) out.push(...qaDoc(d, pool[rng.int(pool.length)] as QAItem).doc);
  out.push(d.tok.bosId, ...ids(d.tok, item.question));
  return out;
}
