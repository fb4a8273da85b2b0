package org.relgraph.space;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/** The Markdown summary of a design-space run: grid, speed, samples, coverage, comparison. */
public final class DesignSpaceReport {
  private DesignSpaceReport() {}

  /** How one of our samples compares with the paper's published set of the same style. */
  public record Comparison(
      String style,
      String paperSet,
      int ours,
      int paper,
      double[] oursRange,
      double[] paperRange,
      int sharedCells,
      int onlyOurs,
      int onlyPaper) {}

  /** Compares sample {@code indices} of {@code space} with the paper's {@code paperSet}. */
  public static Comparison compare(
      DesignSpace.Result space, String style, int[] indices, String paperSet) {
    DesignSpaceConfig c = space.config();
    List<GraphSet.Entry> paper = GraphSet.bundled(paperSet);
    double[] ours = new double[2 * indices.length];
    for (int i = 0; i < indices.length; i++) {
      ours[2 * i] = space.clustering(indices[i]);
      ours[2 * i + 1] = space.pathLength(indices[i]);
    }
    double[] theirs = new double[2 * paper.size()];
    for (int i = 0; i < paper.size(); i++) {
      theirs[2 * i] = paper.get(i).clustering();
      theirs[2 * i + 1] = paper.get(i).pathLength();
    }
    Set<Integer> ourCells = cells(ours, c);
    Set<Integer> paperCells = cells(theirs, c);
    Set<Integer> shared = new HashSet<>(ourCells);
    shared.retainAll(paperCells);
    return new Comparison(
        style,
        paperSet,
        indices.length,
        paper.size(),
        range(ours),
        range(theirs),
        shared.size(),
        ourCells.size() - shared.size(),
        paperCells.size() - shared.size());
  }

  private static Set<Integer> cells(double[] pairs, DesignSpaceConfig c) {
    Set<Integer> out = new HashSet<>();
    for (int i = 0; i < pairs.length; i += 2) {
      int cell = CellSample.cell(pairs[i], pairs[i + 1], c);
      if (cell >= 0) {
        out.add(cell);
      }
    }
    return out;
  }

  /** {Cmin, Cmax, Lmin, Lmax} of interleaved (C, L) pairs. */
  private static double[] range(double[] pairs) {
    double[] r = {
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY
    };
    for (int i = 0; i < pairs.length; i += 2) {
      r[0] = Math.min(r[0], pairs[i]);
      r[1] = Math.max(r[1], pairs[i]);
      r[2] = Math.min(r[2], pairs[i + 1]);
      r[3] = Math.max(r[3], pairs[i + 1]);
    }
    return r;
  }

  /** Everything the report says, measured by the run that writes it. */
  public record Inputs(
      DesignSpace.Result space,
      int keptDegrees,
      int[] fine,
      int[] medium,
      int[] coarse,
      List<Comparison> comparisons,
      List<ClassicCoverage.Row> classic,
      double csvSeconds,
      double totalSeconds) {}

