/**
 * Takeaway 2 (Gros 2025, "From generative AI to the brain: five takeaways", §3): chain of thought as
 * an information bottleneck. A model that writes its own thoughts and answers from (input + thoughts)
 * solves serial problems it cannot answer in one step; in the information-bottleneck reading
 * (Tishby, Pereira & Bialek 1999; Lei et al. 2025) good thoughts Z keep what predicts the answer Y,
 * I(Z;Y) -> H(Y), and discard the surface form X, I(X;Z) small.
 *
 * Design, per seed (each a really trained tiny GPT, same size and training budget per format):
 * 1. the sum of k digits mod 10 written in many surface forms (src/data/digits.ts), trained on
 *    k in [kMin, kMax] in three answer formats: direct, abstract CoT, verbose CoT;
 * 2. accuracy (greedy generation) per k in distribution, for longer k than trained, and on surface forms
 *    never seen in training (new characters; known characters in new roles);
 * 3. information measurements on the model's own generated chains: a fixed design of problems crossed
 *    with surface forms (so X has a manageable alphabet), sampled N times per seed, pooled over seeds;
 *    H(X), H(Z), H(Y), I(X;Z), I(Z;Y) with Miller–Madow plug-in estimators (src/info.ts), bootstrap
 *    intervals and the estimate against sample count.
 */
import { checkRange, frozen } from "../../config";
import { registerExperiment, ExperimentContext } from "../../run/experiment";
import { deriveSeed, Rng } from "../../rng";
import { claim, mean, meanInterval } from "../../stats";
import type { Interval, Metric, ResultRecord } from "../../run/results";
import { CharTokenizer } from "../../tokenizer";
import { createGPT, GPT } from "../../transformer";
import { trainModel, HistoryRecord } from "../../train";
import { generate } from "../../generate";
import { barFigure, lineFigure, scatterFigure, withHorizontalLines, withVerticalLines, Figure, LineSeries, Trace } from "../../present/plot";
import { bootstrapInfo, codedProfile, codeSamples, doublingSizes, estimateCurve, CurvePoint, EntropyOptions, InformationProfile, XZYSample } from "../../info";
import {
  AnswerFormat,
  ANSWER_FORMATS,
  ChainStyle,
  DigitExample,
  DigitProblem,
  Layout,
  SurfaceForm,
  RECOMBINED_SURFACE,
  TRAIN_SURFACE,
  UNSEEN_SURFACE,
  digitsAlphabet,
  digitsSampler,
  encodePrompt,
  gridWidth,
  informationDesign,
  maxCompletionLength,
  parseCompletion,
  renderExample,
  sampleProblem,
  sampleSurface,
} from "../../data/digits";

/** The tiny GPT of every format (same size for all three). */
export interface T2ModelConfig {
  readonly dModel: number;
  readonly nHead: number;
  readonly nLayer: number;
  /** MLP width; 0 = 4 dModel. */
  readonly dFF: number;
}

/** The training budget of every format (same for all three). */
export interface T2TrainConfig {
  readonly numSteps: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly minLr: number;
  readonly warmupSteps: number;
  readonly weightDecay: number;
}

/** The sample design of the information measurements. */
export interface T2InfoConfig {
  /** Distinct problems per answer value (k = kMax), so Y is uniform over 0..modulus-1. */
  readonly perAnswer: number;
  /** Distinct surface forms each problem is rendered in. */
  readonly numForms: number;
  /** (X, Z, Y) samples drawn from the design per seed (pooled over seeds for the estimates). */
  readonly samplesPerSeed: number;
  /** Bootstrap resamples for the intervals. */
  readonly bootstrapReps: number;
  /** Subsamples per size of the estimate-vs-sample-count curves. */
  readonly curveReps: number;
}

