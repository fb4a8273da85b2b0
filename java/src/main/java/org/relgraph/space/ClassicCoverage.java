package org.relgraph.space;

import java.util.ArrayList;
import java.util.List;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.RelationalGraph;

/**
 * Graphs of the classic generators over their parameter grids, measured, for the coverage
 * comparison of the paper's Figure 3: where in the (C, L) plane each family can reach.
 *
 * <p>Grids for {@code n} nodes: Erdős–Rényi G(n, m) for 40 average degrees spread like the design
 * space's, 5 seeds each; Watts–Strogatz for every even degree {@code 2 <= k < n} (at most 30 of
 * them, evenly spaced) × 20 probabilities {@code (linspace(0,1,20))²} × 3 seeds; Barabási–Albert
 * for every {@code m < n} (at most 40, evenly spaced) × 5 seeds; Harary for every connectivity
 * {@code 2 <= k < n} (at most 60); ring lattices for every even degree; the complete graph.
 */
public final class ClassicCoverage {
  private ClassicCoverage() {}

  /**
   * One measured graph. {@code p} is NaN for generators without a probability, {@code pathLength}
   * NaN for a disconnected graph.
   */
  public record Row(
      String generator,
      int n,
      double k,
      double p,
      long seed,
      double clustering,
      double pathLength) {}

  /** Draws and measures every classic graph of the grids for {@code n} nodes. */
  public static List<Row> generate(int n) {
    if (n < 4) {
      throw new IllegalArgumentException("classic coverage needs n >= 4, got n = " + n);
    }
    List<Row> rows = new ArrayList<>();
    long maxEdges = (long) n * (n - 1) / 2;
    double[] er = DesignSpaceConfig.linspace(Math.sqrt(2), Math.sqrt(n - 1), 40);
    for (double s : er) {
      int m = (int) Math.min(maxEdges, Math.round(s * s * n / 2));
      for (int seed = 0; seed < 5; seed++) {
        rows.add(row("er", ClassicGenerators.erdosRenyi(n, m, seed), Double.NaN, seed));
      }
    }
    double[] probabilities = DesignSpaceConfig.linspace(0, 1, 20);
    for (int k : evenlySpaced(evenDegrees(n), 30)) {
      for (double q : probabilities) {
        for (int seed = 0; seed < 3; seed++) {
          rows.add(row("ws", ClassicGenerators.wattsStrogatz(n, k, q * q, seed), q * q, seed));
        }
      }
    }
    int[] attachments = new int[n - 1];
    for (int m = 1; m < n; m++) {
      attachments[m - 1] = m;
    }
    for (int m : evenlySpaced(attachments, 40)) {
      for (int seed = 0; seed < 5; seed++) {
        rows.add(row("ba", ClassicGenerators.barabasiAlbert(n, m, seed), Double.NaN, seed));
      }
    }
    int[] connectivities = new int[n - 2];
    for (int k = 2; k < n; k++) {
      connectivities[k - 2] = k;
    }
    for (int k : evenlySpaced(connectivities, 60)) {
      rows.add(row("harary", ClassicGenerators.harary(k, n), Double.NaN, 0));
    }
    for (int k : evenDegrees(n)) {
      rows.add(row("ring", ClassicGenerators.ringLattice(n, k), Double.NaN, 0));
    }
    rows.add(row("complete", ClassicGenerators.complete(n), Double.NaN, 0));
    return rows;
  }

  private static int[] evenDegrees(int n) {
    int[] out = new int[(n - 1) / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = 2 * (i + 1);
    }
    return out;
  }

  /** At most {@code count} values of {@code values}, evenly spaced, first and last included. */
  static int[] evenlySpaced(int[] values, int count) {
    if (values.length <= count) {
      return values;
    }
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = values[(int) Math.round(i * (values.length - 1) / (double) (count - 1))];
    }
    return out;
  }

  private static Row row(String generator, RelationalGraph g, double p, long seed) {
    GraphMeasures.Measures m = GraphMeasures.of(g);
    return new Row(
        generator,
        g.nodeCount(),
        m.degreeMean(),
        p,
        seed,
        m.clustering(),
        m.pathLength().orElse(Double.NaN));
  }
}
