/**
 * gen2brain's public API: notebooks do `import * as lab from "./src/index"` (the `notebooks/src`
 * link points here), scripts and tests import the modules directly.
 */
import "./takeaways/index";

export * as tf from "@tensorflow/tfjs";
export * from "./run/backend";
export * from "./rng";
export * from "./config";
export * from "./run/results";
export * from "./stats";
export * from "./present/progress";
export * from "./run/experiment";
export * from "./run/paths";
export * from "./tokenizer";
export * from "./transformer";
export * from "./mlp";
export * from "./train";
export * from "./generate";
export * from "./checkpoint";
export * from "./info";
export * from "./fit";
export * from "./hopfield";
export * from "./quantize";
export * from "./present/plot";
export * from "./present/render";
export * from "./present/display";
export * from "./run/notebook";
export * from "./present/table";
/** Takeaway 4: the t4 sweep's analyses, cached full sweep and its synthetic language (`lab.t4.ZipfLanguage`). */
export * as t4 from "./takeaways/t4-scaling/index";
/** Takeaway 5: quantization — the packed 4-bit format, the MLP with a quantizer hook, the classification task, the experiment. */
export * from "./quant-pack";
export * from "./mlp";
export * as classification from "./data/classification";
export * as t5 from "./takeaways/t5-quantization/index";
/** Takeaway 1: the synthetic world (`lab.world`), linear probes, and the experiment's pieces (`lab.t1`). */
export * from "./probe";
export * as world from "./data/world";
export * as t1 from "./takeaways/t1-world-model/index";
/** Takeaway 3: the two-module attention system, its cued-streams task, the induction task, the experiment (`lab.t3`). */
export * as attentionSystem from "./attention-system";
export * as cuedStreams from "./data/cued-streams";
export * as induction from "./data/induction";
export * as t3 from "./takeaways/t3-attention/index";
/** Takeaway 2: the serial digit-sum task in many surface forms (`lab.digits`) and the experiment's pieces (`lab.t2`). */
export * as digits from "./data/digits";
export * as t2 from "./takeaways/t2-chain-of-thought/index";
