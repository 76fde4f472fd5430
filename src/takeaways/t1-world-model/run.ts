/**
 * Takeaway 1's runs: for every seed, a world, the base model, pretrain → SFT, SFT only, plain corpus →
 * SFT and the concurrent schedule, each a really trained tiny GPT; then the metrics with intervals over
 * seeds, the claims and the CSVs.
 */
import { throwIfCancelled } from "../../cancel";
import { above, assertedClaim, atLeast, atMost, measuredClaim, overSeeds, type SeedEstimate } from "../../claims";
import {
  ATTRIBUTES,
  type CorpusStyle,
  makeWorldData,
  mixedSampler,
  pretrainSampler,
  type QAItem,
  sftSampler,
  type WorldData,
} from "../../data/world";
import { formatValue } from "../../present/format";
import { deriveSeed } from "../../rng";
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
import { createGPT, type GPT } from "../../transformer";
import { factRecall, probeByLayer, scoreQA } from "./analysis";
import {
  concurrentPlan,
  type CurvePoint,
  type T1Config,
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
  phase: TrainPhase,
  seed: number,
  label: string,
  ctx: ExperimentContext,
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
    progress: ctx.progress,
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

/** Run every condition for one seed. Returns the measurements and (for the samples table) generations. */
export async function runSeed(
  config: T1Config,
  seed: number,
  ctx: ExperimentContext,
  seedIndex: number,
): Promise<{ result: T1SeedResult; samples: T1Sample[] }> {
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
  const bioLoss = (m: GPT): Promise<number> =>
    evaluateLoss(m, pretrainSampler(d, "augmented"), evalB, evalBatches, evalSeed);
  const factLoss = (m: GPT): Promise<number> =>
    evaluateLoss(m, pretrainSampler(d, "augmented", true), evalB, evalBatches, evalSeed);
  const heldAcc = (m: GPT) => async (): Promise<number> => (await scoreQA(m, d, d.heldOutQA)).acc;
  const heldRecall =
    (m: GPT, style: CorpusStyle = "augmented") =>
    (): Promise<number> =>
      factRecall(m, d, d.world.heldOutIds, style);
  const picks = sampleItems(d, seedIndex === 0 ? config.sampleCount : 0);
  const pickItems = picks.map((k) => d.heldOutQA[k] as QAItem);
  const gens: Record<string, string[]> = {};
  const answersOf = async (m: GPT, key: string, n = 2): Promise<void> => {
    if (pickItems.length === 0) return;
    gens[key] = (await scoreQA(m, d, pickItems, n)).generations.map((g) => decode(d, g));
  };

  /** Train one phase of model `m` from step 0, measuring `probes` along the way; record history, curves and time. */
  const train = async (
    m: GPT,
    sampler: BatchSampler,
    phase: TrainPhase,
    seedLabel: string,
    label: string,
    key: { readonly history: string; readonly time: string },
    probes: Record<string, () => Promise<number>>,
  ): Promise<void> => {
    const r = await trainPhase(
      m,
      sampler,
      phase,
      deriveSeed(seed, seedLabel),
      `${tag} ${label}`,
      ctx,
      config.curvePoints,
      probes,
      true,
    );
    histories[key.history] = r.history;
    Object.assign(curves, r.curves);
    wallMs[key.time] = r.wallMs;
  };

  // Control: a probe on an untrained model (what a linear read-out finds in random name embeddings).
  let m = createGPT(gpt, initSeed);
  const params = m.numParams();
  const probeRandom = await probeByLayer(m, d, config.probe);
  m.dispose();

  // 1 + 2: augmented pretraining, the base model, then SFT.
  m = createGPT(gpt, initSeed);
  let base: T1SeedResult["base"];
  let pretrainSft: T1SeedResult["pretrainSft"];
  let forgetting: T1SeedResult["forgetting"];
  let probeAug: number[][];
  try {
    await train(
      m,
      pretrainSampler(d, "augmented"),
      config.pretrain,
      "pretrain-augmented",
      "pretrain (augmented)",
      { history: "pretrain (augmented)", time: "pretrainAugmented" },
      { recallAugmented: heldRecall(m) },
    );
    const b = await scoreQA(m, d, d.heldOutQA, config.baseGenTokens);
    base = { acc: b.acc, format: b.format, contains: b.contains, recall: await factRecall(m, d, d.world.heldOutIds) };
    await answersOf(m, "base", config.baseGenTokens);
    probeAug = await probeByLayer(m, d, config.probe);
    const lossBefore = await bioLoss(m);
    const factLossBefore = await factLoss(m);
    await train(
      m,
      sftSampler(d),
      config.sft,
      "sft",
      "SFT",
      { history: "SFT (after augmented)", time: "sft" },
      { qaPretrainSft: heldAcc(m) },
    );
    const s = await scoreQA(m, d, d.heldOutQA);
    pretrainSft = {
      acc: s.acc,
      format: s.format,
      trainAcc: (await scoreQA(m, d, d.trainQA)).acc,
      accByAttribute: s.accByAttribute,
      recallAfter: await factRecall(m, d, d.world.heldOutIds),
    };
    await answersOf(m, "pretrainSft");
    forgetting = { lossBefore, lossAfter: await bioLoss(m), factLossBefore, factLossAfter: await factLoss(m) };
  } finally {
    m.dispose();
  }

  // 3: SFT only, from the same random init.
  m = createGPT(gpt, initSeed);
  let sftOnly: T1SeedResult["sftOnly"];
  try {
    await train(
      m,
      sftSampler(d),
      config.sft,
      "sft",
      "SFT only",
      { history: "SFT only", time: "sftOnly" },
      { qaSftOnly: heldAcc(m) },
    );
    const s = await scoreQA(m, d, d.heldOutQA);
    sftOnly = { acc: s.acc, format: s.format, trainAcc: (await scoreQA(m, d, d.trainQA)).acc };
    await answersOf(m, "sftOnly");
  } finally {
    m.dispose();
  }

  // 4: plain corpus, then the same SFT.
  m = createGPT(gpt, initSeed);
  let plain: T1SeedResult["plain"];
  let probePlain: number[][];
  try {
    await train(
      m,
      pretrainSampler(d, "plain"),
      config.pretrain,
      "pretrain-plain",
      "pretrain (plain)",
      { history: "pretrain (plain)", time: "pretrainPlain" },
      { recallPlain: heldRecall(m, "plain") },
    );
    const recall = await factRecall(m, d, d.world.heldOutIds, "plain");
    probePlain = await probeByLayer(m, d, config.probe);
    await train(
      m,
      sftSampler(d),
      config.sft,
      "sft",
      "SFT (plain)",
      { history: "SFT (after plain)", time: "sftPlain" },
      { qaPlainSft: heldAcc(m) },
    );
    const s = await scoreQA(m, d, d.heldOutQA);
    plain = {
      recall,
      acc: s.acc,
      format: s.format,
      trainAcc: (await scoreQA(m, d, d.trainQA)).acc,
      accByAttribute: s.accByAttribute,
    };
    await answersOf(m, "plainSft");
  } finally {
    m.dispose();
  }

  // 5: concurrent: Q/A rows mixed into the augmented stream from step 0, same rows in total.
  m = createGPT(gpt, initSeed);
  let concurrent: T1SeedResult["concurrent"];
  try {
    const plan = concurrentPlan(config);
    const phase: TrainPhase = { ...config.pretrain, numSteps: plan.numSteps };
    await train(
      m,
      mixedSampler(d, plan.qaFraction),
      phase,
      "concurrent",
      "concurrent",
      { history: "concurrent", time: "concurrent" },
      { qaConcurrent: heldAcc(m), recallConcurrent: heldRecall(m) },
    );
    const s = await scoreQA(m, d, d.heldOutQA);
    concurrent = {
      acc: s.acc,
      format: s.format,
      trainAcc: (await scoreQA(m, d, d.trainQA)).acc,
      recall: await factRecall(m, d, d.world.heldOutIds),
      pretrainLoss: await bioLoss(m),
      factLoss: await factLoss(m),
    };
    await answersOf(m, "concurrent");
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

/** Mean probe accuracy over attributes, per layer. */
function probeMeans(p: number[][]): number[] {
  return p.map((row) => row.reduce((a, b) => a + b, 0) / Math.max(1, row.length));
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
        results.map((r) => (r.curves[name]?.[i] as CurvePoint).value),
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

/** Run every condition for every seed; returns the metrics, claims, data and CSVs of the record. */
export async function runT1(config: T1Config, ctx: ExperimentContext): Promise<ExperimentOutput<T1Data, T1Metric>> {
  validateT1Config(config);
  const seeds = Array.from({ length: config.numSeeds }, (_, i) => deriveSeed(ctx.seed, "t1", i));
  const results: T1SeedResult[] = [];
  let samples: T1Sample[] = [];
  for (let i = 0; i < seeds.length; i++) {
    throwIfCancelled(ctx.signal, "t1-world-model");
    const r = await runSeed(config, seeds[i], ctx, i);
    results.push(r.result);
    if (i === 0) samples = r.samples;
    ctx.log(
      `t1 seed ${i + 1}/${seeds.length}: held-out acc base ${r.result.base.acc.toFixed(3)}, pretrain→SFT ${r.result.pretrainSft.acc.toFixed(3)}, SFT only ${r.result.sftOnly.acc.toFixed(3)}, plain→SFT ${r.result.plain.acc.toFixed(3)}, concurrent ${r.result.concurrent.acc.toFixed(3)}`,
    );
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
    // Beyond the headline numbers: what they rest on.
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
  } satisfies Record<T1Metric, Metric>;
  // Claims: intervals are t-intervals over the seeds (each seed is a whole run: world, corpus, models).
  const overRuns = (f: (r: T1SeedResult) => number, bounded = true): SeedEstimate =>
    overSeeds(results.map(f), bounded ? { bounds: [0, 1] } : {});
  const PAPER_BASE =
    'Gros 2025, §2: the base model "does contain the knowledge of the world… but all it can do is to complete a given input word by word"; fine-tuning turns it into a system that answers';
  const claims = [
    measuredClaim({
      id: "base-does-not-answer",
      statement:
        "The base model (pretrained only) answers few held-out questions in the answer format; reported, not asserted: the question words and the value-then-<eos> answer never occur in pretraining, so this holds by construction",
      paper: PAPER_BASE,
      quantity: "held-out question accuracy of the base model (value then <eos>)",
      refutedBy:
        "a base model that answers held-out questions (it cannot here: a fair test scores it in its own format, by cloze or few-shot)",
      estimate: overRuns((r) => r.base.acc),
      target: atMost(0.1),
    }),
    measuredClaim({
      id: "base-format-lower",
      statement:
        "SFT raises the format rate (value then <eos>) over the base model; reported, not asserted: the base model never saw that format",
      paper: PAPER_BASE,
      quantity: "format rate after pretraining → SFT minus that of the base model, per seed",
      refutedBy: "a base model already producing value then <eos> (it cannot here: it never saw the format)",
      estimate: overSeeds(results.map((r) => r.pretrainSft.format - r.base.format)),
      target: atLeast(0.5),
    }),
    assertedClaim({
      id: "pretrain-sft-answers",
      statement: "Pretraining (augmented) → SFT answers ≥ 90% of the held-out people's questions",
      paper: PAPER_BASE,
      quantity: "held-out question accuracy after pretraining → SFT (people never seen in SFT)",
      refutedBy: "an accuracy interval wholly below 90%",
      estimate: overRuns((r) => r.pretrainSft.acc),
      target: atLeast(0.9),
      control: {
        id: "sftOnly",
        description: `the same SFT (${config.sft.numSteps} steps) and scoring on a randomly initialised model: no world model (pretrain → SFT trained ${config.pretrain.numSteps + config.sft.numSteps} steps in all)`,
        estimate: overRuns((r) => r.sftOnly.acc),
        expect: "absent",
      },
    }),
    measuredClaim({
      id: "sft-only-chance",
      statement: `SFT alone, without a world model, stays near chance (${formatValue(chance, { percent: true })}) on held-out people; reported, not asserted: held-out names never occur in SFT, and the SFT-only model fits its own training questions only ${formatValue(metrics.trainAccSftOnly.mean, { percent: true })} of the time (mean over seeds)`,
      paper: PAPER_BASE,
      quantity: "held-out question accuracy after SFT from random initialisation",
      refutedBy:
        "an SFT-only model answering held-out people well above chance (it cannot here: their names never occur in SFT)",
      estimate: overRuns((r) => r.sftOnly.acc),
      target: atMost(chance + 0.05),
    }),
    assertedClaim({
      id: "probe-before-sft",
      statement:
        "A linear probe on the base model's hidden state at a held-out person's name decodes their attributes far above chance (chance + 25 points), before any SFT (best layer, chosen on the same people for the model and its control)",
      paper: PAPER_BASE,
      quantity: "probe accuracy at the best layer, held-out people, mean over attributes",
      refutedBy: "a probe accuracy interval wholly below chance + 25 points",
      estimate: overRuns(probeBest),
      target: atLeast(chance + 0.25),
      control: {
        id: "randomInit",
        description: "the same probe on the same architecture left at its random initialisation",
        estimate: overRuns((r) => Math.max(...probeMeans(r.probe.randomInit))),
        expect: "absent",
      },
    }),
    measuredClaim({
      id: "plain-corpus-effect",
      statement:
        "Augmented minus plain corpus: held-out accuracy after the same SFT (Allen-Zhu & Li's storage vs extraction)",
      paper: null,
      quantity: "held-out accuracy, augmented → SFT minus plain → SFT, per seed",
      refutedBy:
        "reported, not asserted: an interval wholly ≤ 0 would say the augmented corpus makes no knowledge easier to extract",
      estimate: overRuns((r) => r.pretrainSft.acc - r.plain.acc, false),
      target: above(0),
    }),
    measuredClaim({
      id: "concurrent-vs-sequential",
      statement:
        "Concurrent minus sequential held-out accuracy at the same number of training rows (the brain question)",
      paper:
        'Gros 2025, §2: in the brain "world model training and fine-tuning… are conceivably active at the same time"',
      quantity: "held-out accuracy, concurrent minus sequential (pretrain → SFT), per seed",
      refutedBy: "reported, not asserted: an interval wholly below 0 would say sequential training answers better",
      estimate: overRuns((r) => r.concurrent.acc - r.pretrainSft.acc, false),
      target: atLeast(0),
    }),
    measuredClaim({
      id: "forgetting",
      statement:
        "Pretraining loss change through SFT (nats per token); reported, not asserted: read at one SFT learning rate",
      paper: null,
      quantity: "biography loss after SFT minus before, per seed",
      refutedBy: "reported, not asserted: an interval wholly ≤ 0 would say SFT leaves the biographies' loss unchanged",
      estimate: overRuns((r) => r.forgetting.lossAfter - r.forgetting.lossBefore, false),
      target: above(0),
    }),
  ];
  const rows = results.flatMap((r, i) => [
    {
      seedIndex: i,
      seed: r.seed,
      condition: "base",
      heldoutAcc: r.base.acc,
      formatRate: r.base.format,
      trainAcc: NaN,
      heldoutRecall: r.base.recall,
      pretrainLoss: r.forgetting.lossBefore,
    },
    {
      seedIndex: i,
      seed: r.seed,
      condition: "pretrainSft",
      heldoutAcc: r.pretrainSft.acc,
      formatRate: r.pretrainSft.format,
      trainAcc: r.pretrainSft.trainAcc,
      heldoutRecall: r.pretrainSft.recallAfter,
      pretrainLoss: r.forgetting.lossAfter,
    },
    {
      seedIndex: i,
      seed: r.seed,
      condition: "sftOnly",
      heldoutAcc: r.sftOnly.acc,
      formatRate: r.sftOnly.format,
      trainAcc: r.sftOnly.trainAcc,
      heldoutRecall: NaN,
      pretrainLoss: NaN,
    },
    {
      seedIndex: i,
      seed: r.seed,
      condition: "plainSft",
      heldoutAcc: r.plain.acc,
      formatRate: r.plain.format,
      trainAcc: r.plain.trainAcc,
      heldoutRecall: r.plain.recall,
      pretrainLoss: NaN,
    },
    {
      seedIndex: i,
      seed: r.seed,
      condition: "concurrent",
      heldoutAcc: r.concurrent.acc,
      formatRate: r.concurrent.format,
      trainAcc: r.concurrent.trainAcc,
      heldoutRecall: r.concurrent.recall,
      pretrainLoss: r.concurrent.pretrainLoss,
    },
  ]);
  const probeRows = results.flatMap((r, i) =>
    (["augmented", "plain", "randomInit"] as const).flatMap((model) =>
      r.probe[model].flatMap((byAttr, layer) =>
        byAttr.map((acc, a) => ({ seedIndex: i, model, layer, attribute: ATTRIBUTES[a]?.name ?? String(a), acc })),
      ),
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
        layers: (results[0] as T1SeedResult).probe[model].map((_, l) =>
          meanInterval(
            results.map((r) => probeMeans(r.probe[model])[l] as number),
            [0, 1],
          ),
        ),
      })),
      concurrent: concurrentPlan(config),
      chance,
    },
    csv: {
      "runs.csv": {
        rows,
        columns: [
          "seedIndex",
          "seed",
          "condition",
          "heldoutAcc",
          "formatRate",
          "trainAcc",
          "heldoutRecall",
          "pretrainLoss",
        ],
      },
      "probe.csv": { rows: probeRows, columns: ["seedIndex", "model", "layer", "attribute", "acc"] },
    },
  };
}
