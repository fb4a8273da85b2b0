// relgraph's CUDA kernels (FP32 FFMA). The interface and launch geometry are in relgraph_cuda.h;
// docs/gpu.md describes the design. nvcc compiles this file into the fatbin; g++ compiles the same
// file against the emulation (src/main/cpp/emu/emu_cuda.h) for the tests.
#ifndef __CUDACC__
#include "emu_cuda.h"
#endif

#define RG_KERNEL __global__
#include "relgraph_cuda.h"

// A launch whose geometry breaks a kernel's assumptions fails under the emulation with a message;
// on a GPU the kernel returns without writing (the emulated tests catch the caller's mistake).
#ifdef __CUDACC__
#define RG_EXPECT(cond, msg) \
  do {                       \
    if (!(cond)) return;     \
  } while (0)
#define RG_DYNAMIC_SHARED(T, name) extern __shared__ T name[]
__device__ __forceinline__ unsigned rg_dynamic_smem_bytes() {
  unsigned r;
  asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(r));
  return r;
}
#else
#define RG_EXPECT(cond, msg)   \
  do {                         \
    if (!(cond)) {             \
      ::emu::fail(msg);        \
      return;                  \
    }                          \
  } while (0)
#define RG_DYNAMIC_SHARED(T, name) T* name = reinterpret_cast<T*>(::emu::dynamic_shared())
inline unsigned rg_dynamic_smem_bytes() { return ::emu::dynamic_shared_bytes(); }
#endif

#define RG_FULL_MASK 0xffffffffu

namespace {

constexpr int kThreads = RG_BS_THREADS;  // 8 warps
constexpr int kRows = RG_BS_TILE_ROWS;   // 32 rows of the result per tile
constexpr int kCols = RG_BS_TILE_BATCH;  // 64 batch columns per tile
constexpr int kStep = RG_BS_TILE_K;      // 32 reduction steps staged per round
constexpr int kRowsPerThread = kRows / (kThreads / 32);  // 4: rows ty, ty + 8, ty + 16, ty + 24
static_assert(kCols == 64 && kStep == 32 && kRows == 32 && kThreads == 256,
              "the loops below are written for 256 threads over 32 x 64 tiles");

__device__ __forceinline__ bool rg_block_is(unsigned x) {
  return blockDim.x == x && blockDim.y == 1 && blockDim.z == 1;
}

/**
 * Sum of v over the block's threads (a multiple of 32, at most 1024), the same in every thread:
 * warp sums by shuffles, then every thread adds the warp sums in warp order (deterministic).
 */
__device__ double rg_block_sum(double v) {
  __shared__ double partial[32];
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(RG_FULL_MASK, v, o);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  __syncthreads();  // a previous call's readers are done with partial
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  double s = 0;
  const int warps = blockDim.x >> 5;
  for (int w = 0; w < warps; ++w) s += partial[w];
  return s;
}

}  // namespace

