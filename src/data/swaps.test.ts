import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../rng";
import { CharTokenizer } from "../tokenizer";
import {
  applySwap,
  CHAIN_LEVELS,
  classifySwapChain,
  completionPartAt,
  firstDeparture,
  makeSwapProblem,
  maxSwapCompletionLength,
  parseSwapCompletion,
  renderSwapExample,
  renderSwapInput,
  sampleSwapProblem,
  sampleSwapSurface,
  SWAP_STEP_MARK,
  SWAP_TRAIN_SURFACE,
  SWAP_UNSEEN_FILLER_SURFACE,
  SWAP_UNSEEN_FRAME_SURFACE,
  SWAP_UNSEEN_HEADER_SURFACE,
  SWAP_UNSEEN_SEP_SURFACE,
  SWAP_UNSEEN_SURFACE,
  swapGridWidth,
  swapInformationDesign,
  swapsAlphabet,
  swapsSampler,
  swapSurfaceOf,
  SWAP_END_MARK,
  withEndMark,
  withPacked,
} from "./swaps";

test("states follow the swaps; the answer is the last state", () => {
  const p = makeSwapProblem(5, 2, [
    [0, 1],
    [2, 4],
    [4, 3],
    [1, 0],
  ]);
  assert.deepEqual([...p.states], [2, 4, 3, 3]);
  assert.equal(p.answer, 3);
  assert.equal(applySwap(1, 1, 2), 2);
  assert.equal(applySwap(0, 1, 2), 0);
  assert.throws(() => makeSwapProblem(5, 0, [[1, 1]]), /two different cups/);
  const rng = new Rng(3);
  for (let i = 0; i < 50; i++) {
    const q = sampleSwapProblem(rng, 4);
    let s = q.start;
    for (const [a, b] of q.swaps) {
      assert.notEqual(a, b);
      s = a === s ? b : b === s ? a : s;
    }
    assert.equal(q.answer, s);
  }
});

/** The rendering tests' problem (ball under 2; swaps 0-1, 3-4, 1-2) and a training surface form for it. */
function threeSwaps() {
  const p = makeSwapProblem(5, 2, [
    [0, 1],
    [3, 4],
    [1, 2],
  ]);
  return { p, form: { header: "Q", separators: [";", ",", ":"], filler: "." } };
}

test("rendering: grid width, the four chain levels, parsing and classifying", () => {
  const { p, form } = threeSwaps();
  const input = renderSwapInput(p, form, 5);
  assert.equal(input, "Q2;01,34:12......");
  assert.equal(input.length, swapGridWidth(5));
  const chains = CHAIN_LEVELS.map((f) => renderSwapExample(p, form, f, 5).chain);
  assert.deepEqual(chains, ["221", "012342121", ";012,342:121", "Q2;01,34:12......|221"]);
  // More of the input is copied at every level; every completion ends with the answer.
  for (const f of ["direct", ...CHAIN_LEVELS] as const) {
    const ex = renderSwapExample(p, form, f, 5);
    assert.ok(ex.completion.endsWith("=1"));
    assert.ok(ex.completion.length <= maxSwapCompletionLength(f, 5));
    assert.equal(classifySwapChain(ex.chain, p, form, input), f);
    assert.deepEqual(parseSwapCompletion(ex.completion), { chain: ex.chain, answer: 1 });
  }
  assert.equal(classifySwapChain("999", p, form, input), "other");
  assert.ok(Number.isNaN(parseSwapCompletion("221").answer));
  assert.throws(() => renderSwapInput(p, form, 2), /do not fit/);
});

test("the marked control: the step chain's format with one fixed mark for every separator, no surface kept", () => {
  const { p, form } = threeSwaps();
  const other = { header: "@", separators: ["&", "*", "y"] as string[], filler: "~" };
  const step = renderSwapExample(p, form, "step", 5);
  const marked = renderSwapExample(p, form, "marked", 5);
  assert.equal(marked.chain, "|012|342|121");
  assert.equal(marked.completion, "|012|342|121=1");
  // Same length and digits at the same places as the step chain; only the separators differ.
  assert.equal(marked.chain.length, step.chain.length);
  assert.equal(marked.chain.replace(/\|/g, ""), step.chain.replace(/[^0-9]/g, ""));
  assert.equal(maxSwapCompletionLength("marked", 5), maxSwapCompletionLength("step", 5));
  // The surface it keeps does not depend on the input's wording (so I(surface(X); surface(Z)) = 0) ...
  assert.equal(swapSurfaceOf(renderSwapExample(p, other, "marked", 5).chain), swapSurfaceOf(marked.chain));
  assert.notEqual(swapSurfaceOf(renderSwapExample(p, other, "step", 5).chain), swapSurfaceOf(step.chain));
  // ... and its mark never occurs in an input, seen or unseen.
  for (const spec of [SWAP_TRAIN_SURFACE, SWAP_UNSEEN_SURFACE])
    assert.ok(![...spec.headers, ...spec.separators, ...spec.fillers].includes(SWAP_STEP_MARK));
  assert.ok(swapsAlphabet().includes(SWAP_STEP_MARK));
  // A control, not a level: the graded levels (and what a warm-up samples) are the four.
  assert.ok(!(CHAIN_LEVELS as ReadonlyArray<string>).includes("marked"));
  assert.deepEqual(parseSwapCompletion(marked.completion), { chain: marked.chain, answer: 1 });
});

