import { test } from "node:test";
import assert from "node:assert/strict";
import {
  barFigure,
  describeFigure,
  Figure,
  fromIntervals,
  heatmapFigure,
  heatmapGridFigure,
  histogramCounts,
  histogramFigure,
  lineFigure,
  lossCurveFigure,
  PALETTE,
  scatterFigure,
  themeLayout,
  withHorizontalLines,
  withLayout,
  withVerticalLines,
  wrapLine,
} from "./plot";
import { assertPlainJson, expectSnapshot } from "./snapshot";

/** Every builder's output: plain JSON, titled, and equal to its committed snapshot. */
function check(name: string, fig: Figure): void {
  assertPlainJson(fig, name);
  const layout = fig.layout as Record<string, { text?: string } | undefined>;
  assert.ok(layout["title"]?.text, `${name}: title set`);
  expectSnapshot(`plot-${name}`, fig);
}

const N = [1000, 3000, 10000, 30000];

test("lineFigure: series with a band, a dashed fit, log axes", () => {
  const fig = lineFigure(
    [
      {
        name: "measured",
        x: N,
        ...fromIntervals(
          N.map((n) => ({ mean: 10 / Math.sqrt(n), lo: 9 / Math.sqrt(n), hi: 11 / Math.sqrt(n), n: 3 })),
        ),
      },
      { name: "fit", x: N, y: N.map((n) => 10 / Math.sqrt(n)), dash: "dash", mode: "lines" },
    ],
    {
      title: "Loss against size",
      subtitle: "3 seeds",
      xTitle: "parameters",
      yTitle: "loss (nats)",
      xLog: true,
      yLog: true,
      yRange: [0.01, 1],
    },
  );
  check("line-band", fig);
  assert.equal(fig.data.length, 3, "band + two lines");
  assert.equal((fig.data[0] as { fill?: string }).fill, "toself");
  assert.deepEqual((fig.layout["yaxis"] as { range: number[] }).range, [-2, 0], "log range in decades");
});

test("lineFigure: error bars, and NaN becomes a gap (null)", () => {
  const fig = lineFigure(
    [{ name: "acc", x: [1, 2, 3], y: [0.5, NaN, 0.9], lo: [0.4, NaN, 0.85], hi: [0.6, NaN, 0.95] }],
    {
      title: "Accuracy",
      xTitle: "epoch",
      yTitle: "accuracy",
      errors: "bars",
    },
  );
  check("line-bars", fig);
  const t = fig.data[0] as { y: unknown[]; error_y: { array: number[]; arrayminus: number[] } };
  assert.deepEqual(t.y, [0.5, null, 0.9]);
  assert.ok(Math.abs(t.error_y.array[0] - 0.1) < 1e-12);
  assert.equal(fig.layout["showlegend"], false, "one series: no legend");
});

test("lineFigure: clear errors for missing titles and mismatched lengths", () => {
  assert.throws(() => lineFigure([], { title: "", xTitle: "x", yTitle: "y" }), /options\.title is required/);
  assert.throws(() => lineFigure([], { title: "t", xTitle: "x" } as never), /options\.yTitle is required/);
  assert.throws(
    () => lineFigure([{ name: "s", x: [1, 2], y: [1] }], { title: "t", xTitle: "x", yTitle: "y" }),
    /series "s".*y has length 1 but x has length 2/,
  );
  assert.throws(
    () => lineFigure([{ name: "s", x: [1], y: [1], lo: [0] }], { title: "t", xTitle: "x", yTitle: "y" }),
    /both lo and hi/,
  );
});

test("barFigure: grouped bars with interval error bars", () => {
  const fig = barFigure(
    ["fp32", "int8", "int4"],
    [
      { name: "MLP", y: [0.95, 0.95, 0.94], lo: [0.94, 0.94, 0.92], hi: [0.96, 0.96, 0.95] },
      { name: "GPT", y: [0.9, 0.89, 0.88], lo: [0.88, 0.87, 0.85], hi: [0.92, 0.91, 0.9] },
    ],
    { title: "Accuracy by precision", xTitle: "precision", yTitle: "accuracy", valueDigits: 2 },
  );
  check("bar-grouped", fig);
  assert.equal(fig.layout["barmode"], "group");
  assert.deepEqual((fig.data[1] as { marker: { color: string } }).marker.color, PALETTE[1]);
  assert.throws(
    () => barFigure(["a"], [{ name: "s", y: [1, 2] }], { title: "t", xTitle: "x", yTitle: "y" }),
    /y has length 2 but there are 1 categories/,
  );
});

