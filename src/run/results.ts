/**
 * Results as typed records on disk (STYLE §8), written atomically: a temp file in the same folder, then
 * a rename, so an interrupted run never leaves a half-written results.json, CSV or checkpoint.
 */
import * as fs from "fs";
import * as path from "path";
import type { Claim } from "../claims";
import type { Profile } from "../config";
import type { Metric } from "../stats";
import { defaultOutRoot } from "./paths";

/** Versions recorded with every result. */
export interface Versions {
  readonly node: string;
  readonly tfjs: string;
  readonly package: string;
}

/**
 * What every experiment writes as `out/<profile>/<id>/results.json`: `C` is its config, `D` the data
 * its figures need, `M` the names of its metrics.
 */
export interface ResultRecord<C = object, D = unknown, M extends string = string> {
  readonly id: string;
  readonly title: string;
  readonly profile: Profile;
  readonly baseSeed: number;
  readonly seeds: ReadonlyArray<number>;
  readonly backend: string;
  /** The GPU the run used (webgpu): device, vendor/architecture, driver. */
  readonly adapter?: string;
  /** How the model computed, e.g. "wasm+OpenBLAS" (backend and the native addon's BLAS); older records lack it. */
  readonly engine?: string;
  readonly versions: Versions;
  readonly gitCommit: string;
  readonly startedAt: string;
  readonly wallMs: number;
  readonly machine: { readonly cpus: number; readonly model: string; readonly platform: string };
  readonly config: C;
  readonly metrics: Readonly<Record<M, Metric>>;
  readonly claims: ReadonlyArray<Claim>;
  /** Experiment-specific data the figures need (histories, tables, samples). */
  readonly data: D;
  /** Hash of (id, profile, seed, config, backend, code version): a matching finished result is reused. */
  readonly cacheKey?: string;
}

/** Write a file atomically: temp file beside it, fsync, rename. Creates parent folders. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeSync(fd, typeof content === "string" ? Buffer.from(content, "utf8") : content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** JSON.stringify that writes non-finite numbers as null (JSON has no NaN) and is stable-indented. */
export function toJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n";
}

export function writeJsonAtomic(file: string, x: unknown): void {
  writeFileAtomic(file, toJson(x));
}

/** The folder of one experiment's outputs: `<outRoot>/<profile>/<id>`. */
export function resultDir(outRoot: string, profile: Profile, id: string): string {
  return path.join(outRoot, profile, id);
}

/** Write `results.json` atomically; returns its path. */
export function saveResults(record: ResultRecord, outRoot = defaultOutRoot()): string {
  const file = path.join(resultDir(outRoot, record.profile, record.id), "results.json");
  writeJsonAtomic(file, record);
  return file;
}

const REQUIRED: ReadonlyArray<keyof ResultRecord> = [
  "id",
  "profile",
  "seeds",
  "backend",
  "versions",
  "gitCommit",
  "wallMs",
  "metrics",
  "claims",
];

/**
 * Read and validate a results.json; a missing field is an error naming the field and the file. The
 * type parameters say what the caller knows the file holds (e.g. an experiment's own cached result).
 */
export function loadResults<C = object, D = unknown, M extends string = string>(file: string): ResultRecord<C, D, M> {
  let x: unknown;
  try {
    x = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(
      `${file}: cannot read results (${e instanceof Error ? e.message : String(e)}); rerun the experiment to regenerate it`,
    );
  }
  if (typeof x !== "object" || x === null) throw new Error(`${file}: results must be a JSON object`);
  for (const key of REQUIRED) {
    if (!(key in x))
      throw new Error(`${file}: results field "${key}" is missing; rerun the experiment to regenerate it`);
  }
  return reviveNaN(x as ResultRecord<C, D, M>);
}

/** null → NaN (JSON has no NaN: {@link toJson} writes null). */
const num = (v: unknown): unknown => (v === null ? NaN : v);

/**
 * A loaded record reads like the one that was saved: metric values, interval fields and claim values that
 * were NaN (written as null) are NaN again, so code that formats them works on both. (`data` is the
 * experiment's own; a null there stays null.)
 */
function reviveNaN<R extends ResultRecord<unknown, unknown, string>>(r: R): R {
  const metrics: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.metrics as Record<string, unknown>)) {
    if (v === null) metrics[k] = NaN;
    else if (typeof v === "object" && "mean" in v) {
      const iv = v as Record<string, unknown>;
      metrics[k] = { ...iv, mean: num(iv["mean"]), lo: num(iv["lo"]), hi: num(iv["hi"]) };
    } else metrics[k] = v;
  }
  const claims = Array.isArray(r.claims) ? r.claims.map((c) => ({ ...c, value: num(c.value) })) : r.claims;
  return { ...r, metrics, claims };
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of plain objects as CSV text with the given column order (RFC 4180 quoting). */
export function toCsv(rows: ReadonlyArray<Readonly<Record<string, unknown>>>, columns?: ReadonlyArray<string>): string {
  const cols = columns ?? (rows.length > 0 ? Object.keys(rows[0] as object) : []);
  const lines = [cols.map(csvCell).join(",")];
  for (const r of rows) lines.push(cols.map((c) => csvCell(r[c])).join(","));
  return lines.join("\n") + "\n";
}

/** Write rows as CSV atomically. */
export function writeCsvAtomic(
  file: string,
  rows: ReadonlyArray<Readonly<Record<string, unknown>>>,
  columns?: ReadonlyArray<string>,
): void {
  writeFileAtomic(file, toCsv(rows, columns));
}
