import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bootstrapMany,
  bradleyTerry,
  chinchillaLoss,
  chinchillaOptimum,
  computeOptimalFrontier,
  crossoverPoint,
  fitChinchilla,
  fitPowerLaw,
  fitSizeExponent,
  huber,
  interpolateLogLog,
  linearFit,
  logSpace,
  lowerEnvelope,
  nelderMead,
  powerLaw,
  rSquared,
  winMatrix,
} from "./fit";
import { Rng } from "./rng";

const close = (a: number, b: number, tol: number, what = ""): void =>
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);

test("nelderMead finds the minimum of the Rosenbrock function", () => {
  const rosen = (x: ReadonlyArray<number>): number => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
  const r = nelderMead(rosen, [-1.2, 1], { maxIter: 5000, tol: 1e-16 });
  close(r.x[0], 1, 1e-4, "x");
  close(r.x[1], 1, 1e-4, "y");
  assert.ok(r.converged);
});

test("nelderMead treats non-finite values as a barrier", () => {
  const f = (x: ReadonlyArray<number>): number => (x[0] < 0 ? NaN : (x[0] - 2) ** 2);
  const r = nelderMead(f, [5], { step: 10 });
  close(r.x[0], 2, 1e-4);
});

test("huber is quadratic inside delta and linear outside", () => {
  assert.equal(huber(0.5, 1), 0.125);
  assert.equal(huber(-3, 1), 2.5);
  assert.equal(huber(3, Infinity), 4.5);
});

test("rSquared and linearFit on hand-computed values", () => {
  assert.equal(rSquared([1, 2, 3], [1, 2, 3]), 1);
  close(rSquared([1, 2, 3], [2, 2, 2]), 0, 1e-12);
  const f = linearFit([0, 1, 2, 3], [1, 3, 5, 7]);
  close(f.slope, 2, 1e-12);
  close(f.intercept, 1, 1e-12);
  close(f.r2, 1, 1e-12);
});

test("fitPowerLaw recovers E, A, alpha from exact data and from noisy data", () => {
  const truth = { E: 1.2, A: 30, alpha: 0.4 };
  const ns = logSpace(1e3, 1e5, 8);
  const exact = fitPowerLaw(
    ns,
    ns.map((n) => powerLaw(truth, n)),
  );
  close(exact.alpha, 0.4, 1e-3, "alpha");
  close(exact.E, 1.2, 1e-3, "E");
  close(exact.A, 30, 0.2, "A");
  close(exact.r2, 1, 1e-9);
  const rng = new Rng(3);
  const noisy = fitPowerLaw(
    ns,
    ns.map((n) => powerLaw(truth, n) * (1 + 0.002 * rng.normal())),
  );
  close(noisy.alpha, 0.4, 0.1, "noisy alpha");
  assert.ok(noisy.r2 > 0.99);
});

test("fitPowerLaw returns NaNs with fewer than 3 distinct sizes", () => {
  assert.ok(Number.isNaN(fitPowerLaw([10, 10, 20], [3, 3, 2]).alpha));
});

test("fitChinchilla recovers the joint form from a grid of runs", () => {
  const truth = { E: 0.9, A: 20, B: 300, alpha: 0.35, beta: 0.3 };
  const pts: { n: number; d: number; loss: number }[] = [];
  for (const n of logSpace(500, 5e4, 6))
    for (const d of logSpace(1e5, 2e6, 5)) pts.push({ n, d, loss: chinchillaLoss(truth, n, d) });
  const f = fitChinchilla(pts);
  close(f.alpha, 0.35, 0.01, "alpha");
  close(f.beta, 0.3, 0.01, "beta");
  close(f.E, 0.9, 0.02, "E");
  assert.ok(f.r2 > 0.9999);
  // A Huber fit shrugs off one wild point.
  const bad = pts.map((p, i) => (i === 7 ? { ...p, loss: p.loss * 1.5 } : p));
  const g = fitChinchilla(bad);
  close(g.alpha, 0.35, 0.03, "robust alpha");
});

test("fitChinchilla with E pinned recovers the other parameters, and a wrong E moves them", () => {
  const truth = { E: 0.9, A: 20, B: 300, alpha: 0.35, beta: 0.3 };
  const pts: { n: number; d: number; loss: number }[] = [];
  for (const n of logSpace(500, 5e4, 6))
    for (const d of logSpace(1e5, 2e6, 5)) pts.push({ n, d, loss: chinchillaLoss(truth, n, d) });
  const f = fitChinchilla(pts, { fixedE: 0.9 });
  assert.equal(f.E, 0.9);
  close(f.alpha, 0.35, 0.01, "alpha");
  close(f.beta, 0.3, 0.01, "beta");
  const g = fitChinchilla(pts, { fixedE: 0.5 });
  assert.equal(g.E, 0.5);
  assert.ok(g.objective > f.objective, "a wrong E fits worse");
  assert.throws(() => fitChinchilla(pts, { fixedE: 0 }), /fixedE/);
});

