import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { type Cell, cellText, findExercises, markdownCode } from "./notebook-text";
import { exercises as LIBRARY_EXERCISES } from "../src/exercises";
import { formatRange } from "../src/run/exercise";

const DIR = path.join(__dirname, "..", "notebooks");
const notebooks = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith(".ipynb") && !f.startsWith("browser-check-") && !f.startsWith("."))
  .sort();

const src = cellText;
const readNb = (name: string): { cells: Cell[] } =>
  JSON.parse(fs.readFileSync(path.join(DIR, name), "utf8")) as { cells: Cell[] };

test("there is a tour, five takeaway notebooks and notebook 06", () => {
  assert.ok(notebooks.includes("00-tour.ipynb"), notebooks.join(", "));
  assert.ok(notebooks.includes("06-predictive-world-model.ipynb"), notebooks.join(", "));
});

for (const name of notebooks) {
  test(`${name}: committed without outputs, on the tslab kernel, importing the library with one line`, () => {
    const nb = JSON.parse(fs.readFileSync(path.join(DIR, name), "utf8")) as {
      cells: Cell[];
      metadata: { kernelspec?: { name?: string } };
    };
    assert.equal(nb.metadata.kernelspec?.name, "tslab");
    const code = nb.cells.filter((c) => c.cell_type === "code");
    for (const c of code) {
      assert.deepEqual(c.outputs ?? [], [], `${name}: a code cell has outputs (strip them)`);
      assert.equal(c.execution_count ?? null, null, `${name}: a code cell has an execution count`);
    }
    for (const c of nb.cells) assert.ok(typeof c.id === "string" && c.id.length > 0, `${name}: a cell has no id`);
    const imports = code.filter((c) => /from\s+"\.\/src\/index"/.test(src(c)));
    assert.equal(imports.length, 1, `${name}: import the library once with: import * as lab from "./src/index";`);
    // The tour says "the last cell of every notebook checks its claims".
    if (/^0[0-6]-/.test(name))
      assert.match(
        src(code[code.length - 1] as Cell),
        /checkClaims/,
        `${name}: the last code cell must check the claims`,
      );
  });
}

test("src/ has no folder imports (tslab resolves only file imports: write ./x/index)", () => {
  const root = path.join(__dirname, "..", "src");
  const bad: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) {
        const text = fs.readFileSync(p, "utf8");
        for (const m of text.matchAll(/(?:from|import)\s+"(\.{1,2}\/[^"]*)"/g)) {
          const target = path.resolve(dir, m[1] as string);
          if (fs.existsSync(target) && fs.statSync(target).isDirectory())
            bad.push(`${path.relative(root, p)}: "${m[1]}"`);
        }
      }
    }
  };
  walk(root);
  assert.deepEqual(bad, []);
});

/**
 * tslab quirk (1.0.22): a shorthand property `{ profile }` that names a variable declared in an EARLIER
 * cell throws "ReferenceError: profile is not defined" at run time. Write `{ profile: profile }` or
 * avoid it; this test finds such uses statically.
 */
/** Names a code snippet declares at its top level (variables, functions, classes). */
function declaredNames(ts: typeof import("typescript"), sf: import("typescript").SourceFile): Set<string> {
  const own = new Set<string>();
  const names = (b: import("typescript").BindingName): void => {
    if (ts.isIdentifier(b)) own.add(b.text);
    else b.elements.forEach((e) => !ts.isOmittedExpression(e) && names(e.name));
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) st.declarationList.declarations.forEach((d) => names(d.name));
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) own.add(st.name.text);
  }
  return own;
}

