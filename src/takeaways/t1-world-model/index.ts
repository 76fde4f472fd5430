/**
 * Takeaway 1 (Gros 2025, "From generative AI to the brain: five takeaways", §2): world modelling is
 * not enough. Next-token prediction on text about a world stores the world's facts, but the base model
 * only continues text; answering questions appears after supervised fine-tuning (SFT), and SFT on some
 * people unlocks the stored knowledge about others only when pretraining stored it in an extractable
 * form (Allen-Zhu & Li 2023, Physics of LMs 3.1, arXiv:2309.14316).
 *
 * Conditions, per seed (each a really trained tiny GPT):
 * 1. base: pretrained on the augmented corpus, asked the questions as they are;
 * 2. pretrain → SFT (the ML recipe);
 * 3. SFT only, from random init (no world model);
 * 4. plain corpus → SFT (one fixed biography per person);
 * 5. concurrent: Q/A rows mixed into the augmented pretraining stream from step 0, with the same rows
 *    (so the same compute) as 2; plus forgetting: the pretraining loss before and after SFT.
 * A linear probe on the base model's hidden state at a name decodes the person's attributes for
 * held-out people, before any SFT.
 */
import * as tf from "@tensorflow/tfjs";
import { frozen, checkRange } from "../../config";
import { registerExperiment, ExperimentContext } from "../../run/experiment";
import { deriveSeed, Rng } from "../../rng";
import { meanInterval, claim } from "../../stats";
import type { Interval, ResultRecord } from "../../run/results";
import { WordTokenizer, Tokenizer } from "../../tokenizer";
import { createGPT, GPT } from "../../transformer";
import { trainModel, evaluateLoss, BatchSampler, HistoryRecord, TrainConfig } from "../../train";
import { generate } from "../../generate";
import { fitLinearProbe, probeAccuracy, ProbeConfig } from "../../probe";
import { barFigure, lineFigure, lossCurveFigure, withHorizontalLines, Figure, LineSeries } from "../../present/plot";
import {
  WorldConfig,
  World,
  Entity,
  CorpusStyle,
  createWorld,
  validateWorldConfig,
  biography,
  qaItems,
  QAItem,
  attributeValues,
  worldVocabulary,
  maxBiographyWords,
  maxQAWords,
  factPrompts,
  ATTRIBUTES,
} from "../../data/world";

/** Model size (the rest of GPTConfig comes from the world: vocabulary and context length). */
export interface T1ModelConfig {
  readonly dModel: number;
  readonly nHead: number;
  readonly nLayer: number;
  /** MLP width; 0 = 4 dModel. */
  readonly dFF: number;
}

/** One training phase (pretraining or SFT): the trainer's knobs that matter here. */
export interface T1PhaseConfig {
  readonly numSteps: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly minLr: number;
  readonly warmupSteps: number;
  readonly weightDecay: number;
}

/** The experiment's config. */
export interface T1Config {
  /** Independent runs (world, init and batches all derive from the run's seed). */
  readonly numSeeds: number;
  readonly world: WorldConfig;
  readonly model: T1ModelConfig;
  /** Next-token pretraining on biographies (augmented or plain). */
  readonly pretrain: T1PhaseConfig;
  /** SFT on Q/A pairs of the training people, loss on the answer and <eos> only. */
  readonly sft: T1PhaseConfig;
  /**
   * Concurrent condition: fraction of rows that are Q/A pairs. 0 = the same number of Q/A rows as
   * sequential SFT sees, spread over the run (same compute, same data, only the schedule differs).
   */
  readonly concurrentQaFraction: number;
  /** Held-out QA accuracy is measured this many times during SFT and concurrent training (curves). */
  readonly curvePoints: number;
  readonly probe: ProbeConfig;
  /** Tokens the base model may generate after the question (to see what it does instead). */
  readonly baseGenTokens: number;
  /** Held-out prompts shown in the base-vs-SFT generations table (seed 0). */
  readonly sampleCount: number;
}

const SMOKE: T1Config = {
  numSeeds: 1,
  world: { numEntities: 60, numAttributes: 2, valuesPerAttribute: 4, heldOutFraction: 0.5, nameParts: 1 },
  model: { dModel: 64, nHead: 4, nLayer: 1, dFF: 0 },
  pretrain: { numSteps: 120, batchSize: 64, lr: 1e-2, minLr: 1e-3, warmupSteps: 10, weightDecay: 0 },
  sft: { numSteps: 25, batchSize: 32, lr: 5e-3, minLr: 5e-4, warmupSteps: 3, weightDecay: 0 },
  concurrentQaFraction: 0,
  curvePoints: 2,
  probe: { numSteps: 50, lr: 0.05, l2: 1e-3 },
  baseGenTokens: 6,
  sampleCount: 6,
};

/** Profiles: smoke exercises every path in seconds; quick must reach the targets within 3 minutes. */
export const T1_PROFILES = {
  smoke: frozen<T1Config>(SMOKE),
  quick: frozen<T1Config>({
    ...SMOKE,
    numSeeds: 4,
    world: { numEntities: 100, numAttributes: 3, valuesPerAttribute: 8, heldOutFraction: 0.5, nameParts: 1 },
    model: { dModel: 64, nHead: 4, nLayer: 1, dFF: 0 },
    pretrain: { numSteps: 200, batchSize: 128, lr: 1e-2, minLr: 1e-3, warmupSteps: 15, weightDecay: 0 },
    sft: { numSteps: 40, batchSize: 64, lr: 5e-3, minLr: 5e-4, warmupSteps: 4, weightDecay: 0 },
    curvePoints: 4,
    probe: { numSteps: 150, lr: 0.05, l2: 1e-3 },
    sampleCount: 8,
  }),
  full: frozen<T1Config>({
    ...SMOKE,
    numSeeds: 5,
    world: { numEntities: 200, numAttributes: 4, valuesPerAttribute: 8, heldOutFraction: 0.5, nameParts: 1 },
    model: { dModel: 64, nHead: 4, nLayer: 2, dFF: 0 },
    pretrain: { numSteps: 600, batchSize: 128, lr: 1e-2, minLr: 1e-3, warmupSteps: 30, weightDecay: 0 },
    sft: { numSteps: 80, batchSize: 64, lr: 5e-3, minLr: 5e-4, warmupSteps: 5, weightDecay: 0 },
    curvePoints: 8,
    probe: { numSteps: 200, lr: 0.05, l2: 1e-3 },
    sampleCount: 10,
  }),
};

