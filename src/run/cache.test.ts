import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  cacheSlot,
  describeLoaded,
  describeShipped,
  formatAge,
  isCached,
  loadShippedRun,
  loadOrRun,
  rerunFromEnv,
  runCost,
  shippedResultsFile,
} from "./cache";
import { demoExperiment } from "./demo";
import { tempDir, testBackend } from "./testing";
import type { ResultRecord } from "./results";

test("loadOrRun trains once, then loads the record whose cache key matches, and says so", async (t) => {
  const backend = await testBackend();
  const outRoot = tempDir(t, "g2b-cache-");
  const logs: string[] = [];
  const opts = { profile: "smoke" as const, seed: 5, outRoot, log: (m: string) => logs.push(m), rerun: false };
  const first = await loadOrRun(demoExperiment, opts);
  assert.equal(first.loadedFrom, null);
  assert.deepEqual(logs, []);
  const slot = cacheSlot(demoExperiment, { profile: "smoke", seed: 5, outRoot, backend });
  assert.equal(slot.file, path.join(outRoot, "smoke", "demo", "results.json"));
  assert.equal(first.record.cacheKey, slot.key);
  assert.ok(isCached(slot.file, slot.key));

  const second = await loadOrRun(demoExperiment, opts);
  assert.equal(second.loadedFrom, slot.file);
  assert.deepEqual(second.record.metrics, JSON.parse(JSON.stringify(first.record.metrics)));
  assert.equal(second.record.startedAt, first.record.startedAt, "the same record, not a new run");
  assert.equal(logs.length, 1);
  assert.match(
    logs[0] ?? "",
    /^loaded .*smoke\/demo\/results\.json, computed \d+ s ago on wasm[^;]*; set `rerun: true`/,
  );

  // rerun, another seed or other overrides: a new run.
  const again = await loadOrRun(demoExperiment, { ...opts, rerun: true });
  assert.equal(again.loadedFrom, null);
  assert.notEqual(again.record.startedAt, first.record.startedAt);
  assert.equal((await loadOrRun(demoExperiment, { ...opts, seed: 6 })).loadedFrom, null);
  const changed = await loadOrRun(demoExperiment, { ...opts, overrides: { numSteps: 3 } });
  assert.equal(changed.loadedFrom, null);
  // ...which wrote its own record over the file: the seed-5 default run is no longer cached.
  assert.equal(isCached(slot.file, slot.key), false);
  assert.equal((await loadOrRun(demoExperiment, opts)).loadedFrom, null);
});

test("a corrupt or foreign results.json is not a cache hit", (t) => {
  const dir = tempDir(t, "g2b-cache-");
  const file = path.join(dir, "results.json");
  assert.equal(isCached(file, "abc"), false, "missing");
  fs.writeFileSync(file, "{ not json");
  assert.equal(isCached(file, "abc"), false, "corrupt");
  fs.writeFileSync(file, JSON.stringify({ id: "x" }));
  assert.equal(isCached(file, "abc"), false, "fields missing");
});

test("describeLoaded: path relative to the repository, age from the end of the run, the engine", () => {
  const record = {
    startedAt: "2026-11-23T10:00:00.000Z",
    wallMs: 60_000,
    backend: "wasm",
    engine: "wasm+OpenBLAS",
  } as unknown as ResultRecord;
  const now = Date.parse("2026-11-23T10:13:00.000Z");
  assert.equal(
    describeLoaded(record, "/repo/out/quick/t1-world-model/results.json", now, "/repo"),
    "loaded out/quick/t1-world-model/results.json, computed 12 min ago on wasm+OpenBLAS; set `rerun: true` to train again",
  );
  const old = { ...record, engine: undefined } as unknown as ResultRecord;
  assert.match(describeLoaded(old, "/elsewhere/r.json", now, "/repo"), /^loaded \/elsewhere\/r\.json, .* on wasm;/);
  assert.deepEqual(
    [formatAge(45_000), formatAge(12 * 60_000), formatAge(3.5 * 3600_000), formatAge(3 * 86400_000)],
    ["45 s", "12 min", "3.5 h", "3 days"],
  );
  assert.equal(rerunFromEnv({ GEN2BRAIN_RERUN: "1" }), true);
  assert.equal(rerunFromEnv({}), false);
});

