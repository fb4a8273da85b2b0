package org.relgraph.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.DoubleFunction;
import org.relgraph.engine.Backend;
import org.relgraph.engine.BareSgemm;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.engine.CpuBackend;
import org.relgraph.engine.MemoryLimits;
import org.relgraph.engine.Tensor;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.io.CsvText;
import org.relgraph.model.ChannelPartition;
import org.relgraph.model.Flops;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Linear;

/**
 * Time of one relational layer's products (forward, backward-data, weight gradient and the three
 * together) in the three modes of {@link Backend}, and of the FLOP-matched three-layer stack
 * against three dense layers. Shared by {@code relgraph bench layers} and the JMH {@code
 * LayerBenchmark}.
 *
 * <p><b>Configurations.</b> A layer is {@code width → width} over an {@value #NODES}-node graph:
 * the WS-flex graph with {@code k = kOverN · n}, rewiring probability {@value #REWIRE} and seed
 * {@value #SEED}, or the complete graph for {@code kOverN = 1} ({@link #COMPLETE}). Channels are
 * divided by {@link ChannelPartition#of(int, int, long)} with seed {@value #SEED}. The dense mode
 * runs the complete graph only (plain GEMMs); masked and block-sparse run every pattern. Weights
 * are uniform in {@code ±1/√in}, activations and gradients uniform in {@code ±1}, seeded.
 *
 * <p><b>Useful GFLOP/s</b>, the same for every mode: {@code 2 × multiply-adds of existing blocks ×
 * batch / time} per product; {@link BlockSparseLayout#multiplyAddsPerSample()} for block-sparse and
 * masked (masked computes the whole dense product, but only existing blocks count), {@code out ×
 * in} for dense. A step counts three products.
 *
 * <p><b>Matched stack</b> (target b): three block-sparse layers {@code 512 → w, w → w, w → w} over
 * the {@code k/n = 0.125} graph, {@code w} the smallest width whose multiply-adds reach those of
 * three dense {@code 512 → 512} layers ({@link StackMatching#matchedWidth}), timed forward plus
 * backward (every layer's three products) against the three dense layers.
 *
 * <p><b>Bare sgemm</b>: after the dense rows of each batch and width, the same three products as
 * bare {@code cblas_sgemm} calls ({@link BareSgemm}), rows of backend {@value #BARE_SGEMM}, and as
 * bare oneDNN {@code dnnl_sgemm} calls where oneDNN loads with the benchmark's thread count, rows
 * of backend {@value #BARE_ONEDNN}; after the dense matched stack, three such layers of each.
 * {@link #baselineChecks} pairs the dense rows with the faster bare row of the same shape: a dense
 * baseline more than 10% slower than the faster library's bare loop is reported as a warning. The
 * backend's dense products call the library it was made with ({@link CpuBackend#denseLibrary()},
 * chosen by {@link DenseChoice}).
 *
 * <p><b>Timing</b>: wall time ({@link System#nanoTime()}); warm-up, then the median of several
 * samples, each the mean of enough back-to-back calls to last {@code target / samples} ({@link
 * Timing}); slow operations get fewer samples (at least 3) so that a measurement stays near its
 * target. What a target compares is timed side by side, samples in turns ({@link
 * #interleavedMedianSeconds}): per batch and width the dense layer, its bare loops and the
 * block-sparse layers of every pattern; per batch the matched stacks and the bare stacks. Masked
 * layers are timed on their own after. The first configuration runs for {@link
 * Timing#startupSeconds()} before anything is measured.
 */
public final class LayerBench {
  /** Nodes of every graph. */
  public static final int NODES = 64;

  /** The {@code kOverN} value that names the complete graph. */
  public static final double COMPLETE = 1.0;

  /** Rewiring probability of the WS-flex graphs. */
  public static final double REWIRE = 0.3;

  /** Seed of the WS-flex graphs and of the channel partitions. */
  public static final long SEED = 0;

  /** Seed of the random tensor data. */
  public static final long DATA_SEED = 0x1A7E5L;

  /** Output widths of the full run. */
  public static final int[] WIDTHS = {512, 768, 1024, 1539};

  /** Batches of the full run. */
  public static final int[] BATCHES = {128, 1024};

  /** Patterns (k/n; 1 = complete) of the full run. */
  public static final double[] PATTERNS = {0.125, 0.25, 0.5, 0.75, COMPLETE};

  /** Width of the dense layers the matched stack is compared with. */
  public static final int DENSE_WIDTH = 512;

  /** Layers of the matched stack. */
  public static final int STACK_LAYERS = 3;

  /** Pattern (k/n) of the matched stack. */
  public static final double MATCHED_PATTERN = 0.125;

  /** The widest layer, ⌊√(2^31 − 9)⌋: {@code MAX_WIDTH²} weights still fit one tensor. */
  public static final int MAX_WIDTH = 46340;

  /** The CSV header. */
  public static final String HEADER = "backend,op,batch,width,nodes,density,ms,gflops";

  /** The backend column of the bare {@code cblas_sgemm} rows (OpenBLAS). */
  public static final String BARE_SGEMM = "bare-sgemm";

  /** The backend column of the bare {@code dnnl_sgemm} rows (oneDNN, where it loads). */
  public static final String BARE_ONEDNN = "bare-onednn";

  /** The backend column of a library's bare rows. */
  public static String bareBackend(BareSgemm.Library library) {
    return library == BareSgemm.Library.OPENBLAS ? BARE_SGEMM : BARE_ONEDNN;
  }

  /** What is timed. */
  public enum Op {
    /** {@code y = W·x}. */
    FORWARD,
    /** {@code dx = Wᵀ·dy}. */
    BACKWARD_DATA,
    /** {@code dW = dy·xᵀ}. */
    BACKWARD_WEIGHT,
    /** The three products of one layer, one after the other. */
    STEP,
    /** The three layers of the matched stack, forward then backward. */
    MATCHED_STACK;

