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
        double s = 0;
        for (int b = 0; b < batch; ++b) s += xr[b];
        m = s / batch;
        double v = 0;
        for (int b = 0; b < batch; ++b) {
          double d = xr[b] - m;
          v += d * d;
        }
        v /= batch;
        is = 1.0 / std::sqrt(v + eps);
        mean[c] = (float)m;
        invStd[c] = (float)is;
        runMean[c] = (float)((1.0 - momentum) * runMean[c] + momentum * m);
        runVar[c] = (float)((1.0 - momentum) * runVar[c] + momentum * v * batch / (batch - 1));
      } else {
        m = runMean[c];
        is = 1.0 / std::sqrt((double)runVar[c] + eps);
      }
      const float scale = (float)(gamma[c] * is);
      const float shift = (float)(beta[c] - gamma[c] * is * m);
      for (int b = 0; b < batch; ++b) {
        float v = xr[b] * scale + shift;
        yr[b] = v > 0.f ? v : 0.f;
      }
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
      const double m = mean[c], is = invStd[c];
      double sg = 0, sgx = 0;
      for (int b = 0; b < batch; ++b) {
        double g = yr[b] > 0.f ? gr[b] : 0.0;
        sg += g;
        sgx += g * ((xr[b] - m) * is);
      }
      dbeta[c] = (float)sg;
      dgamma[c] = (float)sgx;
      const double k = gamma[c] * is / batch;
      for (int b = 0; b < batch; ++b) {
        double g = yr[b] > 0.f ? gr[b] : 0.0;
        double xhat = (xr[b] - m) * is;
        dxr[b] = (float)(k * (batch * g - sg - xhat * sgx));
      }
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
