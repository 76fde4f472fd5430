import { test } from "node:test";
import assert from "node:assert/strict";
import {
  above,
  assertedClaim,
  atLeast,
  atMost,
  below,
  checkClaims,
  claimLine,
  claimHtmlRow,
  claimMarkdownRow,
  ClaimsNotHeldError,
  countVerdicts,
  describeTarget,
  failedClaims,
  isClaim,
  isStrict,
  measuredClaim,
  overSeeds,
  poolClaim,
  seedInterval,
  singleRun,
  verdictOf,
  within,
  type AssertedClaimSpec,
  type ControlSpec,
  type MeasuredClaimSpec,
  type SeedEstimate,
} from "./claims";
import { meanInterval } from "./stats";

const iv = (lo: number, hi: number, n = 5) => ({ lo, hi, n });

test("verdictOf: one-sided targets decided by the whole interval", () => {
  assert.equal(verdictOf(iv(0.6, 0.8), atLeast(0.5)), "holds");
  assert.equal(verdictOf(iv(0.5, 0.8), atLeast(0.5)), "holds"); // the bound itself satisfies ≥
  assert.equal(verdictOf(iv(0.5, 0.8), above(0.5)), "inconclusive"); // but not >
  assert.equal(verdictOf(iv(0.2, 0.4), atLeast(0.5)), "contradicts");
  assert.equal(verdictOf(iv(0.4, 0.6), atLeast(0.5)), "inconclusive");
  assert.equal(verdictOf(iv(-0.2, -0.1), atMost(0)), "holds");
  assert.equal(verdictOf(iv(0.1, 0.2), atMost(0)), "contradicts");
  assert.equal(verdictOf(iv(-0.1, 0.2), below(0)), "inconclusive");
  assert.equal(verdictOf(iv(0.1, 0.2), below(0.1)), "contradicts"); // 0.1 is not < 0.1
  assert.equal(verdictOf(iv(0.0, 0.2), above(0)), "inconclusive");
});

test("verdictOf: bands", () => {
  const band = within(1.5, 2.5);
  assert.equal(verdictOf(iv(1.6, 2.4), band), "holds");
  assert.equal(verdictOf(iv(1.5, 2.5), band), "holds");
  assert.equal(verdictOf(iv(2.6, 3.0), band), "contradicts");
  assert.equal(verdictOf(iv(0.5, 1.4), band), "contradicts");
  assert.equal(verdictOf(iv(2.2, 2.8), band), "inconclusive"); // straddles the upper edge
  assert.equal(verdictOf(iv(1.0, 3.0), band), "inconclusive"); // contains the band
  assert.throws(() => within(2, 1), /lo must be ≤ hi/);
});

test("verdictOf: n = 1 and NaN are inconclusive", () => {
  assert.equal(verdictOf(iv(0.9, 0.9, 1), atLeast(0.5)), "inconclusive");
  assert.equal(verdictOf(iv(0.9, 0.9, 0), atLeast(0.5)), "inconclusive");
  assert.equal(verdictOf(iv(NaN, 0.9), atLeast(0.5)), "inconclusive");
  assert.equal(verdictOf(iv(0.6, NaN), atLeast(0.5)), "inconclusive");
  assert.equal(verdictOf(iv(NaN, NaN), within(0, 1)), "inconclusive");
});

test("overSeeds: t over seeds (the stats.ts interval), bootstrap, one value, NaN", () => {
  const xs = [0.8, 0.85, 0.9, 0.82, 0.88];
  const t = overSeeds(xs);
  const ref = meanInterval(xs);
  assert.deepEqual([t.mean, t.lo, t.hi, t.n, t.method], [ref.mean, ref.lo, ref.hi, 5, "t over seeds"]);
  assert.deepEqual(t.values, xs);
  const clipped = overSeeds([0.99, 1, 1, 0.98], { bounds: [0, 1] });
  assert.equal(clipped.hi, 1);
  const b = overSeeds(xs, { method: "bootstrap" });
  assert.equal(b.method, "bootstrap over seeds");
  assert.ok(b.lo >= 0.8 && b.hi <= 0.9 && b.lo < b.mean && b.mean < b.hi, JSON.stringify(b));
  assert.deepEqual(overSeeds(xs, { method: "bootstrap" }), b, "deterministic");
  const one = overSeeds([0.7]);
  assert.deepEqual([one.lo, one.hi, one.n, one.method], [0.7, 0.7, 1, "single run"]);
  const nan = overSeeds([0.7, NaN, 0.8]);
  assert.ok(Number.isNaN(nan.lo) && Number.isNaN(nan.mean));
  assert.equal(nan.n, 3);
  assert.equal(overSeeds([]).n, 0);
  assert.equal(seedInterval({ mean: 1, lo: 1, hi: 1, n: 1 }).method, "single run");
});

