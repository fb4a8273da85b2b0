package org.relgraph.model;

import java.util.OptionalInt;
import java.util.function.IntToLongFunction;

/**
 * The one search for a matched width, shared by the MLP's budget matching ({@link BudgetMatching})
 * and the layer benchmark's stack matching ({@code bench.StackMatching}): the smallest width at
 * which a network's multiply-adds per sample reach a budget.
 *
 * <p>The multiply-adds must not decrease with the width. That holds for every network counted by
 * {@link Flops} over partitions from {@link ChannelPartition#of(int, int, long)} with one seed: the
 * remainder channels go to the nodes in one fixed order, so no node's channel count ever drops as
 * the width grows. The search steps up as the paper's code does, by {@code √(budget/current)} (the
 * multiply-adds grow about quadratically with the width), until it passes the budget, then bisects
 * between the last width below the budget and the first at or above it.
 */
public final class WidthMatching {
  private WidthMatching() {}

  /**
   * The smallest {@code w} in {@code [min, max]} with {@code multiplyAdds(w) >= budget}, or empty
   * when even {@code max} falls short.
   *
   * @param multiplyAdds the network's multiply-adds per sample at a width, non-decreasing in it
   * @throws IllegalArgumentException when {@code min > max} or {@code min < 1}
   */
  public static OptionalInt smallest(
      IntToLongFunction multiplyAdds, int min, int max, long budget) {
    if (min < 1 || min > max) {
      throw new IllegalArgumentException("width range [" + min + ", " + max + "] is empty");
    }
    long f = multiplyAdds.applyAsLong(min);
    if (f >= budget) {
      return OptionalInt.of(min);
    }
    int below = min; // multiplyAdds(below) < budget
    int w = min;
    while (f < budget) {
      if (w == max) {
        return OptionalInt.empty();
      }
      below = w;
      double step = f > 0 ? Math.sqrt((double) budget / f) : 2;
      w = (int) Math.min(max, Math.max(w + 1L, (long) Math.floor(w * step)));
      f = multiplyAdds.applyAsLong(w);
    }
    int atOrAbove = w; // multiplyAdds(atOrAbove) >= budget
    while (atOrAbove - below > 1) {
      int mid = (below + atOrAbove) >>> 1;
      if (multiplyAdds.applyAsLong(mid) >= budget) {
        atOrAbove = mid;
      } else {
        below = mid;
      }
    }
    return OptionalInt.of(atOrAbove);
  }
}
