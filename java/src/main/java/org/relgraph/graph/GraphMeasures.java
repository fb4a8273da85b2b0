package org.relgraph.graph;

import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Graph measures with networkx semantics, always on the undirected simple graph (a directed graph
 * is measured on its {@linkplain RelationalGraph#symmetrized() symmetrised} graph; implied
 * self-loops take no part).
 *
 * <ul>
 *   <li>clustering coefficient C: mean over nodes of the local clustering {@code 2T/(d(d-1))}, a
 *       node of degree below 2 counting 0 ({@code networkx.average_clustering});
 *   <li>average path length L: mean shortest-path length over ordered pairs of distinct nodes
 *       ({@code networkx.average_shortest_path_length}); a disconnected graph has none, so the
 *       result is empty rather than a made-up number; a single node gives 0;
 *   <li>global efficiency: mean of {@code 1/d} over ordered pairs, unreachable pairs counting 0;
 *   <li>diameter (empty when disconnected), density {@code 2m/(n(n-1))}, and the mean and
 *       population standard deviation of the degrees.
 * </ul>
 *
 * <p>Graphs of at most 64 nodes take a fast path with one 64-bit word per adjacency row.
 */
public final class GraphMeasures {
  private GraphMeasures() {}

  /** All measures of one graph. {@code edges} counts the edges of the measured undirected graph. */
  public record Measures(
      int nodes,
      int edges,
      double clustering,
      OptionalDouble pathLength,
      double efficiency,
      OptionalInt diameter,
      double density,
      double degreeMean,
      double degreeStd) {}

  /** Computes every measure in one pass over the graph's distances. */
  public static Measures of(RelationalGraph graph) {
    RelationalGraph g = graph.symmetrized();
    int n = g.nodeCount();
    long[] rows = g.rows();
    Distances d = distances(n, rows);
    double[] deg = degreeMoments(n, rows);
    return new Measures(
        n,
        g.edgeCount(),
        clustering(n, rows),
        d.connected ? OptionalDouble.of(d.averagePathLength(n)) : OptionalDouble.empty(),
        d.efficiency(n),
        d.connected ? OptionalInt.of(d.diameter) : OptionalInt.empty(),
        density(n, g.edgeCount()),
        deg[0],
        deg[1]);
  }

  /** Average clustering coefficient C. */
  public static double clustering(RelationalGraph graph) {
    RelationalGraph g = graph.symmetrized();
    return clustering(g.nodeCount(), g.rows());
  }

  /** Average shortest-path length L, or empty when the graph is disconnected. */
  public static OptionalDouble averagePathLength(RelationalGraph graph) {
    RelationalGraph g = graph.symmetrized();
    Distances d = distances(g.nodeCount(), g.rows());
    return d.connected
        ? OptionalDouble.of(d.averagePathLength(g.nodeCount()))
        : OptionalDouble.empty();
  }

  /** Global efficiency: mean of {@code 1/d(u,v)} over ordered pairs of distinct nodes. */
  public static double globalEfficiency(RelationalGraph graph) {
    RelationalGraph g = graph.symmetrized();
    return distances(g.nodeCount(), g.rows()).efficiency(g.nodeCount());
  }

  /** Largest shortest-path length, or empty when the graph is disconnected. */
  public static OptionalInt diameter(RelationalGraph graph) {
    RelationalGraph g = graph.symmetrized();
    Distances d = distances(g.nodeCount(), g.rows());
    return d.connected ? OptionalInt.of(d.diameter) : OptionalInt.empty();
  }

  /** Edge density {@code 2m/(n(n-1))} of the undirected graph; 0 for a single node. */
  public static double density(RelationalGraph graph) {
    RelationalGraph g = graph.symmetrized();
    return density(g.nodeCount(), g.edgeCount());
  }

  static boolean isConnected(RelationalGraph undirected) {
    int n = undirected.nodeCount();
    return distancesFrom(n, undirected.rows(), 0, new Bfs(n)).connected;
  }

  private static double density(int n, int edges) {
    return n <= 1 ? 0.0 : 2.0 * edges / ((double) n * (n - 1));
  }

  private static double[] degreeMoments(int n, long[] rows) {
    int words = RelationalGraph.wordsPerRow(n);
    int[] deg = new int[n];
    double sum = 0;
    for (int v = 0; v < n; v++) {
      deg[v] = popcount(rows, v * words, words);
      sum += deg[v];
    }
    double mean = sum / n;
    double ss = 0;
    for (int d : deg) {
      ss += (d - mean) * (d - mean);
    }
    return new double[] {mean, Math.sqrt(ss / n)};
  }

  /** Average clustering of the undirected graph given by its bitset rows. */
  static double clustering(int n, long[] rows) {
    int words = RelationalGraph.wordsPerRow(n);
    double sum = 0;
    if (words == 1) {
      for (int v = 0; v < n; v++) {
        long row = rows[v];
        int d = Long.bitCount(row);
        if (d < 2) {
          continue;
        }
        int twiceTriangles = 0;
        for (long r = row; r != 0; r &= r - 1) {
          twiceTriangles += Long.bitCount(rows[Long.numberOfTrailingZeros(r)] & row);
        }
        sum += twiceTriangles / ((double) d * (d - 1));
      }
    } else {
      for (int v = 0; v < n; v++) {
        int base = v * words;
        int d = popcount(rows, base, words);
        if (d < 2) {
          continue;
        }
        long twiceTriangles = 0;
        for (int w = 0; w < words; w++) {
          for (long r = rows[base + w]; r != 0; r &= r - 1) {
            int u = (w << 6) + Long.numberOfTrailingZeros(r);
            int ub = u * words;
            for (int x = 0; x < words; x++) {
              twiceTriangles += Long.bitCount(rows[ub + x] & rows[base + x]);
            }
          }
        }
        sum += twiceTriangles / ((double) d * (d - 1));
      }
    }
    return sum / n;
  }

  /**
   * C and L of an undirected graph of at most 64 nodes in one pass: each node's walk over its
   * neighbours' rows counts its triangles and, with the same loads, its second BFS level. Returns L
   * as NaN when the graph is disconnected; {@code out[0] = C, out[1] = L}.
   */
  static void clusteringAndPathLength64(int n, long[] rows, double[] out) {
    long all = n == 64 ? -1L : (1L << n) - 1;
    double clusteringSum = 0;
    long totalDistance = 0;
    boolean connected = true;
    for (int v = 0; v < n; v++) {
      long row = rows[v];
      int d = Long.bitCount(row);
      int twiceTriangles = 0;
      long reach = row;
      for (long r = row; r != 0; r &= r - 1) {
        long nb = rows[Long.numberOfTrailingZeros(r)];
        twiceTriangles += Long.bitCount(nb & row);
        reach |= nb;
      }
      if (d >= 2) {
        clusteringSum += twiceTriangles / ((double) d * (d - 1));
      }
      long visited = reach | (1L << v);
      long frontier = visited & ~(row | (1L << v));
      totalDistance += d + 2L * Long.bitCount(frontier);
      int depth = 2;
      while (visited != all && frontier != 0) {
        long next = 0;
        for (long f = frontier; f != 0; f &= f - 1) {
          next |= rows[Long.numberOfTrailingZeros(f)];
        }
        next &= ~visited;
        depth++;
        totalDistance += (long) depth * Long.bitCount(next);
        visited |= next;
        frontier = next;
      }
      connected &= visited == all;
    }
    out[0] = clusteringSum / n;
    out[1] = !connected ? Double.NaN : n <= 1 ? 0.0 : totalDistance / ((double) n * (n - 1));
  }

  /** Average path length of a connected undirected graph, or NaN when it is disconnected. */
  static double pathLengthOrNaN(int n, long[] rows) {
    Distances d = distances(n, rows);
    return d.connected ? d.averagePathLength(n) : Double.NaN;
  }

  /** Sums over all breadth-first searches of one graph. */
  static final class Distances {
    long totalDistance;
    double inverseDistanceSum;
    int diameter;
    boolean connected = true;

    double averagePathLength(int n) {
      return n <= 1 ? 0.0 : totalDistance / ((double) n * (n - 1));
    }

    double efficiency(int n) {
      return n <= 1 ? 0.0 : inverseDistanceSum / ((double) n * (n - 1));
    }
  }

  static Distances distances(int n, long[] rows) {
    Distances acc = new Distances();
    if (RelationalGraph.wordsPerRow(n) == 1) {
      long all = n == 64 ? -1L : (1L << n) - 1;
      for (int s = 0; s < n; s++) {
        long visited = 1L << s;
        long frontier = visited;
        int depth = 0;
        while (visited != all) {
          long next = 0;
          for (long f = frontier; f != 0; f &= f - 1) {
            next |= rows[Long.numberOfTrailingZeros(f)];
          }
          next &= ~visited;
          if (next == 0) {
            break;
          }
          depth++;
          int count = Long.bitCount(next);
          acc.totalDistance += (long) depth * count;
          acc.inverseDistanceSum += count / (double) depth;
          visited |= next;
          frontier = next;
        }
        acc.diameter = Math.max(acc.diameter, depth);
        acc.connected &= visited == all;
      }
      return acc;
    }
    Bfs bfs = new Bfs(n);
    for (int s = 0; s < n; s++) {
      Distances one = distancesFrom(n, rows, s, bfs);
      acc.totalDistance += one.totalDistance;
      acc.inverseDistanceSum += one.inverseDistanceSum;
      acc.diameter = Math.max(acc.diameter, one.diameter);
      acc.connected &= one.connected;
    }
    return acc;
  }

  /** Bitsets reused by successive breadth-first searches of one graph. */
  private static final class Bfs {
    final long[] visited;
    final long[] frontier;
    final long[] next;

    Bfs(int n) {
      int words = RelationalGraph.wordsPerRow(n);
      visited = new long[words];
      frontier = new long[words];
      next = new long[words];
    }
  }

  /** One breadth-first search over bitset rows of any width, frontier by frontier. */
  private static Distances distancesFrom(int n, long[] rows, int source, Bfs bfs) {
    int words = RelationalGraph.wordsPerRow(n);
    long[] visited = bfs.visited;
    long[] frontier = bfs.frontier;
    long[] next = bfs.next;
    Arrays.fill(visited, 0L);
    Arrays.fill(frontier, 0L);
    visited[source >>> 6] = 1L << source;
    frontier[source >>> 6] = 1L << source;
    Distances acc = new Distances();
    int reached = 1;
    int depth = 0;
    while (reached < n) {
      Arrays.fill(next, 0L);
      for (int w = 0; w < words; w++) {
        for (long f = frontier[w]; f != 0; f &= f - 1) {
          int u = (w << 6) + Long.numberOfTrailingZeros(f);
          int ub = u * words;
          for (int x = 0; x < words; x++) {
            next[x] |= rows[ub + x];
          }
        }
      }
      int count = 0;
      for (int x = 0; x < words; x++) {
        next[x] &= ~visited[x];
        visited[x] |= next[x];
        frontier[x] = next[x];
        count += Long.bitCount(next[x]);
      }
      if (count == 0) {
        break;
      }
      depth++;
      reached += count;
      acc.totalDistance += (long) depth * count;
      acc.inverseDistanceSum += count / (double) depth;
    }
    acc.diameter = depth;
    acc.connected = reached == n;
    return acc;
  }

  private static int popcount(long[] rows, int from, int words) {
    int c = 0;
    for (int i = from; i < from + words; i++) {
      c += Long.bitCount(rows[i]);
    }
    return c;
  }
}
