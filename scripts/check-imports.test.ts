import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { SYNC_READ_PENDING, checkImports, importGraph } from "./check-imports";
import { tempDir } from "../src/run/testing";

function tree(t: TestContext, files: Record<string, string>): string {
  const root = tempDir(t, "g2b-imports-");
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

test("the import checker finds cycles, sibling imports of a config and speed code reached past its index", (t) => {
  const root = tree(t, {
    "a.ts": 'import { b } from "./b";\nexport const a = 1;',
    "b.ts": 'import type { a } from "./a";\nexport const b = 2;',
    "c.ts": 'import { f } from "./speed/fused";\nimport { g } from "./speed/index";',
    "speed/index.ts": 'export { f } from "./fused";',
    "speed/fused.ts": "export const f = 1;",
    "takeaways/t9-x/config.ts": 'import { run } from "./run";',
    "takeaways/t9-x/run.ts": 'import { C } from "./config";',
  });
  const problems = checkImports(root);
  assert.ok(
    problems.some((p) => p.startsWith("import cycle: a.ts <-> b.ts")),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => p.startsWith("import cycle:") && p.includes("t9-x/config.ts")),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => p.includes("config.ts imports its sibling run.ts")),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => p.startsWith("c.ts imports speed/fused.ts")),
    problems.join("\n"),
  );
  assert.ok(!problems.some((p) => p.startsWith("speed/index.ts")), "speed/ may import itself");
});

test("src/ keeps the import rules: no cycles, configs free of siblings, one way into speed/", () => {
  const src = path.resolve(__dirname, "..", "src");
  assert.ok(
    importGraph(src)
      .get(path.join(src, "transformer.ts"))
      ?.includes(path.join(src, "speed", "index.ts")),
    "the graph resolves imports",
  );
  assert.deepEqual(checkImports(src), []);
});

test("the checker finds synchronous tensor reads in src/ (not in comments, not in pending files)", (t) => {
  const root = tree(t, {
    "a.ts": "export async function f(t: any) {\n  return t.dataSync();\n}\n",
    "b.ts": "// t.dataSync() would block: we await t.data()\nexport const b = 1;\n",
    // A file still on the pending list (any one; the list shrinks as files are converted).
    ...(SYNC_READ_PENDING[0] !== undefined
      ? { [SYNC_READ_PENDING[0]]: "export const h = (t: any) => t.arraySync();\n" }
      : {}),
  });
  const problems = checkImports(root);
  assert.deepEqual(
    problems.filter((p) => /synchronously/.test(p)).map((p) => p.split(" ")[0]),
    ["a.ts:2"],
    problems.join("\n"),
  );
});
