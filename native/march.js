#!/usr/bin/env node
/*
 * The code generation target of the addon's own loops (LayerNorm, GELU, attention, cross-entropy), printed for
 * binding.gyp (`<!@(node march.js)`) and used by build.js's direct `cc` call.
 *
 * Why not -march=native: the loops' `omp simd` reductions sum in the vector width the compiler picks, so the
 * same code built on an AVX-512 machine (16 floats a vector) rounds differently from a build on an AVX2 one
 * (8 floats): measured 2026-12-03, t4 and t6 at quick, base seed 1234, 15 of their 30 claim values moved in
 * their last digits (t4's γ 0.035006 → 0.034848), while the same AVX-512 machine built for x86-64-v3 gave the AVX2
 * machine's records bit for bit. So on x86-64 with AVX2 and FMA the target is fixed, x86-64-v3 (generic
 * tuning), the same rule as OpenBLAS's pinned kernels (src/speed/native.ts, openblasCoretype). Elsewhere
 * (no AVX2, arm64) the machine's own target: nothing fixed could run there and be as fast.
 */
"use strict";
const fs = require("fs");

/** The CPU's feature flags from the text of /proc/cpuinfo, or null where it is unreadable or has none. */
function cpuFlags(cpuinfo) {
  if (typeof cpuinfo !== "string") return null;
  const line = cpuinfo.split("\n").find((l) => /^flags\s*:/.test(l));
  return line === undefined
    ? null
    : new Set(
        line
          .replace(/^flags\s*:/, "")
          .trim()
          .split(/\s+/),
      );
}

/**
 * Whether a CPU gets the fixed targets: x86-64 with AVX2 and FMA. The one rule for both the addon's x86-64-v3 build
 * (here) and OpenBLAS's Haswell kernels (src/speed/native.ts, openblasCoretype), which requires this file.
 */
function fixedTarget(arch, flags) {
  return arch === "x64" && flags !== null && flags.has("avx2") && flags.has("fma");
}

/** The -march flags for a CPU: arch as process.arch, cpuinfo the text of /proc/cpuinfo (null: unreadable). */
function marchFlags(arch, cpuinfo) {
  return fixedTarget(arch, cpuFlags(cpuinfo)) ? ["-march=x86-64-v3", "-mtune=generic"] : ["-march=native"];
}

function readCpuinfo() {
  try {
    return fs.readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return null;
  }
}

module.exports = { cpuFlags, fixedTarget, marchFlags, readCpuinfo };

if (require.main === module) console.log(marchFlags(process.arch, readCpuinfo()).join(" "));
