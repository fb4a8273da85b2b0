package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.relgraph.engine.CpuBackendTest.assertClose;
import static org.relgraph.engine.CpuBackendTest.random;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.relgraph.nativecpu.RelgraphKernels;

/**
 * The training operations: the native ones, on every instruction set this CPU has (the others skip
 * with a reason), against the Java reference on odd shapes, checking that each call ran the copy
 * compiled for the backend's instruction set; and the reference's gradients against central finite
 * differences of a float64 implementation written here, independently of both backends.
 */
class TrainingOpsTest {
  private static final JavaBackend REF = new JavaBackend();
  private static final int[][] SHAPES = {{1, 2}, {3, 5}, {17, 128}, {64, 257}, {1539, 128}};

  /** The backends of one instruction set, 1 to 3 threads; skips when this CPU lacks it. */
  private static List<CpuBackend> cpus(CpuBackend.Isa isa) {
    assumeTrue(
        isa.ordinal() <= CpuBackend.bestIsa().ordinal(),
        isa + " not supported by this CPU (best: " + CpuBackend.bestIsa() + ")");
    return List.of(CpuBackend.create(isa, 1), CpuBackend.create(isa, 2), CpuBackend.create(isa, 3));
  }

  private static List<CpuBackend> cpus() {
    return cpus(CpuBackend.bestIsa());
  }

  /** The last native call on this thread ran the kernels compiled for {@code cpu}'s ISA. */
  static void assertRanOn(CpuBackend cpu, String op) {
    assertEquals(
        cpu.isa().ordinal(),
        RelgraphKernels.test_last_isa(),
        op + " on " + cpu + " ran another instruction set's kernels");
  }

  /** Fills gamma, beta and running statistics with non-trivial values. */
  private static void randomize(BatchNorm bn, SplittableRandom r) {
    int c = bn.channels();
    float[] g = random(r, c);
    for (int i = 0; i < c; i++) {
      g[i] += 1.5f;
    }
    bn.gamma().set(g);
    bn.beta().set(random(r, c));
    bn.runningMean().set(random(r, c));
    float[] v = random(r, c);
    for (int i = 0; i < c; i++) {
      v[i] = 0.5f + Math.abs(v[i]);
    }
    bn.runningVar().set(v);
  }

  @ParameterizedTest
  @EnumSource(CpuBackend.Isa.class)
  void batchNormMatchesReference(CpuBackend.Isa isa) {
    SplittableRandom r = new SplittableRandom(11);
    for (CpuBackend cpu : cpus(isa)) {
      for (int[] s : SHAPES) {
        int c = s[0];
        int b = s[1];
        float[] x = random(r, c * b);
        for (int i = 0; i < x.length; i++) {
          x[i] = 3 * x[i] + 0.5f; // off-centre, not unit scale
        }
        float[] dy = random(r, c * b);
        long seed = r.nextLong();
        for (boolean training : new boolean[] {true, false}) {
          float[][] ref = runBatchNorm(REF, c, b, x, dy, seed, training);
          float[][] got = runBatchNorm(cpu, c, b, x, dy, seed, training);
          String what = cpu + " " + c + "x" + b + (training ? " training" : " eval");
          String[] names = {"y", "running mean", "running var", "dx", "dgamma", "dbeta"};
          for (int k = 0; k < ref.length; k++) {
            assertClose(ref[k], got[k], b, what + " " + names[k]);
          }
        }
      }
    }
  }

  /** y, running mean, running var, and in training dx, dgamma, dbeta. */
  private static float[][] runBatchNorm(
      Backend be, int c, int b, float[] xv, float[] dyv, long seed, boolean training) {
    String what = c + " x " + b;
    try (BatchNorm bn = new BatchNorm(c);
        Tensor x = Tensor.of(c, b, xv);
        Tensor y = Tensor.zeros(c, b);
        Tensor dy = Tensor.of(c, b, dyv);
        Tensor dx = Tensor.zeros(c, b)) {
      randomize(bn, new SplittableRandom(seed));
      be.batchNormReluForward(bn, x, y, training);
      if (be instanceof CpuBackend cpu) {
        assertRanOn(cpu, "batch norm forward " + what);
      }
      float[][] out = new float[training ? 6 : 3][];
      out[0] = y.toArray();
      out[1] = bn.runningMean().toArray();
      out[2] = bn.runningVar().toArray();
      if (training) {
        be.batchNormReluBackward(bn, x, y, dy, dx);
        if (be instanceof CpuBackend cpu) {
          assertRanOn(cpu, "batch norm backward " + what);
        }
        out[3] = dx.toArray();
        out[4] = bn.gammaGrad().toArray();
        out[5] = bn.betaGrad().toArray();
      }
      return out;
    }
  }

