package org.relgraph.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.relgraph.graph.GraphFormatException;

class GraphSetTest {
  @Test
  void bundledSetsHaveTheirSizes() {
    assertEquals(3942, GraphSet.bundled("graphs_n64_3942.csv").size());
    assertEquals(449, GraphSet.bundled("graphs_n64_449.csv").size());
    assertEquals(52, GraphSet.bundled("graphs_n64_52.csv").size());
    assertEquals(2698, GraphSet.bundled("graphs_n16_2698.csv").size());
    assertThrows(IllegalArgumentException.class, () -> GraphSet.bundled("nope.csv"));
  }

  @Test
  void malformedSetsNameTheLine() {
    GraphFormatException header =
        assertThrows(
            GraphFormatException.class, () -> GraphSet.read(new StringReader("a,b\n"), "s.csv"));
    assertTrue(header.getMessage().startsWith("s.csv:1:"), header.getMessage());
    GraphFormatException fields =
        assertThrows(
            GraphFormatException.class,
            () ->
                GraphSet.read(
                    new StringReader(DesignSpaceFiles.SAMPLE_HEADER + "\n64,0.5,0.1,1,0.5\n"),
                    "s.csv"));
    assertTrue(fields.getMessage().startsWith("s.csv:2:"), fields.getMessage());
    GraphFormatException number =
        assertThrows(
            GraphFormatException.class,
            () ->
                GraphSet.read(
                    new StringReader(DesignSpaceFiles.SAMPLE_HEADER + "\n\n64,0.5,x,1,0.5,2.0\n"),
                    "s.csv"));
    assertTrue(number.getMessage().startsWith("s.csv:3:"), number.getMessage());
  }

  @Test
  void readsQuotedFieldsByteOrderMarkAndAnyColumnOrder() throws IOException {
    List<GraphSet.Entry> plain =
        GraphSet.read(
            new StringReader(DesignSpaceFiles.SAMPLE_HEADER + "\n64,0.5,0.1,1,0.5,2.0\n"), "s.csv");
    GraphSet.Entry e = plain.get(0);
    assertEquals(new GraphSet.Entry(64, 0.5, 0.1, 1, 0.5, 2.0), e);
    String quoted =
        "\uFEFF\"\",\"seed\",\"n\",\"k_over_n\",\"p\",\"path_length\",\"clustering\"\r\n"
            + "\"1\",1,64,0.5,0.1,2.0,0.5\r\n";
    assertEquals(plain, GraphSet.read(new StringReader(quoted), "s.csv"));
    List<GraphSet.Entry> unmeasured =
        GraphSet.read(new StringReader("n,k_over_n,p,seed\n64,0.5,0.1,1\n"), "s.csv");
    assertTrue(Double.isNaN(unmeasured.get(0).clustering()));
    assertTrue(Double.isNaN(unmeasured.get(0).pathLength()));
  }

  @Test
  void aMissingColumnIsNamed() {
    GraphFormatException e =
        assertThrows(
            GraphFormatException.class,
            () ->
                GraphSet.read(
                    new StringReader("\uFEFFn,p,seed,clustering,path_length\n64,0.1,1,0.5,2\n"),
                    "s.csv"));
    assertEquals(
        "s.csv:1: missing column 'k_over_n': a graph set has the columns"
            + " n,k_over_n,p,seed,clustering,path_length, got 'n,p,seed,clustering,path_length'",
        e.getMessage());
  }

  @Test
  void csvHeadersAreToldFromGraphFiles() {
    assertEquals(
        Optional.of(List.of("n", "k_over_n", "p", "seed", "clustering", "path_length")),
        GraphSet.csvHeader(DesignSpaceFiles.SAMPLE_HEADER));
    assertEquals(
        Optional.of(List.of("n", "p", "seed")), GraphSet.csvHeader("\uFEFF n , \"p\",seed "));
    assertEquals(Optional.of(List.of("", "n", "k_over_n")), GraphSet.csvHeader("\"\",n,k_over_n"));
    for (String notCsv :
        List.of(
            "0 1",
            "1,2",
            "0110",
            "<graphml>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "# relgraph nodes=3 directed=false",
            "# made by x, y",
            ",",
            "n")) {
      assertEquals(Optional.empty(), GraphSet.csvHeader(notCsv), notCsv);
    }
  }
}
