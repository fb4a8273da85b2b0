package org.relgraph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.BareSgemm;
import org.relgraph.engine.CpuBackend;
import org.relgraph.engine.JavaBackend;
import org.relgraph.train.Dataset;
import org.relgraph.train.Datasets;

/**
 * The dense baseline against the bare sgemm loop: the 10% rule, its lines, where they come from.
 */
class BaselineCheckTest {
  @Test
  void aBaselineMoreThanTenPercentSlowerIsAWarning() {
    BaselineCheck ok = new BaselineCheck("batch 128, width 512, forward", 1.10, 1.0);
    assertFalse(ok.trails());
    assertEquals(
        "dense baseline, batch 128, width 512, forward: 1.100 ms, bare sgemm 1.000 ms (1.10x)",
        ok.line());
    BaselineCheck slow = new BaselineCheck("batch 128, width 512, step", 1.74, 0.48);
    assertTrue(slow.trails());
    assertEquals(1.74 / 0.48, slow.ratio(), 1e-12);
    assertTrue(
        slow.line()
            .startsWith(
                "WARNING: dense baseline, batch 128, width 512, step: 1.740 ms, bare sgemm 0.480"
                    + " ms (3.63x): the baseline trails the bare loop by more than 10%"),
        slow.line());
  }

  @Test
  void denseRowsArePairedWithTheBareRowsOfTheSameShape() {
    List<LayerBench.Row> rows =
        List.of(
            new LayerBench.Row("dense", "forward", 128, 512, 64, 1, 2.0, 1),
            new LayerBench.Row("bare-sgemm", "forward", 128, 512, 64, 1, 1.0, 1),
            new LayerBench.Row("dense", "step", 128, 512, 64, 1, 3.0, 1),
            new LayerBench.Row("bare-sgemm", "step", 128, 512, 64, 1, 2.9, 1),
            new LayerBench.Row("bare-sgemm", "step", 1024, 512, 64, 1, 9.0, 1),
            new LayerBench.Row("blocksparse", "step", 128, 512, 64, 0.14, 0.5, 1),
            new LayerBench.Row("dense", "matched_stack", 128, 512, 64, 1, 4.0, 1),
            new LayerBench.Row("bare-sgemm", "matched_stack", 128, 512, 64, 1, 3.9, 1));
    List<BaselineCheck> checks = LayerBench.baselineChecks(rows);
    assertEquals(
        List.of(
            new BaselineCheck("batch 128, width 512, forward", 2.0, 1.0),
            new BaselineCheck("batch 128, width 512, step", 3.0, 2.9),
            new BaselineCheck("batch 128, width 512, matched_stack", 4.0, 3.9)),
        checks);
    assertEquals(List.of(true, false, false), checks.stream().map(BaselineCheck::trails).toList());
  }

  @Test
  void theEpochBenchmarkTimesTheDenseLayerAgainstTheBareLoop() {
    Dataset data = Datasets.load("synthetic", null);
    LayerBench.Timing quick = new LayerBench.Timing(0.001, 0.01, 3, 0.01, 0);
    CpuBackend cpu = CpuBackend.create(CpuBackend.bestIsa(), 2);
    BaselineCheck c = new EpochBench(data, cpu, 1, 0.125, 0.3, 1).denseCheck(quick).orElseThrow();
    assertTrue(c.what().matches("relational layer (\\d+) -> \\1, batch 128, step"), c.what());
    assertTrue(c.baselineMs() > 0 && c.bareMs() > 0, c.line());
    // every library that loads is timed; the check takes the faster
    EpochBench.DenseTimes t = new EpochBench(data, cpu, 1, 0.125, 0.3, 1).denseTimes(quick).get();
    assertTrue(t.bareMs().containsKey(BareSgemm.Library.OPENBLAS), t.bareMs().toString());
    assertTrue(
        t.bareLines().get(0).startsWith("bare openblas, " + t.what() + ": "), t.bareLines().get(0));
    double fastest =
        t.bareMs().values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    assertEquals(fastest, t.check().bareMs());
    assertTrue(
        new EpochBench(data, new JavaBackend(), 1, 0.125, 0.3, 1).denseCheck(quick).isEmpty());
  }
}