test("barFigure: horizontal", () => {
  check(
    "bar-horizontal",
    barFigure(["a long category", "b"], [{ name: "v", y: [1, 2] }], {
      title: "H",
      xTitle: "value",
      yTitle: "category",
      orientation: "h",
    }),
  );
});

test("scatterFigure: labels and the diagonal", () => {
  const fig = scatterFigure([{ name: "models", x: [1, 2, 3], y: [1.1, 1.9, 3.2], text: ["a", "b", "c"] }], {
    title: "Predicted against measured",
    xTitle: "measured",
    yTitle: "predicted",
    diagonal: true,
    labels: true,
  });
  check("scatter", fig);
  assert.equal(fig.data.length, 2);
  assert.deepEqual((fig.data[1] as { x: number[] }).x, [1, 3.2]);
  assert.equal((fig.data[0] as { textposition: string }).textposition, "top center");
  // one label position per point, checked against the points
  const placed = scatterFigure(
    [{ name: "m", x: [1, 2], y: [1, 2], text: ["a", "b"], textPosition: ["top right", "bottom left"] }],
    { title: "t", xTitle: "x", yTitle: "y", labels: true },
  );
  assert.deepEqual((placed.data[0] as { textposition: string[] }).textposition, ["top right", "bottom left"]);
  assert.throws(
    () =>
      scatterFigure([{ name: "m", x: [1, 2], y: [1, 2], text: ["a", "b"], textPosition: ["top right"] }], {
        title: "t",
        xTitle: "x",
        yTitle: "y",
      }),
    /textPosition/,
  );
});

test("heatmapFigure: attention map with repeated token labels", () => {
  const toks = ["<bos>", "a", "b", "a"];
  const z = toks.map((_, i) => toks.map((_, j) => (j <= i ? 1 / (i + 1) : 0)));
  const fig = heatmapFigure(z, {
    title: "Attention",
    xTitle: "key",
    yTitle: "query",
    xLabels: toks,
    yLabels: toks,
    zTitle: "weight",
    annotate: true,
  });
  check("heatmap", fig);
  const xaxis = fig.layout["xaxis"] as { tickvals: number[]; ticktext: string[] };
  assert.deepEqual(xaxis.tickvals, [0, 1, 2, 3], "positions, so the two 'a' columns stay apart");
  assert.deepEqual(xaxis.ticktext, toks);
  assert.throws(
    () => heatmapFigure([[1, 2], [3]], { title: "t", xTitle: "x", yTitle: "y" }),
    /row 1 of z has 1 columns but row 0 has 2/,
  );
  assert.throws(
    () => heatmapFigure([[1, 2]], { title: "t", xTitle: "x", yTitle: "y", xLabels: ["a"] }),
    /xLabels has 1 entries but z has 2 columns/,
  );
});

test("heatmapFigure: diverging scale is symmetric around 0", () => {
  const fig = heatmapFigure(
    [
      [-1, 0.5],
      [2, 0],
    ],
    { title: "Weights", xTitle: "in", yTitle: "out", colorscale: "diverging" },
  );
  check("heatmap-diverging", fig);
  const ca = fig.layout["coloraxis"] as { cmin: number; cmax: number };
  assert.deepEqual([ca.cmin, ca.cmax], [-2, 2]);
});

test("heatmapGridFigure: one shared colour axis, a panel per head", () => {
  const z = [
    [1, 0],
    [0.5, 0.5],
  ];
  const fig = heatmapGridFigure(
    [1, 2, 3].map((h) => ({ title: `head ${h}`, z })),
    { title: "Heads", xTitle: "key", yTitle: "query", xLabels: ["a", "b"], yLabels: ["a", "b"], cols: 2 },
  );
  check("heatmap-grid", fig);
  assert.equal(fig.data.length, 3);
  assert.ok(fig.layout["xaxis3"] && fig.layout["yaxis3"]);
  assert.ok(fig.data.every((t) => (t as { coloraxis?: string }).coloraxis === "coloraxis"));
});

test("histogramCounts: hand-computed bins", () => {
  const { edges, counts } = histogramCounts([0, 0.1, 0.5, 0.99, 1, 2, NaN], 2, [0, 1]);
  assert.deepEqual(edges, [0, 0.5, 1]);
  assert.deepEqual(counts, [2, 3], "1 lands in the last bin; 2 and NaN are outside");
  assert.throws(() => histogramCounts([1], 0), /bins must be a positive integer/);
});

