/**
 * Takeaway 5's runs: per seed an MLP and a tiny GPT trained in float32, then swept over quantization
 * schemes and numbers of states (PTQ), fine-tuned with the quantizer in the loop (QAT), and saved and
 * loaded in the packed 4-bit format; then the metrics, claims and CSVs.
 */
import * as tf from "@tensorflow/tfjs";
import * as path from "path";
import { throwIfCancelled } from "../../cancel";
import {
  above,
  assertedClaim,
  atLeast,
  atMost,
  type Claim,
  measuredClaim,
  overSeeds,
  type SeedEstimate,
  singleRun,
} from "../../claims";
import { bayesAccuracy, makeClassificationTask } from "../../data/classification";
import { ZipfLanguage } from "../../data/zipf-language";
import { createMLP, mlpAccuracy, type MLPHistoryPoint, trainMLP } from "../../mlp";
import {
  decodePacked,
  encodePacked,
  float32Bytes,
  type FloatEntry,
  loadPacked,
  type PackedModel,
  savePacked,
} from "../../quant-pack";
import { dequantize, fakeQuantSTE, type QuantizedTensor, quantizeMatrix, type QuantSpec } from "../../quantize";
import { deriveSeed } from "../../rng";
import type { ExperimentContext, ExperimentOutput } from "../../run/experiment";
import { type Interval, type Metric, mean, meanInterval } from "../../stats";
import { trainModel } from "../../train";
import { createGPT, type GPT, type GPTConfig } from "../../transformer";
import {
  GPT_TABLES,
  gptQuantPerplexity,
  type Matrices,
  mlpQuantAccuracy,
  modelBits,
  perplexity,
  qatSpec,
  quantizeAll,
  relativeChange,
  sameArray,
  schemeSpec,
  shapesOf,
  specFor,
  weightHistogram,
} from "./analysis";
import {
  type GptSeedResult,
  MAIN_SCHEMES,
  type MlpSeedResult,
  type QatVariant,
  SCHEME_LABELS,
  type SchemeName,
  type T5Config,
  type T5Data,
  type T5Metric,
  validateT5Config,
  type WeightHistogram,
} from "./config";

// ---------------------------------------------------------------------------------------------------
// The per-seed runs

/** CPU seconds by phase (process CPU time: on a shared machine, wall time is longer). */
class PhaseClock {
  readonly seconds: Record<string, number> = {};
  private last = process.cpuUsage();
  /** Charge the CPU time since the previous mark to `phase`. */
  mark(phase: string): void {
    const d = process.cpuUsage(this.last);
    this.last = process.cpuUsage();
    this.seconds[phase] = (this.seconds[phase] ?? 0) + (d.user + d.system) / 1e6;
  }
}

/**
 * The PTQ sweep of one model: for every scheme and number of states, `measure` the model with its
 * matrices quantized by that quantizer. Returns scheme -> S -> value.
 */
async function ptqSweep(
  c: T5Config,
  ctx: ExperimentContext,
  seed: number,
  label: string,
  measure: (spec: QuantSpec) => number | Promise<number>,
): Promise<Record<string, Record<number, number>>> {
  const ptq: Record<string, Record<number, number>> = {};
  let done = 0;
  for (const scheme of c.schemes) {
    ptq[scheme] = {};
    for (const s of c.states) {
      throwIfCancelled(ctx.signal, "t5-quantization");
      (ptq[scheme] as Record<number, number>)[s] = await measure(
        schemeSpec(scheme as SchemeName, s, c.groupSize, deriveSeed(seed, "kmeans")),
      );
      ctx.progress.update({ label, step: ++done, total: c.schemes.length * c.states.length, info: { scheme, S: s } });
    }
  }
  return ptq;
}

