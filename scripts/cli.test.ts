import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs, usageOf } from "./cli";

test("usageOf returns a script's opening doc comment without its markers", () => {
  assert.equal(usageOf("/**\n * `tsx x.ts --a`\n *\n * Does x.\n */\nimport y;"), "`tsx x.ts --a`\n\nDoes x.");
  assert.equal(usageOf("import y;\n/** late */"), "");
});

test("--help prints the usage and runs nothing (reproduce used to start a quick run)", { timeout: 120_000 }, () => {
  const script = path.join(__dirname, "reproduce.ts");
  const r = spawnSync(process.execPath, ["--import", "tsx", script, "--help"], { encoding: "utf8", timeout: 90_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), usageOf(fs.readFileSync(script, "utf8")));
  assert.equal(r.stderr.trim(), ""); // nothing started: no preflight, no progress
});

test("a script's default profile stands in for GEN2BRAIN_PROFILE; --profile still wins, and children see the choice", () => {
  const saved = process.env["GEN2BRAIN_PROFILE"];
  try {
    process.env["GEN2BRAIN_PROFILE"] = "smoke";
    assert.equal(parseArgs([]).profile, "smoke");
    assert.equal(parseArgs([], [], [], "full").profile, "full");
    assert.equal(process.env["GEN2BRAIN_PROFILE"], "full");
    assert.equal(parseArgs(["--profile", "quick"], [], [], "full").profile, "quick");
    assert.equal(parseArgs(["--profile=smoke"], [], [], "full").profile, "smoke");
  } finally {
    if (saved === undefined) delete process.env["GEN2BRAIN_PROFILE"];
    else process.env["GEN2BRAIN_PROFILE"] = saved;
  }
});
