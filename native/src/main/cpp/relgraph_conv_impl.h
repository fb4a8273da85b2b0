// Convolution building blocks for one instruction set: im2col and its adjoint col2im (which turn
// a KxK convolution into the block-sparse or dense product), the depthwise 3x3 convolution, batch
// normalisation without ReLU, elementwise add and ReLU, and global average pooling. Included once
// per ISA by relgraph_kernels.h inside that ISA's namespace and '#pragma GCC target', like
// relgraph_train_impl.h; relgraph_conv.h checks the arguments. No includes here. Each operation
// records its ISA in last_isa.
//
// Images are channel-major: x[((c * batch + b) * h + y) * w + x]. Every operation below is
// parallel over channels, and everything a channel writes depends on that channel alone, so the
// results do not depend on the thread count.

/**
 * cols[(c K^2 + ky K + kx)][(b ho + oy) wo + ox] = x[c][b][oy s + ky - p][ox s + kx - p], zero
 * outside the image: the input of a KxK convolution as a (C K^2) x (B ho wo) matrix.
 */
static void im2col(int threads, const ConvShape& g, const float* x, float* cols) {
  last_isa = ISA;
  const int k = g.kernel, s = g.stride, p = g.pad();
  const long long n = (long long)g.batch * g.outPlane();
  for_chunks(threads, g.channels, channel_chunk((int)(n * k * k > INT_MAX ? INT_MAX : n * k * k)),
             [&](long long c0, long long c1) {
               for (long long c = c0; c < c1; ++c) {
                 for (int ky = 0; ky < k; ++ky) {
                   for (int kx = 0; kx < k; ++kx) {
                     float* row = cols + (c * k * k + ky * k + kx) * n;
                     for (int b = 0; b < g.batch; ++b) {
                       const float* img = x + (c * g.batch + b) * g.plane();
                       for (int oy = 0; oy < g.ho; ++oy) {
                         float* out = row + ((long long)b * g.ho + oy) * g.wo;
                         const int iy = oy * s + ky - p;
                         if (iy < 0 || iy >= g.h) {
                           for (int ox = 0; ox < g.wo; ++ox) out[ox] = 0.f;
                           continue;
                         }
                         const float* in = img + (long long)iy * g.w;
                         for (int ox = 0; ox < g.wo; ++ox) {
                           const int ix = ox * s + kx - p;
                           out[ox] = ix >= 0 && ix < g.w ? in[ix] : 0.f;
                         }
                       }
                     }
                   }
                 }
               }
             });
}

/** The adjoint of im2col: dx (overwritten) = the sum of every column entry at its pixel. */
static void col2im(int threads, const ConvShape& g, const float* cols, float* dx) {
  last_isa = ISA;
  const int k = g.kernel, s = g.stride, p = g.pad();
  const long long n = (long long)g.batch * g.outPlane();
  for_chunks(threads, g.channels, 1, [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      float* chan = dx + c * g.batch * g.plane();
      for (long long i = 0; i < g.batch * g.plane(); ++i) chan[i] = 0.f;
      for (int ky = 0; ky < k; ++ky) {
        for (int kx = 0; kx < k; ++kx) {
          const float* row = cols + (c * k * k + ky * k + kx) * n;
          for (int b = 0; b < g.batch; ++b) {
            float* img = chan + b * g.plane();
            for (int oy = 0; oy < g.ho; ++oy) {
              const int iy = oy * s + ky - p;
              if (iy < 0 || iy >= g.h) continue;
              const float* in = row + ((long long)b * g.ho + oy) * g.wo;
              float* out = img + (long long)iy * g.w;
              for (int ox = 0; ox < g.wo; ++ox) {
                const int ix = ox * s + kx - p;
                if (ix >= 0 && ix < g.w) out[ix] += in[ox];
              }
            }
          }
        }
      }
    }
  });
}

/** y[c][b][oy][ox] = sum over taps of w[c][ky 3 + kx] x[c][b][oy s + ky - 1][ox s + kx - 1]. */
static void depthwise_forward(int threads, const ConvShape& g, const float* wt, const float* x,
                              float* y) {
  last_isa = ISA;
  const int s = g.stride;
  for_chunks(threads, g.channels, 1, [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      const float* wc = wt + c * 9;
      for (int b = 0; b < g.batch; ++b) {
        const float* img = x + (c * g.batch + b) * g.plane();
        float* out = y + (c * g.batch + b) * g.outPlane();
        for (int oy = 0; oy < g.ho; ++oy) {
          for (int ox = 0; ox < g.wo; ++ox) {
            float acc = 0.f;
            for (int ky = 0; ky < 3; ++ky) {
              const int iy = oy * s + ky - 1;
              if (iy < 0 || iy >= g.h) continue;
              for (int kx = 0; kx < 3; ++kx) {
                const int ix = ox * s + kx - 1;
                if (ix >= 0 && ix < g.w) acc += wc[ky * 3 + kx] * img[(long long)iy * g.w + ix];
              }
            }
            out[(long long)oy * g.wo + ox] = acc;
          }
        }
      }
    }
  });
}

