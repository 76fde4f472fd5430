/**
 * The offline report: `out/<profile>/report.html` (one self-contained page: plotly inlined once, PNG
 * fallbacks) and `out/<profile>/report.md` (for GitHub), built from the results.json files and figure
 * files that the experiments wrote.
 */
import * as fs from "fs";
import * as path from "path";
import "../src/takeaways/index";
import { getExperiment } from "../src/run/experiment";
import { loadResults, resultDir, writeFileAtomic, ResultRecord } from "../src/run/results";
import { isInterval, type Metric } from "../src/stats";
import { formatMetric as formatInterval, formatNumber } from "../src/present/format";
import type { Profile } from "../src/config";
import { escapeHtml } from "../src/present/table";
import {
  claimHtmlRow,
  claimMarkdownRow,
  claimsHtmlHeader,
  claimsMarkdownHeader,
  isClaim,
  summarizeVerdicts,
  VERDICT_CSS,
  type Claim,
} from "../src/claims";
import { plotlyLoaderHtml } from "../src/present/display";

export interface ReproduceSummary {
  profile: Profile;
  seed: number;
  jobs: number;
  wallS: number;
  backend: string;
  /**
   * `results`: the results.json the figures came from (default `out/<profile>/<id>/results.json`; `npm run
   * figures -- --profile full` draws the cached runs in data/results/).
   */
  experiments: { id: string; state: string; seconds?: number; error?: string; results?: string }[];
}

/** A metric for the report: "mean [lo, hi] (n=N)" for an interval, the number otherwise. */
export function formatMetric(m: Metric): string {
  if (!isInterval(m)) return formatNumber(m);
  return m.n > 1 ? `${formatInterval(m)} (n=${m.n})` : `${formatNumber(m.mean)} (n=${m.n})`;
}

/** What made the report: a run (base seed, workers, wall time) or, with no workers, figures redrawn from saved records. */
function runLine(summary: ReproduceSummary): string {
  return summary.jobs === 0
    ? `Figures redrawn from saved records (each section's provenance names the run) in ${summary.wallS.toFixed(1)} s.`
    : `Base seed ${summary.seed}, backend ${summary.backend}, ${summary.jobs} worker(s), total wall time ${summary.wallS.toFixed(1)} s.`;
}

/** The verdict rule in one sentence, printed above the claims table. */
const VERDICT_NOTE =
  "Verdicts from the 95% interval over independent runs (seeds): holds = the whole interval on the claimed side (inside the band), contradicts = wholly on the other side, inconclusive = neither (or one run, or a control that passes too); measured = reported, not asserted. Hover a claim (HTML) for the paper's sentence and what would refute it.";

/** A section's claims; a results.json written before the current claim shape shows none (rerun it). */
function sectionClaims(s: Section): Claim[] {
  return (s.record?.claims ?? []).filter(isClaim);
}

interface Section {
  id: string;
  title: string;
  claim: string;
  record?: ResultRecord;
  error?: string;
  figures: { name: string; json?: string; png?: string }[];
}

function collect(profile: Profile, outRoot: string, summary: ReproduceSummary): Section[] {
  return summary.experiments.map((s) => {
    const exp = (() => {
      try {
        return getExperiment(s.id);
      } catch {
        return null;
      }
    })();
    const dir = resultDir(outRoot, profile, s.id);
    const file = s.results ?? path.join(dir, "results.json");
    const section: Section = { id: s.id, title: exp?.title ?? s.id, claim: exp?.claim ?? "", figures: [] };
    if (s.state === "failed") section.error = s.error ?? "failed";
    if (fs.existsSync(file)) {
      try {
        section.record = loadResults(file);
      } catch (e) {
        section.error = e instanceof Error ? e.message : String(e);
      }
    }
    if (fs.existsSync(dir)) {
      const names = new Set(
        fs
          .readdirSync(dir)
          .filter((f) => f.endsWith(".png") || (f.endsWith(".json") && f !== "results.json"))
          .map((f) => f.replace(/\.(png|json)$/, "")),
      );
      for (const name of [...names].sort()) {
        const json = path.join(dir, `${name}.json`);
        const png = path.join(dir, `${name}.png`);
        section.figures.push({
          name,
          ...(fs.existsSync(json) ? { json } : {}),
          ...(fs.existsSync(png) ? { png } : {}),
        });
      }
    }
    return section;
  });
}

