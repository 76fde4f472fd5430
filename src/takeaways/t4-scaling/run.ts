/**
 * The t4 sweep: every model size trained for every token budget (resumable at `full`), the head-to-head
 * scores of the best model per size, the analyses and the claims; and the cached full sweep.
 */
import * as fs from "fs";
import * as path from "path";
import { atLeast, type Claim, measuredClaim, type SeedEstimate, singleRun, within } from "../../claims";
import { throwIfCancelled } from "../../cancel";
import type { Profile } from "../../config";
import { ZipfLanguage } from "../../data/zipf-language";
import { logSpace } from "../../fit";
import { continuationLogLikelihood } from "../../generate";
import { deriveSeed, Rng } from "../../rng";
import type { ExperimentContext, ExperimentOutput } from "../../run/experiment";
import { repoRoot } from "../../run/paths";
import { loadResults, writeJsonAtomic } from "../../run/results";
import { type Metric, metricValue } from "../../stats";
import { evaluateLoss, trainModel } from "../../train";
import { createGPT, type WeightMap } from "../../transformer";
import { analyseT4 } from "./analysis";
import {
  type T4Checkpoint,
  type T4Config,
  type T4Data,
  type T4Metric,
  type T4ModelSize,
  type T4Record,
  type T4Run,
  t4GptConfig,
  t4LearningRate,
  t4Params,
  validateT4Config,
} from "./config";

