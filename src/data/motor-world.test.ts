import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bayesAccuracy,
  bayesCorrect,
  bestAction,
  BOS,
  displacementLikelihood,
  displacements,
  encodeEpisode,
  knownLatent,
  MOTOR_WORLD_DEFAULTS,
  type MotorWorldConfig,
  NUM_COMMANDS,
  NUM_PAIRS,
  offsetToken,
  pairToken,
  PERTURBATIONS,
  policyRow,
  policyTokens,
  posterior,
  predictionRow,
  predictiveDistribution,
  PREDICTOR_VOCAB,
  referenceLosses,
  ringDelta,
  ringDistance,
  ringMove,
  sampleEpisode,
  sampleReachTask,
  SLIP_DISPLACEMENTS,
  splitPair,
  stepWorld,
  validateMotorWorldConfig,
} from "./motor-world";
import { Rng } from "../rng";

const W: MotorWorldConfig = { ...MOTOR_WORLD_DEFAULTS };

test("every perturbation maps the four commands onto {−2, −1, +1, +2}, and each command differently under each z", () => {
  for (const p of PERTURBATIONS) assert.deepEqual([...p.map].sort((a, b) => a - b), [-2, -1, 1, 2], p.name);
  for (let a = 0; a < NUM_COMMANDS; a++) {
    const ds = PERTURBATIONS.map((p) => p.map[a]);
    assert.equal(new Set(ds).size, PERTURBATIONS.length, `command ${a}: ${ds.join(", ")}`);
  }
});

test("config validation names the field", () => {
  assert.throws(() => validateMotorWorldConfig({ ...W, numPositions: 4 }), /world\.numPositions/);
  assert.throws(() => validateMotorWorldConfig({ ...W, numLatents: 5 }), /world\.numLatents/);
  assert.throws(() => validateMotorWorldConfig({ ...W, slip: 1 }), /world\.slip/);
});

test("ring arithmetic", () => {
  assert.equal(ringMove(12, 11, 2), 1);
  assert.equal(ringMove(12, 0, -2), 10);
  assert.equal(ringDelta(12, 11, 1), 2);
  assert.equal(ringDelta(12, 1, 11), -2);
  assert.equal(ringDistance(12, 0, 6), 6);
  assert.equal(ringDistance(12, 2, 11), 3);
});

test("the world's step follows its likelihood (empirical frequencies within 0.01)", () => {
  const rng = new Rng(1);
  const n = 40000;
  for (const [a, z] of [
    [0, 0],
    [3, 2],
  ] as const) {
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const d = ringDelta(W.numPositions, 5, stepWorld(W, 5, a, z, rng));
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    let total = 0;
    for (const d of SLIP_DISPLACEMENTS) {
      const p = displacementLikelihood(W, a, d, z);
      total += p;
      assert.ok(Math.abs((counts.get(d) ?? 0) / n - p) < 0.01, `a ${a} z ${z} d ${d}: ${(counts.get(d) ?? 0) / n} vs ${p}`);
    }
    assert.ok(Math.abs(total - 1) < 1e-12);
  }
});

test("tokens: pairs round-trip; prediction rows are <bos> + pairs shifted by one; same seed, same episode", () => {
  for (let a = 0; a < NUM_COMMANDS; a++)
    for (const d of SLIP_DISPLACEMENTS) assert.deepEqual(splitPair(pairToken(a, d)), { a, d });
  assert.equal(BOS, NUM_PAIRS);
  assert.equal(PREDICTOR_VOCAB, 21);
  const ep = sampleEpisode(W, new Rng(9), { steps: 6 });
  assert.deepEqual(ep, sampleEpisode(W, new Rng(9), { steps: 6 }));
  const pairs = encodeEpisode(W, ep);
  assert.equal(pairs.length, 6);
  pairs.forEach((p, t) => assert.deepEqual(splitPair(p), { a: ep.actions[t], d: displacements(W, ep)[t] }));
  const row = predictionRow(W, ep);
  assert.deepEqual(row.x, [BOS, ...pairs.slice(0, 5)]);
  assert.deepEqual(row.y, pairs);
});

