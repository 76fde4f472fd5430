#!/usr/bin/env bash
# Packs what the GPU check needs into .gpu/ (git-ignored), small enough to travel to a GPU machine that
# has no network and maybe no Node: the Node binary (xz), esbuild bundles of the scripts with the library
# and tfjs inside, tfjs's wasm files, Dawn (dawn.node), the native addon, and Debian's Vulkan loader and
# OpenBLAS packages (unpacked there only when missing). Then `scripts/gpu/gpu-check.sh OUT` runs there.
# Usage: scripts/gpu/pack.sh            (from the repository root, after npm ci)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
mkdir -p .gpu && rm -rf .gpu/stage .gpu/payload.tar.xz && mkdir -p .gpu/stage/bundle .gpu/stage/debs
entries=(scripts/run-experiment.ts scripts/bench.ts scripts/gpu/selftest.ts scripts/gpu/probe.ts)
[ -f scripts/sweep-t4.ts ] && entries+=(scripts/sweep-t4.ts)
[ -f scripts/t4-estimate.ts ] && entries+=(scripts/t4-estimate.ts)
node_modules/.bin/esbuild "${entries[@]}" --bundle --platform=node --target=node20 --format=cjs \
  --outdir=.gpu/stage/bundle --outbase=scripts --log-level=error \
  --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu --external:playwright-core
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm scripts/bench_torch.py .gpu/stage/bundle/
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm .gpu/stage/bundle/gpu/
dawn=$(node -e 'const p=require("path");console.log(p.join(p.dirname(require.resolve("webgpu/package.json")),"dist",process.platform+"-"+process.arch,"dawn.node"))')
cp "$dawn" .gpu/stage/dawn.node
if [ -f native/build/Release/g2b_native.node ]; then cp native/build/Release/g2b_native.node .gpu/stage/; fi
# The Vulkan loader, and glvnd's libraries that NVIDIA's Vulkan driver (libGLX_nvidia.so.0) loads; OpenBLAS
# for the native addon (the CPU reference runs).
(cd .gpu/stage/debs && apt-get download libvulkan1 libglvnd0 libegl1 libglx0 libgl1 libopengl0 libgles2 \
  libopenblas0-pthread libgfortran5 >/dev/null 2>&1) \
  || echo "pack: apt-get download failed; the GPU machine must have libvulkan1 and glvnd itself" >&2
tar -C .gpu/stage -cf - . | xz -T0 -9 > .gpu/payload.tar.xz
# Node changes rarely and takes a minute to compress: keep the last one when the version matches.
if [ "$(cat .gpu/node.version 2>/dev/null)" != "$(node --version)" ] || [ ! -f .gpu/node.xz ]; then
  xz -T0 -9 -c "$(command -v node)" > .gpu/node.xz.tmp && mv .gpu/node.xz.tmp .gpu/node.xz
  node --version > .gpu/node.version
fi
rm -rf .gpu/stage
du -sh .gpu/* | sed 's/^/pack: /'
echo "pack: total $(du -sh .gpu | cut -f1) (the device tool carries at most 64 MiB with the working tree)"
