/**
 * Generation throughput: `generate` with the key/value cache ("cache") and with full recomputation of
 * the context for every new token ("full", the pre-cache path) on a random-init d64/L2 GPT
 * (vocab 64, seqLen 64, 4 heads). Default: 256 prompts of 20 tokens, 30 new tokens, greedy.
 * Reports wall time and process CPU time (on a shared machine CPU time is the steadier number) and
 * whether both paths produced the same tokens.
 *
 *   npx tsx scripts/bench-generate.ts [--prompts 256] [--len 20] [--new 30] [--reps 2]
 *     [--mode both|cache|full] [--temperature 0] [--topk K] [--stop TOKEN] [--mixed] [--save out.json]
 *
 * --mixed draws prompt lengths uniformly in [1, len] (several length groups); --save writes the
 * generated tokens per mode as JSON.
 */
import * as fs from "fs";
import * as tf from "@tensorflow/tfjs";
import { describeBackend, initBackend } from "../src/run/backend";
import { generate, type GenerateOptions } from "../src/generate";
import { Rng } from "../src/rng";
import { createGPT } from "../src/transformer";

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : def;
}

async function main(): Promise<void> {
  const info = await initBackend();
  console.log(describeBackend(info));
  const nPrompts = Number(arg("prompts", "256"));
  const len = Number(arg("len", "20"));
  const nNew = Number(arg("new", "30"));
  const reps = Number(arg("reps", "2"));
  const mode = arg("mode", "both");
  const temperature = Number(arg("temperature", "0"));
  const topK = arg("topk", "") === "" ? undefined : Number(arg("topk", ""));
  const stop = arg("stop", "") === "" ? undefined : Number(arg("stop", ""));
  const mixed = process.argv.includes("--mixed");
  const save = arg("save", "");
  const model = createGPT({ vocabSize: 64, seqLen: 64, dModel: 64, nHead: 4, nLayer: 2 }, 1);
  const rng = new Rng(5);
  const prompts = Array.from({ length: nPrompts }, () =>
    Array.from({ length: mixed ? 1 + rng.int(len) : len }, () => rng.int(64)),
  );
  const modes = mode === "both" ? ["full", "cache"] : [mode];
  const outs: Record<string, number[][]> = {};
  try {
    for (const m of modes) {
      const useCache = m === "cache";
      const opts: GenerateOptions = {
        maxNewTokens: nNew,
        temperature,
        ...(topK !== undefined ? { topK } : {}),
        ...(stop !== undefined ? { stopToken: stop } : {}),
        useCache,
      };
      await generate(model, prompts.slice(0, 8), { maxNewTokens: 4, useCache }); // warm-up
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const out = await generate(model, prompts, { ...opts, rng: new Rng(9) });
        const c = process.cpuUsage(c0);
        const wall = (performance.now() - t0) / 1000;
        const cpu = (c.user + c.system) / 1e6;
        const toks = out.reduce((s, o) => s + o.length, 0);
        outs[m] = out;
        console.log(
          `${m.padEnd(5)} rep ${r}: ${toks} tokens, wall ${wall.toFixed(2)} s (${(toks / wall).toFixed(0)} tok/s), cpu ${cpu.toFixed(2)} s (${(toks / cpu).toFixed(0)} tok/cpu-s)`,
        );
      }
    }
    if (save !== "") fs.writeFileSync(save, JSON.stringify(outs));
    if (outs["full"] && outs["cache"])
      console.log(`outputs identical: ${JSON.stringify(outs["full"]) === JSON.stringify(outs["cache"])}`);
    console.log(`tensors alive: ${tf.memory().numTensors}`);
  } finally {
    model.dispose();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
