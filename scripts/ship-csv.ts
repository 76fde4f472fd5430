import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { writeFileAtomic } from "../src/run/results";

/** CSVs larger than this ship gzip-compressed (`<name>.csv.gz`; `gunzip -k` gives the CSV back byte for byte). */
export const CSV_GZIP_BYTES = 1_000_000;

/**
 * Copy every CSV of a run folder into the cache folder, gzip-compressing those over `limit` bytes, and return the
 * names written. What is committed travels with every copy of the tree (the device tool carries 64 MiB in all):
 * t2's sampled chains at full are 11.9 MB as CSV, 0.64 MB compressed.
 */
export function shipCsvs(fromDir: string, toDir: string, limit = CSV_GZIP_BYTES): string[] {
  return fs
    .readdirSync(fromDir)
    .filter((f) => f.endsWith(".csv"))
    .sort()
    .map((f) => {
      const bytes = fs.readFileSync(path.join(fromDir, f));
      const big = bytes.length > limit;
      const name = big ? `${f}.gz` : f;
      writeFileAtomic(path.join(toDir, name), big ? zlib.gzipSync(bytes, { level: 9 }) : bytes);
      return name;
    });
}
