// relgraph's CPU kernels for node-partitioned block-sparse layers, called from Java through the
// JavaCPP binding org.relgraph.nativecpu.RelgraphKernels. Java validates every size and index
// before calling; the checks here are a second line that throws std::invalid_argument (JavaCPP
// turns C++ exceptions into Java exceptions) instead of touching memory out of range.
#pragma once

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "relgraph_pool.h"
#include "relgraph_train.h"

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace relgraph {

// Block-sparse structure, arrays owned by the Java side:
//   outOff[nOut+1], inOff[nIn+1]: channel offsets of the output and input nodes;
//   rowPtr[nOut+1], colIdx[nnz], blockCol[nnz]: blocks of each output node in CSR order, their
//     input node and their first column within the node's weight matrix W_v;
//   rowBase[nOut], rowK[nOut]: where W_v starts in the weight buffer and its column count K_v;
//   tPtr[nIn+1], tBlock[nnz], blockRow[nnz]: the transposed index (blocks of each input node)
//     and each block's output node.
struct Kernel {
  int batch;
  long ld;
  int nOut, nIn, nnz;
  const int* outOff;
  const int* inOff;
  const int* rowPtr;
  const int* colIdx;
  const int* blockCol;
  const long long* rowBase;
  const int* rowK;
  const int* tPtr;
  const int* tBlock;
  const int* blockRow;
  int maxRowBlocks, maxColBlocks;
  int maxRowK, maxOutRows;
};

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq,fma")
namespace avx512 {
constexpr int VW = 16, TR = 6, TC = 4;
#include "relgraph_kernels_impl.h"
}  // namespace avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
constexpr int VW = 8, TR = 4, TC = 3;
#include "relgraph_kernels_impl.h"
}  // namespace avx2
#pragma GCC pop_options

namespace portable {
constexpr int VW = 4, TR = 4, TC = 2;
#include "relgraph_kernels_impl.h"
}  // namespace portable

/** Instruction sets: 0 portable, 1 AVX2 + FMA, 2 AVX-512. */
inline int best_isa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq")) {
    return 2;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
  return 0;
}

inline int max_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : (int)n;
}

inline void check(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("relgraph native: ") + what);
}

inline Kernel make(int batch, long long ld, int nOut, int nIn, int nnz, const int* outOff,
                   const int* inOff, const int* rowPtr, const int* colIdx, const int* blockCol,
                   const long long* rowBase, const int* rowK, const int* tPtr,
                   const int* tBlock, const int* blockRow) {
  check(batch >= 1 && ld >= batch, "batch must be >= 1 and <= ld");
  check(nOut >= 1 && nIn >= 1 && nnz >= 0, "bad node or block count");
  check(outOff && inOff && rowPtr && colIdx && blockCol && rowBase && rowK && tPtr && tBlock &&
            blockRow,
        "null layout array");
  check(rowPtr[0] == 0 && rowPtr[nOut] == nnz && tPtr[0] == 0 && tPtr[nIn] == nnz,
        "block index does not span nnz blocks");
  Kernel k{batch, (long)ld, nOut, nIn, nnz, outOff, inOff, rowPtr, colIdx, blockCol, rowBase,
           rowK, tPtr, tBlock, blockRow, 0, 0, 0, 0};
  for (int v = 0; v < nOut; ++v) {
    int n = rowPtr[v + 1] - rowPtr[v];
    check(n >= 0, "rowPtr not ascending");
    check(rowK[v] >= 0 && outOff[v + 1] >= outOff[v], "bad row size");
    if (n > k.maxRowBlocks) k.maxRowBlocks = n;
    if (rowK[v] > k.maxRowK) k.maxRowK = rowK[v];
    if (outOff[v + 1] - outOff[v] > k.maxOutRows) k.maxOutRows = outOff[v + 1] - outOff[v];
  }
  for (int u = 0; u < nIn; ++u) {
    int n = tPtr[u + 1] - tPtr[u];
    check(n >= 0, "tPtr not ascending");
    if (n > k.maxColBlocks) k.maxColBlocks = n;
  }
  for (int j = 0; j < nnz; ++j) {
    check(colIdx[j] >= 0 && colIdx[j] < nIn && blockRow[j] >= 0 && blockRow[j] < nOut &&
              tBlock[j] >= 0 && tBlock[j] < nnz,
          "block index out of range");
  }
  return k;
}

