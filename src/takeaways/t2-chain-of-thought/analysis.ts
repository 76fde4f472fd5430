/**
 * Takeaway 2's pieces, each callable on its own (one condition, one seed): the model of a format, batched
 * generation (greedy or sampled), the test set, training one chain level or one direct depth, the
 * information of sampled chains, and one outcome-only (STaR) run.
 */
import { throwIfCancelled } from "../../cancel";
import {
  CHAIN_LEVELS,
  classifySwapChain,
  encodeSwapPrompt,
  encodeSwapRow,
  maxSwapCompletionLength,
  parseSwapCompletion,
  renderSwapExample,
  sampleSwapExample,
  sampleSwapProblem,
  sampleSwapSurface,
  swapSurfaceOf,
  SWAP_TRAIN_SURFACE,
  SWAP_UNSEEN_FILLER_SURFACE,
  SWAP_HEADER_FILLER_SURFACE,
  SWAP_HEADER_SEP_SURFACE,
  SWAP_UNSEEN_FRAME_SURFACE,
  SWAP_UNSEEN_HEADER_SURFACE,
  SWAP_UNSEEN_SEP_SURFACE,
  SWAP_UNSEEN_SURFACE,
  type SwapSurfaceSpec,
  type SwapTaskOptions,
  type Departure,
  firstDeparture,
  type SwapExample,
  type SwapFormat,
  type SwapProblem,
  type SwapSurface,
  swapsAlphabet,
  swapsSampler,
} from "../../data/swaps";
import { generate } from "../../generate";
import { silentProgress } from "../../present/progress";
import {
  type CodedXZY,
  codedProfile,
  codeSamples,
  type CurvePoint,
  doublingSizes,
  entropyFromCounts,
  entropyOfCodes,
  type EntropyOptions,
  estimateCurve,
  type XZYSample,
} from "../../info";
import { deriveSeed, Rng } from "../../rng";
import { spearman, std } from "../../stats";
import type { ExperimentContext } from "../../run/experiment";
import { CharTokenizer } from "../../tokenizer";
import { type BatchSampler, trainModel } from "../../train";
import { createGPT, GPT } from "../../transformer";
import {
  type FormatCurves,
  formatSeqLen,
  type Generated,
  iXZnormOf,
  kGridOf,
  type MiRow,
  type SeedInfo,
  type T2Config,
  type T2DirectRun,
  type T2LevelRun,
  type T2StarRun,
  t2Formats,
  t2Surface,
} from "./config";

/** The tokenizer of the task (every character of every surface form, seen or unseen). */
export function t2Tokenizer(c: T2Config): CharTokenizer {
  return CharTokenizer.fromAlphabet(swapsAlphabet(c.numCups, { endMark: c.endMark }));
}

/** The training task of the given formats: the config's swaps and cups, the training wordings (end-marked with `endMark`). */
export function t2Task(c: T2Config, formats: ReadonlyArray<SwapFormat>): SwapTaskOptions {
  return {
    formats,
    kMin: c.kMin,
    kMax: c.kMax,
    kGrid: kGridOf(c),
    numCups: c.numCups,
    surface: t2Surface(c, SWAP_TRAIN_SURFACE),
  };
}

/** The model of one format and seed: the config's width; `nLayer` overrides the depth (direct baselines). */
export function createT2Model(c: T2Config, vocabSize: number, seed: number, nLayer = c.model.nLayer): GPT {
  const longest = Math.max(...(["direct", ...t2Formats(c)] as const).map((f) => formatSeqLen(c, f)));
  // Random positions draw each row's positions from a table longer than any row (Ruoss et al. 2023).
  const seqLen = c.positions === "random" ? c.positionRange * longest : longest;
  return createGPT({ vocabSize, seqLen, ...c.model, nLayer, tieWeights: false, positions: c.positions }, seed);
}

/** Completions of many examples (greedy at temperature 0, else sampled with `rng`). */
export async function completeAll(
  model: GPT,
  tok: CharTokenizer,
  examples: ReadonlyArray<SwapExample>,
  c: T2Config,
  maxFormat: SwapFormat,
  sampling?: { temperature: number; rng: Rng },
): Promise<Generated[]> {
  if (examples.length === 0) return [];
  const prompts = examples.map((e) => encodeSwapPrompt(tok, e.input));
  const outs = await generate(model, prompts, {
    maxNewTokens: maxSwapCompletionLength(maxFormat, kGridOf(c)) + 1,
    temperature: sampling?.temperature ?? 0,
    ...(sampling ? { rng: sampling.rng } : {}),
    stopToken: tok.eosId,
    batchSize: 512,
  });
  return outs.map((ids, i) => {
    const e = examples[i] as SwapExample;
    const output = tok.decode(ids);
    return {
      input: e.input,
      output,
      target: e.completion,
      correct: parseSwapCompletion(output).answer === e.problem.answer,
    };
  });
}

