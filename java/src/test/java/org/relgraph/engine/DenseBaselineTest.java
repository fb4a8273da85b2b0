package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dense baseline's surroundings: OpenBLAS's process-wide thread count is set only when it
 * changes (setting it before every product made OpenBLAS several times slower), results stay right
 * when backends of different thread counts take turns, and the bare {@code cblas_sgemm} loop the
 * benchmarks compare with computes the same products as the backend.
 */
class DenseBaselineTest {
  @BeforeAll
  static void nativeLoads() {
    assertTrue(
        CpuBackend.isAvailable(),
        "native backend failed to load: " + CpuBackend.unavailabilityCause());
  }

  private static void denseProducts(CpuBackend cpu, int times, SplittableRandom r) {
    float[] wv = BackendContractTest.random(r, 480);
    float[] xv = BackendContractTest.random(r, 180);
    try (JavaBackend ref = new JavaBackend();
        Tensor w = cpu.of(24, 20, wv);
        Tensor x = cpu.of(20, 9, xv);
        Tensor y = cpu.zeros(24, 9);
        Tensor expected = ref.zeros(24, 9)) {
      ref.denseForward(ref.of(24, 20, wv), ref.of(20, 9, xv), expected);
      for (int i = 0; i < times; i++) {
        cpu.denseForward(w, x, y);
        BackendContractTest.assertClose(
            expected.toArray(), y.toArray(), 20, "dense forward " + cpu);
      }
    }
  }

  @Test
  void blasThreadsAreSetOnlyWhenTheCountChanges() {
    SplittableRandom r = new SplittableRandom(1);
    CpuBackend two = CpuBackend.create(CpuBackend.bestIsa(), 2);
    CpuBackend one = CpuBackend.create(CpuBackend.bestIsa(), 1);
    denseProducts(two, 1, r);
    int before = CpuBackend.blasThreadSettings();
    denseProducts(two, 20, r);
    assertEquals(before, CpuBackend.blasThreadSettings(), "set again with the count unchanged");
    assertEquals(2, openblas_nolapack.blas_get_num_threads());
    denseProducts(one, 5, r); // another count: set once, and the products stay right
    assertEquals(before + 1, CpuBackend.blasThreadSettings());
    assertEquals(1, openblas_nolapack.blas_get_num_threads());
    denseProducts(two, 5, r);
    assertEquals(before + 2, CpuBackend.blasThreadSettings());
    assertEquals(2, openblas_nolapack.blas_get_num_threads());
  }

  private static float[] values(FloatPointer p, int n) {
    float[] v = new float[n];
    p.get(v);
    return v;
  }

  @Test
  void theBareLoopComputesTheBackendsProducts() {
    int out = 37;
    int in = 29;
    int batch = 11;
    try (JavaBackend ref = new JavaBackend();
        BareSgemm bare = new BareSgemm(out, in, batch, 2, 5);
        Tensor w = ref.of(out, in, values(bare.w, out * in));
        Tensor x = ref.of(in, batch, values(bare.x, in * batch));
        Tensor dy = ref.of(out, batch, values(bare.dy, out * batch));
        Tensor y = ref.zeros(out, batch);
        Tensor dx = ref.zeros(in, batch);
        Tensor dw = ref.zeros(out, in)) {
      bare.step();
      ref.denseForward(w, x, y);
      ref.denseBackwardData(w, dy, dx);
      ref.denseBackwardWeight(dy, x, dw);
      BackendContractTest.assertClose(y.toArray(), values(bare.y, out * batch), in, "bare forward");
      BackendContractTest.assertClose(
          dx.toArray(), values(bare.dx, in * batch), out, "bare backward-data");
      BackendContractTest.assertClose(
          dw.toArray(), values(bare.dw, out * in), batch, "bare weight gradient");
    }
  }

  @Test
  void theOneDnnLoopComputesWhatTheOpenBlasLoopDoes() {
    Assumptions.assumeTrue(
        BareSgemm.Library.DNNL.isAvailable(),
        () -> "oneDNN does not load: " + BareSgemm.Library.DNNL.unavailabilityCause());
    int out = 37;
    int in = 29;
    int batch = 11;
    int threads = Runtime.getRuntime().availableProcessors();
    try (BareSgemm blas = new BareSgemm(BareSgemm.Library.OPENBLAS, out, in, batch, threads, 5);
        BareSgemm dnnl = new BareSgemm(BareSgemm.Library.DNNL, out, in, batch, threads, 5)) {
      assertEquals(BareSgemm.Library.DNNL, dnnl.library());
      blas.step();
      dnnl.step();
      BackendContractTest.assertClose(
          values(blas.y, out * batch), values(dnnl.y, out * batch), in, "oneDNN forward");
      BackendContractTest.assertClose(
          values(blas.dx, in * batch), values(dnnl.dx, in * batch), out, "oneDNN backward-data");
      BackendContractTest.assertClose(
          values(blas.dw, out * in), values(dnnl.dw, out * in), batch, "oneDNN weight gradient");
    }
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new BareSgemm(BareSgemm.Library.DNNL, 4, 4, 4, threads + 1, 0));
    assertTrue(e.getMessage().contains("threads"), e.getMessage());
  }

  /**
   * oneDNN's OpenMP threads spin only briefly after a product: by default they spin about 300,000
   * rounds (about 4 ms of a core on the development machine), taking the core that the next
   * OpenBLAS or block-sparse product's helper thread needs. Measured as the process's CPU time
   * while the caller sleeps after each of many products (the clock ticks in 10 ms on Linux, so only
   * the sum means something): about 400 ms over 100 sleeps with the default, about 30 ms with the
   * short spin. The JVM's own threads (the JIT, the collector) add to the process's time at random:
   * once, in a full test run, 180 ms. So the best of three rounds counts: a long spin costs every
   * round.
   */
  @Test
  void oneDnnThreadsDoNotSpinLongAfterAProduct() throws InterruptedException {
    Assumptions.assumeTrue(
        BareSgemm.Library.DNNL.isAvailable(),
        () -> "oneDNN does not load: " + BareSgemm.Library.DNNL.unavailabilityCause());
    int threads = Runtime.getRuntime().availableProcessors();
    Assumptions.assumeTrue(threads >= 2, "one processor: oneDNN has no helper threads to spin");
    var os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    try (BareSgemm dnnl = new BareSgemm(BareSgemm.Library.DNNL, 512, 512, 128, threads, 1)) {
      for (int i = 0; i < 20; i++) {
        dnnl.step();
      }
      long cpuNanos = Long.MAX_VALUE;
      for (int round = 0; round < 3 && cpuNanos >= 150_000_000; round++) {
        long sum = 0;
        for (int i = 0; i < 100; i++) {
          dnnl.forward();
          long c0 = os.getProcessCpuTime();
          Thread.sleep(20);
          sum += os.getProcessCpuTime() - c0;
        }
        cpuNanos = Math.min(cpuNanos, sum);
      }
      assertTrue(
          cpuNanos < 150_000_000,
          "process CPU while sleeping after 100 oneDNN products (the best of 3 rounds): "
              + cpuNanos / 1e6
              + " ms");
    }
  }

  @Test
  void theBareLoopRejectsBadSizes() {
    assertThrows(IllegalArgumentException.class, () -> new BareSgemm(0, 4, 4, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new BareSgemm(4, 4, 4, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new BareSgemm(4, 4, 4, 1025, 0));
    assertThrows(IllegalArgumentException.class, () -> new BareSgemm(65536, 65536, 4, 1, 0));
  }
}
