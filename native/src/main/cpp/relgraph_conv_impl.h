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

// depthwise_forward, backward-data and weight gradient pixel by pixel (depthwise_taps: at stride 2,
// and over images of more than 2^24 pixels).
static void depthwise_forward_pixels(int threads, const ConvShape& g, const float* wt,
                                     const float* x, float* y) {
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

static void depthwise_backward_data_pixels(int threads, const ConvShape& g, const float* wt,
                                           const float* dy, float* dx) {
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

static void depthwise_backward_weight_pixels(int threads, const ConvShape& g, const float* dy,
                                             const float* x, float* dw) {
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


// The depthwise convolution at stride 1 (where the output is the input's size) runs tap by tap
// over runs of whole images of a channel: each tap adds its weight times the images shifted by the
// tap's offset, where a mask says the tap lies on the image (a selection, not a product, so that a
// value off the window, e.g. an infinity, never reaches the sum), in loops the compiler
// vectorises. Small images go a few at a time (at least 256 pixels), so that the loops are long.
// Against the loops per pixel, which stay for stride 2 (2 threads, batch 128, AVX-512, a scratch
// harness, three runs; forward, backward-data, weight gradient): 2.6-3.9, 3.4-4.0 and 3.9-5.8
// times as fast at 64 channels, 56 x 56; 2.2-3.1, 3.3-3.7, 5.1-5.5 at 183 channels, 28 x 28;
// 1.7-3.2, 2.0-3.5, 3.6-3.9 at 364 channels, 14 x 14; 1.6-2.9, 2.5-2.7, 1.8 at 1302 channels,
// 7 x 7; 1.9-2.5, 3.1-4.0, 1.0-1.1 at 4 x 4.
struct DepthwiseTaps {
  int offset[9];
  int batch, plane;
  int images, span;     // images per run, and their pixels
  std::vector<int> on;  // per tap, a run's pixels: 1 where the tap lies on the image
  explicit DepthwiseTaps(const ConvShape& g) : batch(g.batch), plane((int)g.plane()) {
    images = 256 / plane < 1 ? 1 : 256 / plane;
    if (images > g.batch) images = g.batch;
    span = images * plane;
    on.resize((size_t)9 * span);
    for (int t = 0; t < 9; ++t) {
      const int dy = t / 3 - 1, dx = t % 3 - 1;
      offset[t] = dy * g.w + dx;
      for (int p = 0; p < span; ++p) {
        const int y = p % plane / g.w, x = p % g.w;
        on[(size_t)t * span + p] = y + dy >= 0 && y + dy < g.h && x + dx >= 0 && x + dx < g.w;
      }
    }
  }
  // f(first, n, tap) for each run of channel c's images: `first` the offset of the run's first
  // pixel in the tensor, n its images; tap(f) calls f(t, offset, lo, hi, on) for each tap t: the
  // run's pixels p in [lo, hi) whose p + offset lies within the channel's images.
  template <typename F>
  void over_runs(long long c, const F& f) const {
    for (int b0 = 0; b0 < batch; b0 += images) {
      const int n = batch - b0 < images ? batch - b0 : images;
      auto taps = [&](const auto& g) {
        const int len = n * plane;
        for (int t = 0; t < 9; ++t) {
          const int d = offset[t];
          const int lo = b0 == 0 && d < 0 ? -d : 0;
          const int hi = b0 + n == batch && d > 0 ? len - d : len;
          g(t, d, lo, hi, on.data() + (size_t)t * span);
        }
      };
      f((c * batch + b0) * plane, n, taps);
    }
  }
};

// Whether the depthwise convolution goes tap by tap: at stride 1, over images whose pixels an
// int counts with room to spare.
static inline bool depthwise_taps(const ConvShape& g) {
  return g.stride == 1 && g.plane() <= (1 << 24);
}

/** y[c][b][oy][ox] = sum over taps of w[c][ky 3 + kx] x[c][b][oy s + ky - 1][ox s + kx - 1]. */
static void depthwise_forward(int threads, const ConvShape& g, const float* wt, const float* x,
                              float* y) {
  last_isa = ISA;
  if (!depthwise_taps(g)) {
    depthwise_forward_pixels(threads, g, wt, x, y);
    return;
  }
  const DepthwiseTaps taps(g);
  for_chunks(threads, g.channels, 1, [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      const float* wc = wt + c * 9;
      taps.over_runs(c, [&](long long first, int n, const auto& over_taps) {
        float* out = y + first;
        const int len = n * taps.plane;
        for (int p = 0; p < len; ++p) out[p] = 0.f;
        over_taps([&](int t, int d, int lo, int hi, const int* __restrict on) {
          const float* __restrict in = x + first;
          float* __restrict o = y + first;
          const float wv = wc[t];
          for (int p = lo; p < hi; ++p) {
            const float v = wv * in[p + d];
            o[p] += on[p] ? v : 0.f;
          }
        });
      });
    }
  });
}

/** dx (overwritten) = the adjoint of depthwise_forward applied to dy. */
static void depthwise_backward_data(int threads, const ConvShape& g, const float* wt,
                                    const float* dy, float* dx) {
  last_isa = ISA;
  if (!depthwise_taps(g)) {
    depthwise_backward_data_pixels(threads, g, wt, dy, dx);
    return;
  }
  const DepthwiseTaps taps(g);
  for_chunks(threads, g.channels, 1, [&](long long c0, long long c1) {
    for (long long c = c0; c < c1; ++c) {
      const float* wc = wt + c * 9;
      float* img = dx + c * g.batch * taps.plane;
      for (long long p = 0; p < (long long)g.batch * taps.plane; ++p) img[p] = 0.f;
      taps.over_runs(c, [&](long long first, int, const auto& over_taps) {
        over_taps([&](int t, int d, int lo, int hi, const int* __restrict on) {
          const float* __restrict grad = dy + first;
          float* __restrict run = dx + first;
          const float wv = wc[t];
          for (int p = lo; p < hi; ++p) {
            const float v = wv * grad[p];
            run[p + d] += on[p] ? v : 0.f;
          }
        });
      });
    }
  });
}

/**
 * dw[c][tap] = sum over the batch and output pixels of dy times the tap's input pixel: at stride
 * 1, each tap's products summed pixel by pixel over runs of images (at least 16 images, in float),
 * then over the pixels and the runs in double.
 */
static void depthwise_backward_weight(int threads, const ConvShape& g, const float* dy,
                                      const float* x, float* dw) {
  last_isa = ISA;
  if (!depthwise_taps(g)) {
    depthwise_backward_weight_pixels(threads, g, dy, x, dw);
    return;
  }
  const DepthwiseTaps taps(g);
  const int runsPerSum = 16 / taps.images < 1 ? 1 : 16 / taps.images;
  for_chunks(threads, g.channels, 1, [&](long long c0, long long c1) {
    std::vector<float> sums((size_t)9 * taps.span);
    for (long long c = c0; c < c1; ++c) {
      double acc[9] = {};
      int runs = 0, images = 0;  // sums is zero here: the last run of a channel empties it
      taps.over_runs(c, [&](long long first, int n, const auto& over_taps) {
        over_taps([&](int t, int d, int lo, int hi, const int* __restrict on) {
          const float* __restrict img = x + first;
          const float* __restrict grad = dy + first;
          float* __restrict r = sums.data() + (size_t)t * taps.span;
          for (int p = lo; p < hi; ++p) {
            const float v = grad[p] * img[p + d];
            r[p] += on[p] ? v : 0.f;
          }
        });
        images += n;
        if (++runs == runsPerSum || images == g.batch) {
          for (int t = 0; t < 9; ++t) {
            double part = 0;
            for (int p = 0; p < taps.span; ++p) part += sums[(size_t)t * taps.span + p];
            acc[t] += part;
          }
          for (float& v : sums) v = 0.f;
          runs = 0;
        }
      });
      for (int t = 0; t < 9; ++t) dw[c * 9 + t] = (float)acc[t];
    }
  });
}

/**
 * The pixel of x's plane `img` that max pooling's window at output (oy, ox) takes: the first in
 * window order (row by row) of the greatest in-bound values, or of the NaNs if there are any.
 * 3x3 window, stride 2, padding 1 (outside the image nothing is read).
 */
static inline long long max_pool_pick(const ConvShape& g, const float* img, int oy, int ox) {
  long long best = -1;
  float m = 0.f;
  for (int iy = std::max(0, 2 * oy - 1); iy <= std::min(g.h - 1, 2 * oy + 1); ++iy) {
    for (int ix = std::max(0, 2 * ox - 1); ix <= std::min(g.w - 1, 2 * ox + 1); ++ix) {
      const long long i = (long long)iy * g.w + ix;
      const float v = img[i];
      if (best < 0 || v > m || (v != v && m == m)) {
        best = i;
        m = v;
      }
    }
  }
  return best;
}

/** body(p) for every plane p (channel c, sample b: p = c B + b) of g's images, across threads. */
template <class Body>
static void for_planes(int threads, const ConvShape& g, const Body& body) {
  for_chunks(threads, (long long)g.channels * g.batch,
             channel_chunk((int)std::min<long long>(g.plane(), INT_MAX)),
             [&](long long p0, long long p1) {
               for (long long p = p0; p < p1; ++p) body(p);
             });
}

/** y[c][b][oy][ox] = the maximum of x over the window (3x3, stride 2, padding 1). */
static void max_pool(int threads, const ConvShape& g, const float* x, float* y) {
  last_isa = ISA;
  for_planes(threads, g, [&](long long p) {
    const float* img = x + p * g.plane();
    float* out = y + p * g.outPlane();
    for (int oy = 0; oy < g.ho; ++oy)
      for (int ox = 0; ox < g.wo; ++ox)
        out[(long long)oy * g.wo + ox] = img[max_pool_pick(g, img, oy, ox)];
  });
}

/** dx (overwritten): each output's gradient added to the pixel its window took. */
static void max_pool_backward(int threads, const ConvShape& g, const float* x, const float* dy,
                              float* dx) {
  last_isa = ISA;
  for_planes(threads, g, [&](long long p) {
    const float* img = x + p * g.plane();
    const float* grad = dy + p * g.outPlane();
    float* out = dx + p * g.plane();
    for (long long i = 0; i < g.plane(); ++i) out[i] = 0.f;
    for (int oy = 0; oy < g.ho; ++oy)
      for (int ox = 0; ox < g.wo; ++ox)
        out[max_pool_pick(g, img, oy, ox)] += grad[(long long)oy * g.wo + ox];
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

// ---------------------------------------------------------------------------------------------
// Relational convolutions without an im2col matrix: the block-sparse products of a layout whose
// input channels are the im2col rows (C K^2) and whose batch is B ho wo, run over column chunks
// of that matrix, each chunk built in a worker's cache-sized buffer straight from the image's
// planes (and, backward, added straight back into them). The explicit matrix is K^2 times the
// image: at a relational CNN's first stage it streamed gigabytes through memory per pass.

// Planar chunks: where each tap's im2col row over columns [c0, c0 + cols) is a plane laid out like
// the output grid (batch x ho x wo), shifted by (di, dj) output pixels and zero where the shift
// leaves the grid. Each row is then one contiguous, vectorised pass instead of a copy per image
// row (14 values at 14 x 14). Two cases:
//  - shifted(g), stride 1 with the output the input's size: the plane is the image itself, tap
//    (ky, kx) shifted by (ky - p, kx - p);
//  - phased(g), stride 2 (over any size: an odd side is the next even one with a last row or
//    column of zeros, which padding puts there anyway): the image split into four phase planes
//    per channel (rows 2i + ry, columns 2j + rx: phase_planes); tap (ky, kx) reads phase
//    ((ky - p) mod 2, (kx - p) mod 2) shifted by (floor((ky - p) / 2), floor((kx - p) / 2)).
// A channel's planes take planes_channel(g) values: batch x h x w, or 4 x batch x ho x wo.
static inline bool shifted(const ConvShape& g) {
  return g.stride == 1 && g.ho == g.h && g.wo == g.w;
}

// (At stride 2, ho = (h - 1) / 2 + 1 makes h either 2 ho or 2 ho - 1: every such image is phased.)
static inline bool phased(const ConvShape& g) { return g.stride == 2; }

static inline long long planes_channel(const ConvShape& g) {
  return phased(g) ? 4LL * g.batch * g.outPlane() : (long long)g.batch * g.plane();
}

struct TapPlane {
  long long off;  // the plane's offset within a channel's planes
  int di, dj;
};

static inline TapPlane tap_plane(const ConvShape& g, int t) {
  const int dy = t / g.kernel - g.pad(), dx = t % g.kernel - g.pad();
  if (g.stride == 1) return TapPlane{0, dy, dx};
  const int ry = dy & 1, rx = dx & 1;  // -1 & 1 is 1
  return TapPlane{(long long)(ry * 2 + rx) * g.batch * g.outPlane(), (dy - ry) / 2, (dx - rx) / 2};
}

// mask (taps rows of cols) = lane masks (lane_on, else 0): set where tap t's shifted pixel (tps[t]
// from the output pixel) lies on the output grid. Every use selects by them (an AND, or a compare
// with 0), never multiplies.
static void tap_masks(const ConvShape& g, const TapPlane* tps, int taps, long long c0, int cols,
                      std::vector<float>& mask) {
  const float on = lane_on();
  mask.resize((size_t)taps * cols);
  for (int t = 0; t < taps; ++t) {
    const TapPlane tp = tps[t];
    long long row = c0 / g.wo;
    int ox = (int)(c0 - row * g.wo), oy = (int)(row % g.ho);
    float* m = mask.data() + (size_t)t * cols;
    for (int j = 0; j < cols; ++j) {
      m[j] = oy + tp.di >= 0 && oy + tp.di < g.ho && ox + tp.dj >= 0 && ox + tp.dj < g.wo ? on
                                                                                         : 0.f;
      if (++ox == g.wo) {
        ox = 0;
        if (++oy == g.ho) oy = 0;
      }
    }
  }
}

// Every tap's plane and shift (tap_plane) for the layer's own taps.
static const TapPlane* layer_taps(const ConvShape& g) {
  thread_local std::vector<TapPlane> tps;
  tps.resize((size_t)g.kernel * g.kernel);
  for (int t = 0; t < g.kernel * g.kernel; ++t) tps[t] = tap_plane(g, t);
  return tps.data();
}

static void tap_masks(const ConvShape& g, long long c0, int cols, std::vector<float>& mask) {
  tap_masks(g, layer_taps(g), g.kernel * g.kernel, c0, cols, mask);
}

// Tap t's plane and shift, and the columns [j0, j1) whose shifted pixel lies within the plane (the
// others fall off the grid anyway, and are neither read nor written).
struct Shift {
  long long from;  // the first column's source within a channel's planes
  int j0, j1;
};

static inline Shift tap_shift(const ConvShape& g, long long c0, int cols, int t) {
  const TapPlane tp = tap_plane(g, t);
  const long long n = g.batch * g.outPlane();
  const long long shift = (long long)tp.di * g.wo + tp.dj;
  const long long lo = -(c0 + shift), hi = n - (c0 + shift);
  const int j0 = lo < 0 ? 0 : lo > cols ? cols : (int)lo;
  const int j1 = hi < j0 ? j0 : hi > cols ? cols : (int)hi;
  return Shift{tp.off + c0 + shift, j0, j1};
}

// row(r, from, sh, m) for every im2col row r = c K^2 + t of the chunk: channel c's tap t, whose
// columns [sh.j0, sh.j1) read the channel's planes from `from` on, where m (the tap's mask) is set.
template <typename Row>
static void planar_rows(const ConvShape& g, long long c0, int cols, const Row& row) {
  const int taps = g.kernel * g.kernel;
  thread_local std::vector<float> mask;
  tap_masks(g, c0, cols, mask);
  for (int t = 0; t < taps; ++t) {
    const Shift sh = tap_shift(g, c0, cols, t);
    const float* m = mask.data() + (size_t)t * cols;
    for (int c = 0; c < g.channels; ++c) {
      row((long long)c * taps + t, (long long)c * planes_channel(g) + sh.from, sh, m);
    }
  }
}

// dst (C K^2 rows, row stride ld) = the chunk's im2col rows from planes (shifted: the image;
// phased: its phase planes).
static void im2col_planar(const ConvShape& g, const float* planes, long long c0, int cols,
                          long ld, float* dst) {
  planar_rows(g, c0, cols, [&](long long r, long long from, const Shift& sh, const float* m) {
    const float* src = planes + from;
    float* out = dst + r * ld;
    for (int j = 0; j < sh.j0; ++j) out[j] = 0.f;
    for (int j = sh.j0; j < sh.j1; ++j) {
      const float v = src[j];
      out[j] = m[j] != 0.f ? v : 0.f;
    }
    for (int j = sh.j1; j < cols; ++j) out[j] = 0.f;
  });
}

// planes += the adjoint of im2col_planar applied to src (C K^2 rows, row stride cols). Pixels where
// a tap falls off the grid get +0 (so that the pass vectorises): they lie within wo + 1 pixels of
// the chunk, inside its neighbours' output rows, which never run at the same time (conv_chunk).
static void col2im_planar(const ConvShape& g, const float* src, long long c0, int cols,
                          float* planes) {
  planar_rows(g, c0, cols, [&](long long r, long long from, const Shift& sh, const float* m) {
    float* out = planes + from;
    const float* row = src + r * cols;
    for (int j = sh.j0; j < sh.j1; ++j) out[j] += m[j] != 0.f ? row[j] : 0.f;
  });
}

// phase_planes one row and phase at a time, for long rows.
template <bool Back>
static void phase_rows(const ConvShape& g, std::conditional_t<Back, float*, const float*> x,
                       std::conditional_t<Back, const float*, float*> xp, int threads) {
  const long long rows = (long long)g.channels * g.batch * g.ho;  // (c, b, i)
  const long long n = g.batch * g.outPlane();
  const int pairs = g.w / 2;  // columns 2j and 2j + 1 both on the image
  for_chunks(threads, rows, 256, [&](long long r0, long long r1) {
    for (long long r = r0; r < r1; ++r) {
      const long long c = r / ((long long)g.batch * g.ho), bi = r % ((long long)g.batch * g.ho);
      for (int ry = 0; ry < 2; ++ry) {
        const int y = 2 * (int)(bi % g.ho) + ry;
        auto even = xp + (c * 4 + ry * 2) * n + bi * g.wo;
        auto odd = even + n;
        if (y == g.h) {  // an odd height's row of zeros
          if constexpr (!Back) {
            std::fill(even, even + g.wo, 0.f);
            std::fill(odd, odd + g.wo, 0.f);
          }
          continue;
        }
        auto img = x + ((c * g.batch + bi / g.ho) * g.h + y) * g.w;
        if constexpr (Back) {
          for (int j = 0; j < pairs; ++j) {
            img[2 * j] = even[j];
            img[2 * j + 1] = odd[j];
          }
          if (pairs < g.wo) img[2 * pairs] = even[pairs];
        } else {
          for (int j = 0; j < pairs; ++j) {
            even[j] = img[2 * j];
            odd[j] = img[2 * j + 1];
          }
          if (pairs < g.wo) {  // an odd width's column of zeros
            even[pairs] = img[2 * pairs];
            odd[pairs] = 0.f;
          }
        }
      }
    }
  });
}

// phase_images' pair of rows r0 and r1 (r1 only where `second`) and their output row q of each
// plane, n values apart, where an odd side leaves pixels off the image: 0 in the planes, skipped
// on the way back.
template <bool Back>
static inline void phase_edge(std::conditional_t<Back, float*, const float*> r0,
                              std::conditional_t<Back, float*, const float*> r1,
                              std::conditional_t<Back, const float*, float*> q, long long n,
                              bool second, int pairs, int wo) {
  for (int j = 0; j < wo; ++j) {
    const bool right = j < pairs;  // column 2j + 1 on the image
    if constexpr (Back) {
      r0[2 * j] = q[j];
      if (right) r0[2 * j + 1] = q[n + j];
      if (second) r1[2 * j] = q[2 * n + j];
      if (second && right) r1[2 * j + 1] = q[3 * n + j];
    } else {
      q[j] = r0[2 * j];
      q[n + j] = right ? r0[2 * j + 1] : 0.f;
      q[2 * n + j] = second ? r1[2 * j] : 0.f;
      q[3 * n + j] = second && right ? r1[2 * j + 1] : 0.f;
    }
  }
}

// phase_planes image by image, a pair of rows feeding (or fed by) all four planes at once, for
// short rows.
template <bool Back>
static void phase_images(const ConvShape& g, std::conditional_t<Back, float*, const float*> x,
                         std::conditional_t<Back, const float*, float*> xp, int threads) {
  const long long images = (long long)g.channels * g.batch;  // (c, b)
  const long long n = g.batch * g.outPlane();
  const int w = g.w, wo = g.wo, pairs = g.w / 2;
  const long long grain = 16384 / g.plane() > 0 ? 16384 / g.plane() : 1;
  for_chunks(threads, images, grain, [&](long long i0, long long i1) {
    for (long long im = i0; im < i1; ++im) {
      auto img = x + im * g.plane();
      auto planes = xp + (im / g.batch) * 4 * n + (im % g.batch) * g.outPlane();
      for (int i = 0; i < g.ho; ++i) {
        auto r0 = img + 2 * i * w;  // rows 2i and 2i + 1
        auto r1 = r0 + w;
        auto q = planes + (long long)i * wo;
        if (2 * i + 1 == g.h || pairs < wo) {  // an odd side's last row or column
          phase_edge<Back>(r0, r1, q, n, 2 * i + 1 < g.h, pairs, wo);
          continue;
        }
        for (int j = 0; j < wo; ++j) {
          if constexpr (Back) {
            r0[2 * j] = q[j];
            r0[2 * j + 1] = q[n + j];
            r1[2 * j] = q[2 * n + j];
            r1[2 * j + 1] = q[3 * n + j];
          } else {
            q[j] = r0[2 * j];
            q[n + j] = r0[2 * j + 1];
            q[2 * n + j] = r1[2 * j];
            q[3 * n + j] = r1[2 * j + 1];
          }
        }
      }
    }
  });
}

// For phased(g): xp = x's phase planes (channel c, phase ry * 2 + rx: the batch x ho x wo values
// x[c][b][2i + ry][2j + rx], 0 past an odd side), or, Back, x = the image of the phase planes xp
// (what lies past an odd side dropped): image by image below
// 16 output columns, row by row from there. (Batch 128, 2 threads, as built for the library, each
// way against the other: for 183 channels at 14 x 14 image by image took 0.58 to 0.61 of the
// time to split and 0.75 to 0.82 to join with AVX-512; for 64 channels at 28 x 28, 0.51 and 0.84,
// with AVX2 0.62 and 0.82; for 32 channels at 56 x 56, 1.27 and 1.22, with AVX2 1.46 and 1.27.)
template <bool Back>
static void phase_planes(const ConvShape& g, std::conditional_t<Back, float*, const float*> x,
                         std::conditional_t<Back, const float*, float*> xp, int threads) {
  if (g.wo >= 16) {
    phase_rows<Back>(g, x, xp, threads);
  } else {
    phase_images<Back>(g, x, xp, threads);
  }
}

// The planes im2col_planar reads for a call on x: x itself (shifted), or its phase planes in the
// calling thread's scratch (phased). conv_shape allows no other geometry: padding K/2 keeps the
// output at the input's size at stride 1, and at stride 2 the input is twice the output, or one
// less.
static const float* conv_planes(const ConvShape& g, const float* x, int threads) {
  if (shifted(g)) return x;
  float* xp = thread_scratch<PHASE_SLOT>((size_t)g.channels * planes_channel(g));
  phase_planes<false>(g, x, xp, threads);
  return xp;
}

// Columns per chunk of a convolution's products over `rows` rows. Backward-data's chunks span at
// least 3 output rows, so that chunks two apart never scatter into the same input pixel (a 3 x 3
// kernel reaches one input row beyond its output rows' own): its even chunks run at once, then
// its odd ones.
static inline int conv_chunk(const ConvShape& g, long rows, bool scatter) {
  int c = chunk_columns(rows);
  if (scatter) {
    const long need = (3L * g.wo + 63) / 64 * 64;
    if (need > c) c = (int)need;
  }
  return c;
}

// thread_scratch of at least n floats from a multiple of 64 bytes.
template <ScratchSlot S>
static float* aligned_scratch(size_t n) {
  float* p = thread_scratch<S>(n + 16);
  return p + (16 - (uintptr_t)p / sizeof(float) % 16) % 16;
}

// Pixels per chunk of the tap-by-tap routes: at most 1024 (long reductions between the weight
// gradient's lane sums), and one chunk per thread at least.
static inline int taps_chunk(const Kernel& k, int threads) {
  long chunk = ((long)k.batch + threads - 1) / threads;
  chunk = (chunk + 63) / 64 * 64;
  return chunk > 1024 ? 1024 : (int)chunk;
}

// xr[c] = the planes of the c-th input channel of node v's blocks (W_v's columns c K^2 to
// c K^2 + K^2 - 1), channels `channel` values apart.
static void node_planes(const Kernel& k, int v, int taps, const float* planes, long long channel,
                        std::vector<const float*>& xr) {
  xr.resize(k.rowK[v] / taps);
  for (int j = k.rowPtr[v]; j < k.rowPtr[v + 1]; ++j) {
    const int u = k.colIdx[j];
    for (int i = 0; i < (k.inOff[u + 1] - k.inOff[u]) / taps; ++i) {
      xr[k.blockCol[j] / taps + i] = planes + (long long)(k.inOff[u] / taps + i) * channel;
    }
  }
}

// Whether `channels` over `nodes` nodes average 2 to `most` a node, and k has at most half the
// blocks of a complete graph: where the tap routes apply.
static inline bool thin_sparse(const Kernel& k, long channels, int nodes, long most) {
  return channels >= 2L * nodes && channels <= most * nodes &&
         2L * k.rowPtr[k.nOut] <= (long)k.nOut * k.nIn;
}

// Whether conv_backward_weight takes the taps route: a kernel above 1x1, nodes of 2 to 12
// channels on average, and at most half the blocks of a complete graph.
static inline bool taps_weight_gradient(const Kernel& k, const ConvShape& g) {
  return g.kernel > 1 && thin_sparse(k, k.outOff[k.nOut], k.nOut, 12);
}

// The forward product tap by tap, for conv_forward_taps: rows [0, RR) of node v (w: W_v's first
// row, row stride ldw) over CV vectors of pixels from chunk column j; tap t reads xr[c] + from[t].
// Each tap's part is summed over the node's input channels unmasked, then added where the tap's
// pixel lies on the image (a select, so that a neighbouring pixel read off the image never reaches
// the sum).
template <int RR, int CV>
static inline void fwd_taps_tile(const float* w, long ldw, int kc, int taps,
                                 const float* const* xr, const long long* from, const float* mask,
                                 int cols, int j, float* y, long ldy) {
  if constexpr (VW == 8) {
    // AVX2's 16 registers hold no second set of accumulators: each load is ANDed with its tap's
    // lane mask (tap_masks), again a select.
    vf acc[RR][CV] = {};
    for (int t = 0; t < taps; ++t) {
      const long long at = from[t] + j;
      const float* wt = w + t;
      const float* m = mask + (size_t)t * cols + j;
      for (int c = 0; c < kc; ++c) {
        const float* xp = xr[c] + at;
        vf wv[RR];
#pragma GCC unroll 8
        for (int r = 0; r < RR; ++r) wv[r] = splat(wt[r * ldw + (long)c * taps]);
#pragma GCC unroll 8
        for (int v = 0; v < CV; ++v) {
          const vf x = (vf)((lanes)loadu(xp + v * VW) & (lanes)loadu(m + v * VW));
#pragma GCC unroll 8
          for (int r = 0; r < RR; ++r) acc[r][v] += wv[r] * x;
        }
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
      for (int v = 0; v < CV; ++v) storeu(y + r * ldy + j + v * VW, acc[r][v]);
    return;
  }
  vf acc[RR][CV], part[RR][CV];
#pragma GCC unroll 8
  for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < CV; ++v) acc[r][v] = vf{};
  for (int t = 0; t < taps; ++t) {
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
      for (int v = 0; v < CV; ++v) part[r][v] = vf{};
    const long long at = from[t] + j;
    const float* wt = w + t;
    for (int c = 0; c < kc; ++c) {
      const float* xp = xr[c] + at;
      vf x[CV];
#pragma GCC unroll 8
      for (int v = 0; v < CV; ++v) x[v] = loadu(xp + v * VW);
#pragma GCC unroll 8
      for (int r = 0; r < RR; ++r) {
        const vf wv = splat(wt[r * ldw + (long)c * taps]);
#pragma GCC unroll 8
        for (int v = 0; v < CV; ++v) part[r][v] += wv * x[v];
      }
    }
    const float* m = mask + (size_t)t * cols + j;
#pragma GCC unroll 8
    for (int v = 0; v < CV; ++v) {
      const vf mv = loadu(m + v * VW);
#pragma GCC unroll 8
      for (int r = 0; r < RR; ++r) acc[r][v] = mv != 0.0f ? acc[r][v] + part[r][v] : acc[r][v];
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
    for (int v = 0; v < CV; ++v) storeu(y + r * ldy + j + v * VW, acc[r][v]);
}

// Tiles of a node's rows (at most FWD_TAP_ROWS) by pixel vectors, each kept twice with AVX-512
// (the sum and a tap's share), once with AVX2. With AVX-512 the taller the tile the fewer
// vectors: 3 x 4, 4 and 5 x 3, 6 x 2, so that a node of 4 to 6 rows is one tile, not 2 + 2,
// 3 + 2 or 3 + 3 (a tile of 2 rows reads a vector per 2 FMAs and is load-bound: alone, from L1,
// 129 GFLOP/s on one core against 184 for 3 x 4 and 196 to 205 for 4 x 3, 5 x 3 and 6 x 2). With
// AVX2, 3 x 4.
constexpr int FWD_TAP_ROWS = VW == 16 ? 6 : 3;
template <int RR>
constexpr int fwd_tap_vectors() {
  return VW == 16 ? (RR <= 3 ? 4 : RR <= 5 ? 3 : 2) : 4;
}

// Rows [0, rr) of a node (rr <= RR) over the chunk's pixels [j, e), both whole numbers of vectors:
// tiles of rr rows, then the vectors that remain one by one.
template <int RR>
static void fwd_taps_span(int rr, const float* w, long ldw, int kc, int taps,
                          const float* const* xr, const long long* from, const float* mask,
                          int cols, int j, int e, float* y, long ldy) {
  if constexpr (RR > 1) {
    if (rr < RR) {
      fwd_taps_span<RR - 1>(rr, w, ldw, kc, taps, xr, from, mask, cols, j, e, y, ldy);
      return;
    }
  }
  constexpr int CV = fwd_tap_vectors<RR>(), TILE = CV * VW;
  for (; j + TILE <= e; j += TILE) {
    fwd_taps_tile<RR, CV>(w, ldw, kc, taps, xr, from, mask, cols, j, y, ldy);
  }
  for (; j < e; j += VW) fwd_taps_tile<RR, 1>(w, ldw, kc, taps, xr, from, mask, cols, j, y, ldy);
}

// The forward product a row of taps at a time, for conv_forward_taps at stride 1 with AVX-512
// over nodes of at most 3 rows: rows [0, RR) of a node (w: W_v's first row, row stride ldw) over
// CV vectors of pixels from the chunk's vector jv. Per input channel and row of taps d, CV + 2
// vectors are loaded (one either side) and the taps of columns -1 and +1 are those shifted by a
// lane (valignd): each loaded vector feeds 3 RR FMAs, where tap-shifted loads fed RR (load-bound
// at 2 and 3 rows, the loads splitting cache lines). A tap's lanes off the image are zeroed: the
// loads by the row's mask dm[d] (by vector, from jv - 1) where a tile reaches the top or bottom
// row of an image (masked loads elsewhere cost 0.84-0.87 of the time), the shifted vectors by lm
// and rm.
template <int RR, int CV, bool MASKED>
__attribute__((always_inline)) static inline void row_taps_sum(
    __m512 (&acc)[RR][CV], const float* wd, long ldw, int kc, const float* const* xr,
    long long at, const __mmask16* ma, const __mmask16* ml, const __mmask16* mr) {
  for (int c = 0; c < kc; ++c) {
    const float* xp = xr[c] + at;
    __m512i a[CV + 2];
#pragma GCC unroll 8
    for (int i = 0; i < CV + 2; ++i) {
      const float* q = xp + 16 * i;
      a[i] = MASKED ? _mm512_maskz_loadu_epi32(ma[i], q) : _mm512_loadu_si512(q);
    }
    __m512 wv[RR][3];
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r)
#pragma GCC unroll 3
      for (int dj = 0; dj < 3; ++dj) wv[r][dj] = _mm512_set1_ps(wd[r * ldw + c * 9L + dj]);
#pragma GCC unroll 8
    for (int v = 0; v < CV; ++v) {
      // the row's pixels one column to the west (tap column -1) and one to the east (+1)
      const __m512 xw = _mm512_castsi512_ps(_mm512_maskz_alignr_epi32(ml[v], a[v + 1], a[v], 15));
      const __m512 xc = _mm512_castsi512_ps(a[v + 1]);
      const __m512 xe =
          _mm512_castsi512_ps(_mm512_maskz_alignr_epi32(mr[v], a[v + 2], a[v + 1], 1));
#pragma GCC unroll 8
      for (int r = 0; r < RR; ++r) {
        acc[r][v] = _mm512_fmadd_ps(wv[r][0], xw, acc[r][v]);
        acc[r][v] = _mm512_fmadd_ps(wv[r][1], xc, acc[r][v]);
        acc[r][v] = _mm512_fmadd_ps(wv[r][2], xe, acc[r][v]);
      }
    }
  }
}

template <int RR, int CV, int V = VW>
static inline void fwd_row_taps_tile(const float* w, long ldw, int kc, const float* const* xr,
                                     const long long* rowFrom, const uint16_t* const* dm,
                                     const uint16_t* lm, const uint16_t* rm, int jv, float* y,
                                     long ldy) {
  if constexpr (V == 16) {
    __m512 acc[RR][CV];
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
      for (int v = 0; v < CV; ++v) acc[r][v] = _mm512_setzero_ps();
    __mmask16 ml[CV], mr[CV];
#pragma GCC unroll 8
    for (int v = 0; v < CV; ++v) {
      ml[v] = lm[jv + v];
      mr[v] = rm[jv + v];
    }
    for (int d = 0; d < 3; ++d) {
      __mmask16 ma[CV + 2];
      bool whole = true;
#pragma GCC unroll 8
      for (int i = 0; i < CV + 2; ++i) {
        ma[i] = dm[d][jv + i];
        whole = whole && ma[i] == 0xffff;
      }
      const long long at = rowFrom[d] + 16LL * jv - 16;
      if (whole) {
        row_taps_sum<RR, CV, false>(acc, w + 3 * d, ldw, kc, xr, at, ma, ml, mr);
      } else {
        row_taps_sum<RR, CV, true>(acc, w + 3 * d, ldw, kc, xr, at, ma, ml, mr);
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
      for (int v = 0; v < CV; ++v) _mm512_storeu_ps(y + r * ldy + (jv + v) * 16, acc[r][v]);
  }
}

// Rows [0, rr) of a node (rr <= RR <= 3) over the chunk's vectors [0, nv) by fwd_row_taps_tile.
template <int RR>
static void fwd_row_taps_span(int rr, const float* w, long ldw, int kc, const float* const* xr,
                              const long long* rowFrom, const uint16_t* const* dm,
                              const uint16_t* lm, const uint16_t* rm, int nv, float* y, long ldy) {
  if constexpr (RR > 1) {
    if (rr < RR) {
      fwd_row_taps_span<RR - 1>(rr, w, ldw, kc, xr, rowFrom, dm, lm, rm, nv, y, ldy);
      return;
    }
  }
  constexpr int CV = 4;
  int jv = 0;
  for (; jv + CV <= nv; jv += CV) {
    fwd_row_taps_tile<RR, CV>(w, ldw, kc, xr, rowFrom, dm, lm, rm, jv, y, ldy);
  }
  for (; jv < nv; ++jv) fwd_row_taps_tile<RR, 1>(w, ldw, kc, xr, rowFrom, dm, lm, rm, jv, y, ldy);
}

// Lane masks of fwd_row_taps_tile over a chunk's vectors [0, nv) from its pixel c0 (stride 1,
// 16 lanes): lm and rm, where the taps of columns -1 and +1 lie on the image, and dm[d], where
// those of row d - 1 do, over the vectors [-1, nv] (at index + 1; pixels beyond the batch count
// as on it: the halo holds zeros there).
static void row_tap_masks(const ConvShape& g, long long c0, int nv, std::vector<uint16_t>& lm,
                          std::vector<uint16_t>& rm, std::vector<uint16_t> (&dm)[3]) {
  const long long n = (long long)g.batch * g.outPlane();
  lm.assign(nv, 0);
  rm.assign(nv, 0);
  for (auto& m : dm) m.assign(nv + 2, 0);
  for (int i = -1; i <= nv; ++i) {
    for (int e = 0; e < 16; ++e) {
      const long long p = c0 + i * 16L + e;
      const bool off = p < 0 || p >= n;
      const int ox = off ? 1 : (int)(p % g.wo), oy = off ? 1 : (int)(p / g.wo % g.ho);
      for (int d = 0; d < 3; ++d) {
        if (off || (oy + d - 1 >= 0 && oy + d - 1 < g.ho)) dm[d][i + 1] |= (uint16_t)(1u << e);
      }
      if (i < 0 || i == nv) continue;
      if (ox > 0) lm[i] |= (uint16_t)(1u << e);
      if (ox < g.wo - 1) rm[i] |= (uint16_t)(1u << e);
    }
  }
}

// Whether conv_forward takes the tap-by-tap route: where taps_weight_gradient would, over nodes
// of at most 6 output channels on average with AVX-512, at most 3 with AVX2. (Relational 3 x 3
// layers, WS-flex k/n 0.125, 2 threads, against the im2col route: nodes of 2 to 3 channels took
// 0.44 to 0.49 of its time at stride 1, 0.77 at stride 2; 5 to 6 channels 0.92 to 1.02 in tiles
// of at most 3 rows, whose time tiles of up to 6 rows cut to 0.81; 11 channels 1.5, 21 channels
// 2.1, the complete graph's 1-channel nodes 2.2. With AVX2, 0.89 to 0.96 at 3 channels.)
static inline bool taps_forward(const Kernel& k, const ConvShape& g) {
  return taps_weight_gradient(k, g) && k.outOff[k.nOut] <= (VW == 16 ? 6L : 3L) * k.nOut;
}

// The pixels [q0, q1) (0 <= q0 <= q1 <= batch ho wo) of one channel's four phase planes (as
// phase_planes makes them) from the channel's images x (phased g) into dst, dst + ld, dst + 2 ld
// and dst + 3 ld: an output row's run of pixels at a time, from the pair of image rows it takes.
static void phase_chunk(const ConvShape& g, const float* x, long long q0, long long q1, float* dst,
                        long ld) {
  const int w = g.w, wo = g.wo, pairs = g.w / 2;
  for (long long q = q0; q < q1;) {
    const long long row = q / wo;  // (b, i)
    const int j0 = (int)(q - row * wo);
    const int run = (int)std::min<long long>(wo - j0, q1 - q);
    const int i = (int)(row % g.ho);
    const float* r0 = x + (row / g.ho * g.h + 2 * i) * w;  // image rows 2i and 2i + 1
    float* d = dst + (q - q0);
    if (2 * i + 1 < g.h && j0 + run <= pairs) {
      const float* r1 = r0 + w;
      for (int k = 0; k < run; ++k) {
        const int j = 2 * (j0 + k);
        d[k] = r0[j];
        d[ld + k] = r0[j + 1];
        d[2 * ld + k] = r1[j];
        d[3 * ld + k] = r1[j + 1];
      }
    } else {  // an odd side's last row or column: 0 in the planes
      const bool second = 2 * i + 1 < g.h;
      for (int k = 0; k < run; ++k) {
        const int j = j0 + k;
        const bool right = j < pairs;  // column 2j + 1 on the image
        d[k] = r0[2 * j];
        d[ld + k] = right ? r0[2 * j + 1] : 0.f;
        d[2 * ld + k] = second ? r0[w + 2 * j] : 0.f;
        d[3 * ld + k] = second && right ? r0[w + 2 * j + 1] : 0.f;
      }
    }
    q += run;
  }
}

// Pixels a band of taps_products: a whole number of every tile's pixels (64, 48, 32).
constexpr int TAPS_BAND = 192;

// One product of taps_products: kernel k (weights W) whose columns are (input channel, tap) with
// `taps` taps, tap t reading its input channel's planes at tps[t]; node v's output rows go to
// Y + outOff[v] ldy, rows ldy apart.
struct TapProduct {
  const Kernel* k;
  const float* W;
  const TapPlane* tps;
  int taps;
  float* Y;
  long ldy;
};

// The products of `count` kernels over the same input planes (g: their grid), tap by tap: register
// tiles of a node's rows by pixels, summed over the node's input channels and taps, read from a
// copy of the chunk's planes with a halo, made once a chunk for all of them, with no im2col chunk.
// With rowRoute (one product, the layer's own 3 x 3 taps at stride 1, AVX-512) nodes of at most 3
// rows take fwd_row_taps_tile. Of a phased g, `planes` may be the image itself (`image`): the
// copy then takes each chunk's pixels of the phase planes straight from it (phase_chunk), with no
// phase planes made of the whole image first.
static void taps_products(const ConvShape& g, const float* planes, const TapProduct* prods,
                          int count, bool rowRoute, int threads, bool image = false) {
  if (count > 4 || (rowRoute && count > 1)) {  // the row route runs the first product alone
    throw std::logic_error("taps_products: more than 4 products, or the row route with several");
  }
  const Kernel& k0 = *prods[0].k;
  const int cin = k0.inOff[k0.nIn] / prods[0].taps;
  const int chunk = taps_chunk(k0, threads);
  const long long channel = planes_channel(g), n = k0.batch;
  const int P = (int)(channel / n);  // planes per channel: 1, or 4 phase planes
  // the farthest a tap reaches, and with the row route a vector more (its loads either side)
  long long reach = 0;
  for (int i = 0; i < count; ++i) {
    for (int t = 0; t < prods[i].taps; ++t) {
      const long long s = (long long)prods[i].tps[t].di * g.wo + prods[i].tps[t].dj;
      reach = std::max(reach, s < 0 ? -s : s);
    }
  }
  const int halo = (int)reach + (rowRoute ? VW : 0);
  over_chunks(threads, k0.batch, chunk, [&](int, int c0, int cols) {
    thread_local std::vector<float> mask[4];
    thread_local std::vector<const float*> xr;
    thread_local std::vector<long long> from[4];  // each tap's offset within a channel's halo rows
    thread_local std::vector<uint16_t> lm, rm, dm[3];
    // The chunk's planes with `halo` pixels either side (0 beyond the plane), rows ldh apart: every
    // tap reads in place, and the rows, unlike the planes, are no multiple of 4 KiB apart (planes
    // that are share L1 sets: 1.6 times slower at 32 x 32, batch 32). The halo before is whole
    // vectors, so that the row route's loads of a tap row's own pixels align.
    const int lead = (halo + VW - 1) / VW * VW;
    const long ldh = (cols + lead + halo + VW - 1) / VW * VW + VW;
    float* hx = aligned_scratch<IMAGE_SLOT>((size_t)cin * P * ldh);
    const long long s0 = c0 - lead, s1 = c0 + cols + halo;  // the halo rows' pixels
    const int i0 = (int)(s0 < 0 ? -s0 : 0), i1 = (int)((s1 < n ? s1 : n) - s0);
    for (int c = 0; c < cin; ++c) {
      for (int p = 0; p < P; ++p) {
        float* dst = hx + ((long)c * P + p) * ldh;
        std::fill(dst, dst + i0, 0.f);
        if (!image) {
          const float* src = planes + c * channel + p * n + s0;
          std::copy(src + i0, src + i1, dst + i0);
        }
        std::fill(dst + i1, dst + cols + lead + halo, 0.f);
      }
      if (image) phase_chunk(g, planes + c * g.batch * g.plane(), s0 + i0, s0 + i1, hx + i0 +
                             (long)c * P * ldh, ldh);
    }
    const int e = cols / VW * VW;  // where whole vectors end
    long long rowFrom[3] = {0, 0, 0};
    const uint16_t* dms[3] = {nullptr, nullptr, nullptr};
    if (rowRoute) {
      row_tap_masks(g, c0, e / VW, lm, rm, dm);
      for (int d = 0; d < 3; ++d) {
        rowFrom[d] = lead + (long long)(d - 1) * g.wo;
        dms[d] = dm[d].data();
      }
    }
    for (int i = 0; i < count; ++i) {
      const int taps = prods[i].taps;
      tap_masks(g, prods[i].tps, taps, c0, cols, mask[i]);
      from[i].resize(taps);
      for (int t = 0; t < taps; ++t) {
        const TapPlane tp = prods[i].tps[t];
        from[i][t] = tp.off / n * ldh + lead + (long long)tp.di * g.wo + tp.dj;
      }
    }
    // The products share k0's nodes, rows and input channels (their taps and weights differ):
    // node by node, a band of pixels at a time for all of them, so that the band of the node's
    // input rows is read into L1 once.
    for (int v = 0; v < k0.nOut; ++v) {
      const int rows = k0.outOff[v + 1] - k0.outOff[v];
      if (rows == 0) continue;
      node_planes(k0, v, prods[0].taps, hx, (long long)P * ldh, xr);
      // each product's row length, input channels, weights and output rows of node v
      int K[4], kc[4];
      const float* w[4];
      float* y[4];
      for (int i = 0; i < count; ++i) {
        const Kernel& k = *prods[i].k;
        K[i] = k.rowK[v];
        kc[i] = K[i] / prods[i].taps;
        w[i] = prods[i].W + k.rowBase[v];
        y[i] = prods[i].Y + (long long)k.outOff[v] * prods[i].ldy + c0;
      }
      if (rowRoute && rows <= 3) {
        fwd_row_taps_span<3>(rows, w[0], K[0], kc[0], xr.data(), rowFrom, dms, lm.data(),
                             rm.data(), e / VW, y[0], prods[0].ldy);
      } else {
        const int rtiles = (rows + FWD_TAP_ROWS - 1) / FWD_TAP_ROWS;
        for (int j0 = 0; j0 < e; j0 += TAPS_BAND) {
          const int j1 = j0 + TAPS_BAND < e ? j0 + TAPS_BAND : e;
          for (int i = 0; i < count; ++i) {
            for (int rt = 0, r0 = 0; rt < rtiles; ++rt) {
              const int rr = tile_height(rows, rtiles, rt);
              fwd_taps_span<FWD_TAP_ROWS>(rr, w[i] + (long)r0 * K[i], K[i], kc[i], prods[i].taps,
                                          xr.data(), from[i].data(), mask[i].data(), cols, j0,
                                          j1, y[i] + (long)r0 * prods[i].ldy, prods[i].ldy);
              r0 += rr;
            }
          }
        }
      }
      // a last chunk's pixels short of a vector, one by one
      for (int i = 0; i < count; ++i) {
        const int taps = prods[i].taps;
        for (int j = e; j < cols; ++j) {
          for (int r = 0; r < rows; ++r) {
            float sum = 0.f;
            for (int t = 0; t < taps; ++t) {
              if (mask[i][(size_t)t * cols + j] == 0.f) continue;
              const float* wt = w[i] + (long)r * K[i] + t;
              for (int c = 0; c < kc[i]; ++c) sum += wt[(long)c * taps] * xr[c][from[i][t] + j];
            }
            y[i][(long)r * prods[i].ldy + j] = sum;
          }
        }
      }
    }
  });
}

// Y = the block-sparse product of k over im2col(X) tap by tap (see taps_forward), from X's planes.
// At stride 2 from X itself, each chunk's phase planes taken straight from the image. (conv_ab, 2
// threads, against phase planes made of the whole image first, old / new time: AVX-512 64 to 183
// channels from 28 x 28, batch 128, 1.29-1.34; 183 to 363 from 14 x 14 1.21-1.26; 363 to 724 from
// 7 x 7 1.02-1.05; 172 at 32 x 32 and 342 at 28 x 28, batch 32, 1.12-1.15 and 1.08-1.10; forced
// AVX2 1.06-1.09, 0.99-1.01, 0.99-1.00, 1.05-1.10 and 0.99-1.00.)
static void conv_forward_taps(const Kernel& k, const ConvShape& g, const float* W, const float* X,
                              float* Y, int threads) {
  const TapProduct p{&k, W, layer_taps(g), g.kernel * g.kernel, Y, k.ld};
  // Nodes of at most 3 rows take the row route (fwd_row_taps_tile) at stride 1 with AVX-512.
  taps_products(g, X, &p, 1, VW == 16 && g.stride == 1 && g.kernel == 3, threads, phased(g));
}

/** Y = the block-sparse product of k over im2col(X), never formed. */
static void conv_forward(const Kernel& k0, const ConvShape& g, const float* W, const float* X,
                         float* Y, int threads) {
  last_isa = ISA;
  if (taps_forward(k0, g)) {
    conv_forward_taps(k0, g, W, X, Y, threads);
    return;
  }
  const float* planes = conv_planes(g, X, threads);
  ForwardPlan p = forward_plan(k0, W);
  p.prebuild();
  const int rows = p.k.inOff[p.k.nIn];
  over_packed_chunks(
      p.k.batch, conv_chunk(g, rows, false), p.count(), p.maxBlocks(), rows, threads,
      [&](int, float* pack, int c0, int cols) { im2col_planar(g, planes, c0, cols, cols, pack); },
      [&](int, Segment* seg, int i, const float* x, long ldx, int c0, int cols) {
        p.unit(i, x, ldx, Y + c0, p.k.ld, cols, seg);
      },
      [](int, int, int) {});
}

// Whether conv_backward_data of a phased convolution takes conv_backward_data_phases: a kernel
// above 1 x 1 over input nodes of 2 to 6 channels on average (with AVX2 too), at most half the
// blocks of a complete graph. (Nodes of 1 channel, the FLOP-matched CNN's first relational layer
// on 64 stem channels, broke even: 0.99-1.04 of the route below.)
static inline bool taps_backward_data(const Kernel& k, const ConvShape& g) {
  const long cin = k.inOff[k.nIn] / (g.kernel * g.kernel);
  return phased(g) && g.kernel > 1 && thin_sparse(k, cin, k.nIn, 6);
}

// Backward-data of a phased convolution phase by phase: tap t reads phase plane p(t) of X at
// shift s(t) (tap_plane), so phase p of dX is the sum over p's taps of W_t^T dY shifted by
// -s(t): a forward product over dY's grid (stride 1) of the transposed kernel cut to p's taps
// (1, 2, 2 and 4 of a 3 x 3 kernel's 9). The four go tap by tap over one halo copy of dY a
// chunk (taps_products) into dX's phase planes, made into dX at the end. (conv_ab, 2 threads,
// against the im2col and col2im route below, old / new time: AVX-512 183 to 363 channels from
// 14 x 14, batch 128, 1.32-1.47; 363 to 724 from 7 x 7 1.16-1.30; 172 channels from 32 x 32 and
// 342 from 28 x 28, batch 32, 1.97 and 1.88; forced AVX2 1.27, 0.99, 1.62 and 1.24.)
static void conv_backward_data_phases(const Kernel& k, const ConvShape& g, const float* W,
                                      const float* dY, float* dX, int threads) {
  const int taps = g.kernel * g.kernel;
  const long long n = (long long)g.batch * g.outPlane();
  thread_local TransposedKernel tk[4];
  thread_local std::vector<int> pick[4];
  thread_local std::vector<TapPlane> tps[4];
  for (int p = 0; p < 4; ++p) {
    pick[p].clear();
    tps[p].clear();
  }
  for (int t = 0; t < taps; ++t) {
    const TapPlane tp = tap_plane(g, t);
    const int p = (int)(tp.off / n);
    pick[p].push_back(t);
    tps[p].push_back(TapPlane{0, -tp.di, -tp.dj});
  }
  // Every phase has taps: over K > 1 with padding K/2 the taps' shifts take both parities.
  float* planes = thread_scratch<PHASE_SLOT>((size_t)(planes_channel(g) * g.channels));
  TapProduct prods[4];
  for (int p = 0; p < 4; ++p) {
    transpose_kernel(k, taps, W, tk[p], threads, pick[p].data(), (int)pick[p].size());
    prods[p] = TapProduct{&tk[p].k, tk[p].W.data(), tps[p].data(), (int)pick[p].size(),
                          planes + p * n, 4 * n};
  }
  ConvShape grid = g;  // dY's: the output grid at stride 1, the layer's output channels
  grid.channels = k.outOff[k.nOut];
  grid.h = g.ho;
  grid.w = g.wo;
  grid.stride = 1;
  taps_products(grid, dY, prods, 4, false, threads);
  phase_planes<true>(g, dX, planes, threads);
}

/** dX (an image, overwritten) = col2im of the block-sparse backward-data product of k on dY. */
static void conv_backward_data(const Kernel& k, const ConvShape& g, const float* W,
                               const float* dY, float* dX, int threads) {
  last_isa = ISA;
  // A shifted convolution's backward-data is the forward pass of the transposed kernel (taps
  // reversed) over dY's image, by whichever route conv_forward takes for it: tap by tap over thin
  // input nodes, else over im2col chunks of dY, with no col2im. (conv_ab, 2 threads, the route
  // below against this one, old / new time: AVX-512 363 channels at 7 x 7, batch 128, 1.94; 342
  // at 16 x 16 and 28 x 28, batch 32, 1.96 and 1.72; 1366 at 7 x 7 1.37; 684 and 724 channels
  // 1.13-1.17; forced AVX2 1.06-1.34.)
  if (shifted(g) && g.kernel > 1) {
    thread_local TransposedKernel t;
    transpose_kernel(k, g.kernel * g.kernel, W, t, threads);
    ConvShape image = g;  // dY's: the same size, the layer's output channels
    image.channels = k.outOff[k.nOut];
    conv_forward(t.k, image, t.W.data(), dY, dX, threads);
    return;
  }
  if (taps_backward_data(k, g)) {
    conv_backward_data_phases(k, g, W, dY, dX, threads);
    return;
  }
  // phased: the chunks add into phase planes, made into dX at the end
  const long long n = planes_channel(g) * g.channels;
  float* planes = shifted(g) ? dX : thread_scratch<PHASE_SLOT>((size_t)n);
  for_chunks(threads, n, 1 << 16, [&](long long i0, long long i1) {
    for (long long i = i0; i < i1; ++i) planes[i] = 0.f;
  });
  const int rows = k.outOff[k.nOut], in = k.inOff[k.nIn];
  const int chunk = conv_chunk(g, (long)rows + in, true);
  over_packed_chunks(
      k.batch, chunk, k.nIn, k.maxColBlocks, rows, threads,
      [&](int t, float* pack, int c0, int cols) {
        pack_columns(dY + c0, k.ld, rows, cols, pack);
      },
      [&](int, Segment* seg, int u, const float* dy, long ldy, int, int cols) {
        float* dcols = thread_scratch<IMAGE_SLOT>((size_t)in * chunk);
        backward_data_node(k, W, dy, ldy, dcols, cols, u, cols, seg);
      },
      [&](int, int c0, int cols) {
        col2im_planar(g, thread_scratch<IMAGE_SLOT>((size_t)in * chunk), c0, cols, planes);
      },
      2);
  if (planes != dX) phase_planes<true>(g, dX, planes, threads);
}

// The weight gradient of a planar convolution (shifted or phased) over thin nodes, with taps as
// columns of their own: dW_v[r][(c, t)] = the sum over pixels j, where tap t's pixel lies on the
// image, of dy_r[j] x_c[j + s_t], s_t the tap's shift within its plane. Register tiles of a node's
// rows by channels of one tap (at most TAP_ACC accumulators, TAP_CC channels) read both straight
// from dY and from the planes, vectors over the pixels: no im2col chunk, no transpose. The im2col
// route gives nodes of 2 or 3 channels tiles of 2 or 3 rows over transposed chunks K^2 times the
// image chunk, larger than L2. Over the FLOP-matched CNN's relational 3 x 3 layers (WS-flex,
// k/n 0.125, batch 128, 2 threads) it took 0.55 to 0.90 of the im2col route's time with AVX-512;
// with forced AVX2 0.60 to 1.02 (nodes of 5 or 6 channels at 7 x 7 and 14 x 14 broke even). Nodes
// of one channel, and dense graphs, do better merged into dense tiles on the im2col route; so do
// nodes of 16 channels (1.04). See taps_weight_gradient.
constexpr int TAP_ACC = VW == 16 ? 24 : 12;
constexpr int TAP_CC = VW == 16 ? 8 : 3;

//
// With `image` (phased), `planes` is X itself: each chunk's pixels of the phase planes, with a halo
// of the farthest shift either side, are taken straight from the image (phase_chunk) into a
// worker's buffer, with no phase planes made of the whole image first. (conv_ab, 2 threads,
// against those phase planes, old / new time: AVX-512 64 to 183 channels from 28 x 28, batch
// 128, 1.04-1.46; 183 to 363 from 14 x 14 1.04-1.26; 363 to 724 from 7 x 7 1.00-1.08; 172 at 32 x
// 32 and 342 at 28 x 28, batch 32, 1.09-1.17 and 1.03-1.12; forced AVX2 1.02-1.06, 1.01-1.02,
// 0.96 (twice), 1.04-1.05 and 1.00-1.01.)
static void conv_backward_weight_taps(const Kernel& k, const ConvShape& g, const float* dY,
                                      const float* planes, float* dW, int threads, bool image) {
  const int taps = g.kernel * g.kernel;
  const int chunk = taps_chunk(k, threads);
  const long long n = k.batch;
  const int cin = k.inOff[k.nIn] / taps;
  int halo = 0;  // the farthest a tap's pixel lies from the output pixel, in its plane
  for (int tap = 0; tap < taps; ++tap) {
    const TapPlane tp = tap_plane(g, tap);
    halo = std::max(halo, std::abs(tp.di * g.wo + tp.dj));
  }
  const long ldh = (chunk + 2 * halo + VW - 1) / VW * VW + VW;  // rows no multiple of 4 KiB apart
  const long long channel = image ? 4 * ldh : planes_channel(g);
  WorkerParts parts(threads, k.weightExtent);
  over_chunks(threads, k.batch, chunk, [&](int t, int c0, int cols) {
    float* part = parts.of(t);
    thread_local std::vector<float> mask;
    thread_local std::vector<const float*> xr, xs;
    thread_local std::vector<Shift> shifts;
    tap_masks(g, c0, cols, mask);
    xs.resize(TAP_CC);
    shifts.resize(taps);
    for (int tap = 0; tap < taps; ++tap) shifts[tap] = tap_shift(g, c0, cols, tap);
    const float* from = planes;
    if (image) {  // the chunk's pixels [c0 - halo, c0 + cols + halo) of every phase plane
      float* hx = thread_scratch<IMAGE_SLOT>((size_t)cin * channel);
      const long long s0 = c0 - halo, s1 = c0 + cols + halo;
      const long long q0 = std::max(s0, 0LL), q1 = std::min(s1, n);
      for (int c = 0; c < cin; ++c) {
        float* dst = hx + c * channel;
        for (int p = 0; p < 4; ++p) {
          std::fill(dst + p * ldh, dst + p * ldh + (q0 - s0), 0.f);
          std::fill(dst + p * ldh + (q1 - s0), dst + p * ldh + (s1 - s0), 0.f);
        }
        phase_chunk(g, planes + c * g.batch * g.plane(), q0, q1, dst + (q0 - s0), ldh);
      }
      for (int tap = 0; tap < taps; ++tap) {  // each tap's source within a channel's rows
        const TapPlane tp = tap_plane(g, tap);
        shifts[tap].from = tp.off / n * ldh + halo + tp.di * g.wo + tp.dj;
      }
      from = hx;
    }
    for (int v = 0; v < k.nOut; ++v) {
      const int rows = k.outOff[v + 1] - k.outOff[v], K = k.rowK[v], kc = K / taps;
      if (rows == 0) continue;
      node_planes(k, v, taps, from, channel, xr);
      const int rtiles = (rows + DTR - 1) / DTR;
      int ccMax = TAP_ACC / tile_height(rows, rtiles, 0);
      if (ccMax > TAP_CC) ccMax = TAP_CC;
      const int ctiles = (kc + ccMax - 1) / ccMax;
      // each column tile's activation rows stay in cache over the taps (shifted by a row or so)
      for (int ct = 0, c = 0; ct < ctiles; ++ct) {
        const int cc = tile_height(kc, ctiles, ct);
        for (int tap = 0; tap < taps; ++tap) {
          const Shift& sh = shifts[tap];
          if (sh.j1 <= sh.j0) continue;
          for (int i = 0; i < cc; ++i) xs[i] = xr[c + i] + sh.from + sh.j0;
          const float* dy = dY + (long long)k.outOff[v] * k.ld + c0 + sh.j0;
          const float* m = mask.data() + (size_t)tap * cols + sh.j0;
          float* w = part + k.rowBase[v] + tap + (long)c * taps;
          for (int rt = 0, r0 = 0; rt < rtiles; ++rt) {
            const int rr = tile_height(rows, rtiles, rt);
            dwb_rows<DTR, TAP_CC, true>(rr, cc, dy + (long)r0 * k.ld, k.ld, sh.j1 - sh.j0,
                                        xs.data(), w + (long)r0 * K, K, true, m, taps);
            r0 += rr;
          }
        }
        c += cc;
      }
    }
  });
  Pool::instance().run(threads, k.nOut, [&](int, int v) {
    const long long p = k.rowBase[v];
    parts.sum(p, p, (long long)(k.outOff[v + 1] - k.outOff[v]) * k.rowK[v], dW);
  });
}

/** dW = the block-sparse weight gradient of k over dY and im2col(X), never formed. */
static void conv_backward_weight(const Kernel& k, const ConvShape& g, const float* dY,
                                 const float* X, float* dW, int threads) {
  last_isa = ISA;
  if (taps_weight_gradient(k, g)) {  // from X itself, shifted or phased
    conv_backward_weight_taps(k, g, dY, X, dW, threads, phased(g));
    return;
  }
  const float* planes = conv_planes(g, X, threads);
  const int in = k.inOff[k.nIn];
  // At least 256 columns: each chunk's gradient is added into the worker's copy of the weights,
  // so short chunks mean short reductions between those additions. (Relational 3 x 3 layers of a
  // FLOP-matched CNN, 1 thread, CPU time: 183 channels at 28 x 28, batch 128, 0.26 s at 64
  // columns, 0.21 s at 256; no change at 724 channels, 7 x 7.)
  int chunk = conv_chunk(g, (long)in + k.outOff[k.nOut], false);
  if (chunk < 256) chunk = 256;
  const long ldp = transposed_stride(chunk);  // rows 4 KiB apart would share cache sets
  backward_weight_chunks(
      k, dY, chunk,
      [&](int, int c0, int cols) {
        float* pack = thread_scratch<IMAGE_SLOT>((size_t)in * ldp);
        im2col_planar(g, planes, c0, cols, ldp, pack);
        return std::pair<const float*, long>(pack, ldp);
      },
      dW, threads);
}
