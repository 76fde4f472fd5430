/**
 * A reaching world with a hidden motor perturbation: the world of notebook 06 (Ohmae & Ohmae 2025,
 * "The brain-AI convergence: predictive and generative world models for general-purpose computation",
 * arXiv:2512.02419).
 *
 * An agent sits on a ring of `numPositions` places and issues one of four motor commands per step. What a
 * command does depends on a hidden perturbation z that holds for the whole episode, as prism glasses,
 * a mirror or a gain change do in the classic motor-adaptation experiments that the cerebellum's forward
 * models explain (Wolpert, Miall & Kawato 1998, "Internal models in the cerebellum"): under z the command
 * a moves the agent by `PERTURBATIONS[z].map[a]` places. With probability `slip` the movement goes astray
 * instead and the displacement is drawn uniformly from {−2, …, +2}.
 *
 * Every perturbation moves each command to a different one of the displacements {−2, −1, +1, +2}, so the
 * displacements alone (without the commands) look the same under every z: the hidden cause can only be
 * inferred from commands *and* their consequences, and each transition is weak evidence when slips are
 * frequent. The number of steps of history needed to know z is what notebook 06 varies.
 *
 * Known exactly, because the world is ours: the posterior over z after any history (a Bayes filter), the
 * optimal predictor's next-step loss, the loss of the best predictor that ignores the history (no latent),
 * the Bayes classifier's accuracy, and the best action towards a goal for a known or inferred z.
 *
 * Tokens: each step is one token, the pair (command a, displacement d), 4 × 5 = 20 ids; `<bos>` (20) starts a
 * sequence. A predictor reads the pairs so far and predicts the next pair: the command is the agent's own
 * random choice, the displacement its sensory consequence, so what can be learnt is p(d | a, history), the
 * forward model of the motor-control literature. (With two tokens per step, command then consequence, the
 * tiny models of notebook 06 sat at the no-latent predictor's loss for 1,800 steps: pairing a command with
 * its consequence across positions is a two-layer circuit with no gradient towards either half alone.)
 * A policy reads the same pairs with the place relative to the goal interleaved (ids 21 … 21 + P − 1).
 */
import { checkRange } from "../config";
import type { Rng } from "../rng";

/** The shape of the world. */
export interface MotorWorldConfig {
  /** Places on the ring (P ≥ 5, so that displacements −2 … +2 are told apart). */
  readonly numPositions: number;
  /** How many of the {@link PERTURBATIONS} can be in force (the first `numLatents`; 2 … 4). */
  readonly numLatents: number;
  /** Probability that a movement slips: its displacement is then uniform on {−2, …, +2}. */
  readonly slip: number;
  /** Steps of a training episode (T commands, T + 1 observations; 2T tokens of input). */
  readonly episodeLen: number;
}

export const MOTOR_WORLD_DEFAULTS: Readonly<MotorWorldConfig> = Object.freeze({
  numPositions: 12,
  numLatents: 4,
  slip: 0.6,
  episodeLen: 32,
});

/** The motor commands' number (fixed: the perturbations permute four displacements). */
export const NUM_COMMANDS = 4;

/** Displacements a slipped movement can take, uniformly. */
export const SLIP_DISPLACEMENTS: ReadonlyArray<number> = [-2, -1, 0, 1, 2];

/** The hidden perturbations: what each command does (displacement on the ring) under each z. */
export const PERTURBATIONS: ReadonlyArray<{ readonly name: string; readonly map: ReadonlyArray<number> }> = [
  { name: "normal", map: [-2, -1, 1, 2] },
  { name: "mirror-reversed", map: [2, 1, -1, -2] },
  { name: "gain-swapped", map: [-1, -2, 2, 1] },
  { name: "reversed and gain-swapped", map: [1, 2, -2, -1] },
];

export function validateMotorWorldConfig(c: MotorWorldConfig, where = "world"): void {
  checkRange(`${where}.numPositions`, c.numPositions, 5, 1000, true);
  checkRange(`${where}.numLatents`, c.numLatents, 2, PERTURBATIONS.length, true);
  checkRange(`${where}.slip`, c.slip, 0, 0.99);
  checkRange(`${where}.episodeLen`, c.episodeLen, 1, 4096, true);
}

/** Ids of the (command, displacement) pairs: 4 commands × 5 displacements. */
export const NUM_PAIRS = NUM_COMMANDS * SLIP_DISPLACEMENTS.length;

/** The `<bos>` id that starts every sequence. */
export const BOS = NUM_PAIRS;

