package org.relgraph.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.infra.Blackhole;
import org.relgraph.bench.ConvBench;
import org.relgraph.bench.LayerBench;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.WsFlex;
import org.relgraph.space.DesignSpace;
import org.relgraph.space.DesignSpaceConfig;
import org.relgraph.space.DesignSpaceFiles;

/** Runs every benchmark method once, outside JMH, with small parameters, and checks its results. */
class BenchmarksTest {
  private static final Blackhole BH =
      new Blackhole(
          "Today's password is swordfish. I understand instantiating Blackholes directly is"
              + " dangerous.");

  @AfterAll
  static void evaporate() {
    BH.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
  }

  private static GraphThroughputBenchmark.Workload workload(int n, int sampleSize) {
    GraphThroughputBenchmark.Workload w = new GraphThroughputBenchmark.Workload();
    w.n = n;
    w.sampleSize = sampleSize;
    w.setup();
    return w;
  }

  private static void assertSane(double[] measured, int n) {
    assertTrue(measured[0] >= 0 && measured[0] <= 1, "C = " + measured[0]);
    assertTrue(measured[1] >= 1 && measured[1] <= n - 1, "L = " + measured[1]);
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 1024})
  void workloadIsASeededSampleOfThePapersGrid(int n) {
    GraphThroughputBenchmark.Workload w = workload(n, 64);
    DesignSpaceConfig config = DesignSpaceConfig.defaults(n);
    double[] degrees = config.degrees();
    double[] probabilities = config.probabilities();
    for (int i = 0; i < w.sampleSize; i++) {
      double k = w.k[i];
      assertTrue(Arrays.stream(degrees).anyMatch(d -> d == k), "k = " + k);
      assertTrue(k / n >= config.minDegreeRatio(), "k = " + k);
      double p = w.p[i];
      assertTrue(Arrays.stream(probabilities).anyMatch(q -> q == p), "p = " + p);
      assertTrue(w.seed[i] >= 0 && w.seed[i] < config.seeds(), "seed = " + w.seed[i]);
    }
    GraphThroughputBenchmark.Workload again = workload(n, 64);
    assertTrue(Arrays.equals(w.k, again.k) && Arrays.equals(w.p, again.p));
    assertTrue(Arrays.equals(w.seed, again.seed));
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 1024})
  void graphThroughputMethodsMeasureTheSampledGraphs(int n) {
    int size = 3;
    GraphThroughputBenchmark bench = new GraphThroughputBenchmark();
    GraphThroughputBenchmark.Workload w = workload(n, size);
    GraphThroughputBenchmark.Sampling s = new GraphThroughputBenchmark.Sampling();
    s.setup(w);
    for (int i = 0; i <= size; i++) { // one more than the sample: wraps around
      int point = i % size;
      if (i % 2 == 0) {
        bench.drawAndMeasure(s, BH);
      } else {
        bench.drawAndMeasureTwoThreads(s, BH);
      }
      assertSane(s.measured, n);
      GraphMeasures.Measures expected =
          GraphMeasures.of(WsFlex.generate(n, w.k[point], w.p[point], w.seed[point]));
      assertEquals(expected.clustering(), s.measured[0], 1e-12);
      assertEquals(expected.pathLength().orElseThrow(), s.measured[1], 1e-12);
    }
    assertEquals(1, s.next);

    bench.drawOnly(s, BH);
    assertEquals(
        WsFlex.generate(n, w.k[1], w.p[1], w.seed[1]), s.sampler.graph(), "drawOnly drew point 1");

    GraphThroughputBenchmark.DrawnGraphs g = new GraphThroughputBenchmark.DrawnGraphs();
    g.setup(w);
    assertEquals(size, g.graphs.length);
    for (int i = 0; i < size; i++) {
      bench.measureOnly(g, BH);
      assertSane(g.measured, n);
      GraphMeasures.Measures expected =
          GraphMeasures.of(WsFlex.generate(n, w.k[i], w.p[i], w.seed[i]));
      assertEquals(expected.clustering(), g.measured[0], 1e-12);
      assertEquals(expected.pathLength().orElseThrow(), g.measured[1], 1e-12);
    }
    assertEquals(0, g.next);
  }

  @Test
  void interleavedOrderIsAPermutationThatSpreadsTheDegrees() {
    GraphThroughputBenchmark.Workload w = workload(64, 4096);
    // Any 64 consecutive points (cyclically) have a mean degree near the sample's mean.
    double mean = Arrays.stream(w.k).average().orElseThrow();
    double spread = Arrays.stream(w.k).max().orElseThrow() - Arrays.stream(w.k).min().orElseThrow();
    for (int start = 0; start < w.sampleSize; start += 61) {
      double sum = 0;
      for (int j = 0; j < 64; j++) {
        sum += w.k[(start + j) % w.sampleSize];
      }
      assertEquals(mean, sum / 64, 0.05 * spread, "window at " + start);
    }
    double[] k = {3, 1, 2, 1};
    double[] p = {0, 0.5, 0, 0.25};
    int[] order = GraphThroughputBenchmark.Workload.interleaved(k, p);
    assertEquals(List.of(0, 1, 2, 3), Arrays.stream(order).sorted().boxed().toList());
  }

  @Test
  void drawnGraphsStayWithinTheirMemoryBudget() {
    assertEquals(4096, GraphThroughputBenchmark.DrawnGraphs.count(64, 4096));
    assertEquals(256, GraphThroughputBenchmark.DrawnGraphs.count(1024, 4096));
    assertEquals(3, GraphThroughputBenchmark.DrawnGraphs.count(1024, 3));
  }

  @Test
  void gridNamesAConfig() {
    DesignSpaceConfig full = DesignSpaceBenchmark.config("64", 2);
    DesignSpaceConfig d = DesignSpaceConfig.defaults(64);
    assertEquals(2, full.threads());
    assertEquals(d.degreeSteps(), full.degreeSteps());
    assertEquals(d.probabilitySteps(), full.probabilitySteps());
    assertEquals(d.seeds(), full.seeds());
    DesignSpaceConfig reduced = DesignSpaceBenchmark.config("1024:10x10x1", 2);
    assertEquals(1024, reduced.nodes());
    assertEquals(
        List.of(10, 10, 1),
        List.of(reduced.degreeSteps(), reduced.probabilitySteps(), reduced.seeds()));
    assertEquals(DesignSpaceConfig.defaults(1024).degreeMin(), reduced.degreeMin());
    assertThrows(IllegalArgumentException.class, () -> DesignSpaceBenchmark.config("64:10x10", 2));
  }

  @Test
  void designSpaceMethodsSweepAndWriteTheWholeGrid() throws IOException {
    DesignSpaceBenchmark bench = new DesignSpaceBenchmark();
    DesignSpaceBenchmark.Space space = new DesignSpaceBenchmark.Space();
    space.grid = "16:4x3x2";
    space.threads = 2;
    space.setup();
    DesignSpaceConfig config = space.config;
    long kept =
        Arrays.stream(config.degrees())
            .filter(k -> k / config.nodes() >= config.minDegreeRatio())
            .count();
    int expectedSize = (int) kept * 3 * 2;
    try {
      DesignSpace.Result result = bench.sweepAndWriteCsv(space);
      assertEquals(expectedSize, result.size());
      assertEquals(0, result.failed());
      for (int i = 0; i < result.size(); i++) {
        assertSane(new double[] {result.clustering(i), result.pathLength(i)}, 16);
      }
      assertCsv(space.csv, expectedSize);
      space.deleteCsv();
      assertFalse(Files.exists(space.csv));

    } finally {
      space.deleteDir();
    }
    assertFalse(Files.exists(space.dir));

    DesignSpaceBenchmark.Swept swept = new DesignSpaceBenchmark.Swept();
    swept.csvGrid = space.grid;
    swept.setup();
    try {
      assertEquals(expectedSize, swept.result.size());
      assertEquals(swept.csv, bench.writeCsv(swept));
      assertCsv(swept.csv, expectedSize);
    } finally {
      swept.deleteDir();
    }
    assertFalse(Files.exists(swept.dir));
  }

  @ParameterizedTest
  @ValueSource(strings = {"blocksparse", "masked", "dense"})
  void layerMethodRunsEachOpOfASmallLayer(String backend) {
    LayerBenchmark bench = new LayerBenchmark();
    for (String op : List.of("forward", "backward_data", "backward_weight", "step")) {
      LayerBenchmark.LayerState s = new LayerBenchmark.LayerState();
      s.backend = backend;
      s.width = 64;
      s.kOverN = backend.equals("dense") ? "complete" : "0.125";
      s.batch = 8;
      s.op = op;
      s.threads = 2;
      s.setup();
      try {
        assertEquals(LayerBench.Op.parse(op), s.parsedOp);
        assertEquals(64, s.layer.out());
        double density = backend.equals("dense") ? 1 : 576 / 4096.0; // 64 + 2 · 256 blocks
        assertEquals(density, s.layer.density(), 1e-12);
        bench.layer(s);
        if (!op.startsWith("backward")) {
          assertTrue(Arrays.stream(toDoubles(s.layer.output())).anyMatch(v -> v != 0));
        }
        if (!op.equals("forward") && !op.equals("backward_data")) {
          assertTrue(Arrays.stream(toDoubles(s.layer.weightGradient())).anyMatch(v -> v != 0));
        }
      } finally {
        s.tearDown();
      }
    }
  }

  @Test
  void denseLayerRunsTheCompleteGraphOnly() {
    LayerBenchmark.LayerState s = new LayerBenchmark.LayerState();
    s.backend = "dense";
    s.width = 64;
    s.kOverN = "0.25";
    s.batch = 8;
    s.op = "step";
    s.threads = 1;
    assertThrows(IllegalArgumentException.class, s::setup);
    assertEquals(LayerBench.COMPLETE, LayerBenchmark.pattern("complete"));
    assertEquals(0.5, LayerBenchmark.pattern("0.5"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"blocksparse", "dense"})
  void matchedStackMethodRunsTheThreeLayers(String backend) {
    LayerBenchmark.StackState s = new LayerBenchmark.StackState();
    s.backend = backend;
    s.batch = 2;
    s.threads = 2;
    s.setup();
    try {
      List<LayerBench.Layer> layers = s.stack.layers();
      assertEquals(3, layers.size());
      assertEquals(512, layers.get(0).in());
      // equal multiply-adds by construction: at least 3 · 512² per sample, within one width step
      long budget = 3L * 512 * 512 * s.batch;
      assertTrue(s.stack.usefulMultiplyAdds() >= budget, "" + s.stack.usefulMultiplyAdds());
      assertTrue(s.stack.usefulMultiplyAdds() < 1.01 * budget, "" + s.stack.usefulMultiplyAdds());
      new LayerBenchmark().matchedStack(s);
      assertTrue(Arrays.stream(toDoubles(layers.get(2).output())).anyMatch(v -> v != 0));
    } finally {
      s.tearDown();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 1})
  void convMethodRunsEachModeAndBothBaselinesAgree(int kernel) {
    ConvBenchmark bench = new ConvBenchmark();
    int matched = ConvBench.matchedWidth(256);
    float[] dense = null;
    for (String mode : List.of("blocksparse", "masked", "dense", "dense-matched", "onednn")) {
      if (mode.equals("onednn")) {
        Throwable why = org.relgraph.engine.BareSgemm.Library.DNNL.unavailabilityCause();
        org.junit.jupiter.api.Assumptions.assumeTrue(
            why == null, () -> "oneDNN does not load: " + why);
      }
      ConvBenchmark.ConvState s = new ConvBenchmark.ConvState();
      s.shape = "cifar:3";
      s.kernel = kernel;
      s.batch = 1;
      s.mode = mode;
      s.threads = 2;
      s.setup();
      try {
        boolean atStage = mode.equals("dense") || mode.equals("onednn");
        assertEquals(atStage ? 256 : matched, s.config.width(), mode);
        assertEquals(kernel, s.config.kernel());
        bench.forward(s);
        float[] out = s.conv.output();
        assertEquals((atStage ? 256 : matched) * 64, out.length, mode);
        assertTrue(Arrays.stream(toDoubles(out)).anyMatch(v -> v != 0), mode);
        if (mode.equals("dense")) {
          dense = out;
        } else if (mode.equals("onednn")) {
          for (int i = 0; i < out.length; i++) {
            assertEquals(dense[i], out[i], 1e-5 * 256 * kernel * kernel, "onednn at " + i);
          }
        }
      } finally {
        s.tearDown();
      }
    }
  }

  @Test
  void convStateRefusesUnknownShapesAndModes() {
    assertEquals(ConvBench.shape("resnet34", 2), ConvBenchmark.shape("resnet34:2"));
    for (String bad : List.of("resnet34", "resnet50:1", "cifar:x", "cifar:4")) {
      assertThrows(IllegalArgumentException.class, () -> ConvBenchmark.shape(bad), bad);
    }
    ConvBenchmark.ConvState s = new ConvBenchmark.ConvState();
    s.shape = "cifar:3";
    s.kernel = 3;
    s.batch = 1;
    s.mode = "sparse";
    assertThrows(IllegalArgumentException.class, s::setup);
    s.mode = "dense";
    s.kernel = 4;
    assertThrows(IllegalArgumentException.class, s::setup);
  }

  @Test
  void cudaTrialsAreSkippedWithTheCauseWhereNoGpuRunsThem() {
    org.relgraph.engine.BackendProvider cuda =
        org.relgraph.engine.Backends.discovered().known("cuda");
    org.junit.jupiter.api.Assumptions.assumeFalse(cuda.isAvailable(), "a GPU is usable here");
    String expected = CudaBenchmarks.skipped(cuda.unavailabilityCause().orElseThrow());
    for (String backend : List.of("cuda", "cuda-masked", "cuda-dense")) {
      LayerBenchmark.LayerState s = new LayerBenchmark.LayerState();
      s.backend = backend;
      s.width = 64;
      s.kOverN = "complete";
      s.batch = 8;
      s.op = "step";
      IllegalStateException e = assertThrows(IllegalStateException.class, s::setup);
      assertEquals(expected, e.getMessage());
      s.tearDown();
    }
    TrainStepBenchmark.Net n = new TrainStepBenchmark.Net();
    n.graph = "ws-flex";
    n.mode = "blocksparse";
    n.batch = 8;
    n.backend = "cuda";
    assertEquals(expected, assertThrows(IllegalStateException.class, n::setup).getMessage());
    n.backend = "gpu";
    assertThrows(IllegalArgumentException.class, n::setup);
  }

  private static double[] toDoubles(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  private static void assertCsv(Path csv, int rows) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    assertEquals(DesignSpaceFiles.GRAPHS_HEADER, lines.get(0));
    assertEquals(rows + 1, lines.size());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"complete:dense", "complete:blocksparse", "ws-flex:blocksparse", "ws-flex:masked"})
  void trainStepRunsOneStepOfTheMatchedNetwork(String config) {
    TrainStepBenchmark.Net s = new TrainStepBenchmark.Net();
    s.graph = config.split(":")[0];
    s.mode = config.split(":")[1];
    s.batch = 8;
    s.threads = 2;
    s.setup();
    try {
      assertEquals(s.graph.equals("complete") ? 512 : 1539, s.net.width());
      double loss = new TrainStepBenchmark().step(s).read().meanBatchLoss();
      assertTrue(loss > 1.5 && loss < 3.5, "first loss near ln 10: " + loss);
    } finally {
      s.tearDown();
    }
    TrainStepBenchmark.Net bad = new TrainStepBenchmark.Net();
    bad.graph = "ws-flex";
    bad.mode = "dense";
    bad.batch = 8;
    assertThrows(IllegalArgumentException.class, bad::setup);
  }
}
