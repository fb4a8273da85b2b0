package org.relgraph.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.math3.stat.inference.TTest;
import org.relgraph.analysis.SweetSpot.Graph;
import org.relgraph.analysis.SweetSpot.Result;
import org.relgraph.analysis.SweetSpot.Stats;

/**
 * Comparisons beside the sweet spot: the best graph against the complete-graph baseline, and graphs
 * outside the analysed set (other node counts, e.g. the brain networks) each against the complete
 * graph at its own node count and against the best graph (the paper's Table 2).
 */
public final class GraphComparisons {
  private GraphComparisons() {}

  /**
   * The best graph that is not the complete graph, against the complete graph.
   *
   * @param best the graph with the lowest mean error among those that are not the complete graph
   * @param baseline the complete graph's runs
   * @param difference baseline mean minus the best graph's mean (positive: the graph is better)
   * @param pTwoSided two-sided p-value of a two-sample equal-variance t-test of the two means; NaN
   *     when a side has fewer than two runs
   * @param graphs how many graphs the best was chosen from (the Bonferroni factor)
   * @param pBonferroni {@code min(1, pTwoSided · graphs)}: the p-value allowing for having picked
   *     the best of {@code graphs}
   * @param pooledStd the spread of a run's error over training seeds, pooled over every graph with
   *     two or more runs (sample standard deviation); NaN without such graphs
   * @param detectable the difference between two means of these run counts that the Bonferroni-
   *     adjusted two-sided test detects with 80% power, given {@code pooledStd}; NaN when it cannot
   *     be computed
   */
  public record BestVsBaseline(
      Graph best,
      Stats baseline,
      double difference,
      double pTwoSided,
      int graphs,
      double pBonferroni,
      double pooledStd,
      double detectable) {
    /** Whether the difference is significant at {@link SweetSpot#ALPHA} after Bonferroni. */
    public boolean significant() {
      return pBonferroni < SweetSpot.ALPHA;
    }
  }

  /**
   * A graph outside the analysed set.
   *
   * @param name its name ({@link GraphNames}) or its identity when it has none
   * @param nodes its node count
   * @param clustering C
   * @param pathLength L (NaN when it has none)
   * @param errors its runs' errors
   * @param baseline the complete graph's runs at the same node count, or null when there are none
   * @param pVsBaseline two-sided p-value (equal-variance t-test) of its mean against the baseline's
   * @param pWorseThanBest one-tailed p-value that it is worse than the best graph of the analysed
   *     set ({@link SweetSpot#pWorse})
   * @param inSweetSpot whether its (C, L) lies inside the sweet-spot rectangle
   */
  public record Other(
      String name,
      int nodes,
      double clustering,
      double pathLength,
      Stats errors,
      Stats baseline,
      double pVsBaseline,
      double pWorseThanBest,
      boolean inSweetSpot) {}

  /**
   * Two-sided p-value of a two-sample equal-variance t-test; NaN when a side has fewer than two
   * samples; for samples without spread 0 when the means differ, else 1.
   */
  public static double pTwoSided(double[] a, double[] b) {
    if (a.length < 2 || b.length < 2) {
      return Double.NaN;
    }
    Stats x = Stats.of(a);
    Stats y = Stats.of(b);
    if (x.std() == 0 && y.std() == 0) {
      return x.mean() == y.mean() ? 1.0 : 0.0;
    }
    return new TTest().homoscedasticTTest(a, b);
  }

