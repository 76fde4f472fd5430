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
  logSumExp,
  lowerEnvelope,
  multiStartMinimize,
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

test("lowerEnvelope takes the best covering curve, whichever comes first", () => {
  const first = lowerEnvelope(
    [
      { xs: [1, 2], ys: [1, 1] },
      { xs: [1, 2], ys: [2, 2] },
    ],
    [1, 2],
  );
  assert.deepEqual(first, [1, 1]);
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

// Mutation testing's second round on fit.ts: the optimiser under every fit, the frontier's bracketing, the
// MM and Newton iterations and the bootstrap's bookkeeping.

test("nelderMead refuses an empty or non-finite start, and starts from x0 plus one step per coordinate", () => {
  assert.throws(() => nelderMead(() => 0, []), /x0 must have at least one coordinate/);
  assert.throws(() => nelderMead(() => 0, [1, NaN]), /x0 must be finite/);
  const firstThree = (opts: Parameters<typeof nelderMead>[2]): number[][] => {
    const seen: number[][] = [];
    const f = (x: ReadonlyArray<number>): number => {
      seen.push([...x]);
      return x[0] ** 2 + x[1] ** 2;
    };
    nelderMead(f, [10, 0.5], opts);
    return seen.slice(0, 3);
  };
  // Default step 0.1·max(1, |x0_i|): 1 for x0 = 10, 0.1 for x0 = 0.5.
  assert.deepEqual(firstThree({}), [
    [10, 0.5],
    [11, 0.5],
    [10, 0.6],
  ]);
  assert.deepEqual(firstThree({ step: 2 }), [
    [10, 0.5],
    [12, 0.5],
    [10, 2.5],
  ]);
  assert.deepEqual(firstThree({ step: [1, 3] }), [
    [10, 0.5],
    [11, 0.5],
    [10, 3.5],
  ]);
});

test("nelderMead stops only when both the values and the simplex have shrunk, or at maxIter", () => {
  // A flat function: the values agree at once, but the simplex must still shrink (by halves, from the
  // default step 0.1) below √tol = 1e-5: ⌈log2(0.1/1e-5)⌉ = 14 shrinks.
  const flat = nelderMead(() => 1, [0]);
  assert.ok(flat.converged);
  assert.equal(flat.iterations, Math.ceil(Math.log2(0.1 / 1e-5)));
  // A steep one with tol 1e-4: the simplex is within √tol = 0.01 long before the values agree to 1e-4,
  // which needs |x − π| ≈ 1e-5.
  const steep = nelderMead((x) => 1e6 * (x[0] - Math.PI) ** 2, [0], { tol: 1e-4 });
  assert.ok(steep.converged);
  close(steep.x[0], Math.PI, 1e-4, "steep minimum");
  // Unbounded below: no convergence, and the default limit is 200 iterations per coordinate.
  const down = (x: ReadonlyArray<number>): number => -x.reduce((s, v) => s + v, 0);
  for (const x0 of [[0], [0, 0]]) {
    const r = nelderMead(down, x0);
    assert.equal(r.converged, false);
    assert.equal(r.iterations, 200 * x0.length);
  }
  assert.equal(nelderMead(down, [0], { maxIter: 7 }).iterations, 7);
});

test("nelderMead expands along a slope and returns the best point it has, also when stopped early", () => {
  // From 0 with step 1 towards a minimum at 100: every accepted expansion doubles the simplex, so after m
  // iterations the best vertex is at 2^(m+1) − 1 (reflection alone would move it by 1 per iteration).
  const f = (x: ReadonlyArray<number>): number => (x[0] - 100) ** 2;
  for (let m = 1; m <= 5; m++) {
    const seen: number[] = [];
    const recorded = (x: ReadonlyArray<number>): number => {
      seen.push(f(x));
      return f(x);
    };
    const r = nelderMead(recorded, [0], { step: 1, maxIter: m });
    assert.deepEqual(r.x, [2 ** (m + 1) - 1], `after ${m} iterations`);
    assert.equal(r.fx, Math.min(...seen)); // the newest vertex is the best: the result must not be vertex 0
  }
  const r = nelderMead(f, [0], { step: 1 });
  assert.ok(r.converged && r.iterations < 50, `${r.iterations} iterations`);
  close(r.x[0], 100, 1e-6);
});

test("multiStartMinimize runs from the best `top` initialisations, skips non-finite ones, and refuses an empty grid", () => {
  // Two basins: a shallow one at −2 (value 1) and a narrow one at 3 (value 0). On the grid, −2 scores
  // better (1 < 10), so with top 1 only the shallow basin is searched.
  const twoBasins = (x: ReadonlyArray<number>): number => Math.min((x[0] + 2) ** 2 + 1, 10 * (x[0] - 3) ** 2);
  const grid = [[4], [-2]];
  close(multiStartMinimize(twoBasins, grid, { top: 1 }).x[0], -2, 1e-4, "top 1");
  close(multiStartMinimize(twoBasins, grid, { top: 2 }).fx, 0, 1e-12, "top 2");
  close(multiStartMinimize(twoBasins, grid).fx, 0, 1e-12, "default top 4");
  // An initialisation where f is NaN is skipped, not started from.
  const halfLine = (x: ReadonlyArray<number>): number => (x[0] < 0 ? NaN : (x[0] - 2) ** 2);
  close(multiStartMinimize(halfLine, [[-1], [5]], { top: 1 }).x[0], 2, 1e-4, "NaN start skipped");
  assert.throws(() => multiStartMinimize(halfLine, []), /grid of initialisations is empty/);
  assert.throws(() => multiStartMinimize(halfLine, [[-1], [-3]]), /not finite at any initialisation/);
});

test("logSumExp, rSquared and linearFit at their edges", () => {
  assert.equal(logSumExp(1000, 0), 1000); // no overflow
  assert.equal(logSumExp(-Infinity, -Infinity), -Infinity);
  close(logSumExp(0, 0), Math.log(2), 1e-15);
  assert.throws(() => rSquared([1, 2], [1]), /2 observations but 1 predictions/);
  assert.ok(Number.isNaN(rSquared([1], [1])));
  assert.equal(rSquared([1, 3], [1, 3]), 1); // two points are enough
  assert.ok(Number.isNaN(rSquared([2, 2, 2], [1, 2, 3]))); // nothing to explain
  assert.throws(() => linearFit([1, 2], [1]), /2 x values but 1 y values/);
  for (const bad of [linearFit([1], [1]), linearFit([3, 3], [1, 2])]) {
    assert.ok(Number.isNaN(bad.slope) && Number.isNaN(bad.intercept) && Number.isNaN(bad.r2));
  }
  // Away from the origin (centring matters): y = 77.4167 + 2.25 x by hand from the normal equations.
  const f = linearFit([10, 11, 12], [100, 102, 104.5]);
  close(f.slope, 2.25, 1e-12, "slope");
  close(f.intercept, 102.1666666666667 - 2.25 * 11, 1e-9, "intercept");
  const two = linearFit([1, 2], [5, 3]);
  assert.deepEqual([two.slope, two.intercept, two.r2], [-2, 7, 1]);
});

test("logSpace's ends are lo and hi exactly, so an envelope keeps its highest compute", () => {
  // exp(log 100) rounds above 100: without exact ends the last grid point fell outside every curve.
  for (const [lo, hi] of [
    [1, 100],
    [3, 7e13],
    [0.3, 0.7],
  ] as const) {
    const g = logSpace(lo, hi, 40);
    assert.equal(g[0], lo);
    assert.equal(g[39], hi);
  }
  logSpace(2, 2000, 4).forEach((v, i) => close(v, 2 * 10 ** i, 1e-12, `logSpace[${i}]`));
  const env = lowerEnvelope([{ xs: [1, 100], ys: [1, 0.5] }], logSpace(1, 100, 40));
  assert.ok(env.every(Number.isFinite));
});

test("computeOptimalFrontier fits only the bracketed optimum, whatever the order of the runs", () => {
  // A run's curve from (lo, loss at lo) to (hi, loss at hi).
  const seg = (lo: number, lossLo: number, hi: number, lossHi: number): { flops: number; loss: number }[] => [
    { flops: lo, loss: lossLo },
    { flops: hi, loss: lossHi },
  ];
  const flat = (lo: number, hi: number, loss: number): { flops: number; loss: number }[] => seg(lo, loss, hi, loss);
  // N = 2 is best at every compute; N = 3 reaches only C ≤ 10, so above 10 the optimum is not bracketed.
  // A run without points is ignored; runs come unsorted by N.
  const f = computeOptimalFrontier([
    { n: 3, points: flat(1, 10, 2) },
    { n: 1, points: flat(1, 100, 3) },
    { n: 5, points: [] },
    { n: 2, points: flat(1, 100, 1) },
  ]);
  assert.equal(f.envelope.length, 40); // the default grid, ends included
  assert.equal(f.envelope[0]?.flops, 1);
  assert.equal(f.envelope[39]?.flops, 100);
  assert.ok(f.envelope.every((p) => p.nOpt === 2 && p.loss === 1));
  const bracketed = f.envelope.filter((p) => !p.clipped);
  // logSpace(1, 100, 40)[i] ≤ 10 for i ≤ 19.5: the first 20 points.
  assert.equal(bracketed.length, 20);
  assert.ok(bracketed.every((p) => p.flops <= 10));
  assert.equal(f.used, 20);
  assert.equal(f.a, 0); // N_opt does not move with C
  const one = computeOptimalFrontier([{ n: 2, points: flat(1, 100, 1) }]);
  assert.ok(one.used === 0 && one.envelope.length === 0 && Number.isNaN(one.a)); // one size: no frontier
  // The optimum moves from N = 1 to 2 to 3. Bracketed (both neighbours reach C) only where N = 2 is best
  // and C lies in N = 1's range (up to grid[4], inclusive) and N = 3's (from 4): grid points 3 and 4. At
  // grid[2] N = 3 has not started; from grid[5] N = 1 has stopped. Two bracketed points: all are fitted.
  const grid = logSpace(1, 100, 10);
  const moving = computeOptimalFrontier(
    [
      { n: 3, points: seg(4, 5, 100, 0.01) },
      { n: 1, points: seg(1, 1, grid[4] as number, 0.8) },
      { n: 2, points: seg(2, 0.9, 100, 0.02) },
    ],
    { numPoints: 10 },
  );
  assert.deepEqual(
    moving.envelope.map((p) => p.nOpt),
    [1, 1, 2, 2, 2, 2, 2, 2, 3, 3],
  );
  assert.deepEqual(
    moving.envelope.map((p) => p.clipped),
    [true, true, true, false, false, true, true, true, true, true],
  );
  assert.equal(moving.envelope[0]?.flops, 1); // from the earliest start, not the latest
  assert.equal(moving.used, 10);
  // A compute no run covers is left out of the envelope.
  const gap = computeOptimalFrontier(
    [
      { n: 1, points: flat(1, 2, 1) },
      { n: 2, points: flat(50, 100, 1) },
    ],
    { numPoints: 10 },
  );
  assert.deepEqual(
    gap.envelope.map((p) => p.nOpt),
    [1, 1, 2, 2],
  );
  // Two sizes bracket nothing: then every envelope point is fitted.
  const two = computeOptimalFrontier(
    [
      { n: 1, points: seg(1, 1, 100, 0.1) },
      { n: 4, points: seg(1, 2, 100, 0.01) },
    ],
    { numPoints: 12 },
  );
  assert.equal(two.envelope.length, 12);
  assert.ok(two.envelope.every((p) => p.clipped));
  assert.equal(two.used, 12);
  assert.ok(two.a > 0);
});

test("crossoverPoint: B equal to A counts as below (from there on B is not worse)", () => {
  // Diffs +1, 0, 0: B stops being above A at the second point.
  assert.deepEqual(crossoverPoint([1, 2, 4], [5, 4, 3], [6, 4, 3]), { kind: "crosses", x: 2 });
  assert.deepEqual(crossoverPoint([1, 2, 4], [5, 4, 3], [5, 4, 3]), { kind: "always", x: 1 });
  // Diffs +2 then −1: the crossing is 2/3 of the way from 2 to 4 in log x.
  const c = crossoverPoint([1, 2, 4], [5, 4, 3], [7, 6, 2]);
  assert.equal(c.kind, "crosses");
  close(c.x, 2 * 2 ** (2 / 3), 1e-12, "crossing");
});

test("bradleyTerry ignores the diagonal, keeps a player without games finite, and stops at maxIter", () => {
  // Player 0 beat player 1 three times out of four: p0/p1 = 3, geometric mean 1, so p = (√3, 1/√3).
  const expected = [Math.sqrt(3), 1 / Math.sqrt(3)];
  const withDiagonal = bradleyTerry([
    [7, 3],
    [1, 9],
  ]);
  withDiagonal.forEach((v, i) => close(v, expected[i] as number, 1e-9, `p${i}`));
  // A third player who never played: the other two keep their ratio, and it stays finite (no 0/0).
  const idle = bradleyTerry([
    [0, 3, 0],
    [1, 0, 0],
    [0, 0, 0],
  ]);
  assert.ok(
    idle.every((v) => Number.isFinite(v) && v > 0),
    `${idle}`,
  );
  close((idle[0] as number) / (idle[1] as number), 3, 1e-9, "ratio beside an idle player");
  close(
    idle.reduce((s, v) => s * v, 1),
    1,
    1e-12,
    "geometric mean",
  );
  // One MM step from p = (1, 1): p_i ← W_i / (n/2), i.e. (3/2, 1/2), normalised by √(3/4).
  const once = bradleyTerry(
    [
      [0, 3],
      [1, 0],
    ],
    { maxIter: 1 },
  );
  close(once[0] as number, 1.5 / Math.sqrt(0.75), 1e-12, "one step");
  // With three players one step is not yet the fixed point: p_i ← 2W_i/n_i = (1, 3/4, 5/4) (each played 8
  // games), over their geometric mean.
  const three = [
    [0, 3, 1],
    [1, 0, 2],
    [3, 2, 0],
  ];
  const step = [1, 0.75, 1.25].map((v) => v / Math.cbrt(0.9375));
  bradleyTerry(three, { maxIter: 1 }).forEach((v, i) => close(v, step[i] as number, 1e-12, `three, one step, p${i}`));
  assert.ok(Math.abs((bradleyTerry(three)[2] as number) - (step[2] as number)) > 0.1); // converged: elsewhere
});

test("fitSizeExponent ignores the diagonal and solves the likelihood equation on noisy counts", () => {
  // With wins that do not follow any N^γ exactly, γ is where Σ x (w − (w + l) p) = 0; check by bisection.
  const sizes = [1, 3, 10];
  const wins = [
    [50, 4, 1],
    [7, 50, 2],
    [9, 6, 50],
  ];
  const g = fitSizeExponent(sizes, wins);
  const score = (gamma: number): number => {
    let s = 0;
    for (let i = 0; i < 3; i++)
      for (let j = i + 1; j < 3; j++) {
        const x = Math.log(sizes[i] as number) - Math.log(sizes[j] as number);
        const w = (wins[i] as number[])[j] as number;
        const l = (wins[j] as number[])[i] as number;
        s += x * (w - (w + l) / (1 + Math.exp(-gamma * x)));
      }
    return s;
  };
  let lo = -5;
  let hi = 5;
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    if (score(mid) > 0 === score(lo) > 0) lo = mid;
    else hi = mid;
  }
  close(g, (lo + hi) / 2, 1e-9, "gamma");
  assert.ok(g > 0);
});

test("bootstrapMany keeps the full-sample value, counts only finite resamples, and gives NaN bounds for none", () => {
  const r = bootstrapMany(
    [1, 2, 3, 4],
    (s) => ({
      m: s.reduce((a, b) => a + b, 0) / s.length,
      without1: s.includes(1) ? NaN : 1, // finite only for resamples that miss item 1
      never: NaN,
      size: s.length, // every resample has as many items as the sample
    }),
    new Rng(3),
    100,
  );
  assert.equal(r["m"]?.mean, 2.5);
  assert.equal(r["m"]?.n, 100);
  const w = r["without1"];
  // P(a resample of 4 misses item 1) = (3/4)^4 ≈ 0.32.
  assert.ok(w !== undefined && Number.isNaN(w.mean) && w.lo === 1 && w.hi === 1 && w.n > 15 && w.n < 50, `${w?.n}`);
  assert.deepEqual(r["never"], { mean: NaN, lo: NaN, hi: NaN, n: 0 });
  assert.deepEqual(r["size"], { mean: 4, lo: 4, hi: 4, n: 100 });
});
