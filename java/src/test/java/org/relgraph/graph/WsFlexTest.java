package org.relgraph.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WsFlexTest {

  /** Edge lists written by resources/wsflex/make_wsflex_reference.py (a transcription). */
  @ParameterizedTest
  @CsvSource({
    "64, 23.392066097857438, 0.09883558349459179, 6",
    "64, 8.0, 1.0, 4",
    "64, 62.5, 0.7, 11",
    "16, 4.0, 0.9, 0",
    "100, 7.3, 0.5, 3",
    "130, 20.0, 0.25, 29",
    "5, 3.0, 1.0, 2"
  })
  void equalsThePythonGeneratorEdgeForEdge(int n, double k, double p, long seed)
      throws IOException {
    String name = "/wsflex/" + n + "_" + k + "_" + p + "_" + seed + ".txt";
    List<int[]> expected = new ArrayList<>();
    try (InputStream in = getClass().getResourceAsStream(name)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] f = line.trim().split(" ");
          expected.add(new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])});
        }
      }
    }
    RelationalGraph g = WsFlex.generate(n, k, p, seed);
    assertEquals(RelationalGraph.fromEdges(n, false, expected), g);
    List<int[]> actual = g.edges();
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < actual.size(); i++) {
      assertEquals(expected.get(i)[0], actual.get(i)[0]);
      assertEquals(expected.get(i)[1], actual.get(i)[1]);
    }
  }

  @ParameterizedTest
  @CsvSource({
    // n, k, edges = round-half-to-even(n*k/2)
    "5, 3.0, 8", // 7.5 -> 8
    "7, 3.0, 10", // 10.5 -> 10
    "9, 3.0, 14", // 13.5 -> 14
    "64, 8.0, 256",
    "64, 2.015625, 64", // 64.5 -> 64
    "64, 2.046875, 66", // 65.5 -> 66
    "10, 9.0, 45"
  })
  void edgeCountRoundsHalfToEven(int n, double k, int edges) {
    assertEquals(edges, WsFlex.edgeCount(n, k));
    for (double p : new double[] {0, 0.3, 1}) {
      assertEquals(edges, WsFlex.generate(n, k, p, 1).edgeCount(), "p = " + p);
    }
  }

  @Test
  void graphsAreSimpleUndirectedConnectedAndSeeded() {
    SplittableRandom params = new SplittableRandom(20200711);
    for (int trial = 0; trial < 300; trial++) {
      int n = 3 + params.nextInt(150);
      double k = 2 + params.nextDouble() * (n - 3);
      double p = params.nextDouble();
      long seed = params.nextInt(1000);
      String what = "n=" + n + " k=" + k + " p=" + p + " seed=" + seed;
      RelationalGraph g = WsFlex.generate(n, k, p, seed);
      assertFalse(g.isDirected(), what);
      assertEquals(WsFlex.edgeCount(n, k), g.edgeCount(), what);
      for (int u = 0; u < n; u++) {
        assertFalse(g.hasEdge(u, u), what);
        for (int v : g.neighbors(u)) {
          assertTrue(g.hasEdge(v, u), what);
        }
      }
      assertTrue(g.isConnected(), what);
      assertEquals(g, WsFlex.generate(n, k, p, seed), what);
    }
  }

  @Test
  void samplerMeasuresLikeGraphMeasures() {
    double[] out = new double[2];
    for (int n : new int[] {16, 63, 64, 65, 100}) {
      WsFlex.Sampler sampler = new WsFlex.Sampler(n);
      for (int seed = 0; seed < 20; seed++) {
        double k = 2 + (n - 3) * seed / 19.0;
        double p = seed / 19.0;
        sampler.draw(k, p, seed);
        RelationalGraph g = sampler.graph();
        assertEquals(WsFlex.generate(n, k, p, seed), g);
        sampler.measure(out);
        assertEquals(GraphMeasures.clustering(g), out[0], 1e-12);
        assertEquals(GraphMeasures.averagePathLength(g).getAsDouble(), out[1], 1e-12);
      }
    }
  }

  @Test
  void seedsAndProbabilityChangeTheGraph() {
    RelationalGraph a = WsFlex.generate(64, 16, 0.5, 1);
    assertNotEquals(a, WsFlex.generate(64, 16, 0.5, 2));
    // p = 0 is the regular lattice whatever the seed
    assertEquals(WsFlex.generate(64, 16, 0, 1), WsFlex.generate(64, 16, 0, 99));
    assertNotEquals(WsFlex.generate(64, 16, 0, 1), a);
  }

  @Test
  void completeWhenDegreeIsMaximal() {
    RelationalGraph g = WsFlex.generate(12, 11, 0.8, 3);
    assertEquals(66, g.edgeCount());
    assertEquals(1.0, GraphMeasures.clustering(g));
  }

  @Test
  void rejectsInvalidParametersNamingThem() {
    assertMessage("n = 1", () -> WsFlex.generate(1, 2, 0.5, 0));
    assertMessage("k = 1.5", () -> WsFlex.generate(10, 1.5, 0.5, 0));
    assertMessage("k = 10.0", () -> WsFlex.generate(10, 10, 0.5, 0));
    assertMessage("k = NaN", () -> WsFlex.generate(10, Double.NaN, 0.5, 0));
    assertMessage("p = -0.1", () -> WsFlex.generate(10, 4, -0.1, 0));
    assertMessage("p = 1.5", () -> WsFlex.generate(10, 4, 1.5, 0));
    assertMessage("p = NaN", () -> WsFlex.generate(10, 4, Double.NaN, 0));
  }

  private static void assertMessage(String fragment, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