/** A test item: a problem in a surface form and its group (`k3`, `unseen`). */
export interface TestProblem {
  readonly group: string;
  readonly problem: SwapProblem;
  readonly form: SwapSurface;
}

/** The fixed test set of a seed (the same problems for every format and depth). */
export function testProblems(c: T2Config, seed: number): TestProblem[] {
  const rng = new Rng(deriveSeed(seed, "t2", "test"));
  const train = t2Surface(c, SWAP_TRAIN_SURFACE);
  const out: TestProblem[] = [];
  for (let k = c.kMin; k <= c.kMax; k++)
    for (let i = 0; i < c.evalPerK; i++)
      out.push({
        group: `k${k}`,
        problem: sampleSwapProblem(rng, k, c.numCups),
        form: sampleSwapSurface(rng, k, train),
      });
  for (const k of c.kLonger)
    for (let i = 0; i < c.evalPerK; i++)
      out.push({
        group: `k${k}`,
        problem: sampleSwapProblem(rng, k, c.numCups),
        form: sampleSwapSurface(rng, k, train),
      });
  const nUnseen = c.evalPerK * (c.kMax - c.kMin + 1);
  for (let i = 0; i < nUnseen; i++) {
    const k = c.kMin + rng.int(c.kMax - c.kMin + 1);
    out.push({
      group: "unseen",
      problem: sampleSwapProblem(rng, k, c.numCups),
      form: sampleSwapSurface(rng, k, t2Surface(c, SWAP_UNSEEN_SURFACE)),
    });
  }
  // The unseen group's problems again in other wordings: the split wordings (only the separators, the header and
  // filler, the header, the filler unseen; pre-registered, data/claims-by-seed/t2-split/) and the filler probe, each
  // set from a generator of its own after every other item, so that the items above are the same with or without it.
  const reword = (stream: string, groups: ReadonlyArray<readonly [string, SwapSurfaceSpec]>): void => {
    const rng = new Rng(deriveSeed(seed, "t2", stream));
    const unseen = out.filter((t) => t.group === "unseen");
    for (const [group, spec] of groups)
      for (const t of unseen)
        out.push({
          group,
          problem: t.problem,
          form: sampleSwapSurface(rng, t.problem.swaps.length, t2Surface(c, spec)),
        });
  };
  if (c.splitUnseen) reword("test-split", SPLIT_SETS.flat());
  if (c.fillerProbe) reword("test-filler-probe", FILLER_PROBE_SET);
  if (c.sepProbe) reword("test-sep-probe", SEP_PROBE_SET);
  return out;
}

/**
 * The filler probe's test group (`fillerProbe`): the unseen group's problems with the training header and separators
 * and a filler from the training headers. Tested in generation batches of its own, like the split wordings.
 */
export const FILLER_PROBE: readonly [string, SwapSurfaceSpec] = ["filler-from-header", SWAP_HEADER_FILLER_SURFACE];

/**
 * The split wordings' test groups and their surface specs, in two sets, each tested in generation batches of its own
 * (the second set came after the first had run: an addendum of the pre-registration, measured only).
 */
export const SPLIT_SETS: ReadonlyArray<ReadonlyArray<readonly [string, SwapSurfaceSpec]>> = [
  [
    ["unseen-sep", SWAP_UNSEEN_SEP_SURFACE],
    ["unseen-frame", SWAP_UNSEEN_FRAME_SURFACE],
  ],
  [
    ["unseen-header", SWAP_UNSEEN_HEADER_SURFACE],
    ["unseen-filler", SWAP_UNSEEN_FILLER_SURFACE],
  ],
];
const FILLER_PROBE_SET = [FILLER_PROBE];
/**
 * The separator probe's test group (`sepProbe`): the unseen group's problems with the training header and filler and
 * separators from the training headers. Tested in generation batches of its own, like the split wordings.
 */
export const SEP_PROBE: readonly [string, SwapSurfaceSpec] = ["sep-from-header", SWAP_HEADER_SEP_SURFACE];
const SEP_PROBE_SET = [SEP_PROBE];
/** Every set of reworded test groups, each tested in generation batches of its own. */
const REWORDED_SETS = [...SPLIT_SETS, FILLER_PROBE_SET, SEP_PROBE_SET];
const REWORDED_GROUPS = REWORDED_SETS.flat();

