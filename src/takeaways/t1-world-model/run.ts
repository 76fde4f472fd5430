/**
 * Takeaway 1's runs (second edition): for every seed, a world with two-token names, the base model scored
 * three ways (cloze, zero-shot, few-shot), pretrain → SFT with a learning-rate sweep, SFT only trained to
 * convergence, the plain corpus, the SFT-people curve, probes at the first and last name token, and the
 * concurrent schedules; then the metrics with intervals over seeds, the claims and the CSVs.
 */
import { throwIfCancelled } from "../../cancel";
import {
  above,
  assertedClaim,
  atLeast,
  atMost,
  below,
  measuredClaim,
  overSeeds,
  type SeedEstimate,
} from "../../claims";
import {
  bioDoc,
  type CorpusStyle,
  fewShotPrompt,
  makeWorldData,
  mixedSampler,
  pretrainSampler,
  type QAItem,
  qaDoc,
  sftSampler,
  type WorldData,
} from "../../data/world";
import { formatValue } from "../../present/format";
import type { Progress } from "../../present/progress";
import { deriveSeed, Rng } from "../../rng";
import type { ExperimentContext, ExperimentOutput } from "../../run/experiment";
import { type Interval, type Metric, meanInterval } from "../../stats";
import {
  type BatchSampler,
  evaluateLoss,
  type HistoryRecord,
  type TrainConfig,
  type TrainPhase,
  trainModel,
} from "../../train";
import { createGPT, type GPT, type GPTConfig } from "../../transformer";
import { factRecall, probeByLayer, scoreFewShot, scoreQA } from "./analysis";
import {
  concurrentPlan,
  type CurvePoint,
  FEW_SHOT_K,
  type T1Config,
  type T1Lengths,
  type T1PairResult,
  type T1ProbePair,
  type T1Data,
  type T1Metric,
  type T1Sample,
  type T1SeedResult,
  validateT1Config,
} from "./config";

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
  return h
    .filter((r, i) => i % every === every - 1 || i === h.length - 1)
    .map((r) => ({ step: r.step, trainLoss: r.trainLoss }));
}

/** One trained phase: its thinned loss history, the curves measured during it and its wall time. */
export interface PhaseResult {
  readonly history: Array<{ step: number; trainLoss: number }>;
  /** Named curves measured at the curve steps (e.g. held-out QA accuracy). */
  readonly curves: Record<string, CurvePoint[]>;
  readonly wallMs: number;
}

/**
 * What a run's trainings need from their caller: where progress goes and how to cancel. The experiment
 * passes its {@link ExperimentContext}; a notebook passes `{ progress: lab.notebookProgress() }`.
 */
