import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../rng";
import {
  INDUCTION_DEFAULTS,
  bosToken,
  inductionSampler,
  inductionScores,
  inductionTargets,
  inductionVocabSize,
  sampleInductionBatch,
  sampleInductionSequence,
  validateInductionConfig,
} from "./induction";

const cfg = { numTokens: 12, seqLen: 20, numTriggers: 2, minRepeats: 2, maxRepeats: 4 };

test("sequences: every trigger A is followed by its target B; triggers appear only in pairs", () => {
  const rng = new Rng(1);
  const firstGaps = new Set<number>();
  for (let i = 0; i < 100; i++) {
    const { tokens, triggers, targets } = sampleInductionSequence(cfg, rng);
    assert.equal(tokens.length, cfg.seqLen + 1);
    assert.equal(tokens[0], bosToken(cfg));
    assert.equal(new Set([...triggers, ...targets]).size, 2 * cfg.numTriggers, "triggers and targets distinct");
    triggers.forEach((a, k) => {
      const at = tokens.map((t, j) => (t === a ? j : -1)).filter((j) => j >= 0);
      assert.ok(at.length >= cfg.minRepeats && at.length <= cfg.maxRepeats, `trigger ${a} occurs ${at.length} times`);
      for (const j of at) assert.equal(tokens[j + 1], targets[k], "A is always followed by its B");
      firstGaps.add(at[1]! - at[0]!);
    });
    assert.ok(tokens.slice(1).every((t) => t >= 0 && t < cfg.numTokens));
  }
  assert.ok(firstGaps.size > 5, "the distance between repeats varies");
  assert.equal(inductionVocabSize(cfg), 13);
});

test("the mask marks exactly the repeated triggers, and y there is the token after the earlier A", () => {
  const b = sampleInductionBatch(cfg, new Rng(2), 30);
  let total = 0;
  b.x.forEach((x, i) => {
    const trig = new Set(b.triggers[i]);
    for (let q = 0; q < cfg.seqLen; q++) {
      const seenBefore = x.slice(1, q).includes(x[q]!);
      const want = trig.has(x[q]!) && seenBefore ? 1 : 0;
      assert.equal(b.mask[i]![q], want, `row ${i} position ${q}`);
      if (want) {
        total++;
        const j = x.indexOf(x[q]!, 1);
        assert.equal(b.y[i]![q], x[j + 1], "the target is what followed the earlier A");
      }
      if (q + 1 < cfg.seqLen) assert.equal(b.y[i]![q], x[q + 1], "y is x shifted by one");
    }
  });
  assert.ok(total >= 30 * cfg.numTriggers * (cfg.minRepeats - 1) - 30 * cfg.numTriggers, "plenty of induction positions");
});

test("induction targets: keys are the positions after each earlier occurrence", () => {
  // <bos> 5 7 1 5 7 2 5
  const x = [9, 5, 7, 1, 5, 7, 2, 5];
  assert.deepEqual(inductionTargets(x, [5]), [
    { q: 4, keys: [2] },
    { q: 7, keys: [2, 5] },
  ]);
});

test("sampling is deterministic per seed and the sampler fits the trainer's contract", () => {
  const s = inductionSampler(INDUCTION_DEFAULTS);
  const a = s(new Rng(9), 4);
  const b = s(new Rng(9), 4);
  assert.deepEqual(a, b);
  assert.equal(a.x.length, 4);
  assert.equal(a.x[0]!.length, INDUCTION_DEFAULTS.seqLen);
  assert.notDeepEqual(s(new Rng(10), 4).x, a.x);
});

test("bad configs are rejected with the field named", () => {
  assert.throws(() => validateInductionConfig({ ...cfg, maxRepeats: 6 }), /maxRepeats/);
  assert.throws(() => validateInductionConfig({ ...cfg, minRepeats: 1 }), /minRepeats/);
  assert.throws(() => validateInductionConfig({ ...cfg, numTokens: 4 }), /numTokens/);
  assert.doesNotThrow(() => validateInductionConfig(INDUCTION_DEFAULTS));
});

test("induction scores: a perfect induction head scores 1; duplicate and previous-token heads score on their own measures", () => {
  const x = [9, 5, 7, 1, 5, 7, 2, 5];
  const T = x.length;
  const targets = inductionTargets(x, [5]);
  const mk = (pick: (q: number) => number[]) =>
    Array.from({ length: T }, (_, q) => {
      const row = new Array<number>(T).fill(0);
      const ks = pick(q);
      ks.forEach((k) => (row[k] = 1 / ks.length));
      return row;
    });
  const keysOf = (q: number) => targets.find((t) => t.q === q)?.keys ?? [0];
  const induction = mk(keysOf);
  const duplicate = mk((q) => keysOf(q).map((k) => (k > 0 ? k - 1 : 0)));
  const prev = mk((q) => [Math.max(0, q - 1)]);
  // attention[layer][batch][head][q][k]
  const scores = inductionScores([[[prev, duplicate]], [[induction]]], [x], [[5]]);
  assert.equal(scores.length, 3);
  assert.equal(scores[0]!.previousToken, 1);
  assert.equal(scores[1]!.duplicate, 1);
  assert.equal(scores[1]!.induction, 0);
  assert.equal(scores[2]!.induction, 1);
  assert.equal(scores[2]!.layer, 1);
  // uniform: (1/5 + 2/8) / 2
  assert.ok(Math.abs(scores[0]!.uniformBaseline - (1 / 5 + 2 / 8) / 2) < 1e-12);
});
