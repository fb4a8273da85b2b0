package org.relgraph.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Holds every measure to networkx on the corpus in resources/corpus (graphs and expected values
 * written once by its make_corpus.py with networkx 3.6).
 */
class GraphMeasuresTest {
  private static final double TOL = 1e-12;

  private static String resource(String name) throws IOException {
    try (InputStream in = GraphMeasuresTest.class.getResourceAsStream("/corpus/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The corpus's own edge-list files, parsed here independently of the library's reader. */
  private static RelationalGraph corpusGraph(String name) throws IOException {
    String[] lines = resource(name).split("\n");
    String header = lines[0];
    int n = Integer.parseInt(header.replaceAll(".*nodes=(\\d+).*", "$1"));
    boolean directed = header.contains("directed=true");
    List<int[]> edges = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank() && !line.startsWith("#")) {
        String[] f = line.trim().split("\\s+");
        edges.add(new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])});
      }
    }
    return RelationalGraph.fromEdges(n, directed, edges);
  }

  @Test
  void corpusMatchesNetworkx() throws IOException {
    int checked = 0;
    int disconnected = 0;
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                GraphMeasuresTest.class.getResourceAsStream("/corpus/expected.csv"),
                StandardCharsets.UTF_8))) {
      assertEquals(
          "file,nodes,edges,clustering,path_length,efficiency,diameter,density,degree_mean,"
              + "degree_std",
          r.readLine());
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.split(",", -1);
        RelationalGraph g = corpusGraph(f[0]);
        GraphMeasures.Measures m = GraphMeasures.of(g);
        String what = f[0] + " " + g;
        assertEquals(Integer.parseInt(f[1]), m.nodes(), what);
        assertEquals(Integer.parseInt(f[2]), m.edges(), what);
        assertEquals(Double.parseDouble(f[3]), m.clustering(), TOL, what);
        assertEquals(Double.parseDouble(f[3]), GraphMeasures.clustering(g), TOL, what);
        if (f[4].isEmpty()) {
          disconnected++;
          assertFalse(m.pathLength().isPresent(), what);
          assertFalse(GraphMeasures.averagePathLength(g).isPresent(), what);
          assertFalse(m.diameter().isPresent(), what);
          assertFalse(g.isConnected(), what);
        } else {
          assertEquals(Double.parseDouble(f[4]), m.pathLength().getAsDouble(), TOL, what);
          assertEquals(
              Double.parseDouble(f[4]), GraphMeasures.averagePathLength(g).getAsDouble(), TOL);
          assertEquals(Integer.parseInt(f[6]), m.diameter().getAsInt(), what);
          assertEquals(OptionalInt.of(Integer.parseInt(f[6])), GraphMeasures.diameter(g), what);
          assertTrue(g.isConnected(), what);
        }
        if (g.nodeCount() <= 64) {
          double[] fused = new double[2];
          GraphMeasures.clusteringAndPathLength64(g.nodeCount(), g.symmetrized().rows(), fused);
          assertEquals(Double.parseDouble(f[3]), fused[0], TOL, what);
          if (f[4].isEmpty()) {
            assertTrue(Double.isNaN(fused[1]), what);
          } else {
            assertEquals(Double.parseDouble(f[4]), fused[1], TOL, what);
          }
        }
        assertEquals(Double.parseDouble(f[5]), m.efficiency(), TOL, what);
        assertEquals(Double.parseDouble(f[5]), GraphMeasures.globalEfficiency(g), TOL, what);
        assertEquals(Double.parseDouble(f[7]), m.density(), TOL, what);
        assertEquals(Double.parseDouble(f[7]), GraphMeasures.density(g), TOL, what);
        assertEquals(Double.parseDouble(f[8]), m.degreeMean(), TOL, what);
        assertEquals(Double.parseDouble(f[9]), m.degreeStd(), TOL, what);
        checked++;
      }
    }
    assertTrue(checked >= 70, "corpus rows: " + checked);
    assertTrue(disconnected >= 10, "disconnected rows: " + disconnected);
  }

  @Test
  void completeGraphHasUnitClusteringAndPathLength() {
    for (int n : new int[] {3, 64, 65, 200}) {
      RelationalGraph.Builder b = RelationalGraph.builder(n, false);
      for (int u = 0; u < n; u++) {
        for (int v = u + 1; v < n; v++) {
          b.addEdge(u, v);
        }
      }
      RelationalGraph g = b.build();
      assertEquals(1.0, GraphMeasures.clustering(g), TOL);
      assertEquals(OptionalDouble.of(1.0), GraphMeasures.averagePathLength(g));
      assertEquals(1.0, GraphMeasures.density(g), TOL);
    }
  }

  @Test
  void directedGraphsAreMeasuredSymmetrised() {
    // 0->1->2->0 is a triangle once symmetrised
    RelationalGraph g =
        RelationalGraph.fromEdges(3, true, List.of(new int[][] {{0, 1}, {1, 2}, {2, 0}}));
    assertEquals(1.0, GraphMeasures.clustering(g), TOL);
    assertEquals(OptionalDouble.of(1.0), GraphMeasures.averagePathLength(g));
    assertEquals(3, GraphMeasures.of(g).edges());
  }
}
