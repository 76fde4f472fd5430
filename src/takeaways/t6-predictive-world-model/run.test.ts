import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  displacementLikelihood,
  type MotorEpisode,
  NUM_COMMANDS,
  NUM_PAIRS,
  pairToken,
  PREDICTOR_VOCAB,
  referenceLosses,
  sampleEpisode,
  SLIP_DISPLACEMENTS,
  splitPair,
  bayesCorrect,
} from "../../data/motor-world";
import { Rng } from "../../rng";
import { getExperiment, runExperiment } from "../../run/experiment";
import { expectClaimsContract, expectNoLeak, testBackend } from "../../run/testing";
import { isInterval, mean } from "../../stats";
import { countGPTParams } from "../../transformer";
import { countRecurrentParams } from "../../recurrent";
import { countWindowNetParams } from "../../window-net";
import {
  bayesController,
  classifierSampler,
  createPredictor,
  fractionOf,
  gptConfigFor,
  makeSets,
  matchedRecurrentConfig,
  matchedWindowConfig,
  PREDICTORS,
  modelBasedController,
  policySampler,
  predictionLoss,
  predictionSampler,
  probeSweep,
  reachSuccess,
  scorePredictor,
  type SequenceModel,
  synthesisSweep,
  type T6Config,
  T6_PROFILES,
} from "./index";

/**
 * The world's exact predictor as a sequence model: after every pair it updates the posterior over z (its
 * hidden state) and predicts the next pair as p(a) p(d | a, posterior). What a perfectly trained predictor
 * would be: the analyses run on it must give the world's exact references.
 */
class ExactPredictor {
  readonly config: { vocabSize: number; dModel: number };
  constructor(private readonly c: T6Config) {
    this.config = { vocabSize: PREDICTOR_VOCAB, dModel: c.world.numLatents };
  }
  forward(tokens: tf.Tensor2D, opts: { returnHidden?: boolean } = {}): { logits: tf.Tensor3D; hidden?: tf.Tensor3D[] } {
    const [B, T] = tokens.shape;
    const Z = this.c.world.numLatents;
    const V = PREDICTOR_VOCAB;
    const rows = tokens.arraySync();
    const logits = new Float32Array(B * T * V).fill(-30);
    const hidden = new Float32Array(B * T * Z);
    rows.forEach((row, b) => {
      const logp = new Array<number>(Z).fill(0);
      row.forEach((tok, t) => {
        if (tok < NUM_PAIRS) {
          const { a, d } = splitPair(tok);
          for (let z = 0; z < Z; z++) logp[z] += Math.log(displacementLikelihood(this.c.world, a, d, z));
        }
        const m = Math.max(...logp);
        const w = logp.map((l) => Math.exp(l - m));
        const s = w.reduce((x, y) => x + y, 0);
        const belief = w.map((x) => x / s);
        belief.forEach((p, z) => (hidden[(b * T + t) * Z + z] = p));
        for (let a = 0; a < NUM_COMMANDS; a++)
          for (const d of SLIP_DISPLACEMENTS) {
            let p = 0;
            belief.forEach((bz, z) => (p += bz * displacementLikelihood(this.c.world, a, d, z)));
            logits[(b * T + t) * V + pairToken(a, d)] = Math.log(p / NUM_COMMANDS);
          }
      });
    });
    const out: { logits: tf.Tensor3D; hidden?: tf.Tensor3D[] } = { logits: tf.tensor3d(logits, [B, T, V]) };
    if (opts.returnHidden) out.hidden = [tf.tensor3d(hidden, [B, T, Z])];
    return out;
  }
}

const CONFIG: T6Config = {
  ...T6_PROFILES.smoke,
  labelledPerLatent: 6,
  testPerLatent: 30,
  historyLengths: [1, 4, 8, 24],
  evalEpisodes: 40,
  reach: { ...T6_PROFILES.smoke.reach, tasks: 60 },
};

test("the recurrent and the window net get the GPT's parameter budget (within 1%)", () => {
  for (const model of [
    { dModel: 32, nHead: 4, nLayer: 2 },
    { dModel: 16, nHead: 2, nLayer: 1 },
    { dModel: 64, nHead: 4, nLayer: 3 },
  ]) {
    const gpt = gptConfigFor({ ...CONFIG, model });
    const a = countGPTParams(gpt).total;
    const b = countRecurrentParams(matchedRecurrentConfig(gpt)).total;
    assert.ok(Math.abs(a - b) / a < 0.01, `GPT ${a} vs recurrent ${b} parameters`);
    const c = countWindowNetParams(matchedWindowConfig(gpt, 4)).total;
    assert.ok(Math.abs(a - c) / a < 0.01, `GPT ${a} vs window ${c} parameters`);
  }
});

test("the predictor and both direct controls see the same episodes", () => {
  const w = CONFIG.world;
  const p = predictionSampler(w)(new Rng(5), 6);
  const c = classifierSampler(w)(new Rng(5), 6);
  const pol = policySampler(w, 99)(new Rng(5), 6);
  assert.deepEqual(c.x, p.x);
  p.x.forEach((x, i) => {
    // The policy's rows interleave places with the same pairs.
    const pairs = (pol.x[i] as number[]).filter((_, k) => k > 0 && k % 2 === 0);
    assert.deepEqual(pairs, [...x.slice(1), (p.y[i] as number[])[x.length - 1]].slice(0, pairs.length));
  });
  // The direct classifier's labels are the episode's hidden cause at every step.
  const rng = new Rng(5);
  const eps: MotorEpisode[] = Array.from({ length: 6 }, () => sampleEpisode(w, rng));
  c.y.forEach((y, i) => assert.ok(y.every((z) => z === (eps[i] as MotorEpisode).latent)));
});

