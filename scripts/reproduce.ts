/**
 * `npm run reproduce -- [--profile smoke|quick|full] [--seed N] [--backend B] [--only id,id] [--jobs N] [--out DIR] [--force] [--strict] [--no-notebooks]`
 * (`--seeds 1234,4242,7` instead of `--seed`: several base seeds and their claims side by side, see
 * scripts/claims-by-seed.ts)
 *
 * Prints the preflight (backend, GEMM library, Chromium, Jupyter; for each missing piece its cost and
 * the command that adds it), then runs the registered experiments without Jupyter, each in its own worker
 * process (tfjs's wasm backend is single-threaded, so one process per core), and writes for each
 * `out/<profile>/<id>/results.json` plus its figures. A finished result whose cache key (experiment,
 * profile, seed, config, backend, code) matches is reused unless --force. Results are written atomically,
 * so Ctrl-C leaves no half-written result and the next run resumes with the experiments that did not
 * finish. A failed experiment does not stop the others. When Jupyter is installed it also executes the
 * notebooks into `out/<profile>/notebooks/`, in the same pool of workers: a notebook starts once its
 * experiment's record is written and no experiment waits for a worker, and loads that record instead of
 * training again. Then it writes the report (`out/<profile>/report.html` and `report.md`) and ends with
 * the verdict table.
 *
 * Exit status: 0 when every experiment ran, whatever the claims' verdicts (a claim that does not hold is
 * a result) and whatever optional tool is missing (no Chromium: figures interactive only; no Jupyter:
 * notebooks not executed); 1 on a software error (an experiment, the report or a notebook failed); with
 * --strict (or GEN2BRAIN_STRICT=1) also 1 when an asserted claim does not hold.
 */
import { spawn, ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import "../src/takeaways/index";
import { backendKey, getExperiment, listExperiments } from "../src/run/experiment";
import { initBackend } from "../src/run/backend";
import { cacheSlot, isCached } from "../src/run/cache";
import { assessPreflight, formatPreflight, gatherFacts } from "../src/run/preflight";
import { isStrict } from "../src/claims";
import { loadResults, writeJsonAtomic, type ResultRecord } from "../src/run/results";
import { renderBar, ProgressEvent } from "../src/present/progress";
import { formatVerdictTable, notHeld, verdictRows } from "../src/present/verdicts";
import { parseArgs, runMain } from "./cli";
import { blasThreads } from "../src/speed/native";
import { findPython, ROOT } from "./jupyter";
import { notebookExperiment, selectExperimentIds } from "./reproduce-ids";
import { executeNotebook, prepareKernel, selectNotebooks, NOTEBOOK_DIR } from "./run-notebooks";
import type { ReproduceSummary } from "./report";

/** One job of the pool: an experiment (a worker process) or a notebook (a Jupyter kernel). */
export interface JobStatus {
  id: string;
  kind: "experiment" | "notebook";
  state: "cached" | "queued" | "running" | "done" | "failed" | "skipped";
  last?: ProgressEvent;
  seconds?: number;
  /** Seconds from the start of the run to the end of this job. */
  endS?: number;
  /** CPU seconds of the worker process (all its threads); experiments only. */
  cpuS?: number;
  error?: string;
}

function runWorker(
  status: JobStatus,
  redraw: () => void,
  children: Set<ChildProcess>,
  workerEnv: NodeJS.ProcessEnv,
  outRoot: string,
  jobs: number,
): Promise<void> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(__dirname, "run-experiment.ts"),
        status.id,
        "--progress-json",
        "--out",
        outRoot,
        ...(jobs > 1 ? ["--jobs", String(jobs)] : []),
      ],
      { cwd: ROOT, env: workerEnv, stdio: ["ignore", "pipe", "pipe"] },
    );
    children.add(child);
    status.state = "running";
    let stderr = "";
    let buf = "";
    child.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          if (line.startsWith("@@progress ")) {
            status.last = JSON.parse(line.slice(11)) as ProgressEvent;
            redraw();
          } else if (line.startsWith("@@done ")) {
            status.cpuS = (JSON.parse(line.slice(7)) as { cpuS: number }).cpuS;
          }
        } catch {
          /* a partial line: ignore */
        }
      }
    });
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 20000) stderr = stderr.slice(-20000);
    });
    child.on("close", (code, signal) => {
      children.delete(child);
      status.seconds = (Date.now() - t0) / 1000;
      if (code === 0) status.state = "done";
      else {
        status.state = "failed";
        const lines = stderr.trim().split("\n");
        status.error =
          (lines.filter((l) => l.startsWith("error:")).pop() ?? lines.slice(-5).join("\n")) || `exit ${code ?? signal}`;
      }
      redraw();
      resolve();
    });
  });
}

