package org.relgraph.space;

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
import java.util.regex.Pattern;
import org.relgraph.graph.GraphFormatException;
import org.relgraph.io.CsvRows;
import org.relgraph.io.Quoting;

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

  /** The columns, as {@link DesignSpaceFiles#SAMPLE_HEADER} orders them. */
  private static final List<String> COLUMNS = List.of(DesignSpaceFiles.SAMPLE_HEADER.split(","));

  /** The first {@code REQUIRED} columns must be present. */
  private static final int REQUIRED = 4;

  private static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_. -]{0,99}");

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
   * Reads graph-set CSV text: a header naming the columns, in any order ({@code n}, {@code
   * k_over_n}, {@code p} and {@code seed} required; {@code clustering} and {@code path_length} may
   * be absent or empty; other columns are ignored), then one graph per row. Quoted fields and a
   * UTF-8 byte-order mark are fine (see {@link CsvRows}).
   *
   * @throws GraphFormatException naming the source, the line and the problem
   */
  public static List<Entry> read(Reader reader, String source) throws IOException {
    try (CsvRows in =
        CsvRows.open(reader, (line, problem) -> new GraphFormatException(source, line, problem))) {
      CsvRows.Row header = in.next();
      if (header == null) {
        throw new GraphFormatException(
            source, 1, "empty file, expected the header '" + DesignSpaceFiles.SAMPLE_HEADER + "'");
      }
      int[] column = new int[COLUMNS.size()];
      for (int c = 0; c < column.length; c++) {
        column[c] = header.fields().indexOf(COLUMNS.get(c));
        if (column[c] < 0 && c < REQUIRED) {
          throw new GraphFormatException(
              source,
              header.line(),
              "missing column '"
                  + COLUMNS.get(c)
                  + "': a graph set has the columns "
                  + DesignSpaceFiles.SAMPLE_HEADER
                  + ", got "
                  + Quoting.quote(String.join(",", header.fields()), '\''));
        }
      }
      List<Entry> out = new ArrayList<>();
      for (CsvRows.Row row; (row = in.next()) != null; ) {
        if (row.size() != header.size()) {
          throw new GraphFormatException(
              source, row.line(), "expected " + header.size() + " fields, got " + row.size());
        }
        Fields f = new Fields(row, column, source);
        out.add(
            new Entry(
                (int) f.whole(0, Integer.MIN_VALUE, Integer.MAX_VALUE),
                f.real(1),
                f.real(2),
                f.whole(3, Long.MIN_VALUE, Long.MAX_VALUE),
                f.real(4),
                f.real(5)));
      }
      return out;
    }
  }

  /**
   * The column names of {@code firstLine} (the first line of a file that is not blank) when it
   * looks like a CSV header: a comma, and fields that are all names (a letter or {@code _} first,
   * then letters, digits, {@code _}, {@code .}, {@code -}, spaces; each may be in double quotes;
   * one may be empty, as R's row-name column is). Empty otherwise, e.g. for an edge list or a
   * matrix. A leading byte-order mark is skipped.
   */
  public static Optional<List<String>> csvHeader(String firstLine) {
    String s = firstLine.strip();
    if (s.startsWith("\uFEFF")) {
      s = s.substring(1).strip();
    }
    if (s.indexOf(',') < 0) {
      return Optional.empty();
    }
    List<String> names = new ArrayList<>();
    int empty = 0;
    for (String part : s.split(",", -1)) {
      String name = part.strip();
      if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
        name = name.substring(1, name.length() - 1).strip();
      }
      if (name.isEmpty()) {
        empty++;
      } else if (!COLUMN_NAME.matcher(name).matches()) {
        return Optional.empty();
      }
      names.add(name);
    }
    return empty > 1 || empty == names.size() ? Optional.empty() : Optional.of(names);
  }

  /** The typed fields of one row. */
  private record Fields(CsvRows.Row row, int[] column, String source) {
    /** Column {@code c}'s number; NaN when the column is absent or the cell empty. */
    double real(int c) {
      if (column[c] < 0) {
        return Double.NaN;
      }
      String s = row.get(column[c]);
      if (s.isEmpty() && c >= REQUIRED) {
        return Double.NaN;
      }
      try {
        double v = Double.parseDouble(s);
        if (Double.isFinite(v)) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw notA("a finite number", c, s);
    }

    long whole(int c, long min, long max) {
      String s = row.get(column[c]);
      try {
        long v = Long.parseLong(s);
        if (v >= min && v <= max) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw notA(max == Integer.MAX_VALUE ? "a whole number below 2^31" : "a whole number", c, s);
    }

    private GraphFormatException notA(String what, int c, String s) {
      return new GraphFormatException(
          source,
          row.line(),
          "column '" + COLUMNS.get(c) + "': " + Quoting.quote(s, '\'') + " is not " + what);
    }
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
