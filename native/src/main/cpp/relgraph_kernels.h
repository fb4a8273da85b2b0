// relgraph's CPU kernels for node-partitioned block-sparse layers and the training operations,
// called from Java through the JavaCPP binding org.relgraph.nativecpu.RelgraphKernels.
//
// Java validates every size and index before calling. The checks here are a second line: every
// buffer arrives with its length (relgraph_span.h), the layout is checked for consistency and
// every offset a kernel will touch is checked against its buffer, so that a bad call throws
// std::invalid_argument (which reaches Java as an exception) instead of touching memory out of
// range. The kernels are compiled once per instruction set (AVX-512, AVX2 + FMA, portable) and the
// caller names the one to run.
#pragma once

#include <dlfcn.h>
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "relgraph_pool.h"
#include "relgraph_span.h"

namespace relgraph {

// Block-sparse structure, arrays owned by the Java side:
//   outOff[nOut+1], inOff[nIn+1]: channel offsets of the output and input nodes;
//   rowPtr[nOut+1], colIdx[nnz], blockCol[nnz]: blocks of each output node in CSR order, their
//     input node and their first column within the node's weight matrix W_v;
//   rowBase[nOut], rowK[nOut]: where W_v starts in the weight buffer and its column count K_v;
//   tPtr[nIn+1], tBlock[nnz], blockRow[nnz]: the transposed index (blocks of each input node)
//     and each block's output node.
// Made only by make(), which checks all of it.
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
  long long weightExtent;  // max over v of rowBase[v] + |out_v| K_v: the weights a call touches
};

/** The geometry of one KxK convolution with padding K/2: input h x w, output ho x wo. */
struct ConvShape {
  int channels, batch, h, w, kernel, stride, ho, wo;
  int pad() const { return kernel / 2; }
  long long plane() const { return (long long)h * w; }
  long long outPlane() const { return (long long)ho * wo; }
};

/** The instruction set (a namespace's ISA) of the last kernel run on this thread, for tests. */
inline thread_local int last_isa = -1;

// Products of at least 1024 columns that read this many bytes of activations go in column chunks
// in every ISA's copy (wide_product, backward_weight); a copy may declare its own. Up to
// OWN_TRANSPOSE_BYTES of activations, each worker of a weight gradient transposes its own copy.
constexpr long WIDE_PRODUCT_BYTES = 12L << 20, WIDE_GRADIENT_BYTES = 16L << 20;
constexpr long OWN_TRANSPOSE_BYTES = 8L << 20;
// With 8-float vectors, backward-data in column chunks over this many bytes of weights runs as the
// forward pass of the transposed kernel.
constexpr long TRANSPOSED_DATA_BYTES = 2L << 20;
// With 16-float vectors, forward passes over this many bytes of X whose nodes read at least
// LONG_NODE_STEPS rows of it on average go in column chunks from 1024 columns (long_node_forward),
// and backward-data over such dY as the forward pass of the transposed kernel.
constexpr long LONG_NODE_BYTES = 1L << 20;
constexpr int LONG_NODE_STEPS = 256;

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq,fma")
namespace avx512 {
constexpr int ISA = 2, VW = 16, TR = 6, TC = 4, TR2 = TR, TC2 = TC, DTR = TR, DTC = TC;
// Nodes of 16 channels and more (width 1024 and up over 64 nodes) take 8 x 3 weight-gradient
// tiles: 1.06-1.09 times as fast at width 1539, batch 1024 (0.95-1.06 at batch 128); at width 768
// (12-channel nodes) and in pairs of thin nodes 6 x 4 stayed ahead (tile_ab dw, 2 threads).
constexpr int TALL_DTR = 8, TALL_DTC = 3, TALL_ROWS = 16;
// The weight gradient goes without a transpose only for wide batches over nodes of at most 4
// channels (weight_gradient_by_rows).
constexpr int ROWS_CHANNELS = 0, ROWS_CHANNELS_WIDE = 4;
#include "relgraph_kernels_impl.h"
#include "relgraph_train_impl.h"
#include "relgraph_conv_impl.h"
}  // namespace avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
// 6 x 2 tiles (12 accumulators, 2 activation vectors and a broadcast: 15 of the 16 registers)
// divide batches of 128 (16 vectors) evenly and nodes of 24 channels (width 1539) into 4 tiles;
// 4 x 3 tiles stay for nodes of 8 or 16 channels and for the weight gradient (A/B figures in the
// commit that made the change). The weight gradient goes without a transpose over nodes of at
// most 12 channels, or 4 in wide batches (weight_gradient_by_rows), in tiles of 4 rows x 3 single
// columns of W_v.
constexpr int ISA = 1, VW = 8, TR = 6, TC = 2, TR2 = 4, TC2 = 3, DTR = 4, DTC = 3;
constexpr int TALL_DTR = DTR, TALL_DTC = DTC, TALL_ROWS = 0;
constexpr int ROWS_CHANNELS = 12, ROWS_CHANNELS_WIDE = 4;
#include "relgraph_kernels_impl.h"
#include "relgraph_train_impl.h"
#include "relgraph_conv_impl.h"
}  // namespace avx2
#pragma GCC pop_options

