package org.relgraph.analysis;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.relgraph.sweep.ResultsStore;
import org.sqlite.SQLiteConfig;

/**
 * Reads training results from a sweep's SQLite database: table {@code runs}, one row per finished
 * run, whose {@code epoch_metrics} column is a JSON array of {@code {"epoch": e, "test_error":
 * percent, ...}} objects. Every run becomes one {@link ResultRow} per epoch (top-1 error = that
 * epoch's test error); a run with an empty array becomes one row at its last epoch ({@code epochs})
 * with the run's {@code top1_error}. Complete-graph runs enter at C = L = 1; other runs without a
 * recorded C or L get NaN there (no bin).
 *
 * <p>A graph's identity is its kind, {@code k_over_n}, {@code p} and {@code graph_seed}, with
 * {@code n} and {@code graph_file} when recorded; the complete graph is one graph.
 */
public final class ResultsDb {
  private static final String QUERY =
      "SELECT run_key, model, kind, n, k_over_n, p, graph_seed, graph_file, clustering,"
          + " path_length, train_seed, epochs, top1_error, width, epoch_metrics FROM runs"
          + " ORDER BY run_key";

  private ResultsDb() {}

  /**
   * Reads every run of a results database, opened read-only.
   *
   * @throws ResultsFormatException when the file is not such a database or a run is malformed
   * @throws UncheckedIOException when the file does not exist
   */
  public static List<ResultRow> read(Path file) {
    if (!Files.exists(file)) {
      throw new UncheckedIOException(
          "results database " + file + " not found", new NoSuchFileException(file.toString()));
    }
    if (!Files.isRegularFile(file)) {
      throw new ResultsFormatException(file.toString(), 0, "not a regular file");
    }
    String source = file.toString();
    Path real;
    try {
      real = file.toRealPath(); // SQLite names the -wal file after the real path
    } catch (java.io.IOException e) {
      real = file;
    }
    List<ResultRow> out = read(real, source);
    if (out.isEmpty()) {
      throw new ResultsFormatException(source, 0, "no runs");
    }
    return out;
  }

  private static List<ResultRow> read(Path file, String source) {
    boolean immutable = !hasJournal(file);
    List<ResultRow> out = readOnce(file, source, immutable);
    if (immutable && hasJournal(file)) {
      // A sweep opened the database while it was read as unchanging: read it again, through
      // SQLite's locks this time.
      out = readOnce(file, source, false);
    }
    return out;
  }

  private static List<ResultRow> readOnce(Path file, String source, boolean immutable) {
    List<ResultRow> out = new ArrayList<>();
    try (Connection db = openReadOnly(file, immutable);
        Statement st = db.createStatement()) {
      try (ResultSet tables =
          st.executeQuery("SELECT name FROM sqlite_master WHERE type='table' AND name='runs'")) {
        if (!tables.next()) {
          throw new ResultsFormatException(source, 0, "no table 'runs'");
        }
      }
      String version = ResultsStore.schemaVersion(db);
      if (version != null && !version.equals(ResultsStore.SCHEMA_VERSION)) {
        throw new ResultsFormatException(source, 0, ResultsStore.unknownVersion(version));
      }
      try (ResultSet rs = st.executeQuery(QUERY)) {
        while (rs.next()) {
          readRun(rs, source, out);
        }
      }
    } catch (SQLException e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      if (message.contains("NOTADB") || message.contains("not a database")) {
        message = "not an SQLite database";
      }
      throw new ResultsFormatException(source, 0, message, e);
    }
    return out;
  }

  /**
   * Opens a results database for reading only: SQLite refuses every write through the connection,
   * and nothing is created beside the file.
   *
   * <p>A database in WAL mode (as sweeps write them) normally needs its {@code -shm} file, which a
   * reader creates when it is missing: impossible in a read-only directory. So when no {@code -wal}
   * or {@code -journal} file lies beside the database (no connection has it open, and nothing
   * committed waits outside the file), it is opened as immutable: no locks, no {@code -shm}, only
   * the file. Otherwise (a sweep runs, or was killed) it is opened read-only through SQLite's
   * locks, which reads what the WAL holds.
   */
  public static Connection openReadOnly(Path file) throws SQLException {
    return openReadOnly(file, !hasJournal(file));
  }

