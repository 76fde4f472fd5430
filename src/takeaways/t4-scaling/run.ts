/**
 * The t4 sweep: every model size trained for every token budget (resumable at `full`), the head-to-head
 * scores of the best model per size, the analyses and the claims; and the cached full sweep.
 */
import * as fs from "fs";
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
  within,
} from "../../claims";
import { throwIfCancelled } from "../../cancel";
import type { Profile } from "../../config";
import { ZipfLanguage } from "../../data/zipf-language";
import { logSpace } from "../../fit";
import { continuationLogLikelihood } from "../../generate";
import { deriveSeed, Rng } from "../../rng";
import type { ExperimentContext, ExperimentOutput } from "../../run/experiment";
import { shippedResultsFile } from "../../run/paths";
import { loadResults } from "../../run/results";
import { type Metric, metricValue } from "../../stats";
import { evaluateLoss, trainModel } from "../../train";
import { createGPT } from "../../transformer";
import { analyseLrSweep, analyseMeanSweep, analyseReplicate, summariseSeeds } from "./analysis";
import {
  type T4Checkpoint,
  type T4Config,
  type T4Data,
  type T4LrRule,
  type T4LrSweep,
  type T4Metric,
  type T4ModelSize,
  type T4Record,
  type T4Run,
  type T4SeedAnalysis,
  t4GptConfig,
  t4LearningRate,
  t4Params,
  t4RuleLearningRate,
  validateT4Config,
} from "./config";

/** Steps (log-spaced, unique, ending at numSteps) at which a run is evaluated. */
export function checkpointSteps(numSteps: number, count: number): number[] {
  const first = Math.max(1, Math.round(numSteps / 32));
  const steps = new Set<number>(logSpace(first, numSteps, Math.max(1, count)).map((s) => Math.round(s)));
  steps.add(numSteps);
  return [...steps].filter((s) => s >= 1 && s <= numSteps).sort((a, b) => a - b);
}

/** One training run of the sweep's plan: a replication of one (size, token budget) cell. */
export interface T4Unit {
  readonly replicate: number;
  readonly size: T4ModelSize;
  /** Planned tokens (rounded to whole steps when trained). */
  readonly tokens: number;
  /** A unique, file-name-safe key: `r<replicate>-L<layers>-d<width>-h<heads>-D<tokens>`. */
  readonly key: string;
  /** Whether this run plays the head-to-head contest (the largest token budget of its size). */
  readonly plays: boolean;
  /** Learning-rate sweep runs only: the multiplier of the prior rule's learning rate and the warm-up fraction. */
  readonly lrMultiplier?: number;
  readonly warmupFraction?: number;
}

/** The key of a run (also its file name in a sharded sweep, with `.json`). */
export function t4UnitKey(replicate: number, size: T4ModelSize, tokens: number): string {
  return `r${replicate}-L${size.nLayer}-d${size.dModel}-h${size.nHead}-D${tokens}`;
}

/** Every run of the sweep: replications × sizes × token budgets, in a fixed order. */
export function planT4(config: Pick<T4Config, "sizes" | "tokens" | "seedsPerCell">): T4Unit[] {
  const maxTokens = Math.max(...config.tokens);
  const units: T4Unit[] = [];
  for (let replicate = 0; replicate < config.seedsPerCell; replicate++)
    for (const size of config.sizes)
      for (const tokens of config.tokens)
        units.push({ replicate, size, tokens, key: t4UnitKey(replicate, size, tokens), plays: tokens === maxTokens });
  return units;
}

/**
 * The learning-rate sweep's runs (a stage before the grid): replications × sweep sizes × (every multiplier
 * at the first warm-up fraction, and multiplier 1 at each other warm-up fraction), one token budget.
 * Keys start with `lr-`.
 */
