package org.relgraph.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ClassicGeneratorsTest {

  /**
   * Lines of {@code networkx/reference_graphs.txt}: edge sets made once with networkx 3.6 (the
   * script is in the file's header comment), e.g. {@code nx.hkn_harary_graph(k, n)}.
   */
  static Stream<Arguments> networkxReferences() throws IOException {
    List<Arguments> out = new ArrayList<>();
    try (InputStream s =
            ClassicGeneratorsTest.class.getResourceAsStream("/networkx/reference_graphs.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.startsWith("#") && !line.isBlank()) {
          int colon = line.indexOf(':');
          out.add(Arguments.of(line.substring(0, colon), line.substring(colon + 1).strip()));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networkxReferences")
  void sameEdgeSetAsNetworkx(String call, String expectedEdges) {
    String[] p = call.split(" ");
    RelationalGraph g =
        switch (p[0]) {
          case "harary" -> ClassicGenerators.harary(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
          case "ws" ->
              ClassicGenerators.wattsStrogatz(
                  Integer.parseInt(p[1]),
                  Integer.parseInt(p[2]),
                  Double.parseDouble(p[3]),
                  Long.parseLong(p[4]));
          case "ba" ->
              ClassicGenerators.barabasiAlbert(
                  Integer.parseInt(p[1]), Integer.parseInt(p[2]), Long.parseLong(p[3]));
          case "gnm" ->
              ClassicGenerators.erdosRenyi(
                  Integer.parseInt(p[1]), Integer.parseInt(p[2]), Long.parseLong(p[3]));
          default -> throw new AssertionError("unknown generator " + p[0]);
        };
    StringBuilder sb = new StringBuilder();
    for (int[] e : g.edges()) {
      sb.append(sb.length() == 0 ? "" : " ").append(e[0]).append('-').append(e[1]);
    }
    assertEquals(expectedEdges, sb.toString());
    assertFalse(g.isDirected());
  }

  // ---- Erdős–Rényi ------------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
    "1, 0",
    "2, 0",
    "2, 1",
    "5, 10",
    "10, 0",
    "10, 22",
    "10, 23",
    "10, 44",
    "10, 45",
    "64, 1",
    "64, 1008",
    "64, 1009",
    "64, 2016",
    "65, 1000",
    "130, 8000",
    "200, 19899"
  })
  void erdosRenyiHasExactlyMEdges(int n, int m) {
    RelationalGraph g = ClassicGenerators.erdosRenyi(n, m, 42);
    assertEquals(n, g.nodeCount());
    assertEquals(m, g.edgeCount());
    assertValidUndirected(g);
  }

  @Test
  void erdosRenyiDenseIsFast() {
    int n = 3000;
    int max = n * (n - 1) / 2;
    long t0 = System.nanoTime();
    RelationalGraph g = ClassicGenerators.erdosRenyi(n, max - 5, 1);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(max - 5, g.edgeCount());
    assertValidUndirected(g);
    assertTrue(ms < 5000, "took " + ms + " ms");
  }

  @Test
  void erdosRenyiExtremesAreEmptyAndComplete() {
    assertEquals(RelationalGraph.empty(7, false), ClassicGenerators.erdosRenyi(7, 0, 3));
    assertEquals(ClassicGenerators.complete(7), ClassicGenerators.erdosRenyi(7, 21, 3));
  }

  // ---- Watts–Strogatz ---------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({
    "3, 2, 0.5",
    "10, 2, 1.0",
    "16, 4, 0.25",
    "64, 8, 0.5",
    "65, 10, 0.9",
    "9, 8, 0.7",
    "130, 6, 0.1"
  })
  void wattsStrogatzKeepsNkOver2Edges(int n, int k, double p) {
    for (long seed = 0; seed < 5; seed++) {
      RelationalGraph g = ClassicGenerators.wattsStrogatz(n, k, p, seed);
      assertEquals(n * k / 2, g.edgeCount(), "seed " + seed);
      assertValidUndirected(g);
    }
  }

  @Test
  void wattsStrogatzWithoutRewiringIsTheLattice() {
    assertEquals(
        ClassicGenerators.ringLattice(40, 6), ClassicGenerators.wattsStrogatz(40, 6, 0.0, 9));
  }

  // ---- Barabási–Albert --------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({"2, 1", "5, 4", "10, 1", "10, 3", "64, 5", "100, 20", "300, 2", "150, 149"})
  void barabasiAlbertHasMTimesNMinusMEdges(int n, int m) {
    // networkx starts from star_graph(m): m edges on m + 1 nodes, then adds m edges for each of
    // the n - m - 1 other nodes: m + m (n - m - 1) = m (n - m).
    RelationalGraph g = ClassicGenerators.barabasiAlbert(n, m, 7);
    assertEquals(m * (n - m), g.edgeCount());
    assertValidUndirected(g);
    for (int v = m + 1; v < n; v++) {
      assertTrue(g.degree(v) >= m);
    }
  }

  @Test
  void barabasiAlbertStartsFromAStar() {
    RelationalGraph g = ClassicGenerators.barabasiAlbert(6, 5, 1);
    assertArrayEquals(new int[] {1, 2, 3, 4, 5}, g.neighbors(0));
    for (int v = 1; v <= 5; v++) {
      assertArrayEquals(new int[] {0}, g.neighbors(v));
    }
  }

  @Test
  void pyIntSetIteratesLikeCPython() {
    // Orders printed by CPython 3.11: s = set(); [s.add(x) for x in seq]; list(s)
    assertArrayEquals(
        new int[] {0, 1, 33, 8, 9, 17, 25}, pySet(new int[] {0, 9, 1, 17, 25, 33, 8, 9}));
    assertArrayEquals(
        new int[] {64, 96, 2, 3, 100, 5, 6, 7, 72, 104, 13, 80, 112, 21, 88, 120},
        pySet(new int[] {5, 13, 21, 3, 100, 64, 72, 80, 88, 96, 104, 112, 120, 2, 7, 6}));
  }

  private static int[] pySet(int[] seq) {
    ClassicGenerators.PyIntSet s = new ClassicGenerators.PyIntSet();
    s.add(1000); // clear() must restore a fresh table
    s.clear();
    for (int x : seq) {
      s.add(x);
    }
    return s.toArray();
  }

  // ---- Harary, lattice, complete ----------------------------------------------------------------

  @Test
  void hararyHasFewestEdgesAndMinDegreeK() {
    for (int n = 2; n <= 40; n++) {
      for (int k = 1; k < n; k++) {
        RelationalGraph g = ClassicGenerators.harary(k, n);
        // ceil(kn/2) for k >= 2; a 1-connected graph needs the n - 1 edges of a tree (the path).
        int expected = k == 1 ? n - 1 : (k * n + 1) / 2;
        assertEquals(expected, g.edgeCount(), "k=" + k + " n=" + n);
        assertValidUndirected(g);
        for (int v = 0; v < n; v++) {
          assertTrue(g.degree(v) >= k, "k=" + k + " n=" + n + " node " + v);
        }
      }
    }
  }

  @Test
  void ringLatticeIsKRegular() {
    for (int n : new int[] {3, 8, 63, 64, 65, 129}) {
      for (int k = 2; k < n; k += 2) {
        RelationalGraph g = ClassicGenerators.ringLattice(n, k);
        assertEquals(n * k / 2, g.edgeCount());
        for (int v = 0; v < n; v++) {
          assertEquals(k, g.degree(v));
          assertTrue(g.hasEdge(v, (v + k / 2) % n));
          if (k / 2 + 1 < n - k / 2) {
            assertFalse(g.hasEdge(v, (v + k / 2 + 1) % n));
          }
        }
      }
    }
    assertEquals(ClassicGenerators.complete(9), ClassicGenerators.ringLattice(9, 8));
  }

  @Test
  void completeGraphs() {
    for (int n : new int[] {1, 2, 5, 63, 64, 65, 128, 200}) {
      RelationalGraph g = ClassicGenerators.complete(n);
      assertEquals(n * (n - 1) / 2, g.edgeCount());
      assertFalse(g.isDirected());
      assertValidUndirected(g);
    }
  }

  // ---- determinism ------------------------------------------------------------------------------

  @Test
  void sameSeedSameGraphOtherSeedOtherGraph() {
    assertEquals(
        ClassicGenerators.erdosRenyi(64, 300, 5), ClassicGenerators.erdosRenyi(64, 300, 5));
    assertNotEquals(
        ClassicGenerators.erdosRenyi(64, 300, 5), ClassicGenerators.erdosRenyi(64, 300, 6));
    assertEquals(
        ClassicGenerators.erdosRenyi(64, 1900, 5), ClassicGenerators.erdosRenyi(64, 1900, 5));
    assertNotEquals(
        ClassicGenerators.erdosRenyi(64, 1900, 5), ClassicGenerators.erdosRenyi(64, 1900, 6));
    assertEquals(
        ClassicGenerators.wattsStrogatz(64, 8, 0.3, 1),
        ClassicGenerators.wattsStrogatz(64, 8, 0.3, 1));
    assertNotEquals(
        ClassicGenerators.wattsStrogatz(64, 8, 0.3, 1),
        ClassicGenerators.wattsStrogatz(64, 8, 0.3, 2));
    assertEquals(
        ClassicGenerators.barabasiAlbert(64, 4, 1), ClassicGenerators.barabasiAlbert(64, 4, 1));
    assertNotEquals(
        ClassicGenerators.barabasiAlbert(64, 4, 1), ClassicGenerators.barabasiAlbert(64, 4, 2));
  }

  // ---- invalid parameters -----------------------------------------------------------------------

  @Test
  void invalidParametersNameTheParameter() {
    assertMessage(
        "m = 5000 out of range [0, 2016] for n = 64",
        () -> ClassicGenerators.erdosRenyi(64, 5000, 1));
    assertMessage("m = -1", () -> ClassicGenerators.erdosRenyi(64, -1, 1));
    assertMessage("n = 0", () -> ClassicGenerators.erdosRenyi(0, 0, 1));
    assertMessage(
        "m = 1 out of range [0, 0] for n = 1", () -> ClassicGenerators.erdosRenyi(1, 1, 1));
    assertMessage("k = 3 must be even", () -> ClassicGenerators.wattsStrogatz(10, 3, 0.1, 1));
    assertMessage("k = 10 out of range", () -> ClassicGenerators.wattsStrogatz(10, 10, 0.1, 1));
    assertMessage("k = 0 out of range", () -> ClassicGenerators.wattsStrogatz(10, 0, 0.1, 1));
    assertMessage("n = 2", () -> ClassicGenerators.wattsStrogatz(2, 2, 0.1, 1));
    assertMessage("p = 1.5", () -> ClassicGenerators.wattsStrogatz(10, 4, 1.5, 1));
    assertMessage("p = -0.1", () -> ClassicGenerators.wattsStrogatz(10, 4, -0.1, 1));
    assertMessage("p = NaN", () -> ClassicGenerators.wattsStrogatz(10, 4, Double.NaN, 1));
    assertMessage(
        "m = 10 out of range [1, 9] for n = 10", () -> ClassicGenerators.barabasiAlbert(10, 10, 1));
    assertMessage("m = 0", () -> ClassicGenerators.barabasiAlbert(10, 0, 1));
    assertMessage("n = 1", () -> ClassicGenerators.barabasiAlbert(1, 1, 1));
    assertMessage("k = 5 out of range [1, 4] for n = 5", () -> ClassicGenerators.harary(5, 5));
    assertMessage("k = 0", () -> ClassicGenerators.harary(0, 5));
    assertMessage("n = 1", () -> ClassicGenerators.harary(1, 1));
    assertMessage("k = 5 must be even", () -> ClassicGenerators.ringLattice(10, 5));
    assertMessage("k = 10 out of range [2, 9]", () -> ClassicGenerators.ringLattice(10, 10));
    assertMessage("n = 0", () -> ClassicGenerators.complete(0));
  }

  private static void assertMessage(String expected, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(
        e.getMessage().contains(expected),
        () -> "message \"" + e.getMessage() + "\" lacks \"" + expected + "\"");
  }

  /** Symmetric, loop-free adjacency (RelationalGraph.adopt trusts its callers). */
  static void assertValidUndirected(RelationalGraph g) {
    for (int u = 0; u < g.nodeCount(); u++) {
      assertFalse(g.hasEdge(u, u), "self-loop at " + u);
      for (int v : g.neighbors(u)) {
        assertTrue(g.hasEdge(v, u), u + "-" + v + " not symmetric");
      }
    }
  }
}
