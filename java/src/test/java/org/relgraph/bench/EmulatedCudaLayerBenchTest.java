package org.relgraph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.cuda.CudaBackend;
import org.relgraph.engine.cuda.EmulatedDevice;

/**
 * {@code bench layers --backend cuda} on the emulated device at tiny sizes: the block-sparse,
 * masked and dense rows, and cuSPARSE's BSR forward row where the blocks are of one size (width 128
 * over 64 nodes: 2 channels each), skipped with its reason where they are not (width 130).
 */
class EmulatedCudaLayerBenchTest {
  @Test
  void theBsrRowAppearsForEqualBlocksAndIsSkippedWithItsReasonOtherwise() {
    LayerBench.Timing fast = new LayerBench.Timing(0.001, 0.01, 3, 0.01, 0);
    LayerBench.Config config =
        new LayerBench.Config(
            new int[] {128, 130}, new int[] {3}, new double[] {0.125}, 1, fast, false);
    List<LayerBench.Row> seen = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<LayerBench.Row> rows;
    try (CudaBackend cuda = new CudaBackend(new EmulatedDevice())) {
      rows = new CudaLayerBench(config, cuda).run(seen::add, skipped::add);
    }
    assertEquals(rows, seen);
    List<LayerBench.Row> bsr =
        rows.stream().filter(r -> r.backend().equals(CudaLayerBench.CUSPARSE_BSR)).toList();
    assertEquals(1, bsr.size(), rows.toString());
    LayerBench.Row r = bsr.get(0);
    assertEquals("forward", r.op());
    assertEquals(128, r.width());
    assertEquals(3, r.batch());
    assertEquals(64, r.nodes());
    assertTrue(r.ms() > 0 && r.gflops() > 0, r.csv());
    LayerBench.Row blocksparse =
        rows.stream()
            .filter(
                x ->
                    x.backend().equals("cuda-blocksparse")
                        && x.width() == 128
                        && x.op().equals("forward"))
            .findFirst()
            .orElseThrow();
    assertEquals(blocksparse.density(), r.density());
    assertEquals(1, skipped.size(), skipped.toString());
    assertTrue(
        skipped
            .get(0)
            .matches(
                "cuda-cusparse-bsr forward, width 130, density [0-9.]+, batch 3: skipped: blocks of"
                    + " uneven size \\(2 to 3 channels per node\\); BSR holds equal square blocks"
                    + " only"),
        skipped.get(0));
  }
}
