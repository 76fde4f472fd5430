import { test } from "node:test";
import assert from "node:assert/strict";
import { accuracyOf, bayesAccuracy, bayesPredict, CLASSIFICATION_DEFAULTS, makeClassificationTask } from "./classification";

const small = { inputDim: 4, numClasses: 3, clustersPerClass: 2, trainSize: 600, testSize: 300 };

test("same seed → identical task; another seed → another task", () => {
  const a = makeClassificationTask(small, 7);
  const b = makeClassificationTask(small, 7);
  const c = makeClassificationTask(small, 8);
  assert.deepEqual(a.xTrain, b.xTrain);
  assert.deepEqual(a.yTest, b.yTest);
  assert.deepEqual(a.centers, b.centers);
  assert.notDeepEqual(a.centers, c.centers);
});

test("shapes, label range and roughly balanced classes", () => {
  const t = makeClassificationTask(small, 1);
  assert.equal(t.xTrain.length, 600 * 4);
  assert.equal(t.yTrain.length, 600);
  assert.equal(t.xTest.length, 300 * 4);
  assert.equal(t.centers.length, 3 * 2 * 4);
  const counts = [0, 0, 0];
  for (const y of t.yTrain) counts[y] = counts[y] + 1;
  for (const n of counts) assert.ok(n > 150 && n < 250, `class count ${n}`);
  // train and test are different draws
  assert.notDeepEqual(t.xTrain.subarray(0, 4), t.xTest.subarray(0, 4));
});

test("Bayes classifier: exact at the cluster centres, below 100% with overlap, above chance", () => {
  const t = makeClassificationTask(small, 3);
  const pred = bayesPredict(t, t.centers);
  // each centre is classified as its own class when clusters are far apart relative to the noise
  const far = makeClassificationTask({ ...small, noiseStd: 0.05 }, 3);
  const farPred = bayesPredict(far, far.centers);
  assert.deepEqual(Array.from(farPred), [0, 0, 1, 1, 2, 2]);
  assert.equal(pred.length, 6);
  assert.ok(bayesAccuracy(far) > 0.99);
  const hard = makeClassificationTask({ ...CLASSIFICATION_DEFAULTS, trainSize: 10, testSize: 2000 }, 1);
  const acc = bayesAccuracy(hard);
  assert.ok(acc > 0.5 && acc < 0.99, `default task Bayes accuracy ${acc} should be well below 1 and far above chance`);
  assert.equal(accuracyOf([1, 2, 3], [1, 0, 3]), 2 / 3);
});

test("bad configs are clear errors naming the field", () => {
  assert.throws(() => makeClassificationTask({ numClasses: 1 }, 1), /ClassificationConfig\.numClasses/);
  assert.throws(() => makeClassificationTask({ noiseStd: 0 }, 1), /ClassificationConfig\.noiseStd/);
  assert.throws(() => makeClassificationTask({ trainSize: 1.5 }, 1), /ClassificationConfig\.trainSize/);
});
