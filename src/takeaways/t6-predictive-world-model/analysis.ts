/**
 * Notebook 06's parts, each callable alone (one architecture, one seed): the two predictors with the same
 * parameter budget, their samplers, and the three ways a frozen predictor is used without training on the
 * task: its prediction loss, understanding (a linear probe on its state; analysis by synthesis, i.e.
 * inference by prediction error) and generation (model-predictive control). Plus the task-specific
 * controls they are compared with: a classifier and a policy trained directly, random commands, and the
 * exact references the world gives (the Bayes classifier, the optimal predictor, the oracle controller).
 */
import * as tf from "@tensorflow/tfjs";
import {
  BOS,
  bestAction,
  encodeEpisode,
  knownLatent,
  type MotorEpisode,
  type MotorWorldConfig,
  NUM_COMMANDS,
  NUM_PAIRS,
  pairToken,
  type PolicyTeacher,
  policyRow,
  policyTokens,
  policyVocabSize,
  posterior,
  PREDICTOR_VOCAB,
  predictionRow,
  type ReachTask,
  ringDistance,
  ringMove,
  sampleEpisode,
  SLIP_DISPLACEMENTS,
  splitPair,
  stepWorld,
} from "../../data/motor-world";
import { fitLinearProbe, type ProbeConfig, probeAccuracy } from "../../probe";
import { countRecurrentParams, createRecurrentNet, type RecurrentConfig, type RecurrentNet } from "../../recurrent";
import { deriveSeed, Rng } from "../../rng";
import type { BatchSampler } from "../../train";
import { countGPTParams, createGPT, type GPT, type GPTConfig } from "../../transformer";
import { countWindowNetParams, createWindowNet, type WindowNet, type WindowNetConfig } from "../../window-net";
import { ratioOfMeans, type Interval } from "../../stats";
import type { Predictor, T6Config, T6SeedResult } from "./config";

/** Any predictor: each reads tokens and returns next-token logits and, when asked, its last hidden states. */
export type SequenceModel = GPT | RecurrentNet | WindowNet;

/** Rows per forward pass in evaluation (bounds memory; results do not depend on it). */
const EVAL_BATCH = 256;

// ---------------------------------------------------------------------------------------------
// The two predictors, with the same parameter budget

/** The tiny GPT (attention over the whole history) of a config, for a vocabulary and context length. */
export function gptConfigFor(
  config: T6Config,
  vocabSize = PREDICTOR_VOCAB,
  seqLen = config.world.episodeLen,
): GPTConfig {
  return { vocabSize, seqLen, ...config.model, dFF: 4 * config.model.dModel, tieWeights: false };
}

/**
 * The recurrent net (no attention) with the GPT's dModel, nLayer and dFF, and the state width whose total
 * parameter count is closest to the GPT's: attention's 4C² + 4C per block and the recurrence's 2CD + 2D + C
 * are equal at D = 2C, and a few more channels pay for the position table the recurrence does not need.
 */
export function matchedRecurrentConfig(gpt: GPTConfig): RecurrentConfig {
  const target = countGPTParams(gpt).total;
  const base = { vocabSize: gpt.vocabSize, seqLen: gpt.seqLen, dModel: gpt.dModel, nLayer: gpt.nLayer, dFF: gpt.dFF };
  let best = 2 * gpt.dModel;
  let bestGap = Infinity;
  for (let D = 1; D <= 8 * gpt.dModel; D++) {
    const gap = Math.abs(countRecurrentParams({ ...base, dState: D }).total - target);
    if (gap < bestGap) {
      bestGap = gap;
      best = D;
    }
  }
  return { ...base, dState: best, tauMin: 1.5, tauMax: 100 };
}

