/**
 * `npm run reproduce -- [--profile smoke|quick|full] [--seed N] [--backend B] [--only id,id] [--jobs N] [--force] [--no-notebooks]`
 * (`--seeds 1234,4242,7` instead of `--seed`: several base seeds and their claims side by side, see
 * scripts/claims-by-seed.ts)
 *
 * Runs the registered experiments without Jupyter, each in its own worker process (tfjs's wasm backend is
 * single-threaded, so one process per core), and writes for each `out/<profile>/<id>/results.json` plus
 * its figures. A finished result whose cache key (experiment, profile, seed, config, backend, code) matches
 * is reused unless --force. Results are written atomically, so Ctrl-C leaves no half-written result and
 * the next run resumes with the experiments that did not finish. A failed experiment does not stop the
 * others; the command exits non-zero at the end if any failed. Then it writes the report
 * (`out/<profile>/report.html` and `report.md`) and, if Jupyter is installed, executes the notebooks.
 */
import { spawn, ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import "../src/takeaways/index";
import { backendKey, cacheKey, codeVersion, getExperiment, listExperiments } from "../src/run/experiment";
import { initBackend, describeBackend } from "../src/run/backend";
import { loadResults, resultDir, writeJsonAtomic } from "../src/run/results";
import { renderBar, ProgressEvent } from "../src/present/progress";
import { parseArgs, runMain } from "./cli";
import { ROOT } from "./jupyter";
import { TAKEAWAY_IDS } from "./reproduce-ids";

export interface JobStatus {
  id: string;
  state: "cached" | "queued" | "running" | "done" | "failed";
  last?: ProgressEvent;
  seconds?: number;
  error?: string;
}

/** Is there a finished result with this cache key? */
export function isCached(file: string, key: string): boolean {
  if (!fs.existsSync(file)) return false;
  try {
    return loadResults(file).cacheKey === key;
  } catch {
    return false;
  }
}

function runWorker(
  id: string,
  status: JobStatus,
  redraw: () => void,
  children: Set<ChildProcess>,
  workerEnv: NodeJS.ProcessEnv,
  outRoot: string,
): Promise<void> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(__dirname, "run-experiment.ts"), id, "--progress-json", "--out", outRoot],
      {
        cwd: ROOT,
        env: workerEnv,
        stdio: ["ignore", "pipe", "pipe"],
      },
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
        if (line.startsWith("@@progress ")) {
          try {
            status.last = JSON.parse(line.slice(11)) as ProgressEvent;
            redraw();
          } catch {
            /* a partial line: ignore */
          }
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
      return s.last ? `${s.id}: ${renderBar(s.last, 20)}` : `${s.id}: starting`;
    case "done":
      return `${s.id}: done in ${(s.seconds ?? 0).toFixed(1)} s`;
    case "failed":
      return `${s.id}: FAILED after ${(s.seconds ?? 0).toFixed(1)} s: ${s.error ?? ""}`;
  }
}

runMain(async () => {
  const args = parseArgs(
    process.argv.slice(2),
    ["only", "jobs", "out", "seeds"],
    ["force", "no-notebooks", "no-report"],
  );
  // Several base seeds: one run per seed and the claims side by side (scripts/claims-by-seed.ts).
  if (args.flags.has("seeds")) return (await import("./claims-by-seed")).claimsBySeed(process.argv.slice(2));
  const only = args.flags.get("only");
  const ids =
    typeof only === "string"
      ? only
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : TAKEAWAY_IDS.filter((id) => listExperiments().some((e) => e.id === id));
  ids.forEach((id) => getExperiment(id)); // unknown ids fail here, with the list of known ones
  const jobsFlag = args.flags.get("jobs");
  const jobs = typeof jobsFlag === "string" ? Number(jobsFlag) : Math.max(1, os.cpus().length);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new Error(`--jobs must be a positive integer, got ${String(jobsFlag)}`);
  const outFlag = args.flags.get("out");
  const outRoot = typeof outFlag === "string" ? outFlag : "out";
  const info = await initBackend(args.backend);
  const code = codeVersion();
  console.log(
    `reproduce: ${ids.length} experiment(s), profile ${args.profile}, seed ${args.seed}, ${jobs} worker(s); ${describeBackend(info)}`,
  );

  const statuses: JobStatus[] = ids.map((id) => {
    const exp = getExperiment(id);
    const key = cacheKey(id, args.profile, args.seed, exp.profiles[args.profile], backendKey(info), code);
    const file = path.join(resultDir(outRoot, args.profile, id), "results.json");
    return { id, state: !args.flags.has("force") && isCached(file, key) ? "cached" : "queued" };
  });
  const tty = process.stdout.isTTY === true;
  let drawn = 0;
  let lastPrinted = new Map<string, string>();
  const t0 = Date.now();
  const redraw = (): void => {
    const done = statuses.filter((s) => s.state === "done" || s.state === "cached" || s.state === "failed").length;
    const overall = renderBar(
      { label: "overall", step: done, total: statuses.length, info: { s: Math.round((Date.now() - t0) / 1000) } },
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
  const onSignal = (): void => {
    interrupted = true;
    for (const c of children) c.kill("SIGTERM");
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const queue = statuses.filter((s) => s.state === "queued");
  // Share the cores: each worker's native BLAS/OpenMP threads get cores / workers (the user's setting wins).
  const workerEnv: NodeJS.ProcessEnv = {
    ...process.env,
    GEN2BRAIN_THREADS:
      process.env["GEN2BRAIN_THREADS"] ??
      String(Math.max(1, Math.floor(os.cpus().length / Math.min(jobs, Math.max(1, queue.length))))),
  };
  const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let s = queue.shift(); s !== undefined && !interrupted; s = queue.shift())
      await runWorker(s.id, s, redraw, children, workerEnv, outRoot);
  });
  await Promise.all(workers);
  const wallS = (Date.now() - t0) / 1000;
  if (interrupted) {
    console.log("reproduce: interrupted; finished results are kept, rerun to resume");
    return 130;
  }
  const summary = {
    profile: args.profile,
    seed: args.seed,
    jobs,
    wallS,
    backend: info.choice,
    experiments: statuses.map(({ last: _last, ...s }) => s),
  };
  writeJsonAtomic(path.join(outRoot, args.profile, "reproduce.json"), summary);
  const failed = statuses.filter((s) => s.state === "failed");
  for (const s of failed) console.error(`FAILED ${s.id}: ${s.error ?? ""}`);
  if (!args.flags.has("no-report")) {
    try {
      const { writeReport } = await import("./report");
      const files = await writeReport(args.profile, outRoot, summary);
      console.log(`report: ${files.join(", ")}`);
    } catch (e) {
      console.error(`report failed: ${e instanceof Error ? e.message : String(e)}`);
      failed.push({ id: "report", state: "failed" });
    }
  }
  if (!args.flags.has("no-notebooks")) {
    const { notebooksStep } = await import("./report");
    const ok = await notebooksStep(args.profile);
    if (!ok) failed.push({ id: "notebooks", state: "failed" });
  }
  console.log(`reproduce: ${statuses.length - failed.length} ok, ${failed.length} failed in ${wallS.toFixed(1)} s`);
  return failed.length === 0 ? 0 : 1;
});
