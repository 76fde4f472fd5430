import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "./rng";
import { bootstrap, mean } from "./stats";
import {
  bootstrapInfo,
  conditionalEntropy,
  doublingSizes,
  entropy,
  entropyFromCounts,
  estimateCurve,
  informationProfile,
  jointSymbols,
  mutualInformation,
} from "./info";

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("plug-in entropy matches hand-computed values", () => {
  // p = (1/2, 1/4, 1/4): H = 1.5 bits
  close(entropy(["a", "a", "b", "c"], { correction: "none" }), 1.5);
  close(entropy([1, 1, 1, 1], { correction: "none" }), 0);
  close(entropy(["x", "y"], { correction: "none" }), 1);
  // nats: uniform over 4 = ln 4
  close(entropy([0, 1, 2, 3], { correction: "none", base: Math.E }), Math.log(4));
  close(entropyFromCounts([2, 1, 1, 0], { correction: "none" }), 1.5);
  assert.ok(Number.isNaN(entropy([])));
});

test("Miller–Madow adds (m - 1) / (2N) nats", () => {
  // m = 3 bins, N = 4: correction 2/8 nats = 0.25 / ln 2 bits
  close(entropy(["a", "a", "b", "c"]), 1.5 + 0.25 / Math.LN2);
  // a single bin has no correction
  close(entropy(["a", "a", "a"]), 0);
  close(entropy(["a", "b"], { base: Math.E }), Math.log(2) + 1 / 4);
});

test("Miller–Madow reduces the bias of the plug-in estimate on a uniform source", () => {
  const rng = new Rng(7);
  const m = 32;
  const trueH = Math.log2(m);
  let plug = 0;
  let mm = 0;
  const reps = 200;
  for (let r = 0; r < reps; r++) {
    const xs = Array.from({ length: 64 }, () => rng.int(m));
    plug += entropy(xs, { correction: "none" }) / reps;
    mm += entropy(xs) / reps;
  }
  assert.ok(plug < trueH - 0.2, `plug-in should be biased low: ${plug}`);
  assert.ok(
    Math.abs(mm - trueH) < Math.abs(plug - trueH) / 2,
    `MM ${mm} should be much closer to ${trueH} than plug-in ${plug}`,
  );
});

test("mutual information: copies, functions and independence", () => {
  const xs = [0, 1, 2, 3, 0, 1, 2, 3];
  close(mutualInformation(xs, xs, { correction: "none" }), 2);
  // y = x mod 2: I = H(Y) = 1 bit
  close(
    mutualInformation(
      xs,
      xs.map((x) => x % 2),
      { correction: "none" },
    ),
    1,
  );
  // a 2x2 design with every pair once: independent, plug-in I = 0
  close(mutualInformation([0, 0, 1, 1], [0, 1, 0, 1], { correction: "none" }), 0);
  // Miller–Madow: (1 + 1 - 3) / (2 * 4) nats, not clipped
  close(mutualInformation([0, 0, 1, 1], [0, 1, 0, 1], { base: Math.E }), -1 / 8);
  close(conditionalEntropy([0, 1, 0, 1], [0, 0, 1, 1], { correction: "none" }), 1);
  assert.throws(() => mutualInformation([1, 2], [1]), /paired/);
});

test("joint symbols are unambiguous", () => {
  const j = jointSymbols(["a,b", "a"], ["c", "b,c"]);
  assert.notEqual(j[0], j[1]);
  assert.throws(() => jointSymbols([1, 2], [1]), /column 1/);
});

test("information profile of a bottleneck: Z keeps the problem, drops the form", () => {
  const samples = [];
  for (let p = 0; p < 4; p++) for (let f = 0; f < 4; f++) samples.push({ x: `${p}-${f}`, z: `z${p}`, y: p % 2 });
  const prof = informationProfile(samples, { correction: "none" });
  close(prof.hX, 4);
  close(prof.hZ, 2);
  close(prof.hY, 1);
  close(prof.iXZ, 2);
  close(prof.iZY, 1);
});

