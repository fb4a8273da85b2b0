package org.relgraph.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.JavaBackend;
import org.relgraph.graph.GraphSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.train.Dataset;
import org.relgraph.train.Datasets;
import org.relgraph.train.RunConfig;
import org.relgraph.train.TrainConfig;
import org.relgraph.train.TrainingRun;

class SweepTrainersTest {
  private static final Dataset DATA = Datasets.synthetic(64, 32, 8, 2, 1);
  private static final String PAPER_KEY =
      "model=m;dataset="
          + DATA.name()
          + ";mode=blocksparse;width=matched;epochs=3;batch=128;lr=0.1;momentum=0.9;wd=5.0E-4"
          + ";nesterov=true;schedule=cosine";

  private static RunConfig config(int stemWidth) {
    return new RunConfig(
        null,
        DATA.name(),
        null,
        "m",
        null,
        ExecutionMode.BLOCKSPARSE,
        "java",
        1,
        TrainingRun.MATCH,
        stemWidth,
        TrainConfig.paper(3, 0));
  }

  private static String key(int stemWidth) {
    return SweepTrainers.real(config(stemWidth), DATA, JavaBackend::new).configKey();
  }

  /** Databases written before --stem-width existed resume: the paper's width adds nothing. */
  @Test
  void theStemWidthEntersTheKeyOnlyWhenItIsNotThePapers() {
    assertEquals(PAPER_KEY, key(512));
    assertEquals(PAPER_KEY.replace("width=matched;", "width=matched;stem_width=1024;"), key(1024));
  }

  @Test
  void theTestTrainersKeyNamesIt() {
    SweepTrainers.Options o = new SweepTrainers.Options("fake", "mlp-x", 4, 0, null);
    assertEquals("trainer=fake;model=mlp-x;epochs=4", o.configKey());
    assertEquals(o.configKey(), SweepTrainers.forOptions(o).configKey());
    assertThrows(
        IllegalArgumentException.class,
        () -> SweepTrainers.real(o.runConfig(), DATA, JavaBackend::new));
  }

  /**
   * A sweep graph's spec names the same graph: every graph of the paper's sets, brains, baselines.
   */
  @Test
  void aSweepGraphsSpecRegeneratesIt() {
    List<SweepGraph> graphs =
        new ArrayList<>(
            SweepGraphs.load(
                List.of(
                    "paper:52",
                    "paper:48",
                    "brain:cat",
                    "brain:macaque-visual",
                    "brain:macaque-whole")));
    graphs.add(SweepGraph.complete(64));
    graphs.add(SweepGraph.wsFlex(30, 0.3, 0.1, 5)); // k/n · n not a whole number
    for (SweepGraph g : graphs) {
      assertEquals(g.graph(), GraphSpec.parse(g.spec()).graph(), g.spec());
    }
    assertEquals("complete:n=64", SweepGraph.complete(64).spec());
    assertEquals("brain:cat", SweepGraphs.load("brain:cat").get(0).spec());
  }

  /**
   * A worker given a run's configuration as JSON (as on another machine) trains the same run as the
   * sweep's own trainer: same width, FLOPs and errors, epoch by epoch.
   */
  @Test
  void aWorkerTrainsTheRunItsJsonDescribes() throws Exception {
    RunConfig sweep =
        new RunConfig(
            null,
            "synthetic",
            null,
            "mlp-synthetic",
            null,
            ExecutionMode.BLOCKSPARSE,
            "java",
            1,
            TrainingRun.MATCH,
            16,
            new TrainConfig(1, 256, 0.1f, 0.9f, 5e-4f, true, 0, 1000));
    SweepGraph graph = SweepGraph.wsFlex(8, 0.25, 0.5, 3);
    SweepTrainers.Configured local = SweepTrainers.real(sweep, sweep.loadData(), JavaBackend::new);
    List<EpochMetrics> seen = new ArrayList<>();
    RunResult here = local.trainer().train(graph, 2, seen::add);

    String wire = sweep.forRun(graph.spec(), 2).toJson();
    assertEquals(graph.graph(), GraphSpec.parse(RunConfig.fromJson(wire).graph()).graph());
    RunResult there = SweepTrainers.train(RunConfig.fromJson(wire), m -> {});
    assertEquals(here.width(), there.width());
    assertEquals(here.flops(), there.flops());
    assertEquals(here.top1Error(), there.top1Error());
    assertEquals(here.epochs().size(), there.epochs().size());
    for (int e = 0; e < here.epochs().size(); e++) {
      assertEquals(here.epochs().get(e).trainLoss(), there.epochs().get(e).trainLoss());
      assertEquals(here.epochs().get(e).testError(), there.epochs().get(e).testError());
    }
    assertEquals(1, seen.size());
    assertEquals("mlp-synthetic", there.model());
  }
}
