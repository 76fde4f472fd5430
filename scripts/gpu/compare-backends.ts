/**
 * `tsx scripts/gpu/compare-backends.ts <gpuTree> <cpuTree> [--out FILE.md]`: does an experiment come out the
 * same on the GPU as on the CPU? For every results.json found under the same relative path in both trees
 * (as scripts/gpu/gpu-check.sh writes them: experiments/webgpu/... and experiments/wasm/...):
 * - verdicts: each claim's verdict (or, for older records, holds) on both backends, and how many agree;
 * - loss curves: the largest |a - b| over every number under a key named like a loss (trainLoss, loss,
 *   evalLoss, ...) in the record's data, i.e. the same seed's training curves;
 * - metrics: the largest relative difference of the metric means.
 * Same seed, same batches, float32 sums in another order: curves agree to rounding at first and drift
 * apart slowly; verdicts must agree. Prints a markdown table (and writes it with --out).
 */
import * as fs from "fs";
import * as path from "path";

interface Row {
  experiment: string;
  verdictsSame: number;
  claims: number;
  differing: string[];
  maxLossDiff: number;
  lossValues: number;
  maxMetricRelDiff: number;
}

function findResults(dir: string, root = dir, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findResults(p, root, out);
    else if (e.name === "results.json") out.push(path.relative(root, p));
  }
  return out.sort();
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Walk two JSON values in parallel, calling `f` on every pair of numbers with the key path. */
function walkPairs(a: Json, b: Json, keys: string[], f: (x: number, y: number, keys: string[]) => void): void {
  if (typeof a === "number" && typeof b === "number") f(a, b, keys);
  else if (Array.isArray(a) && Array.isArray(b)) a.forEach((v, i) => walkPairs(v, b[i] ?? null, keys, f));
  else if (
    a !== null &&
    b !== null &&
    typeof a === "object" &&
    typeof b === "object" &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  )
    for (const k of Object.keys(a)) if (k in b) walkPairs(a[k] as Json, b[k] as Json, [...keys, k], f);
}

const LOSS_KEY = /^(train|eval)?loss(es)?$|Loss(es)?$/i;

export function compareRecords(experiment: string, gpu: Record<string, Json>, cpu: Record<string, Json>): Row {
  const claimsOf = (r: Record<string, Json>): Map<string, string> => {
    const m = new Map<string, string>();
    for (const c of (r["claims"] ?? []) as Array<Record<string, Json>>) {
      const v = typeof c["verdict"] === "string" ? c["verdict"] : c["holds"] === true ? "holds" : "not held";
      m.set(String(c["id"] ?? c["statement"]), v as string);
    }
    return m;
  };
  const g = claimsOf(gpu);
  const c = claimsOf(cpu);
  const differing: string[] = [];
  let same = 0;
  for (const [id, v] of c) {
    if (g.get(id) === v) same++;
    else differing.push(`${id}: gpu ${g.get(id) ?? "missing"}, cpu ${v}`);
  }
  let maxLossDiff = 0;
  let lossValues = 0;
  walkPairs(gpu["data"] ?? null, cpu["data"] ?? null, [], (x, y, keys) => {
    if (!keys.some((k) => LOSS_KEY.test(k))) return;
    lossValues++;
    maxLossDiff = Math.max(maxLossDiff, Math.abs(x - y));
  });
  let maxMetricRelDiff = 0;
  walkPairs(gpu["metrics"] ?? null, cpu["metrics"] ?? null, [], (x, y, keys) => {
    if (keys[keys.length - 1] !== "mean" && keys.length > 1) return;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    maxMetricRelDiff = Math.max(maxMetricRelDiff, Math.abs(x - y) / Math.max(Math.abs(y), 1e-6));
  });
  return { experiment, verdictsSame: same, claims: c.size, differing, maxLossDiff, lossValues, maxMetricRelDiff };
}

export function markdownTable(rows: ReadonlyArray<Row>): string {
  const lines = [
    "| experiment | verdicts equal | max loss-curve difference (values) | max relative metric difference |",
    "|---|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.experiment} | ${r.verdictsSame}/${r.claims} | ${r.maxLossDiff.toExponential(2)} (${r.lossValues}) | ${r.maxMetricRelDiff.toExponential(2)} |`,
    ),
  ];
  for (const r of rows) for (const d of r.differing) lines.push(`- ${r.experiment}: ${d}`);
  return lines.join("\n") + "\n";
}

if (require.main === module) {
  const [gpuTree, cpuTree] = process.argv.slice(2);
  if (gpuTree === undefined || cpuTree === undefined) {
    console.error("usage: compare-backends.ts <gpuTree> <cpuTree> [--out FILE.md]");
    process.exit(2);
  }
  const outAt = process.argv.indexOf("--out");
  const rows: Row[] = [];
  for (const rel of findResults(cpuTree)) {
    const g = path.join(gpuTree, rel);
    if (!fs.existsSync(g)) {
      console.error(`missing on the GPU side: ${rel}`);
      continue;
    }
    const read = (f: string): Record<string, Json> => JSON.parse(fs.readFileSync(f, "utf8")) as Record<string, Json>;
    rows.push(compareRecords(path.dirname(rel), read(g), read(path.join(cpuTree, rel))));
  }
  const md = markdownTable(rows);
  process.stdout.write(md);
  if (outAt > 0 && process.argv[outAt + 1]) fs.writeFileSync(process.argv[outAt + 1] as string, md);
  process.exit(rows.every((r) => r.verdictsSame === r.claims) ? 0 : 1);
}