test("bootstrap interval brackets the estimate and curves converge", () => {
  const rng = new Rng(3);
  const items = Array.from({ length: 400 }, () => ({ x: rng.int(8), z: 0, y: 0 }));
  const stat = (s: ReadonlyArray<{ x: number }>): number => entropy(s.map((r) => r.x));
  const iv = bootstrapInfo(items, stat, new Rng(4), 100);
  assert.ok(iv.lo <= iv.mean && iv.mean <= iv.hi + 1e-9, JSON.stringify(iv));
  assert.ok(iv.hi - iv.lo < 0.3);
  const sizes = doublingSizes(25, 400);
  assert.deepEqual(sizes, [25, 50, 100, 200, 400]);
  const curve = estimateCurve(items, stat, sizes, new Rng(5), 10);
  assert.equal(curve.length, 5);
  const last = curve[curve.length - 1]!;
  assert.equal(last.lo, last.hi);
  assert.ok(Math.abs(curve[3]!.mean - last.mean) < 0.1);
  assert.ok(curve[0]!.hi - curve[0]!.lo > curve[3]!.hi - curve[3]!.lo);
});

test("the shifted bootstrap interval corrects the downward bias of resampled entropies", () => {
  const rng = new Rng(11);
  const items = Array.from({ length: 150 }, () => rng.int(100));
  const stat = (s: ReadonlyArray<number>): number => entropy(s);
  const pct = bootstrapInfo(items, stat, new Rng(12), 200, "percentile");
  const shifted = bootstrapInfo(items, stat, new Rng(12), 200);
  assert.ok(pct.hi < pct.mean, `percentile interval should miss the point here: ${JSON.stringify(pct)}`);
  assert.ok(shifted.lo <= shifted.mean && shifted.mean <= shifted.hi, JSON.stringify(shifted));
  close(shifted.hi - shifted.lo, pct.hi - pct.lo, 1e-9);
  assert.equal(shifted.mean, pct.mean);
  // The shift is the bias of the resamples alone (mean over resamples − point estimate), as stats.ts draws them.
  const resampled: number[] = [];
  bootstrap(items, (sample) => (resampled.push(stat(sample)), 0), new Rng(12), 200);
  const bias = mean(resampled.slice(1)) - pct.mean;
  close(shifted.lo, pct.lo - bias, 1e-9);
  assert.throws(() => bootstrapInfo([], stat, new Rng(1)), /no samples/);
});

test("coded estimates equal the symbol estimates, over all samples and over a resample's indices", async () => {
  const { codeSamples, codedProfile, entropyOfCodes, encodeSymbols } = await import("./info");
  const rng = new Rng(21);
  // X with 6 values, Z mostly X mod 3 (3 values), Y of Z with noise: every (X, Z) pair occurs, so joint codes
  // that collided (e.g. x-code 0 with z-code 1 and x-code 3 with z-code 0) would merge pairs.
  const samples = Array.from({ length: 300 }, () => {
    const x = rng.int(6);
    const z = rng.next() < 0.7 ? x % 3 : rng.int(3);
    return { x, z: `z${z}`, y: rng.next() < 0.8 ? z : rng.int(4) };
  });
  const coded = codeSamples(samples);
  const whole = codedProfile(coded);
  const ref = informationProfile(samples);
  for (const k of ["hX", "hZ", "hY", "iXZ", "iZY"] as const) close(whole[k], ref[k], 1e-9);
  const index = Array.from({ length: 120 }, () => rng.int(samples.length)); // with repeats, as a bootstrap draws
  const sub = codedProfile(coded, undefined, index);
  const subRef = informationProfile(index.map((i) => samples[i]!));
  assert.equal(sub.n, 120);
  for (const k of ["hX", "hZ", "hY", "iXZ", "iZY"] as const) close(sub[k], subRef[k], 1e-9);
  const { codes, size } = encodeSymbols(["a", "b", "a", "c"]);
  assert.deepEqual([...codes], [0, 1, 0, 2]);
  close(entropyOfCodes(codes, size, { correction: "none" }, [0, 2]), 0);
  close(entropyOfCodes(codes, size, { correction: "none" }), 1.5);
});

