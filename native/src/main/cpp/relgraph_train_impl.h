// Training operations besides the layer products, for one instruction set: batch normalisation
// fused with ReLU, softmax cross-entropy, bias, the SGD update and the elementwise product of the
// masked baseline. Included once per ISA by relgraph_kernels.h, inside that ISA's namespace and
// '#pragma GCC target', like relgraph_kernels_impl.h; relgraph_train.h checks the arguments and
// picks the ISA. No includes here. Each operation records the ISA it ran in last_isa (one store;
// the tests read it).
//
// Activations are feature-major (channels x batch, row stride = batch), so every per-channel
// statistic is a sum over one contiguous row: rows are independent, which makes the results the
// same for every thread count.

// Sums over a row in four vectors of independent float lanes (float accumulation: a batch row is
// short, some ten thousand values at most in practice), so that the additions do not wait on one
// another. (AVX-512 as built for the library, 2 threads: over 183 rows of 25,088 values
// bn_relu_forward took 0.76 of its time with one vector of 16 lanes and bn_relu_backward, whose
// sums run in two vectors, 0.66; over 724 rows of 2,048, 0.72 and 0.72.)
template <typename F>
static inline float row_sum(const float* x, int n, const F& f) {  // the sum of f(x[b]), b < n
  vf a[4] = {};
  int b = 0;
  for (; b + 4 * VW <= n; b += 4 * VW) {
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) a[i] += f(loadu(x + b + i * VW));
  }
  for (; b + VW <= n; b += VW) a[0] += f(loadu(x + b));
  const vf all = (a[0] + a[1]) + (a[2] + a[3]);
  float s;
  lane_sums<1>(&all, &s);
  for (; b < n; ++b) s += f(x[b]);
  return s;
}

static inline void row_moments(const float* x, int n, double* mean, double* var) {
  const float m = row_sum(x, n, [](auto v) { return v; }) / n;
  const float v = row_sum(x, n, [m](auto e) {
    const auto d = e - m;
    return d * d;
  });
  *mean = m;
  *var = v / n;
}

template <bool RELU>
static inline void row_affine(const float* x, float* y, int n, float scale, float shift) {
  for (int b = 0; b < n; ++b) {
    float v = x[b] * scale + shift;
    y[b] = !RELU || v > 0.f ? v : 0.f;
  }
}

/**
 * sg = sum of g, sgx = sum of g * (x - m) * is, where g = dy masked by y > 0 after a ReLU (RELU),
 * else dy (y unused).
 */
template <bool RELU>
static inline void row_bn_grad_sums(const float* x, const float* y, const float* dy, int n,
                                    float m, float is, double* sg, double* sgx) {
  const vf mv = m - vf{}, isv = is - vf{};
  vf a[2] = {}, c[2] = {};
  int b = 0;
  for (; b + 2 * VW <= n; b += 2 * VW) {
    for (int i = 0; i < 2; ++i) {
      const int o = b + i * VW;
      vf g = loadu(dy + o);
      if (RELU) g = loadu(y + o) > 0.f ? g : vf{};
      a[i] += g;
      c[i] += g * ((loadu(x + o) - mv) * isv);
    }
  }
  const vf both[2] = {a[0] + a[1], c[0] + c[1]};
  float sums[2];
  lane_sums<2>(both, sums);
  float s1 = sums[0], s2 = sums[1];
  for (; b < n; ++b) {
    float g = !RELU || y[b] > 0.f ? dy[b] : 0.f;
    s1 += g;
    s2 += g * ((x[b] - m) * is);
  }
  *sg = s1;
  *sgx = s2;
}

/** dx = k (n g - sg - xhat sgx), g and xhat as above. */
template <bool RELU>
static inline void row_bn_grad(const float* x, const float* y, const float* dy, float* dx, int n,
                               float m, float is, float k, float sg, float sgx) {
  const float nf = (float)n;
  for (int b = 0; b < n; ++b) {
    float g = !RELU || y[b] > 0.f ? dy[b] : 0.f;
    float xhat = (x[b] - m) * is;
    dx[b] = k * (nf * g - sg - xhat * sgx);
  }
}

/**
 * y = max(0, gamma * (x - mean) * invStd + beta) per channel. Training: mean and the biased
 * variance of the batch, saved (mean, invStd) for the backward pass, running statistics updated
 * as r = (1 - momentum) r + momentum s with the unbiased variance. Evaluation: the running ones.
 */
template <bool RELU>
static void bn_forward_impl(int threads, int channels, int batch, const float* x,
                            const float* gamma, const float* beta, float* y, float* mean,
                            float* invStd, float* runMean, float* runVar, float momentum,
                            float eps, int training) {
  last_isa = ISA;
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
      row_affine<RELU>(xr, yr, batch, (float)(gamma[c] * is),
                      (float)(beta[c] - gamma[c] * is * m));
    }
  });
}