/** Shorthand properties `{ x }` in `code` that name one of `outer` and are not declared in the snippet itself. */
function shorthandUses(ts: typeof import("typescript"), code: string, outer: ReadonlySet<string>): string[] {
  const sf = ts.createSourceFile("snippet.ts", code, ts.ScriptTarget.ES2022, true);
  const own = declaredNames(ts, sf);
  const found: string[] = [];
  const parsed = (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
  if (parsed.length === 0) {
    const visit = (n: import("typescript").Node): void => {
      if (ts.isShorthandPropertyAssignment(n) && outer.has(n.name.text) && !own.has(n.name.text))
        found.push(n.name.text);
      ts.forEachChild(n, visit);
    };
    visit(sf);
    return found;
  }
  // Not a whole statement (prose-like code such as `{ profile, seed, … }`): look at each braced list that is
  // not a destructuring (`const {…} =`, `import {…}`) for bare names of outer variables.
  for (const m of code.matchAll(/(const|let|var|import|export)?\s*\{([^{}]*)\}\s*(=(?!>))?/g)) {
    if (m[1] !== undefined || m[3] !== undefined) continue;
    for (const item of (m[2] as string).split(",").map((x) => x.trim()))
      if (/^[A-Za-z_$][\w$]*$/.test(item) && outer.has(item) && !own.has(item)) found.push(item);
  }
  return found;
}

/**
 * tslab quirk (1.0.22): a shorthand property `{ profile }` that names a variable declared in an EARLIER
 * cell throws "ReferenceError: profile is not defined" at run time. Write `{ profile: profile }` or
 * avoid it; this test finds such uses statically, in code cells and in code shown in markdown (a student
 * copies that into a cell), including exercise solutions.
 */
test("no shorthand properties naming variables of earlier cells (a tslab bug), in code cells or in markdown", () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ts = require("typescript") as typeof import("typescript");
  const bad: string[] = [];
  for (const name of notebooks) {
    const nb = readNb(name);
    const earlier = new Set<string>();
    const all = new Set<string>();
    nb.cells
      .filter((c) => c.cell_type === "code")
      .forEach((c) =>
        declaredNames(ts, ts.createSourceFile("c.ts", src(c), ts.ScriptTarget.ES2022, true)).forEach((x) => all.add(x)),
      );
    let codeIndex = 0;
    nb.cells.forEach((c, i) => {
      if (c.cell_type === "code") {
        for (const x of shorthandUses(ts, src(c), earlier)) bad.push(`${name} code cell ${codeIndex}: { ${x} }`);
        const sf = ts.createSourceFile(`cell${codeIndex}.ts`, src(c), ts.ScriptTarget.ES2022, true);
        declaredNames(ts, sf).forEach((x) => earlier.add(x));
        codeIndex++;
      } else if (c.cell_type === "markdown") {
        // Code in markdown is run after the notebook's cells: any of them counts as earlier.
        const { blocks, spans } = markdownCode(src(c));
        for (const code of [...blocks, ...spans])
          for (const x of shorthandUses(ts, code, all))
            bad.push(`${name} markdown cell ${i}: { ${x} } in \`${code.trim().slice(0, 60)}\``);
      }
    });
  }
  assert.deepEqual(bad, [], "write { x: x } instead of { x } for variables of earlier cells");
});

test("the shorthand check sees markdown code too (it would have caught 01's `{ profile, seed, … }` hint)", () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ts = require("typescript") as typeof import("typescript");
  const outer = new Set(["profile", "seed", "config"]);
  assert.deepEqual(shorthandUses(ts, "lab.runInNotebook(exp, { profile, seed, … })", outer), ["profile", "seed"]);
  assert.deepEqual(shorthandUses(ts, "await lab.runInNotebook(exp, { profile, seed: 7 });", outer), ["profile"]);
  assert.deepEqual(shorthandUses(ts, "const { profile, seed } = await lab.setupNotebook(exp);", outer), []);
  assert.deepEqual(shorthandUses(ts, "const seed = 7; f({ seed });", outer), []);
  assert.deepEqual(shorthandUses(ts, "{ profile: profile, seed: seed }", outer), []);
  const md = "Try `run({ profile })`:\n```ts\nf({ config });\n```\n";
  const { blocks, spans } = markdownCode(md);
  assert.deepEqual(
    [...blocks, ...spans].flatMap((c) => shorthandUses(ts, c, outer)),
    ["config", "profile"],
  );
});

/**
 * What the tour (00) says about the other notebooks, each with its check. A statement that is no longer in
 * the tour fails too: whoever rewrites it updates (or drops) its check here.
 */
/** Notebooks whose exercises are all in the convention of src/run/exercise.ts (the list only grows). */
const EXERCISE_CONVENTION_NOTEBOOKS = [
  "00-tour.ipynb",
  "01-world-model.ipynb",
  "02-chain-of-thought.ipynb",
  "03-attention.ipynb",
  "04-scaling-laws.ipynb",
  "05-quantization.ipynb",
  "06-predictive-world-model.ipynb",
];

