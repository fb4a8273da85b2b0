package org.relgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.relgraph.sweep.SweepGraph;
import org.relgraph.sweep.SweepGraphs;

/** The quickstart's graphs: spread over the (C, L) plane of the paper's 52. */
class QuickstartSpreadTest {
  @Test
  void sixGraphsSpreadOverThePlane() {
    List<SweepGraph> all = SweepGraphs.load("paper:52");
    List<SweepGraph> six = QuickstartCommand.spread(all, 6);
    assertEquals(6, six.size());
    // farthest from the complete graph first: the longest path (k/n 0.128, p 0.0018, seed 7),
    // then the lowest clustering, then the gaps between them
    assertEquals(7L, six.get(0).graphSeed());
    assertEquals("4.141", String.format(java.util.Locale.ROOT, "%.3f", six.get(0).pathLength()));
    assertEquals(13L, six.get(1).graphSeed());
    assertEquals("0.098", String.format(java.util.Locale.ROOT, "%.3f", six.get(1).clustering()));
    assertEquals(
        List.of(7L, 13L, 11L, 0L, 15L, 29L), six.stream().map(SweepGraph::graphSeed).toList());
    assertEquals(6, six.stream().distinct().count());
  }

  @Test
  void asManyAsTheSetHolds() {
    List<SweepGraph> all = SweepGraphs.load("paper:52").subList(0, 3);
    assertEquals(3, QuickstartCommand.spread(all, 6).size());
  }
}