/** Configuration of the t2-chain-of-thought experiment. */
export interface T2Config {
  /** Independent runs (each trains one model per format). */
  readonly numSeeds: number;
  /** Smallest number of operands in training. */
  readonly kMin: number;
  /** Largest number of operands in training ("the largest trained k"). */
  readonly kMax: number;
  /** Operand counts beyond training for the length-generalisation test (each > kMax). */
  readonly kLonger: ReadonlyArray<number>;
  /** The sum is taken mod this (10: digits; 2: parity). */
  readonly modulus: number;
  /** `grid` pads every input to the same width; `free` does not (harder; an exercise). */
  readonly layout: Layout;
  /** How abstract steps are written: operand + running sum (`pairs`, default), running sums only (`sums`), or operand, previous and new sum (`triples`). */
  readonly chainStyle: ChainStyle;
  /**
   * Training curriculum: extra probability that a training operand is 0 (tests use uniform digits). A 0
   * operand leaves the running sum unchanged, which gives "read the previous result" a direct training
   * signal; without it the step s_i = s_(i-1) + d_i mod 10 is XOR-like (neither input alone predicts it) and
   * training sits on a long plateau. The same data for every format.
   */
  readonly zeroRate: number;
  readonly model: T2ModelConfig;
  readonly train: T2TrainConfig;
  /** Test problems per k (fresh problems and surface forms, the same for every format). */
  readonly evalPerK: number;
  /**
   * Test problems per new-surface-form test (k uniform in [kMin, kMax]): `unseen` uses characters that never
   * occur in training, `recombined` training characters in new roles.
   */
  readonly evalUnseen: number;
  readonly info: T2InfoConfig;
}

const MODEL: T2ModelConfig = { dModel: 64, nHead: 4, nLayer: 2, dFF: 512 };

const TRAIN: T2TrainConfig = { numSteps: 500, batchSize: 32, lr: 3e-3, minLr: 3e-4, warmupSteps: 20, weightDecay: 0 };

export const T2_PROFILES = {
  smoke: frozen<T2Config>({
    numSeeds: 1,
    kMin: 2,
    kMax: 4,
    kLonger: [5],
    modulus: 10,
    layout: "grid",
    chainStyle: "pairs",
    zeroRate: 0.3,
    model: MODEL,
    train: { ...TRAIN, numSteps: 300 },
    evalPerK: 32,
    evalUnseen: 32,
    info: { perAnswer: 1, numForms: 8, samplesPerSeed: 400, bootstrapReps: 50, curveReps: 5 },
  }),
  quick: frozen<T2Config>({
    numSeeds: 3,
    kMin: 2,
    kMax: 6,
    kLonger: [7, 8],
    modulus: 10,
    layout: "grid",
    chainStyle: "pairs",
    zeroRate: 0.3,
    model: MODEL,
    train: TRAIN,
    evalPerK: 64,
    evalUnseen: 128,
    info: { perAnswer: 2, numForms: 12, samplesPerSeed: 2000, bootstrapReps: 200, curveReps: 10 },
  }),
  full: frozen<T2Config>({
    numSeeds: 5,
    kMin: 2,
    kMax: 8,
    kLonger: [9, 10, 12],
    modulus: 10,
    layout: "grid",
    chainStyle: "pairs",
    zeroRate: 0.3,
    model: { ...MODEL, dModel: 96, nHead: 4, dFF: 768 },
    train: { ...TRAIN, numSteps: 2000, batchSize: 64 },
    evalPerK: 256,
    evalUnseen: 512,
    info: { perAnswer: 4, numForms: 24, samplesPerSeed: 8000, bootstrapReps: 500, curveReps: 20 },
  }),
};

/** Validate a config; errors name the field and the fix. */
export function validateT2Config(c: T2Config): void {
  checkRange("t2.numSeeds", c.numSeeds, 1, 100, true);
  checkRange("t2.kMin", c.kMin, 1, 32, true);
  checkRange("t2.kMax", c.kMax, c.kMin, 32, true);
  c.kLonger.forEach((k, i) => checkRange(`t2.kLonger[${i}]`, k, c.kMax + 1, 32, true));
  checkRange("t2.modulus", c.modulus, 2, 10, true);
  if (c.layout !== "grid" && c.layout !== "free") throw new Error(`t2.layout: must be "grid" or "free", got ${JSON.stringify(c.layout)}`);
  if (!["pairs", "sums", "triples"].includes(c.chainStyle)) throw new Error(`t2.chainStyle: must be "pairs", "sums" or "triples", got ${JSON.stringify(c.chainStyle)}`);
  if (!(c.zeroRate >= 0 && c.zeroRate < 1)) throw new Error(`t2.zeroRate: must be in [0, 1), got ${c.zeroRate}`);
  checkRange("t2.train.numSteps", c.train.numSteps, 0, 1e7, true);
  checkRange("t2.evalPerK", c.evalPerK, 1, 1e6, true);
  checkRange("t2.evalUnseen", c.evalUnseen, 1, 1e6, true);
  checkRange("t2.info.perAnswer", c.info.perAnswer, 1, 1000, true);
  checkRange("t2.info.numForms", c.info.numForms, 1, 10000, true);
  checkRange("t2.info.samplesPerSeed", c.info.samplesPerSeed, 10, 1e7, true);
  checkRange("t2.info.bootstrapReps", c.info.bootstrapReps, 10, 1e5, true);
  checkRange("t2.info.curveReps", c.info.curveReps, 1, 1e4, true);
}

