/**
 * Static figure export (SVG, PNG) through headless Chromium and plotly's own `Plotly.toImage`, so a
 * saved figure looks exactly like the interactive one. plotly.js is loaded from `node_modules`
 * (never a CDN: everything works offline).
 *
 * One browser and one page per process, launched on first use and reused, so rendering many
 * figures costs one launch. An open browser keeps Node alive, so it is closed after a short idle
 * time (see {@link setRendererIdleTimeout}), on {@link closeRenderer}, and on process exit.
 */
import * as fs from "fs";
import * as path from "path";
import type { Browser, Page } from "playwright-core";
import type { Figure } from "./plot";
import { describeFigure } from "./plot";
import { toJson, writeFileAtomic } from "../run/results";

/** Size of a static image: CSS pixels, and the PNG's pixel ratio. */
export interface RenderOptions {
  /** Width in px (default: the figure's layout.width, else 800). */
  readonly width?: number;
  /** Height in px (default: the figure's layout.height, else 500). */
  readonly height?: number;
  /** PNG pixel ratio (default 2: sharp on high-density screens and in papers). SVG ignores it. */
  readonly scale?: number;
}

export const RENDER_DEFAULTS = Object.freeze({ width: 800, height: 500, scale: 2 });

/** Where Chromium is looked for when no environment variable names one, in order. */
export const CHROME_CANDIDATES: ReadonlyArray<string> = Object.freeze([
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
]);

/** Chromium flags for headless, offline rendering (also used by scripts/check-browser.ts). */
export const CHROME_ARGS: ReadonlyArray<string> = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];

/** Thrown when no Chrome/Chromium binary can be found; its message says how to get one. */
export class ChromeNotFoundError extends Error {
  override readonly name = "ChromeNotFoundError";
}

/**
 * The Chrome/Chromium binary to use: `GEN2BRAIN_CHROME`, else `CHROME_PATH`, else the first of
 * {@link CHROME_CANDIDATES} that exists. Throws {@link ChromeNotFoundError} with the fix otherwise.
 */
export function findChrome(env: NodeJS.ProcessEnv = process.env): string {
  for (const name of ["GEN2BRAIN_CHROME", "CHROME_PATH"]) {
    const p = env[name];
    if (p === undefined || p === "") continue;
    if (!isExecutable(p)) {
      throw new ChromeNotFoundError(
        `${name}=${p} is not an executable file. Point ${name} at a Chrome or Chromium binary ` +
          `(e.g. /usr/bin/chromium), or unset it and install Chromium: sudo apt-get install chromium`,
      );
    }
    return p;
  }
  for (const p of CHROME_CANDIDATES) if (isExecutable(p)) return p;
  throw new ChromeNotFoundError(
    `Chromium is needed to save figures as SVG/PNG, but none was found (looked at ${CHROME_CANDIDATES.join(", ")}). ` +
      `Install it with: sudo apt-get install chromium   or set GEN2BRAIN_CHROME to a Chrome/Chromium binary.`,
  );
}

/** Whether a Chrome/Chromium binary can be found (no launch). */
export function chromeAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    findChrome(env);
    return true;
  } catch {
    return false;
  }
}

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The plotly.js bundle in node_modules. */
export function plotlyBundlePath(): string {
  try {
    return require.resolve("plotly.js-dist-min/plotly.min.js");
  } catch {
    throw new Error("plotly.js-dist-min is not installed; run `npm ci` in the repository root");
  }
}

// ---------------------------------------------------------------------------------------------
// The shared browser

interface Session {
  readonly browser: Browser;
  readonly page: Page;
}

let session: Promise<Session> | null = null;
let queue: Promise<unknown> = Promise.resolve();
let idleTimer: NodeJS.Timeout | null = null;
let idleMs = 2000;
const RENDER_TIMEOUT_MS = 60_000;

/**
 * How long the browser stays open after the last render (ms). Short by default so scripts exit
 * promptly; notebooks (display.ts) raise it. `Infinity` keeps it until {@link closeRenderer} or exit.
 */
export function setRendererIdleTimeout(ms: number): void {
  if (!(ms >= 0)) throw new Error(`setRendererIdleTimeout: ms must be >= 0, got ${ms}`);
  idleMs = ms;
}

async function launch(): Promise<Session> {
  const executablePath = findChrome();
  // Lazy: playwright-core costs ~100 ms to load and only figure export needs it.
  const { chromium } = require("playwright-core") as typeof import("playwright-core");
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, args: [...CHROME_ARGS], timeout: 60_000 });
  } catch (e) {
    throw new Error(
      `could not launch Chromium at ${executablePath} (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); set GEN2BRAIN_CHROME to a working Chrome/Chromium binary`,
    );
  }
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ path: plotlyBundlePath() });
    return { browser, page };
  } catch (e) {
    await browser.close().catch(() => undefined);
    throw e;
  }
}

function getSession(): Promise<Session> {
  if (!session) {
    const s = launch();
    session = s;
    s.then(
      ({ browser }) =>
        browser.on("disconnected", () => {
          if (session === s) session = null;
        }),
      () => {
        if (session === s) session = null;
      },
    );
  }
  return session;
}

