import { test } from "node:test";
import assert from "node:assert/strict";
import { deriveSeed, Rng } from "./rng";

test("same seed, same stream; different seeds differ", () => {
  const a = new Rng(42),
    b = new Rng(42),
    c = new Rng(43);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(
    Array.from({ length: 5 }, () => b.next()),
    xs,
  );
  assert.notDeepEqual(
    Array.from({ length: 5 }, () => c.next()),
    xs,
  );
});

test("state round-trips exactly, including the cached normal", () => {
  const r = new Rng(7);
  r.normal();
  const saved = JSON.parse(JSON.stringify(r.state()));
  const expected = [r.normal(), r.next(), r.int(1000)];
  const s = Rng.fromState(saved);
  assert.deepEqual([s.normal(), s.next(), s.int(1000)], expected);
});

test("deriveSeed is pure and label-sensitive", () => {
  assert.equal(deriveSeed(1, "a", 2), deriveSeed(1, "a", 2));
  assert.notEqual(deriveSeed(1, "a", 2), deriveSeed(1, "a", 3));
  assert.notEqual(deriveSeed(1, "a", 2), deriveSeed(2, "a", 2));
  assert.notEqual(deriveSeed(1, "ab"), deriveSeed(1, "a", "b"));
  const s = deriveSeed(123, "x");
  assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
});

test("fork does not advance the parent", () => {
  const a = new Rng(5),
    b = new Rng(5);
  a.fork("child").next();
  assert.equal(a.next(), b.next());
});

test("distributions: uniform mean, normal moments, categorical frequencies, shuffle is a permutation", () => {
  const r = new Rng(99);
  const n = 20000;
  let s = 0,
    s2 = 0;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
  }
  assert.ok(Math.abs(s / n) < 0.03, `normal mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.05, `normal var ${s2 / n}`);
  const counts = [0, 0, 0];
  for (let i = 0; i < n; i++) counts[r.categorical([1, 2, 7])]! += 1;
  assert.ok(Math.abs(counts[2] / n - 0.7) < 0.02);
  const p = r.permutation(50);
  assert.deepEqual(
    [...p].sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.throws(() => r.int(0), /positive integer/);
  assert.throws(() => new Rng(1.5), /integer/);
});
