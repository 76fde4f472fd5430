/**
 * Takeaway 1's measurements of a trained model: greedy answers to questions, fact recall in the
 * pretraining format, hidden states at a person's name, and linear probes on them.
 */
import * as tf from "@tensorflow/tfjs";
import { type CorpusStyle, type Entity, factPrompts, ids, type QAItem, type WorldData } from "../../data/world";
import { generate } from "../../generate";
import { fitLinearProbe, probeAccuracy, type ProbeConfig } from "../../probe";
import type { GPT } from "../../transformer";

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Accuracy and format rate of greedy answers to Q/A items. */
export interface QAScore {
  /** Fraction answered exactly: the correct value followed by <eos>. */
  readonly acc: number;
  /** Fraction answered in the answer format: any attribute value followed by <eos>. */
  readonly format: number;
  /** Fraction whose first `n` generated tokens contain the correct value anywhere (knowledge shown in any form). */
  readonly contains: number;
  /** Accuracy per attribute. */
  readonly accByAttribute: number[];
  /** The generations (token ids), one per item. */
  readonly generations: number[][];
}

/** Ask every item's question (greedy, `maxNewTokens` >= 2) and score the answers. */
export async function scoreQA(
  model: GPT,
  d: WorldData,
  items: ReadonlyArray<QAItem>,
  maxNewTokens = 2,
): Promise<QAScore> {
  const prompts = items.map((it) => [d.tok.bosId, ...ids(d.tok, it.question)]);
  const gens = await generate(model, prompts, { maxNewTokens: Math.max(2, maxNewTokens), temperature: 0 });
  let acc = 0;
  let format = 0;
  let contains = 0;
  const A = d.world.attributes.length;
  const okBy = new Array<number>(A).fill(0);
  const nBy = new Array<number>(A).fill(0);
  items.forEach((it, i) => {
    const g = gens[i] as number[];
    const want = d.tok.id(it.answer);
    const inFormat = d.allValueIds.has(g[0] as number) && g[1] === d.tok.eosId;
    const correct = g[0] === want && g[1] === d.tok.eosId;
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

/**
 * Knowledge in a pretraining format: for the given people, the fraction of fill-in-the-value prompts
 * (`augmented`: every template's sentence cut before the value; `plain`: the fixed biography cut
 * before the value) whose greedy next token is the correct value.
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
  const gens = await generate(model, prompts, { maxNewTokens: 1, temperature: 0 });
  let ok = 0;
  gens.forEach((g, i) => (ok += g[0] === wants[i] ? 1 : 0));
  return ok / Math.max(1, prompts.length);
}

/**
 * Hidden states at the (last) name token of "<bos> NAME" for every entity: per layer (0 = after the
 * embeddings), a [numEntities][dModel] array.
 */
export async function nameStates(model: GPT, d: WorldData): Promise<number[][][]> {
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
      // Each layer: [B, T, C] -> [B, C] at the last position.
      return tf.stack(
        (hidden as tf.Tensor3D[]).map((h) =>
          tf.reshape(tf.slice(h, [0, len, 0], [group.length, 1, C]), [group.length, C]),
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

/**
 * Probe accuracy per layer (rows) and attribute (columns): a linear probe trained on the training
 * people's name states and tested on the held-out people's.
 */
export async function probeByLayer(model: GPT, d: WorldData, config: ProbeConfig): Promise<number[][]> {
  const states = await nameStates(model, d);
  const K = d.world.config.valuesPerAttribute;
  const out: number[][] = [];
  for (const layer of states) {
    const row: number[] = [];
    for (let a = 0; a < d.world.attributes.length; a++) {
      const label = (id: number): number => (d.world.entities[id] as Entity).values[a];
      const probe = await fitLinearProbe(
        d.world.trainIds.map((id) => layer[id] as number[]),
        d.world.trainIds.map(label),
        K,
        config,
      );
      row.push(
        probeAccuracy(
          probe,
          d.world.heldOutIds.map((id) => layer[id] as number[]),
          d.world.heldOutIds.map(label),
        ),
      );
    }
    out.push(row);
  }
  return out;
}