/** dx (overwritten) = the adjoint of depthwise_forward applied to dy. */
static void depthwise_backward_data(int threads, const ConvShape& g, const float* wt,
                                    const float* dy, float* dx) {
  last_isa = ISA;
  const int s = g.stride;
  for_chunks(threads, g.channels, 1, [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      const float* wc = wt + c * 9;
      for (int b = 0; b < g.batch; ++b) {
        float* img = dx + (c * g.batch + b) * g.plane();
        const float* grad = dy + (c * g.batch + b) * g.outPlane();
        for (long long i = 0; i < g.plane(); ++i) img[i] = 0.f;
        for (int oy = 0; oy < g.ho; ++oy) {
          for (int ky = 0; ky < 3; ++ky) {
            const int iy = oy * s + ky - 1;
            if (iy < 0 || iy >= g.h) continue;
            for (int ox = 0; ox < g.wo; ++ox) {
              const float d = grad[(long long)oy * g.wo + ox];
              for (int kx = 0; kx < 3; ++kx) {
                const int ix = ox * s + kx - 1;
                if (ix >= 0 && ix < g.w) img[(long long)iy * g.w + ix] += wc[ky * 3 + kx] * d;
              }
            }
          }
        }
      }
    }
  });
}

/** dw[c][tap] = sum over the batch and output pixels of dy times the tap's input pixel. */
static void depthwise_backward_weight(int threads, const ConvShape& g, const float* dy,
                                      const float* x, float* dw) {
  last_isa = ISA;
  const int s = g.stride;
  for_chunks(threads, g.channels, 1, [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      double acc[9] = {};
      for (int b = 0; b < g.batch; ++b) {
        const float* img = x + (c * g.batch + b) * g.plane();
        const float* grad = dy + (c * g.batch + b) * g.outPlane();
        for (int ky = 0; ky < 3; ++ky) {
          for (int kx = 0; kx < 3; ++kx) {
            float part = 0.f;
            for (int oy = 0; oy < g.ho; ++oy) {
              const int iy = oy * s + ky - 1;
              if (iy < 0 || iy >= g.h) continue;
              for (int ox = 0; ox < g.wo; ++ox) {
                const int ix = ox * s + kx - 1;
                if (ix >= 0 && ix < g.w)
                  part += grad[(long long)oy * g.wo + ox] * img[(long long)iy * g.w + ix];
              }
            }
            acc[ky * 3 + kx] += part;
          }
        }
      }
      for (int t = 0; t < 9; ++t) dw[c * 9 + t] = (float)acc[t];
    }
  });
}

/** y = a + b over n values. */
static void add(int threads, long long n, const float* a, const float* b, float* y) {
  last_isa = ISA;
  for_chunks(threads, n, 1 << 16, [&](long long i0, long long i1) {
    for (long long i = i0; i < i1; ++i) y[i] = a[i] + b[i];
  });
}

/** y = max(0, x) over n values. */
static void relu(int threads, long long n, const float* x, float* y) {
  last_isa = ISA;
  for_chunks(threads, n, 1 << 16, [&](long long i0, long long i1) {
    for (long long i = i0; i < i1; ++i) y[i] = x[i] > 0.f ? x[i] : 0.f;
  });
}

/** dx = dy where y > 0, else 0. */
static void relu_backward(int threads, long long n, const float* y, const float* dy, float* dx) {
  last_isa = ISA;
  for_chunks(threads, n, 1 << 16, [&](long long i0, long long i1) {
    for (long long i = i0; i < i1; ++i) dx[i] = y[i] > 0.f ? dy[i] : 0.f;
  });
}

/** y[c][b] = the mean of x[c][b] over its plane of `plane` pixels. */
static void avg_pool(int threads, int channels, int batch, long long plane, const float* x,
                     float* y) {
  last_isa = ISA;
  for_chunks(threads, channels, channel_chunk((int)(batch * plane)), [&](long long c0,
                                                                       long long c1) {
    for (long long r = c0 * batch; r < c1 * batch; ++r) {
      const float* p = x + r * plane;
      float s = 0.f;
      for (long long i = 0; i < plane; ++i) s += p[i];
      y[r] = s / (float)plane;
    }
  });
}

/** dx[c][b][pixel] = dy[c][b] / plane. */
static void avg_pool_backward(int threads, int channels, int batch, long long plane,
                              const float* dy, float* dx) {
  last_isa = ISA;
  for_chunks(threads, channels, channel_chunk((int)(batch * plane)), [&](long long c0,
                                                                       long long c1) {
    for (long long r = c0 * batch; r < c1 * batch; ++r) {
      const float v = dy[r] / (float)plane;
      float* p = dx + r * plane;
      for (long long i = 0; i < plane; ++i) p[i] = v;
    }
  });
}