  @Test
  void evaluationUsesRunningStatistics() {
    try (BatchNorm bn = new BatchNorm(2);
        Tensor x = Tensor.of(2, 2, new float[] {1, 3, -1, 5});
        Tensor y = Tensor.zeros(2, 2)) {
      bn.runningMean().set(new float[] {1, 1});
      bn.runningVar().set(new float[] {4, 16});
      for (Backend be : List.of(REF, cpus().get(0))) {
        be.batchNormReluForward(bn, x, y, false);
        double s0 = 1 / Math.sqrt(4 + 1e-5);
        double s1 = 1 / Math.sqrt(16 + 1e-5);
        float[] expected = {0, (float) (2 * s0), 0, (float) (4 * s1)};
        assertArrayEquals(expected, y.toArray(), 1e-6f, be.name());
        assertArrayEquals(new float[] {1, 1}, bn.runningMean().toArray(), be.name());
      }
    }
  }

  @Test
  void trainingUpdatesRunningStatisticsWithUnbiasedVariance() {
    try (BatchNorm bn = new BatchNorm(1, 0.25f, 1e-5f);
        Tensor x = Tensor.of(1, 4, new float[] {1, 2, 3, 6});
        Tensor y = Tensor.zeros(1, 4)) {
      cpus().get(1).batchNormReluForward(bn, x, y, true);
      // mean 3, biased variance 3.5, unbiased 14/3
      assertEquals(0.75f * 0 + 0.25f * 3, bn.runningMean().get(0, 0), 1e-6);
      assertEquals(0.75f * 1 + 0.25f * 14 / 3f, bn.runningVar().get(0, 0), 1e-6);
    }
  }

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
    try (BatchNorm bn = new BatchNorm(c);
        Tensor x = Tensor.of(c, b, xf);
        Tensor y = Tensor.zeros(c, b);
        Tensor dy = Tensor.of(c, b, rf);
        Tensor dx = Tensor.zeros(c, b)) {
      randomize(bn, r);
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

  @ParameterizedTest
  @EnumSource(CpuBackend.Isa.class)
  void crossEntropyMatchesFiniteDifferencesAndReference(CpuBackend.Isa isa) {
    List<CpuBackend> cpus = cpus(isa);
    SplittableRandom r = new SplittableRandom(9);
    for (int[] s : new int[][] {{2, 1}, {10, 3}, {10, 128}, {7, 257}}) {
      int classes = s[0];
      int batch = s[1];
      float[] z = random(r, classes * batch);
      for (int i = 0; i < z.length; i++) {
        z[i] *= 8;
      }
      int[] labels = r.ints(batch, 0, classes).toArray();
      try (Tensor logits = Tensor.of(classes, batch, z);
          Tensor g1 = Tensor.zeros(classes, batch);
          Tensor g2 = Tensor.zeros(classes, batch)) {
        CrossEntropy ref = REF.softmaxCrossEntropy(logits, labels, g1);
        double[] zd = toDouble(z);
        assertEquals(crossEntropy(zd, labels, classes, batch), ref.loss(), 1e-9);
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
        for (CpuBackend cpu : cpus) {
          CrossEntropy got = cpu.softmaxCrossEntropy(logits, labels, g2);
          assertRanOn(cpu, "cross-entropy");
          assertEquals(ref.loss(), got.loss(), 1e-6 * Math.max(1, ref.loss()));
          assertEquals(ref.correct(), got.correct());
          assertClose(g1.toArray(), g2.toArray(), classes, "dlogits " + cpu);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(CpuBackend.Isa.class)
  void biasAndSgdMatchReference(CpuBackend.Isa isa) {
    SplittableRandom r = new SplittableRandom(21);
    SgdSettings[] settings = {
      new SgdSettings(0.9f, 5e-4f, true),
      new SgdSettings(0.9f, 0, false),
      new SgdSettings(0, 0, false)
    };
    for (CpuBackend cpu : cpus(isa)) {
      for (int[] s : SHAPES) {
        float[] y = random(r, s[0] * s[1]);
        float[] bias = random(r, s[0]);
        try (Tensor y1 = Tensor.of(s[0], s[1], y);
            Tensor y2 = Tensor.of(s[0], s[1], y);
            Tensor b = Tensor.of(s[0], 1, bias);
            Tensor d1 = Tensor.zeros(s[0], 1);
            Tensor d2 = Tensor.zeros(s[0], 1)) {
          REF.addBias(y1, b);
          cpu.addBias(y2, b);
          assertRanOn(cpu, "add bias");
          assertClose(y1.toArray(), y2.toArray(), 1, "add bias");
          assertEquals(y[y.length - 1] + bias[s[0] - 1], y1.get(s[0] - 1, s[1] - 1), 1e-6);
          REF.biasGradient(y1, d1);
          cpu.biasGradient(y1, d2);
          assertRanOn(cpu, "bias gradient");
          assertClose(d1.toArray(), d2.toArray(), s[1], "bias gradient");
        }
        for (SgdSettings set : settings) {
          int n = s[0] * s[1];
          float[] w = random(r, n);
          float[] g = random(r, n);
          float[] v = random(r, n);
          try (Tensor w1 = Tensor.of(s[0], s[1], w);
              Tensor w2 = Tensor.of(s[0], s[1], w);
              Tensor gt = Tensor.of(s[0], s[1], g);
              Tensor v1 = Tensor.of(s[0], s[1], v);
              Tensor v2 = Tensor.of(s[0], s[1], v)) {
            for (int step = 0; step < 3; step++) {
              REF.sgdStep(w1, gt, v1, set, 0.1f);
              cpu.sgdStep(w2, gt, v2, set, 0.1f);
              assertRanOn(cpu, "SGD step");
            }
            assertClose(w1.toArray(), w2.toArray(), 3, "sgd weights " + set);
            assertClose(v1.toArray(), v2.toArray(), 3, "sgd velocity " + set);
          }
        }
      }
    }
  }

  @Test
  void sgdFollowsPyTorchOnOneValue() {
    // PyTorch SGD(lr=0.1, momentum=0.9, weight_decay=0.5, nesterov=True), w = 2, grad = 1, twice:
    // d = 1 + 0.5*2 = 2; buf = 2; step = 2 + 0.9*2 = 3.8; w = 1.62
    // d = 1 + 0.5*1.62 = 1.81; buf = 0.9*2 + 1.81 = 3.61; step = 1.81 + 0.9*3.61 = 5.059
    try (Tensor w = Tensor.of(1, 1, new float[] {2});
        Tensor g = Tensor.of(1, 1, new float[] {1});
        Tensor v = Tensor.zeros(1, 1)) {
      Backend cpu = cpus().get(0);
      SgdSettings s = new SgdSettings(0.9f, 0.5f, true);
      cpu.sgdStep(w, g, v, s, 0.1f);
      assertEquals(1.62f, w.get(0, 0), 1e-6);
      cpu.sgdStep(w, g, v, s, 0.1f);
      assertEquals(1.62f - 0.5059f, w.get(0, 0), 1e-6);
      assertEquals(3.61f, v.get(0, 0), 1e-6);
    }
  }

  @Test
  void badArgumentsAreJavaExceptions() {
    for (Backend be : List.of(REF, cpus().get(1))) {
      try (BatchNorm bn = new BatchNorm(4);
          Tensor x = Tensor.zeros(4, 8);
          Tensor y = Tensor.zeros(4, 8);
          Tensor wrong = Tensor.zeros(5, 8);
          Tensor one = Tensor.zeros(4, 1);
          Tensor y1 = Tensor.zeros(4, 1);
          Tensor logits = Tensor.zeros(3, 2);
          Tensor g = Tensor.zeros(3, 2)) {
        assertThrows(
            IllegalArgumentException.class, () -> be.batchNormReluForward(bn, wrong, y, true));
        assertThrows(IllegalArgumentException.class, () -> be.batchNormReluForward(bn, x, x, true));
        assertThrows(
            IllegalArgumentException.class, () -> be.batchNormReluForward(bn, one, y1, true));
        be.batchNormReluForward(bn, one, y1, false); // a batch of one is fine in evaluation
        assertThrows(
            IllegalArgumentException.class, () -> be.batchNormReluBackward(bn, x, y, wrong, y));
        var e =
            assertThrows(
                IllegalArgumentException.class,
                () -> be.softmaxCrossEntropy(logits, new int[] {0, 3}, g));
        assertTrue(e.getMessage().contains("label 3"), e.getMessage());
        assertThrows(
            IllegalArgumentException.class, () -> be.softmaxCrossEntropy(logits, new int[] {0}, g));
        assertThrows(IllegalArgumentException.class, () -> be.addBias(x, wrong));
        assertThrows(
            IllegalArgumentException.class,
            () -> be.sgdStep(x, wrong, y, new SgdSettings(0.9f, 0, true), 0.1f));
        assertThrows(
            IllegalArgumentException.class,
            () -> be.sgdStep(x, y, x, new SgdSettings(0.9f, 0, true), 0.1f));
        assertThrows(
            IllegalArgumentException.class,
            () -> be.sgdStep(x, y, one, new SgdSettings(0.9f, 0, true), Float.NaN));
        x.close();
        assertThrows(IllegalStateException.class, () -> be.batchNormReluForward(bn, x, y, true));
      }
    }
    assertThrows(IllegalArgumentException.class, () -> new SgdSettings(1f, 0, true));
    assertThrows(IllegalArgumentException.class, () -> new SgdSettings(0f, 0, true));
    assertThrows(IllegalArgumentException.class, () -> new SgdSettings(0.5f, -1, false));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm(0));
  }
}