test("chinchillaOptimum allocates with exponent beta/(alpha+beta) and minimises the loss at fixed compute", () => {
  const fit = { E: 1, A: 20, B: 300, alpha: 0.3, beta: 0.3 };
  const o = chinchillaOptimum(fit, 1e12);
  close(o.a, 0.5, 1e-12);
  const at = (n: number): number => chinchillaLoss(fit, n, 1e12 / 6 / n);
  assert.ok(at(o.n) <= at(o.n * 1.1) && at(o.n) <= at(o.n / 1.1));
});

test("interpolateLogLog is exact on power laws and NaN outside the range", () => {
  close(interpolateLogLog([1, 100], [1, 0.01], 10), 0.1, 1e-12);
  assert.ok(Number.isNaN(interpolateLogLog([1, 100], [1, 2], 200)));
});

test("computeOptimalFrontier recovers a = 0.5 from curves drawn from a Chinchilla surface", () => {
  const fit = { E: 1, A: 20, B: 300, alpha: 0.3, beta: 0.3 };
  const runs = [];
  for (const n of logSpace(1e3, 1e6, 13)) {
    const ds = logSpace(1e4, 1e9, 30);
    runs.push({ n, points: ds.map((d) => ({ flops: 6 * n * d, loss: chinchillaLoss(fit, n, d) })) });
  }
  const f = computeOptimalFrontier(runs, { numPoints: 60 });
  close(f.a, 0.5, 0.08, "a");
  assert.ok(f.envelope.length > 10);
  assert.ok(f.envelope.some((p) => p.clipped));
});

test("crossoverPoint finds where B drops below A, and the always/never cases", () => {
  const grid = [1, 2, 4, 8];
  const c = crossoverPoint(grid, [5, 4, 3, 2], [6, 4.5, 2.5, 1.5]);
  assert.equal(c.kind, "crosses");
  assert.ok(c.x > 2 && c.x < 4);
  close(c.x, Math.exp(Math.log(2) + 0.5 * Math.log(2)), 1e-9); // diffs +0.5 then -0.5: halfway in log
  assert.equal(crossoverPoint(grid, [5, 4, 3, 2], [4, 3, 2, 1]).kind, "always");
  assert.equal(crossoverPoint(grid, [1, 1, 1, 1], [2, 2, 2, 2]).kind, "never");
  assert.equal(crossoverPoint(grid, [NaN, NaN, 1, 1], [1, 1, NaN, NaN]).kind, "none");
});

test("lowerEnvelope takes the best covering curve", () => {
  const env = lowerEnvelope(
    [
      { xs: [1, 4], ys: [4, 1] },
      { xs: [1, 2], ys: [3, 0.5] },
    ],
    [1, 2, 4, 8],
  );
  [3, 0.5, 1].forEach((v, i) => close(env[i], v, 1e-12, `env[${i}]`));
  assert.ok(Number.isNaN(env[3] as number));
});

test("winMatrix counts wins and splits ties", () => {
  // Player 0 wins items 0 and 3, item 1 is a tie, player 1 wins item 2.
  assert.deepEqual(
    winMatrix([
      [1, 2, 3, 5],
      [0, 2, 4, 1],
    ]),
    [
      [0, 2.5],
      [1.5, 0],
    ],
  );
  assert.deepEqual(
    winMatrix(
      [
        [1, 2, 3, 5],
        [0, 2, 4, 1],
      ],
      [2, 2],
    ),
    [
      [0, 0],
      [2, 0],
    ],
  );
});

test("bradleyTerry recovers strengths; fitSizeExponent recovers gamma", () => {
  // Exact expected win counts for strengths p = N^gamma with N = 1, 2, 4, 8 and gamma = 0.7.
  const sizes = [1, 2, 4, 8];
  const gamma = 0.7;
  const games = 1000;
  const wins = sizes.map((ni, i) =>
    sizes.map((nj, j) => (i === j ? 0 : (games * ni ** gamma) / (ni ** gamma + nj ** gamma))),
  );
  const p = bradleyTerry(wins);
  for (let i = 1; i < 4; i++)
    close(Math.log((p[i] as number) / (p[0] as number)), gamma * Math.log(sizes[i] as number), 1e-6, `p${i}`);
  close(fitSizeExponent(sizes, wins), gamma, 1e-8, "gamma");
  // Hand check for two players: 3 wins vs 1, sizes 2 vs 1: 2^g = 3, g = log 3 / log 2.
  close(
    fitSizeExponent(
      [2, 1],
      [
        [0, 3],
        [1, 0],
      ],
    ),
    Math.log(3) / Math.log(2),
    1e-9,
  );
  assert.ok(
    Number.isNaN(
      fitSizeExponent(
        [2, 1],
        [
          [0, 3],
          [0, 0],
        ],
      ),
    ),
  );
});

test("bootstrapMany gives intervals that contain the truth for a mean", () => {
  const rng = new Rng(11);
  const xs = Array.from({ length: 200 }, () => rng.normal(5, 1));
  const r = bootstrapMany(xs, (s) => ({ m: s.reduce((a, b) => a + b, 0) / s.length }), new Rng(2), 300);
  const m = r["m"];
  assert.ok(m !== undefined && m.lo < 5 && m.hi > 5 && m.n === 300);
  assert.ok(m.hi - m.lo < 0.5);
});

