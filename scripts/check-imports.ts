/**
 * `tsx scripts/check-imports.ts`: the import rules of the house, checked on `src/` (part of `npm run lint`).
 *
 * 1. No import cycles between modules (type-only imports count: a cycle of types is a knot in the design too).
 * 2. A takeaway's `config.ts` imports nothing from its own folder (run, analysis and figures import it).
 * 3. Code outside `src/speed/` reaches the speed code only through `src/speed/index.ts`, the one dispatch point.
 * 4. No synchronous tensor reads (`dataSync`, `arraySync`, `bufferSync`) in `src/`: the WebGPU backend cannot
 *    read synchronously in Node (it throws "OffscreenCanvas is not defined"); use `await t.data()`.
 *
 * Test files are left out: a test may import whatever it checks.
 */
import * as fs from "fs";
import * as path from "path";

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|(?:require|import)\(\s*["']([^"']+)["']\s*\)/g;

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !e.isSymbolicLink() && e.name !== "node_modules") walk(p, out);
    else if (e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

/** The relative imports of every module under `root`, resolved to files: module -> imported modules. */
export function importGraph(root: string): Map<string, string[]> {
  const files = walk(root);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = fs.readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "");
    const deps: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec === undefined || !spec.startsWith(".")) continue;
      const base = path.resolve(path.dirname(f), spec);
      const target = [`${base}.ts`, path.join(base, "index.ts")].find((c) => known.has(c));
      if (target !== undefined) deps.push(target);
    }
    graph.set(f, deps);
  }
  return graph;
}

/** The import cycles of a graph (strongly connected components with more than one module, or a self-import). */
export function importCycles(graph: ReadonlyMap<string, ReadonlyArray<string>>): string[][] {
  // Tarjan's algorithm, iterative enough for a few hundred modules.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}

/**
 * Files that still read synchronously, each to be converted when its takeaway is rebuilt; the list may
 * only shrink (rule 4).
 */
export const SYNC_READ_PENDING: ReadonlyArray<string> = [];

const SYNC_READ = /\.(dataSync|arraySync|bufferSync)\s*\(/;

/** Every broken rule under `src` (a folder laid out as gen2brain's src/), one line each. */
export function checkImports(src: string): string[] {
  const graph = importGraph(src);
  const rel = (f: string): string => path.relative(src, f);
  const problems = importCycles(graph).map((c) => `import cycle: ${c.map(rel).join(" <-> ")}`);
  const speed = path.join(src, "speed") + path.sep;
  for (const [f, deps] of graph) {
    for (const d of deps) {
      if (
        path.basename(f) === "config.ts" &&
        rel(f).startsWith("takeaways" + path.sep) &&
        path.dirname(d) === path.dirname(f)
      ) {
        problems.push(
          `${rel(f)} imports its sibling ${path.basename(d)}: a takeaway's config.ts imports nothing of its own folder`,
        );
      }
      if (!f.startsWith(speed) && d.startsWith(speed) && d !== path.join(speed, "index.ts")) {
        problems.push(`${rel(f)} imports ${rel(d)}: outside speed/, import the speed code from speed/index.ts only`);
      }
    }
  }
  for (const f of graph.keys()) {
    const r = rel(f).split(path.sep).join("/");
    if (SYNC_READ_PENDING.includes(r)) continue;
    const lines = fs.readFileSync(f, "utf8").split("\n");
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "");
      const m = SYNC_READ.exec(code);
      if (m !== null && !/^\s*\*/.test(line))
        problems.push(
          `${r}:${i + 1} reads a tensor synchronously (${m[1]}): use await t.data() / t.array() (WebGPU cannot read synchronously)`,
        );
    });
  }
  return problems;
}

if (require.main === module) {
  const src = path.resolve(__dirname, "..", "src");
  const problems = checkImports(src);
  for (const p of problems) console.error(p);
  console.log(`imports: ${importGraph(src).size} modules, ${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
}