test("on the world's exact predictor the analyses give the exact references: optimal loss, near-Bayes understanding, Bayes control", async () => {
  await testBackend();
  const exact = new ExactPredictor(CONFIG) as unknown as SequenceModel;
  const sets = makeSets(CONFIG, 11);
  const w = CONFIG.world;
  const loss = await predictionLoss(exact, w, sets.evalEpisodes);
  const optimal = mean(sets.evalEpisodes.flatMap((ep) => referenceLosses(w, ep).optimal));
  assert.ok(Math.abs(loss - optimal) < 1e-4, `exact predictor loss ${loss} vs optimal ${optimal}`);
  const hs = CONFIG.historyLengths;
  const bayes = hs.map((h) => mean(sets.understanding.test.map((ep) => bayesCorrect(w, ep, h))));
  const synth = await synthesisSweep(exact, w, sets.understanding, hs, CONFIG.exemplarSteps);
  // The probe with enough labels to be read against Bayes (with 6 per cause, one step of evidence is too few).
  const many = makeSets({ ...CONFIG, labelledPerLatent: 25 }, 11).understanding;
  const probe = await probeSweep(exact, w, many, hs, { numSteps: 200, lr: 0.05, l2: 1e-3 });
  const bayesMany = hs.map((h) => mean(many.test.map((ep) => bayesCorrect(w, ep, h))));
  hs.forEach((h, k) => {
    assert.ok(
      (synth[k] as number) >= (bayes[k] as number) - 0.12,
      `h ${h}: synthesis ${synth[k]} vs Bayes ${bayes[k]}`,
    );
    assert.ok(
      (probe[k] as number) >= (bayesMany[k] as number) - 0.1,
      `h ${h}: probe ${probe[k]} vs Bayes ${bayesMany[k]}`,
    );
  });
  assert.ok(
    (synth[hs.length - 1] as number) > (synth[0] as number) + 0.2,
    `synthesis rises with history: ${synth.join(", ")}`,
  );
  const mb = await reachSuccess(modelBasedController(exact, w), w, sets.tasks, CONFIG.reach.maxSteps);
  const by = await reachSuccess(bayesController(w), w, sets.tasks, CONFIG.reach.maxSteps);
  assert.ok(
    Math.abs(mb - by) <= 0.05,
    `model-based control with the exact predictor ${mb} vs the Bayes controller ${by}`,
  );
});

test("scoring a predictor leaks no tensors and does not train it", async () => {
  await testBackend();
  const sets = makeSets(CONFIG, 3);
  for (const arch of PREDICTORS) {
    const m = createPredictor(arch, CONFIG, 4);
    try {
      const before = await m.readWeights();
      await expectNoLeak(() => scorePredictor(m, CONFIG, sets, [8]), `score ${arch}`);
      const after = await m.readWeights();
      for (const k of Object.keys(before)) assert.deepEqual(after[k], before[k], `${arch} ${k}`);
    } finally {
      m.dispose();
    }
  }
});

test("fractionOf: the share of the reference's above-baseline score; NaN when the reference is not above the baseline", () => {
  assert.equal(fractionOf(0.5, 0.75, 0.25), 0.5);
  assert.equal(fractionOf(0.25, 0.75, 0.25), 0);
  assert.ok(Number.isNaN(fractionOf(0.5, 0.25, 0.25)));
});

test("t6 runs end to end at a tiny config: the output contract's metrics over seeds, well-formed claims, CSVs and figures", async () => {
  await testBackend();
  const exp = getExperiment("t6-predictive-world-model");
  const before = tf.memory().numTensors;
  const record = await runExperiment(exp, {
    profile: "smoke",
    seed: 7,
    save: false,
    overrides: {
      train: { numSteps: 6, batchSize: 8 },
      labelledPerLatent: 2,
      testPerLatent: 2,
      evalEpisodes: 8,
      reach: { tasks: 4, maxSteps: 3 },
      probe: { numSteps: 5 },
      curveSteps: [3],
      bayesCurveEpisodes: 20,
    },
  });
  assert.equal(tf.memory().numTensors, before, "no tensors left behind");
  const m = record.metrics;
  const keys = [
    "predLossOptimal",
    "latentAccDirect",
    "goalSuccessDirectPolicy",
    "goalSuccessRandom",
    "understandingFraction",
    "generationFraction",
  ];
  for (const a of PREDICTORS)
    keys.push(
      `predLoss_${a}`,
      `latentAccProbe_${a}`,
      `latentAccSynthesis_${a}`,
      `latentAccUntrained_${a}`,
      `goalSuccessModelBased_${a}`,
      ...T6_PROFILES.smoke.historyLengths.map((h) => `latentAccSynthesis_${a}_h${h}`),
    );
  for (const k of keys) {
    const v = m[k];
    assert.ok(isInterval(v), `${k} is {mean, lo, hi, n}`);
    assert.equal(v.n, 2, `${k} over the 2 seeds`);
  }
  expectClaimsContract({ claims: record.claims });
  assert.ok(record.claims.filter((c) => c.asserted).every((c) => c.control !== null));
  const figs = exp.figures(record);
  for (const name of [
    "prediction-loss",
    "understanding",
    "generation",
    "history-sweep",
    "learning-curves",
    "fractions",
    "history-slider",
  ])
    assert.ok(figs[name] && figs[name]!.data.length > 0, name);
  // The slider: one frame per history length, each with its own numbers.
  assert.deepEqual(
    figs["history-slider"]!.frames?.map((f) => f.name),
    (record.data as { historyLengths: number[] }).historyLengths.map((h) => `h = ${h}`),
  );
});
