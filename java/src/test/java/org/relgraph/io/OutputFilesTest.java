package org.relgraph.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFilesTest {
  private static final int S_IFMT = 0170000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFIFO = 0010000;

  /** The file type and mode bits, without following a link. */
  static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }

  static boolean root() throws IOException {
    // /proc/self belongs to the process's effective user.
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
  }

  /** The mode a new file gets from the umask: what the shell's {@code >} would create. */
  static int defaultMode() throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "umask").start();
    String umask = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
    assertEquals(0, p.waitFor());
    return 0666 & ~Integer.parseInt(umask, 8);
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
  }

  @Test
  void aNewFileGetsTheDefaultMode(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("new.txt");
    OutputFiles.writeString(f, "hello\n");
    assertEquals("hello\n", Files.readString(f));
    assertEquals(defaultMode(), mode(f) & 0777, Integer.toOctalString(mode(f)));
    assertEquals(List.of("new.txt"), names(dir), "no temporary file left");
  }

  @Test
  void aRegularFileIsReplacedAtomicallyAndKeepsItsMode(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("out.csv");
    Files.writeString(f, "old content, longer than the new\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    Object before = Files.readAttributes(f, "unix:ino").get("ino");
    OutputFiles.writeText(f, w -> w.write("new\n"));
    assertEquals("new\n", Files.readString(f));
    assertNotEquals(before, Files.readAttributes(f, "unix:ino").get("ino"), "renamed into place");
    assertEquals(0640, mode(f) & 0777);
    assertEquals(List.of("out.csv"), names(dir));
  }

  @Test
  void rootReplacingAUsersFileLeavesItTheUsers(@TempDir Path dir) throws Exception {
    assumeTrue(root(), "only root can give a file to another user");
    Path f = Files.writeString(dir.resolve("theirs.txt"), "old");
    UserPrincipal nobody =
        f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(f, nobody);
    OutputFiles.writeString(f, "new");
    assertEquals("new", Files.readString(f));
    assertEquals(nobody, Files.getOwner(f));
  }

  @Test
  void aFailedWriteLeavesTheOldFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("model.rgm");
    Files.writeString(f, "old");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                OutputFiles.write(
                    f,
                    out -> {
                      out.write("half".getBytes(StandardCharsets.UTF_8));
                      throw new IOException("disk full");
                    }));
    assertEquals("disk full", e.getMessage());
    assertEquals("old", Files.readString(f));
    assertEquals(List.of("model.rgm"), names(dir), "the temporary file is removed");
  }

  @Test
  void aSymlinkIsFollowedAndKept(@TempDir Path dir) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path links = Files.createDirectories(dir.resolve("links"));
    Path target = Files.writeString(data.resolve("graph.txt"), "old\n");
    Path link = Files.createSymbolicLink(links.resolve("graph.txt"), Path.of("../data/graph.txt"));
    OutputFiles.writeString(link, "new\n");
    assertTrue(Files.isSymbolicLink(link), "the link stays a link");
    assertEquals(Path.of("../data/graph.txt"), Files.readSymbolicLink(link));
    assertEquals("new\n", Files.readString(target));
    assertEquals(List.of("graph.txt"), names(links));
    assertEquals(List.of("graph.txt"), names(data));

    // A dangling link: the file it names is created, as by a shell's '>'.
    Path dangling = Files.createSymbolicLink(links.resolve("later.txt"), data.resolve("later.txt"));
    OutputFiles.writeString(dangling, "created\n");
    assertTrue(Files.isSymbolicLink(dangling));
    assertEquals("created\n", Files.readString(data.resolve("later.txt")));
    assertEquals(defaultMode(), mode(data.resolve("later.txt")) & 0777);
  }

  @Test
  void aFifoIsWrittenInPlace(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("pipe");
    run("mkfifo", fifo.toString());
    CompletableFuture<byte[]> read =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    OutputFiles.writeString(fifo, "through the pipe\n");
    assertArrayEquals(
        "through the pipe\n".getBytes(StandardCharsets.UTF_8), read.get(30, TimeUnit.SECONDS));
    assertEquals(S_IFIFO, mode(fifo) & S_IFMT, "still a FIFO");
    assertEquals(List.of("pipe"), names(dir), "no temporary file beside it");
  }

  @Test
  void aCharacterDeviceIsWrittenInPlace(@TempDir Path dir) throws Exception {
    assumeTrue(root(), "creating a device node (mknod) needs root");
    Path dev = dir.resolve("null");
    run("mknod", dev.toString(), "c", "1", "3");
    Path link = Files.createSymbolicLink(dir.resolve("to-null"), dev);
    OutputFiles.writeString(dev, "discarded\n");
    OutputFiles.writeString(link, "discarded too\n");
    assertEquals(S_IFCHR, mode(dev) & S_IFMT, "still a character device");
    assertTrue(Files.isSymbolicLink(link));
    assertEquals(List.of("null", "to-null"), names(dir), "no temporary file beside it");
  }

  @Test
  void checkFileAcceptsWritablePaths(@TempDir Path dir) throws Exception {
    OutputFiles.checkFile(dir.resolve("new.txt"), "-o");
    OutputFiles.checkFile(Files.writeString(dir.resolve("old.txt"), "x"), "-o");
    OutputFiles.checkFile(
        Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("new.txt")), "-o");
    Path fifo = dir.resolve("pipe");
    run("mkfifo", fifo.toString());
    OutputFiles.checkFile(fifo, "-o");
    assertEquals(List.of("dangling", "old.txt", "pipe"), names(dir), "checking creates nothing");
  }

  @Test
  void checkFileRefusesDirectoriesAndMissingParents(@TempDir Path dir) throws Exception {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OutputFiles.checkFile(dir, "--save"));
    assertEquals("--save " + dir + ": is a directory", e.getMessage());

    Path missing = dir.resolve("nonexistent").resolve("x");
    e =
        assertThrows(
            IllegalArgumentException.class, () -> OutputFiles.checkFile(missing, "--save"));
    assertEquals(
        "--save " + missing + ": directory " + missing.getParent() + " does not exist",
        e.getMessage());

    Path file = Files.writeString(dir.resolve("file"), "x");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputFiles.checkFile(file.resolve("x"), "--save"));
    assertTrue(e.getMessage().startsWith("--save " + file.resolve("x") + ": "), e.getMessage());

    Path linkToDir = Files.createSymbolicLink(dir.resolve("link"), dir);
    e =
        assertThrows(
            IllegalArgumentException.class, () -> OutputFiles.checkFile(linkToDir, "--save"));
    assertTrue(e.getMessage().endsWith(": is a directory"), e.getMessage());
  }

  @Test
  void checkFileRefusesAnUnwritableDirectory(@TempDir Path dir) throws Exception {
    assumeFalse(root(), "root writes into read-only directories");
    Path ro = Files.createDirectories(dir.resolve("ro"));
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> OutputFiles.checkFile(ro.resolve("x"), "--out"));
      assertTrue(e.getMessage().endsWith("is not writable"), e.getMessage());
    } finally {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /**
   * Root is not stopped by permissions, but is by an immutable directory ({@code chattr +i}), which
   * {@code access(2)} reports as not writable to root too.
   */
  @Test
  void checkFileRefusesAnImmutableDirectoryEvenForRoot(@TempDir Path dir) throws Exception {
    assumeTrue(root(), "only root can make a directory immutable");
    Path ro = Files.createDirectories(dir.resolve("ro"));
    Process chattr = new ProcessBuilder("chattr", "+i", ro.toString()).start();
    assumeTrue(
        chattr.waitFor() == 0,
        "chattr +i failed here (no chattr, no CAP_LINUX_IMMUTABLE, or a file system without the"
            + " immutable flag)");
    try {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> OutputFiles.checkFile(ro.resolve("x"), "--out"));
      assertTrue(e.getMessage().endsWith("is not writable"), e.getMessage());
    } finally {
      run("chattr", "-i", ro.toString());
    }
  }

  @Test
  void checkDirectoryAcceptsNewDirectoriesAndChecksTheFilesInside(@TempDir Path dir)
      throws Exception {
    OutputFiles.checkDirectory(dir.resolve("a").resolve("b"), "--out", "report.md");
    assertFalse(Files.exists(dir.resolve("a")), "checking creates nothing");

    Path file = Files.writeString(dir.resolve("file"), "x");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> OutputFiles.checkDirectory(file, "--out"));
    assertEquals("--out " + file + " exists and is not a directory", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputFiles.checkDirectory(file.resolve("sub"), "--out"));
    assertTrue(e.getMessage().contains(file + " is not a directory"), e.getMessage());

    Path out = Files.createDirectories(dir.resolve("out"));
    Files.createDirectories(out.resolve("report.md"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputFiles.checkDirectory(out, "--out", "summary.md", "report.md"));
    assertEquals("--out " + out.resolve("report.md") + ": is a directory", e.getMessage());
  }
}
