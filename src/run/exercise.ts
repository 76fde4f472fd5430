/**
 * Exercise checks (Neuromatch-style): `lab.exercises.t6.e1(result)` says whether a student's outcome is in
 * the range the exercise states, and what to look at if it is not. Each check is defined once here, with
 * its expected range per profile and why; the notebook's markdown states the same range (a test compares
 * them), and `npm run test:exercises` runs every solution in the notebooks at `smoke` with strict checks,
 * so a solution whose outcome leaves its stated range fails CI.
 *
 * The markdown convention (see notebooks 00 and 06):
 *
 *     ### Exercise N: title
 *     **Change:** what to change. **Time:** about … on 2 CPU cores (with the BLAS; … without).
 *     **Expect:** quantity in lo–hi at quick (smoke: lo–hi), because ….
 *     **Check:** `lab.exercises.t6.eN(x)`
 *     <details><summary>Solution</summary>
 *
 *     ```ts
 *     … code that runs after the notebook's cells above the exercises …
 *     lab.exercises.t6.eN(x);
 *     ```
 *     </details>
 */
import { type Profile, profileFromEnv } from "../config";
import { isNotebook, showMarkdown } from "../present/display";

/** A closed range [lo, hi] of an outcome. */
export type Range = readonly [number, number];

/** An exercise's check, as its author states it. `R` is what the student passes (a number, a record, scores). */
export interface ExerciseSpec<R> {
  /** "t6.e1": the takeaway and the exercise's number in its notebook. */
  readonly id: string;
  /** The outcome in words ("accuracy of the Bayes classifier after 8 steps at slip 0.75"). */
  readonly quantity: string;
  /**
   * The expected range per profile: `quick` is the one the notebook states (and `full` uses unless given);
   * `smoke` is what the tests check (tiny runs: usually wider).
   */
  readonly expected: { readonly smoke: Range; readonly quick: Range; readonly full?: Range };
  /** Why the outcome should land there, in one or two sentences. */
  readonly why: string;
  /** What to look at when it does not. */
  readonly ifNot: string;
  /** The outcome, read from what the student passes. */
  read(result: R): number;
  /** A problem with the result itself (e.g. the change was not made), or null. */
  precondition?(result: R): string | null;
}

/** What a check found. */
export interface ExerciseCheck {
  readonly id: string;
  readonly profile: Profile;
  readonly value: number;
  readonly expected: Range;
  readonly ok: boolean;
  /** One paragraph for the student. */
  readonly message: string;
}

/**
 * A check: call it on the result to see ✓ or ✗ (it returns nothing, so the notebook prints no object after
 * it); `evaluate` returns the {@link ExerciseCheck} without showing it; `spec` is what the tests read.
 */
export type ExerciseFn<R> = ((result: R, opts?: { readonly profile?: Profile }) => void) & {
  readonly spec: ExerciseSpec<R>;
  evaluate(result: R, opts?: { readonly profile?: Profile }): ExerciseCheck;
};

/** "0.55–0.7": how a range is written in the notebooks' markdown (the tests look for this string). */
export function formatRange(r: Range): string {
  const f = (x: number): string => String(Number(x.toPrecision(3)));
  return `${f(r[0])}–${f(r[1])}`;
}

/** The expected range at `profile`. */
export function expectedRange(spec: ExerciseSpec<unknown>, profile: Profile): Range {
  return profile === "smoke"
    ? spec.expected.smoke
    : profile === "full"
      ? (spec.expected.full ?? spec.expected.quick)
      : spec.expected.quick;
}

/** The profile a result was made at: its own `profile` field (a results record) or the notebook's. */
function profileOf(result: unknown, given: Profile | undefined): Profile {
  if (given) return given;
  const p = (result as { profile?: unknown } | null)?.profile;
  return p === "smoke" || p === "quick" || p === "full" ? p : profileFromEnv();
}

/** Whether failed checks throw (GEN2BRAIN_EXERCISES_STRICT=1: the exercise tests). */
export function exercisesStrict(env: NodeJS.ProcessEnv = process.env): boolean {
  return env["GEN2BRAIN_EXERCISES_STRICT"] === "1";
}

/** Thrown by a failed check in strict mode. */
export class ExerciseOutOfRangeError extends Error {
  override readonly name = "ExerciseOutOfRangeError";
}

/**
 * Define an exercise's check. Calling it reads the outcome, compares it with the range at the result's
 * profile and shows a ✓ or ✗ paragraph (in a notebook; printed elsewhere); in strict mode a ✗ throws.
 */
export function defineExercise<R>(spec: ExerciseSpec<R>): ExerciseFn<R> {
  for (const [p, r] of Object.entries(spec.expected) as Array<[string, Range | undefined]>)
    if (r && !(r[0] <= r[1]))
      throw new Error(`defineExercise("${spec.id}"): expected.${p} = [${r[0]}, ${r[1]}] needs lo ≤ hi`);
  const evaluate = (result: R, opts: { readonly profile?: Profile } = {}): ExerciseCheck => {
    const profile = profileOf(result, opts.profile);
    const expected = expectedRange(spec as ExerciseSpec<unknown>, profile);
    const problem = spec.precondition?.(result) ?? null;
    const value = problem === null ? spec.read(result) : NaN;
    const ok = problem === null && Number.isFinite(value) && value >= expected[0] && value <= expected[1];
    const shown = Number.isFinite(value) ? String(Number(value.toPrecision(3))) : String(value);
    const message = ok
      ? `✓ ${spec.id}: ${spec.quantity} = ${shown}, in the expected ${formatRange(expected)} at ${profile}. ${spec.why}`
      : problem !== null
        ? `✗ ${spec.id}: ${problem}`
        : `✗ ${spec.id}: ${spec.quantity} = ${shown}, outside the expected ${formatRange(expected)} at ${profile}. Look at: ${spec.ifNot}`;
    return { id: spec.id, profile, value, expected, ok, message };
  };
  const check = (result: R, opts: { readonly profile?: Profile } = {}): void => {
    const c = evaluate(result, opts);
    if (isNotebook()) showMarkdown(c.message);
    else console.log(c.message);
    if (!c.ok && exercisesStrict()) throw new ExerciseOutOfRangeError(c.message);
  };
  return Object.assign(check, { spec, evaluate });
}
