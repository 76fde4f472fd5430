/**
 * Claims of the paper, tested against runs that could have come out the other way. The one place for
 * claims: the type, the verdict rule, intervals over seeds, the constructors, pooling over base seeds, the
 * closing check of a notebook (and of `reproduce --strict`) and the table rows the report prints.
 *
 * A claim is decided by its 95% interval over independent runs (seeds; the unit of replication is a whole
 * run, never the test items inside one run):
 *
 * - `holds`: the whole interval lies on the claimed side of the threshold (or inside the band);
 * - `contradicts`: the whole interval lies on the other side (or outside the band);
 * - `inconclusive`: anything else, including n < 2 (no interval), a NaN, or a control that cannot be told
 *   apart from the condition;
 * - `measured`: a quantity we report but do not assert. It never "holds".
 *
 * An asserted claim has a control: a condition of the same experiment, measured by the same code, where the
 * effect should be absent (negative control) or present for a trivial reason (positive control).
 *
 * How a takeaway's `run.ts` makes its claims (t1's probe, as it is):
 *
 * ```ts
 * assertedClaim({
 *   id: "probe-before-sft",
 *   statement: "A linear probe on the base model's hidden state … decodes their attributes far above chance",
 *   paper: 'Gros 2025, §2: the base model "does contain the knowledge of the world… but all it can do is …"',
 *   quantity: "probe accuracy at the best layer, held-out people, mean over attributes",
 *   refutedBy: "a probe accuracy interval wholly below chance + 25 points",
 *   estimate: overSeeds(results.map((r) => r.probeBest), { bounds: [0, 1] }), // one value per seed
 *   target: atLeast(chance + 0.25),
 *   control: {
 *     id: "randomInit",
 *     description: "the same probe on the same architecture left at its random initialisation",
 *     estimate: overSeeds(results.map((r) => r.probeBestRandomInit), { bounds: [0, 1] }),
 *     expect: "absent", // a negative control: it must not satisfy the target
 *   },
 * });
 * measuredClaim({ id: "gap", statement: "…", paper: null, quantity: "…", refutedBy: "…", estimate: overSeeds(gaps) });
 * ```
 *
 * Checklist: one value per independent run (seed) in `overSeeds`, never per test item; the paper's sentence
 * quoted with its section (or null for a qualification of ours); a control measured by the same code; the
 * threshold fixed before the run (never tuned until the claim passes); a claim that holds by construction,
 * or has no control or no replication, is a `measuredClaim` and says why in its statement. A notebook's last
 * cell calls {@link checkClaims} (or `showClaims` for a table); `runExperiment` refuses claims that miss a
 * field of the contract ({@link claimContractProblems}).
 */
import type { Profile } from "./config";
import { bootstrap, type Interval, meanInterval } from "./stats";
import { Rng } from "./rng";
import { formatNumber } from "./present/format";

// ---------------------------------------------------------------------------------------------
// Verdicts and targets

/** The four verdicts: three for asserted claims, `measured` for reported-only ones. */
export type Verdict = "holds" | "contradicts" | "inconclusive" | "measured";
export const VERDICTS: ReadonlyArray<Verdict> = ["holds", "contradicts", "inconclusive", "measured"];

export type Comparison = ">=" | "<=" | ">" | "<";

/** What a claim asserts about its quantity: one side of a threshold, or a band [lo, hi]. */
export type Target =
  | { readonly kind: "side"; readonly op: Comparison; readonly threshold: number }
  | { readonly kind: "band"; readonly lo: number; readonly hi: number };

/** The quantity is at least `x` (the whole interval ≥ x for `holds`). */
export const atLeast = (x: number): Target => ({ kind: "side", op: ">=", threshold: x });
/** The quantity is at most `x`. */
export const atMost = (x: number): Target => ({ kind: "side", op: "<=", threshold: x });
/** The quantity is strictly above `x` (e.g. a difference > 0). */
export const above = (x: number): Target => ({ kind: "side", op: ">", threshold: x });
/** The quantity is strictly below `x`. */
export const below = (x: number): Target => ({ kind: "side", op: "<", threshold: x });
/** The quantity lies in [lo, hi]. */
export function within(lo: number, hi: number): Target {
  if (!(lo <= hi)) throw new Error(`within: lo must be ≤ hi, got [${lo}, ${hi}]`);
  return { kind: "band", lo, hi };
}

