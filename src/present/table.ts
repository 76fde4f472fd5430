/**
 * Tables from result records (STYLE §8): records stay plain objects on disk and become danfo
 * DataFrames only when displayed or analysed. danfojs-node is loaded lazily (it takes ~1 s to
 * import), so `import * as lab` stays fast for code that never makes a table.
 *
 * Cells holding an {@link Interval} (`{mean, lo, hi, n}`) are spread into `col`, `col_lo`, `col_hi`
 * columns for DataFrames and CSV, and printed as `mean [lo, hi]` in HTML and text tables.
 */
import type { DataFrame } from "danfojs-node";
import { isInterval } from "../stats";
import { formatSig } from "./format";
import { ResultRecord, toCsv, writeFileAtomic } from "../run/results";
import { claimCells, type ClaimCells } from "../claims";

/** A table row: a plain object, column name → cell. */
export type Row = Readonly<Record<string, unknown>>;

/** What table functions accept: rows (any plain objects, interfaces included) or a danfo DataFrame. */
export type TableInput = ReadonlyArray<object> | DataFrame;

type Danfo = typeof import("danfojs-node");
let danfoModule: Danfo | null = null;

/**
 * Rows of text cells with the same keys as a markdown table (header, rule, one line per row; `|` in a cell escaped),
 * for the tables scripts write into data/ (scripts/t2-split-table.ts, scripts/t2-variant.ts).
 */
export function markdownTable(rows: ReadonlyArray<Readonly<Record<string, string>>>): string {
  const cols = Object.keys(rows[0] ?? {});
  const cell = (s: string): string => s.replace(/\|/g, "\\|");
  return [
    `| ${cols.map(cell).join(" | ")} |`,
    `|${cols.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${cols.map((c) => cell(r[c] ?? "")).join(" | ")} |`),
  ].join("\n");
}

/** The danfojs-node module, loaded on first use (it shares the project's single tfjs engine). */
export function danfo(): Danfo {
  if (!danfoModule) danfoModule = require("danfojs-node") as Danfo;
  return danfoModule;
}

/** Whether `x` looks like a danfo DataFrame (duck-typed, so checking never loads danfo). */
export function isDataFrame(x: unknown): x is DataFrame {
  if (typeof x !== "object" || x === null) return false;
  const o = x as { columns?: unknown; values?: unknown; shape?: unknown };
  return Array.isArray(o.columns) && Array.isArray(o.values) && Array.isArray(o.shape);
}

/** Column names in first-seen order over all rows. */
export function columnsOf(rows: ReadonlyArray<object>): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/** Rows with interval cells spread into `col`, `col_lo`, `col_hi` (and `col_n`), and other objects as JSON text. */
export function flattenRows(rows: ReadonlyArray<object>): Record<string, string | number | boolean | null>[] {
  return rows.map((r) => {
    const out: Record<string, string | number | boolean | null> = {};
    for (const [k, v] of Object.entries(r)) {
      if (isInterval(v)) {
        out[k] = v.mean;
        out[`${k}_lo`] = v.lo;
        out[`${k}_hi`] = v.hi;
        out[`${k}_n`] = v.n;
      } else if (v === undefined || v === null) {
        out[k] = null;
      } else if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") {
        out[k] = v;
      } else {
        out[k] = JSON.stringify(v);
      }
    }
    return out;
  });
}

/** Rows of a DataFrame as plain objects (NaN cells become null). */
export function dataFrameToRows(df: DataFrame): Record<string, unknown>[] {
  const cols = df.columns as string[];
  return (df.values as unknown[][]).map((vals) => {
    const row: Record<string, unknown> = {};
    cols.forEach((c, j) => {
      const v = Array.isArray(vals) ? vals[j] : vals;
      row[c] = typeof v === "number" && Number.isNaN(v) ? null : v;
    });
    return row;
  });
}

function asRows(data: TableInput, where: string): ReadonlyArray<Row> {
  if (isDataFrame(data)) return dataFrameToRows(data);
  if (!Array.isArray(data)) throw new Error(`${where}: expected an array of plain objects or a danfo DataFrame`);
  (data as ReadonlyArray<unknown>).forEach((r, i) => {
    if (typeof r !== "object" || r === null || Array.isArray(r))
      throw new Error(`${where}: row ${i} is not a plain object (got ${Array.isArray(r) ? "an array" : typeof r})`);
  });
  return data as ReadonlyArray<Row>;
}

/**
 * A danfo DataFrame from an array of plain objects (interval cells spread into `_lo`/`_hi`/`_n`
 * columns; missing cells are null). `columns` fixes the column order.
 */
export function toDataFrame(rows: ReadonlyArray<object>, columns?: ReadonlyArray<string>): DataFrame {
  const flat = flattenRows(asRows(rows, "toDataFrame"));
  if (flat.length === 0) throw new Error("toDataFrame: no rows; a DataFrame needs at least one row");
  const cols = columns ? [...columns] : columnsOf(flat);
  const missing = columns ? columns.filter((c) => !flat.some((r) => c in r)) : [];
  if (missing.length)
    throw new Error(
      `toDataFrame: column(s) ${missing.join(", ")} appear in no row; available: ${columnsOf(flat).join(", ")}`,
    );
  // danfo's row-of-objects constructor takes its columns from the first row, so build columns explicitly.
  const data: Record<string, (string | number | boolean | null)[]> = {};
  for (const c of cols) data[c] = flat.map((r) => (c in r ? (r[c] as string | number | boolean | null) : null));
  return new (danfo().DataFrame)(data, { columns: cols });
}

