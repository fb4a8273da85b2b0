package org.relgraph.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
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
}
