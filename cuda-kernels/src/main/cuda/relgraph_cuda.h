// relgraph's CUDA kernels: every entry point, its parameters and the launch geometry it expects.
//
// The kernels are extern "C" so that their names in the fatbin (cuModuleGetFunction) and in the
// emulation (emu_launch) are exactly the names below. Parameters are only pointers (device
// addresses), int, float and long long, in the order given.
//
// Conventions shared with the CPU engine (java/.../engine/BlockSparseLayout.java, native/):
//   - Activations are feature-major and dense: a matrix of channels x batch, element (c, b) at
//     c * batch + b ("batch" is the values per channel: batch, or batch*H*W).
//   - The block-sparse layout of a layer (device copies of the layout's int/long arrays):
//       outOff[nOut+1], inOff[nIn+1]    channel offsets of the output and input nodes;
//       rowPtr[nOut+1], colIdx[nnz]     each output node's blocks in CSR order (ascending input
//                                       node), their input node;
//       blockCol[nnz]                   each block's first column within W_v;
//       rowBase[nOut] (long long)       where W_v starts in the weight buffer;
//       rowK[nOut]                      K_v, the columns of W_v (sum of its blocks' widths);
//       tPtr[nIn+1], tBlock[nnz]        the transposed index: each input node's blocks;
//       blockRow[nnz]                   each block's output node.
//     W_v is row-major |out_v| x K_v. An empty array (nnz = 0 cannot happen: every node has its
//     diagonal block) still needs a valid address.
//   - "maxOut" is max over v of |out_v|, "maxIn" max over u of |in_u|, "maxColBlocks" max over
//     u of tPtr[u+1] - tPtr[u] (the host computes them once per layout).
//
// Geometry: ceil(a / b) is written cdiv(a, b). Every kernel checks blockDim against what it
// expects; under the emulation a mismatch fails the launch with a message, on a GPU the kernel
// returns without writing. Grid limits: x < 2^31, y and z <= 65535.
//
// Results are deterministic: no kernel accumulates with atomics in floating point.
#pragma once

// The kernel sources define RG_KERNEL as __global__ (nvcc, and the emulation where __global__
// is empty); other readers see plain declarations.
#ifndef RG_KERNEL
#define RG_KERNEL
#endif

#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------------------------------------
// Tiles of the three block-sparse products (FP32 FFMA, shared-memory staging).
#define RG_BS_THREADS 256  // blockDim = (256, 1, 1) for the three products
#define RG_BS_TILE_ROWS 32  // output channels (fwd), input channels (bwd-data), out rows (dW)
#define RG_BS_TILE_BATCH 64  // batch columns per tile (fwd, bwd-data)
#define RG_BS_TILE_K 32  // reduction step staged in shared memory
#define RG_DW_TILE_COLS 32  // dW: input channels per tile

/**
 * Forward, Y = X W^T on existing blocks: Y[o][b] = sum over v's blocks j (input node u) and the
 * channels c of u of W_v[o - outOff[v]][blockCol[j] + c - inOff[u]] * X[c][b]. Overwrites Y.
 *   grid  = (cdiv(batch, 64), nOut, cdiv(maxOut, 32)); block = (256, 1, 1); shared = 0.
 *   W: weightCount floats; X: inOff[nIn] x batch; Y: outOff[nOut] x batch.
 */
RG_KERNEL void rg_bs_forward(int nOut, int batch, const int* outOff, const int* inOff,
                             const int* rowPtr, const int* colIdx, const int* blockCol,
                             const long long* rowBase, const int* rowK, const float* W,
                             const float* X, float* Y);

/**
 * Backward-data, dX = dY W on existing blocks through the transposed index (no transposed copy
 * of W): dX[c][b] = sum over u's blocks j (output node v = blockRow[j]) and the rows o of v of
 * W_v[o - outOff[v]][blockCol[j] + c - inOff[u]] * dY[o][b]. Overwrites dX.
 *   grid  = (cdiv(batch, 64), nIn, cdiv(maxIn, 32)); block = (256, 1, 1);
 *   shared = 4 * (maxColBlocks + 1) bytes (a prefix sum of the column's block heights).
 */
RG_KERNEL void rg_bs_backward_data(int nIn, int batch, const int* outOff, const int* inOff,
                                   const int* tPtr, const int* tBlock, const int* blockRow,
                                   const int* blockCol, const long long* rowBase, const int* rowK,
                                   const float* W, const float* dY, float* dX);

/**
 * Weight gradient on existing blocks only (SDDMM-like): for block j = (v, u),
 * dW_v[r][blockCol[j] + c] = sum over b of dY[outOff[v] + r][b] * X[inOff[u] + c][b].
 * Overwrites the existing weights' gradient (all weightCount floats).
 *   grid  = (nnz, cdiv(maxOut, 32), cdiv(maxIn, 32)); block = (256, 1, 1); shared = 0.
 */
RG_KERNEL void rg_bs_backward_weight(int nnz, int batch, const int* outOff, const int* inOff,
                                     const int* colIdx, const int* blockRow, const int* blockCol,
                                     const long long* rowBase, const int* rowK, const float* dY,
                                     const float* X, float* dW);

