/**
 * A real packed 4-bit weight format: two codes per byte plus float16 parameters (scales, offsets or
 * codebooks) per group, the same idea as GGML's Q4_0 blocks. Matrices that are not quantized (biases,
 * LayerNorm gains) travel as float32. The file is written atomically and ends with a CRC-32, so a
 * truncated or corrupted file is a clear error rather than silently wrong weights.
 *
 * Layout: `"G2BQ4PK1"` (8 bytes) · header length (uint32 LE) · header JSON (UTF-8) · payload · CRC-32
 * (uint32 LE) of everything before it. The header lists every entry with its byte range in the payload.
 */
import * as fs from "fs";
import * as zlib from "zlib";
import { writeFileAtomic } from "./run/results";
import {
  float16Bits,
  float16FromBits,
  groupLayout,
  paramsPerGroup,
  quantSpec,
  QuantizedTensor,
  QuantSpec,
} from "./quantize";

const MAGIC = "G2BQ4PK1";
const FORMAT = "gen2brain-packed-int4";
const VERSION = 1;

/** A float32 array that is stored as is. */
export interface FloatEntry {
  readonly shape: ReadonlyArray<number>;
  readonly values: Float32Array;
}

/** What a packed file holds: quantized matrices (≤ 16 states) and float32 tensors, by name. */
export interface PackedModel {
  readonly quantized: Readonly<Record<string, QuantizedTensor>>;
  readonly float: Readonly<Record<string, FloatEntry>>;
}

/** Pack codes in [0, 16) two per byte, the first in the low nibble. */
export function packNibbles(codes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(codes.length / 2));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c > 15) throw new Error(`packNibbles: code ${c} at index ${i} does not fit in 4 bits; use at most 16 states`);
    out[i >> 1] = out[i >> 1] | (i & 1 ? c << 4 : c);
  }
  return out;
}

