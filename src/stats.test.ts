import { test } from "node:test";
import assert from "node:assert/strict";
import { bootstrap, mean, meanInterval, quantile, std } from "./stats";
import { Rng } from "./rng";

test("mean, std and the t-interval match hand-computed values", () => {
  assert.equal(mean([1, 2, 3]), 2);
  assert.equal(std([1, 2, 3]), 1);
  const iv = meanInterval([1, 2, 3]);
  // t(0.975, df=2) = 4.303; half width = 4.303 * 1 / sqrt(3)
  assert.ok(Math.abs(iv.hi - (2 + 4.303 / Math.sqrt(3))) < 1e-9);
  assert.equal(iv.n, 3);
  assert.deepEqual(meanInterval([0.9, 1, 1], [0, 1]).hi, 1);
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
});

test("bootstrap interval covers the mean of a seeded sample", () => {
  const rng = new Rng(1);
  const xs = Array.from({ length: 200 }, () => rng.normal(5, 1));
  const iv = bootstrap(xs, mean, new Rng(2), 500);
  assert.ok(iv.lo < 5 && 5 < iv.hi, JSON.stringify(iv));
  assert.ok(iv.hi - iv.lo < 0.5);
});

test("spearman: ranks with ties, monotone and anti-monotone pairs, constant samples", async () => {
  const { ranks, spearman } = await import("./stats");
  assert.deepEqual(ranks([10, 30, 20, 20]), [1, 4, 2.5, 2.5]);
  assert.equal(spearman([1, 2, 3, 4], [1, 4, 9, 16]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // Ranks x = [1, 2, 3], y = [1, 3, 2]: deviations (-1, 0, 1) and (-1, 1, 0), r = 1 / 2.
  assert.ok(Math.abs(spearman([1, 2, 3], [1, 3, 2]) - 0.5) < 1e-12);
  assert.ok(Number.isNaN(spearman([1, 2, 3], [5, 5, 5])));
  assert.ok(Number.isNaN(spearman([1], [2])));
  assert.throws(() => spearman([1, 2], [1]), /spearman: 2 x values but 1 y values/);
});

test("ratioOfMeans: the pooled ratio with a bootstrap over runs; robust to one near-zero denominator", async () => {
  const { ratioOfMeans } = await import("./stats");
  const iv = ratioOfMeans([1, 2, 3], [2, 4, 6], new Rng(1));
  assert.equal(iv.mean, 0.5);
  assert.equal(iv.n, 3);
  assert.ok(Math.abs(iv.lo - 0.5) < 1e-12 && Math.abs(iv.hi - 0.5) < 1e-12, "a constant ratio has no spread");
  // Mean of per-run ratios would be (2 + 2 + 100) / 3 ≈ 35; the pooled ratio stays near 2.
  const robust = ratioOfMeans([0.4, 0.4, 0.2], [0.2, 0.2, 0.002], new Rng(2));
  assert.ok(Math.abs(robust.mean - 1 / 0.402) < 1e-9, String(robust.mean));
  assert.ok(robust.lo >= 1.9 && robust.hi <= 100 + 1e-9, JSON.stringify(robust));
  assert.ok(Number.isNaN(ratioOfMeans([1, 1], [-1, 0], new Rng(3)).mean));
  assert.throws(() => ratioOfMeans([1], [1, 2], new Rng(4)), /ratioOfMeans: 1 numerators but 2 denominators/);
});
