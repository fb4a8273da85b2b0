#!/usr/bin/env bash
# Compiles src/main/cuda/relgraph_kernels.cu into one fatbin (sm_80 and sm_90 SASS, compute_90
# PTX) at the path given, printing ptxas's resource report. Without nvcc it says so and exits 0:
# the jar then lacks the fatbin, and the CUDA backend reports that. An nvcc error exits non-zero.
set -euo pipefail
out=${1:?usage: build-fatbin.sh OUTPUT.fatbin}
here=$(cd "$(dirname "$0")" && pwd)
nvcc=${NVCC:-}
if [[ -z $nvcc ]]; then
  if command -v nvcc >/dev/null 2>&1; then
    nvcc=$(command -v nvcc)
  elif [[ -x /usr/local/cuda/bin/nvcc ]]; then
    nvcc=/usr/local/cuda/bin/nvcc
  fi
fi
if [[ -z $nvcc || ${RELGRAPH_SKIP_NVCC:-} == 1 ]]; then
  echo "[cuda-kernels] nvcc not found (PATH, /usr/local/cuda/bin): the jar has no fatbin" \
       "(org/relgraph/cuda/relgraph_kernels.fatbin)"
  rm -f "$out"
  exit 0
fi
mkdir -p "$(dirname "$out")"
echo "[cuda-kernels] $("$nvcc" --version | grep -i release || true)"
"$nvcc" -fatbin -std=c++17 -O3 -Xptxas -v \
  -gencode arch=compute_80,code=sm_80 \
  -gencode arch=compute_90,code=sm_90 \
  -gencode arch=compute_90,code=compute_90 \
  -I "$here/src/main/cuda" -o "$out.tmp" "$here/src/main/cuda/relgraph_kernels.cu" 2>&1
mv "$out.tmp" "$out"
echo "[cuda-kernels] wrote $(basename "$out") ($(wc -c <"$out") bytes)"
