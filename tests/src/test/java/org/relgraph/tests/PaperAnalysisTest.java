package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relgraph.analysis.Analysis;
import org.relgraph.analysis.ResultRow;
import org.relgraph.analysis.ResultsCsv;
import org.relgraph.analysis.SweetSpot;
import org.relgraph.analysis.SweetSpot.Mode;
import org.relgraph.analysis.SweetSpot.Result;

/**
 * The paper's analysis on its own published results (resources/graph2nn, see the NOTICE there): the
 * sweet spots, baselines and the early-epoch correlation, to three decimals.
 */
class PaperAnalysisTest {
  static List<ResultRow> mlp;
  static List<ResultRow> imagenet;

  @BeforeAll
  static void read() throws IOException {
    mlp = resource("mlp_cifar10_results.csv.gz");
    imagenet = resource("imagenet_results.csv.gz");
  }

  static List<ResultRow> resource(String name) throws IOException {
    try (InputStream in = PaperAnalysisTest.class.getResourceAsStream("/graph2nn/" + name)) {
      return ResultsCsv.read(in, name);
    }
  }

  static String round3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  static String round2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  @Test
  void mlpSweetSpotPerBin() {
    Analysis a = Analysis.of(mlp, Analysis.Options.defaults());
    assertEquals("mlp-cifar10", a.model());
    assertEquals(200, a.epoch());
    Result r = a.result();
    assertEquals(Mode.BIN, r.mode()); // 3943 graphs: more than per-graph mode takes
    assertEquals("0.100", round3(r.clustering().lo()));
    assertEquals("0.500", round3(r.clustering().hi()));
    assertEquals("1.817", round3(r.pathLength().lo()));
    assertEquals("2.750", round3(r.pathLength().hi()));
    assertEquals("33.34", round2(r.baseline().mean()));
    assertEquals("0.36", round2(r.baseline().std()));
    assertEquals(5, r.baseline().n());
    assertEquals("31.98", round2(r.bestGraph().errors().mean()));
    assertEquals("0.45", round2(r.bestGraph().errors().std()));
    assertEquals(3943, r.graphs().size());
    assertEquals(19715, r.runs());
    assertEquals(0, r.runsOutsideBins());
    assertEquals(0, r.untested());
    assertEquals(12, r.sweetSpotBins().size());
  }

  @ParameterizedTest
  @CsvSource({
    "cnn6-imagenet,         0.300, 0.703, 1.572, 2.752",
    "resnet34-imagenet,     0.098, 0.636, 1.580, 2.522",
    "resnet34_sep-imagenet, 0.098, 0.703, 1.572, 2.529",
    "resnet50-imagenet,     0.430, 0.703, 1.572, 2.281",
    "efficientnet-imagenet, 0.123, 0.695, 1.408, 2.308"
  })
  void imagenetSweetSpotsPerGraph(String model, String cLo, String cHi, String lLo, String lHi) {
    Analysis a = Analysis.of(imagenet, new Analysis.Options(model, null, null, null));
    assertEquals(100, a.epoch());
    Result r = a.result();
    assertEquals(Mode.GRAPH, r.mode()); // 2-3 seeds per graph, about 50 graphs
    assertEquals(cLo, round3(r.clustering().lo()));
    assertEquals(cHi, round3(r.clustering().hi()));
    assertEquals(lLo, round3(r.pathLength().lo()));
    assertEquals(lHi, round3(r.pathLength().hi()));
  }

  @Test
  void resnet34EarlyEpochPredictsTheFinalOne() {
    Analysis a = Analysis.of(imagenet, new Analysis.Options("resnet34-imagenet", 100, null, 3));
    Analysis.Correlation c =
        a.correlations().stream().filter(x -> x.name().equals("epoch")).findFirst().orElseThrow();
    assertEquals(53, c.points()); // 52 graphs and the complete graph
    assertEquals("0.928", round3(c.pearson()));
    // the per-graph sweet spot of epoch 3 alone differs from epoch 100's
    Result early =
        SweetSpot.analyze(
            imagenet.stream()
                .filter(r -> r.model().equals("resnet34-imagenet") && r.epoch() == 3)
                .toList(),
            Mode.GRAPH);
    assertEquals("0.301", round3(early.clustering().lo()));
  }
}
