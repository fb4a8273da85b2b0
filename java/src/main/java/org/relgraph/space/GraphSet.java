package org.relgraph.space;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.relgraph.graph.GraphFormatException;

/**
 * A set of WS-flex graphs named by their parameters, in the CSV format of the paper's released
 * sets: {@code n,k_over_n,p,seed,clustering,path_length} (the design-space samples use it too).
 *
 * <p>The paper's own sets ship with relgraph ({@link #bundled(String)}): {@code
 * graphs_n64_{3942,449,52}.csv} and {@code graphs_n16_{2698,326,48}.csv}, from
 * facebookresearch/graph2nn (MIT licence; see {@code org/relgraph/graph2nn/NOTICE.md}).
 */
public final class GraphSet {
  private static final String RESOURCES = "/org/relgraph/graph2nn/";

  /** One graph: WS-flex parameters and the C and L recorded with them. */
  public record Entry(
      int n, double kOverN, double p, long seed, double clustering, double pathLength) {
    /** The average degree {@code k = k_over_n · n}. */
    public double k() {
      return kOverN * n;
    }
  }

  private GraphSet() {}

  /** Reads a graph-set CSV file. */
  public static List<Entry> read(Path file) {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in, file.toString());
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("graph set " + file + " not found", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read graph set " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads graph-set CSV text.
   *
   * @throws GraphFormatException naming the source, the line and the problem
   */
  public static List<Entry> read(Reader reader, String source) throws IOException {
    BufferedReader in = new BufferedReader(reader);
    String header = in.readLine();
    if (header == null || !header.strip().equals(DesignSpaceFiles.SAMPLE_HEADER)) {
      throw new GraphFormatException(
          source, 1, "expected header '" + DesignSpaceFiles.SAMPLE_HEADER + "'");
    }
    List<Entry> out = new ArrayList<>();
    String line;
    int number = 1;
    while ((line = in.readLine()) != null) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.strip().split(",", -1);
      if (f.length != 6) {
        throw new GraphFormatException(source, number, "expected 6 fields, got " + f.length);
      }
      try {
        out.add(
            new Entry(
                Integer.parseInt(f[0]),
                Double.parseDouble(f[1]),
                Double.parseDouble(f[2]),
                Long.parseLong(f[3]),
                f[4].isEmpty() ? Double.NaN : Double.parseDouble(f[4]),
                f[5].isEmpty() ? Double.NaN : Double.parseDouble(f[5])));
      } catch (NumberFormatException e) {
        throw new GraphFormatException(source, number, "not a number: " + e.getMessage());
      }
    }
    return out;
  }

  /** One of the paper's sets shipped with relgraph, e.g. {@code graphs_n64_3942.csv}. */
  public static List<Entry> bundled(String name) {
    try (InputStream in = GraphSet.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no bundled graph set named " + name);
      }
      return read(new InputStreamReader(in, StandardCharsets.UTF_8), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The paper's set that corresponds to a sample style for {@code n} nodes, if it published one:
   * fine, medium and coarse are the 3942-, 449- and 52-graph sets for 64 nodes and the 2698-, 326-
   * and 48-graph sets for 16 nodes.
   */
  public static Optional<String> paperCounterpart(int n, String style) {
    String count =
        switch (n + "/" + style) {
          case "64/fine" -> "3942";
          case "64/medium" -> "449";
          case "64/coarse" -> "52";
          case "16/fine" -> "2698";
          default -> null;
        };
    return count == null ? Optional.empty() : Optional.of("graphs_n" + n + "_" + count + ".csv");
  }
}
