/**
 * Explore without re-running: a sweep computed once, shown as one plotly figure with plotly's own slider
 * (`layout.sliders` stepping through named `frames`), so it works in the notebook, on a static page and
 * offline, with no kernel widgets. A pure function: figures in, plotly JSON out.
 * https://plotly.com/javascript/sliders/ ("Sliders with animation frames").
 */
import type { Figure, FigureFrame, Trace } from "./plot";

/** One position of the slider: its label and the figure shown there. */
export interface SliderStep {
  /** The slider's tick label (and the frame's name): "h = 8", "β = 2". Unique across steps. */
  readonly label: string;
  /** The whole figure at this step; every step must have the same number and kinds of traces. */
  readonly figure: Figure;
}

/** Options of {@link sliderFigure}. */
export interface SliderOptions {
  /** Shown before the current label: "history length: ". */
  readonly prefix: string;
  /** The step shown first (default 0). */
  readonly active?: number;
  /**
   * Layout keys taken from each step's figure into its frame, so they change with the slider (default
   * `["title"]`: each step can say what it shows). The other layout keys (axes, ranges) come from the
   * active step and stay fixed, so the eye compares steps on one scale: give every step the same ranges.
   */
  readonly frameLayoutKeys?: ReadonlyArray<string>;
}

/** Extra bottom margin (px) that makes room for the slider under the x-axis title. */
const SLIDER_MARGIN = 90;

/**
 * One figure with a slider over `steps`: the active step's traces and layout, one frame per step, and a
 * slider whose steps `animate` to their frame immediately (no transition). Throws, naming the step, when
 * steps differ in their number or kinds of traces (plotly would draw them wrongly) or labels repeat.
 */
export function sliderFigure(steps: ReadonlyArray<SliderStep>, opts: SliderOptions): Figure {
  if (steps.length === 0) throw new Error("sliderFigure: steps is empty (give at least one step)");
  const active = opts.active ?? 0;
  if (!Number.isInteger(active) || active < 0 || active >= steps.length)
    throw new Error(`sliderFigure: active = ${active} is not a step index (0..${steps.length - 1})`);
  const first = steps[active] as SliderStep;
  const kinds = (data: ReadonlyArray<Trace>): string => data.map((t) => t.type ?? "scatter").join(",");
  const seen = new Set<string>();
  for (const s of steps) {
    if (seen.has(s.label)) throw new Error(`sliderFigure: the label "${s.label}" repeats (labels name the frames)`);
    seen.add(s.label);
    if (s.figure.data.length !== first.figure.data.length || kinds(s.figure.data) !== kinds(first.figure.data))
      throw new Error(
        `sliderFigure: step "${s.label}" has traces [${kinds(s.figure.data)}], step "${first.label}" has [${kinds(first.figure.data)}]: every step needs the same traces (use empty x/y for a missing one)`,
      );
  }
  const keys = opts.frameLayoutKeys ?? ["title"];
  const frames: FigureFrame[] = steps.map((s) => {
    const layout = Object.fromEntries(keys.filter((k) => k in s.figure.layout).map((k) => [k, s.figure.layout[k]]));
    return { name: s.label, data: s.figure.data, ...(Object.keys(layout).length > 0 ? { layout } : {}) };
  });
  const margin = (first.figure.layout["margin"] ?? {}) as Record<string, unknown>;
  const bottom = typeof margin["b"] === "number" ? margin["b"] : 60;
  const height = first.figure.layout["height"];
  return {
    data: first.figure.data,
    layout: {
      ...first.figure.layout,
      margin: { ...margin, b: bottom + SLIDER_MARGIN },
      ...(typeof height === "number" ? { height: height + SLIDER_MARGIN } : {}),
      sliders: [
        {
          active,
          pad: { t: 60 },
          currentvalue: { prefix: opts.prefix, visible: true, xanchor: "left" },
          steps: steps.map((s) => ({
            label: s.label,
            method: "animate",
            args: [[s.label], { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } }],
          })),
        },
      ],
    },
    frames,
  };
}
