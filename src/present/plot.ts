/**
 * Figures as pure functions returning plotly JSON (STYLE §14). Builders never touch the DOM, the
 * file system or a notebook: `show` (display.ts) and `saveFigure` (render.ts) do that.
 *
 * Every builder takes its data plus {@link FigureOptions} (title and both axis titles are required)
 * and returns a {@link Figure} that is plain JSON: no functions, no `undefined`, and non-finite
 * numbers written as `null` (plotly draws a gap). One theme for all figures: white background,
 * readable fonts, the colour-blind-safe Okabe-Ito palette ({@link PALETTE}) and viridis for matrices.
 */
import type { Interval } from "../stats";

/** A plotly trace (scatter, bar, heatmap, ...), as plain JSON. */
export type Trace = Readonly<Record<string, unknown>> & { readonly type?: string };

/** A plotly figure: traces and layout, JSON-serialisable. */
export interface Figure {
  readonly data: ReadonlyArray<Trace>;
  readonly layout: Readonly<Record<string, unknown>>;
  /** plotly animation frames (a slider's steps, see `src/present/slider.ts`); most figures have none. */
  readonly frames?: ReadonlyArray<FigureFrame>;
}

/** One plotly frame: a named state of the figure's traces (and optionally of its layout). */
export interface FigureFrame {
  readonly name: string;
  readonly data: ReadonlyArray<Trace>;
  readonly layout?: Readonly<Record<string, unknown>>;
}

// ---------------------------------------------------------------------------------------------
// Theme

/**
 * Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/), ordered so the first
 * colours are the most distinct on white; the pale yellow comes last.
 */
export const PALETTE: ReadonlyArray<string> = Object.freeze([
  "#0072B2", // blue
  "#E69F00", // orange
  "#009E73", // bluish green
  "#D55E00", // vermillion
  "#CC79A7", // reddish purple
  "#56B4E9", // sky blue
  "#000000", // black
  "#F0E442", // yellow
]);

/** Font stack: the first one installed wins (DejaVu Sans on a bare Debian with Chromium). */
export const FONT_FAMILY = "'Helvetica Neue', Helvetica, Arial, 'DejaVu Sans', sans-serif";

/** Colour scales for matrices: perceptually uniform and colour-blind safe (viridis), or diverging around 0. */
export const COLORSCALES = Object.freeze({ sequential: "Viridis", diverging: "RdBu" });

/** The i-th palette colour (cycling). */
export function paletteColor(i: number): string {
  const n = PALETTE.length;
  return PALETTE[((Math.trunc(i) % n) + n) % n] as string;
}

/** `#RRGGBB` with an alpha, as `rgba(r,g,b,a)` (for bands and overlapping histograms). */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return color;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h as string, 16));
  return `rgba(${r},${g},${b},${alpha})`;
}

/** Options every builder takes. Title and axis titles are required: a figure without them is unreadable. */
export interface FigureOptions {
  /** Figure title. */
  readonly title: string;
  /** Optional second title line (e.g. "profile quick, 3 seeds, 95% t-intervals"). */
  readonly subtitle?: string;
  /** x-axis title, with units. */
  readonly xTitle: string;
  /** y-axis title, with units. */
  readonly yTitle: string;
  /** Logarithmic x-axis. */
  readonly xLog?: boolean;
  /** Logarithmic y-axis. */
  readonly yLog?: boolean;
  /** x range in data units (also for log axes: the builder converts). */
  readonly xRange?: readonly [number, number];
  /** y range in data units. */
  readonly yRange?: readonly [number, number];
  /** Legend title. */
  readonly legendTitle?: string;
  /** Show the legend (default: when there is more than one named series). */
  readonly showLegend?: boolean;
  /** Size hints in px; `show` and `saveFigure` fill the space given when absent. */
  readonly width?: number;
  readonly height?: number;
}

type Json = Record<string, unknown>;

