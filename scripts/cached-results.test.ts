/**
 * The cached full-profile records in data/results/ are what `npm run figures -- --profile full` draws and what
 * the README quotes; they were computed by older commits. This test keeps them usable by today's code: each
 * record loads, names the clean commit its provenance.json names, draws every figure of its experiment, and
 * each claim's verdict is the one today's verdict rule gives its stored interval, target and control (a
 * record decided under an older rule fails here, and must be recomputed rather than quoted).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import "../src/takeaways/index";
import { assertedClaim, claimContractProblems, isClaim, type Claim, type SeedEstimate } from "../src/claims";
import { getExperiment } from "../src/run/experiment";
import { loadResults } from "../src/run/results";
import { shippedResultsRoot, type ShippedProvenance } from "../src/run/cache";
import { TAKEAWAY_IDS } from "./reproduce-ids";

const ROOT = shippedResultsRoot();
const cached = fs
  .readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(ROOT, d.name, "results.json")))
  .map((d) => d.name);

/** A stored interval back as the estimate the claim was made from. */
const estimateOf = (value: number, iv: Claim["interval"]): SeedEstimate => ({ ...iv, mean: value }) as SeedEstimate;

test("data/results holds a cached record of every takeaway", () => {
  for (const id of TAKEAWAY_IDS) assert.ok(cached.includes(id), `${id} has no cached record`);
});

for (const id of cached) {
  test(`cached ${id}: full profile, clean commit named by its provenance, files present`, () => {
    const dir = path.join(ROOT, id);
    const record = loadResults(path.join(dir, "results.json"));
    // t4's GPU ladder goes to data/results/t4-scaling-gpu/ (scripts/sweep-t4.ts --ladder gpu).
    assert.ok(id === record.id || id.startsWith(`${record.id}-`), `${id} holds a record of ${record.id}`);
    assert.equal(record.profile, "full");
    const prov = JSON.parse(fs.readFileSync(path.join(dir, "provenance.json"), "utf8")) as ShippedProvenance;
    // gitCommit() marks a dirty tree with "-dirty"; provenance.json says `clean` too (t4's sweep wrote it only later).
    assert.match(record.gitCommit, /^[0-9a-f]{40}$/, "computed from a clean tree at a named commit");
    assert.notEqual(prov.clean, false, "computed from a clean tree");
    assert.equal(prov.commit, record.gitCommit, "the record and its provenance name the same commit");
    for (const f of prov.files ?? []) assert.ok(fs.existsSync(path.join(dir, f)), `${f} listed but missing`);
  });

  test(`cached ${id}: every verdict is today's rule applied to its stored numbers`, () => {
    const record = loadResults(path.join(ROOT, id, "results.json"));
    const claims = record.claims.filter(isClaim);
    assert.ok(claims.length > 0);
    assert.deepEqual(claimContractProblems(record.claims), []);
    for (const c of claims) {
      if (!c.asserted) {
        assert.equal(c.verdict, "measured", `${c.id}: a reported-only quantity is measured`);
        continue;
      }
      assert.ok(c.target !== null && c.control !== null, `${c.id}: asserted without target or control`);
      const again = assertedClaim({
        id: c.id,
        statement: c.statement,
        paper: c.paper,
        refutedBy: c.refutedBy,
        quantity: c.quantity,
        estimate: estimateOf(c.value ?? NaN, c.interval),
        target: c.target,
        control: {
          id: c.control.id,
          description: c.control.description,
          estimate: estimateOf(c.control.value, c.control.interval),
          expect: c.control.expect,
        },
        ...(c.validity !== undefined ? { validity: c.validity } : {}),
      });
      assert.equal(again.verdict, c.verdict, `${id} ${c.id}: stored ${c.verdict}, today's rule says ${again.verdict}`);
    }
  });

  test(`cached ${id}: today's figures draw from it`, () => {
    const record = loadResults(path.join(ROOT, id, "results.json"));
    const figures = getExperiment(record.id).figures(record);
    assert.ok(Object.keys(figures).length > 0);
    for (const [name, fig] of Object.entries(figures)) {
      assert.ok(fig.data.length > 0, `${name}: no traces`);
      assert.doesNotThrow(() => JSON.stringify(fig), `${name}: not JSON`);
    }
  });
}
