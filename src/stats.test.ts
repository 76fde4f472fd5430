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

// The edges a claim's interval meets in practice: two runs (the smallest interval a verdict reads), one run (no
// interval), an accuracy clipped at 0, and a bootstrap whose statistic has no value on some resamples.
test("std and the t-interval at two runs and one, clipping at the lower bound, the t table's last row", async () => {
  const { tQuantile975 } = await import("./stats");
  assert.equal(std([1, 3]), Math.SQRT2); // two runs have a spread already (n − 1 = 1)
  assert.equal(std([4]), 0);
  const two = meanInterval([1, 3]); // t(0.975, df = 1) = 12.706; half width 12.706 · √2 / √2
  assert.ok(Math.abs(two.lo - (2 - 12.706)) < 1e-9 && Math.abs(two.hi - (2 + 12.706)) < 1e-9, JSON.stringify(two));
  assert.deepEqual(meanInterval([5]), { mean: 5, lo: 5, hi: 5, n: 1 });
  assert.ok(meanInterval([0, 0.1, 0]).lo < 0);
  assert.equal(meanInterval([0, 0.1, 0], [0, 1]).lo, 0); // clipped below as well as above
  assert.equal(tQuantile975(30), 2.042);
  assert.equal(tQuantile975(31), 1.96);
  assert.ok(Number.isNaN(tQuantile975(0)));
});

test("bootstrap: reps resamples of the sample's size; resamples without a value are dropped and counted out of n", () => {
  assert.equal(bootstrap([1, 2, 3], mean, new Rng(3), 200).n, 200);
  const sizes = new Set<number>();
  bootstrap([1, 2, 3], (s) => (sizes.add(s.length), 0), new Rng(6), 20);
  assert.deepEqual([...sizes], [3]);
  // A statistic defined only when the resample holds a 1: a quarter of the resamples of [0, 1] hold none.
  const partial = bootstrap([0, 1], (s) => (s.includes(1) ? mean(s) : NaN), new Rng(4), 400);
  assert.ok(partial.n > 250 && partial.n < 350, String(partial.n));
  assert.ok(partial.lo >= 0.5, JSON.stringify(partial));
  const none = bootstrap([1, 2], () => NaN, new Rng(5), 50);
  assert.ok(Number.isNaN(none.lo) && Number.isNaN(none.hi) && none.n === 0, JSON.stringify(none));
});

test("ratioOfMeans: one run has no interval, two runs have one, a pooled denominator of zero has no ratio", async () => {
  const { ratioOfMeans } = await import("./stats");
  assert.deepEqual(ratioOfMeans([1], [2], new Rng(1)), { mean: 0.5, lo: 0.5, hi: 0.5, n: 1 });
  // Two runs, ratios 0.5 and 1.5: resamples give 0.5, 1 or 1.5.
  const two = ratioOfMeans([1, 3], [2, 2], new Rng(2));
  assert.deepEqual([two.mean, two.lo, two.hi, two.n], [1, 0.5, 1.5, 2]);
  assert.ok(Number.isNaN(ratioOfMeans([1, 1], [0, 0], new Rng(3)).mean));
});

test("metrics: a number or an interval; isInterval, metricValue and toInterval tell them apart", async () => {
  const { isInterval, metricValue, toInterval, spearman } = await import("./stats");
  const iv = { mean: 2, lo: 1, hi: 3, n: 4 };
  assert.ok(isInterval(iv));
  assert.ok(!isInterval(2) && !isInterval(null) && !isInterval({ mean: 2, lo: 1, hi: 3 }));
  assert.equal(metricValue(iv), 2);
  assert.equal(metricValue(7), 7);
  assert.ok(Number.isNaN(metricValue(undefined)));
  assert.deepEqual(toInterval(7), { mean: 7, lo: 7, hi: 7, n: 1 });
  assert.equal(toInterval(iv), iv);
  assert.deepEqual(toInterval(undefined), { mean: NaN, lo: NaN, hi: NaN, n: 0 });
  assert.equal(spearman([1, 2], [3, 4]), 1); // two pairs are enough for a rank correlation
  assert.throws(() => mean([]), /mean: empty sample/);
  assert.throws(() => quantile([], 0.5), /quantile: empty sample/);
});
