/**
 * For the tests: a temporary folder that goes when its test ends, passed or failed (before this, every `npm test`
 * left a dozen folders behind in the temporary directory, the reproduce test's 5 MB among them).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { TestContext } from "node:test";

/** A new folder `<tmpdir>/<prefix>XXXXXX`, removed with all it holds after the test `t`. */
export function tempDir(t: TestContext, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
