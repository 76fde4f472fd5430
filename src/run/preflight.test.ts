import { test } from "node:test";
import assert from "node:assert/strict";
import type { BackendInfo } from "./backend";
import { initBackend } from "./backend";
import {
  assessPreflight,
  blasName,
  currentEngine,
  engineLabel,
  gpuEngineLabel,
  formatPreflight,
  gatherFacts,
  type PreflightCheck,
  type PreflightFacts,
} from "./preflight";

const WASM: BackendInfo = {
  choice: "wasm",
  tfBackend: "wasm",
  reason: "best available: node-gpu unavailable (Cannot find module)",
  available: ["wasm", "cpu"],
  unavailable: [
    { choice: "node-gpu", error: "Cannot find module '@tensorflow/tfjs-node-gpu'\nRequire stack: x" },
    { choice: "node", error: "Cannot find module '@tensorflow/tfjs-node'" },
  ],
  flags: { simd: true, threads: false },
};

/** Everything there: oneDNN, Chromium, Jupyter. */
const FULL: PreflightFacts = {
  backend: WASM,
  native: { available: true, lib: "libopenblas.so.0", api: "cblas", threads: 2 },
  kernelFixes: true,
  chrome: { path: "/usr/bin/chromium" },
  jupyter: { path: "/usr/bin/python3" },
  platform: "linux",
  sudo: true,
};

/** A fresh Debian machine: the addon built, but no BLAS, no Chromium, no Jupyter. */
const FRESH: PreflightFacts = {
  ...FULL,
  native: { available: false, reason: "no BLAS found (install libopenblas0 or set GEN2BRAIN_BLAS)" },
  chrome: { missing: "Chromium is needed to save figures as SVG/PNG, but none was found. Install it" },
  jupyter: { missing: "Jupyter is not installed" },
};

const check = (p: ReturnType<typeof assessPreflight>, name: PreflightCheck["name"]): PreflightCheck => {
  const c = p.checks.find((x) => x.name === name);
  assert.ok(c, name);
  return c;
};

test("everything installed: four ok lines, the GEMM library and threads, no fixes", () => {
  const p = assessPreflight(FULL);
  assert.deepEqual(
    p.checks.map((c) => [c.name, c.ok]),
    [
      ["backend", true],
      ["gemm", true],
      ["chromium", true],
      ["jupyter", true],
    ],
  );
  assert.match(check(p, "gemm").found, /OpenBLAS \(libopenblas\.so\.0, cblas API\).*2 thread/);
  assert.equal(p.engine, "wasm+OpenBLAS (2 threads)");
  assert.equal(p.fixAll, undefined);
  const text = formatPreflight(p);
  assert.match(text, /everything optional is here/);
  assert.doesNotMatch(text, /apt-get/);
});

test("a fresh machine: each missing piece says what it costs and the exact command that adds it", () => {
  const p = assessPreflight(FRESH);
  const gemm = check(p, "gemm");
  assert.equal(gemm.ok, false);
  assert.match(gemm.cost ?? "", /slower training/);
  assert.equal(gemm.fix, "sudo apt-get install -y --no-install-recommends libopenblas0-pthread");
  const chrome = check(p, "chromium");
  assert.equal(chrome.cost, "no PNG/SVG, interactive figures only (plotly JSON and report.html)");
  assert.match(chrome.fix ?? "", /^sudo apt-get install -y --no-install-recommends chromium /);
  const jupyter = check(p, "jupyter");
  assert.match(jupyter.cost ?? "", /^notebooks not executed/);
  assert.match(jupyter.fix ?? "", /python3-nbclient/);
  assert.equal(p.engine, "wasm");
  assert.match(p.fixAll ?? "", /^sudo apt-get install .*libopenblas0-pthread chromium jupyter-nbconvert/);
  const text = formatPreflight(p);
  for (const l of ["without GEMM:", "without Chromium:", "without Jupyter:", "everything at once: sudo apt-get"])
    assert.ok(text.includes(l), `${l} in\n${text}`);
  // As root, no sudo.
  assert.equal(check(assessPreflight({ ...FRESH, sudo: false }), "gemm").fix?.startsWith("apt-get install"), true);
});

test("the GEMM line names each other reason with its own fix", () => {
  const off = assessPreflight({ ...FULL, native: { available: false, reason: "disabled by GEN2BRAIN_NATIVE=0" } });
  assert.equal(check(off, "gemm").fix, "unset GEN2BRAIN_NATIVE");
  const notBuilt = assessPreflight({
    ...FULL,
    native: { available: false, reason: "addon not built (run `npm run build:native`; needs a C compiler)" },
  });
  assert.match(check(notBuilt, "gemm").fix ?? "", /build-essential.*libopenblas0-pthread && npm run build:native$/);
  assert.match(notBuilt.fixAll ?? "", /build-essential python3 libopenblas0-pthread/);
  const fixesOff = assessPreflight({ ...FULL, kernelFixes: false });
  assert.equal(check(fixesOff, "gemm").fix, "unset GEN2BRAIN_KERNEL_FIXES");
  assert.equal(fixesOff.engine, "wasm");
  const cpu = assessPreflight({ ...FULL, backend: { ...WASM, choice: "cpu", tfBackend: "cpu", flags: {} } });
  assert.equal(check(cpu, "gemm").ok, true, "another backend does not need the addon");
  assert.equal(cpu.engine, "cpu");
});

