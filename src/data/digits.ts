/**
 * The serial task of takeaway 2 (Gros 2025, §3: chain of thought as an information bottleneck): the
 * sum of k digits mod 10, a task whose difficulty grows with the length knob k, written in many
 * surface forms that do not change the answer, and answered in three formats:
 *
 * - `direct`:   the answer only                                    `=6`
 * - `abstract`: each operand with the running sum, then the answer   `33587516=6` (3→3, 5→8, 7→5,
 *   1→6: a chain that keeps only what the next step needs, the "thoughts" of the bottleneck view)
 * - `verbose`:  restates the input verbatim, then the same steps     `Q3+5a7;1....|33587516=6`
 *
 * Surface form = header character, separator characters between the operands (operators,
 * punctuation and distractor letters) and the filler that pads the operand field to a fixed width.
 * In the default `grid` layout every input has the same length, so the i-th operand always sits at the
 * same position; that lets a two-layer GPT with learned absolute positions learn the serial algorithm
 * in seconds (the `free` layout drops the padding: an exercise). Operand *order* is deliberately not
 * a surface feature: the answer is invariant to it, but a left-to-right chain of partial sums is not.
 *
 * Everything here is plain strings; `encodeExample` turns an example into token ids for the trainer
 * (a char-level tokenizer, prompt `<bos> input <sep>`, completion `chain = answer <eos>`).
 */
import type { Rng } from "../rng";

/** How the model answers. */
export type AnswerFormat = "direct" | "abstract" | "verbose";
export const ANSWER_FORMATS: ReadonlyArray<AnswerFormat> = ["direct", "abstract", "verbose"];

/** How the operands are laid out: padded to a fixed width (`grid`) or not (`free`). */
export type Layout = "grid" | "free";

/** Marks the answer in every completion (never used in a surface form). */
export const ANSWER_MARK = "=";
/** Ends the restatement of the input in a verbose chain (never used in a surface form). */
export const RESTATE_END = "|";

/** The characters a surface form may be drawn from. */
export interface SurfaceSpec {
  /** One-character headers written before the operands. */
  readonly headers: ReadonlyArray<string>;
  /** One-character separators between operands: operators, punctuation, distractor letters. */
  readonly separators: ReadonlyArray<string>;
  /** One-character fillers that pad the operand field to the layout width (grid layout). */
  readonly fillers: ReadonlyArray<string>;
}

/** Surface forms seen in training. */
export const TRAIN_SURFACE: Readonly<SurfaceSpec> = Object.freeze({
  headers: Object.freeze(["Q", "S", "#", " ", ":"]),
  separators: Object.freeze(["+", ",", ";", " ", "a", "b", "x"]),
  fillers: Object.freeze([".", " ", "_"]),
});

/**
 * Surface forms never seen in training (their characters are in the vocabulary but never occur in a
 * training sequence): the "unseen surface forms" test.
 */
export const UNSEEN_SURFACE: Readonly<SurfaceSpec> = Object.freeze({
  headers: Object.freeze(["?", "@"]),
  separators: Object.freeze(["&", "*", "y", "z"]),
  fillers: Object.freeze(["~", "-"]),
});

/**
 * Known characters in new roles: every character occurs in training, but never in the role it has here
 * (training separators as headers, training headers and fillers as separators, training headers and
 * separators as fillers). The "recombined surface forms" test: structure, not tokens, is new.
 */
export const RECOMBINED_SURFACE: Readonly<SurfaceSpec> = Object.freeze({
  headers: Object.freeze(["+", ",", ";", "a", "b", "x"]),
  separators: Object.freeze(["Q", "S", "#", ":", ".", "_"]),
  fillers: Object.freeze(["#", ":", "+", "b"]),
});

/** One rendering choice for a problem with k operands. */
export interface SurfaceForm {
  readonly header: string;
  /** k - 1 separators. */
  readonly separators: ReadonlyArray<string>;
  readonly filler: string;
}

