/**
 * `tsx scripts/run-experiment.ts <id> [--profile P] [--seed N] [--backend B] [--out DIR] [--set JSON] [--no-figures] [--progress-json]`
 *
 * `--set '{"positions":"rotary","train":{"numSteps":1600}}'` runs a variant: the profile's config with these
 * fields replaced (validated; an unknown field is an error that names it). A variant needs its own `--out`, so
 * that it never replaces the profile's record; its results.json holds the config it ran.
 *
 * Runs ONE registered experiment in this process: writes `out/<profile>/<id>/results.json`, its CSVs and
 * its figures (JSON, SVG, PNG). `npm run reproduce` starts one such process per experiment (one per core).
 * With --progress-json, progress events go to stdout as `@@progress {json}` lines for the parent, and a last
 * `@@done {"cpuS", "engine"}` line gives the process's CPU seconds.
 */
import * as path from "path";
import "../src/takeaways/index";
import { summarizeVerdicts } from "../src/claims";
import { getExperiment, runExperiment } from "../src/run/experiment";
import { initBackend, describeBackend } from "../src/run/backend";
import { terminalProgress, Progress } from "../src/present/progress";
import { saveFigures, skippedFiguresLine } from "./figures-lib";
import { parseArgs, runMain } from "./cli";

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["out", "set"], ["no-figures", "progress-json"]);
  const id = args.positional[0];
  if (id === undefined) throw new Error("usage: run-experiment.ts <id> [--profile P] [--seed N]");
  const exp = getExperiment(id);
  const outFlag = args.flags.get("out");
  const outRoot = typeof outFlag === "string" ? outFlag : "out";
  const setFlag = args.flags.get("set");
  const overrides = typeof setFlag === "string" ? parseOverrides(setFlag) : undefined;
  if (overrides !== undefined && typeof outFlag !== "string")
    throw new Error(
      `--set runs a variant of ${id}: give it its own --out DIR (e.g. --out out/variants) so that it does not replace ${path.join("out", args.profile, id)}`,
    );
  const info = await initBackend(args.backend);
  const json = args.flags.has("progress-json");
  const progress: Progress = json
    ? { update: (e) => process.stdout.write(`@@progress ${JSON.stringify(e)}\n`) }
    : terminalProgress(process.stderr, 25, `${id} `);
  if (!json) console.error(`${id}: profile ${args.profile}, seed ${args.seed}, ${describeBackend(info)}`);
  const controller = new AbortController();
  process.once("SIGTERM", () => controller.abort());
  process.once("SIGINT", () => controller.abort());
  const record = await runExperiment(exp, {
    profile: args.profile,
    seed: args.seed,
    progress,
    outRoot,
    signal: controller.signal,
    ...(overrides !== undefined ? { overrides } : {}),
  });
  if (!args.flags.has("no-figures")) {
    // Without Chromium the figures stay interactive (JSON, report.html): a finished run is not a failure.
    const { bases, staticSkipped } = await saveFigures(exp, record, outRoot);
    if (staticSkipped !== null) console.error(`${id}: ${skippedFiguresLine(bases.length, staticSkipped)}`);
  }
  if (json) {
    // The parent records each experiment's CPU time (wall time on a shared machine says little alone).
    const cpu = process.cpuUsage();
    process.stdout.write(`@@done ${JSON.stringify({ cpuS: (cpu.user + cpu.system) / 1e6, engine: record.engine })}\n`);
  }
  console.error(
    `${id}: done in ${(record.wallMs / 1000).toFixed(1)} s; claims: ${summarizeVerdicts(record.claims)} -> ${path.join(outRoot, args.profile, id)}/`,
  );
  return 0;
});

/** `--set` JSON -> config overrides: a JSON object, or an error that shows the form. */
export function parseOverrides(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `--set: not valid JSON (${(e as Error).message}); give an object of config fields, e.g. --set '{"positions":"rotary"}'`,
    );
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new Error(`--set: must be a JSON object of config fields, e.g. --set '{"positions":"rotary"}', got ${text}`);
  return v as Record<string, unknown>;
}
