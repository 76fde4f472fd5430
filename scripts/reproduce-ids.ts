/** The experiments `npm run reproduce` and `npm run figures` cover by default (the demo only with --only demo). */
export const TAKEAWAY_IDS = ["t1-world-model", "t2-chain-of-thought", "t3-attention", "t4-scaling", "t5-quantization"];
