/**
 * `npm run typecheck:tslab`: type-check the notebook API (`notebooks/src/index.ts`, i.e. `src/` through the
 * link) with tslab's own TypeScript 5.0 and the compiler options tslab uses in the kernel (not strict,
 * ES2022, Node10 resolution, declarations on). The kernel reports such errors without file names; this
 * names them. Part of `npm run typecheck`.
 */
import * as path from "path";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const ts = require("@tslab/typescript-for-tslab") as typeof import("typescript");

const ROOT = path.resolve(__dirname, "..");
const nbDir = path.join(ROOT, "notebooks");
const options: import("typescript").CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  esModuleInterop: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  declaration: true,
  experimentalDecorators: true,
  resolveJsonModule: true,
  allowJs: true,
  checkJs: true,
  skipLibCheck: true,
  rootDir: nbDir,
  outDir: path.join(nbDir, "outDir"),
  noEmit: false,
};
const program = ts.createProgram([path.join(nbDir, "src", "index.ts")], options);
const diags = [...ts.getPreEmitDiagnostics(program)];
// Declaration emit errors (e.g. an exported value whose type cannot be named) only show up on emit.
const emit = program.emit(undefined, () => undefined, undefined, true);
diags.push(...emit.diagnostics);
for (const d of diags) {
  const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (d.file && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    console.error(`${path.relative(ROOT, d.file.fileName)}:${line + 1}:${character + 1} - ${msg}`);
  } else console.error(msg);
}
console.log(`typecheck (tslab TypeScript ${ts.version}): ${diags.length} error(s)`);
process.exit(diags.length === 0 ? 0 : 1);
