package org.relgraph.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.sweep.ResultsStore;
import org.relgraph.sweep.ResultsStoreTest;
import org.relgraph.sweep.SweepGraph;

class ResultsDbTest {
  static final String SCHEMA =
      "CREATE TABLE runs(run_key TEXT PRIMARY KEY, config_key TEXT NOT NULL, model TEXT NOT NULL,"
          + " kind TEXT NOT NULL, n INTEGER, k_over_n REAL, p REAL, graph_seed INTEGER, graph_file"
          + " TEXT, clustering REAL, path_length REAL, train_seed INTEGER NOT NULL, epochs INTEGER"
          + " NOT NULL, top1_error REAL NOT NULL, width INTEGER, flops INTEGER, flops_deviation"
          + " REAL, wall_seconds REAL, backend TEXT, mode TEXT, epoch_metrics TEXT NOT NULL,"
          + " finished_at TEXT)";

  /** A sweep database: graphs of the given (C, L), each trained with seeds 1, 2 for 4 epochs. */
  static Path sweep(Path dir) throws SQLException {
    Path db = dir.resolve("runs.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      try (Statement st = c.createStatement()) {
        st.execute(SCHEMA);
      }
      double[][] graphs = {{0.30, 2.2}, {0.45, 1.9}, {0.62, 3.4}, {0.70, 1.6}};
      for (int g = 0; g <= graphs.length; g++) {
        boolean complete = g == graphs.length;
        for (int seed = 1; seed <= 2; seed++) {
          StringBuilder metrics = new StringBuilder("[");
          double last = 0;
          for (int e = 1; e <= 4; e++) {
            double err = 60 - 6 * e + 2 * g + 0.3 * seed;
            last = err;
            metrics
                .append(e > 1 ? "," : "")
                .append(
                    String.format(
                        Locale.ROOT,
                        "{\"epoch\":%d,\"train_loss\":1.5,\"train_error\":50.0,\"test_error\":%s,"
                            + "\"seconds\":2.5}",
                        e,
                        err));
          }
          metrics.append("]");
          insert(
              c,
              "run-" + g + "-" + seed,
              complete ? "complete" : "ws-flex",
              complete ? null : 0.25,
              complete ? null : 0.1 * g,
              complete ? null : (long) g,
              complete ? null : graphs[g][0],
              complete ? null : graphs[g][1],
              seed,
              last,
              metrics.toString());
        }
      }
    }
    return db;
  }

  static void insert(
      Connection c,
      String key,
      String kind,
      Double k,
      Double p,
      Long seed,
      Double cc,
      Double l,
      int trainSeed,
      double top1,
      String metrics)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO runs(run_key, config_key, model, kind, n, k_over_n, p, graph_seed,"
                + " clustering, path_length, train_seed, epochs, top1_error, width, backend, mode,"
                + " epoch_metrics, finished_at) VALUES (?, 'cfg', 'mlp-synthetic', ?, 64, ?, ?,"
                + " ?, ?, ?, ?, 4, ?, 100, 'java', 'blocksparse', ?, '2025-01-01T00:00:00Z')")) {
      ps.setString(1, key);
      ps.setString(2, kind);
      ps.setObject(3, k);
      ps.setObject(4, p);
      ps.setObject(5, seed);
      ps.setObject(6, cc);
      ps.setObject(7, l);
      ps.setInt(8, trainSeed);
      ps.setDouble(9, top1);
      ps.setString(10, metrics);
      ps.executeUpdate();
    }
  }

  @Test
  void everyRunBecomesOneRowPerEpoch(@TempDir Path dir) throws Exception {
    List<ResultRow> rows = ResultsDb.read(sweep(dir));
    assertEquals(5 * 2 * 4, rows.size());
    ResultRow complete =
        rows.stream().filter(r -> r.isComplete() && r.epoch() == 4).findFirst().orElseThrow();
    assertEquals(1.0, complete.clustering());
    assertEquals(1.0, complete.pathLength());
    assertNull(complete.graphSeed());
    assertEquals("complete", complete.graph());
    ResultRow r =
        rows.stream()
            .filter(x -> x.graphSeed() != null && x.graphSeed() == 1 && x.trainSeed() == 2)
            .filter(x -> x.epoch() == 3)
            .findFirst()
            .orElseThrow();
    assertEquals(60 - 18 + 2 + 0.6, r.top1Error(), 1e-12);
    assertEquals(0.45, r.clustering());
    assertEquals(1.9, r.pathLength());
    assertEquals("mlp-synthetic", r.model());
    assertEquals(100, r.width());
    assertEquals(5, rows.stream().map(ResultRow::graph).distinct().count());
  }

  @Test
  void analysesADatabase(@TempDir Path dir) throws Exception {
    Analysis a = Analysis.of(ResultsDb.read(sweep(dir)), Analysis.Options.defaults());
    assertEquals("mlp-synthetic", a.model());
    assertEquals(4, a.epoch());
    SweetSpot.Result r = a.result();
    assertEquals(SweetSpot.Mode.GRAPH, r.mode()); // 5 graphs, 2 seeds each
    assertEquals(36.45, r.bestGraph().errors().mean(), 1e-9);
    assertEquals(0.15, r.bestGraph().errors().std(), 1e-9);
    assertEquals(44.45, r.baseline().mean(), 1e-9);
    assertEquals(0.30, r.bestGraph().clustering());
    // epoch 3 against epoch 4: the same ordering, r = 1
    Analysis.Correlation epoch =
        a.correlations().stream().filter(c -> c.name().equals("epoch")).findFirst().orElseThrow();
    assertEquals(1.0, epoch.pearson(), 1e-12);
    assertEquals(5, epoch.points());
    List<Path> files = AnalysisReport.write(a, dir.resolve("out"), "runs.db");
    for (Path f : files) {
      assertTrue(Files.size(f) > 0, f.toString());
    }
    assertTrue(Files.exists(dir.resolve("out/epoch_correlation.png")));
    String md = Files.readString(dir.resolve("out/report.md"));
    assertTrue(md.contains("36.45 ± 0.15"), md);
  }

  @Test
  void malformedDatabasesFailWithOneLine(@TempDir Path dir) throws Exception {
    Path text = dir.resolve("text.db");
    Files.writeString(text, "this is not a database, just some text that is long enough....\n");
    assertEquals(
        text + ": not an SQLite database",
        assertThrows(ResultsFormatException.class, () -> ResultsDb.read(text)).getMessage());

    Path empty = dir.resolve("empty.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + empty);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE other(x INTEGER)");
    }
    assertEquals(
        empty + ": no table 'runs'",
        assertThrows(ResultsFormatException.class, () -> ResultsDb.read(empty)).getMessage());

    Path bad = dir.resolve("bad.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + bad)) {
      try (Statement st = c.createStatement()) {
        st.execute(SCHEMA);
      }
      insert(c, "r1", "ws-flex", 0.25, 0.1, 1L, 0.3, 2.0, 1, 40, "[{\"epoch\":1}]");
    }
    assertEquals(
        bad + ": run 'r1': epoch_metrics[0]: missing number 'test_error'",
        assertThrows(ResultsFormatException.class, () -> ResultsDb.read(bad)).getMessage());

    Path none = dir.resolve("none.db");
    assertThrows(UncheckedIOException.class, () -> ResultsDb.read(none));
    assertTrue(!Files.exists(none), "reading must not create the database");
  }

  @Test
  void notJson(@TempDir Path dir) throws SQLException, IOException {
    Path bad = dir.resolve("bad.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + bad)) {
      try (Statement st = c.createStatement()) {
        st.execute(SCHEMA);
      }
      insert(c, "r1", "ws-flex", 0.25, 0.1, 1L, 0.3, 2.0, 1, 40, "{\"epoch\":1}");
    }
    assertEquals(
        bad + ": run 'r1': epoch_metrics is not a JSON array",
        assertThrows(ResultsFormatException.class, () -> ResultsDb.read(bad)).getMessage());
  }

  /** A sweep's database, closed: WAL mode, no -wal or -shm file beside it. */
  private static Path sweptDatabase(Path dir) {
    Path db = dir.resolve("sweep.db");
    try (ResultsStore store = ResultsStore.open(db)) {
      for (int seed = 0; seed < 2; seed++) {
        store.record(
            ResultsStoreTest.run(SweepGraph.complete(8), seed),
            ResultsStoreTest.result(40 + seed),
            1);
        store.record(
            ResultsStoreTest.run(SweepGraph.wsFlex(16, 0.25, 0.5, 3), seed),
            ResultsStoreTest.result(35 + seed),
            1);
      }
    }
    return db;
  }

  private static List<String> listing(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void theAnalysisReadsWithoutWritingAnything(@TempDir Path dir) throws Exception {
    Path db = sweptDatabase(dir);
    List<String> before = listing(dir);
    assertEquals(List.of("sweep.db"), before);
    byte[] bytes = Files.readAllBytes(db);
    java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(dir);
    assertEquals(8, ResultsDb.read(db).size());
    assertEquals(before, listing(dir), "no -wal or -shm file created");
    assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(db)));
    assertEquals(modified, Files.getLastModifiedTime(dir));
    try (Connection c = ResultsDb.openReadOnly(db);
        Statement st = c.createStatement()) {
      SQLException e =
          assertThrows(
              SQLException.class,
              () -> st.execute("INSERT INTO relgraph_meta(key, value) VALUES ('x', 'y')"));
      assertTrue(e.getMessage().contains("readonly"), e.getMessage());
    }
    assertEquals(before, listing(dir));
  }

  @Test
  void theAnalysisReadsWhatASweepHasCommittedMeanwhile(@TempDir Path dir) throws Exception {
    Path db = sweptDatabase(dir);
    try (ResultsStore store = ResultsStore.open(db)) {
      store.record(
          ResultsStoreTest.run(SweepGraph.wsFlex(16, 0.5, 0.5, 4), 0),
          ResultsStoreTest.result(30),
          1);
      assertTrue(Files.exists(dir.resolve("sweep.db-wal")), "the new run is in the WAL");
      assertEquals(10, ResultsDb.read(db).size());
      try (Connection c = ResultsDb.openReadOnly(db);
          Statement st = c.createStatement()) {
        assertThrows(SQLException.class, () -> st.execute("DELETE FROM runs"));
      }
      assertEquals(5, store.count());
    }
  }
}
