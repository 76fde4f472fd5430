import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fileSeedStore, forEachSeed, parseShard, SeedsIncomplete, type StoredSeed } from "./seed-store";

test("parseShard: k/n with 1 <= k <= n; anything else names the flag", () => {
  assert.deepEqual(parseShard("1/2"), { k: 1, n: 2 });
  assert.deepEqual(parseShard(" 3/3 "), { k: 3, n: 3 });
  for (const bad of ["0/2", "3/2", "1/0", "1-2", "a/b", ""])
    assert.throws(() => parseShard(bad), /--shard must be k\/n/, bad);
});

test("fileSeedStore: shards split the seeds; entries round-trip, Infinity and NaN included", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-seeds-"));
  try {
    const a = fileSeedStore(dir, { k: 1, n: 2 });
    const b = fileSeedStore(dir, { k: 2, n: 2 });
    const all = fileSeedStore(dir);
    assert.deepEqual(
      [0, 1, 2, 3, 4].filter((i) => a.mine(i)),
      [0, 2, 4],
    );
    assert.deepEqual(
      [0, 1, 2, 3, 4].filter((i) => b.mine(i)),
      [1, 3],
    );
    assert.deepEqual(
      [0, 1, 2].filter((i) => all.mine(i)),
      [0, 1, 2],
    );
    assert.equal(all.load(1, 77), undefined);
    const value = { ppl: { 2: Infinity, 4: 1.5 }, loss: [NaN, -Infinity, 0.25], $number: "kept" };
    b.save(1, 77, { value, cpuSeconds: 2, wallSeconds: 3, shard: b.shard });
    const back = all.load<typeof value>(1, 77);
    assert.deepEqual(back, { value, cpuSeconds: 2, wallSeconds: 3, shard: "2/2" });
    assert.equal(all.load(1, 78), undefined, "another derived seed is another file");
    assert.deepEqual(fs.readdirSync(dir), ["seed-1-77.json"], "no temporary file left");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("forEachSeed: a shard computes and stores its own seeds, then stops naming the others'; all seeds then load in order", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-seeds-"));
  try {
    const seeds = [11, 22, 33];
    const computedBy: string[] = [];
    const run = async (store: ReturnType<typeof fileSeedStore> | undefined, who: string) => {
      const used: Array<{ value: number; stored: StoredSeed<number> | undefined }> = [];
      await forEachSeed(
        "t9-example",
        store,
        seeds,
        () => undefined,
        async (i, seed) => {
          computedBy.push(`${who}:${i}`);
          return { value: seed * 10 + i, cpuSeconds: i + 0.5 };
        },
        (value, stored) => used.push({ value, stored }),
      );
      return used;
    };
    await assert.rejects(run(fileSeedStore(dir, { k: 1, n: 2 }), "shard1"), (e: unknown) => {
      assert.ok(e instanceof SeedsIncomplete);
      assert.deepEqual([e.computed, e.missing], [[0, 2], [1]]);
      assert.match(e.message, /t9-example: seed\(s\) 1 belong to other shards/);
      return true;
    });
    assert.deepEqual(computedBy, ["shard1:0", "shard1:2"]);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["seed-0-11.json", "seed-2-33.json"], "stored before the stop");
    const used = await run(fileSeedStore(dir), "all");
    assert.deepEqual(computedBy, ["shard1:0", "shard1:2", "all:1"], "only the missing seed is computed");
    assert.deepEqual(
      used.map((u) => u.value),
      [110, 221, 332],
      "seed order, loaded or computed",
    );
    assert.deepEqual(
      used.map((u) => u.stored?.shard),
      ["1/2", undefined, "1/2"],
      "a loaded seed comes with its entry",
    );
    assert.equal(used[2]?.stored?.cpuSeconds, 2.5, "the CPU the computing process counted");
    const none = await run(undefined, "nostore");
    assert.deepEqual(
      none.map((u) => u.value),
      [110, 221, 332],
      "without a store every seed is computed",
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
