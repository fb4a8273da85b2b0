package org.relgraph.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WidthMatchingTest {
  @Test
  void findsTheSmallestWidthReachingTheBudgetAsALinearScanDoes() {
    long seed = 77;
    SplittableRandom r = new SplittableRandom(seed);
    for (int trial = 0; trial < 500; trial++) {
      int max = 1 + r.nextInt(3000);
      long[] f = new long[max + 1];
      for (int w = 1; w <= max; w++) {
        // non-decreasing, with flat runs and jumps, sometimes starting at 0
        f[w] = f[w - 1] + (r.nextInt(4) == 0 ? 0 : r.nextInt(1 + w));
      }
      int min = 1 + r.nextInt(max);
      long budget = r.nextLong(f[max] + 2 + 1) - 1;
      OptionalInt expected = OptionalInt.empty();
      for (int w = min; w <= max; w++) {
        if (f[w] >= budget) {
          expected = OptionalInt.of(w);
          break;
        }
      }
      assertEquals(
          expected,
          WidthMatching.smallest(w -> f[w], min, max, budget),
          "seed " + seed + ", trial " + trial);
    }
  }

  @Test
  void quadraticCountsAndBounds() {
    assertEquals(
        OptionalInt.of(1000), WidthMatching.smallest(w -> (long) w * w, 1, 1 << 20, 1_000_000));
    assertEquals(
        OptionalInt.of(1001), WidthMatching.smallest(w -> (long) w * w, 1, 1 << 20, 1_000_001));
    assertEquals(OptionalInt.of(64), WidthMatching.smallest(w -> (long) w * w, 64, 100, 5));
    assertEquals(OptionalInt.empty(), WidthMatching.smallest(w -> (long) w * w, 64, 100, 10_001));
    assertEquals(OptionalInt.of(100), WidthMatching.smallest(w -> (long) w * w, 64, 100, 10_000));
    assertThrows(IllegalArgumentException.class, () -> WidthMatching.smallest(w -> w, 0, 5, 1));
    assertThrows(IllegalArgumentException.class, () -> WidthMatching.smallest(w -> w, 6, 5, 1));
  }
}
