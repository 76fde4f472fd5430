/**
 * The serial task of takeaway 2, second edition (Gros 2025, §3: chain of thought as an information
 * bottleneck): a ball under one of `numCups` cups, then k swaps of two cups; where is the ball? The state
 * after swap i depends on the state after swap i - 1, so the answer needs k sequential state updates: a
 * k-step finite automaton driven by transpositions (the one-ball view of composing permutations, the
 * word problem of Li et al. 2024, "Chain of thought empowers transformers to solve inherently serial
 * problems"; with 5 cups the transpositions generate S5).
 *
 * Input (X): header, start cup, then per swap a separator and the two cups; in the grid layout padded
 * with a filler to the width of `kGrid` swaps, so the i-th swap sits at a fixed place:
 * `Q2;01,34:12......` (ball under 2; swap 0-1, 3-4, 1-2); in the packed layout (a variant) not padded,
 * `Q2;01,34:12`. Header, separators and filler are the surface form: they never change the answer.
 *
 * A graded family of chain formats (Z), every one ending in the state after the last swap (so each
 * carries the answer, I(Z;Y) = H(Y) when it is right), with more and more of the input copied:
 *
 * - level 0 `state`:    the state after each swap                                  `202`
 * - level 1 `swap`:     each swap's two cups, then the state                       `012342122`
 * - level 2 `step`:     each swap as written (its separator too), then the state    `;012,342:122`
 * - level 3 `verbatim`: the whole input restated, `|`, then the states               `Q2;01,34:12......|202`
 *
 * and `direct`: no chain. Completion: chain, `=`, the answer.
 *
 * A control format outside the graded levels (pre-registered 2026-12-02, data/claims-by-seed/t2-marked/):
 *
 * - `marked`: the step chain with every copied separator replaced by one fixed mark  `|012|342|122`
 *
 * the step chain's format (length, positions, swaps, states) without any of the surface, so that a difference
 * between `step` and `marked` on unseen wordings is the cost of copying the surface, not of the format.
 */
import type { Rng } from "../rng";

/** Answer formats: the four chain levels, the `marked` control and no chain. */
export type SwapFormat = "direct" | "state" | "swap" | "step" | "verbatim" | "marked";
/** The chain levels, most abstract first (level i = CHAIN_LEVELS[i]). */
export const CHAIN_LEVELS: ReadonlyArray<Exclude<SwapFormat, "direct">> = ["state", "swap", "step", "verbatim"];

/** Marks the answer in every completion (never in a surface form). */
export const SWAP_ANSWER_MARK = "=";
/** Ends the restated input of a `verbatim` chain. */
export const SWAP_RESTATE_END = "|";
/**
 * Stands for every separator in a `marked` chain: the verbatim chain's end mark, a character no input contains
 * (so the vocabulary, and with it every other format's model, stays as it was).
 */
export const SWAP_STEP_MARK = SWAP_RESTATE_END;

/**
 * Marks where the swaps end (the `endMark` layout, pre-registered 2026-12-02, data/claims-by-seed/t2-end-mark/): a
 * character in no surface spec, in the vocabulary only when the layout is on (so every other run's vocabulary, and
 * with it every model, stays as it was).
 */
export const SWAP_END_MARK = "!";

/** The characters a surface form is drawn from. */
export interface SwapSurfaceSpec {
  readonly headers: ReadonlyArray<string>;
  readonly separators: ReadonlyArray<string>;
  readonly fillers: ReadonlyArray<string>;
  /**
   * A fixed character written right after the last swap, in the first filler slot (absent: none). Copied into each
   * form, never drawn, so a spec with it gives the same random stream as the spec without.
   */
  readonly end?: string;
  /**
   * The packed layout (pre-registered 2026-12-02, data/claims-by-seed/t2-packed/): the input is not padded, so it
   * ends right after its last swap (or its end mark). The filler is still drawn (the same random stream as without),
   * copied into the form, and never written.
   */
  readonly packed?: boolean;
}

/** A spec with the end of the swaps marked by {@link SWAP_END_MARK}; its characters otherwise as they are. */
export function withEndMark(spec: SwapSurfaceSpec): Readonly<SwapSurfaceSpec> {
  return Object.freeze({ ...spec, end: SWAP_END_MARK });
}

/** A spec in the packed layout (no padding; {@link SwapSurfaceSpec.packed}); its characters as they are. */
export function withPacked(spec: SwapSurfaceSpec): Readonly<SwapSurfaceSpec> {
  return Object.freeze({ ...spec, packed: true });
}

