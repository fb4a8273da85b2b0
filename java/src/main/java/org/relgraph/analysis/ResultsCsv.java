package org.relgraph.analysis;

import java.io.BufferedInputStream;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.relgraph.io.CsvRows;
import org.relgraph.io.Quoting;

/**
 * Reads training results from CSV with the columns of the paper's published results: {@code
 * model,kind,k_over_n,p,graph_seed,clustering,path_length,train_seed,epoch,top1_error,width}, in
 * any order, one row per (run, epoch). {@code width} may be absent; other columns are ignored.
 * Complete-graph rows may leave {@code k_over_n}, {@code p}, {@code graph_seed}, {@code clustering}
 * and {@code path_length} empty: they enter at C = L = 1. Files compressed with gzip are read as
 * well (recognised by their content, not their name).
 */
public final class ResultsCsv {
  /** The columns every results CSV must have. */
  public static final List<String> REQUIRED =
      List.of(
          "model",
          "kind",
          "k_over_n",
          "p",
          "graph_seed",
          "clustering",
          "path_length",
          "train_seed",
          "epoch",
          "top1_error");

  private ResultsCsv() {}

  /**
   * Reads a results file, plain or gzip-compressed.
   *
   * @throws ResultsFormatException naming the file and line of malformed content
   * @throws UncheckedIOException when the file cannot be read
   */
  public static List<ResultRow> read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("results file " + file + " not found", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read results file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads results from a stream, plain or gzip-compressed; {@code source} names it in errors. */
  public static List<ResultRow> read(InputStream stream, String source) throws IOException {
    BufferedInputStream in = new BufferedInputStream(stream);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    InputStream data = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    return read(new InputStreamReader(data, StandardCharsets.UTF_8), source);
  }

  /**
   * Reads results CSV text.
   *
   * @throws ResultsFormatException naming the source, the line and the problem
   */
  public static List<ResultRow> read(Reader reader, String source) throws IOException {
    try (CsvRows in =
        CsvRows.open(
            reader, (line, problem) -> new ResultsFormatException(source, line, problem))) {
      CsvRows.Row header = in.next();
      if (header == null) {
        throw new ResultsFormatException(source, 1, "empty file, expected a header line");
      }
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        index.putIfAbsent(header.get(i), i);
      }
      for (String column : REQUIRED) {
        if (!index.containsKey(column)) {
          throw new ResultsFormatException(
              source, header.line(), "missing column '" + column + "'");
        }
      }
      Columns c = new Columns(index, header.size(), source);
      List<ResultRow> out = new ArrayList<>();
      for (CsvRows.Row row; (row = in.next()) != null; ) {
        out.add(c.parse(row));
      }
      if (out.isEmpty()) {
        throw new ResultsFormatException(source, 0, "no result rows");
      }
      return out;
    }
  }

  private static final class Columns {
    final int model;
    final int kind;
    final int kOverN;
    final int p;
    final int graphSeed;
    final int clustering;
    final int pathLength;
    final int trainSeed;
    final int epoch;
    final int top1Error;
    final int width;
    final int count;
    final String source;

    Columns(Map<String, Integer> index, int count, String source) {
      model = index.get("model");
      kind = index.get("kind");
      kOverN = index.get("k_over_n");
      p = index.get("p");
      graphSeed = index.get("graph_seed");
      clustering = index.get("clustering");
      pathLength = index.get("path_length");
      trainSeed = index.get("train_seed");
      epoch = index.get("epoch");
      top1Error = index.get("top1_error");
      width = index.getOrDefault("width", -1);
      this.count = count;
      this.source = source;
    }

    ResultRow parse(CsvRows.Row row) {
      int line = row.line();
      List<String> f = row.fields();
      if (f.size() != count) {
        throw new ResultsFormatException(
            source, line, "expected " + count + " fields, found " + f.size());
      }
      String modelName = f.get(model);
      String kindName = f.get(kind);
      if (modelName.isEmpty()) {
        throw new ResultsFormatException(source, line, "empty value in column 'model'");
      }
      if (kindName.isEmpty()) {
        throw new ResultsFormatException(source, line, "empty value in column 'kind'");
      }
      boolean complete = ResultRow.COMPLETE.equals(kindName);
      double k = real(f, kOverN, "k_over_n", line, complete);
      double prob = real(f, p, "p", line, complete);
      inRange(prob, 0, 1, "p", line);
      String seedText = f.get(graphSeed);
      Long seed = seedText.isEmpty() && complete ? null : whole(f, graphSeed, "graph_seed", line);
      double cc = complete ? 1.0 : real(f, clustering, "clustering", line, false);
      inRange(cc, 0, 1, "clustering", line);
      double pl = complete ? 1.0 : real(f, pathLength, "path_length", line, false);
      inRange(pl, 1, Double.POSITIVE_INFINITY, "path_length", line);
      int ts = integer(f, trainSeed, "train_seed", line);
      int ep = integer(f, epoch, "epoch", line);
      inRange(ep, 1, Double.POSITIVE_INFINITY, "epoch", line);
      double err = real(f, top1Error, "top1_error", line, false);
      inRange(err, 0, 100, "top1_error", line);
      Integer w = width < 0 || f.get(width).isEmpty() ? null : integer(f, width, "width", line);
      if (w != null) {
        inRange(w, 1, Double.POSITIVE_INFINITY, "width", line);
      }
      return ResultRow.of(modelName, kindName, k, prob, seed, cc, pl, ts, ep, err, w);
    }

    /** NaN (an empty cell where one is allowed) passes; anything else must lie in [lo, hi]. */
    private void inRange(double v, double lo, double hi, String name, int line) {
      if (v < lo || v > hi) {
        String range =
            hi == Double.POSITIVE_INFINITY
                ? (lo == 1 ? "at least 1" : "at least " + lo)
                : "in [" + fmt(lo) + ", " + fmt(hi) + "]";
        throw new ResultsFormatException(
            source, line, "column '" + name + "': " + fmt(v) + " out of range, expected " + range);
      }
    }

    private static String fmt(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** A finite number; empty gives NaN where {@code emptyAllowed}. */
    private double real(List<String> f, int i, String name, int line, boolean emptyAllowed) {
      String s = f.get(i);
      if (s.isEmpty()) {
        if (emptyAllowed) {
          return Double.NaN;
        }
        throw new ResultsFormatException(source, line, "empty value in column '" + name + "'");
      }
      double v;
      try {
        v = Double.parseDouble(s);
      } catch (NumberFormatException e) {
        throw new ResultsFormatException(
            source, line, "column '" + name + "': not a number: " + Quoting.quote(s, '\''));
      }
      if (!Double.isFinite(v)) {
        throw new ResultsFormatException(
            source, line, "column '" + name + "': not a finite number: " + Quoting.quote(s, '\''));
      }
      return v;
    }

    private int integer(List<String> f, int i, String name, int line) {
      long v = whole(f, i, name, line);
      if (v != (int) v) {
        throw new ResultsFormatException(
            source, line, "column '" + name + "': out of range: " + Quoting.quote(f.get(i), '\''));
      }
      return (int) v;
    }

    private long whole(List<String> f, int i, String name, int line) {
      String s = f.get(i);
      if (s.isEmpty()) {
        throw new ResultsFormatException(source, line, "empty value in column '" + name + "'");
      }
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw new ResultsFormatException(
            source, line, "column '" + name + "': not an integer: " + Quoting.quote(s, '\''));
      }
    }
  }
}
