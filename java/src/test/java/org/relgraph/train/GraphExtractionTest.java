package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.JavaBackend;
import org.relgraph.engine.SgdSettings;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;

class GraphExtractionTest {
  /**
   * One channel per node, three nodes, two layers: the edge value of {u, v} is sqrt(Σ_layers
   * (W[v][u] + W[u][v])²), written out by hand.
   */
  @Test
  void handBuiltModelGivesTheExpectedNormsAndGraphs() {
    MlpSpec spec = new MlpSpec(4, 3, 2, 2, 0);
    float[] w0 = {
      9, 1, 2, //
      3, 9, -4, //
      5, 6, 9
    };
    float[] w1 = {
      9, 0.5f, 0, //
      0.5f, 9, 1, //
      0, 3, 9
    };
    Map<String, float[]> state = new HashMap<>();
    state.put("relational0.weight", w0);
    state.put("relational1.weight", w1);
    double[][] v = GraphExtraction.edgeValues(state, spec, 3, 3);
    // {0,1}: (1+3)² + (0.5+0.5)² = 17; {0,2}: (2+5)² + 0 = 49; {1,2}: (-4+6)² + (1+3)² = 20.
    assertEquals(Math.sqrt(17), v[0][1], 1e-12);
    assertEquals(Math.sqrt(17), v[1][0], 1e-12);
    assertEquals(7, v[0][2], 1e-12);
    assertEquals(Math.sqrt(20), v[1][2], 1e-12);
    assertEquals(0, v[1][1]);
    assertArrayEquals(new int[][] {{0, 2}}, edgesOf(GraphExtraction.threshold(v, 4.5)));
    assertEquals(2, GraphExtraction.threshold(v, 4.2).edgeCount()); // sqrt(20) ≈ 4.47 > 4.2
    assertEquals(3, GraphExtraction.threshold(v, 4.0).edgeCount());
    assertEquals(0, GraphExtraction.threshold(v, 7).edgeCount());
    // The degree target 2/3 keeps one edge (m = round(2/3 · 3 / 2) = 1): the largest, {0,2}.
    double t = GraphExtraction.thresholdForDegree(v, 2.0 / 3);
    assertEquals((7 + Math.sqrt(20)) / 2, t, 1e-12);
    assertArrayEquals(new int[] {0, 2}, edgesOf(GraphExtraction.threshold(v, t))[0]);
  }