export function planT4Lr(config: Pick<T4Config, "lrSweep">): T4Unit[] {
  const L = config.lrSweep;
  const w0 = L.warmupFractions[0] as number;
  const units: T4Unit[] = [];
  const cells: Array<[number, number]> = [
    ...L.multipliers.map((m): [number, number] => [m, w0]),
    ...L.warmupFractions.slice(1).map((w): [number, number] => [1, w]),
  ];
  for (let replicate = 0; replicate < L.seeds; replicate++)
    for (const size of L.sizes)
      for (const [m, w] of cells)
        units.push({
          replicate,
          size,
          tokens: L.tokens,
          key: `lr-${t4UnitKey(replicate, size, L.tokens)}-m${m}-w${w}`,
          plays: false,
          lrMultiplier: m,
          warmupFraction: w,
        });
  return units;
}

/** The optimiser steps a run of `tokens` planned tokens trains (whole batches, at least one). */
export function t4RunSteps(tokens: number, config: Pick<T4Config, "batchSize" | "seqLen">): number {
  return Math.max(1, Math.round(tokens / (config.batchSize * config.seqLen)));
}

/** A stable cost estimate of a run (steps × (N + attention) + a per-step overhead), for balancing shards. */
export function t4UnitCost(u: Pick<T4Unit, "size" | "tokens">, config: Pick<T4Config, "batchSize" | "seqLen">): number {
  const steps = t4RunSteps(u.tokens, config);
  const d = u.size.dModel;
  return steps * (12 * d * d * u.size.nLayer + 2e4);
}

/** The learning-rate sweep's estimated compute as a fraction of the grid's ({@link t4UnitCost}). */
export function lrSweepCostShare(config: T4Config): number {
  const cost = (us: T4Unit[]): number => us.reduce((s, u) => s + t4UnitCost(u, config), 0);
  return cost(planT4Lr(config)) / cost(planT4(config));
}

/** What every run of one sweep shares: the language, its sampler, the held-out set and the contest's items. */
export interface T4Shared {
  readonly lang: ZipfLanguage;
  readonly sampler: ReturnType<ZipfLanguage["batchSampler"]>;
  readonly evalSeed: number;
  /** The learning-rate sweep's validation set: neither the training stream nor the grid's held-out set. */
  readonly lrEvalSeed: number;
  readonly items: ReturnType<ZipfLanguage["continuationItems"]>;
}

/** The shared parts of a sweep from its config and base seed (the same language for every replication). */
export function t4Shared(config: T4Config, baseSeed: number): T4Shared {
  const lang = new ZipfLanguage(config.language, deriveSeed(baseSeed, "t4", "language"));
  return {
    lang,
    sampler: lang.batchSampler(config.seqLen),
    evalSeed: deriveSeed(baseSeed, "t4", "eval"),
    lrEvalSeed: deriveSeed(baseSeed, "t4", "lr-eval"),
    items: lang.continuationItems(
      new Rng(deriveSeed(baseSeed, "t4", "items")),
      config.headToHeadItems,
      config.contextLen,
    ),
  };
}

/** Options of {@link trainT4Run}. */
export interface T4RunOptions {
  readonly shard?: number;
  readonly signal?: AbortSignal;
  readonly progress?: ExperimentContext["progress"];
  readonly label?: string;
  /**
   * The learning-rate rule of a grid run (fitted by the learning-rate sweep). Without it a grid run uses the
   * prior rule ({@link t4LearningRate}) and config.warmupFraction (unit tests only).
   */
  readonly rule?: T4LrRule;
}

/**
 * Train one run of the plan (callable on its own: one condition, one seed): held-out loss at log-spaced
 * checkpoints with both compute counts, and, for a run that plays, the log-likelihood of every contest item.
 * A learning-rate sweep unit (`lrMultiplier` set) trains at the prior rule's rate times its multiplier with
 * its own warm-up, and is evaluated once, at its end, on the sweep's validation set.
 */
