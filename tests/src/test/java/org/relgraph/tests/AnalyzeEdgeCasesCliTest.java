package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code relgraph analyze} on sweeps that are small, uniform, or not writable. */
class AnalyzeEdgeCasesCliTest {
  private static void assertReport(Cli r, Path out) {
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.err());
    assertTrue(Files.exists(out.resolve("report.md")), r.out());
    assertTrue(Files.exists(out.resolve("heatmap.png")), r.out());
  }

  @Test
  void oneRunGetsAReport(@TempDir Path dir) throws Exception {
    Path set = SweepCliTest.graphSet(dir, 1);
    Path db = dir.resolve("one.db");
    Cli r = Cli.run(SweepCliTest.sweep(set, db, "--seeds", "1", "--no-baseline"));
    assertEquals(0, r.status(), r.err());
    Path out = dir.resolve("out");
    assertReport(Cli.run("analyze", "--db", db.toString(), "--out", out.toString()), out);
  }

  @Test
  void graphsInOneBinGetAReport(@TempDir Path dir) throws Exception {
    // three graphs of about one C and L, each trained once: every run in one bin
    Path csv = dir.resolve("results.csv");
    Files.writeString(
        csv,
        "model,kind,k_over_n,p,graph_seed,clustering,path_length,train_seed,epoch,top1_error\n"
            + "m,ws-flex,0.2,0.1,1,0.301,2.01,1,10,9.671\n"
            + "m,ws-flex,0.2,0.2,2,0.302,2.02,1,10,9.673\n"
            + "m,ws-flex,0.2,0.3,3,0.303,2.03,1,10,9.675\n");
    Path out = dir.resolve("out");
    assertReport(
        Cli.run("analyze", "--results", csv.toString(), "--out", out.toString(), "--mode", "bin"),
        out);
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false; // no such program
    }
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * A database in a directory nobody may write to: {@code chmod 555}, or, as root, whom permissions
   * do not stop, an immutable directory ({@code chattr +i}, which binds root too).
   */
  @Test
  void aDatabaseInAReadOnlyDirectoryIsAnalysed(@TempDir Path dir) throws Exception {
    Path set = SweepCliTest.graphSet(dir, 3);
    Path store = Files.createDirectories(dir.resolve("store"));
    Path db = store.resolve("results.db");
    assertEquals(0, Cli.run(SweepCliTest.sweep(set, db, "--seeds", "2")).status());
    Files.deleteIfExists(store.resolve("results.db.lock"));
    assertEquals(List.of("results.db"), listing(store));
    boolean root = "root".equals(System.getProperty("user.name"));
    String[] protect = root ? new String[] {"chattr", "+i"} : new String[] {"chmod", "555"};
    String[] release = root ? new String[] {"chattr", "-i"} : new String[] {"chmod", "755"};
    Assumptions.assumeTrue(
        run(protect[0], protect[1], store.toString()),
        String.join(" ", protect)
            + " failed here (as root: no chattr, no CAP_LINUX_IMMUTABLE, or a file system"
            + " without the immutable flag)");
    try {
      Assumptions.assumeFalse(
          run("touch", store.resolve("probe").toString()),
          String.join(" ", protect) + " did not stop writes to the directory");
      Path out = dir.resolve("out");
      assertReport(Cli.run("analyze", "--db", db.toString(), "--out", out.toString()), out);
      assertEquals(List.of("results.db"), listing(store));
    } finally {
      assertTrue(run(release[0], release[1], store.toString()), String.join(" ", release));
    }
  }
}
