/**
 * Takeaway 2's runs: for every seed and answer format, a tiny GPT trained on the digit-sum task, tested
 * per k, on longer problems and on new surface forms, and sampled on the information design; then the
 * metrics, claims and the sampled (X, Z, Y) rows.
 */
import { throwIfCancelled } from "../../cancel";
import {
  above,
  assertedClaim,
  atLeast,
  atMost,
  measuredClaim,
  overSeeds,
  type SeedEstimate,
  singleRun,
} from "../../claims";
import {
  ANSWER_FORMATS,
  AnswerFormat,
  DigitExample,
  DigitProblem,
  digitsAlphabet,
  digitsSampler,
  informationDesign,
  parseCompletion,
  RECOMBINED_SURFACE,
  renderExample,
  sampleProblem,
  sampleSurface,
  SurfaceForm,
  TRAIN_SURFACE,
  UNSEEN_SURFACE,
} from "../../data/digits";
import { deriveSeed, Rng } from "../../rng";
import type { ExperimentContext, ExperimentOutput } from "../../run/experiment";
import type { Metric } from "../../stats";
import { mean, meanInterval } from "../../stats";
import { CharTokenizer } from "../../tokenizer";
import { trainModel } from "../../train";
import { completeAll, createT2Model, formatInformation } from "./analysis";
import {
  type T2Metric,
  cap,
  FormatInfo,
  formatSeqLen,
  Generated,
  kGridOf,
  MiRow,
  T2Config,
  T2Data,
  T2Run,
  validateT2Config,
} from "./config";

/** One test item: a rendered example and what it tests. */
interface TestItem {
  readonly example: DigitExample;
  readonly group: string;
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
    for (let i = 0; i < c.evalPerK; i++)
      out.push({
        group: `k${k}`,
        problem: sampleProblem(rng, k, c.modulus),
        form: sampleSurface(rng, k, TRAIN_SURFACE),
      });
  }
  for (const [group, spec] of [
    ["unseen", UNSEEN_SURFACE],
    ["recombined", RECOMBINED_SURFACE],
  ] as const) {
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
    const sampler = digitsSampler(
      tok,
      {
        format,
        kMin: c.kMin,
        kMax: c.kMax,
        kGrid,
        layout: c.layout,
        modulus: c.modulus,
        chainStyle: c.chainStyle,
        zeroRate: c.zeroRate,
      },
      seqLen,
    );
    const t0 = performance.now();
    const label = `${format} (seed ${seedIndex + 1}/${c.numSeeds})`;
    const res = await trainModel(
      model,
      sampler,
      { ...c.train, evalEvery: 0 },
      {
        seed: deriveSeed(seed, "t2", format, "train"),
        progress: ctx.progress,
        label,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      },
    );
    const trainMs = performance.now() - t0;
    throwIfCancelled(ctx.signal, "t2-chain-of-thought");
    const t1 = performance.now();
    // Test set and the information design in one batched generation.
    const testItems: TestItem[] = tests.map((t) => ({
      example: renderExample(t.problem, t.form, format, c.layout, kGrid, c.chainStyle),
      group: t.group,
    }));
    const grid: DigitExample[] = [];
    for (const p of design.problems)
      for (const f of design.forms) grid.push(renderExample(p, f, format, c.layout, kGrid, c.chainStyle));
    const gens = await completeAll(model, tok, [...testItems.map((t) => t.example), ...grid], c, format);
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
        if (t.group === g && samples.filter((s) => s.group === g).length < 3)
          samples.push({ ...(testGens[i] as Generated), group: g });
      });
    }
    const mi: MiRow[] = draws.map((j) => {
      const e = grid[j] as DigitExample;
      return {
        format,
        x: e.input,
        z: parseCompletion((gridGens[j] as Generated).output).chain,
        y: String(e.problem.answer),
      };
    });
    const run: T2Run = {
      seed,
      format,
      accuracy,
      designAccuracy: gridGens.filter((g) => g.correct).length / Math.max(1, gridGens.length),
      finalLoss: res.finalLoss,
      trainMs,
      evalMs,
      history: res.history
        .filter((h, i) => i % 10 === 9 || i === 0)
        .map((h) => ({ step: h.step, trainLoss: h.trainLoss })),
      samples,
    };
    ctx.log(
      `t2 ${label}: loss ${res.finalLoss.toFixed(3)}, acc k${c.kMax} ${accuracy[`k${c.kMax}`]?.toFixed(3)}, train ${(trainMs / 1000).toFixed(1)} s, eval ${(evalMs / 1000).toFixed(1)} s`,
    );
    return { run, mi };
  } finally {
    model.dispose();
  }
}