const OP_TEXT: Record<Comparison, string> = { ">=": "≥", "<=": "≤", ">": ">", "<": "<" };

/** A target in words: "≥ 0.5", "> 0", "in [1.5, 2.5]". */
export function describeTarget(t: Target): string {
  return t.kind === "band" ? `in [${t.lo}, ${t.hi}]` : `${OP_TEXT[t.op]} ${t.threshold}`;
}

/** Does the single value x satisfy the target? (A point, not a verdict: verdicts read the interval.) */
export function satisfies(x: number, t: Target): boolean {
  if (t.kind === "band") return x >= t.lo && x <= t.hi;
  switch (t.op) {
    case ">=":
      return x >= t.threshold;
    case "<=":
      return x <= t.threshold;
    case ">":
      return x > t.threshold;
    case "<":
      return x < t.threshold;
  }
}

/**
 * The verdict rule on an interval: `holds` when every value of [lo, hi] satisfies the target,
 * `contradicts` when none does, `inconclusive` otherwise, when n < 2 (one run has no interval) or when a
 * bound is NaN.
 */
export function verdictOf(iv: { readonly lo: number; readonly hi: number; readonly n: number }, t: Target): Verdict {
  if (!(iv.n >= 2) || !Number.isFinite(iv.lo) || !Number.isFinite(iv.hi) || iv.lo > iv.hi) return "inconclusive";
  if (satisfies(iv.lo, t) && satisfies(iv.hi, t)) return "holds"; // a side or a band is convex: both ends suffice
  if (t.kind === "band") return iv.hi < t.lo || iv.lo > t.hi ? "contradicts" : "inconclusive";
  return !satisfies(iv.lo, t) && !satisfies(iv.hi, t) ? "contradicts" : "inconclusive";
}

// ---------------------------------------------------------------------------------------------
// Intervals over seeds

/** How an interval was made. `single run`: one value, no interval (a claim on it is inconclusive). */
export type IntervalMethod = "t over seeds" | "bootstrap over seeds" | "single run";

/** A claim's interval as results.json stores it: 95% bounds, the number of independent runs and the method. */
export interface ClaimInterval {
  readonly lo: number;
  readonly hi: number;
  /** Independent runs (seeds) the interval comes from. */
  readonly n: number;
  readonly method: IntervalMethod;
  /** The per-run values, when the interval was made from them (claims-by-seed pools them over base seeds). */
  readonly values?: ReadonlyArray<number>;
  /** The bounds the t-interval was clipped to (e.g. [0, 1] for an accuracy); pooling keeps them. */
  readonly bounds?: readonly [number, number];
}

/** A quantity over independent runs: its mean and 95% interval ({@link Interval}) plus how it was made. */
export interface SeedEstimate extends Interval {
  readonly method: IntervalMethod;
  readonly values?: ReadonlyArray<number>;
  readonly bounds?: readonly [number, number];
}

/** Options of {@link overSeeds}. */
export interface OverSeedsOptions {
  /** `t` (Student t over seeds, default) or `bootstrap` (percentile bootstrap over seeds, 2000 resamples). */
  readonly method?: "t" | "bootstrap";
  /** Bounds of the quantity (e.g. [0, 1] for an accuracy): the t-interval is clipped to them. */
  readonly bounds?: readonly [number, number];
}

/**
 * From per-seed values (one per independent run) to `{mean, lo, hi, n}` with the method named. One value
 * gives lo = hi = mean, n = 1, method "single run". NaN values are kept: they make the interval NaN, and a
 * claim on it inconclusive, rather than silently dropping a failed run.
 */
