package org.relgraph.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.relgraph.sweep.RunResult;
import org.relgraph.sweep.SweepGraph;
import org.relgraph.sweep.SweepRunner;
import org.relgraph.sweep.SweepSpec;

/**
 * What {@code relgraph sweep} shows on stderr while it runs: on a terminal, a progress bar over the
 * runs with ETA; otherwise (a log file, a pipe) one line per finished run with the count and ETA.
 * Failures get a line of their own either way. A graph read from a file is shown with the file's
 * name beside its key (the key names the file's contents, not the file).
 */
final class SweepProgress implements SweepRunner.Listener, AutoCloseable {
  private final PrintWriter err;
  private final boolean terminal;
  private final String what;
  private final boolean debug = System.getenv("RELGRAPH_DEBUG") != null;
  private ProgressBar bar;
  private long start;
  private int pending;
  private int completed;

  /**
   * @param what the sweep's size and database in words, e.g. "(12 graphs + 1 baseline) × 2 seeds,
   *     into results.db"
   * @param terminal whether to draw a progress bar (on the process's stderr)
   */
  SweepProgress(PrintWriter err, String what, boolean terminal) {
    this.err = err;
    this.what = what;
    this.terminal = terminal;
  }

  @Override
  public synchronized void started(SweepRunner.Plan plan) {
    start = System.nanoTime();
    pending = plan.pending().size();
    err.printf(
        Locale.ROOT,
        "relgraph: sweep of %d runs, %s: %d in the database already, %d to run on %d worker%s%n",
        plan.total(),
        what,
        plan.skipped(),
        pending,
        plan.workers(),
        plan.workers() == 1 ? "" : "s");
    err.flush();
    if (terminal && pending > 0) {
      bar =
          new ProgressBarBuilder()
              .setTaskName("sweep")
              .setInitialMax(pending)
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(1000)
              .setUnit(" runs", 1)
              .setConsumer(new ConsoleProgressBarConsumer(System.err))
              .build();
    }
  }

  @Override
  public synchronized void runFinished(SweepSpec.Run run, RunResult result, double seconds) {
    completed++;
    String line =
        String.format(
            Locale.ROOT,
            "%s: top-1 error %.2f%% (%.1f s)",
            run.graph().describe() + " seed " + run.trainSeed(),
            result.top1Error(),
            seconds);
    if (bar != null) {
      bar.step();
      bar.setExtraMessage(String.format(Locale.ROOT, "last %.2f%%", result.top1Error()));
    } else {
      err.printf(Locale.ROOT, "relgraph: [%d/%d] %s; ETA %s%n", completed, pending, line, eta());
      err.flush();
    }
  }

  @Override
  public synchronized void runFailed(SweepSpec.Run run, String message, Throwable error) {
    completed++;
    if (bar != null) {
      bar.step();
      System.err.print('\r');
    }
    SweepGraph g = run.graph();
    String from = SweepGraph.FILE.equals(g.kind()) ? " (graph from " + g.graphFile() + ")" : "";
    err.println("relgraph: run " + run.key() + from + " failed: " + message);
    if (debug) {
      error.printStackTrace(err);
    }
    err.flush();
  }

  private String eta() {
    if (completed == 0 || completed >= pending) {
      return "0:00:00";
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    return hms(Duration.ofSeconds(Math.round(elapsed / completed * (pending - completed))));
  }

  static String hms(Duration d) {
    long s = d.getSeconds();
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }

  @Override
  public synchronized void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
