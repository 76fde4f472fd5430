/**
 * gen2brain's public API for notebooks: `import * as lab from "./src/index"` (the `notebooks/src` link
 * points here). A small core (backend, seeds, intervals, claims, models, training, display), one
 * namespace per takeaway (`lab.t1` … `lab.t5`, and `lab.t6` for notebook 06: config, run, analyses, figures,
 * the `experiment`) and the synthetic worlds (`lab.data`). Scripts and tests import the modules directly.
 */
import "./takeaways/index"; // registers every experiment
import { cancelOnInterrupt } from "./cancel";
import { isNotebook } from "./present/display";

// In a kernel, Jupyter's interrupt button stops a training or an experiment instead of leaving it running.
if (isNotebook()) cancelOnInterrupt();

export * as tf from "@tensorflow/tfjs";

// Running experiments
export { initBackend, describeBackend, type BackendInfo, type BackendChoice } from "./run/backend";
export {
  runExperiment,
  getExperiment,
  listExperiments,
  type Experiment,
  type ExperimentContext,
  type RunOptions,
} from "./run/experiment";
export { loadResults, type ResultRecord } from "./run/results";
export { setupNotebook, runInNotebook, type NotebookSetup } from "./run/notebook";
export { demoExperiment } from "./run/demo";
export { exercises } from "./exercises";
export { defineExercise, formatRange, type ExerciseCheck, type ExerciseFn } from "./run/exercise";
export { type Profile, PROFILES, profileFromEnv, seedFromEnv, withOverrides } from "./config";

// Seeds, intervals, claims
export { Rng, deriveSeed } from "./rng";
export { mean, meanInterval, bootstrap, metricValue, toInterval, type Interval, type Metric } from "./stats";
export {
  assertedClaim,
  measuredClaim,
  overSeeds,
  singleRun,
  atLeast,
  atMost,
  above,
  below,
  within,
  verdictOf,
  checkClaims,
  type Claim,
  type Verdict,
} from "./claims";

// Models and training
export { createGPT, countGPTParams, type GPT, type GPTConfig } from "./transformer";
export { createMLP, type MLP } from "./mlp";
export { CharTokenizer, WordTokenizer } from "./tokenizer";
export { trainModel, type TrainConfig } from "./train";
export { generate } from "./generate";
export { chinchillaOptimum, fitPowerLaw } from "./fit";

// Attention as associative memory (takeaway 3's hands-on cells)
export {
  scaledDotProductAttention,
  modernHopfieldUpdateRef,
  hebbianHopfield,
  classicalRetrieve,
  randomBinaryPatterns,
  corruptPattern,
  cosine,
} from "./hopfield";

// Quantization (takeaway 5's hands-on cells)
export {
  quantSpec,
  quantizeMatrix,
  dequantize,
  fakeQuant,
  fakeQuantSTE,
  bitsPerWeight,
  type QuantSpec,
} from "./quantize";
export { loadPacked, savePacked } from "./quant-pack";

// Display
export { show, showTable, showMarkdown, showBackend, showClaims, notebookProgress } from "./present/display";
export { saveFigure } from "./present/render";
export { lineFigure, scatterFigure, barFigure, type Figure } from "./present/plot";
export { sliderFigure, type SliderStep } from "./present/slider";
export { metricsTable } from "./present/table";
export { formatNumber, formatMetric, formatPoints, describeSign, metricFormatter } from "./present/format";

// The takeaways and their worlds
export * as t1 from "./takeaways/t1-world-model/index";
export * as t2 from "./takeaways/t2-chain-of-thought/index";
export * as t3 from "./takeaways/t3-attention/index";
export * as t4 from "./takeaways/t4-scaling/index";
export * as t5 from "./takeaways/t5-quantization/index";
export * as t6 from "./takeaways/t6-predictive-world-model/index";
export * as data from "./data/index";
