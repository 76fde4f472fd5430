/**
 * Where the repository is. In a notebook, tslab runs `src/` through the `notebooks/src` link with the
 * kernel's working folder at `notebooks/`, so neither `process.cwd()` nor `__dirname` alone is the root:
 * resolve the link and walk up to gen2brain's package.json.
 */
import * as fs from "fs";
import * as path from "path";

let cached: string | null = null;

/** The repository root (the folder of gen2brain's package.json); falls back to the working folder. */
export function repoRoot(): string {
  if (cached !== null) return cached;
  let dir: string;
  try {
    dir = fs.realpathSync(__dirname);
  } catch {
    dir = path.resolve(__dirname);
  }
  for (let d = dir; ; d = path.dirname(d)) {
    const pkg = path.join(d, "package.json");
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "gen2brain") return (cached = d);
      } catch {
        /* not ours */
      }
    }
    if (path.dirname(d) === d) break;
  }
  return (cached = process.cwd());
}

/**
 * The default output root: `GEN2BRAIN_OUT` when set (`npm run reproduce -- --out DIR` sets it for the
 * notebooks it runs, so they find the records it wrote), else `<repo>/out`.
 */
export function defaultOutRoot(): string {
  const env = process.env["GEN2BRAIN_OUT"];
  return env !== undefined && env !== "" ? path.resolve(env) : path.join(repoRoot(), "out");
}

/**
 * Where the full runs are shipped: data/results/, one folder per experiment (scripts/cache-full.ts writes them,
 * t4's by scripts/sweep-t4.ts).
 */
export function shippedResultsRoot(root = repoRoot()): string {
  return path.join(root, "data", "results");
}

/** Where an experiment's shipped full run is: data/results/<id>/results.json. */
export function shippedResultsFile(id: string, root = repoRoot()): string {
  return path.join(shippedResultsRoot(root), id, "results.json");
}
