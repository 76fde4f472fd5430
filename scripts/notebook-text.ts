/**
 * Reading the notebooks' text: code shown in markdown, and exercises in the Neuromatch convention of
 * src/run/exercise.ts (heading, **Change/Time/Expect/Check**, a `<details>` solution with a ```ts block).
 * Used by scripts/notebooks.test.ts (static checks) and scripts/exercises.ts (solutions run at smoke).
 */
export interface Cell {
  readonly cell_type: string;
  readonly id?: string;
  readonly source: string | ReadonlyArray<string>;
  readonly outputs?: unknown[];
  readonly execution_count?: number | null;
  readonly metadata?: Record<string, unknown>;
}

export const cellText = (c: Cell): string => (typeof c.source === "string" ? c.source : c.source.join(""));

/** Code shown in a markdown cell: fenced blocks (any language but plain text) and inline code spans. */
export function markdownCode(md: string): { blocks: string[]; spans: string[] } {
  const blocks: string[] = [];
  const rest = md.replace(/```([\w-]*)\n([\s\S]*?)```/g, (_, lang: string, body: string) => {
    if (!/^(text|txt|console|sh|bash)$/.test(lang)) blocks.push(body);
    return " ";
  });
  const spans = [...rest.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
  return { blocks, spans };
}

/** One exercise found in a notebook's markdown. */
export interface ExerciseText {
  /** Index of the markdown cell it is in. */
  readonly cell: number;
  /** The heading line ("Exercise 2: Weaker evidence"). */
  readonly title: string;
  /** The exercise's markdown (its heading to the next exercise heading). */
  readonly text: string;
  /** The check calls named on its **Check:** line (`lab.exercises.t6.e2`), without arguments. */
  readonly checks: string[];
  /** Its solution's code (from the ```ts block in `<details>`), or null when it has none. */
  readonly solution: string | null;
  /** Whether it has a `<details><summary>Solution</summary>` (code or, for an open question, prose). */
  readonly hasSolution: boolean;
}

const HEADING = /^#{2,4}\s+Exercise\s+\d+\b.*$/gm;

/** The exercises in the convention (headings `### Exercise N…`) in a notebook's markdown cells. */
export function findExercises(cells: ReadonlyArray<Cell>): ExerciseText[] {
  const out: ExerciseText[] = [];
  cells.forEach((c, i) => {
    if (c.cell_type !== "markdown") return;
    const md = cellText(c);
    const starts = [...md.matchAll(HEADING)].map((m) => m.index as number);
    starts.forEach((s, k) => {
      const text = md.slice(s, starts[k + 1] ?? md.length);
      const title = (text.split("\n")[0] as string).replace(/^#+\s+/, "").trim();
      const checkLine = /\*\*Check:\*\*([^\n]*)/.exec(text)?.[1] ?? "";
      const checks = [...checkLine.matchAll(/(lab\.exercises\.\w+\.e\d+)\s*\(/g)].map((m) => m[1] as string);
      const sol =
        /<details>\s*<summary>\s*Solution\s*<\/summary>\s*```(?:ts|typescript)\n([\s\S]*?)```\s*<\/details>/.exec(text);
      const hasSolution = /<details>\s*<summary>\s*Solution\s*<\/summary>/.test(text);
      out.push({ cell: i, title, text, checks, solution: sol ? (sol[1] as string) : null, hasSolution });
    });
  });
  return out;
}
