/**
 * Claims of the paper checked against measured values: the type, the rule that decides a verdict, and
 * the notebook's closing check. Every experiment, the report and the notebooks use this one place.
 */
import type { Profile } from "./config";
import { formatNumber } from "./present/format";

/** A claim of the paper, checked against a measured value. */
export interface Claim {
  readonly id: string;
  /** The claim in words, as the notebook states it. */
  readonly statement: string;
  /** The measured value the check uses. */
  readonly value: number;
  /** The threshold, or a description of the band (e.g. "[1.5, 2.5]"). */
  readonly threshold: number | string;
  readonly holds: boolean;
  /** False for claims that are measured and stated but not pass/fail (e.g. "whichever way it comes out"). */
  readonly asserted?: boolean;
}

export type Comparison = ">=" | "<=" | ">" | "<";

/**
 * A claim checked against a threshold. `asserted: false` marks a claim that is measured and stated
 * but has no pass/fail (a quantity reported whichever way it comes out).
 */
export function claim(
  id: string,
  statement: string,
  value: number,
  op: Comparison,
  threshold: number,
  asserted = true,
): Claim {
  const holds =
    Number.isFinite(value) &&
    (op === ">="
      ? value >= threshold
      : op === "<="
        ? value <= threshold
        : op === ">"
          ? value > threshold
          : value < threshold);
  return { id, statement, value, threshold: `${op} ${threshold}`, holds, asserted };
}

/** A claim that a value lies in [lo, hi]. */
export function claimInBand(
  id: string,
  statement: string,
  value: number,
  lo: number,
  hi: number,
  asserted = true,
): Claim {
  return {
    id,
    statement,
    value,
    threshold: `[${lo}, ${hi}]`,
    holds: Number.isFinite(value) && value >= lo && value <= hi,
    asserted,
  };
}

/** Claims are asserted (a failing one throws in strict {@link checkClaims}) at `quick` and `full`, only shown at `smoke`. */
export function assertsClaims(profile: Profile): boolean {
  return profile !== "smoke";
}

/** The asserted claims that do not hold. */
export function failedClaims(claims: ReadonlyArray<Claim>): Claim[] {
  return claims.filter((c) => c.asserted !== false && !c.holds);
}

/** Is strict mode on? The option wins; otherwise the environment (`GEN2BRAIN_STRICT=1`). */
export function isStrict(opts: { readonly strict?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  return opts.strict ?? env["GEN2BRAIN_STRICT"] === "1";
}

/**
 * The last cell of every notebook: one summary line per claim. A claim that does not hold is a result,
 * not a crash: it throws only in strict mode (`{ strict: true }` or GEN2BRAIN_STRICT=1), at `quick` and
 * `full`, when an asserted claim fails; at `smoke` it only reports.
 */
export function checkClaims(
  record: { readonly profile: Profile; readonly claims: ReadonlyArray<Claim> },
  opts: { readonly strict?: boolean } = {},
): string[] {
  const lines = record.claims.map(
    (c) =>
      `${c.holds ? "HOLDS " : c.asserted === false ? "STATED" : "FAILS "} ${c.id}: ${c.statement} (measured ${formatNumber(c.value)}, threshold ${c.threshold})`,
  );
  const failed = failedClaims(record.claims);
  if (failed.length > 0 && assertsClaims(record.profile) && isStrict(opts)) {
    throw new Error(
      `${failed.length} claim(s) failed at profile ${record.profile} (strict):\n` +
        lines.filter((l) => l.startsWith("FAILS")).join("\n"),
    );
  }
  return lines;
}
