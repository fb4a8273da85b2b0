package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.engine.CpuBackend;
import org.relgraph.engine.JavaBackend;
import org.relgraph.engine.LossAccumulator;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;
import org.relgraph.nn.BatchNormRelu;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Linear;
import org.relgraph.nn.Network;

class TrainerTest {
  private static final Dataset DATA = Datasets.synthetic(1024, 512, 32, 4, 7);
  private static final RelationalGraph GRAPH = WsFlex.generate(16, 4, 0.5, 3);

  private static TrainConfig config(long seed) {
    return new TrainConfig(2, 64, 0.1f, 0.9f, 5e-4f, true, seed, 200);
  }

  private static double[] stepLosses(int threads, long seed, ExecutionMode mode) {
    List<Double> losses = new ArrayList<>();
    TrainingRun run = new TrainingRun(GRAPH, DATA, mode, TrainingRun.MATCH, config(seed));
    try (TrainingRun.Outcome o =
        run.run(
            CpuBackend.create(CpuBackend.bestIsa(), threads),
            new Trainer.Listener() {
              @Override
              public int logInterval() {
                return 1;
              }

              @Override
              public void logged(int epoch, int step, LossAccumulator.Totals interval) {
                assertEquals(1, interval.batches());
                losses.add(interval.meanBatchLoss());
              }
            })) {
      assertEquals(2 * (1024 / 64), losses.size());
      return losses.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }

  @Test
  void sameSeedGivesIdenticalStepLosses() {
    for (int threads : new int[] {1, 2}) {
      double[] a = stepLosses(threads, 5, ExecutionMode.BLOCKSPARSE);
      double[] b = stepLosses(threads, 5, ExecutionMode.BLOCKSPARSE);
      assertArrayEquals(a, b, "threads " + threads);
    }
    double[] c = stepLosses(2, 6, ExecutionMode.BLOCKSPARSE);
    assertFalse(
        java.util.Arrays.equals(stepLosses(2, 5, ExecutionMode.BLOCKSPARSE), c),
        "another seed, other losses");
  }

  @Test
  void maskedModeTrainsTheSameNetwork() {
    double[] sparse = stepLosses(2, 5, ExecutionMode.BLOCKSPARSE);
    double[] masked = stepLosses(2, 5, ExecutionMode.MASKED);
    for (int i = 0; i < sparse.length; i++) {
      assertEquals(sparse[i], masked[i], 2e-3 * Math.max(1, sparse[i]), "step " + i);
    }
  }

  @Test
  void learnsTheSyntheticSet() {
    // Bayes error of the default synthetic set is about 8%; 4 epochs of the paper's recipe get
    // within a few points of it.
    Dataset d = Datasets.load("synthetic", null);
    TrainingRun run =
        new TrainingRun(
            WsFlex.generate(64, 8, 0.3, 1),
            d,
            ExecutionMode.BLOCKSPARSE,
            TrainingRun.MATCH,
            TrainConfig.paper(4, 1));
    try (TrainingRun.Outcome o = run.run(CpuBackend.create(), new Trainer.Listener() {})) {
      assertTrue(o.top1Error() < 12.0, "test error " + o.top1Error());
      assertTrue(o.epochs().get(3).trainLoss() < o.epochs().get(0).trainLoss(), "loss goes down");
    }
  }

  /**
   * The loss reaches the host once per logging interval (and once per evaluation), not once per
   * step: a backend that computes asynchronously never waits inside an interval.
   */
  @Test
  void theLossIsReadOncePerLoggingInterval() {
    int steps = 1024 / 64; // per epoch
    int epochs = 2;
    for (int interval : new int[] {1, 5, 16, Trainer.DEFAULT_LOG_INTERVAL}) {
      List<int[]> logged = new ArrayList<>();
      TrainingRun run =
          new TrainingRun(GRAPH, DATA, ExecutionMode.BLOCKSPARSE, TrainingRun.MATCH, config(5));
      try (var backend = CpuBackend.create(CpuBackend.bestIsa(), 2);
          TrainingRun.Outcome o =
              run.run(
                  backend,
                  new Trainer.Listener() {
                    @Override
                    public int logInterval() {
                      return interval;
                    }

                    @Override
                    public void logged(int epoch, int step, LossAccumulator.Totals t) {
                      logged.add(new int[] {epoch, step, (int) t.batches(), (int) t.samples()});
                    }
                  })) {
        int perEpoch = (steps + interval - 1) / interval;
        long reads = backend.accumulatorReads();
        // N steps at interval K: ceil(N/K) reads per epoch, plus one per epoch's evaluation
        assertEquals(epochs * (perEpoch + 1), reads, "interval " + interval);
        assertTrue(
            reads <= (epochs * steps + interval - 1) / interval + 2L * epochs,
            "interval " + interval + ": " + reads + " reads");
        assertEquals(epochs * perEpoch, logged.size());
        int[] last = logged.get(logged.size() - 1);
        assertEquals(epochs, last[0]);
        assertEquals(steps, last[1], "the epoch's last step is logged");
        assertEquals(epochs * steps, logged.stream().mapToInt(l -> l[2]).sum());
        assertEquals(epochs * steps * 64, logged.stream().mapToInt(l -> l[3]).sum());
      }
    }
  }

  @Test
  void divergenceIsCaughtAtTheLoggingInterval() {
    try (var backend = CpuBackend.create(CpuBackend.bestIsa(), 2);
        RelationalMlp net =
            RelationalMlp.create(
                backend,
                org.relgraph.model.MlpSpec.paper(32, 4),
                GRAPH,
                64,
                ExecutionMode.BLOCKSPARSE,
                1)) {
      var state = net.state();
      java.util.Arrays.fill(state.get("head.bias"), Float.NaN);
      net.load(state);
      var e =
          assertThrows(
              Trainer.TrainingDivergedException.class,
              () ->
                  Trainer.train(
                      net,
                      DATA,
                      config(1),
                      new Trainer.Listener() {
                        @Override
                        public int logInterval() {
                          return 4;
                        }
                      }));
      assertEquals("training diverged: mean loss NaN over steps 1-4 of epoch 1", e.getMessage());
      assertEquals(1, backend.accumulatorReads());
    }
  }

  @Test
  void cosineSchedule() {
    TrainConfig c = TrainConfig.paper(4, 1);
    assertEquals(0.1f, c.learningRate(0), 1e-7);
    assertEquals(0.05f * (1 + (float) Math.cos(Math.PI / 4)), c.learningRate(1), 1e-7);
    assertEquals(0.05f, c.learningRate(2), 1e-7);
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.paper(0, 1));
    assertThrows(
        IllegalArgumentException.class, () -> new TrainConfig(1, 1, 0.1f, 0.9f, 0, true, 1, 10));
    assertThrows(
        IllegalArgumentException.class,
        () -> new TrainConfig(1, 8, Float.NaN, 0.9f, 0, true, 1, 10));
  }

