import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { testBackend } from "./run/testing";
import { Rng } from "./rng";
import { dequantize, quantizeMatrix, quantSpec, QuantizedTensor } from "./quantize";
import {
  decodePacked,
  encodePacked,
  float32Bytes,
  loadPacked,
  packNibbles,
  PackedModel,
  savePacked,
  unpackNibbles,
} from "./quant-pack";

test("setup backend", async () => {
  await testBackend();
});

test("nibble packing: two codes per byte, low nibble first, exact inverse", () => {
  assert.deepEqual(Array.from(packNibbles(Uint8Array.from([1, 2, 15, 0, 7]))), [0x21, 0x0f, 0x07]);
  const rng = new Rng(2);
  for (const n of [0, 1, 2, 99, 100]) {
    const codes = Uint8Array.from({ length: n }, () => rng.int(16));
    const packed = packNibbles(codes);
    assert.equal(packed.length, Math.ceil(n / 2));
    assert.deepEqual(unpackNibbles(packed, n), codes);
  }
  assert.throws(() => packNibbles(Uint8Array.from([3, 16])), /4 bits/);
  assert.throws(() => unpackNibbles(new Uint8Array(1), 3), /fewer than 3/);
});

async function model(rng: Rng): Promise<{ pm: PackedModel; tensors: tf.Tensor2D[] }> {
  const a = tf.tensor2d(rng.normalArray(256 * 256, 0, 0.02), [256, 256]);
  const b = tf.tensor2d(rng.normalArray(70 * 30, 0, 0.5), [70, 30]); // ragged groups
  const quantized: Record<string, QuantizedTensor> = {
    "layer.a": await quantizeMatrix(a, quantSpec({ states: 16, granularity: "group", groupSize: 32 })),
    "layer.b": await quantizeMatrix(b, quantSpec({ states: 3, granularity: "channel", symmetric: false, clip: "mse" })),
    "layer.c": await quantizeMatrix(b, quantSpec({ states: 16, scheme: "kmeans", granularity: "tensor", seed: 4 })),
    "layer.d": await quantizeMatrix(b, quantSpec({ states: 9, scheme: "log", granularity: "channel" })),
  };
  const float = { "layer.bias": { shape: [256], values: rng.normalArray(256) } };
  return { pm: { quantized, float }, tensors: [a, b] };
}

test("encode → decode reproduces codes, parameters, dequantized weights and floats exactly", async () => {
  const { pm, tensors } = await model(new Rng(1));
  const back = decodePacked(encodePacked(pm));
  for (const [name, q] of Object.entries(pm.quantized)) {
    const r = back.quantized[name] as QuantizedTensor;
    assert.ok(r, name);
    assert.deepEqual(r.codes, q.codes, `${name} codes`);
    assert.deepEqual(r.params, q.params, `${name} params`);
    assert.deepEqual(r.shape, q.shape);
    const [x, y] = [dequantize(q), dequantize(r)];
    assert.deepEqual(y.dataSync(), x.dataSync(), `${name} dequantized`);
    tf.dispose([x, y]);
  }
  assert.deepEqual(back.float["layer.bias"]?.values, pm.float["layer.bias"]?.values);
  tf.dispose(tensors);
});

test("the file round-trips exactly, is written atomically and is ≤ 0.16 of float32", async () => {
  const rng = new Rng(3);
  const a = tf.tensor2d(rng.normalArray(256 * 256, 0, 0.02), [256, 256]);
  const q = await quantizeMatrix(a, quantSpec({ states: 16, granularity: "group", groupSize: 32 }));
  const pm: PackedModel = { quantized: { w: q }, float: { b: { shape: [256], values: rng.normalArray(256) } } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2b-pack-"));
  try {
    const file = path.join(dir, "m.g2bq");
    const bytes = savePacked(file, pm);
    assert.equal(fs.statSync(file).size, bytes);
    assert.deepEqual(fs.readdirSync(dir), ["m.g2bq"], "no temp file left behind");
    const back = loadPacked(file);
    assert.deepEqual(back.quantized["w"]?.codes, q.codes);
    assert.deepEqual(back.quantized["w"]?.params, q.params);
    const ratio = bytes / float32Bytes(pm);
    // 4 bits + a float16 scale per 32 weights = 4.5 bits = 0.1406 of float32, plus bias and header
    assert.ok(ratio <= 0.16, `size ratio ${ratio}`);
    assert.ok(ratio >= 0.14, `size ratio ${ratio} is below what 4.5 bits per weight allows`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    a.dispose();
  }
});

test("corrupt, truncated and foreign files are clear errors", async () => {
  const { pm, tensors } = await model(new Rng(5));
  const bytes = encodePacked(pm);
  const flipped = bytes.slice();
  flipped[bytes.length - 100] = flipped[bytes.length - 100] ^ 0xff;
  assert.throws(() => decodePacked(flipped), /checksum mismatch/);
  assert.throws(() => decodePacked(bytes.slice(0, bytes.length - 10)), /checksum mismatch/);
  assert.throws(() => decodePacked(new Uint8Array(64)), /bad magic/);
  assert.throws(() => loadPacked(path.join(os.tmpdir(), "does-not-exist.g2bq")), /cannot read packed model/);
  // parameters that are not float16 values or codes that need more than 4 bits are refused at encode time
  const q = pm.quantized["layer.a"] as QuantizedTensor;
  const bad = { ...q, params: Float32Array.from(q.params, (v) => v + 1e-9) };
  assert.throws(() => encodePacked({ quantized: { bad }, float: {} }), /not a float16 value/);
  const wide = await quantizeMatrix(tensors[1] as tf.Tensor2D, quantSpec({ states: 32 }));
  assert.throws(() => encodePacked({ quantized: { wide }, float: {} }), /at most 16/);
  tf.dispose(tensors);
});
