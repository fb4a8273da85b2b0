package org.relgraph.analysis;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.fitting.PolynomialCurveFitter;
import org.apache.commons.math3.fitting.WeightedObservedPoints;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.relgraph.analysis.SweetSpot.Mode;
import org.relgraph.analysis.SweetSpot.Result;

/**
 * The paper's analysis of training results for one model: selection of the model and epoch, the
 * {@link SweetSpot sweet spot}, second-degree polynomial fits of error against C and against L
 * (Fig. 4b, 4d), and, where the data supports them, the correlations of Fig. 5 (a subset of graphs
 * against all graphs; an early epoch against the final one). {@link AnalysisReport} writes it as
 * figures and Markdown.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * List<ResultRow> rows = ResultsDb.read(Path.of("runs.db"));
 * Analysis a = Analysis.of(rows, Analysis.Options.defaults());
 * AnalysisReport.write(a, Path.of("analysis"), "runs.db");
 * }</pre>
 */
public final class Analysis {
  /** The early epoch compared with the final one unless another is asked for (the paper's). */
  public static final int DEFAULT_EARLY_EPOCH = 3;

  /** Automatic mode: per graph only up to this many graphs. */
  public static final int MAX_GRAPHS_FOR_GRAPH_MODE = 200;

  /** Cells per axis of the design-space grid whose coarser cells define the graph subsets. */
  public static final int SUBSET_GRID = 135;

  /**
   * What to analyse; null fields take their defaults.
   *
   * @param model the model to analyse; default: the only model in the data (required when there are
   *     several)
   * @param epoch the epoch to analyse; default: the last epoch present for the model
   * @param mode per bin or per graph; default: per graph when every graph has at least two runs and
   *     there are at most {@value #MAX_GRAPHS_FOR_GRAPH_MODE} graphs, else per bin
   * @param earlyEpoch the early epoch compared with the analysed one; default {@value
   *     #DEFAULT_EARLY_EPOCH} when the data has it (else that comparison is skipped)
   * @param nodes analyse the graphs of this many nodes, the complete graph at this node count the
   *     baseline; graphs of other node counts are compared one by one ({@link #others()}); default:
   *     every run, whatever its graph's node count
   */
  public record Options(String model, Integer epoch, Mode mode, Integer earlyEpoch, Integer nodes) {
    /** Options for every run, whatever its graph's node count. */
    public Options(String model, Integer epoch, Mode mode, Integer earlyEpoch) {
      this(model, epoch, mode, earlyEpoch, null);
    }

    /** Every field at its default. */
    public static Options defaults() {
      return new Options(null, null, null, null, null);
    }
  }

  /**
   * A least-squares fit {@code error = c0 + c1 x + c2 x²} over per-graph mean errors.
   *
   * @param variable {@code clustering} or {@code path_length}
   * @param coefficients {c0, c1, c2}
   * @param rSquared coefficient of determination
   * @param minimumAt x of the fitted parabola's minimum when it opens upward and the minimum lies
   *     within the fitted x range, else NaN
   * @param x the fitted points' x (one per graph)
   * @param y the fitted points' mean error
   */
  public record Fit(
      String variable,
      double[] coefficients,
      double rSquared,
      double minimumAt,
      double[] x,
      double[] y) {
    /** The fitted value at {@code x}. */
    public double value(double at) {
      return coefficients[0] + coefficients[1] * at + coefficients[2] * at * at;
    }
  }

  /**
   * A Pearson correlation between paired mean errors.
   *
   * @param name short identifier, e.g. {@code subset_coarse} or {@code epoch}
   * @param description what the pairs are, in words
   * @param xLabel what x holds
   * @param yLabel what y holds
   * @param pearson Pearson's r
   * @param x the reference means (all graphs, or the final epoch)
   * @param y the compared means (the subset, or the early epoch)
   */
  public record Correlation(
      String name,
      String description,
      String xLabel,
      String yLabel,
      double pearson,
      double[] x,
      double[] y) {
    /** Number of pairs. */
    public int points() {
      return x.length;
    }
  }

  /** A graph subset by the design-space cell rule. */
  private record Subset(String name, String label, IntPredicate rule) {}

