/**
 * `tsx scripts/check-site.ts [DIR]`: the teaching edition in headless Chromium (default DIR out/site/).
 * Every page is opened from file:// with the network cut off; a page passes when it loads with no console
 * error, no uncaught exception, no request leaving the machine, no broken image, no failed notebook cell,
 * and every plotly figure drawn (a `.g2b-figure` that plotly turned into a `.js-plotly-plot` with its SVG).
 * Figures with a slider are moved to their last step, which must draw too. Writes `check.json` beside the
 * pages. Used by `npm run site`.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, runMain } from "./cli";
import { ROOT } from "./jupyter";
import { CHROME_ARGS, findChrome } from "../src/present/render";
import { writeFileAtomic } from "../src/run/results";

export interface PageCheck {
  readonly page: string;
  readonly ok: boolean;
  readonly figures: number;
  readonly rendered: number;
  readonly sliders: number;
  readonly problems: ReadonlyArray<string>;
}

/** Check `pages` (file names in `dir`); writes `dir/check.json` and returns one result per page. */
export async function checkSite(dir: string, pages: ReadonlyArray<string>): Promise<PageCheck[]> {
  // No page checked is no pass (an empty folder used to pass, exit 0).
  if (pages.length === 0)
    throw new Error(`check-site: no HTML page in ${dir} to check (build it with \`npm run site\`)`);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: findChrome(), args: [...CHROME_ARGS] });
  const results: PageCheck[] = [];
  try {
    for (const name of pages) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console error: ${m.text().slice(0, 300)}`);
      });
      page.on("pageerror", (e) => problems.push(`uncaught: ${String(e).slice(0, 300)}`));
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
        problems.push(`network request (the edition must work offline): ${url.slice(0, 200)}`);
        return route.abort();
      });
      const file = path.join(dir, name);
      await page.goto(`file://${file}`, { waitUntil: "load", timeout: 120_000 });
      // Figures draw from their own scripts after plotly has loaded; wait until all are drawn (or 60 s).
      const count = () =>
        page.evaluate(() => {
          const figs = Array.from(document.querySelectorAll(".g2b-figure"));
          const drawn = figs.filter((f) => f.classList.contains("js-plotly-plot") && f.querySelector(".main-svg"));
          return { figures: figs.length, rendered: drawn.length };
        });
      let c = await count();
      for (let i = 0; i < 120 && c.rendered < c.figures; i++) {
        await page.waitForTimeout(500);
        c = await count();
      }
      if (c.rendered < c.figures) problems.push(`${c.figures - c.rendered} of ${c.figures} figure(s) not drawn`);
      // Sliders: go to the last step of each; it must draw without error.
      const sliders = await page.evaluate(async () => {
        const P = (
          globalThis as unknown as { Plotly?: { animate(el: Element, f: string[], o: unknown): Promise<void> } }
        ).Plotly;
        const figs = Array.from(document.querySelectorAll(".g2b-figure.js-plotly-plot")) as Array<
          Element & { _transitionData?: { _frames?: Array<{ name: string }> } }
        >;
        let n = 0;
        for (const f of figs) {
          const frames = f._transitionData?._frames ?? [];
          const last = frames[frames.length - 1];
          if (!P || !last) continue;
          await P.animate(f, [last.name], {
            mode: "immediate",
            frame: { duration: 0, redraw: true },
            transition: { duration: 0 },
          });
          n++;
        }
        return n;
      });
      const broken = await page.evaluate(
        () => Array.from(document.images).filter((im) => !(im.complete && im.naturalWidth > 0)).length,
      );
      if (broken > 0) problems.push(`${broken} broken image(s)`);
      const cellErrors = await page.locator("pre.g2b-error").count();
      if (cellErrors > 0) problems.push(`${cellErrors} failed notebook cell(s)`);
      results.push({
        page: name,
        ok: problems.length === 0,
        figures: c.figures,
        rendered: c.rendered,
        sliders,
        problems,
      });
      await page.close();
    }
  } finally {
    await browser.close();
  }
  writeFileAtomic(path.join(dir, "check.json"), JSON.stringify(results, null, 2) + "\n");
  return results;
}

if (require.main === module) {
  runMain(async () => {
    const args = parseArgs(process.argv.slice(2));
    const dir = path.resolve(args.positional[0] ?? path.join(ROOT, "out", "site"));
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new Error(`check-site: ${dir} is not a folder (build the teaching edition with \`npm run site\`)`);
    const pages = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".html"))
      .sort();
    const report = await checkSite(dir, pages);
    for (const r of report)
      console.log(
        `${r.ok ? "ok  " : "FAIL"} ${r.page}: ${r.figures} figure(s), ${r.rendered} drawn, ${r.sliders} slider(s) moved${r.problems.length ? `; ${r.problems.join("; ")}` : ""}`,
      );
    return report.every((r) => r.ok) ? 0 : 1;
  });
}
