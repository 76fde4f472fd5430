/** Importing this registers every experiment (each file calls `registerExperiment`). */
import "./demo";
import "./t1-world-model";
import "./t2-chain-of-thought";
import "./t3-attention";
import "./t4-scaling";
import "./t5-quantization";