/** Drop keys whose value is `undefined`, so figures stay plain JSON. */
function compact<T extends Json>(o: T): T {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** A number for JSON: non-finite becomes null (a gap in plotly). */
function num(x: number | null | undefined): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

function nums(xs: ReadonlyArray<number | null | undefined>): (number | null)[] {
  return xs.map(num);
}

function xs(values: ReadonlyArray<number | string>): (number | string | null)[] {
  return values.map((v) => (typeof v === "string" ? v : num(v)));
}

function requireText(where: string, field: string, v: unknown): string {
  if (typeof v !== "string" || v.trim() === "") {
    throw new Error(
      `${where}: options.${field} is required (a non-empty string); every figure states its ${field === "title" ? "title" : "axis titles"}`,
    );
  }
  return v;
}

function checkLength(where: string, what: string, got: number, want: number): void {
  if (got !== want)
    throw new Error(`${where}: ${what} has length ${got} but x has length ${want}; give one value per point`);
}

function axisRange(range: readonly [number, number] | undefined, log: boolean | undefined): number[] | undefined {
  if (!range) return undefined;
  return log ? [Math.log10(range[0]), Math.log10(range[1])] : [range[0], range[1]];
}

function axis(title: string, log: boolean | undefined, range: readonly [number, number] | undefined): Json {
  return compact({
    title: { text: title, standoff: 8 },
    type: log ? "log" : undefined,
    range: axisRange(range, log),
    showline: true,
    linecolor: "#444444",
    linewidth: 1,
    ticks: "outside",
    tickcolor: "#444444",
    ticklen: 5,
    showgrid: true,
    gridcolor: "#e6e6e6",
    zeroline: false,
    automargin: true,
  });
}

/** Characters per subtitle line at the default width (800 px, 14 px font). */
const SUBTITLE_CHARS = 100;

/**
 * Break `text` at spaces into lines of at most `width` characters (a longer word keeps its own line),
 * joined with plotly's `<br>`. Text that already has `<br>` keeps those breaks.
 */
export function wrapLine(text: string, width: number): string {
  const lines: string[] = [];
  for (const part of text.split("<br>")) {
    let line = "";
    for (const word of part.split(" ")) {
      if (line !== "" && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === "" ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return lines.join("<br>");
}

/**
 * The theme's layout for the given options: white, a readable font, the palette as colourway,
 * titled axes. Builders start from it; use it for hand-made figures too.
 */
export function themeLayout(opts: FigureOptions, where = "figure"): Json {
  const title = requireText(where, "title", opts.title);
  // plotly does not wrap titles: a long subtitle (controls, seeds, references) ran off the right edge.
  const subtitle = opts.subtitle ? wrapLine(opts.subtitle, SUBTITLE_CHARS) : undefined;
  const subtitleLines = subtitle === undefined ? 0 : subtitle.split("<br>").length;
  const xTitle = requireText(where, "xTitle", opts.xTitle);
  const yTitle = requireText(where, "yTitle", opts.yTitle);
  return compact({
    title: compact({
      text: title,
      subtitle: subtitle !== undefined ? { text: subtitle } : undefined,
      x: 0.02,
      xanchor: "left",
      font: { size: 18 },
    }),
    font: { family: FONT_FAMILY, size: 14, color: "#222222" },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    colorway: [...PALETTE],
    margin: { l: 70, r: 30, t: 70 + 20 * subtitleLines, b: 60 },
    xaxis: axis(xTitle, opts.xLog, opts.xRange),
    yaxis: axis(yTitle, opts.yLog, opts.yRange),
    legend: compact({
      title: opts.legendTitle ? { text: opts.legendTitle } : undefined,
      bgcolor: "rgba(255,255,255,0.8)",
      borderwidth: 0,
    }),
    showlegend: opts.showLegend,
    hovermode: "closest",
    width: opts.width,
    height: opts.height,
  });
}

function legendDefault(opts: FigureOptions, namedSeries: number): boolean {
  return opts.showLegend ?? namedSeries > 1;
}

// ---------------------------------------------------------------------------------------------
// Series helpers

/** Means and interval bounds of a list of {@link Interval}s, to spread into a series: `{name, x, ...fromIntervals(ivs)}`. */
export function fromIntervals(intervals: ReadonlyArray<Interval>): { y: number[]; lo: number[]; hi: number[] } {
  return { y: intervals.map((i) => i.mean), lo: intervals.map((i) => i.lo), hi: intervals.map((i) => i.hi) };
}

function errorArrays(
  y: ReadonlyArray<number>,
  lo: ReadonlyArray<number>,
  hi: ReadonlyArray<number>,
): { array: (number | null)[]; arrayminus: (number | null)[] } {
  return {
    array: y.map((v, i) => num(hi[i] - v)),
    arrayminus: y.map((v, i) => num(v - lo[i])),
  };
}

function errorBars(
  color: string,
  y: ReadonlyArray<number>,
  lo: ReadonlyArray<number>,
  hi: ReadonlyArray<number>,
): Json {
  return { type: "data", symmetric: false, ...errorArrays(y, lo, hi), color, thickness: 1.5, width: 4 };
}

// ---------------------------------------------------------------------------------------------
// Line figure

/** One named line, optionally with an interval [lo, hi] per point. */
export interface LineSeries {
  readonly name: string;
  readonly x: ReadonlyArray<number | string>;
  readonly y: ReadonlyArray<number>;
  /** Lower interval bound per point (with `hi`). */
  readonly lo?: ReadonlyArray<number>;
  /** Upper interval bound per point (with `lo`). */
  readonly hi?: ReadonlyArray<number>;
  /** Colour (default: the palette in series order). */
  readonly color?: string;
  readonly dash?: "solid" | "dash" | "dot" | "dashdot";
  /** Default: "lines+markers" up to 30 points, "lines" beyond. */
  readonly mode?: "lines" | "markers" | "lines+markers";
  /** Line width in px (default 2). */
  readonly width?: number;
  /** Legend group: series in one group toggle together. */
  readonly group?: string;
  readonly showLegend?: boolean;
}

/** Options of {@link lineFigure}. */
export interface LineFigureOptions extends FigureOptions {
  /** How intervals are drawn: a shaded band (default) or error bars. */
  readonly errors?: "band" | "bars";
}

/**
 * Several named series y(x), with optional interval bands or error bars and log axes (e.g. a
 * metric against model size over seeds, or a fitted power law beside the measured points).
 */
export function lineFigure(series: ReadonlyArray<LineSeries>, opts: LineFigureOptions): Figure {
  const where = "lineFigure";
  const layout = themeLayout(opts, where);
  const data: Trace[] = [];
  series.forEach((s, i) => {
    const n = s.x.length;
    checkLength(`${where} series "${s.name}"`, "y", s.y.length, n);
    const color = s.color ?? paletteColor(i);
    const hasInterval = s.lo !== undefined || s.hi !== undefined;
    if (hasInterval && (s.lo === undefined || s.hi === undefined)) {
      throw new Error(`${where} series "${s.name}": give both lo and hi (or neither)`);
    }
    if (s.lo && s.hi) {
      checkLength(`${where} series "${s.name}"`, "lo", s.lo.length, n);
      checkLength(`${where} series "${s.name}"`, "hi", s.hi.length, n);
    }
    const group = s.group ?? s.name;
    if (s.lo && s.hi && (opts.errors ?? "band") === "band") {
      const keep = s.x
        .map((_, j) => j)
        .filter(
          (j) => num(s.lo?.[j]) !== null && num(s.hi?.[j]) !== null && xs([s.x[j] as number | string])[0] !== null,
        );
      const bx = [
        ...keep.map((j) => s.x[j] as number | string),
        ...[...keep].reverse().map((j) => s.x[j] as number | string),
      ];
      const by = [...keep.map((j) => s.hi?.[j] as number), ...[...keep].reverse().map((j) => s.lo?.[j] as number)];
      data.push({
        type: "scatter",
        name: `${s.name} (interval)`,
        x: xs(bx),
        y: nums(by),
        fill: "toself",
        fillcolor: withAlpha(color, 0.18),
        line: { width: 0, color },
        mode: "lines",
        hoverinfo: "skip",
        showlegend: false,
        legendgroup: group,
      });
    }
    data.push(
      compact({
        type: "scatter",
        name: s.name,
        x: xs(s.x),
        y: nums(s.y),
        mode: s.mode ?? (n <= 30 ? "lines+markers" : "lines"),
        line: compact({ color, width: s.width ?? 2, dash: s.dash && s.dash !== "solid" ? s.dash : undefined }),
        marker: { color, size: 7 },
        error_y: s.lo && s.hi && opts.errors === "bars" ? errorBars(color, s.y, s.lo, s.hi) : undefined,
        legendgroup: group,
        showlegend: s.showLegend,
      }),
    );
  });
  return { data, layout: { ...layout, showlegend: legendDefault(opts, series.length) } };
}

// ---------------------------------------------------------------------------------------------
// Bar figure

/** One group of bars: a value per category, optionally with an interval [lo, hi]. */
export interface BarSeries {
  readonly name: string;
  readonly y: ReadonlyArray<number>;
  readonly lo?: ReadonlyArray<number>;
  readonly hi?: ReadonlyArray<number>;
  readonly color?: string;
}

/** Options of {@link barFigure}. */
export interface BarFigureOptions extends FigureOptions {
  /** "v" (default): categories along x; "h": along y (long category names). */
  readonly orientation?: "v" | "h";
  /** Print each bar's value on it, with this many significant digits (default: no labels). */
  readonly valueDigits?: number;
}

/**
 * Bars per category, one bar per series (grouped), with interval error bars
 * (e.g. accuracy of fp32 / int8 / int4 models over seeds).
 */
export function barFigure(
  categories: ReadonlyArray<string>,
  series: ReadonlyArray<BarSeries>,
  opts: BarFigureOptions,
): Figure {
  const where = "barFigure";
  const layout = themeLayout(opts, where);
  const horizontal = opts.orientation === "h";
  const n = categories.length;
  const data: Trace[] = series.map((s, i) => {
    const w = `${where} series "${s.name}"`;
    if (s.y.length !== n)
      throw new Error(`${w}: y has length ${s.y.length} but there are ${n} categories; give one value per category`);
    if ((s.lo === undefined) !== (s.hi === undefined)) throw new Error(`${w}: give both lo and hi (or neither)`);
    if (s.lo && s.lo.length !== n) throw new Error(`${w}: lo has length ${s.lo.length} but there are ${n} categories`);
    if (s.hi && s.hi.length !== n) throw new Error(`${w}: hi has length ${s.hi.length} but there are ${n} categories`);
    const color = s.color ?? paletteColor(i);
    const err = s.lo && s.hi ? errorBars("#333333", s.y, s.lo, s.hi) : undefined;
    const values = nums(s.y);
    return compact({
      type: "bar",
      name: s.name,
      orientation: horizontal ? "h" : undefined,
      x: horizontal ? values : [...categories],
      y: horizontal ? [...categories] : values,
      marker: { color, line: { color: "#333333", width: 0.5 } },
      error_y: horizontal ? undefined : err,
      error_x: horizontal ? err : undefined,
      text: opts.valueDigits
        ? s.y.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(opts.valueDigits)).toString() : ""))
        : undefined,
      // Inside the bar: outside labels would collide with the error bars.
      textposition: opts.valueDigits ? "inside" : undefined,
      insidetextanchor: opts.valueDigits ? "middle" : undefined,
    });
  });
  const cat = { type: "category", showgrid: false };
  return {
    data,
    layout: {
      ...layout,
      barmode: "group",
      bargap: 0.25,
      bargroupgap: 0.05,
      xaxis: horizontal ? layout["xaxis"] : { ...(layout["xaxis"] as Json), ...cat },
      yaxis: horizontal ? { ...(layout["yaxis"] as Json), ...cat, autorange: "reversed" } : layout["yaxis"],
      showlegend: legendDefault(opts, series.length),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Scatter figure

/** One named point cloud, optionally with per-point labels and y intervals. */
export interface ScatterSeries {
  readonly name: string;
  readonly x: ReadonlyArray<number>;
  readonly y: ReadonlyArray<number>;
  /** A label per point (hover text, and printed beside the point with `labels: true`). */
  readonly text?: ReadonlyArray<string>;
  /** Where each printed label sits (plotly's textposition; default "top center"), e.g. to keep close points' apart. */
  readonly textPosition?: ReadonlyArray<string>;
  readonly lo?: ReadonlyArray<number>;
  readonly hi?: ReadonlyArray<number>;
  /** Marker size in px (default 8), or one per point. */
  readonly size?: number | ReadonlyArray<number>;
  readonly color?: string;
  readonly symbol?: "circle" | "square" | "diamond" | "triangle-up" | "x" | "cross";
}

/** Options of {@link scatterFigure}. */
export interface ScatterFigureOptions extends FigureOptions {
  /** Draw the line y = x (predicted against measured). */
  readonly diagonal?: boolean;
  /** Print each point's text beside it. */
  readonly labels?: boolean;
}

/** Point clouds, one per series (e.g. loss against compute per model size). */
export function scatterFigure(series: ReadonlyArray<ScatterSeries>, opts: ScatterFigureOptions): Figure {
  const where = "scatterFigure";
  const layout = themeLayout(opts, where);
  const data: Trace[] = series.map((s, i) => {
    const w = `${where} series "${s.name}"`;
    checkLength(w, "y", s.y.length, s.x.length);
    if (s.text) checkLength(w, "text", s.text.length, s.x.length);
    if (s.textPosition) checkLength(w, "textPosition", s.textPosition.length, s.x.length);
    if (Array.isArray(s.size)) checkLength(w, "size", (s.size as ReadonlyArray<number>).length, s.x.length);
    if ((s.lo === undefined) !== (s.hi === undefined)) throw new Error(`${w}: give both lo and hi (or neither)`);
    if (s.lo) checkLength(w, "lo", s.lo.length, s.x.length);
    if (s.hi) checkLength(w, "hi", s.hi.length, s.x.length);
    const color = s.color ?? paletteColor(i);
    return compact({
      type: "scatter",
      name: s.name,
      x: nums(s.x),
      y: nums(s.y),
      mode: opts.labels && s.text ? "markers+text" : "markers",
      text: s.text ? [...s.text] : undefined,
      textposition: opts.labels && s.text ? (s.textPosition ? [...s.textPosition] : "top center") : undefined,
      marker: compact({
        color,
        size: typeof s.size === "number" || s.size === undefined ? (s.size ?? 8) : [...s.size],
        symbol: s.symbol,
        line: { color: "#ffffff", width: 0.5 },
      }),
      error_y: s.lo && s.hi ? errorBars(color, s.y, s.lo, s.hi) : undefined,
    });
  });
  let fig: Figure = { data, layout: { ...layout, showlegend: legendDefault(opts, series.length) } };
  if (opts.diagonal) {
    const all = series.flatMap((s) => [...s.x, ...s.y]).filter((v) => Number.isFinite(v));
    if (all.length > 0) {
      const [lo, hi] = minMax(all);
      fig = withTraces(fig, [
        {
          type: "scatter",
          name: "y = x",
          x: [lo, hi],
          y: [lo, hi],
          mode: "lines",
          line: { color: "#888888", width: 1, dash: "dash" },
          hoverinfo: "skip",
          showlegend: false,
        },
      ]);
    }
  }
  return fig;
}

// ---------------------------------------------------------------------------------------------
// Heatmaps

/** Options of {@link heatmapFigure} (and each panel of {@link heatmapGridFigure}). */
export interface HeatmapOptions extends FigureOptions {
  /** Column labels (e.g. key tokens); duplicates are fine. */
  readonly xLabels?: ReadonlyArray<string>;
  /** Row labels (e.g. query tokens). */
  readonly yLabels?: ReadonlyArray<string>;
  /** "sequential" (viridis, default), "diverging" (RdBu centred at 0), or any plotly colour scale name. */
  readonly colorscale?: string;
  readonly zmin?: number;
  readonly zmax?: number;
  /** Colour bar title (the quantity and its unit). */
  readonly zTitle?: string;
  /** Write each cell's value in it (small matrices only). */
  readonly annotate?: boolean;
  /** Significant digits for `annotate` and hover (default 3). */
  readonly digits?: number;
  /** Row 0 at the top, as a matrix is printed (default true). */
  readonly matrixOrder?: boolean;
  /** Square cells (default true). */
  readonly square?: boolean;
}

function checkMatrix(where: string, z: ReadonlyArray<ReadonlyArray<number>>): { rows: number; cols: number } {
  const rows = z.length;
  if (rows === 0) throw new Error(`${where}: the matrix z is empty`);
  const cols = (z[0] as ReadonlyArray<number>).length;
  z.forEach((r, i) => {
    if (r.length !== cols)
      throw new Error(`${where}: row ${i} of z has ${r.length} columns but row 0 has ${cols}; z must be rectangular`);
  });
  return { rows, cols };
}

function colorscaleOf(name: string | undefined): { colorscale: string; reversescale?: boolean; diverging: boolean } {
  if (name === undefined || name === "sequential") return { colorscale: COLORSCALES.sequential, diverging: false };
  // RdBu reversed: negative blue, positive red.
  if (name === "diverging") return { colorscale: COLORSCALES.diverging, reversescale: true, diverging: true };
  return { colorscale: name, diverging: false };
}

function tickAxis(labels: ReadonlyArray<string> | undefined, count: number): Json {
  if (!labels) return {};
  if (labels.length !== count) throw new Error(`heatmap: ${count} labels expected, got ${labels.length}`);
  // Numeric positions with tick text, so repeated labels (tokens) stay distinct columns.
  return {
    tickmode: "array",
    tickvals: labels.map((_, i) => i),
    ticktext: [...labels],
    tickfont: { size: count > 24 ? 9 : 12 },
  };
}

function heatmapTrace(
  z: ReadonlyArray<ReadonlyArray<number>>,
  opts: HeatmapOptions,
  where: string,
  extra: Json,
): Trace {
  const { rows, cols } = checkMatrix(where, z);
  if (opts.xLabels && opts.xLabels.length !== cols)
    throw new Error(`${where}: xLabels has ${opts.xLabels.length} entries but z has ${cols} columns`);
  if (opts.yLabels && opts.yLabels.length !== rows)
    throw new Error(`${where}: yLabels has ${opts.yLabels.length} entries but z has ${rows} rows`);
  const digits = opts.digits ?? 3;
  return compact({
    type: "heatmap",
    z: z.map((r) => nums(r)),
    x: Array.from({ length: cols }, (_, i) => i),
    y: Array.from({ length: rows }, (_, i) => i),
    hovertemplate: `${opts.xTitle} %{x}<br>${opts.yTitle} %{y}<br>${opts.zTitle ?? "value"} %{z:.${digits}~g}<extra></extra>`,
    texttemplate: opts.annotate ? `%{z:.${digits}~g}` : undefined,
    ...extra,
  });
}

/** Colour-axis settings shared by heatmaps. */
function colorAxis(opts: HeatmapOptions, values: number[]): Json {
  const cs = colorscaleOf(opts.colorscale);
  let { zmin, zmax } = opts;
  if (cs.diverging && (zmin === undefined || zmax === undefined)) {
    let m = 0;
    for (const v of values) if (Number.isFinite(v) && Math.abs(v) > m) m = Math.abs(v);
    zmin = zmin ?? -m;
    zmax = zmax ?? m;
  }
  return compact({
    colorscale: cs.colorscale,
    reversescale: cs.reversescale,
    cmin: zmin,
    cmax: zmax,
    colorbar: compact({
      title: opts.zTitle ? { text: opts.zTitle, side: "right" } : undefined,
      thickness: 14,
      outlinewidth: 0,
    }),
  });
}

/** A matrix as a heatmap with labelled rows and columns (e.g. one head's attention map, queries × keys). */
export function heatmapFigure(z: ReadonlyArray<ReadonlyArray<number>>, opts: HeatmapOptions): Figure {
  const where = "heatmapFigure";
  const layout = themeLayout(opts, where);
  const trace = heatmapTrace(z, opts, where, { coloraxis: "coloraxis" });
  const { rows, cols } = checkMatrix(where, z);
  const xaxis = {
    ...(layout["xaxis"] as Json),
    ...tickAxis(opts.xLabels, cols),
    showgrid: false,
    ticks: "",
    constrain: "domain",
  };
  const yaxis = compact({
    ...(layout["yaxis"] as Json),
    ...tickAxis(opts.yLabels, rows),
    showgrid: false,
    ticks: "",
    autorange: opts.matrixOrder === false ? undefined : "reversed",
    scaleanchor: opts.square === false ? undefined : "x",
    constrain: "domain",
  });
  return {
    data: [trace],
    layout: { ...layout, xaxis, yaxis, coloraxis: colorAxis(opts, z.flat()), showlegend: false },
  };
}

/** One panel of {@link heatmapGridFigure}. */
export interface HeatmapPanel {
  readonly title: string;
  readonly z: ReadonlyArray<ReadonlyArray<number>>;
}

/** Options of {@link heatmapGridFigure}. */
export interface HeatmapGridOptions extends HeatmapOptions {
  /** Panels per row (default: up to 4). */
  readonly cols?: number;
}

/**
 * Several matrices side by side on one shared colour scale (e.g. the attention maps of every head
 * of every layer). Labels and axis titles apply to every panel.
 */
export function heatmapGridFigure(panels: ReadonlyArray<HeatmapPanel>, opts: HeatmapGridOptions): Figure {
  const where = "heatmapGridFigure";
  const base = themeLayout(opts, where);
  if (panels.length === 0) throw new Error(`${where}: no panels given`);
  const nCols = Math.max(1, Math.min(opts.cols ?? 4, panels.length));
  const nRows = Math.ceil(panels.length / nCols);
  const gapX = 0.03;
  const gapY = 0.1;
  const w = (1 - gapX * (nCols - 1)) / nCols;
  const h = (1 - gapY * (nRows - 1)) / nRows;
  const layout: Json = { ...base, showlegend: false };
  delete layout["xaxis"];
  delete layout["yaxis"];
  const annotations: Json[] = [];
  const data: Trace[] = [];
  panels.forEach((p, k) => {
    const { rows, cols } = checkMatrix(`${where} panel "${p.title}"`, p.z);
    const r = Math.floor(k / nCols);
    const c = k % nCols;
    const suffix = k === 0 ? "" : String(k + 1);
    const x0 = c * (w + gapX);
    const y1 = 1 - r * (h + gapY);
    data.push(
      heatmapTrace(p.z, opts, `${where} panel "${p.title}"`, {
        coloraxis: "coloraxis",
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        name: p.title,
      }),
    );
    const xa = base["xaxis"] as Json;
    const ya = base["yaxis"] as Json;
    layout[`xaxis${suffix}`] = {
      ...xa,
      ...tickAxis(opts.xLabels, cols),
      title: r === nRows - 1 ? xa["title"] : { text: "" },
      domain: [x0, x0 + w],
      anchor: `y${suffix}`,
      showgrid: false,
      ticks: "",
      constrain: "domain",
    };
    layout[`yaxis${suffix}`] = compact({
      ...ya,
      ...tickAxis(opts.yLabels, rows),
      title: c === 0 ? ya["title"] : { text: "" },
      // Rows are shared: labels on the first column only, so they never run into the next panel.
      showticklabels: c === 0,
      domain: [y1 - h, y1],
      anchor: `x${suffix}`,
      showgrid: false,
      ticks: "",
      autorange: opts.matrixOrder === false ? undefined : "reversed",
      scaleanchor: opts.square === false ? undefined : `x${suffix}`,
      constrain: "domain",
    });
    annotations.push({
      text: p.title,
      xref: "paper",
      yref: "paper",
      x: x0 + w / 2,
      y: y1,
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
      font: { size: 13 },
    });
  });
  layout["annotations"] = annotations;
  layout["coloraxis"] = colorAxis(
    opts,
    panels.flatMap((p) => p.z.flat()),
  );
  return { data, layout };
}

// ---------------------------------------------------------------------------------------------
// Histograms

/** Bin edges and counts of a sample: `bins` equal-width bins over `range` (default: min..max). */
export function histogramCounts(
  values: ReadonlyArray<number>,
  bins = 50,
  range?: readonly [number, number],
): { edges: number[]; counts: number[] } {
  if (!Number.isInteger(bins) || bins < 1)
    throw new Error(`histogramCounts: bins must be a positive integer, got ${bins}`);
  const finite = values.filter((v) => Number.isFinite(v));
  const [fMin, fMax] = finite.length ? minMax(finite) : [0, 1];
  let lo = range ? range[0] : fMin;
  let hi = range ? range[1] : fMax;
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) {
    if (v < lo || v > hi) continue;
    const b = Math.min(bins - 1, Math.floor((v - lo) / width));
    counts[b] = counts[b] + 1;
  }
  return { edges, counts };
}

function minMax(v: ReadonlyArray<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

/** One named sample for {@link histogramFigure}. */
export interface HistogramSeries {
  readonly name: string;
  readonly values: ReadonlyArray<number>;
  readonly color?: string;
}

/** Options of {@link histogramFigure}. */
export interface HistogramOptions extends FigureOptions {
  /** Number of equal-width bins (default 50), shared by all series. */
  readonly bins?: number;
  /** Binning range (default: min..max over all series). Values outside are not counted. */
  readonly range?: readonly [number, number];
  /** "count" (default), "probability" (sums to 1) or "density" (integrates to 1). */
  readonly normalize?: "count" | "probability" | "density";
  /** Vertical lines to draw, e.g. the levels of a quantizer. */
  readonly verticalLines?: ReadonlyArray<number>;
  /** One label per vertical line (optional). */
  readonly verticalLineLabels?: ReadonlyArray<string>;
}

/**
 * Histograms of one or more samples on shared bins, binned here so the figure stays small however
 * large the sample (e.g. a layer's weights, with the int4 levels as vertical lines).
 */
export function histogramFigure(
  series: ReadonlyArray<HistogramSeries> | ReadonlyArray<number>,
  opts: HistogramOptions,
): Figure {
  const where = "histogramFigure";
  const layout = themeLayout(opts, where);
  const list: ReadonlyArray<HistogramSeries> =
    series.length > 0 && typeof series[0] === "number"
      ? [{ name: opts.yTitle, values: series as ReadonlyArray<number> }]
      : (series as ReadonlyArray<HistogramSeries>);
  let range = opts.range;
  if (!range) {
    const all = list.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
    range = all.length ? minMax(all) : [0, 1];
  }
  const bins = opts.bins ?? 50;
  const data: Trace[] = list.map((s, i) => {
    const { edges, counts } = histogramCounts(s.values, bins, range);
    const width = edges[1] - edges[0];
    const total = counts.reduce((a, b) => a + b, 0);
    const scale =
      opts.normalize === "probability"
        ? 1 / Math.max(1, total)
        : opts.normalize === "density"
          ? 1 / Math.max(1, total) / width
          : 1;
    const color = s.color ?? paletteColor(i);
    return {
      type: "bar",
      name: s.name,
      x: counts.map((_, b) => num((edges[b] + edges[b + 1]) / 2)),
      y: counts.map((c) => num(c * scale)),
      width: num(width),
      marker: { color: list.length > 1 ? withAlpha(color, 0.55) : color, line: { color, width: 0.5 } },
      hovertemplate: `[%{x:.4~g} ± ${Number((width / 2).toPrecision(3))}]: %{y:.4~g}<extra>${s.name}</extra>`,
    };
  });
  let fig: Figure = {
    data,
    layout: { ...layout, barmode: "overlay", bargap: 0, showlegend: legendDefault(opts, list.length) },
  };
  if (opts.verticalLines && opts.verticalLines.length > 0)
    fig = withVerticalLines(fig, opts.verticalLines, opts.verticalLineLabels);
  return fig;
}

// ---------------------------------------------------------------------------------------------
// Loss curves

/** One logged training step (the trainer's history entries fit this). */
export interface LossPoint {
  readonly step: number;
  readonly trainLoss: number;
  readonly evalLoss?: number;
  readonly tokens?: number;
}

/** A named run's history, for several curves in one figure. */
export interface LossRun {
  readonly name: string;
  readonly history: ReadonlyArray<LossPoint>;
}

/** Options of {@link lossCurveFigure}: everything optional, with loss-curve defaults. */
export interface LossCurveOptions extends Partial<FigureOptions> {
  /** x-axis: training step (default) or tokens seen. */
  readonly x?: "step" | "tokens";
  /** Exponential moving average of the train loss, 0..1 (0 = raw, default). Eval loss is never smoothed. */
  readonly smooth?: number;
  /** Draw the train loss (default true). */
  readonly showTrain?: boolean;
}

function isRuns(h: ReadonlyArray<LossPoint> | ReadonlyArray<LossRun>): h is ReadonlyArray<LossRun> {
  return h.length > 0 && typeof h[0] === "object" && h[0] !== null && "history" in (h[0] as object);
}

/**
 * Train (solid) and eval (dashed, markers) loss against step, for one history or several named
 * runs (one colour per run). Accepts `TrainResult.history` directly.
 */
export function lossCurveFigure(
  history: ReadonlyArray<LossPoint> | ReadonlyArray<LossRun>,
  opts: LossCurveOptions = {},
): Figure {
  const where = "lossCurveFigure";
  if (history.length === 0) throw new Error(`${where}: history is empty; train for at least one logged step`);
  const runs: ReadonlyArray<LossRun> = isRuns(history)
    ? history
    : [{ name: "", history: history as ReadonlyArray<LossPoint> }];
  const xKey = opts.x ?? "step";
  const smooth = opts.smooth ?? 0;
  if (!(smooth >= 0 && smooth < 1)) throw new Error(`${where}: options.smooth must be in [0, 1), got ${smooth}`);
  const series: LineSeries[] = [];
  runs.forEach((run, i) => {
    const color = paletteColor(i);
    const label = (part: string): string => (run.name ? `${run.name}: ${part}` : part);
    const xOf = (p: LossPoint): number => {
      if (xKey === "tokens" && typeof p.tokens !== "number")
        throw new Error(`${where}: options.x is "tokens" but run "${run.name}" has entries without tokens`);
      return xKey === "tokens" ? (p.tokens as number) : p.step;
    };
    const h = [...run.history].sort((a, b) => a.step - b.step);
    if (opts.showTrain ?? true) {
      let ema = NaN;
      const y = h.map((p) => {
        ema = Number.isFinite(ema) && smooth > 0 ? smooth * ema + (1 - smooth) * p.trainLoss : p.trainLoss;
        return ema;
      });
      series.push({
        name: label(smooth > 0 ? `train (EMA ${smooth})` : "train"),
        x: h.map(xOf),
        y,
        color,
        mode: "lines",
        width: 1.5,
        group: run.name || undefined,
      });
    }
    const ev = h.filter((p) => typeof p.evalLoss === "number");
    if (ev.length > 0) {
      series.push({
        name: label("eval"),
        x: ev.map(xOf),
        y: ev.map((p) => p.evalLoss as number),
        color,
        dash: "dash",
        mode: "lines+markers",
        group: run.name || undefined,
      });
    }
  });
  return lineFigure(series, {
    ...opts,
    title: opts.title ?? "Loss curve",
    xTitle: opts.xTitle ?? (xKey === "tokens" ? "tokens seen" : "training step"),
    yTitle: opts.yTitle ?? "cross-entropy loss (nats / token)",
    showLegend: opts.showLegend ?? series.length > 1,
  });
}

// ---------------------------------------------------------------------------------------------
// Figure helpers (pure: they return a new figure)

/** A copy of `fig` with more traces drawn on top. */
export function withTraces(fig: Figure, traces: ReadonlyArray<Trace>): Figure {
  return { data: [...fig.data, ...traces], layout: fig.layout };
}

/** A copy of `fig` with layout keys replaced; object-valued keys (axes, legend, margin) are merged one level deep. */
export function withLayout(fig: Figure, patch: Readonly<Record<string, unknown>>): Figure {
  const layout: Json = { ...fig.layout };
  for (const [k, v] of Object.entries(patch)) {
    const old = layout[k];
    const isObj = (o: unknown): o is Json => typeof o === "object" && o !== null && !Array.isArray(o);
    layout[k] = isObj(old) && isObj(v) ? { ...old, ...v } : v;
  }
  return { data: fig.data, layout: compact(layout) };
}

/** Options of {@link withVerticalLines} and {@link withHorizontalLines}. */
export interface RuleOptions {
  readonly color?: string;
  readonly dash?: "solid" | "dash" | "dot" | "dashdot";
  readonly width?: number;
}

function withRules(
  fig: Figure,
  axisLetter: "x" | "y",
  values: ReadonlyArray<number>,
  labels: ReadonlyArray<string> | undefined,
  opts: RuleOptions,
): Figure {
  const where = axisLetter === "x" ? "withVerticalLines" : "withHorizontalLines";
  if (labels && labels.length !== values.length)
    throw new Error(`${where}: ${values.length} lines but ${labels.length} labels; give one label per line`);
  const line = { color: opts.color ?? "#555555", width: opts.width ?? 1, dash: opts.dash ?? "dot" };
  const shapes: Json[] = [];
  const annotations: Json[] = [];
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    if (axisLetter === "x") {
      shapes.push({ type: "line", xref: "x", yref: "paper", x0: v, x1: v, y0: 0, y1: 1, line, layer: "above" });
    } else {
      shapes.push({ type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: v, y1: v, line, layer: "above" });
    }
    const text = labels?.[i];
    if (text) {
      annotations.push(
        axisLetter === "x"
          ? {
              text,
              xref: "x",
              yref: "paper",
              x: v,
              y: 1,
              xanchor: "left",
              yanchor: "top",
              showarrow: false,
              textangle: -90,
              font: { size: 11, color: line.color },
            }
          : {
              text,
              xref: "paper",
              yref: "y",
              x: 1,
              y: v,
              xanchor: "right",
              yanchor: "bottom",
              showarrow: false,
              font: { size: 11, color: line.color },
            },
      );
    }
  });
  const old = fig.layout;
  return {
    data: fig.data,
    layout: compact({
      ...old,
      shapes: [...((old["shapes"] as Json[] | undefined) ?? []), ...shapes],
      annotations:
        annotations.length || old["annotations"]
          ? [...((old["annotations"] as Json[] | undefined) ?? []), ...annotations]
          : undefined,
    }),
  };
}

/** A copy of `fig` with vertical lines at `xs` (e.g. quantization levels), optionally labelled. */
export function withVerticalLines(
  fig: Figure,
  xs: ReadonlyArray<number>,
  labels?: ReadonlyArray<string>,
  opts: RuleOptions = {},
): Figure {
  return withRules(fig, "x", xs, labels, opts);
}

/** A copy of `fig` with horizontal lines at `ys` (e.g. chance level, the fp32 baseline), optionally labelled. */
export function withHorizontalLines(
  fig: Figure,
  ys: ReadonlyArray<number>,
  labels?: ReadonlyArray<string>,
  opts: RuleOptions = {},
): Figure {
  return withRules(fig, "y", ys, labels, opts);
}

/** A one-line description of a figure: its title and traces. */
export function describeFigure(fig: Figure): string {
  const t = fig.layout["title"];
  const title =
    typeof t === "object" && t !== null ? String((t as Json)["text"] ?? "") : typeof t === "string" ? t : "";
  const types = [...new Set(fig.data.map((d) => d.type ?? "scatter"))].join(", ");
  return `Figure "${title || "untitled"}": ${fig.data.length} trace(s) (${types})`;
}
