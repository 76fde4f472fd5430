import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkBoolean,
  checkRange,
  frozen,
  parseProfile,
  parseSeed,
  profileFromEnv,
  seedFromEnv,
  withOverrides,
} from "./config";

const BASE = frozen({ lr: 0.1, numSteps: 10, name: "x", model: { dModel: 32, nHead: 2 } });

test("withOverrides merges, validates names and types, and leaves the base alone", () => {
  const c = withOverrides(BASE, { lr: 0.5, model: { dModel: 64 } as never });
  assert.equal(c.lr, 0.5);
  assert.equal(c.model.dModel, 64);
  assert.equal(c.model.nHead, 2);
  assert.equal(BASE.model.dModel, 32);
  assert.throws(
    () => withOverrides(BASE, { lrr: 1 } as never, "t1"),
    /t1\.lrr: unknown field; known fields are lr, numSteps, name, model/,
  );
  assert.throws(
    () => withOverrides(BASE, { numSteps: "10" } as never),
    /config\.numSteps: expected number, got string/,
  );
  assert.throws(() => withOverrides(BASE, { lr: NaN }), /finite/);
  assert.throws(() => withOverrides(BASE, { model: { heads: 3 } } as never), /config\.model\.heads: unknown field/);
});

test("profiles and seeds come from the environment with clear errors", () => {
  assert.equal(profileFromEnv({}), "quick");
  assert.equal(profileFromEnv({ GEN2BRAIN_PROFILE: "smoke" }), "smoke");
  assert.throws(
    () => profileFromEnv({ GEN2BRAIN_PROFILE: "fast" }),
    /GEN2BRAIN_PROFILE: unknown profile "fast"; use one of smoke, quick, full/,
  );
  assert.equal(seedFromEnv({ GEN2BRAIN_SEED: "17" }), 17);
  assert.throws(() => seedFromEnv({ GEN2BRAIN_SEED: "-3" }), /GEN2BRAIN_SEED: seed must be a non-negative integer/);
  assert.throws(() => parseSeed("1e3"), /non-negative integer/);
  assert.equal(parseProfile("full"), "full");
  assert.throws(() => checkRange("cfg.k", 3.5, 1, 10, true), /cfg\.k: must be an integer in \[1, 10\], got 3.5/);
  checkBoolean("cfg.on", false);
  assert.throws(() => checkBoolean("cfg.on", "yes"), /cfg\.on: must be true or false, got "yes"/);
  assert.throws(() => checkBoolean("cfg.on", undefined), /cfg\.on: must be true or false, got undefined/);
});
