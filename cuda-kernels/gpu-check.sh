#!/usr/bin/env bash
# gpu-check.sh OUTDIR: verifies and times relgraph's CUDA kernels on a GPU machine with nvcc,
# PyTorch and compute-sanitizer (no Java, no network needed). About 5 minutes on an H200.
#   1. nvcc: the fatbin (as the Maven build makes it; ptxas report in OUTDIR/ptxas.txt) and the
#      harness (src/test/gpu/gpu_harness.cpp) from the same kernel sources.
#   2. Every kernel against float64 host references (fresh random inputs, poisoned outputs),
#      the shapes of the emulated tests and wider ones; relative error < 1e-5.
#   3. compute-sanitizer memcheck and racecheck on small shapes.
#   4. Timings (CUDA events, 3 warm-up runs, median of 50): block-sparse forward, backward-data and
#      weight gradient; cuBLAS dense at the same width and at width 512; masked (cuBLAS on W ⊙ M);
#      cuSPARSE BSR where blocks are uniform; PyTorch's masked layer and BSR. Widths 512, 1024,
#      1539, 2048; batch 128, 1024, 8192, 65536; k/n 0.125, 0.25, 0.5, 1 (rings over 64 nodes).
#      OUTDIR/harness.csv, OUTDIR/torch.csv, OUTDIR/summary.md.
#   5. When this folder sits in a folder made by gpu-carry.sh (java-runtime/ and relgraph.jar
#      beside it): a 1-epoch `train --backend cuda --dataset synthetic` and
#      `bench layers --backend cuda --quick`.
# Every step's log is in OUTDIR; the last lines say which steps passed. Exit status 1 when a
# check failed. QUICK=1 runs a smaller timing grid.
set -uo pipefail
if [ $# -ne 1 ]; then
  echo "usage: cuda-kernels/gpu-check.sh OUTDIR" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"
start=$(date +%s)
status=()
failed=0

step() { # NAME TIMEOUT_S COMMAND...: runs a step into OUTDIR/NAME.log, records PASS/FAIL
  local name=$1 limit=$2
  shift 2
  echo "== $name ($(($(date +%s) - start)) s)"
  timeout "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  tail -n 5 "$out/$name.log"
  if [ $rc -eq 0 ]; then
    status+=("PASS $name")
  else
    status+=("FAIL $name (exit $rc$([ $rc -eq 124 ] && echo ', timed out'))")
    failed=1
  fi
  return $rc
}

nvcc="$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"
sanitizer="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
cuda_inc="$(dirname "$(dirname "$nvcc")")/include"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null
  "$nvcc" --version | grep -i release
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)' 2>/dev/null
} | tee "$out/machine.txt"

src="$here/src"
step fatbin 300 "$nvcc" -fatbin -std=c++17 -O3 -Xptxas -v \
  -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
  -gencode arch=compute_90,code=compute_90 \
  -I "$src/main/cuda" -o "$out/relgraph_kernels.fatbin" "$src/main/cuda/relgraph_kernels.cu"
cp "$out/fatbin.log" "$out/ptxas.txt" 2>/dev/null
step harness-build 300 "$nvcc" -std=c++17 -O2 -Xcompiler -Wno-deprecated-declarations \
  -I "$src/main/cuda" -I "$src/test/cpp" -I "$cuda_inc" \
  -o "$out/gpu_harness" "$src/test/gpu/gpu_harness.cpp" -lcuda -lcublas -lcusparse

if [ -x "$out/gpu_harness" ] && [ -f "$out/relgraph_kernels.fatbin" ]; then
  fb="$out/relgraph_kernels.fatbin"
  step check 180 "$out/gpu_harness" check "$fb"
  step memcheck 180 "$sanitizer" --tool memcheck --error-exitcode 3 "$out/gpu_harness" check "$fb" --small
  step racecheck 240 "$sanitizer" --tool racecheck --error-exitcode 3 "$out/gpu_harness" check "$fb" --small
  step bench 240 "$out/gpu_harness" bench "$fb" "$out" ${QUICK:+--quick}
fi
step torch-bench 180 python3 "$src/test/gpu/torch_bench.py" "$out" ${QUICK:+--quick}
python3 "$src/test/gpu/summarize.py" "$out" >/dev/null 2>&1 && echo "summary: $out/summary.md"

carry="$(dirname "$here")"
if [ -d "$carry/java-runtime" ] && [ -f "$carry/relgraph.jar" ]; then
  rg=("$carry/java-runtime/bin/java" -Djava.awt.headless=true -jar "$carry/relgraph.jar")
  step java-train 180 "${rg[@]}" train --backend cuda --dataset synthetic --epochs 1
  step java-bench 180 "${rg[@]}" bench layers --backend cuda --quick
else
  echo "== java: skipped (no java-runtime/ and relgraph.jar beside $(basename "$here")/; make the folder with gpu-carry.sh)"
  status+=("SKIP java (no carried runtime)")
fi

echo "== done in $(($(date +%s) - start)) s"
printf '%s\n' "${status[@]}" | tee "$out/status.txt"
exit $failed
