package org.relgraph.engine;

/**
 * The plain-Java reference backend: straightforward loops with float64 accumulation. Slow, and the
 * oracle every fast path is tested against. Always available.
 */
public final class JavaBackend implements Backend {
  @Override
  public String name() {
    return "java";
  }

  @Override
  public void forward(BlockSparseLayout l, Tensor w, Tensor x, Tensor y) {
    Shapes.layerForward(l, w, x, y);
    float[] wv = w.toArray();
    float[] xv = x.toArray();
    int batch = x.cols();
    double[] acc = new double[y.size()];
    l.forEachWeight(
        (o, c, idx) -> {
          double wc = wv[(int) idx];
          for (int b = 0; b < batch; b++) {
            acc[o * batch + b] += wc * xv[c * batch + b];
          }
        });
    y.set(toFloat(acc));
  }

  @Override
  public void backwardData(BlockSparseLayout l, Tensor w, Tensor dy, Tensor dx) {
    Shapes.layerBackwardData(l, w, dy, dx);
    float[] wv = w.toArray();
    float[] dyv = dy.toArray();
    int batch = dy.cols();
    double[] acc = new double[dx.size()];
    l.forEachWeight(
        (o, c, idx) -> {
          double wc = wv[(int) idx];
          for (int b = 0; b < batch; b++) {
            acc[c * batch + b] += wc * dyv[o * batch + b];
          }
        });
    dx.set(toFloat(acc));
  }

  @Override
  public void backwardWeight(BlockSparseLayout l, Tensor dy, Tensor x, Tensor dw) {
    Shapes.layerBackwardWeight(l, dy, x, dw);
    float[] dyv = dy.toArray();
    float[] xv = x.toArray();
    int batch = x.cols();
    float[] out = new float[dw.size()];
    l.forEachWeight(
        (o, c, idx) -> {
          double s = 0;
          for (int b = 0; b < batch; b++) {
            s += (double) dyv[o * batch + b] * xv[c * batch + b];
          }
          out[(int) idx] = (float) s;
        });
    dw.set(out);
  }

  @Override
  public void denseForward(Tensor w, Tensor x, Tensor y) {
    Shapes.dense(w, x, y);
    y.set(matmul(w.toArray(), w.rows(), w.cols(), false, x.toArray(), x.cols()));
  }

  @Override
  public void denseBackwardData(Tensor w, Tensor dy, Tensor dx) {
    Shapes.denseData(w, dy, dx);
    dx.set(matmul(w.toArray(), w.rows(), w.cols(), true, dy.toArray(), dy.cols()));
  }

  @Override
  public void denseBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
    Shapes.denseGradient(dy, x, dw);
    dw.set(outer(dy.toArray(), x.toArray(), dw.rows(), dw.cols(), x.cols()));
  }

  @Override
  public void maskedForward(Tensor w, Tensor mask, Tensor x, Tensor y, Tensor scratch) {
    Shapes.masked(w, mask, x, y, scratch);
    scratch.set(times(w.toArray(), mask.toArray()));
    denseForward(scratch, x, y);
  }

  @Override
  public void maskedBackwardData(Tensor w, Tensor mask, Tensor dy, Tensor dx, Tensor scratch) {
    Shapes.maskedData(w, mask, dy, dx, scratch);
    scratch.set(times(w.toArray(), mask.toArray()));
    denseBackwardData(scratch, dy, dx);
  }

  @Override
  public void maskedBackwardWeight(Tensor mask, Tensor dy, Tensor x, Tensor dw) {
    Shapes.maskedGradient(mask, dy, x, dw);
    denseBackwardWeight(dy, x, dw);
    dw.set(times(dw.toArray(), mask.toArray()));
  }

  private static float[] times(float[] a, float[] b) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] * b[i];
    }
    return out;
  }

  /** W (rows × cols) or its transpose times x (· × batch), float64 accumulation. */
  private static float[] matmul(
      float[] w, int rows, int cols, boolean transpose, float[] x, int batch) {
    int outRows = transpose ? cols : rows;
    int inner = transpose ? rows : cols;
    double[] acc = new double[outRows * batch];
    for (int i = 0; i < outRows; i++) {
      for (int k = 0; k < inner; k++) {
        double a = transpose ? w[k * cols + i] : w[i * cols + k];
        if (a == 0) {
          continue;
        }
        for (int b = 0; b < batch; b++) {
          acc[i * batch + b] += a * x[k * batch + b];
        }
      }
    }
    return toFloat(acc);
  }

  private static float[] outer(float[] dy, float[] x, int rows, int cols, int batch) {
    float[] out = new float[rows * cols];
    for (int o = 0; o < rows; o++) {
      for (int c = 0; c < cols; c++) {
        double s = 0;
        for (int b = 0; b < batch; b++) {
          s += (double) dy[o * batch + b] * x[c * batch + b];
        }
        out[o * cols + c] = (float) s;
      }
    }
    return out;
  }

  private static float[] toFloat(double[] a) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (float) a[i];
    }
    return out;
  }
}
