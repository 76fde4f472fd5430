/**
 * `npm run kernel:install [-- --prefix DIR] [--python PY]`: register the tslab kernel with Jupyter, for the
 * current user by default, or into a prefix (CI: `--prefix .kernel`, then `JUPYTER_PATH=.kernel/share/jupyter`).
 */
import { parseArgs, runMain } from "./cli";
import { installKernel } from "./jupyter";

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["prefix", "python"]);
  const prefix = args.flags.get("prefix");
  const python = args.flags.get("python");
  const dir = installKernel({
    ...(typeof prefix === "string" ? { prefix } : {}),
    ...(typeof python === "string" ? { python } : {}),
  });
  console.log(`tslab kernel registered: ${dir}`);
  if (typeof prefix === "string") console.log(`use it with: export JUPYTER_PATH=${prefix}/share/jupyter`);
  console.log("open Jupyter Lab at the repository root and pick the 'TypeScript' (tslab) kernel");
});