/** Run every condition for every seed; returns the metrics, claims, data and CSVs of the record. */
export async function runT2(c: T2Config, ctx: ExperimentContext): Promise<ExperimentOutput<T2Data, T2Metric>> {
  validateT2Config(c);
  const seeds = Array.from({ length: c.numSeeds }, (_, i) => deriveSeed(ctx.seed, "t2", i));
  const formats = ANSWER_FORMATS;
  const tok = CharTokenizer.fromAlphabet(digitsAlphabet());
  const kGrid = kGridOf(c);
  // One information design for all seeds and formats (X alphabet shared), drawn from the base seed.
  const design = informationDesign(
    new Rng(deriveSeed(ctx.seed, "t2", "info-design")),
    c.kMax,
    c.info.perAnswer,
    c.info.numForms,
    c.layout,
    kGrid,
    TRAIN_SURFACE,
    c.modulus,
  );
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
      throwIfCancelled(ctx.signal, "t2-chain-of-thought");
      const { run, mi } = await runOne(c, ctx, tok, seed, si, format, tests, design, draws);
      runs.push(run);
      miRows.push(...mi);
      trainMs += run.trainMs;
      evalMs += run.evalMs;
    }
  }
  throwIfCancelled(ctx.signal, "t2-chain-of-thought");
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
  const metrics = {} as Record<T2Metric, Metric>; // filled below for every format and k
  const accOf = (f: AnswerFormat, g: string): number[] => runs.filter((r) => r.format === f).map((r) => r.accuracy[g]);
  for (const f of formats) {
    for (const k of ks) metrics[`acc${cap(f)}_k${k}`] = meanInterval(accOf(f, `k${k}`), [0, 1]);
    const longer = runs.filter((r) => r.format === f).map((r) => mean(c.kLonger.map((k) => r.accuracy[`k${k}`])));
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

  // ---- claims. Accuracy intervals are t-intervals over seeds (one trained model per seed and format); the
  // information estimates are pooled over seeds (their bootstrap intervals resample samples, not runs), so the
  // claims on them are single-run values.
  const acc01 = (xs: number[]): SeedEstimate => overSeeds(xs, { bounds: [0, 1] });
  const bySeed = (f: AnswerFormat, g: (r: T2Run) => number): number[] =>
    seeds.map((seed) => g(runs.find((r) => r.seed === seed && r.format === f) as T2Run));
  const longerOf = (r: T2Run): number => mean(c.kLonger.map((k) => r.accuracy[`k${k}`]));
  const absMinusVerbose = (g: (r: T2Run) => number): SeedEstimate => {
    const a = bySeed("abstract", g);
    const v = bySeed("verbose", g);
    return overSeeds(a.map((x, i) => x - (v[i] as number)));
  };
  const PAPER_COT =
    'Gros 2025, §3: "why are responses substantially better when the LLM thinks for a while?"; thoughts as an information bottleneck (Tishby & Zaslavsky; Lei et al. 2025)';
  const PAPER_IB =
    "Gros 2025, §3 (paraphrase): the information between input and thoughts is minimised (thoughts abstract from the surface form), the one between thoughts and output maximised";
  const claims = [
    assertedClaim({
      id: "abstract-cot-solves",
      statement: `At the largest trained k (${c.kMax}) abstract chain-of-thought answers correctly at least 95% of the time`,
      paper: PAPER_COT,
      quantity: `accuracy of abstract chain-of-thought at k = ${c.kMax}`,
      refutedBy: "an accuracy interval wholly below 95%",
      estimate: acc01(accOf("abstract", `k${c.kMax}`)),
      target: atLeast(0.95),
      control: {
        id: "direct",
        description: `the same model size and steps answering directly, without a chain, at k = ${c.kMax}`,
        estimate: acc01(accOf("direct", `k${c.kMax}`)),
        expect: "absent",
      },
    }),
    assertedClaim({
      id: "direct-fails",
      statement: `At the largest trained k (${c.kMax}) the direct answer (no chain) is correct at most 60% of the time`,
      paper: PAPER_COT,
      quantity: `accuracy of the direct answer at k = ${c.kMax}`,
      refutedBy: "a direct accuracy interval wholly above 60%",
      estimate: acc01(accOf("direct", `k${c.kMax}`)),
      target: atMost(0.6),
      control: {
        id: `direct_k${c.kMin}`,
        description: `the direct answer at the smallest k (${c.kMin}), a short problem one forward pass should solve`,
        estimate: acc01(accOf("direct", `k${c.kMin}`)),
        expect: "absent",
      },
    }),
    measuredClaim({
      id: "abstract-keeps-answer",
      statement:
        "Abstract chains carry the answer: I(Z;Y) / H(Y); reported, not asserted: the chain's last running sum is the answer, so this is the arithmetic of the format",
      paper: PAPER_IB,
      quantity: "I(Z;Y)/H(Y) of abstract chains, pooled over seeds (one estimate)",
      refutedBy: "chains that lose the answer (ratio well below 1); not possible with a format that ends in the answer",
      estimate: singleRun(abs.iZYnorm.mean),
      target: atLeast(0.95),
    }),
    measuredClaim({
      id: "abstract-drops-surface",
      statement:
        "Abstract chains drop the surface form: I(X;Z)/H(X) of verbose minus abstract chains; reported, not asserted: the chains are supervised targets, so this is the arithmetic of the two formats",
      paper: PAPER_IB,
      quantity: "I(X;Z)/H(X), verbose minus abstract chains, pooled over seeds (one estimate)",
      refutedBy: "abstract chains keeping as much of the surface form as verbose ones (difference ≤ 0)",
      estimate: singleRun(verb.iXZnorm.mean - abs.iXZnorm.mean),
      target: atLeast(0.2),
    }),
    measuredClaim({
      id: "longer-k",
      statement: "Length generalisation: abstract minus verbose accuracy on longer k than trained",
      paper: PAPER_IB,
      quantity: `accuracy at k = ${c.kLonger.join(", ")} (mean), abstract minus verbose, per seed`,
      refutedBy: "reported, not asserted: an interval wholly ≤ 0 would say abstract chains do not generalise better",
      estimate: absMinusVerbose(longerOf),
      target: above(0),
    }),
    measuredClaim({
      id: "unseen-forms",
      statement:
        "Surface generalisation: abstract minus verbose accuracy on surface forms made of characters never seen in training",
      paper: PAPER_IB,
      quantity: "accuracy on unseen surface forms, abstract minus verbose, per seed",
      refutedBy: "reported, not asserted: an interval wholly ≤ 0 would say abstract chains do not generalise better",
      estimate: absMinusVerbose((r) => r.accuracy["unseen"] as number),
      target: above(0),
    }),
    measuredClaim({
      id: "recombined-forms",
      statement: "Surface generalisation: abstract minus verbose accuracy on training characters in new roles",
      paper: PAPER_IB,
      quantity: "accuracy on recombined surface forms, abstract minus verbose, per seed",
      refutedBy: "reported, not asserted: an interval wholly ≤ 0 would say abstract chains do not generalise better",
      estimate: absMinusVerbose((r) => r.accuracy["recombined"] as number),
      target: above(0),
    }),
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
}
