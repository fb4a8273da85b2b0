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
import org.relgraph.analysis.GraphComparisons;
import org.relgraph.analysis.ResultsDb;
import org.relgraph.analysis.SweetSpot;
import org.relgraph.io.OutputFiles;
import org.relgraph.sweep.SweepGraph;
import org.relgraph.sweep.SweepGraphs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relgraph quickstart}: the paper's experiment in small. Trains a few graphs spread over the
 * (C, L) plane of the paper's 52-graph set and the complete-graph baseline on Fashion-MNIST, with
 * several training seeds each, as a resumable sweep, then writes the per-graph sweet-spot analysis
 * with its figures and says whether the best graph differs significantly from the baseline. The
 * design (5 graphs, 4 seeds, 10 epochs) comes from the Fashion-MNIST study's variance; see
 * docs/experiments.md.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train graphs spread over the (C, L) plane of the paper's 52 and the complete-graph baseline"
          + " on Fashion-MNIST (FLOP-matched MLPs, block-sparse; 5 graphs, 4 seeds, 10 epochs by"
          + " default), then analyse the results per graph: heat map, fits, sweet spot, whether the"
          + " best graph beats the baseline significantly, and report (about 10-13 minutes on a"
          + " 2-core machine after the build). Run it again to resume an interrupted one.",
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

  @Option(
      names = "--spread",
      defaultValue = "5",
      paramLabel = "K",
      description =
          "Train K graphs of the set, spread over the (C, L) plane (each the farthest from those"
              + " already chosen and the complete graph); 0 for every graph (default:"
              + " ${DEFAULT-VALUE}).")
  int spread;

  @Option(names = "--epochs", defaultValue = "10", description = "Epochs per run (default: 10).")
  int epochs;

  @Option(names = "--seeds", defaultValue = "4", description = "Training seeds (default: 4).")
  int seeds;

  @picocli.CommandLine.Mixin TrainCommand.DataOptions data = new TrainCommand.DataOptions();

  @Option(names = "--workers", paramLabel = "W", description = "Runs at once (one per processor).")
  Integer workers;

  @Override
  public Integer call() throws InterruptedException, IOException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    if (spread < 0) {
      throw new IllegalArgumentException("--spread must be 0 (every graph) or more, not " + spread);
    }
    List<String> files = new ArrayList<>(AnalysisReport.FILES);
    files.add("results.db");
    files.add(SUBSET);
    OutputFiles.checkDirectory(out, "--out", files.toArray(new String[0]));
    Files.createDirectories(out);
    List<String> sources = sources();
    Path db = out.resolve("results.db");
    String model = String.format(Locale.ROOT, "mlp-%s-%dep", data.dataset, epochs);
    long start = System.nanoTime();

    SweepCommand sweep = new SweepCommand();
    sweep.graphs = sources;
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
    GraphComparisons.BestVsBaseline v = a.bestVsBaseline();
    if (v != null) {
      stdout.printf(
          Locale.ROOT,
          "best other graph against the baseline: %.2f ± %.2f%% vs %.2f ± %.2f%% (%d and %d runs): %s%n",
          v.best().errors().mean(),
          v.best().errors().std(),
          v.baseline().mean(),
          v.baseline().std(),
          v.best().errors().n(),
          v.baseline().n(),
          Double.isNaN(v.pTwoSided())
              ? "not tested (a single run; more seeds give the test power)"
              : String.format(
                  Locale.ROOT,
                  "p = %.3g, Bonferroni over %d graphs %.3g: %s at p < 0.05",
                  v.pTwoSided(),
                  v.graphs(),
                  v.pBonferroni(),
                  v.significant() ? "significant" : "not significant"));
    }
    stdout.printf(
        Locale.ROOT, "quickstart took %.1f min; report: %s%n", minutes, out.resolve("report.md"));
    stdout.flush();
    return 0;
  }

  /** The subset of graphs the quickstart writes for the sweep, beside its results. */
  static final String SUBSET = "graphs.csv";

  /**
   * The sweep's graph sources: the set as given, or, with {@code --spread K} and more than K graphs
   * in it, K of them spread over the (C, L) plane: WS-flex graphs written to {@value #SUBSET} in
   * the output directory (a graph-set CSV), graph files by their names.
   */
  private List<String> sources() throws IOException {
    if (spread == 0) {
      return List.of(graphs);
    }
    List<SweepGraph> all = SweepGraphs.load(graphs);
    if (all.size() <= spread) {
      return List.of(graphs);
    }
    List<SweepGraph> chosen = spread(all, spread);
    List<String> sources = new ArrayList<>();
    StringBuilder csv = new StringBuilder("n,k_over_n,p,seed,clustering,path_length\n");
    boolean anyWsFlex = false;
    for (SweepGraph g : chosen) {
      if (SweepGraph.WS_FLEX.equals(g.kind())) {
        anyWsFlex = true;
        csv.append(g.n())
            .append(',')
            .append(g.kOverN())
            .append(',')
            .append(g.p())
            .append(',')
            .append(g.graphSeed())
            .append(',')
            .append(g.clustering())
            .append(',')
            .append(g.pathLength())
            .append('\n');
      } else {
        sources.add(g.graphFile());
      }
    }
    if (anyWsFlex) {
      Path subset = out.resolve(SUBSET);
      OutputFiles.writeString(subset, csv.toString());
      sources.add(0, subset.toString());
    }
    return sources;
  }

  /**
   * {@code k} graphs spread over the (C, L) plane, L scaled to C's range ((L − 1) / 3.5, the
   * analysis's axes): each in turn the graph farthest from the complete graph (C = L = 1) and those
   * already chosen; ties go to the earlier graph. Graphs without an L come last, in order.
   */
  static List<SweepGraph> spread(List<SweepGraph> graphs, int k) {
    List<double[]> taken = new ArrayList<>();
    taken.add(new double[] {1, 0});
    List<SweepGraph> left = new ArrayList<>(graphs);
    List<SweepGraph> chosen = new ArrayList<>();
    while (chosen.size() < k && !left.isEmpty()) {
      SweepGraph best = null;
      double bestDistance = -1;
      for (SweepGraph g : left) {
        if (!Double.isFinite(g.pathLength())) {
          continue;
        }
        double x = g.clustering();
        double y = (g.pathLength() - SweetSpot.L_MIN) / (SweetSpot.L_MAX - SweetSpot.L_MIN);
        double d = Double.POSITIVE_INFINITY;
        for (double[] t : taken) {
          d = Math.min(d, Math.hypot(x - t[0], y - t[1]));
        }
        if (d > bestDistance) {
          bestDistance = d;
          best = g;
        }
      }
      if (best == null) {
        best = left.get(0);
      } else {
        taken.add(
            new double[] {
              best.clustering(),
              (best.pathLength() - SweetSpot.L_MIN) / (SweetSpot.L_MAX - SweetSpot.L_MIN)
            });
      }
      left.remove(best);
      chosen.add(best);
    }
    return chosen;
  }
}