const TOUR_STATEMENTS: ReadonlyArray<{ says: RegExp; check(): void }> = [
  {
    says: /Every takeaway notebook \(01–06\) starts with `[^`]*lab\.setupNotebook\(exp\)/,
    check: () => {
      for (const name of notebooks.filter((n) => /^0[1-6]-/.test(n))) {
        const first = readNb(name).cells.find((c) => c.cell_type === "code");
        assert.match(
          src(first as Cell),
          /await lab\.setupNotebook\(/,
          `${name}: its first code cell must call lab.setupNotebook`,
        );
      }
    },
  },
  {
    says: /The last cell of every notebook checks its claims/,
    check: () => {
      for (const name of notebooks) {
        const code = readNb(name).cells.filter((c) => c.cell_type === "code");
        assert.match(src(code[code.length - 1] as Cell), /checkClaims|showClaims/, `${name}: last code cell`);
      }
    },
  },
  {
    says: /\[0[1-6]-[\w-]+\]\(0[1-6]-[\w-]+\.ipynb\)/,
    check: () => {
      const tour = readNb("00-tour.ipynb").cells.map(src).join("\n");
      const linked = new Set([...tour.matchAll(/\]\((0\d-[\w-]+\.ipynb)\)/g)].map((m) => m[1] as string));
      for (const l of linked) assert.ok(notebooks.includes(l), `the tour links ${l}, which does not exist`);
      for (const n of notebooks.filter((x) => /^0[1-6]-/.test(x)))
        assert.ok(linked.has(n), `the tour does not link ${n}`);
    },
  },
  {
    says: /Every exercise states what to change, how long it takes, the range to expect and why/,
    check: () => {
      for (const name of EXERCISE_CONVENTION_NOTEBOOKS) {
        const ex = findExercises(readNb(name).cells);
        assert.ok(ex.length > 0, `${name}: no exercise in the convention`);
        for (const e of ex)
          for (const k of ["Change", "Time", "Expect"])
            assert.match(e.text, new RegExp(`\\*\\*${k}:\\*\\*`), `${name} "${e.title}": no **${k}:**`);
      }
    },
  },
];

test("what the tour says about the other notebooks is true", () => {
  const tour = readNb("00-tour.ipynb")
    .cells.filter((c) => c.cell_type === "markdown")
    .map(src)
    .join("\n");
  for (const s of TOUR_STATEMENTS) {
    assert.match(
      tour,
      s.says,
      `the tour no longer says ${s.says}: update TOUR_STATEMENTS in scripts/notebooks.test.ts`,
    );
    s.check();
  }
});

test("exercises: each has a solution; each check it names exists, is called by its solution, and states the library's ranges", () => {
  const used = new Set<string>();
  for (const name of notebooks) {
    const ex = findExercises(readNb(name).cells);
    if (!EXERCISE_CONVENTION_NOTEBOOKS.includes(name)) {
      ex.flatMap((e) => e.checks).forEach((c) => used.add(c));
      continue;
    }
    for (const e of ex) {
      const where = `${name} "${e.title}"`;
      assert.ok(e.hasSolution, `${where}: no <details><summary>Solution</summary>`);
      if (e.checks.length > 0) assert.ok(e.solution !== null, `${where}: a checked exercise needs a \`\`\`ts solution`);
      for (const call of e.checks) {
        used.add(call);
        const [, key, id] = /^lab\.exercises\.(\w+)\.(e\d+)$/.exec(call) ?? [];
        const fn = (
          LIBRARY_EXERCISES as Record<
            string,
            Record<string, { spec?: { expected: Record<string, readonly [number, number]> } }>
          >
        )[key as string]?.[id as string];
        assert.ok(fn?.spec, `${where}: ${call} is not in src/exercises.ts`);
        assert.ok((e.solution as string).includes(`${call}(`), `${where}: the solution does not call ${call}`);
        for (const p of ["quick", "smoke"])
          assert.ok(
            e.text.includes(formatRange(fn.spec.expected[p] as readonly [number, number])),
            `${where}: the markdown does not state ${call}'s ${p} range ${formatRange(fn.spec.expected[p] as readonly [number, number])}`,
          );
      }
    }
  }
  for (const [key, fns] of Object.entries(LIBRARY_EXERCISES))
    for (const id of Object.keys(fns))
      assert.ok(used.has(`lab.exercises.${key}.${id}`), `lab.exercises.${key}.${id} is used by no notebook`);
});

/** Notebooks whose cells still read tensors synchronously; converted when each is next edited (the list only shrinks). */
const SYNC_READ_PENDING_NOTEBOOKS = ["00-tour.ipynb"];

test("notebook code reads tensors asynchronously (await t.data()): WebGPU in Node cannot read synchronously", () => {
  for (const name of notebooks) {
    if (SYNC_READ_PENDING_NOTEBOOKS.includes(name)) continue;
    const nb = JSON.parse(fs.readFileSync(path.join(DIR, name), "utf8")) as { cells: Cell[] };
    nb.cells
      .filter((c) => c.cell_type === "code")
      .forEach((c, i) => {
        const m = /\.(dataSync|arraySync|bufferSync)\s*\(/.exec(src(c));
        assert.equal(m, null, `${name}: code cell ${i} calls ${m?.[1]}(); use (await t.data()) or (await t.array())`);
      });
  }
});
