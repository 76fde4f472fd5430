/**
 * Rich display in a tslab notebook: interactive plotly figures with a static PNG fallback, tables,
 * markdown, and a progress display that updates in place. Outside a notebook (scripts, tests) every
 * `show*` is a no-op and {@link notebookProgress} falls back to a terminal bar.
 *
 * How the notebook is detected: a running tslab kernel has loaded `tslab/dist/jupyter.js`, whose
 * `lastWriteDisplayData` is the current cell's display writer (null in plain node). We look the
 * module up in `require.cache` instead of requiring it, so plain node never pays for loading tslab
 * (and its TypeScript compiler), and a kernel started from a global tslab is found too.
 *
 * plotly.js is inlined from node_modules once per kernel session (never a CDN, STYLE §14); each
 * figure then carries a div, a small script calling `Plotly.newPlot`, and a PNG (inside the div, and
 * as `image/png`) so GitHub, nbviewer and reopened (untrusted) notebooks still show the figure.
 * No experiment logic lives here.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import type { BackendInfo } from "../run/backend";
import { describeBackend } from "../run/backend";
import {
  checkClaims,
  type CheckClaimsOptions,
  type Claim,
  claimHtmlRow,
  claimsHtmlHeader,
  summarizeVerdicts,
  VERDICT_CSS,
} from "../claims";
import type { Profile } from "../config";
import type { Figure } from "./plot";
import { describeFigure } from "./plot";
import { formatInfo, Progress, ProgressEvent, renderBar, terminalProgress } from "./progress";
import { ChromeNotFoundError, plotlyBundlePath, renderPng, setRendererIdleTimeout } from "./render";
import { toJson } from "../run/results";
import { escapeHtml, rowsToHtml, rowsToText, TableFormatOptions, TableInput } from "./table";

// ---------------------------------------------------------------------------------------------
// The kernel's display channel

/** A Jupyter `display_data` content, as tslab's writer takes it. */
export interface DisplayMessage {
  readonly data: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly transient: { readonly display_id?: string };
}

type WriteDisplayData = (msg: DisplayMessage, update: boolean) => void;

const JUPYTER_MODULE = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

/** The running kernel's display writer, or null outside a tslab notebook. Read fresh each time: it changes per cell. */
function writer(): WriteDisplayData | null {
  const cache = require.cache as Record<string, { exports?: unknown } | undefined>;
  for (const key of Object.keys(cache)) {
    if (!JUPYTER_MODULE.test(key)) continue;
    const w = (cache[key]?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof w === "function") return w as WriteDisplayData;
  }
  return null;
}

/** Whether this code runs inside a tslab (Jupyter) kernel. */
export function isNotebook(): boolean {
  return writer() !== null;
}

/** A fresh id for a display that is later updated in place. */
export function newDisplayId(): string {
  return randomBytes(8).toString("hex");
}

/**
 * Send one display bundle (mime type → content; binary content base64) to the notebook. With `id`,
 * the display can be replaced later (`update: true`). Returns false outside a notebook.
 */