extern "C" {

// -------------------------------------------------------------------------------------------
// Forward: one thread block computes a 32 x 64 tile of Y: rows r0.. of output node v (grid.y,
// grid.z) and batch columns b0.. (grid.x). The reduction runs over W_v's K_v columns, which are
// the concatenated input channels of v's blocks: each round stages 32 of them, W_v's 32 x 32
// slice and the matching 32 gathered rows of X (32 x 64), in shared memory. A column's input
// channel comes from a binary search over blockCol. Each thread accumulates 4 rows x 2 columns.
RG_KERNEL void rg_bs_forward(int nOut, int batch, const int* outOff, const int* inOff,
                             const int* rowPtr, const int* colIdx, const int* blockCol,
                             const long long* rowBase, const int* rowK, const float* W,
                             const float* X, float* Y) {
  RG_EXPECT(rg_block_is(kThreads), "rg_bs_forward: blockDim must be (256, 1, 1)");
  const int v = blockIdx.y;
  if (v >= nOut) return;
  const int o0 = outOff[v], rows = outOff[v + 1] - o0;
  const int r0 = blockIdx.z * kRows, b0 = blockIdx.x * kCols;
  if (r0 >= rows || b0 >= batch) return;
  const int K = rowK[v];
  const int j0 = rowPtr[v], j1 = rowPtr[v + 1];
  const float* Wv = W + rowBase[v];

  __shared__ float ws[kRows][kStep + 1];  // [row][step]
  __shared__ float xs[kStep][kCols];      // [step][column]
  __shared__ int chan[kStep];

  const int t = threadIdx.x, tx = t & 31, ty = t >> 5;
  float acc[kRowsPerThread][2];
  for (int i = 0; i < kRowsPerThread; ++i) acc[i][0] = acc[i][1] = 0.f;

  for (int k0 = 0; k0 < K; k0 += kStep) {
    if (t < kStep) {
      const int k = k0 + t;
      int c = -1;
      if (k < K) {
        int lo = j0, hi = j1 - 1;  // the last block starting at or before column k
        while (lo < hi) {
          const int mid = (lo + hi + 1) >> 1;
          if (blockCol[mid] <= k) lo = mid; else hi = mid - 1;
        }
        c = inOff[colIdx[lo]] + (k - blockCol[lo]);
      }
      chan[t] = c;
    }
    for (int i = 0; i < kRows * kStep / kThreads; ++i) {
      const int e = t + kThreads * i, r = e >> 5, kk = e & 31;
      ws[r][kk] = (r0 + r < rows && k0 + kk < K) ? Wv[(long long)(r0 + r) * K + k0 + kk] : 0.f;
    }
    __syncthreads();
    for (int i = 0; i < kStep * kCols / kThreads; ++i) {
      const int e = t + kThreads * i, kk = e >> 6, bb = e & 63;
      const int c = chan[kk];
      xs[kk][bb] = (c >= 0 && b0 + bb < batch) ? X[(long long)c * batch + b0 + bb] : 0.f;
    }
    __syncthreads();
#pragma unroll 8
    for (int kk = 0; kk < kStep; ++kk) {
      const float x0 = xs[kk][tx], x1 = xs[kk][tx + 32];
      for (int i = 0; i < kRowsPerThread; ++i) {
        const float w = ws[ty + 8 * i][kk];
        acc[i][0] = fmaf(w, x0, acc[i][0]);
        acc[i][1] = fmaf(w, x1, acc[i][1]);
      }
    }
    __syncthreads();
  }
  for (int i = 0; i < kRowsPerThread; ++i) {
    const int r = r0 + ty + 8 * i;
    if (r >= rows) continue;
    float* y = Y + (long long)(o0 + r) * batch + b0;
    if (b0 + tx < batch) y[tx] = acc[i][0];
    if (b0 + tx + 32 < batch) y[tx + 32] = acc[i][1];
  }
}

// -------------------------------------------------------------------------------------------
// Backward-data: one thread block computes a 32 x 64 tile of dX: channels r0.. of input node u
// and batch columns b0... The reduction runs over the output channels of u's blocks (the
// transposed index), concatenated: a prefix sum of their heights, made once per thread block in
// dynamic shared memory, maps a reduction step to its block and row. Each round stages, for 32
// steps, the 32 weights of the tile's channels in that row of W_v (read transposed, in place) and
// the 32 rows of dY.
RG_KERNEL void rg_bs_backward_data(int nIn, int batch, const int* outOff, const int* inOff,
                                   const int* tPtr, const int* tBlock, const int* blockRow,
                                   const int* blockCol, const long long* rowBase, const int* rowK,
                                   const float* W, const float* dY, float* dX) {
  RG_EXPECT(rg_block_is(kThreads), "rg_bs_backward_data: blockDim must be (256, 1, 1)");
  const int u = blockIdx.y;
  if (u >= nIn) return;
  const int c0 = inOff[u], cols = inOff[u + 1] - c0;
  const int r0 = blockIdx.z * kRows, b0 = blockIdx.x * kCols;
  if (r0 >= cols || b0 >= batch) return;
  const int q0 = tPtr[u], nb = tPtr[u + 1] - q0;
  RG_EXPECT(rg_dynamic_smem_bytes() >= 4u * (unsigned)(nb + 1),
            "rg_bs_backward_data: dynamic shared memory below 4 * (maxColBlocks + 1) bytes");
  RG_DYNAMIC_SHARED(int, pre);

  __shared__ float ws[kStep][kRows + 1];  // [step][channel]
  __shared__ float ds[kStep][kCols];      // [step][column]
  __shared__ int drow[kStep];
  __shared__ long long wbase[kStep];

  const int t = threadIdx.x, tx = t & 31, ty = t >> 5;
  if (t == 0) {
    int s = 0;
    pre[0] = 0;
    for (int p = 0; p < nb; ++p) {
      const int v = blockRow[tBlock[q0 + p]];
      s += outOff[v + 1] - outOff[v];
      pre[p + 1] = s;
    }
  }
  __syncthreads();
  const int K = pre[nb];
  float acc[kRowsPerThread][2];
  for (int i = 0; i < kRowsPerThread; ++i) acc[i][0] = acc[i][1] = 0.f;

  for (int k0 = 0; k0 < K; k0 += kStep) {
    if (t < kStep) {
      const int k = k0 + t;
      int o = -1;
      long long wb = 0;
      if (k < K) {
        int lo = 0, hi = nb - 1;  // the last block whose rows start at or before step k
        while (lo < hi) {
          const int mid = (lo + hi + 1) >> 1;
          if (pre[mid] <= k) lo = mid; else hi = mid - 1;
        }
        const int j = tBlock[q0 + lo], v = blockRow[j], r = k - pre[lo];
        o = outOff[v] + r;
        wb = rowBase[v] + (long long)r * rowK[v] + blockCol[j] + r0;
      }
      drow[t] = o;
      wbase[t] = wb;
    }
    __syncthreads();
    for (int i = 0; i < kStep * kRows / kThreads; ++i) {
      const int e = t + kThreads * i, kk = e >> 5, cc = e & 31;
      ws[kk][cc] = (drow[kk] >= 0 && r0 + cc < cols) ? W[wbase[kk] + cc] : 0.f;
    }
    for (int i = 0; i < kStep * kCols / kThreads; ++i) {
      const int e = t + kThreads * i, kk = e >> 6, bb = e & 63;
      const int o = drow[kk];
      ds[kk][bb] = (o >= 0 && b0 + bb < batch) ? dY[(long long)o * batch + b0 + bb] : 0.f;
    }
    __syncthreads();
#pragma unroll 8
    for (int kk = 0; kk < kStep; ++kk) {
      const float d0 = ds[kk][tx], d1 = ds[kk][tx + 32];
      for (int i = 0; i < kRowsPerThread; ++i) {
        const float w = ws[kk][ty + 8 * i];
        acc[i][0] = fmaf(w, d0, acc[i][0]);
        acc[i][1] = fmaf(w, d1, acc[i][1]);
      }
    }
    __syncthreads();
  }
  for (int i = 0; i < kRowsPerThread; ++i) {
    const int r = r0 + ty + 8 * i;
    if (r >= cols) continue;
    float* dx = dX + (long long)(c0 + r) * batch + b0;
    if (b0 + tx < batch) dx[tx] = acc[i][0];
    if (b0 + tx + 32 < batch) dx[tx + 32] = acc[i][1];
  }
}

// -------------------------------------------------------------------------------------------
// Weight gradient: one thread block computes a 32 x 32 tile of block j's gradient (grid.x = j,
// grid.y row tile, grid.z column tile), reducing over the batch 32 samples per round: the 32 rows
// of dY and the 32 rows of X, each 32 samples wide, staged in shared memory. Each thread
// accumulates 4 rows of one column.
RG_KERNEL void rg_bs_backward_weight(int nnz, int batch, const int* outOff, const int* inOff,
                                     const int* colIdx, const int* blockRow, const int* blockCol,
                                     const long long* rowBase, const int* rowK, const float* dY,
                                     const float* X, float* dW) {
  RG_EXPECT(rg_block_is(kThreads), "rg_bs_backward_weight: blockDim must be (256, 1, 1)");
  const int j = blockIdx.x;
  if (j >= nnz) return;
  const int v = blockRow[j], u = colIdx[j];
  const int o0 = outOff[v], rows = outOff[v + 1] - o0;
  const int c0 = inOff[u], cols = inOff[u + 1] - c0;
  const int r0 = blockIdx.y * kRows, cc0 = blockIdx.z * RG_DW_TILE_COLS;
  if (r0 >= rows || cc0 >= cols) return;
  const int K = rowK[v];
  float* dw = dW + rowBase[v] + blockCol[j];

  __shared__ float dys[kRows][kStep + 1];            // [row][sample]
  __shared__ float xs[RG_DW_TILE_COLS][kStep + 1];  // [channel][sample]

  const int t = threadIdx.x, tx = t & 31, ty = t >> 5;
  float acc[kRowsPerThread];
  for (int i = 0; i < kRowsPerThread; ++i) acc[i] = 0.f;

  for (int b0 = 0; b0 < batch; b0 += kStep) {
    for (int i = 0; i < kRows * kStep / kThreads; ++i) {
      const int e = t + kThreads * i, rr = e >> 5, bb = e & 31;
      const bool inBatch = b0 + bb < batch;
      dys[rr][bb] = (inBatch && r0 + rr < rows) ? dY[(long long)(o0 + r0 + rr) * batch + b0 + bb]
                                                : 0.f;
      xs[rr][bb] = (inBatch && cc0 + rr < cols) ? X[(long long)(c0 + cc0 + rr) * batch + b0 + bb]
                                                : 0.f;
    }
    __syncthreads();
#pragma unroll 8
    for (int bb = 0; bb < kStep; ++bb) {
      const float x = xs[tx][bb];
      for (int i = 0; i < kRowsPerThread; ++i) acc[i] = fmaf(dys[ty + 8 * i][bb], x, acc[i]);
    }
    __syncthreads();
  }
  if (cc0 + tx < cols) {
    for (int i = 0; i < kRowsPerThread; ++i) {
      const int r = r0 + ty + 8 * i;
      if (r < rows) dw[(long long)r * K + cc0 + tx] = acc[i];
    }
  }
}

// -------------------------------------------------------------------------------------------
// Batch norm + ReLU: one thread block per channel (its row is contiguous).
RG_KERNEL void rg_bn_relu_forward(int channels, int batch, const float* x, const float* gamma,
                                  const float* beta, float* y, float* mean, float* invStd,
                                  float* runMean, float* runVar, float momentum, float eps,
                                  int training) {
  RG_EXPECT(rg_block_is(RG_ROW_THREADS), "rg_bn_relu_forward: blockDim must be (256, 1, 1)");
  const int c = blockIdx.x;
  if (c >= channels) return;
  const float* xr = x + (long long)c * batch;
  float* yr = y + (long long)c * batch;
  const int t = threadIdx.x;
  double m, is;
  if (training) {
    double s = 0;
    for (int b = t; b < batch; b += RG_ROW_THREADS) s += xr[b];
    m = rg_block_sum(s) / batch;
    double q = 0;
    for (int b = t; b < batch; b += RG_ROW_THREADS) {
      const double d = xr[b] - m;
      q += d * d;
    }
    const double var = rg_block_sum(q) / batch;
    is = 1.0 / sqrt(var + (double)eps);
    if (t == 0) {
      mean[c] = (float)m;
      invStd[c] = (float)is;
      const double unbiased = batch > 1 ? var * batch / (batch - 1) : var;
      runMean[c] = (float)((1.0 - momentum) * runMean[c] + momentum * m);
      runVar[c] = (float)((1.0 - momentum) * runVar[c] + momentum * unbiased);
    }
  } else {
    m = runMean[c];
    is = 1.0 / sqrt((double)runVar[c] + (double)eps);
  }
  const float scale = (float)(gamma[c] * is);
  const float shift = (float)(beta[c] - gamma[c] * is * m);
  for (int b = t; b < batch; b += RG_ROW_THREADS) {
    const float val = fmaf(xr[b], scale, shift);
    yr[b] = val > 0.f ? val : 0.f;
  }
}

RG_KERNEL void rg_bn_relu_backward(int channels, int batch, const float* x, const float* y,
                                   const float* dy, const float* gamma, const float* mean,
                                   const float* invStd, float* dx, float* dgamma, float* dbeta) {
  RG_EXPECT(rg_block_is(RG_ROW_THREADS), "rg_bn_relu_backward: blockDim must be (256, 1, 1)");
  const int c = blockIdx.x;
  if (c >= channels) return;
  const long long off = (long long)c * batch;
  const float m = mean[c], is = invStd[c];
  const int t = threadIdx.x;
  double sg = 0, sgx = 0;
  for (int b = t; b < batch; b += RG_ROW_THREADS) {
    const float g = y[off + b] > 0.f ? dy[off + b] : 0.f;
    sg += g;
    sgx += (double)g * (((double)x[off + b] - m) * is);
  }
  sg = rg_block_sum(sg);
  sgx = rg_block_sum(sgx);
  if (t == 0) {
    dbeta[c] = (float)sg;
    dgamma[c] = (float)sgx;
  }
  const double k = (double)gamma[c] * is / batch;
  for (int b = t; b < batch; b += RG_ROW_THREADS) {
    const float g = y[off + b] > 0.f ? dy[off + b] : 0.f;
    const double xhat = ((double)x[off + b] - m) * is;
    dx[off + b] = (float)(k * ((double)batch * g - sg - xhat * sgx));
  }
}

// -------------------------------------------------------------------------------------------
// Softmax cross-entropy: one thread per sample; float64 per sample, as the CPU engine.
RG_KERNEL void rg_softmax_xent(int classes, int batch, const float* logits, const int* labels,
                               float* dLogits, double* sampleLoss, int* sampleCorrect) {
  RG_EXPECT(rg_block_is(RG_ELEM_THREADS), "rg_softmax_xent: blockDim must be (256, 1, 1)");
  const int b = blockIdx.x * RG_ELEM_THREADS + threadIdx.x;
  if (b >= batch) return;
  const int label = labels[b];
  double mx = logits[b];
  int arg = 0;
  for (int c = 1; c < classes; ++c) {
    const float z = logits[(long long)c * batch + b];
    if (z > mx) {
      mx = z;
      arg = c;
    }
  }
  double sum = 0;
  for (int c = 0; c < classes; ++c) sum += exp(logits[(long long)c * batch + b] - mx);
  const double logSum = log(sum) + mx;
  const bool valid = label >= 0 && label < classes;
  sampleLoss[b] = valid ? logSum - logits[(long long)label * batch + b] : nan("");
  sampleCorrect[b] = valid && arg == label ? 1 : 0;
  for (int c = 0; c < classes; ++c) {
    const double p = exp(logits[(long long)c * batch + b] - logSum);
    dLogits[(long long)c * batch + b] = (float)((p - (c == label ? 1.0 : 0.0)) / batch);
  }
}

RG_KERNEL void rg_xent_accumulate(int batch, const double* sampleLoss, const int* sampleCorrect,
                                  double* totals) {
  RG_EXPECT(rg_block_is(RG_ROW_THREADS), "rg_xent_accumulate: blockDim must be (256, 1, 1)");
  if (blockIdx.x != 0) return;
  const int t = threadIdx.x;
  double loss = 0, right = 0;
  for (int b = t; b < batch; b += RG_ROW_THREADS) {
    loss += sampleLoss[b];
    right += sampleCorrect[b];
  }
  loss = rg_block_sum(loss);
  right = rg_block_sum(right);
  if (t == 0) {
    const double meanLoss = loss / batch;
    totals[0] += 1;
    totals[1] += batch;
    totals[2] += meanLoss;
    totals[3] += meanLoss * batch;
    totals[4] += right;
  }
}

// -------------------------------------------------------------------------------------------
// Bias, SGD, mask product: elementwise.
RG_KERNEL void rg_add_bias(int channels, int batch, float* y, const float* bias) {
  RG_EXPECT(rg_block_is(RG_ELEM_THREADS), "rg_add_bias: blockDim must be (256, 1, 1)");
  const int c = blockIdx.y;
  const int b = blockIdx.x * RG_ELEM_THREADS + threadIdx.x;
  if (c < channels && b < batch) y[(long long)c * batch + b] += bias[c];
}

RG_KERNEL void rg_bias_gradient(int channels, int batch, const float* dy, float* db) {
  RG_EXPECT(rg_block_is(RG_ROW_THREADS), "rg_bias_gradient: blockDim must be (256, 1, 1)");
  const int c = blockIdx.x;
  if (c >= channels) return;
  const float* r = dy + (long long)c * batch;
  double s = 0;
  for (int b = threadIdx.x; b < batch; b += RG_ROW_THREADS) s += r[b];
  s = rg_block_sum(s);
  if (threadIdx.x == 0) db[c] = (float)s;
}

RG_KERNEL void rg_sgd_step(long long n, float* w, const float* g, float* buf, float lr,
                           float momentum, float weightDecay, int nesterov) {
  RG_EXPECT(rg_block_is(RG_ELEM_THREADS), "rg_sgd_step: blockDim must be (256, 1, 1)");
  const long long i = (long long)blockIdx.x * RG_ELEM_THREADS + threadIdx.x;
  if (i >= n) return;
  float d = fmaf(weightDecay, w[i], g[i]);
  const float bi = fmaf(momentum, buf[i], d);
  buf[i] = bi;
  d = nesterov ? fmaf(momentum, bi, d) : bi;
  w[i] = fmaf(-lr, d, w[i]);
}

RG_KERNEL void rg_multiply(long long n, const float* a, const float* b, float* out) {
  RG_EXPECT(rg_block_is(RG_ELEM_THREADS), "rg_multiply: blockDim must be (256, 1, 1)");
  const long long i = (long long)blockIdx.x * RG_ELEM_THREADS + threadIdx.x;
  if (i < n) out[i] = a[i] * b[i];
}

RG_KERNEL void rg_gemm_ref(int transA, int transB, int m, int n, int k, float alpha,
                           const float* A, int lda, const float* B, int ldb, float beta, float* C,
                           int ldc) {
  RG_EXPECT(blockDim.x == 16 && blockDim.y == 16 && blockDim.z == 1,
            "rg_gemm_ref: blockDim must be (16, 16, 1)");
  const int i = blockIdx.x * 16 + threadIdx.x, j = blockIdx.y * 16 + threadIdx.y;
  if (i >= m || j >= n) return;
  double s = 0;
  for (int l = 0; l < k; ++l) {
    const float a = transA ? A[l + (long long)i * lda] : A[i + (long long)l * lda];
    const float b = transB ? B[j + (long long)l * ldb] : B[l + (long long)j * ldb];
    s += (double)a * b;
  }
  float* c = C + i + (long long)j * ldc;
  *c = beta == 0.f ? (float)(alpha * s) : (float)(alpha * s + (double)beta * *c);
}

}  // extern "C"
