package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.relgraph.engine.BackendContractTest.random;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The reference's training operations: its gradients against central finite differences of a
 * float64 implementation written here, independently of every backend; and the settings' checks.
 * (Every backend is held to the reference by {@link BackendContractTest}.)
 */
class TrainingOpsTest {
  private static final JavaBackend REF = new JavaBackend();

  /** Float64 batch norm + ReLU in training mode, loss Σ r ⊙ y: the finite-difference oracle. */
  private static double bnLoss(
      double[] x, double[] gamma, double[] beta, double[] r, int c, int b) {
    double loss = 0;
    for (int ch = 0; ch < c; ch++) {
      double m = 0;
      for (int i = 0; i < b; i++) {
        m += x[ch * b + i];
      }
      m /= b;
      double v = 0;
      for (int i = 0; i < b; i++) {
        v += (x[ch * b + i] - m) * (x[ch * b + i] - m);
      }
      v /= b;
      for (int i = 0; i < b; i++) {
        double y = gamma[ch] * (x[ch * b + i] - m) / Math.sqrt(v + 1e-5) + beta[ch];
        loss += r[ch * b + i] * Math.max(0, y);
      }
    }
    return loss;
  }

  private static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  /** Central difference of f at a[i]. */
  private static double derivative(double[] a, int i, DoubleUnaryOperator fAt) {
    double h = 1e-6 * Math.max(1, Math.abs(a[i]));
    double saved = a[i];
    double plus = fAt.applyAsDouble(saved + h);
    double minus = fAt.applyAsDouble(saved - h);
    a[i] = saved;
    return (plus - minus) / (2 * h);
  }

  private static void assertGradient(double expected, float actual, String what) {
    double tol = 2e-4 * Math.max(1, Math.abs(expected));
    if (Math.abs(expected - actual) > tol) {
      throw new AssertionError(what + ": finite difference " + expected + ", analytic " + actual);
    }
  }

  @Test
  void batchNormGradientsMatchFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(5);
    int c = 3;
    int b = 7;
    float[] xf = random(r, c * b);
    float[] rf = random(r, c * b);
    try (BatchNorm bn = new BatchNorm(REF, c);
        Tensor x = REF.of(c, b, xf);
        Tensor y = REF.zeros(c, b);
        Tensor dy = REF.of(c, b, rf);
        Tensor dx = REF.zeros(c, b)) {
      BackendContractTest.randomize(bn, r);
      double[] gamma = toDouble(bn.gamma().toArray());
      double[] beta = toDouble(bn.beta().toArray());
      double[] xd = toDouble(xf);
      double[] rd = toDouble(rf);
      REF.batchNormReluForward(bn, x, y, true);
      REF.batchNormReluBackward(bn, x, y, dy, dx);
      float[] dxa = dx.toArray();
      for (int i = 0; i < xd.length; i++) {
        final int k = i;
        double fd =
            derivative(
                xd,
                k,
                v -> {
                  xd[k] = v;
                  return bnLoss(xd, gamma, beta, rd, c, b);
                });
        assertGradient(fd, dxa[i], "dx[" + i + "]");
      }
      for (int ch = 0; ch < c; ch++) {
        final int k = ch;
        double fg =
            derivative(
                gamma,
                k,
                v -> {
                  gamma[k] = v;
                  return bnLoss(xd, gamma, beta, rd, c, b);
                });
        assertGradient(fg, bn.gammaGrad().get(ch, 0), "dgamma[" + ch + "]");
        double fb =
            derivative(
                beta,
                k,
                v -> {
                  beta[k] = v;
                  return bnLoss(xd, gamma, beta, rd, c, b);
                });
        assertGradient(fb, bn.betaGrad().get(ch, 0), "dbeta[" + ch + "]");
      }
    }
  }

  private static double crossEntropy(double[] z, int[] labels, int classes, int batch) {
    double loss = 0;
    for (int b = 0; b < batch; b++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, z[c * batch + b]);
      }
      double s = 0;
      for (int c = 0; c < classes; c++) {
        s += Math.exp(z[c * batch + b] - max);
      }
      loss += Math.log(s) + max - z[labels[b] * batch + b];
    }
    return loss / batch;
  }

  @Test
  void crossEntropyMatchesFiniteDifferences() {
    SplittableRandom r = new SplittableRandom(9);
    for (int[] s : new int[][] {{2, 1}, {10, 3}, {10, 128}, {7, 257}}) {
      int classes = s[0];
      int batch = s[1];
      float[] z = random(r, classes * batch);
      for (int i = 0; i < z.length; i++) {
        z[i] *= 8;
      }
      int[] labels = r.ints(batch, 0, classes).toArray();
      try (Tensor logits = REF.of(classes, batch, z);
          Tensor g1 = REF.zeros(classes, batch);
          LossAccumulator totals = REF.newLossAccumulator()) {
        REF.softmaxCrossEntropy(logits, labels, g1, totals);
        LossAccumulator.Totals ref = totals.read();
        double[] zd = toDouble(z);
        assertEquals(crossEntropy(zd, labels, classes, batch), ref.batchLossSum(), 1e-9);
        int correct = 0;
        for (int b = 0; b < batch; b++) {
          int arg = 0;
          for (int c = 1; c < classes; c++) {
            if (z[c * batch + b] > z[arg * batch + b]) {
              arg = c;
            }
          }
          correct += arg == labels[b] ? 1 : 0;
        }
        assertEquals(correct, ref.correct());
        assertEquals(1, ref.batches());
        assertEquals(batch, ref.samples());
        float[] ga = g1.toArray();
        for (int i = 0; i < zd.length; i++) {
          final int k = i;
          double fd =
              derivative(
                  zd,
                  k,
                  v -> {
                    zd[k] = v;
                    return crossEntropy(zd, labels, classes, batch);
                  });
          assertGradient(fd, ga[i], "dlogits[" + i + "]");
        }
      }
    }
  }

  @Test
  void settingsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new SgdSettings(1f, 0, true));
    assertThrows(IllegalArgumentException.class, () -> new SgdSettings(0f, 0, true));
    assertThrows(IllegalArgumentException.class, () -> new SgdSettings(0.5f, -1, false));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm(REF, 0));
  }
}