/** Surface forms seen in training. */
export const SWAP_TRAIN_SURFACE: Readonly<SwapSurfaceSpec> = Object.freeze({
  headers: Object.freeze(["Q", "S", "#", ":"]),
  separators: Object.freeze([";", ",", "+", "a", "b", "x", " "]),
  fillers: Object.freeze([".", "_", " "]),
});

/** Surface forms whose characters never occur in a training sequence (they are in the vocabulary). */
export const SWAP_UNSEEN_SURFACE: Readonly<SwapSurfaceSpec> = Object.freeze({
  headers: Object.freeze(["?", "@"]),
  separators: Object.freeze(["&", "*", "y", "z"]),
  fillers: Object.freeze(["~", "-"]),
});

/** A wording with the named parts from the unseen set and the others from training. */
function partlyUnseen(unseen: { header?: boolean; separators?: boolean; filler?: boolean }): Readonly<SwapSurfaceSpec> {
  const from = (u: boolean | undefined) => (u ? SWAP_UNSEEN_SURFACE : SWAP_TRAIN_SURFACE);
  return Object.freeze({
    headers: from(unseen.header).headers,
    separators: from(unseen.separators).separators,
    fillers: from(unseen.filler).fillers,
  });
}

/**
 * The parts of an unseen wording one at a time (pre-registered 2026-12-02, data/claims-by-seed/t2-split/): only the
 * separators unseen; only the header and filler; and, after the addendum, only the header; only the filler. They
 * tell which part of a new wording a chain format pays for.
 */
export const SWAP_UNSEEN_SEP_SURFACE = partlyUnseen({ separators: true });
export const SWAP_UNSEEN_FRAME_SURFACE = partlyUnseen({ header: true, filler: true });
export const SWAP_UNSEEN_HEADER_SURFACE = partlyUnseen({ header: true });
export const SWAP_UNSEEN_FILLER_SURFACE = partlyUnseen({ filler: true });

/**
 * The filler probe (2026-12-02, data/claims-by-seed/t2-filler-probe/): training header and separators, the filler
 * drawn from the training headers, characters every model has trained, never in the filler's place. It tells an
 * untrained character (an unseen filler's embedding never moved from its initialisation) from a character out of
 * its role.
 */
export const SWAP_HEADER_FILLER_SURFACE: Readonly<SwapSurfaceSpec> = Object.freeze({
  headers: SWAP_TRAIN_SURFACE.headers,
  separators: SWAP_TRAIN_SURFACE.separators,
  fillers: SWAP_TRAIN_SURFACE.headers,
});

/**
 * The separator probe (2026-12-02, data/claims-by-seed/t2-sep-probe/): training header and filler, the separators
 * drawn from the training headers, characters every model has trained, never in a separator's place. It tells an
 * untrained separator (an unseen character's embedding never moved from its initialisation) from a character out of
 * its role: do the chains that restate the swaps find them by characters they know as separators?
 */
export const SWAP_HEADER_SEP_SURFACE: Readonly<SwapSurfaceSpec> = Object.freeze({
  headers: SWAP_TRAIN_SURFACE.headers,
  separators: SWAP_TRAIN_SURFACE.headers,
  fillers: SWAP_TRAIN_SURFACE.fillers,
});

/** An underlying problem: start cup, swaps, states after each swap, the answer (the last state). */
export interface SwapProblem {
  readonly numCups: number;
  readonly start: number;
  readonly swaps: ReadonlyArray<readonly [number, number]>;
  /** State after swap 1..k. */
  readonly states: ReadonlyArray<number>;
  readonly answer: number;
}

/** One rendering choice for k swaps. */
export interface SwapSurface {
  readonly header: string;
  /** One separator before each swap (k). */
  readonly separators: ReadonlyArray<string>;
  readonly filler: string;
  /** The end mark in the first filler slot (absent: none; see {@link SwapSurfaceSpec.end}). */
  readonly end?: string;
  /** Not padded: the filler is never written (absent: the grid layout; see {@link SwapSurfaceSpec.packed}). */
  readonly packed?: boolean;
}

/** A rendered example. */
export interface SwapExample {
  readonly problem: SwapProblem;
  readonly form: SwapSurface;
  readonly format: SwapFormat;
  readonly input: string;
  /** The chain before the answer mark (empty for direct). */
  readonly chain: string;
  /** chain + "=" + answer. */
  readonly completion: string;
}