// ---------------------------------------------------------------------------------------------
// Token data

/** A world with its tokenizer and the token ids the evaluation needs. */
export interface WorldData {
  readonly world: World;
  readonly tok: Tokenizer;
  /** Context length of the model: the longest document minus one (x = row[0..T), y = row[1..T]). */
  readonly seqLen: number;
  /** Token ids of attribute a's values. */
  readonly valueIds: ReadonlyArray<ReadonlyArray<number>>;
  /** Every value id (all attributes). */
  readonly allValueIds: ReadonlySet<number>;
  readonly trainQA: ReadonlyArray<QAItem>;
  readonly heldOutQA: ReadonlyArray<QAItem>;
}

/** Build the world of one run and its word tokenizer. */
export function makeWorldData(config: WorldConfig, seed: number): WorldData {
  const world = createWorld(config, seed);
  const tok = WordTokenizer.fromCorpus(worldVocabulary(world).join(" "));
  const seqLen = Math.max(maxBiographyWords(world), maxQAWords(world)) + 1; // [<bos>, words..., <eos>] minus one
  const valueIds = world.attributes.map((_, a) => attributeValues(world, a).map((v) => tok.id(v)));
  return {
    world,
    tok,
    seqLen,
    valueIds,
    allValueIds: new Set(valueIds.flat()),
    trainQA: qaItems(world, world.trainIds),
    heldOutQA: qaItems(world, world.heldOutIds),
  };
}

function ids(tok: Tokenizer, words: ReadonlyArray<string>): number[] {
  return words.map((w) => tok.id(w));
}

/** One training row from a document [<bos>, ..., <eos>]: x, y shifted, padded to T; mask from `lossFrom`. */
function row(doc: number[], T: number, lossFrom: number, padId: number, only?: ReadonlySet<number>): { x: number[]; y: number[]; mask: number[] } {
  if (doc.length > T + 1) throw new Error(`t1: document of ${doc.length} tokens does not fit seqLen ${T}`);
  const x = new Array<number>(T).fill(padId);
  const y = new Array<number>(T).fill(padId);
  const mask = new Array<number>(T).fill(0);
  for (let t = 0; t < doc.length - 1; t++) {
    x[t] = doc[t] as number;
    y[t] = doc[t + 1] as number;
    // Position t predicts doc[t + 1]: counted from the first loss-bearing target on.
    mask[t] = t + 1 >= lossFrom && (only === undefined || only.has(doc[t + 1] as number)) ? 1 : 0;
  }
  return { x, y, mask };
}

/** A biography document as token ids, with <bos> and <eos>. */
function bioDoc(d: WorldData, e: Entity, style: CorpusStyle, rng: Rng): number[] {
  return [d.tok.bosId, ...ids(d.tok, biography(d.world, e, style, rng)), d.tok.eosId];
}

/** A Q/A document [<bos>, Q, :, ..., A, :, value, <eos>] and where its answer starts. */
function qaDoc(d: WorldData, item: QAItem): { doc: number[]; answerAt: number } {
  const q = [d.tok.bosId, ...ids(d.tok, item.question)];
  return { doc: [...q, d.tok.id(item.answer), d.tok.eosId], answerAt: q.length };
}

/**
 * Pretraining batches: biographies of people drawn uniformly (all people, held-out ones too), loss on
 * every token. `valuesOnly`: loss only where the target is an attribute value (the "fact loss").
 */
export function pretrainSampler(d: WorldData, style: CorpusStyle, valuesOnly = false): BatchSampler {
  return (rng, B) => {
    const x: number[][] = [];
    const y: number[][] = [];
    const mask: number[][] = [];
    for (let b = 0; b < B; b++) {
      const e = d.world.entities[rng.int(d.world.entities.length)] as Entity;
      const r = row(bioDoc(d, e, style, rng), d.seqLen, 1, d.tok.padId, valuesOnly ? d.allValueIds : undefined);
      x.push(r.x);
      y.push(r.y);
      mask.push(r.mask);
    }
    return { x, y, mask };
  };
}

/** SFT batches: Q/A pairs of the training people, loss on the answer value and <eos> only. */
export function sftSampler(d: WorldData): BatchSampler {
  return (rng, B) => {
    const x: number[][] = [];
    const y: number[][] = [];
    const mask: number[][] = [];
    for (let b = 0; b < B; b++) {
      const { doc, answerAt } = qaDoc(d, d.trainQA[rng.int(d.trainQA.length)] as QAItem);
      const r = row(doc, d.seqLen, answerAt, d.tok.padId);
      x.push(r.x);
      y.push(r.y);
      mask.push(r.mask);
    }
    return { x, y, mask };
  };
}

