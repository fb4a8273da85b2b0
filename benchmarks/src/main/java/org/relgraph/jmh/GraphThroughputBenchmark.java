package org.relgraph.jmh;

import java.util.Arrays;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.space.DesignSpaceConfig;

/**
 * Throughput of the inner loop of a design-space sweep: draw one WS-flex graph and measure its
 * clustering C and average path length L, with the reusable {@link WsFlex.Sampler} that {@code
 * DesignSpace.sweep} uses.
 *
 * <p>The workload is a fixed, seeded sample of {@code (k, p, seed)} points drawn uniformly from the
 * paper's grid for {@code n} ({@link DesignSpaceConfig#defaults}: the degrees with {@code k/n >=
 * minDegreeRatio}, every probability, seeds {@code 0 .. seeds-1}); each operation takes the next
 * point, cyclically, in an {@linkplain Workload#interleaved order} that mixes cheap and costly
 * points evenly. Every thread starts at the first point, so the one- and two-thread methods see the
 * same points in the same order.
 *
 * <ul>
 *   <li>{@link #drawAndMeasure}: draw + C + L on one thread;
 *   <li>{@link #drawAndMeasureTwoThreads}: the same on two threads, each with its own sampler; its
 *       score (the sum over both threads) is the two-core figure;
 *   <li>{@link #drawOnly}: the draw alone (lattice, rewiring, connectivity check);
 *   <li>{@link #measureOnly}: C + L alone, of graphs drawn beforehand from the same sample.
 * </ul>
 *
 * <p>At {@code n = 1024} the cost of a graph is very uneven: most take a few to a few tens of
 * milliseconds, but drawing a graph of degree close to {@code n} with a high rewiring probability
 * takes up to seconds (a rewired endpoint that is not yet a neighbour is found by rejection), so
 * its scores swing from iteration to iteration; read them with their error, or use longer
 * iterations ({@code -r 20s}).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar GraphThroughputBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// One fork suffices for these allocation-free bit loops; 3 × 2 s of warm-up reach C2 code, and
// 5 × 2 s of measurement give a stable mean. 4 methods × 2 sizes × 16 s is about 2.5 minutes.
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GraphThroughputBenchmark {

  /** Seed of the workload sample; fixed so that every run measures the same graphs. */
  static final long WORKLOAD_SEED = 0x5EED_2020L;

  /** Longs of adjacency rows that {@link DrawnGraphs} may hold at once (32 MiB). */
  static final int DRAWN_ROWS_BUDGET = 1 << 22;

  /** The sampled grid points, shared by all threads. */
  @State(Scope.Benchmark)
  public static class Workload {
    /** Nodes per graph. */
    @Param({"64", "1024"})
    public int n;

    /** Points in the sample. */
    @Param("4096")
    public int sampleSize;

    double[] k;
    double[] p;
    long[] seed;

    /**
     * Draws the sample, uniformly and independently, then puts it in {@linkplain #interleaved
     * interleaved order}.
     */
    @Setup(Level.Trial)
    public void setup() {
      DesignSpaceConfig config = DesignSpaceConfig.defaults(n);
      double[] degrees =
          Arrays.stream(config.degrees())
              .filter(d -> d / config.nodes() >= config.minDegreeRatio())
              .toArray();
      double[] probabilities = config.probabilities();
      SplittableRandom random = new SplittableRandom(WORKLOAD_SEED);
      double[] drawnK = new double[sampleSize];
      double[] drawnP = new double[sampleSize];
      long[] drawnSeed = new long[sampleSize];
      for (int i = 0; i < sampleSize; i++) {
        drawnK[i] = degrees[random.nextInt(degrees.length)];
        drawnP[i] = probabilities[random.nextInt(probabilities.length)];
        drawnSeed[i] = random.nextInt(config.seeds());
      }
      int[] order = interleaved(drawnK, drawnP);
      k = new double[sampleSize];
      p = new double[sampleSize];
      seed = new long[sampleSize];
      for (int i = 0; i < sampleSize; i++) {
        k[i] = drawnK[order[i]];
        p[i] = drawnP[order[i]];
        seed[i] = drawnSeed[order[i]];
      }
    }

    /**
     * An order of the points in which every run of consecutive points spreads evenly over the
     * sample's range of degrees (the main factor of a graph's cost): the points ranked by {@code
     * (k, p)}, rank {@code r} placed by the fractional part of {@code r/φ}. A measurement
     * iteration, which at {@code n = 1024} covers only a few dozen points, then costs about the
     * mean of the whole sample instead of the mean of wherever the cursor happened to be.
     */
    static int[] interleaved(double[] k, double[] p) {
      Integer[] ranked = new Integer[k.length];
      for (int i = 0; i < ranked.length; i++) {
        ranked[i] = i;
      }
      Arrays.sort(
          ranked, (a, b) -> k[a] != k[b] ? Double.compare(k[a], k[b]) : Double.compare(p[a], p[b]));
      Integer[] ranks = new Integer[k.length];
      for (int r = 0; r < ranks.length; r++) {
        ranks[r] = r;
      }
      Arrays.sort(ranks, (a, b) -> Double.compare(goldenFraction(a), goldenFraction(b)));
      int[] order = new int[k.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = ranked[ranks[i]];
      }
      return order;
    }

    private static double goldenFraction(int r) {
      double x = r * 0.6180339887498949;
      return x - Math.floor(x);
    }
  }

  /** One thread's sampler and its position in the workload. */
  @State(Scope.Thread)
  public static class Sampling {
    Workload workload;
    WsFlex.Sampler sampler;
    final double[] measured = new double[2];
    int next;

    /** Creates this thread's sampler. */
    @Setup(Level.Trial)
    public void setup(Workload w) {
      workload = w;
      sampler = new WsFlex.Sampler(w.n);
      next = 0;
    }

    /** Draws the next point of the workload into the sampler. */
    void drawNext() {
      int i = next;
      next = i + 1 == workload.sampleSize ? 0 : i + 1;
      sampler.draw(workload.k[i], workload.p[i], workload.seed[i]);
    }
  }

  /**
   * Graphs drawn beforehand from the start of the workload, one sampler each (a sampler measures
   * the graph it drew last); at most {@link #DRAWN_ROWS_BUDGET} longs of rows, so fewer graphs for
   * large {@code n}.
   */
  @State(Scope.Thread)
  public static class DrawnGraphs {
    WsFlex.Sampler[] graphs;
    final double[] measured = new double[2];
    int next;

    /** Draws the graphs. */
    @Setup(Level.Trial)
    public void setup(Workload w) {
      int count = count(w.n, w.sampleSize);
      graphs = new WsFlex.Sampler[count];
      for (int i = 0; i < count; i++) {
        graphs[i] = new WsFlex.Sampler(w.n);
        graphs[i].draw(w.k[i], w.p[i], w.seed[i]);
      }
      next = 0;
    }

    /** How many graphs of {@code n} nodes to draw for a sample of {@code sampleSize} points. */
    static int count(int n, int sampleSize) {
      int rowsPerGraph = n * RelationalGraph.wordsPerRow(n);
      return Math.max(1, Math.min(sampleSize, DRAWN_ROWS_BUDGET / rowsPerGraph));
    }
  }

  /** Draw + C + L of the next point, on one thread. */
  @Benchmark
  public void drawAndMeasure(Sampling s, Blackhole bh) {
    drawAndMeasureNext(s, bh);
  }

  /** Draw + C + L of the next point, on two threads: the two-core throughput. */
  @Benchmark
  @Threads(2)
  public void drawAndMeasureTwoThreads(Sampling s, Blackhole bh) {
    drawAndMeasureNext(s, bh);
  }

  /** The draw of the next point alone. */
  @Benchmark
  public void drawOnly(Sampling s, Blackhole bh) {
    s.drawNext();
    bh.consume(s.sampler);
  }

  /** C + L of the next graph drawn beforehand. */
  @Benchmark
  public void measureOnly(DrawnGraphs g, Blackhole bh) {
    int i = g.next;
    g.next = i + 1 == g.graphs.length ? 0 : i + 1;
    g.graphs[i].measure(g.measured);
    bh.consume(g.measured[0]);
    bh.consume(g.measured[1]);
  }

  private static void drawAndMeasureNext(Sampling s, Blackhole bh) {
    s.drawNext();
    s.sampler.measure(s.measured);
    bh.consume(s.measured[0]);
    bh.consume(s.measured[1]);
  }
}
