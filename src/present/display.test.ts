import { after, afterEach, test } from "node:test";
import assert from "node:assert/strict";
import * as os from "os";
import * as path from "path";
import { lineFigure } from "./plot";
import { chromeAvailable, closeRenderer, findChrome } from "./render";
import {
  DisplayMessage,
  figureHtml,
  isNotebook,
  notebookProgress,
  plotlyLoaderHtml,
  progressHtml,
  show,
  showBackend,
  showMarkdown,
  showClaims,
  showTable,
} from "./display";
import { assertedClaim, atLeast, overSeeds } from "../claims";

after(() => closeRenderer());

const fig = lineFigure([{ name: "s", x: [0, 1, 2], y: [1, 0.5, 0.25] }], {
  title: "Display test",
  xTitle: "step",
  yTitle: "loss",
});

/** A stand-in for a running tslab kernel: a module at .../tslab/dist/jupyter.js with a display writer. */
const FAKE_KEY = path.join(os.tmpdir(), "g2b-fake-kernel", "node_modules", "tslab", "dist", "jupyter.js");
const messages: { msg: DisplayMessage; update: boolean }[] = [];
function enterFakeKernel(): void {
  messages.length = 0;
  const cache = require.cache as Record<string, unknown>;
  cache[FAKE_KEY] = {
    id: FAKE_KEY,
    filename: FAKE_KEY,
    loaded: true,
    exports: { lastWriteDisplayData: (msg: DisplayMessage, update: boolean) => messages.push({ msg, update }) },
  };
}
function leaveFakeKernel(): void {
  delete (require.cache as Record<string, unknown>)[FAKE_KEY];
}
afterEach(leaveFakeKernel);

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return fn().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

test("outside a notebook: show* are no-ops, progress falls back to the terminal", async () => {
  assert.equal(isNotebook(), false);
  assert.equal(await show(fig), undefined, "show resolves to nothing (tslab would print a returned value)");
  showTable([{ a: 1 }]);
  showMarkdown("# nothing");
  const line = showBackend({
    choice: "cpu",
    tfBackend: "cpu",
    reason: "forced",
    available: ["cpu"],
    unavailable: [],
    flags: {},
  });
  assert.match(line, /backend cpu/);
  const p = notebookProgress();
  assert.equal(typeof p.update, "function");
  assert.equal(messages.length, 0);
});

test("in a kernel: plotly is sent once, then each figure is one bundle (GEN2BRAIN_STATIC=0: no PNG)", async () => {
  await withEnv({ GEN2BRAIN_STATIC: "0" }, async () => {
    enterFakeKernel();
    assert.equal(isNotebook(), true);
    await show(fig);
    await show(fig, { height: 300 });
    const loaders = messages.filter((m) => (m.msg.data["text/html"] ?? "").includes("inlined from node_modules"));
    // The loader is sent at most once per kernel session (another test in this process may have sent it).
    assert.ok(loaders.length <= 1);
    const figs = messages.filter((m) => (m.msg.data["text/html"] ?? "").includes('class="g2b-figure"'));
    assert.equal(figs.length, 2);
    for (const f of figs) {
      assert.equal(f.update, false);
      assert.equal(f.msg.data["image/png"], undefined);
      assert.match(f.msg.data["text/plain"] ?? "", /Figure "Display test"/);
      assert.ok(!(f.msg.data["text/html"] ?? "").includes("cdn"), "never a CDN");
    }
    assert.match(figs[1]?.msg.data["text/html"] ?? "", /"height": ?300/);
  });
});

test("plotlyLoaderHtml inlines the node_modules bundle, safe inside <script>", () => {
  const html = plotlyLoaderHtml();
  assert.ok(html.length > 1_000_000, "the whole bundle is inlined");
  assert.ok(html.startsWith('<script type="text/javascript">'));
  assert.equal(html.match(/<\/script/gi)?.length, 1, "only the closing tag");
  assert.match(html, /var define=undefined,module=undefined,exports=undefined/);
});

