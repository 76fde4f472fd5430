/**
 * `npx tsx scripts/t4-exercise-ranges.ts [smoke,quick]`: notebook 04's exercise outcomes (lab.exercises.t4.e1–e5)
 * at base seeds 1234, 4242 and 7, one JSON line per profile and seed (also appended to /tmp). The ranges in
 * src/takeaways/t4-scaling/exercises.ts come from this script's output (notes/22-04.md); rerun it when the
 * sweep's defaults change (e.g. the learning-rate rule).
 */
import * as fs from "fs";
import * as lab from "../src/index";
const profiles = (process.argv[2] ?? "smoke,quick").split(",") as lab.Profile[];
const out = `/tmp/t4-exercise-ranges-${profiles.join("-")}.jsonl`;
(async () => {
  await lab.setupNotebook(lab.t4.experiment).catch(() => undefined);
  for (const profile of profiles)
    for (const seed of [1234, 4242, 7]) {
      const cfg = lab.t4.experiment.profiles[profile];
      const c0 = process.cpuUsage();
      const base = await lab.t4.trainLadder(cfg, seed);
      const fb = lab.t4.fitLadder(base);
      const zipf = lab.t4.fitLadder(
        await lab.t4.trainLadder({ ...cfg, language: { ...cfg.language, zipfExponent: 1.6 } }, seed),
      );
      const flatCfg = { ...cfg, language: { ...cfg.language, numClasses: 1, classBranching: 1 } };
      const flatLang = new lab.data.zipf.ZipfLanguage(flatCfg.language, lab.deriveSeed(seed, "t4", "language"));
      const deep = await lab.t4.trainLadder(cfg, seed, { sizes: cfg.sizes.filter((s) => s.nLayer === 2) });
      const deepRatio = lab.t4.excessOverLaw(fb, base.entropyRate, deep.runs);
      const deepMean = Math.exp(deepRatio.reduce((s, v) => s + Math.log(v), 0) / deepRatio.length);
      const lr0 = lab.t4.fitLadder(await lab.t4.trainLadder({ ...cfg, lrSizeExponent: 0 }, seed));
      const ctx5 = lab.t4.fitLadder(await lab.t4.trainLadder({ ...cfg, contextLen: 5 }, seed));
      const cpu = process.cpuUsage(c0);
      const row = {
        profile,
        seed,
        base: fb,
        baseCpu: base.cpuSeconds,
        entropy: base.entropyRate,
        zipfAlpha: zipf.alphaPinned,
        flatEntropy: flatLang.entropyRate(),
        deepMean,
        deepRatio,
        lr0Alpha: lr0.alphaPinned,
        ctx5Gamma: ctx5.gamma,
        cpuS: (cpu.user + cpu.system) / 1e6,
      };
      console.log(JSON.stringify(row));
      fs.appendFileSync(out, JSON.stringify(row) + "\n");
    }
})();
