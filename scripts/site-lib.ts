/**
 * The teaching edition's pages, as pure functions of executed notebooks (for `npm run site`, tested in
 * site.test.ts): one HTML page per notebook (markdown, code, outputs, the measured run time of each
 * section) and a contents page with each takeaway's sentence and its headline numbers from the claims.
 * plotly is not inlined per page: every page loads one shared copy (`assets/plotly.min.js`, from
 * node_modules), so the edition works offline and from file://. Figures keep the PNG fallback that
 * `lab.show` put inside their div.
 */
import { claimHtmlRow, claimsHtmlHeader, type Claim, summarizeVerdicts, VERDICT_CSS } from "../src/claims";
import { escapeHtml } from "../src/present/table";

/** A notebook cell as nbformat 4 stores it. */
export interface NbCell {
  readonly cell_type: string;
  readonly source: string | ReadonlyArray<string>;
  readonly outputs?: ReadonlyArray<NbOutput>;
  readonly metadata?: { readonly execution?: Readonly<Record<string, string>> };
}

/** A code cell's output as nbformat 4 stores it. */
export interface NbOutput {
  readonly output_type: string;
  readonly name?: string;
  readonly text?: string | ReadonlyArray<string>;
  readonly data?: Readonly<Record<string, string | ReadonlyArray<string>>>;
  readonly ename?: string;
  readonly evalue?: string;
  readonly traceback?: ReadonlyArray<string>;
}