export async function trainT4Run(
  unit: T4Unit,
  config: T4Config,
  baseSeed: number,
  shared: T4Shared,
  opts: T4RunOptions = {},
): Promise<T4Run> {
  const { size, tokens, replicate } = unit;
  const tokensPerStep = config.batchSize * config.seqLen;
  const gcfg = t4GptConfig(size, config);
  const n = t4Params(size, config);
  const attn = size.nLayer * config.seqLen * size.dModel;
  const steps = t4RunSteps(tokens, config);
  const sweep = unit.lrMultiplier !== undefined;
  const lr = sweep
    ? t4LearningRate(n, config) * (unit.lrMultiplier as number)
    : opts.rule
      ? t4RuleLearningRate(n, opts.rule)
      : t4LearningRate(n, config);
  const warmupFraction = sweep
    ? (unit.warmupFraction ?? config.warmupFraction)
    : (opts.rule?.warmupFraction ?? config.warmupFraction);
  // Sweep runs of one (replicate, size) share their initialisation and data order across learning rates
  // (common random numbers: the comparison between learning rates is paired), apart from the grid's runs.
  const seed = deriveSeed(
    baseSeed,
    "t4",
    sweep ? "lr-run" : "run",
    replicate,
    size.dModel,
    size.nLayer,
    size.nHead,
    tokens,
  );
  const evalAt = new Set(sweep ? [steps] : checkpointSteps(steps, config.checkpoints));
  const evalSeed = sweep ? shared.lrEvalSeed : shared.evalSeed;
  const model = createGPT(gcfg, deriveSeed(seed, "init"));
  const curve: T4Checkpoint[] = [];
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  try {
    await trainModel(
      model,
      shared.sampler,
      {
        numSteps: steps,
        batchSize: config.batchSize,
        lr,
        minLr: lr * config.minLrFraction,
        warmupSteps: Math.max(1, Math.min(100, Math.round(steps * warmupFraction))),
        weightDecay: config.weightDecay,
        evalEvery: 0,
        gradClip: 1,
      },
      {
        seed,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.progress
          ? {
              progress: {
                update: (e) =>
                  opts.progress?.update({
                    label: opts.label ?? `t4 ${unit.key}`,
                    step: e.step,
                    total: e.total,
                    info: { ...(e.info ?? {}) },
                  }),
              },
            }
          : {}),
        onStep: async (rec) => {
          if (!evalAt.has(rec.step)) return;
          const loss = await evaluateLoss(model, shared.sampler, 64, config.evalBatches, evalSeed);
          curve.push({
            step: rec.step,
            tokens: rec.tokens,
            flops: 6 * n * rec.tokens,
            flopsAttn: 6 * (n + attn) * rec.tokens,
            loss,
          });
        },
      },
    );
    const scores = unit.plays
      ? await continuationLogLikelihood(
          model,
          shared.items.map((it) => it.prefix),
          shared.items.map((it) => it.continuation),
        )
      : undefined;
    const cpu = process.cpuUsage(c0);
    return {
      ...size,
      n,
      tokens: steps * tokensPerStep,
      steps,
      lr,
      ...(sweep ? { lrMultiplier: unit.lrMultiplier as number, warmupFraction } : {}),
      seed,
      replicate,
      shard: opts.shard ?? 0,
      finalLoss: (curve[curve.length - 1] as T4Checkpoint).loss,
      curve,
      wallMs: Date.now() - t0,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      ...(scores ? { scores } : {}),
    };
  } finally {
    model.dispose();
  }
}

/**
 * The t4 sweep in one process (smoke, quick; full runs sharded by scripts/sweep-t4.ts): the learning-rate
 * sweep first, its fitted rule for the grid, then the analyses.
 */
