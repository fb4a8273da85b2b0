package org.relgraph.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

/**
 * The analysis of a study with several node counts: the graphs of one node count against the
 * complete graph at that count, the others (brain networks) one by one against the complete graph
 * at theirs, the best graph against the baseline with its power, both granularities, and another
 * results set beside it.
 */
class StudyComparisonsTest {
  static final double[] NOISE = {-0.1, 0.1, 0.0, 0.05, -0.05};

  /** A WS-flex graph of {@code n} nodes with errors {@code mean + NOISE[seed]}. */
  static List<ResultRow> graph(int n, long seed, double c, double l, double mean, int seeds) {
    List<ResultRow> out = new ArrayList<>();
    for (int s = 0; s < seeds; s++) {
      String key = ResultRow.graphKey("ws-flex", 0.25, 0.1 * seed, seed) + " n=" + n;
      out.add(
          new ResultRow(
              "m",
              "ws-flex",
              0.25,
              0.1 * seed,
              seed,
              c,
              l,
              s,
              10,
              mean + NOISE[s],
              512,
              key,
              null,
              n));
    }
    return out;
  }

  static List<ResultRow> complete(int n, double mean, int seeds) {
    List<ResultRow> out = new ArrayList<>();
    for (int s = 0; s < seeds; s++) {
      out.add(
          new ResultRow(
              "m", "complete", 1, 0, null, 1, 1, s, 10, mean + NOISE[s], 512, "complete", null, n));
    }
    return out;
  }

  static List<ResultRow> brain(String file, int n, double c, double l, double mean, int seeds) {
    List<ResultRow> out = new ArrayList<>();
    for (int s = 0; s < seeds; s++) {
      String key = "file k/n=NaN p=NaN seed=- n=" + n + " file=" + file;
      out.add(
          new ResultRow(
              "m",
              "file",
              Double.NaN,
              Double.NaN,
              null,
              c,
              l,
              s,
              10,
              mean + NOISE[s],
              512,
              key,
              file,
              n));
    }
    return out;
  }

  static List<ResultRow> study() {
    List<ResultRow> rows = new ArrayList<>();
    rows.addAll(graph(64, 1, 0.3, 2.0, 10.0, 5));
    rows.addAll(graph(64, 2, 0.5, 2.5, 10.2, 5));
    rows.addAll(graph(64, 3, 0.7, 3.5, 11.0, 5));
    rows.addAll(complete(64, 9.6, 5));
    rows.addAll(complete(52, 9.6, 5));
    rows.addAll(
        brain("java/src/main/resources/org/relgraph/graph/brain/cat.txt", 52, 0.67, 1.63, 10.6, 5));
    return rows;
  }

  @Test
  void brainNetworksGoByTheirNames() {
    assertEquals("brain:cat", GraphNames.of("some/where/brain/cat.txt"));
    assertEquals("brain:macaque-whole", GraphNames.of("brain\\macaque_whole.txt"));
    assertEquals("brain:macaque-visual", GraphNames.of("brain:macaque-visual"));
    assertNull(GraphNames.of("cat.txt"));
    assertNull(GraphNames.of("graphs/brain/dog.txt"));
    assertNull(GraphNames.of(null));
  }

