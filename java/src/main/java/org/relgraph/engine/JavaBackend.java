package org.relgraph.engine;

/**
 * The plain-Java reference backend: straightforward loops with float64 accumulation. Slow, and the
 * oracle every fast path is tested against. Always available. Its tensors are host memory.
 */
public final class JavaBackend extends Backend {
  @Override
  public String name() {
    return "java";
  }

  @Override
  protected Tensor allocate(int[] shape) {
    return new HostTensor(this, shape);
  }

  @Override
  protected void doForward(BlockSparseLayout l, Tensor w, Tensor x, Tensor y) {
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
    y.copyFrom(toFloat(acc));
  }

  @Override
  protected void doBackwardData(BlockSparseLayout l, Tensor w, Tensor dy, Tensor dx) {
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
    dx.copyFrom(toFloat(acc));
  }

  @Override
  protected void doBackwardWeight(BlockSparseLayout l, Tensor dy, Tensor x, Tensor dw) {
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
    dw.copyFrom(out);
  }

  @Override
  protected void doDenseForward(Tensor w, Tensor x, Tensor y) {
    y.copyFrom(matmul(w.toArray(), w.rows(), w.cols(), false, x.toArray(), x.cols()));
  }

  @Override
  protected void doDenseBackwardData(Tensor w, Tensor dy, Tensor dx) {
    dx.copyFrom(matmul(w.toArray(), w.rows(), w.cols(), true, dy.toArray(), dy.cols()));
  }

