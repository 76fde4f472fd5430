#!/usr/bin/env bash
# The GPU check, run on a machine with a GPU from the repository root, with .gpu/ made by
# scripts/gpu/pack.sh. Writes everything to OUT (a log, probe.json, selftest.json, bench/, experiments/)
# and packs it into OUT/gpu-check.tar.gz. Steps that fail are logged and the script goes on.
#   scripts/gpu/gpu-check.sh OUT [steps]     steps: comma-separated, default probe,selftest,bench,experiments
# Environment: GEN2BRAIN_GPU_EXPERIMENTS (ids, default all), GEN2BRAIN_GPU_BENCH_SECONDS (default 2),
# GEN2BRAIN_GPU_PROFILE (default smoke), GEN2BRAIN_GPU_BENCH_CASES (bench cases, default all).
# A dry run on a machine without a GPU: GEN2BRAIN_WEBGPU_ADAPTER=software (Mesa's llvmpipe) runs the same path.
set -u
OUT=${1:?usage: scripts/gpu/gpu-check.sh OUT [steps]}
STEPS=${2:-probe,selftest,bench,experiments}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
exec > >(tee "$OUT/gpu-check.log") 2>&1
T0=$(date +%s)
step() { echo; echo "== $(($(date +%s) - T0)) s: $*"; }
want() { [[ ",$STEPS," == *",$1,"* ]]; }

step "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
echo "kernel $(uname -r); $(grep PRETTY_NAME /etc/os-release 2>/dev/null); $(nproc) cores"

step "unpack"
W=$PWD/.gpu/x
rm -rf "$W" && mkdir -p "$W" && tar -xJf .gpu/payload.tar.xz -C "$W" || { echo "cannot unpack .gpu/payload.tar.xz"; exit 1; }
NODE=$(command -v node || true)
if [ -z "$NODE" ] || ! "$NODE" -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null; then
  echo "no Node >= 20 here (${NODE:-none}); using the carried one"
  xz -dc .gpu/node.xz > "$W/node" && chmod +x "$W/node" && NODE=$W/node
fi
echo "node: $NODE $("$NODE" --version)"
# NVIDIA's Vulkan driver (libGLX_nvidia.so.0) needs glvnd's dispatch libraries; unpack any carried .deb.
for d in .gpu/debs/*.deb; do [ -f "$d" ] && dpkg -x "$d" / && echo "unpacked $(basename "$d")"; done; ldconfig
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
  echo "no Vulkan loader here; unpacking Debian's libvulkan1"
  for d in "$W"/debs/libvulkan1_*.deb; do dpkg -x "$d" / && ldconfig; done
fi
mkdir -p "$W/blas"
for d in "$W"/debs/libopenblas0-pthread_*.deb "$W"/debs/libgfortran5_*.deb; do [ -f "$d" ] && dpkg -x "$d" "$W/blas"; done
export LD_LIBRARY_PATH="$W/blas/usr/lib/x86_64-linux-gnu/openblas-pthread:$W/blas/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -f "$W/g2b_native.node" ]; then mkdir -p native/build/Release && cp "$W/g2b_native.node" native/build/Release/; fi
export GEN2BRAIN_DAWN_NODE=$W/dawn.node
export GEN2BRAIN_PYTHON=${GEN2BRAIN_PYTHON:-$(command -v python3)}
B=$W/bundle
run() { echo "\$ $*"; "$@"; echo "(exit $?)"; }

step "probe"
"$NODE" "$B/gpu/probe.js" > "$OUT/probe.json"; cat "$OUT/probe.json"
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if grep -q '"no-driver"' "$OUT/probe.json" && [ -f "$ICD" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  echo "no driver found: retrying with VK_DRIVER_FILES=$ICD"
  export VK_DRIVER_FILES=$ICD
  "$NODE" "$B/gpu/probe.js" > "$OUT/probe.json"; cat "$OUT/probe.json"
fi

if want selftest; then
  step "selftest: tiny GPT on webgpu twice and on wasm, same seed"
  run "$NODE" "$B/gpu/selftest.js" --steps 30 --out "$OUT/selftest.json" | grep -v '^ *[-0-9.e]*,\?$'
fi

if want bench; then
  step "bench: webgpu vs PyTorch CUDA"
  run "$NODE" "$B/bench.js" --backend webgpu --cases "${GEN2BRAIN_GPU_BENCH_CASES:-matmul512,matmul2048,gptA-train,gptA-infer,gptB-train,gptB-infer,gptC-train,gptC-infer}" \
    --seconds "${GEN2BRAIN_GPU_BENCH_SECONDS:-2}" --torch-device cuda --out "$OUT/bench"
fi

if want experiments; then
  PROFILE=${GEN2BRAIN_GPU_PROFILE:-smoke}
  IDS=${GEN2BRAIN_GPU_EXPERIMENTS:-$(cd src && ls -d takeaways/t*/ 2>/dev/null | xargs -n1 basename | tr '\n' ',' )}
  IDS=${IDS:-t1-world-model,t2-chain-of-thought,t3-attention,t4-scaling,t5-quantization}
  step "experiments at $PROFILE on webgpu (sequential) and wasm (parallel, CPU reference): $IDS"
  mkdir -p "$OUT/experiments"
  for id in ${IDS//,/ }; do
    GEN2BRAIN_BACKEND=wasm "$NODE" "$B/run-experiment.js" "$id" --profile "$PROFILE" --no-figures --out "$OUT/experiments/wasm" > "$OUT/experiments/$id.wasm.log" 2>&1 &
  done
  for id in ${IDS//,/ }; do
    s=$(date +%s)
    GEN2BRAIN_BACKEND=webgpu "$NODE" "$B/run-experiment.js" "$id" --profile "$PROFILE" --no-figures --out "$OUT/experiments/webgpu" > "$OUT/experiments/$id.webgpu.log" 2>&1
    echo "$id webgpu: exit $? in $(($(date +%s) - s)) s; $(tail -n 1 "$OUT/experiments/$id.webgpu.log")"
  done
  wait
  for id in ${IDS//,/ }; do echo "$id wasm: $(tail -n 1 "$OUT/experiments/$id.wasm.log")"; done
fi

step "pack results"
(cd "$OUT" && tar -czf gpu-check.tar.gz --exclude gpu-check.tar.gz . ) && ls -la "$OUT"
echo "done in $(($(date +%s) - T0)) s"
