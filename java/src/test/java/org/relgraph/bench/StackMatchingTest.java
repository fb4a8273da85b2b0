package org.relgraph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;

class StackMatchingTest {
  /**
   * The widths the stack matching chose before its search was shared with budget matching, pinned
   * (resource {@code org/relgraph/model/stack-matched-widths.csv}): the benchmark's graphs of 16
   * and 64 nodes at every pattern, matched to 1 and 3 dense layers of 512 to 1539 channels. The
   * benchmark's own matched stack (64 nodes, k/n = 0.125, 3 layers of 512) is width 1550.
   */
  @Test
  void matchedWidthsStayAsRecorded() throws IOException {
    List<CSVRecord> rows;
    try (Reader in =
        new InputStreamReader(
            StackMatchingTest.class.getResourceAsStream(
                "/org/relgraph/model/stack-matched-widths.csv"),
            StandardCharsets.UTF_8)) {
      rows =
          CSVFormat.DEFAULT
              .builder()
              .setHeader()
              .setSkipHeaderRecord(true)
              .build()
              .parse(in)
              .getRecords();
    }
    assertEquals(80, rows.size());
    for (CSVRecord r : rows) {
      RelationalGraph g =
          LayerBench.graph(Integer.parseInt(r.get("nodes")), Double.parseDouble(r.get("k_over_n")));
      int in = Integer.parseInt(r.get("in"));
      int layers = Integer.parseInt(r.get("layers"));
      long budget = Long.parseLong(r.get("budget"));
      assertEquals(StackMatching.denseMultiplyAdds(in, layers), budget, r.toString());
      assertEquals(
          Integer.parseInt(r.get("width")),
          StackMatching.matchedWidth(g, in, layers, budget, LayerBench.SEED),
          r.toString());
    }
    assertEquals(1550, LayerBench.matchedWidth());
  }

  @Test
  void oneSquareLayerIsMatchedToTheDenseLayerOfItsWidth() {
    RelationalGraph sparse = LayerBench.graph(64, 0.125);
    for (int width : new int[] {64, 128, 256, 512}) {
      assertEquals(
          width, StackMatching.layerMatchedWidth(ClassicGenerators.complete(64), width, 0));
      int w = StackMatching.layerMatchedWidth(sparse, width, LayerBench.SEED);
      long budget = (long) width * width;
      assertTrue(square(sparse, w) >= budget, "width " + width + " -> " + w);
      assertTrue(square(sparse, w - 1) < budget, "width " + width + " -> " + w + " not smallest");
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> StackMatching.layerMatchedWidth(sparse, 0, LayerBench.SEED));
  }

  private static long square(RelationalGraph g, int w) {
    org.relgraph.model.ChannelPartition p =
        org.relgraph.model.ChannelPartition.of(w, g.nodeCount(), LayerBench.SEED);
    return org.relgraph.model.Flops.relationalLayer(g, p, p);
  }

  @Test
  void completeGraphMatchesItsOwnWidth() {
    RelationalGraph g = ClassicGenerators.complete(64);
    assertEquals(3L * 512 * 512, StackMatching.stackMultiplyAdds(g, 512, 512, 3, 0));
    assertEquals(512, StackMatching.matchedWidth(g, 512, 3, 3L * 512 * 512, 0));
  }

  @Test
  void matchedWidthIsTheSmallestThatReachesTheBudget() {
    RelationalGraph g = LayerBench.graph(64, 0.125);
    long budget = StackMatching.denseMultiplyAdds(512, 3);
    int w = StackMatching.matchedWidth(g, 512, 3, budget, 0);
    assertTrue(StackMatching.stackMultiplyAdds(g, 512, w, 3, 0) >= budget);
    assertTrue(StackMatching.stackMultiplyAdds(g, 512, w - 1, 3, 0) < budget);
    // density 576/4096: 2·d·w² + 512·d·w = 3·512² gives w ≈ 1549
    assertTrue(w > 1500 && w < 1600, "w = " + w);
    assertEquals(w, LayerBench.matchedWidth());
    // multiply-adds grow strictly with the width
    long previous = 0;
    for (int width = 64; width < 300; width++) {
      long m = StackMatching.stackMultiplyAdds(g, 512, width, 3, 0);
      assertTrue(m > previous, "width " + width);
      previous = m;
    }
    assertEquals(64, StackMatching.matchedWidth(g, 512, 3, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> StackMatching.matchedWidth(g, 512, 3, 0, 0));
    assertThrows(
        IllegalArgumentException.class, () -> StackMatching.stackMultiplyAdds(g, 512, 64, 0, 0));
  }
}
