package org.relgraph.tests;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;

/**
 * Every graph of the paper's published sets, regenerated from its (n, k = k_over_n·n, p, seed), has
 * the clustering coefficient and average path length that the paper recorded for it.
 */
class PaperGraphSetsTest {
  record Row(int line, int n, double kOverN, double p, long seed, double c, double l) {}

  static List<Row> read(String name) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (InputStream in =
            PaperGraphSetsTest.class.getResourceAsStream("/org/relgraph/graph2nn/" + name);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      assertEquals("n,k_over_n,p,seed,clustering,path_length", r.readLine());
      String line;
      int number = 1;
      while ((line = r.readLine()) != null) {
        number++;
        String[] f = line.split(",");
        rows.add(
            new Row(
                number,
                Integer.parseInt(f[0]),
                Double.parseDouble(f[1]),
                Double.parseDouble(f[2]),
                Long.parseLong(f[3]),
                Double.parseDouble(f[4]),
                Double.parseDouble(f[5])));
      }
    }
    return rows;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "graphs_n64_3942.csv",
        "graphs_n64_449.csv",
        "graphs_n64_52.csv",
        "graphs_n16_2698.csv",
        "graphs_n16_326.csv",
        "graphs_n16_48.csv"
      })
  void regeneratedGraphsHaveThePapersMeasures(String file) throws IOException {
    List<Row> rows = read(file);
    assertFalse(rows.isEmpty());
    for (Row row : rows) {
      double k = row.kOverN() * row.n();
      RelationalGraph g = WsFlex.generate(row.n(), k, row.p(), row.seed());
      String where = file + ":" + row.line() + " " + row;
      assertEquals(WsFlex.edgeCount(row.n(), k), g.edgeCount(), where);
      assertEquals(row.c(), GraphMeasures.clustering(g), 1e-12, where);
      OptionalDouble l = GraphMeasures.averagePathLength(g);
      assertTrue(l.isPresent(), where);
      assertEquals(row.l(), l.getAsDouble(), 1e-12, where);
    }
  }
}
