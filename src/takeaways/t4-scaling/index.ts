/**
 * Takeaway 4 (Gros 2025, section 5): neural scaling laws and the brain that is twice as large.
 *
 * A family of tiny GPTs spanning ≥ 2 decades of non-embedding parameters N is trained on a Zipfian
 * character language (src/data/zipf-language.ts) for several token budgets D each. From the loss
 * curves we fit L(N) = E + A/N^α (Kaplan et al. 2020), the joint L(N, D) = E + A/N^α + B/D^β
 * (Hoffmann et al. 2022, approach 3), and the compute-optimal frontier N_opt ∝ C^a from the
 * minimum-over-runs envelope (approach 1), which implies C ∝ N^(1/a) (the paper's C ~ N² is a = ½).
 * The best model of each size then competes head to head on held-out words (Neumann & Gros 2022,
 * 2024: P_A/(P_A+P_B) ~ N_A/(N_A+N_B)); a Bradley–Terry fit gives the exponent γ. Finally the
 * measured curves of adjacent sizes (N and ≈2N) say how much longer the doubled model trains and for
 * what fraction of that time it is behind (the paper: 4× as long, 15 → 60 years, behind most of it).
 *
 * Every run's curve is recorded; `runs.csv` holds one row per run and checkpoint so that every fit
 * can be recomputed independently. The `full` sweep is too slow for a notebook: scripts/sweep-t4.ts
 * runs it and caches the record in data/results/t4-scaling/ ({@link loadCachedT4}). The analyses
 * are in t4-analysis.ts, the figures in t4-figures.ts (both re-exported here).
 */
import * as fs from "fs";
import * as path from "path";
import { checkRange, frozen, Profile } from "../../config";
import { registerExperiment, ExperimentContext } from "../../run/experiment";
import { logSpace } from "../../fit";
import { continuationLogLikelihood } from "../../generate";
import { Claim, loadResults, Metric, ResultRecord, isInterval, writeJsonAtomic } from "../../run/results";
import { deriveSeed, Rng } from "../../rng";
import { claim, claimInBand } from "../../stats";
import { trainModel, evaluateLoss } from "../../train";
import { countGPTParams, createGPT, GPTConfig, WeightMap } from "../../transformer";
import { ZipfLanguage, ZipfLanguageConfig, ZIPF_LANGUAGE_DEFAULTS } from "../../data/zipf-language";
import { analyseT4, T4Checkpoint, T4Data, T4Run } from "./analysis";
import { doubledBrainDataFigure, doubledBrainFigure, frontierFigure, headToHeadFigure, isoFlopFigure, lossVsComputeFigure, lossVsNFigure, t4Data } from "./figures";

export * from "./analysis";
export * from "./figures";
export { ZipfLanguage, ZIPF_LANGUAGE_DEFAULTS } from "../../data/zipf-language";

/** One model shape of the size ladder. */
export interface T4ModelSize {
  readonly dModel: number;
  readonly nLayer: number;
  readonly nHead: number;
}

/** The t4 sweep's settings. */
export interface T4Config {
  /** The synthetic language (see ZIPF_LANGUAGE_DEFAULTS). */
  readonly language: ZipfLanguageConfig;
  /** Context length of every model. */
  readonly seqLen: number;
  /** Sequences per training batch (tokens per step = batchSize · seqLen). */
  readonly batchSize: number;
  /** The model ladder, smallest first; N (non-embedding parameters) should span ≥ 2 decades. */
  readonly sizes: ReadonlyArray<T4ModelSize>;
  /** Training tokens D of the runs: every size is trained once for each (a separate cosine schedule). */
  readonly tokens: ReadonlyArray<number>;
  /** Peak learning rate at N = lrRefParams. */
  readonly lr: number;
  /** N at which the peak learning rate is `lr`. */
  readonly lrRefParams: number;
  /** Peak lr ∝ N^(−lrSizeExponent): small models train best with larger steps (measured in a pilot). */
  readonly lrSizeExponent: number;
  /** Upper limit of the peak learning rate (for the smallest models). */
  readonly lrMax: number;
  /** Final learning rate as a fraction of the peak (cosine decay). */
  readonly minLrFraction: number;
  /** Warmup steps as a fraction of the run (at most 100 steps). */
  readonly warmupFraction: number;
  readonly weightDecay: number;
  /** Held-out evaluations per run, spaced evenly in log(step) (the loss curve's checkpoints). */
  readonly checkpoints: number;
  /** Held-out batches of 64 sequences per evaluation (the same sequences for every run). */
  readonly evalBatches: number;
  /** Held-out items (context → next word) for the head-to-head comparison. */
  readonly headToHeadItems: number;
  /** Tokens of context before each head-to-head continuation (≤ seqLen − maxWordLength − 1). */
  readonly contextLen: number;
  /** Bootstrap resamples for the fit intervals. */
  readonly bootstrapReps: number;
  /** Years to train the smaller brain in the doubled-brain mapping (the paper: 15). */
  readonly baseYears: number;
}

