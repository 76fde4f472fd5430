import { after, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { lineFigure } from "./plot";
import { ChromeNotFoundError, chromeAvailable, closeRenderer, findChrome, renderSvg, saveFigure } from "./render";
import { tempDir } from "../run/testing";

after(() => closeRenderer());

const fig = lineFigure([{ name: "s", x: [0, 1, 2], y: [1, 0.5, 0.25] }], {
  title: "Render test",
  xTitle: "step",
  yTitle: "loss",
});

test("findChrome: a missing GEN2BRAIN_CHROME is a clear error naming the variable and the fix", () => {
  const env = { GEN2BRAIN_CHROME: "/nonexistent/chrome-for-gen2brain-test" };
  assert.throws(
    () => findChrome(env),
    (e: unknown) =>
      e instanceof ChromeNotFoundError &&
      /GEN2BRAIN_CHROME=\/nonexistent\/chrome-for-gen2brain-test is not an executable/.test(e.message) &&
      /apt-get install chromium/.test(e.message),
  );
  assert.equal(chromeAvailable(env), false);
});

test("findChrome: CHROME_PATH is honoured after GEN2BRAIN_CHROME", () => {
  assert.throws(() => findChrome({ CHROME_PATH: "/nonexistent/x" }), /CHROME_PATH=\/nonexistent\/x/);
  // An executable that exists (node itself) is accepted as given: the variable is the user's choice.
  assert.equal(findChrome({ GEN2BRAIN_CHROME: process.execPath, CHROME_PATH: "/nonexistent/x" }), process.execPath);
});

test("renderSvg: rendering without Chromium rejects with the same clear error", async () => {
  const saved = process.env["GEN2BRAIN_CHROME"];
  process.env["GEN2BRAIN_CHROME"] = "/nonexistent/chrome-for-gen2brain-test";
  try {
    await closeRenderer();
    await assert.rejects(renderSvg(fig), /GEN2BRAIN_CHROME=.*apt-get install chromium/);
  } finally {
    if (saved === undefined) delete process.env["GEN2BRAIN_CHROME"];
    else process.env["GEN2BRAIN_CHROME"] = saved;
  }
});

test("saveFigure without Chromium writes the interactive JSON, skips SVG/PNG (removing stale ones) and says why", async (t) => {
  const saved = process.env["GEN2BRAIN_CHROME"];
  process.env["GEN2BRAIN_CHROME"] = "/nonexistent/chrome-for-gen2brain-test";
  const dir = tempDir(t, "g2b-render-");
  try {
    await closeRenderer();
    fs.writeFileSync(path.join(dir, "fig.png"), "stale");
    const out = await saveFigure(fig, path.join(dir, "fig"));
    assert.equal(out.json, path.join(dir, "fig.json"));
    assert.equal(out.svg, null);
    assert.equal(out.png, null);
    assert.match(out.skipped ?? "", /GEN2BRAIN_CHROME=.*apt-get install chromium/);
    assert.deepEqual(JSON.parse(fs.readFileSync(out.json, "utf8")), JSON.parse(JSON.stringify(fig)));
    assert.deepEqual(fs.readdirSync(dir), ["fig.json"]);
  } finally {
    if (saved === undefined) delete process.env["GEN2BRAIN_CHROME"];
    else process.env["GEN2BRAIN_CHROME"] = saved;
  }
});

test("saveFigure writes JSON, SVG and PNG through headless Chromium", async (t) => {
  if (!chromeAvailable()) {
    t.skip("Chromium not found: install it (apt-get install chromium) or set GEN2BRAIN_CHROME to run this test");
    return;
  }
  const dir = tempDir(t, "g2b-render-");
  const out = await saveFigure(fig, path.join(dir, "sub", "fig.png"), { width: 400, height: 300, scale: 2 });
  assert.deepEqual(out, {
    json: path.join(dir, "sub", "fig.json"),
    svg: path.join(dir, "sub", "fig.svg"),
    png: path.join(dir, "sub", "fig.png"),
  });
  assert.deepEqual(JSON.parse(fs.readFileSync(out.json, "utf8")), JSON.parse(JSON.stringify(fig)));
  const svg = fs.readFileSync(out.svg, "utf8");
  assert.ok(svg.startsWith("<svg"), `SVG starts with <svg (got ${svg.slice(0, 20)})`);
  assert.match(svg, /Render test/, "the title is in the SVG");
  const png = fs.readFileSync(out.png);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
  // IHDR: width and height (big-endian) at bytes 16..24; scale 2 doubles both.
  assert.equal(png.readUInt32BE(16), 800);
  assert.equal(png.readUInt32BE(20), 600);
  assert.ok(png.length > 5000, `PNG has content (${png.length} bytes)`);
  assert.deepEqual(
    fs.readdirSync(path.join(dir, "sub")).sort(),
    ["fig.json", "fig.png", "fig.svg"],
    "no temp files left behind",
  );
  // The browser is reused: a second render is quick and consistent.
  const t0 = Date.now();
  const again = await renderSvg(fig, { width: 400, height: 300 });
  assert.ok(again.startsWith("<svg"));
  assert.ok(Date.now() - t0 < 20_000);
});