export async function runT4(config: T4Config, ctx: ExperimentContext): Promise<ExperimentOutput<T4Data, T4Metric>> {
  validateT4Config(config);
  const shared = t4Shared(config, ctx.seed);
  const train = async (units: T4Unit[], stage: string, rule?: T4LrRule): Promise<T4Run[]> => {
    const runs: T4Run[] = [];
    for (const [i, unit] of units.entries()) {
      throwIfCancelled(ctx.signal, "t4-scaling");
      const r = await trainT4Run(unit, config, ctx.seed, shared, {
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(rule ? { rule } : {}),
        progress: ctx.progress,
        label: `t4 ${stage} run ${i + 1}/${units.length}: ${unit.key}`,
      });
      ctx.log(
        `t4: ${unit.key} N=${r.n} lr=${r.lr.toPrecision(3)} loss=${r.finalLoss.toFixed(4)} (${(r.wallMs / 1000).toFixed(1)} s)`,
      );
      runs.push(r);
    }
    return runs;
  };
  const lrSweep = analyseLrSweep(await train(planT4Lr(config), "lr sweep"), config, lrSweepCostShare(config));
  ctx.log(
    `t4: learning-rate rule lr = ${lrSweep.rule.lrRef.toPrecision(3)}·(N/${lrSweep.rule.refParams})^${lrSweep.rule.exponent.toFixed(3)}, warm-up ${lrSweep.rule.warmupFraction}`,
  );
  const runs = await train(planT4(config), "grid", lrSweep.rule);
  ctx.progress.done?.("t4 sweep");
  return assembleT4(runs, config, ctx.seed, ctx.profile, lrSweep);
}

/** Average each (size, tokens) cell over its replications (the figures of the first edition draw these). */
export function meanOverReplicates(runs: ReadonlyArray<T4Run>): T4Run[] {
  const cells = new Map<string, T4Run[]>();
  for (const r of runs) {
    const k = `${r.nLayer}:${r.dModel}:${r.nHead}:${r.tokens}`;
    cells.set(k, [...(cells.get(k) ?? []), r]);
  }
  const avg = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  return [...cells.values()]
    .map((rs) => {
      const r0 = rs[0] as T4Run;
      const scores = rs.every((r) => r.scores)
        ? (r0.scores as number[]).map((_, k) => avg(rs.map((r) => (r.scores as number[])[k] as number)))
        : undefined;
      return {
        ...r0,
        seed: -1,
        replicate: -1,
        finalLoss: avg(rs.map((r) => r.finalLoss)),
        wallMs: avg(rs.map((r) => r.wallMs)),
        cpuMs: avg(rs.map((r) => r.cpuMs)),
        curve: r0.curve.map((p, i) => ({ ...p, loss: avg(rs.map((r) => (r.curve[i] as T4Checkpoint).loss)) })),
        ...(scores ? { scores } : {}),
      };
    })
    .sort((a, b) => a.n - b.n || a.tokens - b.tokens);
}

/**
 * From the finished runs of a sweep (in any order, from any shards) to the experiment's output: one
 * analysis per replication, intervals over them, the seed-mean sweep for the figures, the claims, the CSVs.
 */