  @Test
  void otherNodeCountsAreComparedWithTheirOwnBaseline() {
    Analysis a = Analysis.of(study(), new Analysis.Options(null, null, Mode.GRAPH, null, 64));
    assertEquals(64, a.nodes());
    SweetSpot.Result r = a.result();
    assertEquals(4, r.graphs().size(), "three graphs and the complete graph of 64 nodes");
    assertEquals(20, r.runs());
    assertEquals(5, r.baseline().n(), "the complete graph at 64 nodes only");
    assertEquals(1, a.others().size());
    GraphComparisons.Other cat = a.others().get(0);
    assertEquals("brain:cat", cat.name());
    assertEquals(52, cat.nodes());
    assertEquals(10.6, cat.errors().mean(), 1e-9);
    assertEquals(9.6, cat.baseline().mean(), 1e-9);
    assertEquals(5, cat.baseline().n());
    assertTrue(cat.pVsBaseline() < 1e-6, "a point apart at a spread of 0.07: " + cat.pVsBaseline());
    assertTrue(cat.pWorseThanBest() < 1e-4, "worse than the best graph (10.0)");

    GraphComparisons.BestVsBaseline v = a.bestVsBaseline();
    assertEquals(10.0, v.best().errors().mean(), 1e-9);
    assertEquals(-0.4, v.difference(), 1e-9);
    assertEquals(3, v.graphs());
    assertEquals(Math.min(1, 3 * v.pTwoSided()), v.pBonferroni(), 1e-12);
    assertTrue(v.significant());
    // every graph has the same seeds' noise: the pooled sample std is NOISE's
    assertEquals(Math.sqrt(0.025 / 4), v.pooledStd(), 1e-12);
    assertTrue(v.detectable() > 0.1 && v.detectable() < 0.3, "" + v.detectable());

    assertEquals(Mode.BIN, a.alternative().mode());
    JsonObject json = a.toJson();
    assertEquals(64, json.get("nodes").getAsInt());
    assertTrue(json.getAsJsonObject("sweet_spots").has("bin"));
    assertTrue(json.getAsJsonObject("sweet_spots").has("graph"));
    assertEquals(
        "brain:cat",
        json.getAsJsonArray("others").get(0).getAsJsonObject().get("name").getAsString());
    assertTrue(json.getAsJsonObject("best_vs_baseline").get("significant").getAsBoolean());
  }

  @Test
  void withoutNodesEveryRunIsAnalysedAsBefore() {
    Analysis a = Analysis.of(study(), Analysis.Options.defaults());
    assertNull(a.nodes());
    assertTrue(a.others().isEmpty());
    assertEquals(30, a.result().runs());
  }

  @Test
  void nodesMustFitTheData() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Analysis.of(study(), new Analysis.Options(null, null, null, null, 16)));
    List<ResultRow> csv =
        List.of(ResultRow.of("m", "ws-flex", 0.25, 0.1, 1L, 0.3, 2.0, 0, 10, 10.0, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> Analysis.of(csv, new Analysis.Options(null, null, null, null, 64)));
  }

  @Test
  void anotherResultsSetIsSetBeside(@TempDir Path dir) throws Exception {
    Analysis ours = Analysis.of(study(), new Analysis.Options(null, null, Mode.GRAPH, null, 64));
    List<ResultRow> theirs = new ArrayList<>();
    theirs.addAll(graph(64, 1, 0.3, 2.0, 33.0, 5));
    theirs.addAll(graph(64, 2, 0.5, 2.5, 32.0, 5));
    theirs.addAll(graph(64, 3, 0.7, 3.5, 34.0, 5));
    theirs.addAll(graph(64, 4, 0.2, 1.5, 33.5, 5));
    theirs.addAll(complete(64, 33.4, 5));
    Analysis other = Analysis.of(theirs, Analysis.Options.defaults());
    DatasetComparison c = DatasetComparison.of(ours, other, "theirs.csv");
    assertEquals(3, c.shared(), "graphs 1, 2 and 3 are in both");
    // (10, 10.2, 11) against (33, 32, 34)
    assertEquals(0.8 / Math.sqrt(0.56 * 2), c.sharedPearson(), 1e-9);
    assertTrue(DatasetComparison.overlap(new SweetSpot.Range(0, 1), new SweetSpot.Range(1, 2)));
    assertFalse(DatasetComparison.overlap(new SweetSpot.Range(0, 1), new SweetSpot.Range(1.5, 2)));

    List<Path> files = AnalysisReport.write(ours, dir, "results.db", c);
    String report = Files.readString(dir.resolve("report.md"));
    assertTrue(report.contains("## Against m"), report);
    assertTrue(report.contains("| brain:cat | 52 | 0.670 | 1.630 | 10.60 ± 0.07 (5) |"), report);
    assertTrue(report.contains("the difference is significant"), report);
    assertTrue(files.contains(dir.resolve("compare_heatmap.png")));
    assertTrue(files.contains(dir.resolve("compare_error_vs_clustering.png")));
    assertTrue(files.contains(dir.resolve("compare_graphs.png")));
    assertTrue(files.contains(dir.resolve("headline.json")));
    assertTrue(Files.readString(dir.resolve("headline.json")).contains("\"shared_graphs\": 3"));
  }
}