/** Close the shared browser (if open). Safe to call any time; the next render launches a new one. */
export async function closeRenderer(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  const s = session;
  session = null;
  if (!s) return;
  try {
    await (await s).browser.close();
  } catch {
    // Launch failed or the browser is already gone: nothing to close.
  }
}

function armIdleTimer(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  if (!Number.isFinite(idleMs)) return;
  idleTimer = setTimeout(() => {
    idleTimer = null;
    void closeRenderer();
  }, idleMs);
  idleTimer.unref();
}

function sizeOf(fig: Figure, opts: RenderOptions): { width: number; height: number; scale: number } {
  const lw = fig.layout["width"];
  const lh = fig.layout["height"];
  const width = opts.width ?? (typeof lw === "number" ? lw : RENDER_DEFAULTS.width);
  const height = opts.height ?? (typeof lh === "number" ? lh : RENDER_DEFAULTS.height);
  const scale = opts.scale ?? RENDER_DEFAULTS.scale;
  for (const [k, v] of Object.entries({ width, height, scale })) {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`render: options.${k} must be a positive number, got ${v}`);
  }
  return { width, height, scale };
}

/** Render with Plotly.toImage; renders are queued so one page serves every caller. */
function toImage(fig: Figure, format: "svg" | "png", opts: RenderOptions): Promise<string> {
  const size = sizeOf(fig, opts);
  // JSON round trip: plain data only, NaN -> null, exactly what a notebook would receive.
  const figure = JSON.parse(toJson({ data: fig.data, layout: fig.layout })) as unknown;
  const job = queue.then(async () => {
    if (idleTimer) clearTimeout(idleTimer);
    let timer: NodeJS.Timeout | undefined;
    try {
      const { page } = await getSession(); // launch errors (no Chromium) propagate unchanged
      try {
        const render = page.evaluate(
          ({ figure, format, size }) =>
            // globalThis, not window: tslab compiles without the DOM lib.
            (globalThis as unknown as { Plotly: { toImage(f: unknown, o: unknown): Promise<string> } }).Plotly.toImage(
              figure,
              {
                format,
                width: size.width,
                height: size.height,
                scale: format === "png" ? size.scale : 1,
                imageDataOnly: true,
              },
            ),
          { figure, format, size },
        );
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`took over ${RENDER_TIMEOUT_MS / 1000} s`)), RENDER_TIMEOUT_MS);
        });
        return await Promise.race([render, timeout]);
      } catch (e) {
        // A crashed or stuck page is not reused.
        await closeRenderer();
        throw new Error(
          `rendering ${describeFigure(fig)} as ${format} failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
        );
      }
    } finally {
      if (timer) clearTimeout(timer);
      armIdleTimer();
    }
  });
  queue = job.catch(() => undefined);
  return job;
}

/** The figure as an SVG document (text). */
export async function renderSvg(fig: Figure, opts: RenderOptions = {}): Promise<string> {
  return toImage(fig, "svg", opts);
}

/** The figure as PNG bytes (width × height × scale pixels). */
export async function renderPng(fig: Figure, opts: RenderOptions = {}): Promise<Buffer> {
  return Buffer.from(await toImage(fig, "png", opts), "base64");
}

/** The files {@link saveFigure} wrote. */
export interface SavedFigure {
  readonly json: string;
  /** Null when the static images were skipped (no Chromium). */
  readonly svg: string | null;
  readonly png: string | null;
  /** Why SVG and PNG were skipped (Chromium not found, with the fix), when they were. */
  readonly skipped?: string;
}

/**
 * Write `basePath.json` (the plotly figure), then `basePath.svg` and `basePath.png`, each atomically.
 * Chromium is optional: without it the interactive figure (JSON, and report.html) is written, the static
 * images are skipped (stale ones from an earlier run are removed) and `skipped` says why; any other
 * rendering error is thrown. A trailing `.json`, `.svg` or `.png` on `basePath` is ignored.
 */
export async function saveFigure(fig: Figure, basePath: string, opts: RenderOptions = {}): Promise<SavedFigure> {
  const base = basePath.replace(/\.(json|svg|png)$/i, "");
  const json = `${base}.json`;
  writeFileAtomic(json, toJson(fig));
  let svg: string;
  let png: Buffer;
  try {
    svg = await renderSvg(fig, opts);
    png = await renderPng(fig, opts);
  } catch (e) {
    if (!(e instanceof ChromeNotFoundError)) throw e;
    for (const ext of ["svg", "png"]) fs.rmSync(`${base}.${ext}`, { force: true });
    return { json, svg: null, png: null, skipped: e.message };
  }
  writeFileAtomic(`${base}.svg`, svg);
  writeFileAtomic(`${base}.png`, png);
  return { json, svg: `${base}.svg`, png: `${base}.png` };
}

/** Save several named figures (e.g. an experiment's `figures(record)`) as `<dir>/<name>.{json,svg,png}`. */
export async function saveFigures(
  figures: Readonly<Record<string, Figure>>,
  dir: string,
  opts: RenderOptions = {},
): Promise<SavedFigure[]> {
  const saved: SavedFigure[] = [];
  for (const [name, fig] of Object.entries(figures)) {
    if (!/^[\w.-]+$/.test(name))
      throw new Error(`saveFigures: figure name "${name}" must be a plain file name (letters, digits, . _ -)`);
    saved.push(await saveFigure(fig, path.join(dir, name), opts));
  }
  return saved;
}
