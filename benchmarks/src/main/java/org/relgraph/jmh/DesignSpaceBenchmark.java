package org.relgraph.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.relgraph.space.DesignSpace;
import org.relgraph.space.DesignSpaceConfig;
import org.relgraph.space.DesignSpaceFiles;

/**
 * Time of a whole design-space sweep, end to end: {@link DesignSpace#sweep} of every graph of the
 * grid on {@code threads} threads, then {@link DesignSpaceFiles#writeGraphs} of its CSV to a
 * temporary file. {@link #writeCsv} times the CSV alone, so the sweep's share is the difference.
 *
 * <p>{@code grid} names the design space: {@code "64"} is the paper's full space for {@code n = 64}
 * ({@link DesignSpaceConfig#defaults}, about 1.5 million graphs); {@code "1024:10x10x1"} is the
 * space for {@code n = 1024} reduced to 10 degree steps, 10 probability steps and 1 seed (70
 * graphs). Other grids can be given with {@code -p grid=N[:DxPxS]} (and {@code -p csvGrid=...} for
 * {@link #writeCsv}).
 *
 * <p>The reduced {@code n = 1024} grid takes about 20 s a shot, nearly all of it in the few graphs
 * of degree close to {@code n} with a high rewiring probability (drawing a rewired endpoint that is
 * not yet a neighbour takes many tries there), and it runs on one thread however many are given:
 * {@code DesignSpace} hands out work in chunks of 2048 graphs.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DesignSpaceBenchmark}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
// A full n = 64 sweep takes about 15 s on two cores, the reduced n = 1024 one about 20 s: one shot
// of warm-up (JIT) and three measured shots each, about 3.5 minutes for the whole class.
@Fork(1)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class DesignSpaceBenchmark {

  /** A temporary CSV file, new for each shot. */
  abstract static class TempCsv {
    Path dir;
    Path csv;

    void createDir() throws IOException {
      dir = Files.createTempDirectory("relgraph-bench");
      csv = dir.resolve("graphs.csv");
    }

    /** Deletes the CSV of the last shot, so that each shot writes a new file. */
    @TearDown(Level.Iteration)
    public void deleteCsv() throws IOException {
      Files.deleteIfExists(csv);
    }

    /** Deletes the temporary directory. */
    @TearDown(Level.Trial)
    public void deleteDir() throws IOException {
      Files.deleteIfExists(csv);
      Files.deleteIfExists(dir);
    }
  }

  /** The design space swept and where its CSV goes. */
  @State(Scope.Benchmark)
  public static class Space extends TempCsv {
    /** {@code N} for the paper's space of N nodes, or {@code N:DxPxS} for a reduced grid. */
    @Param({"64", "1024:10x10x1"})
    public String grid;

    /** Sweep threads. */
    @Param("2")
    public int threads;

    DesignSpaceConfig config;

    /** Parses the grid and creates the temporary directory. */
    @Setup(Level.Trial)
    public void setup() throws IOException {
      config = config(grid, threads);
      createDir();
    }
  }

  /** A sweep done beforehand, for {@link #writeCsv}, and where its CSV goes. */
  @State(Scope.Benchmark)
  public static class Swept extends TempCsv {
    /** The space swept, as {@link Space#grid}; the full n = 64 space only, by default. */
    @Param("64")
    public String csvGrid;

    DesignSpace.Result result;

    /** Sweeps the space once, on all processors, and creates the temporary directory. */
    @Setup(Level.Trial)
    public void setup() throws IOException {
      result =
          DesignSpace.sweep(
              config(csvGrid, Runtime.getRuntime().availableProcessors()), done -> {});
      createDir();
    }
  }

  /**
   * The configuration named by {@code grid}: {@code "N"} is {@code DesignSpaceConfig.defaults(N)},
   * {@code "N:DxPxS"} the same with D degree steps, P probability steps and S seeds; both on {@code
   * threads} threads.
   */
  static DesignSpaceConfig config(String grid, int threads) {
    String[] parts = grid.split(":", -1);
    DesignSpaceConfig d = DesignSpaceConfig.defaults(Integer.parseInt(parts[0].trim()));
    int degreeSteps = d.degreeSteps();
    int probabilitySteps = d.probabilitySteps();
    int seeds = d.seeds();
    if (parts.length == 2) {
      String[] steps = parts[1].split("x", -1);
      if (steps.length != 3) {
        throw new IllegalArgumentException("grid '" + grid + "' is not N or N:DxPxS");
      }
      degreeSteps = Integer.parseInt(steps[0].trim());
      probabilitySteps = Integer.parseInt(steps[1].trim());
      seeds = Integer.parseInt(steps[2].trim());
    } else if (parts.length != 1) {
      throw new IllegalArgumentException("grid '" + grid + "' is not N or N:DxPxS");
    }
    return new DesignSpaceConfig(
        d.nodes(),
        d.degreeMin(),
        d.degreeMax(),
        degreeSteps,
        probabilitySteps,
        seeds,
        d.minDegreeRatio(),
        d.shuffleSeed(),
        d.grid(),
        d.pathLengthMin(),
        d.pathLengthMax(),
        threads);
  }

  /** Sweeps the space and writes its CSV: the end-to-end time of a design space. */
  @Benchmark
  public DesignSpace.Result sweepAndWriteCsv(Space space) throws IOException {
    DesignSpace.Result result = DesignSpace.sweep(space.config, done -> {});
    DesignSpaceFiles.writeGraphs(result, space.csv);
    return result;
  }

  /** Writes the CSV of a sweep done beforehand. */
  @Benchmark
  public Path writeCsv(Swept swept) throws IOException {
    DesignSpaceFiles.writeGraphs(swept.result, swept.csv);
    return swept.csv;
  }
}
