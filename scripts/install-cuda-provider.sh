#!/usr/bin/env bash
# Installs ONNX Runtime's CUDA execution provider for Hark on Linux x64 (CUDA 12).
#
# onnxruntime-node ships its CPU and WebGPU providers inside the npm package, but the CUDA provider
# libraries are too large for the npm registry: the package's postinstall script
# (node_modules/onnxruntime-node/script/install.js) downloads them from NuGet
# (Microsoft.ML.OnnxRuntime.Gpu.Linux, same version) into bin/napi-v6/linux/x64/. Hark's install
# skips that step (`npm ci --ignore-scripts` in CI, allowScripts in package.json), so a GPU user runs
# it once with this script. It needs network access to api.nuget.org.
#
# The GPU machine itself needs an NVIDIA driver, the CUDA 12.x runtime and cuDNN 9.x on the library
# path (e.g. /usr/local/cuda/lib64 in LD_LIBRARY_PATH). Afterwards:
#   npm run transcribe -- --device cuda talk.wav     (an error says why if CUDA cannot start)
#   npm run transcribe -- talk.wav                   (auto: uses CUDA when it starts, else falls back)
set -euo pipefail

cd "$(dirname "$0")/.."
package_dir="node_modules/onnxruntime-node"
bin_dir="$package_dir/bin/napi-v6/linux/x64"

if [[ "$(uname -s)" != "Linux" || "$(uname -m)" != "x86_64" ]]; then
  echo "The CUDA provider of onnxruntime-node exists for Linux x64 only (this is $(uname -s) $(uname -m))." >&2
  exit 1
fi
if [[ ! -f "$package_dir/script/install.js" ]]; then
  echo "onnxruntime-node is not installed: run 'npm ci' first." >&2
  exit 1
fi

# The same install the package's postinstall runs, told explicitly to fetch the CUDA 12 files.
ONNXRUNTIME_NODE_INSTALL=cuda12 node "$package_dir/script/install.js"

for library in libonnxruntime_providers_cuda.so libonnxruntime_providers_shared.so; do
  if [[ ! -f "$bin_dir/$library" ]]; then
    echo "The install did not produce $bin_dir/$library." >&2
    exit 1
  fi
done
echo "CUDA provider installed in $bin_dir."

if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
else
  echo "Note: nvidia-smi was not found; Hark will fall back to another provider until a driver is installed." >&2
fi