/** One-layer models (a pilot found them better per parameter than two-layer ones here), N ≈ 320 … 39k, each ≈ 2× the last. */
const SIZES_FULL: T4ModelSize[] = [
  { dModel: 4, nLayer: 1, nHead: 1 },
  { dModel: 6, nLayer: 1, nHead: 2 },
  { dModel: 10, nLayer: 1, nHead: 2 },
  { dModel: 14, nLayer: 1, nHead: 2 },
  { dModel: 20, nLayer: 1, nHead: 4 },
  { dModel: 28, nLayer: 1, nHead: 4 },
  { dModel: 40, nLayer: 1, nHead: 4 },
  { dModel: 56, nLayer: 1, nHead: 4 },
];

const BASE: Omit<T4Config, "sizes" | "tokens" | "checkpoints" | "evalBatches" | "headToHeadItems" | "bootstrapReps"> = {
  language: { ...ZIPF_LANGUAGE_DEFAULTS },
  seqLen: 32,
  batchSize: 16,
  lr: 0.02,
  lrRefParams: 1e4,
  lrSizeExponent: 0.5,
  lrMax: 0.08,
  minLrFraction: 0.1,
  warmupFraction: 0.05,
  weightDecay: 0.1,
  contextLen: 20,
  baseYears: 15,
};

/** Profiles: smoke exercises every code path in seconds; quick is the live notebook sweep; full is the cached paper sweep. */
export const T4_PROFILES: Readonly<Record<Profile, Readonly<T4Config>>> = {
  smoke: frozen({
    ...BASE,
    sizes: [
      { dModel: 4, nLayer: 1, nHead: 1 },
      { dModel: 8, nLayer: 1, nHead: 2 },
      { dModel: 12, nLayer: 1, nHead: 2 },
      { dModel: 16, nLayer: 1, nHead: 2 },
    ],
    tokens: [4096, 8192],
    checkpoints: 3,
    evalBatches: 1,
    headToHeadItems: 32,
    bootstrapReps: 20,
  }),
  quick: frozen({
    ...BASE,
    sizes: SIZES_FULL,
    tokens: [131072, 262144, 524288],
    checkpoints: 8,
    evalBatches: 4,
    headToHeadItems: 400,
    bootstrapReps: 200,
  }),
  full: frozen({
    ...BASE,
    sizes: SIZES_FULL,
    tokens: [131072, 262144, 524288, 1048576, 2097152, 4194304],
    checkpoints: 12,
    evalBatches: 8,
    headToHeadItems: 1000,
    bootstrapReps: 300,
  }),
};

/** Non-embedding parameters of a ladder entry for a language. */
export function t4Params(size: T4ModelSize, config: Pick<T4Config, "language" | "seqLen">): number {
  return countGPTParams(t4GptConfig(size, config)).nonEmbedding;
}

function t4GptConfig(size: T4ModelSize, config: Pick<T4Config, "language" | "seqLen">): GPTConfig {
  return {
    vocabSize: config.language.alphabetSize + 1,
    seqLen: config.seqLen,
    dModel: size.dModel,
    nLayer: size.nLayer,
    nHead: size.nHead,
    dFF: 0,
    tieWeights: false,
  };
}

