import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
import { blasThreads, cpuFlags, loadNative, openblasCoretype } from "./native";

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

test("the pinned kernels reach OpenBLAS, and the kernels decide the products (gemm-fingerprint)", (t) => {
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
  const script = path.join(__dirname, "..", "..", "scripts", "gemm-fingerprint.ts");
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
      fingerprint: string;
    };
    return { ...out, core: /Core: (\S+)/.exec(r.stderr)?.[1] };
  };
  const pinned = run(undefined);
  // OpenBLAS itself says which kernels it loaded (OPENBLAS_VERBOSE=2), whatever CPU it found.
  assert.equal(pinned.core, "Haswell");
  assert.equal(pinned.kernels, "Haswell");
  assert.match(pinned.engine, /^wasm\+OpenBLAS \(\d+ threads?, Haswell kernels\)$/);
  assert.equal(run("Haswell").fingerprint, pinned.fingerprint, "asking for Haswell is the default");
  // The control: other kernels (Sandybridge's, AVX without FMA, which every AVX2 CPU runs) give other products of
  // the same matrices, so without the pin the CPU's own choice would decide the last bits of every result.
  const other = run("Sandybridge");
  assert.equal(other.core, "Sandybridge");
  assert.notEqual(other.fingerprint, pinned.fingerprint);
});
