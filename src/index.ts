/**
 * gen2brain's public API: notebooks do `import * as lab from "./src/index"` (the `notebooks/src`
 * link points here), scripts and tests import the modules directly.
 */
import "./experiments/index";

export * as tf from "@tensorflow/tfjs";
export * from "./backend";
export * from "./rng";
export * from "./config";
export * from "./results";
export * from "./stats";
export * from "./progress";
export * from "./experiment";
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
export * from "./plot";
export * from "./render";
export * from "./display";
export * from "./notebook";
export * from "./table";
/** Takeaway 4: the t4 sweep's analyses, cached full sweep and its synthetic language (`lab.t4.ZipfLanguage`). */
export * as t4 from "./experiments/t4-scaling";