/** Whether a test group rewords the unseen problems (split wordings, filler probe): tested in batches of its own. */
export function isRewordedGroup(group: string): boolean {
  return REWORDED_GROUPS.some(([g]) => g === group);
}

/** Greedy accuracy per test group of a model answering in `format`. */
export async function evaluate(
  model: GPT,
  tok: CharTokenizer,
  c: T2Config,
  format: SwapFormat,
  tests: ReadonlyArray<TestProblem>,
): Promise<{ accuracy: Record<string, number>; gens: Generated[] }> {
  const kGrid = kGridOf(c);
  const exs = tests.map((t) => renderSwapExample(t.problem, t.form, format, kGrid));
  const gens = await completeAll(model, tok, exs, c, format === "direct" ? "direct" : "verbatim");
  const accuracy: Record<string, number> = {};
  const groups = [...new Set(tests.map((t) => t.group))];
  for (const g of groups) {
    let n = 0;
    let ok = 0;
    tests.forEach((t, i) => {
      if (t.group !== g) return;
      n++;
      if ((gens[i] as Generated).correct) ok++;
    });
    accuracy[g] = ok / n;
  }
  return { accuracy, gens };
}

/** The information design of a base seed: problems with k = kMax crossed with surface forms. */
export interface Design {
  readonly problems: ReadonlyArray<SwapProblem>;
  readonly forms: ReadonlyArray<SwapSurface>;
}

/** Sample `samplesPerSeed` chains on the design at the config's temperature; their (X, Z, Y) rows and the mix of formats. */
export async function sampleChains(
  model: GPT,
  tok: CharTokenizer,
  c: T2Config,
  design: Design,
  label: string,
  seed: number,
): Promise<{ rows: MiRow[]; info: SeedInfo; mix: Record<string, number> }> {
  const rng = new Rng(deriveSeed(seed, "t2", "info", label));
  const nGrid = design.problems.length * design.forms.length;
  const kGrid = kGridOf(c);
  const exs: SwapExample[] = [];
  for (let i = 0; i < c.info.samplesPerSeed; i++) {
    const j = rng.int(nGrid);
    const p = design.problems[Math.floor(j / design.forms.length)] as SwapProblem;
    const f = design.forms[j % design.forms.length] as SwapSurface;
    exs.push(renderSwapExample(p, f, "direct", kGrid));
  }
  const gens = await completeAll(model, tok, exs, c, "verbatim", { temperature: c.info.temperature, rng });
  const mix: Record<string, number> = {};
  const rows: MiRow[] = gens.map((g, i) => {
    const e = exs[i] as SwapExample;
    const chain = parseSwapCompletion(g.output).chain;
    const kind = classifySwapChain(chain, e.problem, e.form, e.input);
    mix[kind] = (mix[kind] ?? 0) + 1 / gens.length;
    return { format: label, x: e.input, z: chain, y: String(e.problem.answer) };
  });
  const nullRng = new Rng(deriveSeed(seed, "t2", "info-null", label));
  const accuracy = gens.filter((g) => g.correct).length / gens.length;
  return { rows, info: seedInfo(rows, accuracy, undefined, { shuffles: c.info.nullShuffles, rng: nullRng }), mix };
}

/** How to estimate the permutation null of {@link seedInfo}: K shuffles drawn from a seeded generator. */
export interface PermutationNullOptions {
  readonly shuffles: number;
  readonly rng: Rng;
}

/** The permutation null of the plug-in I(X;Z) and I(Z;Y): mean and standard error over the shuffles (bits). */
export interface PermutationNull {
  readonly shuffles: number;
  readonly iXZ: { readonly mean: number; readonly se: number };
  readonly iZY: { readonly mean: number; readonly se: number };
}

/**
 * The permutation null of coded (X, Z, Y) samples: the chains Z are shuffled across the samples K times (which
 * keeps every marginal and the X–Y pairing but makes Z independent of both, true I = 0), and the plug-in
 * I(X;Z) and I(Z;Y) are estimated on each shuffle. Their mean is the plug-in's bias at this sample (its
 * alphabets and N); the standard error is the spread over the shuffles / sqrt(K).
 */