export function assembleT4(
  runsIn: ReadonlyArray<T4Run>,
  config: T4Config,
  baseSeed: number,
  profile: Profile,
  lrSweep?: T4LrSweep,
): ExperimentOutput<T4Data, T4Metric> {
  const runs = [...runsIn].sort((a, b) => a.replicate - b.replicate || a.n - b.n || a.tokens - b.tokens);
  const lang = new ZipfLanguage(config.language, deriveSeed(baseSeed, "t4", "language"));
  const entropyRate = lang.entropyRate();
  const reps = [...new Set(runs.map((r) => r.replicate))].sort((a, b) => a - b);
  const seeds = reps.map((rep) =>
    analyseReplicate(
      runs.filter((r) => r.replicate === rep),
      config,
      entropyRate,
      rep,
      baseSeed,
    ),
  );
  const meanRuns = meanOverReplicates(runs);
  const ns = [...new Set(runs.map((r) => r.n))].sort((a, b) => a - b);
  const sizeOf = (n: number): T4Run[] => meanRuns.filter((r) => r.n === n);
  const playerScores = ns.map((n) => {
    const rs = sizeOf(n).filter((r) => r.scores);
    return (rs.length > 0 ? rs[rs.length - 1]?.scores : undefined) ?? [];
  });
  const mean = analyseMeanSweep(meanRuns, playerScores, config, lang, deriveSeed(baseSeed, "t4", "bootstrap"));
  const depths = [...new Set(runs.map((r) => r.nLayer))].sort((a, b) => a - b);
  const d1 = ns.filter((n) => runs.some((r) => r.n === n && r.nLayer === 1));
  const decadesN = Math.log10(Math.max(...ns) / Math.min(...ns));
  const metrics = summariseSeeds(seeds, {
    decadesN,
    seedsPerCell: reps.length,
    depths: depths.length,
    entropyRate,
    lrExponent: lrSweep
      ? {
          mean: lrSweep.rule.exponent,
          lo: lrSweep.rule.exponentLo,
          hi: lrSweep.rule.exponentHi,
          n: lrSweep.perSize.filter((p) => !p.flat).length,
        }
      : NaN,
  });
  void d1;
  const data: T4Data = { ...mean.data, ...(lrSweep ? { lrSweep } : {}), seeds, depths, runs, meanRuns };
  const claims = t4Claims(metrics, data, profile);
  const rows = runs.flatMap((r) =>
    r.curve.map((p) => ({
      n_params: r.n,
      tokens: p.tokens,
      flops: p.flops,
      flops_attn: p.flopsAttn,
      loss: p.loss,
      seed: r.seed,
      replicate: r.replicate,
      depth: r.nLayer,
      d_model: r.dModel,
      run_tokens: r.tokens,
      final: p.step === r.steps ? 1 : 0,
      shard: r.shard,
    })),
  );
  const detail = runs.map((r) => ({
    key: t4UnitKey(r.replicate, r, r.tokens),
    replicate: r.replicate,
    seed: r.seed,
    shard: r.shard,
    depth: r.nLayer,
    d_model: r.dModel,
    n_head: r.nHead,
    n_params: r.n,
    n_attn: r.nLayer * config.seqLen * r.dModel,
    run_tokens: r.tokens,
    steps: r.steps,
    lr: r.lr,
    final_loss: r.finalLoss,
    wall_ms: r.wallMs,
    cpu_ms: r.cpuMs,
  }));
  return {
    seeds: runs.map((r) => r.seed),
    metrics,
    claims,
    data,
    csv: {
      "runs.csv": {
        rows,
        columns: [
          "n_params",
          "tokens",
          "flops",
          "flops_attn",
          "loss",
          "seed",
          "replicate",
          "depth",
          "d_model",
          "run_tokens",
          "final",
          "shard",
        ],
      },
      "runs-detail.csv": {
        rows: detail,
        columns: Object.keys(detail[0] ?? { key: "" }),
      },
      ...(lrSweep ? { "lr-sweep.csv": lrSweepCsv(lrSweep) } : {}),
    },
  };
}

/** The learning-rate sweep as a CSV: one row per run, with the size's chosen learning rate beside it. */
export function lrSweepCsv(sweep: T4LrSweep): { rows: Array<Record<string, number | string>>; columns: string[] } {
  const rows = sweep.runs.map((r) => {
    const s = sweep.perSize.find((p) => p.n === r.n && p.nLayer === r.nLayer);
    return {
      key: `lr-${t4UnitKey(r.replicate, r, r.tokens)}-m${r.lrMultiplier ?? 1}-w${r.warmupFraction ?? ""}`,
      replicate: r.replicate,
      seed: r.seed,
      shard: r.shard,
      depth: r.nLayer,
      d_model: r.dModel,
      n_params: r.n,
      run_tokens: r.tokens,
      steps: r.steps,
      lr_multiplier: r.lrMultiplier ?? NaN,
      warmup_fraction: r.warmupFraction ?? NaN,
      lr: r.lr,
      val_loss: r.finalLoss,
      lr_opt_of_size: s?.lrOpt ?? NaN,
      lr_opt_at_edge: s?.atEdge ? 1 : 0,
      size_flat: s?.flat ? 1 : 0,
      rule_lr: t4RuleLearningRate(r.n, sweep.rule),
      cpu_ms: r.cpuMs,
      wall_ms: r.wallMs,
    };
  });
  return { rows, columns: Object.keys(rows[0] ?? { key: "" }) };
}

/**
 * Redo every analysis of a saved t4 record with the current code (the runs' curves and contest scores are
 * in its data; nothing is retrained). Returns a new record.
 */
