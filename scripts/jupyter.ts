/**
 * Finding Jupyter and registering the tslab kernel. Used by `npm run kernel:install` and the headless
 * notebook runner.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..");
/** Where the runner registers its private kernel (ignored by git). */
export const PRIVATE_PREFIX = path.join(ROOT, ".kernel");

export const JUPYTER_INSTALL_HINT =
  "install Jupyter first, e.g. on Debian/Ubuntu: sudo apt-get install -y --no-install-recommends " +
  "jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel jupyter-core " +
  "(or `pip install jupyterlab nbclient nbconvert`), or point GEN2BRAIN_PYTHON at a Python that has it";

function hasModules(python: string, modules: string[]): boolean {
  const r = spawnSync(python, ["-c", modules.map((m) => `import ${m}`).join("; ")], { stdio: "ignore" });
  return r.status === 0;
}

/**
 * A Python interpreter with the given Jupyter modules: GEN2BRAIN_PYTHON, else /usr/bin/python3 (Debian's
 * Jupyter), else `python3` on PATH. Throws with install instructions when none has them.
 */
export function findPython(modules: string[] = ["jupyter_client"]): string {
  const candidates = [process.env["GEN2BRAIN_PYTHON"], "/usr/bin/python3", "python3"].filter(
    (c): c is string => typeof c === "string" && c !== "",
  );
  for (const c of candidates) if (hasModules(c, modules)) return c;
  throw new Error(
    `Jupyter is not installed (no Python among ${candidates.join(", ")} can import ${modules.join(", ")}): ${JUPYTER_INSTALL_HINT}`,
  );
}

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
  if (opts.prefix) return path.join(path.resolve(opts.prefix), "share", "jupyter", "kernels", "tslab");
  const list = execFileSync(python, ["-m", "jupyter", "kernelspec", "list", "--json"], {
    stdio: ["ignore", "pipe", "ignore"],
  }).toString();
  const specs = (JSON.parse(list) as { kernelspecs: Record<string, { resource_dir: string }> }).kernelspecs;
  return specs["tslab"]?.resource_dir ?? "(registered)";
}
