/**
 * `tsx scripts/t2-extend-seeds.ts --from <old seed store> [--seed N] [--shard k/n] [--verify-level L]`
 *
 * Adds the marked control (level 4) to the stored seeds of a t2 full run made before it, instead of training every
 * seed again (t2's 20 full seeds: 6.5 h of CPU; the control: 70 CPU min more); see extendStoredSeeds in
 * src/takeaways/t2-chain-of-thought/run.ts. `--verify-level L` first trains level L of the first seed again and
 * requires the stored run bit for bit. Each extended seed goes to the store of this checkout's full config
 * (markedControl: true), noting what was added, at which commit and at what CPU cost (cache-full's provenance
 * lists it); run two shards side by side, then `tsx scripts/cache-full.ts --only t2-chain-of-thought` assembles
 * the record from the store as from any shards.
 */
import * as fs from "fs";
import "../src/takeaways/index";
import { gitCommit, resolveConfig } from "../src/run/experiment";
import { fileSeedStore, parseShard } from "../src/run/seed-store";
import { initBackend } from "../src/run/backend";
import { terminalProgress } from "../src/present/progress";
import { experiment as t2, extendStoredSeeds } from "../src/takeaways/t2-chain-of-thought";
import { seedStoreDir } from "./seed-store-dir";
import { parseArgs, runMain } from "./cli";

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), ["from", "shard", "verify-level"], []);
  const from = args.flags.get("from");
  if (typeof from !== "string" || !fs.existsSync(from)) {
    console.error(
      "t2-extend-seeds: --from must name the old run's seed store (out/full/t2-chain-of-thought/seeds/<key>)",
    );
    return 2;
  }
  const shardFlag = args.flags.get("shard");
  const shard = typeof shardFlag === "string" ? parseShard(shardFlag) : undefined;
  const verifyFlag = args.flags.get("verify-level");
  const verifyLevel = typeof verifyFlag === "string" ? Number(verifyFlag) : undefined;
  if (verifyLevel !== undefined && !(Number.isInteger(verifyLevel) && verifyLevel >= 0 && verifyLevel <= 3))
    throw new Error(`--verify-level: one of the stored levels, 0..3, got ${JSON.stringify(verifyFlag)}`);
  const c = resolveConfig(t2, "full");
  const info = await initBackend(args.backend);
  const to = seedStoreDir("out", t2.id, "full", args.seed, c, info);
  const commit = gitCommit();
  console.error(`t2-extend-seeds: ${from} -> ${to} (commit ${commit}${shard ? `, shard ${shard.k}/${shard.n}` : ""})`);
  const done = await extendStoredSeeds(c, args.seed, fileSeedStore(from), fileSeedStore(to, shard), {
    commit,
    progress: terminalProgress(process.stderr, 50),
    log: (m) => console.error(m),
    ...(verifyLevel !== undefined ? { verifyLevel } : {}),
  });
  console.error(
    `t2-extend-seeds: extended seed(s) ${done.join(", ") || "none"}; then: npx tsx scripts/cache-full.ts --only t2-chain-of-thought`,
  );
  return 0;
});
