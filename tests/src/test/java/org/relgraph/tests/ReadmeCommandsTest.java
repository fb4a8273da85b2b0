package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, the main job, run through the launcher as a user runs it (with its
 * output directory moved to a temporary folder). Slow: it sweeps the whole n = 64 design space.
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

  @Test
  void mainJobWritesTheDesignSpaceAndItsPlot(@TempDir Path dir) throws Exception {
    Path root = root();
    List<String> readme = Files.readAllLines(root.resolve("README.md"));
    String mainJob =
        readme.stream()
            .map(String::strip)
            .filter(l -> l.startsWith("./relgraph "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("README has no ./relgraph command"));
    assertTrue(mainJob.contains("design-space"), mainJob);
    Path out = dir.resolve("main-job");
    String command = mainJob.replaceAll("--out\\s+\\S+", "--out " + out);
    Process p =
        new ProcessBuilder("bash", "-c", command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "main job finished");
    assertEquals(0, p.exitValue(), log);
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