const negative = (values: number[]): ControlSpec => ({
  id: "ctl",
  description: "the condition without the effect",
  estimate: overSeeds(values),
  expect: "absent",
});
const spec = (estimate: SeedEstimate, control: ControlSpec): AssertedClaimSpec => ({
  id: "c",
  statement: "the effect is at least 0.5",
  paper: "“the effect is large” (§2)",
  refutedBy: "an interval wholly below 0.5",
  quantity: "effect size",
  estimate,
  target: atLeast(0.5),
  control,
});

/** A measured claim's spec (a gap we report), with its optional reference target and control. */
const gap = (estimate: SeedEstimate, extra: Pick<MeasuredClaimSpec, "target" | "control"> = {}): MeasuredClaimSpec => ({
  id: "m",
  statement: "a gap we report",
  paper: null,
  refutedBy: "nothing: reported, not asserted",
  quantity: "gap",
  estimate,
  ...extra,
});

test("assertedClaim: each verdict, with its control", () => {
  const holds = assertedClaim(spec(overSeeds([0.7, 0.72, 0.69, 0.71, 0.7]), negative([0.1, 0.12, 0.11])));
  assert.equal(holds.verdict, "holds");
  assert.equal(holds.control?.verdict, "contradicts");
  assert.equal(holds.interval.n, 5);
  assert.equal(holds.interval.method, "t over seeds");
  assert.match(holds.why, /wholly ≥ 0.5/);
  const contradicts = assertedClaim(spec(overSeeds([0.2, 0.22, 0.21]), negative([0.1, 0.12, 0.11])));
  assert.equal(contradicts.verdict, "contradicts");
  const straddles = assertedClaim(spec(overSeeds([0.3, 0.7, 0.5]), negative([0.1, 0.12, 0.11])));
  assert.equal(straddles.verdict, "inconclusive");
  const oneRun = assertedClaim(spec(singleRun(0.9), negative([0.1, 0.12, 0.11])));
  assert.equal(oneRun.verdict, "inconclusive");
  assert.match(oneRun.why, /n = 1, no interval/);
  const nan = assertedClaim(spec(overSeeds([0.9, NaN]), negative([0.1, 0.12])));
  assert.equal(nan.verdict, "inconclusive");
  assert.match(nan.why, /NaN/);
});

test("assertedClaim: a failed manipulation check makes a holding or contradicting claim inconclusive, with its reason", () => {
  const ctl = negative([0.1, 0.12, 0.11]);
  const holdsEst = overSeeds([0.7, 0.72, 0.69, 0.71, 0.7]);
  const contraEst = overSeeds([0.2, 0.22, 0.21]);
  const failed = { ok: false, why: "the levels' estimates fall against their designed order" };
  const passed = { ok: true, why: "the levels' estimates rise with their designed order" };
  const h = assertedClaim({ ...spec(holdsEst, ctl), validity: failed });
  assert.equal(h.verdict, "inconclusive");
  assert.match(h.why, /wholly ≥ 0.5/);
  assert.match(
    h.why,
    /; but the levels' estimates fall against their designed order, so the measurement cannot test the claim$/,
  );
  const c = assertedClaim({ ...spec(contraEst, ctl), validity: failed });
  assert.equal(c.verdict, "inconclusive");
  assert.match(c.why, /cannot test the claim/);
  const hOk = assertedClaim({ ...spec(holdsEst, ctl), validity: passed });
  assert.deepEqual({ ...hOk, validity: undefined }, { ...assertedClaim(spec(holdsEst, ctl)), validity: undefined });
  assert.deepEqual(hOk.validity, passed);
  assert.equal(hOk.verdict, "holds");
  const cOk = assertedClaim({ ...spec(contraEst, ctl), validity: passed });
  assert.deepEqual({ ...cOk, validity: undefined }, { ...assertedClaim(spec(contraEst, ctl)), validity: undefined });
  assert.equal(cOk.verdict, "contradicts");
  assert.throws(() => assertedClaim({ ...spec(holdsEst, ctl), validity: { ok: false, why: "" } }), /validity/);
});

