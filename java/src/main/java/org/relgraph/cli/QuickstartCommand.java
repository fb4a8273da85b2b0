package org.relgraph.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.relgraph.analysis.Analysis;
import org.relgraph.analysis.AnalysisReport;
import org.relgraph.analysis.ResultsDb;
import org.relgraph.analysis.SweetSpot;
import org.relgraph.io.OutputFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relgraph quickstart}: the paper's experiment in small. Trains the paper's 52-graph set and
 * the complete-graph baseline on Fashion-MNIST (one seed, a few epochs) as a resumable sweep, then
 * writes the sweet-spot analysis with its figures.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train the paper's 52 graphs and the complete-graph baseline on Fashion-MNIST (FLOP-matched"
          + " MLPs, block-sparse), then analyse the results: heat map, fits, sweet spot and"
          + " report (about 5 minutes on a 2-core machine). Run it again to resume an interrupted one.",
      "Bigger studies: see 'relgraph sweep' and docs/experiments.md."
    })
final class QuickstartCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--out",
      defaultValue = "runs/quickstart",
      paramLabel = "DIR",
      description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--graphs",
      defaultValue = "paper:52",
      paramLabel = "SET",
      description = "Graph set, as for sweep (default: ${DEFAULT-VALUE}).")
  String graphs;

  @Option(names = "--epochs", defaultValue = "3", description = "Epochs per run (default: 3).")
  int epochs;

  @Option(names = "--seeds", defaultValue = "1", description = "Training seeds (default: 1).")
  int seeds;

  @picocli.CommandLine.Mixin TrainCommand.DataOptions data = new TrainCommand.DataOptions();

  @Option(names = "--workers", paramLabel = "W", description = "Runs at once (one per processor).")
  Integer workers;

  @Override
  public Integer call() throws InterruptedException, IOException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    List<String> files = new ArrayList<>(AnalysisReport.FILES);
    files.add("results.db");
    OutputFiles.checkDirectory(out, "--out", files.toArray(new String[0]));
    Files.createDirectories(out);
    Path db = out.resolve("results.db");
    String model = String.format(Locale.ROOT, "mlp-%s-%dep", data.dataset, epochs);
    long start = System.nanoTime();

    SweepCommand sweep = new SweepCommand();
    sweep.graphs = List.of(graphs);
    sweep.seeds = seeds;
    sweep.db = db;
    sweep.workers = workers;
    sweep.data = data;
    sweep.model = model;
    sweep.training.epochs = epochs;
    int status = sweep.sweep(stdout, stderr);
    if (status != 0) {
      return status;
    }

    Analysis a = Analysis.of(ResultsDb.read(db), new Analysis.Options(model, null, null, null));
    AnalysisReport.write(a, out, db.getFileName().toString());
    SweetSpot.Result r = a.result();
    double minutes = (System.nanoTime() - start) / 60e9;
    if (r.baseline() != null) {
      stdout.printf(
          Locale.ROOT, "complete graph (baseline): %.2f%% test error%n", r.baseline().mean());
    }
    stdout.printf(
        Locale.ROOT,
        "best graph: %.2f%% (C %.3f, L %.3f)%n",
        r.bestGraph().errors().mean(),
        r.bestGraph().clustering(),
        r.bestGraph().pathLength());
    stdout.printf(
        Locale.ROOT,
        "sweet spot (%s): C [%.3f, %.3f], L [%.3f, %.3f]%s%n",
        r.mode() == SweetSpot.Mode.BIN ? "per bin" : "per graph",
        r.clustering().lo(),
        r.clustering().hi(),
        r.pathLength().lo(),
        r.pathLength().hi(),
        r.untested() == 0
            ? ""
            : String.format(
                Locale.ROOT,
                "; %d %s kept untested (a single run: more seeds give the test power)",
                r.untested(),
                r.mode() == SweetSpot.Mode.BIN ? "bins" : "graphs"));
    stdout.printf(
        Locale.ROOT, "quickstart took %.1f min; report: %s%n", minutes, out.resolve("report.md"));
    stdout.flush();
    return 0;
  }
}