test("at full, loadOrRun takes the shipped full run when its seed and config are the ones asked for, and names its commit", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-shipped-"));
  try {
    // The shipped record: a full run of the demo, as scripts/cache-full.ts writes one.
    const made = await loadOrRun(demoExperiment, {
      profile: "full",
      seed: 5,
      outRoot: path.join(tmp, "made"),
      rerun: true,
      shipped: false,
    });
    const shipped = path.join(tmp, "data", "results", "demo", "results.json");
    fs.mkdirSync(path.dirname(shipped), { recursive: true });
    fs.copyFileSync(path.join(tmp, "made", "full", "demo", "results.json"), shipped);
    assert.equal(shippedResultsFile("demo", tmp), shipped);

    const logs: string[] = [];
    const opts = { profile: "full" as const, seed: 5, outRoot: path.join(tmp, "out"), shipped, rerun: false };
    const got = await loadOrRun(demoExperiment, { ...opts, log: (m: string) => logs.push(m) });
    assert.equal(got.loadedFrom, shipped);
    assert.equal(got.record.startedAt, made.record.startedAt, "the shipped record, not a new run");
    assert.match(
      logs[0] ?? "",
      /^loaded the shipped full run .*demo\/results\.json \(commit \S+, 10 seeds, .* on wasm.*\); set `rerun: true` to train again with this checkout's code$/,
    );
    assert.equal(fs.existsSync(path.join(tmp, "out")), false, "nothing written");
    // Assembled from seeds that shards stored, the run's cost is their CPU (the record's wall time is only the
    // assembling process's).
    assert.equal(runCost(got.record, shipped), formatAge(got.record.wallMs));
    fs.writeFileSync(
      path.join(path.dirname(shipped), "provenance.json"),
      JSON.stringify({
        storedSeeds: [
          { shard: "1/2", cpuMinutes: 100 },
          { shard: "2/2", cpuMinutes: 110 },
        ],
      }),
    );
    assert.equal(runCost(got.record, shipped), "3.5 h of CPU in 2 shards");
    assert.match(describeShipped(got.record, shipped, tmp), /10 seeds, 3\.5 h of CPU in 2 shards on wasm/);
    fs.rmSync(path.join(path.dirname(shipped), "provenance.json"));

    // Anything else is a new run: another profile, seed or config, overrides, rerun, or no shipped file; where
    // a shipped run is there at full but is not this one, it says why.
    const ship = (file: string, o: Parameters<typeof loadShippedRun>[2]) => loadShippedRun(demoExperiment, file, o);
    assert.ok("record" in (ship(shipped, { profile: "full", seed: 5 }) ?? {}));
    assert.equal(ship(shipped, { profile: "quick", seed: 5 }), null);
    assert.equal(ship(shipped, { profile: "full", seed: 5, overrides: { numSteps: 3 } }), null);
    assert.equal(ship(path.join(tmp, "none.json"), { profile: "full", seed: 5 }), null);
    assert.deepEqual(ship(shipped, { profile: "full", seed: 6 }), { why: "it is for base seed 5, not 6" });
    const other = JSON.parse(fs.readFileSync(shipped, "utf8")) as { config: { numSteps: number } };
    other.config.numSteps += 1;
    const changed = path.join(tmp, "changed.json");
    fs.writeFileSync(changed, JSON.stringify(other));
    assert.deepEqual(ship(changed, { profile: "full", seed: 5 }), {
      why: "its config differs from this checkout's full profile at config.numSteps",
    });
    // A field added to the config after the run (Experiment.addedFields) reads as the value its code ran with: the
    // record keeps loading while the full profile leaves the field at that value, and not when it moves it.
    const older = JSON.parse(fs.readFileSync(shipped, "utf8")) as { config: Record<string, unknown> };
    const numSteps = Number(older.config["numSteps"]);
    delete older.config["numSteps"];
    const olderFile = path.join(tmp, "older.json");
    fs.writeFileSync(olderFile, JSON.stringify(older));
    const withAdded = (value: number) => ({ ...demoExperiment, addedFields: { numSteps: value } });
    assert.deepEqual(loadShippedRun(demoExperiment, olderFile, { profile: "full", seed: 5 }), {
      why: "its config differs from this checkout's full profile at config.numSteps",
    });
    const read = loadShippedRun(withAdded(numSteps), olderFile, { profile: "full", seed: 5 });
    assert.ok(read !== null && "record" in read, "read with the added field's value");
    assert.equal(read.record.config.numSteps, numSteps, "the record says it");
    assert.deepEqual(loadShippedRun(withAdded(numSteps + 1), olderFile, { profile: "full", seed: 5 }), {
      why: "its config differs from this checkout's full profile at config.numSteps",
    });
    const broken = path.join(tmp, "broken.json");
    fs.writeFileSync(broken, "{ not json");
    assert.match((ship(broken, { profile: "full", seed: 5 }) as { why: string }).why, /^it cannot be read/);
    const told: string[] = [];
    const trained = await loadOrRun(demoExperiment, {
      ...opts,
      shipped: changed,
      save: false,
      log: (m) => told.push(m),
    });
    assert.equal(trained.loadedFrom, null);
    assert.match(
      told[0] ?? "",
      /^not using the shipped full run .*changed\.json: its config differs .* at config\.numSteps; training$/,
    );
    const again = await loadOrRun(demoExperiment, { ...opts, rerun: true, save: false });
    assert.equal(again.loadedFrom, null);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
