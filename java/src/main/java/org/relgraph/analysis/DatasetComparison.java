package org.relgraph.analysis;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.relgraph.analysis.SweetSpot.Graph;
import org.relgraph.analysis.SweetSpot.Range;
import org.relgraph.analysis.SweetSpot.Result;

/**
 * One analysis beside another of other results (e.g. the paper's CIFAR-10 MLP results beside a
 * Fashion-MNIST study): where their sweet spots overlap, which is larger, the signs of their fits,
 * and, for graphs both trained (matched by kind, k/n and p to four decimals, and generator seed),
 * the correlation of their mean errors.
 *
 * @param ours the analysis of the results at hand
 * @param theirs the analysis of the results compared with
 * @param source how the report names the compared results
 * @param shared graphs in both, the complete graph left out
 * @param oursShared our mean errors of the shared graphs
 * @param theirsShared their mean errors of the same graphs, in the same order
 * @param sharedPearson Pearson's r of the two (NaN for fewer than three shared graphs)
 */
public record DatasetComparison(
    Analysis ours,
    Analysis theirs,
    String source,
    int shared,
    double[] oursShared,
    double[] theirsShared,
    double sharedPearson) {

  /** Compares {@code ours} with {@code theirs}. */
  public static DatasetComparison of(Analysis ours, Analysis theirs, String source) {
    Map<String, Graph> mine = byWsKey(ours.result());
    Map<String, Graph> other = byWsKey(theirs.result());
    List<double[]> pairs = new ArrayList<>();
    for (Map.Entry<String, Graph> e : mine.entrySet()) {
      Graph g = other.get(e.getKey());
      if (g != null) {
        pairs.add(new double[] {e.getValue().errors().mean(), g.errors().mean()});
      }
    }
    double[] x = pairs.stream().mapToDouble(p -> p[0]).toArray();
    double[] y = pairs.stream().mapToDouble(p -> p[1]).toArray();
    double r = x.length < 3 ? Double.NaN : new PearsonsCorrelation().correlation(x, y);
    return new DatasetComparison(ours, theirs, source, x.length, x, y, r);
  }

  private static Map<String, Graph> byWsKey(Result r) {
    Map<String, Graph> out = new LinkedHashMap<>();
    for (Graph g : r.graphs()) {
      if (g.isComplete() || g.graphSeed() == null || !Double.isFinite(g.kOverN())) {
        continue;
      }
      out.putIfAbsent(
          String.format(Locale.ROOT, "%s %.4f %.4f %d", g.kind(), g.kOverN(), g.p(), g.graphSeed()),
          g);
    }
    return out;
  }

  /** Whether two ranges share a point. */
  public static boolean overlap(Range a, Range b) {
    return a.lo() <= b.hi() && b.lo() <= a.hi();
  }

  /** The shared part of two ranges, or null when they do not overlap. */
  public static Range intersection(Range a, Range b) {
    return overlap(a, b) ? new Range(Math.max(a.lo(), b.lo()), Math.min(a.hi(), b.hi())) : null;
  }

  /** The comparison as JSON: their sweet spots, baseline, best graph and the shared graphs. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("source", source);
    o.addProperty("model", theirs.model());
    o.addProperty("epoch", theirs.epoch());
    JsonObject spots = new JsonObject();
    for (Result x : new Result[] {theirs.result(), theirs.alternative()}) {
      if (x != null) {
        JsonObject j = new JsonObject();
        j.add("clustering", pair(x.clustering()));
        j.add("path_length", pair(x.pathLength()));
        spots.add(x.mode() == SweetSpot.Mode.BIN ? "bin" : "graph", j);
      }
    }
    o.add("sweet_spots", spots);
    Result t = theirs.result();
    o.add(
        "baseline_mean_error", t.baseline() == null ? JsonNull.INSTANCE : num(t.baseline().mean()));
    o.add("best_graph_mean_error", num(t.bestGraph().errors().mean()));
    o.addProperty("shared_graphs", shared);
    o.add("shared_pearson", num(sharedPearson));
    return o;
  }

  private static JsonArray pair(Range r) {
    JsonArray a = new JsonArray();
    a.add(num(r.lo()));
    a.add(num(r.hi()));
    return a;
  }

  private static com.google.gson.JsonElement num(double v) {
    return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
  }
}
