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
import org.relgraph.model.ConvMatching;
import org.relgraph.model.ConvNetSpec;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Network;
import org.relgraph.train.ConvTrainingRun;
import org.relgraph.train.Dataset;
import org.relgraph.train.EpochResult;
import org.relgraph.train.RelationalConvNet;
import org.relgraph.train.RelationalMlp;
import org.relgraph.train.RunConfig;
import org.relgraph.train.TrainConfig;
import org.relgraph.train.Trainer;
import org.relgraph.train.TrainingRun;

/**
 * Training epoch time of the paper's MLP (or of its CNN or ResNet-20, {@link #forModel}) in one
 * process: the complete-graph baseline (dense and block-sparse) against a FLOP-matched WS-flex
 * graph in block-sparse and masked mode. Each configuration trains whole epochs (the paper's
 * recipe, batch 128, evaluation not timed); the configurations take turns, {@code repeats} times,
 * so that drifts of the machine hit them alike, and each row reports the median. {@link
 * #denseCheck} times the dense network's relational layer against bare sgemm loops (OpenBLAS,
 * oneDNN) of the same shape.
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

  private record Config(
      String name, ExecutionMode mode, String graphName, RelationalGraph graph, Backend backend) {}

  /**
   * The config name of the dense baseline on convolution primitives ({@link #withConvBaseline}).
   */
  public static final String CONV_BASELINE = "baseline-conv-primitives";

  private final Dataset data;
  private final Backend backend;
  private final int repeats;
  private final double kOverN;
  private final double p;
  private final long graphSeed;
  private final String model;
  // a second dense baseline of a conv model, on a backend with convolution primitives, or null
  private final Backend convBaseline;

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
    this.model = RunConfig.MLP;
    this.convBaseline = null;
  }

  private EpochBench(EpochBench b, String model, Backend convBaseline) {
    this.data = b.data;
    this.backend = b.backend;
    this.repeats = b.repeats;
    this.kOverN = b.kOverN;
    this.p = b.p;
    this.graphSeed = b.graphSeed;
    this.model = model;
    this.convBaseline = convBaseline;
  }

  /**
   * This benchmark with a second dense baseline for a conv model: the complete-graph network in
   * dense mode on {@code primitives}, a backend whose dense convolutions run on a library's own
   * convolution primitives ({@link Backend#hasDenseConvolution()}), as config {@link
   * #CONV_BASELINE}. Every row's {@code time_vs_baseline} is then against the faster of the two
   * dense baselines. The MLP has no convolutions and ignores it.
   */
  public EpochBench withConvBaseline(Backend primitives) {
    return new EpochBench(this, model, primitives);
  }

  /**
   * This benchmark of another network: {@code mlp}, or a conv model of {@link
   * RelationalConvNet#BUILT} on the data's images, over graphs of as many nodes as its narrowest
   * baseline layer allows, at most 64 (64 for {@code cnn}, 16 for {@code resnet20}).
   *
   * @throws IllegalArgumentException for an unknown model
   */
  public EpochBench forModel(String network) {
    RunConfig.checkNetwork(network);
    return new EpochBench(this, network, convBaseline);
  }

  /** The network timed: {@code mlp}, {@code cnn} or {@code resnet20}. */
  public String model() {
    return model;
  }

  /** The graphs' node count: 64, or fewer where the conv model's narrowest layer is narrower. */
  public int nodes() {
    return RunConfig.MLP.equals(model) ? 64 : Math.min(64, ConvNetSpec.named(model).maxNodes());
  }

  /** The graph spec of the sparse configuration. */
  public String sparseGraph() {
    int n = nodes();
    return String.format(
        Locale.ROOT,
        "ws-flex:%sk=%s,p=%s,seed=%d",
        n == 64 ? "" : "n=" + n + ",",
        kOverN * n,
        p,
        graphSeed);
  }

  /** Runs every configuration {@code repeats} times, reporting rows as they are final. */
  public List<Row> run(Consumer<String> log) {
    int n = nodes();
    RelationalGraph sparse = WsFlex.generate(n, kOverN * n, p, graphSeed);
    RelationalGraph complete = ClassicGenerators.complete(n);
    List<Config> configs =
        List.of(
            new Config("baseline", ExecutionMode.DENSE, "complete", complete, backend),
            new Config("baseline", ExecutionMode.BLOCKSPARSE, "complete", complete, backend),
            new Config("matched", ExecutionMode.BLOCKSPARSE, sparseGraph(), sparse, backend),
            new Config("matched", ExecutionMode.MASKED, sparseGraph(), sparse, backend));
    if (convBaseline != null && !RunConfig.MLP.equals(model)) {
      configs = new ArrayList<>(configs);
      configs.add(
          1, new Config(CONV_BASELINE, ExecutionMode.DENSE, "complete", complete, convBaseline));
    }
    TrainConfig one = TrainConfig.paper(1, 1);
    List<Network> nets = new ArrayList<>();
    List<Sized> sizes = new ArrayList<>();
    double[][] seconds = new double[configs.size()][repeats];
    try {
      for (Config c : configs) {
        sizes.add(build(c, one, nets));
      }
      // Warm-up: a few steps each, for the JIT and the thread pools.
      for (Network net : nets) {
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
      for (Network net : nets) {
        net.close();
      }
    }
    int steps = data.train().size() / one.batchSize();
    // the faster dense baseline
    double baseline = Double.POSITIVE_INFINITY;
    for (int i = 0; i < configs.size(); i++) {
      if (configs.get(i).mode == ExecutionMode.DENSE) {
        baseline = Math.min(baseline, median(seconds[i]));
      }
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      Config c = configs.get(i);
      double s = median(seconds[i]);
      rows.add(
          new Row(
              c.name,
              c.mode,
              c.graphName,
              sizes.get(i).width(),
              sizes.get(i).flops(),
              s,
              steps * one.batchSize() / s,
              s / baseline));
    }
    return rows;
  }

  /** A network's width (the MLP's, or a conv model's widest stage) and FLOPs. */
  private record Sized(int width, long flops) {}

  /** Builds the network of {@code c}, FLOP-matched, into {@code nets}. */
  private Sized build(Config c, TrainConfig one, List<Network> nets) {
    if (RunConfig.MLP.equals(model)) {
      MlpSpec spec = MlpSpec.paper(data.features(), data.classes());
      BudgetMatching.Match m = BudgetMatching.match(spec, c.graph);
      nets.add(RelationalMlp.create(c.backend, spec, c.graph, m.width(), c.mode, 1).network());
      return new Sized(m.width(), m.flops());
    }
    ConvTrainingRun run = new ConvTrainingRun(model, c.graph, data, c.mode, TrainingRun.MATCH, one);
    ConvMatching.Match m = run.match();
    nets.add(run.network(m, c.backend));
    List<Integer> w = m.stageWidths();
    return new Sized(w.get(w.size() - 1), m.flops());
  }

  /**
   * The dense baseline's relational-layer products (forward, backward-data, weight gradient of the
   * complete-graph network's {@code width → width} layer, batch 128) through the backend, against
   * the same products as bare sgemm loops of each dense library that loads (OpenBLAS, and oneDNN
   * where it loads with the backend's thread count); the backend and the loops are timed in turns,
   * {@value #CHECK_ROUNDS} times, and each keeps its best (the fastest of its rounds' medians), so
   * that a moment when the machine descheduled one of the dense library's threads does not decide
   * the check. The check compares the backend with the faster library's loop. Empty unless the
   * backend is the native one.
   */
  public Optional<BaselineCheck> denseCheck(LayerBench.Timing timing) {
    return denseTimes(timing).map(DenseTimes::check);
  }

  /** Rounds of {@link #denseCheck}. */
  static final int CHECK_ROUNDS = 5;

  /**
   * The times {@link #denseCheck} compares: the dense layer's step through the backend and as a
   * bare loop of each library, ms.
   *
   * @param what the layer and op, e.g. {@code relational layer 512 -> 512, batch 128, step}
   * @param baselineMs through the backend
   * @param bareMs the bare loop of each library that loads, in {@link BareSgemm.Library} order
   */
  public record DenseTimes(
      String what, double baselineMs, java.util.Map<BareSgemm.Library, Double> bareMs) {
    /** The backend against the faster library's loop. */
    public BaselineCheck check() {
      BareSgemm.Library fastest = null;
      for (var e : bareMs.entrySet()) {
        if (fastest == null || e.getValue() < bareMs.get(fastest)) {
          fastest = e.getKey();
        }
      }
      return new BaselineCheck(what, baselineMs, bareMs.get(fastest), fastest.label());
    }

    /** One comment line per library, e.g. {@code bare openblas, relational layer ...: 0.812 ms}. */
    public List<String> bareLines() {
      List<String> lines = new ArrayList<>();
      for (var e : bareMs.entrySet()) {
        lines.add(
            String.format(
                Locale.ROOT, "bare %s, %s: %.3f ms", e.getKey().label(), what, e.getValue()));
      }
      return lines;
    }
  }

  /** {@link #denseCheck}'s measurement; empty unless the backend is the native one. */
  public Optional<DenseTimes> denseTimes(LayerBench.Timing timing) {
    if (!(backend instanceof CpuBackend cpu) || !RunConfig.MLP.equals(model)) {
      return Optional.empty();
    }
    RelationalGraph complete = ClassicGenerators.complete(64);
    int width = denseWidth();
    int batch = TrainConfig.paper(1, 1).batchSize();
    double viaBackend = Double.POSITIVE_INFINITY;
    java.util.Map<BareSgemm.Library, Double> bare =
        new java.util.EnumMap<>(BareSgemm.Library.class);
    List<BareSgemm> loops = new ArrayList<>();
    try (LayerBench.Layer layer =
        LayerBench.Layer.create(
            cpu, ExecutionMode.DENSE, complete, width, width, batch, LayerBench.DATA_SEED)) {
      for (BareSgemm.Library l : BareSgemm.Library.values()) {
        try {
          loops.add(new BareSgemm(l, width, width, batch, cpu.threads(), LayerBench.DATA_SEED));
        } catch (IllegalStateException e) {
          // oneDNN does not load, or was loaded with another thread count: only the libraries
          // that load with the backend's count take part
        }
      }
      for (int i = 0; i < CHECK_ROUNDS; i++) {
        viaBackend =
            Math.min(
                viaBackend, LayerBench.medianSeconds(() -> layer.run(LayerBench.Op.STEP), timing));
        for (BareSgemm loop : loops) {
          bare.merge(loop.library(), LayerBench.medianSeconds(loop::step, timing), Math::min);
        }
      }
    } finally {
      loops.forEach(BareSgemm::close);
    }
    bare.replaceAll((l, s) -> s * 1e3);
    return Optional.of(
        new DenseTimes(
            String.format(
                Locale.ROOT, "relational layer %d -> %d, batch %d, step", width, width, batch),
            viaBackend * 1e3,
            bare));
  }

  /** Width of the complete-graph network's relational layers (the dense baseline's). */
  public int denseWidth() {
    return denseWidth(data);
  }

  /** Width of the complete-graph network's relational layers for {@code data}. */
  public static int denseWidth(Dataset data) {
    return BudgetMatching.match(
            MlpSpec.paper(data.features(), data.classes()), ClassicGenerators.complete(64))
        .width();
  }

  private void warmUp(Network net, TrainConfig config) {
    int b = config.batchSize();
    int[] order = new int[data.train().size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    float[] x = new float[data.features() * b];
    int[] labels = new int[b];
    // at most one epoch's worth, so that a data set of fewer than 20 batches warms up too
    int steps = Math.min(20, order.length / b);
    for (int s = 0; s < steps; s++) {
      org.relgraph.train.Trainer.fillBatch(net, data.train(), order, s * b, b, x, labels, null);
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