function statusLine(s: JobStatus): string {
  switch (s.state) {
    case "cached":
      return `${s.id}: cached (unchanged config, code and seed)`;
    case "queued":
      return `${s.id}: queued`;
    case "running":
      return s.last
        ? `${s.id}: ${renderBar(s.last, 20)}`
        : `${s.id}: ${s.kind === "notebook" ? "executing" : "starting"}`;
    case "done":
      return `${s.id}: done in ${(s.seconds ?? 0).toFixed(1)} s${s.cpuS !== undefined ? ` (CPU ${s.cpuS.toFixed(0)} s)` : ""}`;
    case "failed":
      return `${s.id}: FAILED after ${(s.seconds ?? 0).toFixed(1)} s${s.kind === "experiment" ? `: ${s.error ?? ""}` : ""}`;
    case "skipped":
      return `${s.id}: skipped (${s.error ?? ""})`;
  }
}

runMain(async () => {
  const args = parseArgs(
    process.argv.slice(2),
    ["only", "jobs", "out", "seeds"],
    ["force", "strict", "no-notebooks", "no-report"],
  );
  // Several base seeds: one run per seed and the claims side by side (scripts/claims-by-seed.ts).
  if (args.flags.has("seeds")) return (await import("./claims-by-seed")).claimsBySeed(process.argv.slice(2));
  const only = args.flags.get("only");
  const ids = selectExperimentIds(only);
  const jobsFlag = args.flags.get("jobs");
  const jobs = typeof jobsFlag === "string" ? Number(jobsFlag) : Math.max(1, os.cpus().length);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new Error(`--jobs must be a positive integer, got ${String(jobsFlag)}`);
  const outFlag = args.flags.get("out");
  const outRoot = typeof outFlag === "string" ? outFlag : "out";
  const strict = isStrict(args.flags.has("strict") ? { strict: true } : {});
  const info = await initBackend(args.backend);
  const preflight = assessPreflight(gatherFacts(info));
  console.log(formatPreflight(preflight));

  const experiments: JobStatus[] = ids.map((id) => {
    const slot = cacheSlot(getExperiment(id), {
      profile: args.profile,
      seed: args.seed,
      outRoot,
      backend: backendKey(info),
    });
    const cached = !args.flags.has("force") && isCached(slot.file, slot.key);
    return { id, kind: "experiment", state: cached ? "cached" : "queued" };
  });
  // The notebooks of the experiments run here (and the tour with the default set): they load those records.
  const jupyter = preflight.checks.some((c) => c.name === "jupyter" && c.ok);
  const known = listExperiments().map((e) => e.id);
  const depOf = new Map<string, string | null>();
  for (const f of args.flags.has("no-notebooks") || !jupyter ? [] : selectNotebooks(NOTEBOOK_DIR, [])) {
    const dep = notebookExperiment(fs.readFileSync(f, "utf8"), known);
    if (dep === null ? typeof only !== "string" : ids.includes(dep)) depOf.set(path.basename(f), dep);
  }
  const notebooks: JobStatus[] = [...depOf.keys()].map((id) => ({ id, kind: "notebook", state: "queued" }));
  const statuses = [...experiments, ...notebooks];
  const queued = experiments.filter((s) => s.state === "queued").length;
  // The cores are shared by running jobs side by side, not by BLAS threads: each job keeps the native addon's
  // default thread count (blasThreads: 1, or the user's GEN2BRAIN_THREADS), so a record's numbers do not depend on how many
  // other jobs happened to be queued with it (the GEMM's summation order follows the thread count).
  const workers = Math.min(jobs, Math.max(1, queued + notebooks.length));
  const threads = String(blasThreads(process.env["GEN2BRAIN_THREADS"]));
  console.log(
    `reproduce: ${ids.length} experiment(s) (${ids.length - queued} cached), ${notebooks.length} notebook(s), profile ${args.profile}, ` +
      `seed ${args.seed}, ${workers} worker(s), each on ${preflight.engine}${strict ? ", strict" : ""}`,
  );
  if (!jupyter && !args.flags.has("no-notebooks"))
    console.log("notebooks: not executed (Jupyter not installed; see the preflight above)");
  const tty = process.stdout.isTTY === true;
  let drawn = 0;
  const lastPrinted = new Map<string, string>();
  const t0 = Date.now();
  const finished = (s: JobStatus): boolean => ["done", "cached", "failed", "skipped"].includes(s.state);
  const redraw = (): void => {
    const overall = renderBar(
      {
        label: "overall",
        step: statuses.filter(finished).length,
        total: statuses.length,
        info: { s: Math.round((Date.now() - t0) / 1000) },
      },
      20,
    );
    const lines = [...statuses.map(statusLine), overall];
    if (tty) {
      if (drawn > 0) process.stdout.write(`\x1b[${drawn}A`);
      process.stdout.write(
        lines.map((l) => `${l.slice(0, (process.stdout.columns ?? 120) - 1)}\x1b[K`).join("\n") + "\n",
      );
      drawn = lines.length;
    } else {
      // In logs: print a job's line when its state (or its progress quarter) changes.
      for (const s of statuses) {
        const quarter =
          s.state === "running" && s.last ? Math.floor((4 * s.last.step) / Math.max(1, s.last.total)) : -1;
        const key = `${s.state}:${s.last?.label ?? ""}:${quarter}`;
        if (lastPrinted.get(s.id) !== key) {
          lastPrinted.set(s.id, key);
          console.log(statusLine(s));
        }
      }
    }
  };
  redraw();

  const children = new Set<ChildProcess>();
  let interrupted = false;
  const abort = new AbortController();
  const onSignal = (): void => {
    interrupted = true;
    for (const c of children) c.kill("SIGTERM");
    abort.abort();
    wake();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const env: NodeJS.ProcessEnv = { ...process.env, GEN2BRAIN_THREADS: threads };
  const nbEnv: NodeJS.ProcessEnv = {
    GEN2BRAIN_THREADS: threads,
    GEN2BRAIN_OUT: path.resolve(outRoot),
    ...(strict ? { GEN2BRAIN_STRICT: "1" } : {}),
  };
  const nbOut = path.join(path.resolve(outRoot), args.profile, "notebooks");
  const python = notebooks.length > 0 ? findPython(["nbclient", "nbformat", "jupyter_client", "ipykernel"]) : "";
  const jupyterPath = notebooks.length > 0 ? prepareKernel(python) : "";
  const notebookErrors = new Map<string, string>();

  // One pool: experiments first; a notebook once its experiment's record is there.
  const expQueue = experiments.filter((s) => s.state === "queued");
  const nbQueue = [...notebooks];
  const waiting: Array<() => void> = [];
  const wake = (): void => waiting.splice(0).forEach((w) => w());
  const nextJob = async (): Promise<JobStatus | undefined> => {
    for (;;) {
      if (interrupted) return undefined;
      const e = expQueue.shift();
      if (e) return e;
      for (let i = 0; i < nbQueue.length; i++) {
        const nb = nbQueue[i] as JobStatus;
        const dep = depOf.get(nb.id);
        const depState = dep ? experiments.find((x) => x.id === dep)?.state : "done";
        if (depState === "failed") {
          nbQueue.splice(i--, 1);
          nb.state = "skipped";
          nb.error = `${dep} failed`;
          redraw();
        } else if (depState === "done" || depState === "cached") {
          nbQueue.splice(i, 1);
          return nb;
        }
      }
      if (nbQueue.length === 0) return undefined;
      await new Promise<void>((r) => waiting.push(r)); // a running experiment will finish
    }
  };
  const runNotebook = async (s: JobStatus): Promise<void> => {
    s.state = "running";
    redraw();
    const run = await executeNotebook(path.join(NOTEBOOK_DIR, s.id), nbOut, {
      python,
      jupyterPath,
      timeoutS: args.profile === "full" ? 6 * 3600 : 1800,
      env: nbEnv,
      signal: abort.signal,
    });
    s.seconds = run.seconds;
    s.state = run.ok ? "done" : "failed";
    if (!run.ok) notebookErrors.set(s.id, run.error ?? "failed");
  };
  // A lone experiment whose seeds are independent (a seed store) gets every core: its notebooks wait for its
  // record anyway, so the other workers would idle (run-experiment.ts --jobs: the same record, less wall time).
  const splitJobs = (id: string): number =>
    queued === 1 && getExperiment(id).seedStore === true ? Math.max(1, Math.min(jobs, os.cpus().length)) : 1;
  const loadStart = os.loadavg()[0] ?? 0;
  let experimentsS = 0;
  const pool = Array.from({ length: workers }, async () => {
    for (let s = await nextJob(); s !== undefined; s = await nextJob()) {
      if (s.kind === "experiment") await runWorker(s, redraw, children, env, outRoot, splitJobs(s.id));
      else await runNotebook(s);
      s.endS = (Date.now() - t0) / 1000;
      if (s.kind === "experiment") experimentsS = Math.max(experimentsS, s.endS);
      redraw();
      wake();
    }
  });
  await Promise.all(pool);
  const wallS = (Date.now() - t0) / 1000;
  if (interrupted) {
    console.log("reproduce: interrupted; finished results are kept, rerun to resume");
    return 130;
  }
  const summary: ReproduceSummary & Record<string, unknown> = {
    profile: args.profile,
    seed: args.seed,
    jobs,
    wallS,
    experimentsS,
    backend: info.choice,
    engine: preflight.engine,
    threadsPerWorker: Number(threads),
    cpuS: experiments.reduce((a, s) => a + (s.cpuS ?? 0), 0),
    loadAvg1: { start: loadStart, end: os.loadavg()[0] ?? 0 },
    experiments: experiments.map(({ last: _last, kind: _kind, ...s }) => s),
    notebooks: notebooks.map(({ last: _last, kind: _kind, ...s }) => s),
  };
  writeJsonAtomic(path.join(outRoot, args.profile, "reproduce.json"), summary);
  const failed: string[] = [];
  for (const s of statuses.filter((x) => x.state === "failed")) {
    console.error(`FAILED ${s.id}: ${s.kind === "notebook" ? (notebookErrors.get(s.id) ?? "") : (s.error ?? "")}`);
    failed.push(s.id);
  }
  for (const s of statuses.filter((x) => x.state === "skipped")) failed.push(s.id);
  if (!preflight.checks.some((c) => c.name === "chromium" && c.ok))
    console.log("figures: interactive only (plotly JSON and report.html); PNG/SVG skipped without Chromium");
  if (notebooks.length > 0) console.log(`notebooks: executed copies in ${path.relative(ROOT, nbOut) || nbOut}/`);
  if (!args.flags.has("no-report")) {
    try {
      const { writeReport } = await import("./report");
      const files = await writeReport(args.profile, outRoot, summary);
      console.log(`report: ${files.join(", ")}`);
    } catch (e) {
      console.error(`report failed: ${e instanceof Error ? e.message : String(e)}`);
      failed.push("report");
    }
  }

  // The verdict table: a claim that does not hold is a result, not a failure (unless --strict).
  const records: ResultRecord[] = [];
  for (const s of experiments) {
    try {
      records.push(loadResults(path.join(outRoot, args.profile, s.id, "results.json")));
    } catch {
      /* a failed experiment has no record: already reported */
    }
  }
  const rows = verdictRows(records);
  console.log("");
  console.log(formatVerdictTable(rows, `verdicts (profile ${args.profile}, base seed ${args.seed})`, 160));
  const notHolding = notHeld(rows);
  const strictFail = strict && args.profile !== "smoke" && notHolding.length > 0;
  if (notHolding.length > 0)
    console.log(
      strictFail
        ? `strict: ${notHolding.length} asserted claim(s) do not hold (${notHolding.map((r) => `${r.experiment}/${r.claim}`).join(", ")}): exit 1`
        : `${notHolding.length} asserted claim(s) do not hold: a result, shown above (--strict or GEN2BRAIN_STRICT=1 makes it exit 1)`,
    );
  const ran = experiments.filter((x) => x.state !== "failed").length;
  console.log(
    `reproduce: ${ran}/${experiments.length} experiment(s) ran` +
      (notebooks.length
        ? `, ${notebooks.filter((x) => x.state === "done").length}/${notebooks.length} notebook(s)`
        : "") +
      `; ${failed.length} failure(s)${failed.length ? ` (${failed.join(", ")})` : ""}; ` +
      `experiments done at ${experimentsS.toFixed(1)} s, all at ${wallS.toFixed(1)} s`,
  );
  return failed.length > 0 || strictFail ? 1 : 0;
});
