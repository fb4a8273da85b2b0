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
    Set<String> expected = SweepKillTest.expectedKeys(set, 1);
    // 7 runs of 0.6 s on one worker
    Process first = SweepKillTest.start(dir, "first", SweepKillTest.args(set, db, 200, 1, 1));
    Path firstErr = dir.resolve("first.err");
    awaitFinished(first, firstErr, 1);
    Path symlink = Files.createSymbolicLink(b.resolve("link.db"), Path.of("../a/results.db"));
    Path hardLink = Files.createLink(b.resolve("hard.db"), db);

    for (Path name : List.of(symlink, hardLink)) {
      List<String> args = new ArrayList<>(List.of("sweep"));
      args.addAll(SweepKillTest.args(set, name, 200, 1, 1));
      // from this JVM ...
      Cli r = Cli.run(args.toArray(String[]::new));
      assertEquals(75, r.status(), r.err());
      assertEquals(
          "relgraph: results database "
              + name
              + " is in use by another sweep (pid "
              + first.pid()
              + ")\n",
          r.err());
      assertEquals("", r.out());
      // ... and from another process
      String tag = name.getFileName().toString();
      Process other = SweepKillTest.start(dir, tag, SweepKillTest.args(set, name, 200, 1, 1));
      assertTrue(other.waitFor(60, TimeUnit.SECONDS));
      assertEquals(75, other.exitValue(), SweepKillTest.read(dir.resolve(tag + ".err")));
      assertEquals(
          "relgraph: results database "
              + name
              + " is in use by another sweep (pid "
              + first.pid()
              + ")\n",
          SweepKillTest.read(dir.resolve(tag + ".err")));
      assertEquals("", SweepKillTest.read(dir.resolve(tag + ".out")));
    }
    assertTrue(first.isAlive(), "the other sweeps were refused while the first one ran");
    assertTrue(first.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, first.exitValue(), SweepKillTest.read(firstErr));
    assertTrue(SweepKillTest.read(dir.resolve("first.out")).startsWith("7 finished, 0 skipped"));
    // nothing ran twice: one row per run, each trained once
    SweepKillTest.assertComplete(db, expected);
    assertEquals(7, SweepKillTest.finishedLines(firstErr));
  }

  /** Stops a sweep with {@code signal} after two runs; checks its report, then resumes it. */
  private static void stopAndResume(Path dir, String signal, int status) throws Exception {
    Path set = SweepCliTest.graphSet(dir, 6);
    Path db = dir.resolve("results.db");
    Set<String> expected = SweepKillTest.expectedKeys(set, 2);
    List<String> args = SweepKillTest.args(set, db, 150, 2, 2); // 14 runs of 0.45 s, 2 at once
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