    /** The CSV name: {@code forward}, {@code backward_data}, ... */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The op of a CSV name. */
    public static Op parse(String label) {
      for (Op o : values()) {
        if (o.label().equals(label)) {
          return o;
        }
      }
      throw new IllegalArgumentException(
          "op '"
              + label
              + "' is not forward, backward_data, backward_weight, step or matched_stack");
    }

    /** Products one call makes per layer. */
    int products() {
      return this == STEP || this == MATCHED_STACK ? 3 : 1;
    }
  }

  /** The single-layer ops, in CSV order. */
  public static final List<Op> LAYER_OPS =
      List.of(Op.FORWARD, Op.BACKWARD_DATA, Op.BACKWARD_WEIGHT, Op.STEP);

  /**
   * How long to measure.
   *
   * @param warmupSeconds warm-up (at least two calls)
   * @param targetSeconds measured time per row
   * @param samples samples whose median is taken
   * @param fmaSeconds length of the FMA-peak loop
   * @param startupSeconds extra warm-up before the first row (thread pools, clock ramp-up)
   */
  public record Timing(
      double warmupSeconds,
      double targetSeconds,
      int samples,
      double fmaSeconds,
      double startupSeconds) {
    /** The full run: about 0.4 s per row. */
    public static final Timing NORMAL = new Timing(0.1, 0.3, 7, 0.5, 1.0);

    /** {@code --quick}: about 0.2 s per row. */
    public static final Timing QUICK = new Timing(0.05, 0.15, 5, 0.2, 0.5);

    /** Checks the values. */
    public Timing {
      if (!(warmupSeconds >= 0)
          || !(targetSeconds > 0)
          || samples < 1
          || !(fmaSeconds > 0)
          || !(startupSeconds >= 0)) {
        throw new IllegalArgumentException("invalid timing " + this);
      }
    }
  }

  /**
   * What to run.
   *
   * @param widths output widths (each layer is width → width)
   * @param batches batch sizes
   * @param patterns k/n of the WS-flex graphs, {@link #COMPLETE} for the complete graph
   * @param threads threads of the backend
   * @param timing how long to measure
   * @param matchedStack whether to time the matched stack (one pair of rows per batch)
   */
  public record Config(
      int[] widths,
      int[] batches,
      double[] patterns,
      int threads,
      Timing timing,
      boolean matchedStack) {
    /** Copies the arrays and checks every value before any work. */
    public Config {
      widths = widths.clone();
      batches = batches.clone();
      patterns = patterns.clone();
      if (widths.length == 0 || batches.length == 0 || patterns.length == 0) {
        throw new IllegalArgumentException("need at least one width, batch and pattern");
      }
      for (int w : widths) {
        if (w < NODES) {
          throw new IllegalArgumentException(
              "width " + w + " below " + NODES + " (every node needs a channel)");
        }
        if ((long) w * w > MemoryLimits.MAX_TENSOR_VALUES) {
          throw new IllegalArgumentException(
              "width "
                  + w
                  + ": a "
                  + w
                  + " × "
                  + w
                  + " layer has more weights than a tensor holds (2^31 - 9); widths up to "
                  + MAX_WIDTH);
        }
      }
      for (int b : batches) {
        if (b < 1) {
          throw new IllegalArgumentException("batch " + b + " must be >= 1");
        }
        for (int w : widths) {
          checkActivations(b, w, "width " + w);
        }
        if (matchedStack) {
          checkActivations(
              b, MatchedWidth.VALUE, "the matched stack's width " + MatchedWidth.VALUE);
        }
      }
      for (double p : patterns) {
        checkPattern(NODES, p);
      }
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("threads = " + threads + " outside [1, 1024]");
      }
    }

    private static void checkActivations(int batch, int width, String what) {
      if ((long) width * batch > MemoryLimits.MAX_TENSOR_VALUES) {
        throw new IllegalArgumentException(
            "batch "
                + batch
                + " with "
                + what
                + ": the activations ("
                + width
                + " × "
                + batch
                + ") would be more values than a tensor holds (2^31 - 9)");
      }
    }

    /** Every configuration of the issue: {@link #WIDTHS} × {@link #BATCHES} × {@link #PATTERNS}. */
    public static Config full(int threads) {
      return new Config(WIDTHS, BATCHES, PATTERNS, threads, Timing.NORMAL, true);
    }

    /** {@code --quick}: widths 512 and 1539, batch 128, k/n = 0.125 and the complete graph. */
    public static Config quick(int threads) {
      return new Config(
          new int[] {512, 1539},
          new int[] {128},
          new double[] {MATCHED_PATTERN, COMPLETE},
          threads,
          Timing.QUICK,
          true);
    }

    @Override
    public int[] widths() {
      return widths.clone();
    }

    @Override
    public int[] batches() {
      return batches.clone();
    }

    @Override
    public double[] patterns() {
      return patterns.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Config c
          && Arrays.equals(widths, c.widths)
          && Arrays.equals(batches, c.batches)
          && Arrays.equals(patterns, c.patterns)
          && threads == c.threads
          && timing.equals(c.timing)
          && matchedStack == c.matchedStack;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(widths) * 31 + Arrays.hashCode(batches) + Arrays.hashCode(patterns);
    }