export function permutationNull(c: CodedXZY, opts: PermutationNullOptions): PermutationNull {
  const K = opts.shuffles;
  if (!Number.isInteger(K) || K < 1) throw new Error(`permutationNull: shuffles must be an integer >= 1, got ${K}`);
  const plug = { correction: "none" } as const;
  const hX = entropyOfCodes(c.x.codes, c.x.size, plug);
  const hZ = entropyOfCodes(c.z.codes, c.z.size, plug);
  const hY = entropyOfCodes(c.y.codes, c.y.size, plug);
  const xz = new Map<number, number>();
  const zy = new Map<number, number>();
  const vXZ: number[] = [];
  const vZY: number[] = [];
  for (let s = 0; s < K; s++) {
    const perm = opts.rng.permutation(c.n);
    xz.clear();
    zy.clear();
    for (let i = 0; i < c.n; i++) {
      const z = c.z.codes[perm[i] as number] as number;
      const kxz = (c.x.codes[i] as number) * c.z.size + z;
      const kzy = z * c.y.size + (c.y.codes[i] as number);
      xz.set(kxz, (xz.get(kxz) ?? 0) + 1);
      zy.set(kzy, (zy.get(kzy) ?? 0) + 1);
    }
    vXZ.push(hX + hZ - entropyFromCounts(xz.values(), plug));
    vZY.push(hZ + hY - entropyFromCounts(zy.values(), plug));
  }
  // One shuffle has no spread to estimate: its standard error is NaN (stats.std would say 0).
  const summary = (v: number[]) => ({ mean: mean(v), se: v.length > 1 ? std(v) / Math.sqrt(v.length) : NaN });
  return { shuffles: K, iXZ: summary(vXZ), iZY: summary(vZY) };
}

/**
 * Information estimates (bits) of one seed's sampled rows: Miller–Madow, or the plain plug-in with
 * `{ correction: "none" }`. With `permutation` (the experiment passes K shuffles from its seeded generator)
 * also the plug-in values, their permutation null ({@link permutationNull}) and the corrected estimates,
 * plug-in minus null, of the whole chains and of their surface (I(surface(X); surface(Z)), a lower bound on
 * I(X;Z) by data processing): the experiment's I(X;Z) is the surface one, its I(Z;Y) the whole-chain one
 * ({@link iXZof}, {@link iZYof}).
 */
export function seedInfo(
  rows: ReadonlyArray<XZYSample>,
  accuracy: number,
  opts?: EntropyOptions,
  permutation?: PermutationNullOptions,
): SeedInfo {
  const coded = codeSamples(rows);
  const p = codedProfile(coded, opts);
  const base = { n: rows.length, hX: p.hX, hZ: p.hZ, hY: p.hY, iXZ: p.iXZ, iZY: p.iZY, accuracy };
  if (!permutation) return base;
  const plugIn = codedProfile(coded, { ...opts, correction: "none" });
  const nul = permutationNull(coded, permutation);
  // The surface lower bound (after the whole-chain null, so those values do not depend on it): the same
  // estimate on the surface of the input and of the chain (swapSurfaceOf), 4-8 values where the whole chains
  // are almost all distinct.
  const surfaceCoded = codeSamples(surfaceRows(rows));
  const surfacePlugIn = codedProfile(surfaceCoded, { correction: "none" });
  const surfaceNull = permutationNull(surfaceCoded, permutation);
  return {
    ...base,
    hXsurface: surfacePlugIn.hX,
    iXZsurfacePlugIn: surfacePlugIn.iXZ,
    iXZsurfaceNull: surfaceNull.iXZ.mean,
    iXZsurfaceNullSE: surfaceNull.iXZ.se,
    iXZsurface: surfacePlugIn.iXZ - surfaceNull.iXZ.mean,
    nullShuffles: nul.shuffles,
    iXZplugIn: plugIn.iXZ,
    iZYplugIn: plugIn.iZY,
    iXZnull: nul.iXZ.mean,
    iXZnullSE: nul.iXZ.se,
    iZYnull: nul.iZY.mean,
    iZYnullSE: nul.iZY.se,
    iXZcorrected: plugIn.iXZ - nul.iXZ.mean,
    iZYcorrected: plugIn.iZY - nul.iZY.mean,
  };
}

/** The rows with input and chain replaced by their surface ({@link swapSurfaceOf}); the answer kept. */
export function surfaceRows(rows: ReadonlyArray<XZYSample>): XZYSample[] {
  return rows.map((r) => ({ x: swapSurfaceOf(String(r.x)), z: swapSurfaceOf(String(r.z)), y: r.y }));
}