test("the backend line says why, lists every backend that did not load, and any adapter it reports", () => {
  const p = assessPreflight(FULL);
  const b = check(p, "backend");
  assert.match(
    b.found,
    /^wasm \(simd=true threads=false\): the best available of node-gpu > webgpu > node > wasm > cpu/,
  );
  assert.deepEqual(b.details, [
    "node-gpu: not available (Cannot find module '@tensorflow/tfjs-node-gpu')",
    "node: not available (Cannot find module '@tensorflow/tfjs-node')",
  ]);
  const forced = assessPreflight({
    ...FULL,
    backend: { ...WASM, reason: "forced by GEN2BRAIN_BACKEND/--backend=wasm" },
  });
  assert.match(check(forced, "backend").found, /forced by GEN2BRAIN_BACKEND/);
  // A GPU backend reports its adapter in BackendInfo.adapter: printed generically.
  const adapter = {
    vendor: "nvidia",
    architecture: "",
    device: "nvidia-h200",
    description: "NVIDIA: 580.159.04 580.159.4.0",
    featureLevel: "core" as const,
    software: false,
    maxBufferSize: 2 ** 31,
  };
  const gpu: BackendInfo = { ...WASM, choice: "webgpu", tfBackend: "webgpu", flags: {}, adapter };
  assert.equal(
    check(assessPreflight({ ...FULL, backend: gpu }), "backend").details[0],
    "adapter: nvidia-h200, nvidia, driver NVIDIA: 580.159.04 580.159.4.0",
  );
});

test("BLAS names and engine labels", () => {
  assert.equal(blasName("libdnnl.so.2"), "oneDNN");
  assert.equal(blasName("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"), "OpenBLAS");
  assert.equal(blasName("libmkl_rt.so.2"), "MKL");
  assert.equal(blasName("libblis.so.4"), "BLIS");
  assert.equal(blasName("/opt/x/libfoo.so"), "libfoo.so");
  assert.equal(engineLabel("wasm", "libdnnl.so.2"), "wasm+oneDNN");
  assert.equal(engineLabel("wasm", undefined), "wasm");
  assert.equal(engineLabel("wasm", "libopenblas.so.0", 2), "wasm+OpenBLAS (2 threads)");
  assert.equal(engineLabel("wasm", "libopenblas.so.0", 1), "wasm+OpenBLAS (1 thread)");
  assert.equal(engineLabel("wasm", "libopenblas.so.0", 1, "Haswell"), "wasm+OpenBLAS (1 thread, Haswell kernels)");
  assert.equal(engineLabel("wasm", "libopenblas.so.0", undefined, "Haswell"), "wasm+OpenBLAS (Haswell kernels)");
  assert.equal(
    engineLabel("wasm", "libopenblas.so.0", 1, "Haswell", "AVX2"),
    "wasm+OpenBLAS (1 thread, Haswell kernels, AVX2 loops)",
  );
  assert.equal(engineLabel("wasm", "libdnnl.so.2", undefined, undefined, "AVX-512"), "wasm+oneDNN (AVX-512 loops)");
  assert.equal(engineLabel("wasm", undefined, 2), "wasm");
});

test("a GPU record's engine names the adapter: device, vendor and architecture, driver", () => {
  const h200 = {
    vendor: "nvidia",
    architecture: "hopper",
    device: "NVIDIA H200",
    description: "NVIDIA 580.95.05",
    featureLevel: "core" as const,
    software: false,
    maxBufferSize: 2 ** 31,
  };
  assert.equal(gpuEngineLabel("webgpu", h200), "webgpu (NVIDIA H200, nvidia/hopper, driver NVIDIA 580.95.05)");
  const llvmpipe = {
    ...h200,
    vendor: "",
    architecture: "",
    device: "llvmpipe",
    featureLevel: "compatibility" as const,
    software: true,
  };
  assert.equal(
    gpuEngineLabel("webgpu", llvmpipe),
    "webgpu (llvmpipe, driver NVIDIA 580.95.05, compatibility mode, software)",
  );
});

test("gatherFacts looks at this machine and finds what is there", async () => {
  const facts = gatherFacts(await initBackend(), { ...process.env, GEN2BRAIN_CHROME: "/nonexistent/chrome-g2b" });
  assert.ok("missing" in facts.chrome && /GEN2BRAIN_CHROME=\/nonexistent\/chrome-g2b/.test(facts.chrome.missing));
  const p = assessPreflight(facts);
  assert.equal(p.checks.length, 4);
  assert.equal(check(p, "chromium").ok, false);
  assert.match(formatPreflight(p), /^preflight:\n {2}ok {7}backend/);
  // The engine the preflight announces is the one this machine's records carry (threads, kernels, loops included).
  assert.equal(p.engine, currentEngine());
});
