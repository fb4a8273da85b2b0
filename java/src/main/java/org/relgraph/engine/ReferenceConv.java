package org.relgraph.engine;

/**
 * The {@link JavaBackend}'s convolution operations: plain loops over host arrays with float64
 * accumulation, written as the definitions read, the oracle the native kernels are held to. Images
 * are {@code x[((c·B + b)·H + y)·W + x]}.
 */
final class ReferenceConv {
  private ReferenceConv() {}

  /** One image geometry: channels, batch, input and output sides, kernel, stride. */
  record Geometry(int c, int b, int h, int w, int k, int s, int ho, int wo) {
    static Geometry of(Tensor image, int kernel, int stride) {
      int[] d = image.shape();
      return new Geometry(
          d[0],
          d[1],
          d[2],
          d[3],
          kernel,
          stride,
          ConvGeometry.outputSize(d[2], stride),
          ConvGeometry.outputSize(d[3], stride));
    }

    int pad() {
      return k / 2;
    }

    int in(int c, int b, int y, int x) {
      return ((c * this.b + b) * h + y) * w + x;
    }

    int out(int c, int b, int y, int x) {
      return ((c * this.b + b) * ho + y) * wo + x;
    }

    /** Input row of output row {@code o} and tap {@code t}, or -1 outside the image. */
    int row(int o, int t) {
      int i = o * s + t - pad();
      return i >= 0 && i < h ? i : -1;
    }

    int col(int o, int t) {
      int i = o * s + t - pad();
      return i >= 0 && i < w ? i : -1;
    }

    int columns() {
      return b * ho * wo;
    }
  }

  static float[] im2col(float[] x, Geometry g) {
    float[] cols = new float[g.c * g.k * g.k * g.columns()];
    for (int c = 0; c < g.c; c++) {
      for (int ky = 0; ky < g.k; ky++) {
        for (int kx = 0; kx < g.k; kx++) {
          int row = (c * g.k + ky) * g.k + kx;
          for (int b = 0; b < g.b; b++) {
            for (int oy = 0; oy < g.ho; oy++) {
              for (int ox = 0; ox < g.wo; ox++) {
                int iy = g.row(oy, ky);
                int ix = g.col(ox, kx);
                cols[row * g.columns() + (b * g.ho + oy) * g.wo + ox] =
                    iy < 0 || ix < 0 ? 0 : x[g.in(c, b, iy, ix)];
              }
            }
          }
        }
      }
    }
    return cols;
  }

  static float[] col2im(float[] cols, Geometry g) {
    double[] dx = new double[g.c * g.b * g.h * g.w];
    for (int c = 0; c < g.c; c++) {
      for (int ky = 0; ky < g.k; ky++) {
        for (int kx = 0; kx < g.k; kx++) {
          int row = (c * g.k + ky) * g.k + kx;
          for (int b = 0; b < g.b; b++) {
            for (int oy = 0; oy < g.ho; oy++) {
              for (int ox = 0; ox < g.wo; ox++) {
                int iy = g.row(oy, ky);
                int ix = g.col(ox, kx);
                if (iy >= 0 && ix >= 0) {
                  dx[g.in(c, b, iy, ix)] += cols[row * g.columns() + (b * g.ho + oy) * g.wo + ox];
                }
              }
            }
          }
        }
      }
    }
    return toFloat(dx);
  }

  /** Visits every (input index, output index, tap) of a depthwise 3 × 3 convolution. */
  interface TapVisitor {
    void visit(int c, int in, int out, int tap);
  }

  static void forEachTap(Geometry g, TapVisitor v) {
    for (int c = 0; c < g.c; c++) {
      for (int b = 0; b < g.b; b++) {
        for (int oy = 0; oy < g.ho; oy++) {
          for (int ox = 0; ox < g.wo; ox++) {
            for (int ky = 0; ky < 3; ky++) {
              for (int kx = 0; kx < 3; kx++) {
                int iy = g.row(oy, ky);
                int ix = g.col(ox, kx);
                if (iy >= 0 && ix >= 0) {
                  v.visit(c, g.in(c, b, iy, ix), g.out(c, b, oy, ox), ky * 3 + kx);
                }
              }
            }
          }
        }
      }
    }
  }

  static float[] depthwiseForward(float[] w, float[] x, Geometry g) {
    double[] y = new double[g.c * g.b * g.ho * g.wo];
    forEachTap(g, (c, in, out, t) -> y[out] += (double) w[c * 9 + t] * x[in]);
    return toFloat(y);
  }

  static float[] depthwiseBackwardData(float[] w, float[] dy, Geometry g) {
    double[] dx = new double[g.c * g.b * g.h * g.w];
    forEachTap(g, (c, in, out, t) -> dx[in] += (double) w[c * 9 + t] * dy[out]);
    return toFloat(dx);
  }

  static float[] depthwiseBackwardWeight(float[] dy, float[] x, Geometry g) {
    double[] dw = new double[g.c * 9];
    forEachTap(g, (c, in, out, t) -> dw[c * 9 + t] += (double) dy[out] * x[in]);
    return toFloat(dw);
  }

  /**
   * Max pooling's choice for output {@code (oy, ox)} of plane {@code (c, b)}: the index in x of the
   * first of the window's greatest in-bound values (of its NaNs, if any), taps in row-major order.
   */
  private static int maxPoolPick(float[] x, Geometry g, int c, int b, int oy, int ox) {
    int best = -1;
    for (int ky = 0; ky < g.k(); ky++) {
      for (int kx = 0; kx < g.k(); kx++) {
        int iy = g.row(oy, ky);
        int ix = g.col(ox, kx);
        if (iy < 0 || ix < 0) {
          continue;
        }
        int i = g.in(c, b, iy, ix);
        if (best < 0 || x[i] > x[best] || (Float.isNaN(x[i]) && !Float.isNaN(x[best]))) {
          best = i;
        }
      }
    }
    return best;
  }

  static float[] maxPool(float[] x, Geometry g) {
    float[] y = new float[g.c() * g.columns()];
    for (int c = 0; c < g.c(); c++) {
      for (int b = 0; b < g.b(); b++) {
        for (int oy = 0; oy < g.ho(); oy++) {
          for (int ox = 0; ox < g.wo(); ox++) {
            y[g.out(c, b, oy, ox)] = x[maxPoolPick(x, g, c, b, oy, ox)];
          }
        }
      }
    }
    return y;
  }

  static float[] maxPoolBackward(float[] x, float[] dy, Geometry g) {
    double[] dx = new double[x.length];
    for (int c = 0; c < g.c(); c++) {
      for (int b = 0; b < g.b(); b++) {
        for (int oy = 0; oy < g.ho(); oy++) {
          for (int ox = 0; ox < g.wo(); ox++) {
            dx[maxPoolPick(x, g, c, b, oy, ox)] += dy[g.out(c, b, oy, ox)];
          }
        }
      }
    }
    return toFloat(dx);
  }

  static float[] avgPool(float[] x, int rows, int plane) {
    float[] y = new float[rows];
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int i = 0; i < plane; i++) {
        s += x[r * plane + i];
      }
      y[r] = (float) (s / plane);
    }
    return y;
  }

  static float[] avgPoolBackward(float[] dy, int plane) {
    float[] dx = new float[dy.length * plane];
    for (int r = 0; r < dy.length; r++) {
      java.util.Arrays.fill(dx, r * plane, (r + 1) * plane, (float) ((double) dy[r] / plane));
    }
    return dx;
  }

  static float[] toFloat(double[] a) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (float) a[i];
    }
    return out;
  }
}