test("histogramFigure: shared bins, density, quantization levels as vertical lines", () => {
  const fp = Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7) * 0.5);
  const q = fp.map((v) => Math.round(v * 4) / 4);
  const fig = histogramFigure(
    [
      { name: "fp32", values: fp },
      { name: "int3", values: q },
    ],
    {
      title: "Weights",
      xTitle: "weight",
      yTitle: "density",
      bins: 10,
      normalize: "density",
      verticalLines: [-0.5, -0.25, 0, 0.25, 0.5],
      verticalLineLabels: ["-2", "-1", "0", "1", "2"],
    },
  );
  check("histogram", fig);
  const t = fig.data[0] as { y: number[]; width: number };
  const area = t.y.reduce((a, b) => a + b, 0) * t.width;
  assert.ok(Math.abs(area - 1) < 1e-9, `density integrates to 1 (got ${area})`);
  assert.equal((fig.layout["shapes"] as unknown[]).length, 5);
  const plain = histogramFigure([1, 2, 2, 3], { title: "Counts", xTitle: "v", yTitle: "count", bins: 3 });
  assert.deepEqual((plain.data[0] as { y: number[] }).y, [1, 2, 1]);
});

const history = Array.from({ length: 8 }, (_, i) => ({
  step: i * 10,
  tokens: i * 640,
  trainLoss: 3 / (1 + i),
  evalLoss: i % 2 === 0 ? 3.2 / (1 + i) : undefined,
  lr: 1e-3,
}));

test("lossCurveFigure: one history, train and eval", () => {
  const fig = lossCurveFigure(history);
  check("loss-single", fig);
  assert.deepEqual(
    fig.data.map((t) => t["name"]),
    ["train", "eval"],
  );
  assert.deepEqual((fig.data[1] as { x: number[] }).x, [0, 20, 40, 60]);
});

test("lossCurveFigure: several runs, tokens on x, smoothing", () => {
  const fig = lossCurveFigure(
    [
      { name: "small", history },
      { name: "large", history: history.map((p) => ({ ...p, trainLoss: p.trainLoss / 2 })) },
    ],
    { x: "tokens", smooth: 0.5, title: "Two sizes", yLog: true },
  );
  check("loss-runs", fig);
  assert.equal(fig.data.length, 4);
  const small = fig.data[0] as { y: number[] };
  assert.equal(small.y[0], 3);
  assert.equal(small.y[1], 0.5 * 3 + 0.5 * 1.5, "EMA");
  assert.throws(() => lossCurveFigure([]), /history is empty/);
  assert.throws(() => lossCurveFigure([{ step: 0, trainLoss: 1 }], { x: "tokens" }), /without tokens/);
});

test("withVerticalLines / withHorizontalLines / withLayout return new figures", () => {
  const base = lineFigure([{ name: "s", x: [0, 1], y: [0, 1] }], { title: "t", xTitle: "x", yTitle: "y" });
  const v = withVerticalLines(base, [0.25, 0.75], ["q1", "q3"]);
  const h = withHorizontalLines(v, [0.5], ["chance"], { color: "#D55E00", dash: "dash" });
  check("rules", h);
  assert.equal(base.layout["shapes"], undefined, "input unchanged");
  assert.equal((h.layout["shapes"] as unknown[]).length, 3);
  assert.equal((h.layout["annotations"] as unknown[]).length, 3);
  assert.throws(() => withVerticalLines(base, [1, 2], ["one"]), /2 lines but 1 labels/);
  const l = withLayout(base, { yaxis: { range: [0, 2] }, height: 300 });
  assert.deepEqual((l.layout["yaxis"] as { range: number[]; title: { text: string } }).range, [0, 2]);
  assert.equal((l.layout["yaxis"] as { title: { text: string } }).title.text, "y", "merged, not replaced");
  assert.match(describeFigure(base), /Figure "t": 1 trace/);
});

test("wrapLine: long subtitles break at spaces, existing breaks stay, a long word keeps its line", () => {
  assert.equal(wrapLine("a bb ccc dddd", 6), "a bb<br>ccc<br>dddd");
  assert.equal(wrapLine("one<br>two three", 9), "one<br>two three");
  assert.equal(wrapLine("supercalifragilistic x", 5), "supercalifragilistic<br>x");
  assert.equal(wrapLine("short", 100), "short");
  const layout = themeLayout({ title: "t", subtitle: "word ".repeat(60).trim(), xTitle: "x", yTitle: "y" });
  const sub = (layout["title"] as { subtitle: { text: string } }).subtitle.text;
  assert.ok(
    sub.split("<br>").every((l) => l.length <= 100),
    sub,
  );
  assert.equal((layout["margin"] as { t: number }).t, 70 + 20 * sub.split("<br>").length);
});
