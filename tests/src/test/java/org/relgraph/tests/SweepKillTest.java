package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.sweep.SweepGraphs;
import org.relgraph.sweep.SweepSpec;
import org.relgraph.sweep.SweepTrainers;

/**
 * {@code relgraph sweep} as separate processes: killed with SIGKILL at random moments and started
 * again until it completes, it records every run exactly once in an intact database; a second sweep
 * on the database of a running one is refused.
 */
class SweepKillTest {
  private static final int EPOCHS = 3;

  /** Starts {@code relgraph sweep} in a new JVM; its output goes to files in {@code dir}. */
  static Process start(Path dir, String name, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1"); // starts faster
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.relgraph.cli.Main");
    command.add("sweep");
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".err").toFile())
        .start();
  }

  static List<String> args(Path set, Path db, long epochMillis, int seeds, int workers) {
    return List.of(
        "--graphs",
        set.toString(),
        "--db",
        db.toString(),
        "--seeds",
        Integer.toString(seeds),
        "--workers",
        Integer.toString(workers),
        "--epochs",
        Integer.toString(EPOCHS),
        "--trainer",
        "fake",
        "--fake-epoch-ms",
        Long.toString(epochMillis));
  }

  static Set<String> expectedKeys(Path set, int seeds) {
    SweepTrainers.Options o =
        new SweepTrainers.Options("fake", "mlp-fashion-mnist", EPOCHS, 0, null);
    List<Integer> s = new ArrayList<>();
    for (int i = 0; i < seeds; i++) {
      s.add(i);
    }
    Set<String> out = new HashSet<>();
    for (SweepSpec.Run r :
        new SweepSpec(SweepGraphs.load(List.of(set.toString())), s, o.configKey(), o.model(), true)
            .runs()) {
      out.add(r.key());
    }
    return out;
  }

  static int rows(Path db) throws Exception {
    if (!Files.exists(db)) {
      return 0;
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM runs")) {
      return r.getInt(1);
    } catch (java.sql.SQLException e) {
      return 0; // not created yet
    }
  }

  /** Checks the database: intact, and every expected run once, each with all its epochs. */
  static void assertComplete(Path db, Set<String> expected) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
        assertTrue(r.next());
        assertEquals("ok", r.getString(1));
      }
      List<String> keys = new ArrayList<>();
      try (ResultSet r = s.executeQuery("SELECT run_key, epochs, epoch_metrics FROM runs")) {
        while (r.next()) {
          keys.add(r.getString(1));
          assertEquals(EPOCHS, r.getInt(2));
          assertEquals(EPOCHS, JsonParser.parseString(r.getString(3)).getAsJsonArray().size());
        }
      }
      assertEquals(expected.size(), keys.size(), "one row per run");
      assertEquals(expected, new HashSet<>(keys));
    }
  }

  /** Runs a sweep's log reports finished. */
  static long finishedLines(Path err) throws IOException {
    return read(err).lines().filter(l -> l.startsWith("relgraph: [")).count();
  }

  static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  @Test
  void aSweepKilledAtRandomMomentsCompletesWithEveryRunOnce(@TempDir Path dir) throws Exception {
    Path set = SweepCliTest.graphSet(dir, 12);
    Path db = dir.resolve("results.db");
    Set<String> expected = expectedKeys(set, 3);
    assertEquals(39, expected.size()); // (12 graphs + the complete graph) × 3 seeds
    List<String> args = args(set, db, 40, 3, 2);

    // Kill 1 lands anywhere in the first 0.6 s (JVM start, creating the database, the first
    // run); kills 2 to 5 land a random 0 to 120 ms after the process has finished 1 to 4 runs
    // (mid-epoch, mid-commit or between runs); then the sweep is left to complete. Each process
    // finishes at most 6 runs before its kill, so none completes the 39.
    Random random = new Random(20260512);
    int partial = 0;
    int starts = 0;
    for (int kill = 1; kill <= 5; kill++) {
      String name = "run" + starts++;
      Process p = start(dir, name, args);
      if (kill == 1) {
        Thread.sleep(random.nextInt(600));
      } else {
        int target = 1 + random.nextInt(4);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (finishedLines(dir.resolve(name + ".err")) < target) {
          assertTrue(
              p.isAlive(), "killed before it completes: " + read(dir.resolve(name + ".err")));
          assertTrue(System.nanoTime() < deadline, "progress");
          Thread.sleep(5);
        }
        Thread.sleep(random.nextInt(120));
      }
      assertTrue(p.isAlive());
      p.destroyForcibly(); // SIGKILL
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      assertEquals(137, p.exitValue(), "killed by SIGKILL");
      int n = rows(db);
      if (n > 0 && n < expected.size()) {
        partial++;
      }
    }
    assertTrue(partial >= 4, "kills left the sweep half done " + partial + " times");
    String name = "run" + starts;
    Process last = start(dir, name, args);
    assertTrue(last.waitFor(60, TimeUnit.SECONDS), "the sweep completes");
    assertEquals(0, last.exitValue(), read(dir.resolve(name + ".err")));
    assertComplete(db, expected);
    String out = read(dir.resolve(name + ".out"));
    assertTrue(out.matches("(?s)\\d+ finished, [1-9]\\d* skipped .*of 39 runs.*"), out);
  }

  @Test
  void aSecondSweepOnABusyDatabaseIsRefused(@TempDir Path dir) throws Exception {
    Path set = SweepCliTest.graphSet(dir, 6);
    Path db = dir.resolve("results.db");
    Set<String> expected = expectedKeys(set, 1);
    List<String> args = args(set, db, 150, 1, 1); // 7 runs of 0.45 s
    Process first = start(dir, "first", args);
    Path firstErr = dir.resolve("first.err");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!read(firstErr).contains("relgraph: sweep of 7 runs")) {
      assertTrue(first.isAlive(), read(firstErr));
      assertTrue(System.nanoTime() < deadline, "the first sweep starts");
      Thread.sleep(20);
    }
    // From this JVM (another process than the first sweep's)
    List<String> second = new ArrayList<>(List.of("sweep"));
    second.addAll(args);
    Cli r = Cli.run(second.toArray(String[]::new));
    assertEquals(75, r.status(), r.err());
    assertEquals(
        "relgraph: results database "
            + db
            + " is in use by another sweep (pid "
            + first.pid()
            + ")\n",
        r.err());
    assertEquals("", r.out());
    // ... and from a third process
    Process third = start(dir, "third", args);
    assertTrue(third.waitFor(30, TimeUnit.SECONDS));
    assertEquals(75, third.exitValue());
    assertTrue(
        read(dir.resolve("third.err"))
            .contains("is in use by another sweep (pid " + first.pid() + ")"));
    assertTrue(first.isAlive(), "the second sweeps were refused before the first one ended");

    assertTrue(first.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, first.exitValue(), read(firstErr));
    assertTrue(read(dir.resolve("first.out")).startsWith("7 finished, 0 skipped"));
    assertComplete(db, expected);
    r = Cli.run(second.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("0 finished, 7 skipped"), r.out());
  }
}
