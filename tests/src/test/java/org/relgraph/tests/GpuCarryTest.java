package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cuda-kernels/gpu-carry.sh} makes a folder of at most 60 MiB whose own Java runtime runs
 * the CLI: {@code relgraph backends} there lists the cuda backend, and the GPU check finds its
 * files.
 */
@Tag("slow")
class GpuCarryTest {
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

  private static String run(Path dir, String... command) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "timed out: " + String.join(" ", command));
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
    return out;
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .sum();
    }
  }

  @Test
  void theCarriedFolderIsSelfContainedAndSmall(@TempDir Path tmp) throws Exception {
    Path root = root();
    assumeTrue(
        Files.exists(root.resolve("java/target/relgraph.jar"))
            && Files.isDirectory(root.resolve("java/target/lib")),
        "the CLI is not packaged (java/target/relgraph.jar): run the build's package phase first");
    Path out = tmp.resolve("carry");
    String log =
        run(root, "bash", root.resolve("cuda-kernels/gpu-carry.sh").toString(), out.toString());
    assertTrue(log.contains("ready"), log);
    assertTrue(size(out) <= 60L << 20, "carried folder is " + size(out) + " bytes");
    assertTrue(Files.isExecutable(out.resolve("java-runtime/bin/java")));
    assertTrue(Files.exists(out.resolve("relgraph.jar")));

    String backends =
        run(
            out,
            out.resolve("java-runtime/bin/java").toString(),
            "-jar",
            out.resolve("relgraph.jar").toString(),
            "backends");
    assertTrue(backends.contains("\ncuda  available: "), backends);
    assertTrue(backends.contains("\njava  available: yes\n"), backends);
    assertTrue(run(out, "bash", "relgraph", "--version").strip().length() > 0);
  }
}