// With α = β the loss is flat along some mutants' answers (a wrong exponent sends N to 0, where the loss is
// infinite on both sides): unequal exponents, the budget checked, and the optimum found by a search.
test("chinchillaOptimum: N and D on the budget C = 6ND, at the minimum a log-grid search finds", () => {
  const fit = { E: 1.7, A: 400, B: 410, alpha: 0.34, beta: 0.28 };
  for (const C of [1e15, 1e18]) {
    const o = chinchillaOptimum(fit, C);
    close(o.a, 0.28 / 0.62, 1e-12);
    close((6 * o.n * o.d) / C, 1, 1e-12, "on the budget");
    let best = NaN;
    let bestLoss = Infinity;
    for (const n of logSpace(1e3, 1e12, 4001)) {
      const loss = chinchillaLoss(fit, n, C / 6 / n);
      if (loss < bestLoss) [best, bestLoss] = [n, loss];
    }
    close(Math.log(o.n / best), 0, 0.01, `N at C = ${C}`);
  }
});

test("interpolateLogLog across several segments, at one point and outside; logSpace's ends and single point", () => {
  const xs = [1, 10, 100, 1000];
  const ys = [1, 0.1, 0.1, 0.001];
  close(interpolateLogLog(xs, ys, 50), 0.1, 1e-12); // the flat middle segment
  close(interpolateLogLog(xs, ys, Math.sqrt(10)), Math.sqrt(0.1), 1e-12); // half-way in log on the first
  close(interpolateLogLog(xs, ys, 1000), 0.001, 1e-12);
  close(interpolateLogLog(xs, ys, 1), 1, 1e-12);
  assert.ok(Number.isNaN(interpolateLogLog(xs, ys, 0.5)));
  assert.ok(Number.isNaN(interpolateLogLog([], [], 1)));
  assert.equal(interpolateLogLog([5], [2], 5), 2);
  close(interpolateLogLog([1, 1, 10], [3, 3, 0.3], 1), 3, 1e-12); // a repeated x is no division by zero
  assert.deepEqual(logSpace(1, 100, 1), [10]);
  const three = logSpace(1, 100, 3);
  [1, 10, 100].forEach((v, i) => close(three[i] as number, v, 1e-9));
});

test("fits refuse what they cannot fit: bad input by name, too few distinct sizes as NaN", () => {
  assert.throws(() => fitPowerLaw([1, 2], [1]), /fitPowerLaw: 2 x values but 1 y values/);
  assert.throws(() => fitPowerLaw([1, 0, 3], [1, 1, 1]), /x and y must be positive/);
  assert.throws(() => fitPowerLaw([1, 2, 3], [1, -1, 1]), /x and y must be positive/);
  assert.ok(Number.isNaN(fitPowerLaw([1, 2, 2, 1], [3, 2, 2, 3]).alpha)); // two distinct sizes
  const loss = (n: number, d: number): number => 2 + 10 / n ** 0.3 + 10 / d ** 0.3;
  const grid = [1e3, 1e4, 1e5, 1e6, 1e7].flatMap((n) => [1e5, 1e6].map((d) => ({ n, d, loss: loss(n, d) })));
  const oneN = [1e5, 1e6, 1e7, 1e8, 1e9].map((d) => ({ n: 1e4, d, loss: loss(1e4, d) }));
  assert.throws(() => fitChinchilla([...grid, { n: 0, d: 1, loss: 1 }]), /n, d and loss must be positive/);
  assert.throws(() => fitChinchilla([...grid, { n: 1, d: 0, loss: 1 }]), /n, d and loss must be positive/);
  assert.throws(() => fitChinchilla([...grid, { n: 1, d: 1, loss: 0 }]), /n, d and loss must be positive/);
  assert.ok(Number.isNaN(fitChinchilla(grid.slice(0, 4)).alpha)); // fewer than five runs
  assert.ok(Number.isNaN(fitChinchilla(grid.filter((p) => p.d === 1e5)).alpha)); // one D only
  assert.ok(Number.isNaN(fitChinchilla(oneN).alpha)); // one N only
  assert.ok(Number.isFinite(fitChinchilla(grid).alpha));
});

test("bradleyTerry's prior keeps a player who never won finite; fitSizeExponent needs a pair of unequal sizes that played", () => {
  // Player 1 beat player 0 five times out of five; a prior of 1 win each way makes it 6 to 1.
  const p = bradleyTerry(
    [
      [0, 0],
      [5, 0],
    ],
    { prior: 1 },
  );
  close((p[1] as number) / (p[0] as number), 6, 1e-6, "strength ratio");
  const equalSizes = [
    [0, 3],
    [2, 0],
  ];
  assert.ok(Number.isNaN(fitSizeExponent([5, 5], equalSizes)));
  const noGames = [
    [0, 0],
    [0, 0],
  ];
  assert.ok(Number.isNaN(fitSizeExponent([1, 10], noGames)));
});
