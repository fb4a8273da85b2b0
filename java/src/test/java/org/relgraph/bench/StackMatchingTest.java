package org.relgraph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;

class StackMatchingTest {
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
