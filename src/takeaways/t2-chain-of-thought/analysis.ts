/** Takeaway 2's pieces for one answer format: its model, batched greedy completion, and the information of sampled chains. */
import {
  ANSWER_FORMATS,
  AnswerFormat,
  DigitExample,
  encodePrompt,
  maxCompletionLength,
  parseCompletion,
} from "../../data/digits";
import { generate } from "../../generate";
import {
  bootstrapInfo,
  codedProfile,
  codeSamples,
  CurvePoint,
  doublingSizes,
  EntropyOptions,
  estimateCurve,
  InformationProfile,
  XZYSample,
} from "../../info";
import { deriveSeed, Rng } from "../../rng";
import type { Interval } from "../../stats";
import { CharTokenizer } from "../../tokenizer";
import { createGPT, GPT } from "../../transformer";
import { FormatInfo, formatSeqLen, Generated, kGridOf, T2Config, T2InfoConfig } from "./config";

/** Build the model of one format and seed (the same config for all formats). Caller disposes. */
export function createT2Model(c: T2Config, vocabSize: number, seed: number): GPT {
  const seqLen = Math.max(...ANSWER_FORMATS.map((f) => formatSeqLen(c, f)));
  return createGPT(
    {
      vocabSize,
      seqLen,
      dModel: c.model.dModel,
      nHead: c.model.nHead,
      nLayer: c.model.nLayer,
      dFF: c.model.dFF,
      tieWeights: false,
    },
    seed,
  );
}

/** Greedy completions of many examples of one format (batched by the generator). */
export async function completeAll(
  model: GPT,
  tok: CharTokenizer,
  examples: ReadonlyArray<DigitExample>,
  c: T2Config,
  format: AnswerFormat,
): Promise<Generated[]> {
  if (examples.length === 0) return [];
  const prompts = examples.map((e) => encodePrompt(tok, e.input));
  const maxNew = maxCompletionLength(format, c.layout, kGridOf(c), c.chainStyle) + 1;
  const outs = await generate(model, prompts, {
    maxNewTokens: maxNew,
    temperature: 0,
    stopToken: tok.eosId,
    batchSize: 512,
  });
  return outs.map((ids, i) => {
    const e = examples[i] as DigitExample;
    const output = tok.decode(ids);
    return {
      input: e.input,
      output,
      target: e.completion,
      correct: parseCompletion(output).answer === e.problem.answer,
    };
  });
}

/** Information estimates over pooled (X, Z, Y) samples of one format. */
export function formatInformation(
  rows: ReadonlyArray<XZYSample>,
  c: T2InfoConfig,
  seed: number,
  label: string,
): FormatInfo {
  const coded = codeSamples(rows);
  const all = Array.from({ length: rows.length }, (_, i) => i);
  type Stat = (p: InformationProfile) => number;
  const at =
    (stat: Stat, opts?: EntropyOptions) =>
    (idx: ReadonlyArray<number>): number =>
      stat(codedProfile(coded, opts, idx));
  // The same seed for every quantity: the same resamples, so the intervals of related quantities agree.
  const boot = (stat: Stat): Interval =>
    bootstrapInfo(all, at(stat), new Rng(deriveSeed(seed, "t2-boot", label)), c.bootstrapReps);
  const sizes = doublingSizes(25, rows.length);
  const curve = (stat: Stat, what: string, opts?: EntropyOptions): CurvePoint[] =>
    estimateCurve(all, at(stat, opts), sizes, new Rng(deriveSeed(seed, "t2-curve", label, what)), c.curveReps);
  const plug = codedProfile(coded, { correction: "none" });
  return {
    n: rows.length,
    hX: boot((p) => p.hX),
    hY: boot((p) => p.hY),
    hZ: boot((p) => p.hZ),
    iXZ: boot((p) => p.iXZ),
    iZY: boot((p) => p.iZY),
    iXZnorm: boot((p) => p.iXZ / p.hX),
    iZYnorm: boot((p) => p.iZY / p.hY),
    plugIn: { hX: plug.hX, hZ: plug.hZ, hY: plug.hY, iXZ: plug.iXZ, iZY: plug.iZY },
    curves: {
      hX: curve((p) => p.hX, "hX"),
      iXZ: curve((p) => p.iXZ, "iXZ"),
      iZY: curve((p) => p.iZY, "iZY"),
      iXZplugIn: curve((p) => p.iXZ, "iXZplugIn", { correction: "none" }),
    },
  };
}
