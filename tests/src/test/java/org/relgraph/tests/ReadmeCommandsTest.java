package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's commands run through the launcher as a user runs them (output moved to a temporary
 * folder). Slow. The main job runs as written but on 4 of the 52 graphs for 1 epoch and 1 seed,
 * which keeps every step (build check, data, sweep, analysis, report) and fits the test budget.
 */
@Tag("slow")
class ReadmeCommandsTest {
  private static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("relgraph"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("project root with ./relgraph not found");
    }
    return p;
  }

  private static String readmeLine(String contains) throws IOException {
    List<String> readme = Files.readAllLines(root().resolve("README.md"));
    return readme.stream()
        .map(String::strip)
        .filter(l -> l.contains(contains))
        .findFirst()
        .orElseThrow(() -> new AssertionError("README has no line with " + contains));
  }

  private static String run(String command) throws Exception {
    Process p =
        new ProcessBuilder("bash", "-c", command)
            .directory(root().toFile())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "command finished");
    assertEquals(0, p.exitValue(), log);
    return log;
  }

  @Test
  void mainJobTrainsTheGraphsAndWritesTheReport(@TempDir Path dir) throws Exception {
    assumeTrue(
        Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")),
        "Fashion-MNIST not installed: apt-get install dataset-fashion-mnist");
    List<String> readme = Files.readAllLines(root().resolve("README.md"));
    String mainJob =
        readme.stream()
            .map(String::strip)
            .filter(l -> l.startsWith("./relgraph "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("README has no ./relgraph command"));
    assertTrue(mainJob.startsWith("./relgraph quickstart"), mainJob);
    Path graphs = dir.resolve("graphs.csv");
    try (var in =
        ReadmeCommandsTest.class.getResourceAsStream("/org/relgraph/graph2nn/graphs_n64_52.csv")) {
      List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      Files.write(graphs, lines.subList(0, 5));
    }
    Path out = dir.resolve("quickstart");
    String command =
        mainJob.replaceAll("--out\\s+\\S+", "--out " + out)
            + " --graphs "
            + graphs
            + " --epochs 1 --seeds 1";
    String log = run(command);
    assertTrue(log.contains("report: " + out.resolve("report.md")), log);
    assertTrue(log.contains("complete graph (baseline):"), log);
    assertTrue(Files.readString(out.resolve("report.md")).contains("Sweet-spot analysis"));
    assertTrue(Files.size(out.resolve("heatmap.png")) > 5_000);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out.resolve("results.db"));
        ResultSet r =
            c.createStatement().executeQuery("SELECT count(*), min(top1_error) FROM runs")) {
      assertEquals(5, r.getInt(1), "4 graphs and the baseline");
      assertTrue(r.getDouble(2) > 5 && r.getDouble(2) < 30, "one epoch's error " + r.getDouble(2));
    }
    // Run again: every run is already in the database.
    String again = run(command);
    assertTrue(again.contains("0 finished, 5 skipped"), again);
  }

  @Test
  void designSpaceCommandWritesTheSpaceAndItsPlot(@TempDir Path dir) throws Exception {
    String line = readmeLine("design-space --nodes 64 --out");
    String command =
        "./"
            + line.substring(
                line.indexOf("relgraph design-space"),
                line.indexOf('`', line.indexOf("relgraph design-space")));
    Path out = dir.resolve("design-space");
    String log = run(command.replaceAll("--out\\s+\\S+", "--out " + out));
    assertTrue(log.contains("graphs/s"), log);
    assertTrue(Files.size(out.resolve("graphs.csv")) > 100_000_000L, "whole design space");
    assertTrue(Files.size(out.resolve("coverage.png")) > 10_000);
    assertLines(out.resolve("sample_fine.csv"), 3000);
  }

  private static void assertLines(Path file, int atLeast) throws IOException {
    try (var lines = Files.lines(file)) {
      long n = lines.count();
      assertTrue(n > atLeast, file + " has " + n + " lines");
    }
  }
}
