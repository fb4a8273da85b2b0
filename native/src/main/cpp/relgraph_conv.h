// Entry points of the convolution operations (kernels in relgraph_conv_impl.h, one copy per
// instruction set): each checks its geometry and every buffer's length, then runs the copy of the
// instruction set it is given. Included by relgraph_kernels.h.
#pragma once

#include "relgraph_kernels.h"

namespace relgraph {

/** Output size of a KxK convolution with padding K/2 and `stride` over `size` pixels. */
inline int conv_out(int size, int stride) { return (size - 1) / stride + 1; }

/** The largest kernel of im2col and col2im (a dense stem's; ResNet's is 7x7). */
constexpr int MAX_DENSE_KERNEL = 15;

/**
 * Checks a convolution's geometry (kernel 1 or 3, or with `anyOdd` any odd kernel up to
 * MAX_DENSE_KERNEL; stride 1 or 2; positive sizes).
 */
inline ConvShape conv_shape(int channels, int batch, int h, int w, int kernel, int stride,
                            const char* op, bool anyOdd = false) {
  RELGRAPH_CHECK(channels >= 1 && batch >= 1 && h >= 1 && w >= 1,
                 std::string(op) + ": image " + std::to_string(channels) + " x " +
                     std::to_string(batch) + " x " + std::to_string(h) + " x " +
                     std::to_string(w) + " has an empty dimension");
  if (anyOdd) {
    RELGRAPH_CHECK(kernel >= 1 && kernel <= MAX_DENSE_KERNEL && kernel % 2 == 1,
                   std::string(op) + ": kernel " + std::to_string(kernel) +
                       " is not odd in [1, " + std::to_string(MAX_DENSE_KERNEL) + "]");
  } else {
    RELGRAPH_CHECK(kernel == 1 || kernel == 3,
                   std::string(op) + ": kernel " + std::to_string(kernel) + " is not 1 or 3");
  }
  RELGRAPH_CHECK(stride == 1 || stride == 2,
                 std::string(op) + ": stride " + std::to_string(stride) + " is not 1 or 2");
  ConvShape g{channels, batch, h, w, kernel, stride, conv_out(h, stride), conv_out(w, stride)};
  RELGRAPH_CHECK((long long)channels * batch * g.plane() <= INT_MAX &&
                     (long long)channels * kernel * kernel * batch * g.outPlane() <= INT_MAX,
                 std::string(op) + ": more than 2^31 - 1 values");
  return g;
}

inline long long image_size(const ConvShape& g) {
  return (long long)g.channels * g.batch * g.plane();
}

inline long long out_size(const ConvShape& g) {
  return (long long)g.channels * g.batch * g.outPlane();
}

inline long long cols_size(const ConvShape& g) {
  return (long long)g.channels * g.kernel * g.kernel * g.batch * g.outPlane();
}

/** cols ((C K^2) x (B ho wo)) = im2col of x (C x B x h x w), padding K/2, K odd. */
inline void im2col(int isa, int threads, int channels, int batch, int h, int w, int kernel,
                   int stride, Span<const float> x, Span<float> cols) {
  auto f = by_isa(isa, &portable::im2col, &avx2::im2col, &avx512::im2col);
  check_threads(threads);
  ConvShape g = conv_shape(channels, batch, h, w, kernel, stride, "im2col", true);
  check_length(x, image_size(g), "x");
  check_length(cols, cols_size(g), "cols");
  f(threads, g, x.data, cols.data);
}

/** dx (C x B x h x w, overwritten) = the adjoint of im2col applied to cols. */
inline void col2im(int isa, int threads, int channels, int batch, int h, int w, int kernel,
                   int stride, Span<const float> cols, Span<float> dx) {
  auto f = by_isa(isa, &portable::col2im, &avx2::col2im, &avx512::col2im);
  check_threads(threads);
  ConvShape g = conv_shape(channels, batch, h, w, kernel, stride, "col2im", true);
  check_length(cols, cols_size(g), "cols");
  check_length(dx, image_size(g), "dx");
  f(threads, g, cols.data, dx.data);
}

/** Depthwise 3x3 convolution, padding 1: y (C x B x ho x wo) from w (C x 9) and x. */
inline void depthwise_forward(int isa, int threads, int channels, int batch, int h, int w,
                              int stride, Span<const float> wt, Span<const float> x,
                              Span<float> y) {
  auto f = by_isa(isa, &portable::depthwise_forward, &avx2::depthwise_forward,
                  &avx512::depthwise_forward);
  check_threads(threads);
  ConvShape g = conv_shape(channels, batch, h, w, 3, stride, "depthwise");
  check_length(wt, channels * 9LL, "w");
  check_length(x, image_size(g), "x");
  check_length(y, out_size(g), "y");
  f(threads, g, wt.data, x.data, y.data);
}

/** dx (overwritten) of the depthwise convolution. */
inline void depthwise_backward_data(int isa, int threads, int channels, int batch, int h, int w,
                                    int stride, Span<const float> wt, Span<const float> dy,
                                    Span<float> dx) {
  auto f = by_isa(isa, &portable::depthwise_backward_data, &avx2::depthwise_backward_data,
                  &avx512::depthwise_backward_data);
  check_threads(threads);
  ConvShape g = conv_shape(channels, batch, h, w, 3, stride, "depthwise backward");
  check_length(wt, channels * 9LL, "w");
  check_length(dy, out_size(g), "dy");
  check_length(dx, image_size(g), "dx");
  f(threads, g, wt.data, dy.data, dx.data);
}

/** dw (C x 9) of the depthwise convolution. */
inline void depthwise_backward_weight(int isa, int threads, int channels, int batch, int h,
                                      int w, int stride, Span<const float> dy,
                                      Span<const float> x, Span<float> dw) {
  auto f = by_isa(isa, &portable::depthwise_backward_weight, &avx2::depthwise_backward_weight,
                  &avx512::depthwise_backward_weight);
  check_threads(threads);
  ConvShape g = conv_shape(channels, batch, h, w, 3, stride, "depthwise weight gradient");
  check_length(dy, out_size(g), "dy");
  check_length(x, image_size(g), "x");
  check_length(dw, channels * 9LL, "dw");
  f(threads, g, dy.data, x.data, dw.data);
}

/** Max pooling, 3x3, stride 2, padding 1: y (C x B x ho x wo) from x (C x B x h x w). */
inline void max_pool(int isa, int threads, int channels, int batch, int h, int w,
                     Span<const float> x, Span<float> y) {
  auto f = by_isa(isa, &portable::max_pool, &avx2::max_pool, &avx512::max_pool);
  check_threads(threads);
  ConvShape g = conv_shape(channels, batch, h, w, 3, 2, "max pool");
  check_length(x, image_size(g), "x");
  check_length(y, out_size(g), "y");
  f(threads, g, x.data, y.data);
}

/** dx (C x B x h x w, overwritten) of max_pool, from its input x and output gradient dy. */
inline void max_pool_backward(int isa, int threads, int channels, int batch, int h, int w,
                              Span<const float> x, Span<const float> dy, Span<float> dx) {
  auto f = by_isa(isa, &portable::max_pool_backward, &avx2::max_pool_backward,
                  &avx512::max_pool_backward);
  check_threads(threads);
  ConvShape g = conv_shape(channels, batch, h, w, 3, 2, "max pool backward");
  check_length(x, image_size(g), "x");
  check_length(dy, out_size(g), "dy");
  check_length(dx, image_size(g), "dx");
  f(threads, g, x.data, dy.data, dx.data);
}

/** Batch normalisation without ReLU; otherwise as bn_relu_forward. */
inline void bn_forward(int isa, int threads, int channels, int batch, Span<const float> x,
                       Span<const float> gamma, Span<const float> beta, Span<float> y,
                       Span<float> mean, Span<float> invStd, Span<float> runMean,
                       Span<float> runVar, float momentum, float eps, int training) {
  checked_bn_forward(by_isa(isa, &portable::bn_forward, &avx2::bn_forward, &avx512::bn_forward),
                     threads, channels, batch, x, gamma, beta, y, mean, invStd, runMean, runVar,
                     momentum, eps, training);
}

/** Backward of bn_forward in training mode. */
inline void bn_backward(int isa, int threads, int channels, int batch, Span<const float> x,
                        Span<const float> dy, Span<const float> gamma, Span<const float> mean,
                        Span<const float> invStd, Span<float> dx, Span<float> dgamma,
                        Span<float> dbeta) {
  auto f = by_isa(isa, &portable::bn_backward, &avx2::bn_backward, &avx512::bn_backward);
  check_threads(threads);
  long long n = check_shape(channels, batch, "batch norm backward");
  check_length(x, n, "x");
  check_length(dy, n, "dy");
  check_length(dx, n, "dx");
  check_length(gamma, channels, "gamma");
  check_length(mean, channels, "mean");
  check_length(invStd, channels, "invStd");
  check_length(dgamma, channels, "dgamma");
  check_length(dbeta, channels, "dbeta");
  f(threads, channels, batch, x.data, dy.data, gamma.data, mean.data, invStd.data, dx.data,
    dgamma.data, dbeta.data);
}

inline void check_count(long long n, const char* op) {
  RELGRAPH_CHECK(n >= 1 && n <= INT_MAX,
                 std::string(op) + ": n = " + std::to_string(n) + " outside [1, 2^31 - 1]");
}

/** y = a + b elementwise, n floats. */
inline void add(int isa, int threads, long long n, Span<const float> a, Span<const float> b,
                Span<float> y) {
  auto f = by_isa(isa, &portable::add, &avx2::add, &avx512::add);
  check_threads(threads);
  check_count(n, "add");
  check_length(a, n, "a");
  check_length(b, n, "b");
  check_length(y, n, "y");
  f(threads, n, a.data, b.data, y.data);
}

/** y = max(0, x), n floats. */
inline void relu(int isa, int threads, long long n, Span<const float> x, Span<float> y) {
  auto f = by_isa(isa, &portable::relu, &avx2::relu, &avx512::relu);
  check_threads(threads);
  check_count(n, "relu");
  check_length(x, n, "x");
  check_length(y, n, "y");
  f(threads, n, x.data, y.data);
}

/** dx = dy where y > 0, else 0; n floats. */
inline void relu_backward(int isa, int threads, long long n, Span<const float> y,
                          Span<const float> dy, Span<float> dx) {
  auto f = by_isa(isa, &portable::relu_backward, &avx2::relu_backward, &avx512::relu_backward);
  check_threads(threads);
  check_count(n, "relu backward");
  check_length(y, n, "y");
  check_length(dy, n, "dy");
  check_length(dx, n, "dx");
  f(threads, n, y.data, dy.data, dx.data);
}

/** y (C x B) = the mean over each plane of x (C x B x plane). */
inline void avg_pool(int isa, int threads, int channels, int batch, long long plane,
                     Span<const float> x, Span<float> y) {
  auto f = by_isa(isa, &portable::avg_pool, &avx2::avg_pool, &avx512::avg_pool);
  check_threads(threads);
  long long n = check_shape(channels, batch, "average pool");
  check_count(plane, "average pool plane");
  check_count(n * plane, "average pool");
  check_length(x, n * plane, "x");
  check_length(y, n, "y");
  f(threads, channels, batch, plane, x.data, y.data);
}

/** dx (C x B x plane, overwritten) = dy / plane spread over each plane. */
inline void avg_pool_backward(int isa, int threads, int channels, int batch, long long plane,
                              Span<const float> dy, Span<float> dx) {
  auto f = by_isa(isa, &portable::avg_pool_backward, &avx2::avg_pool_backward,
                  &avx512::avg_pool_backward);
  check_threads(threads);
  long long n = check_shape(channels, batch, "average pool backward");
  check_count(plane, "average pool plane");
  check_count(n * plane, "average pool backward");
  check_length(dy, n, "dy");
  check_length(dx, n * plane, "dx");
  f(threads, channels, batch, plane, dy.data, dx.data);
}

// The block-sparse products of a relational KxK convolution without an im2col matrix: the layout
// is the product's over im2col (input channels C K^2, batch B ho wo, row stride that batch), the
// image x (C x B x h x w) is read, or dx written, directly.
using ConvProduct = void (*)(const Kernel&, const ConvShape&, const float*, const float*, float*,
                             int);

/** A convolution product's checked layout and geometry. */
struct ConvCall {
  Kernel k;
  ConvShape g;
};

/**
 * Checks a convolution product's call: threads, the image's geometry, and the layout against it
 * (its batch the image's output pixels, its row stride that batch, its inputs the image's channels
 * times K^2).
 */
inline ConvCall conv_call(int threads, RELGRAPH_LAYOUT_PARAMS, int channels, int images, int h,
                          int w, int kernel, int stride, const char* op) {
  check_threads(threads);
  ConvShape g = conv_shape(channels, images, h, w, kernel, stride, op);
  Kernel k = make(RELGRAPH_LAYOUT_ARGS);
  RELGRAPH_CHECK((long long)k.batch == (long long)g.batch * g.outPlane() && k.ld == k.batch,
                 std::string(op) + ": the layout's batch " + std::to_string(k.batch) +
                     " (row stride " + std::to_string(k.ld) + ") is not the image's " +
                     std::to_string((long long)g.batch * g.outPlane()) + " output pixels");
  RELGRAPH_CHECK((long long)k.inOff[k.nIn] == (long long)g.channels * g.kernel * g.kernel,
                 std::string(op) + ": the layout has " + std::to_string(k.inOff[k.nIn]) +
                     " input channels, im2col of " + std::to_string(g.channels) +
                     " channels has " + std::to_string(g.channels * g.kernel * g.kernel));
  return ConvCall{k, g};
}

#define RELGRAPH_CONV_ARGS \
  threads, RELGRAPH_LAYOUT_ARGS, channels, images, h, w, kernel, stride

/** Y (out x B ho wo) = the product over im2col(X), X an image (C x B x h x w). */
inline void bs_conv_forward(int isa, int threads, RELGRAPH_LAYOUT_PARAMS, int channels,
                            int images, int h, int w, int kernel, int stride,
                            Span<const float> W, Span<const float> X, Span<float> Y) {
  ConvProduct f = by_isa<ConvProduct>(isa, portable::conv_forward, avx2::conv_forward,
                                      avx512::conv_forward);
  ConvCall c = conv_call(RELGRAPH_CONV_ARGS, "convolution forward");
  check_weights(c.k, W, "W");
  check_length(X, image_size(c.g), "x");
  check_activations(c.k, Y, c.k.outOff[nOut], "Y");
  f(c.k, c.g, W.data, X.data, Y.data, threads);
}

/** dX (an image, overwritten) = col2im of the backward-data product of dY. */
inline void bs_conv_backward_data(int isa, int threads, RELGRAPH_LAYOUT_PARAMS, int channels,
                                  int images, int h, int w, int kernel, int stride,
                                  Span<const float> W, Span<const float> dY, Span<float> dX) {
  ConvProduct f = by_isa<ConvProduct>(isa, portable::conv_backward_data,
                                      avx2::conv_backward_data, avx512::conv_backward_data);
  ConvCall c = conv_call(RELGRAPH_CONV_ARGS, "convolution backward");
  check_weights(c.k, W, "W");
  check_activations(c.k, dY, c.k.outOff[nOut], "dY");
  check_length(dX, image_size(c.g), "dx");
  f(c.k, c.g, W.data, dY.data, dX.data, threads);
}

/** dW = the weight gradient over dY and im2col(X), on existing blocks. */
inline void bs_conv_backward_weight(int isa, int threads, RELGRAPH_LAYOUT_PARAMS, int channels,
                                    int images, int h, int w, int kernel, int stride,
                                    Span<const float> dY, Span<const float> X, Span<float> dW) {
  ConvProduct f = by_isa<ConvProduct>(isa, portable::conv_backward_weight,
                                      avx2::conv_backward_weight, avx512::conv_backward_weight);
  ConvCall c = conv_call(RELGRAPH_CONV_ARGS, "convolution weight gradient");
  check_activations(c.k, dY, c.k.outOff[nOut], "dY");
  check_length(X, image_size(c.g), "x");
  check_weights(c.k, dW, "dW");
  f(c.k, c.g, dY.data, X.data, dW.data, threads);
}

#undef RELGRAPH_CONV_ARGS
#undef RELGRAPH_LAYOUT_PARAMS
#undef RELGRAPH_LAYOUT_ARGS

}  // namespace relgraph
