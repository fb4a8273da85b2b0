package org.relgraph.space;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DesignSpaceConfigTest {
  private static DesignSpaceConfig with(int n, double degreeMin, int degreeSteps) {
    DesignSpaceConfig d = DesignSpaceConfig.defaults(n);
    return new DesignSpaceConfig(
        n, degreeMin, d.degreeMax(), degreeSteps, 300, 30, 0.125, 0, 135, 1, 4.5, 1);
  }

  @Test
  void gridsEqualNumpy() {
    // numpy: np.linspace(np.sqrt(4), np.sqrt(62), 200)**2 and np.linspace(0, 1, 300)**2
    double[] k = DesignSpaceConfig.defaults(64).degrees();
    assertEquals(200, k.length);
    assertEquals(4.0, k[0]);
    assertEquals(4.118941800364066, k[1]);
    assertEquals(13.56084136584951, k[57]);
    assertEquals(61.536027227499744, k[198]);
    assertEquals(62.0, k[199]);
    double[] p = DesignSpaceConfig.defaults(64).probabilities();
    assertEquals(300, p.length);
    assertEquals(0.0, p[0]);
    assertEquals(1.1185557208532343e-05, p[1]);
    assertEquals(4.474222883412937e-05, p[2]);
    assertEquals(0.2516750371919777, p[150]);
    assertEquals(0.9933222223465062, p[298]);
    assertEquals(1.0, p[299]);
  }

  @Test
  void keepsDegreesWithRatioAtLeastAnEighth() {
    DesignSpaceConfig c = DesignSpaceConfig.defaults(64);
    int[] kept = c.keptDegrees();
    double[] k = c.degrees();
    assertEquals(171, kept.length);
    assertTrue(k[kept[0]] >= 8 && k[kept[0] - 1] < 8);
    assertEquals(171 * 300 * 30, c.graphCount());
  }

  /** Every parameter of the paper's released sets lies on the corresponding grid, bit for bit. */
  @Test
  void paperSetsLieOnTheGrids() {
    assertOnGrid("graphs_n16_2698.csv", DesignSpaceConfig.defaults(16));
    // The 64-node sets use 300 degrees from k = 8 (k/n = 0.125), not 200 from k = 4.
    assertOnGrid("graphs_n64_3942.csv", with(64, 8, 300));
  }

  private static void assertOnGrid(String set, DesignSpaceConfig c) {
    Set<Double> ks = new HashSet<>();
    for (double k : c.degrees()) {
      ks.add(k / c.nodes());
    }
    Set<Double> ps = new HashSet<>();
    for (double p : c.probabilities()) {
      ps.add(p);
    }
    for (GraphSet.Entry e : GraphSet.bundled(set)) {
      assertTrue(ks.contains(e.kOverN()), set + " k_over_n " + e.kOverN());
      assertTrue(ps.contains(e.p()), set + " p " + e.p());
      assertTrue(e.seed() >= 0 && e.seed() < c.seeds());
    }
  }

  @Test
  void degreesStayInsideTheirRangeAfterSquaring() {
    // (√63)² = 63.00000000000001 and (√15)² = 15.000000000000002 in floating point
    for (int n : new int[] {3, 4, 5, 16, 64, 100}) {
      DesignSpaceConfig c = new DesignSpaceConfig(n, 2, n - 1, 50, 3, 1, 0, 0, 135, 1, 4.5, 1);
      for (double k : c.degrees()) {
        assertTrue(k >= 2 && k <= n - 1, "n = " + n + ": k = " + k);
      }
      assertEquals(n - 1, c.degrees()[49], 1e-12);
      assertEquals(c.graphCount(), DesignSpace.sweep(c, x -> {}).size());
    }
    for (int n = 3; n < 70; n++) {
      DesignSpaceConfig d = DesignSpaceConfig.defaults(n);
      assertTrue(d.degreeMin() <= d.degreeMax(), "defaults for n = " + n);
    }
  }

  @Test
  void linspaceMatchesNumpyEdgeCases() {
    assertArrayEquals(new double[] {3.0}, DesignSpaceConfig.linspace(3, 5, 1));
    assertArrayEquals(new double[] {0, 0.5, 1}, DesignSpaceConfig.linspace(0, 1, 3));
  }

  @Test
  void rejectsInvalidFieldsNamingThem() {
    DesignSpaceConfig d = DesignSpaceConfig.defaults(64);
    assertMessage(
        "nodes = 2", () -> new DesignSpaceConfig(2, 2, 2, 10, 10, 1, 0, 0, 135, 1, 4.5, 1));
    assertMessage(
        "degree-min = 1.0",
        () -> new DesignSpaceConfig(64, 1, 62, 10, 10, 1, 0, 0, 135, 1, 4.5, 1));
    assertMessage(
        "degree-max = 70.0",
        () -> new DesignSpaceConfig(64, 4, 70, 10, 10, 1, 0, 0, 135, 1, 4.5, 1));
    assertMessage(
        "degree-steps = 0", () -> new DesignSpaceConfig(64, 4, 62, 0, 10, 1, 0, 0, 135, 1, 4.5, 1));
    assertMessage(
        "probability-steps = -1",
        () -> new DesignSpaceConfig(64, 4, 62, 10, -1, 1, 0, 0, 135, 1, 4.5, 1));
    assertMessage(
        "seeds = 0", () -> new DesignSpaceConfig(64, 4, 62, 10, 10, 0, 0, 0, 135, 1, 4.5, 1));
    assertMessage(
        "min-degree-ratio = 2.0",
        () -> new DesignSpaceConfig(64, 4, 62, 10, 10, 1, 2, 0, 135, 1, 4.5, 1));
    assertMessage(
        "grid = 0", () -> new DesignSpaceConfig(64, 4, 62, 10, 10, 1, 0, 0, 0, 1, 4.5, 1));
    assertMessage(
        "grid = 50000", () -> new DesignSpaceConfig(64, 4, 62, 10, 10, 1, 0, 0, 50000, 1, 4.5, 1));
    assertMessage(
        "threads = 5000",
        () -> new DesignSpaceConfig(64, 4, 62, 10, 10, 1, 0, 0, 135, 1, 4.5, 5000));
    assertMessage(
        "threads = 0", () -> new DesignSpaceConfig(64, 4, 62, 10, 10, 1, 0, 0, 135, 1, 4.5, 0));
    assertMessage(
        "too large",
        () -> new DesignSpaceConfig(64, 4, 62, 100000, 100000, 30, 0, 0, 135, 1, 4.5, 1));
    assertEquals(64, d.nodes());
  }

  private static void assertMessage(String fragment, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void defaultsAreThePapersDesignSpace() {
    DesignSpaceConfig d = DesignSpaceConfig.defaults(64);
    assertEquals(
        Arrays.asList(4.0, 62.0, 200, 300, 30, 0.125, 135, 1.0, 4.5),
        Arrays.asList(
            d.degreeMin(),
            d.degreeMax(),
            d.degreeSteps(),
            d.probabilitySteps(),
            d.seeds(),
            d.minDegreeRatio(),
            d.grid(),
            d.pathLengthMin(),
            d.pathLengthMax()));
  }
}
