/**
 * Checkpoints: a model's weights and config, its tokenizer, the optimizer state, the step and the
 * batch sampler's RNG state, saved to a directory atomically (written to a temp directory beside it,
 * then renamed into place), so that training killed part-way resumes bit-identically.
 *
 * Layout of `<dir>/`:
 * - `checkpoint.json`: format, version, model kind and config, step, tokens, rng, train config,
 *   history, a manifest of every tensor (group, name, shape, byte offset) and a SHA-256 per file;
 * - `tensors.bin`: the float32 tensors (little-endian), weights then Adam's m and v;
 * - `tokenizer.json` (when a tokenizer is saved).
 * Loading verifies the checksums and every name and shape; a mismatch is an error naming it.
 */
import * as tf from "@tensorflow/tfjs";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { toJson } from "./run/results";
import type { RngState } from "./rng";
import {
  type Tokenizer,
  type TokenizerJSON,
  tokenizerFromJSON,
  type CharTokenizer,
  type WordTokenizer,
} from "./tokenizer";
import type { AdamWState, HistoryRecord, TrainConfig, TrainOptions, TrainResult, TrainState } from "./train";
import { GPT, type GPTConfig, gptConfig, type TrainableModel, type WeightMap } from "./transformer";

export const CHECKPOINT_FORMAT = "gen2brain-checkpoint";
export const CHECKPOINT_VERSION = 1;

type Group = "weights" | "m" | "v";

interface TensorEntry {
  readonly group: Group;
  readonly name: string;
  readonly shape: number[];
  /** Byte offset in tensors.bin. */
  readonly offset: number;
  /** Number of float32 values. */
  readonly length: number;
}

/** The parsed `checkpoint.json`. */
export interface CheckpointMeta {
  readonly format: string;
  readonly version: number;
  /** "gpt" for {@link GPT}, else whatever the caller named its model. */
  readonly kind: string;
  readonly modelConfig: unknown;
  readonly step: number;
  readonly tokens: number;
  readonly rng?: RngState;
  readonly optimizerStep?: number;
  readonly trainConfig?: TrainConfig;
  readonly history?: HistoryRecord[];
  readonly extra?: unknown;
  readonly tensors: TensorEntry[];
  readonly files: Record<string, { bytes: number; sha256: string }>;
  readonly createdAt: string;
}

/** What to save. */
export interface SaveCheckpointInput {
  /** A GPT (kind "gpt", config saved) or any trainable model (give `kind` and `modelConfig`). */
  readonly model: GPT | TrainableModel;
  readonly kind?: string;
  readonly modelConfig?: unknown;
  readonly tokenizer?: Tokenizer;
  /** Trainer state (optimizer, rng, step, history) for exact resumption. */
  readonly trainState?: TrainState;
  readonly trainConfig?: TrainConfig;
  /** Anything JSON-serialisable the caller wants back. */
  readonly extra?: unknown;
}

/** What {@link loadCheckpoint} returns. */
export interface LoadedCheckpoint {
  readonly meta: CheckpointMeta;
  readonly weights: WeightMap;
  readonly tokenizer?: CharTokenizer | WordTokenizer;
  /** Present when the checkpoint holds optimizer state and rng. */
  readonly trainState?: TrainState;
}

function sha256(buf: Uint8Array): string {
  return createHash("sha256").update(buf).digest("hex");
}

