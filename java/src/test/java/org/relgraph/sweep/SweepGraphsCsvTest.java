package org.relgraph.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.graph.GraphFormatException;

/** Graph-set CSVs are told from graph files by their header, whatever its shape. */
class SweepGraphsCsvTest {
  @TempDir Path dir;

  /** The first graph of the paper's 52-graph set (n=64), with its recorded C and L. */
  private static final String ROW =
      "64,0.36550103277902246,0.09883558349459179,6,0.5742539064117294,1.6408730158730158";

  @Test
  void aGraphSetWithAByteOrderMarkOrQuotesIsAGraphSet() throws IOException {
    Path bom =
        Files.writeString(
            dir.resolve("bom.csv"),
            "\uFEFFn,k_over_n,p,seed,clustering,path_length\n" + ROW + "\n");
    List<SweepGraph> g = SweepGraphs.file(bom);
    assertEquals(1, g.size());
    assertEquals(SweepGraph.WS_FLEX, g.get(0).kind());
    assertEquals(64, g.get(0).n());
    Path quoted =
        Files.writeString(
            dir.resolve("quoted.csv"),
            "\"n\",\"k_over_n\",\"p\",\"seed\",\"clustering\",\"path_length\"\r\n"
                + ROW.replace(",", "\",\"").replaceAll("^|$", "\"")
                + "\r\n");
    assertEquals(g, SweepGraphs.file(quoted));
  }

  @Test
  void aGraphSetMissingAColumnNamesIt() throws IOException {
    Path f =
        Files.writeString(
            dir.resolve("set.csv"), "n,p,seed,clustering,path_length\n64,0.0988,6,0.57,1.64\n");
    GraphFormatException e = assertThrows(GraphFormatException.class, () -> SweepGraphs.file(f));
    assertTrue(e.getMessage().startsWith(f + ":1: missing column 'k_over_n'"), e.getMessage());
  }

  @Test
  void aWholeDesignSpaceIsStillToldApart() throws IOException {
    Path f =
        Files.writeString(
            dir.resolve("graphs.csv"), "generator,n,k,p,seed,clustering,path_length\n");
    GraphFormatException e = assertThrows(GraphFormatException.class, () -> SweepGraphs.file(f));
    assertTrue(e.getMessage().contains("whole design space"), e.getMessage());
  }
}
