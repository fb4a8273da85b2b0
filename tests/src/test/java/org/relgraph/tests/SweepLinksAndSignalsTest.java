package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relgraph sweep} as separate processes: a sweep through another name of a running sweep's
 * database (a symbolic link, a hard link in another directory) is refused; SIGTERM and Ctrl-C stop
 * a sweep with a word on what was kept and how to resume.
 */
class SweepLinksAndSignalsTest {
  /** Waits until the sweep writing {@code err} has finished {@code runs} runs. */
  private static void awaitFinished(Process p, Path err, int runs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (SweepKillTest.finishedLines(err) < runs) {
      assertTrue(p.isAlive(), "ended early: " + SweepKillTest.read(err));
      assertTrue(System.nanoTime() < deadline, "progress: " + SweepKillTest.read(err));
      Thread.sleep(10);
    }
  }

  @Test
  void sweepsThroughASymbolicLinkOrAHardLinkAreRefused(@TempDir Path dir) throws Exception {
    Path set = SweepCliTest.graphSet(dir, 6);
    Path a = Files.createDirectories(dir.resolve("a"));
    Path b = Files.createDirectories(dir.resolve("b"));
    Path db = a.resolve("results.db");
    // 7 runs of 6 s on one worker: it runs for as long as the checks take, then is stopped
    List<String> slow = SweepKillTest.args(set, db, 2000, 1, 1);
    Process first = SweepKillTest.start(dir, "first", slow);
    Path firstErr = dir.resolve("first.err");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!SweepKillTest.read(firstErr).contains("relgraph: sweep of 7 runs")) {
      assertTrue(first.isAlive(), SweepKillTest.read(firstErr));
      assertTrue(System.nanoTime() < deadline, "the first sweep starts");
      Thread.sleep(10);
    }
    Path symlink = Files.createSymbolicLink(b.resolve("link.db"), Path.of("../a/results.db"));
    Path hardLink = Files.createLink(b.resolve("hard.db"), db);

    for (Path name : List.of(symlink, hardLink)) {
      List<String> fast = SweepKillTest.args(set, name, 0, 1, 1);
      List<String> args = new ArrayList<>(List.of("sweep"));
      args.addAll(fast);
      String busy =
          "relgraph: results database "
              + name
              + " is in use by another sweep (pid "
              + first.pid()
              + ")\n";
      // from this JVM ...
      assertTrue(first.isAlive(), SweepKillTest.read(firstErr));
      Cli r = Cli.run(args.toArray(String[]::new));
      assertEquals(75, r.status(), r.err());
      assertEquals(busy, r.err());
      assertEquals("", r.out());
      // ... and from another process
      String tag = name.getFileName().toString();
      Process other = SweepKillTest.start(dir, tag, fast);
      assertTrue(other.waitFor(60, TimeUnit.SECONDS));
      assertTrue(first.isAlive(), "the first sweep still runs: " + SweepKillTest.read(firstErr));
      assertEquals(75, other.exitValue(), SweepKillTest.read(dir.resolve(tag + ".err")));
      assertEquals(busy, SweepKillTest.read(dir.resolve(tag + ".err")));
      assertEquals("", SweepKillTest.read(dir.resolve(tag + ".out")));
    }
    first.destroy(); // SIGTERM
    assertTrue(first.waitFor(60, TimeUnit.SECONDS));
    assertEquals(143, first.exitValue(), SweepKillTest.read(firstErr));
    // nothing ran twice: the database holds only the first sweep's runs
    assertEquals(SweepKillTest.finishedLines(firstErr), SweepKillTest.rows(db));
    assertTrue(SweepKillTest.rows(db) < 7, "the first sweep was stopped before it completed");
  }

  /** Stops a sweep with {@code signal} after two runs; checks its report, then resumes it. */
  private static void stopAndResume(Path dir, String signal, int status) throws Exception {
    Path set = SweepCliTest.graphSet(dir, 6);
    Path db = dir.resolve("results.db");
    Set<String> expected = SweepKillTest.expectedKeys(set, 2);
    List<String> args = SweepKillTest.args(set, db, 300, 2, 2); // 14 runs of 0.9 s, 2 at once
    Process p = SweepKillTest.start(dir, "stopped", args);
    Path err = dir.resolve("stopped.err");
    awaitFinished(p, err, 2);
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    assertEquals(0, kill.waitFor());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(status, p.exitValue(), SweepKillTest.read(err));

    int kept = SweepKillTest.rows(db);
    assertTrue(kept >= 2 && kept < 14, "kept " + kept);
    List<String> lines = SweepKillTest.read(err).lines().toList();
    String last = lines.get(lines.size() - 1);
    long finished = SweepKillTest.finishedLines(err);
    assertEquals(kept, finished, "every run reported finished is recorded");
    String resume = "relgraph sweep " + String.join(" ", args);
    assertTrue(
        last.matches(
            "relgraph: sweep stopped: "
                + kept
                + " runs finished and recorded by this sweep, "
                + kept
                + " of 14 runs now in "
                + java.util.regex.Pattern.quote(db.toString())
                + "( \\(\\d runs? in progress dropped\\))?; to resume, run the same command"
                + " again: "
                + java.util.regex.Pattern.quote(resume)),
        last);
    assertEquals("", SweepKillTest.read(dir.resolve("stopped.out")));

    // the command it names resumes the sweep
    Process again = SweepKillTest.start(dir, "again", args);
    assertTrue(again.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, again.exitValue(), SweepKillTest.read(dir.resolve("again.err")));
    assertTrue(
        SweepKillTest.read(dir.resolve("again.out"))
            .startsWith((14 - kept) + " finished, " + kept + " skipped"));
    SweepKillTest.assertComplete(db, expected);
  }

  @Test
  void sigtermStopsASweepSayingWhatWasKeptAndHowToResume(@TempDir Path dir) throws Exception {
    stopAndResume(dir, "TERM", 143);
  }

  @Test
  void ctrlCStopsASweepLikeSigterm(@TempDir Path dir) throws Exception {
    Assumptions.assumeFalse(
        sigintIgnored(),
        "this test process ignores SIGINT (started in the background without job control), so"
            + " would the sweep it starts");
    stopAndResume(dir, "INT", 130);
  }

  /**
   * Whether this process ignores SIGINT (from Linux's /proc/self/status): a JVM started so, e.g. in
   * the background of a shell without job control, passes that on to its children, and a child JVM
   * that ignores SIGINT never hears Ctrl-C.
   */
  private static boolean sigintIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        long mask = Long.parseUnsignedLong(line.substring(7).strip(), 16);
        return (mask & (1L << 1)) != 0; // bit n-1 for signal n; SIGINT is 2
      }
    }
    return false;
  }
}
