package org.relgraph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bench layers} times what its targets compare side by side, yet its rows keep their order,
 * and its memory check counts the layers that are alive together.
 */
class LayerBenchRunTest {
  private static final LayerBench.Timing TINY = new LayerBench.Timing(0.0, 0.002, 3, 0.01, 0.0);

  @Test
  void rowsKeepTheOrderOfPatternModeAndOp() {
    LayerBench.Config config =
        new LayerBench.Config(
            new int[] {64},
            new int[] {8},
            new double[] {0.125, LayerBench.COMPLETE},
            1,
            TINY,
            true);
    List<String> seen = new ArrayList<>();
    List<LayerBench.Row> rows =
        new LayerBench(config).run(r -> seen.add(r.backend() + " " + r.op()));
    assertEquals(seen.size(), rows.size());
    List<String> expected = new ArrayList<>();
    List<String> bare = new ArrayList<>();
    for (LayerBench.Row r : rows) {
      if (r.backend().startsWith("bare-") && !bare.contains(r.backend())) {
        bare.add(r.backend());
      }
    }
    assertTrue(bare.contains(LayerBench.BARE_SGEMM), bare.toString());
    List<String> layerBackends = new ArrayList<>(List.of("masked", "blocksparse", "dense"));
    layerBackends.addAll(bare);
    layerBackends.addAll(List.of("masked", "blocksparse"));
    for (String backend : layerBackends) {
      for (LayerBench.Op op : LayerBench.LAYER_OPS) {
        expected.add(backend + " " + op.label());
      }
    }
    expected.add("blocksparse matched_stack");
    expected.add("dense matched_stack");
    for (String b : bare) {
      expected.add(b + " matched_stack");
    }
    assertEquals(expected, seen);
    // the first pattern's rows are its own (k/n 0.125), the complete graph's come after
    assertEquals(0.140625, rows.get(4).density(), 1e-9);
    assertEquals(1.0, rows.get(8).density(), 1e-9);
    for (LayerBench.Row r : rows) {
      assertTrue(r.ms() > 0 && r.gflops() > 0, r.csv());
    }
  }

  @Test
  void memoryCountsTheLayersTimedSideBySideTogether() {
    LayerBench.Config complete = config(new double[] {LayerBench.COMPLETE});
    LayerBench.Config both = config(new double[] {0.125, LayerBench.COMPLETE});
    LayerBench.Memory one = LayerBench.memory(complete);
    LayerBench.Memory two = LayerBench.memory(both);
    // alone, the masked complete layer (its weights, gradient, mask and scratch) is the largest;
    // the dense layer and two block-sparse layers together outgrow it
    assertTrue(
        two.nativeBytes() > one.nativeBytes(), two.nativeBytes() + " vs " + one.nativeBytes());
    assertTrue(two.largest().contains("side by side"), two.largest());
  }

  private static LayerBench.Config config(double[] patterns) {
    return new LayerBench.Config(
        new int[] {1024}, new int[] {128}, patterns, 1, LayerBench.Timing.QUICK, false);
  }
}