test("where a wrong completion first leaves its target: slot, cup, state, restated input or answer", () => {
  const { p, form } = threeSwaps();
  // Every position of every format's target has its part, in the layout renderSwapChain writes.
  const parts = (f: Parameters<typeof completionPartAt>[0]) => {
    const e = renderSwapExample(p, form, f, 5);
    const code = { slot: "|", cup: "c", state: "s", restated: "r", answer: "a" } as const;
    return [...e.completion].map((_, i) => code[completionPartAt(f, 3, e.input.length, i)]).join("");
  };
  assert.equal(parts("state"), "sssaa");
  assert.equal(parts("swap"), "ccsccsccsaa");
  assert.equal(parts("marked"), "|ccs|ccs|ccsaa");
  assert.equal(parts("step"), "|ccs|ccs|ccsaa");
  assert.equal(parts("direct"), "aa");
  const v = renderSwapExample(p, form, "verbatim", 5);
  assert.equal(parts("verbatim"), "r".repeat(v.input.length + 1) + "sss" + "aa");
  // The first departure: a wrong cup, a wrong state, a wrong answer after a right chain; none for a right one.
  const m = renderSwapExample(p, form, "marked", 5).completion; // |012|342|121=1
  assert.equal(firstDeparture("marked", 3, 0, m, m), null);
  assert.equal(firstDeparture("marked", 3, 0, "|012|312|121=1", m), "cup");
  assert.equal(firstDeparture("marked", 3, 0, "|012|340|101=0", m), "state");
  assert.equal(firstDeparture("marked", 3, 0, "|012|342;121=1", m), "slot");
  assert.equal(firstDeparture("marked", 3, 0, "|012|342|121=3", m), "answer");
  assert.equal(firstDeparture("marked", 3, 0, "|012|342|121=1x", m), "answer");
  assert.equal(firstDeparture("marked", 3, 0, "|01", m), "state");
  // The chain's end: the answer mark too early, or none where the chain ends (it goes on with another step).
  assert.equal(firstDeparture("marked", 3, 0, "|012|342=2", m), "stops");
  assert.equal(firstDeparture("marked", 3, 0, "|012|342|121|104=0", m), "goes-on");
  assert.equal(firstDeparture("state", 3, 0, "2021=1", "202=2"), "goes-on");
});

test("the split wordings: each part of an unseen wording alone, the others from training", () => {
  assert.deepEqual(SWAP_UNSEEN_SEP_SURFACE, {
    headers: SWAP_TRAIN_SURFACE.headers,
    separators: SWAP_UNSEEN_SURFACE.separators,
    fillers: SWAP_TRAIN_SURFACE.fillers,
  });
  assert.deepEqual(SWAP_UNSEEN_FRAME_SURFACE, {
    headers: SWAP_UNSEEN_SURFACE.headers,
    separators: SWAP_TRAIN_SURFACE.separators,
    fillers: SWAP_UNSEEN_SURFACE.fillers,
  });
  assert.deepEqual(SWAP_UNSEEN_HEADER_SURFACE, {
    headers: SWAP_UNSEEN_SURFACE.headers,
    separators: SWAP_TRAIN_SURFACE.separators,
    fillers: SWAP_TRAIN_SURFACE.fillers,
  });
  assert.deepEqual(SWAP_UNSEEN_FILLER_SURFACE, {
    headers: SWAP_TRAIN_SURFACE.headers,
    separators: SWAP_TRAIN_SURFACE.separators,
    fillers: SWAP_UNSEEN_SURFACE.fillers,
  });
});

test("unseen surface characters never occur in training surfaces; the alphabet has them all", () => {
  const train = new Set([...SWAP_TRAIN_SURFACE.headers, ...SWAP_TRAIN_SURFACE.separators, ...SWAP_TRAIN_SURFACE.fillers]);
  for (const ch of [...SWAP_UNSEEN_SURFACE.headers, ...SWAP_UNSEEN_SURFACE.separators, ...SWAP_UNSEEN_SURFACE.fillers])
    assert.ok(!train.has(ch), ch);
  const alpha = new Set(swapsAlphabet());
  for (const ch of [...train, "0", "4", "=", "|", "?", "~"]) assert.ok(alpha.has(ch), ch);
  const rng = new Rng(1);
  const f = sampleSwapSurface(rng, 3, SWAP_UNSEEN_SURFACE);
  assert.equal(f.separators.length, 3);
});

