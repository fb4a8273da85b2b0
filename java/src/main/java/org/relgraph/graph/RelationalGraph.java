package org.relgraph.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.SimpleDirectedGraph;
import org.jgrapht.graph.SimpleGraph;

/**
 * An immutable relational graph: nodes {@code 0..n-1}, simple (no self-loops, no parallel edges),
 * undirected or directed.
 *
 * <p>A directed edge {@code u -> v} means that node {@code v} receives a message from node {@code
 * u}. Every node also receives from itself when the graph becomes a layer; that self-loop is
 * implied and never stored, so it takes no part in the graph measures.
 *
 * <p>Adjacency is kept as one bitset row per node, {@code ceil(n/64)} 64-bit words each: for {@code
 * n <= 64} a row is a single {@code long}, which the measures use as their fast path. For a
 * directed graph, row {@code u} holds the heads of the edges leaving {@code u}.
 */
public final class RelationalGraph {
  private final int n;
  private final boolean directed;
  private final int words;
  private final long[] rows;
  private final int edgeCount;

  private RelationalGraph(int n, boolean directed, long[] rows) {
    this.n = n;
    this.directed = directed;
    this.words = wordsPerRow(n);
    this.rows = rows;
    long bits = 0;
    for (long w : rows) {
      bits += Long.bitCount(w);
    }
    long edges = directed ? bits : bits / 2;
    if (edges > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("graph has " + edges + " edges, more than 2^31 - 1");
    }
    this.edgeCount = (int) edges;
  }

  /** Number of 64-bit words in one adjacency row of an {@code n}-node graph. */
  public static int wordsPerRow(int n) {
    return (n + 63) >>> 6;
  }

  /**
   * Wraps adjacency rows without copying; the caller hands over the array and must not touch it
   * again. Rows must be valid (no self-loops, symmetric when undirected): generators in this
   * package build them that way.
   */
  static RelationalGraph adopt(int n, boolean directed, long[] rows) {
    return new RelationalGraph(n, directed, rows);
  }

  /** A graph on {@code n} nodes with no edges. */
  public static RelationalGraph empty(int n, boolean directed) {
    checkNodeCount(n);
    return new RelationalGraph(n, directed, new long[n * wordsPerRow(n)]);
  }

  /**
   * Builds a graph from an edge list: each {@code int[]{u, v}} is an edge (an arc {@code u -> v}
   * when directed). Repeated edges count once.
   *
   * @throws IllegalArgumentException for a node out of range or a self-loop
   */
  public static RelationalGraph fromEdges(int n, boolean directed, Iterable<int[]> edges) {
    Builder b = builder(n, directed);
    for (int[] e : edges) {
      if (e.length != 2) {
        throw new IllegalArgumentException("edge must have 2 endpoints, got " + e.length);
      }
      b.addEdge(e[0], e[1]);
    }
    return b.build();
  }

  /** A builder for a graph on {@code n} nodes. */
  public static Builder builder(int n, boolean directed) {
    checkNodeCount(n);
    return new Builder(n, directed);
  }