export function displayBundle(
  data: Readonly<Record<string, string>>,
  opts: { readonly id?: string; readonly update?: boolean; readonly metadata?: Readonly<Record<string, unknown>> } = {},
): boolean {
  const w = writer();
  if (!w) return false;
  w({ data, metadata: opts.metadata ?? {}, transient: opts.id ? { display_id: opts.id } : {} }, opts.update ?? false);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Figures

/** Options of {@link show}. */
export interface ShowOptions {
  /** Width in px (default: the layout's width; the interactive figure fills the cell otherwise; PNG 800). */
  readonly width?: number;
  /** Height in px (default: the layout's height, else 450). */
  readonly height?: number;
  /**
   * `true`: only the static PNG (no plotly); `false`: only the interactive figure (no PNG);
   * absent: both, unless the environment sets `GEN2BRAIN_STATIC=0`.
   */
  readonly static?: boolean;
  /** PNG pixel ratio (default 1, to keep notebooks small). */
  readonly scale?: number;
}

const PLOTLY_SENT = Symbol.for("gen2brain.display.plotlySent");
const WARNED = new Set<string>();

function warnOnce(key: string, message: string): void {
  if (WARNED.has(key)) return;
  WARNED.add(key);
  console.warn(message);
}

/** JSON that is safe inside a `<script>`: no `</script>`, no `<!--`, no line separators. */
function scriptJson(x: unknown): string {
  return toJson(x)
    .trim()
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * HTML that defines `window.Plotly` from node_modules' bundle. Module-system globals are shadowed
 * so the UMD header takes its browser branch (it assigns `window.Plotly`) even where require.js or
 * a CommonJS shim is present.
 */
export function plotlyLoaderHtml(): string {
  const file = plotlyBundlePath();
  const src = fs
    .readFileSync(file, "utf8")
    .replace(/<\/script/gi, "<\\/script")
    .replace(/<!--/g, "<\\!--");
  let version = "";
  try {
    version =
      (JSON.parse(fs.readFileSync(require.resolve("plotly.js-dist-min/package.json"), "utf8")) as { version?: string })
        .version ?? "";
  } catch {
    version = "";
  }
  return (
    `<script type="text/javascript">/* plotly.js ${version} inlined from node_modules/plotly.js-dist-min by gen2brain, once per kernel session */\n` +
    `(function(){var define=undefined,module=undefined,exports=undefined,require=undefined;\n${src}\n}).call(window);</script>` +
    `<div style="font-size:11px;color:#888">plotly.js ${escapeHtml(version)} loaded from node_modules</div>`
  );
}

/** The HTML of one interactive figure: a div (with the PNG fallback inside) and a script that draws into it. */
export function figureHtml(
  fig: Figure,
  id: string,
  opts: { width?: number; height: number; pngBase64?: string },
): string {
  const layout: Record<string, unknown> = { ...fig.layout, height: opts.height };
  if (opts.width) layout["width"] = opts.width;
  else delete layout["width"];
  const title = describeFigure(fig);
  const img = opts.pngBase64
    ? `<img src="data:image/png;base64,${opts.pngBase64}" alt="${escapeHtml(title)}" style="max-width:100%;height:auto"${opts.width ? ` width="${opts.width}"` : ""}>`
    : "";
  const style = `width:100%;${opts.width ? `max-width:${opts.width}px;` : ""}`;
  const script =
    `(function(){var id=${JSON.stringify(id)},fig=${scriptJson({ data: fig.data, layout, frames: fig.frames ?? [] })};` +
    `function draw(){var el=document.getElementById(id);if(!el)return;var fallback=el.innerHTML;el.innerHTML="";el.style.height=${opts.height}+"px";` +
    `window.Plotly.newPlot(el,{data:fig.data,layout:fig.layout,frames:fig.frames,config:{responsive:true,displaylogo:false}}).catch(function(){el.style.height="";el.innerHTML=fallback;});}` +
    `if(window.Plotly){draw();}else{var n=0,t=setInterval(function(){if(window.Plotly){clearInterval(t);draw();}else if(++n>100){clearInterval(t);}},100);}})();`;
  return `<div id="${id}" class="g2b-figure" style="${style}">${img}</div><script type="text/javascript">${script}</script>`;
}

async function pngFor(fig: Figure, width: number, height: number, scale: number): Promise<string | undefined> {
  try {
    return (await renderPng(fig, { width, height, scale })).toString("base64");
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof ChromeNotFoundError) {
      warnOnce(
        "chrome",
        `gen2brain: figures are shown without their static PNG fallback (GitHub and nbviewer will not see them): ${msg} Set GEN2BRAIN_STATIC=0 to skip the PNG silently.`,
      );
    } else {
      warnOnce(msg, `gen2brain: could not render the static PNG of a figure (${msg}); showing it without one.`);
    }
    return undefined;
  }
}

/**
 * Show a figure in the notebook: interactive plotly plus a static PNG fallback (see {@link ShowOptions}).
 * Await it (`await lab.show(fig)`) so the output lands in this cell. Outside a notebook it does
 * nothing. It resolves to nothing, so tslab does not print the figure's JSON after it.
 */
export async function show(fig: Figure, opts: ShowOptions = {}): Promise<void> {
  const w = writer();
  if (!w) return;
  setRendererIdleTimeout(60_000); // a kernel lives long: keep the browser between figures for a while
  const lw = fig.layout["width"];
  const lh = fig.layout["height"];
  const width = opts.width ?? (typeof lw === "number" ? lw : undefined);
  const height = opts.height ?? (typeof lh === "number" ? lh : 450);
  const interactive = opts.static !== true;
  const wantPng = opts.static === true || (opts.static === undefined && process.env["GEN2BRAIN_STATIC"] !== "0");
  const png = wantPng ? await pngFor(fig, width ?? 800, height, opts.scale ?? 1) : undefined;
  const data: Record<string, string> = { "text/plain": describeFigure(fig) };
  const metadata: Record<string, unknown> = {};
  if (png) {
    data["image/png"] = png;
    metadata["image/png"] = { width: width ?? 800, height };
  }
  if (interactive) {
    const g = globalThis as unknown as Record<symbol, boolean | undefined>;
    if (!g[PLOTLY_SENT]) {
      w(
        { data: { "text/html": plotlyLoaderHtml(), "text/plain": "plotly.js loaded" }, metadata: {}, transient: {} },
        false,
      );
      g[PLOTLY_SENT] = true;
    }
    data["text/html"] = figureHtml(fig, `g2b-fig-${newDisplayId()}`, { width, height, pngBase64: png });
  }
  w({ data, metadata, transient: {} }, false);
}

// ---------------------------------------------------------------------------------------------
// Tables, markdown, backend

/** Show rows (plain objects) or a danfo DataFrame as an HTML table. No-op outside a notebook. */
export function showTable(data: TableInput, opts: TableFormatOptions = {}): void {
  if (!isNotebook()) return;
  displayBundle({ "text/html": rowsToHtml(data, opts), "text/plain": rowsToText(data, opts) });
}

/** Show markdown (text between cells, computed numbers in sentences). No-op outside a notebook. */
export function showMarkdown(md: string): void {
  displayBundle({ "text/markdown": md, "text/plain": md });
}

/** Show raw HTML. No-op outside a notebook. */
export function showHtml(html: string, text = ""): void {
  displayBundle({ "text/html": html, "text/plain": text });
}

/**
 * The closing cell of a notebook: show the record's claims as a table (verdict coloured; hover a claim for
 * the paper's sentence, what would refute it and why this verdict) and run {@link checkClaims} on them, so
 * strict mode (`GEN2BRAIN_STRICT=1`) still throws. Returns the check's lines (printed too outside a notebook).
 */
export function showClaims(
  record: { readonly id?: string; readonly profile: Profile; readonly claims: ReadonlyArray<Claim> },
  opts: CheckClaimsOptions = {},
): string[] {
  const html =
    `<style>${VERDICT_CSS}</style><table>${claimsHtmlHeader()}` +
    record.claims.map((c) => claimHtmlRow(c)).join("") +
    `</table><p>${escapeHtml(`${record.id ? `${record.id}: ` : ""}${summarizeVerdicts(record.claims)} (profile ${record.profile})`)}</p>`;
  if (!isNotebook()) return checkClaims(record, { ...opts, log: opts.log ?? ((l) => console.log(l)) });
  // Display before the check: in strict mode it throws, and the table should be there to read.
  const text = checkClaims(record, { strict: false }).join("\n");
  displayBundle({ "text/html": html, "text/plain": text });
  return checkClaims(record, opts);
}

/** Show which tfjs backend runs and why (with what else loaded or failed). Returns the one-line description. */
export function showBackend(info: BackendInfo): string {
  const line = describeBackend(info);
  if (!isNotebook()) return line;
  const flags = Object.entries(info.flags)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const md = [
    `**tfjs backend: \`${info.choice}\`** (tfjs name \`${info.tfBackend}\`${flags ? `; ${flags}` : ""})`,
    "",
    `${info.reason}`,
    "",
    `| backend | status |`,
    `|---|---|`,
    ...info.available.map((b) => `| \`${b}\` | ${b === info.choice ? "**in use**" : "available"} |`),
    ...info.unavailable.map(
      (u) => `| \`${u.choice}\` | not available: ${u.error.split("\n")[0]?.replace(/\|/g, "\\|")} |`,
    ),
  ].join("\n");
  displayBundle({ "text/markdown": md, "text/plain": line });
  return line;
}

// ---------------------------------------------------------------------------------------------
// Live progress

/** Options of {@link notebookProgress}. */
export interface NotebookProgressOptions {
  /** Minimum time between redraws (default 250 ms: ~4 updates/s). */
  readonly minIntervalMs?: number;
  /** Finished tasks listed above the bar (default 12). */
  readonly keepDone?: number;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The progress display's HTML (pure, for tests). */
export function progressHtml(e: ProgressEvent | null, elapsedMs: number, done: ReadonlyArray<string>): string {
  const rows = done.map((d) => `<div style="color:#555">✓ ${escapeHtml(d)}</div>`);
  if (e) {
    const frac = e.total > 0 ? Math.min(1, Math.max(0, e.step / e.total)) : 0;
    const pct = (frac * 100).toFixed(0);
    const eta = frac > 0 && frac < 1 ? ` · ETA ${seconds((elapsedMs * (1 - frac)) / frac)}` : "";
    const info = formatInfo(e.info);
    rows.push(
      `<div style="display:flex;align-items:center;gap:8px">` +
        `<span style="min-width:10em">${escapeHtml(e.label)}</span>` +
        `<span style="display:inline-block;width:220px;height:12px;background:#e6e6e6;border-radius:3px;overflow:hidden">` +
        `<span style="display:block;width:${pct}%;height:100%;background:#0072B2"></span></span>` +
        `<span>${pct}% ${e.step}/${e.total} · ${seconds(elapsedMs)}${eta}${info ? ` · ${escapeHtml(info)}` : ""}</span></div>`,
    );
  }
  return `<div class="g2b-progress" style="font-family:monospace;font-size:12px;line-height:1.6">${rows.join("")}</div>`;
}

/**
 * A progress display that updates in place in the notebook (one output, redrawn at most ~4 times a
 * second); a terminal bar outside a notebook. Pass it as `progress` to experiments and the trainer.
 */
export function notebookProgress(opts: NotebookProgressOptions = {}): Progress {
  if (!isNotebook()) return terminalProgress();
  const minInterval = opts.minIntervalMs ?? 250;
  const keep = opts.keepDone ?? 12;
  const id = newDisplayId();
  const done: string[] = [];
  let shown = false;
  let lastDraw = 0;
  let current: ProgressEvent | null = null;
  let labelStart = Date.now();
  let timer: NodeJS.Timeout | null = null;

  const draw = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    lastDraw = Date.now();
    const text = [...done.map((d) => `✓ ${d}`), ...(current ? [renderBar(current)] : [])].join("\n");
    const sent = displayBundle(
      { "text/html": progressHtml(current, Date.now() - labelStart, done), "text/plain": text },
      { id, update: shown },
    );
    shown = shown || sent;
  };

  return {
    update(e) {
      if (!current || e.label !== current.label) labelStart = Date.now();
      current = e;
      const now = Date.now();
      if (!shown || e.step >= e.total || now - lastDraw >= minInterval) {
        draw();
      } else if (!timer) {
        // Trailing redraw, so the last update of a burst is not lost.
        timer = setTimeout(draw, minInterval - (now - lastDraw));
        timer.unref();
      }
    },
    done(label) {
      const e = current && current.label === label ? current : null;
      const info = e ? formatInfo(e.info) : "";
      done.push(
        `${label}${e ? ` — ${e.step}/${e.total}` : ""} in ${seconds(Date.now() - labelStart)}${info ? ` · ${info}` : ""}`,
      );
      if (done.length > keep) done.splice(0, done.length - keep);
      if (e) current = null;
      draw();
    },
  };
}