export function overSeeds(values: ReadonlyArray<number>, opts: OverSeedsOptions = {}): SeedEstimate {
  const vs = [...values];
  // The bounds travel with the estimate whatever its size, so pooling over base seeds can clip too.
  const b = opts.bounds ? { bounds: [opts.bounds[0], opts.bounds[1]] as const } : {};
  if (vs.length === 0) return { mean: NaN, lo: NaN, hi: NaN, n: 0, method: "single run", values: vs, ...b };
  if (vs.length === 1) {
    const v = vs[0] as number;
    return { mean: v, lo: v, hi: v, n: 1, method: "single run", values: vs, ...b };
  }
  const method = opts.method === "bootstrap" ? "bootstrap over seeds" : "t over seeds";
  if (vs.some((v) => !Number.isFinite(v)))
    return { mean: NaN, lo: NaN, hi: NaN, n: vs.length, method, values: vs, ...b };
  if (opts.method === "bootstrap") {
    // A fixed generator: the same values give the same interval (resamples of seeds, not of test items).
    const boot = bootstrap(vs, (s) => s.reduce((a, x) => a + x, 0) / s.length, new Rng(15), 2000);
    return { mean: boot.mean, lo: boot.lo, hi: boot.hi, n: vs.length, method, values: vs, ...b };
  }
  return { ...meanInterval(vs, opts.bounds), method, values: vs, ...b };
}

/**
 * An interval a takeaway already computed over its seeds (e.g. a metric made with `meanInterval` over
 * per-seed values), named by its method. Use it only when `iv.n` counts independent runs.
 */
export function seedInterval(iv: Interval, method: IntervalMethod = "t over seeds"): SeedEstimate {
  return { mean: iv.mean, lo: iv.lo, hi: iv.hi, n: iv.n, method: iv.n < 2 ? "single run" : method };
}

/** One run's value, or a quantity made once from all runs together (a fit over pooled data): no interval. */
export function singleRun(value: number): SeedEstimate {
  return { mean: value, lo: value, hi: value, n: 1, method: "single run" };
}