test("figureHtml escapes the figure JSON for <script>", () => {
  const evil = lineFigure([{ name: "</script><b>x", x: [0], y: [1] }], { title: "t", xTitle: "x", yTitle: "y" });
  const html = figureHtml(evil, "id1", { height: 200 });
  assert.equal(html.match(/<\/script/gi)?.length, 1);
  assert.match(html, /\\u003c\/script>/);
});

test("in a kernel with Chromium: one bundle holds text/html (with the PNG inside) and image/png", async (t) => {
  if (!chromeAvailable()) {
    t.skip("Chromium not found: install it (apt-get install chromium) or set GEN2BRAIN_CHROME to run this test");
    return;
  }
  await withEnv({ GEN2BRAIN_STATIC: undefined }, async () => {
    enterFakeKernel();
    await show(fig, { width: 400, height: 250 });
    const bundle = messages[messages.length - 1]?.msg;
    assert.ok(bundle);
    const png = bundle.data["image/png"] ?? "";
    assert.ok(Buffer.from(png, "base64").subarray(1, 4).toString() === "PNG", "image/png is a base64 PNG");
    assert.ok(
      (bundle.data["text/html"] ?? "").includes(`<img src="data:image/png;base64,${png}"`),
      "the same PNG is the fallback inside the div",
    );
    assert.deepEqual(bundle.metadata["image/png"], { width: 400, height: 250 });
    messages.length = 0;
    await show(fig, { static: true, width: 400, height: 250 });
    assert.equal(messages.length, 1);
    assert.deepEqual(Object.keys(messages[0]?.msg.data ?? {}).sort(), ["image/png", "text/plain"]);
  });
});

test("without Chromium, show still shows the interactive figure and warns once", async () => {
  await withEnv(
    { GEN2BRAIN_STATIC: undefined, GEN2BRAIN_CHROME: "/nonexistent/chrome-for-gen2brain-test" },
    async () => {
      await closeRenderer();
      enterFakeKernel();
      const warnings: string[] = [];
      const warn = console.warn;
      console.warn = (...a: unknown[]) => void warnings.push(a.join(" "));
      try {
        await show(fig);
        await show(fig);
      } finally {
        console.warn = warn;
      }
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? "", /apt-get install chromium/);
      const figs = messages.filter((m) => (m.msg.data["text/html"] ?? "").includes('class="g2b-figure"'));
      assert.equal(figs.length, 2);
      assert.ok(figs.every((f) => f.msg.data["image/png"] === undefined));
    },
  );
  await closeRenderer();
});

test("notebookProgress: one display updated in place, throttled, final state drawn", async () => {
  enterFakeKernel();
  const p = notebookProgress({ minIntervalMs: 10_000 });
  for (let i = 1; i <= 200; i++) p.update({ label: "train", step: i, total: 200, info: { loss: 1 / i } });
  p.done?.("train");
  assert.ok(messages.length <= 4, `throttled (${messages.length} displays for 200 updates)`);
  const ids = new Set(messages.map((m) => m.msg.transient.display_id));
  assert.equal(ids.size, 1, "one display id");
  assert.equal(messages[0]?.update, false, "first is display_data");
  assert.ok(
    messages.slice(1).every((m) => m.update),
    "then update_display_data",
  );
  const last = messages[messages.length - 1]?.msg.data;
  assert.match(last?.["text/plain"] ?? "", /✓ train — 200\/200/);
  assert.match(last?.["text/html"] ?? "", /✓ train/);
  assert.match(
    messages.find((m) => /100% 200\/200/.test(m.msg.data["text/plain"] ?? "")) ? "ok" : "",
    /ok/,
    "the 100% state was drawn",
  );
});

test("progressHtml shows label, bar, step/total, percent and info", () => {
  const html = progressHtml({ label: "seed <1>", step: 5, total: 20, info: { loss: 0.5 } }, 2000, [
    "warmup — 10/10 in 1.0 s",
  ]);
  assert.match(html, /seed &lt;1&gt;/);
  assert.match(html, /width:25%/);
  assert.match(html, /25% 5\/20 · 2\.0 s · ETA 6\.0 s · loss=0\.5000/);
  assert.match(html, /✓ warmup/);
});

