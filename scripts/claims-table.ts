/**
 * The claims of several base seeds side by side (`scripts/claims-by-seed.ts` writes them, the README shows
 * them): per claim, its verdict and value under each base seed, the verdict on all runs pooled
 * ({@link poolClaim}) and how many base seeds agree with it. Pure functions; no file is read here except
 * by {@link loadSeedRecords}.
 */
import * as fs from "fs";
import * as path from "path";
import {
  type Claim,
  type ClaimInterval,
  formatClaimValue,
  formatControl,
  formatEstimate,
  isClaim,
  poolClaim,
  satisfies,
  type Verdict,
  VERDICTS,
} from "../src/claims";
import type { Profile } from "../src/config";
import { loadResults, resultDir, writeFileAtomic, writeJsonAtomic } from "../src/run/results";

/** The verdict rule and the pooling, in words (printed with every table). */
export const POOLING_NOTE =
  "Each base seed runs every experiment with its own derived seeds. Verdicts come from the 95% interval over independent runs " +
  "(holds: wholly on the claimed side; contradicts: wholly on the other side; inconclusive: neither, one run, or a control that passes too; " +
  "measured: reported, not asserted). Pooled: the runs of all base seeds together (their per-run values when the claim kept them, " +
  "else one value per base seed), decided by the same rule. Agreement: for an asserted claim, the base seeds whose verdict equals the " +
  "pooled verdict; for a measured one, the base seeds whose value lies on the same side of the reference as the pooled value.";

/** One experiment's result under one base seed: its claims, or why there are none. */
export interface SeedExperiment {
  readonly id: string;
  readonly claims?: ReadonlyArray<Claim>;
  readonly error?: string;
}

/** Everything one base seed produced. */
export interface SeedRun {
  readonly seed: number;
  readonly experiments: ReadonlyArray<SeedExperiment>;
  /** Wall seconds of this seed's run (absent when the results were only collected). */
  readonly wallS?: number;
}

/** One claim under one base seed. */
export interface SeedClaim {
  readonly verdict: Verdict;
  readonly value: number;
  readonly interval: ClaimInterval;
  /** Does the value (a point) lie on the claimed side of the target? null without a target. */
  readonly valueMeetsTarget: boolean | null;
  /** The claim's control under this base seed, where it has one. */
  readonly control?: { readonly value: number; readonly verdict: Verdict };
}

/** One claim across base seeds. */
export interface ClaimAcrossSeeds {
  readonly experiment: string;
  readonly id: string;
  readonly statement: string;
  /** The statement differs between base seeds (e.g. a load chosen from the data): shown from the first. */
  readonly statementsDiffer: boolean;
  readonly asserted: boolean;
  readonly threshold: string;
  readonly paper: string | null;
  readonly refutedBy: string;
  /** Base seed (as a string key) → the claim under it, or null when that seed has no such claim. */
  readonly bySeed: Readonly<Record<string, SeedClaim | null>>;
  readonly pooled: Claim;
  /** Base seeds that agree with the pooled result, out of those compared (see {@link POOLING_NOTE}). */
  readonly agreement: { readonly agree: number; readonly of: number };
}

/** The document claims-by-seed.json holds. */
export interface ClaimsBySeed {
  readonly profile: Profile;
  readonly seeds: ReadonlyArray<number>;
  readonly generatedAt: string;
  readonly gitCommit: string;
  readonly rule: string;
  readonly runs: ReadonlyArray<{
    readonly seed: number;
    readonly wallS?: number;
    readonly experiments: Readonly<Record<string, string>>;
  }>;
  readonly claims: ReadonlyArray<ClaimAcrossSeeds>;
  /**
   * Set when the table was merged from several claims-by-seed runs (`mergeClaimsBySeed`): which commit and
   * date each experiment's rows come from.
   */
  readonly sources?: ReadonlyArray<{
    readonly experiments: ReadonlyArray<string>;
    readonly gitCommit: string;
    readonly generatedAt: string;
  }>;
}

