import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../rng";
import { CUED_STREAMS_DEFAULTS, createCuedStreamsTask, sampleCuedStreams } from "./cued-streams";

test("prototypes are distinct ±1 vectors and depend only on the seed", () => {
  const a = createCuedStreamsTask(CUED_STREAMS_DEFAULTS, 1);
  const b = createCuedStreamsTask(CUED_STREAMS_DEFAULTS, 1);
  assert.deepEqual(a.prototypes, b.prototypes);
  assert.equal(a.prototypes.length, CUED_STREAMS_DEFAULTS.numClasses);
  assert.equal(new Set(a.prototypes.map((p) => p.join(","))).size, a.prototypes.length);
  assert.ok(a.prototypes.every((p) => p.every((v) => v === 1 || v === -1)));
  assert.notDeepEqual(createCuedStreamsTask(CUED_STREAMS_DEFAULTS, 2).prototypes, a.prototypes);
});

test("the target is the class of the cued stream; streams are prototype + noise", () => {
  const task = createCuedStreamsTask({ ...CUED_STREAMS_DEFAULTS, streamNoise: 0 }, 3);
  const { numStreams: K, streamDim: D } = task.config;
  const b = sampleCuedStreams(task, new Rng(4), 50);
  for (let i = 0; i < 50; i++) {
    const c = b.cue[i]!;
    assert.ok(c >= 0 && c < K);
    assert.equal(b.target[i], b.classes[i * K + c]);
    for (let k = 0; k < K; k++) {
      const proto = task.prototypes[b.classes[i * K + k]!]!;
      for (let j = 0; j < D; j++) assert.equal(b.streams[(i * K + k) * D + j], proto[j]);
    }
  }
  // Deterministic, and fixed cues are honoured.
  assert.deepEqual(sampleCuedStreams(task, new Rng(4), 50), b);
  const fixed = sampleCuedStreams(task, new Rng(5), 4, [3, 2, 1, 0]);
  assert.deepEqual(Array.from(fixed.cue), [3, 2, 1, 0]);
});

test("bad inputs name the field", () => {
  assert.throws(() => createCuedStreamsTask({ ...CUED_STREAMS_DEFAULTS, numStreams: 1 }, 1), /numStreams/);
  assert.throws(() => createCuedStreamsTask({ ...CUED_STREAMS_DEFAULTS, streamDim: 1, numClasses: 3 }, 1), /numClasses/);
  const task = createCuedStreamsTask(CUED_STREAMS_DEFAULTS, 1);
  assert.throws(() => sampleCuedStreams(task, new Rng(1), 2, [0, 9]), /cue 9/);
  assert.throws(() => sampleCuedStreams(task, new Rng(1), 0), /batchSize/);
});