/** The window net over `window` steps with the GPT's embedding width and the hidden width closest to its parameter count. */
export function matchedWindowConfig(gpt: GPTConfig, window: number): WindowNetConfig {
  const target = countGPTParams(gpt).total;
  const base = { vocabSize: gpt.vocabSize, seqLen: gpt.seqLen, dModel: gpt.dModel, window };
  let best = 1;
  let bestGap = Infinity;
  for (let H = 1; H <= 16 * gpt.dModel; H++) {
    const gap = Math.abs(countWindowNetParams({ ...base, dHidden: H }).total - target);
    if (gap < bestGap) {
      bestGap = gap;
      best = H;
    }
  }
  return { ...base, dHidden: best };
}

/** A predictor of the given kind, initialised from `seed`, all with the GPT's parameter budget. Caller disposes. */
export function createPredictor(kind: Predictor, config: T6Config, seed: number): SequenceModel {
  const gpt = gptConfigFor(config);
  if (kind === "attention") return createGPT(gpt, seed);
  if (kind === "noattention") return createRecurrentNet(matchedRecurrentConfig(gpt), seed);
  return createWindowNet(matchedWindowConfig(gpt, config.window), seed);
}

// ---------------------------------------------------------------------------------------------
// Samplers: prediction (the only training signal of the predictors) and the two direct controls

/** Next-step prediction: exploring episodes under a random hidden perturbation; loss on every pair. */
export function predictionSampler(world: MotorWorldConfig): BatchSampler {
  return (rng, n) => {
    const rows = Array.from({ length: n }, () => predictionRow(world, sampleEpisode(world, rng)));
    return { x: rows.map((r) => r.x), y: rows.map((r) => r.y) };
  };
}

/**
 * The direct understanding control: the same episodes (the same draws from the generator as
 * {@link predictionSampler}), labelled with their hidden perturbation at every position.
 */
export function classifierSampler(world: MotorWorldConfig): BatchSampler {
  return (rng, n) => {
    const eps = Array.from({ length: n }, () => sampleEpisode(world, rng));
    return {
      x: eps.map((ep) => predictionRow(world, ep).x),
      y: eps.map((ep) => new Array<number>(ep.actions.length).fill(ep.latent)),
    };
  };
}

/**
 * The direct generation control: the same episodes, each with a goal (from its own generator, so the
 * episodes stay those of {@link predictionSampler}), labelled at every place with the teacher's command
 * towards the goal: by default the Bayes-optimal controller's (the best command given the history the policy
 * sees), or the oracle's (z known).
 */
