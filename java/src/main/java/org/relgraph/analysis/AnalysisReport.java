package org.relgraph.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.relgraph.analysis.Analysis.Correlation;
import org.relgraph.analysis.Analysis.Fit;
import org.relgraph.analysis.SweetSpot.Bin;
import org.relgraph.analysis.SweetSpot.Graph;
import org.relgraph.analysis.SweetSpot.Mode;
import org.relgraph.analysis.SweetSpot.Result;
import org.relgraph.io.OutputFiles;

/**
 * Writes an {@link Analysis} as figures (PNG and SVG) and {@code report.md} into a directory. Every
 * number in the report comes from the analysed data.
 */
public final class AnalysisReport {
  /** Name of the Markdown report. */
  public static final String REPORT = "report.md";

  /** Names of every file {@link #write} may write, the figures and the report. */
  public static final List<String> FILES =
      List.of(
          "heatmap.png",
          "heatmap.svg",
          "error_vs_clustering.png",
          "error_vs_clustering.svg",
          "error_vs_path_length.png",
          "error_vs_path_length.svg",
          "subset_correlation.png",
          "subset_correlation.svg",
          "epoch_correlation.png",
          "epoch_correlation.svg",
          REPORT);

  private AnalysisReport() {}

  /**
   * Writes the figures the data supports and {@code report.md} into {@code dir} (created if
   * needed), replacing files of the same names.
   *
   * @param analysis the analysis
   * @param dir the output directory
   * @param source how the report names the input, e.g. its file name
   * @return the files written, the report last
   */
  public static List<Path> write(Analysis analysis, Path dir, String source) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    Result r = analysis.result();
    String who = analysis.model() + ", epoch " + analysis.epoch();
    if (!r.bins().isEmpty()) {
      AnalysisPlots.heatMap(dir.resolve("heatmap"), "Mean top-1 error by (C, L) bin: " + who, r);
      add(files, dir, "heatmap");
    }
    for (Fit f : analysis.fits()) {
      String name = "error_vs_" + f.variable();
      AnalysisPlots.fit(
          dir.resolve(name),
          "Top-1 error against " + (f.variable().equals("clustering") ? "C" : "L") + ": " + who,
          f,
          r.baseline());
      add(files, dir, name);
    }
    List<Correlation> subsets =
        analysis.correlations().stream().filter(c -> c.name().startsWith("subset")).toList();
    if (!subsets.isEmpty()) {
      AnalysisPlots.correlation(
          dir.resolve("subset_correlation"),
          "Bin means: graph subsets against all graphs",
          subsets);
      add(files, dir, "subset_correlation");
    }
    List<Correlation> epochs =
        analysis.correlations().stream().filter(c -> c.name().equals("epoch")).toList();
    if (!epochs.isEmpty()) {
      AnalysisPlots.correlation(
          dir.resolve("epoch_correlation"),
          "Early against final epoch: " + analysis.model(),
          epochs);
      add(files, dir, "epoch_correlation");
    }
    Path report = dir.resolve(REPORT);
    OutputFiles.writeString(report, markdown(analysis, source));
    files.add(report);
    return files;
  }

  private static void add(List<Path> files, Path dir, String name) {
    files.add(dir.resolve(name + ".png"));
    files.add(dir.resolve(name + ".svg"));
  }

  /** The report's Markdown text. */
  public static String markdown(Analysis a, String source) {
    Result r = a.result();
    StringBuilder md = new StringBuilder();
    md.append("# Sweet-spot analysis: ").append(a.model()).append(", epoch ").append(a.epoch());
    md.append("\n\n");
    md.append("Input: `").append(source).append("`. Models in the input: ");
    md.append(String.join(", ", a.models())).append(". Epochs of ").append(a.model()).append(": ");
    md.append(Analysis.describeEpochs(a.epochs())).append(".\n\n");
    long seedsMin = r.graphs().stream().mapToInt(g -> g.errors().n()).min().orElse(0);
    long seedsMax = r.graphs().stream().mapToInt(g -> g.errors().n()).max().orElse(0);
    md.append(
        f(
            "%d runs at epoch %d on %d graphs (%s runs per graph).\n\n",
            r.runs(),
            a.epoch(),
            r.graphs().size(),
            seedsMin == seedsMax ? "" + seedsMin : seedsMin + " to " + seedsMax));
    md.append("Analysis ")
        .append(r.mode() == Mode.BIN ? "per (C, L) bin" : "per graph")
        .append(" (")
        .append(a.modeReason())
        .append(").\n\n");

    md.append("## Result\n\n");
    md.append("| | C | L | top-1 error (%) | runs |\n|---|---|---|---|---|\n");
    md.append(
        f(
            "| sweet spot | [%.3f, %.3f] | [%.3f, %.3f] | | |\n",
            r.clustering().lo(), r.clustering().hi(), r.pathLength().lo(), r.pathLength().hi()));
    if (r.baseline() != null) {
      md.append(
          f(
              "| complete graph (baseline) | 1 | 1 | %.2f ± %.2f | %d |\n",
              r.baseline().mean(), r.baseline().std(), r.baseline().n()));
    }
    Graph bg = r.bestGraph();
    md.append(
        f(
            "| best graph | %.3f | %.3f | %.2f ± %.2f | %d |\n",
            bg.clustering(),
            bg.pathLength(),
            bg.errors().mean(),
            bg.errors().std(),
            bg.errors().n()));
    if (r.mode() == Mode.BIN && r.bestBin() != null) {
      Bin b = r.bestBin();
      md.append(
          f(
              "| best bin (centre) | %.3f | %.3f | %.2f ± %.2f | %d |\n",
              b.clustering(), b.pathLength(), b.errors().mean(), b.errors().std(), b.errors().n()));
    }
    md.append("\nErrors are mean ± population standard deviation over runs. The best graph is ");
    md.append(describe(bg)).append(".");
    if (r.baseline() != null) {
      md.append(
          f(
              " It is %.2f points better than the complete graph.",
              r.baseline().mean() - bg.errors().mean()));
    }
    md.append("\n\n");
    if (r.mode() == Mode.BIN) {
      md.append(
          f(
              "%d of %d non-empty bins are in the sweet spot: not worse than the best bin by a"
                  + " one-tailed two-sample equal-variance t-test at p < %.2f (every run one"
                  + " sample); the rectangle spans their centres.",
              r.sweetSpotBins().size(), r.bins().size(), SweetSpot.ALPHA));
    } else {
      md.append(
          f(
              "%d of %d graphs are kept: not worse than the best graph by a one-tailed two-sample"
                  + " equal-variance t-test at p < %.2f over their runs; the rectangle spans their"
                  + " C and L.",
              r.sweetSpotGraphs().size(), r.graphs().size(), SweetSpot.ALPHA));
    }
    md.append("\n\n");
    if (r.runsOutsideBins() > 0) {
      md.append(
          f(
              "%d runs lie outside C in [0, 1], L in [1, 4.5] (or have no L) and belong to no"
                  + " bin.\n\n",
              r.runsOutsideBins()));
    }
    for (String note : a.notes()) {
      md.append("Note: ").append(note).append(".\n\n");
    }

    if (r.mode() == Mode.BIN) {
      md.append("### Sweet-spot bins\n\n");
      md.append("| C centre | L centre | graphs | runs | mean error (%) | std | p (worse) |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      for (Bin b : r.sweetSpotBins().stream().sorted(SweetSpot.BY_MEAN).toList()) {
        md.append(
            f(
                "| %.3f | %.3f | %d | %d | %.2f | %.2f | %s |\n",
                b.clustering(),
                b.pathLength(),
                b.graphs(),
                b.errors().n(),
                b.errors().mean(),
                b.errors().std(),
                p(b.pWorse(), b == r.bestBin())));
      }
    } else {
      md.append("### Graphs\n\n");
      md.append("| graph | C | L | runs | mean error (%) | std | p (worse) | kept |\n");
      md.append("|---|---|---|---|---|---|---|---|\n");
      for (Graph g :
          r.graphs().stream()
              .sorted(Comparator.comparingDouble((Graph g) -> g.errors().mean()))
              .toList()) {
        md.append(
            f(
                "| %s | %.3f | %.3f | %d | %.2f | %.2f | %s | %s |\n",
                describe(g),
                g.clustering(),
                g.pathLength(),
                g.errors().n(),
                g.errors().mean(),
                g.errors().std(),
                p(g.pWorse(), g == bg),
                g.inSweetSpot() ? "yes" : "no"));
      }
    }
    md.append("\n");

    md.append("## Figures\n\n");
    if (!r.bins().isEmpty()) {
      md.append(
          "![heat map](heatmap.png)\n\n`heatmap.png`/`.svg`: mean error of every non-empty"
              + " (C, L) bin, the sweet spot as a red rectangle, the best "
              + (r.mode() == Mode.BIN ? "bin" : "graph")
              + " as a red diamond"
              + (r.mode() == Mode.GRAPH ? "; graphs kept light grey, others black" : "")
              + ".\n\n");
    }
    for (Fit fit : a.fits()) {
      String name = "error_vs_" + fit.variable();
      String var = fit.variable().equals("clustering") ? "C" : "L";
      double[] c = fit.coefficients();
      md.append(f("![error against %s](%s.png)\n\n", var, name));
      md.append(
          f(
              "`%s.png`/`.svg`: mean error of each of %d graphs (the complete graph left out)"
                  + " against %s; fit error = %.3f %+.3f·%s %+.3f·%s², R² = %.3f",
              name, fit.x().length, var, c[0], c[1], var, c[2], var, fit.rSquared()));
      if (Double.isFinite(fit.minimumAt())) {
        md.append(
            f(
                "; the fit is lowest at %s = %.3f (%.2f%%)",
                var, fit.minimumAt(), fit.value(fit.minimumAt())));
      } else {
        md.append("; the fit has no minimum inside the data's range");
      }
      md.append(".\n\n");
    }
    String embedded = "";
    for (Correlation c : a.correlations()) {
      String name = c.name().equals("epoch") ? "epoch_correlation" : "subset_correlation";
      if (!name.equals(embedded)) {
        md.append(f("![%s](%s.png)\n\n", name.replace('_', ' '), name));
        embedded = name;
      }
      md.append(
          f(
              "`%s.png`/`.svg`, %s: %s; Pearson r = %.3f.\n\n",
              name, c.name(), c.description(), c.pearson()));
    }
    if (!a.skipped().isEmpty()) {
      md.append("Not drawn:\n\n");
      for (Map.Entry<String, String> e : a.skipped().entrySet()) {
        md.append("- `").append(e.getKey()).append("`: ").append(e.getValue()).append(".\n");
      }
      md.append("\n");
    }
    return md.toString();
  }

  private static String describe(Graph g) {
    if (g.isComplete()) {
      return "the complete graph";
    }
    StringBuilder sb = new StringBuilder(g.kind());
    if (g.graphFile() != null) {
      // the file's name as the sweep was given it, safe inside a Markdown table cell
      String name = g.graphFile().replaceAll("\\p{Cntrl}", "?").replace("|", "\\|");
      sb.append(" `").append(name.replace("`", "'")).append("`");
      if (Double.isFinite(g.kOverN())) {
        sb.append(",");
      }
    }
    if (Double.isFinite(g.kOverN())) {
      sb.append(f(" k/n = %.4f", g.kOverN()));
    }
    if (Double.isFinite(g.p())) {
      sb.append(f(", p = %.4f", g.p()));
    }
    if (g.graphSeed() != null) {
      sb.append(", seed ").append(g.graphSeed());
    }
    return sb.toString();
  }

  private static String p(double p, boolean best) {
    if (best) {
      return "best";
    }
    if (Double.isNaN(p)) {
      return "untested";
    }
    return p < 1e-4 ? f("%.1e", p) : f("%.4f", p);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