  @Override
  protected void doDenseBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
    dw.copyFrom(outer(dy.toArray(), x.toArray(), dw.rows(), dw.cols(), x.cols()));
  }

  @Override
  protected void doMultiply(Tensor a, Tensor b, Tensor out) {
    out.copyFrom(times(a.toArray(), b.toArray()));
  }

  @Override
  protected void doBatchNormReluForward(
      BatchNorm bn, Tensor x, Tensor y, boolean training, int batch) {
    batchNorm(bn, x, y, training, batch, true);
  }

  @Override
  protected void doBatchNormForward(BatchNorm bn, Tensor x, Tensor y, boolean training, int batch) {
    batchNorm(bn, x, y, training, batch, false);
  }

  private static void batchNorm(
      BatchNorm bn, Tensor x, Tensor y, boolean training, int batch, boolean relu) {
    float[] xv = x.toArray();
    float[] gamma = bn.gamma.toArray();
    float[] beta = bn.beta.toArray();
    float[] runMean = bn.runningMean.toArray();
    float[] runVar = bn.runningVar.toArray();
    float[] mean = new float[bn.channels()];
    float[] invStd = new float[bn.channels()];
    float[] out = new float[xv.length];
    for (int c = 0; c < bn.channels(); c++) {
      double m;
      double var;
      if (training) {
        double s = 0;
        for (int b = 0; b < batch; b++) {
          s += xv[c * batch + b];
        }
        m = s / batch;
        double v = 0;
        for (int b = 0; b < batch; b++) {
          double d = xv[c * batch + b] - m;
          v += d * d;
        }
        var = v / batch;
        mean[c] = (float) m;
        invStd[c] = (float) (1 / Math.sqrt(var + bn.eps()));
        double mom = bn.momentum();
        runMean[c] = (float) ((1 - mom) * runMean[c] + mom * m);
        runVar[c] = (float) ((1 - mom) * runVar[c] + mom * var * batch / (batch - 1));
      } else {
        m = runMean[c];
        var = runVar[c];
      }
      double is = 1 / Math.sqrt(var + bn.eps());
      for (int b = 0; b < batch; b++) {
        double v = gamma[c] * (xv[c * batch + b] - m) * is + beta[c];
        out[c * batch + b] = (float) (relu ? Math.max(0, v) : v);
      }
    }
    y.copyFrom(out);
    if (training) {
      bn.savedMean.copyFrom(mean);
      bn.savedInvStd.copyFrom(invStd);
      bn.runningMean.copyFrom(runMean);
      bn.runningVar.copyFrom(runVar);
    }
  }

  @Override
  protected void doBatchNormReluBackward(
      BatchNorm bn, Tensor x, Tensor y, Tensor dy, Tensor dx, int batch) {
    batchNormBackward(bn, x, y.toArray(), dy, dx, batch);
  }

  @Override
  protected void doBatchNormBackward(BatchNorm bn, Tensor x, Tensor dy, Tensor dx, int batch) {
    batchNormBackward(bn, x, null, dy, dx, batch);
  }

  /** {@code yv} the ReLU's output, or null without ReLU. */
  private static void batchNormBackward(
      BatchNorm bn, Tensor x, float[] yv, Tensor dy, Tensor dx, int batch) {
    float[] xv = x.toArray();
    float[] dyv = dy.toArray();
    float[] gamma = bn.gamma.toArray();
    float[] mean = bn.savedMean.toArray();
    float[] invStd = bn.savedInvStd.toArray();
    float[] out = new float[xv.length];
    float[] dGamma = new float[bn.channels()];
    float[] dBeta = new float[bn.channels()];
    for (int c = 0; c < bn.channels(); c++) {
      double sg = 0;
      double sgx = 0;
      for (int b = 0; b < batch; b++) {
        int i = c * batch + b;
        double g = yv == null || yv[i] > 0 ? dyv[i] : 0;
        sg += g;
        sgx += g * (xv[i] - mean[c]) * invStd[c];
      }
      dBeta[c] = (float) sg;
      dGamma[c] = (float) sgx;
      double k = (double) gamma[c] * invStd[c] / batch;
      for (int b = 0; b < batch; b++) {
        int i = c * batch + b;
        double g = yv == null || yv[i] > 0 ? dyv[i] : 0;
        double xhat = (xv[i] - mean[c]) * (double) invStd[c];
        out[i] = (float) (k * (batch * g - sg - xhat * sgx));
      }
    }
    dx.copyFrom(out);
    bn.gammaGrad.copyFrom(dGamma);
    bn.betaGrad.copyFrom(dBeta);
  }

  @Override
  protected void doSoftmaxCrossEntropy(
      Tensor logits, int[] labels, Tensor dLogits, LossAccumulator totals) {
    int classes = logits.rows();
    int batch = logits.cols();
    float[] z = logits.toArray();
    float[] grad = new float[z.length];
    double loss = 0;
    int correct = 0;
    for (int b = 0; b < batch; b++) {
      int arg = 0;
      for (int c = 1; c < classes; c++) {
        if (z[c * batch + b] > z[arg * batch + b]) {
          arg = c;
        }
      }
      double max = z[arg * batch + b];
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(z[c * batch + b] - max);
      }
      double logSum = Math.log(sum) + max;
      loss += logSum - z[labels[b] * batch + b];
      for (int c = 0; c < classes; c++) {
        double p = Math.exp(z[c * batch + b] - logSum);
        grad[c * batch + b] = (float) ((p - (c == labels[b] ? 1 : 0)) / batch);
      }
      if (arg == labels[b]) {
        correct++;
      }
    }
    dLogits.copyFrom(grad);
    accumulate(totals, loss / batch, correct, batch);
  }

  @Override
  protected void doAddBias(Tensor y, Tensor bias) {
    float[] v = y.toArray();
    float[] b = bias.toArray();
    for (int i = 0; i < v.length; i++) {
      v[i] += b[i / y.cols()];
    }
    y.copyFrom(v);
  }

  @Override
  protected void doBiasGradient(Tensor dy, Tensor db) {
    float[] v = dy.toArray();
    double[] s = new double[dy.rows()];
    for (int i = 0; i < v.length; i++) {
      s[i / dy.cols()] += v[i];
    }
    db.copyFrom(toFloat(s));
  }

  @Override
  protected void doSgdStep(Tensor w, Tensor grad, Tensor velocity, SgdSettings s, float lr) {
    float[] wv = w.toArray();
    float[] g = grad.toArray();
    float[] v = velocity.toArray();
    for (int i = 0; i < wv.length; i++) {
      double d = g[i] + (double) s.weightDecay() * wv[i];
      double vi = s.momentum() * (double) v[i] + d;
      v[i] = (float) vi;
      d = s.nesterov() ? d + s.momentum() * vi : vi;
      wv[i] = (float) (wv[i] - lr * d);
    }
    w.copyFrom(wv);
    velocity.copyFrom(v);
  }

  @Override
  protected void doIm2col(Tensor x, int kernel, int stride, Tensor cols) {
    cols.copyFrom(ReferenceConv.im2col(x.toArray(), ReferenceConv.Geometry.of(x, kernel, stride)));
  }

  @Override
  protected void doCol2im(Tensor cols, int kernel, int stride, Tensor dx) {
    dx.copyFrom(
        ReferenceConv.col2im(cols.toArray(), ReferenceConv.Geometry.of(dx, kernel, stride)));
  }

  @Override
  protected void doDepthwiseForward(Tensor w, Tensor x, int stride, Tensor y) {
    y.copyFrom(
        ReferenceConv.depthwiseForward(
            w.toArray(), x.toArray(), ReferenceConv.Geometry.of(x, 3, stride)));
  }

  @Override
  protected void doDepthwiseBackwardData(Tensor w, Tensor dy, int stride, Tensor dx) {
    dx.copyFrom(
        ReferenceConv.depthwiseBackwardData(
            w.toArray(), dy.toArray(), ReferenceConv.Geometry.of(dx, 3, stride)));
  }

  @Override
  protected void doDepthwiseBackwardWeight(Tensor dy, Tensor x, int stride, Tensor dw) {
    dw.copyFrom(
        ReferenceConv.depthwiseBackwardWeight(
            dy.toArray(), x.toArray(), ReferenceConv.Geometry.of(x, 3, stride)));
  }

  @Override
  protected void doAdd(Tensor a, Tensor b, Tensor y) {
    float[] av = a.toArray();
    float[] bv = b.toArray();
    for (int i = 0; i < av.length; i++) {
      av[i] += bv[i];
    }
    y.copyFrom(av);
  }

  @Override
  protected void doRelu(Tensor x, Tensor y) {
    float[] v = x.toArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = v[i] > 0 ? v[i] : 0;
    }
    y.copyFrom(v);
  }

  @Override
  protected void doReluBackward(Tensor y, Tensor dy, Tensor dx) {
    float[] yv = y.toArray();
    float[] g = dy.toArray();
    for (int i = 0; i < g.length; i++) {
      g[i] = yv[i] > 0 ? g[i] : 0;
    }
    dx.copyFrom(g);
  }

  @Override
  protected void doMaxPool(Tensor x, Tensor y) {
    y.copyFrom(ReferenceConv.maxPool(x.toArray(), ReferenceConv.Geometry.of(x, 3, 2)));
  }

  @Override
  protected void doMaxPoolBackward(Tensor x, Tensor dy, Tensor dx) {
    dx.copyFrom(
        ReferenceConv.maxPoolBackward(
            x.toArray(), dy.toArray(), ReferenceConv.Geometry.of(x, 3, 2)));
  }

  @Override
  protected void doGlobalAvgPool(Tensor x, Tensor y) {
    y.copyFrom(ReferenceConv.avgPool(x.toArray(), y.size(), x.size() / y.size()));
  }

  @Override
  protected void doGlobalAvgPoolBackward(Tensor dy, Tensor dx) {
    dx.copyFrom(ReferenceConv.avgPoolBackward(dy.toArray(), dx.size() / dy.size()));
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
