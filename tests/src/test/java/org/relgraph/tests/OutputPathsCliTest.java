package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output paths at the command line: links are followed, devices and FIFOs written in place, and
 * every output path checked before the work starts.
 */
class OutputPathsCliTest {
  private static final int S_IFMT = 0170000;
  private static final int S_IFCHR = 0020000;

  private static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }

  private static boolean root() throws IOException {
    // /proc/self belongs to the process's effective user.
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
  }

  private static void assertOneLineError(Cli r, int status, String... contains) {
    assertEquals(status, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("relgraph: "), r.err());
    for (String c : contains) {
      assertTrue(r.err().contains(c), "'" + c + "' in " + r.err());
    }
  }

  private static Cli generate(Path out) {
    return Cli.run("generate", "ring", "-n", "6", "-k", "2", "-o", out.toString());
  }

  @Test
  void generateOntoASymlinkWritesItsTargetAndKeepsTheLink(@TempDir Path dir) throws Exception {
    Path target = Files.writeString(dir.resolve("graph.txt"), "old\n");
    Path link = Files.createSymbolicLink(dir.resolve("latest.txt"), Path.of("graph.txt"));
    Cli r = generate(link);
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.isSymbolicLink(link), "the link stays a link");
    assertTrue(Files.readString(target).startsWith("# relgraph nodes=6"), Files.readString(target));
    assertEquals(List.of("graph.txt", "latest.txt"), names(dir));
  }

  @Test
  void generateOntoADeviceWritesItInPlace(@TempDir Path dir) throws Exception {
    assumeTrue(root(), "creating a device node (mknod) needs root");
    Path dev = dir.resolve("null");
    run("mknod", dev.toString(), "c", "1", "3");
    Cli r = generate(dev);
    assertEquals(0, r.status(), r.err());
    assertEquals(S_IFCHR, mode(dev) & S_IFMT, "still a character device, not a regular file");
    Path link = Files.createSymbolicLink(dir.resolve("sink"), dev);
    r = generate(link);
    assertEquals(0, r.status(), r.err());
    assertEquals(S_IFCHR, mode(dev) & S_IFMT);
    assertTrue(Files.isSymbolicLink(link));
    assertEquals(List.of("null", "sink"), names(dir), "no temporary file beside the device");
  }

  @Test
  void generateOntoAFifoWritesThroughIt(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("pipe");
    run("mkfifo", fifo.toString());
    CompletableFuture<String> read =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = Files.newInputStream(fifo)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    Cli r = generate(fifo);
    assertEquals(0, r.status(), r.err());
    String text = read.get(30, TimeUnit.SECONDS);
    assertTrue(text.startsWith("# relgraph nodes=6"), text);
    assertFalse(Files.isRegularFile(fifo), "still a FIFO");
    assertEquals(List.of("pipe"), names(dir));
  }

  /**
   * {@code -o /dev/stdout} (a link into /proc) is written through, never replaced: in a separate
   * JVM whose standard output appends to a file that already holds a line, as {@code >> log} does,
   * the line is kept and the graph follows it. Nothing is created in /dev, and the link is kept.
   */
  @Test
  void generateOntoDevStdoutWritesThroughItAndCreatesNothingInDev(@TempDir Path dir)
      throws Exception {
    Path stdout = Path.of("/dev/stdout");
    assumeTrue(Files.isSymbolicLink(stdout), "/dev/stdout is not a link here");
    List<String> before = names(Path.of("/dev"));
    Path log = Files.writeString(dir.resolve("log.txt"), "earlier line\n");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "org.relgraph.cli.Main",
                "generate",
                "ring",
                "-n",
                "6",
                "-k",
                "2",
                "-o",
                stdout.toString())
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectError(dir.resolve("stderr.txt").toFile())
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "generate finished");
    assertEquals(0, p.exitValue(), Files.readString(dir.resolve("stderr.txt")));
    String text = Files.readString(log);
    assertTrue(text.startsWith("earlier line\n# relgraph nodes=6"), text);
    assertTrue(Files.isSymbolicLink(stdout), "/dev/stdout is still a link");
    assertEquals(before, names(Path.of("/dev")), "nothing created or removed in /dev");
  }

  /** The outputs of extract, bench's plots and train's snapshots, checked before any work. */
  @Test
  void extractPlotsAndSnapshotsAreCheckedBeforeTheWork(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    // The model does not exist: reading it first would give another message, with status 1.
    Path model = dir.resolve("missing.rgm");
    Cli r = Cli.run("extract", "--model", model.toString(), "--out", file.toString());
    assertOneLineError(r, 2, "--out " + file, "is not a directory");

    r = Cli.run("bench", "layers", "--quick", "--plot", file.toString());
    assertOneLineError(r, 2, "--plot " + file, "is not a directory");
    assertEquals("", r.out(), "no benchmark ran");

    // The first snapshot's path is a directory; the data directory is empty, so loading it first
    // would fail with another message and status 1.
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path save = dir.resolve("model.rgm");
    Path snapshot = Files.createDirectories(dir.resolve("model-epoch2.rgm"));
    r =
        Cli.run(
            "train",
            "--graph",
            "complete",
            "--dataset",
            "mnist",
            "--data",
            empty.toString(),
            "--save",
            save.toString(),
            "--save-every",
            "2");
    assertOneLineError(r, 2, "--save-every " + snapshot, "is a directory");
  }

  @Test
  void trainChecksSaveBeforeLoadingData(@TempDir Path dir) throws Exception {
    // The data directory is empty: loading it would fail with another message and status 1.
    Path empty = Files.createDirectories(dir.resolve("empty"));
    String[] train = {
      "train", "--graph", "complete", "--dataset", "mnist", "--data", empty.toString(), "--save"
    };
    Cli r = Cli.run(Cli.plus(train, dir.toString()));
    assertOneLineError(r, 2, "--save " + dir, "is a directory");
    Path missing = dir.resolve("nonexistent").resolve("x.rgm");
    r = Cli.run(Cli.plus(train, missing.toString()));
    assertOneLineError(r, 2, "--save " + missing, "does not exist");
    assertFalse(Files.exists(dir.resolve("nonexistent")));
  }

  @Test
  void aSavedModelHasTheModeOfOtherOutputs(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m.rgm");
    Cli r =
        Cli.run(
            "train",
            "--graph",
            "ws-flex:k=8,p=0.3,seed=1,n=16",
            "--dataset",
            "synthetic",
            "--epochs",
            "1",
            "--width",
            "64",
            "--save",
            model.toString());
    assertEquals(0, r.status(), r.err());
    Path graph = dir.resolve("g.txt");
    assertEquals(0, generate(graph).status());
    assertEquals(mode(graph) & 0777, mode(model) & 0777, Integer.toOctalString(mode(model)));
    Process p = new ProcessBuilder("sh", "-c", "umask").start();
    int umask = Integer.parseInt(new String(p.getInputStream().readAllBytes()).strip(), 8);
    assertEquals(0666 & ~umask, mode(model) & 0777, Integer.toOctalString(mode(model)));
  }

  @Test
  void everyCommandChecksItsOutputsBeforeTheWork(@TempDir Path dir) throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path missing = dir.resolve("nonexistent");

    assertOneLineError(generate(missing.resolve("g.txt")), 2, "-o", "does not exist");

    // bench epochs would load the data set first.
    Path csv = missing.resolve("epochs.csv");
    Cli r =
        Cli.run(
            "bench",
            "epochs",
            "--dataset",
            "mnist",
            "--data",
            empty.toString(),
            "--out",
            csv.toString());
    assertOneLineError(r, 2, "--out " + csv, "does not exist");
    assertOneLineError(
        Cli.run("bench", "layers", "--quick", "--out", dir.toString()), 2, "is a directory");

    // A missing --db directory: one clear line, and nothing created.
    Path db = missing.resolve("results.db");
    r =
        Cli.run(
            "sweep",
            "--graphs",
            SweepCliTest.graphSet(dir, 2).toString(),
            "--db",
            db.toString(),
            "--trainer",
            "fake");
    assertOneLineError(r, 2, "--db " + db + ": directory " + missing + " does not exist");
    assertFalse(Files.exists(missing));

    // design-space would sweep the whole space first.
    Path space = Files.createDirectories(dir.resolve("space"));
    Files.createDirectories(space.resolve("summary.md"));
    r = Cli.run("design-space", "--out", space.toString());
    assertOneLineError(r, 2, "--out " + space.resolve("summary.md"), "is a directory");

    // analyze would read and analyse the results first.
    Path report = Files.createDirectories(dir.resolve("analysis").resolve("report.md"));
    r =
        Cli.run(
            "analyze",
            "--results",
            dir.resolve("none.csv").toString(),
            "--out",
            report.getParent().toString());
    assertOneLineError(r, 2, "--out " + report, "is a directory");

    Path file = Files.writeString(dir.resolve("file"), "x");
    r = Cli.run("quickstart", "--out", file.resolve("sub").toString(), "--data", empty.toString());
    assertOneLineError(r, 2, "--out", file + " is not a directory");
  }

  @Test
  void moreThreadsThanProcessorsGetAWarning(@TempDir Path dir) throws Exception {
    int processors = Runtime.getRuntime().availableProcessors();
    assumeTrue(processors < 1024, "--threads stops at 1024");
    String threads = Integer.toString(processors + 1);
    String warning = "relgraph: warning: --threads " + threads + " is more than the " + processors;
    Path empty = Files.createDirectories(dir.resolve("empty"));

    Cli r =
        Cli.run(
            "train",
            "--graph",
            "complete",
            "--dataset",
            "mnist",
            "--data",
            empty.toString(),
            "--threads",
            threads);
    assertEquals(1, r.status(), r.err()); // the data set is missing, after the warning
    assertTrue(r.err().startsWith(warning), r.err());

    r =
        Cli.run(
            SweepCliTest.sweep(
                SweepCliTest.graphSet(dir, 2),
                dir.resolve("s.db"),
                "--workers",
                "1",
                "--threads",
                threads));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains(warning), r.err());

    r =
        Cli.run(
            "design-space",
            "--out",
            dir.resolve("space").toString(),
            "--degree-steps",
            "6",
            "--probability-steps",
            "4",
            "--seeds",
            "2",
            "--no-classic",
            "--threads",
            threads);
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains(warning), r.err());

    r =
        Cli.run(
            "bench",
            "epochs",
            "--dataset",
            "mnist",
            "--data",
            empty.toString(),
            "--threads",
            threads);
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().startsWith(warning), r.err());
  }

  @Test
  void designSpaceShowsProgressLinesWhenNotOnATerminal(@TempDir Path dir) {
    Cli r =
        Cli.run(
            "design-space",
            "--out",
            dir.toString(),
            "--degree-steps",
            "6",
            "--probability-steps",
            "4",
            "--seeds",
            "2",
            "--no-classic",
            "--progress-seconds",
            "0");
    assertEquals(0, r.status(), r.err());
    List<String> lines =
        r.err().lines().filter(l -> l.startsWith("relgraph: design space: ")).toList();
    assertFalse(lines.isEmpty(), r.err());
    String last = lines.get(lines.size() - 1);
    assertTrue(last.matches(".* of [0-9,]+ graphs \\(.*%\\), .* graphs/s, ETA .*"), last);
  }
}