inline void check_isa(int isa) {
  check(isa >= 0 && isa <= best_isa(), "instruction set not supported by this CPU");
}

#define RELGRAPH_LAYOUT_PARAMS                                                                \
  int batch, long long ld, int nOut, int nIn, int nnz, const int *outOff, const int *inOff, \
      const int *rowPtr, const int *colIdx, const int *blockCol, const long long *rowBase,   \
      const int *rowK, const int *tPtr, const int *tBlock, const int *blockRow
#define RELGRAPH_LAYOUT_ARGS                                                               \
  batch, ld, nOut, nIn, nnz, outOff, inOff, rowPtr, colIdx, blockCol, rowBase, rowK, tPtr, \
      tBlock, blockRow

// The three products share one signature, (layout, first input, second input, output,
// threads); each has one implementation per instruction set, indexed by isa.
using LayerKernel = void (*)(const Kernel&, const float*, const float*, float*, int);

inline void run_layer(const LayerKernel (&byIsa)[3], int isa, int threads, RELGRAPH_LAYOUT_PARAMS,
                      const float* a, const float* b, float* out) {
  check_isa(isa);
  check(threads >= 1 && a && b && out, "bad threads or null buffer");
  byIsa[isa](make(RELGRAPH_LAYOUT_ARGS), a, b, out, threads);
}

/** Y = X W^T on existing blocks (feature-major: Y[out][batch]). */
inline void bs_forward(int isa, int threads, RELGRAPH_LAYOUT_PARAMS, const float* W,
                       const float* X, float* Y) {
  static const LayerKernel byIsa[3] = {portable::forward, avx2::forward, avx512::forward};
  run_layer(byIsa, isa, threads, RELGRAPH_LAYOUT_ARGS, W, X, Y);
}

/** dX = dY W on existing blocks. */
inline void bs_backward_data(int isa, int threads, RELGRAPH_LAYOUT_PARAMS, const float* W,
                             const float* dY, float* dX) {
  static const LayerKernel byIsa[3] = {portable::backward_data, avx2::backward_data,
                                       avx512::backward_data};
  run_layer(byIsa, isa, threads, RELGRAPH_LAYOUT_ARGS, W, dY, dX);
}

/** dW = dY^T X on existing blocks only. */
inline void bs_backward_weight(int isa, int threads, RELGRAPH_LAYOUT_PARAMS, const float* dY,
                               const float* X, float* dW) {
  static const LayerKernel byIsa[3] = {portable::backward_weight, avx2::backward_weight,
                                       avx512::backward_weight};
  run_layer(byIsa, isa, threads, RELGRAPH_LAYOUT_ARGS, dY, X, dW);
}

/** out[i] = a[i] * b[i]: the masked baseline's weight-times-mask product. */
inline void multiply(long long n, const float* a, const float* b, float* out, int threads) {
  check(n >= 0 && a && b && out && threads >= 1, "bad multiply arguments");
  const long long chunk = 1 << 16;
  int chunks = (int)((n + chunk - 1) / chunk);
  Pool::instance().run(threads, chunks, [&](int, int c) {
    long long end = (c + 1) * chunk < n ? (c + 1) * chunk : n;
    for (long long i = c * chunk; i < end; ++i) out[i] = a[i] * b[i];
  });
}

__attribute__((target("avx512f"))) inline void fma_loop_avx512(long long iters) {
  asm volatile(
      "vxorps %%zmm0, %%zmm0, %%zmm0\n\t"
      "vmovaps %%zmm0, %%zmm1\n\t vmovaps %%zmm0, %%zmm2\n\t vmovaps %%zmm0, %%zmm3\n\t"
      "vmovaps %%zmm0, %%zmm4\n\t vmovaps %%zmm0, %%zmm5\n\t vmovaps %%zmm0, %%zmm6\n\t"
      "vmovaps %%zmm0, %%zmm7\n\t vmovaps %%zmm0, %%zmm8\n\t vmovaps %%zmm0, %%zmm9\n\t"
      "vmovaps %%zmm0, %%zmm10\n\t vmovaps %%zmm0, %%zmm11\n\t vmovaps %%zmm0, %%zmm12\n\t"
      "vmovaps %%zmm0, %%zmm13\n\t"
      "1:\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm0\n\t vfmadd231ps %%zmm12, %%zmm13, %%zmm1\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm2\n\t vfmadd231ps %%zmm12, %%zmm13, %%zmm3\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm4\n\t vfmadd231ps %%zmm12, %%zmm13, %%zmm5\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm6\n\t vfmadd231ps %%zmm12, %%zmm13, %%zmm7\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm8\n\t vfmadd231ps %%zmm12, %%zmm13, %%zmm9\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm10\n\t vfmadd231ps %%zmm12, %%zmm13, %%zmm11\n\t"
      "dec %0\n\t"
      "jnz 1b\n\t"
      : "+r"(iters)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
        "xmm10", "xmm11", "xmm12", "xmm13", "cc");
}

