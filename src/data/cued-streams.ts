/**
 * The cued-streams task of takeaway 3, part 4 (top-down attention; Gros 2025 §4).
 *
 * K sensory streams arrive at once; each stream shows one of C categories (a fixed ±1 prototype of D
 * features plus Gaussian noise). A cue names one stream; the answer is the category of the cued stream.
 * Nothing in the streams says which one is cued, so the system can only answer by routing the cue to the
 * streams: a controller turns the cue into gains, a processor reads the gain-modulated streams
 * (src/attention-system.ts).
 */
import { checkRange } from "../config";
import { Rng } from "../rng";

/** Shape of the cued-streams task. */
export interface CuedStreamsConfig {
  /** Number of streams K (= number of cues). */
  readonly numStreams: number;
  /** Features per stream D. */
  readonly streamDim: number;
  /** Number of categories C a stream can show. */
  readonly numClasses: number;
  /** Standard deviation of the Gaussian noise added to each feature of a stream. */
  readonly streamNoise: number;
}

export const CUED_STREAMS_DEFAULTS: Readonly<CuedStreamsConfig> = Object.freeze({
  numStreams: 4,
  streamDim: 8,
  numClasses: 4,
  streamNoise: 0.3,
});

/** One instance of the task: its config and the C category prototypes (±1, length D). */
export interface CuedStreamsTask {
  readonly config: CuedStreamsConfig;
  readonly prototypes: ReadonlyArray<Float32Array>;
}

/** A batch of trials, flat typed arrays (row-major). */
export interface CuedStreamsBatch {
  readonly batchSize: number;
  /** The cued stream per trial [B]. */
  readonly cue: Int32Array;
  /** The streams [B, K, D]. */
  readonly streams: Float32Array;
  /** The category each stream shows [B, K]. */
  readonly classes: Int32Array;
  /** The answer: the category of the cued stream [B]. */
  readonly target: Int32Array;
}

function validate(c: CuedStreamsConfig): void {
  checkRange("cuedStreams.numStreams", c.numStreams, 2, 64, true);
  checkRange("cuedStreams.streamDim", c.streamDim, 1, 1024, true);
  checkRange("cuedStreams.numClasses", c.numClasses, 2, 64, true);
  checkRange("cuedStreams.streamNoise", c.streamNoise, 0, 100);
}

/**
 * A task instance: C distinct random ±1 prototypes of length D (redrawn until pairwise distinct, so the
 * noiseless task is solvable).
 */
export function createCuedStreamsTask(config: CuedStreamsConfig, seed: number): CuedStreamsTask {
  validate(config);
  const { streamDim: D, numClasses: C } = config;
  if (C > 2 ** D) throw new Error(`cuedStreams.numClasses: ${C} classes need streamDim >= ${Math.ceil(Math.log2(C))} for distinct ±1 prototypes`);
  const rng = new Rng(seed);
  const prototypes: Float32Array[] = [];
  const seen = new Set<string>();
  while (prototypes.length < C) {
    const p = new Float32Array(D);
    for (let i = 0; i < D; i++) p[i] = rng.next() < 0.5 ? -1 : 1;
    const key = p.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    prototypes.push(p);
  }
  return { config, prototypes };
}

/**
 * Sample `batchSize` trials: a uniform cue, a uniform category per stream, streams = prototype + noise.
 * @param cues optional fixed cues (length batchSize) instead of uniform ones.
 */
export function sampleCuedStreams(task: CuedStreamsTask, rng: Rng, batchSize: number, cues?: ArrayLike<number>): CuedStreamsBatch {
  const { numStreams: K, streamDim: D, numClasses: C, streamNoise } = task.config;
  checkRange("sampleCuedStreams.batchSize", batchSize, 1, 1e7, true);
  if (cues !== undefined && cues.length !== batchSize) throw new Error(`sampleCuedStreams: ${cues.length} cues for a batch of ${batchSize}`);
  const cue = new Int32Array(batchSize);
  const streams = new Float32Array(batchSize * K * D);
  const classes = new Int32Array(batchSize * K);
  const target = new Int32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    const c = cues !== undefined ? cues[b] : rng.int(K);
    if (!(c >= 0 && c < K && Number.isInteger(c))) throw new Error(`sampleCuedStreams: cue ${c} is not a stream index in [0, ${K})`);
    cue[b] = c;
    for (let k = 0; k < K; k++) {
      const y = rng.int(C);
      classes[b * K + k] = y;
      const proto = task.prototypes[y]!;
      const off = (b * K + k) * D;
      for (let i = 0; i < D; i++) streams[off + i] = proto[i]! + (streamNoise > 0 ? streamNoise * rng.normal() : 0);
    }
    target[b] = classes[b * K + c]!;
  }
  return { batchSize, cue, streams, classes, target };
}