/** Which commit and date each experiment's rows come from: a merged table's sources, else the run's own. */
function sourcesOf(doc: ClaimsBySeed): NonNullable<ClaimsBySeed["sources"]> {
  return (
    doc.sources ?? [
      {
        experiments: [...new Set(doc.claims.map((c) => c.experiment))],
        gitCommit: doc.gitCommit,
        generatedAt: doc.generatedAt,
      },
    ]
  );
}

/**
 * One table from several claims-by-seed runs of disjoint experiments at the same profile and base seeds (e.g.
 * each takeaway run on its own): claims and runs side by side, each experiment's commit kept in `sources`.
 * Mismatched profiles or seeds, or an experiment in two runs, are errors naming the file.
 */
export function mergeClaimsBySeed(docs: ReadonlyArray<{ file: string; doc: ClaimsBySeed }>): ClaimsBySeed {
  const first = docs[0];
  if (first === undefined) throw new Error("mergeClaimsBySeed: no claims-by-seed files given");
  const seen = new Map<string, string>();
  const sources: Array<NonNullable<ClaimsBySeed["sources"]>[number]> = [];
  for (const { file, doc } of docs) {
    if (doc.profile !== first.doc.profile)
      throw new Error(`${file}: profile ${doc.profile}, but ${first.file} has ${first.doc.profile}; merge one profile`);
    if (doc.seeds.join(",") !== first.doc.seeds.join(","))
      throw new Error(`${file}: base seeds ${doc.seeds.join(",")}, but ${first.file} has ${first.doc.seeds.join(",")}`);
    const experiments = [...new Set(doc.claims.map((c) => c.experiment))];
    for (const e of experiments) {
      const other = seen.get(e);
      if (other !== undefined) throw new Error(`${file}: ${e} is also in ${other}; give each experiment once`);
      seen.set(e, file);
    }
    sources.push(...sourcesOf(doc));
  }
  const generatedAt = docs.map((d) => d.doc.generatedAt).sort()[docs.length - 1] as string;
  return {
    profile: first.doc.profile,
    seeds: first.doc.seeds,
    generatedAt,
    gitCommit: docs.length === 1 ? first.doc.gitCommit : "merged",
    rule: first.doc.rule,
    runs: first.doc.seeds.map((seed) => ({
      seed,
      experiments: Object.assign({}, ...docs.map((d) => d.doc.runs.find((r) => r.seed === seed)?.experiments ?? {})),
    })),
    claims: docs.flatMap((d) => d.doc.claims),
    sources,
  };
}

/**
 * The committed table the README's claims section is generated from (`data/claims-by-seed/<profile>.json`):
 * kept in the repository so that rerunning one experiment updates its rows without rerunning the others
 * ({@link replaceExperiments}); `out/` is a scratch folder a fresh clone does not have.
 */
export function committedClaimsFile(root: string, profile: Profile): string {
  return path.join(root, "data", "claims-by-seed", `${profile}.json`);
}

/**
 * `base` with the experiments of `update` replaced by update's rows (claims, runs and sources); the others kept
 * with their own commits. Claims and sources are ordered by experiment id (t1 … t6), each experiment's claims
 * in their own order. Mismatched profiles or base seeds are errors, as in {@link mergeClaimsBySeed}.
 */
export function replaceExperiments(base: ClaimsBySeed, update: ClaimsBySeed, where = "update"): ClaimsBySeed {
  const replaced = new Set(update.claims.map((c) => c.experiment));
  const keptSources = sourcesOf(base)
    .map((s) => ({ ...s, experiments: s.experiments.filter((e) => !replaced.has(e)) }))
    .filter((s) => s.experiments.length > 0);
  const kept: ClaimsBySeed = {
    ...base,
    claims: base.claims.filter((c) => !replaced.has(c.experiment)),
    runs: base.runs.map((r) => ({
      ...r,
      experiments: Object.fromEntries(Object.entries(r.experiments).filter(([e]) => !replaced.has(e))),
    })),
    sources: keptSources,
  };
  const docs = [
    { file: "the committed table", doc: kept },
    { file: where, doc: update },
  ].filter((d) => d.doc.claims.length > 0);
  return byExperiment(mergeClaimsBySeed(docs));
}

