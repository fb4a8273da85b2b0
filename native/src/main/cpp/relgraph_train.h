// Training operations besides the layer products: batch normalisation fused with ReLU, softmax
// cross-entropy, bias, and the SGD update. Activations are feature-major (channels x batch, row
// stride = batch), so every per-channel statistic is a sum over one contiguous row: rows are
// independent, which makes the results the same for every thread count.
#pragma once

#include <cmath>
#include <stdexcept>

#include "relgraph_pool.h"

namespace relgraph {

inline void check_train(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

/** Runs body(first, last) over [0, n) in chunks of `chunk` on `threads` threads. */
template <typename Body>
inline void for_chunks(int threads, long long n, long long chunk, const Body& body) {
  int chunks = (int)((n + chunk - 1) / chunk);
  Pool::instance().run(threads, chunks, [&](int, int c) {
    long long first = (long long)c * chunk;
    long long last = first + chunk < n ? first + chunk : n;
    body(first, last);
  });
}

/** Channels per task: about 16k values, at least one channel. */
inline long long channel_chunk(int batch) {
  long long c = 16384 / (batch > 0 ? batch : 1);
  return c < 1 ? 1 : c;
}

/** Row kernels compiled for AVX-512, AVX2 and baseline x86-64, picked by the loader (ifunc). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RELGRAPH_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RELGRAPH_CLONES
#endif

// Sums over a row in 16 independent float lanes, which the compiler keeps in one vector register
// (float accumulation: a batch row is short, a few hundred values at most in practice).
RELGRAPH_CLONES static void row_moments(const float* x, int n, double* mean, double* var) {
  float acc[16] = {};
  int b = 0;
  for (; b + 16 <= n; b += 16)
    for (int j = 0; j < 16; ++j) acc[j] += x[b + j];
  float s = 0;
  for (int j = 0; j < 16; ++j) s += acc[j];
  for (; b < n; ++b) s += x[b];
  const float m = s / n;
  float dev[16] = {};
  b = 0;
  for (; b + 16 <= n; b += 16)
    for (int j = 0; j < 16; ++j) {
      float d = x[b + j] - m;
      dev[j] += d * d;
    }
  float v = 0;
  for (int j = 0; j < 16; ++j) v += dev[j];
  for (; b < n; ++b) v += (x[b] - m) * (x[b] - m);
  *mean = m;
  *var = v / n;
}

RELGRAPH_CLONES static void row_affine_relu(const float* x, float* y, int n, float scale,
                                            float shift) {
  for (int b = 0; b < n; ++b) {
    float v = x[b] * scale + shift;
    y[b] = v > 0.f ? v : 0.f;
  }
}

/** sg = sum of g, sgx = sum of g * (x - m) * is, where g = dy masked by y > 0. */
RELGRAPH_CLONES static void row_bn_grad_sums(const float* x, const float* y, const float* dy,
                                             int n, float m, float is, double* sg,
                                             double* sgx) {
  float a[16] = {}, c[16] = {};
  int b = 0;
  for (; b + 16 <= n; b += 16)
    for (int j = 0; j < 16; ++j) {
      float g = y[b + j] > 0.f ? dy[b + j] : 0.f;
      a[j] += g;
      c[j] += g * ((x[b + j] - m) * is);
    }
  float s1 = 0, s2 = 0;
  for (int j = 0; j < 16; ++j) {
    s1 += a[j];
    s2 += c[j];
  }
  for (; b < n; ++b) {
    float g = y[b] > 0.f ? dy[b] : 0.f;
    s1 += g;
    s2 += g * ((x[b] - m) * is);
  }
  *sg = s1;
  *sgx = s2;
}

/** dx = k (n g - sg - xhat sgx), g and xhat as above. */
RELGRAPH_CLONES static void row_bn_grad(const float* x, const float* y, const float* dy, float* dx,
                                        int n, float m, float is, float k, float sg, float sgx) {
  const float nf = (float)n;
  for (int b = 0; b < n; ++b) {
    float g = y[b] > 0.f ? dy[b] : 0.f;
    float xhat = (x[b] - m) * is;
    dx[b] = k * (nf * g - sg - xhat * sgx);
  }
}

/**
 * y = max(0, gamma * (x - mean) * invStd + beta) per channel. Training: mean and the biased
 * variance of the batch, saved (mean, invStd) for the backward pass, running statistics updated
 * as r = (1 - momentum) r + momentum s with the unbiased variance. Evaluation: the running ones.
 */
inline void bn_relu_forward(int threads, int channels, int batch, const float* x,
                            const float* gamma, const float* beta, float* y, float* mean,
                            float* invStd, float* runMean, float* runVar, float momentum,
                            float eps, int training) {
  check_train(threads >= 1 && channels >= 1 && batch >= 1 && x && gamma && beta && y && mean &&
                  invStd && runMean && runVar && eps > 0,
              "bad batch-norm arguments");
  check_train(!training || batch >= 2, "batch norm in training needs a batch of at least 2");
  for_chunks(threads, channels, channel_chunk(batch), [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      const float* xr = x + c * batch;
      float* yr = y + c * batch;
      double m, is;
      if (training) {
        double v;
        row_moments(xr, batch, &m, &v);
        is = 1.0 / std::sqrt(v + eps);
        mean[c] = (float)m;
        invStd[c] = (float)is;
        runMean[c] = (float)((1.0 - momentum) * runMean[c] + momentum * m);
        runVar[c] = (float)((1.0 - momentum) * runVar[c] + momentum * v * batch / (batch - 1));
      } else {
        m = runMean[c];
        is = 1.0 / std::sqrt((double)runVar[c] + eps);
      }
      row_affine_relu(xr, yr, batch, (float)(gamma[c] * is), (float)(beta[c] - gamma[c] * is * m));
    }
  });
}

/**
 * Backward of bn_relu_forward in training mode: g = dy where y > 0, xhat = (x - mean) invStd,
 * dbeta = sum g, dgamma = sum g xhat, dx = gamma invStd / B (B g - dbeta - xhat dgamma).
 */
inline void bn_relu_backward(int threads, int channels, int batch, const float* x, const float* y,
                             const float* dy, const float* gamma, const float* mean,
                             const float* invStd, float* dx, float* dgamma, float* dbeta) {
  check_train(threads >= 1 && channels >= 1 && batch >= 1 && x && y && dy && gamma && mean &&
                  invStd && dx && dgamma && dbeta,
              "bad batch-norm backward arguments");
  for_chunks(threads, channels, channel_chunk(batch), [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      const float* xr = x + c * batch;
      const float* yr = y + c * batch;
      const float* gr = dy + c * batch;
      float* dxr = dx + c * batch;
      double sg, sgx;
      row_bn_grad_sums(xr, yr, gr, batch, mean[c], invStd[c], &sg, &sgx);
      dbeta[c] = (float)sg;
      dgamma[c] = (float)sgx;
      row_bn_grad(xr, yr, gr, dxr, batch, mean[c], invStd[c], gamma[c] * invStd[c] / batch,
                  (float)sg, (float)sgx);
    }
  });
}

