package org.relgraph.sweep;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.OptionalDouble;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.GraphIO;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;

/**
 * One graph of a sweep: how it was made, the graph itself, and its measures.
 *
 * @param kind {@value #WS_FLEX}, {@value #COMPLETE} or {@value #FILE}
 * @param n nodes
 * @param kOverN average degree over n (of the symmetrised graph for a file)
 * @param p WS-flex rewiring probability; null for other kinds
 * @param graphSeed WS-flex seed; null for other kinds
 * @param graphFile the file a {@value #FILE} graph was read from, as given; null for other kinds
 * @param graph the relational graph
 * @param clustering clustering coefficient C
 * @param pathLength average path length L; NaN when the graph is disconnected (stored as NULL)
 */
public record SweepGraph(
    String kind,
    int n,
    double kOverN,
    Double p,
    Long graphSeed,
    String graphFile,
    RelationalGraph graph,
    double clustering,
    double pathLength) {
  /** Kind of a WS-flex graph, regenerated from (n, k/n, p, seed). */
  public static final String WS_FLEX = "ws-flex";

  /** Kind of the complete graph, the paper's dense baseline. */
  public static final String COMPLETE = "complete";

  /** Kind of a graph read from a file. */
  public static final String FILE = "file";

  public SweepGraph {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(graph, "graph");
    if (!kind.equals(WS_FLEX) && !kind.equals(COMPLETE) && !kind.equals(FILE)) {
      throw new IllegalArgumentException("unknown graph kind " + kind);
    }
    if (kind.equals(WS_FLEX) && (p == null || graphSeed == null)) {
      throw new IllegalArgumentException("a ws-flex graph needs p and a seed");
    }
    if (kind.equals(FILE) && graphFile == null) {
      throw new IllegalArgumentException("a file graph needs its file");
    }
    if (graph.nodeCount() != n) {
      throw new IllegalArgumentException("n = " + n + " but the graph has " + graph.nodeCount());
    }
  }

  /** The WS-flex graph {@code WsFlex.generate(n, kOverN·n, p, seed)}, measured. */
  public static SweepGraph wsFlex(int n, double kOverN, double p, long seed) {
    RelationalGraph g = WsFlex.generate(n, kOverN * n, p, seed);
    GraphMeasures.Measures m = GraphMeasures.of(g);
    return new SweepGraph(
        WS_FLEX, n, kOverN, p, seed, null, g, m.clustering(), orNaN(m.pathLength()));
  }

  /** The complete graph on {@code n} nodes (C = L = 1 for n ≥ 3). */
  public static SweepGraph complete(int n) {
    RelationalGraph g = ClassicGenerators.complete(n);
    GraphMeasures.Measures m = GraphMeasures.of(g);
    return new SweepGraph(
        COMPLETE,
        n,
        (double) (n - 1) / n,
        null,
        null,
        null,
        g,
        m.clustering(),
        orNaN(m.pathLength()));
  }

  /**
   * A graph read from {@code file} (any format {@link GraphIO#read(Path)} recognises), measured.
   */
  public static SweepGraph file(Path file) {
    return file(file.toString(), GraphIO.read(file));
  }

  /** A graph that was read from the file named {@code name}, measured. */
  public static SweepGraph file(String name, RelationalGraph g) {
    GraphMeasures.Measures m = GraphMeasures.of(g);
    int n = g.nodeCount();
    return new SweepGraph(
        FILE, n, m.degreeMean() / n, null, null, name, g, m.clustering(), orNaN(m.pathLength()));
  }

  /**
   * A stable identifier of the graph, the first part of a run key: {@code
   * ws-flex(n=64,k_over_n=0.125,p=0.25,seed=3)}, {@code complete(n=64)}, or for a file {@code
   * file(n=64,directed=false,edges=256,sha256=<16 hex digits>)}, a digest of the edge list (so that
   * moving or renaming the file does not change it, and editing it does).
   *
   * <p>Numbers are written as the shortest decimal that reads back as the same double, computed
   * here rather than by {@link Double#toString} (whose output changed between Java releases).
   */
  public String key() {
    return switch (kind) {
      case WS_FLEX ->
          "ws-flex(n="
              + n
              + ",k_over_n="
              + decimal(kOverN)
              + ",p="
              + decimal(p)
              + ",seed="
              + graphSeed
              + ")";
      case COMPLETE -> "complete(n=" + n + ")";
      default ->
          "file(n="
              + n
              + ",directed="
              + graph.isDirected()
              + ",edges="
              + graph.edgeCount()
              + ",sha256="
              + digest(graph)
              + ")";
    };
  }

  /**
   * The graph as {@link org.relgraph.graph.GraphSpec#parse} reads it, to name it in a {@link
   * org.relgraph.train.RunConfig}: {@code ws-flex:n=64,k=..,p=..,seed=..} (k = k/n · n, written so
   * that it reads back as the same double, so the same graph is generated), {@code complete:n=64},
   * a brain network's name, or {@code file:PATH} for a file (which the reader must see at that
   * path; its {@link #key()} tells whether it holds the same graph).
   */
  public String spec() {
    return switch (kind) {
      case WS_FLEX -> "ws-flex:n=" + n + ",k=" + (kOverN * n) + ",p=" + p + ",seed=" + graphSeed;
      case COMPLETE -> "complete:n=" + n;
      default -> graphFile.startsWith("brain:") ? graphFile : "file:" + graphFile;
    };
  }

  /** A short description for messages: the key, with the file name for a file graph. */
  public String describe() {
    return kind.equals(FILE) ? key() + " from " + graphFile : key();
  }

  private static double orNaN(OptionalDouble d) {
    return d.isPresent() ? d.getAsDouble() : Double.NaN;
  }

  /** The shortest plain decimal that parses back to {@code x} (finite {@code x}). */
  static String decimal(double x) {
    if (!Double.isFinite(x)) {
      throw new IllegalArgumentException("not a finite number: " + x);
    }
    if (x == 0) {
      return "0";
    }
    BigDecimal exact = new BigDecimal(x);
    for (int digits = 1; digits < 17; digits++) {
      BigDecimal d = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (Double.parseDouble(d.toString()) == x) {
        return d.stripTrailingZeros().toPlainString();
      }
    }
    return exact
        .round(new MathContext(17, RoundingMode.HALF_EVEN))
        .stripTrailingZeros()
        .toPlainString();
  }

  private static String digest(RelationalGraph g) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every Java platform has SHA-256
    }
    StringBuilder text = new StringBuilder();
    text.append(g.nodeCount()).append(g.isDirected() ? " directed\n" : " undirected\n");
    for (int[] e : g.edges()) {
      text.append(e[0]).append(' ').append(e[1]).append('\n');
    }
    byte[] hash = sha.digest(text.toString().getBytes(StandardCharsets.US_ASCII));
    return HexFormat.of().formatHex(hash, 0, 8);
  }
}
