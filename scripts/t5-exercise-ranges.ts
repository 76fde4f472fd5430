/**
 * `npx tsx scripts/t5-exercise-ranges.ts [smoke]`: notebook 05's exercise outcomes (lab.exercises.t5.e1–e5)
 * at base seeds 1234, 4242 and 7, each on the experiment's first run of that seed (deriveSeed(seed, "t5", 0),
 * as the notebook's by-hand section), one JSON line per profile and seed with the CPU seconds of each part
 * (also appended to /tmp). The ranges in src/takeaways/t5-quantization/exercises.ts come from this script's
 * output (notes/22-05b.md). GEN2BRAIN_NATIVE=0 runs it without the BLAS.
 */
import * as fs from "fs";
import * as lab from "../src/index";
const profiles = (process.argv[2] ?? "smoke").split(",") as lab.Profile[];
const native = process.env["GEN2BRAIN_NATIVE"] === "0" ? "noblas" : "blas";
const out = `/tmp/t5-exercise-ranges-${profiles.join("-")}-${native}.jsonl`;
const cpuS = (c0: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};
(async () => {
  await lab.setupNotebook(lab.t5.experiment).catch(() => undefined);
  for (const profile of profiles)
    for (const base of [1234, 4242, 7]) {
      const config = lab.t5.experiment.profiles[profile];
      const seed0 = lab.deriveSeed(base, "t5", 0);
      const cpu: Record<string, number> = {};
      let c0 = process.cpuUsage();
      const float0 = await lab.t5.trainFloatMlp(config, seed0);
      cpu["float"] = cpuS(c0);
      c0 = process.cpuUsage();
      const channel = await lab.t5.mlpPtqCurve(float0, "uniformChannel", config, seed0);
      cpu["curve"] = cpuS(c0);
      // e1: groups of 128 (and of 32, the default, for comparison)
      c0 = process.cpuUsage();
      const g128 = await lab.t5.mlpPtqCurve(float0, "uniformGroup", { ...config, groupSize: 128 }, seed0);
      cpu["e1"] = cpuS(c0);
      const g32 = await lab.t5.mlpPtqCurve(float0, "uniformGroup", config, seed0);
      // e2: a tolerance of 0.1 pt
      c0 = process.cpuUsage();
      const strict = await lab.t5.mlpPtqCurve(
        float0,
        "uniformChannel",
        { ...config, epsilons: [0.01, 0.0025, 0.001] },
        seed0,
      );
      cpu["e2"] = cpuS(c0);
      // e4: QAT with five times the budget, 8 bits (control) and ternary
      c0 = process.cpuUsage();
      const long = { ...config, qatTrain: { ...config.qatTrain, numSteps: 5 * config.qatTrain.numSteps } };
      const q8 = await lab.t5.trainQatMlp(float0, "8", long, seed0);
      const q158 = await lab.t5.trainQatMlp(float0, "1.58", long, seed0);
      cpu["e4"] = cpuS(c0);
      float0.model.dispose();
      // e3: a harder task (8 clusters per class): retrain the float MLP
      c0 = process.cpuUsage();
      const hardConfig = { ...config, task: { ...config.task, clustersPerClass: 8 } };
      const hard = await lab.t5.trainFloatMlp(hardConfig, seed0);
      const hardCurve = await lab.t5.mlpPtqCurve(hard, "uniformChannel", hardConfig, seed0);
      cpu["e3"] = cpuS(c0);
      hard.model.dispose();
      // e5: the GPT trained four times as long: the 3-bit PTQ damage slope against ln(tokens)
      c0 = process.cpuUsage();
      const longGpt = { ...config, gptTrain: { ...config.gptTrain, numSteps: 4 * config.gptTrain.numSteps } };
      const gpt4 = await lab.t5.trainFloatGpt(longGpt, seed0);
      cpu["e5"] = cpuS(c0);
      const e5 = lab.t5.ptqDamageSlope(gpt4.tokens, 3);
      gpt4.model.dispose();
      const row = {
        profile,
        native,
        base,
        seed0,
        fp32: float0.fp32,
        sminChannel: channel.statesNeeded,
        e1Group128: g128.statesNeeded,
        e1Group32: g32.statesNeeded,
        e2: strict.statesNeeded,
        e3Fp32: hard.fp32,
        e3: hardCurve.statesNeeded,
        e4q8: { ptq: q8.ptq, qat: q8.qat, gainPt: 100 * (q8.qat - q8.ptq) },
        e4q158: {
          ptq: q158.ptq,
          qat: q158.qat,
          gainPt: 100 * (q158.qat - q158.ptq),
          dropPt: 100 * (float0.fp32 - q158.qat),
        },
        e5,
        cpu,
        tensors: lab.tf.memory().numTensors,
      };
      console.log(JSON.stringify(row));
      fs.appendFileSync(out, JSON.stringify(row) + "\n");
    }
})();