/**
 * Backward of bn_relu_forward in training mode: g = dy where y > 0, xhat = (x - mean) invStd,
 * dbeta = sum g, dgamma = sum g xhat, dx = gamma invStd / B (B g - dbeta - xhat dgamma).
 */
template <bool RELU>
static void bn_backward_impl(int threads, int channels, int batch, const float* x,
                             const float* y, const float* dy, const float* gamma,
                             const float* mean, const float* invStd, float* dx, float* dgamma,
                             float* dbeta) {
  last_isa = ISA;
  for_chunks(threads, channels, channel_chunk(batch), [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      const float* xr = x + c * batch;
      const float* yr = y + c * batch;
      const float* gr = dy + c * batch;
      float* dxr = dx + c * batch;
      double sg, sgx;
      row_bn_grad_sums<RELU>(xr, yr, gr, batch, mean[c], invStd[c], &sg, &sgx);
      dbeta[c] = (float)sg;
      dgamma[c] = (float)sgx;
      row_bn_grad<RELU>(xr, yr, gr, dxr, batch, mean[c], invStd[c], gamma[c] * invStd[c] / batch,
                  (float)sg, (float)sgx);
    }
  });
}

static void bn_relu_forward(int threads, int channels, int batch, const float* x,
                            const float* gamma, const float* beta, float* y, float* mean,
                            float* invStd, float* runMean, float* runVar, float momentum,
                            float eps, int training) {
  bn_forward_impl<true>(threads, channels, batch, x, gamma, beta, y, mean, invStd, runMean, runVar,
                        momentum, eps, training);
}

static void bn_relu_backward(int threads, int channels, int batch, const float* x, const float* y,
                             const float* dy, const float* gamma, const float* mean,
                             const float* invStd, float* dx, float* dgamma, float* dbeta) {
  bn_backward_impl<true>(threads, channels, batch, x, y, dy, gamma, mean, invStd, dx, dgamma,
                         dbeta);
}

/** Batch normalisation alone (before a residual addition): bn_relu_forward without the ReLU. */
static void bn_forward(int threads, int channels, int batch, const float* x, const float* gamma,
                       const float* beta, float* y, float* mean, float* invStd, float* runMean,
                       float* runVar, float momentum, float eps, int training) {
  bn_forward_impl<false>(threads, channels, batch, x, gamma, beta, y, mean, invStd, runMean,
                         runVar, momentum, eps, training);
}

/** Backward of bn_forward: as bn_relu_backward with g = dy everywhere (y is not read). */
static void bn_backward(int threads, int channels, int batch, const float* x, const float* dy,
                        const float* gamma, const float* mean, const float* invStd, float* dx,
                        float* dgamma, float* dbeta) {
  bn_backward_impl<false>(threads, channels, batch, x, dy, dy, gamma, mean, invStd, dx, dgamma,
                          dbeta);
}

/**
 * Mean softmax cross-entropy over the batch of `logits` (classes x batch); dLogits = (softmax -
 * onehot) / batch. Returns the number of samples whose largest logit is the label (the first
 * largest on ties) in *correct. Labels are checked by the caller.
 */
static double softmax_xent(int classes, int batch, const float* logits, const int* labels,
                           float* dLogits, int* correct) {
  last_isa = ISA;
  double loss = 0;
  int right = 0;
  for (int b = 0; b < batch; ++b) {
    int label = labels[b];
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
  *correct = right;
  return loss / batch;
}

/** y[c][b] += bias[c]. */
static void add_bias(int threads, int channels, int batch, float* y, const float* bias) {
  last_isa = ISA;
  for_chunks(threads, channels, channel_chunk(batch), [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      float* yr = y + c * batch;
      const float v = bias[c];
      for (int b = 0; b < batch; ++b) yr[b] += v;
    }
  });
}

/** db[c] = sum over the batch of dy[c][b]. */
static void bias_gradient(int threads, int channels, int batch, const float* dy, float* db) {
  last_isa = ISA;
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
static void sgd_step(int threads, long long n, float* w, const float* g, float* buf, float lr,
                     float momentum, float weightDecay, int nesterov) {
  last_isa = ISA;
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

/** out[i] = a[i] * b[i]: the masked baseline's weight-times-mask product (out may be a or b). */
static void multiply(int threads, long long n, const float* a, const float* b, float* out) {
  last_isa = ISA;
  for_chunks(threads, n, 1 << 16, [&](long long i0, long long i1) {
    for (long long i = i0; i < i1; ++i) out[i] = a[i] * b[i];
  });
}
