/**
 * Takeaway 5's runs: per seed an MLP and a tiny GPT trained in float32, then swept over quantization
 * schemes and numbers of states (PTQ), fine-tuned with the quantizer in the loop (QAT), and saved and
 * loaded in the packed 4-bit format; then the metrics, claims and CSVs.
 */
import * as tf from "@tensorflow/tfjs";
import * as path from "path";
import { throwIfCancelled } from "../../cancel";
import { type Claim, claim } from "../../claims";
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

  // Claims
  const claims: Claim[] = [];
  const paired = (f: (i: number) => number): number => mean(seeds.map((_, i) => f(i)));
  const has = (scheme: string, s: number): boolean => c.schemes.includes(scheme) && c.states.includes(s);
  if (has("uniformGroup", 16)) {
    const drop = paired((i) => fp32Accs[i]! - (mlpRuns[i]!.ptq["uniformGroup"] as Record<number, number>)[16]!);
    claims.push(
      claim(
        "int4-group-mlp",
        `Group-wise int4 PTQ (16 states, groups of ${c.groupSize}) loses at most 1 percentage point of MLP accuracy (mean paired drop)`,
        drop,
        "<=",
        0.01,
      ),
    );
    const rel = paired((i) => (gptRuns[i]!.ptq["uniformGroup"] as Record<number, number>)[16]! / fp32Ppls[i]! - 1);
    claims.push(
      claim(
        "int4-group-gpt",
        "Group-wise int4 PTQ raises the GPT's held-out perplexity by at most 2% (relative, mean over seeds)",
        rel,
        "<=",
        0.02,
      ),
    );
    const relEmb8 = paired((i) => gptRuns[i]!.int4Emb8Ppl / fp32Ppls[i]! - 1);
    claims.push(
      claim(
        "int4-group-gpt-emb8",
        "Group-wise int4 PTQ with 8-bit embedding tables (as BitNet and ParetoQ keep embeddings in high precision) raises the GPT's perplexity by at most 2% (measured and stated)",
        relEmb8,
        "<=",
        0.02,
        false,
      ),
    );
  }
  if (c.qatVariants.includes("ternary")) {
    const drop = paired((i) => fp32Accs[i]! - mlpRuns[i]!.qat["ternary"]!.qat);
    claims.push(
      claim(
        "ternary-qat-mlp",
        "Ternary QAT (BitNet b1.58 absmean, 3 states) stays within 3 percentage points of float32 accuracy (mean paired drop)",
        drop,
        "<=",
        0.03,
      ),
    );
  }
  if (has("uniformTensor", 2)) {
    // Collapse of the GPT: worse than a model that ignores context altogether (the unigram perplexity)
    const vsUnigram = paired(
      (i) => (gptRuns[i]!.ptq["uniformTensor"] as Record<number, number>)[2]! / gptRuns[i]!.unigramPpl,
    );
    metrics["gptPplBinaryOverUnigram"] = pos(
      gptRuns.map((r) => (r.ptq["uniformTensor"] as Record<number, number>)[2]! / r.unigramPpl),
    );
    claims.push(
      claim(
        "binary-ptq-collapses-gpt",
        "Binary per-tensor PTQ (2 states, ±max|w|) collapses the GPT: its perplexity exceeds that of a model that ignores context (the unigram perplexity); value = ratio",
        vsUnigram,
        ">=",
        1,
      ),
    );
    const kept = paired(
      (i) =>
        ((mlpRuns[i]!.ptq["uniformTensor"] as Record<number, number>)[2]! - chance) /
        Math.max(1e-9, fp32Accs[i]! - chance),
    );
    metrics["mlpBinaryKeptAboveChance"] = kept;
    claims.push(
      claim(
        "binary-ptq-collapses-mlp",
        "Binary per-tensor PTQ keeps at most half of the MLP's accuracy above chance (measured and stated; value = fraction kept)",
        kept,
        "<=",
        0.5,
        false,
      ),
    );
  }
  if (gp) {
    claims.push(
      claim(
        "packed-int4-exact",
        "The packed 4-bit file (two codes per byte + float16 scales) round-trips exactly: same codes, weights and perplexity",
        gp.exact ? 1 : 0,
        ">=",
        1,
      ),
    );
    claims.push(
      claim(
        "packed-int4-size",
        `The packed 4-bit GPT file (float16 scale per ${gp.groupSize} weights, float32 biases and LayerNorm) is at most 0.16 of its float32 size`,
        gp.bytes / gp.float32Bytes,
        "<=",
        0.16,
      ),
    );
  }
  for (const scheme of ["uniformGroup", "kmeans"] as const) {
    if (!c.schemes.includes(scheme)) continue;
    const sorted = [...c.states].sort((a, b) => a - b);
    const within = sorted.find(
      (s) => paired((i) => fp32Accs[i]! - (mlpRuns[i]!.ptq[scheme] as Record<number, number>)[s]!) <= 0.01,
    );
    metrics[`mlpStatesWithin1pp_${scheme}`] = within ?? NaN;
    claims.push(
      claim(
        `states-needed-${scheme}`,
        `Fewest states at which ${SCHEME_LABELS[scheme as SchemeName]} PTQ is within 1 pp of float32 on the MLP (measured and stated; synapses: ~10–26)`,
        within ?? NaN,
        "<=",
        26,
        false,
      ),
    );
  }
  if (c.qatVariants.includes("s2") && c.qatVariants.includes("s3")) {
    const low = paired((i) => mlpRuns[i]!.qat["s2"]!.weightChange);
    const high = paired((i) => mlpRuns[i]!.qat["s3"]!.weightChange);
    claims.push(
      claim(
        "paretoq-transition",
        "ParetoQ's 2–3 bit transition: QAT moves the weights further from the float model at 2 bits than at 3 bits (ratio of relative weight changes, measured and stated)",
        low / high,
        ">",
        1,
        false,
      ),
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
