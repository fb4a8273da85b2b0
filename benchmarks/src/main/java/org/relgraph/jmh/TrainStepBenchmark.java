package org.relgraph.jmh;

import java.util.SplittableRandom;
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
import org.relgraph.engine.Backend;
import org.relgraph.engine.CpuBackend;
import org.relgraph.engine.LossAccumulator;
import org.relgraph.engine.SgdSettings;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.BudgetMatching;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.train.RelationalMlp;

/**
 * One training step (forward, loss, backward, SGD update) of the paper's Fashion-MNIST MLP (784
 * inputs, 10 classes, batch 128), on a fixed seeded batch: the complete-graph baseline ({@code
 * graph=complete}) against the FLOP-matched WS-flex graph with {@code k/n = 0.125} ({@code
 * graph=ws-flex}), in each mode ({@code dense} runs the complete graph only). An epoch of
 * Fashion-MNIST is 468 such steps; {@code relgraph bench epochs} times whole epochs on the real
 * data.
 *
 * <p>Example: {@code java -jar benchmarks/target/benchmarks.jar TrainStepBenchmark} (4 runs); add
 * {@code -p backend=cuda} for the CUDA backend.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// As LayerBenchmark: native work, short warm-up; OpenBLAS's own kernel for the CPU.
@Fork(value = 1, jvmArgsAppend = "-Drelgraph.openblas.coretype=auto")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TrainStepBenchmark {
  /** The network and one batch. */
  @State(Scope.Benchmark)
  public static class Net {
    /** {@code complete} or {@code ws-flex} (k/n = 0.125, p = 0.3, seed 1). */
    @Param({"complete", "ws-flex"})
    public String graph;

    /** {@code blocksparse}, {@code masked}, or {@code dense} (complete graph only). */
    @Param({"dense", "blocksparse", "masked"})
    public String mode;

    /** Batch. */
    @Param("128")
    public int batch;

    /**
     * {@code cpu}, or {@code cuda} (skipped with the cause, by a failed setup, where no GPU can run
     * the kernels).
     */
    @Param("cpu")
    public String backend = "cpu";

    /** Threads; 0 for all processors. */
    @Param("0")
    public int threads;

    RelationalMlp net;
    boolean cuda;
    LossAccumulator totals;
    float[] x;
    int[] labels;
    final SgdSettings sgd = new SgdSettings(0.9f, 5e-4f, true);

    /** Builds the network at its matched width and a random batch. */
    @Setup(Level.Trial)
    public void setup() {
      RelationalGraph g =
          graph.equals("complete")
              ? ClassicGenerators.complete(64)
              : WsFlex.generate(64, 8, 0.3, 1);
      ExecutionMode m = ExecutionMode.parse(mode);
      if (m == ExecutionMode.DENSE && !graph.equals("complete")) {
        throw new IllegalArgumentException("dense runs the complete graph only");
      }
      MlpSpec spec = MlpSpec.paper(784, 10);
      int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
      Backend b;
      if (backend.equals("cuda")) {
        b = CudaBenchmarks.create();
        cuda = true;
      } else if (backend.equals("cpu")) {
        b = CpuBackend.create(CpuBackend.bestIsa(), t);
      } else {
        throw new IllegalArgumentException("backend '" + backend + "' is neither cpu nor cuda");
      }
      net = RelationalMlp.create(b, spec, g, BudgetMatching.match(spec, g).width(), m, 1);
      SplittableRandom r = new SplittableRandom(7);
      x = new float[784 * batch];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      labels = r.ints(batch, 0, 10).toArray();
      totals = net.backend().newLossAccumulator();
    }

    /** Frees the network. */
    @TearDown(Level.Trial)
    public void tearDown() {
      if (net != null) {
        net.close();
        net.backend().close();
      }
    }
  }

  /**
   * One SGD step, its loss added on the backend (not read, as in training); a small learning rate
   * keeps the weights stable over millions of steps.
   */
  @Benchmark
  public LossAccumulator step(Net s) {
    s.net.trainStep(s.x, s.labels, 1e-4f, s.sgd, s.totals);
    if (s.cuda) {
      s.net.backend().synchronize(); // the GPU's work is asynchronous: time it to its end
    }
    return s.totals;
  }
}
