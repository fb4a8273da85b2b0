package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relgraph.graph.GraphIO;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.RelationalGraph;

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
}
