/**
 * `npm run site -- [--profile smoke|quick|full] [--seed N] [--execute] [--no-check] [--out DIR] [names...]`
 *
 * The teaching edition: a static, offline, self-contained site in `out/site/` (one HTML page per notebook,
 * a contents page with each takeaway's headline numbers, plotly shared once in `assets/`), readable without
 * running anything. For each notebook it takes the executed copy in `out/<profile>/notebooks/` when that
 * copy was made from the current source (same cells) and ran without error; otherwise (or with
 * `--execute`) it executes the notebook headless first, which reuses the experiment's cached record in
 * out/ when there is one (runInNotebook's `rerun: false`). Then it checks every page in headless
 * Chromium (scripts/check-site.ts; `--no-check` skips): no console error, no network request, every
 * figure drawn. Exits non-zero when a notebook failed or the check did.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, runMain } from "./cli";
import { findPython, ROOT } from "./jupyter";
import { executeNotebooks, NOTEBOOK_DIR, prepareKernel, selectNotebooks } from "./run-notebooks";
import {
  cellSeconds,
  type ContentsEntry,
  contentsPage,
  firstError,
  type Notebook,
  notebookExperimentKey,
  notebookPage,
  notebookTitle,
  recordDirs,
  sameSource,
  takeawaySentence,
} from "./site-lib";
import { checkSite } from "./check-site";
import { plotlyBundlePath } from "../src/present/render";
import { loadResults, writeFileAtomic } from "../src/run/results";
import { shippedResultsRoot } from "../src/run/cache";
import { isClaim } from "../src/claims";
import type { Profile } from "../src/config";

const readNb = (file: string): Notebook => JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;

/** The results record of a notebook's experiment at `profile` (in {@link recordDirs}: `<dir>/<key>-*`), or undefined. */
function findRecord(outRoot: string, profile: Profile, key: string | null): ContentsEntry["record"] {
  if (key === null) return undefined;
  const found = recordDirs(outRoot, profile, shippedResultsRoot())
    .filter((dir) => fs.existsSync(dir))
    .map((dir) => {
      const id = fs
        .readdirSync(dir)
        .find((d) => (d === key || d.startsWith(`${key}-`)) && fs.existsSync(path.join(dir, d, "results.json")));
      return id === undefined ? undefined : path.join(dir, id, "results.json");
    })
    .find((f) => f !== undefined);
  if (found === undefined) return undefined;
  try {
    const r = loadResults(found);
    return {
      id: r.id,
      profile: r.profile,
      baseSeed: r.baseSeed,
      seeds: r.seeds.length,
      startedAt: r.startedAt,
      claims: r.claims.filter(isClaim),
    };
  } catch {
    return undefined;
  }
}

/** A markdown renderer (marked is an ES module: loaded once, dynamically). */
async function markdown(): Promise<(md: string) => string> {
  const { Marked } = await import("marked");
  const m = new Marked({ gfm: true, async: false });
  return (md: string) => m.parse(md) as string;
}

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["out"], ["execute", "no-check"]);
  const profile = args.profile;
  const outRoot = path.join(ROOT, "out");
  const outFlag = args.flags.get("out");
  const siteDir = path.resolve(typeof outFlag === "string" ? outFlag : path.join(outRoot, "site"));
  const executedDir = path.join(outRoot, profile, "notebooks");
  const sources = selectNotebooks(NOTEBOOK_DIR, args.positional);

  // 1. Executed copies: reuse those made from the current source without error; execute the others.
  const stale = sources.filter((src) => {
    if (args.flags.has("execute")) return true;
    const copy = path.join(executedDir, path.basename(src));
    if (!fs.existsSync(copy)) return true;
    const executed = readNb(copy);
    return !sameSource(readNb(src), executed) || firstError(executed) !== null;
  });
  console.log(
    `site at profile ${profile}: ${sources.length - stale.length} executed copy(ies) reused from ${path.relative(ROOT, executedDir)}/, ${stale.length} to execute`,
  );
  let failed = 0;
  if (stale.length > 0) {
    const python = findPython(["nbclient", "nbformat", "jupyter_client", "ipykernel"]);
    const jupyterPath = prepareKernel(python);
    const runs = await executeNotebooks(stale, executedDir, {
      python,
      jupyterPath,
      timeoutS: profile === "full" ? 6 * 3600 : 1800,
      onDone: (run) => {
        console.log(`${run.ok ? "ok  " : "FAIL"} ${path.basename(run.notebook)} (${run.seconds.toFixed(1)} s)`);
        if (!run.ok) console.error(run.error);
      },
    });
    failed = runs.filter((r) => !r.ok).length;
  }

  // 2. Pages.
  const md = await markdown();
  fs.mkdirSync(path.join(siteDir, "assets"), { recursive: true });
  fs.copyFileSync(plotlyBundlePath(), path.join(siteDir, "assets", "plotly.min.js"));
  const names = sources.map((s) => path.basename(s));
  const executed = names.map((n) => readNb(path.join(executedDir, n)));
  const titles = executed.map((nb, i) => notebookTitle(nb, names[i] as string));
  const href = (n: string): string => n.replace(/\.ipynb$/, ".html");
  const entries: ContentsEntry[] = [];
  executed.forEach((nb, i) => {
    const name = names[i] as string;
    const page = notebookPage(nb, md, {
      name,
      plotlySrc: "assets/plotly.min.js",
      profile,
      provenance: `Executed at profile ${profile} (GEN2BRAIN_PROFILE); base seed ${args.seed}. The figures are interactive and need no network.`,
      ...(i > 0 ? { prev: { href: href(names[i - 1] as string), title: titles[i - 1] as string } } : {}),
      ...(i + 1 < names.length ? { next: { href: href(names[i + 1] as string), title: titles[i + 1] as string } } : {}),
    });
    writeFileAtomic(path.join(siteDir, href(name)), page);
    const seconds = nb.cells.reduce((s, c) => s + (c.cell_type === "code" ? (cellSeconds(c) ?? 0) : 0), 0);
    const error = firstError(nb);
    const record = findRecord(outRoot, profile, notebookExperimentKey(nb));
    entries.push({
      href: href(name),
      title: titles[i] as string,
      sentence: takeawaySentence(nb),
      seconds,
      ...(record ? { record } : {}),
      ...(error ? { error } : {}),
    });
  });
  writeFileAtomic(
    path.join(siteDir, "index.html"),
    contentsPage(entries, md, { profile, made: new Date().toISOString().replace(/\.\d+Z$/, "Z") }),
  );
  console.log(`wrote ${entries.length} page(s) and the contents to ${path.relative(ROOT, siteDir)}/`);
  const withErrors = entries.filter((e) => e.error !== undefined);
  for (const e of withErrors) console.error(`${e.href}: a cell failed: ${e.error}`);

  // 3. The browser check.
  if (args.flags.has("no-check")) return failed + withErrors.length === 0 ? 0 : 1;
  const pages = ["index.html", ...entries.map((e) => e.href)];
  const report = await checkSite(siteDir, pages);
  const bad = report.filter((r) => !r.ok);
  for (const r of report)
    console.log(
      `${r.ok ? "ok  " : "FAIL"} ${r.page}: ${r.figures} figure(s), ${r.rendered} drawn${r.problems.length ? `; ${r.problems.join("; ")}` : ""}`,
    );
  return failed + withErrors.length + bad.length === 0 ? 0 : 1;
});
