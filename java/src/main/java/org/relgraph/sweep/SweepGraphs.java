package org.relgraph.sweep;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.relgraph.graph.BrainNetworks;
import org.relgraph.graph.GraphFormatException;
import org.relgraph.graph.GraphIO;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.space.DesignSpaceFiles;
import org.relgraph.space.GraphSet;

/**
 * The graph sets a sweep can train over, named as the {@code sweep} command takes them:
 *
 * <ul>
 *   <li>{@code paper:COUNT} (or {@code paper:FILE}): one of the paper's sets shipped with relgraph:
 *       {@code paper:52}, {@code paper:449}, {@code paper:3942} (64 nodes), {@code paper:48},
 *       {@code paper:326}, {@code paper:2698} (16 nodes);
 *   <li>{@code brain:cat}, {@code brain:macaque-visual}, {@code brain:macaque-whole}: the brain
 *       networks shipped with relgraph ({@code BrainNetworks}), keyed like the same file;
 *   <li>a graph-set CSV ({@code n,k_over_n,p,seed,clustering,path_length}: the paper's files, or a
 *       sample written by {@code relgraph design-space}): every row is regenerated with {@code
 *       WsFlex.generate(n, k_over_n·n, p, seed)} and measured, and must have the C and L the row
 *       records (when it records them);
 *   <li>a graph file in any format {@code GraphIO} reads;
 *   <li>a directory: each of its regular, non-hidden files, by name, as above.
 * </ul>
 */
public final class SweepGraphs {
  /** How far recorded and recomputed C and L may differ (the paper's sets agree to 1e-12). */
  static final double MEASURE_TOLERANCE = 1e-9;

  private static final Map<String, String> PAPER_SETS = new LinkedHashMap<>();

  static {
    for (String name :
        List.of(
            "graphs_n64_52.csv",
            "graphs_n64_449.csv",
            "graphs_n64_3942.csv",
            "graphs_n16_48.csv",
            "graphs_n16_326.csv",
            "graphs_n16_2698.csv")) {
      String count = name.substring(name.lastIndexOf('_') + 1, name.length() - 4);
      PAPER_SETS.put(count, name);
      PAPER_SETS.put(name, name);
    }
  }

  private SweepGraphs() {}

  /**
   * The most nodes a graph may have for a sweep to train it, and why (given the graph's node
   * count), e.g. "more than the MLP's stem width 512 allows". A graph over the limit is refused
   * while the set loads, before it is generated or measured (which can take minutes for a large
   * graph), so no run starts.
   */
  public record NodeLimit(int max, IntFunction<String> reason) {
    /** No limit. */
    public static final NodeLimit NONE = new NodeLimit(Integer.MAX_VALUE, "");

    /** A limit whose reason does not depend on the graph's node count. */
    public NodeLimit(int max, String reason) {
      this(max, n -> reason);
    }

    void check(String source, String graph, int n) {
      if (n > max) {
        throw new IllegalArgumentException(
            source
                + ": "
                + graph
                + " has "
                + n
                + " nodes, "
                + reason.apply(n)
                + "; no run was started");
      }
    }
  }

  /** The graphs of every source, in order, without repeats (by {@link SweepGraph#key()}). */
  public static List<SweepGraph> load(List<String> sources) {
    return load(sources, NodeLimit.NONE);
  }

  /**
   * As {@link #load(List)}, refusing a graph of more nodes than {@code limit} allows.
   *
   * @throws IllegalArgumentException naming the first graph over the limit
   */
  public static List<SweepGraph> load(List<String> sources, NodeLimit limit) {
    Map<String, SweepGraph> out = new LinkedHashMap<>();
    for (String source : sources) {
      for (SweepGraph g : load(source, limit)) {
        out.putIfAbsent(g.key(), g);
      }
    }
    return List.copyOf(out.values());
  }

  /** The graphs of one source (see the class comment). */
  public static List<SweepGraph> load(String source) {
    return load(source, NodeLimit.NONE);
  }

  /** As {@link #load(String)}, refusing a graph of more nodes than {@code limit} allows. */
  public static List<SweepGraph> load(String source, NodeLimit limit) {
    if (source.startsWith("paper:")) {
      return paper(source.substring("paper:".length()), limit);
    }
    if (source.startsWith("brain:")) {
      RelationalGraph g = BrainNetworks.load(source.substring(6));
      limit.check(source, "the graph", g.nodeCount());
      return List.of(SweepGraph.file(source, g));
    }
    Path path = Path.of(source);
    if (Files.isDirectory(path)) {
      return directory(path, limit);
    }
    return file(path, limit);
  }

