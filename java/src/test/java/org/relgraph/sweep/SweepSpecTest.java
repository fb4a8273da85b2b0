package org.relgraph.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.graph.GraphFormat;
import org.relgraph.graph.GraphFormatException;
import org.relgraph.graph.GraphIO;
import org.relgraph.space.GraphSet;

class SweepSpecTest {
  @Test
  void thePapersSetIsRegeneratedWithItsMeasures() {
    List<SweepGraph> graphs = SweepGraphs.load(List.of("paper:52"));
    List<GraphSet.Entry> entries = GraphSet.bundled("graphs_n64_52.csv");
    assertEquals(52, graphs.size());
    for (int i = 0; i < 52; i++) {
      SweepGraph g = graphs.get(i);
      GraphSet.Entry e = entries.get(i);
      assertEquals(SweepGraph.WS_FLEX, g.kind());
      assertEquals(e.kOverN(), g.kOverN());
      assertEquals(e.p(), g.p());
      assertEquals(e.seed(), g.graphSeed());
      assertEquals(e.clustering(), g.clustering(), 1e-12);
      assertEquals(e.pathLength(), g.pathLength(), 1e-12);
    }
    assertEquals(52, new HashSet<>(graphs.stream().map(SweepGraph::key).toList()).size());
    assertEquals(graphs, SweepGraphs.load(List.of("paper:graphs_n64_52.csv", "paper:52")));
    assertEquals(48, SweepGraphs.paper("48").size());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SweepGraphs.load("paper:53"));
    assertTrue(e.getMessage().contains("paper:449"), e.getMessage());
  }

  @Test
  void runsGoSeedBySeedWithTheBaseline() {
    List<SweepGraph> graphs = SweepGraphs.paper("48"); // 16 nodes
    SweepSpec spec = new SweepSpec(graphs, List.of(3, 1), "epochs=1", "m", true);
    List<SweepSpec.Run> runs = spec.runs();
    assertEquals(49 * 2, runs.size());
    assertEquals(3, runs.get(0).trainSeed());
    assertEquals(graphs.get(0), runs.get(0).graph());
    SweepSpec.Run baseline = runs.get(48);
    assertEquals(SweepGraph.COMPLETE, baseline.graph().kind());
    assertEquals("complete(n=16)|seed=3|epochs=1", baseline.key());
    assertEquals(1.0, baseline.graph().clustering());
    assertEquals(1.0, baseline.graph().pathLength());
    assertEquals(1, runs.get(49).trainSeed());
    assertEquals(
        48 * 2, new SweepSpec(graphs, List.of(3, 1), "epochs=1", "m", false).runs().size());
    assertEquals(
        "ws-flex(n=16,k_over_n="
            + SweepGraph.decimal(graphs.get(0).kOverN())
            + ",p="
            + SweepGraph.decimal(graphs.get(0).p())
            + ",seed="
            + graphs.get(0).graphSeed()
            + ")|seed=3|epochs=1",
        runs.get(0).key());
    assertThrows(
        IllegalArgumentException.class,
        () -> new SweepSpec(graphs, List.of(1, 1), "epochs=1", "m", true));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SweepSpec(graphs, List.of(), "epochs=1", "m", true));
    assertThrows(
        IllegalArgumentException.class, () -> new SweepSpec(List.of(), List.of(0), "c", "m", true));
  }

  @Test
  void keysWriteNumbersAsTheShortestRoundTrippingDecimal() {
    assertEquals("0", SweepGraph.decimal(0.0));
    assertEquals("0.1", SweepGraph.decimal(0.1));
    assertEquals("0.125", SweepGraph.decimal(0.125));
    assertEquals("1", SweepGraph.decimal(1.0));
    assertEquals("0.00001", SweepGraph.decimal(1e-5));
    assertEquals("0.3333333333333333", SweepGraph.decimal(1.0 / 3));
    assertEquals("20000000000000000000000", SweepGraph.decimal(2e22));
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      double x = r.nextDouble() * Math.pow(10, r.nextInt(-8, 4));
      String d = SweepGraph.decimal(x);
      assertEquals(x, Double.parseDouble(d), d);
      // no shorter decimal would do: never more digits than Java 19+'s shortest form
      assertTrue(digits(d) <= digits(Double.toString(x).replaceAll("E.*", "")), d + " vs " + x);
    }
  }

  private static int digits(String s) {
    return s.replaceAll("[^0-9]", "").replaceAll("^0+", "").length();
  }

  @Test
  void graphSetCsvFilesAndDirectories(@TempDir Path dir) throws Exception {
    Path set = dir.resolve("sample.csv");
    Files.writeString(
        set,
        "n,k_over_n,p,seed,clustering,path_length\n" + "64,0.125,0.0,0,,\n" + "16,0.25,0.5,2,,\n");
    List<SweepGraph> graphs = SweepGraphs.load(List.of(set.toString()));
    assertEquals(2, graphs.size());
    assertEquals("ws-flex(n=64,k_over_n=0.125,p=0,seed=0)", graphs.get(0).key());
    // p = 0: the ring lattice with 8 neighbours each, C = 3(k-2)/(4(k-1))
    assertEquals(18.0 / 28, graphs.get(0).clustering(), 1e-12);

    Path wrong = dir.resolve("wrong.csv");
    Files.writeString(wrong, "n,k_over_n,p,seed,clustering,path_length\n64,0.125,0.0,0,0.4,\n");
    GraphFormatException e =
        assertThrows(GraphFormatException.class, () -> SweepGraphs.load(wrong.toString()));
    assertTrue(e.getMessage().startsWith(wrong + ": graph 1 (n=64"), e.getMessage());
    assertTrue(e.getMessage().contains("recorded clustering 0.4"), e.getMessage());

    Path whole = dir.resolve("graphs.csv");
    Files.writeString(whole, "generator,n,k,p,seed,clustering,path_length\n");
    e = assertThrows(GraphFormatException.class, () -> SweepGraphs.load(whole.toString()));
    assertTrue(e.getMessage().contains("sample_coarse.csv"), e.getMessage());

    Path graphsDir = Files.createDirectory(dir.resolve("graphs"));
    SweepGraph ws = SweepGraph.wsFlex(16, 0.5, 0.3, 1);
    GraphIO.write(ws.graph(), graphsDir.resolve("b.txt"), GraphFormat.EDGE_LIST);
    GraphIO.write(ws.graph(), graphsDir.resolve("a.graphml"), GraphFormat.GRAPHML);
    Files.writeString(graphsDir.resolve(".hidden"), "junk");
    List<SweepGraph> files = SweepGraphs.directory(graphsDir);
    assertEquals(2, files.size());
    assertEquals(SweepGraph.FILE, files.get(0).kind());
    assertEquals(graphsDir.resolve("a.graphml").toString(), files.get(0).graphFile());
    // the key names the graph, not the file
    assertEquals(files.get(0).key(), files.get(1).key());
    assertTrue(
        files.get(0).key().matches("file\\(n=16,directed=false,edges=64,sha256=[0-9a-f]{16}\\)"),
        files.get(0).key());
    assertEquals(ws.clustering(), files.get(0).clustering(), 1e-12);
    assertEquals(0.5, files.get(0).kOverN(), 1e-12);
    assertEquals(1, SweepGraphs.load(List.of(graphsDir.toString())).size(), "repeats dropped");
    assertNotEquals(files.get(0).key(), SweepGraph.wsFlex(16, 0.5, 0.3, 2).key());
  }
}
