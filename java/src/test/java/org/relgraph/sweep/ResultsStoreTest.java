package org.relgraph.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.analysis.ResultsDb;
import org.relgraph.analysis.ResultsFormatException;
import org.relgraph.graph.RelationalGraph;

public class ResultsStoreTest {
  public static RunResult result(double error) {
    return new RunResult(
        error,
        1539,
        1_192_448L,
        0.0012,
        List.of(
            new EpochMetrics(1, 2.0, 70.0, 60.0, 1.5), new EpochMetrics(2, 1.0, 40.0, error, 1.25)),
        "cpu",
        "blocksparse",
        "mlp-test");
  }

  public static SweepSpec.Run run(SweepGraph g, int seed) {
    return new SweepSpec.Run(g, seed, "model=mlp-test;epochs=2", "mlp-test");
  }

  @Test
  void theRunsTableHasExactlyTheAgreedSchema(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.db");
    try (ResultsStore store = ResultsStore.open(file)) {
      assertEquals("wal", store.pragma("journal_mode"));
      assertEquals("2", store.pragma("synchronous")); // FULL
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      try (ResultSet r =
          s.executeQuery("SELECT sql FROM sqlite_master WHERE type='table' AND name='runs'")) {
        assertTrue(r.next());
        assertEquals(
            "CREATE TABLE runs(run_key TEXT PRIMARY KEY, config_key TEXT NOT NULL, model TEXT NOT"
                + " NULL, kind TEXT NOT NULL, n INTEGER, k_over_n REAL, p REAL, graph_seed INTEGER,"
                + " graph_file TEXT, clustering REAL, path_length REAL, train_seed INTEGER NOT"
                + " NULL, epochs INTEGER NOT NULL, top1_error REAL NOT NULL, width INTEGER, flops"
                + " INTEGER, flops_deviation REAL, wall_seconds REAL, backend TEXT, mode TEXT,"
                + " epoch_metrics TEXT NOT NULL, finished_at TEXT)",
            r.getString(1));
      }
      List<String> columns = new ArrayList<>();
      try (ResultSet r = s.executeQuery("PRAGMA table_info(runs)")) {
        while (r.next()) {
          columns.add(
              r.getString("name")
                  + " "
                  + r.getString("type")
                  + (r.getInt("notnull") == 1 ? " NOT NULL" : "")
                  + (r.getInt("pk") == 1 ? " PK" : ""));
        }
      }
      assertEquals(
          List.of(
              "run_key TEXT PK",
              "config_key TEXT NOT NULL",
              "model TEXT NOT NULL",
              "kind TEXT NOT NULL",
              "n INTEGER",
              "k_over_n REAL",
              "p REAL",
              "graph_seed INTEGER",
              "graph_file TEXT",
              "clustering REAL",
              "path_length REAL",
              "train_seed INTEGER NOT NULL",
              "epochs INTEGER NOT NULL",
              "top1_error REAL NOT NULL",
              "width INTEGER",
              "flops INTEGER",
              "flops_deviation REAL",
              "wall_seconds REAL",
              "backend TEXT",
              "mode TEXT",
              "epoch_metrics TEXT NOT NULL",
              "finished_at TEXT"),
          columns);
      try (ResultSet r =
          s.executeQuery("SELECT value FROM relgraph_meta WHERE key='schema_version'")) {
        assertTrue(r.next());
        assertEquals(ResultsStore.SCHEMA_VERSION, r.getString(1));
      }
    }
  }

  @Test
  void aRunIsOneRowWithItsEpochsAsJson(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.db");
    SweepGraph ws = SweepGraph.wsFlex(64, 0.125, 0.25, 3);
    SweepSpec.Run r = run(ws, 7);
    Instant before = Instant.now().minusSeconds(1);
    try (ResultsStore store = ResultsStore.open(file)) {
      assertTrue(store.record(r, result(33.5), 12.5));
      assertFalse(store.record(r, result(99.0), 1.0), "a key is recorded once");
      assertEquals(Set.of(r.key()), store.finishedKeys());
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet q = s.executeQuery("SELECT * FROM runs")) {
      assertTrue(q.next());
      assertEquals(
          "ws-flex(n=64,k_over_n=0.125,p=0.25,seed=3)|seed=7|model=mlp-test;epochs=2",
          q.getString("run_key"));
      assertEquals("model=mlp-test;epochs=2", q.getString("config_key"));
      assertEquals("mlp-test", q.getString("model"));
      assertEquals("ws-flex", q.getString("kind"));
      assertEquals(64, q.getInt("n"));
      assertEquals(0.125, q.getDouble("k_over_n"));
      assertEquals(0.25, q.getDouble("p"));
      assertEquals(3, q.getLong("graph_seed"));
      assertEquals(null, q.getString("graph_file"));
      assertEquals(ws.clustering(), q.getDouble("clustering"));
      assertEquals(ws.pathLength(), q.getDouble("path_length"));
      assertEquals(7, q.getInt("train_seed"));
      assertEquals(2, q.getInt("epochs"));
      assertEquals(33.5, q.getDouble("top1_error"));
      assertEquals(1539, q.getInt("width"));
      assertEquals(1_192_448L, q.getLong("flops"));
      assertEquals(0.0012, q.getDouble("flops_deviation"));
      assertEquals(12.5, q.getDouble("wall_seconds"));
      assertEquals("cpu", q.getString("backend"));
      assertEquals("blocksparse", q.getString("mode"));
      Instant at = Instant.parse(q.getString("finished_at"));
      assertTrue(!at.isBefore(before) && !at.isAfter(Instant.now()), at.toString());
      JsonArray epochs = JsonParser.parseString(q.getString("epoch_metrics")).getAsJsonArray();
      assertEquals(2, epochs.size());
      JsonObject e2 = epochs.get(1).getAsJsonObject();
      assertEquals(
          Set.of("epoch", "train_loss", "train_error", "test_error", "seconds"), e2.keySet());
      assertEquals(2, e2.get("epoch").getAsInt());
      assertEquals(1.0, e2.get("train_loss").getAsDouble());
      assertEquals(40.0, e2.get("train_error").getAsDouble());
      assertEquals(33.5, e2.get("test_error").getAsDouble());
      assertEquals(1.25, e2.get("seconds").getAsDouble());
      assertFalse(q.next());
    }
  }