function toClaimInterval(e: SeedEstimate): ClaimInterval {
  return {
    lo: e.lo,
    hi: e.hi,
    n: e.n,
    method: e.method,
    ...(e.values !== undefined ? { values: e.values } : {}),
    ...(e.bounds !== undefined ? { bounds: e.bounds } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The claim type and its constructors

/** How a control should behave under the claim's own target. */
export type ControlExpectation =
  /** Negative control: the effect is absent, so the control must not satisfy the target. */
  | "absent"
  /** Positive control: the effect is present for a trivial reason, so the control must satisfy the target. */
  | "present"
  /** A different quantity shown beside the claim (its scale differs from the target's); not tested. */
  | "shown";

/** A control as a claim's author gives it. */
export interface ControlSpec {
  readonly id: string;
  /** The control condition in words ("the same probe on an untrained model"). */
  readonly description: string;
  readonly estimate: SeedEstimate;
  readonly expect: ControlExpectation;
}

/** A control as results.json stores it. */
export interface Control {
  readonly id: string;
  readonly description: string;
  readonly value: number;
  readonly interval: ClaimInterval;
  readonly expect: ControlExpectation;
  /** The claim's target applied to the control (`measured` for a control that is only shown). */
  readonly verdict: Verdict;
}

/** A claim as results.json stores it. */
export interface Claim {
  readonly id: string;
  /** The claim in words, as the notebook states it. */
  readonly statement: string;
  /** The paper's sentence tested, with its section; null for a qualification of ours the paper does not make. */
  readonly paper: string | null;
  /** The outcome that would contradict it, in words. */
  readonly refutedBy: string;
  /** The measured quantity in words. */
  readonly quantity: string;
  /** Asserted claims get holds / contradicts / inconclusive; the others are `measured`. */
  readonly asserted: boolean;
  /** The mean over runs. */
  readonly value: number;
  readonly interval: ClaimInterval;
  /** What is asserted (or, for a measured claim, the reference it is read against); null for none. */
  readonly target: Target | null;
  /** The target in words ("≥ 0.5", "in [1.5, 2.5]"; "" for none). */
  readonly threshold: string;
  /** The control beside an asserted claim (required for those); optional for a measured one. */
  readonly control: Control | null;
  readonly verdict: Verdict;
  /** Why this verdict, in one sentence (where the interval lies; what the control did). */
  readonly why: string;
  /** The manipulation check of an asserted claim, where it has one ({@link AssertedClaimSpec.validity}). */
  readonly validity?: Validity;
}

/** What every claim says about itself. */
interface ClaimBase {
  readonly id: string;
  readonly statement: string;
  readonly paper: string | null;
  readonly refutedBy: string;
  readonly quantity: string;
  readonly estimate: SeedEstimate;
}

/** An asserted claim: a target and a control are required. */
export interface AssertedClaimSpec extends ClaimBase {
  readonly target: Target;
  readonly control: ControlSpec;
  /**
   * An optional manipulation (validity) check, computed from the measurement itself, never from the verdict:
   * does the quantity move the way the design says it should? When present and not `ok`, the verdict is
   * `inconclusive` and the why-text says "but <why>, so the measurement cannot test the claim".
   */
  readonly validity?: Validity;
}

/** A manipulation check: whether the measurement measures what the design says; `why` says what it found. */
export interface Validity {
  readonly ok: boolean;
  readonly why: string;
}

/** A measured (reported-only) claim: a reference target and a control are optional. */
export interface MeasuredClaimSpec extends ClaimBase {
  readonly target?: Target;
  readonly control?: ControlSpec;
}

function describeInterval(iv: { lo: number; hi: number; n: number; method: IntervalMethod }): string {
  if (iv.n < 2 || iv.method === "single run") return `n = ${iv.n}, no interval`;
  return `95% interval [${num(iv.lo)}, ${num(iv.hi)}], ${iv.method}, n = ${iv.n}`;
}

function makeControl(c: ControlSpec, target: Target | null): Control {
  return {
    id: c.id,
    description: c.description,
    value: c.estimate.mean,
    interval: toClaimInterval(c.estimate),
    expect: c.expect,
    verdict: c.expect === "shown" || target === null ? "measured" : verdictOf(c.estimate, target),
  };
}

function checkSpec(spec: ClaimBase, kind: string): void {
  const where = `${kind}(${JSON.stringify(spec.id ?? "")})`;
  if (typeof spec.id !== "string" || spec.id === "") throw new Error(`${kind}: a claim needs an id`);
  for (const k of ["statement", "refutedBy", "quantity"] as const)
    if (typeof spec[k] !== "string" || spec[k] === "") throw new Error(`${where}: "${k}" is missing (say it in words)`);
  if (spec.paper !== null && (typeof spec.paper !== "string" || spec.paper === ""))
    throw new Error(
      `${where}: "paper" must be the paper's sentence with its section, or null for a qualification of ours`,
    );
  if (spec.estimate === undefined || typeof spec.estimate.n !== "number")
    throw new Error(`${where}: "estimate" is missing (use overSeeds(perSeedValues))`);
}

/**
 * An asserted claim, decided by the verdict rule on its interval and checked against its control: a
 * negative control (`expect: "absent"`) that satisfies the target too, or a positive control
 * (`expect: "present"`) that does not, makes the verdict `inconclusive`; so does a failed manipulation check
 * (`validity: { ok: false, why }`). A missing control is a type
 * error, and (from untyped callers such as notebooks) an error naming the claim.
 */
export function assertedClaim(spec: AssertedClaimSpec): Claim {
  checkSpec(spec, "assertedClaim");
  if (spec.control === undefined || spec.control === null)
    throw new Error(
      `assertedClaim("${spec.id}"): an asserted claim needs a control (a condition measured by the same code where the effect is absent); without one, make it a measuredClaim`,
    );
  if (spec.target === undefined || spec.target === null)
    throw new Error(
      `assertedClaim("${spec.id}"): an asserted claim needs a target (atLeast, atMost, above, below, within)`,
    );
  const e = spec.estimate;
  const control = makeControl(spec.control, spec.target);
  let verdict = verdictOf(e, spec.target);
  let why = `${describeInterval({ ...e })}`;
  why +=
    verdict === "holds"
      ? `, wholly ${describeTarget(spec.target)}`
      : verdict === "contradicts"
        ? `, wholly outside ${describeTarget(spec.target)}`
        : e.n < 2 || !Number.isFinite(e.lo) || !Number.isFinite(e.hi)
          ? ""
          : `, straddles ${describeTarget(spec.target)}`;
  if (!Number.isFinite(e.mean) || !Number.isFinite(e.lo) || !Number.isFinite(e.hi)) why += " (no value: NaN)";
  const cText = `control ${control.id} ${num(control.value)} (${describeInterval(control.interval)})`;
  if (control.expect !== "shown" && !Number.isFinite(control.value) && verdict !== "inconclusive") {
    verdict = "inconclusive";
    why += `; but the control ${control.id} was not measured (NaN), so nothing says the measurement could fail`;
  } else if (control.expect === "absent" && control.verdict === "holds" && verdict === "holds") {
    verdict = "inconclusive";
    why += `; but the negative ${cText} satisfies the target too, so the measurement cannot tell them apart`;
  } else if (control.expect === "present" && control.verdict !== "holds" && verdict !== "inconclusive") {
    verdict = "inconclusive";
    why += `; but the positive ${cText} does not satisfy the target (${control.verdict}), so the measurement is in doubt`;
  } else {
    why += `; ${cText}${control.expect === "shown" ? ", shown" : `: ${control.verdict}`}`;
  }
  const v = spec.validity;
  if (v !== undefined) {
    if (v === null || typeof v.ok !== "boolean" || typeof v.why !== "string" || v.why === "")
      throw new Error(
        `assertedClaim("${spec.id}"): "validity" needs { ok: boolean, why: string } (say what was checked)`,
      );
    if (!v.ok) {
      verdict = "inconclusive";
      why += `; but ${v.why}, so the measurement cannot test the claim`;
    }
  }
  return {
    id: spec.id,
    statement: spec.statement,
    paper: spec.paper,
    refutedBy: spec.refutedBy,
    quantity: spec.quantity,
    asserted: true,
    value: e.mean,
    interval: toClaimInterval(e),
    target: spec.target,
    threshold: describeTarget(spec.target),
    control,
    verdict,
    why,
    ...(v !== undefined ? { validity: { ok: v.ok, why: v.why } } : {}),
  };
}

/**
 * A measured claim: reported, not asserted; its verdict is `measured` whatever the numbers. A reference
 * target, when given, is only described ("the interval lies above 0"), never turned into `holds`.
 */
export function measuredClaim(spec: MeasuredClaimSpec): Claim {
  checkSpec(spec, "measuredClaim");
  const e = spec.estimate;
  const target = spec.target ?? null;
  let why = `reported, not asserted (${describeInterval(e)})`;
  if (target !== null) {
    const v = verdictOf(e, target);
    why +=
      v === "holds"
        ? `; the interval lies ${describeTarget(target)}`
        : v === "contradicts"
          ? `; the interval lies outside ${describeTarget(target)}`
          : `; against ${describeTarget(target)} it is undecided`;
  }
  const control = spec.control ? makeControl(spec.control, target) : null;
  if (control) why += `; control ${control.id} ${num(control.value)} (${describeInterval(control.interval)})`;
  return {
    id: spec.id,
    statement: spec.statement,
    paper: spec.paper,
    refutedBy: spec.refutedBy,
    quantity: spec.quantity,
    asserted: false,
    value: e.mean,
    interval: toClaimInterval(e),
    target,
    threshold: target ? describeTarget(target) : "",
    control,
    verdict: "measured",
    why,
  };
}

/** Is x a claim of the current shape (a results.json written before issue 15 has none)? */
export function isClaim(x: unknown): x is Claim {
  if (typeof x !== "object" || x === null) return false;
  const c = x as Partial<Claim>;
  return (
    typeof c.id === "string" &&
    typeof c.verdict === "string" &&
    VERDICTS.includes(c.verdict) &&
    typeof c.interval === "object" &&
    c.interval !== null &&
    typeof c.refutedBy === "string" &&
    "paper" in c
  );
}

/**
 * What is wrong with a record's claims against the output contract (empty when nothing): each claim has a
 * `verdict`, an `interval` {lo, hi, n}, `paper` (string or null), `refutedBy`, and an asserted claim a
 * `control` {id, value, interval}. Works on claims read back from results.json (NaN is written as null).
 */
export function claimContractProblems(claims: ReadonlyArray<unknown>): string[] {
  const problems: string[] = [];
  const isNum = (x: unknown): boolean => typeof x === "number" || x === null; // JSON writes NaN as null
  const badInterval = (x: unknown): boolean => {
    if (typeof x !== "object" || x === null) return true;
    const iv = x as Record<string, unknown>;
    return !isNum(iv["lo"]) || !isNum(iv["hi"]) || typeof iv["n"] !== "number";
  };
  claims.forEach((x, i) => {
    const c = (typeof x === "object" && x !== null ? x : {}) as Record<string, unknown>;
    const name = typeof c["id"] === "string" ? `claim "${c["id"]}"` : `claim #${i}`;
    if (typeof c["id"] !== "string") problems.push(`${name}: no id`);
    if (!VERDICTS.includes(c["verdict"] as Verdict))
      problems.push(`${name}: verdict must be one of ${VERDICTS.join(", ")}`);
    if (badInterval(c["interval"])) problems.push(`${name}: interval must be {lo, hi, n}`);
    if (!(typeof c["paper"] === "string" || c["paper"] === null))
      problems.push(`${name}: paper must be a string or null`);
    if (typeof c["refutedBy"] !== "string" || c["refutedBy"] === "") problems.push(`${name}: refutedBy is missing`);
    if (c["asserted"] === true) {
      const ctl = c["control"] as Record<string, unknown> | null | undefined;
      if (typeof ctl !== "object" || ctl === null) problems.push(`${name}: an asserted claim needs a control`);
      else if (typeof ctl["id"] !== "string" || !isNum(ctl["value"]) || badInterval(ctl["interval"]))
        problems.push(`${name}: control must be {id, value, interval}`);
      if (c["verdict"] === "measured") problems.push(`${name}: an asserted claim cannot be "measured"`);
    } else if (c["asserted"] === false) {
      if (c["verdict"] !== "measured") problems.push(`${name}: a claim that is not asserted must be "measured"`);
    } else problems.push(`${name}: asserted must be true or false`);
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Pooling over base seeds (claims-by-seed)

/**
 * One claim re-decided on the runs of several base seeds. When every base seed's claim kept its per-run
 * values, they are pooled (the derived seeds are independent runs) into one t-interval; otherwise each base
 * seed's value counts as one run. The target and control rule are the claim's own.
 */
export function poolClaim(runs: ReadonlyArray<Claim>): Claim {
  const first = runs[0];
  if (first === undefined) throw new Error("poolClaim: no runs");
  for (const c of runs)
    if (c.id !== first.id) throw new Error(`poolClaim: claims "${first.id}" and "${c.id}" cannot be pooled`);
  const poolEstimate = (ivs: ReadonlyArray<{ value: number; interval: ClaimInterval }>): SeedEstimate => {
    const bounds = ivs[0]?.interval.bounds;
    const opts = bounds ? { bounds: [bounds[0], bounds[1]] as const } : {};
    return ivs.every((c) => c.interval.values !== undefined && c.interval.values.length > 0)
      ? overSeeds(
          ivs.flatMap((c) => [...(c.interval.values ?? [])]),
          opts,
        )
      : overSeeds(
          ivs.map((c) => c.value),
          opts,
        );
  };
  const base = {
    id: first.id,
    statement: first.statement,
    paper: first.paper,
    refutedBy: first.refutedBy,
    quantity: first.quantity,
    estimate: poolEstimate(runs),
  };
  const controls = runs.map((c) => c.control).filter((c): c is Control => c !== null);
  const control: ControlSpec | undefined =
    first.control && controls.length === runs.length
      ? {
          id: first.control.id,
          description: first.control.description,
          estimate: poolEstimate(controls),
          expect: first.control.expect,
        }
      : undefined;
  // A manipulation check pools conservatively: it passes only when it passed under every base seed.
  const checks = runs.map((c) => c.validity).filter((v): v is Validity => v !== undefined);
  const failed = checks.filter((v) => !v.ok);
  const validity: Validity | undefined =
    checks.length === 0
      ? undefined
      : failed.length === 0
        ? { ok: true, why: (checks[0] as Validity).why }
        : {
            ok: false,
            why: `under ${failed.length} of ${runs.length} base seeds the manipulation check failed (the first of them: ${failed[0]?.why})`,
          };
  if (first.asserted && first.target && control)
    return assertedClaim({ ...base, target: first.target, control, ...(validity ? { validity } : {}) });
  return measuredClaim({ ...base, ...(first.target ? { target: first.target } : {}), ...(control ? { control } : {}) });
}

// ---------------------------------------------------------------------------------------------
// Strictness and the closing check

/** The asserted claims whose verdict is not `holds` (what `--strict` fails on). */
export function failedClaims(claims: ReadonlyArray<Claim>): Claim[] {
  return claims.filter((c) => c.asserted && c.verdict !== "holds");
}

/** How many claims got each verdict. */
export function countVerdicts(claims: ReadonlyArray<Claim>): Record<Verdict, number> {
  const n: Record<Verdict, number> = { holds: 0, contradicts: 0, inconclusive: 0, measured: 0 };
  for (const c of claims) if (c.verdict in n) n[c.verdict] += 1; // a pre-verdict claim counts nowhere
  return n;
}

/** "3 holds, 1 contradicts, 0 inconclusive, 2 measured". */
export function summarizeVerdicts(claims: ReadonlyArray<Claim>): string {
  const n = countVerdicts(claims);
  return VERDICTS.map((v) => `${n[v]} ${v}`).join(", ");
}

/** Is strict mode on? The option wins; otherwise the environment (`GEN2BRAIN_STRICT=1`). */
export function isStrict(opts: { readonly strict?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  return opts.strict ?? env["GEN2BRAIN_STRICT"] === "1";
}

/** Options of {@link checkClaims}. */
export interface CheckClaimsOptions {
  /** Throw when an asserted claim does not hold (default: `GEN2BRAIN_STRICT=1`). Ignored at `smoke`. */
  readonly strict?: boolean;
  /** Where to print each line (e.g. `console.log`); by default nothing is printed, the lines are returned. */
  readonly log?: (line: string) => void;
}

/** The error {@link checkClaims} throws in strict mode; `claims` are the asserted claims that do not hold. */
export class ClaimsNotHeldError extends Error {
  constructor(
    message: string,
    readonly claims: ReadonlyArray<Claim>,
  ) {
    super(message);
    this.name = "ClaimsNotHeldError";
  }
}

/**
 * The closing check of every notebook and of `reproduce --strict`: one line per claim with its verdict
 * (HOLDS, CONTRADICTS, INCONCLUSIVE, MEASURED), the value, interval, target and control. A verdict is a
 * result, not a crash: it throws only in strict mode (option or `GEN2BRAIN_STRICT=1`) at `quick` or
 * `full` when an asserted claim does not hold. At `smoke` the runs are too small for a verdict and it never
 * throws. Returns the lines (and prints them with `opts.log`).
 */
export function checkClaims(
  record: { readonly id?: string; readonly profile: Profile; readonly claims: ReadonlyArray<Claim> },
  opts: CheckClaimsOptions = {},
): string[] {
  const lines = record.claims.map(claimLine);
  lines.push(`${record.id ? `${record.id}: ` : ""}${summarizeVerdicts(record.claims)} (profile ${record.profile})`);
  if (opts.log) for (const l of lines) opts.log(l);
  const failed = failedClaims(record.claims);
  if (failed.length > 0 && isStrict(opts) && record.profile !== "smoke") {
    throw new ClaimsNotHeldError(
      `${failed.length} asserted claim(s)${record.id ? ` of ${record.id}` : ""} do not hold at profile ${record.profile} (strict):\n` +
        failed.map(claimLine).join("\n"),
      failed,
    );
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Formatting: one line, table cells, markdown and HTML rows

/** The verdict as a fixed-width upper-case label for terminal and notebook lines. */
export function verdictLabel(v: Verdict): string {
  return v.toUpperCase().padEnd(12);
}

/** A number of a claim as text; NaN (written to JSON as null) reads "n/a". */
export function formatClaimValue(x: number | null): string {
  return num(x);
}

function num(x: number | null): string {
  return x === null || !Number.isFinite(x) ? "n/a" : formatNumber(x);
}

/** "0.845 [0.787, 0.903] (t over seeds, n = 4)", or "0.845 (n = 1)" without an interval. */
export function formatEstimate(value: number, iv: ClaimInterval): string {
  if (iv.n < 2 || iv.method === "single run") return `${num(value)} (n = ${iv.n})`;
  return `${num(value)} [${num(iv.lo)}, ${num(iv.hi)}] (${iv.method}, n = ${iv.n})`;
}

/** A claim's control as text, or "" for none. */
export function formatControl(c: Control | null): string {
  if (c === null) return "";
  const role = c.expect === "absent" ? "negative" : c.expect === "present" ? "positive" : "shown";
  return `${c.id} (${role}): ${formatEstimate(c.value, c.interval)}${c.expect === "shown" ? "" : `, ${c.verdict}`}`;
}

/** One line per claim: `HOLDS        t1.probe: statement — 0.845 [...] vs ≥ 0.375; control …`. */
export function claimLine(c: Claim): string {
  if (!isClaim(c)) {
    const id = typeof (c as { id?: unknown }).id === "string" ? (c as { id: string }).id : "?";
    return `${"OLD FORMAT".padEnd(12)} ${id}: a results.json written before claims had verdicts; rerun the experiment`;
  }
  const target = c.threshold ? ` vs ${c.threshold}` : "";
  const control = c.control ? `; control ${formatControl(c.control)}` : "";
  return `${verdictLabel(c.verdict)} ${c.id}: ${c.statement} — ${formatEstimate(c.value, c.interval)}${target}${control}`;
}

/** A claim's display cells, the same in every table (report, README, notebooks). */
export interface ClaimCells {
  readonly id: string;
  readonly statement: string;
  readonly paper: string;
  readonly measured: string;
  readonly target: string;
  readonly control: string;
  readonly verdict: Verdict;
}

export function claimCells(c: Claim): ClaimCells {
  return {
    id: c.id,
    statement: c.statement,
    paper: c.paper ?? "(ours: not in the paper)",
    measured: formatEstimate(c.value, c.interval),
    target: c.threshold || "—",
    control: formatControl(c.control) || "—",
    verdict: c.verdict,
  };
}

/** The header of {@link claimMarkdownRow}'s table (with an optional first column, e.g. the takeaway). */
export function claimsMarkdownHeader(first?: string): string[] {
  const cols = [...(first ? [first] : []), "claim", "measured (95% interval)", "target", "control", "verdict"];
  return [`| ${cols.join(" | ")} |`, `|${cols.map(() => "---").join("|")}|`];
}

const mdCell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A claim as a markdown table row; the verdict in bold unless it holds or is only measured. */
export function claimMarkdownRow(c: Claim, first?: string): string {
  const k = claimCells(c);
  const verdict = c.verdict === "contradicts" || c.verdict === "inconclusive" ? `**${c.verdict}**` : c.verdict;
  const cells = [...(first !== undefined ? [first] : []), k.statement, k.measured, k.target, k.control, verdict];
  return `| ${cells.map(mdCell).join(" | ")} |`;
}

const htmlEscape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The header row of {@link claimHtmlRow}'s table. */
export function claimsHtmlHeader(first?: string): string {
  const cols = [...(first ? [first] : []), "claim", "measured (95% interval)", "target", "control", "verdict"];
  return `<tr>${cols.map((c) => `<th>${htmlEscape(c)}</th>`).join("")}</tr>`;
}

/**
 * A claim as an HTML table row; the verdict cell has class `verdict-<verdict>` for styling and the paper's
 * sentence, what would refute it and why this verdict are in the claim cell's title.
 */
export function claimHtmlRow(c: Claim, first?: string): string {
  const k = claimCells(c);
  const title = `Paper: ${k.paper}\nRefuted by: ${c.refutedBy}\nQuantity: ${c.quantity}\nWhy: ${c.why}`;
  const cells = [
    ...(first !== undefined ? [`<td>${htmlEscape(first)}</td>`] : []),
    `<td title="${htmlEscape(title)}">${htmlEscape(k.statement)}</td>`,
    `<td>${htmlEscape(k.measured)}</td>`,
    `<td>${htmlEscape(k.target)}</td>`,
    `<td>${htmlEscape(k.control)}</td>`,
    `<td class="verdict-${c.verdict}">${c.verdict}</td>`,
  ];
  return `<tr>${cells.join("")}</tr>`;
}

/** CSS for the verdict cells of {@link claimHtmlRow}. */
export const VERDICT_CSS =
  ".verdict-holds{color:#1a7f37;font-weight:600}.verdict-contradicts{color:#cf222e;font-weight:600}" +
  ".verdict-inconclusive{color:#9a6700;font-weight:600}.verdict-measured{color:#57606a}";