export interface T1KitContext {
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

/**
 * Train one phase and measure `probes` (name → value) at `curvePoints` evenly spaced steps (and at
 * step 0 when `atStart`).
 */
async function trainPhase(
  model: GPT,
  sampler: BatchSampler,
  phase: TrainPhase,
  seed: number,
  label: string,
  ctx: T1KitContext,
  curvePoints: number,
  probes: Record<string, () => Promise<number>>,
  atStart = false,
): Promise<PhaseResult> {
  const t0 = performance.now();
  const curves: Record<string, CurvePoint[]> = Object.fromEntries(
    Object.keys(probes).map((k) => [k, [] as CurvePoint[]]),
  );
  const measure = async (step: number): Promise<void> => {
    for (const [k, f] of Object.entries(probes)) (curves[k] as CurvePoint[]).push({ step, value: await f() });
  };
  if (atStart) await measure(0);
  const at = new Set(curveSteps(phase.numSteps, curvePoints));
  const config: Partial<TrainConfig> = { ...phase, evalEvery: 0, gradClip: 1, beta1: 0.9, beta2: 0.99 };
  const res = await trainModel(model, sampler, config, {
    seed,
    label,
    ...(ctx.progress ? { progress: ctx.progress } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onStep: async (r) => {
      if (at.has(r.step)) await measure(r.step);
    },
  });
  return { history: thinHistory(res.history), curves, wallMs: performance.now() - t0 };
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

/** The world of one run: two-token names, a context long enough for the largest few-shot prompt. */
export function t1WorldData(config: T1Config, seed: number): WorldData {
  return makeWorldData(config.world, deriveSeed(seed, "world"), { contextDocs: Math.max(...FEW_SHOT_K) + 1 });
}

/** Document lengths of a world (mean biography measured on 400 draws with a fixed generator). */
export function t1Lengths(d: WorldData): T1Lengths {
  const rng = new Rng(16);
  let bio = 0;
  for (let i = 0; i < 400; i++)
    bio += bioDoc(d, d.world.entities[rng.int(d.world.entities.length)]!, "augmented", rng).length;
  const qa = d.trainQA.reduce((s, it) => s + qaDoc(d, it).doc.length, 0) / Math.max(1, d.trainQA.length);
  return { seqLen: d.seqLen, qaLen: d.qaLen, meanBioDoc: bio / 400, meanQaDoc: qa };
}

/** The GPT of a run. */
function gptConfig(config: T1Config, d: WorldData): GPTConfig {
  return { vocabSize: d.tok.vocabSize, seqLen: d.seqLen, ...config.model, tieWeights: false } as GPTConfig;
}

/** A fresh model with the weights of `m` (for several fine-tunings of one base model). */
async function cloneModel(m: GPT, cfg: GPTConfig, initSeed: number): Promise<GPT> {
  const c = createGPT(cfg, initSeed);
  c.setWeights(await m.readWeights());
  return c;
}

/**
 * What one run needs to train and score its models: its world, the GPT config, the initialisation seed
 * (every condition of a run starts from the same weights), the biography loss (forgetting) and a trainer
 * that derives each phase's batch seed from the run's seed. The callable parts ({@link pretrainBase},
 * {@link fineTune}, {@link trainConcurrent}, {@link trainSftOnly}) take one, so a notebook can retrain only
 * the part an exercise changes.
 */
export interface RunKit {
  readonly d: WorldData;
  readonly gpt: GPTConfig;
  readonly initSeed: number;
  readonly tag: string;
  /** Mean next-token loss (nats per token) on augmented biographies (fixed evaluation batches). */
  readonly bioLoss: (m: GPT) => Promise<number>;
  readonly heldAcc: (m: GPT) => () => Promise<number>;
  readonly train: (
    m: GPT,
    sampler: BatchSampler,
    phase: TrainPhase,
    seedLabel: string,
    label: string,
    probes?: Record<string, () => Promise<number>>,
  ) => Promise<PhaseResult>;
}

/**
 * The kit of the run with seed `seed` (the experiment's i-th run has seed {@link t1RunSeed}(base, i)):
 * a model trained with it is the very model that run trains (same world, initialisation and batches).
 */
export function runKit(config: T1Config, seed: number, ctx: T1KitContext = {}, tag = "by hand"): RunKit {
  const d = t1WorldData(config, seed);
  const evalSeed = deriveSeed(seed, "eval-bios");
  return {
    d,
    gpt: gptConfig(config, d),
    initSeed: deriveSeed(seed, "init"),
    tag,
    bioLoss: (m) => evaluateLoss(m, pretrainSampler(d, "augmented"), config.pretrain.batchSize, 4, evalSeed),
    heldAcc: (m) => async () => (await scoreQA(m, d, d.heldOutQA)).acc,
    train: (m, sampler, phase, seedLabel, label, probes = {}) =>
      trainPhase(
        m,
        sampler,
        phase,
        deriveSeed(seed, seedLabel),
        `${tag} ${label}`,
        ctx,
        config.curvePoints,
        probes,
        true,
      ),
  };
}

/** Pretrain a fresh model on one corpus. */
export async function pretrainBase(
  config: T1Config,
  kit: RunKit,
  style: CorpusStyle,
): Promise<{ model: GPT; phase: PhaseResult }> {
  const m = createGPT(kit.gpt, kit.initSeed);
  try {
    const phase = await kit.train(
      m,
      pretrainSampler(kit.d, style),
      config.pretrain,
      `pretrain-${style}`,
      `pretrain (${style})`,
      {
        [style === "augmented" ? "clozeAugmented" : "clozePlain"]: () =>
          factRecall(m, kit.d, kit.d.world.heldOutIds, style),
      },
    );
    return { model: m, phase };
  } catch (e) {
    m.dispose();
    throw e;
  }
}

/** Fine-tune a copy of `base` (SFT on the given training people, at lr × `lrFactor`); the caller disposes it. */
export async function fineTune(
  config: T1Config,
  kit: RunKit,
  base: GPT,
  opts: { lrFactor?: number; people?: ReadonlyArray<number>; label: string; curve?: string },
): Promise<{ model: GPT; phase: PhaseResult }> {
  const f = opts.lrFactor ?? 1;
  const m = await cloneModel(base, kit.gpt, kit.initSeed);
  try {
    const phase = await kit.train(
      m,
      sftSampler(kit.d, opts.people),
      { ...config.sft, lr: config.sft.lr * f, minLr: config.sft.minLr * f },
      "sft",
      opts.label,
      opts.curve ? { [opts.curve]: kit.heldAcc(m) } : {},
    );
    return { model: m, phase };
  } catch (e) {
    m.dispose();
    throw e;
  }
}

/** Concurrent schedule from random init: Q/A documents mixed into the augmented stream at matched compute. */
export async function trainConcurrent(
  config: T1Config,
  kit: RunKit,
  mix: number,
): Promise<{ model: GPT; phase: PhaseResult; qaFraction: number; numSteps: number }> {
  const plan = concurrentPlan(config, t1Lengths(kit.d), mix);
  const m = createGPT(kit.gpt, kit.initSeed);
  try {
    const phase = await kit.train(
      m,
      mixedSampler(kit.d, plan.qaFraction),
      { ...config.pretrain, numSteps: plan.numSteps },
      `concurrent-${mix}`,
      `concurrent ×${mix}`,
      mix === 1
        ? { qaConcurrent: kit.heldAcc(m), clozeConcurrent: () => factRecall(m, kit.d, kit.d.world.heldOutIds) }
        : {},
    );
    return { model: m, phase, qaFraction: plan.qaFraction, numSteps: plan.numSteps };
  } catch (e) {
    m.dispose();
    throw e;
  }
}

/**
 * SFT only: from random init, rounds of sft.numSteps (each with its warmup and decay) until the training
 * accuracy reaches sftOnlyTarget or sftOnlyMaxSteps are done. Reports held-out and training accuracy after
 * the first round (as many steps as pretrain → SFT) and at the end.
 */
export async function trainSftOnly(
  config: T1Config,
  kit: RunKit,
): Promise<{ model: GPT; result: T1SeedResult["sftOnly"]; history: PhaseResult["history"]; wallMs: number }> {
  const m = createGPT(kit.gpt, kit.initSeed);
  try {
    let steps = 0;
    let accMatched = NaN;
    let trainAccMatched = NaN;
    let trainAcc = 0;
    let round = 0;
    const history: PhaseResult["history"] = [];
    let wallMs = 0;
    while (steps < config.sftOnlyMaxSteps) {
      const n = Math.min(config.sft.numSteps, config.sftOnlyMaxSteps - steps);
      const r = await kit.train(
        m,
        sftSampler(kit.d),
        { ...config.sft, numSteps: n },
        `sft-only-${round}`,
        `SFT only (round ${round + 1})`,
      );
      history.push(...r.history.map((h) => ({ step: h.step + steps, trainLoss: h.trainLoss })));
      wallMs += r.wallMs;
      steps += n;
      round += 1;
      trainAcc = (await scoreQA(m, kit.d, kit.d.trainQA)).acc;
      if (round === 1) {
        trainAccMatched = trainAcc;
        accMatched = (await scoreQA(m, kit.d, kit.d.heldOutQA)).acc;
      }
      if (trainAcc >= config.sftOnlyTarget) break;
    }
    const acc = (await scoreQA(m, kit.d, kit.d.heldOutQA)).acc;
    return { model: m, result: { accMatched, trainAccMatched, acc, trainAcc, steps }, history, wallMs };
  } catch (e) {
    m.dispose();
    throw e;
  }
}

async function probePair(m: GPT, d: WorldData, config: T1Config): Promise<T1ProbePair> {
  return {
    first: await probeByLayer(m, d, config.probe, "first"),
    last: await probeByLayer(m, d, config.probe, "last"),
  };
}

/** Run every condition for one seed. Returns the measurements and (for the samples table) generations. */
export async function runSeed(
  config: T1Config,
  seed: number,
  ctx: ExperimentContext,
  seedIndex: number,
): Promise<{ result: T1SeedResult; pair: T1PairResult; samples: T1Sample[] }> {
  const kit = runKit(config, seed, ctx, `seed ${seedIndex + 1}/${config.numSeeds}`);
  const { d } = kit;
  const wallMs: Record<string, number> = {};
  const histories: Record<string, Array<{ step: number; trainLoss: number }>> = {};
  const curves: Record<string, CurvePoint[]> = {};
  const keep = (name: string, r: PhaseResult): void => {
    histories[name] = r.history;
    Object.assign(curves, r.curves);
    wallMs[name] = r.wallMs;
  };
  const held = d.world.heldOutIds;
  const picks = sampleItems(d, seedIndex === 0 ? config.sampleCount : 0);
  const pickItems = picks.map((k) => d.heldOutQA[k] as QAItem);
  const gens: Record<string, string[]> = {};
  const fewShotSeed = deriveSeed(seed, "few-shot");
  const answersOf = async (m: GPT, key: string, n = 2, fewShot = 0): Promise<void> => {
    if (pickItems.length === 0) return;
    const rng = new Rng(fewShotSeed);
    const prompts = fewShot > 0 ? pickItems.map((it) => fewShotPrompt(d, it, fewShot, rng)) : undefined;
    gens[key] = (await scoreQA(m, d, pickItems, n, prompts)).generations.map((g) => decode(d, g));
  };
  const fewShotAll = async (m: GPT): Promise<number[]> => {
    const out: number[] = [];
    for (const k of FEW_SHOT_K) out.push((await scoreFewShot(m, d, d.heldOutQA, k, deriveSeed(fewShotSeed, k))).acc);
    return out;
  };

  // Controls on the untrained model: cloze and probes.
  let m = createGPT(kit.gpt, kit.initSeed);
  const params = m.numParams();
  let clozeRandomInit: number;
  let probeRandom: T1ProbePair;
  try {
    clozeRandomInit = await factRecall(m, d, held);
    probeRandom = await probePair(m, d, config);
  } finally {
    m.dispose();
  }

  // 1. The augmented base model, scored three ways, probed; then the SFT learning-rate sweep (the factor 1 run
  //    is pretrain → SFT) and the SFT-people curve.
  const pre = await pretrainBase(config, kit, "augmented");
  const baseAug = pre.model;
  keep("pretrain (augmented)", pre.phase);
  let base: T1SeedResult["base"];
  let pretrainSft!: T1SeedResult["pretrainSft"];
  let probeAug: T1ProbePair;
  let pretrainLossBefore: number;
  const forgetting: T1SeedResult["forgetting"] = [];
  const sftPeople: T1SeedResult["sftPeople"] = [];
  try {
    const z = await scoreQA(baseAug, d, d.heldOutQA, config.baseGenTokens);
    base = {
      cloze: await factRecall(baseAug, d, held),
      zeroShot: z.acc,
      zeroShotFormat: z.format,
      contains: z.contains,
      fewShot: await fewShotAll(baseAug),
    };
    await answersOf(baseAug, "base", config.baseGenTokens);
    await answersOf(baseAug, "fewShot", 2, Math.max(...FEW_SHOT_K));
    probeAug = await probePair(baseAug, d, config);
    pretrainLossBefore = await kit.bioLoss(baseAug);
    for (const f of config.sftLrFactors) {
      const main = f === 1;
      const ft = await fineTune(config, kit, baseAug, {
        lrFactor: f,
        label: `SFT (lr ×${f})`,
        ...(main ? { curve: "qaPretrainSft" } : {}),
      });
      try {
        const s = await scoreQA(ft.model, d, d.heldOutQA);
        const pretrainLoss = await kit.bioLoss(ft.model);
        forgetting.push({ lrFactor: f, lr: config.sft.lr * f, acc: s.acc, pretrainLoss });
        if (main) {
          keep("SFT (after augmented)", ft.phase);
          pretrainSft = {
            acc: s.acc,
            format: s.format,
            trainAcc: (await scoreQA(ft.model, d, d.trainQA)).acc,
            accByAttribute: s.accByAttribute,
            cloze: await factRecall(ft.model, d, held),
            pretrainLoss,
            fewShot: await fewShotAll(ft.model),
          };
          await answersOf(ft.model, "pretrainSft");
        }
      } finally {
        ft.model.dispose();
      }
    }
    for (const n of config.sftPeople.filter((k) => k < d.world.trainIds.length)) {
      const ft = await fineTune(config, kit, baseAug, {
        people: d.world.trainIds.slice(0, n),
        label: `SFT (${n} people)`,
      });
      try {
        sftPeople.push({ corpus: "augmented", people: n, acc: (await scoreQA(ft.model, d, d.heldOutQA)).acc });
      } finally {
        ft.model.dispose();
      }
    }
    sftPeople.push({ corpus: "augmented", people: d.world.trainIds.length, acc: pretrainSft.acc });
  } finally {
    baseAug.dispose();
  }

  // 2. SFT only, trained to convergence on its own training questions.
  const so = await trainSftOnly(config, kit);
  try {
    histories["SFT only"] = so.history;
    wallMs["SFT only"] = so.wallMs;
    await answersOf(so.model, "sftOnly");
  } finally {
    so.model.dispose();
  }

  // 3. The plain corpus: cloze on its own biography, probes, SFT and the SFT-people curve.
  const preP = await pretrainBase(config, kit, "plain");
  keep("pretrain (plain)", preP.phase);
  let plain: T1SeedResult["plain"];
  let probePlain: T1ProbePair;
  try {
    const cloze = await factRecall(preP.model, d, held, "plain");
    probePlain = await probePair(preP.model, d, config);
    const ft = await fineTune(config, kit, preP.model, { label: "SFT (plain)", curve: "qaPlainSft" });
    try {
      keep("SFT (after plain)", ft.phase);
      const s = await scoreQA(ft.model, d, d.heldOutQA);
      plain = {
        cloze,
        acc: s.acc,
        trainAcc: (await scoreQA(ft.model, d, d.trainQA)).acc,
        accByAttribute: s.accByAttribute,
      };
      await answersOf(ft.model, "plainSft");
    } finally {
      ft.model.dispose();
    }
    for (const n of config.sftPeople.filter((k) => k < d.world.trainIds.length)) {
      const f2 = await fineTune(config, kit, preP.model, {
        people: d.world.trainIds.slice(0, n),
        label: `SFT plain (${n} people)`,
      });
      try {
        sftPeople.push({ corpus: "plain", people: n, acc: (await scoreQA(f2.model, d, d.heldOutQA)).acc });
      } finally {
        f2.model.dispose();
      }
    }
    sftPeople.push({ corpus: "plain", people: d.world.trainIds.length, acc: plain.acc });
  } finally {
    preP.model.dispose();
  }

  // 4. Concurrent schedules, per mixing ratio (the first, 1, is the matched one).
  const concurrent: T1SeedResult["concurrent"] = [];
  for (const mix of config.concurrentMix) {
    const c = await trainConcurrent(config, kit, mix);
    try {
      if (mix === 1) keep("concurrent", c.phase);
      const scores = await scoreModel(kit, c.model); // what the by-hand section and exercise 6 read
      concurrent.push({
        mix,
        qaFraction: c.qaFraction,
        numSteps: c.numSteps,
        acc: scores.heldOutAcc,
        trainAcc: scores.trainAcc,
        pretrainLoss: scores.bioLoss,
      });
      if (mix === 1) await answersOf(c.model, "concurrent");
    } finally {
      c.model.dispose();
    }
  }

  const samples: T1Sample[] = pickItems.map((it, i) => ({
    question: it.question.join(" "),
    answer: it.answer,
    base: gens["base"]?.[i] ?? "",
    fewShot: gens["fewShot"]?.[i] ?? "",
    pretrainSft: gens["pretrainSft"]?.[i] ?? "",
    sftOnly: gens["sftOnly"]?.[i] ?? "",
    plainSft: gens["plainSft"]?.[i] ?? "",
    concurrent: gens["concurrent"]?.[i] ?? "",
  }));
  const main = concurrent[0]!;
  const result: T1SeedResult = {
    seed,
    params,
    seqLen: d.seqLen,
    vocabSize: d.tok.vocabSize,
    base,
    clozeRandomInit,
    pretrainLossBefore,
    pretrainSft,
    sftOnly: so.result,
    plain,
    sftPeople,
    forgetting,
    probe: { augmented: probeAug, plain: probePlain, randomInit: probeRandom },
    concurrent,
    histories,
    curves,
    wallMs,
  };
  const pair: T1PairResult = {
    seed,
    sequential: { acc: pretrainSft.acc, pretrainLoss: pretrainSft.pretrainLoss },
    concurrent: { acc: main.acc, pretrainLoss: main.pretrainLoss },
  };
  return { result, pair, samples };
}

/**
 * One extra run of the concurrent-vs-sequential comparison: augmented pretraining → SFT (lr × 1) and the
 * matched concurrent schedule, from the same initialisation.
 */
export async function runPair(
  config: T1Config,
  seed: number,
  ctx: ExperimentContext,
  tag: string,
): Promise<T1PairResult> {
  const kit = runKit(config, seed, ctx, tag);
  const pre = await pretrainBase(config, kit, "augmented");
  let sequential: T1PairResult["sequential"];
  try {
    const ft = await fineTune(config, kit, pre.model, { label: "SFT" });
    try {
      sequential = {
        acc: (await scoreQA(ft.model, kit.d, kit.d.heldOutQA)).acc,
        pretrainLoss: await kit.bioLoss(ft.model),
      };
    } finally {
      ft.model.dispose();
    }
  } finally {
    pre.model.dispose();
  }
  const c = await trainConcurrent(config, kit, 1);
  try {
    return {
      seed,
      sequential,
      concurrent: {
        acc: (await scoreQA(c.model, kit.d, kit.d.heldOutQA)).acc,
        pretrainLoss: await kit.bioLoss(c.model),
      },
    };
  } finally {
    c.model.dispose();
  }
}

/** Average curves of the same name over seeds (points at the same steps). */
function meanCurves(
  results: ReadonlyArray<T1SeedResult>,
): Record<string, { step: number[]; mean: number[]; lo: number[]; hi: number[] }> {
  const out: Record<string, { step: number[]; mean: number[]; lo: number[]; hi: number[] }> = {};
  const first = results[0];
  if (!first) return out;
  for (const name of Object.keys(first.curves)) {
    const pts = first.curves[name] as CurvePoint[];
    const ivs = pts.map((_, i) =>
      meanInterval(
        results.map((r) => r.curves[name]?.[i]?.value ?? NaN),
        [0, 1],
      ),
    );
    out[name] = {
      step: pts.map((p) => p.step),
      mean: ivs.map((v) => v.mean),
      lo: ivs.map((v) => v.lo),
      hi: ivs.map((v) => v.hi),
    };
  }
  return out;
}

/** The SFT learning-rate factor with the best mean held-out accuracy over seeds (the first of ties). */
export function bestLrFactor(results: ReadonlyArray<T1SeedResult>): number {
  const first = results[0];
  if (!first) return 1;
  let best = first.forgetting[0]!.lrFactor;
  let bestAcc = -Infinity;
  for (const { lrFactor } of first.forgetting) {
    const acc =
      results.reduce((s, r) => s + (r.forgetting.find((x) => x.lrFactor === lrFactor)?.acc ?? NaN), 0) / results.length;
    if (acc > bestAcc) {
      bestAcc = acc;
      best = lrFactor;
    }
  }
  return best;
}

/** The seed of the experiment's `i`-th run (0-based) from the base seed: its world, initialisation and batches derive from it. */
export function t1RunSeed(baseSeed: number, i: number): number {
  return deriveSeed(baseSeed, "t1", i);
}

/** What the by-hand section and the exercises read off a model: held-out and training accuracy, biography loss. */
export interface T1ModelScores {
  /** Held-out people's questions answered by the one answer rule. */
  readonly heldOutAcc: number;
  /** The training people's questions (the ones SFT sees). */
  readonly trainAcc: number;
  /** Next-token loss on augmented biographies, nats per token: the world model (higher = forgotten). */
  readonly bioLoss: number;
}

/** Score a model of the run of `kit` as the experiment does (same questions, same biography batches). */
export async function scoreModel(kit: RunKit, model: GPT): Promise<T1ModelScores> {
  return {
    heldOutAcc: (await scoreQA(model, kit.d, kit.d.heldOutQA)).acc,
    trainAcc: (await scoreQA(model, kit.d, kit.d.trainQA)).acc,
    bioLoss: await kit.bioLoss(model),
  };
}

/** Run every condition for every seed; returns the metrics, claims, data and CSVs of the record. */
export async function runT1(config: T1Config, ctx: ExperimentContext): Promise<ExperimentOutput<T1Data, T1Metric>> {
  validateT1Config(config);
  const seeds = Array.from({ length: config.concurrentSeeds }, (_, i) => t1RunSeed(ctx.seed, i));
  const results: T1SeedResult[] = [];
  const pairs: T1PairResult[] = [];
  let samples: T1Sample[] = [];
  for (let i = 0; i < seeds.length; i++) {
    throwIfCancelled(ctx.signal, "t1-world-model");
    if (i < config.numSeeds) {
      const r = await runSeed(config, seeds[i]!, ctx, i);
      results.push(r.result);
      pairs.push(r.pair);
      if (i === 0) samples = r.samples;
      const x = r.result;
      ctx.log(
        `t1 seed ${i + 1}/${config.numSeeds}: base cloze ${x.base.cloze.toFixed(3)}, zero-shot ${x.base.zeroShot.toFixed(3)}, few-shot k=4 ${(x.base.fewShot[1] ?? NaN).toFixed(3)}; held-out after SFT ${x.pretrainSft.acc.toFixed(3)}, SFT only ${x.sftOnly.acc.toFixed(3)} (train ${x.sftOnly.trainAcc.toFixed(3)}), plain ${x.plain.acc.toFixed(3)}, concurrent ${r.pair.concurrent.acc.toFixed(3)}`,
      );
    } else {
      const p = await runPair(config, seeds[i]!, ctx, `pair ${i + 1}/${config.concurrentSeeds}`);
      pairs.push(p);
      ctx.log(
        `t1 pair ${i + 1}/${config.concurrentSeeds}: sequential ${p.sequential.acc.toFixed(3)}, concurrent ${p.concurrent.acc.toFixed(3)}`,
      );
    }
  }
  return t1Output(config, results, pairs, samples, seeds);
}

/** Metrics, claims, data and CSVs from the per-seed results (a pure function: testable without training). */
export function t1Output(
  config: T1Config,
  results: ReadonlyArray<T1SeedResult>,
  pairs: ReadonlyArray<T1PairResult>,
  samples: T1Sample[],
  seeds: number[],
): ExperimentOutput<T1Data, T1Metric> {
  const chance = 1 / config.world.valuesPerAttribute;
  const acc01 = (f: (r: T1SeedResult) => number): Interval => meanInterval(results.map(f), [0, 1]);
  const free = (f: (r: T1SeedResult) => number): Interval => meanInterval(results.map(f));
  const best = bestLrFactor(results);
  const atLr = (r: T1SeedResult, f: number) => r.forgetting.find((x) => x.lrFactor === f)!;
  const kIdx = (k: number): number => FEW_SHOT_K.indexOf(k as (typeof FEW_SHOT_K)[number]);
  const metrics = {
    clozeAccBase: acc01((r) => r.base.cloze),
    clozeAccRandomInit: acc01((r) => r.clozeRandomInit),
    clozeAccPlain: acc01((r) => r.plain.cloze),
    zeroShotAccBase: acc01((r) => r.base.zeroShot),
    zeroShotFormatBase: acc01((r) => r.base.zeroShotFormat),
    zeroShotContainsBase: acc01((r) => r.base.contains),
    fewShotAccBase_k1: acc01((r) => r.base.fewShot[kIdx(1)] ?? NaN),
    fewShotAccBase_k4: acc01((r) => r.base.fewShot[kIdx(4)] ?? NaN),
    fewShotAccPretrainSft_k4: acc01((r) => r.pretrainSft.fewShot[kIdx(4)] ?? NaN),
    heldoutAccPretrainSft: acc01((r) => r.pretrainSft.acc),
    trainAccPretrainSft: acc01((r) => r.pretrainSft.trainAcc),
    formatRateSft: acc01((r) => r.pretrainSft.format),
    heldoutAccSftOnly: acc01((r) => r.sftOnly.acc),
    trainAccSftOnly: acc01((r) => r.sftOnly.trainAcc),
    heldoutAccSftOnlyMatched: acc01((r) => r.sftOnly.accMatched),
    trainAccSftOnlyMatched: acc01((r) => r.sftOnly.trainAccMatched),
    sftOnlySteps: free((r) => r.sftOnly.steps),
    heldoutAccPlainSft: acc01((r) => r.plain.acc),
    trainAccPlainSft: acc01((r) => r.plain.trainAcc),
    augmentedMinusPlain: free((r) => r.pretrainSft.acc - r.plain.acc),
    probeAcc_augmented_first: acc01((r) => r.probe.augmented.first.acc),
    probeAcc_augmented_last: acc01((r) => r.probe.augmented.last.acc),
    probeAcc_plain_first: acc01((r) => r.probe.plain.first.acc),
    probeAcc_plain_last: acc01((r) => r.probe.plain.last.acc),
    probeAcc_randomInit_first: acc01((r) => r.probe.randomInit.first.acc),
    probeAcc_randomInit_last: acc01((r) => r.probe.randomInit.last.acc),
    pretrainLossBeforeSft: free((r) => r.pretrainLossBefore),
    pretrainLossAfterSft: free((r) => r.pretrainSft.pretrainLoss),
    bestSftLrFactor: best,
    forgettingAtBestLr: free((r) => atLr(r, best).pretrainLoss - r.pretrainLossBefore),
    heldoutAccAtBestLr: acc01((r) => atLr(r, best).acc),
    heldoutAccConcurrent: meanInterval(
      pairs.map((p) => p.concurrent.acc),
      [0, 1],
    ),
    heldoutAccSequential: meanInterval(
      pairs.map((p) => p.sequential.acc),
      [0, 1],
    ),
    concurrentMinusSequential: meanInterval(pairs.map((p) => p.concurrent.acc - p.sequential.acc)),
    concurrentMinusSequentialAtBestLr: free((r) => (r.concurrent[0]?.acc ?? NaN) - atLr(r, best).acc),
    concurrentMinusSequentialPretrainLoss: meanInterval(
      pairs.map((p) => p.concurrent.pretrainLoss - p.sequential.pretrainLoss),
    ),
    namePartsPerPerson: config.world.nameParts,
    chance,
  } satisfies Record<T1Metric, Metric>;
  // Claims: t-intervals over the seeds (each seed is a whole run: world, corpora, models).
  const overRuns = (f: (r: T1SeedResult) => number, bounded = true): SeedEstimate =>
    overSeeds(results.map(f), bounded ? { bounds: [0, 1] } : {});
  const PAPER_BASE =
    'Gros 2025, §2: the base model "does contain the knowledge of the world… but all it can do is to complete a given input word by word"';
  const PAPER_SFT = "Gros 2025, §2: fine-tuning turns the base model into a system that answers";
  const pct = (x: number): string => formatValue(x, { percent: true });
  const claims = [
    assertedClaim({
      id: "base-knows-cloze",
      statement: `The base model completes held-out people's facts in the pretraining format (cloze "Name lives in ___", answer = value then "."), ≥ 50%`,
      paper: PAPER_BASE,
      quantity: "cloze accuracy of the augmented base model on held-out people (every paraphrase)",
      refutedBy: "a cloze accuracy interval wholly below 50%: pretraining did not store the facts",
      estimate: overRuns((r) => r.base.cloze),
      target: atLeast(0.5),
      control: {
        id: "randomInit",
        description: "the same cloze on the same architecture left at its random initialisation",
        estimate: overRuns((r) => r.clozeRandomInit),
        expect: "absent",
      },
    }),
    assertedClaim({
      id: "base-does-not-answer",
      statement: `Asked zero-shot ("Q : where does Name live ? A :"), the base model does not answer: accuracy ≤ chance + 10 points (${pct(chance + 0.1)}), scored by the same rule as the cloze (value then "." or <eos>)`,
      paper: PAPER_BASE,
      quantity: "zero-shot question accuracy of the base model, held-out people",
      refutedBy:
        "a zero-shot accuracy interval wholly above chance + 10 points: the base model answers questions it never saw",
      estimate: overRuns((r) => r.base.zeroShot),
      target: atMost(chance + 0.1),
      control: {
        id: "pretrainSft",
        description: "the same prompts and scoring on the base model after SFT (it should answer)",
        estimate: overRuns((r) => r.pretrainSft.acc),
        expect: "absent",
      },
    }),
    measuredClaim({
      id: "base-few-shot",
      statement: `Few-shot: the base model with ${Math.max(...FEW_SHOT_K)} question/answer examples about training people in its context (no weight change); reported, not asserted: the paper says nothing about in-context examples`,
      paper: null,
      quantity: `held-out question accuracy of the base model, k = ${Math.max(...FEW_SHOT_K)} in-context examples`,
      refutedBy:
        "reported, not asserted: an interval wholly above the zero-shot one would say examples in the context alone make the base model answer",
      estimate: overRuns((r) => r.base.fewShot[kIdx(4)] ?? NaN),
      target: atLeast(0.5),
      control: {
        id: "zeroShot",
        description: "the same base model and scoring without examples",
        estimate: overRuns((r) => r.base.zeroShot),
        expect: "shown",
      },
    }),
    assertedClaim({
      id: "pretrain-sft-answers",
      statement: "Pretraining (augmented) → SFT on other people answers ≥ 50% of the held-out people's questions",
      paper: PAPER_SFT,
      quantity: "held-out question accuracy after pretraining → SFT (people never seen in SFT)",
      refutedBy: "an accuracy interval wholly below 50%",
      estimate: overRuns((r) => r.pretrainSft.acc),
      target: atLeast(0.5),
      control: {
        id: "sftOnly",
        description: `SFT alone from random initialisation, trained until it fits its own training questions (≥ ${pct(config.sftOnlyTarget)} or ${config.sftOnlyMaxSteps} steps): no world model`,
        estimate: overRuns((r) => r.sftOnly.acc),
        expect: "absent",
      },
    }),
    measuredClaim({
      id: "sft-only-fits-training",
      statement: "SFT only fits its own training questions (what makes its held-out accuracy a real control)",
      paper: null,
      quantity: "training-question accuracy of the SFT-only model at the end of its training",
      refutedBy: "reported, not asserted: a low training accuracy would make the SFT-only control vacuous",
      estimate: overRuns((r) => r.sftOnly.trainAcc),
      target: atLeast(config.sftOnlyTarget),
    }),
    assertedClaim({
      id: "extraction-needs-augmentation",
      statement:
        "Allen-Zhu & Li (storage vs extraction): after the same SFT, the augmented corpus answers held-out people better than the plain one, although both store the facts in their own format",
      paper: null,
      quantity: "held-out accuracy, augmented → SFT minus plain → SFT, per seed",
      refutedBy: "an interval wholly ≤ 0: one fixed biography per person is as extractable as augmented ones",
      estimate: overRuns((r) => r.pretrainSft.acc - r.plain.acc, false),
      target: above(0),
      control: {
        id: "clozeGap",
        description:
          "the cloze accuracy of the same two base models, each in its own format (storage), augmented minus plain",
        estimate: overRuns((r) => r.base.cloze - r.plain.cloze, false),
        expect: "absent",
      },
    }),
    assertedClaim({
      id: "probe-at-name",
      statement: `A linear probe on the augmented base model's hidden state at the last name token decodes held-out people's attributes ≥ chance + 25 points (${pct(chance + 0.25)}), before any SFT (layer chosen on validation people)`,
      paper: PAPER_BASE,
      quantity: "probe accuracy at the last name token, held-out people, mean over attributes",
      refutedBy: "a probe accuracy interval wholly below chance + 25 points",
      estimate: overRuns((r) => r.probe.augmented.last.acc),
      target: atLeast(chance + 0.25),
      control: {
        id: "randomInit",
        description: "the same probe on the same architecture left at its random initialisation",
        estimate: overRuns((r) => r.probe.randomInit.last.acc),
        expect: "absent",
      },
    }),
    assertedClaim({
      id: "probe-separates-corpora",
      statement:
        "The probe at the last name token reads the augmented model better than the plain one (Allen-Zhu & Li's Q-probing: knowledge stored at the name only when the corpus is augmented)",
      paper: null,
      quantity: "probe accuracy at the last name token, augmented minus plain, per seed",
      refutedBy: "an interval wholly ≤ 0: the probe cannot tell the two corpora apart",
      estimate: overRuns((r) => r.probe.augmented.last.acc - r.probe.plain.last.acc, false),
      target: above(0),
      control: {
        id: "firstToken",
        description:
          "the same difference at the first name token (a first name is shared by several people: no person is identified there)",
        estimate: overRuns((r) => r.probe.augmented.first.acc - r.probe.plain.first.acc, false),
        expect: "absent",
      },
    }),
    measuredClaim({
      id: "forgetting-at-best-lr",
      statement: `Forgetting read at the SFT learning rate that answers best (lr × ${best} of ${config.sftLrFactors.join(", ")}): biography loss after SFT minus before (nats per token)`,
      paper: null,
      quantity: "augmented biography loss after SFT minus before, at the best-answering SFT learning rate, per seed",
      refutedBy:
        "reported, not asserted: an interval wholly ≤ 0 would say SFT at a sane rate does not touch the world model",
      estimate: overRuns((r) => atLr(r, best).pretrainLoss - r.pretrainLossBefore, false),
      target: above(0),
    }),
    measuredClaim({
      id: "concurrent-vs-sequential",
      statement: `Concurrent (answer data interleaved with world-model data from step 0) minus sequential held-out accuracy at matched compute, over ${pairs.length} seeds (the brain question)`,
      paper:
        'Gros 2025, §2: in the brain "world model training and fine-tuning… are conceivably active at the same time"',
      quantity: "held-out accuracy, concurrent minus pretrain → SFT, per seed",
      refutedBy:
        "reported, not asserted: an interval wholly below 0 would say sequential training answers better at equal compute",
      estimate: overSeeds(pairs.map((p) => p.concurrent.acc - p.sequential.acc)),
      target: above(0),
    }),
    measuredClaim({
      id: "concurrent-vs-sequential-best-lr",
      statement: `Concurrent minus sequential held-out accuracy when the sequential recipe fine-tunes at its best-answering learning rate (lr × ${best}), over the ${results.length} full seeds; reported, not asserted: the rate is chosen on the held-out people's accuracy`,
      paper: null,
      quantity:
        "held-out accuracy, concurrent (Q/A share × 1) minus pretrain → SFT at the best SFT learning rate, per seed",
      refutedBy:
        "reported, not asserted: an interval wholly below 0 would say a well-tuned sequential recipe answers better",
      estimate: overRuns((r) => (r.concurrent[0]?.acc ?? NaN) - atLr(r, best).acc, false),
      target: above(0),
    }),
    measuredClaim({
      id: "concurrent-forgetting",
      statement: `Concurrent minus sequential biography loss at the end of training (nats per token), over ${pairs.length} seeds: does concurrency remove forgetting?`,
      paper: null,
      quantity: "augmented biography loss, concurrent minus pretrain → SFT, per seed",
      refutedBy:
        "reported, not asserted: an interval wholly below 0 would say the concurrent schedule keeps the world model better",
      estimate: overSeeds(pairs.map((p) => p.concurrent.pretrainLoss - p.sequential.pretrainLoss)),
      target: below(0),
    }),
  ];
  const sftPeopleRows = results.flatMap((r) =>
    r.sftPeople.map((x) => ({ corpus: x.corpus, people: x.people, seed: r.seed, heldoutAcc: x.acc })),
  );
  const forgettingRows = results.flatMap((r) => [
    { lr: 0, seed: r.seed, heldoutAcc: r.base.zeroShot, pretrainLoss: r.pretrainLossBefore },
    ...r.forgetting.map((x) => ({ lr: x.lr, seed: r.seed, heldoutAcc: x.acc, pretrainLoss: x.pretrainLoss })),
  ]);
  const runsRows = results.flatMap((r) => [
    { seed: r.seed, condition: "base-cloze", heldoutAcc: r.base.cloze },
    { seed: r.seed, condition: "base-zero-shot", heldoutAcc: r.base.zeroShot },
    ...FEW_SHOT_K.map((k, i) => ({
      seed: r.seed,
      condition: `base-few-shot-k${k}`,
      heldoutAcc: r.base.fewShot[i] ?? NaN,
    })),
    { seed: r.seed, condition: "pretrainSft", heldoutAcc: r.pretrainSft.acc },
    { seed: r.seed, condition: "sftOnly", heldoutAcc: r.sftOnly.acc },
    { seed: r.seed, condition: "plainSft", heldoutAcc: r.plain.acc },
    ...r.concurrent.map((c) => ({ seed: r.seed, condition: `concurrent-x${c.mix}`, heldoutAcc: c.acc })),
  ]);
  const probeRows = results.flatMap((r) =>
    (["augmented", "plain", "randomInit"] as const).flatMap((model) =>
      (["first", "last"] as const).flatMap((position) =>
        r.probe[model][position].heldOutByLayer.map((acc, layer) => ({
          seed: r.seed,
          model,
          position,
          layer,
          valAcc: r.probe[model][position].valByLayer[layer],
          heldoutAcc: acc,
          chosen: layer === r.probe[model][position].layer ? 1 : 0,
        })),
      ),
    ),
  );
  const pairRows = pairs.map((p) => ({
    seed: p.seed,
    sequentialAcc: p.sequential.acc,
    concurrentAcc: p.concurrent.acc,
    sequentialPretrainLoss: p.sequential.pretrainLoss,
    concurrentPretrainLoss: p.concurrent.pretrainLoss,
  }));
  const mixRows = results.flatMap((r) =>
    r.concurrent.map((c) => ({
      seed: r.seed,
      mix: c.mix,
      qaFraction: c.qaFraction,
      heldoutAcc: c.acc,
      trainAcc: c.trainAcc,
      pretrainLoss: c.pretrainLoss,
    })),
  );
  const first = results[0];
  return {
    seeds,
    metrics,
    claims,
    data: {
      results: [...results],
      pairs: [...pairs],
      samples,
      curves: meanCurves(results),
      probeByLayer: (["augmented", "plain", "randomInit"] as const).flatMap((model) =>
        (["first", "last"] as const).map((position) => ({
          model,
          position,
          layers: (first?.probe[model][position].heldOutByLayer ?? []).map((_, l) =>
            meanInterval(
              results.map((r) => r.probe[model][position].heldOutByLayer[l] ?? NaN),
              [0, 1],
            ),
          ),
        })),
      ),
      concurrent: (first?.concurrent ?? []).map((c) => ({
        mix: c.mix,
        qaFraction: c.qaFraction,
        numSteps: c.numSteps,
      })),
      sftPeople: [...new Set((first?.sftPeople ?? []).map((x) => x.people))].sort((a, b) => a - b),
      chance,
    },
    csv: {
      "sft-people.csv": { rows: sftPeopleRows, columns: ["corpus", "people", "seed", "heldoutAcc"] },
      "forgetting.csv": { rows: forgettingRows, columns: ["lr", "seed", "heldoutAcc", "pretrainLoss"] },
      "runs.csv": { rows: runsRows, columns: ["seed", "condition", "heldoutAcc"] },
      "probe.csv": {
        rows: probeRows,
        columns: ["seed", "model", "position", "layer", "valAcc", "heldoutAcc", "chosen"],
      },
      "concurrent.csv": {
        rows: pairRows,
        columns: ["seed", "sequentialAcc", "concurrentAcc", "sequentialPretrainLoss", "concurrentPretrainLoss"],
      },
      "concurrent-mix.csv": {
        rows: mixRows,
        columns: ["seed", "mix", "qaFraction", "heldoutAcc", "trainAcc", "pretrainLoss"],
      },
    },
  };
}
