package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.model.ChannelPartition;
import org.relgraph.nativecpu.RelgraphKernels;

/**
 * An exception inside a task of the kernels' thread pool, thrown on a helper thread or on the
 * calling thread (through the library's test hook {@code test_throw_in_pool}): the JVM survives,
 * the exception arrives as {@link NativeException} only after the pool's other tasks finished, and
 * the next calls work.
 */
class NativePoolExceptionTest {
  @BeforeAll
  static void nativeLoads() {
    assertTrue(
        CpuBackend.isAvailable(),
        "native backend failed to load: " + CpuBackend.unavailabilityCause());
  }

  private static int throwInPool(int threads, int thrower) {
    return (int) CpuBackend.call(() -> RelgraphKernels.test_throw_in_pool(threads, thrower));
  }

  @ParameterizedTest(name = "{0} threads, worker {1} throws")
  @CsvSource({"2, 1", "2, 0", "3, 2", "3, 0", "4, 1"})
  void anExceptionInATaskArrivesAsNativeExceptionAndTheNextCallWorks(int threads, int thrower) {
    for (int round = 0; round < 5; round++) {
      NativeException e = assertThrows(NativeException.class, () -> throwInPool(threads, thrower));
      // "still ran" would mean the pool unwound while other tasks still ran
      assertTrue(
          e.getMessage().contains("test hook: worker " + thrower + " threw"), e.getMessage());
      assertEquals(threads, throwInPool(threads, -1), "the pool after an exception");
    }
    layerStillComputes();
  }

  @Test
  void exceptionsFromHelperAndCallerAlternate() {
    for (int round = 0; round < 20; round++) {
      int thrower = round % 2;
      NativeException e = assertThrows(NativeException.class, () -> throwInPool(2, thrower));
      assertTrue(e.getMessage().contains("worker " + thrower + " threw"), e.getMessage());
    }
    assertEquals(2, throwInPool(2, -1));
    layerStillComputes();
  }

  /** A real multithreaded kernel call after the exceptions: same result as the reference. */
  private static void layerStillComputes() {
    SplittableRandom r = new SplittableRandom(3);
    try (BlockSparseLayout l =
        BlockSparseLayout.of(
            ClassicGenerators.complete(8),
            ChannelPartition.of(40, 8, 1),
            ChannelPartition.of(36, 8, 2))) {
      try (CpuBackend cpu = CpuBackend.create(CpuBackend.bestIsa(), 2)) {
        BackendContractTest.checkLayer(
            cpu, l, 33, r.nextLong(), (b, op) -> CpuBackendContractTest.assertRanOn(cpu, op));
      }
    }
  }
}
