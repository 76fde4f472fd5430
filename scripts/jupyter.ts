/**
 * Finding Jupyter and registering the tslab kernel. Used by `npm run kernel:install` and the headless
 * notebook runner.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..");
/** Where the runner registers its private kernel (ignored by git). */
export const PRIVATE_PREFIX = path.join(ROOT, ".kernel");

// One place for finding Jupyter: the preflight (npm run doctor) uses it too.
export { findPython, JUPYTER_INSTALL_HINT } from "../src/run/jupyter";
import { findPython } from "../src/run/jupyter";

export const TSLAB_BIN = path.join(ROOT, "node_modules", ".bin", "tslab");

/** Register the tslab kernel (`tslab` and `jslab`) for the user, or into `prefix`. Returns the kernel dir. */
export function installKernel(opts: { prefix?: string; python?: string; quiet?: boolean } = {}): string {
  if (!fs.existsSync(TSLAB_BIN)) throw new Error(`${TSLAB_BIN} not found: run \`npm ci\` first`);
  const python = opts.python ?? findPython(["jupyter_client", "IPython"]);
  const args = ["install", `--python=${python}`, `--binary=${TSLAB_BIN}`];
  if (opts.prefix) args.push(`--prefix=${path.resolve(opts.prefix)}`);
  else args.push("--user");
  const out = execFileSync(TSLAB_BIN, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();
  if (!opts.quiet) process.stdout.write(out);
  let dir: string;
  if (opts.prefix) dir = path.join(path.resolve(opts.prefix), "share", "jupyter", "kernels", "tslab");
  else {
    const list = execFileSync(python, ["-m", "jupyter", "kernelspec", "list", "--json"], {
      stdio: ["ignore", "pipe", "ignore"],
    }).toString();
    const specs = (JSON.parse(list) as { kernelspecs: Record<string, { resource_dir: string }> }).kernelspecs;
    const found = specs["tslab"]?.resource_dir;
    if (found === undefined) return "(registered)";
    dir = found;
  }
  for (const kernel of [dir, path.join(path.dirname(dir), "jslab")]) {
    const spec = path.join(kernel, "kernel.json");
    if (fs.existsSync(spec))
      fs.writeFileSync(spec, JSON.stringify(withKernelPreload(JSON.parse(fs.readFileSync(spec, "utf8")))));
  }
  return dir;
}

/** The kernel-preload module (scripts/kernel-preload.cjs): zeromq sends one at a time, see there why. */
export const KERNEL_PRELOAD = path.join(ROOT, "scripts", "kernel-preload.cjs");

/**
 * A kernel spec whose kernel starts as `node --require kernel-preload.cjs <tslab> kernel …` instead of `<tslab>
 * kernel …`, with the node that runs this script (idempotent).
 */
export function withKernelPreload(spec: { argv: string[] } & Record<string, unknown>): typeof spec {
  const argv = spec.argv;
  if (argv.includes(KERNEL_PRELOAD)) return spec;
  return { ...spec, argv: [process.execPath, "--require", KERNEL_PRELOAD, ...argv] };
}
