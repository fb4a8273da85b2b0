package org.relgraph.space;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;

class DesignSpaceTest {
  static DesignSpaceConfig small(int n, int threads) {
    return new DesignSpaceConfig(n, 4, n - 2, 12, 15, 3, 0.125, 7, 135, 1, 4.5, threads);
  }

  @Test
  void sweepMeasuresEveryGraphLikeTheLibrary() {
    DesignSpaceConfig c = small(64, 2);
    AtomicLong progress = new AtomicLong();
    DesignSpace.Result r = DesignSpace.sweep(c, progress::addAndGet);
    assertEquals(c.graphCount(), r.size());
    assertEquals(r.size(), progress.get());
    assertEquals(0, r.failed());
    for (int i = 0; i < r.size(); i += 7) {
      RelationalGraph g = WsFlex.generate(64, r.degree(i), r.probability(i), r.seed(i));
      assertEquals(GraphMeasures.clustering(g), r.clustering(i), 1e-12);
      assertEquals(GraphMeasures.averagePathLength(g).getAsDouble(), r.pathLength(i), 1e-12);
    }
  }

  @Test
  void resultDoesNotDependOnThreadCount() {
    DesignSpace.Result one = DesignSpace.sweep(small(40, 1), x -> {});
    DesignSpace.Result two = DesignSpace.sweep(small(40, 2), x -> {});
    for (int i = 0; i < one.size(); i++) {
      assertEquals(one.clustering(i), two.clustering(i));
      assertEquals(one.pathLength(i), two.pathLength(i));
    }
    assertArrayEquals(
        CellSample.of(one).select(CellSample.FINE), CellSample.of(two).select(CellSample.FINE));
  }

  @Test
  void worksAboveSixtyFourNodes() {
    DesignSpaceConfig c = new DesignSpaceConfig(130, 16, 128, 3, 3, 2, 0, 0, 135, 1, 4.5, 2);
    DesignSpace.Result r = DesignSpace.sweep(c, x -> {});
    assertEquals(18, r.size());
    RelationalGraph g = WsFlex.generate(130, r.degree(17), r.probability(17), r.seed(17));
    assertEquals(GraphMeasures.clustering(g), r.clustering(17), 1e-12);
  }

  @Test
  void cellsFollowTheGrid() {
    DesignSpaceConfig c = small(64, 1);
    assertEquals(0, CellSample.cell(0, 1, c));
    assertEquals(134 * 135 + 134, CellSample.cell(1, 4.5, c));
    assertEquals(67 * 135, CellSample.cell(0.5, 1.0, c)); // 0.5 * 135 = 67.5
    assertEquals(-1, CellSample.cell(0.5, 4.6, c));
    assertEquals(-1, CellSample.cell(Double.NaN, 2, c));
    assertEquals(-1, CellSample.cell(0.5, 0.99, c));
  }

  @Test
  void samplesKeepOneGraphPerCellAndFollowTheResidueRules() {
    DesignSpaceConfig c = small(64, 2);
    DesignSpace.Result r = DesignSpace.sweep(c, x -> {});
    CellSample s = CellSample.of(r);
    int[] fine = s.select(CellSample.FINE);
    assertEquals(s.occupiedCells(), fine.length);
    java.util.Set<Integer> cells = new java.util.HashSet<>();
    for (int i : fine) {
      assertTrue(cells.add(CellSample.cell(r.clustering(i), r.pathLength(i), c)));
    }
    for (int i : s.select(CellSample.MEDIUM)) {
      int cell = CellSample.cell(r.clustering(i), r.pathLength(i), c);
      int ci = cell / 135 + 1;
      int li = cell % 135 + 1;
      assertTrue(ci % 9 == 2 || ci % 9 == 5 || ci % 9 == 8);
      assertTrue(li % 9 == 2 || li % 9 == 5 || li % 9 == 8);
    }
    for (int i : s.select(CellSample.COARSE)) {
      int cell = CellSample.cell(r.clustering(i), r.pathLength(i), c);
      assertEquals(5, (cell / 135 + 1) % 9);
      assertEquals(5, (cell % 135 + 1) % 9);
    }
    assertTrue(s.select(CellSample.MEDIUM).length <= fine.length);
  }

  @Test
  void writesGraphsAndSamplesThatReadBack(@TempDir Path dir) throws IOException {
    DesignSpaceConfig c = small(64, 2);
    DesignSpace.Result r = DesignSpace.sweep(c, x -> {});
    Path graphs = dir.resolve("graphs.csv");
    DesignSpaceFiles.writeGraphs(r, graphs);
    List<String> lines = Files.readAllLines(graphs);
    assertEquals(DesignSpaceFiles.GRAPHS_HEADER, lines.get(0));
    assertEquals(r.size() + 1, lines.size());
    String[] f = lines.get(5).split(",");
    assertEquals("ws-flex", f[0]);
    assertEquals(r.degree(4), Double.parseDouble(f[2]));
    assertEquals(r.clustering(4), Double.parseDouble(f[5]));
    int[] fine = CellSample.of(r).select(CellSample.FINE);
    Path sample = dir.resolve("sample.csv");
    DesignSpaceFiles.writeSample(r, fine, sample);
    List<GraphSet.Entry> back = GraphSet.read(sample);
    assertEquals(fine.length, back.size());
    GraphSet.Entry e = back.get(0);
    RelationalGraph g = WsFlex.generate(e.n(), e.k(), e.p(), e.seed());
    assertEquals(e.clustering(), GraphMeasures.clustering(g), 1e-12);
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no temporary files left behind");
    }
  }
}
