package org.relgraph.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.relgraph.io.OutputFiles;
import org.relgraph.space.CellSample;
import org.relgraph.space.ClassicCoverage;
import org.relgraph.space.CoveragePlot;
import org.relgraph.space.DesignSpace;
import org.relgraph.space.DesignSpaceConfig;
import org.relgraph.space.DesignSpaceFiles;
import org.relgraph.space.DesignSpaceReport;
import org.relgraph.space.GraphSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relgraph design-space}: sweep, sample, compare, plot and summarise a design space. */
@Command(
    name = "design-space",
    mixinStandardHelpOptions = true,
    description = {
      "Draw and measure every WS-flex graph of the design space, sample one graph per (C, L)"
          + " cell, compare with the paper's sets, and plot the coverage of WS-flex and the"
          + " classic generators.",
      "Writes DIR/graphs.csv, DIR/sample_{fine,medium,coarse}.csv, DIR/classic.csv,"
          + " DIR/coverage.{png,svg} and DIR/summary.md."
    })
final class DesignSpaceCommand implements Callable<Integer> {
  /** The files written into the output directory. */
  private static final String[] FILES = {
    "graphs.csv",
    "sample_fine.csv",
    "sample_medium.csv",
    "sample_coarse.csv",
    "classic.csv",
    "coverage.png",
    "coverage.svg",
    "summary.md"
  };

  @Spec CommandSpec spec;

  @Option(
      names = {"-n", "--nodes"},
      defaultValue = "64",
      description = "Nodes per graph (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = {"-o", "--out"},
      required = true,
      description = "Output directory (created if needed).")
  Path out;

  @Option(
      names = "--degree-min",
      description = "Smallest average degree of the grid (default: 4, or n-1 if smaller).")
  Double degreeMin;

  @Option(names = "--degree-max", description = "Largest average degree (default: n-2).")
  Double degreeMax;

  @Option(
      names = "--degree-steps",
      defaultValue = "200",
      description = "Degrees, evenly spaced in sqrt(k) (default: ${DEFAULT-VALUE}).")
  int degreeSteps;

  @Option(
      names = "--probability-steps",
      defaultValue = "300",
      description = "Rewiring probabilities, evenly spaced in sqrt(p) (default: ${DEFAULT-VALUE}).")
  int probabilitySteps;

  @Option(
      names = "--seeds",
      defaultValue = "30",
      description = "Seeds 0..S-1 per (k, p) (default: ${DEFAULT-VALUE}).")
  int seeds;

  @Option(
      names = "--min-degree-ratio",
      defaultValue = "0.125",
      description = "Skip degrees with k/n below this (default: ${DEFAULT-VALUE}).")
  double minDegreeRatio;

  @Option(
      names = "--shuffle-seed",
      defaultValue = "0",
      description = "Seed of the shuffle before sampling (default: ${DEFAULT-VALUE}).")
  long shuffleSeed;

  @Option(
      names = "--grid",
      defaultValue = "135",
      description = "Cells per axis of the (C, L) grid (default: ${DEFAULT-VALUE}).")
  int grid;

  @Option(names = "--threads", description = "Worker threads (default: all processors).")
  Integer threads;

  @Option(names = "--no-classic", description = "Skip the classic generators' coverage sets.")
  boolean noClassic;

  // Seconds between progress lines when stderr is not a terminal (hidden: for tests).
  @Option(names = "--progress-seconds", hidden = true, defaultValue = "5")
  double progressSeconds;

