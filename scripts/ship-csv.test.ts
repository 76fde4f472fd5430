import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { shipCsvs } from "./ship-csv";

test("shipCsvs copies small CSVs as they are and gzips those over the limit, byte for byte recoverable", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-ship-csv-"));
  try {
    const from = path.join(dir, "run");
    const to = path.join(dir, "cache");
    fs.mkdirSync(from);
    fs.mkdirSync(to);
    const small = "a,b\n1,2\n";
    const big = "x,y\n" + Array.from({ length: 200 }, (_, i) => `${i},${i * i}`).join("\n") + "\n";
    fs.writeFileSync(path.join(from, "small.csv"), small);
    fs.writeFileSync(path.join(from, "big.csv"), big);
    fs.writeFileSync(path.join(from, "results.json"), "{}");
    assert.deepEqual(shipCsvs(from, to, 100), ["big.csv.gz", "small.csv"]);
    assert.deepEqual(fs.readdirSync(to).sort(), ["big.csv.gz", "small.csv"]);
    assert.equal(fs.readFileSync(path.join(to, "small.csv"), "utf8"), small);
    assert.equal(zlib.gunzipSync(fs.readFileSync(path.join(to, "big.csv.gz"))).toString("utf8"), big);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
