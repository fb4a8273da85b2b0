package org.relgraph.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ChannelPartition;
import org.relgraph.model.MlpSpec;

/**
 * Reads a relational graph back out of a trained MLP's weights, as the paper's "prior vs. learning"
 * experiment (its Fig. 7 and appendix) does:
 *
 * <ol>
 *   <li>the weights of every relational (hidden) layer are cut into blocks by the channel
 *       partitions the layers were built with: block {@code (v, u)} holds the weights from input
 *       node {@code u}'s channels to output node {@code v}'s;
 *   <li>each block is summed with its transpose's block, {@code B(v, u) + B(u, v)ᵀ}, so the edge is
 *       undirected;
 *   <li>the edge value of {@code {u, v}} is the Frobenius norm of the summed blocks of all layers
 *       stacked, {@code sqrt(Σ_layers ‖B(v, u) + B(u, v)ᵀ‖²)};
 *   <li>a threshold binarises the values: {@code u–v} is an edge when its value exceeds it.
 * </ol>
 *
 * <p>The sum {@code B(v, u) + B(u, v)ᵀ} needs the two blocks to have transposed shapes, which holds
 * when the layer's input and output partitions give each node the same channel count (every layer
 * of the complete-graph baseline, and the {@code w → w} layers of any model). The first layer of a
 * FLOP-matched model maps the stem's width to a wider one, so its blocks cannot be summed; it
 * contributes {@code ‖B(v, u)‖² + ‖B(u, v)‖²} instead (the two blocks stacked). Self-loops (the
 * diagonal blocks) are not edges.
 */
public final class GraphExtraction {
  private GraphExtraction() {}

  /**
   * The symmetric {@code n × n} matrix of edge values (zero diagonal) of a network's state, as
   * {@link RelationalMlp#state()} gives it.
   *
   * @param state dense row-major weights by name ({@code relational<i>.weight}, {@code out × in})
   * @param spec the network's shape
   * @param nodes the graph's node count n
   * @param width the relational width
   * @throws IllegalArgumentException when a relational weight is missing or has the wrong length
   */
  public static double[][] edgeValues(
      Map<String, float[]> state, MlpSpec spec, int nodes, int width) {
    ChannelPartition wide = ChannelPartition.of(width, nodes, spec.partitionSeed());
    ChannelPartition stem = ChannelPartition.of(spec.stemWidth(), nodes, spec.partitionSeed());
    double[][] sq = new double[nodes][nodes];
    for (int layer = 0; layer < spec.relationalLayers(); layer++) {
      String name = "relational" + layer + ".weight";
      float[] w = state.get(name);
      ChannelPartition in = layer == 0 ? stem : wide;
      long expected = (long) width * in.channels();
      if (w == null || w.length != expected) {
        throw new IllegalArgumentException(
            name
                + (w == null ? " missing" : " has " + w.length + " values")
                + ", expected "
                + expected);
      }
      accumulate(sq, w, wide, in);
    }
    double[][] values = new double[nodes][nodes];
    for (int u = 0; u < nodes; u++) {
      for (int v = 0; v < nodes; v++) {
        values[u][v] = u == v ? 0 : Math.sqrt(sq[u][v]);
      }
    }
    return values;
  }

  /** Adds one layer's squared norms of {@code B(v, u) + B(u, v)ᵀ} (or the pair stacked). */
  static void accumulate(double[][] sq, float[] w, ChannelPartition out, ChannelPartition in) {
    int n = out.nodes();
    int cols = in.channels();
    for (int v = 0; v < n; v++) {
      for (int u = v + 1; u < n; u++) {
        boolean summable = out.size(v) == in.size(v) && out.size(u) == in.size(u);
        double s = 0;
        if (summable) {
          // B(v,u)[i][j] = W[out(v)+i][in(u)+j]; B(u,v)ᵀ[i][j] = W[out(u)+j][in(v)+i].
          for (int i = 0; i < out.size(v); i++) {
            int rowVu = (out.offset(v) + i) * cols + in.offset(u);
            for (int j = 0; j < in.size(u); j++) {
              double x = w[rowVu + j] + (double) w[(out.offset(u) + j) * cols + in.offset(v) + i];
              s += x * x;
            }
          }
        } else {
          s = blockSquares(w, cols, out, in, v, u) + blockSquares(w, cols, out, in, u, v);
        }
        sq[u][v] += s;
        sq[v][u] += s;
      }
    }
  }

  private static double blockSquares(
      float[] w, int cols, ChannelPartition out, ChannelPartition in, int v, int u) {
    double s = 0;
    for (int i = 0; i < out.size(v); i++) {
      int row = (out.offset(v) + i) * cols + in.offset(u);
      for (int j = 0; j < in.size(u); j++) {
        s += (double) w[row + j] * w[row + j];
      }
    }
    return s;
  }

  /** The undirected graph of the pairs whose value exceeds {@code threshold}. */
  public static RelationalGraph threshold(double[][] values, double threshold) {
    int n = values.length;
    RelationalGraph.Builder b = RelationalGraph.builder(n, false);
    for (int u = 0; u < n; u++) {
      for (int v = u + 1; v < n; v++) {
        if (values[u][v] > threshold) {
          b.addEdge(u, v);
        }
      }
    }
    return b.build();
  }

  /**
   * The threshold at which the graph's average degree comes closest to {@code degree}: the graph
   * keeps the {@code m = round(degree · n / 2)} largest values (fewer when values tie at the cut).
   * The threshold lies halfway between the m-th and the (m+1)-th largest value.
   *
   * @throws IllegalArgumentException when {@code degree} is outside [0, n − 1]
   */
  public static double thresholdForDegree(double[][] values, double degree) {
    int n = values.length;
    if (!(degree >= 0 && degree <= n - 1)) {
      throw new IllegalArgumentException(
          "average degree " + degree + " outside [0, " + (n - 1) + "] for " + n + " nodes");
    }
    double[] sorted = pairValues(values);
    Arrays.sort(sorted); // ascending
    int pairs = sorted.length;
    long m = Math.round(degree * n / 2);
    if (pairs == 0) {
      return 0;
    }
    if (m <= 0) {
      return sorted[pairs - 1];
    }
    if (m >= pairs) {
      return Math.nextDown(sorted[0]);
    }
    double kept = sorted[(int) (pairs - m)]; // the m-th largest
    double dropped = sorted[(int) (pairs - m - 1)]; // the (m+1)-th largest
    return dropped + (kept - dropped) / 2;
  }

  private static double[] pairValues(double[][] values) {
    int n = values.length;
    double[] out = new double[n * (n - 1) / 2];
    int k = 0;
    for (int u = 0; u < n; u++) {
      for (int v = u + 1; v < n; v++) {
        out[k++] = values[u][v];
      }
    }
    return out;
  }

  /** One extracted graph with the threshold that made it. */
  public record Extracted(double threshold, RelationalGraph graph) {}

  /** The graphs at each threshold, in the order given. */
  public static List<Extracted> atThresholds(double[][] values, double... thresholds) {
    List<Extracted> out = new ArrayList<>();
    for (double t : thresholds) {
      out.add(new Extracted(t, threshold(values, t)));
    }
    return out;
  }

  /** The graphs at the thresholds that reach each average degree, in the order given. */
  public static List<Extracted> atDegrees(double[][] values, double... degrees) {
    List<Extracted> out = new ArrayList<>();
    for (double d : degrees) {
      double t = thresholdForDegree(values, d);
      out.add(new Extracted(t, threshold(values, t)));
    }
    return out;
  }
}
