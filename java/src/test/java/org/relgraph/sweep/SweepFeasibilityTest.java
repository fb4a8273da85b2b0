package org.relgraph.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.GraphFormat;
import org.relgraph.graph.GraphIO;

/** A graph set with a graph too large to train is refused while it loads, before any work. */
class SweepFeasibilityTest {
  private static final SweepGraphs.NodeLimit STEM =
      new SweepGraphs.NodeLimit(512, "more than the stem width 512 allows");

  @Test
  void aHugeGraphOfASetIsRefusedBeforeAnyGraphIsGenerated(@TempDir Path dir) throws Exception {
    Path set = dir.resolve("set.csv");
    Files.writeString(
        set,
        "n,k_over_n,p,seed,clustering,path_length\n"
            + "64,0.25,0.1,1,,\n"
            + "100000,0.001,0.1,2,,\n");
    // generating and measuring the 100000-node graph would take minutes
    IllegalArgumentException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20),
            () ->
                assertThrows(
                    IllegalArgumentException.class,
                    () -> SweepGraphs.load(List.of(set.toString()), STEM)));
    assertEquals(
        set
            + ": graph 2 (n=100000, k_over_n=0.001, p=0.1, seed=2) has 100000 nodes, more than"
            + " the stem width 512 allows; no run was started",
        e.getMessage());
  }

  @Test
  void aGraphFileOfTooManyNodesIsNamed(@TempDir Path dir) throws Exception {
    Path graphs = Files.createDirectories(dir.resolve("graphs"));
    GraphIO.write(
        ClassicGenerators.ringLattice(16, 2),
        graphs.resolve("a-small.edges"),
        GraphFormat.EDGE_LIST);
    Path big = graphs.resolve("b-big.edges");
    GraphIO.write(ClassicGenerators.ringLattice(2000, 2), big, GraphFormat.EDGE_LIST);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SweepGraphs.load(List.of(graphs.toString()), STEM));
    assertEquals(
        big + ": the graph has 2000 nodes, more than the stem width 512 allows; no run was started",
        e.getMessage());
    assertEquals(2, SweepGraphs.load(List.of(graphs.toString())).size(), "no limit: loaded");
  }
}