/** Vocabulary of a predictor: the 20 pairs and `<bos>`. */
export const PREDICTOR_VOCAB = NUM_PAIRS + 1;

/** Vocabulary of a policy: the predictor's, then P ids for the place relative to the goal. */
export function policyVocabSize(c: MotorWorldConfig): number {
  return PREDICTOR_VOCAB + c.numPositions;
}

/** The token of command a with displacement d (−2 … +2). */
export function pairToken(a: number, d: number): number {
  return a * SLIP_DISPLACEMENTS.length + d + 2;
}

/** The command and displacement of a pair token. */
export function splitPair(tok: number): { a: number; d: number } {
  return { a: Math.floor(tok / SLIP_DISPLACEMENTS.length), d: (tok % SLIP_DISPLACEMENTS.length) - 2 };
}

/** One episode: the hidden perturbation, T + 1 observations (positions) and T commands. */
export interface MotorEpisode {
  readonly latent: number;
  readonly obs: ReadonlyArray<number>;
  readonly actions: ReadonlyArray<number>;
}

/** Position on the ring after moving `d` from `o`. */
export function ringMove(P: number, o: number, d: number): number {
  return (((o + d) % P) + P) % P;
}

/** The signed displacement from o to o2, in (−P/2, P/2]. */
export function ringDelta(P: number, o: number, o2: number): number {
  let d = (((o2 - o) % P) + P) % P;
  if (d > P / 2) d -= P;
  return d;
}

/** Steps between two places on the ring (the shorter way round). */
export function ringDistance(P: number, o: number, g: number): number {
  return Math.abs(ringDelta(P, o, g));
}

/** One step of the world: command a at place o under perturbation z. */
export function stepWorld(c: MotorWorldConfig, o: number, a: number, z: number, rng: Rng): number {
  const d = rng.bernoulli(c.slip)
    ? (SLIP_DISPLACEMENTS[rng.int(SLIP_DISPLACEMENTS.length)] as number)
    : ((PERTURBATIONS[z] as { map: ReadonlyArray<number> }).map[a] as number);
  return ringMove(c.numPositions, o, d);
}

/**
 * An episode of `steps` random commands (uniform: an exploring agent) under perturbation `latent`
 * (default: uniform over the first numLatents), from place `start` (default: uniform).
 */
export function sampleEpisode(
  c: MotorWorldConfig,
  rng: Rng,
  opts: { readonly latent?: number; readonly steps?: number; readonly start?: number } = {},
): MotorEpisode {
  const z = opts.latent ?? rng.int(c.numLatents);
  const T = opts.steps ?? c.episodeLen;
  const obs = [opts.start ?? rng.int(c.numPositions)];
  const actions: number[] = [];
  for (let t = 0; t < T; t++) {
    const a = rng.int(NUM_COMMANDS);
    actions.push(a);
    obs.push(stepWorld(c, obs[t] as number, a, z, rng));
  }
  return { latent: z, obs, actions };
}

/** The displacements of an episode's steps (each in −2 … +2). */
export function displacements(c: MotorWorldConfig, ep: MotorEpisode): number[] {
  return ep.actions.map((_, t) => ringDelta(c.numPositions, ep.obs[t] as number, ep.obs[t + 1] as number));
}

/** The pair tokens of an episode's first `steps` steps (default all), without `<bos>`. */
export function encodeEpisode(c: MotorWorldConfig, ep: MotorEpisode, steps = ep.actions.length): number[] {
  const d = displacements(c, ep);
  return ep.actions.slice(0, steps).map((a, t) => pairToken(a, d[t] as number));
}

/** A predictor's training row from an episode of T steps: x = `<bos>` and the first T − 1 pairs, y = the T pairs. */
export function predictionRow(c: MotorWorldConfig, ep: MotorEpisode): { x: number[]; y: number[] } {
  const y = encodeEpisode(c, ep);
  return { x: [BOS, ...y.slice(0, -1)], y };
}

// ---------------------------------------------------------------------------------------------
// What is known exactly: likelihoods, the posterior, the optimal predictor, the Bayes classifier

/** p(displacement d | command a, perturbation z). */
export function displacementLikelihood(c: MotorWorldConfig, a: number, d: number, z: number): number {
  const map = (PERTURBATIONS[z] as { map: ReadonlyArray<number> }).map;
  const slipP = Math.abs(d) <= 2 ? c.slip / SLIP_DISPLACEMENTS.length : 0;
  return (map[a] === d ? 1 - c.slip : 0) + slipP;
}