/** Capitalised format name for metric keys: `accAbstract_k6`. */
function cap(f: AnswerFormat): string {
  return f.charAt(0).toUpperCase() + f.slice(1);
}

/** The largest k any input is rendered with (sets the grid width). */
export function kGridOf(c: T2Config): number {
  return Math.max(c.kMax, ...c.kLonger);
}

/** Context length of a format's training rows: prompt + completion + <eos>, minus one. */
export function formatSeqLen(c: T2Config, format: AnswerFormat): number {
  const kg = kGridOf(c);
  const inputLen = c.layout === "grid" ? gridWidth(kg) : 2 * kg;
  return inputLen + 2 + maxCompletionLength(format, c.layout, kg, c.chainStyle);
}

/** Build the model of one format and seed (the same config for all formats). Caller disposes. */
export function createT2Model(c: T2Config, vocabSize: number, seed: number): GPT {
  const seqLen = Math.max(...ANSWER_FORMATS.map((f) => formatSeqLen(c, f)));
  return createGPT({ vocabSize, seqLen, dModel: c.model.dModel, nHead: c.model.nHead, nLayer: c.model.nLayer, dFF: c.model.dFF, tieWeights: false }, seed);
}

/** One test item: a rendered example and what it tests. */
interface TestItem {
  readonly example: DigitExample;
  readonly group: string;
}

/** A generated completion checked against the truth. */
export interface Generated {
  readonly input: string;
  readonly output: string;
  readonly target: string;
  readonly correct: boolean;
}

/** Greedy completions of many examples of one format (batched by the generator). */
export function completeAll(model: GPT, tok: CharTokenizer, examples: ReadonlyArray<DigitExample>, c: T2Config, format: AnswerFormat): Generated[] {
  if (examples.length === 0) return [];
  const prompts = examples.map((e) => encodePrompt(tok, e.input));
  const maxNew = maxCompletionLength(format, c.layout, kGridOf(c), c.chainStyle) + 1;
  const outs = generate(model, prompts, { maxNewTokens: maxNew, temperature: 0, stopToken: tok.eosId, batchSize: 512 });
  return outs.map((ids, i) => {
    const e = examples[i] as DigitExample;
    const output = tok.decode(ids);
    return { input: e.input, output, target: e.completion, correct: parseCompletion(output).answer === e.problem.answer };
  });
}

/** A test problem in a surface form, and the test group it belongs to (`k4`, `unseen`, ...). */
interface TestProblem {
  readonly group: string;
  readonly problem: DigitProblem;
  readonly form: SurfaceForm;
}