  /** Each graph's errors, by {@link ResultRow#graph()}. */
  static Map<String, double[]> samples(List<ResultRow> rows) {
    Map<String, List<Double>> by = new LinkedHashMap<>();
    for (ResultRow r : rows) {
      by.computeIfAbsent(r.graph(), k -> new ArrayList<>()).add(r.top1Error());
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    by.forEach((k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
    return out;
  }

  /** The best graph against the baseline, or null without a baseline or another graph. */
  static BestVsBaseline bestVsBaseline(List<ResultRow> atEpoch, Result r) {
    Graph best =
        r.graphs().stream()
            .filter(g -> !g.isComplete())
            .min(java.util.Comparator.comparingDouble(g -> g.errors().mean()))
            .orElse(null);
    if (best == null || r.baseline() == null) {
      return null;
    }
    Map<String, double[]> s = samples(atEpoch);
    double[] base = s.get(ResultRow.COMPLETE);
    double p = pTwoSided(s.get(best.key()), base);
    int graphs = (int) r.graphs().stream().filter(g -> !g.isComplete()).count();
    double pooled = pooledStd(r.graphs());
    return new BestVsBaseline(
        best,
        r.baseline(),
        r.baseline().mean() - best.errors().mean(),
        p,
        graphs,
        Double.isNaN(p) ? Double.NaN : Math.min(1, p * graphs),
        pooled,
        detectable(pooled, best.errors().n(), r.baseline().n(), SweetSpot.ALPHA / graphs, 0.8));
  }

  /**
   * The sample standard deviation of a run's error around its graph's mean, pooled over the graphs
   * with two or more runs; NaN when there are none.
   */
  public static double pooledStd(List<Graph> graphs) {
    double ss = 0;
    int df = 0;
    for (Graph g : graphs) {
      int n = g.errors().n();
      if (n >= 2) {
        ss += n * g.errors().std() * g.errors().std();
        df += n - 1;
      }
    }
    return df == 0 ? Double.NaN : Math.sqrt(ss / df);
  }

  /**
   * The smallest difference of two means, of {@code n1} and {@code n2} runs with standard deviation
   * {@code std}, that a two-sided equal-variance t-test at level {@code alpha} detects with the
   * given power (the usual approximation by the t quantiles at n1 + n2 − 2 degrees of freedom); NaN
   * for fewer than three runs in all or an unknown std.
   */
  public static double detectable(double std, int n1, int n2, double alpha, double power) {
    int df = n1 + n2 - 2;
    if (df < 1 || !Double.isFinite(std)) {
      return Double.NaN;
    }
    org.apache.commons.math3.distribution.TDistribution t =
        new org.apache.commons.math3.distribution.TDistribution(df);
    return (t.inverseCumulativeProbability(1 - alpha / 2) + t.inverseCumulativeProbability(power))
        * std
        * Math.sqrt(1.0 / n1 + 1.0 / n2);
  }

  /**
   * The graphs of {@code others} that are not the complete graph, each against the complete graph's
   * runs of {@code others} at its node count and against {@code best}'s runs.
   */
  static List<Other> others(
      List<ResultRow> others, Result r, Graph best, List<ResultRow> analysedAtEpoch) {
    double[] bestSamples = best == null ? null : samples(analysedAtEpoch).get(best.key());
    Map<String, List<ResultRow>> byGraph = new LinkedHashMap<>();
    Map<Integer, List<Double>> complete = new LinkedHashMap<>();
    for (ResultRow row : others) {
      if (row.isComplete()) {
        complete.computeIfAbsent(row.nodes(), k -> new ArrayList<>()).add(row.top1Error());
      } else {
        byGraph.computeIfAbsent(row.graph(), k -> new ArrayList<>()).add(row);
      }
    }
    List<Other> out = new ArrayList<>();
    for (Map.Entry<String, List<ResultRow>> e : byGraph.entrySet()) {
      ResultRow first = e.getValue().get(0);
      double[] s = e.getValue().stream().mapToDouble(ResultRow::top1Error).toArray();
      List<Double> c = complete.get(first.nodes());
      double[] base = c == null ? null : c.stream().mapToDouble(Double::doubleValue).toArray();
      String name = Objects.requireNonNullElse(GraphNames.of(first.graphFile()), e.getKey());
      boolean inside =
          first.clustering() >= r.clustering().lo()
              && first.clustering() <= r.clustering().hi()
              && first.pathLength() >= r.pathLength().lo()
              && first.pathLength() <= r.pathLength().hi();
      out.add(
          new Other(
              name,
              first.nodes() == null ? 0 : first.nodes(),
              first.clustering(),
              first.pathLength(),
              Stats.of(s),
              base == null ? null : Stats.of(base),
              base == null ? Double.NaN : pTwoSided(s, base),
              bestSamples == null ? Double.NaN : SweetSpot.pWorse(s, bestSamples),
              inside));
    }
    out.sort(java.util.Comparator.comparing(Other::name));
    return out;
  }
}