/** Markdown report (relative figure links, for GitHub). */
export function reportMarkdown(profile: Profile, sections: Section[], summary: ReproduceSummary): string {
  const lines: string[] = [`# gen2brain results (profile \`${profile}\`)`, ""];
  lines.push(runLine(summary), "");
  lines.push(VERDICT_NOTE, "", ...claimsMarkdownHeader("takeaway"));
  for (const s of sections) for (const c of sectionClaims(s)) lines.push(claimMarkdownRow(c, s.id));
  lines.push("");
  for (const s of sections) {
    lines.push(`## ${s.title} (\`${s.id}\`)`, "", s.claim ? `*Paper:* ${s.claim}` : "", "");
    if (s.error) lines.push(`**Failed:** ${s.error}`, "");
    if (s.record) {
      const r = s.record;
      lines.push(
        `Provenance: commit \`${r.gitCommit}\`, backend ${r.backend}, seeds ${r.seeds.join(", ")}, wall ${(r.wallMs / 1000).toFixed(1)} s, ${r.machine.cpus}× ${r.machine.model}, ${r.startedAt}.`,
        "",
      );
      const claims = sectionClaims(s);
      if (claims.length > 0) {
        lines.push(`Claims: ${summarizeVerdicts(claims)}.`, "");
        for (const c of claims)
          lines.push(
            `- **${c.id}** (${c.verdict}): ${c.statement}. *Paper:* ${c.paper ?? "not in the paper (a qualification of ours)"}. *Refuted by:* ${c.refutedBy}. *Why this verdict:* ${c.why}.`,
          );
        lines.push("");
      }
      const old = r.claims.length - claims.length;
      if (old > 0)
        lines.push(`*${old} claim(s) in a results.json of an older format are not shown: rerun with \`--force\`.*`, "");
      lines.push("| metric | value |", "|---|---|");
      for (const [k, v] of Object.entries(r.metrics)) lines.push(`| ${k} | ${formatMetric(v)} |`);
      lines.push("");
    }
    for (const f of s.figures) {
      if (f.png) lines.push(`![${f.name}](${s.id}/${path.basename(f.png)})`, "");
      else if (f.json)
        lines.push(
          `- ${f.name}: [plotly JSON](${s.id}/${path.basename(f.json)}), interactive in report.html (no PNG: Chromium not found)`,
          "",
        );
    }
  }
  return lines.join("\n");
}

/** Self-contained HTML report: plotly inlined once, each figure interactive with its PNG as fallback. */
export function reportHtml(profile: Profile, sections: Section[], summary: ReproduceSummary): string {
  let n = 0;
  const body: string[] = [];
  body.push(`<h1>gen2brain results <small>profile ${escapeHtml(profile)}</small></h1>`);
  body.push(`<p>${escapeHtml(runLine(summary))}</p>`);
  body.push(`<p>${escapeHtml(VERDICT_NOTE)}</p>`, `<table>${claimsHtmlHeader("takeaway")}`);
  for (const s of sections) for (const c of sectionClaims(s)) body.push(claimHtmlRow(c, s.id));
  body.push("</table>");
  for (const s of sections) {
    body.push(`<h2>${escapeHtml(s.title)} <code>${escapeHtml(s.id)}</code></h2>`);
    if (s.claim) body.push(`<p><em>Paper:</em> ${escapeHtml(s.claim)}</p>`);
    if (s.error) body.push(`<p class="FAILS">Failed: ${escapeHtml(s.error)}</p>`);
    if (s.record) {
      const r = s.record;
      body.push(
        `<p class="prov">commit ${escapeHtml(r.gitCommit)} · backend ${escapeHtml(r.backend)} · seeds ${r.seeds.join(", ")} · wall ${(r.wallMs / 1000).toFixed(1)} s · ${r.machine.cpus}× ${escapeHtml(r.machine.model)} · ${escapeHtml(r.startedAt)}</p>`,
      );
      body.push("<table><tr><th>metric</th><th>value</th></tr>");
      for (const [k, v] of Object.entries(r.metrics))
        body.push(`<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(formatMetric(v))}</td></tr>`);
      body.push("</table>");
    }
    for (const f of s.figures) {
      const id = `fig${n++}`;
      const img = f.png
        ? `<img alt="${escapeHtml(f.name)}" src="data:image/png;base64,${fs.readFileSync(f.png).toString("base64")}">`
        : "";
      body.push(`<div class="fig" id="${id}">${img}</div>`);
      if (f.json) {
        const fig = fs.readFileSync(f.json, "utf8").replace(/</g, "\\u003c");
        body.push(
          `<script>(function(){var f=${fig};var el=document.getElementById("${id}");if(window.Plotly){el.innerHTML="";Plotly.newPlot(el,f.data,f.layout,{responsive:true});}})();</script>`,
        );
      }
    }
  }
  const css = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:14px}.FAILS{color:#cf222e;font-weight:bold}${VERDICT_CSS}.prov{color:#666;font-size:13px}.fig{margin:1em 0;min-height:100px}.fig img{max-width:100%}`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>gen2brain ${escapeHtml(profile)} report</title><style>${css}</style></head><body>${plotlyLoaderHtml()}\n${body.join("\n")}</body></html>\n`;
}

/** Write report.html and report.md for a profile; returns the paths. */
export async function writeReport(profile: Profile, outRoot: string, summary: ReproduceSummary): Promise<string[]> {
  const sections = collect(profile, outRoot, summary);
  const md = path.join(outRoot, profile, "report.md");
  const html = path.join(outRoot, profile, "report.html");
  writeFileAtomic(md, reportMarkdown(profile, sections, summary));
  writeFileAtomic(html, reportHtml(profile, sections, summary));
  return [md, html];
}
