package org.relgraph.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.relgraph.engine.Backend;
import org.relgraph.engine.BareSgemm;
import org.relgraph.engine.CpuBackend;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.io.CsvText;
import org.relgraph.model.BudgetMatching;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.train.Dataset;
import org.relgraph.train.EpochResult;
import org.relgraph.train.RelationalMlp;
import org.relgraph.train.TrainConfig;
import org.relgraph.train.Trainer;

/**
 * Training epoch time of the paper's MLP in one process: the complete-graph baseline (dense and
 * block-sparse) against a FLOP-matched WS-flex graph in block-sparse and masked mode. Each
 * configuration trains whole epochs (the paper's recipe, batch 128, evaluation not timed); the
 * configurations take turns, {@code repeats} times, so that drifts of the machine hit them alike,
 * and each row reports the median. {@link #denseCheck} times the dense network's relational layer
 * against a bare {@code cblas_sgemm} loop of the same shape.
 */
public final class EpochBench {
  /** CSV header of {@link Row#csv()}. */
  public static final String HEADER =
      "config,mode,graph,width,flops,epoch_seconds,samples_per_second,time_vs_baseline";

  /** One measured configuration. */
  public record Row(
      String config,
      ExecutionMode mode,
      String graph,
      int width,
      long flops,
      double epochSeconds,
      double samplesPerSecond,
      double timeVsBaseline) {
    /** The CSV line. */
    public String csv() {
      return String.format(
          Locale.ROOT,
          "%s,%s,%s,%d,%d,%.3f,%.0f,%.3f",
          CsvText.field(config),
          CsvText.field(mode.label()),
          CsvText.quotedField(graph),
          width,
          flops,
          epochSeconds,
          samplesPerSecond,
          timeVsBaseline);
    }
  }

  private record Config(String name, ExecutionMode mode, String graphName, RelationalGraph graph) {}

  private final Dataset data;
  private final Backend backend;
  private final int repeats;
  private final double kOverN;
  private final double p;
  private final long graphSeed;

  /**
   * A benchmark of the sparse graph {@code ws-flex:k=kOverN·64,p,seed} against the baseline.
   *
   * @throws IllegalArgumentException for repeats < 1
   */
  public EpochBench(
      Dataset data, Backend backend, int repeats, double kOverN, double p, long graphSeed) {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats = " + repeats + " must be >= 1");
    }
    this.data = data;
    this.backend = backend;
    this.repeats = repeats;
    this.kOverN = kOverN;
    this.p = p;
    this.graphSeed = graphSeed;
  }

  /** The graph spec of the sparse configuration. */
  public String sparseGraph() {
    return String.format(Locale.ROOT, "ws-flex:k=%s,p=%s,seed=%d", kOverN * 64, p, graphSeed);
  }

  /** Runs every configuration {@code repeats} times, reporting rows as they are final. */
  public List<Row> run(Consumer<String> log) {
    RelationalGraph sparse = WsFlex.generate(64, kOverN * 64, p, graphSeed);
    RelationalGraph complete = ClassicGenerators.complete(64);
    List<Config> configs =
        List.of(
            new Config("baseline", ExecutionMode.DENSE, "complete", complete),
            new Config("baseline", ExecutionMode.BLOCKSPARSE, "complete", complete),
            new Config("matched", ExecutionMode.BLOCKSPARSE, sparseGraph(), sparse),
            new Config("matched", ExecutionMode.MASKED, sparseGraph(), sparse));
    MlpSpec spec = MlpSpec.paper(data.features(), data.classes());
    TrainConfig one = TrainConfig.paper(1, 1);
    List<RelationalMlp> nets = new ArrayList<>();
    List<BudgetMatching.Match> matches = new ArrayList<>();
    double[][] seconds = new double[configs.size()][repeats];
    try {
      for (Config c : configs) {
        BudgetMatching.Match m = BudgetMatching.match(spec, c.graph);
        matches.add(m);
        nets.add(RelationalMlp.create(backend, spec, c.graph, m.width(), c.mode, 1));
      }
      // Warm-up: a few steps each, for the JIT and the thread pools.
      for (RelationalMlp net : nets) {
        warmUp(net, one);
      }
      for (int r = 0; r < repeats; r++) {
        for (int i = 0; i < configs.size(); i++) {
          List<EpochResult> e = Trainer.train(nets.get(i), data, one, new Trainer.Listener() {});
          seconds[i][r] = e.get(0).trainSeconds();
          log.accept(
              String.format(
                  Locale.ROOT,
                  "repeat %d: %s %s: %.2f s",
                  r + 1,
                  configs.get(i).name,
                  configs.get(i).mode.label(),
                  seconds[i][r]));
        }
      }
    } finally {
      for (RelationalMlp net : nets) {
        net.close();
      }
    }
    int steps = data.train().size() / one.batchSize();
    double baseline = median(seconds[0]);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      Config c = configs.get(i);
      double s = median(seconds[i]);
      rows.add(
          new Row(
              c.name,
              c.mode,
              c.graphName,
              matches.get(i).width(),
              matches.get(i).flops(),
              s,
              steps * one.batchSize() / s,
              s / baseline));
    }
    return rows;
  }

  /**
   * The dense baseline's relational-layer products (forward, backward-data, weight gradient of the
   * complete-graph network's {@code width → width} layer, batch 128) through the backend, against
   * the same products as a bare {@code cblas_sgemm} loop; the two are timed in turns, three times,
   * and each takes the median. Empty unless the backend is the native one.
   */
  public Optional<BaselineCheck> denseCheck(LayerBench.Timing timing) {
    if (!(backend instanceof CpuBackend cpu)) {
      return Optional.empty();
    }
    RelationalGraph complete = ClassicGenerators.complete(64);
    int width =
        BudgetMatching.match(MlpSpec.paper(data.features(), data.classes()), complete).width();
    int batch = TrainConfig.paper(1, 1).batchSize();
    double[] viaBackend = new double[3];
    double[] bare = new double[3];
    try (LayerBench.Layer layer =
            LayerBench.Layer.create(
                cpu, ExecutionMode.DENSE, complete, width, width, batch, LayerBench.DATA_SEED);
        BareSgemm loop = new BareSgemm(width, width, batch, cpu.threads(), LayerBench.DATA_SEED)) {
      for (int i = 0; i < 3; i++) {
        viaBackend[i] = LayerBench.medianSeconds(() -> layer.run(LayerBench.Op.STEP), timing);
        bare[i] = LayerBench.medianSeconds(loop::step, timing);
      }
    }
    return Optional.of(
        new BaselineCheck(
            String.format(
                Locale.ROOT, "relational layer %d -> %d, batch %d, step", width, width, batch),
            median(viaBackend) * 1e3,
            median(bare) * 1e3));
  }

  private void warmUp(RelationalMlp net, TrainConfig config) {
    int b = config.batchSize();
    int[] order = new int[data.train().size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    float[] x = new float[data.features() * b];
    int[] labels = new int[b];
    for (int s = 0; s < 20; s++) {
      data.train().fillBatch(order, s * b, b, x, labels, null);
      net.trainStep(x, labels, 0.01f, config.sgd());
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
