import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { usageOf } from "./cli";

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
