package org.relgraph.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.relgraph.analysis.SweetSpot.Bin;
import org.relgraph.analysis.SweetSpot.Mode;
import org.relgraph.analysis.SweetSpot.Result;

class SweetSpotTest {
  /** Runs of one ws-flex graph with the given C, L and errors (training seeds 1, 2, ...). */
  static List<ResultRow> graph(int id, double c, double l, double... errors) {
    List<ResultRow> out = new ArrayList<>();
    for (int s = 0; s < errors.length; s++) {
      out.add(ResultRow.of("m", "ws-flex", 0.25, 0.5, (long) id, c, l, s + 1, 10, errors[s], 100));
    }
    return out;
  }

  static List<ResultRow> complete(double... errors) {
    List<ResultRow> out = new ArrayList<>();
    for (int s = 0; s < errors.length; s++) {
      out.add(ResultRow.of("m", "complete", 1, 0, null, 1, 1, s + 1, 10, errors[s], 64));
    }
    return out;
  }

  @Test
  void oneTailedPValueFollowsTheDirection() {
    double[] worse = {31.0, 32.5, 33.0, 32.0};
    double[] best = {30.0, 30.5, 31.0};
    // scipy.stats.ttest_ind(worse, best, alternative='greater').pvalue
    assertEquals(0.016854957417430903, SweetSpot.pWorse(worse, best), 1e-12);
    assertEquals(1 - 0.016854957417430903, SweetSpot.pWorse(best, worse), 1e-12);
    assertEquals(0.5, SweetSpot.pWorse(best, best), 1e-12);
  }

  @Test
  void fewerThanTwoSamplesOnASideIsNotTested() {
    assertTrue(Double.isNaN(SweetSpot.pWorse(new double[] {50}, new double[] {1, 2})));
    assertTrue(Double.isNaN(SweetSpot.pWorse(new double[] {1, 2}, new double[] {0})));
  }

  @Test
  void samplesWithoutSpreadCompareByMean() {
    assertEquals(0.0, SweetSpot.pWorse(new double[] {2, 2}, new double[] {1, 1, 1}));
    assertEquals(1.0, SweetSpot.pWorse(new double[] {0, 0}, new double[] {1, 1}));
    assertEquals(0.5, SweetSpot.pWorse(new double[] {1, 1}, new double[] {1, 1}));
  }

  @Test
  void binEdges() {
    assertEquals(0, SweetSpot.cBin(0.0));
    assertEquals(14, SweetSpot.cBin(1.0));
    assertEquals(0, SweetSpot.lBin(1.0));
    assertEquals(14, SweetSpot.lBin(4.5));
    assertEquals(14, SweetSpot.lBin(Math.nextDown(4.5)));
    assertEquals(3, SweetSpot.cBin(0.2)); // the lower edge of bin 3
    assertEquals(2, SweetSpot.cBin(Math.nextDown(0.2)));
    assertEquals(1, SweetSpot.cBin(1.0 / 15));
    assertEquals(0, SweetSpot.cBin(Math.nextDown(1.0 / 15)));
    assertEquals(6, SweetSpot.lBin(1 + 6 * 3.5 / 15));
    assertEquals(5, SweetSpot.lBin(Math.nextDown(1 + 6 * 3.5 / 15)));
    assertEquals(-1, SweetSpot.cBin(-1e-9));
    assertEquals(-1, SweetSpot.cBin(Math.nextUp(1.0)));
    assertEquals(-1, SweetSpot.lBin(0.999));
    assertEquals(-1, SweetSpot.lBin(4.6));
    assertEquals(-1, SweetSpot.lBin(Double.NaN));
    assertEquals(0.1, SweetSpot.centre(1, 0, 1), 1e-15);
    assertEquals(1.8166666666666667, SweetSpot.centre(3, 1, 4.5), 1e-12);
  }

