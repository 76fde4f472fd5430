import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveConfig, runExperiment } from "../../run/experiment";
import { testBackend } from "../../run/testing";
import {
  experiment,
  fitLadder,
  sizeSliderFigure,
  t4LearningRate,
  t4RuleLearningRate,
  trainLadder,
  type T4Config,
  type T4Record,
} from "./index";

const TINY: Partial<T4Config> = {
  sizes: [
    { dModel: 2, nLayer: 1, nHead: 1 },
    { dModel: 4, nLayer: 1, nHead: 1 },
    { dModel: 6, nLayer: 1, nHead: 2 },
    { dModel: 4, nLayer: 2, nHead: 1 },
  ],
  batchSize: 4,
  tokens: [512, 1024],
  seedsPerCell: 1,
  checkpoints: 2,
  evalBatches: 1,
  headToHeadItems: 8,
  bootstrapReps: 2,
};

test("t4 parts: trainLadder with the sweep's rule trains its replicate-0 runs at the largest budget, without it the prior rule; fitLadder; the size slider", async () => {
  await testBackend();
  const record = (await runExperiment(experiment, {
    profile: "smoke",
    seed: 5,
    overrides: TINY,
    save: false,
  })) as T4Record;
  const config = resolveConfig(experiment, "smoke", TINY);
  const rule = record.data.lrSweep?.rule;
  assert.ok(rule, "the smoke record has a learning-rate sweep");
  const ladder = await trainLadder(config, 5, { rule });
  // The depth-1 sizes, smallest N first, at 1024 tokens: the very runs of the sweep (same seeds, same losses).
  assert.deepEqual(
    ladder.runs.map((r) => [r.dModel, r.nLayer, r.tokens]),
    [
      [2, 1, 1024],
      [4, 1, 1024],
      [6, 1, 1024],
    ],
  );
  for (const r of ladder.runs) {
    const same = record.data.runs.find(
      (q) => q.replicate === 0 && q.dModel === r.dModel && q.nLayer === r.nLayer && q.tokens === r.tokens,
    );
    assert.ok(same, `sweep run d${r.dModel}`);
    assert.equal(r.finalLoss, same.finalLoss, `d${r.dModel}: the by-hand loss is the sweep's`);
    assert.deepEqual(r.scores, same.scores);
  }
  assert.ok(Math.abs(ladder.entropyRate - record.data.language.entropyRate) < 1e-12);
  const fit = fitLadder(ladder);
  assert.ok(Number.isFinite(fit.alphaPinned) && Number.isFinite(fit.alphaFree) && Number.isFinite(fit.gamma));
  // The pinned fit is a straight line through log(L − E) against log N: check it against two points by hand.
  const [a, b] = [ladder.runs[0]!, ladder.runs[2]!];
  const slope2 =
    (Math.log(b.finalLoss - ladder.entropyRate) - Math.log(a.finalLoss - ladder.entropyRate)) /
    (Math.log(b.n) - Math.log(a.n));
  assert.ok(Math.sign(-slope2) === Math.sign(fit.alphaPinned) || Math.abs(slope2) < 0.05);
  await assert.rejects(trainLadder(config, 5, { sizes: [] }), /no sizes/);
  // Without the rule: the prior rule's learning rates, so not the sweep's runs.
  const prior = await trainLadder(config, 5, {
    sizes: ladder.runs.slice(0, 1).map((r) => ({ dModel: r.dModel, nLayer: r.nLayer, nHead: r.nHead })),
  });
  assert.equal(prior.runs[0]!.lr, t4LearningRate(prior.runs[0]!.n, config));
  assert.equal(ladder.runs[0]!.lr, t4RuleLearningRate(ladder.runs[0]!.n, rule));
  assert.notEqual(prior.runs[0]!.lr, ladder.runs[0]!.lr);

  // The slider: one frame per size (all four, both depths), every frame with the same traces.
  const fig = sizeSliderFigure(record);
  const ns = [...new Set(record.data.meanRuns.map((r) => r.n))].sort((x, y) => x - y);
  assert.deepEqual(
    fig.frames?.map((f) => f.name),
    ns.map((n) => `N = ${n}`),
  );
  for (const f of fig.frames ?? []) assert.equal(f.data.length, record.data.meanRuns.length + 1);
  assert.ok(experiment.figures(record)["size-slider"]);
});
