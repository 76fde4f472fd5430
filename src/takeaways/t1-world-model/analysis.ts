/**
 * Takeaway 1's measurements of a trained model: greedy answers to questions, fact recall in the
 * pretraining format, hidden states at a person's name, and linear probes on them.
 */
import * as tf from "@tensorflow/tfjs";
import {
  type CorpusStyle,
  type Entity,
  factPrompts,
  fewShotPrompt,
  ids,
  type QAItem,
  type WorldData,
} from "../../data/world";
import { Rng } from "../../rng";
import { generate } from "../../generate";
import { fitLinearProbe, probeAccuracy, type ProbeConfig } from "../../probe";
import type { GPT } from "../../transformer";

// ---------------------------------------------------------------------------------------------
// Evaluation

/**
 * The one answer rule of takeaway 1, the same for every condition and every prompt format: the first
 * generated token is the correct value and the second ends it (<eos> after a Q/A answer, "." after a
 * sentence). A cloze continuation "Tovin ." and an answer "Tovin <eos>" both count; "Tovin lives" does not.
 */
export function isCorrectAnswer(d: WorldData, gen: ReadonlyArray<number>, want: number): boolean {
  return gen[0] === want && d.terminatorIds.has(gen[1] as number);
}

/** Accuracy and format rate of greedy answers to Q/A items. */
export interface QAScore {
  /** Fraction answered correctly by {@link isCorrectAnswer}: the correct value, then <eos> or ".". */
  readonly acc: number;
  /** Fraction answered in an answer format: any attribute value, then <eos> or ".". */
  readonly format: number;
  /** Fraction whose first `n` generated tokens contain the correct value anywhere (knowledge shown in any form). */
  readonly contains: number;
  /** Accuracy per attribute. */
  readonly accByAttribute: number[];
  /** The generations (token ids), one per item. */
  readonly generations: number[][];
}

/**
 * Ask every item's question (greedy, `maxNewTokens` >= 2) and score the answers by
 * {@link isCorrectAnswer}. `prompts` (one per item) replaces the zero-shot prompt `<bos> Q : … A :`,
 * e.g. with a few-shot prompt.
 */
export async function scoreQA(
  model: GPT,
  d: WorldData,
  items: ReadonlyArray<QAItem>,
  maxNewTokens = 2,
  prompts?: ReadonlyArray<number[]>,
): Promise<QAScore> {
  const ps = prompts ?? items.map((it) => [d.tok.bosId, ...ids(d.tok, it.question)]);
  if (ps.length !== items.length) throw new Error(`scoreQA: ${ps.length} prompts for ${items.length} items`);
  const gens = await generateByLength(model, ps, Math.max(2, maxNewTokens));
  let acc = 0;
  let format = 0;
  let contains = 0;
  const A = d.world.attributes.length;
  const okBy = new Array<number>(A).fill(0);
  const nBy = new Array<number>(A).fill(0);
  items.forEach((it, i) => {
    const g = gens[i] as number[];
    const want = d.tok.id(it.answer);
    const inFormat = d.allValueIds.has(g[0] as number) && d.terminatorIds.has(g[1] as number);
    const correct = isCorrectAnswer(d, g, want);
    format += inFormat ? 1 : 0;
    acc += correct ? 1 : 0;
    contains += g.includes(want) ? 1 : 0;
    okBy[it.attribute] = okBy[it.attribute] + (correct ? 1 : 0);
    nBy[it.attribute] = nBy[it.attribute] + 1;
  });
  const n = Math.max(1, items.length);
  return {
    acc: acc / n,
    format: format / n,
    contains: contains / n,
    accByAttribute: okBy.map((k, a) => k / Math.max(1, nBy[a])),
    generations: gens,
  };
}

/** Greedy generation for prompts of different lengths: one batch per prompt length, results in input order. */
async function generateByLength(
  model: GPT,
  prompts: ReadonlyArray<number[]>,
  maxNewTokens: number,
): Promise<number[][]> {
  const groups = new Map<number, number[]>();
  prompts.forEach((p, i) => groups.set(p.length, [...(groups.get(p.length) ?? []), i]));
  const out = new Array<number[]>(prompts.length);
  for (const idx of groups.values()) {
    const gens = await generate(
      model,
      idx.map((i) => prompts[i] as number[]),
      { maxNewTokens, temperature: 0 },
    );
    idx.forEach((i, k) => (out[i] = gens[k] as number[]));
  }
  return out;
}

/**
 * Few-shot accuracy of a model on Q/A items: each question preceded by `k` Q/A examples about training
 * people (the same examples for every model given the same `seed`), scored by the same rule.
 */
export async function scoreFewShot(
  model: GPT,
  d: WorldData,
  items: ReadonlyArray<QAItem>,
  k: number,
  seed: number,
): Promise<QAScore> {
  const rng = new Rng(seed);
  const prompts = items.map((it) => fewShotPrompt(d, it, k, rng));
  return scoreQA(model, d, items, 2, prompts);
}

/**
 * Knowledge in a pretraining format (cloze): for the given people, the fraction of fill-in-the-value
 * prompts (`augmented`: every template's sentence cut before the value; `plain`: the fixed biography cut
 * before the value) answered correctly by {@link isCorrectAnswer} (the value, then ".").
 */