/** The posterior over z (first numLatents, uniform prior) after the first `steps` transitions of `ep`. */
export function posterior(c: MotorWorldConfig, ep: MotorEpisode, steps = ep.actions.length): number[] {
  const Z = c.numLatents;
  const logp = new Array<number>(Z).fill(0);
  for (let t = 0; t < steps; t++) {
    const d = ringDelta(c.numPositions, ep.obs[t] as number, ep.obs[t + 1] as number);
    for (let z = 0; z < Z; z++) logp[z] += Math.log(displacementLikelihood(c, ep.actions[t] as number, d, z));
  }
  const m = Math.max(...logp);
  const w = logp.map((l) => Math.exp(l - m));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

/** p(next place | place o, command a) under a belief over z: the predictive distribution over P places. */
export function predictiveDistribution(
  c: MotorWorldConfig,
  o: number,
  a: number,
  belief: ReadonlyArray<number>,
): number[] {
  const P = c.numPositions;
  const p = new Array<number>(P).fill(0);
  belief.forEach((bz, z) => {
    if (bz === 0) return;
    const map = (PERTURBATIONS[z] as { map: ReadonlyArray<number> }).map;
    p[ringMove(P, o, map[a] as number)] += bz * (1 - c.slip);
    for (const d of SLIP_DISPLACEMENTS) p[ringMove(P, o, d)] += (bz * c.slip) / SLIP_DISPLACEMENTS.length;
  });
  return p;
}

/**
 * Per-step losses (nats) of two reference predictors on an episode: `optimal` updates its belief over z
 * after every transition (the Bayes-optimal predictor: nothing predicts better on average), `noLatent`
 * keeps the uniform prior (the best predictor that uses only the current place and command).
 */
export function referenceLosses(c: MotorWorldConfig, ep: MotorEpisode): { optimal: number[]; noLatent: number[] } {
  const Z = c.numLatents;
  const prior = new Array<number>(Z).fill(1 / Z);
  const optimal: number[] = [];
  const noLatent: number[] = [];
  const logp = new Array<number>(Z).fill(0);
  for (let t = 0; t < ep.actions.length; t++) {
    const o = ep.obs[t] as number;
    const a = ep.actions[t] as number;
    const o2 = ep.obs[t + 1] as number;
    const m = Math.max(...logp);
    const w = logp.map((l) => Math.exp(l - m));
    const s = w.reduce((x, y) => x + y, 0);
    const belief = w.map((x) => x / s);
    optimal.push(-Math.log(predictiveDistribution(c, o, a, belief)[o2] as number));
    noLatent.push(-Math.log(predictiveDistribution(c, o, a, prior)[o2] as number));
    const d = ringDelta(c.numPositions, o, o2);
    for (let z = 0; z < Z; z++) logp[z] += Math.log(displacementLikelihood(c, a, d, z));
  }
  return { optimal, noLatent };
}

/**
 * The Bayes classifier's score on one episode after `steps` transitions: 1/k when the true z is among the
 * k most probable values (ties broken at random, in expectation), else 0.
 */
export function bayesCorrect(c: MotorWorldConfig, ep: MotorEpisode, steps: number): number {
  const post = posterior(c, ep, steps);
  const best = Math.max(...post);
  const top = post.map((p, z) => (p >= best * (1 - 1e-9) ? z : -1)).filter((z) => z >= 0);
  return top.includes(ep.latent) ? 1 / top.length : 0;
}

/** The Bayes classifier's accuracy after h steps, by Monte Carlo over `n` episodes (a reference curve). */
export function bayesAccuracy(c: MotorWorldConfig, h: number, n: number, rng: Rng): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += bayesCorrect(c, sampleEpisode(c, rng, { steps: h }), h);
  return s / n;
}

// ---------------------------------------------------------------------------------------------
// Acting: goals, the best action under a belief, and control episodes

/** Expected distance to the goal after command a at place o, under a predictive distribution over places. */
export function expectedDistance(c: MotorWorldConfig, next: ReadonlyArray<number>, g: number): number {
  let s = 0;
  let total = 0;
  next.forEach((p, o) => {
    s += p * ringDistance(c.numPositions, o, g);
    total += p;
  });
  return total > 0 ? s / total : Infinity;
}

/**
 * The command that brings the agent closest to the goal in expectation (one step ahead) under a belief
 * over z; ties go to the lowest command. With the true z as the belief this is the oracle's choice.
 */
