import { test } from "node:test";
import assert from "node:assert/strict";
import { defineExercise, ExerciseOutOfRangeError, formatRange } from "./exercise";
import { exercises } from "../exercises";

const ex = defineExercise<{ profile: "smoke" | "quick"; x: number; changed: boolean }>({
  id: "test.e1",
  quantity: "x",
  expected: { smoke: [0, 10], quick: [4, 6] },
  why: "because.",
  ifNot: "the config.",
  precondition: (r) => (r.changed ? null : "make the change first"),
  read: (r) => r.x,
});

test("an exercise check: the range of the result's profile, what to look at when outside, the precondition first", () => {
  assert.equal(ex.evaluate({ profile: "quick", x: 5, changed: true }).ok, true);
  const out = ex.evaluate({ profile: "quick", x: 7, changed: true });
  assert.equal(out.ok, false);
  assert.match(out.message, /outside the expected 4–6 at quick\. Look at: the config\./);
  assert.equal(ex.evaluate({ profile: "smoke", x: 7, changed: true }).ok, true, "smoke has its own range");
  assert.equal(ex.evaluate({ profile: "quick", x: NaN, changed: true }).ok, false, "NaN is never in range");
  const pre = ex.evaluate({ profile: "quick", x: 5, changed: false });
  assert.equal(pre.ok, false);
  assert.match(pre.message, /make the change first/);
  assert.equal(ex.evaluate({ profile: "smoke", x: 7, changed: true }, { profile: "quick" }).ok, false);
});

test("strict mode (the exercise tests) throws on a result out of range; otherwise the check only tells", () => {
  const old = process.env["GEN2BRAIN_EXERCISES_STRICT"];
  try {
    process.env["GEN2BRAIN_EXERCISES_STRICT"] = "1";
    assert.throws(() => ex({ profile: "quick", x: 9, changed: true }), ExerciseOutOfRangeError);
    assert.doesNotThrow(() => ex({ profile: "quick", x: 5, changed: true }));
    delete process.env["GEN2BRAIN_EXERCISES_STRICT"];
    assert.doesNotThrow(() => ex({ profile: "quick", x: 9, changed: true }));
  } finally {
    if (old === undefined) delete process.env["GEN2BRAIN_EXERCISES_STRICT"];
    else process.env["GEN2BRAIN_EXERCISES_STRICT"] = old;
  }
});

test("ranges are written as the notebooks state them; every registered check has lo ≤ hi at smoke and quick", () => {
  assert.equal(formatRange([0.62, 0.75]), "0.62–0.75");
  assert.equal(formatRange([1.35, 1.45]), "1.35–1.45");
  assert.throws(() => defineExercise({ ...ex.spec, expected: { smoke: [2, 1], quick: [0, 1] } }), /lo ≤ hi/);
  for (const [key, fns] of Object.entries(exercises))
    for (const [id, fn] of Object.entries(
      fns as unknown as Record<string, { spec: { expected: Record<string, number[]> } }>,
    ))
      for (const p of ["smoke", "quick"]) {
        const r = fn.spec.expected[p] as number[];
        assert.ok(r.length === 2 && (r[0] as number) <= (r[1] as number), `${key}.${id} ${p}`);
      }
});
