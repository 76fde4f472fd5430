/**
 * The verdict table `npm run reproduce` ends with: per claim of every experiment, its verdict (holds,
 * contradicts, inconclusive, measured), value and target. A verdict is a result: the table is printed
 * and the command exits 0 whatever it says, unless `--strict` asks to fail on asserted claims that do
 * not hold ({@link notHeld}).
 */
import { VERDICTS, type Verdict } from "../claims";
import { formatNumber } from "./format";

/**
 * What the table needs of a claim. Claims decided by their interval carry `verdict`; a claim written
 * before verdicts existed has only `holds` and `asserted` (see {@link claimVerdict}).
 */
export interface ClaimLike {
  readonly id: string;
  readonly statement: string;
  readonly value: number;
  readonly threshold: number | string;
  readonly asserted?: boolean;
  readonly holds?: boolean;
  readonly verdict?: Verdict;
  readonly interval?: { readonly lo: number; readonly hi: number; readonly n: number };
}

/**
 * A claim's verdict: its own `verdict` when it has one; for an older point-value claim, `measured` when
 * it is not asserted, else `holds` or `contradicts` by its point value.
 */
export function claimVerdict(c: ClaimLike): Verdict {
  if (c.verdict !== undefined) return c.verdict;
  if (c.asserted === false) return "measured";
  return c.holds === true ? "holds" : "contradicts";
}

/** One row of the table. */
export interface VerdictRow {
  readonly experiment: string;
  readonly claim: string;
  readonly statement: string;
  /** The value, with its interval when it has one. */
  readonly measured: string;
  readonly target: string;
  readonly verdict: Verdict;
  readonly asserted: boolean;
}

/** The rows of every claim of `records`, in order. */
export function verdictRows(
  records: ReadonlyArray<{ readonly id: string; readonly claims: ReadonlyArray<ClaimLike> }>,
): VerdictRow[] {
  return records.flatMap((r) =>
    r.claims.map((c) => {
      const iv = c.interval;
      const measured =
        iv !== undefined && iv.n >= 2 && Number.isFinite(iv.lo) && Number.isFinite(iv.hi)
          ? `${formatNumber(c.value)} [${formatNumber(iv.lo)}, ${formatNumber(iv.hi)}]`
          : formatNumber(c.value);
      const verdict = claimVerdict(c);
      return {
        experiment: r.id,
        claim: c.id,
        statement: c.statement,
        measured,
        target: String(c.threshold),
        verdict,
        asserted: verdict !== "measured" && c.asserted !== false,
      };
    }),
  );
}

/** The asserted claims whose verdict is not `holds` (what `--strict` fails on). */
export function notHeld(rows: ReadonlyArray<VerdictRow>): VerdictRow[] {
  return rows.filter((r) => r.asserted && r.verdict !== "holds");
}

/** "38 holds, 1 contradicts, 0 inconclusive, 3 measured". */
export function countLine(rows: ReadonlyArray<VerdictRow>): string {
  return VERDICTS.map((v) => `${rows.filter((r) => r.verdict === v).length} ${v}`).join(", ");
}

/**
 * The table as text, one claim per line (verdict, experiment, claim id, measured, target, then as much of
 * the statement as fits in `width` columns).
 */
export function formatVerdictTable(rows: ReadonlyArray<VerdictRow>, title: string, width = 160): string {
  const head = { verdict: "verdict", experiment: "experiment", claim: "claim", measured: "measured", target: "target" };
  const all = [head, ...rows];
  const w = (k: keyof typeof head): number => Math.min(40, Math.max(...all.map((r) => String(r[k]).length)));
  const cols: Array<keyof typeof head> = ["verdict", "experiment", "claim", "measured", "target"];
  const widths = cols.map(w);
  const line = (r: Record<keyof typeof head, string>, statement: string): string => {
    const left = cols.map((k, i) => clip(String(r[k]), widths[i] as number).padEnd(widths[i] as number)).join("  ");
    const room = width - left.length - 4;
    return `  ${left}${statement && room > 10 ? "  " + clip(statement, room) : ""}`.trimEnd();
  };
  return [
    `${title}: ${countLine(rows)}`,
    line(head, "statement"),
    ...rows.map((r) => line({ ...r, verdict: r.verdict }, r.statement)),
  ].join("\n");
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`;
}