/** An underlying problem: the operands in order and the answer (their sum mod `modulus`). */
export interface DigitProblem {
  readonly digits: ReadonlyArray<number>;
  readonly answer: number;
  /** The modulus of the sum (10 unless a config says otherwise). */
  readonly modulus: number;
}

/** One rendered example: prompt text, completion text and the (X, Z, Y) of the information analysis. */
export interface DigitExample {
  readonly problem: DigitProblem;
  readonly form: SurfaceForm;
  readonly format: AnswerFormat;
  /** The input string (X, the surface form). */
  readonly input: string;
  /** The chain before the answer mark (Z; empty for `direct`). */
  readonly chain: string;
  /** The full completion: chain + "=" + answer. */
  readonly completion: string;
}

/** Every character any surface form or completion can use (for building the tokenizer). */
export function digitsAlphabet(): string[] {
  const chars = new Set<string>("0123456789");
  for (const spec of [TRAIN_SURFACE, UNSEEN_SURFACE]) {
    for (const s of [...spec.headers, ...spec.separators, ...spec.fillers]) for (const ch of s) chars.add(ch);
  }
  chars.add(ANSWER_MARK);
  chars.add(RESTATE_END);
  return [...chars].sort();
}

/** Check that a surface spec is usable: single characters, no digits, no protocol marks. */
export function validateSurfaceSpec(spec: SurfaceSpec, where = "SurfaceSpec"): void {
  for (const field of ["headers", "separators", "fillers"] as const) {
    const xs = spec[field];
    if (xs.length === 0) throw new Error(`${where}.${field}: must list at least one character`);
    for (const s of xs) {
      if (s.length !== 1) throw new Error(`${where}.${field}: "${s}" must be exactly one character (the grid layout relies on it)`);
      if (/[0-9]/.test(s) || s === ANSWER_MARK || s === RESTATE_END || s === "<" || s === ">") {
        throw new Error(`${where}.${field}: "${s}" is reserved (digits, "${ANSWER_MARK}", "${RESTATE_END}", "<", ">"); pick another character`);
      }
    }
  }
}

/** Sum mod `modulus` of the first 1..k operands: the running partial results of the abstract chain. */
export function partialSums(digits: ReadonlyArray<number>, modulus = 10): number[] {
  const out: number[] = [];
  let s = 0;
  for (const d of digits) {
    s = (s + d) % modulus;
    out.push(s);
  }
  return out;
}

function checkK(k: number, where: string): void {
  if (!Number.isInteger(k) || k < 1 || k > 64) throw new Error(`${where}: k (number of operands) must be an integer in [1, 64], got ${k}`);
}

function checkModulus(m: number, where: string): void {
  if (!Number.isInteger(m) || m < 2 || m > 10) throw new Error(`${where}: modulus must be an integer in [2, 10] (operands are single digits 0..modulus-1), got ${m}`);
}

/**
 * A problem of k random digits in 0..modulus-1; the answer is their sum mod `modulus`. Each operand is
 * 0 with extra probability `zeroRate` (else uniform): a training curriculum, since a 0 operand leaves the
 * running sum unchanged and so gives "look at the previous result" a direct training signal.
 */
export function sampleProblem(rng: Rng, k: number, modulus = 10, zeroRate = 0): DigitProblem {
  checkK(k, "sampleProblem");
  checkModulus(modulus, "sampleProblem");
  if (!(zeroRate >= 0 && zeroRate < 1)) throw new Error(`sampleProblem: zeroRate must be in [0, 1), got ${zeroRate}`);
  const digits = Array.from({ length: k }, () => (zeroRate > 0 && rng.next() < zeroRate ? 0 : rng.int(modulus)));
  return { digits, answer: partialSums(digits, modulus)[k - 1] as number, modulus };
}

