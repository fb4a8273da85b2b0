package org.relgraph.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;

class BudgetMatchingTest {
  private static final MlpSpec CIFAR = MlpSpec.paper(3072, 10);
  private static final MlpSpec FASHION = MlpSpec.paper(784, 10);

  @Test
  void baselineFlopsFollowTheFormula() {
    assertEquals(2_364_416L, Flops.baseline(CIFAR)); // DESIGN.md's CIFAR-10 count
    // 784·512 + 3·512² + 512·10; DESIGN.md prints 1,192,448, which is 783·512 + ...: a slip.
    assertEquals(784L * 512 + 3L * 512 * 512 + 5120, Flops.baseline(FASHION));
    assertEquals(1_192_960L, Flops.baseline(FASHION));
    assertEquals(Flops.baseline(CIFAR), Flops.mlp(CIFAR, ClassicGenerators.complete(64), 512));
  }

  @Test
  void relationalFlopsCountExistingBlocks() {
    // path 0 - 1 - 2 plus self-loops; sizes 2, 3, 4 out and 1, 1, 2 in
    RelationalGraph g = RelationalGraph.builder(3, false).addEdge(0, 1).addEdge(1, 2).build();
    ChannelPartition out = ChannelPartition.ofSizes(2, 3, 4);
    ChannelPartition in = ChannelPartition.ofSizes(1, 1, 2);
    long expected = 2 * (1 + 1) + 3 * (1 + 1 + 2) + 4 * (1 + 2);
    assertEquals(expected, Flops.relationalLayer(g, out, in));
    // directed: u → v means v receives from u
    RelationalGraph d = RelationalGraph.builder(3, true).addEdge(0, 2).build();
    assertEquals(2 * 1 + 3 * 1 + 4 * (2 + 1), Flops.relationalLayer(d, out, in));
    assertThrows(
        IllegalArgumentException.class,
        () -> Flops.relationalLayer(g, ChannelPartition.ofSizes(1, 1), in));
  }

  @Test
  void completeGraphKeepsTheStemWidth() {
    for (int n : new int[] {1, 8, 16, 64, 100}) {
      BudgetMatching.Match m = BudgetMatching.match(CIFAR, ClassicGenerators.complete(n));
      assertEquals(512, m.width(), "n = " + n);
      assertEquals(0.0, m.deviation());
    }
  }

  @Test
  void deviationStaysWithinHalfAPercentOnManyGraphs() {
    List<RelationalGraph> graphs = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 40; i++) {
      double kn = 0.125 + r.nextDouble() * 0.8;
      graphs.add(WsFlex.generate(64, kn * 64, r.nextDouble(), r.nextInt(1000)));
    }
    graphs.add(RelationalGraph.empty(64, false));
    graphs.add(ClassicGenerators.ringLattice(64, 2));
    graphs.add(ClassicGenerators.barabasiAlbert(64, 3, 1));
    graphs.add(ClassicGenerators.erdosRenyi(64, 300, 2));
    graphs.add(WsFlex.generate(16, 4, 0.3, 1));
    for (MlpSpec spec : new MlpSpec[] {CIFAR, FASHION}) {
      for (RelationalGraph g : graphs) {
        BudgetMatching.Match m = BudgetMatching.match(spec, g);
        assertTrue(m.flops() >= m.budget(), g + ": " + m);
        assertTrue(m.deviation() <= 0.005, g + ": deviation " + m.deviation());
        assertTrue(Flops.mlp(spec, g, m.width() - 1) < m.budget(), g + ": width - 1 still reaches");
        assertEquals(Flops.mlp(spec, g, m.width()), m.flops());
      }
    }
    // The paper's sparse end, k/n = 0.125, lands near width 1500.
    int w = BudgetMatching.match(CIFAR, WsFlex.generate(64, 8, 0.5, 1)).width();
    assertTrue(w > 1450 && w < 1600, "width " + w);
  }

  @Test
  void fixedWidthReportsItsDeviation() {
    RelationalGraph g = WsFlex.generate(64, 8, 0.5, 1);
    BudgetMatching.Match m = BudgetMatching.at(CIFAR, g, 512);
    assertTrue(m.deviation() < -0.25, "a sparse graph at 512 has far fewer FLOPs: " + m);
    assertThrows(IllegalArgumentException.class, () -> BudgetMatching.at(CIFAR, g, 63));
  }
}