namespace portable {
constexpr int ISA = 0, VW = 4, TR = 4, TC = 2, TR2 = TR, TC2 = TC, DTR = TR, DTC = TC;
constexpr int TALL_DTR = DTR, TALL_DTC = DTC, TALL_ROWS = 0;
constexpr int ROWS_CHANNELS = 0, ROWS_CHANNELS_WIDE = 0;
#include "relgraph_kernels_impl.h"
#include "relgraph_train_impl.h"
#include "relgraph_conv_impl.h"
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

/** best_isa(), determined once. */
inline int supported_isa() {
  static const int isa = best_isa();
  return isa;
}

/** The implementation of `isa` among the three, after checking that this CPU can run it. */
template <typename F>
inline F by_isa(int isa, F portableImpl, F avx2Impl, F avx512Impl) {
  RELGRAPH_CHECK(isa >= 0 && isa <= supported_isa(),
                 "instruction set " + std::to_string(isa) + " not supported by this CPU");
  return isa == 2 ? avx512Impl : isa == 1 ? avx2Impl : portableImpl;
}

/** offsets[0..n] start at 0 and never decrease. */
inline void check_offsets(const Span<const int>& off, int n, const char* name) {
  RELGRAPH_CHECK(off[0] == 0,
                 std::string(name) + "[0] = " + std::to_string(off[0]) + ", not 0");
  for (int i = 0; i < n; ++i) {
    RELGRAPH_CHECK(off[i + 1] >= off[i],
                   std::string(name) + " decreases at " + std::to_string(i + 1));
  }
}

inline std::string node_name(int v) { return "output node " + std::to_string(v); }

/**
 * Checks a layout completely and returns it as a Kernel: array lengths; channel offsets from 0,
 * non-decreasing (so inOff[nIn] and outOff[nOut] bound every channel); CSR and transposed index
 * spanning nnz blocks in order; each output node's blocks in ascending input node, their columns
 * side by side in W_v (blockCol the running sum of the blocks' widths, K_v their total), each
 * block's output node in blockRow; every transposed entry a block of that input node.
 */
inline Kernel make(int batch, long long ld, int nOut, int nIn, int nnz, Span<const int> outOff,
                   Span<const int> inOff, Span<const int> rowPtr, Span<const int> colIdx,
                   Span<const int> blockCol, Span<const long long> rowBase,
                   Span<const int> rowK, Span<const int> tPtr, Span<const int> tBlock,
                   Span<const int> blockRow) {
  RELGRAPH_CHECK(batch >= 1 && ld >= batch && ld <= INT_MAX,
                 "batch = " + std::to_string(batch) + ", ld = " + std::to_string(ld) +
                     ": need 1 <= batch <= ld <= 2^31 - 1");
  RELGRAPH_CHECK(nOut >= 1 && nIn >= 1 && nnz >= 0,
                 "nodes " + std::to_string(nOut) + " x " + std::to_string(nIn) + ", blocks " +
                     std::to_string(nnz) + ": need at least one node each, blocks >= 0");
  check_length(outOff, nOut + 1LL, "outOff");
  check_length(inOff, nIn + 1LL, "inOff");
  check_length(rowPtr, nOut + 1LL, "rowPtr");
  check_length(rowBase, nOut, "rowBase");
  check_length(rowK, nOut, "rowK");
  check_length(tPtr, nIn + 1LL, "tPtr");
  check_length(colIdx, nnz, "colIdx");
  check_length(blockCol, nnz, "blockCol");
  check_length(tBlock, nnz, "tBlock");
  check_length(blockRow, nnz, "blockRow");
  check_offsets(outOff, nOut, "outOff");
  check_offsets(inOff, nIn, "inOff");
  check_offsets(rowPtr, nOut, "rowPtr");
  check_offsets(tPtr, nIn, "tPtr");
  RELGRAPH_CHECK(rowPtr[nOut] == nnz && tPtr[nIn] == nnz, "block index does not span nnz blocks");
  Kernel k{batch,       (long)ld,      nOut,         nIn,       nnz,           outOff.data,
           inOff.data,  rowPtr.data,   colIdx.data,  blockCol.data, rowBase.data, rowK.data,
           tPtr.data,   tBlock.data,   blockRow.data, 0,         0,             0};
  for (int v = 0; v < nOut; ++v) {
    int n = rowPtr[v + 1] - rowPtr[v];
    if (n > k.maxRowBlocks) k.maxRowBlocks = n;
    long long cols = 0;  // W_v's columns so far
    for (int j = rowPtr[v]; j < rowPtr[v + 1]; ++j) {
      int u = colIdx[j];
      RELGRAPH_CHECK(u >= 0 && u < nIn, node_name(v) + ": block " + std::to_string(j) +
                                            " has input node " + std::to_string(u) +
                                            " outside [0, " + std::to_string(nIn) + ")");
      RELGRAPH_CHECK(j == rowPtr[v] || u > colIdx[j - 1],
                     node_name(v) + ": blocks not in ascending input node at block " +
                         std::to_string(j));
      RELGRAPH_CHECK(blockCol[j] == cols, node_name(v) + ": block " + std::to_string(j) +
                                              " starts at column " +
                                              std::to_string(blockCol[j]) + " of W_v, not " +
                                              std::to_string(cols));
      RELGRAPH_CHECK(blockRow[j] == v, "blockRow[" + std::to_string(j) + "] = " +
                                           std::to_string(blockRow[j]) + ", not " +
                                           std::to_string(v));
      cols += inOff[u + 1] - inOff[u];
    }
    RELGRAPH_CHECK(rowK[v] == cols, node_name(v) + ": K_v = " + std::to_string(rowK[v]) +
                                        ", its blocks have " + std::to_string(cols) +
                                        " columns");
    // |out_v| and K_v are below 2^31; a start beyond 2^56 floats is no buffer's, and keeps the
    // sum below 2^63.
    RELGRAPH_CHECK(rowBase[v] >= 0 && rowBase[v] <= (1LL << 56),
                   node_name(v) + ": rowBase " + std::to_string(rowBase[v]) +
                       " outside [0, 2^56]");
    long long end = rowBase[v] + (long long)(outOff[v + 1] - outOff[v]) * rowK[v];
    if (end > k.weightExtent) k.weightExtent = end;
  }
  for (int u = 0; u < nIn; ++u) {
    int n = tPtr[u + 1] - tPtr[u];
    if (n > k.maxColBlocks) k.maxColBlocks = n;
    for (int q = tPtr[u]; q < tPtr[u + 1]; ++q) {
      int j = tBlock[q];
      RELGRAPH_CHECK(j >= 0 && j < nnz && colIdx[j] == u,
                     "tBlock[" + std::to_string(q) + "] = " + std::to_string(j) +
                         " is not a block of input node " + std::to_string(u));
    }
  }
  return k;
}

/** Checks that a feature-major activation matrix of `channels` rows holds the call's batch. */
template <typename T>
inline void check_activations(const Kernel& k, const Span<T>& a, int channels, const char* name) {
  check_length(a, matrix_extent(channels, k.batch, k.ld), name);
}

template <typename T>
inline void check_weights(const Kernel& k, const Span<T>& w, const char* name) {
  check_length(w, k.weightExtent, name);
}

#define RELGRAPH_LAYOUT_PARAMS                                                                 \
  int batch, long long ld, int nOut, int nIn, int nnz, Span<const int> outOff,               \
      Span<const int> inOff, Span<const int> rowPtr, Span<const int> colIdx,                 \
      Span<const int> blockCol, Span<const long long> rowBase, Span<const int> rowK,      \
      Span<const int> tPtr, Span<const int> tBlock, Span<const int> blockRow
#define RELGRAPH_LAYOUT_ARGS                                                               \
  batch, ld, nOut, nIn, nnz, outOff, inOff, rowPtr, colIdx, blockCol, rowBase, rowK, tPtr, \
      tBlock, blockRow

// The three products share one signature, (layout, first input, second input, output,
// threads); each has one implementation per instruction set.
using LayerKernel = void (*)(const Kernel&, const float*, const float*, float*, int);

/** Y = X W^T on existing blocks (feature-major: Y[out][batch]). */
inline void bs_forward(int isa, int threads, RELGRAPH_LAYOUT_PARAMS, Span<const float> W,
                       Span<const float> X, Span<float> Y) {
  LayerKernel f = by_isa<LayerKernel>(isa, portable::forward, avx2::forward, avx512::forward);
  check_threads(threads);
  Kernel k = make(RELGRAPH_LAYOUT_ARGS);
  check_weights(k, W, "W");
  check_activations(k, X, k.inOff[nIn], "X");
  check_activations(k, Y, k.outOff[nOut], "Y");
  f(k, W.data, X.data, Y.data, threads);
}

/** dX = dY W on existing blocks. */
inline void bs_backward_data(int isa, int threads, RELGRAPH_LAYOUT_PARAMS, Span<const float> W,
                             Span<const float> dY, Span<float> dX) {
  LayerKernel f = by_isa<LayerKernel>(isa, portable::backward_data, avx2::backward_data,
                                      avx512::backward_data);
  check_threads(threads);
  Kernel k = make(RELGRAPH_LAYOUT_ARGS);
  check_weights(k, W, "W");
  check_activations(k, dY, k.outOff[nOut], "dY");
  check_activations(k, dX, k.inOff[nIn], "dX");
  f(k, W.data, dY.data, dX.data, threads);
}

/** dW = dY^T X on existing blocks only. */
inline void bs_backward_weight(int isa, int threads, RELGRAPH_LAYOUT_PARAMS, Span<const float> dY,
                               Span<const float> X, Span<float> dW) {
  LayerKernel f = by_isa<LayerKernel>(isa, portable::backward_weight, avx2::backward_weight,
                                      avx512::backward_weight);
  check_threads(threads);
  Kernel k = make(RELGRAPH_LAYOUT_ARGS);
  check_activations(k, dY, k.outOff[nOut], "dY");
  check_activations(k, X, k.inOff[nIn], "X");
  check_weights(k, dW, "dW");
  f(k, dY.data, X.data, dW.data, threads);
}

// RELGRAPH_LAYOUT_PARAMS and RELGRAPH_LAYOUT_ARGS serve relgraph_conv.h's convolution products
// too, which undefines them.

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
 * threads, each running 12 independent register-only FMA chains of the vectors of `isa` (1 AVX2,
 * 2 AVX-512; 0 gives 0) for about `seconds`: the peak the kernels of that instruction set can
 * reach, also where a narrower one is forced on a wider CPU.
 */
inline double fma_peak_gflops_isa(int isa, int threads, double seconds) {
  check_threads(threads);
  RELGRAPH_CHECK(isa >= 0 && isa <= supported_isa(),
                 "peak: instruction set " + std::to_string(isa) + " not supported by this CPU");
  RELGRAPH_CHECK(seconds > 0 && seconds <= 60,
                 "peak: seconds = " + std::to_string(seconds) + " outside (0, 60]");
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

/** fma_peak_gflops_isa at the best instruction set of this CPU. */
inline double fma_peak_gflops(int threads, double seconds) {
  return fma_peak_gflops_isa(supported_isa(), threads, seconds);
}

}  // namespace relgraph

#include "relgraph_test_hooks.h"
#include "relgraph_train.h"
#include "relgraph_conv.h"
