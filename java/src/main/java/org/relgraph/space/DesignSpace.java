package org.relgraph.space;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.relgraph.graph.WsFlex;

/**
 * Sweeps the WS-flex design space: draws every graph of a {@link DesignSpaceConfig}'s grid and
 * measures its clustering C and average path length L, in parallel.
 *
 * <p>Graph {@code i} of the sweep has degree index {@code i / (P·S)}, probability index {@code (i /
 * S) % P} and seed {@code i % S} (P probabilities, S seeds); the result is the same for any thread
 * count.
 */
public final class DesignSpace {
  /** Largest number of graphs a worker takes at once; small sweeps take smaller chunks. */
  private static final int MAX_CHUNK = 2048;

  private DesignSpace() {}

  /** The measured sweep. C and L are NaN for a graph that could not be drawn connected. */
  public static final class Result {
    private final DesignSpaceConfig config;
    private final double[] degrees;
    private final double[] probabilities;
    private final int[] degreeIndex;
    private final double[] clustering;
    private final double[] pathLength;
    private final int failed;
    private final double seconds;

    Result(
        DesignSpaceConfig config,
        double[] degrees,
        double[] probabilities,
        int[] degreeIndex,
        double[] clustering,
        double[] pathLength,
        int failed,
        double seconds) {
      this.config = config;
      this.degrees = degrees;
      this.probabilities = probabilities;
      this.degreeIndex = degreeIndex;
      this.clustering = clustering;
      this.pathLength = pathLength;
      this.failed = failed;
      this.seconds = seconds;
    }

    /** The configuration swept. */
    public DesignSpaceConfig config() {
      return config;
    }

    /** Number of graphs swept (those that failed included). */
    public int size() {
      return clustering.length;
    }

    /** Graphs that were disconnected in every allowed draw (excluded from every output). */
    public int failed() {
      return failed;
    }

    /** Wall time of the sweep in seconds. */
    public double seconds() {
      return seconds;
    }

    /** Index of graph {@code i}'s degree in {@link DesignSpaceConfig#degrees()}. */
    public int degreeStep(int i) {
      return degreeIndex[i / (probabilities.length * config.seeds())];
    }

    /** Index of graph {@code i}'s probability in {@link DesignSpaceConfig#probabilities()}. */
    public int probabilityStep(int i) {
      return (i / config.seeds()) % probabilities.length;
    }

    /** Average degree of graph {@code i}. */
    public double degree(int i) {
      return degrees[degreeStep(i)];
    }

    /** Rewiring probability of graph {@code i}. */
    public double probability(int i) {
      return probabilities[probabilityStep(i)];
    }

    /** Seed of graph {@code i}. */
    public int seed(int i) {
      return i % config.seeds();
    }

    /** Clustering coefficient of graph {@code i}, NaN if it failed. */
    public double clustering(int i) {
      return clustering[i];
    }

    /** Average path length of graph {@code i}, NaN if it failed. */
    public double pathLength(int i) {
      return pathLength[i];
    }
  }

  /**
   * Runs the sweep.
   *
   * @param progress called with the number of graphs finished since the last call (from worker
   *     threads)
   */
  public static Result sweep(DesignSpaceConfig config, LongConsumer progress) {
    long start = System.nanoTime();
    double[] allDegrees = config.degrees();
    int[] degreeIndex = config.keptDegrees();
    double[] probabilities = config.probabilities();
    int perDegree = probabilities.length * config.seeds();
    int total = degreeIndex.length * perDegree;
    double[] clustering = new double[total];
    double[] pathLength = new double[total];
    AtomicInteger nextChunk = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicBoolean abort = new AtomicBoolean();
    // About 16 chunks per thread at least, so that every thread has work and a slow region of
    // the grid (dense graphs, high rewiring) does not end up on one thread.
    int chunkSize = (int) Math.max(1, Math.min(MAX_CHUNK, total / (16L * config.threads())));
    int threads = Math.min(config.threads(), Math.max(1, total));
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "design-space");
              t.setDaemon(true);
              return t;
            });
    ExecutorCompletionService<Void> done = new ExecutorCompletionService<>(pool);
    try {
      for (int t = 0; t < threads; t++) {
        done.submit(
            () -> {
              try {
                WsFlex.Sampler sampler = new WsFlex.Sampler(config.nodes());
                double[] measured = new double[2];
                int chunk;
                while (!abort.get()
                    && (chunk = nextChunk.getAndIncrement()) * (long) chunkSize < total) {
                  int from = chunk * chunkSize;
                  int to = Math.min(total, from + chunkSize);
                  for (int i = from; i < to; i++) {
                    double k = allDegrees[degreeIndex[i / perDegree]];
                    double p = probabilities[(i / config.seeds()) % probabilities.length];
                    try {
                      sampler.draw(k, p, i % config.seeds());
                      sampler.measure(measured);
                      clustering[i] = measured[0];
                      pathLength[i] = measured[1];
                    } catch (WsFlex.DisconnectedGraphException e) {
                      clustering[i] = Double.NaN;
                      pathLength[i] = Double.NaN;
                      failed.incrementAndGet();
                    }
                  }
                  progress.accept(to - from);
                }
                return null;
              } catch (Throwable e) {
                abort.set(true); // the other workers stop at their next chunk
                throw e;
              }
            });
      }
      for (int t = 0; t < threads; t++) {
        done.take().get(); // in completion order: the first failure surfaces at once
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort.set(true);
      throw new IllegalStateException("design-space sweep interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    } finally {
      abort.set(true);
      pool.shutdownNow();
    }
    return new Result(
        config,
        allDegrees,
        probabilities,
        degreeIndex,
        clustering,
        pathLength,
        failed.get(),
        (System.nanoTime() - start) / 1e9);
  }
}