test("posterior: without slips one transition identifies z; with slips the evidence accumulates", () => {
  const clean = { ...W, slip: 0 };
  for (let z = 0; z < 4; z++) {
    const ep = sampleEpisode(clean, new Rng(z), { latent: z, steps: 1 });
    assert.deepEqual(posterior(clean, ep), knownLatent(clean, z));
    assert.equal(bayesCorrect(clean, ep, 1), 1);
  }
  const ep = sampleEpisode(W, new Rng(4), { latent: 2, steps: 0 });
  assert.deepEqual(posterior(W, ep), [0.25, 0.25, 0.25, 0.25]);
  assert.equal(bayesCorrect(W, ep, 0), 0.25, "no history: a four-way tie scores 1/4");
  const rng = new Rng(5);
  const acc = [1, 4, 16].map((h) => bayesAccuracy(W, h, 3000, rng));
  assert.ok((acc[0] as number) < (acc[1] as number) && (acc[1] as number) < (acc[2] as number), `Bayes accuracy ${acc.join(", ")}`);
});

test("reference losses: the first step of the optimal predictor is the no-latent one; the no-latent loss is the entropy of the marginal; optimal is lower on average", () => {
  const eps = 0.6;
  const c = { ...W, slip: eps };
  const rng = new Rng(6);
  let opt = 0;
  let no = 0;
  let n = 0;
  for (let i = 0; i < 400; i++) {
    const ep = sampleEpisode(c, rng);
    const r = referenceLosses(c, ep);
    assert.equal(r.optimal[0], r.noLatent[0]);
    r.optimal.forEach((v, t) => {
      opt += v;
      no += r.noLatent[t] as number;
      n++;
    });
    for (const v of predictiveDistribution(c, 3, 1, posterior(c, ep, 5))) assert.ok(v >= 0);
    const sum = predictiveDistribution(c, 3, 1, posterior(c, ep, 5)).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-12);
  }
  // Marginal over z: each of ±1, ±2 has (1−ε)/4 + ε/5, no move ε/5.
  const pMove = (1 - eps) / 4 + eps / 5;
  const pStay = eps / 5;
  const entropy = -(4 * pMove * Math.log(pMove) + pStay * Math.log(pStay));
  assert.ok(Math.abs(no / n - entropy) < 0.02, `no-latent ${no / n} vs entropy ${entropy}`);
  assert.ok(opt / n < no / n - 0.1, `optimal ${opt / n} vs no-latent ${no / n}`);
});

test("acting: the oracle moves towards the goal; policy rows label the teacher's command at every place but the goal", () => {
  // Under "normal" (−2, −1, +1, +2) from 0 towards 3: command 3 (+2) leaves distance 1.
  assert.equal(bestAction({ ...W, slip: 0 }, 0, 3, knownLatent(W, 0)), 3);
  // Under "mirror-reversed" the same goal needs command 0 (+2).
  assert.equal(bestAction({ ...W, slip: 0 }, 0, 3, knownLatent(W, 1)), 0);
  const ep = sampleEpisode(W, new Rng(2), { steps: 10 });
  const g = ep.obs[4] as number;
  const row = policyRow(W, ep, g, "oracle");
  const bayesRow = policyRow(W, ep, g);
  const toks = policyTokens(W, ep, g);
  assert.equal(toks.length, 2 * 10 + 2);
  assert.deepEqual(row.x, toks.slice(0, -1));
  for (let t = 0; t < 10; t++) {
    assert.equal(row.x[2 * t + 1], offsetToken(W, ep.obs[t] as number, g));
    const atGoal = ep.obs[t] === g;
    assert.equal(row.mask[2 * t + 1], atGoal ? 0 : 1);
    if (!atGoal) {
      assert.equal(row.y[2 * t + 1], bestAction(W, ep.obs[t] as number, g, knownLatent(W, ep.latent)));
      // The Bayes teacher decides with the posterior after the t steps before it, as the policy must.
      assert.equal(bayesRow.y[2 * t + 1], bestAction(W, ep.obs[t] as number, g, posterior(W, ep, t)));
    }
    assert.equal(row.mask[2 * t + 2], 0);
  }
});

test("reaching tasks start far enough from the goal", () => {
  const rng = new Rng(8);
  for (let i = 0; i < 200; i++) {
    const t = sampleReachTask(W, rng, 8, 3);
    assert.equal(t.context.actions.length, 8);
    assert.ok(ringDistance(W.numPositions, t.context.obs[8] as number, t.goal) >= 3);
  }
  assert.throws(() => sampleReachTask(W, rng, 2, 7), /no place is 7 steps/);
});
