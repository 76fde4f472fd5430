/**
 * `npm run notebooks -- [--profile smoke|quick|full] [--seed N] [--backend B] [--out DIR] [--timeout S] [--jobs N] [--rerun] [names...]`
 *
 * Executes the notebooks in notebooks/ (all, or those whose file name contains one of `names`) headless
 * through the real Jupyter + tslab kernel, at the chosen profile (passed to the kernel as
 * GEN2BRAIN_PROFILE). Executed copies go to `out/<profile>/notebooks/`. A failing cell fails the run
 * with that cell's own error text; the command exits non-zero if any notebook failed. A notebook loads the
 * record of its run from out/ when one with the same cache key is there (written by `npm run reproduce`), and
 * at full the shipped full run in data/results/ when its seed and config match (src/run/cache.ts);
 * `--rerun` makes every notebook train again (GEN2BRAIN_RERUN=1), as the test command does.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs, runMain } from "./cli";
import { blasThreads } from "../src/speed/native";
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

/** Options of {@link executeNotebook}. */
export interface ExecuteOptions {
  readonly python: string;
  readonly jupyterPath: string;
  readonly timeoutS: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Aborting it stops the notebook (SIGTERM to its runner). */
  readonly signal?: AbortSignal;
}

/** Execute one notebook (the kernel must be registered under `jupyterPath`). */
export function executeNotebook(src: string, outDir: string, opts: ExecuteOptions): Promise<NotebookRun> {
  const output = path.join(outDir, path.basename(src));
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      opts.python,
      [path.join(__dirname, "execute_notebook.py"), src, output, "--timeout", String(opts.timeoutS)],
      {
        cwd: path.dirname(src),
        env: { ...process.env, ...opts.env, JUPYTER_PATH: opts.jupyterPath, PYTHONUNBUFFERED: "1" },
        stdio: ["ignore", "ignore", "pipe"],
        ...(opts.signal ? { signal: opts.signal, killSignal: "SIGTERM" as const } : {}),
      },
    );
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 4_000_000) stderr = stderr.slice(-4_000_000);
    });
    const done = (status: number | null, why: string): void => {
      const seconds = (Date.now() - t0) / 1000;
      if (status === 0) return resolve({ notebook: src, output, ok: true, seconds });
      const text = stderr
        .split("\n")
        .filter((l) => !/MissingIDFieldWarning|validate\(nb\)|^\s*$/.test(l))
        .join("\n");
      resolve({ notebook: src, output, ok: false, seconds, error: text || `exit ${status ?? ""} ${why}`.trim() });
    };
    child.on("error", (e) => done(null, e.message)); // also an abort: "close" follows, the first call wins
    child.on("close", (code, signal) => done(code, signal ?? ""));
  });
}

/**
 * Execute `notebooks`, `jobs` at a time (each kernel with one BLAS thread, the library's default, unless
 * GEN2BRAIN_THREADS is set); `onDone` hears of each as it finishes. Returns the runs in input order.
 */
export async function executeNotebooks(
  notebooks: ReadonlyArray<string>,
  outDir: string,
  opts: ExecuteOptions & { readonly jobs?: number; readonly onDone?: (run: NotebookRun) => void },
): Promise<NotebookRun[]> {
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, notebooks.length));
  const threads = String(blasThreads(process.env["GEN2BRAIN_THREADS"]));
  const env = { GEN2BRAIN_THREADS: threads, ...opts.env };
  const runs: NotebookRun[] = new Array(notebooks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let i = next++; i < notebooks.length; i = next++) {
        const run = await executeNotebook(notebooks[i] as string, outDir, { ...opts, env });
        runs[i] = run;
        opts.onDone?.(run);
      }
    }),
  );
  return runs;
}

/** Register the private kernel and return the JUPYTER_PATH to use. */
export function prepareKernel(python: string): string {
  installKernel({ prefix: PRIVATE_PREFIX, python, quiet: true });
  return path.join(PRIVATE_PREFIX, "share", "jupyter");
}

if (require.main === module) {
  runMain(async () => {
    const args = parseArgs(process.argv.slice(2), ["out", "timeout", "jobs"], ["rerun"]);
    const outFlag = args.flags.get("out");
    const outDir = path.resolve(
      typeof outFlag === "string" ? outFlag : path.join(ROOT, "out", args.profile, "notebooks"),
    );
    const timeoutFlag = args.flags.get("timeout");
    const timeoutS = typeof timeoutFlag === "string" ? Number(timeoutFlag) : args.profile === "full" ? 6 * 3600 : 1800;
    if (!(timeoutS > 0)) throw new Error(`--timeout must be a positive number of seconds, got ${String(timeoutFlag)}`);
    const jobsFlag = args.flags.get("jobs");
    const jobs = typeof jobsFlag === "string" ? Number(jobsFlag) : 1;
    if (!Number.isInteger(jobs) || jobs < 1)
      throw new Error(`--jobs must be a positive integer, got ${String(jobsFlag)}`);
    const python = findPython(["nbclient", "nbformat", "jupyter_client", "ipykernel"]);
    const jupyterPath = prepareKernel(python);
    const notebooks = selectNotebooks(NOTEBOOK_DIR, args.positional);
    // --rerun: train in every notebook even where out/ holds the matching record (the tests run the notebooks' own code).
    const rerun = args.flags.has("rerun");
    console.log(
      `running ${notebooks.length} notebook(s) at profile ${args.profile}, seed ${args.seed}${rerun ? ", training again (--rerun)" : ""} -> ${path.relative(ROOT, outDir)}/`,
    );
    const runs = await executeNotebooks(notebooks, outDir, {
      python,
      jupyterPath,
      timeoutS,
      jobs,
      ...(rerun ? { env: { GEN2BRAIN_RERUN: "1" } } : {}),
      onDone: (run) => {
        console.log(`${run.ok ? "ok  " : "FAIL"} ${path.basename(run.notebook)} (${run.seconds.toFixed(1)} s)`);
        if (!run.ok) console.error(run.error);
      },
    });
    const failed = runs.filter((r) => !r.ok);
    console.log(`notebooks: ${runs.length - failed.length} passed, ${failed.length} failed`);
    return failed.length === 0 ? 0 : 1;
  });
}