__attribute__((target("avx2,fma"))) inline void fma_loop_avx2(long long iters) {
  asm volatile(
      "vxorps %%ymm0, %%ymm0, %%ymm0\n\t"
      "vmovaps %%ymm0, %%ymm1\n\t vmovaps %%ymm0, %%ymm2\n\t vmovaps %%ymm0, %%ymm3\n\t"
      "vmovaps %%ymm0, %%ymm4\n\t vmovaps %%ymm0, %%ymm5\n\t vmovaps %%ymm0, %%ymm6\n\t"
      "vmovaps %%ymm0, %%ymm7\n\t vmovaps %%ymm0, %%ymm8\n\t vmovaps %%ymm0, %%ymm9\n\t"
      "vmovaps %%ymm0, %%ymm10\n\t vmovaps %%ymm0, %%ymm11\n\t vmovaps %%ymm0, %%ymm12\n\t"
      "vmovaps %%ymm0, %%ymm13\n\t"
      "1:\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm0\n\t vfmadd231ps %%ymm12, %%ymm13, %%ymm1\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm2\n\t vfmadd231ps %%ymm12, %%ymm13, %%ymm3\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm4\n\t vfmadd231ps %%ymm12, %%ymm13, %%ymm5\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm6\n\t vfmadd231ps %%ymm12, %%ymm13, %%ymm7\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm8\n\t vfmadd231ps %%ymm12, %%ymm13, %%ymm9\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm10\n\t vfmadd231ps %%ymm12, %%ymm13, %%ymm11\n\t"
      "dec %0\n\t"
      "jnz 1b\n\t"
      : "+r"(iters)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
        "xmm10", "xmm11", "xmm12", "xmm13", "cc");
}

/** A string function of the OpenBLAS library already loaded from `path`, or "unknown". */
inline const char* blas_string(const char* path, const char* symbol) {
  if (!path) return "unknown";
  void* lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
  if (!lib) return "unknown";
  typedef char* (*fn)();
  fn f = reinterpret_cast<fn>(dlsym(lib, symbol));
  const char* s = f ? f() : "unknown";
  dlclose(lib);
  return s ? s : "unknown";
}

inline const char* blas_corename(const char* path) {
  return blas_string(path, "openblas_get_corename");
}

inline const char* blas_config(const char* path) { return blas_string(path, "openblas_get_config"); }

inline int set_env(const char* name, const char* value) {
  if (!name) return -1;
  return value ? setenv(name, value, 1) : unsetenv(name);
}

/**
 * Peak single-precision FMA throughput in GFLOP/s (2 flops per lane per FMA) of `threads`
 * threads, each running 12 independent register-only FMA chains of the widest vectors
 * available for about `seconds`.
 */
inline double fma_peak_gflops(int threads, double seconds) {
  check(threads >= 1 && seconds > 0, "bad peak arguments");
  int isa = best_isa();
  int lanes = isa == 2 ? 16 : isa == 1 ? 8 : 0;
  if (lanes == 0) return 0;
  const long long iters = 20000000;
  // Calibrate the iteration count to the requested duration on one thread.
  auto t0 = std::chrono::steady_clock::now();
  if (isa == 2) fma_loop_avx512(iters); else fma_loop_avx2(iters);
  double once = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  long long n = (long long)(iters * (seconds / (once > 1e-6 ? once : 1e-6)));
  if (n < 1000) n = 1000;
  auto t1 = std::chrono::steady_clock::now();
  Pool::instance().run(threads, threads, [&](int, int) {
    if (isa == 2) fma_loop_avx512(n); else fma_loop_avx2(n);
  });
  double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  return (double)n * 12 * lanes * 2 * threads / dt / 1e9;
}

}  // namespace relgraph