export function reanalyseT4(record: T4Record): T4Record {
  const out = assembleT4(record.data.runs, record.config, record.baseSeed, record.profile, record.data.lrSweep);
  return { ...record, metrics: out.metrics, claims: [...out.claims], data: out.data };
}

/** The claims: per-seed values (one per replication), intervals over seeds, a control beside each asserted one. */
export function t4Claims(metrics: Readonly<Record<T4Metric, Metric>>, data: T4Data, _profile: Profile): Claim[] {
  const S = data.seeds;
  const est = (f: (s: T4SeedAnalysis) => number, bounds?: readonly [number, number]): SeedEstimate =>
    overSeeds(S.map(f), bounds ? { bounds } : {});
  // A finite upper bound: JSON has no Infinity (it would read back as null, and pooling over base seeds clips to it).
  const POS = [0, 1e12] as const;
  const PAPER_C = "Gros 2025, §5 (paraphrase): training compute grows as C ~ N² (compute-optimal N_opt ∝ C^½)";
  const PAPER_BRAIN =
    "Gros 2025, §5 (paraphrase): a brain twice as large would need four times as long to train (60 years instead of 15) and would underperform for most of that time";
  const kaplanCtl = (f: (s: T4SeedAnalysis) => number, what: string, bounds?: readonly [number, number]) => ({
    id: "kaplanWorld",
    description: `the same IsoFLOP code on a synthetic Kaplan world (a = 0.73) evaluated at this sweep's own (N, D) checkpoints: ${what}`,
    estimate: est(f, bounds),
    expect: "absent" as const,
  });
  const H = metricValue(metrics["entropyRate"]);
  return [
    measuredClaim({
      id: "decades-N",
      statement: `The ladder spans ${metricValue(metrics["decadesN"]).toFixed(2)} decades of N at ${data.depths.length} depths, ${S.length} seeds per (N, D) cell (a design choice, reported)`,
      paper: null,
      quantity: "log10(N_max / N_min)",
      refutedBy: "nothing: set by the sweep's sizes",
      estimate: singleRun(metricValue(metrics["decadesN"])),
      target: atLeast(3),
    }),
    measuredClaim({
      id: "alpha-N",
      statement: "Loss falls as a power law of size: the exponent α of L(N) = E + A/N^α on the best loss per size",
      paper: "Gros 2025, §5 (paraphrase): loss falls as a power law of model size (Kaplan et al. 2020)",
      quantity: "α_N, per seed",
      refutedBy: "α_N indistinguishable from 0",
      estimate: est((s) => s.alphaN),
      target: above(0),
    }),
    assertedClaim({
      id: "compute-optimal-a",
      statement:
        "Compute-optimal size grows as N_opt ∝ C^a with a ≈ ½ (C ~ N²): IsoFLOP profiles (Hoffmann et al. approach 2), compute counted with the attention term",
      paper: PAPER_C,
      quantity: "a from the IsoFLOP minima, C = 6·N·D + 6·n_layer·n_ctx·d_model·D",
      refutedBy: "an interval for a wholly outside [0.4, 0.6] (e.g. Kaplan's 0.73)",
      estimate: est((s) => s.computeOptimalA_isoflop_withAttention),
      target: within(0.4, 0.6),
      control: kaplanCtl((s) => s.computeOptimalA_kaplanControl, "its a"),
    }),
    measuredClaim({
      id: "compute-optimal-a-6ND",
      statement: "The same exponent a from IsoFLOP profiles with compute counted as 6·N·D (attention left out)",
      paper: PAPER_C,
      quantity: "a from the IsoFLOP minima, C = 6ND",
      refutedBy: "—",
      estimate: est((s) => s.computeOptimalA_isoflop_6ND),
      target: within(0.4, 0.6),
    }),
    measuredClaim({
      id: "compute-optimal-a-parametric",
      statement:
        "The exponent a from the parametric fit L(N, D) = E + A/N^α + B/D^β (approach 3), attention-inclusive count",
      paper: PAPER_C,
      quantity: "a minimising the fitted L at fixed C = 6·D·(N + n_layer·n_ctx·d_model)",
      refutedBy: "—",
      estimate: est((s) => s.computeOptimalA_parametric_withAttention),
      target: within(0.4, 0.6),
    }),
    measuredClaim({
      id: "fit-E-vs-entropy",
      statement: `The parametric fit's irreducible loss E (free) against the language's known entropy rate ${H.toFixed(3)} nats/token`,
      paper: null,
      quantity: "fitted E (free), per seed",
      refutedBy: "an interval wholly outside entropy rate ± 0.05",
      estimate: est((s) => s.fitE_free),
      target: within(H - 0.05, H + 0.05),
    }),
    assertedClaim({
      id: "extrapolation",
      statement:
        "A scaling law fitted on the smaller sizes predicts the held-out largest size's final losses within 3% (fixed before the run)",
      paper:
        "Gros 2025, §5 (paraphrase): loss follows scaling laws in model size and data (Kaplan et al. 2020; Hoffmann et al. 2022)",
      quantity: "mean |predicted − measured| / measured final loss of the largest N, fit on the others",
      refutedBy: "a relative error interval wholly above 3%",
      estimate: est((s) => s.extrapolation.relError, POS),
      target: atMost(0.03),
      control: {
        id: "persistence",
        description: "predicting the largest size's losses by the next smaller size's (no scaling law)",
        estimate: est((s) => s.extrapolation.relErrorPersistence, POS),
        expect: "absent",
      },
    }),
    measuredClaim({
      id: "next-size-budget",
      statement: `The compute-optimal training tokens of the largest size (N = ${S[0]?.nextSize.n ?? NaN}), predicted from the IsoFLOP fit on the smaller sizes before it is trained, against the IsoFLOP fit on every size (${S.filter((s) => s.nextSize.inGrid).length} of ${S.length} seeds have that optimum inside the largest size's runs; the others compare two extrapolations); value = log10(predicted / fitted on every size), 0 = the same budget`,
      paper:
        "Gros 2025, §5 (paraphrase): compute-optimal training follows scaling laws (Hoffmann et al. 2022), so the budget of a larger model can be planned from smaller ones",
      quantity: "log10(predicted / measured compute-optimal tokens), per seed",
      refutedBy: "—",
      estimate: est((s) => s.nextSize.log10Ratio),
    }),
    measuredClaim({
      id: "lr-rule",
      statement: `The learning-rate sweep's rule lr_opt ∝ N^b over ${data.lrSweep?.perSize.filter((p) => !p.flat).length ?? 0} sizes that learn (chosen by validation loss; the grid trains with it)`,
      paper: null,
      quantity: "b, least squares of ln lr_opt on ln N (t-interval over the sweep's sizes, not seeds)",
      refutedBy: "—",
      estimate: singleRun(data.lrSweep?.rule.exponent ?? NaN),
    }),
    assertedClaim({
      id: "gamma",
      statement:
        "Head to head in a guessing game with chance, P(A beats B) = N_A^γ/(N_A^γ + N_B^γ) with γ ≈ 1 (band [0.8, 1.25])",
      paper: "Gros 2025, §5: P_A/(P_A+P_B) ~ N_A/(N_A+N_B) (Neumann & Gros)",
      quantity: "fitted γ of the games' win counts, per seed",
      refutedBy: "a γ interval wholly outside [0.8, 1.25]",
      estimate: est((s) => s.gammaGame),
      target: within(0.8, 1.25),
      control: {
        id: "identicalPlayers",
        description: "the same games with every player replaced by one model (only chance decides; γ ≈ 0)",
        estimate: est((s) => s.gammaIdentical),
        expect: "absent",
      },
    }),
    assertedClaim({
      id: "four-times-compute",
      statement: "Time ∝ compute: the doubled brain needs 2^(1/a) ≈ 4× as long to train (band [3.2, 5])",
      paper: PAPER_BRAIN,
      quantity: "2^(1/a), a from the attention-inclusive IsoFLOP profiles",
      refutedBy: "an interval wholly outside [3.2, 5]",
      estimate: est((s) => s.trainTimeRatio, POS),
      target: within(3.2, 5),
      control: kaplanCtl((s) => s.trainTimeRatio_kaplanControl, "its 2^(1/a)", POS),
    }),
    assertedClaim({
      id: "four-times-data",
      statement: "Time ∝ experience (tokens): the doubled brain needs 2^(1/a − 1) ≈ 4× as long (band [3.2, 5])",
      paper: PAPER_BRAIN,
      quantity: "2^(1/a − 1), a from the attention-inclusive IsoFLOP profiles",
      refutedBy: "an interval wholly outside [3.2, 5]",
      estimate: est((s) => s.dataTimeRatio, POS),
      target: within(3.2, 5),
      control: kaplanCtl((s) => s.dataTimeRatio_kaplanControl, "its 2^(1/a − 1)", POS),
    }),
    measuredClaim({
      id: "behind-most-compute",
      statement:
        "Time ∝ compute: the fraction of the doubled model's compute-optimal training during which it is behind (mean over adjacent pairs that cross; no negative control within this sweep, so reported)",
      paper: PAPER_BRAIN,
      quantity: "crossover compute / compute-optimal compute of the larger model",
      refutedBy: "an interval wholly below ½",
      estimate: est((s) => s.crossoverFraction, POS),
      target: atLeast(0.5),
    }),
    measuredClaim({
      id: "behind-most-data",
      statement: "The same with time ∝ experience (tokens seen)",
      paper: PAPER_BRAIN,
      quantity: "crossover tokens / compute-optimal tokens of the larger model",
      refutedBy: "an interval wholly below ½",
      estimate: est((s) => s.crossoverFractionData, POS),
      target: atLeast(0.5),
    }),
    measuredClaim({
      id: "crossover-trend-compute",
      statement: "How the behind-fraction (time ∝ compute) changes with size: slope per decade of N",
      paper: null,
      quantity: "slope of the pair fraction on log10 N, per seed",
      refutedBy: "—",
      estimate: est((s) => s.crossoverSlope_compute),
    }),
    measuredClaim({
      id: "crossover-trend-data",
      statement: "The same trend with time ∝ experience",
      paper: null,
      quantity: "slope of the pair fraction (tokens) on log10 N, per seed",
      refutedBy: "—",
      estimate: est((s) => s.crossoverSlope_data),
    }),
  ];
}

