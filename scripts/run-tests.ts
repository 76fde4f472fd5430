/**
 * `npm run test:unit [-- filter...]`: every `src/**\/*.test.ts` and `scripts/**\/*.test.ts` through node's
 * test runner (with tsx for TypeScript). Filters select files whose path contains one of them.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

function walk(dir: string, out: string[]): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== "node_modules" && !e.isSymbolicLink()) walk(p, out);
    else if (e.isFile() && e.name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = [...walk(path.join(ROOT, "src"), []), ...walk(path.join(ROOT, "scripts"), [])]
  .map((f) => path.relative(ROOT, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files], {
  cwd: ROOT,
  stdio: "inherit",
  env: {
    ...process.env,
    GEN2BRAIN_STATIC: process.env["GEN2BRAIN_STATIC"] ?? "1",
    // Unit tests run on the CPU backends (they read tensors synchronously, which WebGPU in Node cannot);
    // src/speed/webgpu.test.ts tests the WebGPU path itself. GEN2BRAIN_BACKEND=webgpu overrides.
    GEN2BRAIN_WEBGPU: process.env["GEN2BRAIN_BACKEND"] === "webgpu" ? "1" : (process.env["GEN2BRAIN_WEBGPU"] ?? "0"),
  },
});
process.exit(r.status ?? 1);
