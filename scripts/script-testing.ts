/** For the scripts' tests: run one script of this folder as a user would, and read what it printed. */
import { spawnSync } from "child_process";
import * as path from "path";

/**
 * `node --import tsx scripts/<script> ...args` from the repository root, with `env` added to this process's
 * environment; its exit status and stdout + stderr together.
 */
export function runScript(
  script: string,
  args: ReadonlyArray<string>,
  opts: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, script), ...args], {
    cwd: path.join(__dirname, ".."),
    env: { ...process.env, ...opts.env },
    encoding: "utf8",
    timeout: opts.timeoutMs,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}