export async function factRecall(
  model: GPT,
  d: WorldData,
  entityIds: ReadonlyArray<number>,
  style: CorpusStyle = "augmented",
): Promise<number> {
  const prompts: number[][] = [];
  const wants: number[] = [];
  for (const id of entityIds) {
    const e = d.world.entities[id] as Entity;
    for (let a = 0; a < d.world.attributes.length; a++) {
      for (const f of factPrompts(d.world, e, a, style)) {
        prompts.push([d.tok.bosId, ...ids(d.tok, f.prefix)]);
        wants.push(d.tok.id(f.value));
      }
    }
  }
  const gens = await generateByLength(model, prompts, 2);
  let ok = 0;
  gens.forEach((g, i) => (ok += isCorrectAnswer(d, g, wants[i] as number) ? 1 : 0));
  return ok / Math.max(1, prompts.length);
}

/** Where a probe reads a name: its first token (a first name, shared by several people) or its last. */
export type NamePosition = "first" | "last";

/**
 * Hidden states at the first or last name token of "<bos> NAME" for every entity: per layer (0 = after
 * the embeddings), a [numEntities][dModel] array.
 */
export async function nameStates(model: GPT, d: WorldData, position: NamePosition = "last"): Promise<number[][][]> {
  const byLen = new Map<number, number[]>();
  d.world.entities.forEach((e) => {
    const g = byLen.get(e.name.length) ?? [];
    g.push(e.id);
    byLen.set(e.name.length, g);
  });
  const L = model.config.nLayer + 1;
  const C = model.config.dModel;
  const out: number[][][] = Array.from({ length: L }, () => new Array<number[]>(d.world.entities.length));
  for (const [len, group] of byLen) {
    const tokens = group.map((id) => [d.tok.bosId, ...ids(d.tok, (d.world.entities[id] as Entity).name)]);
    const last = tf.tidy(() => {
      const { logits, hidden } = model.forward(tf.tensor2d(tokens.flat(), [group.length, len + 1], "int32"), {
        returnHidden: true,
      });
      logits.dispose();
      // Each layer: [B, T, C] -> [B, C] at the first or last name position.
      const at = position === "first" ? 1 : len;
      return tf.stack(
        (hidden as tf.Tensor3D[]).map((h) =>
          tf.reshape(tf.slice(h, [0, at, 0], [group.length, 1, C]), [group.length, C]),
        ),
      ); // [L, B, C]
    });
    let data: Float32Array;
    try {
      data = (await last.data()) as Float32Array;
    } finally {
      last.dispose();
    }
    for (let l = 0; l < L; l++) {
      group.forEach((id, b) => {
        (out[l] as number[][])[id] = Array.from(
          data.subarray((l * group.length + b) * C, (l * group.length + b + 1) * C),
        );
      });
    }
  }
  return out;
}

/** A probe's result: accuracy per layer on the validation and the held-out people, and the chosen layer. */
export interface ProbeResult {
  /** Mean accuracy over attributes per layer, on the validation people (training people kept out of the fit). */
  readonly valByLayer: number[];
  /** Mean accuracy over attributes per layer, on the held-out people. */
  readonly heldOutByLayer: number[];
  /** The layer with the best validation accuracy (the first of ties). */
  readonly layer: number;
  /** Held-out accuracy at the chosen layer. */
  readonly acc: number;
}

/** The validation people: every fourth training person (at least one), never used to fit a probe. */
export function probeSplit(d: WorldData): { fit: number[]; val: number[] } {
  const val = d.world.trainIds.filter((_, i) => i % 4 === 3);
  const fit = d.world.trainIds.filter((_, i) => i % 4 !== 3);
  if (val.length === 0 || fit.length === 0)
    throw new Error("probeSplit: too few training people for a validation split");
  return { fit, val };
}

/**
 * Linear probes (one per layer and attribute) on the hidden state at a name position: fitted on the
 * training people outside the validation split, the layer chosen on the validation people, accuracy
 * reported on the held-out people (Allen-Zhu & Li's Q-probing: the input is the name alone).
 */
export async function probeByLayer(
  model: GPT,
  d: WorldData,
  config: ProbeConfig,
  position: NamePosition = "last",
): Promise<ProbeResult> {
  const states = await nameStates(model, d, position);
  const K = d.world.config.valuesPerAttribute;
  const { fit, val } = probeSplit(d);
  const valByLayer: number[] = [];
  const heldOutByLayer: number[] = [];
  const A = d.world.attributes.length;
  for (const layer of states) {
    let v = 0;
    let h = 0;
    for (let a = 0; a < A; a++) {
      const label = (id: number): number => (d.world.entities[id] as Entity).values[a] as number;
      const probe = await fitLinearProbe(
        fit.map((id) => layer[id] as number[]),
        fit.map(label),
        K,
        config,
      );
      v += probeAccuracy(
        probe,
        val.map((id) => layer[id] as number[]),
        val.map(label),
      );
      h += probeAccuracy(
        probe,
        d.world.heldOutIds.map((id) => layer[id] as number[]),
        d.world.heldOutIds.map(label),
      );
    }
    valByLayer.push(v / A);
    heldOutByLayer.push(h / A);
  }
  let layer = 0;
  valByLayer.forEach((v, l) => (layer = v > (valByLayer[layer] as number) ? l : layer));
  return { valByLayer, heldOutByLayer, layer, acc: heldOutByLayer[layer] as number };
}
