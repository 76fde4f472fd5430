import { test } from "node:test";
import assert from "node:assert/strict";
import { barFigure, lineFigure } from "./plot";
import { sliderFigure } from "./slider";
import { assertPlainJson } from "./snapshot";

const softmax = (beta: number, xs: number[]): number[] => {
  const e = xs.map((x) => Math.exp(beta * x));
  const z = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / z);
};
const xs = [-2, -1, 0, 1, 2];
const step = (beta: number) => ({
  label: `β = ${beta}`,
  figure: lineFigure([{ name: "softmax", x: xs, y: softmax(beta, xs) }], {
    title: `softmax at β = ${beta}`,
    xTitle: "x",
    yTitle: "weight",
    yRange: [0, 1],
  }),
});

test("sliderFigure: one frame per step, a slider that animates to each, the active step drawn first", () => {
  const fig = sliderFigure([step(0.5), step(1), step(4)], { prefix: "inverse temperature: ", active: 1 });
  assertPlainJson(fig, "slider");
  assert.deepEqual(
    fig.frames?.map((f) => f.name),
    ["β = 0.5", "β = 1", "β = 4"],
  );
  // The drawn traces are the active step's, and each frame carries its own step's numbers.
  assert.deepEqual(fig.data, step(1).figure.data);
  assert.deepEqual(fig.frames?.[2]?.data, step(4).figure.data);
  assert.notDeepEqual(fig.frames?.[0]?.data, fig.frames?.[2]?.data);
  // The title changes with the step; the axes stay those of the active step.
  assert.deepEqual(fig.frames?.[2]?.layout?.["title"], step(4).figure.layout["title"]);
  assert.deepEqual(fig.layout["yaxis"], step(1).figure.layout["yaxis"]);
  const sliders = fig.layout["sliders"] as Array<{
    active: number;
    steps: Array<{ label: string; method: string; args: [string[], Record<string, unknown>] }>;
  }>;
  assert.equal(sliders.length, 1);
  assert.equal(sliders[0]?.active, 1);
  assert.deepEqual(
    sliders[0]?.steps.map((s) => [s.label, s.method, s.args[0][0]]),
    [
      ["β = 0.5", "animate", "β = 0.5"],
      ["β = 1", "animate", "β = 1"],
      ["β = 4", "animate", "β = 4"],
    ],
  );
  // Room under the x-axis for the slider.
  const m = fig.layout["margin"] as { b: number };
  const m0 = (step(1).figure.layout["margin"] as { b?: number } | undefined)?.b ?? 60;
  assert.ok(m.b > m0, `bottom margin ${m.b} > ${m0}`);
});

test("sliderFigure: errors name the bad step", () => {
  assert.throws(() => sliderFigure([], { prefix: "" }), /steps is empty/);
  assert.throws(() => sliderFigure([step(1), step(1)], { prefix: "" }), /"β = 1" repeats/);
  assert.throws(() => sliderFigure([step(1)], { prefix: "", active: 3 }), /active = 3/);
  const bars = {
    label: "bars",
    figure: barFigure(["a"], [{ name: "s", y: [1] }], { title: "t", xTitle: "x", yTitle: "y" }),
  };
  assert.throws(() => sliderFigure([step(1), bars], { prefix: "" }), /step "bars" has traces \[bar\]/);
});
