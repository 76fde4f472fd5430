/**
 * Finding a Python with Jupyter (for the headless notebook runner, `npm run kernel:install` and the
 * preflight), and the Debian packages of each optional piece. No tfjs here: scripts that only need
 * Jupyter stay light.
 */
import { spawnSync } from "child_process";

/** Debian's packages for each optional piece (the README's prerequisite line installs all of them). */
export const APT_PACKAGES = Object.freeze({
  blas: ["libopenblas0-pthread"],
  chromium: ["chromium"],
  jupyter: ["jupyter-nbconvert", "python3-nbclient", "jupyter-client", "python3-ipykernel", "jupyter-core"],
  compiler: ["build-essential", "python3"],
});

/** The Python modules the headless notebook runner needs. */
export const JUPYTER_MODULES: ReadonlyArray<string> = ["nbclient", "nbformat", "jupyter_client", "ipykernel"];

export const JUPYTER_INSTALL_HINT =
  "install Jupyter first, e.g. on Debian/Ubuntu: sudo apt-get install -y --no-install-recommends " +
  `${APT_PACKAGES.jupyter.join(" ")} (or \`pip install jupyterlab nbclient nbconvert\`), ` +
  "or point GEN2BRAIN_PYTHON at a Python that has it";

function hasModules(python: string, modules: ReadonlyArray<string>): boolean {
  const r = spawnSync(python, ["-c", modules.map((m) => `import ${m}`).join("; ")], { stdio: "ignore" });
  return r.status === 0;
}

/**
 * A Python interpreter with the given Jupyter modules: GEN2BRAIN_PYTHON, else /usr/bin/python3 (Debian's
 * Jupyter), else `python3` on PATH. Throws with install instructions when none has them.
 */
export function findPython(modules: ReadonlyArray<string> = ["jupyter_client"]): string {
  const candidates = [process.env["GEN2BRAIN_PYTHON"], "/usr/bin/python3", "python3"].filter(
    (c): c is string => typeof c === "string" && c !== "",
  );
  for (const c of candidates) if (hasModules(c, modules)) return c;
  throw new Error(
    `Jupyter is not installed (no Python among ${candidates.join(", ")} can import ${modules.join(", ")}): ${JUPYTER_INSTALL_HINT}`,
  );
}