test("end mark: right after the last swap in the first filler slot, the same width and random stream; in the alphabet only when asked", () => {
  const p = makeSwapProblem(5, 2, [
    [0, 1],
    [3, 4],
  ]);
  const spec = withEndMark(SWAP_TRAIN_SURFACE);
  assert.equal(spec.end, SWAP_END_MARK);
  const [a, b] = [new Rng(4), new Rng(4)];
  const marked = sampleSwapSurface(a, 2, spec);
  const plain = sampleSwapSurface(b, 2, SWAP_TRAIN_SURFACE);
  assert.deepEqual(marked, { ...plain, end: SWAP_END_MARK });
  assert.equal(a.int(1000), b.int(1000));
  const form = { header: "Q", separators: [";", ","], filler: "." };
  assert.equal(renderSwapInput(p, form, 3), "Q2;01,34...");
  assert.equal(renderSwapInput(p, { ...form, end: SWAP_END_MARK }, 3), "Q2;01,34!..");
  // At k = kGrid the row's end is the end: no slot, no mark.
  assert.equal(renderSwapInput(p, { ...form, end: SWAP_END_MARK }, 2), "Q2;01,34");
  assert.ok(!swapsAlphabet().includes(SWAP_END_MARK));
  assert.deepEqual(
    swapsAlphabet(5, { endMark: true }),
    [...swapsAlphabet(), SWAP_END_MARK].sort(),
  );
  for (const s of [SWAP_TRAIN_SURFACE, SWAP_UNSEEN_SURFACE])
    assert.ok(![...s.headers, ...s.separators, ...s.fillers].includes(SWAP_END_MARK));
});

test("packed layout: no padding, the same random stream; its information design counts no filler", () => {
  const p = makeSwapProblem(5, 2, [
    [0, 1],
    [3, 4],
  ]);
  const spec = withPacked(SWAP_TRAIN_SURFACE);
  const [a, b] = [new Rng(4), new Rng(4)];
  const packed = sampleSwapSurface(a, 2, spec);
  assert.deepEqual(packed, { ...sampleSwapSurface(b, 2, SWAP_TRAIN_SURFACE), packed: true });
  assert.equal(a.int(1000), b.int(1000));
  const form = { header: "Q", separators: [";", ","], filler: ".", packed: true };
  assert.equal(renderSwapInput(p, form, 3), "Q2;01,34");
  assert.equal(renderSwapInput(p, { ...form, end: SWAP_END_MARK }, 3), "Q2;01,34!");
  // Two forms that differ only in their filler are one form when packed: the design draws distinct written ones.
  const d = swapInformationDesign(new Rng(5), 2, 1, 12, 5, 5, spec);
  const written = d.forms.map((f) => renderSwapInput(p, f, 5));
  assert.equal(new Set(written).size, written.length);
});

test("information design: Y uniform over the cups, distinct problems and forms", () => {
  const d = swapInformationDesign(new Rng(5), 3, 2, 6, 5);
  assert.equal(d.problems.length, 10);
  assert.equal(d.forms.length, 6);
  for (let a = 0; a < 5; a++) assert.equal(d.problems.filter((p) => p.answer === a).length, 2);
  assert.equal(new Set(d.problems.map((p) => JSON.stringify([p.start, p.swaps]))).size, 10);
});

test("sampler rows: loss on the completion only, mixed formats, padded to seqLen", () => {
  const tok = CharTokenizer.fromAlphabet(swapsAlphabet());
  const seqLen = swapGridWidth(4) + 2 + maxSwapCompletionLength("verbatim", 4);
  const sample = swapsSampler(tok, { formats: CHAIN_LEVELS, kMin: 1, kMax: 4, kGrid: 4, numCups: 5 }, seqLen);
  const b = sample(new Rng(2), 16);
  assert.equal(b.x.length, 16);
  for (let i = 0; i < 16; i++) {
    assert.equal(b.x[i]!.length, seqLen);
    const m = b.mask[i]!;
    // The prompt (<bos>, input of width 14) is never a target; the first target is the token after <sep>.
    assert.ok(m.slice(0, swapGridWidth(4)).every((v) => v === 0));
    assert.equal(m[swapGridWidth(4) + 1], 1);
  }
  assert.throws(() => swapsSampler(tok, { formats: [], kMin: 1, kMax: 2, kGrid: 2, numCups: 5 }, seqLen), /empty/);
});
