package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code ./relgraph} when several start at once after a source change: one builds, the
 * others wait and then run the finished jar, and a rebuild waits for the commands still running the
 * old one. Runs a copy of the launcher in a scratch project with stubs of mvn (a slow build that
 * writes the jar in two steps), g++ and java (which checks that the jar is whole).
 */
class LauncherLockTest {
  private static final String WHOLE_JAR = "PART\nEND\n";

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

  private static void script(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** A scratch project: the launcher, the files it watches, and stubs on PATH. */
  private static Path project(Path dir) throws IOException {
    Path project = Files.createDirectories(dir.resolve("project"));
    Files.copy(root().resolve("relgraph"), project.resolve("relgraph"));
    for (String f :
        List.of(
            "pom.xml",
            "java/pom.xml",
            "java/src/main/A.java",
            "native/pom.xml",
            "native/src/main/a.cpp")) {
      Files.createDirectories(project.resolve(f).getParent());
      Files.writeString(project.resolve(f), "");
    }
    Path bin = Files.createDirectories(dir.resolve("bin"));
    // The build writes the jar in two steps, a second apart, as a real one writes it over time.
    script(
        bin.resolve("mvn"),
        """
        #!/bin/sh
        while [ "$1" != -f ]; do shift; done
        root=$(dirname "$2")
        mkdir -p "$root/java/target"
        printf 'PART\\n' > "$root/java/target/relgraph.jar"
        echo mvn-start >> "$root/events"
        sleep 2
        printf 'END\\n' >> "$root/java/target/relgraph.jar"
        echo mvn-end >> "$root/events"
        """);
    script(bin.resolve("g++"), "#!/bin/sh\nexit 0\n");
    script(
        bin.resolve("java"),
        """
        #!/bin/sh
        while [ "$1" != -jar ]; do shift; done
        jar=$2
        root=$(dirname "$(dirname "$(dirname "$jar")")")
        if [ "$(cat "$jar")" != "$(printf 'PART\\nEND')" ]; then
          echo "Invalid or corrupt jarfile $jar" >&2
          exit 1
        fi
        echo "ran the whole jar"
        sleep "${STUB_JAVA_SECONDS:-0}"
        echo "java-end $STUB_JAVA_NAME" >> "$root/events"
        """);
    return project;
  }

  private static Process launch(Path dir, Path project, Map<String, String> env)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder("bash", project.resolve("relgraph").toString(), "generate")
            .directory(project.toFile())
            .redirectErrorStream(true);
    pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
    pb.environment().putAll(env);
    return pb.start();
  }

  private static String finish(Process p) throws Exception {
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher finished");
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("ran the whole jar"), out);
    return out;
  }

  private static List<String> events(Path project) throws IOException {
    Path f = project.resolve("events");
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  private static void awaitEvent(Path project, String event) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!events(project).contains(event)) {
      assertTrue(System.nanoTime() < deadline, "no " + event + " in " + events(project));
      Thread.sleep(20);
    }
  }

  /** Sources changed after the jar was built. */
  private static void touchSources(Path project) throws IOException {
    Instant now = Instant.now();
    Files.setLastModifiedTime(project.resolve("java/src/main/A.java"), FileTime.from(now));
    Path jar = project.resolve("java/target/relgraph.jar");
    if (Files.exists(jar)) {
      Files.setLastModifiedTime(jar, FileTime.from(now.minusSeconds(3600)));
    }
  }

  @Test
  void concurrentFirstUsesBuildOnceAndNeverRunAHalfWrittenJar(@TempDir Path dir) throws Exception {
    assumeTrue(
        new ProcessBuilder("sh", "-c", "command -v flock").start().waitFor() == 0,
        "the launcher locks with flock (util-linux)");
    Path project = project(dir);
    Files.createDirectories(project.resolve("java/target"));
    Files.writeString(project.resolve("java/target/relgraph.jar"), WHOLE_JAR);
    touchSources(project);

    // Two first uses at once; a third while the build is half done, when the jar already looks
    // newer than the sources.
    Process a = launch(dir, project, Map.of());
    Process b = launch(dir, project, Map.of());
    awaitEvent(project, "mvn-start");
    Process c = launch(dir, project, Map.of());
    finish(a);
    finish(b);
    finish(c);
    assertEquals(
        1, events(project).stream().filter(e -> e.equals("mvn-start")).count(), "one build");
    assertEquals(WHOLE_JAR, Files.readString(project.resolve("java/target/relgraph.jar")));

    // A command runs from the current build; the sources change; the next launcher waits for the
    // running command to finish before it rebuilds.
    Files.delete(project.resolve("events"));
    Process running =
        launch(dir, project, Map.of("STUB_JAVA_SECONDS", "3", "STUB_JAVA_NAME", "running"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!new String(running.getInputStream().readNBytes(18), StandardCharsets.UTF_8)
        .startsWith("ran the whole jar")) {
      assertTrue(System.nanoTime() < deadline, "the first command started");
    }
    touchSources(project);
    Process rebuild = launch(dir, project, Map.of("STUB_JAVA_NAME", "rebuilt"));
    String out = finish(rebuild);
    assertTrue(running.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, running.exitValue());
    assertTrue(out.contains("waiting for the relgraph commands"), out);
    assertEquals(
        List.of("java-end running", "mvn-start", "mvn-end", "java-end rebuilt"), events(project));
  }
}
