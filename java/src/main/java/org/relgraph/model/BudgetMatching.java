package org.relgraph.model;

import org.relgraph.graph.RelationalGraph;

/**
 * Budget matching: the relational width at which an MLP over a graph first reaches the FLOPs of the
 * complete-graph baseline ({@link Flops#baseline}), found by {@link WidthMatching} (steps by {@code
 * √(baseline/current)} as the paper's code takes them, then bisection). For a fixed partition seed,
 * every node's channel count grows with the width, so the network's FLOPs grow strictly and the
 * width found is the smallest one reaching the budget.
 */
public final class BudgetMatching {
  private BudgetMatching() {}

  /** The widest relational layer searched. */
  public static final int MAX_WIDTH = 1 << 20;

  /**
   * A matched width and how far its FLOPs are from the budget.
   *
   * @param width relational width
   * @param flops the network's multiply-adds per sample at that width
   * @param budget the baseline's multiply-adds per sample
   */
  public record Match(int width, long flops, long budget) {
    /** (flops − budget) / budget: at least 0, one channel's worth at most. */
    public double deviation() {
      return (double) (flops - budget) / budget;
    }
  }

  /** The network of {@code spec} over {@code graph} at a fixed width, compared to the budget. */
  public static Match at(MlpSpec spec, RelationalGraph graph, int width) {
    checkWidth(width, graph);
    return new Match(width, Flops.mlp(spec, graph, width), Flops.baseline(spec));
  }

  /**
   * The smallest width, at least the node count, whose network reaches the baseline's FLOPs.
   *
   * @throws IllegalArgumentException when no width up to {@link #MAX_WIDTH} does
   */
  public static Match match(MlpSpec spec, RelationalGraph graph) {
    long budget = Flops.baseline(spec);
    int width =
        WidthMatching.smallest(w -> Flops.mlp(spec, graph, w), graph.nodeCount(), MAX_WIDTH, budget)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no relational width up to "
                            + MAX_WIDTH
                            + " reaches "
                            + budget
                            + " multiply-adds"));
    return new Match(width, Flops.mlp(spec, graph, width), budget);
  }

  private static void checkWidth(int width, RelationalGraph graph) {
    if (width < graph.nodeCount()) {
      throw new IllegalArgumentException(
          "width = " + width + " fewer than the graph's " + graph.nodeCount() + " nodes");
    }
  }
}
