/** Importing this registers every experiment (each file calls `registerExperiment`). */
import "../run/demo";
import "./t1-world-model/index";
import "./t2-chain-of-thought/index";
import "./t3-attention/index";
import "./t4-scaling/index";
import "./t5-quantization/index";
import "./t6-predictive-world-model/index";
