package org.relgraph.model;

import java.util.List;

/**
 * A convolutional network laid out at given stage widths and input side ({@link ConvNetSpec#at}):
 * its operations in forward order, which a builder walks and {@link ConvFlops} counts.
 *
 * @param spec the model
 * @param stageWidths the output channels of each stage
 * @param resolution the input side
 * @param ops the operations, in forward order ({@link ConvOp})
 */
public record ConvNet(
    ConvNetSpec spec, List<Integer> stageWidths, int resolution, List<ConvOp> ops) {
  /** Copies. */
  public ConvNet {
    stageWidths = List.copyOf(stageWidths);
    ops = List.copyOf(ops);
  }

  /** The relational convolutions, in forward order. */
  public List<ConvOp> relationalLayers() {
    return ops.stream().filter(o -> o.kind() == ConvOp.Kind.RELATIONAL_CONV).toList();
  }

  /** The fewest channels any relational layer reads or writes (the most nodes a graph may have). */
  public int maxNodes() {
    int min = Integer.MAX_VALUE;
    for (ConvOp o : relationalLayers()) {
      min = Math.min(min, Math.min(o.inChannels(), o.outChannels()));
    }
    return min;
  }

  /**
   * Checks that a graph of {@code nodes} nodes fits: every relational layer gives each node at
   * least one input and one output channel.
   *
   * @throws IllegalArgumentException naming the narrowest layer and the most nodes that fit
   */
  public void checkFits(int nodes) {
    for (ConvOp o : relationalLayers()) {
      int c = Math.min(o.inChannels(), o.outChannels());
      if (c < nodes) {
        throw new IllegalArgumentException(
            "the graph has "
                + nodes
                + " nodes, but "
                + spec.name()
                + "'s layer "
                + o.name()
                + " has "
                + c
                + " channels: every node needs one, so use a graph of at most "
                + maxNodes()
                + " nodes");
      }
    }
  }
}