/** Concurrent batches: each row is a Q/A pair with probability `qaFraction`, else an augmented biography. */
export function mixedSampler(d: WorldData, qaFraction: number): BatchSampler {
  const bio = pretrainSampler(d, "augmented");
  const qa = sftSampler(d);
  return (rng, B) => {
    const x: number[][] = [];
    const y: number[][] = [];
    const mask: number[][] = [];
    for (let b = 0; b < B; b++) {
      const one = rng.bernoulli(qaFraction) ? qa(rng, 1) : bio(rng, 1);
      x.push(one.x[0] as number[]);
      y.push(one.y[0] as number[]);
      mask.push((one.mask as number[][])[0] as number[]);
    }
    return { x, y, mask };
  };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Accuracy and format rate of greedy answers to Q/A items. */
export interface QAScore {
  /** Fraction answered exactly: the correct value followed by <eos>. */
  readonly acc: number;
  /** Fraction answered in the answer format: any attribute value followed by <eos>. */
  readonly format: number;
  /** Fraction whose first `n` generated tokens contain the correct value anywhere (knowledge shown in any form). */
  readonly contains: number;
  /** Accuracy per attribute. */
  readonly accByAttribute: number[];
  /** The generations (token ids), one per item. */
  readonly generations: number[][];
}

/** Ask every item's question (greedy, `maxNewTokens` >= 2) and score the answers. */
export function scoreQA(model: GPT, d: WorldData, items: ReadonlyArray<QAItem>, maxNewTokens = 2): QAScore {
  const prompts = items.map((it) => [d.tok.bosId, ...ids(d.tok, it.question)]);
  const gens = generate(model, prompts, { maxNewTokens: Math.max(2, maxNewTokens), temperature: 0 });
  let acc = 0;
  let format = 0;
  let contains = 0;
  const A = d.world.attributes.length;
  const okBy = new Array<number>(A).fill(0);
  const nBy = new Array<number>(A).fill(0);
  items.forEach((it, i) => {
    const g = gens[i] as number[];
    const want = d.tok.id(it.answer);
    const inFormat = d.allValueIds.has(g[0] as number) && g[1] === d.tok.eosId;
    const correct = g[0] === want && g[1] === d.tok.eosId;
    format += inFormat ? 1 : 0;
    acc += correct ? 1 : 0;
    contains += g.includes(want) ? 1 : 0;
    okBy[it.attribute] = (okBy[it.attribute] as number) + (correct ? 1 : 0);
    nBy[it.attribute] = (nBy[it.attribute] as number) + 1;
  });
  const n = Math.max(1, items.length);
  return { acc: acc / n, format: format / n, contains: contains / n, accByAttribute: okBy.map((k, a) => k / Math.max(1, nBy[a] as number)), generations: gens };
}

/**
 * Knowledge in a pretraining format: for the given people, the fraction of fill-in-the-value prompts
 * (`augmented`: every template's sentence cut before the value; `plain`: the fixed biography cut
 * before the value) whose greedy next token is the correct value.
 */
export function factRecall(model: GPT, d: WorldData, entityIds: ReadonlyArray<number>, style: CorpusStyle = "augmented"): number {
  const prompts: number[][] = [];
  const wants: number[] = [];
  for (const id of entityIds) {
    const e = d.world.entities[id] as Entity;
    for (let a = 0; a < d.world.attributes.length; a++) {
      for (const f of factPrompts(d.world, e, a, style)) {
        prompts.push([d.tok.bosId, ...ids(d.tok, f.prefix)]);
        wants.push(d.tok.id(f.value));
      }
    }
  }
  const gens = generate(model, prompts, { maxNewTokens: 1, temperature: 0 });
  let ok = 0;
  gens.forEach((g, i) => (ok += g[0] === wants[i] ? 1 : 0));
  return ok / Math.max(1, prompts.length);
}

/**
 * Hidden states at the (last) name token of "<bos> NAME" for every entity: per layer (0 = after the
 * embeddings), a [numEntities][dModel] array.
 */
export function nameStates(model: GPT, d: WorldData): number[][][] {
  const byLen = new Map<number, number[]>();
  d.world.entities.forEach((e) => {
    const g = byLen.get(e.name.length) ?? [];
    g.push(e.id);
    byLen.set(e.name.length, g);
  });
  const L = model.config.nLayer + 1;
  const C = model.config.dModel;
  const out: number[][][] = Array.from({ length: L }, () => new Array<number[]>(d.world.entities.length));
  for (const [len, group] of byLen) {
    const tokens = group.map((id) => [d.tok.bosId, ...ids(d.tok, (d.world.entities[id] as Entity).name)]);
    const last = tf.tidy(() => {
      const { logits, hidden } = model.forward(tf.tensor2d(tokens.flat(), [group.length, len + 1], "int32"), { returnHidden: true });
      logits.dispose();
      // Each layer: [B, T, C] -> [B, C] at the last position.
      return tf.stack((hidden as tf.Tensor3D[]).map((h) => tf.reshape(tf.slice(h, [0, len, 0], [group.length, 1, C]), [group.length, C]))); // [L, B, C]
    });
    let data: Float32Array;
    try {
      data = last.dataSync() as Float32Array;
    } finally {
      last.dispose();
    }
    for (let l = 0; l < L; l++) {
      group.forEach((id, b) => {
        (out[l] as number[][])[id] = Array.from(data.subarray((l * group.length + b) * C, (l * group.length + b + 1) * C));
      });
    }
  }
  return out;
}

/**
 * Probe accuracy per layer (rows) and attribute (columns): a linear probe trained on the training
 * people's name states and tested on the held-out people's.
 */
export function probeByLayer(model: GPT, d: WorldData, config: ProbeConfig): number[][] {
  const states = nameStates(model, d);
  const K = d.world.config.valuesPerAttribute;
  return states.map((layer) =>
    d.world.attributes.map((_, a) => {
      const label = (id: number): number => (d.world.entities[id] as Entity).values[a] as number;
      const probe = fitLinearProbe(d.world.trainIds.map((id) => layer[id] as number[]), d.world.trainIds.map(label), K, config);
      return probeAccuracy(probe, d.world.heldOutIds.map((id) => layer[id] as number[]), d.world.heldOutIds.map(label));
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Training with learning curves

/** A measured point of a learning curve. */
export interface CurvePoint {
  readonly step: number;
  readonly value: number;
}

/** The steps (1-based, ending at `numSteps`) at which a curve of `points` points is measured. */
export function curveSteps(numSteps: number, points: number): number[] {
  if (numSteps <= 0 || points <= 0) return [];
  const out = new Set<number>();
  for (let i = 1; i <= points; i++) out.add(Math.max(1, Math.round((numSteps * i) / points)));
  return [...out].sort((a, b) => a - b);
}

/** Keep at most `max` history rows (evenly spaced, always the last) with the fields the figures need. */
function thinHistory(h: ReadonlyArray<HistoryRecord>, max = 60): Array<{ step: number; trainLoss: number }> {
  const every = Math.max(1, Math.ceil(h.length / max));
  return h.filter((r, i) => i % every === every - 1 || i === h.length - 1).map((r) => ({ step: r.step, trainLoss: r.trainLoss }));
}

interface PhaseResult {
  readonly history: Array<{ step: number; trainLoss: number }>;
  /** Named curves measured at the curve steps (e.g. held-out QA accuracy). */
  readonly curves: Record<string, CurvePoint[]>;
  readonly wallMs: number;
}

/**
 * Train one phase and measure `probes` (name → value) at `curvePoints` evenly spaced steps (and at
 * step 0 when `atStart`).
 */
async function trainPhase(
  model: GPT,
  sampler: BatchSampler,
  phase: T1PhaseConfig,
  seed: number,
  label: string,
  ctx: ExperimentContext,
  curvePoints: number,
  probes: Record<string, () => number>,
  atStart = false,
): Promise<PhaseResult> {
  const t0 = performance.now();
  const curves: Record<string, CurvePoint[]> = Object.fromEntries(Object.keys(probes).map((k) => [k, [] as CurvePoint[]]));
  const measure = (step: number): void => {
    for (const [k, f] of Object.entries(probes)) (curves[k] as CurvePoint[]).push({ step, value: f() });
  };
  if (atStart) measure(0);
  const at = new Set(curveSteps(phase.numSteps, curvePoints));
  const config: Partial<TrainConfig> = { ...phase, evalEvery: 0, gradClip: 1, beta1: 0.9, beta2: 0.99 };
  const res = await trainModel(model, sampler, config, {
    seed,
    label,
    progress: ctx.progress,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onStep: (r) => {
      if (at.has(r.step)) measure(r.step);
    },
  });
  return { history: thinHistory(res.history), curves, wallMs: performance.now() - t0 };
}

// ---------------------------------------------------------------------------------------------
// One run (one seed)

/** Per-seed measurements (JSON-serialisable). */
export interface T1SeedResult {
  readonly seed: number;
  readonly params: number;
  readonly seqLen: number;
  readonly vocabSize: number;
  /** Base model (augmented pretraining, no SFT). */
  readonly base: { acc: number; format: number; contains: number; recall: number };
  readonly pretrainSft: { acc: number; format: number; trainAcc: number; accByAttribute: number[]; recallAfter: number };
  readonly sftOnly: { acc: number; format: number; trainAcc: number };
  readonly plain: { recall: number; acc: number; format: number; trainAcc: number; accByAttribute: number[] };
  readonly concurrent: { acc: number; format: number; trainAcc: number; recall: number; pretrainLoss: number; factLoss: number };
  /** Augmented-corpus loss of the sequential model before and after SFT (all tokens; value tokens only). */
  readonly forgetting: { lossBefore: number; lossAfter: number; factLossBefore: number; factLossAfter: number };
  /** Probe accuracy [layer][attribute] on held-out people, for the three models. */
  readonly probe: { augmented: number[][]; plain: number[][]; randomInit: number[][] };
  readonly histories: Record<string, Array<{ step: number; trainLoss: number }>>;
  readonly curves: Record<string, CurvePoint[]>;
  readonly wallMs: Record<string, number>;
}

/** A side-by-side row of generations for one held-out question. */
export interface T1Sample {
  readonly question: string;
  readonly answer: string;
  readonly base: string;
  readonly pretrainSft: string;
  readonly sftOnly: string;
  readonly plainSft: string;
  readonly concurrent: string;
}

function decode(d: WorldData, g: ReadonlyArray<number>): string {
  return g.map((t) => d.tok.token(t)).join(" ");
}

/** Indices of `n` held-out Q/A items spread over people and cycling through the attributes. */
function sampleItems(d: WorldData, n: number): number[] {
  const A = d.world.attributes.length;
  const people = d.world.heldOutIds.length;
  const m = Math.min(n, people);
  return Array.from({ length: m }, (_, i) => Math.floor((i * people) / m) * A + (i % A));
}

/** Concurrent condition: Q/A fraction and steps so that it sees the same rows as pretrain + SFT. */
export function concurrentPlan(config: T1Config): { qaFraction: number; numSteps: number } {
  const pre = config.pretrain.numSteps * config.pretrain.batchSize;
  const qa = config.sft.numSteps * config.sft.batchSize;
  const numSteps = Math.max(1, Math.round((pre + qa) / config.pretrain.batchSize));
  const qaFraction = config.concurrentQaFraction > 0 ? config.concurrentQaFraction : qa / (pre + qa);
  return { qaFraction, numSteps };
}

/** Validate a config; errors name the field. */
export function validateT1Config(c: T1Config): void {
  checkRange("t1.numSeeds", c.numSeeds, 1, 100, true);
  validateWorldConfig(c.world);
  checkRange("t1.model.dModel", c.model.dModel, 4, 1024, true);
  checkRange("t1.model.nLayer", c.model.nLayer, 1, 16, true);
  for (const [name, p] of [["pretrain", c.pretrain], ["sft", c.sft]] as const) {
    checkRange(`t1.${name}.numSteps`, p.numSteps, 1, 1e6, true);
    checkRange(`t1.${name}.batchSize`, p.batchSize, 1, 4096, true);
  }
  checkRange("t1.concurrentQaFraction", c.concurrentQaFraction, 0, 1);
  checkRange("t1.curvePoints", c.curvePoints, 1, 100, true);
  checkRange("t1.baseGenTokens", c.baseGenTokens, 2, 64, true);
  checkRange("t1.sampleCount", c.sampleCount, 0, 1000, true);
}

/** Run every condition for one seed. Returns the measurements and (for the samples table) generations. */
export async function runSeed(config: T1Config, seed: number, ctx: ExperimentContext, seedIndex: number): Promise<{ result: T1SeedResult; samples: T1Sample[] }> {
  const d = makeWorldData(config.world, deriveSeed(seed, "world"));
  const gpt = { vocabSize: d.tok.vocabSize, seqLen: d.seqLen, ...config.model, tieWeights: false };
  const initSeed = deriveSeed(seed, "init");
  const tag = `seed ${seedIndex + 1}/${config.numSeeds}`;
  const wallMs: Record<string, number> = {};
  const histories: Record<string, Array<{ step: number; trainLoss: number }>> = {};
  const curves: Record<string, CurvePoint[]> = {};
  const evalBatches = 4;
  const evalSeed = deriveSeed(seed, "eval-bios");
  const evalB = config.pretrain.batchSize;
  const bioLoss = (m: GPT): Promise<number> => evaluateLoss(m, pretrainSampler(d, "augmented"), evalB, evalBatches, evalSeed);
  const factLoss = (m: GPT): Promise<number> => evaluateLoss(m, pretrainSampler(d, "augmented", true), evalB, evalBatches, evalSeed);
  const heldAcc = (m: GPT) => (): number => scoreQA(m, d, d.heldOutQA).acc;
  const heldRecall = (m: GPT, style: CorpusStyle = "augmented") => (): number => factRecall(m, d, d.world.heldOutIds, style);
  const picks = sampleItems(d, seedIndex === 0 ? config.sampleCount : 0);
  const pickItems = picks.map((k) => d.heldOutQA[k] as QAItem);
  const gens: Record<string, string[]> = {};
  const answersOf = (m: GPT, key: string, n = 2): void => {
    if (pickItems.length === 0) return;
    gens[key] = scoreQA(m, d, pickItems, n).generations.map((g) => decode(d, g));
  };

  // Control: a probe on an untrained model (what a linear read-out finds in random name embeddings).
  let m = createGPT(gpt, initSeed);
  const params = m.numParams();
  const probeRandom = probeByLayer(m, d, config.probe);
  m.dispose();

  // 1 + 2: augmented pretraining, the base model, then SFT.
  m = createGPT(gpt, initSeed);
  let base: T1SeedResult["base"];
  let pretrainSft: T1SeedResult["pretrainSft"];
  let forgetting: T1SeedResult["forgetting"];
  let probeAug: number[][];
  try {
    const pre = await trainPhase(m, pretrainSampler(d, "augmented"), config.pretrain, deriveSeed(seed, "pretrain-augmented"), `${tag} pretrain (augmented)`, ctx, config.curvePoints, { recallAugmented: heldRecall(m) }, true);
    histories["pretrain (augmented)"] = pre.history;
    Object.assign(curves, pre.curves);
    wallMs["pretrainAugmented"] = pre.wallMs;
    const b = scoreQA(m, d, d.heldOutQA, config.baseGenTokens);
    base = { acc: b.acc, format: b.format, contains: b.contains, recall: factRecall(m, d, d.world.heldOutIds) };
    answersOf(m, "base", config.baseGenTokens);
    probeAug = probeByLayer(m, d, config.probe);
    const lossBefore = await bioLoss(m);
    const factLossBefore = await factLoss(m);
    const sft = await trainPhase(m, sftSampler(d), config.sft, deriveSeed(seed, "sft"), `${tag} SFT`, ctx, config.curvePoints, { qaPretrainSft: heldAcc(m) }, true);
    histories["SFT (after augmented)"] = sft.history;
    Object.assign(curves, sft.curves);
    wallMs["sft"] = sft.wallMs;
    const s = scoreQA(m, d, d.heldOutQA);
    pretrainSft = { acc: s.acc, format: s.format, trainAcc: scoreQA(m, d, d.trainQA).acc, accByAttribute: s.accByAttribute, recallAfter: factRecall(m, d, d.world.heldOutIds) };
    answersOf(m, "pretrainSft");
    forgetting = { lossBefore, lossAfter: await bioLoss(m), factLossBefore, factLossAfter: await factLoss(m) };
  } finally {
    m.dispose();
  }

  // 3: SFT only, from the same random init.
  m = createGPT(gpt, initSeed);
  let sftOnly: T1SeedResult["sftOnly"];
  try {
    const r = await trainPhase(m, sftSampler(d), config.sft, deriveSeed(seed, "sft"), `${tag} SFT only`, ctx, config.curvePoints, { qaSftOnly: heldAcc(m) }, true);
    histories["SFT only"] = r.history;
    Object.assign(curves, r.curves);
    wallMs["sftOnly"] = r.wallMs;
    const s = scoreQA(m, d, d.heldOutQA);
    sftOnly = { acc: s.acc, format: s.format, trainAcc: scoreQA(m, d, d.trainQA).acc };
    answersOf(m, "sftOnly");
  } finally {
    m.dispose();
  }

  // 4: plain corpus, then the same SFT.
  m = createGPT(gpt, initSeed);
  let plain: T1SeedResult["plain"];
  let probePlain: number[][];
  try {
    const pre = await trainPhase(m, pretrainSampler(d, "plain"), config.pretrain, deriveSeed(seed, "pretrain-plain"), `${tag} pretrain (plain)`, ctx, config.curvePoints, { recallPlain: heldRecall(m, "plain") }, true);
    histories["pretrain (plain)"] = pre.history;
    Object.assign(curves, pre.curves);
    wallMs["pretrainPlain"] = pre.wallMs;
    const recall = factRecall(m, d, d.world.heldOutIds, "plain");
    probePlain = probeByLayer(m, d, config.probe);
    const sft = await trainPhase(m, sftSampler(d), config.sft, deriveSeed(seed, "sft"), `${tag} SFT (plain)`, ctx, config.curvePoints, { qaPlainSft: heldAcc(m) }, true);
    histories["SFT (after plain)"] = sft.history;
    Object.assign(curves, sft.curves);
    wallMs["sftPlain"] = sft.wallMs;
    const s = scoreQA(m, d, d.heldOutQA);
    plain = { recall, acc: s.acc, format: s.format, trainAcc: scoreQA(m, d, d.trainQA).acc, accByAttribute: s.accByAttribute };
    answersOf(m, "plainSft");
  } finally {
    m.dispose();
  }

  // 5: concurrent: Q/A rows mixed into the augmented stream from step 0, same rows in total.
  m = createGPT(gpt, initSeed);
  let concurrent: T1SeedResult["concurrent"];
  try {
    const plan = concurrentPlan(config);
    const phase: T1PhaseConfig = { ...config.pretrain, numSteps: plan.numSteps };
    const r = await trainPhase(m, mixedSampler(d, plan.qaFraction), phase, deriveSeed(seed, "concurrent"), `${tag} concurrent`, ctx, config.curvePoints, { qaConcurrent: heldAcc(m), recallConcurrent: heldRecall(m) }, true);
    histories["concurrent"] = r.history;
    Object.assign(curves, r.curves);
    wallMs["concurrent"] = r.wallMs;
    const s = scoreQA(m, d, d.heldOutQA);
    concurrent = {
      acc: s.acc,
      format: s.format,
      trainAcc: scoreQA(m, d, d.trainQA).acc,
      recall: factRecall(m, d, d.world.heldOutIds),
      pretrainLoss: await bioLoss(m),
      factLoss: await factLoss(m),
    };
    answersOf(m, "concurrent");
  } finally {
    m.dispose();
  }

  const samples: T1Sample[] = pickItems.map((it, i) => ({
    question: it.question.join(" "),
    answer: it.answer,
    base: gens["base"]?.[i] ?? "",
    pretrainSft: gens["pretrainSft"]?.[i] ?? "",
    sftOnly: gens["sftOnly"]?.[i] ?? "",
    plainSft: gens["plainSft"]?.[i] ?? "",
    concurrent: gens["concurrent"]?.[i] ?? "",
  }));
  const result: T1SeedResult = {
    seed,
    params,
    seqLen: d.seqLen,
    vocabSize: d.tok.vocabSize,
    base,
    pretrainSft,
    sftOnly,
    plain,
    concurrent,
    forgetting,
    probe: { augmented: probeAug, plain: probePlain, randomInit: probeRandom },
    histories,
    curves,
    wallMs,
  };
  return { result, samples };
}

// ---------------------------------------------------------------------------------------------
// The experiment

/** The conditions, in display order, with the label the figures use. */
export const T1_CONDITIONS = [
  { key: "base", label: "base (pretrained only)" },
  { key: "pretrainSft", label: "pretrain → SFT" },
  { key: "sftOnly", label: "SFT only" },
  { key: "plainSft", label: "plain corpus → SFT" },
  { key: "concurrent", label: "concurrent" },
] as const;

/** Mean probe accuracy over attributes, per layer. */
function probeMeans(p: number[][]): number[] {
  return p.map((row) => row.reduce((a, b) => a + b, 0) / Math.max(1, row.length));
}

/** Average curves of the same name over seeds (points at the same steps). */
function meanCurves(results: ReadonlyArray<T1SeedResult>): Record<string, { step: number[]; mean: number[]; lo: number[]; hi: number[] }> {
  const out: Record<string, { step: number[]; mean: number[]; lo: number[]; hi: number[] }> = {};
  const first = results[0];
  if (!first) return out;
  for (const name of Object.keys(first.curves)) {
    const pts = first.curves[name] as CurvePoint[];
    const ivs = pts.map((_, i) => meanInterval(results.map((r) => (r.curves[name]?.[i] as CurvePoint).value), [0, 1]));
    out[name] = { step: pts.map((p) => p.step), mean: ivs.map((v) => v.mean), lo: ivs.map((v) => v.lo), hi: ivs.map((v) => v.hi) };
  }
  return out;
}

export const t1WorldModel = registerExperiment<T1Config>({
  id: "t1-world-model",
  title: "Takeaway 1: world modelling is not enough — pretraining stores the world, fine-tuning makes it answer",
  claim:
    "Next-token pretraining stores the facts of a world, but the base model does not answer questions; supervised fine-tuning on some people makes it answer about held-out people from the stored knowledge, which needs the world model (SFT alone is at chance).",
  profiles: T1_PROFILES,
  async run(config, ctx) {
    validateT1Config(config);
    const seeds = Array.from({ length: config.numSeeds }, (_, i) => deriveSeed(ctx.seed, "t1", i));
    const results: T1SeedResult[] = [];
    let samples: T1Sample[] = [];
    for (let i = 0; i < seeds.length; i++) {
      if (ctx.signal?.aborted) throw new Error("t1-world-model: cancelled");
      const r = await runSeed(config, seeds[i] as number, ctx, i);
      results.push(r.result);
      if (i === 0) samples = r.samples;
      ctx.log(`t1 seed ${i + 1}/${seeds.length}: held-out acc base ${r.result.base.acc.toFixed(3)}, pretrain→SFT ${r.result.pretrainSft.acc.toFixed(3)}, SFT only ${r.result.sftOnly.acc.toFixed(3)}, plain→SFT ${r.result.plain.acc.toFixed(3)}, concurrent ${r.result.concurrent.acc.toFixed(3)}`);
    }
    const acc01 = (f: (r: T1SeedResult) => number): Interval => meanInterval(results.map(f), [0, 1]);
    const free = (f: (r: T1SeedResult) => number): Interval => meanInterval(results.map(f));
    const chance = 1 / config.world.valuesPerAttribute;
    const probeBest = (r: T1SeedResult): number => Math.max(...probeMeans(r.probe.augmented));
    const metrics = {
      heldoutAccBase: acc01((r) => r.base.acc),
      formatRateBase: acc01((r) => r.base.format),
      heldoutAccPretrainSft: acc01((r) => r.pretrainSft.acc),
      formatRateSft: acc01((r) => r.pretrainSft.format),
      heldoutAccSftOnly: acc01((r) => r.sftOnly.acc),
      heldoutAccPlainSft: acc01((r) => r.plain.acc),
      heldoutAccConcurrent: acc01((r) => r.concurrent.acc),
      pretrainLossBeforeSft: free((r) => r.forgetting.lossBefore),
      pretrainLossAfterSft: free((r) => r.forgetting.lossAfter),
      probeAccBest: acc01(probeBest),
      chance,
      // Beyond the contract: what the numbers above rest on.
      heldoutContainsBase: acc01((r) => r.base.contains),
      heldoutRecallBase: acc01((r) => r.base.recall),
      heldoutRecallPlain: acc01((r) => r.plain.recall),
      heldoutRecallConcurrent: acc01((r) => r.concurrent.recall),
      trainAccPretrainSft: acc01((r) => r.pretrainSft.trainAcc),
      trainAccSftOnly: acc01((r) => r.sftOnly.trainAcc),
      trainAccPlainSft: acc01((r) => r.plain.trainAcc),
      trainAccConcurrent: acc01((r) => r.concurrent.trainAcc),
      formatRateSftOnly: acc01((r) => r.sftOnly.format),
      formatRatePlainSft: acc01((r) => r.plain.format),
      formatRateConcurrent: acc01((r) => r.concurrent.format),
      factLossBeforeSft: free((r) => r.forgetting.factLossBefore),
      factLossAfterSft: free((r) => r.forgetting.factLossAfter),
      pretrainLossConcurrent: free((r) => r.concurrent.pretrainLoss),
      factLossConcurrent: free((r) => r.concurrent.factLoss),
      probeAccBestPlain: acc01((r) => Math.max(...probeMeans(r.probe.plain))),
      probeAccBestRandomInit: acc01((r) => Math.max(...probeMeans(r.probe.randomInit))),
      concurrentMinusSequential: free((r) => r.concurrent.acc - r.pretrainSft.acc),
      augmentedMinusPlain: free((r) => r.pretrainSft.acc - r.plain.acc),
      forgettingDelta: free((r) => r.forgetting.lossAfter - r.forgetting.lossBefore),
    };
    const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
    const iv = (x: Interval): string => `${pct(x.mean)} [${pct(x.lo)}, ${pct(x.hi)}]`;
    const dPlain = metrics.augmentedMinusPlain;
    const dConc = metrics.concurrentMinusSequential;
    const dForget = metrics.forgettingDelta;
    const claims = [
      claim("base-does-not-answer", "The base model (pretrained only) answers ≤ 10% of held-out questions correctly in the answer format", metrics.heldoutAccBase.mean, "<=", 0.1),
      claim(
        "base-format-lower",
        `SFT raises the format rate (value then <eos>) by at least 50 points over the base model (base ${iv(metrics.formatRateBase)}, SFT ${iv(metrics.formatRateSft)})`,
        metrics.formatRateSft.mean - metrics.formatRateBase.mean,
        ">=",
        0.5,
      ),
      claim("pretrain-sft-answers", "Pretraining (augmented) → SFT answers ≥ 90% of the held-out people's questions", metrics.heldoutAccPretrainSft.mean, ">=", 0.9),
      claim("sft-only-chance", `SFT alone, without a world model, stays within 5 points of chance (${pct(chance)}) on held-out people`, metrics.heldoutAccSftOnly.mean, "<=", chance + 0.05),
      claim(
        "probe-before-sft",
        `A linear probe on the base model's hidden state at a held-out person's name decodes their attributes far above chance (best layer ${iv(metrics.probeAccBest)}; random-init control ${iv(metrics.probeAccBestRandomInit)})`,
        metrics.probeAccBest.mean,
        ">=",
        chance + 0.25,
      ),
      claim(
        "plain-corpus-effect",
        `Augmented minus plain corpus, held-out accuracy after the same SFT: ${(100 * dPlain.mean).toFixed(1)} points [${(100 * dPlain.lo).toFixed(1)}, ${(100 * dPlain.hi).toFixed(1)}] (plain ${iv(metrics.heldoutAccPlainSft)})`,
        dPlain.mean,
        ">",
        0,
        false,
      ),
      claim(
        "concurrent-vs-sequential",
        `Concurrent minus sequential held-out accuracy at the same compute: ${(100 * dConc.mean).toFixed(1)} points [${(100 * dConc.lo).toFixed(1)}, ${(100 * dConc.hi).toFixed(1)}] (concurrent ${iv(metrics.heldoutAccConcurrent)})`,
        dConc.mean,
        ">=",
        0,
        false,
      ),
      claim(
        "forgetting",
        `Pretraining loss change from SFT: ${dForget.mean.toFixed(3)} nats [${dForget.lo.toFixed(3)}, ${dForget.hi.toFixed(3)}] (before ${metrics.pretrainLossBeforeSft.mean.toFixed(3)}, after ${metrics.pretrainLossAfterSft.mean.toFixed(3)})`,
        dForget.mean,
        ">",
        0,
        false,
      ),
    ];
    const rows = results.flatMap((r, i) => [
      { seedIndex: i, seed: r.seed, condition: "base", heldoutAcc: r.base.acc, formatRate: r.base.format, trainAcc: NaN, heldoutRecall: r.base.recall, pretrainLoss: r.forgetting.lossBefore },
      { seedIndex: i, seed: r.seed, condition: "pretrainSft", heldoutAcc: r.pretrainSft.acc, formatRate: r.pretrainSft.format, trainAcc: r.pretrainSft.trainAcc, heldoutRecall: r.pretrainSft.recallAfter, pretrainLoss: r.forgetting.lossAfter },
      { seedIndex: i, seed: r.seed, condition: "sftOnly", heldoutAcc: r.sftOnly.acc, formatRate: r.sftOnly.format, trainAcc: r.sftOnly.trainAcc, heldoutRecall: NaN, pretrainLoss: NaN },
      { seedIndex: i, seed: r.seed, condition: "plainSft", heldoutAcc: r.plain.acc, formatRate: r.plain.format, trainAcc: r.plain.trainAcc, heldoutRecall: r.plain.recall, pretrainLoss: NaN },
      { seedIndex: i, seed: r.seed, condition: "concurrent", heldoutAcc: r.concurrent.acc, formatRate: r.concurrent.format, trainAcc: r.concurrent.trainAcc, heldoutRecall: r.concurrent.recall, pretrainLoss: r.concurrent.pretrainLoss },
    ]);
    const probeRows = results.flatMap((r, i) =>
      (["augmented", "plain", "randomInit"] as const).flatMap((model) =>
        r.probe[model].flatMap((byAttr, layer) => byAttr.map((acc, a) => ({ seedIndex: i, model, layer, attribute: ATTRIBUTES[a]?.name ?? String(a), acc }))),
      ),
    );
    return {
      seeds,
      metrics,
      claims,
      data: {
        results,
        samples,
        curves: meanCurves(results),
        probeByLayer: (["augmented", "plain", "randomInit"] as const).map((model) => ({
          model,
          layers: (results[0] as T1SeedResult).probe[model].map((_, l) => meanInterval(results.map((r) => probeMeans(r.probe[model])[l] as number), [0, 1])),
        })),
        concurrent: concurrentPlan(config),
        chance,
      },
      csv: {
        "runs.csv": { rows, columns: ["seedIndex", "seed", "condition", "heldoutAcc", "formatRate", "trainAcc", "heldoutRecall", "pretrainLoss"] },
        "probe.csv": { rows: probeRows, columns: ["seedIndex", "model", "layer", "attribute", "acc"] },
      },
    };
  },
  figures(record) {
    return t1Figures(record);
  },
});

// ---------------------------------------------------------------------------------------------
// Figures (pure functions of the record)

interface T1Data {
  readonly chance: number;
  readonly curves: Record<string, { step: number[]; mean: number[]; lo: number[]; hi: number[] }>;
  readonly probeByLayer: Array<{ model: string; layers: Interval[] }>;
  readonly results: T1SeedResult[];
}

function metricOf(record: ResultRecord, key: string): Interval {
  const m = record.metrics[key];
  if (m === undefined) throw new Error(`t1 figures: metric "${key}" missing from the record`);
  return typeof m === "number" ? { mean: m, lo: m, hi: m, n: 1 } : m;
}

/** The figures: held-out accuracy by condition, learning curves, probe by layer, accuracy by attribute, forgetting. */
export function t1Figures(record: ResultRecord): Record<string, Figure> {
  const data = record.data as T1Data;
  const chance = data.chance;
  const conds = [
    ["base (pretrained only)", "heldoutAccBase", "formatRateBase"],
    ["pretrain → SFT", "heldoutAccPretrainSft", "formatRateSft"],
    ["SFT only", "heldoutAccSftOnly", "formatRateSftOnly"],
    ["plain corpus → SFT", "heldoutAccPlainSft", "formatRatePlainSft"],
    ["concurrent", "heldoutAccConcurrent", "formatRateConcurrent"],
  ] as const;
  const acc = conds.map(([, k]) => metricOf(record, k));
  const fmt = conds.map(([, , k]) => metricOf(record, k));
  const n = acc[0]?.n ?? 0;
  const accuracy = withHorizontalLines(
    barFigure(
      conds.map(([l]) => l),
      [
        { name: "held-out accuracy", y: acc.map((v) => v.mean), lo: acc.map((v) => v.lo), hi: acc.map((v) => v.hi) },
        { name: "format rate", y: fmt.map((v) => v.mean), lo: fmt.map((v) => v.lo), hi: fmt.map((v) => v.hi) },
      ],
      { title: "Questions about held-out people", subtitle: `mean and 95% interval over ${n} seed(s); answer = value then <eos>`, xTitle: "condition", yTitle: "fraction of held-out questions", yRange: [0, 1.05], valueDigits: 2 },
    ),
    [chance],
    ["chance"],
  );
  const c = data.curves;
  const line = (key: string, name: string, dash?: "dash" | "dot"): LineSeries | null => {
    const v = c[key];
    return v ? { name, x: v.step, y: v.mean, lo: v.lo, hi: v.hi, ...(dash ? { dash } : {}) } : null;
  };
  const keep = (xs: Array<LineSeries | null>): LineSeries[] => xs.filter((x): x is LineSeries => x !== null);
  const pretrainCurves = withHorizontalLines(
    lineFigure(
      keep([
        line("recallAugmented", "augmented corpus: fact completion"),
        line("recallPlain", "plain corpus: fact completion (its own biographies)"),
        line("recallConcurrent", "concurrent: fact completion"),
        line("qaConcurrent", "concurrent: question answering", "dash"),
      ]),
      { title: "What pretraining learns about held-out people", subtitle: "fact completion: the value after \"Name lives in\" etc.; QA: answer to \"Q : where does Name live ? A :\"", xTitle: "pretraining step", yTitle: "held-out accuracy", yRange: [0, 1.05] },
    ),
    [chance],
    ["chance"],
  );
  const sftCurves = withHorizontalLines(
    lineFigure(keep([line("qaPretrainSft", "pretrain (augmented) → SFT"), line("qaPlainSft", "pretrain (plain) → SFT"), line("qaSftOnly", "SFT only")]), {
      title: "Held-out question answering during SFT",
      subtitle: "SFT trains on the other people's Q/A pairs only",
      xTitle: "SFT step",
      yTitle: "held-out accuracy",
      yRange: [0, 1.05],
    }),
    [chance],
    ["chance"],
  );
  const names: Record<string, string> = { augmented: "base model (augmented corpus)", plain: "plain-corpus model", randomInit: "untrained (random init)" };
  const probe = withHorizontalLines(
    lineFigure(
      data.probeByLayer.map((p) => ({
        name: names[p.model] ?? p.model,
        x: p.layers.map((_, l) => (l === 0 ? "embedding" : `block ${l}`)),
        y: p.layers.map((v) => v.mean),
        lo: p.layers.map((v) => v.lo),
        hi: p.layers.map((v) => v.hi),
      })),
      { title: "Linear probe: attributes of held-out people from the hidden state at their name", subtitle: "before any SFT; mean over attributes", xTitle: "layer", yTitle: "probe accuracy (held-out people)", yRange: [0, 1.05], errors: "bars" },
    ),
    [chance],
    ["chance"],
  );
  const allTokens = [metricOf(record, "pretrainLossBeforeSft"), metricOf(record, "pretrainLossAfterSft"), metricOf(record, "pretrainLossConcurrent")];
  const valueTokens = [metricOf(record, "factLossBeforeSft"), metricOf(record, "factLossAfterSft"), metricOf(record, "factLossConcurrent")];
  const forgetting = barFigure(
    ["after pretraining", "after SFT", "concurrent (end)"],
    [
      { name: "all tokens", y: allTokens.map((v) => v.mean), lo: allTokens.map((v) => v.lo), hi: allTokens.map((v) => v.hi) },
      { name: "value tokens only", y: valueTokens.map((v) => v.mean), lo: valueTokens.map((v) => v.lo), hi: valueTokens.map((v) => v.hi) },
    ],
    { title: "Forgetting: the world model's loss on biographies", subtitle: `augmented biographies, mean and 95% interval over ${n} seed(s)`, xTitle: "model", yTitle: "cross-entropy (nats / token)", valueDigits: 3 },
  );
  const A = data.results[0]?.pretrainSft.accByAttribute.length ?? 0;
  const attrLabels = Array.from({ length: A }, (_, a) => `${a + 1}. ${ATTRIBUTES[a]?.name ?? a}`);
  const byAttr = (f: (r: T1SeedResult) => number[]): Interval[] => attrLabels.map((_, a) => meanInterval(data.results.map((r) => f(r)[a] as number), [0, 1]));
  const aug = byAttr((r) => r.pretrainSft.accByAttribute);
  const pl = byAttr((r) => r.plain.accByAttribute);
  const byAttribute = withHorizontalLines(
    barFigure(
      attrLabels,
      [
        { name: "augmented → SFT", y: aug.map((v) => v.mean), lo: aug.map((v) => v.lo), hi: aug.map((v) => v.hi) },
        { name: "plain → SFT", y: pl.map((v) => v.mean), lo: pl.map((v) => v.lo), hi: pl.map((v) => v.hi) },
      ],
      {
        title: "Which facts SFT can extract, by attribute",
        subtitle: "attributes in the plain biography's order: the first follows the name, the later ones a pronoun",
        xTitle: "attribute (plain-corpus position)",
        yTitle: "held-out accuracy after SFT",
        yRange: [0, 1.05],
        valueDigits: 2,
      },
    ),
    [chance],
    ["chance"],
  );
  const first = data.results[0];
  const losses = lossCurveFigure(
    first ? Object.entries(first.histories).map(([name, history]) => ({ name, history })) : [],
    { title: "Training loss of every phase (first seed)", subtitle: "pretraining: all tokens; SFT: answer tokens only; concurrent: both", x: "step" },
  );
  return {
    "heldout-accuracy": accuracy,
    "pretraining-curves": pretrainCurves,
    "sft-curves": sftCurves,
    "loss-curves": losses,
    "probe-by-layer": probe,
    "by-attribute": byAttribute,
    forgetting,
  };
}