  @Test
  void perBinSweetSpotSpansTheCentresOfBinsNotShownWorse() {
    List<ResultRow> rows = new ArrayList<>();
    rows.addAll(graph(1, 0.30, 2.5, 30.0, 30.2, 29.8)); // bin (4, 6): best
    rows.addAll(graph(2, 0.31, 2.52, 30.1, 29.9, 30.3)); // same bin, another graph
    rows.addAll(graph(3, 0.10, 1.9, 30.3, 29.7, 30.5)); // bin (1, 3): not shown worse
    rows.addAll(graph(4, 0.55, 2.7, 35.0, 35.2, 34.9)); // bin (8, 7): clearly worse
    rows.addAll(graph(5, 0.50, 2.9, 33.0)); // bin (7, 8): one run, untested, kept
    rows.addAll(complete(36.0, 36.4)); // bin (14, 0), clearly worse
    rows.addAll(graph(6, 0.5, 4.7, 20.0, 20.0)); // L outside the bins: no bin
    Result r = SweetSpot.analyze(rows, Mode.BIN);
    assertEquals(Mode.BIN, r.mode());
    assertEquals(2, r.runsOutsideBins());
    assertEquals(5, r.bins().size());
    Bin best = r.bestBin();
    assertEquals(4, best.cIndex());
    assertEquals(6, best.lIndex());
    assertEquals(2, best.graphs());
    assertEquals(6, best.errors().n());
    assertEquals(30.05, best.errors().mean(), 1e-12);
    assertEquals(1, r.untested());
    assertEquals(3, r.sweetSpotBins().size());
    assertEquals(SweetSpot.centre(1, 0, 1), r.clustering().lo(), 1e-12);
    assertEquals(SweetSpot.centre(7, 0, 1), r.clustering().hi(), 1e-12);
    assertEquals(SweetSpot.centre(3, 1, 4.5), r.pathLength().lo(), 1e-12);
    assertEquals(SweetSpot.centre(8, 1, 4.5), r.pathLength().hi(), 1e-12);
    Bin completeBin =
        r.bins().stream().filter(b -> b.cIndex() == 14 && b.lIndex() == 0).findFirst().get();
    assertFalse(completeBin.inSweetSpot());
    assertTrue(completeBin.pWorse() < 0.05);
    // the graph outside the bins is still a graph, and the best one
    assertEquals(20.0, r.bestGraph().errors().mean(), 1e-12);
    assertEquals(36.2, r.baseline().mean(), 1e-12);
    assertEquals(0.2, r.baseline().std(), 1e-12);
  }

  @Test
  void perGraphSweetSpotSpansTheKeptGraphsActualValues() {
    List<ResultRow> rows = new ArrayList<>();
    rows.addAll(graph(1, 0.30, 2.5, 30.0, 30.2, 29.8)); // best
    rows.addAll(graph(2, 0.12, 2.6, 30.1, 29.9, 30.4)); // kept
    rows.addAll(graph(3, 0.44, 1.7, 30.3, 29.7, 30.5)); // kept
    rows.addAll(graph(4, 0.70, 3.5, 35.0, 35.2, 34.9)); // worse
    rows.addAll(complete(36.0, 36.4, 36.2));
    Result r = SweetSpot.analyze(rows, Mode.GRAPH);
    assertEquals(5, r.graphs().size());
    assertEquals(3, r.sweetSpotGraphs().size());
    assertEquals(new SweetSpot.Range(0.12, 0.44), r.clustering());
    assertEquals(new SweetSpot.Range(1.7, 2.6), r.pathLength());
    assertEquals(30.0, r.bestGraph().errors().mean(), 1e-12);
    assertEquals(Math.sqrt(0.08 / 3), r.bestGraph().errors().std(), 1e-12);
    assertEquals(0.30, r.bestGraph().clustering());
    assertEquals(36.2, r.baseline().mean(), 1e-12);
    assertEquals(Math.sqrt(0.08 / 3), r.baseline().std(), 1e-12);
    assertEquals(0, r.untested());
  }

  @Test
  void bestBinWithOneSampleLeavesEveryBinUntested() {
    List<ResultRow> rows = new ArrayList<>();
    rows.addAll(graph(1, 0.3, 2.5, 20.0));
    rows.addAll(graph(2, 0.6, 3.5, 35.0, 35.2, 34.9));
    Result r = SweetSpot.analyze(rows, Mode.BIN);
    assertEquals(1, r.untested());
    assertEquals(2, r.sweetSpotBins().size());
  }

  @Test
  void noBaselineWithoutCompleteRuns() {
    Result r = SweetSpot.analyze(graph(1, 0.3, 2.5, 30, 31), Mode.GRAPH);
    assertNull(r.baseline());
    assertThrows(IllegalArgumentException.class, () -> SweetSpot.analyze(List.of(), Mode.BIN));
    assertThrows(
        IllegalArgumentException.class,
        () -> SweetSpot.analyze(graph(1, 0.3, 9.0, 30, 31), Mode.BIN));
  }
}
