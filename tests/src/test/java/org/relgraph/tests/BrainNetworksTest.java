package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relgraph.graph.GraphIO;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.GraphSpec;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.sweep.SweepGraph;
import org.relgraph.sweep.SweepGraphs;

/**
 * The three brain networks shipped with the paper's code, read from their adjacency matrices and
 * measured symmetrised: the values networkx gives (see the NOTICE in resources/brain).
 */
class BrainNetworksTest {
  @ParameterizedTest
  @CsvSource({
    "cat.txt, 52, 0.666, 1.633",
    "macaque_visual.txt, 30, 0.634, 1.589",
    "macaque_whole.txt, 71, 0.503, 2.245"
  })
  void symmetrisedMeasuresMatchNetworkx(String file, int nodes, double c, double l)
      throws Exception {
    RelationalGraph g;
    try (Reader in =
        new InputStreamReader(
            getClass().getResourceAsStream("/brain/" + file), StandardCharsets.UTF_8)) {
      g = GraphIO.read(in, file);
    }
    assertEquals(nodes, g.nodeCount());
    assertTrue(g.isDirected(), "brain networks are directed");
    assertEquals(c, Math.round(GraphMeasures.clustering(g) * 1000) / 1000.0, 1e-9);
    assertEquals(
        l, Math.round(GraphMeasures.averagePathLength(g).getAsDouble() * 1000) / 1000.0, 1e-9);
  }

  @ParameterizedTest
  @CsvSource({
    "cat, cat.txt",
    "macaque-visual, macaque_visual.txt",
    "macaque-whole, macaque_whole.txt"
  })
  void namedSpecsAreTheFilesGraphsAndKeyTheirRunsAlike(String name, String file) throws Exception {
    RelationalGraph fromFile;
    try (Reader in =
        new InputStreamReader(
            getClass().getResourceAsStream("/brain/" + file), StandardCharsets.UTF_8)) {
      fromFile = GraphIO.read(in, file);
    }
    GraphSpec spec = GraphSpec.parse("brain:" + name);
    assertEquals("brain", spec.kind());
    assertEquals(fromFile.isDirected(), spec.graph().isDirected());
    assertArrayEquals(fromFile.edges().toArray(), spec.graph().edges().toArray());
    List<SweepGraph> swept = SweepGraphs.load("brain:" + name);
    assertEquals(1, swept.size());
    assertEquals(SweepGraph.file(file, fromFile).key(), swept.get(0).key());
    assertEquals("brain:" + name, swept.get(0).graphFile());
  }

  @Test
  void unknownBrainNetworkIsNamed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GraphSpec.parse("brain:mouse"));
    assertTrue(e.getMessage().contains("brain:mouse") || e.getMessage().contains("'mouse'"));
    assertTrue(e.getMessage().contains("brain:macaque-visual"), e.getMessage());
  }
}