export interface Notebook {
  readonly cells: ReadonlyArray<NbCell>;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Markdown to HTML (marked's `parse`, passed in so these functions stay pure and synchronous). */
export type MarkdownRenderer = (md: string) => string;

export const join = (s: string | ReadonlyArray<string> | undefined): string =>
  s === undefined ? "" : typeof s === "string" ? s : s.join("");

/** The ANSI colour codes of kernel tracebacks, removed. */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}

/** Whether an HTML output is the plotly loader that `lab.show` sends once per kernel (the page loads plotly itself). */
export function isPlotlyLoader(html: string): boolean {
  return /^<script type="text\/javascript">\/\* plotly\.js [^*]*inlined from node_modules/.test(html);
}

/** Seconds a code cell took (nbclient's iopub busy → idle timestamps), or null when not recorded. */
export function cellSeconds(cell: NbCell): number | null {
  const e = cell.metadata?.execution;
  const a = e?.["iopub.status.busy"];
  const b = e?.["iopub.status.idle"];
  if (!a || !b) return null;
  const s = (Date.parse(b) - Date.parse(a)) / 1000;
  return Number.isFinite(s) && s >= 0 ? s : null;
}

/** "0.4 s", "12 s", "3 min 5 s". */
export function formatSeconds(s: number): string {
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The notebook's title: the first `# ` heading, without markdown. */
export function notebookTitle(nb: Notebook, fallback: string): string {
  for (const c of nb.cells) {
    if (c.cell_type !== "markdown") continue;
    const m = /^#\s+(.+)$/m.exec(join(c.source));
    if (m) return (m[1] as string).replace(/[*_`]/g, "").trim();
  }
  return fallback;
}

/** The paragraph that starts "**The takeaway in one sentence.**", without its label; "" when absent. */
export function takeawaySentence(nb: Notebook): string {
  for (const c of nb.cells) {
    if (c.cell_type !== "markdown") continue;
    const m = /\*\*The takeaway in one sentence\.\*\*\s*([\s\S]*?)(?:\n\s*\n|$)/.exec(join(c.source));
    if (m) return (m[1] as string).replace(/\s+/g, " ").trim();
  }
  return "";
}

/** The experiment a notebook runs, as its id's prefix: `lab.t3.experiment` → "t3", `lab.demoExperiment` → "demo". */
export function notebookExperimentKey(nb: Notebook): string | null {
  const code = nb.cells
    .filter((c) => c.cell_type === "code")
    .map((c) => join(c.source))
    .join("\n");
  const m = /lab\.(t\d+)\.experiment\b/.exec(code);
  if (m) return m[1] as string;
  return /lab\.demoExperiment\b/.test(code) ? "demo" : null;
}

/** Per `## ` section (keyed by the index of its heading cell): the seconds its code cells took, and how many were timed. */
export function sectionTimes(nb: Notebook): Map<number, { seconds: number; cells: number }> {
  const out = new Map<number, { seconds: number; cells: number }>();
  let current = -1;
  nb.cells.forEach((c, i) => {
    if (c.cell_type === "markdown" && /^##\s/m.test(join(c.source))) {
      current = i;
      out.set(i, { seconds: 0, cells: 0 });
    } else if (c.cell_type === "code" && current >= 0) {
      const s = cellSeconds(c);
      const t = out.get(current) as { seconds: number; cells: number };
      if (s !== null) out.set(current, { seconds: t.seconds + s, cells: t.cells + 1 });
    }
  });
  return out;
}

/** Links to sibling notebooks (`01-world-model.ipynb#x`) become links to their pages. */
export function rewriteNotebookLinks(html: string): string {
  return html.replace(/href="((?:\.\/)?[\w.-]+)\.ipynb(#[^"]*)?"/g, (_, base: string, hash: string | undefined) => {
    return `href="${base}.html${hash ?? ""}"`;
  });
}

function outputHtml(o: NbOutput, md: MarkdownRenderer): string {
  if (o.output_type === "stream") {
    const cls = o.name === "stderr" ? "g2b-stderr" : "g2b-stdout";
    return `<pre class="${cls}">${escapeHtml(stripAnsi(join(o.text)))}</pre>`;
  }
  if (o.output_type === "error") {
    const tb = (o.traceback ?? []).map(stripAnsi).join("\n");
    return `<pre class="g2b-error">${escapeHtml(`${o.ename ?? "Error"}: ${o.evalue ?? ""}\n${tb}`)}</pre>`;
  }
  const d = o.data ?? {};
  const html = d["text/html"];
  if (html !== undefined) {
    const h = join(html);
    return isPlotlyLoader(h) ? "" : `<div class="g2b-html">${h}</div>`;
  }
  if (d["text/markdown"] !== undefined) return `<div class="g2b-md-output">${md(join(d["text/markdown"]))}</div>`;
  if (d["image/png"] !== undefined)
    return `<img class="g2b-png" alt="figure" src="data:image/png;base64,${join(d["image/png"]).trim()}">`;
  if (d["image/svg+xml"] !== undefined) return `<div class="g2b-svg">${join(d["image/svg+xml"])}</div>`;
  if (d["text/plain"] !== undefined) return `<pre class="g2b-stdout">${escapeHtml(join(d["text/plain"]))}</pre>`;
  return "";
}

/** Consecutive stream outputs of one name, merged (tslab sends one per console.log). */
function mergeStreams(outputs: ReadonlyArray<NbOutput>): NbOutput[] {
  const out: NbOutput[] = [];
  for (const o of outputs) {
    const last = out[out.length - 1];
    if (o.output_type === "stream" && last?.output_type === "stream" && last.name === o.name)
      out[out.length - 1] = { ...last, text: join(last.text) + join(o.text) };
    else out.push(o);
  }
  return out;
}

export const SITE_CSS = `
body{font-family:'Helvetica Neue',Helvetica,Arial,'DejaVu Sans',sans-serif;max-width:980px;margin:0 auto;padding:1em 1.5em 4em;line-height:1.5;color:#222}
nav.g2b-nav{font-size:14px;border-bottom:1px solid #ddd;padding:.4em 0;margin-bottom:1em;display:flex;gap:1.5em}
pre{background:#f6f8fa;padding:.6em .8em;overflow-x:auto;font-size:13px;line-height:1.35;border-radius:4px}
pre.g2b-code{border-left:3px solid #0072B2}
pre.g2b-stdout{background:#fff;border:1px solid #eee;white-space:pre-wrap}
pre.g2b-stderr{background:#fff8e6;border:1px solid #f0d080;white-space:pre-wrap}
pre.g2b-error{background:#fde8e8;border:1px solid #e08080}
.g2b-cell-time{font-size:12px;color:#777;margin:-.6em 0 .6em}
.g2b-section-time{font-size:13px;color:#555;background:#eef6fb;padding:.3em .6em;border-radius:4px;display:inline-block}
table{border-collapse:collapse;font-size:13px;margin:.6em 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
img{max-width:100%;height:auto}details{background:#f4f9f4;border:1px solid #cfe3cf;padding:.4em .8em;border-radius:4px;margin:.5em 0}
summary{cursor:pointer;font-weight:bold}
.g2b-contents li{margin-bottom:1.2em}
${VERDICT_CSS}
`;

/** Options of {@link notebookPage}. */
export interface PageOptions {
  /** File name of the source notebook (for the title and the "source" link). */
  readonly name: string;
  /** Path of the shared plotly bundle relative to the page. */
  readonly plotlySrc: string;
  readonly profile: string;
  /** Pages before and after, for the navigation bar. */
  readonly prev?: { href: string; title: string };
  readonly next?: { href: string; title: string };
  /** A line under the title (how this edition was made). */
  readonly provenance?: string;
}

/** One notebook as a standalone HTML page (outputs as executed; plotly from `plotlySrc`). */
export function notebookPage(nb: Notebook, md: MarkdownRenderer, opts: PageOptions): string {
  const times = sectionTimes(nb);
  const parts: string[] = [];
  nb.cells.forEach((c, i) => {
    const source = join(c.source);
    if (c.cell_type === "markdown") {
      parts.push(`<div class="g2b-md">${rewriteNotebookLinks(md(source))}</div>`);
      const t = times.get(i);
      if (t && t.cells > 0)
        parts.push(
          `<p class="g2b-section-time">Measured for this edition: this section's code ran in ${formatSeconds(t.seconds)} at profile ${escapeHtml(opts.profile)}.</p>`,
        );
      return;
    }
    if (c.cell_type !== "code") return;
    parts.push(`<pre class="g2b-code"><code class="language-typescript">${escapeHtml(source)}</code></pre>`);
    const s = cellSeconds(c);
    if (s !== null) parts.push(`<div class="g2b-cell-time">ran in ${formatSeconds(s)}</div>`);
    for (const o of mergeStreams(c.outputs ?? [])) parts.push(outputHtml(o, md));
  });
  const title = notebookTitle(nb, opts.name);
  const hasFigures = parts.some((p) => p.includes('class="g2b-figure"'));
  const nav = [
    `<a href="index.html">Contents</a>`,
    opts.prev ? `<a href="${opts.prev.href}">← ${escapeHtml(opts.prev.title)}</a>` : "",
    opts.next ? `<a href="${opts.next.href}">${escapeHtml(opts.next.title)} →</a>` : "",
  ]
    .filter((x) => x !== "")
    .join("");
  return pageShell(
    title,
    hasFigures ? opts.plotlySrc : null,
    `<nav class="g2b-nav">${nav}</nav>` +
      (opts.provenance ? `<p class="g2b-section-time">${escapeHtml(opts.provenance)}</p>` : "") +
      parts.join("\n") +
      `<nav class="g2b-nav">${nav}</nav>`,
  );
}

function pageShell(title: string, plotlySrc: string | null, body: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${SITE_CSS}</style>` +
    (plotlySrc ? `<script type="text/javascript" src="${plotlySrc}"></script>` : "") +
    `</head><body>\n${body}\n</body></html>\n`
  );
}

/**
 * Where the contents page looks for a notebook's record, in order: out/<profile>/, and at full also the shipped
 * full runs in data/results/ (which the notebook itself loads when out/ has none; see src/run/cache.ts).
 */
export function recordDirs(outRoot: string, profile: string, shippedRoot: string): string[] {
  return [`${outRoot}/${profile}`, ...(profile === "full" ? [shippedRoot] : [])];
}

/** One entry of the contents page. */
export interface ContentsEntry {
  readonly href: string;
  readonly title: string;
  readonly sentence: string;
  /** The record's claims (headline numbers) and where they come from; absent when no record was found. */
  readonly record?: {
    readonly id: string;
    readonly profile: string;
    readonly baseSeed: number;
    readonly seeds: number;
    readonly startedAt: string;
    readonly claims: ReadonlyArray<Claim>;
  };
  /** Seconds the whole notebook took in this edition. */
  readonly seconds?: number;
  /** The first failing cell's error, when the executed notebook has one. */
  readonly error?: string;
}

/** The contents page: every notebook with its takeaway and headline numbers (the claims of its record). */
export function contentsPage(
  entries: ReadonlyArray<ContentsEntry>,
  md: MarkdownRenderer,
  meta: { profile: string; made: string },
): string {
  const items = entries.map((e) => {
    const r = e.record;
    const claims = r
      ? `<table>${claimsHtmlHeader()}${r.claims.map((c) => claimHtmlRow(c)).join("")}</table>` +
        `<p style="font-size:13px;color:#555">${escapeHtml(`${r.id}, profile ${r.profile}, base seed ${r.baseSeed}, ${r.seeds} seed(s), run ${r.startedAt}: ${summarizeVerdicts(r.claims)}`)}</p>`
      : `<p style="font-size:13px;color:#555">No results record of this notebook's experiment was found at this profile.</p>`;
    return (
      `<li><h2><a href="${e.href}">${escapeHtml(e.title)}</a></h2>` +
      (e.sentence ? `<div>${md(e.sentence)}</div>` : "") +
      (e.seconds !== undefined ? `<p class="g2b-section-time">ran in ${formatSeconds(e.seconds)}</p>` : "") +
      (e.error ? `<pre class="g2b-error">${escapeHtml(e.error)}</pre>` : "") +
      claims +
      `</li>`
    );
  });
  return pageShell(
    "gen2brain: the teaching edition",
    null,
    `<h1>gen2brain: the teaching edition</h1>` +
      `<p>C. Gros, <em>From generative AI to the brain: five takeaways</em> (2025), reproduced with small, really trained ` +
      `TensorFlow.js models, and notebook 06 after Ohmae &amp; Ohmae (2025). Every page is an executed notebook; ` +
      `the figures are interactive and work offline. Verdicts come from 95% intervals over seeds: hover a claim for the ` +
      `paper's sentence and what would refute it.</p>` +
      `<p class="g2b-section-time">${escapeHtml(`Profile ${meta.profile}; made ${meta.made}.`)}</p>` +
      `<ol class="g2b-contents">${items.join("\n")}</ol>`,
  );
}

/** The first error output of an executed notebook, as text; null when every cell ran. */
export function firstError(nb: Notebook): string | null {
  for (const c of nb.cells)
    for (const o of c.outputs ?? []) if (o.output_type === "error") return stripAnsi(`${o.ename}: ${o.evalue}`);
  return null;
}

/** Whether an executed copy was made from this very source: the same cells in the same order. */
export function sameSource(source: Notebook, executed: Notebook): boolean {
  if (source.cells.length !== executed.cells.length) return false;
  return source.cells.every((c, i) => {
    const e = executed.cells[i] as NbCell;
    return c.cell_type === e.cell_type && join(c.source) === join(e.source);
  });
}