  private static Connection openReadOnly(Path file, boolean immutable) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    String uri = file.toAbsolutePath().toUri() + (immutable ? "?mode=ro&immutable=1" : "?mode=ro");
    return DriverManager.getConnection("jdbc:sqlite:" + uri, config.toProperties());
  }

  /** Whether a WAL or rollback journal lies beside the database. */
  private static boolean hasJournal(Path file) {
    String name = file.getFileName().toString();
    return Files.exists(file.resolveSibling(name + "-wal"))
        || Files.exists(file.resolveSibling(name + "-journal"));
  }

  private static void readRun(ResultSet rs, String source, List<ResultRow> out)
      throws SQLException {
    String key = rs.getString("run_key");
    String where = "run '" + key + "'";
    String model = rs.getString("model");
    String kind = rs.getString("kind");
    if (model == null || model.isBlank() || kind == null || kind.isBlank()) {
      throw new ResultsFormatException(source, 0, where + ": empty model or kind");
    }
    boolean complete = ResultRow.COMPLETE.equals(kind);
    Long n = longOrNull(rs, "n");
    double k = doubleOrNaN(rs, "k_over_n");
    double p = doubleOrNaN(rs, "p");
    Long seed = longOrNull(rs, "graph_seed");
    String graphFile = rs.getString("graph_file");
    double c = complete ? 1.0 : doubleOrNaN(rs, "clustering");
    double l = complete ? 1.0 : doubleOrNaN(rs, "path_length");
    int trainSeed = rs.getInt("train_seed");
    int epochs = rs.getInt("epochs");
    double top1 = rs.getDouble("top1_error");
    Long width = longOrNull(rs, "width");
    Integer w = width == null ? null : width.intValue();
    String graph = ResultRow.graphKey(kind, k, p, seed);
    if (!complete) {
      graph += (n == null ? "" : " n=" + n) + (graphFile == null ? "" : " file=" + graphFile);
    }
    Integer nodes = n == null ? null : n.intValue();
    String metrics = rs.getString("epoch_metrics");
    JsonArray array;
    try {
      JsonElement parsed = JsonParser.parseString(metrics == null ? "" : metrics);
      if (!parsed.isJsonArray()) {
        throw new ResultsFormatException(source, 0, where + ": epoch_metrics is not a JSON array");
      }
      array = parsed.getAsJsonArray();
    } catch (JsonParseException e) {
      throw new ResultsFormatException(
          source, 0, where + ": epoch_metrics is not valid JSON: " + e.getMessage(), e);
    }
    if (array.isEmpty()) {
      out.add(
          new ResultRow(
              model, kind, k, p, seed, c, l, trainSeed, epochs, top1, w, graph, graphFile, nodes));
      return;
    }
    for (int i = 0; i < array.size(); i++) {
      JsonElement e = array.get(i);
      String at = where + ": epoch_metrics[" + i + "]";
      if (!e.isJsonObject()) {
        throw new ResultsFormatException(source, 0, at + " is not an object");
      }
      JsonObject o = e.getAsJsonObject();
      int epoch = (int) number(o, "epoch", source, at);
      if (epoch != number(o, "epoch", source, at)) {
        throw new ResultsFormatException(source, 0, at + ": epoch is not a whole number");
      }
      double error = number(o, "test_error", source, at);
      out.add(
          new ResultRow(
              model, kind, k, p, seed, c, l, trainSeed, epoch, error, w, graph, graphFile, nodes));
    }
  }

  private static double number(JsonObject o, String name, String source, String at) {
    JsonElement v = o.get(name);
    if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
      throw new ResultsFormatException(source, 0, at + ": missing number '" + name + "'");
    }
    double d = v.getAsDouble();
    if (!Double.isFinite(d)) {
      throw new ResultsFormatException(source, 0, at + ": '" + name + "' is not finite");
    }
    return d;
  }

  private static Long longOrNull(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  private static double doubleOrNaN(ResultSet rs, String column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? Double.NaN : v;
  }
}