/** The id under data/results/ of the full sweep scripts/sweep-t4.ts caches (`-gpu` for the GPU ladder). */
export const T4_CACHE_ID = "t4-scaling";

/**
 * Load the cached full sweep (data/results/t4-scaling/results.json). Looks relative to the
 * repository (resolved from this file), then the working folder (a bundle run from the repository).
 * Its claims are re-derived from its metrics and data with the current {@link t4Claims}.
 * @throws with the command that creates the cache when it is missing.
 */
export function loadCachedT4(file?: string): T4Record {
  const candidates = file ? [file] : [shippedResultsFile(T4_CACHE_ID), shippedResultsFile(T4_CACHE_ID, process.cwd())];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found)
    throw new Error(
      `t4-scaling: no cached full sweep at ${candidates.join(" or ")}; create it with \`npx tsx scripts/sweep-t4.ts\` (about 30-40 min)`,
    );
  const record = loadResults<T4Config, T4Data, T4Metric>(found);
  // A cache of the first edition (one seed per cell) has no per-seed analyses: it cannot be read as this one.
  if (!Array.isArray((record.data as Partial<T4Data>).seeds))
    throw new Error(
      `t4-scaling: the cached sweep at ${found} is the first edition's (one seed per (N, D), no per-seed analyses); ` +
        `rerun the second edition with \`npx tsx scripts/sweep-t4.ts --shard i/n\` for each shard, then \`--merge\``,
    );
  // The claims are a pure function of the metrics and data: derive them with the current code.
  return { ...record, claims: t4Claims(record.metrics, record.data, record.profile) };
}
