/**
 * `npm run figures -- [--profile P] [--only id,id] [--gallery]`: regenerate every figure (JSON, SVG, PNG)
 * and the report from the cached results.json files, without training (seconds).
 * With --gallery, also copy the key figures to docs/gallery/ for the README, each with a provenance line
 * (this is the only way this script writes outside out/).
 */
import * as fs from "fs";
import * as path from "path";
import "../src/takeaways/index";
import { getExperiment } from "../src/run/experiment";
import { shippedResultsFile } from "../src/run/cache";
import { loadResults, resultDir, writeFileAtomic } from "../src/run/results";
import { closeRenderer } from "../src/present/render";
import { saveFigures, skippedFiguresLine } from "./figures-lib";
import { writeReport, ReproduceSummary, formatMetric } from "./report";
import { selectExperimentIds } from "./reproduce-ids";
import { parseArgs, runMain } from "./cli";
import { formatControl, formatEstimate, isClaim } from "../src/claims";

/** The key figures the README's gallery shows, per experiment. */
export const GALLERY: Readonly<Record<string, ReadonlyArray<string>>> = {
  "t1-world-model": ["base-three-ways", "heldout-accuracy"],
  "t2-chain-of-thought": ["accuracy-vs-k", "bottleneck-slope"],
  "t3-attention": ["capacity-mmax", "swap-vs-distance"],
  "t4-scaling": ["loss-vs-n", "doubled-brain"],
  "t5-quantization": ["states-needed", "bit-level-scaling"],
  "t6-predictive-world-model": ["history-sweep", "fractions"],
};

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["only", "out"], ["gallery"]);
  const only = args.flags.get("only");
  const outFlag = args.flags.get("out");
  const outRoot = typeof outFlag === "string" ? outFlag : "out";
  const ids = selectExperimentIds(only); // an unknown id is an error naming the known ones
  const experiments: ReproduceSummary["experiments"] = [];
  let backend = "unknown";
  const t0 = Date.now();
  for (const id of ids) {
    let file = path.join(resultDir(outRoot, args.profile, id), "results.json");
    // The cached full-profile results shipped in data/results/ stand in for a full run not made here.
    const cached = shippedResultsFile(id);
    if (!fs.existsSync(file) && args.profile === "full" && fs.existsSync(cached)) file = cached;
    if (!fs.existsSync(file)) {
      console.log(
        `${id}: no cached results at ${file} (run \`npm run reproduce -- --profile ${args.profile} --only ${id}\`)`,
      );
      experiments.push({ id, state: "failed", error: "no results: run the experiment first" });
      continue;
    }
    const record = loadResults(file);
    backend = record.backend;
    const { bases: written, staticSkipped } = await saveFigures(getExperiment(id), record, outRoot);
    console.log(`${id}: ${written.length} figure(s) from ${file}`);
    if (staticSkipped !== null) console.log(`${id}: ${skippedFiguresLine(written.length, staticSkipped)}`);
    experiments.push({ id, state: "done", seconds: record.wallMs / 1000, results: file });
    if (args.flags.has("gallery")) {
      if (staticSkipped !== null) throw new Error(`--gallery needs the PNGs, which need Chromium: ${staticSkipped}`);
      const dir = path.join("docs", "gallery");
      fs.mkdirSync(dir, { recursive: true });
      const lines: string[] = [];
      for (const base of written.filter((b) => (GALLERY[id] ?? []).includes(path.basename(b)))) {
        const name = `${id}--${path.basename(base)}.png`;
        fs.copyFileSync(`${base}.png`, path.join(dir, name));
        lines.push(name);
      }
      const prov = `${id}: profile ${record.profile}, commit ${record.gitCommit}, backend ${record.backend}, seeds ${record.seeds.join(" ")}, ${record.startedAt}`;
      const claims = record.claims
        .filter(isClaim)
        .map(
          (c) =>
            `${c.id}\t${c.verdict}\t${formatEstimate(c.value, c.interval)}\t${c.threshold}\t${formatControl(c.control)}\t${c.statement}`,
        );
      const metrics = Object.entries(record.metrics).map(([k, v]) => `${k}\t${formatMetric(v)}`);
      writeFileAtomic(
        path.join(dir, `${id}.provenance.txt`),
        [prov, ...lines, "", ...claims, "", ...metrics].join("\n") + "\n",
      );
    }
  }
  await closeRenderer();
  const summary: ReproduceSummary = {
    profile: args.profile,
    seed: args.seed,
    jobs: 0,
    wallS: (Date.now() - t0) / 1000,
    backend,
    experiments,
  };
  const files = await writeReport(args.profile, outRoot, summary);
  console.log(`report: ${files.join(", ")}`);
  return experiments.some((e) => e.state === "failed") ? 1 : 0;
});