async function runMlpSeed(
  c: T5Config,
  ctx: ExperimentContext,
  seed: number,
  first: boolean,
  clock: PhaseClock,
): Promise<MlpSeedResult> {
  const task = makeClassificationTask(c.task, deriveSeed(seed, "task"));
  const arch = { inputDim: task.config.inputDim, hidden: c.mlpHidden, outputDim: task.config.numClasses };
  const model = createMLP(arch, deriveSeed(seed, "mlp-init"));
  try {
    const fp32History = await trainMLP(model, task.xTrain, task.yTrain, c.mlpTrain, {
      seed: deriveSeed(seed, "mlp-train"),
      progress: ctx.progress,
      label: "MLP float32",
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const fp32 = await mlpAccuracy(model, task.xTest, task.yTest);
    clock.mark("mlp float32 training");
    const mats = model.namedKernels();
    const ptq = await ptqSweep(c, ctx, seed, "MLP PTQ", (spec) =>
      mlpQuantAccuracy(model, quantizeAll(mats, spec), task.xTest, task.yTest),
    );
    // QAT: fine-tune a copy of the float model with the quantizer in the forward pass
    clock.mark("mlp PTQ sweep");
    const fpKernels = Object.values(mats).map((v) => v.dataSync() as Float32Array);
    const qat: MlpSeedResult["qat"] = {};
    for (const v of c.qatVariants as ReadonlyArray<QatVariant>) {
      const spec = qatSpec(v);
      const student = createMLP(arch, deriveSeed(seed, "mlp-init"));
      try {
        student.variables.forEach((w, i) => w.assign(model.variables[i] as tf.Variable));
        const ptqAcc = await mlpQuantAccuracy(
          student,
          quantizeAll(student.namedKernels(), spec),
          task.xTest,
          task.yTest,
        );
        const history = await trainMLP(student, task.xTrain, task.yTrain, c.qatTrain, {
          seed: deriveSeed(seed, "qat-train"), // the same batches for every variant
          transform: (w) => fakeQuantSTE(w, spec),
          progress: ctx.progress,
          label: `QAT ${v}`,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        const qatAcc = await mlpQuantAccuracy(
          student,
          quantizeAll(student.namedKernels(), spec),
          task.xTest,
          task.yTest,
        );
        const after = Object.values(student.namedKernels()).map((k) => k.dataSync() as Float32Array);
        qat[v] = { qat: qatAcc, ptq: ptqAcc, weightChange: relativeChange(fpKernels, after), history };
      } finally {
        student.dispose();
      }
    }
    clock.mark("mlp QAT");
    let histogram: WeightHistogram | undefined;
    let packed: MlpSeedResult["packed"];
    if (first) {
      const hidden = Object.entries(mats)[Math.min(1, Object.keys(mats).length - 1)] as [string, tf.Variable];
      histogram = weightHistogram(
        `MLP ${hidden[0]}`,
        hidden[1].dataSync() as Float32Array,
        c.histogramStates,
        c.histogramBins,
        deriveSeed(seed, "hist"),
      );
      const q = quantizeAll(mats, schemeSpec("uniformGroup", 16, c.packGroupSize, 0));
      const floats: Record<string, FloatEntry> = {};
      model.biases.forEach(
        (b, l) => (floats[`dense${l}/bias`] = { shape: [...b.shape], values: b.dataSync() as Float32Array }),
      );
      const pm: PackedModel = { quantized: q, float: floats };
      const bytes = encodePacked(pm);
      const back = decodePacked(bytes);
      const exact = Object.keys(q).every((n) =>
        sameArray((q[n] as QuantizedTensor).codes, (back.quantized[n] as QuantizedTensor).codes),
      );
      packed = { bytes: bytes.length, float32Bytes: float32Bytes(pm), exact };
    }
    return {
      fp32,
      bayes: bayesAccuracy(task),
      ptq,
      qat,
      fp32History,
      ...(histogram ? { histogram } : {}),
      ...(packed ? { packed } : {}),
    };
  } finally {
    model.dispose();
  }
}

async function runGptSeed(
  c: T5Config,
  ctx: ExperimentContext,
  seed: number,
  first: boolean,
  clock: PhaseClock,
): Promise<GptSeedResult> {
  const lang = new ZipfLanguage(c.language, deriveSeed(seed, "language"));
  const cfg: Partial<GPTConfig> = { vocabSize: lang.vocabSize, ...c.gpt, tieWeights: false };
  const model = createGPT(cfg, deriveSeed(seed, "gpt-init"));
  try {
    const res = await trainModel(model, lang.batchSampler(c.gpt.seqLen), c.gptTrain, {
      seed: deriveSeed(seed, "gpt-train"),
      progress: ctx.progress,
      label: "GPT float32",
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const fp32Ppl = await perplexity(model, lang, c, seed);
    clock.mark("gpt float32 training");
    const all = model.namedWeights();
    const mats: Matrices = Object.fromEntries(Object.entries(all).filter(([, v]) => v.rank === 2));
    const ptq = await ptqSweep(c, ctx, seed, "GPT PTQ", (spec) =>
      gptQuantPerplexity(model, mats, quantizeAll(mats, spec, GPT_TABLES), lang, c, seed),
    );
    // Where the int4 error comes from: group-wise int4 on one matrix at a time, and on all matrices but
    // with the embedding tables at 8 bits (BitNet and ParetoQ keep embeddings in high precision)
    const int4 = schemeSpec("uniformGroup", 16, c.groupSize, 0);
    const int4ByMatrix: Record<string, number> = {};
    for (const [name, v] of Object.entries(mats)) {
      const one: Matrices = { [name]: v };
      int4ByMatrix[name] =
        (await gptQuantPerplexity(model, one, quantizeAll(one, int4, GPT_TABLES), lang, c, seed)) / fp32Ppl - 1;
    }
    const qEmb8 = quantizeAll(mats, int4, GPT_TABLES);
    for (const name of GPT_TABLES) {
      const v = mats[name];
      if (v) qEmb8[name] = quantizeMatrix(v as tf.Tensor2D, specFor({ ...int4, states: 256 }, name, GPT_TABLES));
    }
    const int4Emb8Ppl = await gptQuantPerplexity(model, mats, qEmb8, lang, c, seed);
    clock.mark("gpt PTQ sweep");
    let histogram: WeightHistogram | undefined;
    let packed: GptSeedResult["packed"];
    if (first) {
      const name = "h0.mlp.w1" in mats ? "h0.mlp.w1" : (Object.keys(mats)[0] as string);
      histogram = weightHistogram(
        `GPT ${name}`,
        (mats[name] as tf.Variable).dataSync() as Float32Array,
        c.histogramStates,
        c.histogramBins,
        deriveSeed(seed, "hist"),
      );
      packed = await packedRoundTrip(model, mats, all, lang, c, ctx, seed);
    }
    return {
      fp32Ppl,
      ptq,
      int4ByMatrix,
      int4Emb8Ppl,
      history: res.history,
      numParams: model.numParams(),
      entropyRatePpl: Math.exp(lang.entropyRate()),
      unigramPpl: Math.exp(lang.unigramEntropy()),
      ...(histogram ? { histogram } : {}),
      ...(packed ? { packed } : {}),
    };
  } finally {
    model.dispose();
  }
}

/**
 * Save the GPT in the packed 4-bit format (group-wise int4 matrices + float32 vectors), load it back
 * into the model, and check that nothing changed: codes, parameters, dequantized weights and the
 * held-out perplexity are identical.
 */
async function packedRoundTrip(
  model: GPT,
  mats: Matrices,
  all: Record<string, tf.Variable>,
  lang: ZipfLanguage,
  c: T5Config,
  ctx: ExperimentContext,
  seed: number,
): Promise<NonNullable<GptSeedResult["packed"]>> {
  const original = await model.readWeights();
  const spec = schemeSpec("uniformGroup", 16, c.packGroupSize, 0);
  const q = quantizeAll(mats, spec, GPT_TABLES);
  const floats: Record<string, FloatEntry> = {};
  for (const [name, v] of Object.entries(all))
    if (v.rank !== 2) floats[name] = { shape: [...v.shape], values: original[name] as Float32Array };
  const pm: PackedModel = { quantized: q, float: floats };
  // the same model packed with the PTQ scheme's groups, for comparison (size only)
  const bytesAtGroupSize = encodePacked({
    quantized: quantizeAll(mats, schemeSpec("uniformGroup", 16, c.groupSize, 0), GPT_TABLES),
    float: floats,
  }).length;
  const file = path.join(ctx.outDir, "gpt-int4.g2bq");
  const bytes = savePacked(file, pm);
  const pplBefore = await gptQuantPerplexity(model, mats, q, lang, c, seed);
  const back = loadPacked(file);
  let exact = true;
  const loaded: Record<string, Float32Array> = {};
  for (const [name, qt] of Object.entries(q)) {
    const lq = back.quantized[name];
    if (!lq || !sameArray(lq.codes, qt.codes) || !sameArray(lq.params, qt.params)) exact = false;
    const [a, b] = [dequantize(qt), lq ? dequantize(lq) : null];
    const av = a.dataSync() as Float32Array;
    if (!b || !sameArray(av, b.dataSync())) exact = false;
    loaded[name] = b ? (b.dataSync() as Float32Array) : av;
    tf.dispose(b ? [a, b] : [a]);
  }
  for (const [name, f] of Object.entries(back.float)) {
    if (!sameArray(f.values, original[name] as Float32Array)) exact = false;
    loaded[name] = f.values;
  }
  model.setWeights(loaded);
  const pplAfter = await perplexity(model, lang, c, seed);
  model.setWeights(original);
  if (!Object.is(pplAfter, pplBefore)) exact = false;
  return {
    file,
    groupSize: c.packGroupSize,
    bytes,
    bytesAtGroupSize,
    float32Bytes: float32Bytes(pm),
    exact,
    pplBefore,
    pplAfter,
  };
}

const pos = (xs: number[]): Interval => meanInterval(xs, [0, Infinity]);
/** Geometric mean with a t-interval on the log scale (for ratios, which multiply). */
const geoInterval = (xs: number[]): Interval => {
  const l = meanInterval(xs.map((x) => Math.log(x)));
  return { mean: Math.exp(l.mean), lo: Math.exp(l.lo), hi: Math.exp(l.hi), n: l.n };
};
const acc01 = (xs: number[]): Interval => meanInterval(xs, [0, 1]);

/** Run every condition for every seed; returns the metrics, claims, data and CSVs of the record. */
export async function runT5(c: T5Config, ctx: ExperimentContext): Promise<ExperimentOutput<T5Data, T5Metric>> {
  validateT5Config(c);
  for (const s of MAIN_SCHEMES)
    if (!c.schemes.includes(s)) throw new Error(`t5-quantization.config.schemes: must include the main scheme "${s}"`);
  const cpu0 = process.cpuUsage(); // CPU time of this process: the wall time an otherwise idle machine would need
  const clock = new PhaseClock();
  const seeds = Array.from({ length: c.numSeeds }, (_, i) => deriveSeed(ctx.seed, "t5", i));
  const mlpRuns: MlpSeedResult[] = [];
  const gptRuns: GptSeedResult[] = [];
  for (const [i, seed] of seeds.entries()) {
    ctx.log(`t5: seed ${i + 1}/${seeds.length} (${seed}): MLP`);
    mlpRuns.push(await runMlpSeed(c, ctx, seed, i === 0, clock));
    clock.mark("other");
    ctx.log(`t5: seed ${i + 1}/${seeds.length} (${seed}): GPT`);
    gptRuns.push(await runGptSeed(c, ctx, seed, i === 0, clock));
    clock.mark("other");
  }
  const m0 = mlpRuns[0] as MlpSeedResult;
  const g0 = gptRuns[0] as GptSeedResult;
  const numClasses = c.task.numClasses;
  const chance = 1 / numClasses;

  // bits per weight on each model's matrices
  const mlpShapes: Record<string, [number, number]> = (() => {
    const dims = [c.task.inputDim, ...c.mlpHidden, numClasses];
    return Object.fromEntries(
      dims.slice(0, -1).map((d, l) => [`dense${l}/kernel`, [d, dims[l + 1]] as [number, number]]),
    );
  })();
  const noTables: ReadonlySet<string> = new Set();
  const gptShapes = (() => {
    const lang = new ZipfLanguage(c.language, 0);
    const gm = createGPT({ vocabSize: lang.vocabSize, ...c.gpt, tieWeights: false }, 0);
    try {
      return shapesOf(Object.fromEntries(Object.entries(gm.namedWeights()).filter(([, v]) => v.rank === 2)));
    } finally {
      gm.dispose();
    }
  })();

  const metrics = {} as Record<T5Metric, Metric>; // filled below, per scheme, number of states and QAT variant
  const csvPtq: Array<Record<string, unknown>> = [];
  const mlpPtq: T5Data["mlp"]["ptq"] = {};
  const gptPtq: T5Data["gpt"]["ptq"] = {};
  for (const scheme of c.schemes) {
    mlpPtq[scheme] = { acc: [], drop: [], bits: [] };
    gptPtq[scheme] = { ppl: [], ratio: [], bits: [] };
    for (const s of c.states) {
      const spec = schemeSpec(scheme as SchemeName, s, c.groupSize, 0);
      const accs = mlpRuns.map((r) => (r.ptq[scheme] as Record<number, number>)[s] as number);
      const ppls = gptRuns.map((r) => (r.ptq[scheme] as Record<number, number>)[s] as number);
      const bm = modelBits(spec, mlpShapes, noTables);
      const bg = modelBits(spec, gptShapes, GPT_TABLES);
      metrics[`mlpAcc_${scheme as SchemeName}_s${s}`] = acc01(accs);
      metrics[`gptPpl_${scheme as SchemeName}_s${s}`] = pos(ppls);
      // paired over seeds: the same model before and after quantization
      mlpPtq[scheme]?.acc.push(acc01(accs));
      mlpPtq[scheme]?.drop.push(meanInterval(accs.map((a, i) => 100 * (mlpRuns[i]!.fp32 - a))));
      mlpPtq[scheme]?.bits.push(bm);
      gptPtq[scheme]?.ppl.push(pos(ppls));
      gptPtq[scheme]?.ratio.push(geoInterval(ppls.map((p, i) => p / gptRuns[i]!.fp32Ppl)));
      gptPtq[scheme]?.bits.push(bg);
      seeds.forEach((sd, i) => {
        csvPtq.push({
          model: "mlp",
          scheme,
          states: s,
          bitsPerWeight: bm,
          seed: sd,
          metric: "accuracy",
          value: accs[i],
        });
        csvPtq.push({
          model: "gpt",
          scheme,
          states: s,
          bitsPerWeight: bg,
          seed: sd,
          metric: "perplexity",
          value: ppls[i],
        });
      });
    }
  }
  const fp32Accs = mlpRuns.map((r) => r.fp32);
  const fp32Ppls = gptRuns.map((r) => r.fp32Ppl);
  metrics["mlpAccFp32"] = acc01(fp32Accs);
  metrics["gptPplFp32"] = pos(fp32Ppls);
  metrics["mlpBayesAcc"] = acc01(mlpRuns.map((r) => r.bayes));
  metrics["gptPplInt4GroupEmb8"] = pos(gptRuns.map((r) => r.int4Emb8Ppl));

  const qatData: T5Data["mlp"]["qat"] = {};
  const csvQat: Array<Record<string, unknown>> = [];
  for (const v of c.qatVariants as ReadonlyArray<QatVariant>) {
    const spec = qatSpec(v);
    const q = mlpRuns.map((r) => r.qat[v]?.qat as number);
    const p = mlpRuns.map((r) => r.qat[v]?.ptq as number);
    const wc = mlpRuns.map((r) => r.qat[v]?.weightChange as number);
    const bits = modelBits(spec, mlpShapes, noTables);
    qatData[v] = { states: spec.states, bits, qat: acc01(q), ptq: acc01(p), weightChange: pos(wc) };
    metrics[`qatAcc_${v}`] = acc01(q);
    metrics[`qatPtqAcc_${v}`] = acc01(p);
    metrics[`qatWeightChange_${v}`] = pos(wc);
    seeds.forEach((sd, i) =>
      csvQat.push({
        variant: v,
        states: spec.states,
        bitsPerWeight: bits,
        seed: sd,
        fp32Acc: fp32Accs[i],
        ptqAcc: p[i],
        qatAcc: q[i],
        weightChange: wc[i],
      }),
    );
  }
  const gp = g0.packed;
  if (gp) {
    metrics["packedInt4SizeRatio"] = gp.bytes / gp.float32Bytes;
    metrics["packedInt4Exact"] = gp.exact ? 1 : 0;
    metrics[`packedInt4SizeRatio_group${c.groupSize}`] = gp.bytesAtGroupSize / gp.float32Bytes;
  }
  if (m0.packed) metrics["packedInt4SizeRatioMlp"] = m0.packed.bytes / m0.packed.float32Bytes;

  // Claims: t-intervals over seeds of per-seed paired differences (each seed trains its own float models).
  const claims: Claim[] = [];
  const paired = (f: (i: number) => number): number => mean(seeds.map((_, i) => f(i)));
  const perSeed = (f: (i: number) => number): SeedEstimate => overSeeds(seeds.map((_, i) => f(i)));
  const has = (scheme: string, s: number): boolean => c.schemes.includes(scheme) && c.states.includes(s);
  const mlpPtqAcc = (i: number, scheme: string, s: number): number =>
    (mlpRuns[i]!.ptq[scheme] as Record<number, number>)[s] ?? NaN;
  const gptPtqPpl = (i: number, scheme: string, s: number): number =>
    (gptRuns[i]!.ptq[scheme] as Record<number, number>)[s] ?? NaN;
  // The negative control of the int4 claims: the same scheme and code at the fewest states on the grid.
  const sFewest = Math.min(...c.states);
  const PAPER_INT4 =
    'Gros 2025, §6 (paraphrase): INT4 (16 states) is rolled out in hardware; "the computational consequences of synapse quantization are well understood for artificial neural nets"';
  const PAPER_STATES =
    'Gros 2025, §6: synaptic strength is quantized in the brain too, "with the exact number of expressed states being debated" (Liu et al. 2017: about 10; Bartol et al. 2015: about 26)';
  if (has("uniformGroup", 16)) {
    claims.push(
      assertedClaim({
        id: "int4-group-mlp",
        statement: `Group-wise int4 PTQ (16 states, groups of ${c.groupSize}) loses at most 1 percentage point of MLP accuracy (paired drop per seed)`,
        paper: PAPER_INT4,
        quantity: "float32 minus int4 MLP accuracy, per seed",
        refutedBy: "a drop interval wholly above 1 point",
        estimate: perSeed((i) => fp32Accs[i]! - mlpPtqAcc(i, "uniformGroup", 16)),
        target: atMost(0.01),
        control: {
          id: `uniformGroup_s${sFewest}`,
          description: `the same group-wise PTQ with ${sFewest} states: the drop should be large`,
          estimate: perSeed((i) => fp32Accs[i]! - mlpPtqAcc(i, "uniformGroup", sFewest)),
          expect: "absent",
        },
      }),
    );
    claims.push(
      assertedClaim({
        id: "int4-group-gpt",
        statement:
          "Group-wise int4 PTQ raises the GPT's held-out perplexity by at most 2% (relative increase per seed)",
        paper: PAPER_INT4,
        quantity: "int4 over float32 perplexity minus 1, per seed",
        refutedBy: "an increase interval wholly above 2%",
        estimate: perSeed((i) => gptPtqPpl(i, "uniformGroup", 16) / fp32Ppls[i]! - 1),
        target: atMost(0.02),
        control: {
          id: `uniformGroup_s${sFewest}`,
          description: `the same group-wise PTQ with ${sFewest} states: the increase should be large`,
          estimate: perSeed((i) => gptPtqPpl(i, "uniformGroup", sFewest) / fp32Ppls[i]! - 1),
          expect: "absent",
        },
      }),
    );
    claims.push(
      measuredClaim({
        id: "int4-group-gpt-emb8",
        statement:
          "Group-wise int4 PTQ with 8-bit embedding tables (as BitNet and ParetoQ keep embeddings in high precision): relative perplexity increase; reported, not asserted (a variant added after the int4 result was seen)",
        paper: null,
        quantity: "int4 (8-bit embeddings) over float32 perplexity minus 1, per seed",
        refutedBy: "reported, not asserted: an interval wholly above 2%",
        estimate: perSeed((i) => gptRuns[i]!.int4Emb8Ppl / fp32Ppls[i]! - 1),
        target: atMost(0.02),
      }),
    );
  }
  if (c.qatVariants.includes("ternary")) {
    claims.push(
      assertedClaim({
        id: "ternary-qat-mlp",
        statement:
          "Ternary QAT (BitNet b1.58 absmean, 3 states) stays within 3 percentage points of float32 accuracy (paired drop per seed)",
        paper:
          "Gros 2025, §6 (paraphrase): with quantization-aware training even ternary weights suffice (BitNet b1.58)",
        quantity: "float32 minus ternary-QAT MLP accuracy, per seed",
        refutedBy: "a drop interval wholly above 3 points",
        estimate: perSeed((i) => fp32Accs[i]! - mlpRuns[i]!.qat["ternary"]!.qat),
        target: atMost(0.03),
        control: {
          id: "ternaryPtq",
          description: "the same ternary quantizer applied after training, without QAT",
          estimate: perSeed((i) => fp32Accs[i]! - mlpRuns[i]!.qat["ternary"]!.ptq),
          expect: "absent",
        },
      }),
    );
  }
  if (has("uniformTensor", 2)) {
    // Collapse of the GPT: worse than a model that ignores context altogether (the unigram perplexity)
    metrics["gptPplBinaryOverUnigram"] = pos(
      gptRuns.map((r) => (r.ptq["uniformTensor"] as Record<number, number>)[2]! / r.unigramPpl),
    );
    claims.push(
      assertedClaim({
        id: "binary-ptq-collapses-gpt",
        statement:
          "Binary per-tensor PTQ (2 states, ±max|w|) collapses the GPT: its perplexity exceeds that of a model that ignores context (the unigram perplexity); value = ratio",
        paper: "Gros 2025, §6 (paraphrase): 1-bit post-training quantization collapses a trained network",
        quantity: "binary-PTQ perplexity over unigram perplexity, per seed",
        refutedBy: "a ratio interval wholly below 1",
        estimate: perSeed((i) => gptPtqPpl(i, "uniformTensor", 2) / gptRuns[i]!.unigramPpl),
        target: atLeast(1),
        control: {
          id: "float32",
          description: "the float32 GPT's perplexity over the unigram perplexity: it uses the context",
          estimate: perSeed((i) => fp32Ppls[i]! / gptRuns[i]!.unigramPpl),
          expect: "absent",
        },
      }),
    );
    const kept = paired(
      (i) =>
        ((mlpRuns[i]!.ptq["uniformTensor"] as Record<number, number>)[2]! - chance) /
        Math.max(1e-9, fp32Accs[i]! - chance),
    );
    metrics["mlpBinaryKeptAboveChance"] = kept;
    claims.push(
      measuredClaim({
        id: "binary-ptq-collapses-mlp",
        statement:
          "Binary per-tensor PTQ: fraction of the MLP's accuracy above chance that it keeps; reported, not asserted",
        paper: "Gros 2025, §6 (paraphrase): 1-bit post-training quantization collapses a trained network",
        quantity: "(binary-PTQ accuracy − chance) / (float32 accuracy − chance), per seed",
        refutedBy: "reported, not asserted: an interval wholly above ½ would say the MLP does not collapse",
        estimate: perSeed((i) => (mlpPtqAcc(i, "uniformTensor", 2) - chance) / Math.max(1e-9, fp32Accs[i]! - chance)),
        target: atMost(0.5),
      }),
    );
  }
  if (gp) {
    claims.push(
      measuredClaim({
        id: "packed-int4-exact",
        statement:
          "The packed 4-bit file (two codes per byte + float16 scales) round-trips exactly: same codes, weights and perplexity (a check of the file format, first seed)",
        paper: null,
        quantity: "1 if the round trip is exact, else 0",
        refutedBy: "a round trip that changes a code, a weight or the perplexity (a bug)",
        estimate: singleRun(gp.exact ? 1 : 0),
        target: atLeast(1),
      }),
    );
    claims.push(
      measuredClaim({
        id: "packed-int4-size",
        statement: `Size of the packed 4-bit GPT file (float16 scale per ${gp.groupSize} weights, float32 biases and LayerNorm) relative to float32 (the arithmetic of the format, first seed)`,
        paper: null,
        quantity: "packed bytes over float32 bytes",
        refutedBy: "a file larger than 0.16 of float32 (the format's overhead)",
        estimate: singleRun(gp.bytes / gp.float32Bytes),
        target: atMost(0.16),
      }),
    );
  }
  for (const scheme of ["uniformGroup", "kmeans"] as const) {
    if (!c.schemes.includes(scheme)) continue;
    const sorted = [...c.states].sort((a, b) => a - b);
    const fewest = sorted.find(
      (s) => paired((i) => fp32Accs[i]! - (mlpRuns[i]!.ptq[scheme] as Record<number, number>)[s]!) <= 0.01,
    );
    metrics[`mlpStatesWithin1pp_${scheme}`] = fewest ?? NaN;
    claims.push(
      measuredClaim({
        id: `states-needed-${scheme}`,
        statement: `Fewest states on the grid {${sorted.join(", ")}} at which ${SCHEME_LABELS[scheme as SchemeName]} PTQ is within 1 pp of float32 on the MLP (mean paired drop over seeds); reported, not asserted: a grid value, and any value ≤ 26 would fit "about 10–26"`,
        paper: PAPER_STATES,
        quantity: "fewest states on the grid with mean paired drop ≤ 1 point (one value from all seeds)",
        refutedBy: "reported, not asserted: a network needing far more than ~26 states",
        estimate: singleRun(fewest ?? NaN),
        target: atMost(26),
      }),
    );
  }
  if (c.qatVariants.includes("s2") && c.qatVariants.includes("s3")) {
    claims.push(
      measuredClaim({
        id: "paretoq-transition",
        statement:
          "ParetoQ's 2–3 bit transition: QAT's relative weight change at 2 bits over that at 3 bits; reported, not asserted: any coarser quantizer moves the weights more",
        paper: null,
        quantity: "relative weight change of QAT at 2 bits over 3 bits, per seed",
        refutedBy: "reported, not asserted: a ratio ≤ 1",
        estimate: perSeed((i) => mlpRuns[i]!.qat["s2"]!.weightChange / mlpRuns[i]!.qat["s3"]!.weightChange),
        target: above(1),
      }),
    );
  }

  const qatHistories: Record<string, MLPHistoryPoint[]> = {};
  for (const [v, r] of Object.entries(m0.qat)) qatHistories[v] = r.history;
  const cpu = process.cpuUsage(cpu0);
  const data: T5Data = {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    cpuByPhase: clock.seconds,
    states: [...c.states],
    schemes: [...c.schemes],
    groupSize: c.groupSize,
    chance,
    mlp: {
      numParams: Object.values(mlpShapes).reduce((n, [a, b]) => n + a * b + b, 0),
      fp32: acc01(fp32Accs),
      bayes: acc01(mlpRuns.map((r) => r.bayes)),
      ptq: mlpPtq,
      qat: qatData,
      ...(m0.histogram ? { histogram: m0.histogram } : {}),
      ...(m0.packed ? { packed: m0.packed } : {}),
      qatHistories,
    },
    gpt: {
      numParams: g0.numParams,
      fp32Ppl: pos(fp32Ppls),
      entropyRatePpl: g0.entropyRatePpl,
      unigramPpl: g0.unigramPpl,
      int4ByMatrix: Object.fromEntries(
        Object.keys(g0.int4ByMatrix).map((n) => [n, meanInterval(gptRuns.map((r) => r.int4ByMatrix[n]))]),
      ),
      ptq: gptPtq,
      ...(g0.histogram ? { histogram: g0.histogram } : {}),
      ...(gp ? { packed: gp } : {}),
      history: g0.history.map((h) => ({ step: h.step, trainLoss: h.trainLoss })),
    },
  };
  return {
    seeds,
    metrics,
    claims,
    data,
    csv: {
      "ptq.csv": { rows: csvPtq, columns: ["model", "scheme", "states", "bitsPerWeight", "seed", "metric", "value"] },
      "qat.csv": {
        rows: csvQat,
        columns: ["variant", "states", "bitsPerWeight", "seed", "fp32Acc", "ptqAcc", "qatAcc", "weightChange"],
      },
    },
  };
}
