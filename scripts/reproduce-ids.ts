import { getExperiment, listExperiments } from "../src/run/experiment";

/** The experiments `npm run reproduce` and `npm run figures` cover by default (the demo only with --only demo). */
export const TAKEAWAY_IDS = [
  "t1-world-model",
  "t2-chain-of-thought",
  "t3-attention",
  "t4-scaling",
  "t5-quantization",
  "t6-predictive-world-model",
];

/**
 * The experiment whose record a notebook loads: the `tN-*` id of the `lab.tN.experiment` it runs, or null
 * (the tour trains its own tiny demo). `npm run reproduce` runs a notebook once that record is written.
 */
export function notebookExperiment(source: string, ids: ReadonlyArray<string>): string | null {
  const m = /lab\.(t\d+)\.experiment\b/.exec(source);
  return m ? (ids.find((id) => id.startsWith(`${m[1]}-`)) ?? null) : null;
}

/**
 * The experiments a run covers: those `--only a,b` names (an unknown id fails here, with the list of known ones),
 * else every takeaway in TAKEAWAY_IDS that is registered.
 */
export function selectExperimentIds(only: string | true | undefined): string[] {
  const ids =
    typeof only === "string"
      ? only
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : TAKEAWAY_IDS.filter((id) => listExperiments().some((e) => e.id === id));
  ids.forEach((id) => getExperiment(id));
  return ids;
}