/** Steps (log-spaced, unique, ending at numSteps) at which a run is evaluated. */
export function checkpointSteps(numSteps: number, count: number): number[] {
  const first = Math.max(1, Math.round(numSteps / 32));
  const steps = new Set<number>(logSpace(first, numSteps, Math.max(1, count)).map((s) => Math.round(s)));
  steps.add(numSteps);
  return [...steps].filter((s) => s >= 1 && s <= numSteps).sort((a, b) => a - b);
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

function savePartial(
  file: string,
  seed: number,
  config: T4Config,
  runs: ReadonlyArray<T4Run>,
  bySize: ReadonlyArray<SizeModel>,
): void {
  const p: Partial4 = {
    seed,
    config: JSON.stringify(config),
    runs: [...runs],
    best: bySize.map((b) => ({
      bestLoss: Number.isFinite(b.bestLoss) ? b.bestLoss : 1e9,
      bestTokens: b.bestTokens,
      weights:
        b.weights === null ? null : Object.fromEntries(Object.entries(b.weights).map(([k, v]) => [k, Array.from(v)])),
    })),
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
export async function runT4(config: T4Config, ctx: ExperimentContext): Promise<ExperimentOutput<T4Data, T4Metric>> {
  validateT4Config(config);
  const lang = new ZipfLanguage(config.language, deriveSeed(ctx.seed, "t4", "language"));
  const sampler = lang.batchSampler(config.seqLen);
  const evalSeed = deriveSeed(ctx.seed, "t4", "eval");
  const tokensPerStep = config.batchSize * config.seqLen;
  const runs: T4Run[] = [];
  const seeds: number[] = [];
  const bySize: SizeModel[] = config.sizes.map((size) => ({
    n: t4Params(size, config),
    size,
    bestLoss: Infinity,
    bestTokens: 0,
    weights: null,
  }));
  const plan = config.sizes.flatMap((size, si) => config.tokens.map((tokens) => ({ size, si, tokens })));
  // The full sweep takes tens of minutes: it saves every finished run and resumes from them when
  // restarted with the same seed and config (smoke and quick always start afresh).
  const partialFile = ctx.profile === "full" ? path.join(ctx.outDir, "partial.json") : null;
  const resumed = partialFile ? loadPartial(partialFile, ctx.seed, config) : null;
  if (resumed) {
    runs.push(...resumed.runs);
    resumed.best.forEach((b, i) =>
      Object.assign(bySize[i] as SizeModel, {
        bestLoss: b.bestLoss,
        bestTokens: b.bestTokens,
        weights:
          b.weights === null
            ? null
            : Object.fromEntries(Object.entries(b.weights).map(([k, v]) => [k, Float32Array.from(v)])),
      }),
    );
    ctx.log(`t4: resuming from ${partialFile} with ${runs.length} finished runs`);
  }
  let done = 0;
  for (const { size, si, tokens } of plan) {
    throwIfCancelled(ctx.signal, "t4-scaling");
    const prior = runs.find(
      (r) =>
        r.dModel === size.dModel &&
        r.nLayer === size.nLayer &&
        r.nHead === size.nHead &&
        r.tokens === Math.max(1, Math.round(tokens / tokensPerStep)) * tokensPerStep,
    );
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
                info: {
                  ...(e.info ?? {}),
                  ...(curve.length > 0 ? { eval: (curve[curve.length - 1] as T4Checkpoint).loss } : {}),
                },
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
        best.weights = await model.readWeights();
      }
      runs.push({
        ...size,
        n,
        tokens: steps * tokensPerStep,
        steps,
        lr,
        seed,
        finalLoss,
        curve,
        wallMs: Date.now() - t0,
      });
      ctx.log(
        `t4: N=${n} D=${steps * tokensPerStep} loss=${finalLoss.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      );
      if (partialFile) savePartial(partialFile, ctx.seed, config, runs, bySize);
    } finally {
      model.dispose();
    }
    done++;
  }
  ctx.progress.done?.("t4 sweep");

  // Head to head: the best run of every size scores each held-out item by log p(true next word).
  const items = lang.continuationItems(
    new Rng(deriveSeed(ctx.seed, "t4", "items")),
    config.headToHeadItems,
    config.contextLen,
  );
  const scores: number[][] = [];
  for (const s of bySize) {
    const model = createGPT(t4GptConfig(s.size, config), 0);
    try {
      model.setWeights(s.weights as WeightMap);
      scores.push(
        await continuationLogLikelihood(
          model,
          items.map((it) => it.prefix),
          items.map((it) => it.continuation),
        ),
      );
    } finally {
      model.dispose();
    }
  }
  // Keep the runs in plan order (a resumed sweep appends in the order runs finished).
  runs.sort((a, b) => a.n - b.n || a.tokens - b.tokens);
  const analysis = analyseT4(runs, scores, config, lang, deriveSeed(ctx.seed, "t4", "bootstrap"));
  if (partialFile) fs.rmSync(partialFile, { force: true });
  const claims = t4Claims(analysis.metrics, analysis.data, ctx.profile);
  const rows = runs.flatMap((r) =>
    r.curve.map((p) => ({ n_params: r.n, tokens: p.tokens, flops: p.flops, loss: p.loss })),
  );
  const detail = runs.flatMap((r, ri) =>
    r.curve.map((p) => ({
      run: ri,
      d_model: r.dModel,
      n_layer: r.nLayer,
      n_head: r.nHead,
      n_params: r.n,
      run_tokens: r.tokens,
      lr: r.lr,
      seed: r.seed,
      step: p.step,
      tokens: p.tokens,
      flops: p.flops,
      loss: p.loss,
      final: p.step === r.steps ? 1 : 0,
    })),
  );
  return {
    seeds,
    metrics: analysis.metrics,
    claims,
    data: analysis.data,
    csv: {
      "runs.csv": { rows, columns: ["n_params", "tokens", "flops", "loss"] },
      "runs-detail.csv": {
        rows: detail,
        columns: [
          "run",
          "d_model",
          "n_layer",
          "n_head",
          "n_params",
          "run_tokens",
          "lr",
          "seed",
          "step",
          "tokens",
          "flops",
          "loss",
          "final",
        ],
      },
    },
  };
}

/**
 * Redo every fit of a saved t4 record with the current analysis code (the runs' curves and the
 * head-to-head scores are in its data; nothing is retrained). Returns a new record.
 */
export function reanalyseT4(record: T4Record): T4Record {
  const d = record.data;
  const config = record.config;
  if (!d.headToHead.scores)
    throw new Error(
      `t4-scaling: record ${record.id} (${record.startedAt}) has no head-to-head scores; rerun the sweep to reanalyse it`,
    );
  const lang = new ZipfLanguage(config.language, deriveSeed(record.baseSeed, "t4", "language"));
  const runs = [...d.runs].sort((a, b) => a.n - b.n || a.tokens - b.tokens);
  const { metrics, data } = analyseT4(
    runs,
    d.headToHead.scores,
    config,
    lang,
    deriveSeed(record.baseSeed, "t4", "bootstrap"),
  );
  return { ...record, metrics, claims: t4Claims(metrics, data, record.profile), data };
}

/**
 * The claims. The sweep trains one model per (N, D) from one base seed, so no quantity here has an interval
 * over independent runs (the bootstrap intervals in the metrics resample sizes, runs or test items, not
 * seeds): every claim is `measured`, its value a single run, and the target only a reference. `profile` is
 * kept for the takeaway's second edition (seeds per cell, asserted claims with controls).
 */
export function t4Claims(metrics: Readonly<Record<T4Metric, Metric>>, data: T4Data, _profile: Profile): Claim[] {
  const a = metricValue(metrics["computeOptimalA"]);
  const measuredPairs = data.doubled.pairs.filter((p) => p.computeKind === "crosses").length;
  const one = (x: number): SeedEstimate => singleRun(x);
  const NO_SEEDS = "one seed per (N, D): no interval over runs";
  const PAPER_C = "Gros 2025, §5 (paraphrase): training compute grows as C ~ N²";
  const PAPER_BRAIN =
    "Gros 2025, §5 (paraphrase): a brain twice as large would need four times as long to train (60 years instead of 15) and would underperform for most of that time";
  return [
    measuredClaim({
      id: "decades-N",
      statement: `Decades of non-embedding parameters N the sweep spans (a design choice, reported; ${NO_SEEDS})`,
      paper: null,
      quantity: "log10(N_max / N_min)",
      refutedBy: "nothing: set by the sweep's sizes",
      estimate: one(metricValue(metrics["decadesN"])),
      target: atLeast(2),
    }),
    measuredClaim({
      id: "power-law-N",
      statement: `R² of L(N) = E + A/N^α on the best loss per size (Kaplan et al. 2020); three parameters on a few monotone points fit well whatever the law (${NO_SEEDS})`,
      paper: "Gros 2025, §5 (paraphrase): loss falls as a power law of model size (Kaplan et al. 2020)",
      quantity: "R² of the fit",
      refutedBy: "a poor fit (R² well below 0.95); a near-tautology with so few points",
      estimate: one(metricValue(metrics["r2N"])),
      target: atLeast(0.95),
    }),
    measuredClaim({
      id: "frontier-a",
      statement: `Compute-optimal size grows as N_opt ∝ C^a; Chinchilla finds a ≈ 0.5, Kaplan ≈ 0.73 (${NO_SEEDS})`,
      paper: PAPER_C,
      quantity: "exponent a of the compute-optimal frontier",
      refutedBy: "an exponent a far from 0.5 (C ~ N² means a = 0.5)",
      estimate: one(a),
      target: within(0.3, 0.8),
    }),
    measuredClaim({
      id: "compute-exponent",
      statement: `Training compute grows as C ∝ N^(1/a); the paper's C ~ N² is 1/a = 2 (${NO_SEEDS})`,
      paper: PAPER_C,
      quantity: "1/a",
      refutedBy: "an exponent 1/a far from 2",
      estimate: one(1 / a),
      target: within(1.5, 2.5),
    }),
    measuredClaim({
      id: "gamma",
      statement: `Head to head, P_A/(P_A+P_B) = N_A^γ/(N_A^γ+N_B^γ); the paper's form is γ = 1 (${NO_SEEDS}; the bootstrap interval over items is in the metrics)`,
      paper: "Gros 2025, §5: P_A/(P_A+P_B) ~ N_A/(N_A+N_B) (Neumann & Gros)",
      quantity: "fitted exponent γ of head-to-head win shares",
      refutedBy: "γ clearly different from 1",
      estimate: one(metricValue(metrics["gammaHeadToHead"])),
      target: within(0.5, 1.5),
    }),
    measuredClaim({
      id: "crossover-measured",
      statement:
        "Adjacent size pairs whose loss curves cross within the sweep (the doubled brain's crossover is read from them)",
      paper: null,
      quantity: "number of adjacent pairs that cross (time ∝ compute)",
      refutedBy: "no pair crossing: the crossover could not be measured",
      estimate: one(measuredPairs),
      target: atLeast(1),
    }),
    measuredClaim({
      id: "behind-most-of-the-time",
      statement: `Trained compute-optimally, the doubled brain is behind the smaller one for most (≥ ½) of its training time (time ∝ compute; mean over the pairs that cross; ${NO_SEEDS})`,
      paper: PAPER_BRAIN,
      quantity: "fraction of the doubled model's training during which it is behind (time ∝ compute)",
      refutedBy: "a fraction clearly below ½",
      estimate: one(metricValue(metrics["doubledBrainCrossoverFraction"])),
      target: atLeast(0.5),
    }),
    measuredClaim({
      id: "behind-most-of-the-time-data",
      statement: `The same with time ∝ experience (tokens seen) instead of compute (${NO_SEEDS})`,
      paper: PAPER_BRAIN,
      quantity: "fraction of the doubled model's training tokens during which it is behind",
      refutedBy: "a fraction clearly below ½",
      estimate: one(metricValue(metrics["doubledBrainCrossoverFractionData"])),
      target: atLeast(0.5),
    }),
  ];
}

/** Where scripts/sweep-t4.ts caches the full sweep, relative to the repository root. */
export const T4_CACHE_DIR = path.join("data", "results", "t4-scaling");

/**
 * Load the cached full sweep (data/results/t4-scaling/results.json). Looks relative to the
 * repository (resolved from this file), then the working folder and its parent (notebooks/).
 * Its claims are re-derived from its metrics and data with the current {@link t4Claims}.
 * @throws with the command that creates the cache when it is missing.
 */
export function loadCachedT4(file?: string): T4Record {
  const candidates = file
    ? [file]
    : [path.join(repoRoot(), T4_CACHE_DIR, "results.json"), path.resolve(process.cwd(), T4_CACHE_DIR, "results.json")];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found)
    throw new Error(
      `t4-scaling: no cached full sweep at ${candidates.join(" or ")}; create it with \`npx tsx scripts/sweep-t4.ts\` (about 30-40 min)`,
    );
  const record = loadResults<T4Config, T4Data, T4Metric>(found);
  // The claims are a pure function of the metrics and data: derive them with the current code, so a cache
  // written before the current claim shape still reads with verdicts (nothing is refitted).
  return { ...record, claims: t4Claims(record.metrics, record.data, record.profile) };
}
