import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import { spawnSync } from "child_process";
import * as path from "path";
import { classifyDawnFailure, describeAdapter, judgeAdapter, probeWebGPU } from "./webgpu";

// Dawn's own words, as it printed them on machines of this project (a fresh Debian without the Vulkan
// loader; an H200 whose NVIDIA driver needs glvnd; Debian's lavapipe; an empty ICD list).
const DAWN = {
  noLoader:
    "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory\n" +
    "    at operator() (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/BackendVk.cpp:368)\n",
  noDriver:
    "Warning: vkCreateInstance: Found no drivers!\nWarning: vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER\n" +
    "    at CheckVkSuccessImpl (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/VulkanError.cpp:106)\n",
  nvidiaWithoutGlvnd:
    "loader_scanned_icd_add: Could not get 'vkCreateInstance' via 'vk_icdGetInstanceProcAddr' for ICD libGLX_nvidia.so.0\n" +
    "Warning: vkCreateInstance: Found no drivers!\nWarning: vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER\n",
  lavapipe:
    "error: XDG_RUNTIME_DIR is invalid or not set in the environment.\nWarning: Vulkan shaderUniform*ArrayDynamicIndexing required.\n" +
    " - While initializing adapter (backend=BackendType::Vulkan)\n    at InitializeImpl (PhysicalDeviceVk.cpp:257)\n",
};