/** Estimate against sample count of pooled rows: Miller–Madow and plug-in I(X;Z), and H(X). */
export function estimateCurves(
  rows: ReadonlyArray<XZYSample>,
  reps: number,
  seed: number,
  label: string,
): FormatCurves {
  const coded = codeSamples(rows);
  const surfaceCoded = codeSamples(surfaceRows(rows));
  const all = Array.from({ length: rows.length }, (_, i) => i);
  const sizes = doublingSizes(Math.min(25, rows.length), rows.length);
  const curve = (what: string, stat: (idx: ReadonlyArray<number>) => number): CurvePoint[] =>
    estimateCurve(all, stat, sizes, new Rng(deriveSeed(seed, "t2-curve", label, what)), reps);
  return {
    n: rows.length,
    iXZ: curve("iXZ", (idx) => codedProfile(coded, undefined, idx).iXZ),
    iXZplugIn: curve("iXZplugIn", (idx) => codedProfile(coded, { correction: "none" }, idx).iXZ),
    hX: curve("hX", (idx) => codedProfile(coded, undefined, idx).hX),
    // The permutation null of each subsample (one shuffle each; the mean over the subsamples is the bias).
    iXZnull: (() => {
      const rng = new Rng(deriveSeed(seed, "t2-curve", label, "iXZnull", "shuffle"));
      return curve(
        "iXZnull",
        (idx) => permutationNull(codeSamples(idx.map((i) => rows[i] as XZYSample)), { shuffles: 1, rng }).iXZ.mean,
      );
    })(),
    iXZsurfacePlugIn: curve("iXZsurfacePlugIn", (idx) => codedProfile(surfaceCoded, { correction: "none" }, idx).iXZ),
  };
}

/**
 * What one part (one condition, one seed) takes from its caller: the experiment's context, or in a notebook
 * `{ progress: lab.notebookProgress() }` (without `log` the part prints nothing; without `progress` no bar).
 */
export type T2PartContext = Partial<Pick<ExperimentContext, "progress" | "signal">> & {
  log?(message: string): void;
};

function trainOpts(ctx: T2PartContext, seed: number, label: string) {
  return { seed, progress: ctx.progress ?? silentProgress, label, ...(ctx.signal ? { signal: ctx.signal } : {}) };
}

/** A trained model of one condition and seed, with its tokenizer (caller disposes `model`). */
export interface TrainedT2Model {
  readonly model: GPT;
  readonly tok: CharTokenizer;
  readonly seed: number;
  /** The chain level (0 = states only … 3 = verbatim, 4 = the marked control), or null for a direct baseline. */
  readonly level: number | null;
  readonly format: SwapFormat;
  /** The depth (layers). */
  readonly depth: number;
  readonly finalLoss: number;
  readonly steps: number;
  readonly trainMs: number;
}

/**
 * Train one chain level for one seed (the experiment's first step of {@link runLevel}); returns the model,
 * which the caller disposes, so a notebook can query it.
 */