test("in a kernel: tables, markdown and the backend are displayed", () => {
  enterFakeKernel();
  showTable([{ metric: "acc", value: { mean: 0.9, lo: 0.8, hi: 1, n: 3 } }], { title: "T" });
  showMarkdown("**bold**");
  showBackend({
    choice: "wasm",
    tfBackend: "wasm",
    reason: "fastest that loaded",
    available: ["wasm", "cpu"],
    unavailable: [{ choice: "node", error: "not installed" }],
    flags: { simd: true },
  });
  assert.equal(messages.length, 3);
  assert.match(messages[0]?.msg.data["text/html"] ?? "", /<table[^>]*>.*<caption[^>]*>T<\/caption>.*0\.9 \[0\.8, 1\]/);
  assert.equal(messages[1]?.msg.data["text/markdown"], "**bold**");
  assert.match(
    messages[2]?.msg.data["text/markdown"] ?? "",
    /\*\*tfjs backend: `wasm`\*\*.*\n[\s\S]*`node` \| not available: not installed/,
  );
});

test("in Chromium: the loader defines window.Plotly even with AMD/CommonJS globals, and the figure script draws", async (t) => {
  if (!chromeAvailable()) {
    t.skip("Chromium not found: install it (apt-get install chromium) or set GEN2BRAIN_CHROME to run this test");
    return;
  }
  const { chromium } = require("playwright-core") as typeof import("playwright-core");
  const browser = await chromium.launch({
    executablePath: findChrome(),
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  try {
    const page = await browser.newPage();
    const amd =
      "<script>var define=function(){window.__amdCalled=true};define.amd={};var module={exports:{}};var exports=module.exports;</script>";
    const html = amd + plotlyLoaderHtml() + figureHtml(fig, "g2b-test-fig", { height: 300, pngBase64: "iVBORw0KGgo=" });
    // Generous timeouts: parsing the 5 MB loader takes seconds, and minutes on a machine shared by many jobs.
    await page.setContent(`<!doctype html><html><body>${html}</body></html>`, { timeout: 180_000 });
    await page.waitForSelector("#g2b-test-fig .main-svg", { timeout: 180_000 });
    const state = await page.evaluate(() => {
      const w = window as unknown as {
        Plotly?: { version: string };
        __amdCalled?: boolean;
        module: { exports: unknown };
      };
      return {
        plotly: w.Plotly?.version,
        amd: w.__amdCalled ?? false,
        moduleUntouched: Object.keys(w.module.exports as object).length === 0,
        img: document.querySelectorAll("#g2b-test-fig img").length,
      };
    });
    assert.match(state.plotly ?? "", /^3\./);
    assert.equal(state.amd, false, "the bundle did not register with AMD");
    assert.equal(state.moduleUntouched, true, "nor with the page's CommonJS shim");
    assert.equal(state.img, 0, "the PNG fallback was replaced by the interactive plot");
  } finally {
    await browser.close();
  }
});

test("showClaims: a table in a notebook, lines outside; strict throws after the table is shown", () => {
  const claim = assertedClaim({
    id: "c",
    statement: "effect ≥ 0.5",
    paper: null,
    refutedBy: "an interval below 0.5",
    quantity: "effect",
    estimate: overSeeds([0.2, 0.21, 0.22]),
    target: atLeast(0.5),
    control: { id: "ctl", description: "none", estimate: overSeeds([0.1, 0.1, 0.12]), expect: "absent" },
  });
  const record = { id: "tX", profile: "quick" as const, claims: [claim] };
  const printed: string[] = [];
  const lines = showClaims(record, { log: (l) => printed.push(l) });
  assert.deepEqual(printed, lines);
  assert.match(lines[0] ?? "", /^CONTRADICTS +c:/);
  enterFakeKernel();
  assert.throws(() => showClaims(record, { strict: true }), /do not hold at profile quick \(strict\)/);
  const html = String(messages[0]?.msg.data["text/html"]);
  assert.match(html, /class="verdict-contradicts"/);
  assert.match(html, /tX: 0 holds, 1 contradicts, 0 inconclusive, 0 measured/);
});
