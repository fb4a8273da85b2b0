package org.relgraph.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The heat map's legend: labels the chart accepts (distinct) however narrow the error range. */
class HeatMapLegendTest {
  @Test
  void labelsAreDistinctWithAsManyDecimalsAsNeeded() {
    assertEquals(
        List.of("30.00%", "32.00%", "34.00%", "36.00%", "38.00%", "≥ 40.00%"),
        AnalysisPlots.legendLabels(30, 40));
    // 9.67 to 9.68: two decimals would repeat "9.67%"
    List<String> narrow = AnalysisPlots.legendLabels(9.67, 9.68);
    assertEquals(6, new HashSet<>(narrow).size(), narrow.toString());
    assertEquals("9.670%", narrow.get(0));
    assertEquals("≥ 9.680%", narrow.get(5));
    // one bin, or bins of one mean: one entry
    assertEquals(List.of("34.36%"), AnalysisPlots.legendLabels(34.36, 34.36 + 1e-9));
  }

  @Test
  void aReportIsWrittenForOneRun(@TempDir Path dir) throws Exception {
    List<ResultRow> rows =
        List.of(ResultRow.of("mlp-x", "ws-flex", 0.25, 0.1, 1L, 0.46, 1.68, 0, 1, 34.36, 64));
    Analysis a = Analysis.of(rows, Analysis.Options.defaults());
    List<Path> files = AnalysisReport.write(a, dir.resolve("out"), "one.db");
    assertTrue(files.contains(dir.resolve("out").resolve("heatmap.png")), files.toString());
    for (Path f : files) {
      assertTrue(Files.size(f) > 0, f.toString());
    }
  }

  @Test
  void aReportIsWrittenWhenEveryGraphIsInOneBin(@TempDir Path dir) throws Exception {
    List<ResultRow> rows = new java.util.ArrayList<>();
    for (int g = 0; g < 3; g++) {
      for (int seed = 0; seed < 2; seed++) {
        rows.add(
            ResultRow.of(
                "mlp-x",
                "ws-flex",
                0.25,
                0.1 * g,
                (long) g,
                0.46,
                1.68,
                seed,
                1,
                9.67 + 0.001 * g,
                64));
      }
    }
    Analysis a = Analysis.of(rows, Analysis.Options.defaults());
    List<Path> files = AnalysisReport.write(a, dir.resolve("out"), "bin.db");
    assertTrue(Files.exists(dir.resolve("out").resolve("report.md")), files.toString());
  }
}
