/**
 * `tsx scripts/compare-results.ts <treeA> <treeB> [--max N]`
 *
 * Compares two result trees written by `npm run reproduce -- --out DIR` field by field: every
 * `results.json` (metrics, claims, config, data, seeds), every CSV and every figure's JSON, found under
 * the same relative path in both trees. Provenance that changes from run to run is ignored: start
 * times, wall times, cache keys, code hashes, the git commit and the machine. Numbers must be equal
 * bit for bit (Object.is, so -0 and NaN count too). Prints "bit-identical" per file or the first
 * differences (JSON path, A, B), and exits 1 when anything differs or is missing, 2 when a tree is not a folder
 * or neither holds anything to compare.
 *
 * A refactor must leave every number of every experiment unchanged on the same backend; this is the
 * check (run reproduce before and after with --force, then compare).
 */
import * as fs from "fs";
import * as path from "path";

/** Keys whose values are provenance or timings, not results (a `…Ms` key is a duration in ms). */
const IGNORED_KEY =
  /^(startedAt|cacheKey|gitCommit|codeVersion|engine|machine|versions|seconds|timing|cpuSeconds|cpuS|cpuByPhase|wall\w*)$|Ms$/;
/** CSV columns that hold timings (t4's wall_ms and cpu_ms per run), not results. */
const IGNORED_COLUMN = /_ms$/;
/** Files that hold run summaries (timings) rather than results. */
const IGNORED_FILES = new Set(["reproduce.json", "report.md", "report.html"]);

function walk(dir: string, root = dir, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "notebooks" && e.name !== "checkpoints") walk(p, root, out);
    } else if (
      (e.name.endsWith(".json") || e.name.endsWith(".csv")) &&
      !IGNORED_FILES.has(e.name) &&
      !e.name.includes(".tmp-")
    ) {
      out.push(path.relative(root, p));
    }
  }
  return out.sort();
}

/** Differences between two JSON values: [path, a, b] triples, at most `max`. */
export function diffJson(
  a: unknown,
  b: unknown,
  at = "$",
  out: Array<[string, unknown, unknown]> = [],
  max = 20,
  roots: readonly [string, string] = ["", ""],
): Array<[string, unknown, unknown]> {
  if (out.length >= max) return out;
  if (typeof a === "string" && typeof b === "string") {
    // Output paths name the tree they were written to.
    if (a.split(roots[0]).join("<out>") !== b.split(roots[1]).join("<out>")) out.push([at, a, b]);
    return out;
  }
  if (typeof a === "number" && typeof b === "number") {
    if (!Object.is(a, b)) out.push([at, a, b]);
    return out;
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") {
    if (a !== b) out.push([at, a, b]);
    return out;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    out.push([at, Array.isArray(a) ? "array" : "object", Array.isArray(b) ? "array" : "object"]);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push([`${at}.length`, a.length, b.length]);
    for (let i = 0; i < Math.min(a.length, b.length); i++) diffJson(a[i], b[i], `${at}[${i}]`, out, max, roots);
    return out;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) {
    if (IGNORED_KEY.test(k)) continue;
    if (!(k in ao)) out.push([`${at}.${k}`, "(missing)", bo[k]]);
    else if (!(k in bo)) out.push([`${at}.${k}`, ao[k], "(missing)"]);
    else diffJson(ao[k], bo[k], `${at}.${k}`, out, max, roots);
  }
  return out;
}

/** A CSV line's fields, quotes kept (an RFC 4180 `""` inside quotes toggles twice), to drop the timing columns. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      out.push(field);
      field = "";
    } else field += ch;
  }
  out.push(field);
  return out;
}

/** The CSV's lines without its timing columns (those the header names …_ms). */
function withoutTimings(text: string): string[] {
  const lines = text.split("\n");
  const drop = new Set(csvFields(lines[0] ?? "").flatMap((h, i) => (IGNORED_COLUMN.test(h) ? [i] : [])));
  if (drop.size === 0) return lines;
  return lines.map((l) =>
    csvFields(l)
      .filter((_, i) => !drop.has(i))
      .join(","),
  );
}

function diffCsv(a: string, b: string, max: number): Array<[string, unknown, unknown]> {
  const la = withoutTimings(a);
  const lb = withoutTimings(b);
  const out: Array<[string, unknown, unknown]> = [];
  if (la.length !== lb.length) out.push(["lines", la.length, lb.length]);
  for (let i = 0; i < Math.min(la.length, lb.length) && out.length < max; i++)
    if (la[i] !== lb[i]) out.push([`line ${i + 1}`, la[i], lb[i]]);
  return out;
}

function main(): number {
  const args = process.argv.slice(2);
  const usage = "usage: tsx scripts/compare-results.ts <treeA> <treeB> [--max N]";
  const maxAt = args.indexOf("--max");
  const max = maxAt >= 0 ? Number(args[maxAt + 1]) : 8;
  if (!Number.isInteger(max) || max < 1) {
    console.error(
      `compare-results: --max wants a whole number ≥ 1 (differences shown per file), got "${args[maxAt + 1]}"`,
    );
    return 2;
  }
  const [treeA, treeB] = args.filter((a, i) => !a.startsWith("--") && (maxAt < 0 || i !== maxAt + 1));
  if (treeA === undefined || treeB === undefined) {
    console.error(usage);
    return 2;
  }
  // A check that cannot fail is no check: a mistyped folder used to compare nothing and say "0/0 bit-identical".
  for (const tree of [treeA, treeB])
    if (!fs.existsSync(tree) || !fs.statSync(tree).isDirectory()) {
      console.error(`compare-results: ${tree} is not a folder (give the --out folders of two runs)\n${usage}`);
      return 2;
    }
  const fa = walk(treeA);
  const fb = walk(treeB);
  const all = [...new Set([...fa, ...fb])].sort();
  if (all.length === 0) {
    console.error(
      `compare-results: nothing to compare: neither ${treeA} nor ${treeB} holds a results.json, CSV or figure JSON`,
    );
    return 2;
  }
  let bad = 0;
  let same = 0;
  for (const f of all) {
    const pa = path.join(treeA, f);
    const pb = path.join(treeB, f);
    if (!fs.existsSync(pa) || !fs.existsSync(pb)) {
      console.log(`MISSING ${f} (only in ${fs.existsSync(pa) ? "A" : "B"})`);
      bad++;
      continue;
    }
    const ta = fs.readFileSync(pa, "utf8");
    const tb = fs.readFileSync(pb, "utf8");
    const diffs = f.endsWith(".csv")
      ? diffCsv(ta, tb, max)
      : diffJson(JSON.parse(ta), JSON.parse(tb), "$", [], max, [path.resolve(treeA), path.resolve(treeB)]);
    if (diffs.length === 0) {
      same++;
      continue;
    }
    bad++;
    console.log(`DIFFERS ${f}`);
    for (const [p, x, y] of diffs)
      console.log(`  ${p}: ${JSON.stringify(x)?.slice(0, 200)} vs ${JSON.stringify(y)?.slice(0, 200)}`);
  }
  const results = all.filter((f) => f.endsWith("results.json")).length;
  console.log(
    `${same}/${all.length} files bit-identical (${results} results.json, ${all.filter((f) => f.endsWith(".csv")).length} CSV, the rest figure JSON)${bad ? `; ${bad} differ or are missing` : ""}`,
  );
  return bad === 0 ? 0 : 1;
}

if (require.main === module) process.exit(main());