  private static final List<Subset> SUBSETS =
      List.of(
          new Subset(
              "subset_medium", "cells ≡ 2, 5, 8 (mod 9) (449-style set)", i -> i % 9 % 3 == 2),
          new Subset("subset_coarse", "cells ≡ 5 (mod 9) (52-style set)", i -> i % 9 == 5));

  private final List<String> models;
  private final String model;
  private final List<Integer> epochs;
  private final int epoch;
  private final String modeReason;
  private final Result result;
  private final List<Fit> fits = new ArrayList<>();
  private final List<Correlation> correlations = new ArrayList<>();
  private final Map<String, String> skipped = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private final int duplicateRuns;
  private Integer nodes;
  private Result alternative;
  private String alternativeSkipped;
  private GraphComparisons.BestVsBaseline bestVsBaseline;
  private List<GraphComparisons.Other> others = List.of();

  private Analysis(
      List<String> models,
      String model,
      List<Integer> epochs,
      int epoch,
      String modeReason,
      Result result,
      int duplicateRuns) {
    this.models = models;
    this.model = model;
    this.epochs = epochs;
    this.epoch = epoch;
    this.modeReason = modeReason;
    this.result = result;
    this.duplicateRuns = duplicateRuns;
  }

  /**
   * Analyses one model of a results set.
   *
   * @param rows the results, one row per (run, epoch), as {@link ResultsCsv} or {@link ResultsDb}
   *     read them
   * @param options what to analyse
   * @throws IllegalArgumentException when the options do not fit the data (no such model or epoch;
   *     several models and none chosen) or there is nothing to analyse
   */
  public static Analysis of(List<ResultRow> rows, Options options) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no results to analyse");
    }
    List<String> models =
        new ArrayList<>(new TreeSet<>(rows.stream().map(ResultRow::model).toList()));
    String model = options.model();
    if (model == null) {
      if (models.size() > 1) {
        throw new IllegalArgumentException(
            "the results hold "
                + models.size()
                + " models ("
                + String.join(", ", models)
                + "): choose one with --model");
      }
      model = models.get(0);
    } else if (!models.contains(model)) {
      throw new IllegalArgumentException(
          "no model '" + model + "' in the results; models: " + String.join(", ", models));
    }
    String m = model;
    List<ResultRow> ofModel = rows.stream().filter(r -> r.model().equals(m)).toList();
    List<ResultRow> otherNodes = List.of();
    Integer nodes = options.nodes();
    if (nodes != null) {
      if (ofModel.stream().allMatch(r -> r.nodes() == null)) {
        throw new IllegalArgumentException(
            "the results record no node counts (a sweep database does): --nodes cannot choose");
      }
      List<ResultRow> of = ofModel.stream().filter(r -> nodes.equals(r.nodes())).toList();
      if (of.isEmpty()) {
        throw new IllegalArgumentException(
            "model "
                + model
                + " has no runs on graphs of "
                + nodes
                + " nodes; node counts: "
                + new TreeSet<>(
                    ofModel.stream().map(ResultRow::nodes).filter(x -> x != null).toList()));
      }
      otherNodes = ofModel.stream().filter(r -> !nodes.equals(r.nodes())).toList();
      ofModel = of;
    }
    List<Integer> epochs =
        new ArrayList<>(new TreeSet<>(ofModel.stream().map(ResultRow::epoch).toList()));
    int epoch = options.epoch() != null ? options.epoch() : epochs.get(epochs.size() - 1);
    if (!epochs.contains(epoch)) {
      throw new IllegalArgumentException(
          "model " + model + " has no epoch " + epoch + "; epochs: " + describeEpochs(epochs));
    }
    List<ResultRow> atEpoch = select(ofModel, epoch);

    Map<String, Integer> runsPerGraph = new LinkedHashMap<>();
    for (ResultRow r : atEpoch) {
      runsPerGraph.merge(r.graph(), 1, Integer::sum);
    }
    int minRuns = runsPerGraph.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    Mode mode = options.mode();
    String reason;
    if (mode != null) {
      reason = "chosen by the caller";
    } else if (minRuns >= 2 && runsPerGraph.size() <= MAX_GRAPHS_FOR_GRAPH_MODE) {
      mode = Mode.GRAPH;
      reason =
          "automatic: every graph has at least two runs and there are "
              + runsPerGraph.size()
              + " graphs (at most "
              + MAX_GRAPHS_FOR_GRAPH_MODE
              + ")";
    } else {
      mode = Mode.BIN;
      reason =
          "automatic: "
              + (minRuns < 2
                  ? "some graphs have a single run"
                  : "there are "
                      + runsPerGraph.size()
                      + " graphs (more than "
                      + MAX_GRAPHS_FOR_GRAPH_MODE
                      + ")");
    }
    Set<String> seen = new HashSet<>();
    int duplicates = 0;
    for (ResultRow r : atEpoch) {
      if (!seen.add(r.graph() + "\u0000" + r.trainSeed())) {
        duplicates++;
      }
    }
    Result result = SweetSpot.analyze(atEpoch, mode);
    Analysis a = new Analysis(models, model, epochs, epoch, reason, result, duplicates);
    a.nodes = nodes;
    Mode other = mode == Mode.BIN ? Mode.GRAPH : Mode.BIN;
    if (result.bins().isEmpty() && other == Mode.BIN) {
      a.alternativeSkipped = "no run has C in [0, 1] and L in [1, 4.5]";
    } else {
      a.alternative = SweetSpot.analyze(atEpoch, other);
    }
    a.bestVsBaseline = GraphComparisons.bestVsBaseline(atEpoch, result);
    a.others =
        GraphComparisons.others(
            select(otherNodes, epoch),
            result,
            a.bestVsBaseline == null ? result.bestGraph() : a.bestVsBaseline.best(),
            atEpoch);
    a.fit("clustering", SweetSpot.Graph::clustering);
    a.fit("path_length", SweetSpot.Graph::pathLength);
    a.subsets(atEpoch);
    a.earlyEpoch(ofModel, options.earlyEpoch());
    if (result.bins().isEmpty()) {
      a.skipped.put("heatmap", "no run has C in [0, 1] and L in [1, 4.5]");
    }
    if (duplicates > 0) {
      a.notes.add(
          duplicates
              + " runs repeat a (graph, training seed) pair at this epoch; each counts as a sample");
    }
    int bestRuns =
        mode == Mode.BIN && result.bestBin() != null
            ? result.bestBin().errors().n()
            : result.bestGraph().errors().n();
    if (bestRuns < 2) {
      a.notes.add(
          "the best "
              + (mode == Mode.BIN ? "bin" : "graph")
              + " has a single run: nothing can be tested against it, so the sweet spot holds"
              + " every "
              + (mode == Mode.BIN ? "bin" : "graph"));
    }
    if (result.untested() > 0) {
      a.notes.add(
          result.untested()
              + (mode == Mode.BIN ? " bins" : " graphs")
              + " stay in the sweet spot untested: their comparison has fewer than two samples on"
              + " a side");
    }
    return a;
  }

  private static List<ResultRow> select(List<ResultRow> rows, int epoch) {
    return rows.stream().filter(r -> r.epoch() == epoch).toList();
  }

  private void fit(String variable, ToDoubleFunction<SweetSpot.Graph> value) {
    List<double[]> pts = new ArrayList<>();
    Set<Double> distinct = new HashSet<>();
    for (SweetSpot.Graph g : result.graphs()) {
      double x = value.applyAsDouble(g);
      if (g.isComplete() || !Double.isFinite(x)) {
        continue;
      }
      pts.add(new double[] {x, g.errors().mean()});
      distinct.add(x);
    }
    String figure = "error_vs_" + variable;
    if (distinct.size() < 3) {
      skipped.put(figure, "fewer than three distinct values of " + variable + " among the graphs");
      return;
    }
    WeightedObservedPoints obs = new WeightedObservedPoints();
    double[] x = new double[pts.size()];
    double[] y = new double[pts.size()];
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < x.length; i++) {
      x[i] = pts.get(i)[0];
      y[i] = pts.get(i)[1];
      obs.add(x[i], y[i]);
      lo = Math.min(lo, x[i]);
      hi = Math.max(hi, x[i]);
    }
    double[] c = PolynomialCurveFitter.create(2).fit(obs.toList());
    double mean = 0;
    for (double v : y) {
      mean += v;
    }
    mean /= y.length;
    double ssRes = 0;
    double ssTot = 0;
    for (int i = 0; i < x.length; i++) {
      double f = c[0] + c[1] * x[i] + c[2] * x[i] * x[i];
      ssRes += (y[i] - f) * (y[i] - f);
      ssTot += (y[i] - mean) * (y[i] - mean);
    }
    double r2 = ssTot == 0 ? Double.NaN : 1 - ssRes / ssTot;
    double min = Double.NaN;
    if (c[2] > 0) {
      double v = -c[1] / (2 * c[2]);
      if (v >= lo && v <= hi) {
        min = v;
      }
    }
    fits.add(new Fit(variable, c, r2, min, x, y));
  }

  private void subsets(List<ResultRow> atEpoch) {
    String figure = "subset_correlation";
    if (result.mode() != Mode.BIN) {
      skipped.put(
          figure,
          "per-graph analysis: the subset comparison of bin means needs the per-bin analysis of"
              + " a large graph set");
      return;
    }
    Map<Integer, double[]> all = binMeans(atEpoch);
    List<String> reasons = new ArrayList<>();
    for (Subset s : SUBSETS) {
      List<ResultRow> in = new ArrayList<>();
      Set<String> graphs = new HashSet<>();
      Set<String> allGraphs = new HashSet<>();
      for (ResultRow r : atEpoch) {
        allGraphs.add(r.graph());
        int ci = SweetSpot.bin(r.clustering(), SweetSpot.C_MIN, SweetSpot.C_MAX, SUBSET_GRID);
        int li = SweetSpot.bin(r.pathLength(), SweetSpot.L_MIN, SweetSpot.L_MAX, SUBSET_GRID);
        if (ci >= 0 && li >= 0 && s.rule().test(ci + 1) && s.rule().test(li + 1)) {
          in.add(r);
          graphs.add(r.graph());
        }
      }
      Map<Integer, double[]> sub = binMeans(in);
      if (graphs.size() == allGraphs.size()) {
        reasons.add(s.name() + ": the subset holds every graph");
        continue;
      }
      if (sub.size() < 3) {
        reasons.add(s.name() + ": its graphs fill " + sub.size() + " bins (three needed)");
        continue;
      }
      double[] x = new double[sub.size()];
      double[] y = new double[sub.size()];
      int i = 0;
      for (Map.Entry<Integer, double[]> e : sub.entrySet()) {
        x[i] = all.get(e.getKey())[0];
        y[i] = e.getValue()[0];
        i++;
      }
      correlations.add(
          new Correlation(
              s.name(),
              graphs.size()
                  + " graphs in design-space "
                  + s.label()
                  + " against all "
                  + allGraphs.size()
                  + " graphs, bin means over "
                  + x.length
                  + " bins",
              "bin mean error, all graphs (%)",
              "bin mean error, subset (%)",
              pearson(x, y),
              x,
              y));
    }
    if (correlations.stream().noneMatch(c -> c.name().startsWith("subset"))) {
      skipped.put(figure, String.join("; ", reasons));
    } else if (!reasons.isEmpty()) {
      notes.add("subset comparison: " + String.join("; ", reasons));
    }
  }

  private void earlyEpoch(List<ResultRow> ofModel, Integer requested) {
    String figure = "epoch_correlation";
    int early = requested != null ? requested : DEFAULT_EARLY_EPOCH;
    if (requested != null && (!epochs.contains(early) || early >= epoch)) {
      throw new IllegalArgumentException(
          "early epoch "
              + early
              + " must be an epoch of model "
              + model
              + " before "
              + epoch
              + "; epochs: "
              + describeEpochs(epochs));
    }
    if (epochs.size() < 2) {
      skipped.put(figure, "the data has a single epoch (" + epoch + ") for model " + model);
      return;
    }
    if (!epochs.contains(early) || early >= epoch) {
      skipped.put(
          figure,
          "no epoch "
              + early
              + " before epoch "
              + epoch
              + " in the data (epochs: "
              + describeEpochs(epochs)
              + "); choose one with --early-epoch");
      return;
    }
    List<ResultRow> earlyRows = select(ofModel, early);
    List<ResultRow> finalRows = select(ofModel, epoch);
    Map<?, double[]> a;
    Map<?, double[]> b;
    String unit;
    if (result.mode() == Mode.BIN) {
      a = binMeans(finalRows);
      b = binMeans(earlyRows);
      unit = "bin";
    } else {
      a = graphMeans(finalRows);
      b = graphMeans(earlyRows);
      unit = "graph";
    }
    List<double[]> pairs = new ArrayList<>();
    for (Map.Entry<?, double[]> e : a.entrySet()) {
      double[] other = b.get(e.getKey());
      if (other != null) {
        pairs.add(new double[] {e.getValue()[0], other[0]});
      }
    }
    if (pairs.size() < 3) {
      skipped.put(
          figure,
          "fewer than three " + unit + "s have runs at both epochs " + early + " and " + epoch);
      return;
    }
    double[] x = pairs.stream().mapToDouble(p -> p[0]).toArray();
    double[] y = pairs.stream().mapToDouble(p -> p[1]).toArray();
    correlations.add(
        new Correlation(
            "epoch",
            unit
                + " mean errors at epoch "
                + early
                + " against epoch "
                + epoch
                + ", over "
                + x.length
                + " "
                + unit
                + "s",
            unit + " mean error, epoch " + epoch + " (%)",
            unit + " mean error, epoch " + early + " (%)",
            pearson(x, y),
            x,
            y));
  }

  private static double pearson(double[] x, double[] y) {
    return new PearsonsCorrelation().correlation(x, y);
  }

  /** Mean error and run count per non-empty bin (key cIndex·15 + lIndex). */
  static Map<Integer, double[]> binMeans(List<ResultRow> rows) {
    Map<Integer, double[]> sums = new TreeMap<>();
    for (ResultRow r : rows) {
      int ci = SweetSpot.cBin(r.clustering());
      int li = SweetSpot.lBin(r.pathLength());
      if (ci >= 0 && li >= 0) {
        double[] s = sums.computeIfAbsent(ci * SweetSpot.BINS + li, k -> new double[2]);
        s[0] += r.top1Error();
        s[1]++;
      }
    }
    sums.values().forEach(s -> s[0] /= s[1]);
    return sums;
  }

  private static Map<String, double[]> graphMeans(List<ResultRow> rows) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    for (ResultRow r : rows) {
      double[] s = sums.computeIfAbsent(r.graph(), k -> new double[2]);
      s[0] += r.top1Error();
      s[1]++;
    }
    sums.values().forEach(s -> s[0] /= s[1]);
    return sums;
  }

  /** Epochs as ranges, e.g. {@code 1..100} or {@code 1, 3, 200}. */
  static String describeEpochs(List<Integer> epochs) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < epochs.size()) {
      int j = i;
      while (j + 1 < epochs.size() && epochs.get(j + 1) == epochs.get(j) + 1) {
        j++;
      }
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(epochs.get(i));
      if (j > i + 1) {
        sb.append("..").append(epochs.get(j));
      } else if (j == i + 1) {
        sb.append(", ").append(epochs.get(j));
      }
      i = j + 1;
    }
    return sb.toString();
  }

  /** Every model in the data, sorted. */
  public List<String> models() {
    return List.copyOf(models);
  }

  /** The analysed model. */
  public String model() {
    return model;
  }

  /** The model's epochs present in the data, ascending. */
  public List<Integer> epochs() {
    return List.copyOf(epochs);
  }

  /** The analysed epoch. */
  public int epoch() {
    return epoch;
  }

  /** Why the analysis runs per bin or per graph. */
  public String modeReason() {
    return modeReason;
  }

  /** The sweet spot and its statistics. */
  public Result result() {
    return result;
  }

  /** The polynomial fits made (error against C, against L). */
  public List<Fit> fits() {
    return List.copyOf(fits);
  }

  /** The correlations made (graph subsets against all graphs; early against final epoch). */
  public List<Correlation> correlations() {
    return List.copyOf(correlations);
  }

  /** Figures the data does not support, by file name without extension, with the reason. */
  public Map<String, String> skipped() {
    return new LinkedHashMap<>(skipped);
  }

  /** Remarks on the data worth a reader's attention. */
  public List<String> notes() {
    return List.copyOf(notes);
  }

  /** Runs that repeat a (graph, training seed) pair at the analysed epoch. */
  public int duplicateRuns() {
    return duplicateRuns;
  }

  /** The node count analysed ({@link Options#nodes()}), or null for every run. */
  public Integer nodes() {
    return nodes;
  }

  /**
   * The sweet spot in the other granularity (per graph when the analysis is per bin, and the other
   * way round), or null when the data has no bins ({@link #alternativeSkipped()}).
   */
  public Result alternative() {
    return alternative;
  }

  /** Why {@link #alternative()} is null, or null. */
  public String alternativeSkipped() {
    return alternativeSkipped;
  }

  /** The best graph against the complete graph, or null without either. */
  public GraphComparisons.BestVsBaseline bestVsBaseline() {
    return bestVsBaseline;
  }

  /**
   * Graphs of other node counts than {@link #nodes()} (e.g. the brain networks), each against the
   * complete graph at its node count and the best graph; empty without {@link Options#nodes()}.
   */
  public List<GraphComparisons.Other> others() {
    return others;
  }

  /**
   * The analysis as one JSON object: {@code sweet_spot} {{@code clustering}: [lo, hi], {@code
   * path_length}: [lo, hi]}, {@code best_bin} (per-bin mode) and {@code best_graph} {{@code
   * clustering}, {@code path_length}, {@code mean_error}, {@code std_error}, ...}, {@code baseline}
   * {{@code mean_error}, {@code std_error}, {@code runs}} (null without complete-graph runs), fits,
   * correlations and skipped figures. Standard deviations are population ones over the runs.
   */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("model", model);
    o.addProperty("epoch", epoch);
    o.addProperty("mode", result.mode() == Mode.BIN ? "bin" : "graph");
    o.addProperty("runs", result.runs());
    o.addProperty("graphs", result.graphs().size());
    JsonObject spot = new JsonObject();
    spot.add("clustering", pair(result.clustering().lo(), result.clustering().hi()));
    spot.add("path_length", pair(result.pathLength().lo(), result.pathLength().hi()));
    o.add("sweet_spot", spot);
    if (result.mode() == Mode.BIN) {
      o.addProperty("bins", result.bins().size());
      o.addProperty("bins_in_sweet_spot", result.sweetSpotBins().size());
      SweetSpot.Bin b = result.bestBin();
      JsonObject best = new JsonObject();
      best.add("clustering", num(b.clustering()));
      best.add("path_length", num(b.pathLength()));
      best.add("mean_error", num(b.errors().mean()));
      best.add("std_error", num(b.errors().std()));
      best.addProperty("runs", b.errors().n());
      best.addProperty("graphs", b.graphs());
      o.add("best_bin", best);
    } else {
      o.addProperty("graphs_in_sweet_spot", result.sweetSpotGraphs().size());
    }
    o.addProperty("untested", result.untested());
    SweetSpot.Graph g = result.bestGraph();
    JsonObject best = new JsonObject();
    best.addProperty("kind", g.kind());
    best.add("k_over_n", num(g.kOverN()));
    best.add("p", num(g.p()));
    best.add(
        "graph_seed", g.graphSeed() == null ? JsonNull.INSTANCE : new JsonPrimitive(g.graphSeed()));
    if (g.graphFile() != null) {
      best.addProperty("graph_file", g.graphFile());
    }
    best.add("clustering", num(g.clustering()));
    best.add("path_length", num(g.pathLength()));
    best.add("mean_error", num(g.errors().mean()));
    best.add("std_error", num(g.errors().std()));
    best.addProperty("runs", g.errors().n());
    o.add("best_graph", best);
    if (result.baseline() == null) {
      o.add("baseline", JsonNull.INSTANCE);
    } else {
      JsonObject base = new JsonObject();
      base.add("mean_error", num(result.baseline().mean()));
      base.add("std_error", num(result.baseline().std()));
      base.addProperty("runs", result.baseline().n());
      o.add("baseline", base);
    }
    JsonObject fitsJson = new JsonObject();
    for (Fit f : fits) {
      JsonObject j = new JsonObject();
      JsonArray c = new JsonArray();
      for (double v : f.coefficients()) {
        c.add(num(v));
      }
      j.add("coefficients", c);
      j.add("r_squared", num(f.rSquared()));
      j.add("minimum_at", num(f.minimumAt()));
      j.addProperty("points", f.x().length);
      fitsJson.add(f.variable(), j);
    }
    o.add("fits", fitsJson);
    JsonObject corr = new JsonObject();
    for (Correlation c : correlations) {
      JsonObject j = new JsonObject();
      j.add("pearson", num(c.pearson()));
      j.addProperty("points", c.points());
      j.addProperty("description", c.description());
      corr.add(c.name(), j);
    }
    o.add("correlations", corr);
    JsonObject skip = new JsonObject();
    skipped.forEach(skip::addProperty);
    o.add("skipped", skip);
    if (nodes != null) {
      o.addProperty("nodes", nodes);
    }
    JsonObject spots = new JsonObject();
    for (Result x : new Result[] {result, alternative}) {
      if (x != null) {
        spots.add(x.mode() == Mode.BIN ? "bin" : "graph", spotJson(x));
      }
    }
    o.add("sweet_spots", spots);
    if (bestVsBaseline != null) {
      GraphComparisons.BestVsBaseline v = bestVsBaseline;
      JsonObject j = graphJson(v.best());
      j.add("difference", num(v.difference()));
      j.add("p_two_sided", num(v.pTwoSided()));
      j.addProperty("graphs", v.graphs());
      j.add("p_bonferroni", num(v.pBonferroni()));
      j.addProperty("significant", v.significant());
      j.add("pooled_std", num(v.pooledStd()));
      j.add("detectable_difference", num(v.detectable()));
      o.add("best_vs_baseline", j);
    }
    JsonArray othersJson = new JsonArray();
    for (GraphComparisons.Other x : others) {
      JsonObject j = new JsonObject();
      j.addProperty("name", x.name());
      j.addProperty("nodes", x.nodes());
      j.add("clustering", num(x.clustering()));
      j.add("path_length", num(x.pathLength()));
      j.add("mean_error", num(x.errors().mean()));
      j.add("std_error", num(x.errors().std()));
      j.addProperty("runs", x.errors().n());
      j.add(
          "baseline_mean_error",
          x.baseline() == null ? JsonNull.INSTANCE : num(x.baseline().mean()));
      j.add(
          "baseline_std_error", x.baseline() == null ? JsonNull.INSTANCE : num(x.baseline().std()));
      j.addProperty("baseline_runs", x.baseline() == null ? 0 : x.baseline().n());
      j.add("p_vs_baseline", num(x.pVsBaseline()));
      j.add("p_worse_than_best", num(x.pWorseThanBest()));
      j.addProperty("in_sweet_spot", x.inSweetSpot());
      othersJson.add(j);
    }
    o.add("others", othersJson);
    return o;
  }

  private static JsonObject spotJson(Result x) {
    JsonObject j = new JsonObject();
    j.add("clustering", pair(x.clustering().lo(), x.clustering().hi()));
    j.add("path_length", pair(x.pathLength().lo(), x.pathLength().hi()));
    j.addProperty(
        "kept", x.mode() == Mode.BIN ? x.sweetSpotBins().size() : x.sweetSpotGraphs().size());
    j.addProperty("of", x.mode() == Mode.BIN ? x.bins().size() : x.graphs().size());
    j.addProperty("untested", x.untested());
    return j;
  }

  private static JsonObject graphJson(SweetSpot.Graph g) {
    JsonObject j = new JsonObject();
    j.addProperty("graph", g.key());
    j.add("clustering", num(g.clustering()));
    j.add("path_length", num(g.pathLength()));
    j.add("mean_error", num(g.errors().mean()));
    j.add("std_error", num(g.errors().std()));
    j.addProperty("runs", g.errors().n());
    return j;
  }

  private static JsonArray pair(double lo, double hi) {
    JsonArray a = new JsonArray();
    a.add(num(lo));
    a.add(num(hi));
    return a;
  }

  private static JsonElement num(double v) {
    return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
  }
}
