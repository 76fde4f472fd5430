/**
 * The synthetic worlds and tasks, one file each, with their seeded generators and samplers
 * (`lab.data.world`, `lab.data.swaps`, …).
 */
export * as classification from "./classification";
export * as cuedStreams from "./cued-streams";
export * as induction from "./induction";
export * as motorWorld from "./motor-world";
export * as swaps from "./swaps";
export * as world from "./world";
export * as zipf from "./zipf-language";
