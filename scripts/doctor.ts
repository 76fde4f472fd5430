/**
 * `npm run doctor [-- --backend B] [--json]`: the preflight block of `npm run reproduce` alone: which
 * backend and why, the GEMM library and threads of the native addon, Chromium and Jupyter; for each
 * missing piece what it costs and the exact command that adds it. Runs nothing; exits 0 (a missing
 * optional piece is not an error).
 */
import { initBackend } from "../src/run/backend";
import { assessPreflight, formatPreflight, gatherFacts } from "../src/run/preflight";
import { parseArgs, runMain } from "./cli";

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), [], ["json"]);
  const preflight = assessPreflight(gatherFacts(await initBackend(args.backend)));
  console.log(args.flags.has("json") ? JSON.stringify(preflight, null, 2) : formatPreflight(preflight));
  return 0;
});