/** The peak learning rate of a model with N non-embedding parameters. */
export function t4LearningRate(n: number, config: Pick<T4Config, "lr" | "lrRefParams" | "lrSizeExponent" | "lrMax">): number {
  return Math.min(config.lrMax, config.lr * Math.pow(n / config.lrRefParams, -config.lrSizeExponent));
}

/** Steps (log-spaced, unique, ending at numSteps) at which a run is evaluated. */
export function checkpointSteps(numSteps: number, count: number): number[] {
  const first = Math.max(1, Math.round(numSteps / 32));
  const steps = new Set<number>(logSpace(first, numSteps, Math.max(1, count)).map((s) => Math.round(s)));
  steps.add(numSteps);
  return [...steps].filter((s) => s >= 1 && s <= numSteps).sort((a, b) => a - b);
}

function validate(c: T4Config): void {
  checkRange("t4-scaling.config.seqLen", c.seqLen, 4, 1024, true);
  checkRange("t4-scaling.config.batchSize", c.batchSize, 1, 4096, true);
  checkRange("t4-scaling.config.checkpoints", c.checkpoints, 1, 1000, true);
  checkRange("t4-scaling.config.evalBatches", c.evalBatches, 1, 1000, true);
  checkRange("t4-scaling.config.headToHeadItems", c.headToHeadItems, 2, 1e6, true);
  checkRange("t4-scaling.config.bootstrapReps", c.bootstrapReps, 1, 1e5, true);
  checkRange("t4-scaling.config.contextLen", c.contextLen, 1, c.seqLen - c.language.maxWordLength - 1, true);
  checkRange("t4-scaling.config.lr", c.lr, 1e-6, 1);
  checkRange("t4-scaling.config.minLrFraction", c.minLrFraction, 0, 1);
  checkRange("t4-scaling.config.warmupFraction", c.warmupFraction, 0, 0.5);
  checkRange("t4-scaling.config.baseYears", c.baseYears, 0.1, 1000);
  if (c.sizes.length < 2) throw new Error("t4-scaling.config.sizes: give at least 2 model sizes (4+ for a power-law fit)");
  if (c.tokens.length < 1) throw new Error("t4-scaling.config.tokens: give at least one token budget");
  c.sizes.forEach((s, i) => {
    checkRange(`t4-scaling.config.sizes[${i}].dModel`, s.dModel, 1, 4096, true);
    checkRange(`t4-scaling.config.sizes[${i}].nLayer`, s.nLayer, 1, 64, true);
    if (s.dModel % s.nHead !== 0) throw new Error(`t4-scaling.config.sizes[${i}].nHead: ${s.nHead} must divide dModel ${s.dModel}`);
  });
  c.tokens.forEach((d, i) => {
    if (!(d >= c.batchSize * c.seqLen)) throw new Error(`t4-scaling.config.tokens[${i}]: ${d} is less than one batch (${c.batchSize * c.seqLen} tokens)`);
  });
}

interface SizeModel {
  n: number;
  size: T4ModelSize;
  bestLoss: number;
  bestTokens: number;
  weights: WeightMap | null;
}

interface Partial4 {
  readonly seed: number;
  readonly config: string;
  readonly runs: T4Run[];
  readonly best: { bestLoss: number; bestTokens: number; weights: Record<string, number[]> | null }[];
}

function savePartial(file: string, seed: number, config: T4Config, runs: ReadonlyArray<T4Run>, bySize: ReadonlyArray<SizeModel>): void {
  const p: Partial4 = {
    seed,
    config: JSON.stringify(config),
    runs: [...runs],
    best: bySize.map((b) => ({ bestLoss: Number.isFinite(b.bestLoss) ? b.bestLoss : 1e9, bestTokens: b.bestTokens, weights: b.weights === null ? null : Object.fromEntries(Object.entries(b.weights).map(([k, v]) => [k, Array.from(v)])) })),
  };
  writeJsonAtomic(file, p);
}