  /** Uneven partitions and a first layer whose blocks cannot be summed (stem 5, width 7). */
  @Test
  void unevenPartitionsStackTheFirstLayersBlocks() {
    MlpSpec spec = new MlpSpec(4, 5, 2, 2, 11);
    int n = 2;
    SplittableRandom rng = new SplittableRandom(5);
    float[] w0 = new float[7 * 5];
    float[] w1 = new float[7 * 7];
    for (int i = 0; i < w0.length; i++) {
      w0[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < w1.length; i++) {
      w1[i] = (float) rng.nextGaussian();
    }
    var wide = org.relgraph.model.ChannelPartition.of(7, n, 11);
    var stem = org.relgraph.model.ChannelPartition.of(5, n, 11);
    // Layer 0 (7 × 5): node sizes differ between the partitions, so the pair is stacked.
    double expected = 0;
    for (int r = 0; r < 7; r++) {
      for (int c = 0; c < 5; c++) {
        boolean offDiagonal = node(wide, r) != node(stem, c);
        if (offDiagonal) {
          expected += (double) w0[r * 5 + c] * w0[r * 5 + c];
        }
      }
    }
    // Layer 1 (7 × 7): B(1,0) + B(0,1)ᵀ, entry by entry.
    for (int r = 0; r < 7; r++) {
      for (int c = 0; c < 7; c++) {
        if (node(wide, r) == 1 && node(wide, c) == 0) {
          double x = (double) w1[r * 7 + c] + w1[c * 7 + r];
          expected += x * x;
        }
      }
    }
    Map<String, float[]> state = Map.of("relational0.weight", w0, "relational1.weight", w1);
    double[][] v = GraphExtraction.edgeValues(state, spec, n, 7);
    assertEquals(Math.sqrt(expected), v[0][1], 1e-9);
    assertEquals(v[0][1], v[1][0]);
  }

  private static int node(org.relgraph.model.ChannelPartition p, int channel) {
    for (int i = 0; i < p.nodes(); i++) {
      if (channel >= p.offset(i) && channel < p.offset(i) + p.size(i)) {
        return i;
      }
    }
    throw new AssertionError(channel);
  }

  /** A block-sparse model has zero blocks off its graph: just above zero, its graph comes back. */
  @Test
  void blockSparseModelExtractsToItsGraph() {
    RelationalGraph g = WsFlex.generate(16, 4, 0.4, 3);
    MlpSpec spec = new MlpSpec(12, 40, 3, 3, 2);
    SplittableRandom rng = new SplittableRandom(1);
    int batch = 8;
    try (RelationalMlp net =
        RelationalMlp.create(new JavaBackend(), spec, g, 53, ExecutionMode.BLOCKSPARSE, 7)) {
      SgdSettings sgd = new SgdSettings(0.9f, 5e-4f, true);
      for (int step = 0; step < 3; step++) {
        float[] x = new float[12 * batch];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) rng.nextGaussian();
        }
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
          labels[i] = rng.nextInt(3);
        }
        net.trainStep(x, labels, 0.1f, sgd);
      }
      double[][] v = GraphExtraction.edgeValues(net.state(), spec, 16, 53);
      RelationalGraph back = GraphExtraction.threshold(v, 1e-12);
      assertArrayEquals(edgesOf(g), edgesOf(back));
    }
  }

  @Test
  void degreeTargetsAreHitWithinOneEdge() {
    SplittableRandom rng = new SplittableRandom(9);
    int n = 64;
    double[][] v = new double[n][n];
    for (int u = 0; u < n; u++) {
      for (int w = u + 1; w < n; w++) {
        v[u][w] = v[w][u] = rng.nextDouble();
      }
    }
    for (double d : new double[] {0, 1, 2.5, 8, 16, 32, 40.3, 63}) {
      RelationalGraph g = GraphExtraction.threshold(v, GraphExtraction.thresholdForDegree(v, d));
      long want = Math.round(d * n / 2);
      assertTrue(Math.abs(g.edgeCount() - want) <= 1, d + ": " + g.edgeCount() + " vs " + want);
      assertEquals(want, g.edgeCount(), "no ties among random values");
    }
    // Ties at the cut keep fewer edges, never more.
    double[][] flat = new double[4][4];
    for (int u = 0; u < 4; u++) {
      for (int w = 0; w < 4; w++) {
        flat[u][w] = u == w ? 0 : 1;
      }
    }
    assertTrue(
        GraphExtraction.threshold(flat, GraphExtraction.thresholdForDegree(flat, 1)).edgeCount()
            <= 2);
    assertThrows(IllegalArgumentException.class, () -> GraphExtraction.thresholdForDegree(v, 64));
    assertThrows(IllegalArgumentException.class, () -> GraphExtraction.thresholdForDegree(v, -1));
  }

  @Test
  void completeGraphModelHasEveryPairNonZero() {
    RelationalGraph g = ClassicGenerators.complete(8);
    MlpSpec spec = new MlpSpec(6, 16, 3, 2, 0);
    try (RelationalMlp net =
        RelationalMlp.create(new JavaBackend(), spec, g, 16, ExecutionMode.DENSE, 1)) {
      double[][] v = GraphExtraction.edgeValues(net.state(), spec, 8, 16);
      assertEquals(28, GraphExtraction.threshold(v, 0).edgeCount());
    }
  }

  @Test
  void missingOrWrongWeightsAreNamed() {
    MlpSpec spec = new MlpSpec(4, 3, 2, 2, 0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                GraphExtraction.edgeValues(Map.of("relational0.weight", new float[9]), spec, 3, 3));
    assertTrue(e.getMessage().contains("relational1.weight"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                GraphExtraction.edgeValues(
                    Map.of("relational0.weight", new float[9], "relational1.weight", new float[8]),
                    spec,
                    3,
                    3));
    assertTrue(e.getMessage().contains("8 values"), e.getMessage());
  }

  private static int[][] edgesOf(RelationalGraph g) {
    return g.edges().toArray(new int[0][]);
  }
}
