import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "path";
import {
  contentsPage,
  firstError,
  isPlotlyLoader,
  type Notebook,
  notebookExperimentKey,
  notebookPage,
  recordDirs,
  rewriteNotebookLinks,
  sameSource,
  sectionTimes,
  takeawaySentence,
} from "./site-lib";
import { plotlyLoaderHtml, figureHtml } from "../src/present/display";
import { lineFigure } from "../src/present/plot";
import { runScript } from "./script-testing";
import { tempDir } from "../src/run/testing";

const md = (s: string): string => `<p>${s}</p>`;
const at = (s: number): Record<string, string> => ({
  "iopub.status.busy": new Date(Date.UTC(2026, 0, 1, 0, 0, 0)).toISOString(),
  "iopub.status.idle": new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString(),
});
const fig = lineFigure([{ name: "a", x: [1, 2], y: [3, 4] }], { title: "t", xTitle: "x", yTitle: "y" });
const nb: Notebook = {
  cells: [
    { cell_type: "markdown", source: "# Title\n\n**The takeaway in one sentence.** It works.\n\nMore." },
    { cell_type: "markdown", source: "## Setup" },
    {
      cell_type: "code",
      source: "const exp = lab.t3.experiment;",
      metadata: { execution: at(2) },
      outputs: [
        { output_type: "stream", name: "stdout", text: "a\n" },
        { output_type: "stream", name: "stdout", text: "b <c>\n" },
      ],
    },
    {
      cell_type: "code",
      source: "await lab.show(fig);",
      metadata: { execution: at(3) },
      outputs: [
        { output_type: "display_data", data: { "text/html": plotlyLoaderHtml(), "text/plain": "loaded" } },
        { output_type: "display_data", data: { "text/html": figureHtml(fig, "f1", { height: 300 }) } },
      ],
    },
    { cell_type: "markdown", source: "## Next\nsee [01](01-world-model.ipynb#x)" },
  ],
};

test("site pages: sections timed, streams merged and escaped, the plotly loader dropped, links to pages", () => {
  assert.equal(takeawaySentence(nb), "It works.");
  assert.equal(notebookExperimentKey(nb), "t3");
  assert.deepEqual(
    [...sectionTimes(nb).entries()],
    [
      [1, { seconds: 5, cells: 2 }],
      [4, { seconds: 0, cells: 0 }],
    ],
  );
  assert.ok(isPlotlyLoader(plotlyLoaderHtml()));
  const html = notebookPage(nb, md, { name: "03-x.ipynb", plotlySrc: "assets/plotly.min.js", profile: "smoke" });
  assert.ok(html.includes('<script type="text/javascript" src="assets/plotly.min.js">'));
  assert.ok(!html.includes("inlined from node_modules"), "the per-notebook plotly copy is dropped");
  assert.ok(html.includes("a\nb &lt;c&gt;\n"), "consecutive stdout merged and escaped");
  assert.ok(html.includes("this section's code ran in 5.0 s at profile smoke"));
  assert.ok(html.includes('id="f1" class="g2b-figure"'));
  assert.equal(rewriteNotebookLinks('<a href="01-world-model.ipynb#x">'), '<a href="01-world-model.html#x">');
  assert.equal(rewriteNotebookLinks('<a href="https://x.org/a.ipynb">'), '<a href="https://x.org/a.ipynb">');
});

test("site: stale or failed executed copies are detected; the contents page shows claims or says there are none", () => {
  const edited: Notebook = { cells: nb.cells.map((c, i) => (i === 2 ? { ...c, source: "changed" } : c)) };
  assert.ok(sameSource(nb, nb));
  assert.ok(!sameSource(nb, edited));
  assert.equal(firstError(nb), null);
  const failed: Notebook = {
    cells: [
      {
        cell_type: "code",
        source: "x",
        outputs: [{ output_type: "error", ename: "TypeError", evalue: "\u001b[31mbad" }],
      },
    ],
  };
  assert.equal(firstError(failed), "TypeError: bad");
  const page = contentsPage([{ href: "03-x.html", title: "T3", sentence: "It works." }], md, {
    profile: "quick",
    made: "now",
  });
  assert.ok(page.includes('href="03-x.html"') && page.includes("No results record"));
});

test("recordDirs: out/<profile>/ first; at full the shipped runs in data/results/ too, at other profiles not", () => {
  assert.deepEqual(recordDirs("/r/out", "full", "/r/data/results"), ["/r/out/full", "/r/data/results"]);
  assert.deepEqual(recordDirs("/r/out", "quick", "/r/data/results"), ["/r/out/quick"]);
  assert.deepEqual(recordDirs("/r/out", "smoke", "/r/data/results"), ["/r/out/smoke"]);
});

test("check-site: a folder that is not there, or one without pages, is an error, not a pass", (t) => {
  const empty = tempDir(t, "g2b-site-");
  for (const [dir, why] of [
    [path.join(empty, "none"), /is not a folder/],
    [empty, /no HTML page in .* to check/],
  ] as const) {
    const r = runScript("check-site.ts", [dir], { timeoutMs: 60_000 });
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, why);
  }
});