// ---------------------------------------------------------------------------------------------
// Training operations. RG_ROW_THREADS threads reduce one channel's row.
#define RG_ROW_THREADS 256
#define RG_ELEM_THREADS 256

/**
 * y = max(0, gamma (x - mean) invStd + beta) per channel of x (channels x batch). training != 0:
 * mean and biased variance of the batch (float64 sums), mean and invStd = 1/sqrt(var + eps)
 * saved, runMean = (1 - momentum) runMean + momentum mean, runVar likewise with the unbiased
 * variance var * batch / (batch - 1) (PyTorch: momentum 0.1, eps 1e-5). training == 0: the running
 * statistics; mean, invStd, runMean and runVar are not written. y may not alias x.
 *   grid = (channels, 1, 1); block = (256, 1, 1); shared = 0.
 */
RG_KERNEL void rg_bn_relu_forward(int channels, int batch, const float* x, const float* gamma,
                                  const float* beta, float* y, float* mean, float* invStd,
                                  float* runMean, float* runVar, float momentum, float eps,
                                  int training);

/**
 * Backward of rg_bn_relu_forward in training: g = dy where y > 0 (else 0), xhat = (x - mean)
 * invStd, dbeta = sum g, dgamma = sum g xhat, dx = gamma invStd / batch (batch g - dbeta - xhat
 * dgamma). Overwrites dx, dgamma, dbeta.
 *   grid = (channels, 1, 1); block = (256, 1, 1); shared = 0.
 */
RG_KERNEL void rg_bn_relu_backward(int channels, int batch, const float* x, const float* y,
                                   const float* dy, const float* gamma, const float* mean,
                                   const float* invStd, float* dx, float* dgamma, float* dbeta);

/**
 * Softmax cross-entropy per sample of logits (classes x batch), labels[batch] in [0, classes):
 * dLogits = (softmax - onehot) / batch; sampleLoss[b] = logsumexp - logit of the label (float64);
 * sampleCorrect[b] = 1 when the first largest logit is the label, else 0. A label outside
 * [0, classes) gives a NaN loss and 0 correct.
 *   grid = (cdiv(batch, 256), 1, 1); block = (256, 1, 1); shared = 0.
 */
RG_KERNEL void rg_softmax_xent(int classes, int batch, const float* logits, const int* labels,
                               float* dLogits, double* sampleLoss, int* sampleCorrect);

/**
 * Adds one batch into a device loss accumulator totals[5] (float64): totals[0] += 1 (batches),
 * totals[1] += batch (samples), totals[2] += mean loss, totals[3] += mean loss * batch,
 * totals[4] += correct samples. Sums in a fixed order (deterministic). Run after rg_softmax_xent
 * on the same stream. Zero the accumulator with a memset.
 *   grid = (1, 1, 1); block = (256, 1, 1); shared = 0.
 */
RG_KERNEL void rg_xent_accumulate(int batch, const double* sampleLoss, const int* sampleCorrect,
                                  double* totals);

/**
 * y[c][b] += bias[c] for y of channels x batch.
 *   grid = (cdiv(batch, 256), channels, 1); block = (256, 1, 1); shared = 0.
 */
RG_KERNEL void rg_add_bias(int channels, int batch, float* y, const float* bias);

/**
 * db[c] = sum over b of dy[c][b] (float64 sum). Overwrites db.
 *   grid = (channels, 1, 1); block = (256, 1, 1); shared = 0.
 */
RG_KERNEL void rg_bias_gradient(int channels, int batch, const float* dy, float* db);

/**
 * One SGD step over n values, PyTorch's SGD (dampening 0): d = g + weightDecay w;
 * buf = momentum buf + d; d = nesterov ? d + momentum buf : buf; w -= lr d.
 *   grid = (cdiv(n, 256), 1, 1); block = (256, 1, 1); shared = 0.
 */
RG_KERNEL void rg_sgd_step(long long n, float* w, const float* g, float* buf, float lr,
                           float momentum, float weightDecay, int nesterov);

/**
 * out[i] = a[i] * b[i] over n values (the masked mode's W ⊙ M into scratch, or (dY Xᵀ) ⊙ M in
 * place); out may be a or b.
 *   grid = (cdiv(n, 256), 1, 1); block = (256, 1, 1); shared = 0.
 */
RG_KERNEL void rg_multiply(long long n, const float* a, const float* b, float* out);

/**
 * A plain reference SGEMM with cuBLAS's column-major convention, for the emulated device (and
 * tests), not for speed: C = alpha op(A) op(B) + beta C, op(A) m x k, op(B) k x n, C m x n with
 * leading dimension ldc; transA/transB 0 or 1. With beta == 0, C is not read (as cuBLAS).
 *   grid = (cdiv(m, 16), cdiv(n, 16), 1); block = (16, 16, 1); shared = 0.
 */
RG_KERNEL void rg_gemm_ref(int transA, int transB, int m, int n, int k, float alpha,
                           const float* A, int lda, const float* B, int ldb, float beta, float* C,
                           int ldc);

#ifdef __cplusplus
}
#endif
