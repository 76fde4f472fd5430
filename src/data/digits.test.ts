import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../rng";
import { CharTokenizer } from "../tokenizer";
import {
  ANSWER_MARK,
  RECOMBINED_SURFACE,
  TRAIN_SURFACE,
  UNSEEN_SURFACE,
  abstractSteps,
  digitsAlphabet,
  digitsSampler,
  encodeExample,
  encodePrompt,
  gridWidth,
  informationDesign,
  maxCompletionLength,
  parseCompletion,
  partialSums,
  renderExample,
  sampleExample,
  sampleProblem,
  sampleProblemWithAnswer,
  validateSurfaceSpec,
} from "./digits";

const form = { header: "Q", separators: ["+", "a", ";"], filler: "." };
const problem = { digits: [3, 5, 7, 1], answer: 6, modulus: 10 };

test("partial sums and answers are the running sum mod 10", () => {
  assert.deepEqual(partialSums([3, 5, 7, 1]), [3, 8, 5, 6]);
  assert.deepEqual(partialSums([1, 1, 1], 2), [1, 0, 1]);
  const rng = new Rng(1);
  for (let i = 0; i < 50; i++) {
    const p = sampleProblem(rng, 1 + rng.int(8));
    assert.equal(p.answer, p.digits.reduce((a, b) => a + b, 0) % 10);
    const q = sampleProblemWithAnswer(rng, 4, i % 10);
    assert.equal(q.answer, i % 10);
    assert.equal(q.digits.reduce((a, b) => a + b, 0) % 10, i % 10);
  }
});

test("the three formats render as documented", () => {
  const d = renderExample(problem, form, "direct", "grid", 6);
  assert.equal(d.input, "Q3+5a7;1....");
  assert.equal(d.input.length, gridWidth(6));
  assert.equal(d.completion, "=6");
  assert.equal(d.chain, "");
  const a = renderExample(problem, form, "abstract", "grid", 6);
  assert.equal(a.chain, "33587516");
  assert.equal(a.completion, "33587516=6");
  assert.equal(renderExample(problem, form, "abstract", "grid", 6, "sums").completion, "3856=6");
  const v = renderExample(problem, form, "verbose", "grid", 6);
  assert.equal(v.completion, "Q3+5a7;1....|33587516=6");
  assert.equal(renderExample(problem, form, "direct", "free", 6).input, "Q3+5a7;1");
  assert.equal(abstractSteps(problem), "33587516");
  for (const f of ["direct", "abstract", "verbose"] as const) {
    assert.ok(renderExample(problem, form, f, "grid", 6).completion.length <= maxCompletionLength(f, "grid", 6));
  }
  assert.throws(() => renderExample(problem, form, "direct", "grid", 3), /raise kMax/);
});

test("the answer does not depend on the surface form", () => {
  const rng = new Rng(2);
  const p = sampleProblem(rng, 5);
  const answers = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const f = { header: rng.choice(TRAIN_SURFACE.headers), separators: Array.from({ length: 4 }, () => rng.choice(UNSEEN_SURFACE.separators)), filler: "~" };
    answers.add(parseCompletion(renderExample(p, f, "direct", "grid", 6).completion).answer!.toString());
  }
  assert.equal(answers.size, 1);
});

test("parseCompletion splits chain and answer; malformed answers are null", () => {
  assert.deepEqual(parseCompletion("33587516=6"), { chain: "33587516", answer: 6 });
  assert.deepEqual(parseCompletion("3358"), { chain: "3358", answer: null });
  assert.deepEqual(parseCompletion("33=66"), { chain: "33", answer: null });
  assert.equal(parseCompletion(`Q3${ANSWER_MARK}5|35${ANSWER_MARK}8`).answer, 8);
});

test("surface specs: train and unseen characters are disjoint and valid", () => {
  validateSurfaceSpec(TRAIN_SURFACE);
  validateSurfaceSpec(UNSEEN_SURFACE);
  const train = new Set([...TRAIN_SURFACE.headers, ...TRAIN_SURFACE.separators, ...TRAIN_SURFACE.fillers]);
  for (const ch of [...UNSEEN_SURFACE.headers, ...UNSEEN_SURFACE.separators, ...UNSEEN_SURFACE.fillers]) assert.ok(!train.has(ch), ch);
  validateSurfaceSpec(RECOMBINED_SURFACE);
  for (const role of ["headers", "separators", "fillers"] as const) {
    for (const ch of RECOMBINED_SURFACE[role]) {
      assert.ok(train.has(ch), `recombined ${role} "${ch}" must occur in training`);
      assert.ok(!TRAIN_SURFACE[role].includes(ch), `recombined ${role} "${ch}" must be in a new role`);
    }
  }
  assert.throws(() => validateSurfaceSpec({ headers: ["Q:"], separators: ["+"], fillers: ["."] }), /exactly one character/);
  assert.throws(() => validateSurfaceSpec({ headers: ["Q"], separators: ["="], fillers: ["."] }), /reserved/);
});

test("training rows: loss mask covers exactly the completion and <eos>", () => {
  const tok = CharTokenizer.fromAlphabet(digitsAlphabet());
  const ex = renderExample(problem, form, "abstract", "grid", 6);
  const seqLen = 40;
  const r = encodeExample(tok, ex, seqLen);
  assert.equal(r.x.length, seqLen);
  const prompt = encodePrompt(tok, ex.input);
  const masked = r.y.filter((_, t) => r.mask[t] === 1);
  assert.deepEqual(masked, [...tok.encode(ex.completion), tok.eosId]);
  assert.deepEqual(r.x.slice(0, prompt.length), prompt);
  assert.deepEqual(r.y.slice(0, -1).slice(0, 5), r.x.slice(1, 6));
  assert.throws(() => encodeExample(tok, ex, 10), /raise seqLen/);
});

test("samplers are deterministic and respect the k range", () => {
  const tok = CharTokenizer.fromAlphabet(digitsAlphabet());
  const o = { format: "verbose" as const, kMin: 2, kMax: 4, kGrid: 6, layout: "grid" as const };
  const s = digitsSampler(tok, o, 48);
  assert.deepEqual(s(new Rng(5), 4), s(new Rng(5), 4));
  assert.notDeepEqual(s(new Rng(5), 4), s(new Rng(6), 4));
  const rng = new Rng(9);
  const ks = new Set<number>();
  for (let i = 0; i < 200; i++) ks.add(sampleExample(rng, o).problem.digits.length);
  assert.deepEqual([...ks].sort(), [2, 3, 4]);
  assert.throws(() => sampleExample(rng, { ...o, kGrid: 3 }), /kGrid/);
});

test("the information design crosses distinct problems with distinct forms", () => {
  const d = informationDesign(new Rng(3), 5, 2, 12, "grid", 8);
  assert.equal(d.problems.length, 20);
  assert.equal(d.forms.length, 12);
  const answers = d.problems.map((p) => p.answer);
  for (let a = 0; a < 10; a++) assert.equal(answers.filter((x) => x === a).length, 2);
  const xs = new Set<string>();
  for (const p of d.problems) for (const f of d.forms) xs.add(renderExample(p, f, "direct", "grid", 8).input);
  assert.equal(xs.size, 240);
  assert.throws(() => informationDesign(new Rng(3), 2, 11, 4, "grid", 8), /perAnswer/);
});
