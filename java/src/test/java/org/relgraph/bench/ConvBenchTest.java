package org.relgraph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relgraph.engine.BareSgemm;
import org.relgraph.engine.CpuBackend;
import org.relgraph.nn.Conv;
import org.relgraph.nn.ExecutionMode;

/** The convolution benchmark's shapes, matching, rows and closing lines. */
class ConvBenchTest {
  private static final LayerBench.Timing TINY = new LayerBench.Timing(0.001, 0.004, 3, 0.01, 0);

  @Test
  void shapesAreThePapersStages() {
    assertEquals(7, ConvBench.allShapes().size());
    assertEquals(new ConvBench.Shape("cifar", 2, 128, 16), ConvBench.shape("cifar", 2));
    assertEquals(new ConvBench.Shape("resnet34", 4, 512, 7), ConvBench.shape("resnet34", 4));
    ConvBench.Config quick = ConvBench.Config.quick(2);
    assertEquals(
        List.of(ConvBench.shape("cifar", 3), ConvBench.shape("resnet34", 4)), quick.shapes());
    assertEquals(List.of(32, 128), List.of(ConvBench.BATCHES[0], ConvBench.BATCHES[1]));
  }

  @Test
  void badConfigurationsAreRefusedBeforeAnyWork() {
    List<ConvBench.Shape> one = List.of(ConvBench.shape("cifar", 3));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ConvBench.Config(one, new int[] {5}, new int[] {1}, 1, TINY));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ConvBench.Config(one, new int[] {3}, new int[] {0}, 1, TINY));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ConvBench.Config(one, new int[] {3}, new int[] {1}, 0, TINY));
    // an im2col matrix of more than 2^31 - 9 values
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ConvBench.Config(
                List.of(ConvBench.shape("resnet34", 1)), new int[] {3}, new int[] {4096}, 1, TINY));
    assertThrows(IllegalArgumentException.class, () -> new ConvBench.Shape("x", 1, 63, 8));
  }

  /** The matched convolution does at least the dense one's multiply-adds, one channel less not. */
  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void matchedWidthReachesTheDenseConvolutionsMultiplyAdds(int kernel) {
    for (ConvBench.Shape s : ConvBench.allShapes()) {
      int c = s.channels();
      int w = ConvBench.matchedWidth(c);
      assertTrue(w > c, s.text());
      long dense = (long) c * c * kernel * kernel;
      assertTrue(perPixel(w, kernel) >= dense, s.text() + " w=" + w);
      assertTrue(perPixel(w - 1, kernel) < dense, s.text() + " w=" + w + " not the smallest");
    }
  }

  private static long perPixel(int w, int kernel) {
    try (Conv conv =
        Conv.relational(
            new org.relgraph.engine.JavaBackend(),
            "c",
            ExecutionMode.BLOCKSPARSE,
            ConvBench.graph(),
            org.relgraph.model.ChannelPartition.of(w, LayerBench.NODES, LayerBench.SEED),
            org.relgraph.model.ChannelPartition.of(w, LayerBench.NODES, LayerBench.SEED),
            kernel,
            1)) {
      return conv.multiplyAddsPerPixel();
    }
  }

  @Test
  void runGivesEveryRowAndTheClosingLines() {
    Assumptions.assumeTrue(CpuBackend.isAvailable(), "native backend unavailable");
    ConvBench.Shape tiny = new ConvBench.Shape("test", 1, 64, 3);
    ConvBench.Config config =
        new ConvBench.Config(List.of(tiny), new int[] {3, 1}, new int[] {2}, 2, TINY);
    ConvBench bench =
        new ConvBench(config, CpuBackend.create(CpuBackend.bestIsa(), 2), "baseline=openblas");
    String comment = bench.comment();
    assertTrue(comment.startsWith("# dense: OpenBLAS "), comment);
    assertTrue(comment.contains("timed: forward only"), comment);
    assertTrue(
        bench.oneDnnTimed()
            ? comment.matches(
                ".*onednn-conv: oneDNN convolution primitive, impl \\S+ at test stage 1 \\(64 ch,"
                    + " 3x3\\) 3x3 batch 2, its own layouts, reorders untimed and dense \\(im2col"
                    + " \\+ openblas sgemm\\).*")
            : comment.contains("onednn-conv not timed ("),
        comment);
    List<ConvBench.Row> seen = new ArrayList<>();
    List<ConvBench.Row> rows = bench.run(seen::add);
    assertEquals(rows, seen);
    int perKernel = bench.oneDnnTimed() ? 5 : 4;
    assertEquals(2 * perKernel, rows.size());
    int w = ConvBench.matchedWidth(64);
    List<String> expected = new ArrayList<>();
    if (bench.oneDnnTimed()) {
      expected.add("onednn-conv 64");
    }
    expected.addAll(List.of("dense 64", "blocksparse " + w, "masked " + w, "dense " + w));
    for (int i = 0; i < rows.size(); i++) {
      ConvBench.Row r = rows.get(i);
      assertEquals(expected.get(i % perKernel), r.backend() + " " + r.width(), r.csv());
      assertEquals(i < perKernel ? 3 : 1, r.kernel(), r.csv());
      assertTrue(r.ms() > 0 && r.gflops() > 0, r.csv());
      assertEquals(ConvBench.HEADER.split(",").length, r.csv().split(",").length, r.csv());
      assertTrue(r.csv().startsWith(r.backend() + ",forward,test,1,"), r.csv());
      double density = r.backend().equals("dense") || r.width() == 64 ? 1 : 0.140625;
      assertEquals(density, r.density(), 1e-12, r.csv());
    }
    Map<String, Double> floors = bench.floors();
    assertEquals(2, floors.size(), floors.toString());
    for (int k : new int[] {3, 1}) {
      Double f = floors.get(ConvBench.floorKey(tiny, k, 2));
      assertTrue(f != null && f > 0, k + "x" + k + ": " + floors);
    }
    assertFalse(ConvBench.summary(rows).get(0).contains("memory floor"));
    List<String> summary = ConvBench.summary(rows, floors);
    assertEquals(2, summary.size());
    for (String line : summary) {
      assertTrue(line.matches(".*; memory floor \\d+\\.\\d{3} ms = \\d+\\.\\d{2}x baseline"), line);
    }
    assertTrue(
        summary.get(0).startsWith("test stage 1 (64 ch, 3x3) 3x3, batch 2: baseline "),
        summary.get(0));
    assertTrue(summary.get(0).contains("; blocksparse w=" + w + " "), summary.get(0));
    assertTrue(summary.get(1).contains("; masked/blocksparse = "), summary.get(1));
  }

  @Test
  void memoryFloorEndsTheClosingLineAsAShareOfTheBaseline() {
    ConvBench.Shape s = new ConvBench.Shape("test", 2, 64, 8);
    List<ConvBench.Row> rows =
        List.of(
            new ConvBench.Row("dense", s, 1, 4, 64, 64, 1, 2.0, 1),
            new ConvBench.Row("blocksparse", s, 1, 4, 172, 64, 0.140625, 5.0, 1),
            new ConvBench.Row("masked", s, 1, 4, 172, 64, 0.140625, 10.0, 1));
    Map<String, Double> floors = Map.of(ConvBench.floorKey(s, 1, 4), 3.0);
    assertEquals(
        List.of(
            "test stage 2 (64 ch, 8x8) 1x1, batch 4: baseline dense 2.000 ms (onednn-conv not"
                + " timed); blocksparse w=172 5.000 ms = 2.50x baseline; masked/blocksparse ="
                + " 2.00x; memory floor 3.000 ms = 1.50x baseline"),
        ConvBench.summary(rows, floors));
    assertEquals(
        List.of(
            "test stage 2 (64 ch, 8x8) 1x1, batch 4: baseline dense 2.000 ms (onednn-conv not"
                + " timed); blocksparse w=172 5.000 ms = 2.50x baseline; masked/blocksparse ="
                + " 2.00x"),
        ConvBench.summary(rows, Map.of(ConvBench.floorKey(s, 3, 4), 3.0)));
  }

  /** The oneDNN row and the dense row at the stage's width compute the same convolution. */
  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void bothBaselinesComputeTheSameConvolution(int kernel) {
    Assumptions.assumeTrue(CpuBackend.isAvailable(), "native backend unavailable");
    Throwable why = BareSgemm.Library.DNNL.unavailabilityCause();
    Assumptions.assumeTrue(why == null, () -> "oneDNN does not load: " + why);
    ConvBench.Shape tiny = new ConvBench.Shape("test", 1, 64, 5);
    CpuBackend cpu = CpuBackend.create(CpuBackend.bestIsa(), 2);
    ConvBench.Case dnn = new ConvBench.Case(null, tiny, kernel, 3, 64);
    ConvBench.Case dense = new ConvBench.Case(ExecutionMode.DENSE, tiny, kernel, 3, 64);
    float[] a;
    float[] b;
    try (ConvBench.Timed t = dense.create(cpu, ConvBench.graph(), 7)) {
      t.forward();
      a = t.output();
    }
    try (ConvBench.Timed t = dnn.create(cpu, ConvBench.graph(), 7)) {
      t.forward();
      b = t.output();
    }
    assertEquals(a.length, b.length);
    for (int i = 0; i < a.length; i++) {
      assertEquals(
          a[i], b[i], 1e-5 * 64 * kernel * kernel * Math.max(1, Math.abs(a[i])), "at " + i);
    }
  }

  @Test
  void sgemmShapesAreTheDenseProductsCapped() {
    ConvBench.Config quick = ConvBench.Config.quick(1);
    List<int[]> shapes = ConvBench.sgemmShapes(quick);
    assertEquals(4, shapes.size());
    assertEquals(
        List.of(256, 256 * 9, 32 * 64),
        List.of(shapes.get(0)[0], shapes.get(0)[1], shapes.get(0)[2]));
    assertEquals(
        List.of(512, 512, 32 * 49), List.of(shapes.get(3)[0], shapes.get(3)[1], shapes.get(3)[2]));
    ConvBench.Config big = quick.withBatches(new int[] {128});
    assertEquals(ConvBench.SGEMM_COLUMNS, ConvBench.sgemmShapes(big).get(0)[2]);
  }
}
