/**
 * `npm run notebooks -- [--profile smoke|quick|full] [--seed N] [--backend B] [--out DIR] [--timeout S] [names...]`
 *
 * Executes the notebooks in notebooks/ (all, or those whose file name contains one of `names`) headless
 * through the real Jupyter + tslab kernel, at the chosen profile (passed to the kernel as
 * GEN2BRAIN_PROFILE). Executed copies go to `out/<profile>/notebooks/`. A failing cell fails the run
 * with that cell's own error text; the command exits non-zero if any notebook failed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs, runMain } from "./cli";
import { findPython, installKernel, PRIVATE_PREFIX, ROOT } from "./jupyter";

export const NOTEBOOK_DIR = path.join(ROOT, "notebooks");

/** The notebooks to run, in name order; `names` filter by substring. */
export function selectNotebooks(dir: string, names: string[]): string[] {
  const all = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb") && !f.startsWith(".") && !f.startsWith("browser-check-"))
    .sort();
  if (names.length === 0) return all.map((f) => path.join(dir, f));
  const picked = all.filter((f) => names.some((n) => f.includes(n)));
  const missing = names.filter((n) => !all.some((f) => f.includes(n)));
  if (missing.length > 0)
    throw new Error(`no notebook matches ${missing.map((m) => `"${m}"`).join(", ")}; notebooks: ${all.join(", ")}`);
  return picked.map((f) => path.join(dir, f));
}

export interface NotebookRun {
  readonly notebook: string;
  readonly output: string;
  readonly ok: boolean;
  readonly seconds: number;
  /** The failing cell's own error text, when !ok. */
  readonly error?: string;
}

/** Execute one notebook (the kernel must be registered under `jupyterPath`). */
export function executeNotebook(
  src: string,
  outDir: string,
  opts: { python: string; jupyterPath: string; timeoutS: number; env?: NodeJS.ProcessEnv },
): NotebookRun {
  const output = path.join(outDir, path.basename(src));
  const t0 = Date.now();
  const r = spawnSync(
    opts.python,
    [path.join(__dirname, "execute_notebook.py"), src, output, "--timeout", String(opts.timeoutS)],
    {
      cwd: path.dirname(src),
      env: { ...process.env, ...opts.env, JUPYTER_PATH: opts.jupyterPath, PYTHONUNBUFFERED: "1" },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const seconds = (Date.now() - t0) / 1000;
  const ok = r.status === 0;
  const stderr = (r.stderr ?? "")
    .split("\n")
    .filter((l) => !/MissingIDFieldWarning|validate\(nb\)|^\s*$/.test(l))
    .join("\n");
  return ok
    ? { notebook: src, output, ok, seconds }
    : { notebook: src, output, ok, seconds, error: stderr || `exit ${r.status} ${r.error?.message ?? ""}` };
}

/** Register the private kernel and return the JUPYTER_PATH to use. */
export function prepareKernel(python: string): string {
  installKernel({ prefix: PRIVATE_PREFIX, python, quiet: true });
  return path.join(PRIVATE_PREFIX, "share", "jupyter");
}

if (require.main === module) {
  runMain(async () => {
    const args = parseArgs(process.argv.slice(2), ["out", "timeout"]);
    const outFlag = args.flags.get("out");
    const outDir = path.resolve(
      typeof outFlag === "string" ? outFlag : path.join(ROOT, "out", args.profile, "notebooks"),
    );
    const timeoutFlag = args.flags.get("timeout");
    const timeoutS = typeof timeoutFlag === "string" ? Number(timeoutFlag) : args.profile === "full" ? 6 * 3600 : 1800;
    if (!(timeoutS > 0)) throw new Error(`--timeout must be a positive number of seconds, got ${String(timeoutFlag)}`);
    const python = findPython(["nbclient", "nbformat", "jupyter_client", "ipykernel"]);
    const jupyterPath = prepareKernel(python);
    const notebooks = selectNotebooks(NOTEBOOK_DIR, args.positional);
    console.log(
      `running ${notebooks.length} notebook(s) at profile ${args.profile}, seed ${args.seed} -> ${path.relative(ROOT, outDir)}/`,
    );
    const runs: NotebookRun[] = [];
    for (const nb of notebooks) {
      const run = executeNotebook(nb, outDir, { python, jupyterPath, timeoutS });
      runs.push(run);
      console.log(`${run.ok ? "ok  " : "FAIL"} ${path.basename(nb)} (${run.seconds.toFixed(1)} s)`);
      if (!run.ok) console.error(run.error);
    }
    const failed = runs.filter((r) => !r.ok);
    console.log(`notebooks: ${runs.length - failed.length} passed, ${failed.length} failed`);
    return failed.length === 0 ? 0 : 1;
  });
}