function loadPartial(file: string, seed: number, config: T4Config): Partial4 | null {
  if (!fs.existsSync(file)) return null;
  try {
    const p = JSON.parse(fs.readFileSync(file, "utf8")) as Partial4;
    if (p.seed !== seed || p.config !== JSON.stringify(config) || p.best.length !== config.sizes.length) return null;
    return { ...p, best: p.best.map((b) => ({ ...b, bestLoss: b.bestLoss >= 1e9 ? Infinity : b.bestLoss })) };
  } catch {
    return null;
  }
}

/** The t4 sweep and its analyses. */
async function runT4(config: T4Config, ctx: ExperimentContext): Promise<{ seeds: number[]; metrics: Record<string, Metric>; claims: Claim[]; data: T4Data; csv: Record<string, { rows: Record<string, unknown>[]; columns: string[] }> }> {
  validate(config);
  const lang = new ZipfLanguage(config.language, deriveSeed(ctx.seed, "t4", "language"));
  const sampler = lang.batchSampler(config.seqLen);
  const evalSeed = deriveSeed(ctx.seed, "t4", "eval");
  const tokensPerStep = config.batchSize * config.seqLen;
  const runs: T4Run[] = [];
  const seeds: number[] = [];
  const bySize: SizeModel[] = config.sizes.map((size) => ({ n: t4Params(size, config), size, bestLoss: Infinity, bestTokens: 0, weights: null }));
  const plan = config.sizes.flatMap((size, si) => config.tokens.map((tokens) => ({ size, si, tokens })));
  // The full sweep takes tens of minutes: it saves every finished run and resumes from them when
  // restarted with the same seed and config (smoke and quick always start afresh).
  const partialFile = ctx.profile === "full" ? path.join(ctx.outDir, "partial.json") : null;
  const resumed = partialFile ? loadPartial(partialFile, ctx.seed, config) : null;
  if (resumed) {
    runs.push(...resumed.runs);
    resumed.best.forEach((b, i) => Object.assign(bySize[i] as SizeModel, { bestLoss: b.bestLoss, bestTokens: b.bestTokens, weights: b.weights === null ? null : Object.fromEntries(Object.entries(b.weights).map(([k, v]) => [k, Float32Array.from(v)])) }));
    ctx.log(`t4: resuming from ${partialFile} with ${runs.length} finished runs`);
  }
  let done = 0;
  for (const { size, si, tokens } of plan) {
    if (ctx.signal?.aborted) throw new Error("t4-scaling: cancelled");
    const prior = runs.find((r) => r.dModel === size.dModel && r.nLayer === size.nLayer && r.nHead === size.nHead && r.tokens === Math.max(1, Math.round(tokens / tokensPerStep)) * tokensPerStep);
    if (prior) {
      seeds.push(prior.seed);
      done++;
      continue;
    }
    const gcfg = t4GptConfig(size, config);
    const n = (bySize[si] as SizeModel).n;
    const steps = Math.max(1, Math.round(tokens / tokensPerStep));
    const lr = t4LearningRate(n, config);
    const seed = deriveSeed(ctx.seed, "t4", "run", size.dModel, size.nLayer, size.nHead, tokens);
    seeds.push(seed);
    const evalAt = new Set(checkpointSteps(steps, config.checkpoints));
    const model = createGPT(gcfg, deriveSeed(seed, "init"));
    const curve: T4Checkpoint[] = [];
    const t0 = Date.now();
    try {
      await trainModel(
        model,
        sampler,
        {
          numSteps: steps,
          batchSize: config.batchSize,
          lr,
          minLr: lr * config.minLrFraction,
          warmupSteps: Math.max(1, Math.min(100, Math.round(steps * config.warmupFraction))),
          weightDecay: config.weightDecay,
          evalEvery: 0,
          gradClip: 1,
        },
        {
          seed,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          progress: {
            update: (e) =>
              ctx.progress.update({
                label: `t4 run ${done + 1}/${plan.length}: N=${n} D=${tokens}`,
                step: e.step,
                total: e.total,
                info: { ...(e.info ?? {}), ...(curve.length > 0 ? { eval: (curve[curve.length - 1] as T4Checkpoint).loss } : {}) },
              }),
          },
          onStep: async (rec) => {
            if (!evalAt.has(rec.step)) return;
            const loss = await evaluateLoss(model, sampler, 64, config.evalBatches, evalSeed);
            curve.push({ step: rec.step, tokens: rec.tokens, flops: 6 * n * rec.tokens, loss });
          },
        },
      );
      const finalLoss = (curve[curve.length - 1] as T4Checkpoint).loss;
      const best = bySize[si] as SizeModel;
      if (finalLoss < best.bestLoss) {
        best.bestLoss = finalLoss;
        best.bestTokens = steps * tokensPerStep;
        best.weights = model.getWeights();
      }
      runs.push({ ...size, n, tokens: steps * tokensPerStep, steps, lr, seed, finalLoss, curve, wallMs: Date.now() - t0 });
      ctx.log(`t4: N=${n} D=${steps * tokensPerStep} loss=${finalLoss.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      if (partialFile) savePartial(partialFile, ctx.seed, config, runs, bySize);
    } finally {
      model.dispose();
    }
    done++;
  }
  ctx.progress.done?.("t4 sweep");

  // Head to head: the best run of every size scores each held-out item by log p(true next word).
  const items = lang.continuationItems(new Rng(deriveSeed(ctx.seed, "t4", "items")), config.headToHeadItems, config.contextLen);
  const scores: number[][] = [];
  for (const s of bySize) {
    const model = createGPT(t4GptConfig(s.size, config), 0);
    try {
      model.setWeights(s.weights as WeightMap);
      scores.push(continuationLogLikelihood(model, items.map((it) => it.prefix), items.map((it) => it.continuation)));
    } finally {
      model.dispose();
    }
  }
  // Keep the runs in plan order (a resumed sweep appends in the order runs finished).
  runs.sort((a, b) => a.n - b.n || a.tokens - b.tokens);
  const analysis = analyseT4(runs, scores, config, lang, deriveSeed(ctx.seed, "t4", "bootstrap"));
  if (partialFile) fs.rmSync(partialFile, { force: true });
  const claims = t4Claims(analysis.metrics, analysis.data, ctx.profile);
  const rows = runs.flatMap((r) => r.curve.map((p) => ({ n_params: r.n, tokens: p.tokens, flops: p.flops, loss: p.loss })));
  const detail = runs.flatMap((r, ri) =>
    r.curve.map((p) => ({ run: ri, d_model: r.dModel, n_layer: r.nLayer, n_head: r.nHead, n_params: r.n, run_tokens: r.tokens, lr: r.lr, seed: r.seed, step: p.step, tokens: p.tokens, flops: p.flops, loss: p.loss, final: p.step === r.steps ? 1 : 0 })),
  );
  return {
    seeds,
    metrics: analysis.metrics,
    claims,
    data: analysis.data,
    csv: {
      "runs.csv": { rows, columns: ["n_params", "tokens", "flops", "loss"] },
      "runs-detail.csv": { rows: detail, columns: ["run", "d_model", "n_layer", "n_head", "n_params", "run_tokens", "lr", "seed", "step", "tokens", "flops", "loss", "final"] },
    },
  };
}

/**
 * Redo every fit of a saved t4 record with the current analysis code (the runs' curves and the
 * head-to-head scores are in its data; nothing is retrained). Returns a new record.
 */
export function reanalyseT4(record: ResultRecord): ResultRecord {
  const d = t4Data(record);
  const config = record.config as T4Config;
  if (!d.headToHead.scores) throw new Error(`t4-scaling: record ${record.id} (${record.startedAt}) has no head-to-head scores; rerun the sweep to reanalyse it`);
  const lang = new ZipfLanguage(config.language, deriveSeed(record.baseSeed, "t4", "language"));
  const runs = [...d.runs].sort((a, b) => a.n - b.n || a.tokens - b.tokens);
  const { metrics, data } = analyseT4(runs, d.headToHead.scores, config, lang, deriveSeed(record.baseSeed, "t4", "bootstrap"));
  return { ...record, metrics, claims: t4Claims(metrics, data, record.profile), data };
}

function value(m: Metric | undefined): number {
  return m === undefined ? NaN : isInterval(m) ? m.mean : m;
}

/**
 * The claims. The targets hold "on the cached full sweep": there they are asserted; at smoke
 * and quick (a small live sweep) the same numbers are measured and stated.
 */
export function t4Claims(metrics: Record<string, Metric>, data: T4Data, profile: Profile): Claim[] {
  const full = profile === "full";
  const a = value(metrics["computeOptimalA"]);
  const measuredPairs = data.doubled.pairs.filter((p) => p.computeKind === "crosses").length;
  return [
    claim("decades-N", "the sweep spans at least 2 decades of non-embedding parameters N", value(metrics["decadesN"]), ">=", 2, full),
    claim("power-law-N", "L(N) = E + A/N^α fits the best loss per size with R² ≥ 0.95 (Kaplan et al. 2020)", value(metrics["r2N"]), ">=", 0.95, full),
    claimInBand("frontier-a", "compute-optimal size grows as N_opt ∝ C^a; Chinchilla finds a ≈ 0.5, Kaplan ≈ 0.73", a, 0.3, 0.8, false),
    claimInBand("compute-exponent", "training compute grows as C ∝ N^(1/a); the paper's C ~ N² is 1/a = 2", 1 / a, 1.5, 2.5, false),
    claimInBand("gamma", "head to head, P_A/(P_A+P_B) = N_A^γ/(N_A^γ+N_B^γ); the paper's form is γ = 1", value(metrics["gammaHeadToHead"]), 0.5, 1.5, false),
    claim("crossover-measured", "the doubled model's crossover is measured from the curves of adjacent sizes (number of pairs that cross)", measuredPairs, ">=", 1, profile !== "smoke"),
    claim("behind-most-of-the-time", "trained compute-optimally, the doubled brain is behind the smaller one for most (≥ ½) of its training time (time ∝ compute)", value(metrics["doubledBrainCrossoverFraction"]), ">=", 0.5, false),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Cached full sweep

/** Where scripts/sweep-t4.ts caches the full sweep, relative to the repository root. */
export const T4_CACHE_DIR = path.join("data", "results", "t4-scaling");

/**
 * Load the cached full sweep (data/results/t4-scaling/results.json). Looks relative to the
 * repository (resolved from this file), then the working folder and its parent (notebooks/).
 * @throws with the command that creates the cache when it is missing.
 */
export function loadCachedT4(file?: string): ResultRecord {
  const candidates = file
    ? [file]
    : [
        path.resolve(fs.realpathSync(__dirname), "..", "..", T4_CACHE_DIR, "results.json"),
        path.resolve(process.cwd(), T4_CACHE_DIR, "results.json"),
        path.resolve(process.cwd(), "..", T4_CACHE_DIR, "results.json"),
      ];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new Error(`t4-scaling: no cached full sweep at ${candidates.join(" or ")}; create it with \`npx tsx scripts/sweep-t4.ts\` (about 30-40 min)`);
  return loadResults(found);
}

/** The takeaway-4 experiment. */
export const t4Scaling = registerExperiment<T4Config>({
  id: "t4-scaling",
  title: "Neural scaling laws and the brain that is twice as large",
  claim: "Loss falls as a power law of model size; compute-optimal training needs C ~ N², so a brain twice as large needs about four times as long to train (15 → 60 years) and underperforms for most of that time.",
  profiles: T4_PROFILES,
  run: runT4,
  figures: (record) => ({
    "loss-vs-n": lossVsNFigure(record),
    "loss-vs-compute": lossVsComputeFigure(record),
    frontier: frontierFigure(record),
    isoflop: isoFlopFigure(record),
    "head-to-head": headToHeadFigure(record),
    "doubled-brain": doubledBrainFigure(record),
    "doubled-brain-data": doubledBrainDataFigure(record),
  }),
});