    @Override
    public String toString() {
      return "Config(widths="
          + Arrays.toString(widths)
          + ", batches="
          + Arrays.toString(batches)
          + ", patterns="
          + Arrays.toString(patterns)
          + ", threads="
          + threads
          + ", "
          + timing
          + ", matchedStack="
          + matchedStack
          + ")";
    }
  }

  /** One CSV row; {@code width} is the output width, {@code density} the fraction of blocks. */
  public record Row(
      String backend,
      String op,
      int batch,
      int width,
      int nodes,
      double density,
      double ms,
      double gflops) {
    /** The row as CSV, matching {@link #HEADER}. */
    public String csv() {
      return String.format(
          Locale.ROOT,
          "%s,%s,%d,%d,%d,%.6f,%.4f,%s",
          CsvText.field(backend),
          CsvText.field(op),
          batch,
          width,
          nodes,
          density,
          ms,
          gflopsText(gflops));
    }

    /**
     * Two decimals, as always; below 1 GFLOP/s (a tiny layer on a busy machine) four significant
     * digits, so that a measured rate never reads as 0.00.
     */
    static String gflopsText(double gflops) {
      if (!(gflops > 0) || gflops >= 1 || !Double.isFinite(gflops)) {
        return String.format(Locale.ROOT, "%.2f", gflops);
      }
      return new java.math.BigDecimal(gflops)
          .round(new java.math.MathContext(4))
          .stripTrailingZeros()
          .toPlainString();
    }
  }

  private final Config config;
  private final CpuBackend backend;
  private final String baselineNote;
  private final List<BareSgemm.Library> bareLibraries;

  /**
   * A benchmark on the native CPU backend (best instruction set, {@code config.threads()}, dense
   * products through OpenBLAS). OpenBLAS reads {@link CpuBackend#CORETYPE_PROPERTY} when this first
   * touches the backend: set it before, as the CLI and the JMH fork do.
   *
   * @throws IllegalStateException when the native backend is unavailable
   */
  public LayerBench(Config config) {
    this(
        config,
        CpuBackend.create(CpuBackend.bestIsa(), config.threads()),
        "baseline=openblas (default)");
  }

  /**
   * A benchmark of {@code backend} (its instruction set, possibly forced narrower than the CPU's,
   * and its dense library), whose thread count must be {@code config.threads()}; {@code
   * baselineNote} says in the comment line how its dense library was chosen ({@link
   * DenseChoice#describe()}).
   *
   * @throws IllegalArgumentException when the backend's thread count is not the config's
   */
  public LayerBench(Config config, CpuBackend backend, String baselineNote) {
    if (backend.threads() != config.threads()) {
      throw new IllegalArgumentException(
          "backend threads " + backend.threads() + " != config threads " + config.threads());
    }
    this.config = config;
    this.backend = backend;
    this.baselineNote = baselineNote;
    List<BareSgemm.Library> bare = new ArrayList<>();
    bare.add(BareSgemm.Library.OPENBLAS);
    // not Library.isAvailable() first: that would load oneDNN with all processors' threads
    if (oneDnnLoads(config.threads())) {
      bare.add(BareSgemm.Library.DNNL);
    }
    this.bareLibraries = List.copyOf(bare);
  }

  /** Whether oneDNN loads with {@code threads} threads (it loads once, with one count). */
  private static boolean oneDnnLoads(int threads) {
    try {
      new BareSgemm(BareSgemm.Library.DNNL, 1, 1, 1, threads, 0).close();
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /** The libraries whose bare loops this benchmark times: OpenBLAS, and oneDNN where it loads. */
  public List<BareSgemm.Library> bareLibraries() {
    return bareLibraries;
  }

  /** The backend timed. */
  public CpuBackend backend() {
    return backend;
  }

  /**
   * The CSV's first line: the dense libraries, which one the baseline calls and why, the
   * block-sparse kernels' instruction set (and whether it was forced below the CPU's best), and the
   * FMA peak of the backend's threads at that instruction set's vector width (measured now, {@code
   * timing.fmaSeconds()}), e.g. {@code # dense: OpenBLAS 0.3.31 core=Haswell threads=2; oneDNN
   * 3.11.0 isa=avx2; baseline=onednn (auto: bare step openblas 1.301 ms, onednn 1.122 ms);
   * blocksparse: AVX2 threads=2 (forced; CPU best AVX512); fma_peak_gflops=210}.
   */
  public String comment() {
    return comment(backend, config.threads(), config.timing().fmaSeconds(), baselineNote);
  }

  /** oneDNN's version and instruction set ({@link BareSgemm#oneDnnDescription()}), or why not. */
  public static String oneDnnText() {
    try {
      return BareSgemm.Library.DNNL.isAvailable()
          ? BareSgemm.oneDnnDescription()
          : "oneDNN unavailable";
    } catch (IllegalStateException e) {
      return "oneDNN unavailable";
    }
  }

  /** {@link #comment()} for any native backend. */
  static String comment(CpuBackend backend, int threads, double fmaSeconds, String baselineNote) {
    CpuBackend.Isa isa = backend.isa();
    double peak =
        isa == CpuBackend.Isa.PORTABLE
            ? CpuBackend.fmaPeakGflops(threads, fmaSeconds)
            : CpuBackend.fmaPeakGflops(isa, threads, fmaSeconds);
    return String.format(
        Locale.ROOT,
        "# dense: %s threads=%d; %s; %s; blocksparse: %s threads=%d%s; fma_peak_gflops=%.0f",
        CpuBackend.blasDescription(),
        threads,
        oneDnnText(),
        baselineNote,
        isa,
        threads,
        isa == CpuBackend.bestIsa() ? "" : " (forced; CPU best " + CpuBackend.bestIsa() + ")",
        peak);
  }

  /**
   * Runs every configuration, in order batch, width; then, if configured, the matched stack per
   * batch. Per batch and width, the dense layer, its bare loops and every pattern's block-sparse
   * layer are timed side by side ({@link #interleavedMedianSeconds}: their samples in turns, so
   * that a busy spell of a shared machine falls on all of them alike and their ratios hold), then
   * each masked layer on its own (a slow masked product would cut everyone's samples); per batch,
   * the matched stacks and the bare stacks side by side. The rows of a batch and width go to {@code
   * each} once all of them are measured, in order pattern, mode (dense on the complete graph only,
   * with its bare rows after it, then masked, then block-sparse), op ({@link #LAYER_OPS}); then the
   * stacks' rows, block-sparse, dense, bare.
   */
  public List<Row> run(Consumer<Row> each) {
    List<Row> rows = new ArrayList<>();
    Consumer<Row> sink =
        r -> {
          rows.add(r);
          each.accept(r);
        };
    double[] patterns = config.patterns();
    RelationalGraph[] graphs = new RelationalGraph[patterns.length];
    for (int i = 0; i < patterns.length; i++) {
      graphs[i] = graph(NODES, patterns[i]);
    }
    boolean[] cold = {true};
    for (int batch : config.batches()) {
      for (int width : config.widths()) {
        timeLayers(graphs, width, batch, cold, sink);
      }
    }
    if (config.matchedStack()) {
      int matched = matchedWidth();
      for (int batch : config.batches()) {
        timeStacks(matched, batch, cold, sink);
      }
    }
    return rows;
  }

  /**
   * What is timed side by side: each call, what its median time fills in (a row at the place it
   * reserved in a list), and what frees it all.
   */
  private static final class SideBySide {
    final List<Runnable> calls = new ArrayList<>();
    final List<DoubleConsumer> results = new ArrayList<>();
    final List<Runnable> closers = new ArrayList<>();

    /**
     * Times {@code call}; its row goes to the place this reserves now at the end of {@code out}.
     */
    void add(Runnable call, List<Row> out, DoubleFunction<Row> row) {
      int at = out.size();
      out.add(null);
      calls.add(call);
      results.add(s -> out.set(at, row.apply(s)));
    }

    void time(Timing timing) {
      double[] s = interleavedMedianSeconds(calls, timing);
      for (int i = 0; i < s.length; i++) {
        results.get(i).accept(s[i]);
      }
    }

    void close() {
      for (int i = closers.size() - 1; i >= 0; i--) {
        closers.get(i).run();
      }
    }
  }

  /** Before the first measurement of a run: {@code call} for {@link Timing#startupSeconds()}. */
  private void startUp(boolean[] cold, Runnable call) {
    if (!cold[0]) {
      return;
    }
    cold[0] = false;
    long end = System.nanoTime() + (long) (config.timing().startupSeconds() * 1e9);
    do {
      call.run();
    } while (System.nanoTime() < end);
  }

  /** The rows of one batch and width (see {@link #run}). */
  private void timeLayers(
      RelationalGraph[] graphs, int width, int batch, boolean[] cold, Consumer<Row> sink) {
    double[] patterns = config.patterns();
    List<List<Row>> byPattern = new ArrayList<>();
    List<Runnable> masked = new ArrayList<>();
    SideBySide group = new SideBySide();
    try {
      for (int i = 0; i < patterns.length; i++) {
        List<Row> out = new ArrayList<>();
        byPattern.add(out);
        for (ExecutionMode mode : modes(patterns[i])) {
          if (mode == ExecutionMode.MASKED) {
            RelationalGraph g = graphs[i];
            int at = out.size();
            LAYER_OPS.forEach(op -> out.add(null));
            masked.add(() -> timeAlone(g, width, batch, out, at));
            continue;
          }
          Layer layer = Layer.create(backend, mode, graphs[i], width, width, batch, DATA_SEED);
          group.closers.add(layer::close);
          for (Op op : LAYER_OPS) {
            group.add(() -> layer.run(op), out, s -> layer.row(op, s));
          }
          if (mode == ExecutionMode.DENSE) {
            for (BareSgemm.Library library : bareLibraries) {
              BareSgemm bare =
                  new BareSgemm(library, width, width, batch, config.threads(), DATA_SEED);
              group.closers.add(bare::close);
              for (Op op : LAYER_OPS) {
                long multiplyAdds = op.products() * (long) width * width * batch;
                group.add(
                    bareCall(bare, op),
                    out,
                    s -> bareRow(library, op, batch, width, s, multiplyAdds));
              }
            }
          }
        }
      }
      startUp(cold, group.calls.get(0));
      group.time(config.timing());
    } finally {
      group.close();
    }
    masked.forEach(Runnable::run);
    byPattern.forEach(r -> r.forEach(sink));
  }

  /** A masked layer's rows, timed on its own, into {@code out} from {@code at}. */
  private void timeAlone(RelationalGraph graph, int width, int batch, List<Row> out, int at) {
    try (Layer layer =
        Layer.create(backend, ExecutionMode.MASKED, graph, width, width, batch, DATA_SEED)) {
      for (Op op : LAYER_OPS) {
        out.set(at++, layer.row(op, medianSeconds(() -> layer.run(op), config.timing())));
      }
    }
  }

  /** The matched stacks' rows of one batch, block-sparse, dense, then the bare stacks. */
  private void timeStacks(int matched, int batch, boolean[] cold, Consumer<Row> sink) {
    List<Row> out = new ArrayList<>();
    SideBySide group = new SideBySide();
    try {
      for (ExecutionMode mode : List.of(ExecutionMode.BLOCKSPARSE, ExecutionMode.DENSE)) {
        Stack stack = Stack.matched(backend, mode, matched, batch, DATA_SEED);
        group.closers.add(stack::close);
        group.add(stack::step, out, stack::row);
      }
      long multiplyAdds = (long) STACK_LAYERS * DENSE_WIDTH * DENSE_WIDTH * batch;
      for (BareSgemm.Library library : bareLibraries) {
        List<BareSgemm> layers = new ArrayList<>();
        group.closers.add(() -> layers.forEach(BareSgemm::close));
        for (int l = 0; l < STACK_LAYERS; l++) {
          layers.add(
              new BareSgemm(
                  library, DENSE_WIDTH, DENSE_WIDTH, batch, config.threads(), DATA_SEED + l));
        }
        group.add(
            () -> {
              for (BareSgemm l : layers) {
                l.forward();
              }
              for (int l = layers.size() - 1; l >= 0; l--) {
                layers.get(l).backwardData();
                layers.get(l).backwardWeight();
              }
            },
            out,
            s ->
                bareRow(
                    library,
                    Op.MATCHED_STACK,
                    batch,
                    DENSE_WIDTH,
                    s,
                    Op.MATCHED_STACK.products() * multiplyAdds));
      }
      startUp(cold, group.calls.get(0));
      group.time(config.timing());
    } finally {
      group.close();
    }
    out.forEach(sink);
  }

  /** The bare loop's call of {@code op}. */
  private static Runnable bareCall(BareSgemm bare, Op op) {
    return switch (op) {
      case FORWARD -> bare::forward;
      case BACKWARD_DATA -> bare::backwardData;
      case BACKWARD_WEIGHT -> bare::backwardWeight;
      default -> bare::step;
    };
  }

  /**
   * The memory a run needs at its peak, for a check before it starts: the largest configuration's,
   * since each layer (or stack) is freed before the next is built.
   *
   * @param heapBytes Java heap: the random weights staged before they are copied, a dense mask
   * @param nativeBytes tensors: weights, weight gradient, activations and gradients, and in masked
   *     mode the mask and a scratch matrix
   * @param largest the configuration that needs it, in words
   */
  public record Memory(long heapBytes, long nativeBytes, String largest) {}

  /**
   * The peak memory of running {@code config} ({@link Memory}): per batch and width, the layers
   * timed side by side together (their native memory summed), or a masked layer alone; per batch,
   * both matched stacks together.
   */
  public static Memory memory(Config config) {
    Memory peak = new Memory(0, 0, "nothing");
    double[] patterns = config.patterns();
    for (int batch : config.batches()) {
      for (int width : config.widths()) {
        long heap = 0;
        long nat = 0;
        for (double pattern : patterns) {
          RelationalGraph g = graph(NODES, pattern);
          for (ExecutionMode mode : modes(pattern)) {
            long[] m = layerMemory(mode, g, width, width, batch, true);
            if (mode == ExecutionMode.MASKED) {
              peak =
                  larger(
                      peak,
                      m,
                      String.format(
                          Locale.ROOT,
                          "width %d, batch %d, masked, k/n %s",
                          width,
                          batch,
                          pattern == COMPLETE ? "complete" : Double.toString(pattern)));
            } else {
              heap = Math.max(heap, m[0]);
              nat += m[1];
            }
          }
        }
        peak =
            larger(
                peak,
                new long[] {heap, nat},
                String.format(
                    Locale.ROOT,
                    "width %d, batch %d, the layers timed side by side",
                    width,
                    batch));
      }
    }
    if (config.matchedStack()) {
      int w = MatchedWidth.VALUE;
      for (int batch : config.batches()) {
        long heap = 0;
        long nat = 0;
        for (ExecutionMode mode : List.of(ExecutionMode.BLOCKSPARSE, ExecutionMode.DENSE)) {
          int top = mode == ExecutionMode.DENSE ? DENSE_WIDTH : w;
          RelationalGraph g =
              mode == ExecutionMode.DENSE
                  ? ClassicGenerators.complete(NODES)
                  : graph(NODES, MATCHED_PATTERN);
          nat += 4L * 2 * (DENSE_WIDTH + (long) STACK_LAYERS * top) * batch;
          for (int i = 0; i < STACK_LAYERS; i++) {
            long[] m = layerMemory(mode, g, i == 0 ? DENSE_WIDTH : top, top, batch, false);
            heap = Math.max(heap, m[0]);
            nat += m[1];
          }
        }
        peak = larger(peak, new long[] {heap, nat}, "matched stacks, batch " + batch);
      }
    }
    return peak;
  }

  /** {@link #matchedWidth()}, computed once. */
  private static final class MatchedWidth {
    static final int VALUE = matchedWidth();
  }

  private static Memory larger(Memory peak, long[] m, String what) {
    return m[0] + m[1] > peak.heapBytes() + peak.nativeBytes()
        ? new Memory(m[0], m[1], what)
        : peak;
  }

  /** {heap, native} bytes of one layer; with {@code activations}, its own x, y, dy and dx. */
  private static long[] layerMemory(
      ExecutionMode mode, RelationalGraph graph, int in, int out, int batch, boolean activations) {
    long dense = (long) in * out;
    long weights =
        mode == ExecutionMode.BLOCKSPARSE
            ? Flops.relationalLayer(
                graph,
                ChannelPartition.of(out, graph.nodeCount(), SEED),
                ChannelPartition.of(in, graph.nodeCount(), SEED))
            : dense;
    long staged = Math.max(weights, mode == ExecutionMode.MASKED ? dense : 0);
    if (activations) {
      staged = Math.max(staged, (long) Math.max(in, out) * batch);
    }
    long nat = 2 * weights + (mode == ExecutionMode.MASKED ? 2 * dense : 0);
    if (activations) {
      nat += 2L * (in + out) * batch;
    }
    return new long[] {4 * staged, 4 * nat};
  }

  private static Row bareRow(
      BareSgemm.Library library, Op op, int batch, int width, double seconds, long multiplyAdds) {
    return new Row(
        bareBackend(library),
        op.label(),
        batch,
        width,
        NODES,
        1,
        seconds * 1e3,
        gflops(multiplyAdds, seconds));
  }

  /**
   * The dense rows against the faster of the bare rows (OpenBLAS, oneDNN) of the same op, batch and
   * width, in row order (see {@link BaselineCheck}).
   */
  public static List<BaselineCheck> baselineChecks(List<Row> rows) {
    List<BaselineCheck> out = new ArrayList<>();
    for (Row d : rows) {
      if (!d.backend().equals(ExecutionMode.DENSE.label())) {
        continue;
      }
      Row fastest = null;
      for (Row b : rows) {
        if ((b.backend().equals(BARE_SGEMM) || b.backend().equals(BARE_ONEDNN))
            && b.op().equals(d.op())
            && b.batch() == d.batch()
            && b.width() == d.width()
            && (fastest == null || b.ms() < fastest.ms())) {
          fastest = b;
        }
      }
      if (fastest != null) {
        out.add(
            new BaselineCheck(
                String.format(Locale.ROOT, "batch %d, width %d, %s", d.batch(), d.width(), d.op()),
                d.ms(),
                fastest.ms(),
                fastest.backend().equals(BARE_SGEMM) ? "openblas" : "onednn"));
      }
    }
    return out;
  }

  /** The modes run on a pattern: dense only on the complete graph. */
  public static List<ExecutionMode> modes(double kOverN) {
    return kOverN == COMPLETE
        ? List.of(ExecutionMode.DENSE, ExecutionMode.MASKED, ExecutionMode.BLOCKSPARSE)
        : List.of(ExecutionMode.MASKED, ExecutionMode.BLOCKSPARSE);
  }

  /**
   * The matched width: the smallest {@code w} at which {@code 512 → w, w → w, w → w} over the
   * {@code k/n = 0.125} graph reach {@code 3 · 512²} multiply-adds per sample.
   */
  public static int matchedWidth() {
    return StackMatching.matchedWidth(
        graph(NODES, MATCHED_PATTERN),
        DENSE_WIDTH,
        STACK_LAYERS,
        StackMatching.denseMultiplyAdds(DENSE_WIDTH, STACK_LAYERS),
        SEED);
  }

  /**
   * Lines that compare the matched stack with the dense layers, one per batch: {@code matched
   * stack, batch 128: w = 1549, block-sparse 1.234 ms / dense 1.111 ms = 1.11x (target <= 1.15x)}.
   */
  public static List<String> stackSummary(List<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row bs : rows) {
      if (!bs.op().equals(Op.MATCHED_STACK.label())
          || !bs.backend().equals(ExecutionMode.BLOCKSPARSE.label())) {
        continue;
      }
      for (Row d : rows) {
        if (d.op().equals(bs.op())
            && d.backend().equals(ExecutionMode.DENSE.label())
            && d.batch() == bs.batch()) {
          double ratio = bs.ms() / d.ms();
          out.add(
              String.format(
                  Locale.ROOT,
                  "matched stack, batch %d: w = %d, block-sparse %.3f ms / dense %.3f ms = %.2fx"
                      + " (target <= 1.15x: %s)",
                  bs.batch(),
                  bs.width(),
                  bs.ms(),
                  d.ms(),
                  ratio,
                  ratio <= 1.15 ? "met" : "not met"));
        }
      }
    }
    return out;
  }

  /**
   * The graph of a pattern: complete for {@code kOverN = 1}, else the WS-flex graph with {@code k =
   * kOverN · nodes}, {@link #REWIRE}, {@link #SEED}.
   *
   * @throws IllegalArgumentException for a k outside {@code [2, nodes - 1]}
   */
  public static RelationalGraph graph(int nodes, double kOverN) {
    checkPattern(nodes, kOverN);
    if (kOverN == COMPLETE) {
      return ClassicGenerators.complete(nodes);
    }
    return WsFlex.generate(nodes, kOverN * nodes, REWIRE, SEED);
  }

  private static void checkPattern(int nodes, double kOverN) {
    if (kOverN == COMPLETE) {
      return;
    }
    double k = kOverN * nodes;
    if (!(k >= 2 && k <= nodes - 1)) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "pattern k/n = %s gives k = %s outside [2, %d] for %d nodes (1 = complete graph)",
              kOverN,
              k,
              nodes - 1,
              nodes));
    }
  }

  /**
   * The median time of one call of each of {@code ops}, in seconds, measured side by side: each op
   * is warmed up as {@link #medianSeconds} does, then the samples are taken in rounds, one sample
   * of each op per round in turn, so that a busy or quiet spell of a shared machine falls on all of
   * them alike rather than on whichever op happened to run then. Each op's calls per sample are
   * chosen from its own warm-up; the number of samples is the smallest of the ops' {@link
   * #medianSeconds} would take.
   */
  public static double[] interleavedMedianSeconds(List<Runnable> ops, Timing timing) {
    int n = ops.size();
    int samples = timing.samples();
    double[] perCall = new double[n];
    for (int i = 0; i < n; i++) {
      perCall[i] = warmUp(ops.get(i), timing);
      if (perCall[i] * samples > timing.targetSeconds()) {
        samples =
            Math.min(
                samples,
                Math.max(
                    Math.min(3, timing.samples()), (int) (timing.targetSeconds() / perCall[i])));
      }
    }
    long[] inner = new long[n];
    for (int i = 0; i < n; i++) {
      inner[i] = Math.max(1, Math.round(timing.targetSeconds() / samples / perCall[i]));
    }
    double[][] s = new double[n][samples];
    for (int k = 0; k < samples; k++) {
      for (int i = 0; i < n; i++) {
        Runnable op = ops.get(i);
        long t0 = System.nanoTime();
        for (long j = 0; j < inner[i]; j++) {
          op.run();
        }
        s[i][k] = (System.nanoTime() - t0) / 1e9 / inner[i];
      }
    }
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = median(s[i]);
    }
    return out;
  }

  /**
   * Warm-up of {@link #medianSeconds}: at least two calls and {@code warmupSeconds}; returns the
   * time of one call without the first (cold: JIT, page faults, thread start-up).
   */
  private static double warmUp(Runnable op, Timing timing) {
    long start = System.nanoTime();
    long first = 0;
    int calls = 0;
    long now;
    do {
      op.run();
      now = System.nanoTime();
      if (calls == 0) {
        first = now - start;
      }
      calls++;
    } while (calls < 2 || (now - start) / 1e9 < timing.warmupSeconds());
    return Math.max(1e-9, (now - start - first) / 1e9 / (calls - 1));
  }

  private static double median(double[] s) {
    double[] c = s.clone();
    Arrays.sort(c);
    int n = c.length;
    return n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
  }

  /**
   * The median time of one call of {@code op}, in seconds: warm-up of at least two calls and {@code
   * warmupSeconds}; then samples of {@code n} back-to-back calls, {@code n} chosen from the warm-up
   * so that all samples together take about {@code targetSeconds}, fewer samples (at least 3) when
   * one call alone is longer than {@code targetSeconds / samples}.
   */
  public static double medianSeconds(Runnable op, Timing timing) {
    double perCall = warmUp(op, timing);
    int samples = timing.samples();
    if (perCall * samples > timing.targetSeconds()) {
      samples = Math.max(Math.min(3, samples), (int) (timing.targetSeconds() / perCall));
    }
    long inner = Math.max(1, Math.round(timing.targetSeconds() / samples / perCall));
    double[] s = new double[samples];
    for (int i = 0; i < samples; i++) {
      long t0 = System.nanoTime();
      for (long j = 0; j < inner; j++) {
        op.run();
      }
      s[i] = (System.nanoTime() - t0) / 1e9 / inner;
    }
    return median(s);
  }

  private static double gflops(long multiplyAdds, double seconds) {
    return 2.0 * multiplyAdds / seconds / 1e9;
  }

  /** Fills a new tensor with uniform values in {@code ±scale}. */
  private static Tensor random(
      Backend backend, int rows, int cols, double scale, SplittableRandom rng) {
    return backend.of(rows, cols, randomValues(rows, cols, scale, rng));
  }

  /** {@code rows × cols} uniform values in {@code ±scale}. */
  private static float[] randomValues(int rows, int cols, double scale, SplittableRandom rng) {
    float[] v = new float[Math.multiplyExact(rows, cols)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
    }
    return v;
  }

  /**
   * One relational layer {@code in → out} in one mode, the {@link Linear} that training builds
   * ({@link Linear#relational}), with the benchmark's tensors: activations {@code x} (in × batch)
   * and {@code y} (out × batch), gradients {@code dy} and {@code dx}. Closing it frees the layer
   * and the tensors it allocated.
   */
  public static final class Layer implements AutoCloseable {
    private final Backend backend;
    private final ExecutionMode mode;
    private final Linear linear;
    private final int nodes;
    private final int batch;
    private final List<Tensor> owned = new ArrayList<>();
    private Tensor x;
    private Tensor y;
    private Tensor dy;
    private Tensor dx;

    private Layer(
        Backend backend, ExecutionMode mode, RelationalGraph graph, int in, int out, int batch) {
      if (batch < 1) {
        throw new IllegalArgumentException("batch " + batch + " must be >= 1");
      }
      this.backend = backend;
      this.mode = mode;
      this.batch = batch;
      int n = mode == ExecutionMode.DENSE ? NODES : graph.nodeCount();
      this.nodes = n;
      // the dense mode ignores the graph: it is the complete graph
      this.linear =
          Linear.relational(
              backend,
              "relational",
              mode,
              mode == ExecutionMode.DENSE ? ClassicGenerators.complete(n) : graph,
              ChannelPartition.of(out, n, SEED),
              ChannelPartition.of(in, n, SEED));
    }

    /**
     * A layer with random, seeded data. The dense mode ignores {@code graph} (it is the complete
     * graph); the others partition {@code in} and {@code out} channels over its nodes.
     */
    public static Layer create(
        Backend backend,
        ExecutionMode mode,
        RelationalGraph graph,
        int in,
        int out,
        int batch,
        long seed) {
      return create(backend, mode, graph, in, out, batch, seed, null, null, null, null);
    }

    /** As {@link #create}, with activations and gradients given (null: allocated and owned). */
    static Layer create(
        Backend backend,
        ExecutionMode mode,
        RelationalGraph graph,
        int in,
        int out,
        int batch,
        long seed,
        Tensor x,
        Tensor y,
        Tensor dy,
        Tensor dx) {
      Layer l = new Layer(backend, mode, graph, in, out, batch);
      try {
        SplittableRandom rng = new SplittableRandom(seed);
        // the weights as the mode stores them: the blocks' weights, or the dense out × in matrix
        Tensor w = l.linear.weight().value();
        w.copyFrom(randomValues(w.rows(), w.cols(), 1 / Math.sqrt(in), rng));
        l.x = x != null ? x : l.own(random(backend, in, batch, 1, rng));
        l.y = y != null ? y : l.own(backend.zeros(out, batch));
        l.dy = dy != null ? dy : l.own(random(backend, out, batch, 1, rng));
        l.dx = dx != null ? dx : l.own(backend.zeros(in, batch));
        return l;
      } catch (RuntimeException | Error e) {
        l.close();
        throw e;
      }
    }

    private Tensor own(Tensor t) {
      owned.add(t);
      return t;
    }

    /** The mode. */
    public ExecutionMode mode() {
      return mode;
    }

    /** The layer timed. */
    public Linear linear() {
      return linear;
    }

    /** Input channels. */
    public int in() {
      return linear.inputs();
    }

    /** Output channels. */
    public int out() {
      return linear.outputs();
    }

    /** Batch. */
    public int batch() {
      return batch;
    }

    /** Fraction of existing blocks (1 for dense). */
    public double density() {
      return linear.blockDensity();
    }

    /** Useful multiply-adds of one product over the batch: existing blocks only. */
    public long usefulMultiplyAdds() {
      return linear.multiplyAddsPerSample() * batch;
    }

    /** {@code y = W·x}. */
    public void forward() {
      linear.forward(backend, x, y);
    }

    /** {@code dx = Wᵀ·dy}. */
    public void backwardData() {
      linear.backwardData(backend, dy, dx);
    }

    /** {@code dW = dy·xᵀ}. */
    public void backwardWeight() {
      linear.backwardWeight(backend, dy, x);
    }

    /**
     * Runs one op.
     *
     * @throws IllegalArgumentException for {@link Op#MATCHED_STACK}, which is a {@link Stack}'s
     */
    public void run(Op op) {
      switch (op) {
        case FORWARD -> forward();
        case BACKWARD_DATA -> backwardData();
        case BACKWARD_WEIGHT -> backwardWeight();
        case STEP -> {
          forward();
          backwardData();
          backwardWeight();
        }
        case MATCHED_STACK -> throw new IllegalArgumentException("matched_stack is not a layer op");
      }
    }

    /** The CSV row of {@code op} taking {@code seconds}. */
    public Row row(Op op, double seconds) {
      return new Row(
          mode.label(),
          op.label(),
          batch,
          out(),
          nodes,
          density(),
          seconds * 1e3,
          gflops(op.products() * usefulMultiplyAdds(), seconds));
    }

    /** The output of the last forward (for checks). */
    public float[] output() {
      return y.toArray();
    }

    /** The weight gradient of the last backward, as the mode stores it (for checks). */
    public float[] weightGradient() {
      return linear.weight().grad().toArray();
    }

    @Override
    public void close() {
      for (Tensor t : owned) {
        t.close();
      }
      linear.close();
    }
  }

  /**
   * Layers chained over shared activations and gradients: layer {@code i} reads activation {@code
   * i} and writes {@code i + 1} forward, and reads gradient {@code i + 1} and writes {@code i}
   * backward.
   */
  public static final class Stack implements AutoCloseable {
    private final List<Layer> layers = new ArrayList<>();
    private final List<Tensor> owned = new ArrayList<>();
    private final ExecutionMode mode;
    private final int batch;

    private Stack(ExecutionMode mode, int batch) {
      this.mode = mode;
      this.batch = batch;
    }

    /**
     * Layers {@code widths[0] → widths[1] → ... → widths[L]} over {@code graph}, random seeded
     * data.
     */
    public static Stack create(
        Backend backend,
        ExecutionMode mode,
        RelationalGraph graph,
        int[] widths,
        int batch,
        long seed) {
      if (widths.length < 2) {
        throw new IllegalArgumentException("a stack needs at least two widths");
      }
      Stack s = new Stack(mode, batch);
      try {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor[] act = new Tensor[widths.length];
        Tensor[] grad = new Tensor[widths.length];
        for (int i = 0; i < widths.length; i++) {
          act[i] = s.own(random(backend, widths[i], batch, 1, rng));
          grad[i] = s.own(random(backend, widths[i], batch, 1, rng));
        }
        for (int i = 0; i + 1 < widths.length; i++) {
          s.layers.add(
              Layer.create(
                  backend,
                  mode,
                  graph,
                  widths[i],
                  widths[i + 1],
                  batch,
                  rng.nextLong(),
                  act[i],
                  act[i + 1],
                  grad[i + 1],
                  grad[i]));
        }
        return s;
      } catch (RuntimeException | Error e) {
        s.close();
        throw e;
      }
    }

    /**
     * The stack of target b: dense, three dense {@code 512 → 512} layers; masked or block-sparse,
     * {@code 512 → w → w → w} over the {@code k/n = 0.125} graph with {@code w = matchedWidth}.
     */
    public static Stack matched(
        Backend backend, ExecutionMode mode, int matchedWidth, int batch, long seed) {
      int[] widths = new int[STACK_LAYERS + 1];
      Arrays.fill(widths, mode == ExecutionMode.DENSE ? DENSE_WIDTH : matchedWidth);
      widths[0] = DENSE_WIDTH;
      RelationalGraph g =
          mode == ExecutionMode.DENSE
              ? ClassicGenerators.complete(NODES)
              : graph(NODES, MATCHED_PATTERN);
      return create(backend, mode, g, widths, batch, seed);
    }

    private Tensor own(Tensor t) {
      owned.add(t);
      return t;
    }

    /** The layers, input first. */
    public List<Layer> layers() {
      return List.copyOf(layers);
    }

    /** Forward through every layer, then backward-data and weight gradient from the last. */
    public void step() {
      for (Layer l : layers) {
        l.forward();
      }
      for (int i = layers.size() - 1; i >= 0; i--) {
        layers.get(i).backwardData();
        layers.get(i).backwardWeight();
      }
    }

    /** Useful multiply-adds of one product of every layer, over the batch. */
    public long usefulMultiplyAdds() {
      long sum = 0;
      for (Layer l : layers) {
        sum += l.usefulMultiplyAdds();
      }
      return sum;
    }

    /**
     * The CSV row of a step taking {@code seconds}: width is the last layer's output, density the
     * last layer's.
     */
    public Row row(double seconds) {
      Layer last = layers.get(layers.size() - 1);
      return new Row(
          mode.label(),
          Op.MATCHED_STACK.label(),
          batch,
          last.out(),
          NODES,
          last.density(),
          seconds * 1e3,
          gflops(Op.MATCHED_STACK.products() * usefulMultiplyAdds(), seconds));
    }

    @Override
    public void close() {
      for (Layer l : layers) {
        l.close();
      }
      for (Tensor t : owned) {
        t.close();
      }
    }
  }
}
