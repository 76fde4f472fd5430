/** Takeaway 2's figures and sample table, pure functions of a t2 record (plotly JSON). */
import { AnswerFormat } from "../../data/digits";
import {
  barFigure,
  Figure,
  lineFigure,
  LineSeries,
  scatterFigure,
  Trace,
  withHorizontalLines,
  withVerticalLines,
} from "../../present/plot";
import { toInterval } from "../../stats";
import { cap, type FormatInfo, type T2Record } from "./config";

const FORMAT_LABEL: Record<AnswerFormat, string> = {
  direct: "direct",
  abstract: "abstract CoT",
  verbose: "verbose CoT",
};
const FORMAT_DASH: Record<AnswerFormat, "solid" | "dash" | "dot"> = {
  direct: "solid",
  abstract: "solid",
  verbose: "dash",
};

const iv = toInterval;

/** The figures of a t2 record (pure). */
export function t2Figures(record: T2Record): Record<string, Figure> {
  const d = record.data;
  const m = record.metrics;
  const sub = `profile ${record.profile}, ${record.seeds.length} seed(s), 95% t-intervals over seeds`;
  const acc: LineSeries[] = d.formats.map((f) => {
    const ivs = d.ks.map((k) => iv(m[`acc${cap(f)}_k${k}`]));
    return {
      name: FORMAT_LABEL[f],
      x: [...d.ks],
      y: ivs.map((i) => i.mean),
      lo: ivs.map((i) => i.lo),
      hi: ivs.map((i) => i.hi),
      dash: FORMAT_DASH[f],
    };
  });
  let accFig = lineFigure(acc, {
    title: "Accuracy against the number of operands k",
    subtitle: sub,
    xTitle: "k (operands summed mod 10)",
    yTitle: "accuracy (greedy answer)",
    yRange: [0, 1.02],
    errors: "bars",
  });
  accFig = withVerticalLines(accFig, [d.kMax + 0.5], ["trained ≤ | longer →"]);
  accFig = withHorizontalLines(accFig, [1 / Math.pow(2, d.designHY)], ["chance"]);

  const planeFormats = d.formats.filter((f) => d.info[f] !== undefined);
  const plane = scatterFigure(
    planeFormats.map((f) => {
      const fi = d.info[f] as FormatInfo;
      return {
        name: FORMAT_LABEL[f],
        x: [fi.iXZ.mean],
        y: [fi.iZY.mean],
        lo: [fi.iZY.lo],
        hi: [fi.iZY.hi],
        text: [FORMAT_LABEL[f]],
        size: 12,
      };
    }),
    {
      title: "The information plane of the generated chains",
      subtitle: `Miller–Madow estimates on ${(d.info["abstract"] as FormatInfo).n} pooled samples, bootstrap 95% intervals`,
      xTitle: "I(X;Z): information about the input string kept in the chain (bits)",
      yTitle: "I(Z;Y): answer carried by the chain (bits)",
      labels: true,
      xRange: [-0.4, Math.max(1, iv(m["hX"]).mean) * 1.12],
      yRange: [-0.3, Math.max(1, iv(m["hY"]).mean) * 1.25],
    },
  );
  const hX = iv(m["hX"]).mean;
  const hY = iv(m["hY"]).mean;
  const planeFig = withHorizontalLines(withVerticalLines(plane, [hX], ["H(X)"]), [hY], ["H(Y)"]);
  // Horizontal error bars for I(X;Z).
  const planeData: Trace[] = planeFig.data.map((t, i) => {
    const f = planeFormats[i];
    if (f === undefined) return t;
    const fi = d.info[f] as FormatInfo;
    return {
      ...t,
      error_x: {
        type: "data",
        symmetric: false,
        array: [fi.iXZ.hi - fi.iXZ.mean],
        arrayminus: [fi.iXZ.mean - fi.iXZ.lo],
        thickness: 1.5,
        width: 4,
      },
    };
  });

  const curveSeries: LineSeries[] = [];
  for (const f of ["abstract", "verbose"] as const) {
    const fi = d.info[f];
    if (!fi) continue;
    curveSeries.push({
      name: `I(X;Z) ${FORMAT_LABEL[f]}`,
      x: fi.curves.iXZ.map((p) => p.n),
      y: fi.curves.iXZ.map((p) => p.mean),
      lo: fi.curves.iXZ.map((p) => p.lo),
      hi: fi.curves.iXZ.map((p) => p.hi),
    });
    curveSeries.push({
      name: `I(Z;Y) ${FORMAT_LABEL[f]}`,
      x: fi.curves.iZY.map((p) => p.n),
      y: fi.curves.iZY.map((p) => p.mean),
      lo: fi.curves.iZY.map((p) => p.lo),
      hi: fi.curves.iZY.map((p) => p.hi),
      dash: "dash",
    });
  }
  const fa = d.info["abstract"];
  if (fa) {
    curveSeries.push({
      name: "H(X)",
      x: fa.curves.hX.map((p) => p.n),
      y: fa.curves.hX.map((p) => p.mean),
      color: "#555555",
      dash: "dot",
    });
    curveSeries.push({
      name: "I(X;Z) abstract, plug-in",
      x: fa.curves.iXZplugIn.map((p) => p.n),
      y: fa.curves.iXZplugIn.map((p) => p.mean),
      color: "#999999",
      dash: "dashdot",
    });
  }
  const curveFig = lineFigure(curveSeries, {
    title: "Estimates against sample count",
    subtitle: "subsamples without replacement from the pooled samples; bands: 2.5–97.5% over subsamples",
    xTitle: "samples N",
    yTitle: "bits (Miller–Madow)",
    xLog: true,
  });

  const cats = [`k = ${d.kMax} (trained)`, "longer k", "new characters", "known characters, new roles"];
  const bars = barFigure(
    cats,
    d.formats.map((f) => {
      const ivs = [
        iv(m[`acc${cap(f)}_k${d.kMax}`]),
        iv(m[`acc${cap(f)}Longer`]),
        iv(m[`acc${cap(f)}Unseen`]),
        iv(m[`acc${cap(f)}Recombined`]),
      ];
      return { name: FORMAT_LABEL[f], y: ivs.map((i) => i.mean), lo: ivs.map((i) => i.lo), hi: ivs.map((i) => i.hi) };
    }),
    {
      title: "Generalisation: longer problems and new surface forms",
      subtitle: sub,
      xTitle: "test set",
      yTitle: "accuracy",
      yRange: [0, 1.02],
    },
  );

  const lossSeries: LineSeries[] = d.formats.map((f) => {
    const rs = d.runs.filter((r) => r.format === f);
    const h = rs[0]?.history ?? [];
    return { name: FORMAT_LABEL[f], x: h.map((p) => p.step), y: h.map((p) => p.trainLoss), mode: "lines" as const };
  });
  const lossFig = lineFigure(lossSeries, {
    title: "Training loss (first seed)",
    subtitle: "mean cross-entropy over the generated part (chain + answer)",
    xTitle: "training step",
    yTitle: "loss (nats / token)",
  });

  return {
    "accuracy-vs-k": accFig,
    "information-plane": { data: planeData, layout: planeFig.layout },
    "mi-vs-samples": curveFig,
    generalisation: bars,
    "loss-curves": lossFig,
  };
}

/** Sample chains of the first seed as table rows (for `showTable`). */
export function t2SampleRows(record: T2Record): Array<Record<string, string>> {
  const d = record.data;
  const first = d.runs[0]?.seed;
  return d.runs
    .filter((r) => r.seed === first)
    .flatMap((r) =>
      r.samples.map((s) => ({
        format: r.format,
        test: s.group,
        input: JSON.stringify(s.input),
        generated: s.output,
        target: s.target,
        correct: s.correct ? "yes" : "no",
      })),
    );
}
