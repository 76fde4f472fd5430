/** Writing an experiment's figures (JSON + SVG + PNG) beside its results.json. */
import * as path from "path";
import type { Experiment } from "../src/run/experiment";
import type { ResultRecord } from "../src/run/results";
import { resultDir } from "../src/run/results";
import { saveFigure } from "../src/present/render";

/** Render every figure of `record` into `out/<profile>/<id>/<name>.{json,svg,png}`; returns the paths. */
export async function saveFigures(exp: Experiment<object>, record: ResultRecord, outRoot = "out"): Promise<string[]> {
  const dir = resultDir(outRoot, record.profile, record.id);
  const written: string[] = [];
  for (const [name, fig] of Object.entries(exp.figures(record))) {
    const base = path.join(dir, name);
    await saveFigure(fig, base);
    written.push(base);
  }
  return written;
}