  /** One of the paper's bundled sets, by its graph count or file name. */
  public static List<SweepGraph> paper(String name) {
    return paper(name, NodeLimit.NONE);
  }

  private static List<SweepGraph> paper(String name, NodeLimit limit) {
    String file = PAPER_SETS.get(name.toLowerCase(Locale.ROOT));
    if (file == null) {
      throw new IllegalArgumentException(
          "no bundled graph set paper:"
              + name
              + " (there are paper:52, paper:449, paper:3942 with 64 nodes and paper:48,"
              + " paper:326, paper:2698 with 16)");
    }
    return fromEntries(GraphSet.bundled(file), "paper:" + name, limit);
  }

  /** The graphs of a graph-set CSV, or the one graph of a graph file. */
  public static List<SweepGraph> file(Path file) {
    return file(file, NodeLimit.NONE);
  }

  private static List<SweepGraph> file(Path file, NodeLimit limit) {
    // Sniffed by the header: a CSV whose first line names columns is a graph set, and a column
    // it lacks is named, where an edge-list reader would only say that "n,k_over_n" is no edge.
    Optional<List<String>> header = GraphSet.csvHeader(firstLine(file));
    if (header.isEmpty()) {
      RelationalGraph g = GraphIO.read(file);
      limit.check(file.toString(), "the graph", g.nodeCount());
      return List.of(SweepGraph.file(file.toString(), g));
    }
    if (String.join(",", header.get()).equals(DesignSpaceFiles.GRAPHS_HEADER)) {
      throw new GraphFormatException(
          file.toString(),
          1,
          "this is a whole design space (graphs.csv); sweep one of its samples"
              + " (sample_coarse.csv, sample_medium.csv, sample_fine.csv) instead");
    }
    return fromEntries(GraphSet.read(file), file.toString(), limit);
  }

  /** The graphs of the regular, non-hidden files of a directory, in name order. */
  public static List<SweepGraph> directory(Path dir) {
    return directory(dir, NodeLimit.NONE);
  }

  private static List<SweepGraph> directory(Path dir, NodeLimit limit) {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(f -> !f.getFileName().toString().startsWith("."))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("directory " + dir + " holds no graph files");
    }
    List<SweepGraph> out = new ArrayList<>();
    for (Path f : files) {
      out.addAll(file(f, limit));
    }
    return out;
  }

  /**
   * Regenerates and measures the WS-flex graphs of a graph set.
   *
   * @throws GraphFormatException when a row's graph cannot be generated, or its C or L differ from
   *     the recorded ones (the graph trained would not be the graph named)
   */
  public static List<SweepGraph> fromEntries(List<GraphSet.Entry> entries, String source) {
    return fromEntries(entries, source, NodeLimit.NONE);
  }

  private static List<SweepGraph> fromEntries(
      List<GraphSet.Entry> entries, String source, NodeLimit limit) {
    // Every row is checked before any graph is generated.
    int row = 0;
    for (GraphSet.Entry e : entries) {
      limit.check(source, describe(++row, e), e.n());
    }
    List<SweepGraph> out = new ArrayList<>(entries.size());
    row = 0;
    for (GraphSet.Entry e : entries) {
      row++;
      String where = describe(row, e);
      SweepGraph g;
      try {
        g = SweepGraph.wsFlex(e.n(), e.kOverN(), e.p(), e.seed());
      } catch (IllegalArgumentException ex) {
        throw new GraphFormatException(source, 0, where + ": " + ex.getMessage(), ex);
      }
      check(source, where, "clustering", e.clustering(), g.clustering());
      check(source, where, "path length", e.pathLength(), g.pathLength());
      out.add(g);
    }
    if (out.isEmpty()) {
      throw new GraphFormatException(source, 0, "no graphs");
    }
    return out;
  }

  private static String describe(int row, GraphSet.Entry e) {
    return "graph "
        + row
        + " (n="
        + e.n()
        + ", k_over_n="
        + e.kOverN()
        + ", p="
        + e.p()
        + ", seed="
        + e.seed()
        + ")";
  }

  private static void check(
      String source, String where, String what, double recorded, double actual) {
    if (!Double.isNaN(recorded) && !(Math.abs(recorded - actual) <= MEASURE_TOLERANCE)) {
      throw new GraphFormatException(
          source,
          0,
          where
              + ": recorded "
              + what
              + " "
              + recorded
              + " but the regenerated graph has "
              + actual);
    }
  }

  private static String firstLine(Path file) {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          return line.strip();
        }
      }
      return "";
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(file + ": no such file or directory", e);
    } catch (java.nio.charset.CharacterCodingException e) {
      return ""; // not a CSV: let the graph reader explain
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