/**
 * Write rows (or a DataFrame) as CSV atomically (RFC 4180 quoting, interval cells spread into
 * `_lo`/`_hi`/`_n` columns, empty for missing or non-finite). Returns the path.
 */
export function toCsvFile(data: TableInput, file: string, columns?: ReadonlyArray<string>): string {
  const flat = flattenRows(asRows(data, "toCsvFile"));
  writeFileAtomic(file, toCsv(flat, columns ?? columnsOf(flat)));
  return file;
}

/** One metric of a result record as a table row. */
export interface MetricRow {
  readonly metric: string;
  readonly mean: number;
  /** Interval bounds and count; null for a single number. */
  readonly lo: number | null;
  readonly hi: number | null;
  readonly n: number | null;
}

/** A record's metrics as rows `{metric, mean, lo, hi, n}` (plain numbers get null bounds). */
export function metricsTable(record: Pick<ResultRecord, "metrics">): MetricRow[] {
  return Object.entries(record.metrics).map(([metric, m]) =>
    typeof m === "number"
      ? { metric, mean: m, lo: null, hi: null, n: null }
      : { metric, mean: m.mean, lo: m.lo, hi: m.hi, n: m.n },
  );
}

/** One claim of a result record as a table row (the cells of `claimCells` in `claims.ts`). */
export interface ClaimRow extends ClaimCells {
  readonly value: number;
  readonly asserted: boolean;
}

/** A record's claims as rows: statement, measured value with its interval, target, control and verdict. */
export function claimsTable(record: Pick<ResultRecord, "claims">): ClaimRow[] {
  return record.claims.map((c) => ({ ...claimCells(c), value: c.value, asserted: c.asserted }));
}

// ---------------------------------------------------------------------------------------------
// Formatting (pure; display.ts shows the result)

/** One cell as text: numbers to `digits` significant digits, intervals as `mean [lo, hi]`, null as empty. */
export function formatCell(v: unknown, digits = 4): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatSig(v, digits);
  if (isInterval(v)) return `${formatSig(v.mean, digits)} [${formatSig(v.lo, digits)}, ${formatSig(v.hi, digits)}]`;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** Escape text for HTML. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Options of {@link rowsToHtml} and {@link rowsToText}. */
export interface TableFormatOptions {
  readonly title?: string;
  /** Significant digits of numbers (default 4). */
  readonly digits?: number;
  /** Column order (default: first-seen order). */
  readonly columns?: ReadonlyArray<string>;
  /** Rows shown at most (default 50): the rest are summarised as "… n more rows". */
  readonly maxRows?: number;
}

function prepare(data: TableInput, opts: TableFormatOptions, where: string) {
  const rows = asRows(data, where);
  const cols = opts.columns ? [...opts.columns] : columnsOf(rows);
  const maxRows = opts.maxRows ?? 50;
  const shown = rows.slice(0, maxRows);
  const cells = shown.map((r) => cols.map((c) => formatCell(r[c], opts.digits ?? 4)));
  const numeric = cols.map(
    (c) =>
      shown.some((r) => typeof r[c] === "number" || isInterval(r[c])) &&
      shown.every((r) => r[c] == null || typeof r[c] === "number" || isInterval(r[c])),
  );
  return { cols, cells, numeric, hidden: rows.length - shown.length };
}

/** An HTML table (self-contained styles, numbers right-aligned), for notebooks and reports. */
export function rowsToHtml(data: TableInput, opts: TableFormatOptions = {}): string {
  const { cols, cells, numeric, hidden } = prepare(data, opts, "rowsToHtml");
  const th = "padding:4px 10px;border-bottom:1px solid #444;text-align:left;font-weight:600";
  const td = (j: number): string =>
    `padding:3px 10px;border-bottom:1px solid #e6e6e6;text-align:${numeric[j] ? "right" : "left"};font-variant-numeric:tabular-nums`;
  const parts = [`<table class="g2b-table" style="border-collapse:collapse;font-size:13px;margin:4px 0">`];
  if (opts.title)
    parts.push(
      `<caption style="caption-side:top;text-align:left;font-weight:600;padding:4px 0">${escapeHtml(opts.title)}</caption>`,
    );
  parts.push(
    `<thead><tr>${cols.map((c, j) => `<th style="${th}${numeric[j] ? ";text-align:right" : ""}">${escapeHtml(c)}</th>`).join("")}</tr></thead>`,
  );
  parts.push("<tbody>");
  for (const r of cells)
    parts.push(`<tr>${r.map((v, j) => `<td style="${td(j)}">${escapeHtml(v)}</td>`).join("")}</tr>`);
  if (hidden > 0)
    parts.push(
      `<tr><td colspan="${cols.length}" style="padding:3px 10px;color:#666">… ${hidden} more row(s)</td></tr>`,
    );
  parts.push("</tbody></table>");
  return parts.join("");
}

/** A plain-text table with aligned columns (the text/plain twin of {@link rowsToHtml}). */
export function rowsToText(data: TableInput, opts: TableFormatOptions = {}): string {
  const { cols, cells, numeric, hidden } = prepare(data, opts, "rowsToText");
  const widths = cols.map((c, j) => Math.max(c.length, ...cells.map((r) => (r[j] as string).length)));
  const pad = (s: string, j: number): string =>
    numeric[j] ? s.padStart(widths[j] as number) : s.padEnd(widths[j] as number);
  const lines: string[] = [];
  if (opts.title) lines.push(opts.title);
  lines.push(cols.map(pad).join("  ").trimEnd());
  lines.push(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of cells) lines.push(r.map(pad).join("  ").trimEnd());
  if (hidden > 0) lines.push(`… ${hidden} more row(s)`);
  return lines.join("\n");
}
