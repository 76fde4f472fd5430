import { test } from "node:test";
import assert from "node:assert/strict";
import {
  createWorld,
  biography,
  qaItems,
  questionWords,
  worldVocabulary,
  maxBiographyWords,
  maxQAWords,
  valueWord,
  attributeValues,
  factPrompts,
  WORLD_DEFAULTS,
  ATTRIBUTES,
  WorldConfig,
} from "./world";
import { Rng } from "../rng";
import { WordTokenizer } from "../tokenizer";

const small: WorldConfig = { numEntities: 30, numAttributes: 3, valuesPerAttribute: 4, heldOutFraction: 0.5, nameParts: 1 };

test("world: same seed gives the same world; another seed a different one", () => {
  const a = createWorld(small, 7);
  const b = createWorld(small, 7);
  const c = createWorld(small, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.entities.map((e) => e.name), c.entities.map((e) => e.name));
});

test("world: names are distinct, invented, and clash with no template or value word", () => {
  for (const nameParts of [1, 2]) {
    const w = createWorld({ ...WORLD_DEFAULTS, nameParts }, 3);
    const full = w.entities.map((e) => e.name.join(" "));
    assert.equal(new Set(full).size, w.entities.length, "every person has a distinct (full) name");
    const fixed = new Set<string>();
    for (const a of ATTRIBUTES) {
      for (const t of [...a.templates, a.pronounTemplate, a.question]) t.split(" ").forEach((x) => fixed.add(x.toLowerCase()));
      a.pool.forEach((v) => fixed.add(v.toLowerCase()));
    }
    for (const e of w.entities) {
      assert.equal(e.name.length, nameParts);
      for (const part of e.name) {
        assert.match(part, /^[A-Z][a-z]+$/);
        assert.ok(!fixed.has(part.toLowerCase()), `name ${part} clashes with a fixed word`);
      }
    }
  }
});

test("world: split sizes, disjointness, and balanced values within each split", () => {
  const w = createWorld({ numEntities: 40, numAttributes: 4, valuesPerAttribute: 8, heldOutFraction: 0.5, nameParts: 1 }, 11);
  assert.equal(w.trainIds.length, 20);
  assert.equal(w.heldOutIds.length, 20);
  assert.equal(new Set([...w.trainIds, ...w.heldOutIds]).size, 40);
  for (const id of w.heldOutIds) assert.equal(w.entities[id]?.heldOut, true);
  for (const id of w.trainIds) assert.equal(w.entities[id]?.heldOut, false);
  for (let a = 0; a < 4; a++) {
    for (const ids of [w.trainIds, w.heldOutIds]) {
      const counts = new Array<number>(8).fill(0);
      for (const id of ids) counts[w.entities[id]?.values[a]]! += 1;
      // 20 people over 8 values: every value 2 or 3 times.
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `attribute ${a} is balanced: ${counts}`);
    }
  }
});

test("world: augmented biographies state every fact once with the name in every sentence; plain is fixed", () => {
  const w = createWorld(small, 5);
  const e = w.entities[0]!;
  const rng = new Rng(1);
  const seen = new Set<string>();
  for (let k = 0; k < 30; k++) {
    const bio = biography(w, e, "augmented", rng);
    for (let a = 0; a < w.attributes.length; a++) assert.equal(bio.filter((x) => x === valueWord(w, e, a)).length, 1);
    assert.equal(bio.filter((x) => x === e.name[0]).length, w.attributes.length, "name in every sentence");
    assert.equal(bio.filter((x) => x === ".").length, w.attributes.length);
    assert.ok(bio.length <= maxBiographyWords(w));
    seen.add(bio.join(" "));
  }
  assert.ok(seen.size > 10, "augmentation varies templates and order");
  const plain1 = biography(w, e, "plain");
  const plain2 = biography(w, e, "plain", new Rng(99));
  assert.deepEqual(plain1, plain2);
  assert.equal(plain1.filter((x) => x === e.name[0]).length, 1, "plain: the name once, then a pronoun");
  assert.deepEqual(plain1.slice(0, 4), [e.name[0], "lives", "in", valueWord(w, e, 0)]);
  assert.throws(() => biography(w, e, "augmented"), /needs an rng/);
});

test("world: Q/A items cover every (person, attribute) of the given split", () => {
  const w = createWorld(small, 2);
  const items = qaItems(w, w.heldOutIds);
  assert.equal(items.length, w.heldOutIds.length * w.attributes.length);
  const it = items[0]!;
  const e = w.entities[it.entity]!;
  assert.deepEqual(questionWords(w, e, 0), ["Q", ":", "where", "does", e.name[0], "live", "?", "A", ":"]);
  assert.equal(it.answer, valueWord(w, e, it.attribute));
  assert.ok(attributeValues(w, it.attribute).includes(it.answer));
  assert.ok(4 + it.question.length <= maxQAWords(w) + 4);
  const fp = factPrompts(w, e, 1);
  assert.equal(fp.length, ATTRIBUTES[1]!.templates.length);
  for (const f of fp) assert.ok(f.prefix.includes(e.name[0]!) && !f.prefix.includes(f.value));
});

test("world: the word tokenizer built from the vocabulary encodes every text one word per token", () => {
  const w = createWorld({ ...small, nameParts: 2 }, 4);
  const tok = WordTokenizer.fromCorpus(worldVocabulary(w).join(" "));
  const rng = new Rng(3);
  for (const e of w.entities.slice(0, 5)) {
    const bio = biography(w, e, "augmented", rng);
    assert.deepEqual(tok.encode(bio.join(" ")), bio.map((x) => tok.id(x)));
  }
  for (const it of qaItems(w, w.trainIds).slice(0, 5)) assert.equal(tok.encode(it.question.join(" ")).length, it.question.length);
});

test("world: bad configs are clear errors naming the field", () => {
  assert.throws(() => createWorld({ ...small, numAttributes: 9 }, 1), /WorldConfig\.numAttributes/);
  assert.throws(() => createWorld({ ...small, valuesPerAttribute: 1 }, 1), /WorldConfig\.valuesPerAttribute/);
  assert.throws(() => createWorld({ ...small, nameParts: 3 }, 1), /WorldConfig\.nameParts/);
  assert.throws(() => createWorld({ ...small, heldOutFraction: 1.5 }, 1), /WorldConfig\.heldOutFraction/);
});
