import { test } from "node:test";
import assert from "node:assert/strict";
import { stationary, ZipfLanguage, zipfLanguageConfig } from "./zipf-language";
import { Rng } from "../rng";

const small = { lexiconSize: 512, numClasses: 4, classBranching: 2 };

test("same seed gives the same lexicon, grammar and text; another seed differs", () => {
  const a = new ZipfLanguage(small, 7);
  const b = new ZipfLanguage(small, 7);
  const c = new ZipfLanguage(small, 8);
  assert.deepEqual(a.lexicon, b.lexicon);
  assert.deepEqual(a.transitions, b.transitions);
  assert.deepEqual(a.sampleTokens(new Rng(1), 200), b.sampleTokens(new Rng(1), 200));
  assert.notDeepEqual(a.lexicon.map((w) => w.text), c.lexicon.map((w) => w.text));
});

test("the lexicon holds distinct words of allowed lengths, short words first on average", () => {
  const L = new ZipfLanguage({}, 3);
  const c = L.config;
  assert.equal(L.lexicon.length, c.lexiconSize);
  assert.equal(new Set(L.lexicon.map((w) => w.text)).size, c.lexiconSize);
  for (const w of L.lexicon) assert.ok(w.letters.length >= c.minWordLength && w.letters.length <= c.maxWordLength, w.text);
  const meanLen = (ws: typeof L.lexicon): number => ws.reduce((s, w) => s + w.letters.length, 0) / ws.length;
  assert.ok(meanLen(L.lexicon.slice(0, 100)) < meanLen(L.lexicon.slice(-100)));
  const total = L.lexicon.reduce((s, w) => s + w.probability, 0);
  assert.ok(Math.abs(total - 1) < 1e-9, `word probabilities sum to ${total}`);
});

test("the class chain is row-stochastic and its stationary distribution is invariant", () => {
  const L = new ZipfLanguage({}, 4);
  for (const row of L.transitions) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  const pi = L.classStationary;
  for (let b = 0; b < pi.length; b++) {
    const v = pi.reduce((s, p, a) => s + p * ((L.transitions[a] as number[])[b] as number), 0);
    assert.ok(Math.abs(v - pi[b]) < 1e-9);
  }
  // A periodic two-state chain still converges (lazy power iteration).
  assert.deepEqual(stationary([[0, 1], [1, 0]]).map((x) => Math.round(x * 1e6) / 1e6), [0.5, 0.5]);
});

test("the entropy rate matches a Monte Carlo estimate of -log p per token", () => {
  const L = new ZipfLanguage(small, 5);
  const rng = new Rng(9);
  const words = L.sampleWords(rng, 40000);
  const tokens = words.reduce((s, w) => s + (L.lexicon[w]?.letters.length ?? 0) + 1, 0);
  const mc = -L.wordsLogProb(words) / tokens;
  const h = L.entropyRate();
  assert.ok(Math.abs(mc - h) / h < 0.02, `Monte Carlo ${mc} vs exact ${h}`);
  assert.ok(h < L.unigramEntropy(), "context must help");
});

test("word frequencies follow the model probabilities (the Zipf head)", () => {
  const L = new ZipfLanguage({}, 6);
  const words = L.sampleWords(new Rng(2), 50000);
  const counts = new Map<number, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  for (const w of L.lexicon.slice(0, 5)) {
    const f = (counts.get(w.rank - 1) ?? 0) / words.length;
    assert.ok(Math.abs(f - w.probability) < 4 * Math.sqrt(w.probability / words.length) + 1e-4, `${w.text}: ${f} vs ${w.probability}`);
  }
  assert.ok(L.tailMass(100) > L.tailMass(1000) && L.tailMass(1000) > 0);
});

test("batchSampler returns [B][T] windows with y = x shifted by one", () => {
  const L = new ZipfLanguage(small, 1);
  const b = L.batchSampler(12)(new Rng(4), 5);
  assert.equal(b.x.length, 5);
  for (let i = 0; i < 5; i++) {
    assert.equal((b.x[i] as number[]).length, 12);
    assert.deepEqual((b.x[i] as number[]).slice(1), (b.y[i] as number[]).slice(0, 11));
    for (const t of b.x[i] as number[]) assert.ok(t >= 0 && t < L.vocabSize);
  }
});

test("continuation items: a context ending in a space, then a lexicon word and a space", () => {
  const L = new ZipfLanguage(small, 2);
  const texts = new Set(L.lexicon.map((w) => w.text));
  for (const it of L.continuationItems(new Rng(3), 50, 10)) {
    assert.equal(it.prefix.length, 10);
    assert.equal(it.prefix[9], L.spaceId);
    assert.equal(it.continuation[it.continuation.length - 1], L.spaceId);
    assert.ok(texts.has(L.decode(it.continuation.slice(0, -1))));
  }
});

test("encode/decode round-trip and clear errors for bad input", () => {
  const L = new ZipfLanguage(small, 2);
  assert.equal(L.decode(L.encode("abc de")), "abc de");
  assert.throws(() => L.encode("xyz"), /not in the 16-letter alphabet/);
  assert.throws(() => zipfLanguageConfig({ lexiconSize: 100000, maxWordLength: 3 }), /lexiconSize/);
  assert.throws(() => new ZipfLanguage({ classBranching: 99 }, 1), /classBranching/);
});