  @Override
  public Integer call() throws IOException {
    long start = System.nanoTime();
    double max = degreeMax != null ? degreeMax : DesignSpaceConfig.defaultDegreeMax(nodes);
    DesignSpaceConfig config =
        new DesignSpaceConfig(
            nodes,
            degreeMin != null ? degreeMin : DesignSpaceConfig.defaultDegreeMin(max),
            max,
            degreeSteps,
            probabilitySteps,
            seeds,
            minDegreeRatio,
            shuffleSeed,
            grid,
            1.0,
            4.5,
            threads != null ? threads : Runtime.getRuntime().availableProcessors());
    PrintWriter stdout = spec.commandLine().getOut();
    OutputFiles.checkDirectory(out, "--out", FILES);
    Processors.warnIfOversubscribed(threads, spec.commandLine().getErr());
    Files.createDirectories(out);

    DesignSpace.Result space;
    try (ProgressBar bar = progressBar(config)) {
      LongConsumer progress =
          bar != null
              ? bar::stepBy
              : new ProgressLines(
                  spec.commandLine().getErr(),
                  "design space",
                  "graphs",
                  config.graphCount(),
                  Duration.ofMillis(Math.round(progressSeconds * 1000)),
                  System::nanoTime);
      space = DesignSpace.sweep(config, progress);
    }
    long csvStart = System.nanoTime();
    DesignSpaceFiles.writeGraphs(space, out.resolve("graphs.csv"));
    double csvSeconds = (System.nanoTime() - csvStart) / 1e9;

    CellSample cells = CellSample.of(space);
    int[] fine = cells.select(CellSample.FINE);
    int[] medium = cells.select(CellSample.MEDIUM);
    int[] coarse = cells.select(CellSample.COARSE);
    DesignSpaceFiles.writeSample(space, fine, out.resolve("sample_fine.csv"));
    DesignSpaceFiles.writeSample(space, medium, out.resolve("sample_medium.csv"));
    DesignSpaceFiles.writeSample(space, coarse, out.resolve("sample_coarse.csv"));

    List<DesignSpaceReport.Comparison> comparisons = new ArrayList<>();
    String[] styles = {"fine", "medium", "coarse"};
    int[][] samples = {fine, medium, coarse};
    for (int i = 0; i < styles.length; i++) {
      int s = i;
      GraphSet.paperCounterpart(nodes, styles[s])
          .ifPresent(
              set -> comparisons.add(DesignSpaceReport.compare(space, styles[s], samples[s], set)));
    }

    List<ClassicCoverage.Row> classic =
        noClassic || nodes < 4 ? List.of() : ClassicCoverage.generate(nodes);
    if (!classic.isEmpty()) {
      DesignSpaceFiles.writeClassic(classic, out.resolve("classic.csv"));
    }

    CoveragePlot plot =
        new CoveragePlot(
            "Coverage of the (C, L) plane, n = " + nodes,
            config.pathLengthMin(),
            config.pathLengthMax());
    for (int i : fine) {
      plot.add("WS-flex (fine sample)", space.clustering(i), space.pathLength(i));
    }
    for (ClassicCoverage.Row r : classic) {
      plot.add(r.generator(), r.clustering(), r.pathLength());
    }
    plot.write(out.resolve("coverage"));

    int kept = config.keptDegrees().length;
    double total = (System.nanoTime() - start) / 1e9;
    String summary =
        DesignSpaceReport.markdown(
            new DesignSpaceReport.Inputs(
                space, kept, fine, medium, coarse, comparisons, classic, csvSeconds, total));
    OutputFiles.writeString(out.resolve("summary.md"), summary);

    stdout.printf(
        Locale.ROOT,
        "%,d graphs in %.2f s: %,.0f graphs/s (%d threads); fine/medium/coarse samples: %d/%d/%d%n",
        space.size(),
        space.seconds(),
        space.size() / space.seconds(),
        config.threads(),
        fine.length,
        medium.length,
        coarse.length);
    stdout.printf(Locale.ROOT, "wrote %s (summary.md, coverage.png) in %.1f s%n", out, total);
    stdout.flush();
    return 0;
  }

  /**
   * A progress bar on a terminal; none when output is redirected (then lines, every few seconds).
   */
  private static ProgressBar progressBar(DesignSpaceConfig config) {
    if (System.console() == null) {
      return null;
    }
    return new ProgressBarBuilder()
        .setTaskName("design space")
        .setInitialMax(config.graphCount())
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(250)
        .setUnit(" graphs", 1)
        .showSpeed()
        .build();
  }
}
