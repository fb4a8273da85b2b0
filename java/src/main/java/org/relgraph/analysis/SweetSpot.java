package org.relgraph.analysis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * The paper's sweet-spot analysis of one model at one epoch, in two granularities.
 *
 * <p><b>Per bin</b> (the MLP study): C falls into 15 equal bins on [0, 1], L into 15 equal bins on
 * [1, 4.5] (bin i holds {@code edge(i) <= x < edge(i+1)}; the last bin also holds the upper bound;
 * runs outside the range, or without an L, belong to no bin); complete-graph runs enter at C = L =
 * 1. Every run is one sample of its bin. The best bin has the lowest mean error; a bin is in the
 * sweet spot unless a two-sample equal-variance t-test says it is worse than the best bin with
 * one-tailed p &lt; 0.05; the sweet spot is the rectangle spanning those bins' centres.
 *
 * <p><b>Per graph</b> (the ImageNet studies): runs are grouped by graph ({@link ResultRow#graph()};
 * the complete graph is one graph), each graph's runs are its samples; the best graph has the
 * lowest mean error; graphs not significantly worse than it by the same test are kept, and the
 * sweet spot is the rectangle from the smallest to the largest C and L of the kept graphs.
 *
 * <p><b>Samples too few to test.</b> The equal-variance test needs a variance estimate from each
 * side, so a comparison in which either side has fewer than two samples is not made: nothing shows
 * such a bin (or graph) worse, and it stays in the sweet spot. Where both sides have two or more
 * samples but no spread at all, the candidate is worse exactly when its mean is higher (p = 0, else
 * p = 1, or 0.5 for equal means).
 */
public final class SweetSpot {
  /** Bins on each axis. */
  public static final int BINS = 15;

  /** The C range of the bins. */
  public static final double C_MIN = 0.0;

  /** The C range of the bins. */
  public static final double C_MAX = 1.0;

  /** The L range of the bins. */
  public static final double L_MIN = 1.0;

  /** The L range of the bins. */
  public static final double L_MAX = 4.5;

  /** Significance level of the one-tailed test. */
  public static final double ALPHA = 0.05;

  /** The granularity of the analysis. */
  public enum Mode {
    /** 15 × 15 (C, L) bins, every run one sample (the MLP study). */
    BIN,
    /** One group per graph, its training seeds the samples (the ImageNet studies). */
    GRAPH
  }

  /** A closed interval. */
  public record Range(double lo, double hi) {}

  /**
   * Mean and population standard deviation of {@code n} samples.
   *
   * @param n number of samples
   * @param mean their mean
   * @param std their population standard deviation (divisor n)
   */
  public record Stats(int n, double mean, double std) {
    /** Statistics of the given samples. */
    public static Stats of(double[] samples) {
      double sum = 0;
      for (double v : samples) {
        sum += v;
      }
      double mean = sum / samples.length;
      double ss = 0;
      for (double v : samples) {
        ss += (v - mean) * (v - mean);
      }
      return new Stats(samples.length, mean, Math.sqrt(ss / samples.length));
    }
  }

  /**
   * A (C, L) bin with at least one run.
   *
   * @param cIndex bin index on the C axis, 0..14
   * @param lIndex bin index on the L axis, 0..14
   * @param clustering the bin's centre C
   * @param pathLength the bin's centre L
   * @param graphs number of distinct graphs in the bin
   * @param errors statistics of the bin's runs
   * @param pWorse one-tailed p-value that this bin is worse than the best bin; NaN for the best bin
   *     and for comparisons not made (fewer than two samples on a side)
   * @param inSweetSpot whether the bin belongs to the sweet spot
   */
  public record Bin(
      int cIndex,
      int lIndex,
      double clustering,
      double pathLength,
      int graphs,
      Stats errors,
      double pWorse,
      boolean inSweetSpot) {}

  /**
   * A graph with its runs.
   *
   * @param key the graph's identity ({@link ResultRow#graph()})
   * @param kind graph family
   * @param kOverN average degree over n (NaN when unknown)
   * @param p rewiring probability (NaN when unknown)
   * @param graphSeed generator seed, or null
   * @param graphFile the file the graph was read from, or null
   * @param clustering C
   * @param pathLength L (NaN when the graph has none)
   * @param errors statistics of the graph's runs (over training seeds)
   * @param pWorse one-tailed p-value that this graph is worse than the best graph; NaN for the best
   *     graph and for comparisons not made
   * @param inSweetSpot whether the graph is kept (not significantly worse than the best graph)
   */
  public record Graph(
      String key,
      String kind,
      double kOverN,
      double p,
      Long graphSeed,
      String graphFile,
      double clustering,
      double pathLength,
      Stats errors,
      double pWorse,
      boolean inSweetSpot) {
    /** Whether this is the complete graph. */
    public boolean isComplete() {
      return ResultRow.COMPLETE.equals(kind);
    }
  }

  /**
   * The outcome of the analysis.
   *
   * @param mode the granularity that defined the sweet spot
   * @param clustering the sweet spot's C interval
   * @param pathLength the sweet spot's L interval
   * @param bestBin the bin with the lowest mean error (null when no run falls in a bin)
   * @param bestGraph the graph with the lowest mean error
   * @param baseline statistics of the complete graph's runs, or null when there are none
   * @param bins every non-empty bin, ordered by C index then L index, tested against the best bin
   * @param graphs every graph, in order of first appearance, tested against the best graph
   * @param runs number of runs analysed
   * @param runsOutsideBins runs whose (C, L) lies outside the bins' range or has no L
   * @param untested bins (per-bin mode) or graphs (per-graph mode) kept because a side of their
   *     comparison had fewer than two samples
   */
  public record Result(
      Mode mode,
      Range clustering,
      Range pathLength,
      Bin bestBin,
      Graph bestGraph,
      Stats baseline,
      List<Bin> bins,
      List<Graph> graphs,
      int runs,
      int runsOutsideBins,
      int untested) {
    /** Bins in the sweet spot. */
    public List<Bin> sweetSpotBins() {
      return bins.stream().filter(Bin::inSweetSpot).toList();
    }

    /** Graphs kept by the per-graph test. */
    public List<Graph> sweetSpotGraphs() {
      return graphs.stream().filter(Graph::inSweetSpot).toList();
    }
  }

  private SweetSpot() {}

  /**
   * Analyses the runs of one model at one epoch.
   *
   * @param rows one row per run (the caller selects model and epoch)
   * @param mode the granularity that defines the sweet spot
   * @throws IllegalArgumentException when {@code rows} is empty
   */
  public static Result analyze(Collection<ResultRow> rows, Mode mode) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no runs to analyse");
    }
    List<Bin> bins = new ArrayList<>();
    int[] outside = new int[1];
    int untestedBins = bins(rows, bins, outside);
    List<Graph> graphs = new ArrayList<>();
    int untestedGraphs = graphs(rows, graphs);
    // the first of equal minima, as in the tests above
    Bin bestBin = bins.stream().min(BY_MEAN).orElse(null);
    Graph bestGraph =
        graphs.stream().min(Comparator.comparingDouble(g -> g.errors().mean())).orElseThrow();
    Stats baseline =
        graphs.stream().filter(Graph::isComplete).map(Graph::errors).findFirst().orElse(null);
    Range c;
    Range l;
    if (mode == Mode.BIN) {
      if (bins.isEmpty()) {
        throw new IllegalArgumentException(
            "no run has C in [0, 1] and L in [1, 4.5]: nothing to bin (try per-graph mode)");
      }
      List<Bin> kept = bins.stream().filter(Bin::inSweetSpot).toList();
      c = range(kept.stream().mapToDouble(Bin::clustering).toArray());
      l = range(kept.stream().mapToDouble(Bin::pathLength).toArray());
    } else {
      List<Graph> kept = graphs.stream().filter(Graph::inSweetSpot).toList();
      c = range(kept.stream().mapToDouble(Graph::clustering).toArray());
      l = range(kept.stream().mapToDouble(Graph::pathLength).toArray());
    }
    return new Result(
        mode,
        c,
        l,
        bestBin,
        bestGraph,
        baseline,
        List.copyOf(bins),
        List.copyOf(graphs),
        rows.size(),
        outside[0],
        mode == Mode.BIN ? untestedBins : untestedGraphs);
  }

  /** Fills {@code out} with the non-empty bins; returns how many were kept untested. */
  private static int bins(Collection<ResultRow> rows, List<Bin> out, int[] outside) {
    Map<Integer, List<ResultRow>> byBin = new TreeMap<>();
    for (ResultRow r : rows) {
      int ci = cBin(r.clustering());
      int li = lBin(r.pathLength());
      if (ci < 0 || li < 0) {
        outside[0]++;
        continue;
      }
      byBin.computeIfAbsent(ci * BINS + li, x -> new ArrayList<>()).add(r);
    }
    if (byBin.isEmpty()) {
      return 0;
    }
    Tested<Integer> tested = Tested.of(byBin);
    for (Map.Entry<Integer, List<ResultRow>> e : byBin.entrySet()) {
      int id = e.getKey();
      double[] s = tested.samples.get(id);
      double p = tested.pWorse.get(id);
      boolean keep = tested.kept(id);
      int ci = id / BINS;
      int li = id % BINS;
      long graphs = e.getValue().stream().map(ResultRow::graph).distinct().count();
      out.add(
          new Bin(
              ci,
              li,
              centre(ci, C_MIN, C_MAX),
              centre(li, L_MIN, L_MAX),
              (int) graphs,
              Stats.of(s),
              p,
              keep));
    }
    return tested.untested;
  }

  /** Fills {@code out} with the graphs; returns how many were kept untested. */
  private static int graphs(Collection<ResultRow> rows, List<Graph> out) {
    Map<String, List<ResultRow>> byGraph = new LinkedHashMap<>();
    for (ResultRow r : rows) {
      byGraph.computeIfAbsent(r.graph(), x -> new ArrayList<>()).add(r);
    }
    Tested<String> tested = Tested.of(byGraph);
    for (Map.Entry<String, List<ResultRow>> e : byGraph.entrySet()) {
      String key = e.getKey();
      double[] s = tested.samples.get(key);
      double p = tested.pWorse.get(key);
      ResultRow r = e.getValue().get(0);
      out.add(
          new Graph(
              key,
              r.kind(),
              r.kOverN(),
              r.p(),
              r.graphSeed(),
              r.graphFile(),
              r.clustering(),
              r.pathLength(),
              Stats.of(s),
              p,
              tested.kept(key)));
    }
    return tested.untested;
  }

  /**
   * Groups of runs tested against the one with the lowest mean error: each group's samples, its
   * one-tailed p of being worse (NaN for the best group, and when a side has fewer than two
   * samples), and how many groups stayed untested.
   */
  private static final class Tested<K> {
    final Map<K, double[]> samples = new LinkedHashMap<>();
    final Map<K, Double> pWorse = new LinkedHashMap<>();
    K best;
    int untested;

    static <K> Tested<K> of(Map<K, List<ResultRow>> groups) {
      Tested<K> t = new Tested<>();
      double bestMean = Double.POSITIVE_INFINITY;
      for (Map.Entry<K, List<ResultRow>> e : groups.entrySet()) {
        double[] s = e.getValue().stream().mapToDouble(ResultRow::top1Error).toArray();
        t.samples.put(e.getKey(), s);
        double m = Stats.of(s).mean();
        if (m < bestMean) {
          bestMean = m;
          t.best = e.getKey();
        }
      }
      double[] bestSamples = t.samples.get(t.best);
      for (Map.Entry<K, double[]> e : t.samples.entrySet()) {
        boolean isBest = e.getKey().equals(t.best);
        double p = isBest ? Double.NaN : SweetSpot.pWorse(e.getValue(), bestSamples);
        if (!isBest && Double.isNaN(p)) {
          t.untested++;
        }
        t.pWorse.put(e.getKey(), p);
      }
      return t;
    }

    /** In the sweet spot: the best group, or not significantly worse than it. */
    boolean kept(K key) {
      return key.equals(best) || !(pWorse.get(key) < ALPHA);
    }
  }

  /**
   * One-tailed p-value of a two-sample equal-variance t-test that {@code candidate} has a higher
   * mean error than {@code best}: small when the candidate is clearly worse. NaN when either side
   * has fewer than two samples (no test is made); for samples without any spread, 0 when the
   * candidate's mean is higher, 1 when lower, 0.5 when equal.
   */
  public static double pWorse(double[] candidate, double[] best) {
    if (candidate.length < 2 || best.length < 2) {
      return Double.NaN;
    }
    Stats a = Stats.of(candidate);
    Stats b = Stats.of(best);
    double pooled = (a.n() * a.std() * a.std() + b.n() * b.std() * b.std()) / (a.n() + b.n() - 2);
    if (pooled == 0) {
      return a.mean() > b.mean() ? 0.0 : a.mean() < b.mean() ? 1.0 : 0.5;
    }
    TTest test = new TTest();
    double t = test.homoscedasticT(candidate, best);
    double twoSided = test.homoscedasticTTest(candidate, best);
    return t > 0 ? twoSided / 2 : 1 - twoSided / 2;
  }

  /** The C bin of a value: 0..14, or -1 outside [0, 1] (and for NaN). */
  public static int cBin(double clustering) {
    return bin(clustering, C_MIN, C_MAX, BINS);
  }

  /** The L bin of a value: 0..14, or -1 outside [1, 4.5] (and for NaN). */
  public static int lBin(double pathLength) {
    return bin(pathLength, L_MIN, L_MAX, BINS);
  }

  /** The centre of bin {@code i} of {@link #BINS} equal bins on [lo, hi]. */
  public static double centre(int i, double lo, double hi) {
    return lo + (i + 0.5) * (hi - lo) / BINS;
  }

  /**
   * The bin of {@code x} among {@code count} equal bins on [lo, hi]: bin i holds {@code edge(i) <=
   * x < edge(i+1)} with {@code edge(i) = lo + i (hi - lo) / count}, the last bin also holds {@code
   * hi}; -1 outside [lo, hi] and for NaN.
   */
  public static int bin(double x, double lo, double hi, int count) {
    if (!(x >= lo && x <= hi)) {
      return -1;
    }
    int i = Math.min(count - 1, (int) ((x - lo) / (hi - lo) * count));
    // the edges decide, whatever the rounding of the division above
    while (i > 0 && x < lo + i * (hi - lo) / count) {
      i--;
    }
    while (i < count - 1 && x >= lo + (i + 1) * (hi - lo) / count) {
      i++;
    }
    return i;
  }

  private static Range range(double[] values) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (Double.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    return lo > hi ? new Range(Double.NaN, Double.NaN) : new Range(lo, hi);
  }

  /** Orders bins by mean error, lowest first. */
  static final Comparator<Bin> BY_MEAN = Comparator.comparingDouble(b -> b.errors().mean());
}
