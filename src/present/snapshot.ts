/**
 * JSON snapshot tests in observablehq/plot's style: the expected output is committed under
 * `src/__snapshots__/<name>.json` and compared exactly; `UPDATE_SNAPSHOTS=1` rewrites it.
 * Test helper (not part of the notebook API).
 */
import * as fs from "fs";
import * as path from "path";
import assert from "node:assert/strict";
import { toJson, writeFileAtomic } from "../run/results";

/** Folder of the committed snapshots. */
export const SNAPSHOT_DIR = path.join(__dirname, "__snapshots__");

/**
 * Compare `value` (as stable JSON: 2-space indent, non-finite numbers as null) with the snapshot
 * `name`. A missing snapshot fails with the command that creates it, so CI never passes by writing one.
 */
export function expectSnapshot(name: string, value: unknown, dir = SNAPSHOT_DIR): void {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`expectSnapshot: name "${name}" must be a plain file name`);
  const file = path.join(dir, `${name}.json`);
  const actual = toJson(value);
  if (process.env["UPDATE_SNAPSHOTS"] === "1") {
    writeFileAtomic(file, actual);
    return;
  }
  if (!fs.existsSync(file)) {
    assert.fail(
      `snapshot ${path.relative(process.cwd(), file)} does not exist; create it with UPDATE_SNAPSHOTS=1 and commit it`,
    );
  }
  const expected = fs.readFileSync(file, "utf8");
  if (expected !== actual) {
    // deepEqual on the parsed values gives a readable diff.
    assert.deepEqual(
      JSON.parse(actual),
      JSON.parse(expected),
      `snapshot ${name} changed; if intended, rerun with UPDATE_SNAPSHOTS=1 and commit the new file`,
    );
    assert.equal(actual, expected, `snapshot ${name} differs in formatting; rerun with UPDATE_SNAPSHOTS=1`);
  }
}

/** Assert that `x` is plain JSON: survives a JSON round trip unchanged (no functions, undefined, NaN, class instances). */
export function assertPlainJson(x: unknown, what = "value"): void {
  const seen = (v: unknown, where: string): void => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) assert.fail(`${what}: ${where} is ${v}, which JSON cannot hold`);
      return;
    }
    if (Array.isArray(v)) return v.forEach((e, i) => seen(e, `${where}[${i}]`));
    if (typeof v === "object") {
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) assert.fail(`${what}: ${where} is not a plain object`);
      for (const [k, e] of Object.entries(v as object)) seen(e, `${where}.${k}`);
      return;
    }
    assert.fail(`${what}: ${where} is a ${typeof v}, which JSON cannot hold`);
  };
  seen(x, "$");
}
