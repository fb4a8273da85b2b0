package org.relgraph.model;

import org.relgraph.graph.RelationalGraph;

/**
 * FLOP counting as the paper's code counts: multiply-adds of the linear layers only, per sample. A
 * relational layer does {@code |out_v|·|in_u|} for every existing block: {@code v = u} (every node
 * receives from itself) or an edge {@code u → v}.
 */
public final class Flops {
  private Flops() {}

  /** Multiply-adds per sample of one relational layer over {@code graph}. */
  public static long relationalLayer(
      RelationalGraph graph, ChannelPartition out, ChannelPartition in) {
    int n = graph.nodeCount();
    if (out.nodes() != n || in.nodes() != n) {
      throw new IllegalArgumentException(
          "partitions over "
              + out.nodes()
              + " and "
              + in.nodes()
              + " nodes for a graph of "
              + n
              + " nodes");
    }
    long total = 0;
    for (int v = 0; v < n; v++) {
      long inputs = in.size(v);
      for (int u : graph.predecessors(v)) {
        if (u != v) {
          inputs += in.size(u);
        }
      }
      total += out.size(v) * inputs;
    }
    return total;
  }

  /**
   * Multiply-adds per sample of the whole MLP of {@code spec} over {@code graph} at relational
   * width {@code width}: stem, relational layers and head.
   */
  public static long mlp(MlpSpec spec, RelationalGraph graph, int width) {
    int n = graph.nodeCount();
    ChannelPartition stem = ChannelPartition.of(spec.stemWidth(), n, spec.partitionSeed());
    ChannelPartition wide = ChannelPartition.of(width, n, spec.partitionSeed());
    long total = (long) spec.inputSize() * spec.stemWidth();
    total += relationalLayer(graph, wide, stem);
    total += (spec.relationalLayers() - 1) * relationalLayer(graph, wide, wide);
    total += (long) width * spec.classes();
    return total;
  }

  /**
   * The complete-graph baseline's multiply-adds: every relational layer dense at the stem width,
   * {@code input·s + R·s² + s·classes}.
   */
  public static long baseline(MlpSpec spec) {
    long s = spec.stemWidth();
    return spec.inputSize() * s + spec.relationalLayers() * s * s + s * spec.classes();
  }
}
