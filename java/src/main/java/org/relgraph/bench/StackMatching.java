package org.relgraph.bench;

import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ChannelPartition;
import org.relgraph.model.Flops;
import org.relgraph.model.WidthMatching;

/**
 * FLOP matching of a stack of relational layers to dense ones (the layer benchmark's target b; the
 * whole MLP is matched by {@link org.relgraph.model.BudgetMatching}): the width at which a stack of
 * block-sparse layers over a graph does as many multiply-adds as a given budget.
 *
 * <p>The stack is {@code in → w, w → w, ..., w → w} ({@code layers} layers, all over the same
 * graph), each width divided over the graph's nodes by {@link ChannelPartition#of(int, int, long)}
 * with the same seed. Its multiply-adds per sample are the sum of the layers' {@link
 * Flops#relationalLayer}: existing blocks only, the same count that the benchmarks' useful GFLOP/s
 * divide by.
 *
 * <p>For a fixed seed the remainder channels go to nodes in one fixed order, so every node's
 * channel count, and hence the stack's multiply-adds, grows strictly with {@code w} (each node
 * keeps its own diagonal block): the smallest width reaching the budget is found by {@link
 * WidthMatching}, the search budget matching uses too.
 */
public final class StackMatching {
  private StackMatching() {}

  /**
   * Multiply-adds per sample of the stack {@code in → width} followed by {@code layers - 1} layers
   * {@code width → width}, all over {@code graph}.
   *
   * @throws IllegalArgumentException when {@code layers < 1} or a width is below the node count
   */
  public static long stackMultiplyAdds(
      RelationalGraph graph, int in, int width, int layers, long seed) {
    if (layers < 1) {
      throw new IllegalArgumentException("layers = " + layers + " must be >= 1");
    }
    int n = graph.nodeCount();
    ChannelPartition inPart = ChannelPartition.of(in, n, seed);
    ChannelPartition wPart = ChannelPartition.of(width, n, seed);
    return Flops.relationalLayer(graph, wPart, inPart)
        + (layers - 1) * Flops.relationalLayer(graph, wPart, wPart);
  }

  /**
   * The smallest width {@code w >= graph.nodeCount()} at which the stack of {@link
   * #stackMultiplyAdds} reaches {@code budget} multiply-adds per sample.
   *
   * @throws IllegalArgumentException for {@code budget < 1}, or a budget no width up to 2^24 meets
   */
  public static int matchedWidth(
      RelationalGraph graph, int in, int layers, long budget, long seed) {
    if (budget < 1) {
      throw new IllegalArgumentException("budget = " + budget + " must be >= 1");
    }
    int limit = 1 << 24;
    return WidthMatching.smallest(
            w -> stackMultiplyAdds(graph, in, w, layers, seed), graph.nodeCount(), limit, budget)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no width up to " + limit + " reaches " + budget + " multiply-adds"));
  }

  /**
   * The smallest width {@code w >= graph.nodeCount()} at which one relational layer {@code w → w}
   * over {@code graph} reaches the multiply-adds of a dense {@code width → width} layer, {@code
   * width²} per sample. This also matches a relational {@code K × K} convolution {@code w → w} to a
   * dense {@code width → width} one at the same kernel, image and stride: each block of the
   * convolution's product is {@code K²} times the layer's ({@link
   * org.relgraph.engine.ConvGeometry#im2colLayout}), and so are both sides of the budget.
   *
   * @throws IllegalArgumentException for {@code width < 1}
   */
  public static int layerMatchedWidth(RelationalGraph graph, int width, long seed) {
    if (width < 1) {
      throw new IllegalArgumentException("width = " + width + " must be >= 1");
    }
    int n = graph.nodeCount();
    int limit = 1 << 24;
    long budget = (long) width * width;
    return WidthMatching.smallest(
            w -> {
              ChannelPartition p = ChannelPartition.of(w, n, seed);
              return Flops.relationalLayer(graph, p, p);
            },
            n,
            limit,
            budget)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no width up to " + limit + " reaches " + budget + " multiply-adds"));
  }

  /**
   * The dense budget: {@code layers} dense layers {@code width → width}, {@code layers · width²}.
   */
  public static long denseMultiplyAdds(int width, int layers) {
    return (long) layers * width * width;
  }
}