  /** The summary as Markdown. */
  public static String markdown(Inputs in) {
    DesignSpace.Result s = in.space();
    DesignSpaceConfig c = s.config();
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "# WS-flex design space, n = %d%n%n", c.nodes()));
    md.append(
        String.format(
            Locale.ROOT,
            "- Grid: average degree k = (linspace(√%s, √%s, %d))², of which %d have k/n ≥ %s; "
                + "rewiring p = (linspace(0, 1, %d))²; seeds 0..%d.%n",
            trim(c.degreeMin()),
            trim(c.degreeMax()),
            c.degreeSteps(),
            in.keptDegrees(),
            trim(c.minDegreeRatio()),
            c.probabilitySteps(),
            c.seeds() - 1));
    md.append(
        String.format(
            Locale.ROOT,
            "- Graphs: %,d drawn and measured (C and L), %d disconnected in every draw and left "
                + "out.%n",
            s.size(),
            s.failed()));
    md.append(
        String.format(
            Locale.ROOT,
            "- Speed: sweep %.2f s on %d threads = %,.0f graphs/s; CSV %.2f s; whole run %.2f s.%n",
            s.seconds(),
            c.threads(),
            s.size() / s.seconds(),
            in.csvSeconds(),
            in.totalSeconds()));
    double[] all = new double[2 * s.size()];
    int m = 0;
    for (int i = 0; i < s.size(); i++) {
      if (!Double.isNaN(s.clustering(i))) {
        all[m++] = s.clustering(i);
        all[m++] = s.pathLength(i);
      }
    }
    double[] r = range(java.util.Arrays.copyOf(all, m));
    md.append(
        String.format(
            Locale.ROOT,
            "- Covered region: C in [%.3f, %.3f], L in [%.3f, %.3f].%n",
            r[0],
            r[1],
            r[2],
            r[3]));
    md.append(
        String.format(
            Locale.ROOT,
            "- Samples on the %d × %d grid (C in [0, 1], L in [%s, %s]), shuffle seed %d: "
                + "fine %d graphs (one per non-empty cell), medium %d (cells ≡ 2, 5, 8 mod 9), "
                + "coarse %d (cells ≡ 5 mod 9).%n%n",
            c.grid(),
            c.grid(),
            trim(c.pathLengthMin()),
            trim(c.pathLengthMax()),
            c.shuffleSeed(),
            in.fine().length,
            in.medium().length,
            in.coarse().length));
    if (!in.comparisons().isEmpty()) {
      md.append("## Against the paper's published sets\n\n");
      md.append(
          "| sample | paper set | graphs (ours / paper) | C range (ours / paper) "
              + "| L range (ours / paper) | cells shared / only ours / only paper |\n");
      md.append("|---|---|---|---|---|---|\n");
      for (Comparison k : in.comparisons()) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %d / %d | [%.3f, %.3f] / [%.3f, %.3f] | [%.3f, %.3f] / [%.3f, %.3f] "
                    + "| %d / %d / %d |%n",
                k.style(),
                k.paperSet(),
                k.ours(),
                k.paper(),
                k.oursRange()[0],
                k.oursRange()[1],
                k.paperRange()[0],
                k.paperRange()[1],
                k.oursRange()[2],
                k.oursRange()[3],
                k.paperRange()[2],
                k.paperRange()[3],
                k.sharedCells(),
                k.onlyOurs(),
                k.onlyPaper()));
      }
      md.append('\n');
    }
    if (!in.classic().isEmpty()) {
      md.append("## Classic generators (coverage comparison, paper Fig. 3)\n\n");
      md.append("| generator | graphs | connected | C range | L range (connected) |\n");
      md.append("|---|---|---|---|---|\n");
      TreeMap<String, double[]> stats = new TreeMap<>();
      for (ClassicCoverage.Row row : in.classic()) {
        double[] st =
            stats.computeIfAbsent(
                row.generator(),
                g ->
                    new double[] {
                      0,
                      0,
                      Double.POSITIVE_INFINITY,
                      Double.NEGATIVE_INFINITY,
                      Double.POSITIVE_INFINITY,
                      Double.NEGATIVE_INFINITY
                    });
        st[0]++;
        st[2] = Math.min(st[2], row.clustering());
        st[3] = Math.max(st[3], row.clustering());
        if (!Double.isNaN(row.pathLength())) {
          st[1]++;
          st[4] = Math.min(st[4], row.pathLength());
          st[5] = Math.max(st[5], row.pathLength());
        }
      }
      stats.forEach(
          (g, st) ->
              md.append(
                  String.format(
                      Locale.ROOT,
                      "| %s | %d | %d | [%.3f, %.3f] | [%.3f, %.3f] |%n",
                      g,
                      (int) st[0],
                      (int) st[1],
                      st[2],
                      st[3],
                      st[4],
                      st[5])));
      md.append('\n');
    }
    md.append("## Files\n\n");
    md.append("- `graphs.csv`: every graph, `" + DesignSpaceFiles.GRAPHS_HEADER + "`\n");
    md.append(
        "- `sample_fine.csv`, `sample_medium.csv`, `sample_coarse.csv`: the samples, `"
            + DesignSpaceFiles.SAMPLE_HEADER
            + "` (the paper's graph-set format)\n");
    if (!in.classic().isEmpty()) {
      md.append("- `classic.csv`: the classic generators' graphs (empty L when disconnected)\n");
    }
    md.append("- `coverage.png`, `coverage.svg`: C against L, coloured by generator\n");
    return md.toString();
  }

  private static String trim(double x) {
    return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
  }
}