/**
 * Mean softmax cross-entropy over the batch of `logits` (classes x batch); dLogits = (softmax -
 * onehot) / batch. Writes the number of samples whose largest logit is the label (the first
 * largest on ties) to correct[0]. Labels are checked.
 */
inline double softmax_xent(int classes, int batch, const float* logits, const int* labels,
                           float* dLogits, int* correct) {
  check_train(classes >= 1 && batch >= 1 && logits && labels && dLogits && correct,
              "bad cross-entropy arguments");
  double loss = 0;
  int right = 0;
  for (int b = 0; b < batch; ++b) {
    int label = labels[b];
    check_train(label >= 0 && label < classes, "label outside 0..classes-1");
    double mx = logits[b];
    int arg = 0;
    for (int c = 1; c < classes; ++c) {
      if (logits[(long long)c * batch + b] > mx) {
        mx = logits[(long long)c * batch + b];
        arg = c;
      }
    }
    double sum = 0;
    for (int c = 0; c < classes; ++c) sum += std::exp(logits[(long long)c * batch + b] - mx);
    double logSum = std::log(sum) + mx;
    loss += logSum - logits[(long long)label * batch + b];
    for (int c = 0; c < classes; ++c) {
      double p = std::exp(logits[(long long)c * batch + b] - logSum);
      dLogits[(long long)c * batch + b] = (float)((p - (c == label ? 1.0 : 0.0)) / batch);
    }
    if (arg == label) ++right;
  }
  correct[0] = right;
  return loss / batch;
}

/** y[c][b] += bias[c]. */
inline void add_bias(int threads, int channels, int batch, float* y, const float* bias) {
  check_train(threads >= 1 && channels >= 1 && batch >= 1 && y && bias, "bad bias arguments");
  for_chunks(threads, channels, channel_chunk(batch), [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      float* yr = y + c * batch;
      const float v = bias[c];
      for (int b = 0; b < batch; ++b) yr[b] += v;
    }
  });
}

/** db[c] = sum over the batch of dy[c][b]. */
inline void bias_gradient(int threads, int channels, int batch, const float* dy, float* db) {
  check_train(threads >= 1 && channels >= 1 && batch >= 1 && dy && db, "bad bias arguments");
  for_chunks(threads, channels, channel_chunk(batch), [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      const float* r = dy + c * batch;
      double s = 0;
      for (int b = 0; b < batch; ++b) s += r[b];
      db[c] = (float)s;
    }
  });
}

/**
 * One SGD step with momentum and weight decay, as PyTorch's SGD (dampening 0): d = g + wd w;
 * buf = momentum buf + d; d = d + momentum buf when Nesterov, else d = buf; w -= lr d.
 */
inline void sgd_step(int threads, long long n, float* w, const float* g, float* buf, float lr,
                     float momentum, float weightDecay, int nesterov) {
  check_train(threads >= 1 && n >= 1 && w && g && buf, "bad SGD arguments");
  for_chunks(threads, n, 1 << 16, [&](long long i0, long long i1) {
    for (long long i = i0; i < i1; ++i) {
      float d = g[i] + weightDecay * w[i];
      float bi = momentum * buf[i] + d;
      buf[i] = bi;
      d = nesterov ? d + momentum * bi : bi;
      w[i] -= lr * d;
    }
  });
}

}  // namespace relgraph