/** Inverse of {@link packNibbles}: the first `n` codes. */
export function unpackNibbles(bytes: Uint8Array, n: number): Uint8Array {
  if (bytes.length < Math.ceil(n / 2))
    throw new Error(`unpackNibbles: ${bytes.length} bytes hold fewer than ${n} codes`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i & 1 ? bytes[i >> 1] >> 4 : bytes[i >> 1] & 15;
  return out;
}

/** The fields of a spec that dequantization needs (clip rule and k-means seed only matter when quantizing). */
type StoredSpec = Pick<QuantSpec, "states" | "scheme" | "symmetric" | "granularity" | "groupSize" | "byRow">;

interface QuantHeader {
  readonly name: string;
  readonly kind: "int4";
  readonly shape: [number, number];
  /** Index into the header's list of quantizers (shared by the entries that use the same one). */
  readonly spec: number;
  readonly numGroups: number;
  readonly groupLen: number;
  /** [offset, bytes] of the packed codes and of the float16 parameters in the payload. */
  readonly codes: [number, number];
  readonly params: [number, number];
}
interface FloatHeader {
  readonly name: string;
  readonly kind: "float32";
  readonly shape: number[];
  readonly values: [number, number];
}
interface Header {
  readonly format: string;
  readonly version: number;
  readonly specs: StoredSpec[];
  readonly entries: Array<QuantHeader | FloatHeader>;
}

/** The bytes of a packed model (see the module comment for the layout). */
export function encodePacked(model: PackedModel): Uint8Array {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const add = (b: Uint8Array): [number, number] => {
    chunks.push(b);
    const r: [number, number] = [offset, b.length];
    offset += b.length;
    return r;
  };
  const entries: Array<QuantHeader | FloatHeader> = [];
  const specIndex = new Map<string, number>();
  for (const [name, q] of Object.entries(model.quantized)) {
    if (q.spec.states > 16)
      throw new Error(`encodePacked: "${name}" has ${q.spec.states} states; the 4-bit format holds at most 16`);
    if (q.codes.length !== q.numGroups * q.groupLen)
      throw new Error(`encodePacked: "${name}" has ${q.codes.length} codes, expected ${q.numGroups * q.groupLen}`);
    const codes = add(packNibbles(q.codes));
    const p = new Uint8Array(q.params.length * 2);
    const dv = new DataView(p.buffer);
    for (let i = 0; i < q.params.length; i++) {
      const v = q.params[i];
      const h = float16Bits(v);
      if (float16FromBits(h) !== v)
        throw new Error(
          `encodePacked: "${name}" parameter ${i} (${v}) is not a float16 value; quantize with quantizeMatrix`,
        );
      dv.setUint16(i * 2, h, true);
    }
    const { states, scheme, symmetric, granularity, groupSize, byRow } = q.spec;
    const key = JSON.stringify({ states, scheme, symmetric, granularity, groupSize, byRow });
    if (!specIndex.has(key)) specIndex.set(key, specIndex.size);
    entries.push({
      name,
      kind: "int4",
      shape: [q.shape[0], q.shape[1]],
      spec: specIndex.get(key) as number,
      numGroups: q.numGroups,
      groupLen: q.groupLen,
      codes,
      params: add(p),
    });
  }
  for (const [name, f] of Object.entries(model.float)) {
    const n = f.shape.reduce((a, b) => a * b, 1);
    if (n !== f.values.length)
      throw new Error(`encodePacked: "${name}" has ${f.values.length} values for shape [${f.shape.join(", ")}]`);
    const b = new Uint8Array(n * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < n; i++) dv.setFloat32(i * 4, f.values[i], true);
    entries.push({ name, kind: "float32", shape: [...f.shape], values: add(b) });
  }
  const specs = [...specIndex.keys()].map((k) => JSON.parse(k) as StoredSpec);
  const header: Header = { format: FORMAT, version: VERSION, specs, entries };
  const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
  const total = 8 + 4 + headerBytes.length + offset + 4;
  const out = new Uint8Array(total);
  out.set(Buffer.from(MAGIC, "latin1"), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  let at = 12 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  dv.setUint32(at, zlib.crc32(out.subarray(0, at)) >>> 0, true);
  return out;
}

/** Parse bytes written by {@link encodePacked}; corrupt, truncated or foreign bytes are an error saying which. */
export function decodePacked(bytes: Uint8Array, source = "packed model"): PackedModel {
  if (bytes.length < 16 || Buffer.from(bytes.subarray(0, 8)).toString("latin1") !== MAGIC) {
    throw new Error(`${source}: not a gen2brain packed int4 file (bad magic); write it with savePacked`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = dv.getUint32(bytes.length - 4, true);
  const actual = zlib.crc32(bytes.subarray(0, bytes.length - 4)) >>> 0;
  if (stored !== actual) throw new Error(`${source}: checksum mismatch (file truncated or corrupted); save it again`);
  const hlen = dv.getUint32(8, true);
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(12, 12 + hlen)).toString("utf8")) as Header;
  } catch (e) {
    throw new Error(`${source}: unreadable header (${e instanceof Error ? e.message : String(e)})`);
  }
  if (header.format !== FORMAT || header.version !== VERSION) {
    throw new Error(`${source}: format ${header.format} v${header.version} is not ${FORMAT} v${VERSION}`);
  }
  const payload = bytes.subarray(12 + hlen, bytes.length - 4);
  const slice = (r: [number, number], what: string): Uint8Array => {
    if (r[0] < 0 || r[0] + r[1] > payload.length) throw new Error(`${source}: ${what} lies outside the payload`);
    return payload.subarray(r[0], r[0] + r[1]);
  };
  const quantized: Record<string, QuantizedTensor> = {};
  const float: Record<string, FloatEntry> = {};
  for (const e of header.entries) {
    if (e.kind === "int4") {
      let spec: QuantSpec;
      try {
        const stored = header.specs?.[e.spec];
        if (stored === undefined) throw new Error(`quantizer #${e.spec} is not in the header`);
        spec = quantSpec(stored);
      } catch (err) {
        throw new Error(
          `${source}: "${e.name}" has an invalid quantizer (${err instanceof Error ? err.message : String(err)})`,
        );
      }
      const layout = groupLayout(e.shape, spec);
      if (layout.numGroups !== e.numGroups || layout.groupLen !== e.groupLen) {
        throw new Error(
          `${source}: "${e.name}" declares ${e.numGroups}×${e.groupLen} groups, but shape [${e.shape.join(", ")}] gives ${layout.numGroups}×${layout.groupLen}`,
        );
      }
      const n = e.numGroups * e.groupLen;
      const codes = unpackNibbles(slice(e.codes, `codes of "${e.name}"`), n);
      const pb = slice(e.params, `parameters of "${e.name}"`);
      const expected = e.numGroups * paramsPerGroup(spec);
      if (pb.length !== expected * 2)
        throw new Error(`${source}: "${e.name}" has ${pb.length / 2} parameters, expected ${expected}`);
      const pdv = new DataView(pb.buffer, pb.byteOffset, pb.byteLength);
      const params = new Float32Array(expected);
      for (let i = 0; i < expected; i++) params[i] = float16FromBits(pdv.getUint16(i * 2, true));
      quantized[e.name] = {
        shape: [e.shape[0], e.shape[1]],
        spec,
        numGroups: e.numGroups,
        groupLen: e.groupLen,
        codes,
        params,
      };
    } else if (e.kind === "float32") {
      const b = slice(e.values, `values of "${e.name}"`);
      const fdv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const values = new Float32Array(b.length / 4);
      for (let i = 0; i < values.length; i++) values[i] = fdv.getFloat32(i * 4, true);
      float[e.name] = { shape: e.shape, values };
    } else {
      throw new Error(`${source}: entry of unknown kind ${(e as { kind: string }).kind}`);
    }
  }
  return { quantized, float };
}

/** Write a packed model atomically; returns the number of bytes written. */
export function savePacked(file: string, model: PackedModel): number {
  const bytes = encodePacked(model);
  writeFileAtomic(file, bytes);
  return bytes.length;
}

/** Read a packed model written by {@link savePacked}. */
export function loadPacked(file: string): PackedModel {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`${file}: cannot read packed model (${e instanceof Error ? e.message : String(e)})`);
  }
  return decodePacked(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
}

/** Bytes the same tensors take as plain float32 (the baseline of the size ratio). */
export function float32Bytes(model: PackedModel): number {
  let n = 0;
  for (const q of Object.values(model.quantized)) n += q.shape[0] * q.shape[1];
  for (const f of Object.values(model.float)) n += f.values.length;
  return 4 * n;
}
