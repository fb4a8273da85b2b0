package org.relgraph.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.analysis.SweetSpot.Mode;

class AnalysisTest {
  static ResultRow row(
      String model, long graph, double c, double l, int seed, int epoch, double e) {
    return ResultRow.of(model, "ws-flex", 0.25, 0.5, graph, c, l, seed, epoch, e, null);
  }

  /** Graphs on a line of C with error (C - 0.4)², each with the given number of seeds. */
  static List<ResultRow> parabola(String model, int graphs, int seeds, int epoch) {
    List<ResultRow> out = new ArrayList<>();
    for (int g = 0; g < graphs; g++) {
      double c = 0.05 + 0.9 * g / (graphs - 1);
      double l = 1.5 + 2.5 * g / (graphs - 1);
      for (int s = 1; s <= seeds; s++) {
        out.add(row(model, g, c, l, s, epoch, 30 + 10 * (c - 0.4) * (c - 0.4) + 0.01 * s));
      }
    }
    return out;
  }

  @Test
  void selectsModelAndEpoch() {
    List<ResultRow> rows = new ArrayList<>(parabola("a", 5, 2, 10));
    rows.addAll(parabola("a", 5, 2, 3));
    rows.addAll(parabola("b", 5, 2, 7));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Analysis.of(rows, Analysis.Options.defaults()));
    assertEquals("the results hold 2 models (a, b): choose one with --model", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Analysis.of(rows, new Analysis.Options("c", null, null, null)));
    assertEquals("no model 'c' in the results; models: a, b", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Analysis.of(rows, new Analysis.Options("a", 5, null, null)));
    assertEquals("model a has no epoch 5; epochs: 3, 10", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Analysis.of(rows, new Analysis.Options("a", null, null, 10)));
    Analysis a = Analysis.of(rows, new Analysis.Options("a", null, null, null));
    assertEquals(10, a.epoch());
    assertEquals(List.of(3, 10), a.epochs());
    assertEquals(10, a.result().runs());
    assertEquals(1.0, a.correlations().get(0).pearson(), 1e-12); // epoch 3 against 10
    assertEquals(3, Analysis.of(rows, new Analysis.Options("a", 3, null, null)).epoch());
  }

  @Test
  void automaticMode() {
    assertEquals(
        Mode.GRAPH,
        Analysis.of(parabola("m", 20, 2, 1), Analysis.Options.defaults()).result().mode());
    assertEquals(
        Mode.BIN,
        Analysis.of(parabola("m", 20, 1, 1), Analysis.Options.defaults()).result().mode());
    assertEquals(
        Mode.BIN,
        Analysis.of(parabola("m", 201, 2, 1), Analysis.Options.defaults()).result().mode());
    assertEquals(
        Mode.BIN,
        Analysis.of(parabola("m", 20, 2, 1), new Analysis.Options(null, null, Mode.BIN, null))
            .result()
            .mode());
  }

  @Test
  void saysWhenTheBestBinHasASingleRun() {
    List<ResultRow> rows = new ArrayList<>();
    rows.add(row("m", 0, 0.3, 2.5, 1, 1, 20.0));
    rows.add(row("m", 1, 0.6, 3.5, 1, 1, 35.0));
    rows.add(row("m", 1, 0.6, 3.5, 2, 1, 35.5));
    Analysis a = Analysis.of(rows, Analysis.Options.defaults());
    assertEquals(Mode.BIN, a.result().mode());
    assertTrue(a.notes().stream().anyMatch(n -> n.startsWith("the best bin has a single run")));
    assertTrue(a.notes().stream().anyMatch(n -> n.startsWith("1 bins stay in the sweet spot")));
    assertEquals(2, a.result().sweetSpotBins().size());
  }

  @Test
  void fitsFindTheParabola() {
    Analysis a = Analysis.of(parabola("m", 30, 1, 1), Analysis.Options.defaults());
    Analysis.Fit c = a.fits().get(0);
    assertEquals("clustering", c.variable());
    // error = 30 + 10 (C - 0.4)² + 0.01 = 31.61 - 8 C + 10 C²
    assertEquals(31.61, c.coefficients()[0], 1e-9);
    assertEquals(-8.0, c.coefficients()[1], 1e-9);
    assertEquals(10.0, c.coefficients()[2], 1e-9);
    assertEquals(0.4, c.minimumAt(), 1e-9);
    assertEquals(1.0, c.rSquared(), 1e-12);
  }

  @Test
  void writesReportAndSaysWhatItSkipped(@TempDir Path dir) throws Exception {
    Analysis a = Analysis.of(parabola("m", 8, 3, 50), Analysis.Options.defaults());
    assertEquals(Mode.GRAPH, a.result().mode());
    assertTrue(a.skipped().containsKey("epoch_correlation"));
    assertTrue(a.skipped().containsKey("subset_correlation"));
    List<Path> files = AnalysisReport.write(a, dir, "x.csv");
    // heat map and two fits, PNG and SVG, the headline numbers and the report
    assertEquals(8, files.size());
    for (Path f : files) {
      assertTrue(Files.size(f) > 0, f.toString());
    }
    assertFalse(Files.exists(dir.resolve("epoch_correlation.png")));
    String md = Files.readString(dir.resolve("report.md"));
    assertTrue(md.contains("`epoch_correlation`: the data has a single epoch (50)"), md);
    assertTrue(md.contains("24 runs at epoch 50 on 8 graphs (3 runs per graph)"), md);
    JsonObject j = a.toJson();
    assertEquals("graph", j.get("mode").getAsString());
    assertTrue(j.get("baseline").isJsonNull());
    assertFalse(j.has("best_bin"));
    assertEquals(2, j.getAsJsonObject("sweet_spot").getAsJsonArray("clustering").size());
  }

  @Test
  void describesEpochs() {
    assertEquals("1..100", Analysis.describeEpochs(rangeList(1, 100)));
    assertEquals("1, 2, 5, 7..9", Analysis.describeEpochs(List.of(1, 2, 5, 7, 8, 9)));
    assertEquals("200", Analysis.describeEpochs(List.of(200)));
  }

  private static List<Integer> rangeList(int a, int b) {
    List<Integer> out = new ArrayList<>();
    for (int i = a; i <= b; i++) {
      out.add(i);
    }
    return out;
  }
}
