package org.relgraph.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;
import org.relgraph.graph.RelationalGraph;

/**
 * FLOP matching for the convolutional networks: the stage widths at which a network over a graph
 * first reaches the FLOPs of the complete-graph baseline ({@link ConvFlops#baseline}), as the paper
 * matched every graph's network to its baseline. The stem keeps its width. As in graph2nn's two
 * rounds, the stages are first scaled together ({@link ConvNetSpec#widthsFor}: one parameter, the
 * widest stage's channels), to the last widths below the budget; then single stages move: the last
 * stage alone grows until the budget is reached, from those widths and from the same widths with
 * one or two channels more in one other stage, and the candidate with the fewest FLOPs wins. The
 * last step is thus about one channel of the widest stage, the cheapest one (a channel of a narrow
 * first stage moves the FLOPs by about 1%). Every search is {@link WidthMatching}'s: in each, every
 * stage's width, and so every node's channel count (one partition seed), grows with the parameter,
 * so the FLOPs do too. The widths found reach the budget; no smaller last stage would, with the
 * other stages as they are.
 */
public final class ConvMatching {
  private ConvMatching() {}

  /**
   * Matched widths and how far their FLOPs are from the budget.
   *
   * @param stageWidths the stage widths
   * @param flops the network's multiply-adds per sample over the graph
   * @param params its parameters
   * @param budget the baseline's multiply-adds per sample
   */
  public record Match(List<Integer> stageWidths, long flops, long params, long budget) {
    /** Copies. */
    public Match {
      stageWidths = List.copyOf(stageWidths);
    }

    /** (flops − budget) / budget: at least 0 when matched. */
    public double deviation() {
      return (double) (flops - budget) / budget;
    }
  }

  /** The network of {@code spec} over {@code graph} at given stage widths, against the budget. */
  public static Match at(
      ConvNetSpec spec, RelationalGraph graph, List<Integer> widths, int resolution) {
    ConvFlops.Complexity c = ConvFlops.of(spec.at(widths, resolution), graph);
    return new Match(widths, c.flops(), c.params(), ConvFlops.baseline(spec, resolution).flops());
  }

  /**
   * The smallest stage widths of the family {@link ConvNetSpec#widthsFor} whose network over {@code
   * graph} reaches the baseline's FLOPs at {@code resolution}.
   *
   * @throws IllegalArgumentException when the stem is narrower than the graph's node count, or no
   *     widths up to {@link ConvNetSpec#MAX_WIDTH} reach the budget
   */
  public static Match match(ConvNetSpec spec, RelationalGraph graph, int resolution) {
    int n = graph.nodeCount();
    long budget = ConvFlops.baseline(spec, resolution).flops();
    int min = 1;
    while (spec.narrowest(spec.widthsFor(min)) < n) {
      if (spec.stem().channels() < n || min == ConvNetSpec.MAX_WIDTH) {
        spec.baseline(resolution).checkFits(n); // throws, naming the narrowest layer
        throw new IllegalArgumentException(
            "no stage widths up to " + ConvNetSpec.MAX_WIDTH + " fit " + n + " nodes");
      }
      min++;
    }
    int widest = smallest(w -> flops(spec, graph, spec.widthsFor(w), resolution), min, budget);
    if (widest == min) {
      return at(spec, graph, spec.widthsFor(widest), resolution);
    }
    // the widths one step below the budget; then the last stage alone grows to the budget, from
    // there and from the same widths with one or two channels more in one other stage
    List<Integer> below = spec.widthsFor(widest - 1);
    List<Integer> best = lastStageGrown(spec, graph, below, resolution, budget);
    long bestFlops = flops(spec, graph, best, resolution);
    for (int stage = 0; stage < below.size() - 1; stage++) {
      for (int more = 1; more <= TRADED_CHANNELS; more++) {
        List<Integer> start = new ArrayList<>(below);
        start.set(stage, start.get(stage) + more);
        List<Integer> w = lastStageGrown(spec, graph, start, resolution, budget);
        long f = flops(spec, graph, w, resolution);
        if (f < bestFlops) {
          best = w;
          bestFlops = f;
        }
      }
    }
    return at(spec, graph, best, resolution);
  }

  /** Channels one other stage may gain in the last round, the last stage giving some back. */
  private static final int TRADED_CHANNELS = 2;

  /**
   * {@code widths} with the last stage at the fewest channels, those of the other stages at least,
   * that reach the budget.
   */
  private static List<Integer> lastStageGrown(
      ConvNetSpec spec, RelationalGraph graph, List<Integer> widths, int resolution, long budget) {
    List<Integer> w = new ArrayList<>(widths);
    int last = w.size() - 1;
    int min = 1;
    w.set(last, min);
    while (spec.narrowest(w) < graph.nodeCount()) {
      w.set(last, ++min);
    }
    IntToLongFunction flops =
        c -> {
          w.set(last, c);
          return flops(spec, graph, w, resolution);
        };
    // start near the given last stage (fewer steps), unless that already reaches the budget
    int start = Math.max(min, widths.get(last) - 64);
    int x = smallest(flops, flops.applyAsLong(start) < budget ? start : min, budget);
    w.set(last, x);
    return List.copyOf(w);
  }

  private static long flops(
      ConvNetSpec spec, RelationalGraph graph, List<Integer> widths, int resolution) {
    return ConvFlops.of(spec.at(widths, resolution), graph).flops();
  }

  private static int smallest(IntToLongFunction flops, int min, long budget) {
    return WidthMatching.smallest(flops, min, ConvNetSpec.MAX_WIDTH, budget)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no stage widths up to "
                        + ConvNetSpec.MAX_WIDTH
                        + " reach "
                        + budget
                        + " multiply-adds"));
  }
}
