package org.relgraph.jmh;

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
import org.relgraph.bench.LayerBench;
import org.relgraph.engine.Backend;
import org.relgraph.engine.CpuBackend;
import org.relgraph.nn.ExecutionMode;

/**
 * Time of one relational layer's products, and of the FLOP-matched stack, on the native CPU
 * backend: the configurations of {@code relgraph bench layers}, built by the same {@link
 * LayerBench} code (graphs, partitions, seeded data), timed by JMH instead.
 *
 * <ul>
 *   <li>{@link #layer}: one op ({@code forward}, {@code backward_data}, {@code backward_weight}, or
 *       {@code step}, the three in a row) of a {@code width → width} layer over the 64-node WS-flex
 *       graph with {@code k/n = kOverN} ({@code complete}: the complete graph), in mode {@code
 *       backend}. {@code dense} runs the complete graph only: other patterns fail at setup, so give
 *       {@code -p kOverN=complete} with {@code -p backend=dense}.
 *   <li>{@link #matchedStack}: forward plus backward of three layers, {@code 512 → w → w → w} over
 *       the {@code k/n = 0.125} graph at the FLOP-matched {@code w} (masked, block-sparse), or
 *       three dense {@code 512 → 512} layers ({@code dense}).
 * </ul>
 *
 * <p>Useful GFLOP/s of a row: {@code 2 × multiply-adds of existing blocks × batch × products /
 * time} (see {@link LayerBench}); JMH reports the time only.
 *
 * <p>{@code -p backend=cuda,cuda-masked,cuda-dense} times the same layers on the CUDA backend
 * (cuBLAS for masked and dense), synchronizing after each call; where no GPU can run them, each
 * such trial fails its setup with {@code skipped: backend cuda is unavailable: <cause>} and JMH
 * goes on.
 *
 * <p>The fork sets {@code -Drelgraph.openblas.coretype=auto}, so OpenBLAS runs the kernel it
 * detects for the CPU (the environment may force another); the setup prints which one ran.
 *
 * <p>The default parameters span the whole grid (hundreds of runs); pick some, e.g. {@code java
 * -jar benchmarks/target/benchmarks.jar LayerBenchmark.layer -p backend=blocksparse,masked -p
 * width=1539 -p kOverN=0.125 -p batch=128} (8 runs, about 2 minutes).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// Native kernels need no long JIT warm-up: 3 × 1 s of warm-up reach steady state (thread pools,
// caches), 5 × 1 s of measurement give a stable mean; about 10 s per run with the fork.
@Fork(value = 1, jvmArgsAppend = "-Drelgraph.openblas.coretype=auto")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LayerBenchmark {

  /** One layer with its tensors. */
  @State(Scope.Benchmark)
  public static class LayerState {
    /**
     * Mode on the CPU backend: {@code dense} (complete graph only), {@code masked}, {@code
     * blocksparse}; or on the CUDA backend: {@code cuda} (block-sparse), {@code cuda-masked},
     * {@code cuda-dense} (skipped with the cause where no GPU can run them).
     */
    @Param({"blocksparse", "masked", "dense"})
    public String backend;

    /** Output (and input) width. */
    @Param({"512", "768", "1024", "1539"})
    public int width;

    /** Pattern: k/n of the WS-flex graph, or {@code complete}. */
    @Param({"0.125", "0.25", "0.5", "0.75", "complete"})
    public String kOverN;

    /** Batch. */
    @Param({"128", "1024"})
    public int batch;

    /** {@code forward}, {@code backward_data}, {@code backward_weight} or {@code step}. */
    @Param({"step", "forward", "backward_data", "backward_weight"})
    public String op;

    /** Threads of the kernels; 0 for all processors. */
    @Param("0")
    public int threads;

    LayerBench.Op parsedOp;
    LayerBench.Layer layer;
    Backend cuda;

    /** Builds the layer, as {@code relgraph bench layers} does. */
    @Setup(Level.Trial)
    public void setup() {
      boolean onCuda = backend.equals("cuda") || backend.startsWith("cuda-");
      ExecutionMode mode =
          ExecutionMode.parse(
              backend.equals("cuda") ? "blocksparse" : backend.replaceFirst("^cuda-", ""));
      double pattern = pattern(kOverN);
      if (mode == ExecutionMode.DENSE && pattern != LayerBench.COMPLETE) {
        throw new IllegalArgumentException(
            "dense runs the complete graph only: use -p kOverN=complete");
      }
      parsedOp = LayerBench.Op.parse(op);
      if (parsedOp == LayerBench.Op.MATCHED_STACK) {
        throw new IllegalArgumentException("matched_stack is the matchedStack benchmark");
      }
      if (onCuda) {
        cuda = CudaBenchmarks.create();
      }
      layer =
          LayerBench.Layer.create(
              onCuda ? cuda : cpu(threads),
              mode,
              LayerBench.graph(LayerBench.NODES, pattern),
              width,
              width,
              batch,
              LayerBench.DATA_SEED);
    }

    /** Frees the tensors. */
    @TearDown(Level.Trial)
    public void tearDown() {
      if (layer != null) {
        layer.close();
      }
      if (cuda != null) {
        cuda.close();
      }
    }
  }

  /** The matched stack (or the dense layers it is compared with). */
  @State(Scope.Benchmark)
  public static class StackState {
    /** {@code blocksparse} or {@code masked} (matched width), {@code dense} (three 512 layers). */
    @Param({"blocksparse", "dense"})
    public String backend;

    /** Batch. */
    @Param({"128", "1024"})
    public int batch;

    /** Threads of the kernels; 0 for all processors. */
    @Param("0")
    public int threads;

    LayerBench.Stack stack;

    /** Builds the stack. */
    @Setup(Level.Trial)
    public void setup() {
      ExecutionMode mode = ExecutionMode.parse(backend);
      int w = mode == ExecutionMode.DENSE ? LayerBench.DENSE_WIDTH : LayerBench.matchedWidth();
      stack = LayerBench.Stack.matched(cpu(threads), mode, w, batch, LayerBench.DATA_SEED);
    }

    /** Frees the tensors. */
    @TearDown(Level.Trial)
    public void tearDown() {
      if (stack != null) {
        stack.close();
      }
    }
  }

  /** The pattern of a {@code kOverN} parameter: a number, or {@code complete}. */
  static double pattern(String kOverN) {
    return kOverN.equals("complete") ? LayerBench.COMPLETE : Double.parseDouble(kOverN);
  }

  /** Whether the dense kernel was printed (once per fork). */
  private static boolean described;

  private static CpuBackend cpu(int threads) {
    int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    CpuBackend cpu = CpuBackend.create(CpuBackend.bestIsa(), t);
    if (!described) {
      described = true;
      System.out.println(
          System.lineSeparator() + "# dense: " + CpuBackend.blasDescription() + " threads=" + t);
    }
    return cpu;
  }

  /** One op of one layer. */
  @Benchmark
  public void layer(LayerState s) {
    s.layer.run(s.parsedOp);
    if (s.cuda != null) {
      s.cuda.synchronize(); // the GPU's work is asynchronous: time it to its end
    }
  }

  /** Forward plus backward of the three layers. */
  @Benchmark
  public void matchedStack(StackState s) {
    s.stack.step();
  }
}
