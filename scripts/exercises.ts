/**
 * `npm run test:exercises -- [--profile smoke] [names...]`: run every exercise solution found in the
 * notebooks (the `<details>` solutions of src/run/exercise.ts's convention) through the real tslab kernel,
 * at `smoke` unless told otherwise, with strict checks (GEN2BRAIN_EXERCISES_STRICT=1): a solution that
 * throws, or whose `lab.exercises.*` check finds its outcome outside the range stated for that profile,
 * fails the run with the check's own message. Each notebook's solutions run after its code cells above the
 * first exercise (as a student runs them: the notebook, then the solution). Executed copies go to
 * `out/<profile>/exercises/`.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, runMain } from "./cli";
import { findPython, ROOT } from "./jupyter";
import { findExercises, type Cell } from "./notebook-text";
import { executeNotebooks, NOTEBOOK_DIR, prepareKernel, selectNotebooks } from "./run-notebooks";

/** The notebook that runs a notebook's solutions: its code cells above the first exercise, then each solution. */
export function exerciseNotebook(nb: {
  cells: Cell[];
  metadata: unknown;
  nbformat?: number;
  nbformat_minor?: number;
}): {
  notebook: object;
  solutions: number;
} | null {
  const exercises = findExercises(nb.cells).filter((e) => e.solution !== null);
  if (exercises.length === 0) return null;
  const first = Math.min(...exercises.map((e) => e.cell));
  const code = (source: string, id: string): Cell => ({
    cell_type: "code",
    id,
    source,
    metadata: {},
    outputs: [],
    execution_count: null,
  });
  const cells: Cell[] = [
    ...nb.cells.slice(0, first).filter((c) => c.cell_type === "code"),
    ...exercises.map((e, i) =>
      code(`// ${e.title}\n${e.solution as string}`, `solution-${i + 1}-${e.title.replace(/\W+/g, "-").slice(0, 30)}`),
    ),
  ];
  return {
    notebook: { ...nb, cells, nbformat: nb.nbformat ?? 4, nbformat_minor: nb.nbformat_minor ?? 5 },
    solutions: exercises.length,
  };
}

if (require.main === module) {
  runMain(async () => {
    const args = parseArgs(process.argv.slice(2), [], []);
    const profile = args.flags.has("profile") ? args.profile : "smoke";
    // parseArgs set GEN2BRAIN_PROFILE from the environment's default; the solutions run at `profile`.
    process.env["GEN2BRAIN_PROFILE"] = profile;
    const outDir = path.join(ROOT, "out", profile, "exercises");
    // The composed notebooks sit beside the originals (the kernel resolves ./src from there), hidden by a dot.
    const staged: string[] = [];
    let count = 0;
    for (const src of selectNotebooks(NOTEBOOK_DIR, args.positional)) {
      const nb = JSON.parse(fs.readFileSync(src, "utf8")) as Parameters<typeof exerciseNotebook>[0];
      const made = exerciseNotebook(nb);
      if (made === null) continue;
      const file = path.join(NOTEBOOK_DIR, `.exercises-${path.basename(src)}`);
      fs.writeFileSync(file, JSON.stringify(made.notebook, null, 1));
      staged.push(file);
      count += made.solutions;
    }
    if (staged.length === 0) {
      console.log("no exercise solutions found");
      return 0;
    }
    console.log(`running ${count} exercise solution(s) from ${staged.length} notebook(s) at profile ${profile}`);
    try {
      const python = findPython(["nbclient", "nbformat", "jupyter_client", "ipykernel"]);
      const runs = await executeNotebooks(staged, outDir, {
        python,
        jupyterPath: prepareKernel(python),
        timeoutS: 1800,
        env: { GEN2BRAIN_PROFILE: profile, GEN2BRAIN_EXERCISES_STRICT: "1" },
        onDone: (run) => {
          console.log(`${run.ok ? "ok  " : "FAIL"} ${path.basename(run.notebook)} (${run.seconds.toFixed(1)} s)`);
          if (!run.ok) console.error(run.error);
        },
      });
      const failed = runs.filter((r) => !r.ok).length;
      console.log(`exercises: ${runs.length - failed} notebook(s) passed, ${failed} failed`);
      return failed === 0 ? 0 : 1;
    } finally {
      for (const f of staged) fs.rmSync(f, { force: true });
    }
  });
}
