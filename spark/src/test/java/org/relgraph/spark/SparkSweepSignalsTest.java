package org.relgraph.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.sweep.ResultsStore;

/**
 * SIGTERM stops a sweep on Spark as it stops a local one: the job is cancelled, what was recorded
 * stays, stderr says how to resume, the status is 143; the same command then completes it.
 */
class SparkSweepSignalsTest {
  private static Process start(Path dir, String name, Path set, Path db) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "org.relgraph.cli.Main",
                "sweep",
                "--graphs",
                set.toString(),
                "--db",
                db.toString(),
                "--seeds",
                "2",
                "--epochs",
                "2",
                "--trainer",
                "fake",
                "--fake-epoch-ms",
                "200",
                "--spark",
                "local[2]"));
    command.addAll(SparkTesting.LOOPBACK);
    return new ProcessBuilder(command)
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".err").toFile())
        .start();
  }

  private static String read(Path f) throws Exception {
    return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
  }

  @Test
  void sigtermStopsTheSweepAndTheSameCommandResumesIt(@TempDir Path dir) throws Exception {
    Path set = SparkTesting.graphSet(dir, 5);
    Path db = dir.resolve("r.db");
    Process p = start(dir, "first", set, db);
    Path err = dir.resolve("first.err");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (read(err).lines().filter(l -> l.startsWith("relgraph: [")).count() < 3) {
        assertTrue(p.isAlive(), read(err));
        assertTrue(System.nanoTime() < deadline, "progress: " + read(err));
        Thread.sleep(20);
      }
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(90, TimeUnit.SECONDS));
    } finally {
      p.destroyForcibly();
    }
    assertEquals(143, p.exitValue(), read(err));
    String stopped =
        read(err)
            .lines()
            .filter(l -> l.startsWith("relgraph: sweep stopped: "))
            .findFirst()
            .orElse("");
    assertTrue(
        stopped.matches(
            "relgraph: sweep stopped: \\d+ runs? finished and recorded by this"
                + " sweep, \\d+ of 12 runs now in .*; to resume, run the same command again: relgraph sweep .*"),
        read(err));
    int kept;
    try (ResultsStore store = ResultsStore.open(db)) {
      kept = store.count();
    }
    assertTrue(kept >= 3 && kept < 12, kept + " runs kept");

    Process again = start(dir, "second", set, db);
    try {
      assertTrue(again.waitFor(120, TimeUnit.SECONDS));
    } finally {
      again.destroyForcibly();
    }
    assertEquals(0, again.exitValue(), read(dir.resolve("second.err")));
    assertTrue(
        read(dir.resolve("second.out")).startsWith((12 - kept) + " finished, " + kept + " skipped"),
        read(dir.resolve("second.out")));
  }
}
