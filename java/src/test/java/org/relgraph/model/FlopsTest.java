package org.relgraph.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;

/**
 * The one FLOP count ({@link Flops}, which {@link BlockSparseLayout#multiplyAddsPerSample()}
 * reports) held to a brute-force count: every (output node, input node) pair tested for a block,
 * the sizes of the blocks found summed, and the ones of the layout's dense mask counted.
 */
class FlopsTest {
  private static final long SEED = 20261130;

  @Test
  void relationalLayerCountsEveryExistingBlockOnce() {
    SplittableRandom r = new SplittableRandom(SEED);
    int checked = 0;
    for (RelationalGraph g : graphs(r)) {
      int n = g.nodeCount();
      for (int trial = 0; trial < 3; trial++) {
        ChannelPartition out = randomPartition(r, n);
        ChannelPartition in = trial == 0 ? out : randomPartition(r, n);
        long expected = bruteForce(g, out, in);
        String where = g + ", seed " + SEED + ", trial " + trial;
        assertEquals(expected, Flops.relationalLayer(g, out, in), where);
        try (BlockSparseLayout layout = BlockSparseLayout.of(g, out, in)) {
          assertEquals(expected, layout.multiplyAddsPerSample(), where);
          assertEquals(expected, layout.weightCount(), where);
          long ones = 0;
          for (float m : layout.denseMask()) {
            ones += m == 1 ? 1 : 0;
          }
          assertEquals(expected, ones, where);
        }
        checked++;
      }
    }
    assertEquals(3 * graphs(new SplittableRandom(SEED)).size(), checked);
  }

  @Test
  void mlpIsStemRelationalLayersAndHead() {
    SplittableRandom r = new SplittableRandom(SEED + 1);
    MlpSpec spec = new MlpSpec(37, 96, 4, 7, 5);
    for (RelationalGraph g : graphs(r)) {
      int n = g.nodeCount();
      for (int width : new int[] {n, n + 1, 2 * n + 3, 300}) {
        ChannelPartition stem = ChannelPartition.of(96, n, 5);
        ChannelPartition wide = ChannelPartition.of(width, n, 5);
        long expected =
            37L * 96 + bruteForce(g, wide, stem) + 3 * bruteForce(g, wide, wide) + width * 7L;
        assertEquals(expected, Flops.mlp(spec, g, width), g + " at width " + width);
      }
    }
    // the complete graph at the stem width is the dense baseline
    assertEquals(Flops.baseline(spec), Flops.mlp(spec, ClassicGenerators.complete(16), 96));
  }

  /** Σ |out_v|·|in_u| over the pairs (v, u) with v = u or an edge u → v, tested one by one. */
  private static long bruteForce(RelationalGraph g, ChannelPartition out, ChannelPartition in) {
    long total = 0;
    for (int v = 0; v < g.nodeCount(); v++) {
      for (int u = 0; u < g.nodeCount(); u++) {
        if (u == v || g.hasEdge(u, v)) {
          total += (long) out.size(v) * in.size(u);
        }
      }
    }
    return total;
  }

  private static ChannelPartition randomPartition(SplittableRandom r, int n) {
    int[] sizes = new int[n];
    for (int i = 0; i < n; i++) {
      sizes[i] = 1 + r.nextInt(6);
    }
    return ChannelPartition.ofSizes(sizes);
  }

  private static List<RelationalGraph> graphs(SplittableRandom r) {
    List<RelationalGraph> out = new ArrayList<>();
    out.add(RelationalGraph.empty(1, false));
    out.add(RelationalGraph.empty(9, true));
    out.add(ClassicGenerators.complete(12));
    out.add(ClassicGenerators.ringLattice(20, 4));
    out.add(WsFlex.generate(64, 8, 0.3, 0));
    out.add(WsFlex.generate(16, 5.5, 0.7, 3));
    RelationalGraph.Builder directed = RelationalGraph.builder(17, true);
    for (int e = 0; e < 60; e++) {
      int u = r.nextInt(17);
      int v = r.nextInt(17);
      if (u != v) {
        directed.addEdge(u, v);
      }
    }
    out.add(directed.build());
    return out;
  }
}