/** The fixed test set of a seed: per k, longer k and new surface forms (the same problems for every format). */
function testProblems(c: T2Config, seed: number): TestProblem[] {
  const rng = new Rng(deriveSeed(seed, "t2", "test"));
  const out: TestProblem[] = [];
  const ks = [...range(c.kMin, c.kMax), ...c.kLonger];
  for (const k of ks) {
    for (let i = 0; i < c.evalPerK; i++) out.push({ group: `k${k}`, problem: sampleProblem(rng, k, c.modulus), form: sampleSurface(rng, k, TRAIN_SURFACE) });
  }
  for (const [group, spec] of [["unseen", UNSEEN_SURFACE], ["recombined", RECOMBINED_SURFACE]] as const) {
    for (let i = 0; i < c.evalUnseen; i++) {
      const k = c.kMin + rng.int(c.kMax - c.kMin + 1);
      out.push({ group, problem: sampleProblem(rng, k, c.modulus), form: sampleSurface(rng, k, spec) });
    }
  }
  return out;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** What one (seed, format) run measured. */
export interface T2Run {
  readonly seed: number;
  readonly format: AnswerFormat;
  /** Accuracy per test group (`k2`, ..., `unseen`, `recombined`). */
  readonly accuracy: Record<string, number>;
  /** Accuracy of the model's answer on the information design (k = kMax). */
  readonly designAccuracy: number;
  readonly finalLoss: number;
  readonly trainMs: number;
  readonly evalMs: number;
  /** Every 10th history record (loss curves). */
  readonly history: ReadonlyArray<Pick<HistoryRecord, "step" | "trainLoss">>;
  /** A few generations: in distribution at kMax, longer, unseen. */
  readonly samples: ReadonlyArray<Generated & { group: string }>;
}

/** One row of mi-samples.csv. */
export type MiRow = {
  readonly format: AnswerFormat;
  readonly x: string;
  readonly z: string;
  readonly y: string;
};

/** Information estimates of one format, pooled over seeds, with bootstrap intervals. */
export interface FormatInfo {
  readonly n: number;
  readonly hX: Interval;
  readonly hY: Interval;
  readonly hZ: Interval;
  readonly iXZ: Interval;
  readonly iZY: Interval;
  /** I(X;Z) / H(X) and I(Z;Y) / H(Y) (bootstrap of the ratio). */
  readonly iXZnorm: Interval;
  readonly iZYnorm: Interval;
  /** Plug-in (no bias correction) point estimates, for comparison. */
  readonly plugIn: { hX: number; hZ: number; hY: number; iXZ: number; iZY: number };
  /** Estimate (Miller–Madow) against sample count. */
  readonly curves: { hX: CurvePoint[]; iXZ: CurvePoint[]; iZY: CurvePoint[]; iXZplugIn: CurvePoint[] };
}

/** Everything the figures and the notebook need. */
export interface T2Data {
  readonly formats: ReadonlyArray<AnswerFormat>;
  readonly ks: ReadonlyArray<number>;
  readonly kMax: number;
  readonly runs: ReadonlyArray<T2Run>;
  readonly info: Record<string, FormatInfo>;
  /** H(X) of the design's X alphabet if sampled exactly uniformly: log2(#problems * #forms). */
  readonly designHX: number;
  readonly designHY: number;
  readonly params: number;
  readonly seqLens: Record<string, number>;
  /** Wall time per stage, ms. */
  readonly timing: { train: number; eval: number; info: number };
}

/** Information estimates over pooled (X, Z, Y) samples of one format. */
export function formatInformation(rows: ReadonlyArray<XZYSample>, c: T2InfoConfig, seed: number, label: string): FormatInfo {
  const coded = codeSamples(rows);
  const all = Array.from({ length: rows.length }, (_, i) => i);
  type Stat = (p: InformationProfile) => number;
  const at = (stat: Stat, opts?: EntropyOptions) => (idx: ReadonlyArray<number>): number => stat(codedProfile(coded, opts, idx));
  // The same seed for every quantity: the same resamples, so the intervals of related quantities agree.
  const boot = (stat: Stat): Interval => bootstrapInfo(all, at(stat), new Rng(deriveSeed(seed, "t2-boot", label)), c.bootstrapReps);
  const sizes = doublingSizes(25, rows.length);
  const curve = (stat: Stat, what: string, opts?: EntropyOptions): CurvePoint[] =>
    estimateCurve(all, at(stat, opts), sizes, new Rng(deriveSeed(seed, "t2-curve", label, what)), c.curveReps);
  const plug = codedProfile(coded, { correction: "none" });
  return {
    n: rows.length,
    hX: boot((p) => p.hX),
    hY: boot((p) => p.hY),
    hZ: boot((p) => p.hZ),
    iXZ: boot((p) => p.iXZ),
    iZY: boot((p) => p.iZY),
    iXZnorm: boot((p) => p.iXZ / p.hX),
    iZYnorm: boot((p) => p.iZY / p.hY),
    plugIn: { hX: plug.hX, hZ: plug.hZ, hY: plug.hY, iXZ: plug.iXZ, iZY: plug.iZY },
    curves: {
      hX: curve((p) => p.hX, "hX"),
      iXZ: curve((p) => p.iXZ, "iXZ"),
      iZY: curve((p) => p.iZY, "iZY"),
      iXZplugIn: curve((p) => p.iXZ, "iXZplugIn", { correction: "none" }),
    },
  };
}

function aborted(ctx: ExperimentContext): void {
  if (ctx.signal?.aborted) {
    const e = new Error("t2-chain-of-thought: cancelled");
    e.name = "AbortError";
    throw e;
  }
}

/** Train and evaluate one format for one seed; returns the run and its MI rows. */
async function runOne(
  c: T2Config,
  ctx: ExperimentContext,
  tok: CharTokenizer,
  seed: number,
  seedIndex: number,
  format: AnswerFormat,
  tests: ReadonlyArray<TestProblem>,
  design: { readonly problems: ReadonlyArray<DigitProblem>; readonly forms: ReadonlyArray<SurfaceForm> },
  draws: ReadonlyArray<number>,
): Promise<{ run: T2Run; mi: MiRow[] }> {
  const kGrid = kGridOf(c);
  const seqLen = formatSeqLen(c, format);
  const model = createT2Model(c, tok.vocabSize, deriveSeed(seed, "t2", format, "init"));
  try {
    const sampler = digitsSampler(tok, { format, kMin: c.kMin, kMax: c.kMax, kGrid, layout: c.layout, modulus: c.modulus, chainStyle: c.chainStyle, zeroRate: c.zeroRate }, seqLen);
    const t0 = performance.now();
    const label = `${format} (seed ${seedIndex + 1}/${c.numSeeds})`;
    const res = await trainModel(
      model,
      sampler,
      { ...c.train, evalEvery: 0 },
      { seed: deriveSeed(seed, "t2", format, "train"), progress: ctx.progress, label, ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
    const trainMs = performance.now() - t0;
    aborted(ctx);
    const t1 = performance.now();
    // Test set and the information design in one batched generation.
    const testItems: TestItem[] = tests.map((t) => ({ example: renderExample(t.problem, t.form, format, c.layout, kGrid, c.chainStyle), group: t.group }));
    const grid: DigitExample[] = [];
    for (const p of design.problems) for (const f of design.forms) grid.push(renderExample(p, f, format, c.layout, kGrid, c.chainStyle));
    const gens = completeAll(model, tok, [...testItems.map((t) => t.example), ...grid], c, format);
    const testGens = gens.slice(0, testItems.length);
    const gridGens = gens.slice(testItems.length);
    const evalMs = performance.now() - t1;
    const accuracy: Record<string, number> = {};
    const groups = [...new Set(testItems.map((t) => t.group))];
    for (const g of groups) {
      const idx = testItems.map((t, i) => (t.group === g ? i : -1)).filter((i) => i >= 0);
      accuracy[g] = idx.filter((i) => (testGens[i] as Generated).correct).length / idx.length;
    }
    const samples: (Generated & { group: string })[] = [];
    for (const g of [`k${c.kMax}`, ...c.kLonger.map((k) => `k${k}`), "unseen", "recombined"]) {
      testItems.forEach((t, i) => {
        if (t.group === g && samples.filter((s) => s.group === g).length < 3) samples.push({ ...(testGens[i] as Generated), group: g });
      });
    }
    const mi: MiRow[] = draws.map((j) => {
      const e = grid[j] as DigitExample;
      return { format, x: e.input, z: parseCompletion((gridGens[j] as Generated).output).chain, y: String(e.problem.answer) };
    });
    const run: T2Run = {
      seed,
      format,
      accuracy,
      designAccuracy: gridGens.filter((g) => g.correct).length / Math.max(1, gridGens.length),
      finalLoss: res.finalLoss,
      trainMs,
      evalMs,
      history: res.history.filter((h, i) => i % 10 === 9 || i === 0).map((h) => ({ step: h.step, trainLoss: h.trainLoss })),
      samples,
    };
    ctx.log(`t2 ${label}: loss ${res.finalLoss.toFixed(3)}, acc k${c.kMax} ${accuracy[`k${c.kMax}`]?.toFixed(3)}, train ${(trainMs / 1000).toFixed(1)} s, eval ${(evalMs / 1000).toFixed(1)} s`);
    return { run, mi };
  } finally {
    model.dispose();
  }
}

export const t2ChainOfThought = registerExperiment<T2Config>({
  id: "t2-chain-of-thought",
  title: "Takeaway 2: chain of thought as an information bottleneck",
  claim:
    "Writing intermediate thoughts lets a model solve serial problems it cannot answer directly, and good thoughts act as an information bottleneck: they keep what predicts the answer (I(Z;Y) close to H(Y)) and drop the surface form of the input (I(X;Z) well below H(X)).",
  profiles: T2_PROFILES,
  async run(c, ctx) {
    validateT2Config(c);
    const seeds = Array.from({ length: c.numSeeds }, (_, i) => deriveSeed(ctx.seed, "t2", i));
    const formats = ANSWER_FORMATS;
    const tok = CharTokenizer.fromAlphabet(digitsAlphabet());
    const kGrid = kGridOf(c);
    // One information design for all seeds and formats (X alphabet shared), drawn from the base seed.
    const design = informationDesign(new Rng(deriveSeed(ctx.seed, "t2", "info-design")), c.kMax, c.info.perAnswer, c.info.numForms, c.layout, kGrid, TRAIN_SURFACE, c.modulus);
    const gridSize = design.problems.length * design.forms.length;
    const runs: T2Run[] = [];
    const miRows: MiRow[] = [];
    let trainMs = 0;
    let evalMs = 0;
    for (const [si, seed] of seeds.entries()) {
      const tests = testProblems(c, seed);
      // The same draws of (problem, form) for every format of a seed: X and Y columns agree across formats.
      const drawRng = new Rng(deriveSeed(seed, "t2", "info-draws"));
      const draws = Array.from({ length: c.info.samplesPerSeed }, () => drawRng.int(gridSize));
      for (const format of formats) {
        aborted(ctx);
        const { run, mi } = await runOne(c, ctx, tok, seed, si, format, tests, design, draws);
        runs.push(run);
        miRows.push(...mi);
        trainMs += run.trainMs;
        evalMs += run.evalMs;
      }
    }
    aborted(ctx);
    const tInfo = performance.now();
    const info: Record<string, FormatInfo> = {};
    for (const f of formats) {
      const rows = miRows.filter((r) => r.format === f).map((r) => ({ x: r.x, z: r.z, y: r.y }));
      info[f] = formatInformation(rows, c.info, ctx.seed, f);
      ctx.progress.update({ label: "information estimates", step: formats.indexOf(f) + 1, total: formats.length });
    }
    const infoMs = performance.now() - tInfo;

    // ---- metrics
    const ks = [...range(c.kMin, c.kMax), ...c.kLonger];
    const metrics: Record<string, Metric> = {};
    const accOf = (f: AnswerFormat, g: string): number[] => runs.filter((r) => r.format === f).map((r) => r.accuracy[g] as number);
    for (const f of formats) {
      for (const k of ks) metrics[`acc${cap(f)}_k${k}`] = meanInterval(accOf(f, `k${k}`), [0, 1]);
      const longer = runs.filter((r) => r.format === f).map((r) => mean(c.kLonger.map((k) => r.accuracy[`k${k}`] as number)));
      metrics[`acc${cap(f)}Longer`] = meanInterval(longer, [0, 1]);
      metrics[`acc${cap(f)}Unseen`] = meanInterval(accOf(f, "unseen"), [0, 1]);
      metrics[`acc${cap(f)}Recombined`] = meanInterval(accOf(f, "recombined"), [0, 1]);
    }
    const abs = info["abstract"] as FormatInfo;
    const verb = info["verbose"] as FormatInfo;
    metrics["hX"] = abs.hX;
    metrics["hY"] = abs.hY;
    for (const f of ["abstract", "verbose", "direct"] as const) {
      const fi = info[f] as FormatInfo;
      metrics[`hZ_${f}`] = fi.hZ;
      metrics[`iXZ_${f}`] = fi.iXZ;
      metrics[`iZY_${f}`] = fi.iZY;
      metrics[`iXZnorm_${f}`] = fi.iXZnorm;
      metrics[`iZYnorm_${f}`] = fi.iZYnorm;
    }
    metrics["miSamples"] = abs.n;

    // ---- claims
    const accAbsMax = (metrics[`accAbstract_k${c.kMax}`] as Interval).mean;
    const accDirMax = (metrics[`accDirect_k${c.kMax}`] as Interval).mean;
    const gap = verb.iXZnorm.mean - abs.iXZnorm.mean;
    const longerGap = (metrics["accAbstractLonger"] as Interval).mean - (metrics["accVerboseLonger"] as Interval).mean;
    const unseenGap = (metrics["accAbstractUnseen"] as Interval).mean - (metrics["accVerboseUnseen"] as Interval).mean;
    const recombinedGap = (metrics["accAbstractRecombined"] as Interval).mean - (metrics["accVerboseRecombined"] as Interval).mean;
    const claims = [
      claim("abstract-cot-solves", `At the largest trained k (${c.kMax}) abstract chain-of-thought answers correctly at least 95% of the time`, accAbsMax, ">=", 0.95),
      claim("direct-fails", `At the largest trained k (${c.kMax}) the direct answer (no chain) is correct at most 60% of the time`, accDirMax, "<=", 0.6),
      claim("abstract-keeps-answer", "Abstract chains carry the answer: I(Z;Y) / H(Y) >= 0.95", abs.iZYnorm.mean, ">=", 0.95),
      claim(
        "abstract-drops-surface",
        "Abstract chains drop the surface form: I(X;Z)/H(X) of verbose chains minus that of abstract chains >= 0.2",
        gap,
        ">=",
        0.2,
      ),
      claim(
        "longer-k",
        "Length generalisation (stated): abstract minus verbose accuracy on longer k than trained",
        longerGap,
        ">",
        0,
        false,
      ),
      claim(
        "unseen-forms",
        "Surface generalisation (stated): abstract minus verbose accuracy on surface forms made of characters never seen in training",
        unseenGap,
        ">",
        0,
        false,
      ),
      claim(
        "recombined-forms",
        "Surface generalisation (stated): abstract minus verbose accuracy on training characters in new roles",
        recombinedGap,
        ">",
        0,
        false,
      ),
    ];

    const seqLens: Record<string, number> = {};
    for (const f of formats) seqLens[f] = formatSeqLen(c, f);
    const probe = createT2Model(c, tok.vocabSize, 0);
    const params = probe.numParams();
    probe.dispose();
    const data: T2Data = {
      formats,
      ks,
      kMax: c.kMax,
      runs,
      info,
      designHX: Math.log2(gridSize),
      designHY: Math.log2(c.modulus),
      params,
      seqLens,
      timing: { train: Math.round(trainMs), eval: Math.round(evalMs), info: Math.round(infoMs) },
    };
    return {
      seeds,
      metrics,
      claims,
      data,
      csv: { "mi-samples.csv": { rows: miRows, columns: ["format", "x", "z", "y"] } },
    };
  },
  figures(record) {
    return t2Figures(record);
  },
});

const FORMAT_LABEL: Record<AnswerFormat, string> = { direct: "direct", abstract: "abstract CoT", verbose: "verbose CoT" };
const FORMAT_DASH: Record<AnswerFormat, "solid" | "dash" | "dot"> = { direct: "solid", abstract: "solid", verbose: "dash" };

function iv(m: Metric | undefined): Interval {
  if (m === undefined) return { mean: NaN, lo: NaN, hi: NaN, n: 0 };
  return typeof m === "number" ? { mean: m, lo: m, hi: m, n: 1 } : m;
}

/** The figures of a t2 record (pure). */
export function t2Figures(record: ResultRecord): Record<string, Figure> {
  const d = record.data as T2Data;
  const m = record.metrics;
  const sub = `profile ${record.profile}, ${record.seeds.length} seed(s), 95% t-intervals over seeds`;
  const acc: LineSeries[] = d.formats.map((f) => {
    const ivs = d.ks.map((k) => iv(m[`acc${cap(f)}_k${k}`]));
    return { name: FORMAT_LABEL[f], x: [...d.ks], y: ivs.map((i) => i.mean), lo: ivs.map((i) => i.lo), hi: ivs.map((i) => i.hi), dash: FORMAT_DASH[f] };
  });
  let accFig = lineFigure(acc, { title: "Accuracy against the number of operands k", subtitle: sub, xTitle: "k (operands summed mod 10)", yTitle: "accuracy (greedy answer)", yRange: [0, 1.02], errors: "bars" });
  accFig = withVerticalLines(accFig, [d.kMax + 0.5], ["trained ≤ | longer →"]);
  accFig = withHorizontalLines(accFig, [1 / Math.pow(2, d.designHY)], ["chance"]);

  const planeFormats = d.formats.filter((f) => d.info[f] !== undefined);
  const plane = scatterFigure(
    planeFormats.map((f) => {
      const fi = d.info[f] as FormatInfo;
      return { name: FORMAT_LABEL[f], x: [fi.iXZ.mean], y: [fi.iZY.mean], lo: [fi.iZY.lo], hi: [fi.iZY.hi], text: [FORMAT_LABEL[f]], size: 12 };
    }),
    {
      title: "The information plane of the generated chains",
      subtitle: `Miller–Madow estimates on ${(d.info["abstract"] as FormatInfo).n} pooled samples, bootstrap 95% intervals`,
      xTitle: "I(X;Z): information about the input string kept in the chain (bits)",
      yTitle: "I(Z;Y): answer carried by the chain (bits)",
      labels: true,
      xRange: [-0.4, Math.max(1, iv(m["hX"]).mean) * 1.12],
      yRange: [-0.3, Math.max(1, iv(m["hY"]).mean) * 1.25],
    },
  );
  const hX = iv(m["hX"]).mean;
  const hY = iv(m["hY"]).mean;
  const planeFig = withHorizontalLines(withVerticalLines(plane, [hX], ["H(X)"]), [hY], ["H(Y)"]);
  // Horizontal error bars for I(X;Z).
  const planeData: Trace[] = planeFig.data.map((t, i) => {
    const f = planeFormats[i];
    if (f === undefined) return t;
    const fi = d.info[f] as FormatInfo;
    return { ...t, error_x: { type: "data", symmetric: false, array: [fi.iXZ.hi - fi.iXZ.mean], arrayminus: [fi.iXZ.mean - fi.iXZ.lo], thickness: 1.5, width: 4 } };
  });

  const curveSeries: LineSeries[] = [];
  for (const f of ["abstract", "verbose"] as const) {
    const fi = d.info[f];
    if (!fi) continue;
    curveSeries.push({ name: `I(X;Z) ${FORMAT_LABEL[f]}`, x: fi.curves.iXZ.map((p) => p.n), y: fi.curves.iXZ.map((p) => p.mean), lo: fi.curves.iXZ.map((p) => p.lo), hi: fi.curves.iXZ.map((p) => p.hi) });
    curveSeries.push({ name: `I(Z;Y) ${FORMAT_LABEL[f]}`, x: fi.curves.iZY.map((p) => p.n), y: fi.curves.iZY.map((p) => p.mean), lo: fi.curves.iZY.map((p) => p.lo), hi: fi.curves.iZY.map((p) => p.hi), dash: "dash" });
  }
  const fa = d.info["abstract"];
  if (fa) {
    curveSeries.push({ name: "H(X)", x: fa.curves.hX.map((p) => p.n), y: fa.curves.hX.map((p) => p.mean), color: "#555555", dash: "dot" });
    curveSeries.push({ name: "I(X;Z) abstract, plug-in", x: fa.curves.iXZplugIn.map((p) => p.n), y: fa.curves.iXZplugIn.map((p) => p.mean), color: "#999999", dash: "dashdot" });
  }
  const curveFig = lineFigure(curveSeries, {
    title: "Estimates against sample count",
    subtitle: "subsamples without replacement from the pooled samples; bands: 2.5–97.5% over subsamples",
    xTitle: "samples N",
    yTitle: "bits (Miller–Madow)",
    xLog: true,
  });

  const cats = [`k = ${d.kMax} (trained)`, "longer k", "new characters", "known characters, new roles"];
  const bars = barFigure(
    cats,
    d.formats.map((f) => {
      const ivs = [iv(m[`acc${cap(f)}_k${d.kMax}`]), iv(m[`acc${cap(f)}Longer`]), iv(m[`acc${cap(f)}Unseen`]), iv(m[`acc${cap(f)}Recombined`])];
      return { name: FORMAT_LABEL[f], y: ivs.map((i) => i.mean), lo: ivs.map((i) => i.lo), hi: ivs.map((i) => i.hi) };
    }),
    { title: "Generalisation: longer problems and new surface forms", subtitle: sub, xTitle: "test set", yTitle: "accuracy", yRange: [0, 1.02] },
  );

  const lossSeries: LineSeries[] = d.formats.map((f) => {
    const rs = d.runs.filter((r) => r.format === f);
    const h = rs[0]?.history ?? [];
    return { name: FORMAT_LABEL[f], x: h.map((p) => p.step), y: h.map((p) => p.trainLoss), mode: "lines" as const };
  });
  const lossFig = lineFigure(lossSeries, { title: "Training loss (first seed)", subtitle: "mean cross-entropy over the generated part (chain + answer)", xTitle: "training step", yTitle: "loss (nats / token)" });

  return { "accuracy-vs-k": accFig, "information-plane": { data: planeData, layout: planeFig.layout }, "mi-vs-samples": curveFig, generalisation: bars, "loss-curves": lossFig };
}

/** Sample chains of the first seed as table rows (for `showTable`). */
export function t2SampleRows(record: ResultRecord): Array<Record<string, string>> {
  const d = record.data as T2Data;
  const first = d.runs[0]?.seed;
  return d.runs
    .filter((r) => r.seed === first)
    .flatMap((r) => r.samples.map((s) => ({ format: r.format, test: s.group, input: JSON.stringify(s.input), generated: s.output, target: s.target, correct: s.correct ? "yes" : "no" })));
}
