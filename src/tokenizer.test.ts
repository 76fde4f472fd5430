import { test } from "node:test";
import assert from "node:assert/strict";
import { CharTokenizer, SPECIAL_TOKENS, tokenizerFromJSON, WordTokenizer } from "./tokenizer";

test("char tokenizer: fixed special ids, sorted alphabet, round trip", () => {
  const tok = CharTokenizer.fromCorpus(["hello world", "abc"]);
  assert.deepEqual(tok.vocab.slice(0, 4), [
    SPECIAL_TOKENS.pad,
    SPECIAL_TOKENS.bos,
    SPECIAL_TOKENS.eos,
    SPECIAL_TOKENS.sep,
  ]);
  assert.deepEqual([tok.padId, tok.bosId, tok.eosId, tok.sepId, tok.unkId], [0, 1, 2, 3, -1]);
  assert.deepEqual(tok.vocab.slice(4), [" ", "a", "b", "c", "d", "e", "h", "l", "o", "r", "w"]);
  assert.equal(tok.vocabSize, 15);
  const ids = tok.encode("<bos>hello<sep>cab<eos>");
  assert.equal(ids[0], tok.bosId);
  assert.equal(ids[6], tok.sepId);
  assert.equal(ids[ids.length - 1], tok.eosId);
  assert.equal(tok.decode(ids), "<bos>hello<sep>cab<eos>");
  assert.equal(tok.id("h"), 10);
  assert.equal(tok.token(10), "h");
  assert.ok(tok.isSpecial(3) && !tok.isSpecial(4));
});

test("unknown symbols are errors naming them, or <unk> when declared", () => {
  const tok = CharTokenizer.fromCorpus("abc");
  assert.throws(() => tok.encode("abz"), /unknown character "z" at position 2/);
  assert.throws(() => tok.id("<think>"), /unknown token "<think>"/);
  assert.throws(() => tok.token(99), /id 99 is outside \[0, 7\)/);
  const withUnk = CharTokenizer.fromCorpus("abc", { unk: true });
  assert.equal(withUnk.unkId, 4);
  assert.deepEqual(withUnk.encode("az"), [withUnk.id("a"), 4]);
});

test("extra specials are kept whole and survive JSON", () => {
  const tok = CharTokenizer.fromCorpus("12+3=", { specials: ["<think>", "<ans>"] });
  const ids = tok.encode("1+2<think>3<ans>3");
  assert.equal(ids.filter((i) => i === tok.id("<think>")).length, 1);
  assert.equal(ids.length, 7);
  const back = tokenizerFromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
  assert.ok(back instanceof CharTokenizer);
  assert.deepEqual(back.vocab, tok.vocab);
  assert.deepEqual(back.encode("1+2<think>3<ans>3"), ids);
});

test("word tokenizer: words and punctuation, round trip, lowercase, JSON", () => {
  const corpus = ["The cat sat.", "A dog ran, the cat sat!"];
  const tok = WordTokenizer.fromCorpus(corpus, { lowercase: true });
  assert.deepEqual(WordTokenizer.split("The cat sat."), ["The", "cat", "sat", "."]);
  const ids = tok.encode("<bos>the cat ran.<eos>");
  assert.equal(tok.decode(ids), "<bos> the cat ran . <eos>");
  assert.deepEqual(tok.encode(tok.decode(ids)), ids);
  assert.deepEqual(tok.encode("THE CAT"), tok.encode("the cat"));
  assert.throws(() => tok.encode("the bird"), /unknown word "bird" at position 4/);
  const back = tokenizerFromJSON(tok.toJSON());
  assert.ok(back instanceof WordTokenizer);
  assert.deepEqual(back.encode("the cat sat!"), tok.encode("the cat sat!"));
});

test("fromJSON rejects malformed input with the field name", () => {
  assert.throws(() => tokenizerFromJSON({ type: "bpe", vocab: [], specials: [], unk: false }), /field "type"/);
  assert.throws(() => tokenizerFromJSON({ type: "char", vocab: "abc", specials: [], unk: false }), /field "vocab"/);
  assert.throws(
    () => tokenizerFromJSON({ type: "char", vocab: ["a"], specials: [], unk: false }),
    /id 0 must be <pad>/,
  );
});
