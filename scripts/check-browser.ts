/**
 * `tsx scripts/check-browser.ts [notebook] [--port N]`: a real-browser check of a notebook. Starts Debian's
 * classic Jupyter Notebook server (jupyter-notebook) on 127.0.0.1 with the private tslab kernel, opens the
 * notebook in headless Chromium, runs all cells through the UI, waits for the kernel to go idle, and writes
 * a full-page screenshot and the count of rendered plotly figures and error outputs to out/browser-check/.
 * A developer's check (not part of npm test): it needs jupyter-notebook and chromium.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs, runMain } from "./cli";
import { findPython, ROOT } from "./jupyter";
import { prepareKernel } from "./run-notebooks";
import { CHROME_ARGS, findChrome } from "../src/present/render";

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["port"]);
  const nb = args.positional[0] ?? "00-tour.ipynb";
  const port = Number(args.flags.get("port") ?? 8899);
  const python = findPython(["notebook", "nbclient"]);
  const jupyterPath = prepareKernel(python);
  const outDir = path.join(ROOT, "out", "browser-check");
  // Work on a copy beside the original (the kernel needs notebooks/src), so autosave cannot touch the source.
  const copy = `browser-check-${nb}`;
  fs.copyFileSync(path.join(ROOT, "notebooks", nb), path.join(ROOT, "notebooks", copy));
  fs.mkdirSync(outDir, { recursive: true });
  const server = spawn(
    python,
    [
      "-m",
      "notebook",
      "--no-browser",
      `--port=${port}`,
      "--ip=127.0.0.1",
      "--NotebookApp.token=",
      "--NotebookApp.password=",
      "--allow-root",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, JUPYTER_PATH: jupyterPath },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let log = "";
  server.stderr.on("data", (d: Buffer) => (log += d.toString()));
  try {
    for (let i = 0; i < 60 && !/is running at|Jupyter Notebook .* is running/.test(log); i++)
      await new Promise((r) => setTimeout(r, 500));
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: findChrome(),
      args: [...CHROME_ARGS],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${port}/notebooks/notebooks/${copy}`);
    await page.waitForFunction(
      () => {
        const J = (globalThis as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean } } } })
          .Jupyter;
        return J?.notebook?.kernel?.is_connected() === true;
      },
      undefined,
      { timeout: 120_000 },
    );
    const t0 = Date.now();
    await page.evaluate(() =>
      (
        globalThis as unknown as { Jupyter: { notebook: { execute_all_cells(): void } } }
      ).Jupyter.notebook.execute_all_cells(),
    );
    // Wait until no cell is pending ("In [*]") and the kernel is idle.
    // Done when every code cell shows an execution count ("In [n]"), none is pending ("In [*]").
    await page.waitForFunction(
      () => {
        const prompts = Array.from(document.querySelectorAll(".code_cell .input_prompt"));
        return prompts.length > 0 && prompts.every((e) => /\[\d+\]/.test(e.textContent ?? ""));
      },
      undefined,
      { timeout: 900_000, polling: 1000 },
    );
    const seconds = (Date.now() - t0) / 1000;
    await page.waitForTimeout(1500);
    const plots = await page.locator(".output_area .js-plotly-plot").count();
    const errorOutputs = await page.locator(".output_stderr").count();
    const shot = path.join(outDir, nb.replace(/\.ipynb$/, ".png"));
    await page.screenshot({ path: shot, fullPage: true });
    await browser.close();
    const report = {
      notebook: nb,
      seconds,
      plotlyFigures: plots,
      stderrOutputs: errorOutputs,
      pageErrors: errors,
      screenshot: shot,
    };
    fs.writeFileSync(path.join(outDir, nb.replace(/\.ipynb$/, ".json")), JSON.stringify(report, null, 2));
    console.log(JSON.stringify(report, null, 2));
    return errorOutputs === 0 && errors.length === 0 && plots > 0 ? 0 : 1;
  } finally {
    server.kill("SIGTERM");
    fs.rmSync(path.join(ROOT, "notebooks", copy), { force: true });
  }
});
