package org.relgraph.model;

import java.util.HashMap;
import java.util.Map;
import org.relgraph.graph.RelationalGraph;

/**
 * FLOPs and parameters of a convolutional network ({@link ConvNet}), counted as graph2nn's
 * complexity counter counts them: FLOPs are the multiply-adds of the convolutions and the dense
 * head per sample (no bias, batch norm, pooling, addition or ReLU), and a relational convolution
 * counts only its existing blocks: {@code Σ over blocks (v, u) |out_v| · |in_u| · k² · H_out ·
 * W_out}. Parameters are the convolutions' existing weights, batch norm's scale and shift ({@code 2
 * · C}) and the head's weights and biases.
 */
public final class ConvFlops {
  private ConvFlops() {}

  /**
   * A network's complexity.
   *
   * @param flops multiply-adds per sample
   * @param params trained parameters
   */
  public record Complexity(long flops, long params) {}

  /**
   * The complexity of {@code net} over {@code graph}.
   *
   * @throws IllegalArgumentException when the graph has more nodes than a relational layer has
   *     channels ({@link ConvNet#checkFits})
   */
  public static Complexity of(ConvNet net, RelationalGraph graph) {
    net.checkFits(graph.nodeCount());
    Map<Long, Long> blocks = new HashMap<>(); // (out, in) channels -> Σ |out_v|·|in_u|
    return count(
        net,
        o ->
            blocks.computeIfAbsent(
                ((long) o.outChannels() << 32) | o.inChannels(),
                k -> {
                  int n = graph.nodeCount();
                  ChannelPartition out = net.spec().partition(o.outChannels(), n);
                  ChannelPartition in = net.spec().partition(o.inChannels(), n);
                  return Flops.relationalLayer(graph, out, in);
                }));
  }

  /**
   * The complexity with every relational layer dense: the complete-graph baseline, for any node
   * count.
   */
  public static Complexity dense(ConvNet net) {
    return count(net, o -> (long) o.outChannels() * o.inChannels());
  }

  /**
   * The complete-graph baseline of {@code spec} at its own stage widths and {@code resolution}: the
   * FLOP budget that {@link ConvMatching} matches.
   */
  public static Complexity baseline(ConvNetSpec spec, int resolution) {
    return dense(spec.baseline(resolution));
  }

  private interface Blocks {
    /** Σ over the existing blocks of |out_v|·|in_u|: one position's multiply-adds at k = 1. */
    long of(ConvOp relational);
  }

  private static Complexity count(ConvNet net, Blocks blocks) {
    long flops = 0;
    long params = 0;
    for (ConvOp o : net.ops()) {
      long k2 = (long) o.kernel() * o.kernel();
      long weights =
          switch (o.kind()) {
            case DENSE_CONV -> (long) o.outChannels() * o.inChannels() * k2;
            case RELATIONAL_CONV -> blocks.of(o) * k2;
            case DEPTHWISE_CONV -> o.outChannels() * k2;
            case DENSE -> (long) o.outChannels() * o.inChannels();
            default -> 0;
          };
      flops += o.isConv() ? Math.multiplyExact(weights, o.outPositions()) : weights;
      params += weights;
      if (o.kind() == ConvOp.Kind.BATCH_NORM) {
        params += 2L * o.outChannels();
      } else if (o.kind() == ConvOp.Kind.DENSE) {
        params += o.outChannels();
      }
    }
    return new Complexity(flops, params);
  }
}
