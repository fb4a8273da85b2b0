package org.relgraph.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.relgraph.analysis.Analysis;
import org.relgraph.analysis.AnalysisReport;
import org.relgraph.analysis.DatasetComparison;
import org.relgraph.analysis.ResultRow;
import org.relgraph.analysis.ResultsCsv;
import org.relgraph.analysis.ResultsDb;
import org.relgraph.analysis.SweetSpot;
import org.relgraph.io.OutputFiles;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relgraph analyze}: the paper's sweet-spot analysis of training results. */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description = {
      "Find the sweet spot of graph structure in training results: per (C, L) bin (15 x 15 bins on"
          + " C in [0, 1], L in [1, 4.5], every run a sample) or per graph (runs over training"
          + " seeds), keeping what a one-tailed equal-variance t-test at p < 0.05 does not show"
          + " worse than the best.",
      "Writes DIR/report.md and the figures the data supports: heatmap, error_vs_clustering,"
          + " error_vs_path_length, subset_correlation, epoch_correlation (.png and .svg)."
    })
final class AnalyzeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  static final class Input {
    @Option(
        names = "--results",
        paramLabel = "FILE.csv",
        description = "Results CSV (plain or gzip) with the paper's columns.")
    Path results;

    @Option(
        names = "--db",
        paramLabel = "FILE",
        description = "Results SQLite database of a sweep.")
    Path db;

    /** The file given. */
    Path file() {
      return results != null ? results : db;
    }

    /** The rows of the file given. */
    List<ResultRow> rows() {
      return results != null ? ResultsCsv.read(results) : ResultsDb.read(db);
    }
  }

  @ArgGroup(multiplicity = "1")
  Input input;

  @Option(
      names = {"-o", "--out"},
      required = true,
      paramLabel = "DIR",
      description = "Output directory (created if needed).")
  Path out;

  @Option(
      names = "--model",
      description = "Model to analyse (default: the only one; required when there are several).")
  String model;

  @Option(
      names = "--epoch",
      paramLabel = "E",
      description = "Epoch to analyse (default: the model's last).")
  Integer epoch;

  @Option(
      names = "--mode",
      paramLabel = "bin|graph",
      description =
          "Per (C, L) bin or per graph (default: per graph when every graph has at least two runs"
              + " and there are at most 200 graphs, else per bin).")
  String mode;

  @Option(
      names = "--early-epoch",
      paramLabel = "E",
      description = "Early epoch compared with the analysed one (default: 3 when the data has it).")
  Integer earlyEpoch;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      description =
          "Analyse the graphs of N nodes with the complete graph at N as the baseline; graphs of"
              + " other node counts (e.g. the brain networks) are compared one by one with the"
              + " complete graph at their node count and with the best graph (needs --db).")
  Integer nodes;

  @Option(
      names = "--compare",
      paramLabel = "FILE|paper:mlp-cifar10",
      description =
          "Other results (a results CSV, a sweep database, or paper:mlp-cifar10, the paper's MLP"
              + " results on CIFAR-10 shipped with relgraph), analysed the same way and set beside"
              + " these: sweet spots, fits and the graphs both trained.")
  String compare;

  @Option(names = "--json", description = "End with one line of JSON holding the results.")
  boolean json;

  /** The built-in comparison results. */
  static final String PAPER_MLP = "paper:mlp-cifar10";

  private static List<ResultRow> compareRows(String spec) throws IOException {
    if (spec.equalsIgnoreCase(PAPER_MLP)) {
      String name = "mlp_cifar10_results.csv.gz";
      try (java.io.InputStream in =
          AnalyzeCommand.class.getResourceAsStream("/org/relgraph/graph2nn/" + name)) {
        if (in == null) {
          throw new IllegalStateException("resource " + name + " missing from the jar");
        }
        return ResultsCsv.read(in, PAPER_MLP);
      }
    }
    if (spec.startsWith("paper:")) {
      throw new IllegalArgumentException(
          "--compare: no bundled results '" + spec + "'; there is " + PAPER_MLP);
    }
    Path file = Path.of(spec);
    return looksLikeSqlite(file) ? ResultsDb.read(file) : ResultsCsv.read(file);
  }

  private static boolean looksLikeSqlite(Path file) throws IOException {
    if (!java.nio.file.Files.isRegularFile(file)) {
      return false;
    }
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      byte[] head = in.readNBytes(16);
      return new String(head, java.nio.charset.StandardCharsets.ISO_8859_1)
          .startsWith("SQLite format 3");
    }
  }

  @Override
  public Integer call() throws IOException {
    SweetSpot.Mode m = null;
    if (mode != null) {
      m =
          switch (mode.toLowerCase(Locale.ROOT)) {
            case "bin" -> SweetSpot.Mode.BIN;
            case "graph" -> SweetSpot.Mode.GRAPH;
            default ->
                throw new IllegalArgumentException(
                    "--mode must be bin or graph, not '" + mode + "'");
          };
    }
    if (epoch != null && epoch < 1) {
      throw new IllegalArgumentException("--epoch must be at least 1");
    }
    if (nodes != null && nodes < 1) {
      throw new IllegalArgumentException("--nodes must be at least 1");
    }
    OutputFiles.checkDirectory(out, "--out", AnalysisReport.FILES.toArray(new String[0]));
    Path file = input.file();
    List<ResultRow> rows = input.rows();
    Analysis a = Analysis.of(rows, new Analysis.Options(model, epoch, m, earlyEpoch, nodes));
    DatasetComparison comparison = null;
    if (compare != null) {
      Analysis theirs = Analysis.of(compareRows(compare), Analysis.Options.defaults());
      String name =
          compare.startsWith("paper:") ? compare : Path.of(compare).getFileName().toString();
      comparison = DatasetComparison.of(a, theirs, name);
    }
    List<Path> files = AnalysisReport.write(a, out, file.getFileName().toString(), comparison);

    PrintWriter stdout = spec.commandLine().getOut();
    SweetSpot.Result r = a.result();
    stdout.println(
        String.format(
            Locale.ROOT,
            "%s, epoch %d, per %s: sweet spot C [%.3f, %.3f], L [%.3f, %.3f]",
            a.model(),
            a.epoch(),
            r.mode() == SweetSpot.Mode.BIN ? "bin" : "graph",
            r.clustering().lo(),
            r.clustering().hi(),
            r.pathLength().lo(),
            r.pathLength().hi()));
    if (r.baseline() != null) {
      stdout.println(
          String.format(
              Locale.ROOT,
              "complete graph %.2f ± %.2f, best graph %.2f ± %.2f (C %.3f, L %.3f)",
              r.baseline().mean(),
              r.baseline().std(),
              r.bestGraph().errors().mean(),
              r.bestGraph().errors().std(),
              r.bestGraph().clustering(),
              r.bestGraph().pathLength()));
    }
    stdout.println(
        "wrote "
            + out.resolve(AnalysisReport.REPORT)
            + " and "
            + files.stream()
                .filter(
                    p ->
                        !p.getFileName().toString().endsWith(".md")
                            && !p.getFileName().toString().endsWith(".json"))
                .count()
            + " figure files");
    if (json) {
      JsonObject o = a.toJson();
      o.addProperty("out", out.toString());
      JsonArray written = new JsonArray();
      files.forEach(p -> written.add(p.getFileName().toString()));
      o.add("files", written);
      Gson gson = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
      stdout.println(gson.toJson(o));
    }
    stdout.flush();
    return 0;
  }
}
