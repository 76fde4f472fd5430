import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import { createRequire } from "module";
import * as path from "path";
import { blasThreads, cpuFlags, loadNative, openblasCoretype } from "./native";

/** native/march.js: plain JS, run by node-gyp and the install script before any TypeScript tooling. */
const { marchFlags, readCpuinfo } = createRequire(__filename)("../../native/march.js") as {
  marchFlags(arch: string, cpuinfo: string | null): string[];
  readCpuinfo(): string | null;
};

test("blasThreads: one thread unless GEN2BRAIN_THREADS says otherwise; bad values name the variable", () => {
  // One default on every machine: the GEMM's summation order, so the last bits of every result, follow it.
  assert.equal(blasThreads(undefined), 1);
  assert.equal(blasThreads(""), 1);
  assert.equal(blasThreads("3"), 3);
  for (const bad of ["0", "-2", "1.5", "two"])
    assert.throws(() => blasThreads(bad), /GEN2BRAIN_THREADS must be a positive integer.*got "/);
});

test("loadNative: the loaded BLAS runs the thread count asked for", () => {
  const s = loadNative();
  if (!s.available) return; // no addon or no BLAS on this machine: nothing to check
  assert.equal(s.threads, blasThreads(process.env["GEN2BRAIN_THREADS"]));
});

test("openblasCoretype: Haswell's kernels on x86-64 with AVX2 and FMA, unless the user chose; nothing elsewhere", () => {
  const avx2 = cpuFlags("processor\t: 0\nflags\t\t: fpu sse2 avx fma avx2 bmi2\n");
  assert.deepEqual([...(avx2 ?? [])], ["fpu", "sse2", "avx", "fma", "avx2", "bmi2"]);
  assert.equal(openblasCoretype(undefined, "x64", avx2), "Haswell");
  assert.equal(openblasCoretype("", "x64", avx2), "Haswell", "an empty variable is unset");
  assert.equal(openblasCoretype("SkylakeX", "x64", avx2), undefined, "the user's core type stays");
  // A core type the CPU cannot run would crash the process: without AVX2 and FMA, or off x86-64, nothing is pinned.
  assert.equal(openblasCoretype(undefined, "x64", cpuFlags("flags : fpu sse2 avx\n")), undefined);
  assert.equal(openblasCoretype(undefined, "x64", cpuFlags("flags : avx2\n")), undefined);
  assert.equal(openblasCoretype(undefined, "arm64", avx2), undefined);
  assert.equal(openblasCoretype(undefined, "x64", null), undefined, "flags unknown (no /proc/cpuinfo)");
  assert.equal(cpuFlags("model name : x\n"), null);
});

test("marchFlags: the addon's loops are built for x86-64-v3 wherever OpenBLAS is pinned, the machine's own target elsewhere", () => {
  const avx2 = "processor\t: 0\nflags\t\t: fpu sse2 avx fma avx2 bmi2\n";
  const avx512 = "flags\t\t: fpu sse2 avx fma avx2 avx512f avx512bw avx512vl\n";
  // An AVX-512 machine builds for AVX2 too: its own 16-wide reductions would round differently (native/march.js).
  for (const cpu of [avx2, avx512]) {
    assert.deepEqual(marchFlags("x64", cpu), ["-march=x86-64-v3", "-mtune=generic"]);
    assert.equal(openblasCoretype(undefined, "x64", cpuFlags(cpu)), "Haswell", "the same rule as the BLAS's pin");
  }
  for (const [arch, cpu] of [
    ["x64", "flags : fpu sse2 avx\n"],
    ["x64", "flags : avx2\n"],
    ["arm64", avx2],
    ["x64", null],
  ] as const) {
    assert.deepEqual(marchFlags(arch, cpu), ["-march=native"], `${arch} ${cpu}`);
    assert.equal(openblasCoretype(undefined, arch, cpu === null ? null : cpuFlags(cpu)), undefined);
  }
});

test("the built addon's loops use the vector instructions march.js chose for this machine", (t) => {
  const s = loadNative();
  if (!s.available || marchFlags(process.arch, readCpuinfo())[0] !== "-march=x86-64-v3") {
    t.skip("needs the native addon on x86-64 with AVX2 and FMA");
    return;
  }
  // AVX-512 here would mean an addon built for the machine (-march=native), whose sums differ in their last bits.
  assert.equal(s.simd, "AVX2", "rebuild it: npm run build:native");
});

test("the pinned kernels reach OpenBLAS, and the kernels decide the products (kernel-fingerprint)", (t) => {
  const s = loadNative();
  const flags = cpuFlags();
  if (
    !s.available ||
    !/openblas/i.test(s.lib ?? "") ||
    openblasCoretype(undefined, process.arch, flags) === undefined
  ) {
    t.skip("needs OpenBLAS through the native addon on x86-64 with AVX2 and FMA");
    return;
  }
  const script = path.join(__dirname, "..", "..", "scripts", "kernel-fingerprint.ts");
  const run = (coretype: string | undefined) => {
    const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_VERBOSE: "2" };
    delete env["OPENBLAS_CORETYPE"];
    delete env["GEN2BRAIN_BLAS"];
    if (coretype !== undefined) env["OPENBLAS_CORETYPE"] = coretype;
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { env, encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as {
      engine: string;
      kernels: string;
      gemm: string;
      fingerprint: string;
    };
    return { ...out, core: /Core: (\S+)/.exec(r.stderr)?.[1] };
  };
  const pinned = run(undefined);
  // OpenBLAS itself says which kernels it loaded (OPENBLAS_VERBOSE=2), whatever CPU it found.
  assert.equal(pinned.core, "Haswell");
  assert.equal(pinned.kernels, "Haswell");
  assert.match(pinned.engine, /^wasm\+OpenBLAS \(\d+ threads?, Haswell kernels, AVX2 loops\)$/);
  assert.equal(run("Haswell").fingerprint, pinned.fingerprint, "asking for Haswell is the default");
  // The control: other kernels (Sandybridge's, AVX without FMA, which every AVX2 CPU runs) give other products of
  // the same matrices, so without the pin the CPU's own choice would decide the last bits of every result.
  const other = run("Sandybridge");
  assert.equal(other.core, "Sandybridge");
  assert.notEqual(other.gemm, pinned.gemm);
  assert.notEqual(other.fingerprint, pinned.fingerprint);
});
