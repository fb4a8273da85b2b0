// Entry points of the training operations (kernels in relgraph_train_impl.h, one copy per
// instruction set): each checks its arguments and every buffer's length, then runs the copy of
// the instruction set it is given. Included by relgraph_kernels.h.
#pragma once

#include "relgraph_kernels.h"

namespace relgraph {

/** channels >= 1 and batch >= 1: a feature-major matrix of channels x batch. */
inline long long check_shape(int channels, int batch, const char* op) {
  RELGRAPH_CHECK(channels >= 1 && batch >= 1, std::string(op) + ": " + std::to_string(channels) +
                                                  " x " + std::to_string(batch) +
                                                  " is not a matrix");
  return (long long)channels * batch;
}

/**
 * Checks a batch norm forward's arguments (with or without ReLU), then runs the kernel f chosen
 * for the ISA.
 */
template <class F>
inline void checked_bn_forward(F f, int threads, int channels, int batch, Span<const float> x,
                               Span<const float> gamma, Span<const float> beta, Span<float> y,
                               Span<float> mean, Span<float> invStd, Span<float> runMean,
                               Span<float> runVar, float momentum, float eps, int training) {
  check_threads(threads);
  long long n = check_shape(channels, batch, "batch norm");
  RELGRAPH_CHECK(eps > 0, "batch norm: eps must be > 0");
  RELGRAPH_CHECK(!training || batch >= 2,
                 "batch norm in training needs a batch of at least 2");
  check_length(x, n, "x");
  check_length(y, n, "y");
  check_length(gamma, channels, "gamma");
  check_length(beta, channels, "beta");
  check_length(mean, channels, "mean");
  check_length(invStd, channels, "invStd");
  check_length(runMean, channels, "runMean");
  check_length(runVar, channels, "runVar");
  f(threads, channels, batch, x.data, gamma.data, beta.data, y.data, mean.data, invStd.data,
    runMean.data, runVar.data, momentum, eps, training);
}

/**
 * y = max(0, gamma * (x - mean) * invStd + beta) per channel over feature-major activations
 * (channels x batch): batch statistics in training, saved and folded into the running ones; the
 * running ones in evaluation.
 */
inline void bn_relu_forward(int isa, int threads, int channels, int batch, Span<const float> x,
                            Span<const float> gamma, Span<const float> beta, Span<float> y,
                            Span<float> mean, Span<float> invStd, Span<float> runMean,
                            Span<float> runVar, float momentum, float eps, int training) {
  checked_bn_forward(
      by_isa(isa, &portable::bn_relu_forward, &avx2::bn_relu_forward, &avx512::bn_relu_forward),
      threads, channels, batch, x, gamma, beta, y, mean, invStd, runMean, runVar, momentum, eps,
      training);
}

/** Backward of bn_relu_forward in training mode. */
inline void bn_relu_backward(int isa, int threads, int channels, int batch, Span<const float> x,
                             Span<const float> y, Span<const float> dy, Span<const float> gamma,
                             Span<const float> mean, Span<const float> invStd, Span<float> dx,
                             Span<float> dgamma, Span<float> dbeta) {
  auto f = by_isa(isa, &portable::bn_relu_backward, &avx2::bn_relu_backward,
                  &avx512::bn_relu_backward);
  check_threads(threads);
  long long n = check_shape(channels, batch, "batch norm backward");
  check_length(x, n, "x");
  check_length(y, n, "y");
  check_length(dy, n, "dy");
  check_length(dx, n, "dx");
  check_length(gamma, channels, "gamma");
  check_length(mean, channels, "mean");
  check_length(invStd, channels, "invStd");
  check_length(dgamma, channels, "dgamma");
  check_length(dbeta, channels, "dbeta");
  f(threads, channels, batch, x.data, y.data, dy.data, gamma.data, mean.data, invStd.data,
    dx.data, dgamma.data, dbeta.data);
}

/**
 * Mean softmax cross-entropy over the batch of `logits` (classes x batch); dLogits = (softmax -
 * onehot) / batch; correct[0] = samples whose largest logit (the first on ties) is the label.
 */
inline double softmax_xent(int isa, int classes, int batch, Span<const float> logits,
                           Span<const int> labels, Span<float> dLogits, Span<int> correct) {
  auto f = by_isa(isa, &portable::softmax_xent, &avx2::softmax_xent, &avx512::softmax_xent);
  long long n = check_shape(classes, batch, "cross-entropy");
  check_length(logits, n, "logits");
  check_length(dLogits, n, "dLogits");
  check_length(labels, batch, "labels");
  check_length(correct, 1, "correct");
  for (int b = 0; b < batch; ++b) {
    RELGRAPH_CHECK(labels[b] >= 0 && labels[b] < classes,
                   "label " + std::to_string(labels[b]) + " of sample " + std::to_string(b) +
                       " outside 0..classes-1");
  }
  return f(classes, batch, logits.data, labels.data, dLogits.data, correct.data);
}

/** y[c][b] += bias[c]. */
inline void add_bias(int isa, int threads, int channels, int batch, Span<float> y,
                     Span<const float> bias) {
  auto f = by_isa(isa, &portable::add_bias, &avx2::add_bias, &avx512::add_bias);
  check_threads(threads);
  check_length(y, check_shape(channels, batch, "bias"), "y");
  check_length(bias, channels, "bias");
  f(threads, channels, batch, y.data, bias.data);
}

/** db[c] = sum over the batch of dy[c][b]. */
inline void bias_gradient(int isa, int threads, int channels, int batch, Span<const float> dy,
                          Span<float> db) {
  auto f = by_isa(isa, &portable::bias_gradient, &avx2::bias_gradient, &avx512::bias_gradient);
  check_threads(threads);
  check_length(dy, check_shape(channels, batch, "bias gradient"), "dy");
  check_length(db, channels, "db");
  f(threads, channels, batch, dy.data, db.data);
}

/** One SGD step with momentum, weight decay and optionally Nesterov (PyTorch's semantics). */
inline void sgd_step(int isa, int threads, long long n, Span<float> w, Span<const float> g,
                     Span<float> buf, float lr, float momentum, float weightDecay, int nesterov) {
  auto f = by_isa(isa, &portable::sgd_step, &avx2::sgd_step, &avx512::sgd_step);
  check_threads(threads);
  RELGRAPH_CHECK(n >= 1 && n <= INT_MAX,
                 "SGD: n = " + std::to_string(n) + " outside [1, 2^31 - 1]");
  check_length(w, n, "w");
  check_length(g, n, "g");
  check_length(buf, n, "buf");
  f(threads, n, w.data, g.data, buf.data, lr, momentum, weightDecay, nesterov);
}

/** out = a * b elementwise, n floats; out may be a or b. */
inline void multiply(int isa, int threads, long long n, Span<const float> a, Span<const float> b,
                     Span<float> out) {
  auto f = by_isa(isa, &portable::multiply, &avx2::multiply, &avx512::multiply);
  check_threads(threads);
  RELGRAPH_CHECK(n >= 0 && n <= INT_MAX,
                 "multiply: n = " + std::to_string(n) + " outside [0, 2^31 - 1]");
  check_length(a, n, "a");
  check_length(b, n, "b");
  check_length(out, n, "out");
  f(threads, n, a.data, b.data, out.data);
}

}  // namespace relgraph