/** Every character any input or completion can use; the end mark only with `endMark`. */
export function swapsAlphabet(numCups = 5, opts: { readonly endMark?: boolean } = {}): string[] {
  const chars = new Set<string>();
  for (let i = 0; i < numCups; i++) chars.add(String(i));
  for (const spec of [SWAP_TRAIN_SURFACE, SWAP_UNSEEN_SURFACE])
    for (const s of [...spec.headers, ...spec.separators, ...spec.fillers]) chars.add(s);
  chars.add(SWAP_ANSWER_MARK);
  chars.add(SWAP_RESTATE_END);
  if (opts.endMark) chars.add(SWAP_END_MARK);
  return [...chars].sort();
}

function checkCups(numCups: number, where: string): void {
  if (!Number.isInteger(numCups) || numCups < 2 || numCups > 10)
    throw new Error(`${where}: numCups must be an integer in [2, 10], got ${numCups}`);
}

/** Apply swap (a, b) to the ball's cup. */
export function applySwap(state: number, a: number, b: number): number {
  return state === a ? b : state === b ? a : state;
}

/** A problem from its start and swaps (the states follow). */
export function makeSwapProblem(numCups: number, start: number, swaps: ReadonlyArray<readonly [number, number]>): SwapProblem {
  checkCups(numCups, "makeSwapProblem");
  if (swaps.length < 1) throw new Error("makeSwapProblem: need at least one swap");
  const states: number[] = [];
  let s = start;
  for (const [a, b] of swaps) {
    if (a === b || a < 0 || b < 0 || a >= numCups || b >= numCups)
      throw new Error(`makeSwapProblem: swap (${a}, ${b}) must name two different cups in [0, ${numCups})`);
    s = applySwap(s, a, b);
    states.push(s);
  }
  return { numCups, start, swaps, states, answer: s };
}

/** A uniformly random problem with k swaps (start uniform, each swap a uniform pair of distinct cups). */
export function sampleSwapProblem(rng: Rng, k: number, numCups = 5): SwapProblem {
  checkCups(numCups, "sampleSwapProblem");
  const swaps: Array<readonly [number, number]> = [];
  for (let i = 0; i < k; i++) {
    const a = rng.int(numCups);
    const b = (a + 1 + rng.int(numCups - 1)) % numCups;
    swaps.push([a, b]);
  }
  return makeSwapProblem(numCups, rng.int(numCups), swaps);
}

/** A random surface form for k swaps. */
export function sampleSwapSurface(rng: Rng, k: number, spec: SwapSurfaceSpec = SWAP_TRAIN_SURFACE): SwapSurface {
  return {
    header: rng.choice(spec.headers),
    separators: Array.from({ length: k }, () => rng.choice(spec.separators)),
    filler: rng.choice(spec.fillers),
    ...(spec.end !== undefined ? { end: spec.end } : {}),
    ...(spec.packed === true ? { packed: true } : {}),
  };
}

/** Input width of the grid layout for up to kGrid swaps: header + start + 3 per swap. */
export function swapGridWidth(kGrid: number): number {
  return 2 + 3 * kGrid;
}

/**
 * The input string (grid layout: padded with the filler to the width of kGrid swaps). A form with an end mark has it
 * right after the last swap, in the first filler slot, so the width stays; at k = kGrid there is no slot and none is
 * needed (the row's end is the end). A packed form is not padded: it ends after its last swap (or its end mark), and
 * the prompt's `<sep>` follows ({@link encodeSwapPrompt}).
 */
export function renderSwapInput(p: SwapProblem, form: SwapSurface, kGrid: number): string {
  const k = p.swaps.length;
  if (form.separators.length !== k)
    throw new Error(`renderSwapInput: the surface form has ${form.separators.length} separators for ${k} swaps`);
  if (k > kGrid) throw new Error(`renderSwapInput: ${k} swaps do not fit a grid of ${kGrid}; raise kGrid`);
  let s = form.header + String(p.start);
  p.swaps.forEach(([a, b], i) => (s += `${form.separators[i]}${a}${b}`));
  if (form.end !== undefined && k < kGrid) s += form.end;
  return form.packed === true ? s : s + form.filler.repeat(swapGridWidth(kGrid) - s.length);
}

/** The chain of a format. */
export function renderSwapChain(format: SwapFormat, p: SwapProblem, form: SwapSurface, input: string): string {
  const st = p.states;
  switch (format) {
    case "direct":
      return "";
    case "state":
      return st.join("");
    case "swap":
      return p.swaps.map(([a, b], i) => `${a}${b}${st[i]}`).join("");
    case "step":
      return p.swaps.map(([a, b], i) => `${form.separators[i]}${a}${b}${st[i]}`).join("");
    case "marked":
      return p.swaps.map(([a, b], i) => `${SWAP_STEP_MARK}${a}${b}${st[i]}`).join("");
    case "verbatim":
      return input + SWAP_RESTATE_END + st.join("");
  }
}