function writeSync(file: string, content: Uint8Array): void {
  const fd = fs.openSync(file, "w");
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function weightsOf(model: GPT | TrainableModel): Promise<WeightMap> {
  if (model instanceof GPT) return model.readWeights();
  const out: WeightMap = {};
  for (const [n, v] of Object.entries(model.namedWeights())) out[n] = (await v.data()) as Float32Array;
  return out;
}

function shapesOf(model: GPT | TrainableModel): Record<string, number[]> {
  if (model instanceof GPT) return model.shapes();
  return Object.fromEntries(Object.entries(model.namedWeights()).map(([n, v]) => [n, [...v.shape]]));
}

/**
 * Save a checkpoint to `dir` atomically: everything goes to `<dir>.tmp-*` first, then replaces `dir`
 * by renames, so a crash leaves either the old checkpoint or the new one, never half of one.
 */
export async function saveCheckpoint(dir: string, input: SaveCheckpointInput): Promise<void> {
  const isGpt = input.model instanceof GPT;
  const kind = input.kind ?? (isGpt ? "gpt" : undefined);
  if (kind === undefined)
    throw new Error('saveCheckpoint: kind is required for a model that is not a GPT (e.g. kind: "hopfield")');
  const modelConfig = input.modelConfig ?? (isGpt ? (input.model as GPT).config : undefined);
  const weights = await weightsOf(input.model);
  const shapes = shapesOf(input.model);
  const entries: TensorEntry[] = [];
  const arrays: Float32Array[] = [];
  let offset = 0;
  const add = (group: Group, name: string, a: Float32Array): void => {
    entries.push({ group, name, shape: shapes[name] ?? [a.length], offset, length: a.length });
    arrays.push(a);
    offset += a.length * 4;
  };
  for (const [n, a] of Object.entries(weights)) add("weights", n, a);
  const opt: AdamWState | undefined = input.trainState?.optimizer;
  if (opt) {
    for (const [n, a] of Object.entries(opt.m)) add("m", n, a);
    for (const [n, a] of Object.entries(opt.v)) add("v", n, a);
  }
  const bin = new Uint8Array(offset);
  let at = 0;
  for (const a of arrays) {
    bin.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  const files: Record<string, { bytes: number; sha256: string }> = {
    "tensors.bin": { bytes: bin.byteLength, sha256: sha256(bin) },
  };
  let tokText: Uint8Array | undefined;
  if (input.tokenizer) {
    tokText = Buffer.from(toJson(input.tokenizer.toJSON()), "utf8");
    files["tokenizer.json"] = { bytes: tokText.byteLength, sha256: sha256(tokText) };
  }
  const ts = input.trainState;
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    kind,
    modelConfig: modelConfig ?? null,
    step: ts?.step ?? 0,
    tokens: ts?.tokens ?? 0,
    ...(ts ? { rng: ts.rng, optimizerStep: ts.optimizer.step, history: ts.history } : {}),
    ...(input.trainConfig ? { trainConfig: input.trainConfig } : {}),
    ...(input.extra !== undefined ? { extra: input.extra } : {}),
    tensors: entries,
    files,
    createdAt: new Date().toISOString(),
  };

  const abs = path.resolve(dir);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const tmp = `${abs}.tmp-${tag}`;
  const old = `${abs}.old-${tag}`;
  try {
    fs.mkdirSync(tmp);
    writeSync(path.join(tmp, "tensors.bin"), bin);
    if (tokText) writeSync(path.join(tmp, "tokenizer.json"), tokText);
    writeSync(path.join(tmp, "checkpoint.json"), Buffer.from(toJson(meta), "utf8"));
    if (fs.existsSync(abs)) fs.renameSync(abs, old);
    fs.renameSync(tmp, abs);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(abs) && fs.existsSync(old)) fs.renameSync(old, abs);
    throw e;
  }
  fs.rmSync(old, { recursive: true, force: true });
}

/** True when `dir` holds a checkpoint (checkpoint.json exists). */
export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, "checkpoint.json"));
}

function readFile(dir: string, name: string, what: string): Buffer {
  const file = path.join(dir, name);
  if (!fs.existsSync(file))
    throw new Error(
      `checkpoint ${dir}: ${what} file ${name} is missing; the checkpoint is incomplete, delete it and retrain`,
    );
  return fs.readFileSync(file);
}

/**
 * Load and verify a checkpoint (format, version, checksums, manifest). Does not build a model: see
 * {@link loadGPT} / {@link restoreWeights}.
 */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  if (!fs.existsSync(dir)) throw new Error(`checkpoint ${dir}: directory does not exist`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(readFile(dir, "checkpoint.json", "metadata").toString("utf8")) as CheckpointMeta;
  } catch (e) {
    throw new Error(
      `checkpoint ${dir}: checkpoint.json is corrupt (${e instanceof Error ? e.message : String(e)}); delete the checkpoint and retrain`,
    );
  }
  if (meta.format !== CHECKPOINT_FORMAT)
    throw new Error(`checkpoint ${dir}: format is ${JSON.stringify(meta.format)}, expected "${CHECKPOINT_FORMAT}"`);
  if (meta.version !== CHECKPOINT_VERSION)
    throw new Error(
      `checkpoint ${dir}: version ${meta.version} is not supported (this code reads version ${CHECKPOINT_VERSION})`,
    );
  for (const field of ["kind", "tensors", "files", "step"] as const) {
    if (meta[field] === undefined) throw new Error(`checkpoint ${dir}: checkpoint.json field "${field}" is missing`);
  }
  const bufs: Record<string, Buffer> = {};
  for (const [name, info] of Object.entries(meta.files)) {
    const buf = readFile(dir, name, "data");
    if (buf.byteLength !== info.bytes)
      throw new Error(
        `checkpoint ${dir}: ${name} has ${buf.byteLength} bytes, expected ${info.bytes} (truncated or corrupt)`,
      );
    if (sha256(buf) !== info.sha256) throw new Error(`checkpoint ${dir}: ${name} fails its SHA-256 check (corrupt)`);
    bufs[name] = buf;
  }
  const bin = bufs["tensors.bin"];
  if (bin === undefined) throw new Error(`checkpoint ${dir}: checkpoint.json lists no tensors.bin`);
  const groups: Record<Group, WeightMap> = { weights: {}, m: {}, v: {} };
  for (const e of meta.tensors) {
    if (e.offset + e.length * 4 > bin.byteLength)
      throw new Error(`checkpoint ${dir}: tensor ${e.group}/${e.name} lies outside tensors.bin (corrupt)`);
    // Copy into a fresh, aligned buffer.
    const a = new Float32Array(e.length);
    new Uint8Array(a.buffer).set(bin.subarray(e.offset, e.offset + e.length * 4));
    groups[e.group][e.name] = a;
  }
  const tokBuf = bufs["tokenizer.json"];
  const tokenizer = tokBuf ? tokenizerFromJSON(JSON.parse(tokBuf.toString("utf8")) as TokenizerJSON) : undefined;
  let trainState: TrainState | undefined;
  if (meta.rng !== undefined && meta.optimizerStep !== undefined) {
    trainState = {
      step: meta.step,
      tokens: meta.tokens,
      rng: meta.rng,
      optimizer: { step: meta.optimizerStep, m: groups.m, v: groups.v },
      history: meta.history ?? [],
    };
  }
  return { meta, weights: groups.weights, ...(tokenizer ? { tokenizer } : {}), ...(trainState ? { trainState } : {}) };
}