  @Test
  void dataMustFitTheNetwork() {
    TrainingRun run =
        new TrainingRun(GRAPH, DATA, ExecutionMode.BLOCKSPARSE, TrainingRun.MATCH, config(1));
    try (RelationalMlp net =
        RelationalMlp.create(
            new JavaBackend(),
            org.relgraph.model.MlpSpec.paper(10, 4),
            GRAPH,
            32,
            ExecutionMode.BLOCKSPARSE,
            1)) {
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> Trainer.train(net, DATA, config(1), new Trainer.Listener() {}));
      assertTrue(e.getMessage().contains("32"), e.getMessage());
    }
    assertEquals(
        512,
        new TrainingRun(
                ClassicGenerators.complete(16),
                DATA,
                ExecutionMode.DENSE,
                TrainingRun.MATCH,
                config(1))
            .match()
            .width());
    assertTrue(run.match().width() > 512);
  }

  @Test
  void aGraphWithMoreNodesThanTheStemNeedsAWiderStem() {
    RelationalGraph wide = WsFlex.generate(600, 8, 0.3, 1);
    TrainingRun narrow =
        new TrainingRun(wide, DATA, ExecutionMode.BLOCKSPARSE, TrainingRun.MATCH, config(1));
    var e = assertThrows(IllegalArgumentException.class, narrow::match);
    assertTrue(
        e.getMessage().contains("600 nodes")
            && e.getMessage().contains("n <= stem width")
            && e.getMessage().contains("--stem-width 600"),
        e.getMessage());
    TrainingRun run =
        new TrainingRun(wide, DATA, ExecutionMode.BLOCKSPARSE, TrainingRun.MATCH, config(1), 640);
    assertEquals(640, run.spec().stemWidth());
    org.relgraph.model.BudgetMatching.Match m = run.match();
    // the baseline is the complete graph at the stem width: input·s + R·s² + s·classes
    assertEquals(32L * 640 + 3L * 640 * 640 + 640L * 4, m.budget());
    assertTrue(m.width() >= 640 && m.deviation() >= 0 && m.deviation() < 0.01, m.toString());
    assertEquals(
        640,
        new TrainingRun(wide, DATA, ExecutionMode.BLOCKSPARSE, TrainingRun.NO_MATCH, config(1), 640)
            .match()
            .width());
  }

  @Test
  void savedModelsLoadInEveryModeAndCorruptionIsCaught(@TempDir Path dir) throws IOException {
    TrainingRun run =
        new TrainingRun(GRAPH, DATA, ExecutionMode.BLOCKSPARSE, TrainingRun.MATCH, config(3));
    Path file = dir.resolve("model.rgm");
    double error;
    try (TrainingRun.Outcome o = run.run(CpuBackend.create(), new Trainer.Listener() {})) {
      error = Trainer.evaluate(o.model(), DATA.test(), 100).errorPercent();
      assertEquals(o.top1Error(), error, 1e-9);
      JsonObject info = new JsonObject();
      info.addProperty("dataset", "synthetic");
      ModelFile.save(o.model(), file, info);
    }
    for (ExecutionMode mode : new ExecutionMode[] {null, ExecutionMode.MASKED}) {
      ModelFile.Loaded l = ModelFile.load(file, CpuBackend.create(), mode);
      try (RelationalMlp net = l.net()) {
        assertEquals(error, Trainer.evaluate(net, DATA.test(), 100).errorPercent(), 1e-9);
        assertEquals("synthetic", l.info().get("dataset").getAsString());
      }
    }
    byte[] bytes = Files.readAllBytes(file);
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 1;
    Path bad = dir.resolve("bad.rgm");
    Files.write(bad, flipped);
    var e =
        assertThrows(
            ModelFile.ModelFormatException.class,
            () -> ModelFile.load(bad, new JavaBackend(), null));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    Files.write(bad, java.util.Arrays.copyOf(bytes, 100));
    assertThrows(
        ModelFile.ModelFormatException.class, () -> ModelFile.load(bad, new JavaBackend(), null));
    Files.writeString(bad, "hello\n");
    e =
        assertThrows(
            ModelFile.ModelFormatException.class,
            () -> ModelFile.load(bad, new JavaBackend(), null));
    assertTrue(e.getMessage().contains("not a relgraph model"), e.getMessage());
    // a well-formed file (right checksum) whose header names an edge without nodes
    String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    int headerEnd = text.indexOf('\n', text.indexOf('\n') + 1);
    String header = text.substring(0, headerEnd).replace("\"edges\":[[", "\"edges\":[[],[");
    byte[] body = java.util.Arrays.copyOfRange(bytes, headerEnd, bytes.length - 4);
    java.io.ByteArrayOutputStream rebuilt = new java.io.ByteArrayOutputStream();
    rebuilt.write(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    rebuilt.write(body);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(rebuilt.toByteArray());
    rebuilt.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    Files.write(bad, rebuilt.toByteArray());
    e =
        assertThrows(
            ModelFile.ModelFormatException.class,
            () -> ModelFile.load(bad, new JavaBackend(), null));
    assertTrue(e.getMessage().contains("malformed header"), e.getMessage());
    // dense mode needs the complete graph
    assertThrows(
        IllegalArgumentException.class,
        () -> ModelFile.load(file, new JavaBackend(), ExecutionMode.DENSE));
  }

  /** Any network of layers trains, with the same recipe and listener as the relational MLP. */
  @Test
  void trainsANetworkBuiltFromLayers() {
    int n = GRAPH.nodeCount();
    JavaBackend java = new JavaBackend();
    try (Network net =
        Network.of(
            java,
            Linear.dense(java, "stem", 24, 32),
            new BatchNormRelu(java, "stem.bn", 24),
            Linear.relational(
                java,
                "relational0",
                ExecutionMode.MASKED,
                GRAPH,
                ChannelPartition.of(32, n, 0),
                ChannelPartition.of(24, n, 0)),
            new BatchNormRelu(java, "relational0.bn", 32),
            Linear.denseWithBias(java, "head", 4, 32))) {
      java.util.SplittableRandom r = new java.util.SplittableRandom(5);
      for (var layer : net.layers()) {
        if (layer instanceof Linear l) {
          float[] w = new float[l.outputs() * l.inputs()];
          for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.1);
          }
          l.setDenseWeights(w);
        }
      }
      List<EpochResult> ended = new ArrayList<>();
      List<EpochResult> results =
          Trainer.train(
              net,
              DATA,
              config(1),
              new Trainer.Listener() {
                @Override
                public void epochEnded(EpochResult result) {
                  ended.add(result);
                }
              });
      assertEquals(results, ended);
      assertEquals(2, results.size());
      assertTrue(results.get(1).testError() < 30, results.toString());
      assertEquals(
          results.get(1).testError(), Trainer.evaluate(net, DATA.test(), 100).errorPercent(), 1e-9);
      Dataset wrong = Datasets.synthetic(256, 64, 31, 4, 7);
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> Trainer.train(net, wrong, config(1), new Trainer.Listener() {}));
      assertTrue(e.getMessage().startsWith("the network takes 32 features"), e.getMessage());
    }
  }

  /**
   * A network on images evaluates in batches of at most {@link Trainer#IMAGE_EVAL_BATCH}, whatever
   * the recipe's evaluation batch (a convolution keeps its im2col matrix), with the same result.
   */
  @Test
  void imageNetworksEvaluateInBatchesOfAtMost128() {
    Dataset d = Datasets.synthetic(64, 300, 64, 4, 3); // 1 × 8 × 8 images
    org.relgraph.model.ConvNetSpec spec =
        org.relgraph.model.ConvNetSpec.named("cnn").withInput(1, 4);
    try (JavaBackend b = new JavaBackend();
        Network net =
            RelationalConvNet.create(
                b,
                spec.at(java.util.List.of(4, 8, 8), 8),
                ClassicGenerators.complete(4),
                ExecutionMode.BLOCKSPARSE,
                1)) {
      Trainer.Evaluation big = Trainer.evaluate(net, d.test(), 1000);
      assertTrue(
          net.batchSizes().last() <= Trainer.IMAGE_EVAL_BATCH, "batches " + net.batchSizes());
      Trainer.Evaluation small = Trainer.evaluate(net, d.test(), 7);
      assertEquals(small.errorPercent(), big.errorPercent(), 1e-9);
      assertEquals(small.loss(), big.loss(), 1e-5);
      assertEquals(300, big.samples());
    }
  }
}