export function policySampler(
  world: MotorWorldConfig,
  goalSeed: number,
  teacher: PolicyTeacher = "bayes",
): BatchSampler {
  const goals = new Rng(goalSeed);
  return (rng, n) => {
    const rows = Array.from({ length: n }, () =>
      policyRow(world, sampleEpisode(world, rng), goals.int(world.numPositions), teacher),
    );
    return { x: rows.map((r) => r.x), y: rows.map((r) => r.y), mask: rows.map((r) => r.mask) };
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a model

async function forwardRows<T>(
  model: SequenceModel,
  seqs: ReadonlyArray<ReadonlyArray<number>>,
  read: (logits: tf.Tensor3D, hidden: tf.Tensor3D | undefined) => tf.Tensor,
  wantHidden: boolean,
  each: (values: Float32Array, start: number, count: number) => T,
): Promise<T[]> {
  const out: T[] = [];
  if (seqs.length === 0) return out;
  const T = (seqs[0] as ReadonlyArray<number>).length;
  for (const s of seqs)
    if (s.length !== T)
      throw new Error(`t6: sequences of one forward pass must have the same length (${T} vs ${s.length})`);
  for (let start = 0; start < seqs.length; start += EVAL_BATCH) {
    const rows = seqs.slice(start, start + EVAL_BATCH);
    const res = tf.tidy(() => {
      const x = tf.tensor2d(rows.flat(), [rows.length, T], "int32");
      const f = model.forward(x, { returnHidden: wantHidden });
      return read(f.logits, f.hidden ? f.hidden[f.hidden.length - 1] : undefined);
    });
    try {
      out.push(each((await res.data()) as Float32Array, start, rows.length));
    } finally {
      res.dispose();
    }
  }
  return out;
}

/**
 * log p(d | a, history) for every position, command and displacement: [N][T][4 × 5] from the pair
 * logits (the next pair's distribution conditioned on its command). Sequences of one length.
 */
export async function conditionalLogProbs(
  model: SequenceModel,
  seqs: ReadonlyArray<ReadonlyArray<number>>,
): Promise<Float32Array[]> {
  const T = seqs[0]?.length ?? 0;
  const D = SLIP_DISPLACEMENTS.length;
  const chunks = await forwardRows(
    model,
    seqs,
    (logits) => {
      const [B] = logits.shape;
      const pairs = tf.slice(logits, [0, 0, 0], [B, T, NUM_PAIRS]); // [B, T, V] -> [B, T, 20]
      return tf.logSoftmax(tf.reshape(pairs, [B, T, NUM_COMMANDS, D]), -1); // [B, T, 4, 5], normalised over d
    },
    false,
    (v, _start, count) => Array.from({ length: count }, (_, i) => v.slice(i * T * NUM_PAIRS, (i + 1) * T * NUM_PAIRS)),
  );
  return chunks.flat();
}

/** The last hidden layer's state at the given positions: [N][positions.length][width]. Sequences of one length. */
export async function hiddenAt(
  model: SequenceModel,
  seqs: ReadonlyArray<ReadonlyArray<number>>,
  positions: ReadonlyArray<number>,
): Promise<Float32Array[][]> {
  const P = positions.length;
  const chunks = await forwardRows(
    model,
    seqs,
    (_logits, hidden) => tf.gather(hidden as tf.Tensor3D, tf.tensor1d(positions as number[], "int32"), 1), // [B, T, C] -> [B, P, C]
    true,
    (v, _start, count) => {
      const C = v.length / (count * P);
      return Array.from({ length: count }, (_, i) =>
        Array.from({ length: P }, (_, k) => v.slice((i * P + k) * C, (i * P + k + 1) * C)),
      );
    },
  );
  return chunks.flat();
}

/** The logits at the last position: [N][V]. Sequences of one length. */
export async function lastLogits(
  model: SequenceModel,
  seqs: ReadonlyArray<ReadonlyArray<number>>,
): Promise<Float32Array[]> {
  const V = model.config.vocabSize;
  const T = seqs[0]?.length ?? 0;
  const chunks = await forwardRows(
    model,
    seqs,
    (logits) => tf.slice(logits, [0, T - 1, 0], [logits.shape[0], 1, V]), // [B, T, V] -> [B, 1, V]
    false,
    (v, _start, count) => Array.from({ length: count }, (_, i) => v.slice(i * V, (i + 1) * V)),
  );
  return chunks.flat();
}

function argmax(xs: ArrayLike<number>, n = xs.length): number {
  let best = 0;
  for (let i = 1; i < n; i++) if ((xs[i] as number) > (xs[best] as number)) best = i;
  return best;
}

// ---------------------------------------------------------------------------------------------
// Prediction

/**
 * Mean next-step loss (nats per step) of a predictor on whole episodes: −log p(d_t | a_t, history) over
 * every step, the quantity the optimal predictor minimises (the command's own probability is left out: it
 * is the agent's random choice).
 */
export async function predictionLoss(
  model: SequenceModel,
  world: MotorWorldConfig,
  episodes: ReadonlyArray<MotorEpisode>,
): Promise<number> {
  const rows = episodes.map((ep) => predictionRow(world, ep));
  const lp = await conditionalLogProbs(
    model,
    rows.map((r) => r.x),
  );
  let s = 0;
  let n = 0;
  rows.forEach((r, i) => {
    const v = lp[i] as Float32Array;
    r.y.forEach((tok, t) => {
      s -= v[t * NUM_PAIRS + tok] as number;
      n++;
    });
  });
  return s / n;
}

// ---------------------------------------------------------------------------------------------
// Understanding: probe, analysis by synthesis, the direct classifier

/** Labelled and test episodes for understanding, balanced over the hidden causes. */
export interface UnderstandingSets {
  readonly labelled: ReadonlyArray<MotorEpisode>;
  readonly test: ReadonlyArray<MotorEpisode>;
}

/** Balanced labelled (episodeLen steps) and test (longest history) episodes. */
export function understandingSets(config: T6Config, seed: number): UnderstandingSets {
  const w = config.world;
  const hMax = Math.max(...config.historyLengths);
  const rng = new Rng(seed);
  const labelled: MotorEpisode[] = [];
  const test: MotorEpisode[] = [];
  for (let z = 0; z < w.numLatents; z++) {
    for (let i = 0; i < config.labelledPerLatent; i++) labelled.push(sampleEpisode(w, rng, { latent: z }));
    for (let i = 0; i < config.testPerLatent; i++) test.push(sampleEpisode(w, rng, { latent: z, steps: hMax }));
  }
  return { labelled, test };
}

/** `<bos>` and the first h pairs of an episode. */
function prefixTokens(world: MotorWorldConfig, ep: MotorEpisode, h: number): number[] {
  return [BOS, ...encodeEpisode(world, ep, h)];
}

/**
 * A linear probe on the frozen predictor's state after h steps (the last block, at the last pair), fitted
 * on the labelled episodes and scored on the test episodes, for every h. No training of the predictor.
 */
export async function probeSweep(
  model: SequenceModel,
  world: MotorWorldConfig,
  sets: UnderstandingSets,
  hs: ReadonlyArray<number>,
  probe: ProbeConfig,
): Promise<number[]> {
  const hMax = Math.max(...hs);
  const feats = async (eps: ReadonlyArray<MotorEpisode>): Promise<Float32Array[][]> =>
    hiddenAt(
      model,
      eps.map((ep) => prefixTokens(world, ep, hMax)),
      hs,
    );
  const [trainF, testF] = [await feats(sets.labelled), await feats(sets.test)];
  const trainY = sets.labelled.map((e) => e.latent);
  const testY = sets.test.map((e) => e.latent);
  const out: number[] = [];
  for (let k = 0; k < hs.length; k++) {
    const p = await fitLinearProbe(
      trainF.map((f) => f[k] as Float32Array),
      trainY,
      world.numLatents,
      probe,
    );
    out.push(
      probeAccuracy(
        p,
        testF.map((f) => f[k] as Float32Array),
        testY,
      ),
    );
  }
  return out;
}

/**
 * Analysis by synthesis, i.e. inference by prediction error: for every hypothesis z, let the frozen
 * predictor read a labelled episode of z (its first `exemplarSteps` steps) and then the test episode, and
 * add up its prediction error (−log p) on the test episode's first h steps; the hypothesis under which the
 * episode is least surprising wins (mean over the labelled episodes of each z). For an exact predictor this
 * is the likelihood ratio test, i.e. the Bayes classifier. Accuracy per h.
 */
export async function synthesisSweep(
  model: SequenceModel,
  world: MotorWorldConfig,
  sets: UnderstandingSets,
  hs: ReadonlyArray<number>,
  exemplarSteps: number,
): Promise<number[]> {
  const hMax = Math.max(...hs);
  const Z = world.numLatents;
  const exemplars = sets.labelled.map((ep) => ({ z: ep.latent, pairs: encodeEpisode(world, ep, exemplarSteps) }));
  const seqs: number[][] = [];
  for (const test of sets.test) {
    const pairs = encodeEpisode(world, test, hMax);
    for (const ex of exemplars) seqs.push([BOS, ...ex.pairs, ...pairs.slice(0, hMax - 1)]);
  }
  const lp = await conditionalLogProbs(model, seqs);
  const correct = hs.map(() => 0);
  sets.test.forEach((test, i) => {
    const pairs = encodeEpisode(world, test, hMax);
    const sum = hs.map(() => new Array<number>(Z).fill(0));
    const count = new Array<number>(Z).fill(0);
    exemplars.forEach((ex, e) => {
      const v = lp[i * exemplars.length + e] as Float32Array;
      count[ex.z] += 1;
      let cum = 0;
      let k = 0;
      for (let j = 0; j < hMax; j++) {
        cum -= v[(exemplarSteps + j) * NUM_PAIRS + (pairs[j] as number)] as number;
        while (k < hs.length && hs[k] === j + 1) {
          (sum[k] as number[])[ex.z] += cum;
          k++;
        }
      }
    });
    hs.forEach((_, k) => {
      const err = (sum[k] as number[]).map((s, z) => (count[z] > 0 ? s / (count[z] as number) : Infinity));
      if (argmax(err.map((x) => -x)) === test.latent) correct[k] += 1;
    });
  });
  return correct.map((c) => c / sets.test.length);
}

/** The directly trained classifier's accuracy after h steps (its output at the last pair), per h. */
export async function classifierSweep(
  model: SequenceModel,
  world: MotorWorldConfig,
  test: ReadonlyArray<MotorEpisode>,
  hs: ReadonlyArray<number>,
): Promise<number[]> {
  const hMax = Math.max(...hs);
  const out: number[] = [];
  const seqs = test.map((ep) => prefixTokens(world, ep, hMax));
  // One forward pass: the logits at position h (after h pairs) for every h.
  const V = model.config.vocabSize;
  const chunks = await forwardRows(
    model,
    seqs,
    (logits) => tf.gather(logits, tf.tensor1d(hs as number[], "int32"), 1), // [B, T, V] -> [B, H, V]
    false,
    (v, _s, count) => Array.from({ length: count }, (_, i) => v.slice(i * hs.length * V, (i + 1) * hs.length * V)),
  );
  const rows = chunks.flat();
  hs.forEach((_, k) => {
    let ok = 0;
    test.forEach((ep, i) => {
      const v = (rows[i] as Float32Array).subarray(k * V, (k + 1) * V);
      if (argmax(v, world.numLatents) === ep.latent) ok++;
    });
    out.push(ok / test.length);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Generation: reaching a goal

/** A controller picks one command per task from the history so far (one call for all tasks: batched). */
export type Controller = (states: ReadonlyArray<ReachState>) => Promise<number[]>;

/** Where a reach stands: the episode so far (context and reach steps), the goal. */
export interface ReachState {
  readonly task: ReachTask;
  readonly episode: { latent: number; obs: number[]; actions: number[] };
}

/**
 * Model-predictive control with a frozen predictor: for every command, the predictor's distribution of its
 * consequence (given the history) and the expected distance to the goal after it; the command whose
 * predicted consequence comes closest is sent (one step ahead, then the world answers and the history grows:
 * receding-horizon control).
 */
export function modelBasedController(model: SequenceModel, world: MotorWorldConfig): Controller {
  return async (states) => {
    const seqs = states.map((s) => [BOS, ...encodeEpisode(world, s.episode)]);
    const lp = await conditionalLogProbs(model, seqs);
    const T = seqs[0]?.length ?? 0;
    return states.map((s, i) => {
      const v = lp[i] as Float32Array;
      const o = s.episode.obs[s.episode.obs.length - 1] as number;
      let best = 0;
      let bestCost = Infinity;
      for (let a = 0; a < NUM_COMMANDS; a++) {
        let cost = 0;
        for (let di = 0; di < SLIP_DISPLACEMENTS.length; di++) {
          const d = SLIP_DISPLACEMENTS[di] as number;
          const p = Math.exp(v[(T - 1) * NUM_PAIRS + pairToken(a, d)] as number);
          cost += p * ringDistance(world.numPositions, ringMove(world.numPositions, o, d), s.task.goal);
        }
        if (cost < bestCost - 1e-9) {
          bestCost = cost;
          best = a;
        }
      }
      return best;
    });
  };
}

/** The directly trained policy: its most probable command at the current place (relative to the goal). */
export function policyController(model: SequenceModel, world: MotorWorldConfig): Controller {
  return async (states) => {
    const seqs = states.map((s) => policyTokens(world, s.episode, s.task.goal));
    const logits = await lastLogits(model, seqs);
    return logits.map((v) => argmax(v, NUM_COMMANDS));
  };
}

/** Random commands (each task its own generator). */
export function randomController(seed: number): Controller {
  const rngs = new Map<number, Rng>();
  return async (states) =>
    states.map((s) => {
      let r = rngs.get(s.task.worldSeed);
      if (r === undefined) {
        r = new Rng(deriveSeed(seed, s.task.worldSeed));
        rngs.set(s.task.worldSeed, r);
      }
      return r.int(NUM_COMMANDS);
    });
}

/** The oracle: the world's exact model with z known (the ceiling of one-step control). */
export function oracleController(world: MotorWorldConfig): Controller {
  return async (states) =>
    states.map((s) =>
      bestAction(
        world,
        s.episode.obs[s.episode.obs.length - 1] as number,
        s.task.goal,
        knownLatent(world, s.task.latent),
      ),
    );
}

/** The world's exact model with z inferred from the history by Bayes: what a perfect predictor gives. */
export function bayesController(world: MotorWorldConfig): Controller {
  return async (states) =>
    states.map((s) =>
      bestAction(world, s.episode.obs[s.episode.obs.length - 1] as number, s.task.goal, posterior(world, s.episode)),
    );
}

/**
 * Fraction of tasks in which the controller brings the agent onto the goal within `maxSteps` commands. Every
 * controller meets the same slips (the world's generator is seeded per task and draws the same way whatever
 * the command).
 */
export async function reachSuccess(
  controller: Controller,
  world: MotorWorldConfig,
  tasks: ReadonlyArray<ReachTask>,
  maxSteps: number,
): Promise<number> {
  const states: ReachState[] = tasks.map((task) => ({
    task,
    episode: { latent: task.latent, obs: [...task.context.obs], actions: [...task.context.actions] },
  }));
  const rngs = tasks.map((t) => new Rng(t.worldSeed));
  const reached = tasks.map(() => false);
  for (let k = 0; k < maxSteps; k++) {
    const actions = await controller(states);
    states.forEach((s, i) => {
      const o = s.episode.obs[s.episode.obs.length - 1] as number;
      const a = actions[i] as number;
      const o2 = stepWorld(world, o, a, s.task.latent, rngs[i] as Rng);
      s.episode.actions.push(a);
      s.episode.obs.push(o2);
      if (o2 === s.task.goal) reached[i] = true;
    });
  }
  return reached.filter(Boolean).length / tasks.length;
}

/** The commands of a pair token sequence (for display). */
export function describePairs(tokens: ReadonlyArray<number>): string {
  return tokens
    .filter((t) => t < NUM_PAIRS)
    .map((t) => {
      const { a, d } = splitPair(t);
      return `${a}:${d >= 0 ? "+" : ""}${d}`;
    })
    .join(" ");
}

/** The vocabulary and context length of the direct policy (the pairs interleaved with places relative to the goal). */
export function policyGptConfig(config: T6Config): GPTConfig {
  return gptConfigFor(config, policyVocabSize(config.world), 2 * config.world.episodeLen + 1);
}

/**
 * The brain question's fraction over runs: mean (x − baseline) / mean (reference − baseline), the share of
 * a task-specific model's above-baseline score that the repurposed model gives, with a bootstrap interval
 * over the runs (seeded by `baseSeed` and `label`). A mean of per-run ratios would be dominated by any run
 * whose task-specific model barely beats the baseline.
 */
export function pooledFraction(
  results: ReadonlyArray<T6SeedResult>,
  x: (r: T6SeedResult) => number,
  reference: (r: T6SeedResult) => number,
  baseline: (r: T6SeedResult) => number,
  baseSeed: number,
  label: string,
): Interval {
  return ratioOfMeans(
    results.map((r) => x(r) - baseline(r)),
    results.map((r) => reference(r) - baseline(r)),
    new Rng(deriveSeed(baseSeed, "t6-fraction", label)),
  );
}