export async function trainLevel(
  c: T2Config,
  ctx: T2PartContext,
  seed: number,
  level: number,
): Promise<TrainedT2Model> {
  const formats = t2Formats(c);
  const format = formats[level] as SwapFormat;
  if (format === undefined)
    throw new Error(
      `trainLevel: level must be 0..${formats.length - 1} (${formats.join(", ")}), got ${level}` +
        (level === CHAIN_LEVELS.length && !c.markedControl ? "; the marked control is off (markedControl: false)" : ""),
    );
  const tok = t2Tokenizer(c);
  const model = createT2Model(c, tok.vocabSize, deriveSeed(seed, "t2", format, "init"));
  try {
    const sampler = swapsSampler(tok, t2Task(c, [format]), formatSeqLen(c, format));
    const t0 = performance.now();
    const res = await trainModel(
      model,
      sampler,
      { ...c.train, evalEvery: 0 },
      trainOpts(ctx, deriveSeed(seed, "t2", format, "train"), `level ${level} ${format}`),
    );
    const trainMs = performance.now() - t0;
    return {
      model,
      tok,
      seed,
      level,
      format,
      depth: c.model.nLayer,
      finalLoss: res.finalLoss,
      steps: c.train.numSteps,
      trainMs,
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Test a trained chain level: greedy accuracy per test group, then chains sampled on the information design
 * and their information (the experiment's second step of {@link runLevel}). Does not dispose the model.
 */
export async function testLevel(
  trained: TrainedT2Model,
  c: T2Config,
  tests: ReadonlyArray<TestProblem>,
  design: Design,
  ctx: T2PartContext = {},
): Promise<{ run: T2LevelRun; rows: MiRow[] }> {
  const { model, tok, seed, format } = trained;
  const level = trained.level;
  if (level === null) throw new Error("testLevel: this is a direct model (level null); use evaluate()");
  throwIfCancelled(ctx.signal, "t2-chain-of-thought");
  const base = tests.filter((t) => !isRewordedGroup(t.group));
  const { accuracy, gens } = await evaluate(model, tok, c, format, base);
  // The split wordings in generation batches of their own: the other items' batches stay as they were without
  // them, so their greedy completions do too, bit for bit.
  const splits: Array<{ tests: TestProblem[]; gens: Generated[] }> = [];
  for (const set of REWORDED_SETS) {
    const ts = tests.filter((t) => set.some(([g]) => g === t.group));
    if (ts.length === 0) continue;
    const e = await evaluate(model, tok, c, format, ts);
    Object.assign(accuracy, e.accuracy);
    splits.push({ tests: ts, gens: e.gens });
  }
  // Where the wrong answers on new wordings first went wrong (reading the input, updating the state, finding the
  // chain's end).
  const departures: Record<string, Partial<Record<Departure, number>>> = {};
  const countDepartures = (ts: ReadonlyArray<TestProblem>, gs: ReadonlyArray<Generated>) =>
    ts.forEach((t, i) => {
      const g = gs[i] as Generated;
      if (!(t.group === "unseen" || isRewordedGroup(t.group)) || g.correct) return;
      const at = departures[t.group] ?? (departures[t.group] = {});
      const part = firstDeparture(format, t.problem.swaps.length, g.input.length, g.output, g.target) ?? "answer";
      at[part] = (at[part] ?? 0) + 1;
    });
  countDepartures(base, gens);
  for (const sp of splits) countDepartures(sp.tests, sp.gens);
  const ksIn = range(c.kMin, c.kMax);
  const accInDist = mean(ksIn.map((k) => accuracy[`k${k}`] as number));
  const accLonger = mean(c.kLonger.map((k) => accuracy[`k${k}`] as number));
  const sampled = await sampleChains(model, tok, c, design, `level${level}`, seed);
  const samples: (Generated & { group: string })[] = [];
  for (const g of [`k${c.kMax}`, `k${c.kLonger[0]}`, "unseen"]) {
    let n = 0;
    base.forEach((t, i) => {
      if (t.group === g && n < 2) {
        samples.push({ ...(gens[i] as Generated), group: g });
        n++;
      }
    });
  }
  ctx.log?.(
    `t2 level ${level} (${format}) seed ${seed}: loss ${trained.finalLoss.toFixed(3)}, in-dist ${accInDist.toFixed(3)}, unseen ${(accuracy["unseen"] as number).toFixed(3)}, longer ${accLonger.toFixed(3)}, I(X;Z)/H(X) ${iXZnormOf(sampled.info).toFixed(3)} (null-corrected; Miller–Madow ${(sampled.info.iXZ / sampled.info.hX).toFixed(3)})`,
  );
  return {
    run: {
      seed,
      level,
      format,
      accuracy,
      accInDist,
      accUnseen: accuracy["unseen"] as number,
      accLonger,
      info: sampled.info,
      finalLoss: trained.finalLoss,
      trainMs: trained.trainMs,
      samples,
      ...(c.splitUnseen || c.fillerProbe || c.sepProbe ? { departures } : {}),
    },
    rows: sampled.rows,
  };
}

/** Train and test one chain level for one seed; returns the run and its sampled rows (the model is disposed). */
export async function runLevel(
  c: T2Config,
  ctx: T2PartContext,
  seed: number,
  level: number,
  tests: ReadonlyArray<TestProblem>,
  design: Design,
): Promise<{ run: T2LevelRun; rows: MiRow[] }> {
  const trained = await trainLevel(c, ctx, seed, level);
  try {
    throwIfCancelled(ctx.signal, "t2-chain-of-thought");
    return await testLevel(trained, c, tests, design, ctx);
  } finally {
    trained.model.dispose();
  }
}

/**
 * Train one direct baseline (no chain) of one depth for one seed for `steps` steps (the experiment gives it
 * the chain models' training tokens: {@link directSteps}); returns the model, which the caller disposes.
 */
export async function trainDirect(
  c: T2Config,
  ctx: T2PartContext,
  seed: number,
  depth: number,
  steps: number,
): Promise<TrainedT2Model> {
  const tok = t2Tokenizer(c);
  const model = createT2Model(c, tok.vocabSize, deriveSeed(seed, "t2", "direct", depth, "init"), depth);
  try {
    const sampler = swapsSampler(tok, t2Task(c, ["direct"]), formatSeqLen(c, "direct"));
    const t0 = performance.now();
    const res = await trainModel(
      model,
      sampler,
      { ...c.train, numSteps: steps, evalEvery: 0 },
      trainOpts(ctx, deriveSeed(seed, "t2", "direct", depth, "train"), `direct depth ${depth}`),
    );
    const trainMs = performance.now() - t0;
    return { model, tok, seed, level: null, format: "direct", depth, finalLoss: res.finalLoss, steps, trainMs };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Train and test one direct baseline (no chain) of one depth for one seed, with the chain models' training tokens. */
export async function runDirect(
  c: T2Config,
  ctx: T2PartContext,
  seed: number,
  depth: number,
  steps: number,
  tests: ReadonlyArray<TestProblem>,
): Promise<T2DirectRun> {
  const trained = await trainDirect(c, ctx, seed, depth, steps);
  try {
    const inDist = tests.filter((t) => /^k\d+$/.test(t.group) && Number(t.group.slice(1)) <= c.kMax);
    const { accuracy } = await evaluate(trained.model, trained.tok, c, "direct", inDist);
    ctx.log?.(
      `t2 direct depth ${depth} seed ${seed}: loss ${trained.finalLoss.toFixed(3)}, acc ${range(c.kMin, c.kMax)
        .map((k) => `k${k} ${(accuracy[`k${k}`] as number).toFixed(2)}`)
        .join(", ")}`,
    );
    return { seed, depth, accuracy, finalLoss: trained.finalLoss, steps, trainMs: trained.trainMs };
  } finally {
    trained.model.dispose();
  }
}

/** A sampler over a fixed list of rows (the kept chains of a STaR round). */
function listSampler(rows: ReadonlyArray<{ x: number[]; y: number[]; mask: number[] }>): BatchSampler {
  return (rng, batchSize) => {
    const x: number[][] = [];
    const y: number[][] = [];
    const mask: number[][] = [];
    for (let b = 0; b < batchSize; b++) {
      const r = rows[rng.int(rows.length)] as { x: number[]; y: number[]; mask: number[] };
      x.push(r.x);
      y.push(r.y);
      mask.push(r.mask);
    }
    return { x, y, mask };
  };
}

/** Options of {@link runStar} that the experiment leaves at their defaults (exercises change them). */
export interface StarOptions {
  /** The chain formats of the warm-up mixture (default: every chain level, uniformly). */
  readonly warmupFormats?: ReadonlyArray<SwapFormat>;
}

/**
 * One outcome-only run (STaR, Zelikman et al. 2022): warm up on a uniform mixture of the chain levels, then
 * `rounds` times sample one chain per training problem at temperature 1, keep those whose answer is right,
 * fine-tune on them. The control arm starts from the same warm-up weights and does the same but keeps every
 * chain (self-training without the outcome). Chains are sampled on the information design before and after.
 */
export async function runStar(
  c: T2Config,
  ctx: T2PartContext,
  seed: number,
  design: Design,
  opts: StarOptions = {},
): Promise<{ run: T2StarRun; rows: MiRow[] }> {
  const tok = t2Tokenizer(c);
  const seqLen = formatSeqLen(c, "verbatim");
  const model = createT2Model(c, tok.vocabSize, deriveSeed(seed, "t2", "star", "init"));
  let control: GPT | null = null;
  const t0 = performance.now();
  try {
    const mixed = swapsSampler(tok, t2Task(c, opts.warmupFormats ?? CHAIN_LEVELS), seqLen);
    await trainModel(
      model,
      mixed,
      { ...c.train, numSteps: c.star.warmupSteps, evalEvery: 0 },
      trainOpts(ctx, deriveSeed(seed, "t2", "star", "warmup"), "STaR warm-up (mixed chains)"),
    );
    const before = await sampleChains(model, tok, c, design, "selfChosen_before", seed);
    control = createT2Model(c, tok.vocabSize, 0);
    control.setWeights(await model.readWeights());
    const keptPerRound: number[] = [];
    for (const [arm, m] of [
      ["filtered", model],
      ["control", control],
    ] as const) {
      for (let r = 0; r < c.star.rounds; r++) {
        throwIfCancelled(ctx.signal, "t2-chain-of-thought");
        // The same problems for both arms in a round.
        const prng = new Rng(deriveSeed(seed, "t2", "star", "problems", r));
        const exs = Array.from({ length: c.star.samplesPerRound }, () =>
          sampleSwapExample(prng, t2Task(c, ["direct"])),
        );
        const gens = await completeAll(m, tok, exs, c, "verbatim", {
          temperature: 1,
          rng: new Rng(deriveSeed(seed, "t2", "star", arm, "sample", r)),
        });
        const keep = gens
          .map((g, i) => ({ g, e: exs[i] as SwapExample }))
          .filter(({ g }) => (arm === "control" || g.correct) && g.output.length > 0)
          .filter(({ e, g }) => encodeSwapPrompt(tok, e.input).length + tok.encode(g.output).length <= seqLen);
        if (arm === "filtered") keptPerRound.push(keep.length / gens.length);
        if (keep.length === 0) continue;
        const rows = keep.map(({ e, g }) => encodeSwapRow(tok, e.input, g.output, seqLen));
        await trainModel(
          m,
          listSampler(rows),
          { ...c.train, numSteps: c.star.stepsPerRound, warmupSteps: 0, evalEvery: 0 },
          trainOpts(ctx, deriveSeed(seed, "t2", "star", arm, "train", r), `STaR ${arm} round ${r + 1}`),
        );
      }
    }
    const after = await sampleChains(model, tok, c, design, "selfChosen_after", seed);
    const afterControl = await sampleChains(control, tok, c, design, "selfChosen_afterControl", seed);
    const norm = (i: SeedInfo): string => iXZnormOf(i).toFixed(3);
    ctx.log?.(
      `t2 STaR seed ${seed}: I(X;Z)/H(X) before ${norm(before.info)}, after ${norm(after.info)} (control ${norm(afterControl.info)}), kept ${keptPerRound.map((k) => k.toFixed(2)).join(", ")}`,
    );
    return {
      run: {
        seed,
        before: before.info,
        after: after.info,
        afterControl: afterControl.info,
        mixBefore: before.mix,
        mixAfter: after.mix,
        mixAfterControl: afterControl.mix,
        keptPerRound,
        trainMs: performance.now() - t0,
      },
      rows: [...before.rows, ...after.rows],
    };
  } finally {
    model.dispose();
    control?.dispose();
  }
}

export function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
}

export function mean(xs: ReadonlyArray<number>): number {
  return xs.length === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Least-squares slope of y on x (NaN when x does not vary). */
export function slope(x: ReadonlyArray<number>, y: ReadonlyArray<number>): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  x.forEach((xi, i) => {
    sxy += (xi - mx) * ((y[i] as number) - my);
    sxx += (xi - mx) ** 2;
  });
  return sxx > 0 ? sxy / sxx : NaN;
}

/** The manipulation check of the I(X;Z) estimate: does it rank the chain levels in their designed order? */
export interface LevelOrderCheck {
  /** Mean estimated I(X;Z)/H(X) over seeds, per level (abstract → verbatim). */
  readonly levelMeans: ReadonlyArray<number>;
  /** Spearman correlation of the level index with `levelMeans` (NaN when the means do not vary). */
  readonly rho: number;
  /** Verbatim level's mean minus the abstract level's. */
  readonly verbatimMinusAbstract: number;
  readonly ok: boolean;
  /** What was found, in words (for a claim's `validity.why`). */
  readonly why: string;
}

/**
 * The chain levels are designed so that I(X;Z) rises from level 0 (abstract: states only) to the last level
 * (verbatim). The estimate passes only if, on one base seed's runs, the level means of I(X;Z)/H(X) rise with
 * the designed order: Spearman ρ(level index, mean) > 0 and the verbatim level's mean above the abstract
 * level's. Computed from the measurement alone, never from a verdict; NaN anywhere fails it.
 */
export function levelOrderCheck(levelMeans: ReadonlyArray<number>): LevelOrderCheck {
  const rho = levelMeans.every(Number.isFinite)
    ? spearman(
        levelMeans.map((_, i) => i),
        [...levelMeans],
      )
    : NaN;
  const first = levelMeans[0] ?? NaN;
  const last = levelMeans[levelMeans.length - 1] ?? NaN;
  const verbatimMinusAbstract = last - first;
  const ok = levelMeans.length >= 2 && rho > 0 && verbatimMinusAbstract > 0;
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : "NaN");
  const why =
    `the estimated I(X;Z)/H(X) of the chain levels, designed to rise from abstract (level 0) to verbatim ` +
    `(level ${levelMeans.length - 1}), reads ${levelMeans.map(f).join(", ")} (mean over seeds; Spearman ρ with the ` +
    `level index ${f(rho)}, verbatim − abstract ${f(verbatimMinusAbstract)}): ` +
    (ok ? "it rises with the design" : "it does not rise with the design");
  return { levelMeans, rho, verbatimMinusAbstract, ok, why };
}