test("Dawn's messages become one actionable line per cause", () => {
  const loader = classifyDawnFailure(DAWN.noLoader, "linux");
  assert.equal(loader.cause, "no-loader");
  assert.match(loader.message, /apt-get install libvulkan1/);
  assert.match(loader.message, /Dawn: Couldn't load Vulkan: libvulkan\.so\.1/);
  for (const text of [DAWN.noDriver, DAWN.nvidiaWithoutGlvnd]) {
    const d = classifyDawnFailure(text, "linux");
    assert.equal(d.cause, "no-driver");
    assert.match(d.message, /no Vulkan driver/);
    assert.match(d.message, /Found no drivers/);
  }
  const refused = classifyDawnFailure(DAWN.lavapipe, "linux");
  assert.equal(refused.cause, "refused");
  assert.match(refused.message, /Dawn refused the adapter — Dawn: Vulkan shaderUniform\*ArrayDynamicIndexing required/);
  assert.doesNotMatch(refused.message, /XDG_RUNTIME_DIR|\n| at /);
  assert.match(classifyDawnFailure("", "darwin").message, /no Metal adapter and gave no reason/);
  assert.match(classifyDawnFailure("", "win32").message, /no D3D12 adapter/);
});

test("software adapters are refused by the automatic order, taken when asked for", () => {
  const llvmpipe = {
    vendor: "",
    architecture: "",
    device: "llvmpipe-llvm-15-0-6-256-bits-",
    description: "OpenGL version OpenGL ES 3.2 Mesa 22.3.6",
    fallback: false,
    featureLevel: "compatibility" as const,
    maxBufferSize: 1 << 30,
  };
  const sw = judgeAdapter(llvmpipe, "hardware");
  assert.equal(sw.ok, false);
  assert.ok(!sw.ok && sw.cause === "software-only" && /GEN2BRAIN_WEBGPU_ADAPTER=software/.test(sw.message));
  const taken = judgeAdapter(llvmpipe, "software");
  assert.ok(taken.ok && taken.adapter.software);
  const h200 = {
    ...llvmpipe,
    vendor: "nvidia",
    device: "nvidia-h200",
    description: "NVIDIA: 580.159.04 580.159.4.0",
    featureLevel: "core" as const,
  };
  const hw = judgeAdapter(h200, "hardware");
  assert.ok(hw.ok && !hw.adapter.software);
  assert.equal(describeAdapter(hw.adapter), "nvidia-h200, nvidia, driver NVIDIA: 580.159.04 580.159.4.0");
});

test("probe: a missing Dawn is reported with the install command", () => {
  const r = probeWebGPU("hardware", { ...process.env, GEN2BRAIN_DAWN_NODE: "/nonexistent/dawn.node" });
  assert.ok(!r.ok && r.cause === "not-installed");
  assert.match(r.ok ? "" : r.message, /GEN2BRAIN_DAWN_NODE/);
});

const hasLoader = spawnSync("sh", ["-c", "ldconfig -p | grep -q 'libvulkan.so.1 '"]).status === 0;

test(
  "probe: Vulkan loader without a driver (real Dawn, VK_DRIVER_FILES pointing nowhere)",
  { skip: !hasLoader && "no Vulkan loader here (libvulkan1)" },
  () => {
    const r = probeWebGPU("hardware", {
      ...process.env,
      VK_DRIVER_FILES: "/nonexistent/icd.json",
      VK_ICD_FILENAMES: "/nonexistent/icd.json",
    });
    assert.ok(!r.ok, "no adapter expected");
    assert.equal(r.ok ? "" : r.cause, "no-driver");
    assert.match(r.ok ? "" : r.message, /Found no drivers/);
  },
);

const lavapipeIcd = ["/usr/share/vulkan/icd.d/lvp_icd.x86_64.json", "/usr/share/vulkan/icd.d/lvp_icd.json"].find((p) =>
  fs.existsSync(p),
);

test(
  "probe: Dawn refuses Mesa's lavapipe, in Dawn's own words (real Dawn)",
  { skip: (!hasLoader || lavapipeIcd === undefined) && "no lavapipe here (mesa-vulkan-drivers)" },
  () => {
    const r = probeWebGPU("hardware", {
      ...process.env,
      VK_DRIVER_FILES: lavapipeIcd as string,
      VK_ICD_FILENAMES: lavapipeIcd as string,
    });
    assert.ok(!r.ok);
    assert.equal(r.ok ? "" : r.cause, "refused");
    assert.match(r.ok ? "" : r.message, /Dawn: .+/);
  },
);

const hasEgl = ["/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0", "/usr/lib/aarch64-linux-gnu/libEGL_mesa.so.0"].some((p) =>
  fs.existsSync(p),
);

test(
  "software WebGPU (Mesa llvmpipe, OpenGL ES): the tiny GPT trains as on the CPU, deterministically, without leaks",
  { skip: !hasEgl && "no Mesa EGL here (libegl-mesa0 libgles2 libgl1-mesa-dri)", timeout: 300_000 },
  () => {
    // A child process: WebGPU is set up once per process, and this one keeps the default backend.
    const script = path.join(__dirname, "..", "..", "scripts", "gpu", "selftest.ts");
    const r = spawnSync(process.execPath, ["--import", "tsx", script, "--steps", "8"], {
      env: { ...process.env, GEN2BRAIN_WEBGPU_ADAPTER: "software", GEN2BRAIN_BACKEND: "", GEN2BRAIN_WEBGPU: "1" },
      encoding: "utf8",
      timeout: 280_000,
    });
    assert.equal(r.status, 0, r.stderr.split("\n").slice(-5).join("\n"));
    const out = JSON.parse(r.stdout) as {
      gpu: string;
      maxAbsDiff: number;
      deterministic: boolean;
      leakedTensors: number;
      lossesGpu: number[];
    };
    assert.match(out.gpu, /backend webgpu .*llvmpipe.*software/);
    // Same seed, same batches, float32 sums in another order: the curves agree to 1e-4 nats over 8 steps
    // (measured 1.4e-6 here and 2.6e-6 over 30 steps on an H200), while the loss itself falls by > 0.1.
    assert.ok(out.maxAbsDiff < 1e-4, `webgpu vs cpu loss differs by ${out.maxAbsDiff}`);
    assert.ok(
      (out.lossesGpu[0] as number) - (out.lossesGpu[7] as number) > 0.1,
      `the loss must fall: ${out.lossesGpu.join(", ")}`,
    );
    assert.equal(out.deterministic, true);
    assert.equal(out.leakedTensors, 0);
  },
);