/** Render a problem in a surface form and a format. */
export function renderSwapExample(p: SwapProblem, form: SwapSurface, format: SwapFormat, kGrid: number): SwapExample {
  const input = renderSwapInput(p, form, kGrid);
  const chain = renderSwapChain(format, p, form, input);
  return { problem: p, form, format, input, chain, completion: chain + SWAP_ANSWER_MARK + String(p.answer) };
}

/** Longest completion (chain + "=" + answer) of a format for up to kGrid swaps. */
export function maxSwapCompletionLength(format: SwapFormat, kGrid: number): number {
  const chain = {
    direct: 0,
    state: kGrid,
    swap: 3 * kGrid,
    step: 4 * kGrid,
    marked: 4 * kGrid,
    verbatim: swapGridWidth(kGrid) + 1 + kGrid,
  };
  return chain[format] + 2;
}

/** The answer and chain of a generated completion: the first digit after the last "=" (NaN if none). */
export function parseSwapCompletion(text: string): { chain: string; answer: number } {
  const i = text.lastIndexOf(SWAP_ANSWER_MARK);
  if (i < 0) return { chain: text, answer: NaN };
  const a = text.charAt(i + 1);
  return { chain: text.slice(0, i), answer: /^[0-9]$/.test(a) ? Number(a) : NaN };
}

/** The parts of a completion: a step's slot (step, marked), a cup it names, a state, the restated input (verbatim), the answer. */
export type CompletionPart = "slot" | "cup" | "state" | "restated" | "answer";
/**
 * Where a completion first leaves its target: a part of the chain; `stops`, the answer mark written before the
 * chain's end; `goes-on`, no answer mark where the chain ends; `answer`, a wrong answer after a right chain and mark.
 */
export type Departure = Exclude<CompletionPart, "answer"> | "stops" | "goes-on" | "answer";

/**
 * Which part of a format's completion for k swaps (input of `inputLength` characters) position `pos` is: the
 * layouts of {@link renderSwapChain}, then the answer mark and the answer.
 */
export function completionPartAt(format: SwapFormat, k: number, inputLength: number, pos: number): CompletionPart {
  switch (format) {
    case "direct":
      return "answer";
    case "state":
      return pos < k ? "state" : "answer";
    case "swap":
      return pos >= 3 * k ? "answer" : pos % 3 < 2 ? "cup" : "state";
    case "step":
    case "marked":
      return pos >= 4 * k ? "answer" : pos % 4 === 0 ? "slot" : pos % 4 < 3 ? "cup" : "state";
    case "verbatim":
      return pos <= inputLength ? "restated" : pos <= inputLength + k ? "state" : "answer";
  }
}

/**
 * Where a generated completion first leaves its target, or null when it does not: for a wrong answer, whether the
 * chain went wrong reading the input (a cup, a slot, the restatement), updating the state, finding the chain's end
 * (stopping before it or going on past it), or only at the answer.
 */
export function firstDeparture(
  format: SwapFormat,
  k: number,
  inputLength: number,
  output: string,
  target: string,
): Departure | null {
  let i = 0;
  while (i < target.length && output.charAt(i) === target.charAt(i)) i++;
  if (i === target.length && output.length === target.length) return null;
  const end = target.lastIndexOf(SWAP_ANSWER_MARK);
  if (i < end && output.charAt(i) === SWAP_ANSWER_MARK) return "stops";
  if (i === end) return "goes-on";
  if (i > end) return "answer";
  return completionPartAt(format, k, inputLength, i) as Exclude<CompletionPart, "answer">;
}

/**
 * The surface of a text: its characters other than the cup digits, in order (header, separators, filler, and
 * in a chain whatever of them it copies). By construction of the task they never change the answer, so for an
 * input this is its surface form, and for a chain what the chain keeps of it. A function of the text, so by the
 * data-processing inequality I(surface(X); surface(Z)) <= I(X; Z): a lower bound that counts can estimate even
 * when almost every sampled chain is distinct (t2's I(X;Z)).
 */
export function swapSurfaceOf(text: string): string {
  return text.replace(/[0-9]/g, "");
}

/** Which format a generated chain has (the first that renders it exactly), or "other". */
export function classifySwapChain(chain: string, p: SwapProblem, form: SwapSurface, input: string): SwapFormat | "other" {
  for (const f of ["direct", ...CHAIN_LEVELS] as const) if (renderSwapChain(f, p, form, input) === chain) return f;
  return "other";
}

/**
 * The information design: `perAnswer` distinct problems with k swaps per answer cup (Y uniform), crossed
 * with `numForms` distinct surface forms (X has numCups perAnswer numForms values).
 */