/** A problem of k digits whose answer is `answer` (the first k - 1 uniform, the last one fixed). */
export function sampleProblemWithAnswer(rng: Rng, k: number, answer: number, modulus = 10): DigitProblem {
  checkK(k, "sampleProblemWithAnswer");
  checkModulus(modulus, "sampleProblemWithAnswer");
  if (!Number.isInteger(answer) || answer < 0 || answer >= modulus) throw new Error(`sampleProblemWithAnswer: answer must be an integer in [0, ${modulus - 1}], got ${answer}`);
  const head = Array.from({ length: k - 1 }, () => rng.int(modulus));
  const s = head.reduce((a, b) => a + b, 0) % modulus;
  const digits = [...head, (answer - s + modulus) % modulus];
  return { digits, answer, modulus };
}

/** A random surface form for k operands drawn from `spec`. */
export function sampleSurface(rng: Rng, k: number, spec: SurfaceSpec = TRAIN_SURFACE): SurfaceForm {
  checkK(k, "sampleSurface");
  return {
    header: rng.choice(spec.headers),
    separators: Array.from({ length: k - 1 }, () => rng.choice(spec.separators)),
    filler: rng.choice(spec.fillers),
  };
}

/** Width of the input field in the grid layout for up to `kMax` operands: header + 2 kMax - 1. */
export function gridWidth(kMax: number): number {
  checkK(kMax, "gridWidth");
  return 1 + 2 * kMax - 1;
}

/**
 * The input string: header, operands with separators, and (grid layout) filler up to the width of
 * `kMax` operands. Throws when the problem has more operands than the grid holds.
 */
export function renderInput(problem: DigitProblem, form: SurfaceForm, layout: Layout, kMax: number): string {
  const k = problem.digits.length;
  if (form.separators.length !== k - 1) throw new Error(`renderInput: the surface form has ${form.separators.length} separators for ${k} operands; it needs k - 1`);
  let s = form.header;
  problem.digits.forEach((d, i) => {
    if (i > 0) s += form.separators[i - 1] as string;
    s += String(d);
  });
  if (layout === "grid") {
    const w = gridWidth(kMax);
    if (s.length > w) throw new Error(`renderInput: ${k} operands do not fit a grid for kMax=${kMax}; raise kMax (the layout width) to at least ${k}`);
    s += form.filler.repeat(w - s.length);
  }
  return s;
}

/**
 * How the abstract steps are written: `pairs` writes each operand next to the running sum
 * ("3 3 5 8 7 5" for 3,5,7 without spaces), `sums` only the running sums ("3 8 5"). Both keep only the
 * problem and drop the surface form. With `pairs` every step has a first-order training signal (copy
 * the next operand, then add two adjacent tokens), which a small model learns in a few hundred steps;
 * with `sums` the target of a step is independent of each input alone (as in parity), and training sits
 * on a long plateau first.
 */
export type ChainStyle = "pairs" | "sums" | "triples";

/** The abstract steps of a problem: operand and running sum per step (`pairs`) or running sums only. */
export function abstractSteps(problem: DigitProblem, style: ChainStyle = "pairs"): string {
  const sums = partialSums(problem.digits, problem.modulus);
  if (style === "sums") return sums.join("");
  if (style === "triples") return problem.digits.map((d, i) => `${d}${i === 0 ? 0 : sums[i - 1]}${sums[i]}`).join("");
  return problem.digits.map((d, i) => `${d}${sums[i]}`).join("");
}

/** The chain (Z) of a format for a rendered input. */
export function renderChain(format: AnswerFormat, problem: DigitProblem, input: string, style: ChainStyle = "pairs"): string {
  switch (format) {
    case "direct":
      return "";
    case "abstract":
      return abstractSteps(problem, style);
    case "verbose":
      return input + RESTATE_END + abstractSteps(problem, style);
  }
}

/** Render a problem in a surface form and an answer format. */
export function renderExample(problem: DigitProblem, form: SurfaceForm, format: AnswerFormat, layout: Layout, kMax: number, style: ChainStyle = "pairs"): DigitExample {
  const input = renderInput(problem, form, layout, kMax);
  const chain = renderChain(format, problem, input, style);
  return { problem, form, format, input, chain, completion: chain + ANSWER_MARK + String(problem.answer) };
}

