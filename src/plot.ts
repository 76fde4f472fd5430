/**
 * Figures as pure functions returning plotly JSON (STYLE §14). Builders never touch the DOM, the
 * file system or a notebook: `show` (display.ts) and `saveFigure` (render.ts) do that.
 */

/** A plotly trace (scatter, bar, heatmap, ...), as plain JSON. */
export type Trace = Readonly<Record<string, unknown>> & { readonly type?: string };

/** A plotly figure: traces and layout, JSON-serialisable. */
export interface Figure {
  readonly data: ReadonlyArray<Trace>;
  readonly layout: Readonly<Record<string, unknown>>;
}
