/** Writing an experiment's figures (JSON, and SVG + PNG when Chromium is there) beside its results.json. */
import * as path from "path";
import type { Experiment } from "../src/run/experiment";
import type { ResultRecord } from "../src/run/results";
import { resultDir } from "../src/run/results";
import { saveFigure } from "../src/present/render";

/** What {@link saveFigures} wrote. */
export interface WrittenFigures {
  /** `out/<profile>/<id>/<name>` per figure (add `.json`, `.svg`, `.png`). */
  readonly bases: string[];
  /** Why SVG/PNG were skipped (no Chromium), or null when they were written. */
  readonly staticSkipped: string | null;
}

/**
 * Write every figure of `record` as `out/<profile>/<id>/<name>.json`, plus `.svg` and `.png` when
 * Chromium is available (without it the figures stay interactive only: JSON and report.html).
 */
export async function saveFigures(
  exp: Experiment<object>,
  record: ResultRecord,
  outRoot = "out",
): Promise<WrittenFigures> {
  const dir = resultDir(outRoot, record.profile, record.id);
  const bases: string[] = [];
  let staticSkipped: string | null = null;
  for (const [name, fig] of Object.entries(exp.figures(record))) {
    const base = path.join(dir, name);
    const saved = await saveFigure(fig, base);
    if (saved.skipped !== undefined) staticSkipped = saved.skipped;
    bases.push(base);
  }
  return { bases, staticSkipped };
}

/** One line for a run whose static figures were skipped. */
export function skippedFiguresLine(n: number, reason: string): string {
  return `${n} figure(s) written as interactive JSON only, PNG/SVG skipped: ${reason.split(". ")[0]}`;
}
