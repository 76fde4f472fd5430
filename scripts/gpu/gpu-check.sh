#!/usr/bin/env bash
# The GPU check, run on a machine with a GPU from the repository root, with .gpu/ made by
# scripts/gpu/pack.sh. Writes everything to OUT (a log, probe.json, selftest.json, bench/, experiments/)
# and packs it into OUT/gpu-check.tar.gz. Steps that fail are logged and the script goes on.
#   scripts/gpu/gpu-check.sh OUT [steps]     steps: comma-separated, default probe,selftest,bench,experiments,t4estimate
# Environment: GEN2BRAIN_GPU_EXPERIMENTS (ids, default all), GEN2BRAIN_GPU_BENCH_SECONDS (default 2),
# GEN2BRAIN_GPU_PROFILE (default smoke), GEN2BRAIN_GPU_BENCH_CASES (bench cases, default all),
# GEN2BRAIN_GPU_T4_PROFILE (the sweep whose wall time t4estimate predicts, default full).
# A dry run on a machine without a GPU: GEN2BRAIN_WEBGPU_ADAPTER=software (Mesa's llvmpipe) runs the same path.
set -u
OUT=${1:?usage: scripts/gpu/gpu-check.sh OUT [steps]}
STEPS=${2:-probe,selftest,bench,experiments,t4estimate}
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
W=${TMPDIR:-/tmp}/g2b-gpu-check   # outside the repository: .gpu/ must stay small enough to travel
rm -rf "$W" && mkdir -p "$W" && tar -xJf .gpu/payload.tar.xz -C "$W" || { echo "cannot unpack .gpu/payload.tar.xz"; exit 1; }
NODE=$(command -v node || true)
if [ -z "$NODE" ] || ! "$NODE" -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null; then
  echo "no Node >= 20 here (${NODE:-none}); using the carried one"
  xz -dc .gpu/node.xz > "$W/node" && chmod +x "$W/node" && NODE=$W/node
fi
echo "node: $NODE $("$NODE" --version)"
# The Vulkan loader and glvnd (NVIDIA's Vulkan driver, libGLX_nvidia.so.0, needs libGLdispatch), where absent.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 ' || ! ldconfig -p 2>/dev/null | grep -q 'libGLdispatch.so.0 '; then
  for d in "$W"/debs/lib{vulkan1,glvnd0,egl1,glx0,gl1,opengl0,gles2}_*.deb; do [ -f "$d" ] && dpkg -x "$d" / && echo "unpacked $(basename "$d")"; done
  ldconfig
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
  TORCH_ARGS=(--torch-device cuda)
  [ "${GEN2BRAIN_GPU_TORCH:-cuda}" = none ] && TORCH_ARGS=(--no-torch)
  run "$NODE" "$B/bench.js" --backend "${GEN2BRAIN_GPU_BENCH_VARIANTS:-webgpu,webgpu-unsafe}" --cases "${GEN2BRAIN_GPU_BENCH_CASES:-matmul512,matmul2048,gptA-train,gptA-infer,gptB-train,gptB-infer,gptC-train,gptC-infer}" \
    --seconds "${GEN2BRAIN_GPU_BENCH_SECONDS:-2}" "${TORCH_ARGS[@]}" --out "$OUT/bench"
fi

if want experiments; then
  PROFILE=${GEN2BRAIN_GPU_PROFILE:-smoke}
  IDS=${GEN2BRAIN_GPU_EXPERIMENTS:-$(cd src && ls -d takeaways/t*/ 2>/dev/null | xargs -n1 basename | tr '\n' ',' )}
  IDS=${IDS:-t1-world-model,t2-chain-of-thought,t3-attention,t4-scaling,t5-quantization}
  step "experiments at $PROFILE, each on webgpu and on wasm (CPU reference), all in parallel: $IDS"
  mkdir -p "$OUT/experiments"
  one() { # backend id
    local s=$(date +%s)
    GEN2BRAIN_BACKEND=$1 GEN2BRAIN_THREADS=2 "$NODE" "$B/run-experiment.js" "$2" --profile "$PROFILE" --no-figures \
      --out "$OUT/experiments/$1" > "$OUT/experiments/$2.$1.log" 2>&1
    echo "$2 $1: exit $? in $(($(date +%s) - s)) s; $(tail -n 1 "$OUT/experiments/$2.$1.log")"
  }
  pids=()
  for id in ${IDS//,/ }; do
    one webgpu "$id" &
    pids+=($!)
    one wasm "$id" &
    pids+=($!)
  done
  # Wait for these jobs only: a bare `wait` also waits for the `tee` of this script's log (bash >= 5.1).
  wait "${pids[@]}"
fi

if want t4estimate; then
  # Issue 23, item 4: how long t4's sweep with one more decade of N takes on the GPU. Too long to run in a device
  # session, not to time: a few steps, one evaluation and one contest per size predict every run of the plan
  # (scripts/t4-estimate.ts; on the CPU the same estimate is checked against the shipped sweep's run times). Alone,
  # after the experiments, so that no other job shares the GPU while it is timed.
  # Then P copies at once (GEN2BRAIN_GPU_T4_CONCURRENT, default 8): whether shards share the GPU, measured.
  T4P=${GEN2BRAIN_GPU_T4_CONCURRENT:-8}
  t4est() { # concurrent index
    "$NODE" "$B/t4-estimate.js" --profile "${GEN2BRAIN_GPU_T4_PROFILE:-full}" --ladder gpu --backend webgpu \
      --concurrent "$1" --out "$OUT/t4-estimate-gpu-p$1-$2.json" > "$OUT/t4-estimate-gpu-p$1-$2.log" 2>&1
    echo "t4 estimate p$1 #$2: exit $?; $(tail -n 2 "$OUT/t4-estimate-gpu-p$1-$2.log" | head -n 1)"
  }
  step "t4 sweep estimate on webgpu, GPU ladder: one process alone"
  t4est 1 1
  step "t4 sweep estimate on webgpu, GPU ladder: $T4P processes at once"
  pids=()
  for i in $(seq 1 "$T4P"); do t4est "$T4P" "$i" & pids+=($!); done
  wait "${pids[@]}"
  run "$NODE" "$B/t4-estimate.js" --summarize "$(ls "$OUT"/t4-estimate-gpu-p*.json | paste -sd, -)"
fi

step "pack results"
# One archive beside the log: whatever carries OUT back may take only a few files, none deep.
TAR=${TMPDIR:-/tmp}/gpu-check.$$.tar.gz
tar -czf "$TAR" -C "$OUT" . && mv "$TAR" "$OUT/gpu-check.tar.gz" && (cd "$OUT" && find . -mindepth 1 -maxdepth 1 \
  ! -name gpu-check.tar.gz ! -name gpu-check.log ! -name '*.json' -exec rm -rf {} +) && ls -la "$OUT"
echo "done in $(($(date +%s) - T0)) s"