  static void checkNodeCount(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("node count must be >= 1, got " + n);
    }
    String problem = memoryProblem(n);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * Why a graph of {@code n >= 1} nodes cannot be held, or null when it can: its adjacency bitsets
   * (n rows of ceil(n/64) words) must fit in a quarter of the JVM's heap, leaving room for the
   * measures and copies, and in one Java array. The message says how much memory it needs and how
   * much there is, e.g. {@code n = 200000 needs 4.7 GiB of adjacency bitsets, more than a quarter
   * of this JVM's 4.0 GiB heap (raise it, e.g. RELGRAPH_JAVA_OPTS=-Xmx19g)}.
   */
  static String memoryProblem(long n) {
    double words = (double) n * ((n + 63) / 64);
    double bytes = 8 * words;
    String needs = "n = " + n + " needs " + size(bytes) + " of adjacency bitsets, ";
    if (words > Integer.MAX_VALUE - 8) {
      return needs + "more than one Java array holds (16 GiB): use fewer nodes";
    }
    long max = Runtime.getRuntime().maxMemory();
    if (bytes > max / 4.0) {
      long heapGib = Math.max(16, (long) Math.ceil(4 * bytes / (1L << 30)));
      return needs
          + "more than a quarter of this JVM's "
          + size(max)
          + " heap (raise it, e.g. RELGRAPH_JAVA_OPTS=-Xmx"
          + heapGib
          + "g)";
    }
    return null;
  }

  private static String size(double bytes) {
    double gib = bytes / (1L << 30);
    if (gib < 1024) {
      return String.format(java.util.Locale.ROOT, "%.1f GiB", gib);
    }
    return String.format(java.util.Locale.ROOT, "%.1f TiB", gib / 1024);
  }

  /** Collects edges, then freezes them into an immutable {@link RelationalGraph}. */
  public static final class Builder {
    private final int n;
    private final boolean directed;
    private final int words;
    private long[] rows;

    private Builder(int n, boolean directed) {
      this.n = n;
      this.directed = directed;
      this.words = wordsPerRow(n);
      this.rows = new long[n * words];
    }

    /**
     * Adds the edge {@code u - v} (the arc {@code u -> v} when directed); adding it again does
     * nothing.
     *
     * @throws IllegalArgumentException for a node out of range or {@code u == v}
     */
    public Builder addEdge(int u, int v) {
      if (rows == null) {
        throw new IllegalStateException("builder already built");
      }
      checkNode("u", u);
      checkNode("v", v);
      if (u == v) {
        throw new IllegalArgumentException(
            "self-loop at node " + u + " (every node already receives from itself)");
      }
      rows[u * words + (v >>> 6)] |= 1L << v;
      if (!directed) {
        rows[v * words + (u >>> 6)] |= 1L << u;
      }
      return this;
    }

    private void checkNode(String name, int x) {
      if (x < 0 || x >= n) {
        throw new IllegalArgumentException(
            "node " + name + " = " + x + " out of range [0, " + (n - 1) + "]");
      }
    }

    /** The finished graph; the builder cannot be used afterwards. */
    public RelationalGraph build() {
      long[] r = rows;
      rows = null;
      return new RelationalGraph(n, directed, r);
    }
  }

  /** Number of nodes. */
  public int nodeCount() {
    return n;
  }

  /** Number of edges: undirected edges, or arcs of a directed graph. */
  public int edgeCount() {
    return edgeCount;
  }

  /** Whether edges are arcs {@code u -> v}. */
  public boolean isDirected() {
    return directed;
  }

  /** Whether {@code u -> v} (or {@code u - v} when undirected) is an edge. */
  public boolean hasEdge(int u, int v) {
    checkIndex(u);
    checkIndex(v);
    return (rows[u * words + (v >>> 6)] & (1L << v)) != 0;
  }

  /** Whether every pair of distinct nodes is joined (both ways when directed). */
  public boolean isComplete() {
    return edgeCount == (long) n * (n - 1) / (directed ? 1 : 2);
  }

  /** Out-degree of {@code u} (the degree when undirected). */
  public int degree(int u) {
    checkIndex(u);
    int d = 0;
    for (int i = u * words, end = i + words; i < end; i++) {
      d += Long.bitCount(rows[i]);
    }
    return d;
  }

  /** The nodes {@code u} sends to, ascending. */
  public int[] neighbors(int u) {
    checkIndex(u);
    int[] out = new int[degree(u)];
    int k = 0;
    for (int w = 0; w < words; w++) {
      long bits = rows[u * words + w];
      while (bits != 0) {
        out[k++] = (w << 6) + Long.numberOfTrailingZeros(bits);
        bits &= bits - 1;
      }
    }
    return out;
  }

  /** The nodes that send to {@code v}, ascending (the neighbours when undirected). */
  public int[] predecessors(int v) {
    checkIndex(v);
    if (!directed) {
      return neighbors(v);
    }
    int count = 0;
    int[] tmp = new int[n];
    for (int u = 0; u < n; u++) {
      if ((rows[u * words + (v >>> 6)] & (1L << v)) != 0) {
        tmp[count++] = u;
      }
    }
    return Arrays.copyOf(tmp, count);
  }

  /**
   * Edges as {@code {u, v}} pairs in row order: with {@code u < v} when undirected, every arc when
   * directed.
   */
  public List<int[]> edges() {
    List<int[]> out = new ArrayList<>(edgeCount);
    for (int u = 0; u < n; u++) {
      for (int v : neighbors(u)) {
        if (directed || u < v) {
          out.add(new int[] {u, v});
        }
      }
    }
    return out;
  }

  /** Adjacency row {@code u} as 64-bit words (bit {@code v % 64} of word {@code v / 64}). */
  public long[] adjacencyRow(int u) {
    checkIndex(u);
    return Arrays.copyOfRange(rows, u * words, (u + 1) * words);
  }

  /** Backing rows, for the measures in this package; never exposed or modified. */
  long[] rows() {
    return rows;
  }

  /**
   * The undirected simple graph with an edge {@code u - v} wherever {@code u -> v} or {@code v ->
   * u}; the graph itself when it is undirected already.
   */
  public RelationalGraph symmetrized() {
    if (!directed) {
      return this;
    }
    long[] sym = rows.clone();
    for (int u = 0; u < n; u++) {
      for (int v : neighbors(u)) {
        sym[v * words + (u >>> 6)] |= 1L << u;
      }
    }
    return new RelationalGraph(n, false, sym);
  }

  /** Whether every node reaches every other one, ignoring edge directions. */
  public boolean isConnected() {
    return GraphMeasures.isConnected(symmetrized());
  }

  /**
   * A JGraphT copy of this graph: a {@link SimpleGraph} or {@link SimpleDirectedGraph} on vertices
   * {@code 0..n-1}.
   */
  public Graph<Integer, DefaultEdge> toJGraphT() {
    Graph<Integer, DefaultEdge> g =
        directed
            ? new SimpleDirectedGraph<>(DefaultEdge.class)
            : new SimpleGraph<>(DefaultEdge.class);
    for (int v = 0; v < n; v++) {
      g.addVertex(v);
    }
    for (int[] e : edges()) {
      g.addEdge(e[0], e[1]);
    }
    return g;
  }

  /**
   * Converts any JGraphT graph: vertices become nodes {@code 0..n-1} in the graph's vertex
   * iteration order; self-loops are dropped (they are implied) and parallel edges merged.
   *
   * @throws IllegalArgumentException for a graph without vertices or with mixed edge kinds
   */
  public static <V, E> RelationalGraph fromJGraphT(Graph<V, E> graph) {
    if (graph.getType().isMixed()) {
      throw new IllegalArgumentException(
          "mixed graphs (directed and undirected edges) unsupported");
    }
    Map<V, Integer> index = new HashMap<>();
    for (V v : graph.vertexSet()) {
      index.put(v, index.size());
    }
    if (index.isEmpty()) {
      throw new IllegalArgumentException("graph has no vertices");
    }
    Builder b = builder(index.size(), graph.getType().isDirected());
    for (E e : graph.edgeSet()) {
      int u = index.get(graph.getEdgeSource(e));
      int v = index.get(graph.getEdgeTarget(e));
      if (u != v) {
        b.addEdge(u, v);
      }
    }
    return b.build();
  }

  private void checkIndex(int u) {
    if (u < 0 || u >= n) {
      throw new IndexOutOfBoundsException("node " + u + " out of range [0, " + (n - 1) + "]");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RelationalGraph g
        && g.n == n
        && g.directed == directed
        && Arrays.equals(g.rows, rows);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * n + Boolean.hashCode(directed)) + Arrays.hashCode(rows);
  }

  @Override
  public String toString() {
    return (directed ? "directed" : "undirected")
        + " RelationalGraph(n="
        + n
        + ", edges="
        + edgeCount
        + ")";
  }
}
