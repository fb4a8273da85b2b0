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
          "compare_heatmap.png",
          "compare_heatmap.svg",
          "compare_error_vs_clustering.png",
          "compare_error_vs_clustering.svg",
          "compare_error_vs_path_length.png",
          "compare_error_vs_path_length.svg",
          "compare_graphs.png",
          "compare_graphs.svg",
          "headline.json",
          REPORT);

  /** Name of the JSON file with the report's headline numbers ({@link Analysis#toJson()}). */
  public static final String HEADLINE = "headline.json";

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
    return write(analysis, dir, source, null);
  }

  /**
   * As {@link #write(Analysis, Path, String)}, with a comparison against other results (null for
   * none): their sweet spot drawn on the heat map, their heat map with ours drawn on it, both
   * results' fits on the same axes, and a section stating where they agree.
   */
  public static List<Path> write(
      Analysis analysis, Path dir, String source, DatasetComparison comparison) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    Result r = analysis.result();
    String who = analysis.model() + ", epoch " + analysis.epoch();
    if (!r.bins().isEmpty()) {
      List<AnalysisPlots.Named> named =
          analysis.others().stream()
              .map(o -> new AnalysisPlots.Named(o.name(), o.clustering(), o.pathLength()))
              .toList();
      AnalysisPlots.Overlay overlay =
          comparison == null
              ? new AnalysisPlots.Overlay(named, null, null, null)
              : new AnalysisPlots.Overlay(
                  named,
                  comparison.theirs().result().clustering(),
                  comparison.theirs().result().pathLength(),
                  "sweet spot, " + comparison.theirs().model());
      AnalysisPlots.heatMap(
          dir.resolve("heatmap"), "Mean top-1 error by (C, L) bin: " + who, r, List.of(), overlay);
      add(files, dir, "heatmap");
    }
    if (comparison != null) {
      writeComparison(analysis, comparison, dir, files);
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
    Path headline = dir.resolve(HEADLINE);
    com.google.gson.JsonObject json = analysis.toJson();
    json.addProperty("source", source);
    if (comparison != null) {
      json.add("comparison", comparison.toJson());
    }
    OutputFiles.writeString(
        headline,
        new com.google.gson.GsonBuilder()
                .disableHtmlEscaping()
                .serializeNulls()
                .setPrettyPrinting()
                .create()
                .toJson(json)
            + "\n");
    files.add(headline);
    Path report = dir.resolve(REPORT);
    OutputFiles.writeString(report, markdown(analysis, source, comparison));
    files.add(report);
    return files;
  }

  private static void writeComparison(Analysis a, DatasetComparison c, Path dir, List<Path> files)
      throws IOException {
    Result theirs = c.theirs().result();
    if (!theirs.bins().isEmpty()) {
      AnalysisPlots.heatMap(
          dir.resolve("compare_heatmap"),
          "Mean top-1 error by (C, L) bin: " + c.theirs().model() + ", epoch " + c.theirs().epoch(),
          theirs,
          List.of(),
          new AnalysisPlots.Overlay(
              List.of(),
              a.result().clustering(),
              a.result().pathLength(),
              "sweet spot, " + a.model()));
      add(files, dir, "compare_heatmap");
    }
    if (a.result().baseline() != null && theirs.baseline() != null) {
      for (Fit ours : a.fits()) {
        Fit other =
            c.theirs().fits().stream()
                .filter(f -> f.variable().equals(ours.variable()))
                .findFirst()
                .orElse(null);
        if (other == null) {
          continue;
        }
        String name = "compare_error_vs_" + ours.variable();
        AnalysisPlots.compareFits(
            dir.resolve(name),
            "Error against "
                + (ours.variable().equals("clustering") ? "C" : "L")
                + ", relative to the complete graph",
            ours,
            a.result().baseline().mean(),
            a.model(),
            other,
            theirs.baseline().mean(),
            c.theirs().model());
        add(files, dir, name);
      }
    }
    if (c.shared() >= 3) {
      AnalysisPlots.correlation(
          dir.resolve("compare_graphs"),
          "The same graphs: " + c.theirs().model() + " against " + a.model(),
          List.of(
              new Correlation(
                  "graphs",
                  "",
                  "mean top-1 error, " + a.model() + " (%)",
                  "mean top-1 error, " + c.theirs().model() + " (%)",
                  c.sharedPearson(),
                  c.oursShared(),
                  c.theirsShared())));
      add(files, dir, "compare_graphs");
    }
  }

  private static void add(List<Path> files, Path dir, String name) {
    files.add(dir.resolve(name + ".png"));
    files.add(dir.resolve(name + ".svg"));
  }

  /** The report's Markdown text. */
  public static String markdown(Analysis a, String source) {
    return markdown(a, source, null);
  }

  /** The report's Markdown text, with a comparison against other results (null for none). */
  public static String markdown(Analysis a, String source, DatasetComparison comparison) {
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
        .append(").");
    if (a.nodes() != null) {
      md.append(
          f(
              " Graphs of %d nodes; the baseline is the complete graph at %d nodes; graphs of"
                  + " other node counts are compared one by one below.",
              a.nodes(), a.nodes()));
    }
    md.append("\n\n");

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
    bestVsBaseline(md, a);
    granularities(md, a);
    others(md, a);

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
    if (comparison != null) {
      comparison(md, a, comparison);
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

  private static void bestVsBaseline(StringBuilder md, Analysis a) {
    GraphComparisons.BestVsBaseline v = a.bestVsBaseline();
    if (v == null) {
      return;
    }
    md.append("### Best graph against the baseline\n\n");
    md.append(
        f(
            "Best graph other than the complete graph: %s (C %.3f, L %.3f), %.2f ± %.2f%% over %d"
                + " runs; complete graph %.2f ± %.2f%% over %d runs. The graph's error is %.2f"
                + " points %s the complete graph's. ",
            describe(v.best()),
            v.best().clustering(),
            v.best().pathLength(),
            v.best().errors().mean(),
            v.best().errors().std(),
            v.best().errors().n(),
            v.baseline().mean(),
            v.baseline().std(),
            v.baseline().n(),
            Math.abs(v.difference()),
            v.difference() > 0 ? "below" : v.difference() < 0 ? "above" : "equal to"));
    if (Double.isNaN(v.pTwoSided())) {
      md.append("Not tested: a side has a single run.\n\n");
      return;
    }
    md.append(
        f(
            "Two-sided equal-variance t-test: p = %s; with the best picked from %d graphs,"
                + " Bonferroni-adjusted p = %s: the difference is %s at p < %.2f.\n\n",
            pv(v.pTwoSided()),
            v.graphs(),
            pv(v.pBonferroni()),
            v.significant() ? "significant" : "not significant",
            SweetSpot.ALPHA));
    if (Double.isFinite(v.detectable())) {
      md.append(
          f(
              "Power: a run's error varies by %.3f points over training seeds (sample std pooled"
                  + " over the graphs with two or more runs); with %d and %d runs, a difference of"
                  + " %.2f points would be found significant (Bonferroni-adjusted, two-sided) with"
                  + " 80%% power.\n\n",
              v.pooledStd(), v.best().errors().n(), v.baseline().n(), v.detectable()));
    }
  }

  private static void granularities(StringBuilder md, Analysis a) {
    md.append("### Sweet spot per bin and per graph\n\n");
    md.append("| analysis | C | L | kept | untested |\n|---|---|---|---|---|\n");
    for (Result x : new Result[] {a.result(), a.alternative()}) {
      if (x == null) {
        continue;
      }
      boolean bin = x.mode() == Mode.BIN;
      md.append(
          f(
              "| per %s%s | [%.3f, %.3f] | [%.3f, %.3f] | %d of %d %s | %d |\n",
              bin ? "bin" : "graph",
              x == a.result() ? " (above)" : "",
              x.clustering().lo(),
              x.clustering().hi(),
              x.pathLength().lo(),
              x.pathLength().hi(),
              bin ? x.sweetSpotBins().size() : x.sweetSpotGraphs().size(),
              bin ? x.bins().size() : x.graphs().size(),
              bin ? "bins" : "graphs",
              x.untested()));
    }
    if (a.alternativeSkipped() != null) {
      md.append("\nPer bin: not analysed, ").append(a.alternativeSkipped()).append(".\n");
    }
    md.append("\n");
  }

  private static void others(StringBuilder md, Analysis a) {
    if (a.others().isEmpty()) {
      return;
    }
    Graph best = a.bestVsBaseline() == null ? a.result().bestGraph() : a.bestVsBaseline().best();
    md.append("### Graphs of other node counts\n\n");
    md.append(
        "Each against the complete graph at its own node count (two-sided equal-variance t-test)"
            + " and against the best graph above (one-tailed, worse), as the paper's Table 2.\n\n");
    md.append(
        "| graph | nodes | C | L | top-1 error (%) | complete graph, same nodes (%) | difference |"
            + " p (vs complete) | p (worse than best graph) | in the sweet spot |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    md.append(
        f(
            "| best graph: %s | %s | %.3f | %.3f | %.2f ± %.2f (%d) | | | | | %s |\n",
            describe(best),
            a.nodes() == null ? "" : a.nodes().toString(),
            best.clustering(),
            best.pathLength(),
            best.errors().mean(),
            best.errors().std(),
            best.errors().n(),
            best.inSweetSpot() ? "yes" : "no"));
    for (GraphComparisons.Other o : a.others()) {
      md.append(
          f(
              "| %s | %d | %.3f | %.3f | %.2f ± %.2f (%d) | %s | %s | %s | %s | %s |\n",
              o.name().replace("|", "\\|"),
              o.nodes(),
              o.clustering(),
              o.pathLength(),
              o.errors().mean(),
              o.errors().std(),
              o.errors().n(),
              o.baseline() == null
                  ? "none"
                  : f(
                      "%.2f ± %.2f (%d)",
                      o.baseline().mean(), o.baseline().std(), o.baseline().n()),
              o.baseline() == null ? "" : f("%+.2f", o.errors().mean() - o.baseline().mean()),
              Double.isNaN(o.pVsBaseline()) ? "untested" : pv(o.pVsBaseline()),
              Double.isNaN(o.pWorseThanBest()) ? "untested" : pv(o.pWorseThanBest()),
              o.inSweetSpot() ? "yes" : "no"));
    }
    md.append(
        "\nErrors: mean ± population std (runs). \"In the sweet spot\": (C, L) inside the sweet"
            + " spot's rectangle above.\n\n");
  }

  private static void comparison(StringBuilder md, Analysis a, DatasetComparison c) {
    Analysis t = c.theirs();
    md.append("## Against ").append(t.model()).append("\n\n");
    md.append(
        f(
            "Compared results: `%s`, %s at epoch %d, analysed the same way (%s, %s).\n\n",
            c.source(),
            t.model(),
            t.epoch(),
            t.result().mode() == Mode.BIN ? "per bin" : "per graph",
            t.modeReason()));
    md.append("| | " + a.model() + " | " + t.model() + " | agreement |\n|---|---|---|---|\n");
    for (Mode mode : Mode.values()) {
      Result x = pick(a, mode);
      Result y = pick(t, mode);
      if (x == null || y == null) {
        continue;
      }
      String m = mode == Mode.BIN ? "per bin" : "per graph";
      md.append(rangeRow("sweet spot C, " + m, x.clustering(), y.clustering(), a, t));
      md.append(rangeRow("sweet spot L, " + m, x.pathLength(), y.pathLength(), a, t));
    }
    Result ours = a.result();
    Result theirs = t.result();
    if (ours.baseline() != null && theirs.baseline() != null) {
      GraphComparisons.BestVsBaseline v = a.bestVsBaseline();
      GraphComparisons.BestVsBaseline w = t.bestVsBaseline();
      if (v != null && w != null) {
        md.append(
            f(
                "| best graph below the complete graph by (points) | %.2f (p %s, adjusted %s) |"
                    + " %.2f (p %s, adjusted %s) | %s |\n",
                v.difference(),
                pv(v.pTwoSided()),
                pv(v.pBonferroni()),
                w.difference(),
                pv(w.pTwoSided()),
                pv(w.pBonferroni()),
                Double.isNaN(v.pTwoSided()) || Double.isNaN(w.pTwoSided())
                    ? "not tested on both"
                    : v.significant() == w.significant()
                        ? (v.significant() ? "both significant" : "neither significant")
                        : (w.significant()
                            ? "significant only in " + t.model()
                            : "significant only in " + a.model())));
      }
    }
    for (Fit f : a.fits()) {
      Fit g =
          t.fits().stream().filter(x -> x.variable().equals(f.variable())).findFirst().orElse(null);
      if (g == null) {
        continue;
      }
      String var = f.variable().equals("clustering") ? "C" : "L";
      md.append(
          f(
              "| fit against %s: x² coefficient, minimum | %+.3f, %s | %+.3f, %s | %s |\n",
              var,
              f.coefficients()[2],
              minimum(f),
              g.coefficients()[2],
              minimum(g),
              Math.signum(f.coefficients()[2]) == Math.signum(g.coefficients()[2])
                  ? "same sign ("
                      + (f.coefficients()[2] > 0 ? "opens upward" : "opens downward")
                      + ")"
                  : "opposite signs"));
      md.append(f("| fit against %s: R² | %.3f | %.3f | |\n", var, f.rSquared(), g.rSquared()));
    }
    Correlation early =
        a.correlations().stream().filter(x -> x.name().equals("epoch")).findFirst().orElse(null);
    Correlation early2 =
        t.correlations().stream().filter(x -> x.name().equals("epoch")).findFirst().orElse(null);
    if (early != null || early2 != null) {
      md.append(
          f(
              "| early epoch against final: Pearson r | %s | %s | |\n",
              early == null ? "none" : f("%.3f (%d)", early.pearson(), early.points()),
              early2 == null ? "none" : f("%.3f (%d)", early2.pearson(), early2.points())));
    }
    md.append("\n");
    if (c.shared() > 0) {
      md.append(
          f(
              "The same graphs in both: %d (matched by kind, k/n, p and generator seed); Pearson r of"
                  + " their mean errors %s.\n\n",
              c.shared(),
              Double.isNaN(c.sharedPearson())
                  ? "not computed (fewer than three)"
                  : f("= %.3f", c.sharedPearson())));
    }
    md.append(
        "Figures: `heatmap.png` draws "
            + t.model()
            + "'s sweet spot as a dashed blue rectangle; `compare_heatmap.png` is "
            + t.model()
            + "'s heat map with "
            + a.model()
            + "'s sweet spot dashed; `compare_error_vs_clustering.png` and"
            + " `compare_error_vs_path_length.png` put both results' per-graph mean errors and fits"
            + " on the same axes, each relative to its complete graph; `compare_graphs.png` pairs"
            + " the errors of the graphs both trained.\n\n");
    md.append("![compare heat map](compare_heatmap.png)\n\n");
    md.append("![compare C](compare_error_vs_clustering.png)\n\n");
    md.append("![compare L](compare_error_vs_path_length.png)\n\n");
    if (c.shared() >= 3) {
      md.append("![the same graphs](compare_graphs.png)\n\n");
    }
  }

  private static Result pick(Analysis a, Mode mode) {
    if (a.result().mode() == mode) {
      return a.result();
    }
    Result alt = a.alternative();
    return alt != null && alt.mode() == mode ? alt : null;
  }

  private static String rangeRow(
      String what, SweetSpot.Range x, SweetSpot.Range y, Analysis a, Analysis t) {
    SweetSpot.Range both = DatasetComparison.intersection(x, y);
    double wx = x.hi() - x.lo();
    double wy = y.hi() - y.lo();
    return f(
        "| %s | [%.3f, %.3f] | [%.3f, %.3f] | %s; %s |\n",
        what,
        x.lo(),
        x.hi(),
        y.lo(),
        y.hi(),
        both == null ? "no overlap" : f("overlap [%.3f, %.3f]", both.lo(), both.hi()),
        wx > wy ? a.model() + "'s wider" : wx < wy ? t.model() + "'s wider" : "equal widths");
  }

  private static String minimum(Fit f) {
    return Double.isFinite(f.minimumAt())
        ? f("lowest at %.3f", f.minimumAt())
        : "no minimum inside the data";
  }

  private static String pv(double p) {
    if (Double.isNaN(p)) {
      return "untested";
    }
    return p < 1e-4 ? f("%.1e", p) : f("%.4f", p);
  }

  private static String describe(Graph g) {
    if (g.isComplete()) {
      return "the complete graph";
    }
    String known = GraphNames.of(g.graphFile());
    if (known != null) {
      return known;
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
