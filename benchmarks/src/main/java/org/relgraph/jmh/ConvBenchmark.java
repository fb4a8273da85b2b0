package org.relgraph.jmh;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.relgraph.bench.ConvBench;
import org.relgraph.engine.CpuBackend;
import org.relgraph.nn.ExecutionMode;

/**
 * The forward pass of one convolution at a stage of the paper's CIFAR CNN or ResNet-34: the
 * configurations of {@code relgraph bench convs}, built by the same {@link ConvBench} code (shapes,
 * FLOP-matched widths, graph, seeded data), timed by JMH instead.
 *
 * <p>{@code mode}: {@code blocksparse} and {@code masked} run the relational convolution over the
 * 64-node WS-flex graph with {@code k/n = 0.125} at the FLOP-matched width; {@code dense} the
 * engine's dense convolution (im2col + OpenBLAS sgemm) and {@code onednn} oneDNN's convolution
 * primitive (its own layouts, reorders done at setup), both at the stage's width; {@code
 * dense-matched} (not in the default grid) the engine's dense convolution at the matched width.
 * Where oneDNN does not load, {@code onednn} trials fail their setup with the cause and JMH goes
 * on.
 *
 * <p>The fork sets {@code -Drelgraph.openblas.coretype=auto}, so OpenBLAS runs the kernel it
 * detects for the CPU. The default grid is 7 shapes × 2 kernels × 2 batches × 4 modes (112 runs);
 * pick some, e.g. {@code java -jar benchmarks/target/benchmarks.jar ConvBenchmark -p
 * shape=resnet34:4 -p kernel=3 -p batch=32} (4 runs, about a minute).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// As LayerBenchmark: native kernels need no long JIT warm-up; 3 × 1 s warm-up, 5 × 1 s measured.
@Fork(value = 1, jvmArgsAppend = "-Drelgraph.openblas.coretype=auto")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvBenchmark {

  /** One convolution with its data. */
  @State(Scope.Benchmark)
  public static class ConvState {
    /** {@code net:stage}: {@code cifar:1..3} or {@code resnet34:1..4}. */
    @Param({
      "cifar:1",
      "cifar:2",
      "cifar:3",
      "resnet34:1",
      "resnet34:2",
      "resnet34:3",
      "resnet34:4"
    })
    public String shape;

    /** 3 or 1. */
    @Param({"3", "1"})
    public int kernel;

    /** Batch. */
    @Param({"32", "128"})
    public int batch;

    /**
     * {@code blocksparse}, {@code masked}, {@code dense}, {@code onednn} or {@code dense-matched}.
     */
    @Param({"blocksparse", "masked", "dense", "onednn"})
    public String mode;

    /** Threads of the kernels and of oneDNN; 0 for all processors. */
    @Param("0")
    public int threads;

    ConvBench.Case config;
    ConvBench.Timed conv;

    /** Builds the convolution, as {@code relgraph bench convs} does. */
    @Setup(Level.Trial)
    public void setup() {
      ConvBench.Shape s = shape(shape);
      int matched = ConvBench.matchedWidth(s.channels());
      config =
          switch (mode.trim().toLowerCase(Locale.ROOT)) {
            case "onednn" -> new ConvBench.Case(null, s, kernel, batch, s.channels());
            case "dense" -> new ConvBench.Case(ExecutionMode.DENSE, s, kernel, batch, s.channels());
            case "dense-matched" ->
                new ConvBench.Case(ExecutionMode.DENSE, s, kernel, batch, matched);
            case "blocksparse", "masked" ->
                new ConvBench.Case(ExecutionMode.parse(mode), s, kernel, batch, matched);
            default ->
                throw new IllegalArgumentException(
                    "mode '"
                        + mode
                        + "' is not blocksparse, masked, dense, onednn or dense-matched");
          };
      int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
      conv =
          config.create(
              CpuBackend.create(CpuBackend.bestIsa(), t),
              ConvBench.graph(),
              org.relgraph.bench.LayerBench.DATA_SEED);
    }

    /** Frees the convolution. */
    @TearDown(Level.Trial)
    public void tearDown() {
      if (conv != null) {
        conv.close();
        conv = null;
      }
    }
  }

  /**
   * The shape of a {@code net:stage} parameter.
   *
   * @throws IllegalArgumentException for anything else
   */
  static ConvBench.Shape shape(String value) {
    String[] p = value.trim().split(":");
    if (p.length != 2) {
      throw new IllegalArgumentException("shape '" + value + "' is not net:stage");
    }
    try {
      return ConvBench.shape(p[0], Integer.parseInt(p[1]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("shape '" + value + "' is not net:stage");
    }
  }

  /** One forward pass. */
  @Benchmark
  public void forward(ConvState s) {
    s.conv.forward();
  }
}