test("information estimates refuse bad input by name", () => {
  assert.throws(() => entropy([1, 2], { base: 1 }), /options.base: must be a finite number > 1/);
  assert.throws(() => entropy([1, 2], { base: Infinity }), /options.base/);
  assert.throws(() => entropyFromCounts([1, -1]), /counts must be finite and >= 0, got -1/);
  assert.throws(() => entropyFromCounts([1, Infinity]), /counts must be finite/);
  assert.ok(Number.isNaN(entropyFromCounts([0, 0])));
  assert.throws(() => jointSymbols(), /pass at least one column/);
  const stat = (s: ReadonlyArray<number>): number => entropy(s);
  assert.throws(() => estimateCurve([1, 2], stat, [1], new Rng(1), 0), /reps must be a positive integer, got 0/);
  assert.equal(estimateCurve([1, 2], stat, [1], new Rng(1), 1).length, 1);
  assert.throws(() => estimateCurve([1, 2], stat, [0], new Rng(1)), /sizes must be positive integers, got 0/);
  assert.throws(() => estimateCurve([1, 2], stat, [1.5], new Rng(1)), /sizes must be positive integers/);
  assert.throws(() => doublingSizes(0, 4), /need 1 <= start <= max/);
  assert.throws(() => doublingSizes(8, 4), /need 1 <= start <= max/);
  assert.deepEqual(doublingSizes(1, 1), [1]);
  assert.deepEqual(doublingSizes(4, 4), [4]);
});

test("estimate curves: sizes past the sample are left out, so are sizes where the statistic never has a value", () => {
  const items = [1, 2, 3, 4, 5, 6, 7, 8];
  const curve = estimateCurve(items, (s) => s.length, [1, 4, 8, 16], new Rng(2), 5);
  assert.deepEqual(
    curve.map((p) => [p.n, p.mean, p.lo, p.hi]),
    [
      [1, 1, 1, 1],
      [4, 4, 4, 4],
      [8, 8, 8, 8],
    ],
  );
  // A statistic with a value only on the whole sample: the smaller size has no point.
  const whole = estimateCurve(items, (s) => (s.length === 8 ? 1 : NaN), [2, 8], new Rng(3), 4);
  assert.deepEqual(
    whole.map((p) => p.n),
    [8],
  );
  assert.deepEqual(
    estimateCurve(items, () => NaN, [2, 8], new Rng(4)),
    [],
  );
});

test("bootstrapInfo: the shift is the bias of the resamples that have a value", () => {
  // The statistic is 1 on resamples holding a 1 and NaN otherwise: no bias, no shift.
  const iv = bootstrapInfo([0, 1, 1], (s) => (s.includes(1) ? 1 : NaN), new Rng(5), 100);
  assert.deepEqual([iv.mean, iv.lo, iv.hi], [1, 1, 1]);
  const none = bootstrapInfo([0, 1], () => NaN, new Rng(6), 20);
  assert.equal(none.n, 0);
});

test("estimate curves: `reps` subsamples of n distinct items per size, the whole sample once", () => {
  const items = [10, 11, 12, 13, 14, 15, 16, 17];
  const seen: number[][] = [];
  const record = (s: ReadonlyArray<number>): number => {
    seen.push([...s]);
    return s.length;
  };
  estimateCurve(items, record, [3, 8], new Rng(6), 4);
  assert.deepEqual(
    seen.map((s) => s.length),
    [3, 3, 3, 3, 8],
  );
  for (const s of seen) assert.equal(new Set(s).size, s.length, `a subsample repeats an item: ${s}`);
  assert.deepEqual(seen[4], items);
});