/**
 * Compare a checkpoint's GPT config with an expected one; throws naming every field that differs.
 */
export function checkGPTConfig(dir: string, saved: unknown, expected: GPTConfig): void {
  const s = saved as Record<string, unknown>;
  const diffs: string[] = [];
  for (const [k, v] of Object.entries(expected))
    if (s?.[k] !== v) diffs.push(`${k}: checkpoint has ${JSON.stringify(s?.[k])}, model has ${JSON.stringify(v)}`);
  if (diffs.length > 0) throw new Error(`checkpoint ${dir}: model config does not match (${diffs.join("; ")})`);
}

/** Copy a checkpoint's weights into an existing model; names and sizes must match exactly. */
export function restoreWeights(
  dir: string,
  model: GPT | TrainableModel,
  ckpt: LoadedCheckpoint = loadCheckpoint(dir),
): LoadedCheckpoint {
  if (model instanceof GPT) {
    if (ckpt.meta.kind !== "gpt") throw new Error(`checkpoint ${dir}: holds a "${ckpt.meta.kind}" model, not a GPT`);
    checkGPTConfig(dir, ckpt.meta.modelConfig, model.config);
  }
  const vars = model.namedWeights();
  for (const [n, v] of Object.entries(vars)) {
    const a = ckpt.weights[n];
    if (a === undefined) throw new Error(`checkpoint ${dir}: weight "${n}" is missing`);
    if (a.length !== v.size)
      throw new Error(
        `checkpoint ${dir}: weight "${n}" has ${a.length} values, the model has ${v.size} (shape [${v.shape.join(", ")}])`,
      );
  }
  for (const n of Object.keys(ckpt.weights))
    if (!(n in vars)) throw new Error(`checkpoint ${dir}: weight "${n}" is not in the model`);
  if (model instanceof GPT) model.setWeights(ckpt.weights);
  else
    for (const [n, v] of Object.entries(vars))
      tf.tidy(() => v.assign(tf.tensor(ckpt.weights[n] as Float32Array, v.shape, "float32")));
  return ckpt;
}

/** Build a GPT from a checkpoint (config and weights), with its tokenizer and train state. Dispose the model. */
export function loadGPT(dir: string): {
  model: GPT;
  tokenizer?: CharTokenizer | WordTokenizer;
  trainState?: TrainState;
  meta: CheckpointMeta;
} {
  const ckpt = loadCheckpoint(dir);
  if (ckpt.meta.kind !== "gpt") throw new Error(`checkpoint ${dir}: holds a "${ckpt.meta.kind}" model, not a GPT`);
  let config: GPTConfig;
  try {
    config = gptConfig(ckpt.meta.modelConfig as Partial<GPTConfig>);
  } catch (e) {
    throw new Error(`checkpoint ${dir}: saved model config is invalid: ${e instanceof Error ? e.message : String(e)}`);
  }
  const model = new GPT(config, ckpt.weights);
  return {
    model,
    meta: ckpt.meta,
    ...(ckpt.tokenizer ? { tokenizer: ckpt.tokenizer } : {}),
    ...(ckpt.trainState ? { trainState: ckpt.trainState } : {}),
  };
}

/**
 * An `onStep` callback for trainModel that saves a checkpoint every `every` steps (and at the last
 * step when `numSteps` is given).
 */
export function checkpointEvery(
  dir: string,
  every: number,
  input: Omit<SaveCheckpointInput, "trainState">,
  numSteps?: number,
): NonNullable<TrainOptions["onStep"]> {
  if (!Number.isInteger(every) || every < 1)
    throw new Error(`checkpointEvery: every must be a positive integer, got ${every}`);
  return async (record, state) => {
    if (record.step % every === 0 || record.step === numSteps)
      await saveCheckpoint(dir, { ...input, trainState: await state() });
  };
}

/** Save the end state of a training run (weights, optimizer, rng, history). */
export async function saveTrainResult(
  dir: string,
  input: Omit<SaveCheckpointInput, "trainState">,
  result: TrainResult,
): Promise<void> {
  await saveCheckpoint(dir, { ...input, trainState: result.state });
}