export function swapInformationDesign(
  rng: Rng,
  k: number,
  perAnswer: number,
  numForms: number,
  kGrid: number,
  numCups = 5,
  spec: SwapSurfaceSpec = SWAP_TRAIN_SURFACE,
): { problems: SwapProblem[]; forms: SwapSurface[] } {
  const problems: SwapProblem[] = [];
  const seen = new Set<string>();
  for (let a = 0; a < numCups; a++) {
    let n = 0;
    for (let tries = 0; n < perAnswer; tries++) {
      if (tries > 100000) throw new Error(`swapInformationDesign: cannot find ${perAnswer} problems with answer ${a}`);
      const p = sampleSwapProblem(rng, k, numCups);
      const key = `${p.start}:${p.swaps.map((s) => s.join("")).join(",")}`;
      if (p.answer !== a || seen.has(key)) continue;
      seen.add(key);
      problems.push(p);
      n++;
    }
  }
  const forms: SwapSurface[] = [];
  const seenF = new Set<string>();
  for (let tries = 0; forms.length < numForms; tries++) {
    if (tries > 100000) throw new Error(`swapInformationDesign: cannot find ${numForms} distinct surface forms`);
    const f = sampleSwapSurface(rng, k, spec);
    const key = `${f.header}${f.separators.join("")}${k < kGrid && f.packed !== true ? f.filler : ""}`;
    if (seenF.has(key)) continue;
    seenF.add(key);
    forms.push(f);
  }
  return { problems, forms };
}

/** Token-level codec the encoders need (a char tokenizer). */
export interface SwapCodec {
  encode(s: string): number[];
  readonly bosId: number;
  readonly sepId: number;
  readonly eosId: number;
  readonly padId: number;
}

/** Prompt ids: <bos> input <sep>. */
export function encodeSwapPrompt(tok: SwapCodec, input: string): number[] {
  return [tok.bosId, ...tok.encode(input), tok.sepId];
}

/**
 * One training row of length seqLen from a prompt text and a completion text: loss on the completion and
 * <eos> only, right-padded. Throws when it does not fit.
 */
export function encodeSwapRow(
  tok: SwapCodec,
  input: string,
  completion: string,
  seqLen: number,
): { x: number[]; y: number[]; mask: number[] } {
  const prompt = encodeSwapPrompt(tok, input);
  const ids = [...prompt, ...tok.encode(completion), tok.eosId];
  if (ids.length - 1 > seqLen) throw new Error(`encodeSwapRow: a row needs ${ids.length - 1} positions, seqLen is ${seqLen}`);
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

/** Options of {@link swapsSampler}. */
export interface SwapTaskOptions {
  /** One format, or several drawn uniformly per example (the mixed warm-up). */
  readonly formats: ReadonlyArray<SwapFormat>;
  readonly kMin: number;
  readonly kMax: number;
  readonly kGrid: number;
  readonly numCups: number;
  readonly surface?: SwapSurfaceSpec;
}

/** A random training example. */
export function sampleSwapExample(rng: Rng, o: SwapTaskOptions): SwapExample {
  if (!(o.kMin >= 1 && o.kMax >= o.kMin && o.kGrid >= o.kMax))
    throw new Error(`swaps task: need 1 <= kMin <= kMax <= kGrid, got ${o.kMin}, ${o.kMax}, ${o.kGrid}`);
  const k = o.kMin + rng.int(o.kMax - o.kMin + 1);
  const p = sampleSwapProblem(rng, k, o.numCups);
  const form = sampleSwapSurface(rng, k, o.surface ?? SWAP_TRAIN_SURFACE);
  const format = o.formats.length === 1 ? (o.formats[0] as SwapFormat) : rng.choice(o.formats);
  return renderSwapExample(p, form, format, o.kGrid);
}

/** A batch sampler for the trainer. */
export function swapsSampler(
  tok: SwapCodec,
  o: SwapTaskOptions,
  seqLen: number,
): (rng: Rng, batchSize: number) => { x: number[][]; y: number[][]; mask: number[][] } {
  if (o.formats.length === 0) throw new Error("swapsSampler: formats is empty");
  return (rng, batchSize) => {
    const x: number[][] = [];
    const y: number[][] = [];
    const mask: number[][] = [];
    for (let b = 0; b < batchSize; b++) {
      const e = sampleSwapExample(rng, o);
      const r = encodeSwapRow(tok, e.input, e.completion, seqLen);
      x.push(r.x);
      y.push(r.y);
      mask.push(r.mask);
    }
    return { x, y, mask };
  };
}