/** What the model generated, split at the answer mark. */
export interface ParsedCompletion {
  /** Text before the last answer mark (the whole text when there is none). */
  readonly chain: string;
  /** The digit right after the last answer mark, or null when there is none. */
  readonly answer: number | null;
}

/** Split a generated completion into chain and answer (null answer = malformed output, counted wrong). */
export function parseCompletion(text: string): ParsedCompletion {
  const i = text.lastIndexOf(ANSWER_MARK);
  if (i < 0) return { chain: text, answer: null };
  const rest = text.slice(i + 1);
  return { chain: text.slice(0, i), answer: /^[0-9]$/.test(rest) ? Number(rest) : null };
}

/** Length in characters of the longest completion of a format for up to kMax operands. */
export function maxCompletionLength(format: AnswerFormat, layout: Layout, kMax: number, style: ChainStyle = "pairs"): number {
  const inputLen = layout === "grid" ? gridWidth(kMax) : 2 * kMax;
  const steps = style === "pairs" ? 2 * kMax : style === "triples" ? 3 * kMax : kMax;
  const chain = format === "direct" ? 0 : format === "abstract" ? steps : inputLen + 1 + steps;
  return chain + 2;
}

/** The minimal tokenizer interface this module needs (CharTokenizer satisfies it). */
export interface CharCodec {
  encode(text: string): number[];
  readonly bosId: number;
  readonly eosId: number;
  readonly sepId: number;
  readonly padId: number;
}

/** Prompt ids: `<bos> input <sep>`. */
export function encodePrompt(tok: CharCodec, input: string): number[] {
  return [tok.bosId, ...tok.encode(input), tok.sepId];
}

/**
 * One training row of length `seqLen`: x = (prompt + completion + <eos>) without its last token,
 * y = shifted by one, mask = 1 where y is a completion token or <eos> (loss on the generated part
 * only), right-padded with <pad> and mask 0. Throws when the example does not fit.
 */
export function encodeExample(tok: CharCodec, ex: DigitExample, seqLen: number): { x: number[]; y: number[]; mask: number[] } {
  const prompt = encodePrompt(tok, ex.input);
  const completion = [...tok.encode(ex.completion), tok.eosId];
  const ids = [...prompt, ...completion];
  if (ids.length - 1 > seqLen) {
    throw new Error(`encodeExample: a ${ex.format} example needs ${ids.length - 1} positions but seqLen is ${seqLen}; raise seqLen`);
  }
  const x = ids.slice(0, -1);
  const y = ids.slice(1);
  const mask = y.map((_, t) => (t >= prompt.length - 1 ? 1 : 0));
  while (x.length < seqLen) {
    x.push(tok.padId);
    y.push(tok.padId);
    mask.push(0);
  }
  return { x, y, mask };
}

/** Options of {@link digitsSampler}. */
export interface DigitsTaskOptions {
  readonly format: AnswerFormat;
  /** Operand counts drawn uniformly from [kMin, kMax]. */
  readonly kMin: number;
  readonly kMax: number;
  /** Width of the grid (the largest k ever rendered, including length-generalisation tests). */
  readonly kGrid: number;
  readonly layout: Layout;
  /** The sum is taken mod this (2 = parity ... 10); operands are digits 0..modulus-1. Default 10. */
  readonly modulus?: number;
  /** How abstract steps are written (default `pairs`). */
  readonly chainStyle?: ChainStyle;
  /** Extra probability that an operand is 0 (training curriculum; default 0 = uniform digits). */
  readonly zeroRate?: number;
  readonly surface?: SurfaceSpec;
}