export function bestAction(c: MotorWorldConfig, o: number, g: number, belief: ReadonlyArray<number>): number {
  let best = 0;
  let bestCost = Infinity;
  for (let a = 0; a < NUM_COMMANDS; a++) {
    const cost = expectedDistance(c, predictiveDistribution(c, o, a, belief), g);
    if (cost < bestCost - 1e-12) {
      bestCost = cost;
      best = a;
    }
  }
  return best;
}

/** A one-hot belief: z known. */
export function knownLatent(c: MotorWorldConfig, z: number): number[] {
  return Array.from({ length: c.numLatents }, (_, k) => (k === z ? 1 : 0));
}

/** The token of place o seen from goal g (the goal is offset 0). */
export function offsetToken(c: MotorWorldConfig, o: number, g: number): number {
  return PREDICTOR_VOCAB + ringMove(c.numPositions, o, -g);
}

/**
 * A policy's input for the first `steps` steps of an episode, with goal g: `<bos>`, then for every step the
 * place relative to the goal and the step's pair, and last the place reached (2·steps + 2 tokens). The policy
 * chooses each command at the offset token before it.
 */
export function policyTokens(c: MotorWorldConfig, ep: MotorEpisode, g: number, steps = ep.actions.length): number[] {
  const pairs = encodeEpisode(c, ep, steps);
  const out = [BOS];
  pairs.forEach((p, t) => out.push(offsetToken(c, ep.obs[t] as number, g), p));
  out.push(offsetToken(c, ep.obs[steps] as number, g));
  return out;
}

/**
 * Who labels a policy's training rows: `bayes`, the best command given what the policy itself can know (the
 * posterior over z after the history so far: the Bayes-optimal controller), or `oracle`, the best command
 * for the true z (a teacher that knows more than the pupil can; imitating it is not optimal under
 * uncertainty).
 */
export type PolicyTeacher = "bayes" | "oracle";

/**
 * A policy's training row from an exploring episode and a goal: x = the first 2T + 1 tokens of
 * {@link policyTokens} (up to the last pair); at every offset token the target is the teacher's command
 * there, written as its command index 0 … 3 (mask 1), except at the goal (mask 0).
 */
export function policyRow(
  c: MotorWorldConfig,
  ep: MotorEpisode,
  g: number,
  teacher: PolicyTeacher = "bayes",
): { x: number[]; y: number[]; mask: number[] } {
  const x = policyTokens(c, ep, g).slice(0, -1);
  const y = x.map(() => 0);
  const mask = x.map(() => 0);
  const Z = c.numLatents;
  const logp = new Array<number>(Z).fill(0);
  for (let t = 0; t < ep.actions.length; t++) {
    const o = ep.obs[t] as number;
    if (o !== g) {
      let belief: number[];
      if (teacher === "oracle") belief = knownLatent(c, ep.latent);
      else {
        const m = Math.max(...logp);
        const w = logp.map((l) => Math.exp(l - m));
        const sum = w.reduce((a, b) => a + b, 0);
        belief = w.map((v) => v / sum);
      }
      y[2 * t + 1] = bestAction(c, o, g, belief);
      mask[2 * t + 1] = 1;
    }
    const d = ringDelta(c.numPositions, o, ep.obs[t + 1] as number);
    for (let z = 0; z < Z; z++) logp[z] += Math.log(displacementLikelihood(c, ep.actions[t] as number, d, z));
  }
  return { x, y, mask };
}

/** A reaching task: a context of exploring steps (the agent's recent past), then a goal to reach. */
export interface ReachTask {
  readonly latent: number;
  /** The exploring steps before the goal appears (their last observation is the start). */
  readonly context: MotorEpisode;
  readonly goal: number;
  /** Seed of the world's randomness (slips) during the reach: the same for every controller. */
  readonly worldSeed: number;
}

/**
 * A reaching task: `contextSteps` exploring steps under a random z, then a goal at least `minDistance`
 * places away from where the context ends.
 */
export function sampleReachTask(c: MotorWorldConfig, rng: Rng, contextSteps: number, minDistance: number): ReachTask {
  const context = sampleEpisode(c, rng, { steps: contextSteps });
  const start = context.obs[contextSteps] as number;
  const far: number[] = [];
  for (let g = 0; g < c.numPositions; g++) if (ringDistance(c.numPositions, start, g) >= minDistance) far.push(g);
  if (far.length === 0)
    throw new Error(`sampleReachTask: no place is ${minDistance} steps from another on a ring of ${c.numPositions}`);
  return { latent: context.latent, context, goal: rng.choice(far), worldSeed: rng.uint32() };
}
