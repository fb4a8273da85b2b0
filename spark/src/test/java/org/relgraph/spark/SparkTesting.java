package org.relgraph.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.relgraph.cli.Main;

/** What the Spark tests share: graph sets, running the CLI, reading databases. */
final class SparkTesting {
  private SparkTesting() {}

  /** Settings that keep every server of a Spark driver on the loopback interface, UI off. */
  static final List<String> LOOPBACK =
      List.of(
          "--spark-conf", "spark.driver.host=127.0.0.1",
          "--spark-conf", "spark.driver.bindAddress=127.0.0.1",
          "--spark-conf", "spark.ui.enabled=false");

  /** The CLI's outcome. */
  record Cli(int status, String out, String err) {}

  static Cli run(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        Main.run(
            args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Cli(status, out.toString(), err.toString());
  }

  /** The first {@code rows} graphs of the paper's 52-graph set, as a graph-set CSV. */
  static Path graphSet(Path dir, int rows) throws IOException {
    List<String> lines;
    try (var in =
        SparkTesting.class.getResourceAsStream("/org/relgraph/graph2nn/graphs_n64_52.csv")) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    Path file = dir.resolve("set.csv");
    Files.write(file, lines.subList(0, rows + 1));
    return file;
  }

  /**
   * Every row by run key, every column but those that differ between two trainings of the same run
   * (wall_seconds, finished_at, and each epoch's seconds).
   */
  static Map<String, Map<String, Object>> rows(Path db) throws Exception {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT * FROM runs")) {
      ResultSetMetaData md = r.getMetaData();
      while (r.next()) {
        Map<String, Object> row = new TreeMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          String name = md.getColumnName(i);
          if (name.equals("wall_seconds") || name.equals("finished_at")) {
            continue;
          }
          Object v = r.getObject(i);
          if (name.equals("epoch_metrics")) {
            JsonArray a = JsonParser.parseString((String) v).getAsJsonArray();
            for (JsonElement e : a) {
              e.getAsJsonObject().remove("seconds");
            }
            v = a.toString();
          }
          row.put(name, v);
        }
        String key = (String) row.get("run_key");
        assertEquals(null, out.put(key, row), "one row per key: " + key);
      }
    }
    return out;
  }

  /** Checks the database is intact and holds each of {@code keys} once with {@code epochs}. */
  static void assertComplete(Path db, java.util.Set<String> keys, int epochs) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
        assertTrue(r.next());
        assertEquals("ok", r.getString(1));
      }
      List<String> found = new ArrayList<>();
      try (ResultSet r = s.executeQuery("SELECT run_key, epochs, epoch_metrics FROM runs")) {
        while (r.next()) {
          found.add(r.getString(1));
          assertEquals(epochs, r.getInt(2));
          assertEquals(epochs, JsonParser.parseString(r.getString(3)).getAsJsonArray().size());
        }
      }
      assertEquals(keys.size(), found.size(), "one row per run");
      assertEquals(keys, new java.util.HashSet<>(found));
    }
  }
}