/** A seeded example generator: k uniform in [kMin, kMax], digits uniform, surface form from the spec. */
export function sampleExample(rng: Rng, o: DigitsTaskOptions): DigitExample {
  if (!(o.kMin >= 1 && o.kMax >= o.kMin && o.kGrid >= o.kMax)) {
    throw new Error(`digits task: need 1 <= kMin <= kMax <= kGrid, got kMin=${o.kMin}, kMax=${o.kMax}, kGrid=${o.kGrid}`);
  }
  const k = o.kMin + rng.int(o.kMax - o.kMin + 1);
  const problem = sampleProblem(rng, k, o.modulus ?? 10, o.zeroRate ?? 0);
  const form = sampleSurface(rng, k, o.surface ?? TRAIN_SURFACE);
  return renderExample(problem, form, o.format, o.layout, o.kGrid, o.chainStyle ?? "pairs");
}

/** A {@link BatchSampler}-shaped function for the trainer (x, y, mask of length seqLen). */
export function digitsSampler(tok: CharCodec, o: DigitsTaskOptions, seqLen: number): (rng: Rng, batchSize: number) => { x: number[][]; y: number[][]; mask: number[][] } {
  validateSurfaceSpec(o.surface ?? TRAIN_SURFACE);
  return (rng, batchSize) => {
    const x: number[][] = [];
    const y: number[][] = [];
    const mask: number[][] = [];
    for (let b = 0; b < batchSize; b++) {
      const r = encodeExample(tok, sampleExample(rng, o), seqLen);
      x.push(r.x);
      y.push(r.y);
      mask.push(r.mask);
    }
    return { x, y, mask };
  };
}

/**
 * The sample design of the information measurements: `perAnswer` distinct problems with k operands
 * for each answer 0..modulus-1 (so Y is uniform), crossed with `numForms` distinct surface forms. X
 * (the surface string) then has a known, manageable alphabet of modulus perAnswer numForms values, each
 * problem appears in every form, and the answer is independent of the form.
 */
export function informationDesign(
  rng: Rng,
  k: number,
  perAnswer: number,
  numForms: number,
  layout: Layout,
  kGrid: number,
  spec: SurfaceSpec = TRAIN_SURFACE,
  modulus = 10,
): { problems: DigitProblem[]; forms: SurfaceForm[] } {
  checkK(k, "informationDesign");
  checkModulus(modulus, "informationDesign");
  const maxProblems = Math.pow(modulus, k - 1);
  if (!Number.isInteger(perAnswer) || perAnswer < 1 || perAnswer > maxProblems) {
    throw new Error(`informationDesign: perAnswer must be an integer in [1, ${maxProblems}] for k=${k}, got ${perAnswer}`);
  }
  const fillerShows = layout === "grid" && k < kGrid;
  const maxForms = spec.headers.length * Math.pow(spec.separators.length, k - 1) * (fillerShows ? spec.fillers.length : 1);
  if (!Number.isInteger(numForms) || numForms < 1 || numForms > Math.min(maxForms, 10000)) {
    throw new Error(`informationDesign: numForms must be an integer in [1, ${Math.min(maxForms, 10000)}], got ${numForms}`);
  }
  const problems: DigitProblem[] = [];
  const seenP = new Set<string>();
  for (let a = 0; a < modulus; a++) {
    let n = 0;
    while (n < perAnswer) {
      const p = sampleProblemWithAnswer(rng, k, a, modulus);
      const key = p.digits.join("");
      if (seenP.has(key)) continue;
      seenP.add(key);
      problems.push(p);
      n++;
    }
  }
  const forms: SurfaceForm[] = [];
  const seenF = new Set<string>();
  while (forms.length < numForms) {
    const f = sampleSurface(rng, k, spec);
    // Forms are distinct when their renderings are (the filler is invisible on a full grid).
    const key = renderInput({ digits: new Array<number>(k).fill(0), answer: 0, modulus }, f, layout, kGrid);
    if (seenF.has(key)) continue;
    seenF.add(key);
    forms.push(f);
  }
  return { problems, forms };
}
