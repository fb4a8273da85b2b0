package org.relgraph.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.DirectedPseudograph;
import org.jgrapht.graph.SimpleGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RelationalGraphTest {
  /** A random simple graph built independently as an adjacency matrix. */
  private static boolean[][] randomMatrix(int n, boolean directed, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    boolean[][] a = new boolean[n][n];
    for (int u = 0; u < n; u++) {
      for (int v = 0; v < n; v++) {
        if (u != v && (directed || u < v) && r.nextInt(4) == 0) {
          a[u][v] = true;
          if (!directed) {
            a[v][u] = true;
          }
        }
      }
    }
    return a;
  }

  private static RelationalGraph build(boolean[][] a, boolean directed) {
    RelationalGraph.Builder b = RelationalGraph.builder(a.length, directed);
    for (int u = 0; u < a.length; u++) {
      for (int v = 0; v < a.length; v++) {
        if (a[u][v]) {
          b.addEdge(u, v);
        }
      }
    }
    return b.build();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 63, 64, 65, 128, 129, 300})
  void bitsetRowsAgreeWithAMatrixAtAnySize(int n) {
    for (boolean directed : new boolean[] {false, true}) {
      boolean[][] a = randomMatrix(n, directed, n * 31L + (directed ? 1 : 0));
      RelationalGraph g = build(a, directed);
      int arcs = 0;
      for (int u = 0; u < n; u++) {
        int degree = 0;
        for (int v = 0; v < n; v++) {
          assertEquals(a[u][v], g.hasEdge(u, v));
          if (a[u][v]) {
            degree++;
            arcs++;
          }
        }
        assertEquals(degree, g.degree(u));
        assertEquals(degree, g.neighbors(u).length);
        int in = 0;
        for (int v = 0; v < n; v++) {
          in += a[v][u] ? 1 : 0;
        }
        assertEquals(in, g.predecessors(u).length);
      }
      assertEquals(directed ? arcs : arcs / 2, g.edgeCount());
      assertEquals(g.edgeCount(), g.edges().size());
      assertEquals(g, RelationalGraph.fromEdges(n, directed, g.edges()));
    }
  }

  @Test
  void symmetrisingMergesOppositeArcs() {
    RelationalGraph d =
        RelationalGraph.fromEdges(4, true, List.of(new int[][] {{0, 1}, {1, 0}, {2, 3}}));
    assertEquals(3, d.edgeCount());
    RelationalGraph s = d.symmetrized();
    assertFalse(s.isDirected());
    assertEquals(2, s.edgeCount());
    assertTrue(s.hasEdge(3, 2));
    assertFalse(d.hasEdge(3, 2));
    assertTrue(s == s.symmetrized());
  }

  @Test
  void jgraphtRoundTripKeepsEveryEdge() {
    for (boolean directed : new boolean[] {false, true}) {
      RelationalGraph g = build(randomMatrix(70, directed, 5), directed);
      Graph<Integer, DefaultEdge> j = g.toJGraphT();
      assertEquals(directed, j.getType().isDirected());
      assertEquals(70, j.vertexSet().size());
      assertEquals(g.edgeCount(), j.edgeSet().size());
      assertEquals(g, RelationalGraph.fromJGraphT(j));
    }
  }

  @Test
  void fromJGraphTNumbersVerticesInOrderAndDropsLoopsAndParallels() {
    Graph<String, DefaultEdge> j = new DirectedPseudograph<>(DefaultEdge.class);
    j.addVertex("b");
    j.addVertex("a");
    j.addVertex("c");
    j.addEdge("b", "a");
    j.addEdge("b", "a");
    j.addEdge("a", "a");
    j.addEdge("c", "b");
    RelationalGraph g = RelationalGraph.fromJGraphT(j);
    assertTrue(g.isDirected());
    assertEquals(2, g.edgeCount());
    assertTrue(g.hasEdge(0, 1));
    assertTrue(g.hasEdge(2, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> RelationalGraph.fromJGraphT(new SimpleGraph<String, DefaultEdge>(DefaultEdge.class)));
  }

  @Test
  void rejectsBadNodesAndSelfLoops() {
    RelationalGraph.Builder b = RelationalGraph.builder(5, false);
    assertThrows(IllegalArgumentException.class, () -> b.addEdge(0, 5));
    assertThrows(IllegalArgumentException.class, () -> b.addEdge(-1, 2));
    IllegalArgumentException loop =
        assertThrows(IllegalArgumentException.class, () -> b.addEdge(2, 2));
    assertTrue(loop.getMessage().contains("self-loop"), loop.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RelationalGraph.builder(0, false));
    RelationalGraph g = b.addEdge(0, 1).build();
    assertThrows(IllegalStateException.class, () -> b.addEdge(1, 2));
    assertThrows(IndexOutOfBoundsException.class, () -> g.hasEdge(0, 7));
    assertThrows(IndexOutOfBoundsException.class, () -> g.neighbors(-1));
  }

  @Test
  void isImmutableAndComparesByValue() {
    RelationalGraph g = RelationalGraph.fromEdges(3, false, List.of(new int[][] {{0, 1}}));
    long[] row = g.adjacencyRow(0);
    row[0] = -1;
    assertArrayEquals(new long[] {2L}, g.adjacencyRow(0));
    int[] nb = g.neighbors(0);
    nb[0] = 2;
    assertArrayEquals(new int[] {1}, g.neighbors(0));
    assertEquals(g, RelationalGraph.fromEdges(3, false, List.of(new int[][] {{1, 0}})));
    assertEquals(
        g.hashCode(),
        RelationalGraph.fromEdges(3, false, List.of(new int[][] {{1, 0}})).hashCode());
    assertNotEquals(g, RelationalGraph.fromEdges(3, true, List.of(new int[][] {{0, 1}})));
    assertEquals(0, RelationalGraph.empty(4, false).edgeCount());
  }
}