  @Test
  void absentValuesAreNull(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.db");
    // two components: no path length
    RelationalGraph g =
        RelationalGraph.fromEdges(4, false, List.of(new int[] {0, 1}, new int[] {2, 3}));
    SweepGraph disconnected = SweepGraph.file("two.txt", g);
    RunResult nan =
        new RunResult(
            50,
            64,
            100,
            Double.NaN,
            List.of(new EpochMetrics(1, Double.NaN, 1, 2, 3)),
            null,
            null,
            null);
    try (ResultsStore store = ResultsStore.open(file)) {
      assertTrue(store.record(run(SweepGraph.complete(8), 0), result(40), 1));
      assertTrue(store.record(run(disconnected, 0), nan, 1));
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet q = s.executeQuery("SELECT * FROM runs ORDER BY kind")) {
      assertTrue(q.next());
      assertEquals("complete", q.getString("kind"));
      assertEquals(null, q.getObject("p"));
      assertEquals(null, q.getObject("graph_seed"));
      assertEquals(1.0, q.getDouble("clustering"));
      assertEquals(1.0, q.getDouble("path_length"));
      assertEquals(7.0 / 8, q.getDouble("k_over_n"));
      assertTrue(q.next());
      assertEquals("file", q.getString("kind"));
      assertEquals("two.txt", q.getString("graph_file"));
      assertEquals(null, q.getObject("path_length"));
      assertEquals(null, q.getObject("flops_deviation"));
      assertEquals(null, q.getObject("backend"));
      assertEquals(
          "[{\"epoch\":1,\"train_loss\":null,\"train_error\":1.0,\"test_error\":2.0,\"seconds\":3.0}]",
          q.getString("epoch_metrics"));
    }
  }

  @Test
  void rowsSurviveReopeningAndForeignFilesAreRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.db");
    try (ResultsStore store = ResultsStore.open(file)) {
      store.record(run(SweepGraph.complete(8), 1), result(40), 1);
    }
    try (ResultsStore store = ResultsStore.open(file)) {
      assertEquals(1, store.count());
    }
    Path text = dir.resolve("notes.db");
    Files.writeString(
        text, "this is not a database, but long enough to have a header\n".repeat(10));
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> ResultsStore.open(text));
    assertEquals("results database " + text + " is not an SQLite database", e.getMessage());

    Path other = dir.resolve("other.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE runs(run_key TEXT PRIMARY KEY, error REAL)");
    }
    e = assertThrows(UncheckedIOException.class, () -> ResultsStore.open(other));
    assertTrue(e.getMessage().contains("has a 'runs' table of another layout"), e.getMessage());

    e =
        assertThrows(
            UncheckedIOException.class, () -> ResultsStore.open(dir.resolve("no/such/dir/r.db")));
    assertTrue(e.getMessage().contains("no directory"), e.getMessage());
  }

  @Test
  void aDatabaseOfAFutureSchemaVersionIsRefusedUntouched(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.db");
    try (ResultsStore store = ResultsStore.open(file)) {
      store.record(run(SweepGraph.complete(8), 1), result(40), 1);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("UPDATE relgraph_meta SET value = '2' WHERE key = 'schema_version'");
    }
    byte[] before = Files.readAllBytes(file);
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> ResultsStore.openExclusive(file));
    assertEquals(
        "results database "
            + file
            + ": schema_version 2 is newer than the version 1 this relgraph reads and writes;"
            + " use a newer relgraph, or a new file",
        e.getMessage());
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(file)));
    ResultsFormatException read =
        assertThrows(ResultsFormatException.class, () -> ResultsDb.read(file));
    assertEquals(
        file
            + ": schema_version 2 is newer than the version 1 this relgraph reads and writes;"
            + " use a newer relgraph, or a new file",
        read.getMessage());

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("UPDATE relgraph_meta SET value = 'x\u001b[2J' WHERE key = 'schema_version'");
    }
    e = assertThrows(UncheckedIOException.class, () -> ResultsStore.open(file));
    assertTrue(
        e.getMessage()
            .endsWith(
                ": schema_version x?[2J is not the version 1 this relgraph"
                    + " reads and writes; use a new file"),
        e.getMessage());
  }

  @Test
  void aMissingDirectoryIsNamedBeforeAnyLockFile(@TempDir Path dir) {
    Path file = dir.resolve("missing").resolve("r.db");
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> ResultsStore.openExclusive(file));
    assertEquals(
        "cannot create results database "
            + file
            + ": no directory "
            + dir.resolve("missing")
            + " (create it first)",
        e.getMessage());
    assertTrue(Files.notExists(dir.resolve("missing")));
  }
}
