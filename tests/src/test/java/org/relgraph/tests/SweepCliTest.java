package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code relgraph sweep} in this JVM, with the test trainer. */
class SweepCliTest {
  /** The first {@code rows} graphs of the paper's 52-graph set, as a graph-set CSV. */
  static Path graphSet(Path dir, int rows) throws IOException {
    List<String> lines;
    try (var in =
        SweepCliTest.class.getResourceAsStream("/org/relgraph/graph2nn/graphs_n64_52.csv")) {
      lines =
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    }
    Path file = dir.resolve("set.csv");
    Files.write(file, lines.subList(0, rows + 1));
    return file;
  }

  static String[] sweep(Path set, Path db, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "sweep",
                "--graphs",
                set.toString(),
                "--db",
                db.toString(),
                "--trainer",
                "fake",
                "--fake-epoch-ms",
                "0"));
    if (!List.of(more).contains("--epochs")) {
      args.addAll(List.of("--epochs", "2"));
    }
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  static List<String> keys(Path db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT run_key FROM runs ORDER BY run_key")) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    return out;
  }

  @Test
  void aSweepRecordsEveryRunAndResumes(@TempDir Path dir) throws Exception {
    Path set = graphSet(dir, 4);
    Path db = dir.resolve("results.db");
    Cli r = Cli.run(sweep(set, db, "--seeds", "2", "--workers", "2"));
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out()
            .startsWith("10 finished, 0 skipped (already in the database), 0 failed, of 10 runs"),
        r.out());
    assertTrue(r.out().strip().endsWith("results in " + db), r.out());
    assertTrue(
        r.err()
            .startsWith(
                "relgraph: sweep of 10 runs, (4 graphs + 1 baseline) × 2 seeds, into "
                    + db
                    + ": 0 in the database already, 10 to run on 2 workers\n"),
        r.err());
    assertTrue(r.err().contains("relgraph: [10/10] "), r.err());
    List<String> keys = keys(db);
    assertEquals(10, keys.size());
    assertTrue(
        keys.contains("complete(n=64)|seed=1|trainer=fake;model=mlp-fashion-mnist;epochs=2"),
        keys.toString());

    r = Cli.run(sweep(set, db, "--seed-list", "1,0"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("0 finished, 10 skipped"), r.out());

    // another configuration shares the database, with its own rows
    r = Cli.run(sweep(set, db, "--seeds", "1", "--epochs", "3", "--no-baseline"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("4 finished, 0 skipped"), r.out());
    assertEquals(14, keys(db).size());
  }

  @Test
  void failedRunsAreReportedAndGiveStatus1(@TempDir Path dir) throws Exception {
    Path set = graphSet(dir, 3);
    Path db = dir.resolve("results.db");
    Cli r = Cli.run(sweep(set, db, "--seeds", "2", "--fake-fail-seed", "1"));
    assertEquals(1, r.status(), r.err());
    assertTrue(
        r.out().startsWith("4 finished, 0 skipped (already in the database), 4 failed"), r.out());
    assertTrue(
        r.err()
            .contains(
                "relgraph: run complete(n=64)|seed=1|trainer=fake;model=mlp-fashion-mnist;epochs=2"
                    + " failed: fake failure of training seed 1\n"),
        r.err());
    assertTrue(r.err().contains("relgraph: 4 runs failed (not recorded;"), r.err());
    assertEquals(4, keys(db).size());
    assertTrue(keys(db).stream().allMatch(k -> k.contains("|seed=0|")));

    r = Cli.run(sweep(set, db, "--seeds", "2"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("4 finished, 4 skipped"), r.out());
    assertEquals(8, keys(db).size());
  }

  @Test
  void badRequestsGiveOneLineErrors(@TempDir Path dir) throws Exception {
    Path set = graphSet(dir, 2);
    Path db = dir.resolve("results.db");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Cli r =
        Cli.run(
            "sweep",
            "--graphs",
            "paper:52",
            "--db",
            db.toString(),
            "--seeds",
            "1",
            "--data",
            empty.toString());
    assertEquals(1, r.status(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains(empty.toString()), r.err());
    assertFalse(Files.exists(db), "nothing created before the sweep can start");
    r = Cli.run(sweep(dir.resolve("none.csv"), db));
    assertEquals(1, r.status());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("none.csv"), r.err());
    r = Cli.run(sweep(set, db, "--seeds", "2", "--seed-list", "3"));
    assertEquals(2, r.status());
    assertEquals("relgraph: give --seeds or --seed-list, not both\n", r.err());
    r = Cli.run(sweep(set, db, "--workers", "0"));
    assertEquals(2, r.status());
    r = Cli.run(sweep(set, db, "--spark", "local[1]", "--dense-library", "onednn"));
    assertEquals(2, r.status(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("--dense-library with --spark"), r.err());
    r = Cli.run(sweep(set, db, "--seed-list", "1,1"));
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("relgraph: training seeds repeat"), r.err());
    r = Cli.run("sweep", "--graphs", "paper:53", "--db", db.toString(), "--trainer", "fake");
    assertEquals(2, r.status());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(Files.exists(db), "nothing created before the sweep can start");
    Path notDb = Files.writeString(dir.resolve("notes.txt"), "x".repeat(200));
    r = Cli.run(sweep(set, notDb));
    assertEquals(1, r.status());
    assertEquals("relgraph: results database " + notDb + " is not an SQLite database\n", r.err());
  }

  @Test
  void helpListsTheOptionsButNotTheTestTrainer() {
    Cli r = Cli.run("sweep", "--help");
    assertEquals(0, r.status());
    assertTrue(r.out().contains("--graphs"), r.out());
    assertTrue(r.out().contains("--workers"), r.out());
    assertFalse(r.out().contains("--trainer"), r.out());
    assertFalse(r.out().contains("fake"), r.out());
    assertTrue(Cli.run("--help").out().contains("sweep"));
  }

  @Test
  void realTrainerRecordsMatchedWidthsAndEpochs(@TempDir Path dir) throws Exception {
    Path set = graphSet(dir, 2);
    Path db = dir.resolve("real.db");
    Cli r =
        Cli.run(
            "sweep",
            "--graphs",
            set.toString(),
            "--db",
            db.toString(),
            "--seeds",
            "1",
            "--dataset",
            "synthetic",
            "--epochs",
            "2");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("3 finished, 0 skipped"), r.out());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT kind, width, flops_deviation, epochs, backend, mode,"
                        + " top1_error, config_key FROM runs")) {
      int rows = 0;
      while (rs.next()) {
        rows++;
        boolean complete = rs.getString(1).equals("complete");
        assertTrue(complete ? rs.getInt(2) == 512 : rs.getInt(2) > 512, "width " + rs.getInt(2));
        double dev = rs.getDouble(3);
        assertTrue(dev >= 0 && dev <= 0.005, "deviation " + dev);
        assertEquals(2, rs.getInt(4));
        assertTrue(rs.getString(5).startsWith("CpuBackend"), rs.getString(5));
        assertEquals("blocksparse", rs.getString(6));
        assertTrue(rs.getDouble(7) > 0 && rs.getDouble(7) < 30, "error " + rs.getDouble(7));
        assertTrue(rs.getString(8).contains("dataset=synthetic;mode=blocksparse"), rs.getString(8));
      }
      assertEquals(3, rows);
    }
  }
}