/** The table with its claims and sources ordered by experiment id (t1 … t6), each experiment's claims in order. */
export function byExperiment(doc: ClaimsBySeed): ClaimsBySeed {
  // Array.prototype.sort is stable: each experiment's claims keep their order.
  const claims = [...doc.claims].sort((a, b) => a.experiment.localeCompare(b.experiment));
  if (doc.sources === undefined) return { ...doc, claims };
  const sources = [...doc.sources].sort((a, b) => (a.experiments[0] ?? "").localeCompare(b.experiments[0] ?? ""));
  return { ...doc, gitCommit: sources.length > 1 ? "merged" : doc.gitCommit, claims, sources };
}

/**
 * Read the records of one base seed from `<outRoot>/<profile>/<id>/results.json`. A missing or unreadable
 * file, or one written before claims had verdicts, is an experiment with an error (and no claims).
 */
export function loadSeedRecords(outRoot: string, profile: Profile, ids: ReadonlyArray<string>): SeedExperiment[] {
  return ids.map((id) => {
    const file = path.join(resultDir(outRoot, profile, id), "results.json");
    if (!fs.existsSync(file)) return { id, error: `no results at ${file}` };
    try {
      const claims = loadResults(file).claims;
      if (!claims.every(isClaim)) return { id, error: `${file} was written before claims had verdicts: rerun it` };
      return { id, claims };
    } catch (e) {
      return { id, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

/** Every claim across the base seeds, in the order the claims first appear. */
export function claimsAcrossSeeds(runs: ReadonlyArray<SeedRun>): ClaimAcrossSeeds[] {
  const order: { experiment: string; id: string }[] = [];
  const seen = new Set<string>();
  for (const r of runs)
    for (const e of r.experiments)
      for (const c of e.claims ?? []) {
        const key = `${e.id}\u0000${c.id}`;
        if (!seen.has(key)) {
          seen.add(key);
          order.push({ experiment: e.id, id: c.id });
        }
      }
  return order.map(({ experiment, id }) => {
    const found = runs.map((r) => ({
      seed: r.seed,
      claim: r.experiments.find((e) => e.id === experiment)?.claims?.find((c) => c.id === id) ?? null,
    }));
    const present = found.flatMap((f) => (f.claim ? [f.claim] : []));
    const first = present[0] as Claim;
    const pooled = poolClaim(present);
    const meets = (x: number): boolean | null =>
      first.target === null || !Number.isFinite(x) ? null : satisfies(x, first.target);
    const bySeed: Record<string, SeedClaim | null> = {};
    for (const f of found)
      bySeed[String(f.seed)] = f.claim
        ? {
            verdict: f.claim.verdict,
            value: f.claim.value,
            interval: f.claim.interval,
            valueMeetsTarget: meets(f.claim.value),
            ...(f.claim.control ? { control: { value: f.claim.control.value, verdict: f.claim.control.verdict } } : {}),
          }
        : null;
    const compared = Object.values(bySeed).filter((s): s is SeedClaim => s !== null);
    const pooledMeets = meets(pooled.value);
    const agreement = first.asserted
      ? { agree: compared.filter((s) => s.verdict === pooled.verdict).length, of: compared.length }
      : pooledMeets === null
        ? { agree: 0, of: 0 }
        : {
            agree: compared.filter((s) => s.valueMeetsTarget === pooledMeets).length,
            of: compared.filter((s) => s.valueMeetsTarget !== null).length,
          };
    return {
      experiment,
      id,
      statement: first.statement,
      statementsDiffer: present.some((c) => c.statement !== first.statement),
      asserted: first.asserted,
      threshold: first.threshold,
      paper: first.paper,
      refutedBy: first.refutedBy,
      bySeed,
      pooled,
      agreement,
    };
  });
}

/**
 * Lists of claims made outside one experiment's run (e.g. from two conditions of it, scripts/t2-variant.ts), one
 * list per base seed, across the base seeds: as {@link claimsAcrossSeeds}, under the name `experiment`.
 */
export function claimListsAcrossSeeds(
  experiment: string,
  lists: ReadonlyArray<{ readonly seed: number; readonly claims: ReadonlyArray<Claim> }>,
): ClaimAcrossSeeds[] {
  return claimsAcrossSeeds(lists.map(({ seed, claims }) => ({ seed, experiments: [{ id: experiment, claims }] })));
}

/** The whole document for claims-by-seed.json. */
export function claimsBySeedDocument(
  profile: Profile,
  runs: ReadonlyArray<SeedRun>,
  gitCommit: string,
  now: Date = new Date(),
): ClaimsBySeed {
  return {
    profile,
    seeds: runs.map((r) => r.seed),
    generatedAt: now.toISOString(),
    gitCommit,
    rule: POOLING_NOTE,
    runs: runs.map((r) => ({
      seed: r.seed,
      ...(r.wallS !== undefined ? { wallS: r.wallS } : {}),
      experiments: Object.fromEntries(r.experiments.map((e) => [e.id, e.error ?? "ok"])),
    })),
    claims: claimsAcrossSeeds(runs),
  };
}

const mdCell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const agreementText = (a: { agree: number; of: number }): string => (a.of === 0 ? "—" : `${a.agree}/${a.of}`);

/** A seed's cell: "holds 0.96" (asserted) or "0.96 ✓/✗ vs the reference" (measured). */
function seedCell(s: SeedClaim | null, asserted: boolean): string {
  if (s === null) return "(none)";
  const v = formatClaimValue(s.value);
  if (asserted) return `${s.verdict} ${v}`;
  return s.valueMeetsTarget === null ? v : `${v} ${s.valueMeetsTarget ? "(meets)" : "(misses)"}`;
}

/** A verdict counts table: "12 holds, 3 contradicts, …" of the pooled verdicts. */
export function pooledSummary(doc: ClaimsBySeed): string {
  const n: Record<Verdict, number> = { holds: 0, contradicts: 0, inconclusive: 0, measured: 0 };
  for (const c of doc.claims) n[c.pooled.verdict] += 1;
  return VERDICTS.map((v) => `${n[v]} ${v}`).join(", ");
}

/** Asserted claims of one takeaway by pooled verdict, and how many of them every base seed alone gives too. */
interface VerdictCount {
  n: number;
  everySeed: number;
}

/**
 * Per takeaway, the asserted claims by pooled verdict, the paper's (a sentence of the paper named) apart from ours
 * (qualifications, `paper: null`), with the measured ones counted and the contradicted ones named: the table at a
 * glance. A cell "2 (1)" says two claims pooled to that verdict, one of them under every base seed alone too.
 */
export function verdictSummaryTable(doc: ClaimsBySeed): string[] {
  const asserted = ["holds", "contradicts", "inconclusive"] as const;
  type Row = {
    paper: Record<string, VerdictCount>;
    ours: Record<string, VerdictCount>;
    measured: number;
    against: string[];
  };
  const empty = (): Record<string, VerdictCount> =>
    Object.fromEntries(asserted.map((v) => [v, { n: 0, everySeed: 0 }]));
  const newRow = (): Row => ({ paper: empty(), ours: empty(), measured: 0, against: [] });
  const rows = new Map<string, Row>();
  // The total row counts every takeaway's claims; it names none (the rows above do).
  const total = newRow();
  for (const c of doc.claims) {
    let row = rows.get(c.experiment);
    if (row === undefined) rows.set(c.experiment, (row = newRow()));
    for (const r of [row, total]) {
      if (!c.asserted || c.pooled.verdict === "measured") {
        r.measured += 1;
        continue;
      }
      const count = (c.paper === null ? r.ours : r.paper)[c.pooled.verdict] as VerdictCount;
      count.n += 1;
      if (c.agreement.of > 0 && c.agreement.agree === c.agreement.of) count.everySeed += 1;
    }
    if (c.asserted && c.pooled.verdict === "contradicts") row.against.push(c.paper === null ? `${c.id} (ours)` : c.id);
  }
  const cell = (k: VerdictCount): string => (k.n === 0 ? "0" : `${k.n} (${k.everySeed})`);
  const ours = (r: Row): string => asserted.map((v) => cell(r.ours[v] as VerdictCount)).join(" / ");
  const cols = [
    "takeaway",
    "the paper's claims: holds",
    "contradicts",
    "inconclusive",
    "ours: holds / contradicts / inconclusive",
    "measured",
    "contradicted",
  ];
  const line = (name: string, r: Row): string =>
    `| ${[
      name,
      ...asserted.map((v) => cell(r.paper[v] as VerdictCount)),
      ours(r),
      String(r.measured),
      r.against.join(", ") || "—",
    ]
      .map(mdCell)
      .join(" | ")} |`;
  return [
    `| ${cols.join(" | ")} |`,
    `|${cols.map(() => "---").join("|")}|`,
    ...[...rows].map(([name, r]) => line(name, r)),
    line("all", total),
  ];
}

/**
 * The table as markdown: per claim, each base seed's verdict and value, the pooled value with its interval,
 * the target, the pooled verdict and the agreement. `compact` (for the README) leaves out the paper column.
 */
export function claimsBySeedTable(doc: ClaimsBySeed, opts: { compact?: boolean } = {}): string[] {
  const seeds = doc.seeds.map(String);
  const cols = [
    "takeaway",
    "claim",
    ...seeds.map((s) => `seed ${s}`),
    "pooled (95% interval)",
    "target",
    "pooled verdict",
    "agreement",
    ...(opts.compact ? [] : ["paper"]),
  ];
  const lines = [`| ${cols.join(" | ")} |`, `|${cols.map(() => "---").join("|")}|`];
  for (const c of doc.claims) {
    const verdict =
      c.pooled.verdict === "contradicts" || c.pooled.verdict === "inconclusive"
        ? `**${c.pooled.verdict}**`
        : c.pooled.verdict;
    const cells = [
      c.experiment,
      c.statement + (c.statementsDiffer ? " (wording differs between seeds)" : ""),
      ...seeds.map((s) => seedCell(c.bySeed[s] ?? null, c.asserted)),
      formatEstimate(c.pooled.value, c.pooled.interval),
      c.threshold || "—",
      verdict,
      agreementText(c.agreement),
      ...(opts.compact ? [] : [c.paper ?? "(ours)"]),
    ];
    lines.push(`| ${cells.map(mdCell).join(" | ")} |`);
  }
  return lines;
}

/**
 * Pre-registered claims across base seeds as markdown (scripts/t2-variant.ts, scripts/t2-split-table.ts): per claim
 * the pooled value with its interval, the target, the pooled control, the pooled verdict and each base seed's.
 */
export function claimsWithControlsTable(claims: ReadonlyArray<ClaimAcrossSeeds>): string[] {
  const perSeed = (c: ClaimAcrossSeeds): string =>
    Object.entries(c.bySeed)
      .flatMap(([s, x]) => (x === null ? [] : [`${s}: ${x.verdict}`]))
      .join(", ");
  return [
    "| claim | measured, pooled | target | control | verdict | per base seed |",
    "|---|---|---|---|---|---|",
    ...claims.map(
      (c) =>
        `| ${c.id} | ${formatEstimate(c.pooled.value, c.pooled.interval)} | ${c.pooled.threshold} | ${formatControl(c.pooled.control)} | **${c.pooled.verdict}** | ${perSeed(c)} |`,
    ),
  ];
}

/**
 * A pre-registered follow-up's report (scripts/t2-variant.ts, scripts/t2-split-table.ts): without `files` the
 * markdown on stdout; with them the markdown, and its claims across base seeds (claims-by-seed.json's shape, with
 * where they come from and `extra`) when there are any, each through a temporary file, then renamed.
 */
export function writeFollowUpReport(
  text: string,
  files: { readonly md: string; readonly json: string } | undefined,
  doc: {
    readonly profile: Profile;
    readonly seeds: ReadonlyArray<string>;
    readonly commits: ReadonlyArray<string>;
    readonly claims: ReadonlyArray<ClaimAcrossSeeds>;
    readonly extra?: object;
  },
): void {
  if (files === undefined) {
    process.stdout.write(text);
    return;
  }
  writeFileAtomic(files.md, text);
  if (doc.claims.length === 0 && doc.extra === undefined) {
    console.log(`written: ${files.md}`);
    return;
  }
  writeJsonAtomic(files.json, {
    profile: doc.profile,
    seeds: doc.seeds.map(Number),
    commits: doc.commits,
    generatedAt: new Date().toISOString(),
    // Each base seed's value, interval, verdict and control; the pooled claim keeps every run's value.
    claims: doc.claims,
    ...doc.extra,
  });
  console.log(`written: ${files.md}, ${files.json}`);
}

/** claims-by-seed.md: a heading, the runs, the rule and the table. */
export function claimsBySeedMarkdown(doc: ClaimsBySeed): string {
  const lines = [
    `# Claims by base seed (profile \`${doc.profile}\`)`,
    "",
    `Base seeds ${doc.seeds.join(", ")}; commit \`${doc.gitCommit}\`; ${doc.generatedAt}. Pooled: ${pooledSummary(doc)}.`,
    "",
  ];
  for (const r of doc.runs) {
    const failed = Object.entries(r.experiments).filter(([, s]) => s !== "ok");
    lines.push(
      `- seed ${r.seed}${r.wallS !== undefined ? ` (${r.wallS.toFixed(0)} s)` : ""}: ` +
        (failed.length === 0
          ? `${Object.keys(r.experiments).length} experiment(s) ok`
          : failed.map(([id, e]) => `${id} FAILED (${e})`).join("; ")),
    );
  }
  lines.push("", doc.rule, "", ...claimsBySeedTable(doc), "");
  return lines.join("\n");
}

/** The README's block: provenance line and the compact table (no hand-typed numbers). */
export function readmeClaimsBlock(doc: ClaimsBySeed): string {
  const provenance =
    doc.sources === undefined
      ? `commit \`${doc.gitCommit.slice(0, 12)}\`, ${doc.generatedAt.slice(0, 10)}`
      : "merged from one run per experiment: " +
        doc.sources
          .map(
            (s) =>
              `${s.experiments.join(", ")} at commit \`${s.gitCommit.slice(0, 12)}${s.gitCommit.endsWith("-dirty") ? "-dirty" : ""}\` (${s.generatedAt.slice(0, 10)})`,
          )
          .join("; ");
  return [
    `Generated by \`npx tsx scripts/readme-claims.ts --profile ${doc.profile}\` from \`data/claims-by-seed/${doc.profile}.json\` ` +
      `(\`npm run reproduce -- --profile ${doc.profile} --seeds ${doc.seeds.join(",")}\`; ${provenance}). ` +
      `Pooled verdicts: ${pooledSummary(doc)}.`,
    "",
    "At a glance, the asserted claims per takeaway by pooled verdict, the paper's apart from ours (qualifications); " +
      "in brackets how many of them every base seed alone gives too (the others are decided only by pooling the " +
      "runs of all base seeds):",
    "",
    ...verdictSummaryTable(doc),
    "",
    "Every claim:",
    "",
    ...claimsBySeedTable(doc, { compact: true }),
  ].join("\n");
}

/** The markers around the generated table in README.md. */
export const README_BEGIN = "<!-- claims-by-seed:begin (generated by scripts/readme-claims.ts; do not edit) -->";
export const README_END = "<!-- claims-by-seed:end -->";

/** Replace what lies between the markers (kept) with `block`; an error names a missing marker. */
export function spliceBetweenMarkers(text: string, block: string, begin = README_BEGIN, end = README_END): string {
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0) throw new Error(`README: marker not found: ${begin}`);
  if (j < 0) throw new Error(`README: marker not found: ${end}`);
  if (j < i) throw new Error("README: the end marker comes before the begin marker");
  return text.slice(0, i + begin.length) + "\n" + block.trim() + "\n" + text.slice(j);
}