test("assertedClaim: a negative control that passes too, or a positive control that fails, makes it inconclusive", () => {
  const est = overSeeds([0.7, 0.72, 0.69, 0.71, 0.7]);
  const same = assertedClaim(spec(est, negative([0.69, 0.7, 0.71])));
  assert.equal(same.verdict, "inconclusive");
  assert.match(same.why, /cannot tell them apart/);
  const positive: ControlSpec = {
    id: "pos",
    description: "trivially present",
    estimate: overSeeds([0.1, 0.2]),
    expect: "present",
  };
  const broken = assertedClaim(spec(est, positive));
  assert.equal(broken.verdict, "inconclusive");
  assert.match(broken.why, /positive control/);
  const unmeasured = assertedClaim(spec(est, negative([NaN, 0.1])));
  assert.equal(unmeasured.verdict, "inconclusive");
  assert.match(unmeasured.why, /not measured/);
  const shown: ControlSpec = {
    id: "acc",
    description: "another scale",
    estimate: overSeeds([0.9, 0.95]),
    expect: "shown",
  };
  const s = assertedClaim(spec(est, shown));
  assert.equal(s.verdict, "holds");
  assert.equal(s.control?.verdict, "measured");
});

test("assertedClaim: a missing control or target is an error naming the claim", () => {
  const noControl = {
    ...spec(overSeeds([1, 1]), negative([0, 0])),
    control: undefined,
  } as unknown as AssertedClaimSpec;
  assert.throws(() => assertedClaim(noControl), /assertedClaim\("c"\): an asserted claim needs a control/);
  const noTarget = { ...spec(overSeeds([1, 1]), negative([0, 0])), target: undefined } as unknown as AssertedClaimSpec;
  assert.throws(() => assertedClaim(noTarget), /assertedClaim\("c"\): an asserted claim needs a target/);
  const noRefuted = { ...spec(overSeeds([1, 1]), negative([0, 0])), refutedBy: "" };
  assert.throws(() => assertedClaim(noRefuted), /assertedClaim\("c"\): "refutedBy" is missing/);
  const noPaper = { ...spec(overSeeds([1, 1]), negative([0, 0])), paper: undefined } as unknown as AssertedClaimSpec;
  assert.throws(() => assertedClaim(noPaper), /"paper" must be the paper's sentence/);
  // @ts-expect-error: the type requires a control for an asserted claim
  const typed: AssertedClaimSpec = {
    id: "x",
    statement: "s",
    paper: null,
    refutedBy: "r",
    quantity: "q",
    estimate: singleRun(1),
    target: atLeast(0),
  };
  assert.ok(typed);
});

test("measuredClaim: never holds, whatever the numbers", () => {
  const m = measuredClaim(gap(overSeeds([0.5, 0.52, 0.51]), { target: above(0) }));
  assert.equal(m.verdict, "measured");
  assert.equal(m.asserted, false);
  assert.equal(m.control, null);
  assert.match(m.why, /reported, not asserted.*the interval lies > 0/);
  assert.ok(isClaim(m));
  assert.ok(!isClaim({ id: "old", statement: "s", value: 1, threshold: 1, holds: true }));
});

test("checkClaims: a verdict is a result; strict throws at quick/full only", () => {
  const good = assertedClaim(spec(overSeeds([0.7, 0.72, 0.69]), negative([0.1, 0.12, 0.11])));
  const bad = assertedClaim(spec(overSeeds([0.2, 0.22, 0.21]), negative([0.1, 0.12, 0.11])));
  const rec = { id: "tX", profile: "quick" as const, claims: [good, { ...bad, id: "bad" }] };
  const printed: string[] = [];
  const lines = checkClaims(rec, { strict: false, log: (l) => printed.push(l) });
  assert.deepEqual(printed, lines);
  assert.match(lines[0] ?? "", /^HOLDS +c: /);
  assert.match(lines[1] ?? "", /^CONTRADICTS +bad: /);
  assert.match(lines[2] ?? "", /tX: 1 holds, 1 contradicts, 0 inconclusive, 0 measured \(profile quick\)/);
  assert.throws(
    () => checkClaims(rec, { strict: true }),
    (e: unknown) => {
      assert.ok(e instanceof ClaimsNotHeldError);
      assert.deepEqual(
        e.claims.map((c) => c.id),
        ["bad"],
      );
      return /1 asserted claim\(s\) of tX do not hold at profile quick \(strict\)/.test(e.message);
    },
  );
  assert.doesNotThrow(() => checkClaims({ ...rec, profile: "smoke" }, { strict: true }));
  assert.equal(isStrict({}, { GEN2BRAIN_STRICT: "1" }), true);
  assert.equal(isStrict({}, {}), false);
  assert.equal(isStrict({ strict: false }, { GEN2BRAIN_STRICT: "1" }), false);
  assert.deepEqual(
    failedClaims(rec.claims).map((c) => c.id),
    ["bad"],
  );
  assert.deepEqual(countVerdicts(rec.claims), { holds: 1, contradicts: 1, inconclusive: 0, measured: 0 });
});

test("formatting: lines and table rows carry the verdict, interval and control", () => {
  const c = assertedClaim(spec(overSeeds([0.7, 0.72, 0.69]), negative([0.1, 0.12, 0.11])));
  assert.match(
    claimLine(c),
    /HOLDS +c: the effect is at least 0.5 — 0.7033 \[0\.\d+, 0\.\d+\] \(t over seeds, n = 3\) vs ≥ 0.5; control ctl \(negative\)/,
  );
  const md = claimMarkdownRow(c, "tX");
  assert.match(
    md,
    /^\| tX \| the effect is at least 0.5 \| 0.7033 \[.*\] \(t over seeds, n = 3\) \| ≥ 0.5 \| ctl \(negative\): .* contradicts \| holds \|$/,
  );
  const bad = assertedClaim(spec(overSeeds([0.2, 0.21]), negative([0.1, 0.12])));
  assert.match(claimMarkdownRow(bad), /\| \*\*contradicts\*\* \|$/);
  const html = claimHtmlRow(c, "t<X>");
  assert.match(html, /<td>t&lt;X&gt;<\/td>/);
  assert.match(html, /class="verdict-holds"/);
  assert.match(html, /title="Paper: “the effect is large” \(§2\)&#10;|title="Paper: “the effect is large” \(§2\)\n/);
});

test("poolClaim: a manipulation check passes pooled only when it passed under every base seed", () => {
  const ctl = negative([0.1, 0.12, 0.11]);
  const ok = { ok: true, why: "rises" };
  const bad = { ok: false, why: "the levels fall against their design" };
  const a = assertedClaim({ ...spec(overSeeds([0.7, 0.72, 0.71]), ctl), validity: ok });
  const b = assertedClaim({ ...spec(overSeeds([0.69, 0.7, 0.73]), ctl), validity: ok });
  const c = assertedClaim({ ...spec(overSeeds([0.7, 0.71, 0.72]), ctl), validity: bad });
  assert.equal(poolClaim([a, b]).verdict, "holds");
  assert.equal(poolClaim([a, b]).validity?.ok, true);
  const pooled = poolClaim([a, b, c]);
  assert.equal(pooled.verdict, "inconclusive");
  assert.equal(pooled.validity?.ok, false);
  assert.match(
    pooled.why,
    /but under 1 of 3 base seeds the manipulation check failed \(the first of them: the levels fall against their design\), so the measurement cannot test the claim/,
  );
  assert.equal(poolClaim([assertedClaim(spec(overSeeds([0.7, 0.72]), ctl))]).validity, undefined);
});

test("poolClaim: per-run values are pooled over base seeds; otherwise each base seed counts once", () => {
  const a = assertedClaim(spec(overSeeds([0.6, 0.55, 0.7]), negative([0.1, 0.12, 0.11])));
  const b = assertedClaim(spec(overSeeds([0.65, 0.58, 0.62]), negative([0.09, 0.1, 0.13])));
  const pooled = poolClaim([a, b]);
  assert.equal(pooled.interval.n, 6);
  assert.equal(pooled.control?.interval.n, 6);
  assert.equal(pooled.verdict, "holds");
  const single = poolClaim([
    assertedClaim(spec(singleRun(0.9), negative([0.1, 0.2]))),
    assertedClaim(spec(singleRun(0.8), negative([0.1, 0.2]))),
    assertedClaim(spec(singleRun(0.85), negative([0.1, 0.2]))),
  ]);
  assert.equal(single.interval.n, 3);
  assert.equal(single.interval.method, "t over seeds");
  const m = poolClaim([
    measuredClaim({ id: "m", statement: "s", paper: null, refutedBy: "r", quantity: "q", estimate: singleRun(1) }),
    measuredClaim({ id: "m", statement: "s", paper: null, refutedBy: "r", quantity: "q", estimate: singleRun(2) }),
  ]);
  assert.equal(m.verdict, "measured");
  assert.equal(m.value, 1.5);
  assert.throws(() => poolClaim([a, { ...b, id: "other" }]), /cannot be pooled/);
});

test("verdictOf at its edges: every run equal, the bound of ≤, a reversed interval, an interval touching a band", () => {
  assert.equal(verdictOf(iv(1, 1), atLeast(1)), "holds"); // five runs that all gave 1: lo = hi
  assert.equal(verdictOf(iv(0, 0.5), atMost(0.5)), "holds"); // ≤ includes its bound
  assert.equal(verdictOf(iv(0.6, 0.4), atLeast(0)), "inconclusive"); // lo > hi is no interval
  assert.equal(verdictOf(iv(1, 1.5), within(1.5, 2.5)), "inconclusive"); // touches the band: not wholly outside
  assert.equal(verdictOf(iv(2.5, 3), within(1.5, 2.5)), "inconclusive");
  assert.equal(describeTarget(within(1, 1)), "in [1, 1]"); // a band may be a point
  assert.equal(describeTarget(atMost(0.2)), "≤ 0.2");
});

test("overSeeds: a failed run blanks a bootstrap interval too; bounds travel with the estimate into the claim", () => {
  // The bootstrap drops resamples without a value; a run that gave NaN must not be dropped with them.
  const nan = overSeeds([0.7, NaN, 0.8, 0.75], { method: "bootstrap" });
  assert.ok(Number.isNaN(nan.lo) && Number.isNaN(nan.hi), JSON.stringify(nan));
  assert.equal(assertedClaim(spec(nan, negative([0.1, 0.12]))).verdict, "inconclusive");
  const acc = overSeeds([0.99, 1, 1], { bounds: [0, 1] });
  assert.deepEqual(acc.bounds, [0, 1]);
  assert.deepEqual(assertedClaim(spec(acc, negative([0.1, 0.12]))).interval.bounds, [0, 1]);
  assert.deepEqual(overSeeds([0.9], { bounds: [0, 1] }).bounds, [0, 1]);
  assert.equal(seedInterval({ mean: 1, lo: 0.5, hi: 1.5, n: 2 }).method, "t over seeds");
});

test("assertedClaim: a positive control that holds keeps the verdict; so does a contradiction beside a negative control that holds", () => {
  const est = overSeeds([0.7, 0.72, 0.69, 0.71, 0.7]);
  const positive: ControlSpec = {
    id: "pos",
    description: "the effect where it is trivially present",
    estimate: overSeeds([0.9, 0.95, 0.92]),
    expect: "present",
  };
  const ok = assertedClaim(spec(est, positive));
  assert.equal(ok.verdict, "holds");
  assert.equal(ok.control?.verdict, "holds");
  assert.match(ok.why, /wholly ≥ 0.5; control pos 0.9233 \(.*\): holds$/);
  // The condition misses the target: that the control meets it does not turn the contradiction into a holds.
  const contra = assertedClaim(spec(overSeeds([0.2, 0.22, 0.21]), negative([0.69, 0.7, 0.71])));
  assert.equal(contra.verdict, "contradicts");
  assert.match(contra.why, /wholly outside ≥ 0.5; control ctl .*: holds$/);
  // A positive control that fails leaves a contradiction in doubt too.
  assert.equal(
    assertedClaim(spec(overSeeds([0.2, 0.22, 0.21]), { ...positive, estimate: overSeeds([0.1, 0.2]) })).verdict,
    "inconclusive",
  );
  // A control shown for scale is no check: without a value it leaves the verdict alone.
  const shown: ControlSpec = { id: "acc", description: "a scale", estimate: overSeeds([NaN, 0.9]), expect: "shown" };
  assert.equal(assertedClaim(spec(est, shown)).verdict, "holds");
});

test("measuredClaim: a control without a target is shown, not judged", () => {
  const m = measuredClaim(gap(overSeeds([0.5, 0.52, 0.51]), { control: negative([0.1, 0.12]) }));
  assert.equal(m.control?.verdict, "measured");
  assert.equal(m.target, null);
  assert.equal(m.verdict, "measured");
});

test("checkClaims: strict does not throw when every asserted claim holds", () => {
  const good = assertedClaim(spec(overSeeds([0.7, 0.72, 0.69]), negative([0.1, 0.12, 0.11])));
  assert.doesNotThrow(() => checkClaims({ id: "tX", profile: "full", claims: [good] }, { strict: true }));
});

test("poolClaim: bounds clip the pooled interval; a base seed without per-run values makes every base seed count once", () => {
  const ctl = negative([0.1, 0.12, 0.11]);
  const acc = (xs: number[]) => assertedClaim(spec(overSeeds(xs, { bounds: [0, 1] }), ctl));
  const pooled = poolClaim([acc([0.97, 1, 1]), acc([1, 0.96, 1])]);
  assert.equal(pooled.interval.hi, 1);
  assert.deepEqual(pooled.interval.bounds, [0, 1]);
  // Two base seeds with their runs and one with a single value: three base seeds, one value each.
  const mixed = poolClaim([
    assertedClaim(spec(overSeeds([1, 2, 3]), ctl)),
    assertedClaim(spec(overSeeds([2, 4]), ctl)),
    assertedClaim(spec(singleRun(5), ctl)),
  ]);
  assert.equal(mixed.interval.n, 3);
  assert.deepEqual(mixed.interval.values, [2, 3, 5]);
  assert.throws(() => poolClaim([]), /poolClaim: no runs/);
});

test("poolClaim: measured claims stay measured, with their reference target and control; a base seed without a control pools none", () => {
  const measured = (xs: number[]) =>
    measuredClaim(gap(overSeeds(xs), { target: above(0), control: negative([0.01, 0.02, 0.015]) }));
  const m = poolClaim([measured([0.5, 0.52, 0.51]), measured([0.49, 0.5, 0.53])]);
  assert.equal(m.verdict, "measured");
  assert.equal(m.asserted, false);
  assert.deepEqual(m.target, above(0));
  assert.equal(m.control?.interval.n, 6);
  const noTarget = poolClaim([
    { ...measured([0.5, 0.52]), target: null },
    { ...measured([0.5, 0.51]), target: null },
  ]);
  assert.equal(noTarget.verdict, "measured");
  assert.equal(noTarget.control?.verdict, "measured");
  const a = assertedClaim(spec(overSeeds([0.7, 0.72, 0.69]), negative([0.1, 0.12, 0.11])));
  const pooled = poolClaim([a, { ...a, control: null }]);
  assert.equal(pooled.control, null);
  assert.equal(pooled.verdict, "measured"); // an asserted claim needs its control under every base seed
});

test("assertedClaim from an untyped caller (a notebook): each missing field is an error naming it", () => {
  const base = spec(overSeeds([0.7, 0.72]), negative([0.1, 0.12]));
  const untyped = (patch: Record<string, unknown>) => () =>
    assertedClaim({ ...base, ...patch } as unknown as AssertedClaimSpec);
  assert.throws(untyped({ id: "" }), /assertedClaim: a claim needs an id/);
  assert.throws(untyped({ id: 3 }), /assertedClaim: a claim needs an id/);
  assert.throws(untyped({ statement: 5 }), /"statement" is missing/);
  assert.throws(untyped({ quantity: undefined }), /"quantity" is missing/);
  assert.throws(untyped({ paper: "" }), /"paper" must be the paper's sentence/);
  assert.throws(untyped({ estimate: undefined }), /"estimate" is missing \(use overSeeds/);
  assert.throws(untyped({ estimate: { mean: 1 } }), /"estimate" is missing/);
  assert.throws(untyped({ control: null }), /an asserted claim needs a control/);
  assert.throws(untyped({ target: null }), /an asserted claim needs a target/);
  assert.throws(untyped({ validity: null }), /"validity" needs \{ ok: boolean, why: string \}/);
  assert.throws(untyped({ validity: { ok: "yes", why: "w" } }), /"validity" needs/);
  assert.throws(untyped({ validity: { ok: true } }), /"validity" needs/);
  assert.doesNotThrow(untyped({ paper: null }));
});
