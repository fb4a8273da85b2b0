package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relgraph.nn.Conv;

/**
 * oneDNN's convolution primitive, the convolution benchmark's dense baseline, computes what the
 * engine's dense convolution (im2col + sgemm) computes: same weights, same channel-major images,
 * outputs equal within float tolerance, on odd shapes (stride 1, padding K/2). Without this the
 * baseline could be fast for computing something else.
 */
class OneDnnConvTest {
  private static int threads;

  @BeforeAll
  static void oneDnnLoads() {
    assertTrue(
        CpuBackend.isAvailable(),
        "native backend failed to load: " + CpuBackend.unavailabilityCause());
    Throwable why = BareSgemm.Library.DNNL.unavailabilityCause();
    Assumptions.assumeTrue(why == null, () -> "oneDNN does not load: " + why);
    threads = BareSgemm.Dnnl.threads(2);
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  @ParameterizedTest(name = "{0} -> {1} channels, {2}x{2}, batch {3}, {4} x {5}")
  @CsvSource({
    "5, 7, 3, 3, 9, 7",
    "5, 7, 1, 3, 9, 7",
    "17, 3, 3, 2, 5, 11",
    "3, 17, 1, 1, 1, 1",
    "16, 16, 3, 4, 8, 8"
  })
  void matchesTheEnginesDenseConvolution(
      int in, int out, int kernel, int batch, int height, int width) {
    long seed = 31L * in + out + kernel;
    SplittableRandom r = new SplittableRandom(seed);
    float[] w = random(r, out * in * kernel * kernel);
    float[] x = random(r, in * batch * height * width);
    CpuBackend cpu = CpuBackend.create(CpuBackend.bestIsa(), threads);
    float[] expected;
    try (Conv conv = Conv.dense(cpu, "c", out, in, kernel, 1);
        Tensor xt = cpu.of(x, in, batch, height, width);
        Tensor yt = cpu.zeros(out, batch, height, width)) {
      conv.setDenseValue(conv.parameters().get(0), w);
      conv.forward(cpu, xt, yt, false);
      expected = yt.toArray();
    }
    try (OneDnnConv dnn = new OneDnnConv(out, in, kernel, batch, height, width, threads)) {
      dnn.setWeights(w);
      dnn.setInput(x);
      dnn.forward();
      float[] actual = dnn.output();
      assertEquals(expected.length, actual.length);
      double tol = 1e-5 * in * kernel * kernel;
      for (int i = 0; i < expected.length; i++) {
        double scale = Math.max(1, Math.abs(expected[i]));
        int at = i;
        assertTrue(
            Math.abs(expected[i] - actual[i]) <= tol * scale,
            () ->
                "seed "
                    + seed
                    + ", index "
                    + at
                    + ": engine "
                    + expected[at]
                    + ", oneDNN "
                    + actual[at]
                    + " ("
                    + dnn.implementation()
                    + ")");
      }
      assertEquals((long) out * in * kernel * kernel * batch * height * width, dnn.multiplyAdds());
    }
  }

  @ParameterizedTest(name = "kernel {0}")
  @CsvSource({"3", "1"})
  void namesItsImplementationAndClosesOnce(int kernel) {
    OneDnnConv dnn = new OneDnnConv(8, 8, kernel, 2, 6, 6, threads);
    assertTrue(!dnn.implementation().isBlank(), "implementation name");
    dnn.close();
    assertDoesNotThrow(dnn::close);
    assertThrows(IllegalStateException.class, dnn::forward);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"kernel 5, 5, 1", "sizes, 3, 0"})
  void rejectsBadShapes(String what, int kernel, int batch) {
    assertThrows(
        IllegalArgumentException.class, () -> new OneDnnConv(4, 4, kernel, batch, 3, 3, threads));
  }
}
