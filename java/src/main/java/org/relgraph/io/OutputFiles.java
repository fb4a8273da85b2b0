package org.relgraph.io;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every output file relgraph writes (all but the SQLite results database, which SQLite writes) goes
 * through here, so that writing never damages what is at the path.
 *
 * <ul>
 *   <li>A symbolic link is followed: its target is written and the link stays.
 *   <li>A regular file, or a path where nothing exists yet, is written atomically: into a temporary
 *       file in the same directory, which then replaces the target by a rename. A reader sees the
 *       old file or the new one, never half of one, and a failed write leaves the old file intact.
 *   <li>Anything else (a character device such as {@code /dev/null}, a FIFO, a socket) and every
 *       path under {@code /dev} or {@code /proc} (such as {@code /dev/stdout}) is written in place,
 *       as a shell's {@code >} does: it is never replaced, and no temporary file is created next to
 *       it. A descriptor's link ({@code /dev/stdout}, {@code /dev/fd/N}) is appended to, so that
 *       {@code -o /dev/stdout >> log} keeps what the log held, as writing to the descriptor would.
 * </ul>
 *
 * <p>Permissions follow one policy: a new file gets the user's default mode for new files ({@code
 * 0666} less the umask, so usually {@code 0644}); a replaced file keeps its mode (and its owner and
 * group, where the user may set them).
 *
 * <p>{@link #checkFile} and {@link #checkDirectory} check an output path before a command starts
 * its work, so that a mistyped path fails in a second, not after hours of training.
 */
public final class OutputFiles {
  private static final int MAX_LINKS = 40;
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private OutputFiles() {}

  /** Something that writes a whole file as bytes. */
  @FunctionalInterface
  public interface Body {
    /** Writes the file's content; the stream is closed by the caller. */
    void write(OutputStream out) throws IOException;
  }

  /** Something that writes a whole text file. */
  @FunctionalInterface
  public interface TextBody {
    /** Writes the file's content; the writer is closed by the caller. */
    void write(Writer out) throws IOException;
  }

  /**
   * Writes {@code file} with what {@code body} writes, by the rules of this class.
   *
   * @throws IOException when the file cannot be written; a regular file is then left as it was
   */
  public static void write(Path file, Body body) throws IOException {
    Target t = target(file);
    if (t.inPlace()) {
      // An open descriptor's link (/dev/stdout when the shell appends to a file) is appended to,
      // as writing to the descriptor itself would; anything else in place is truncated.
      StandardOpenOption end =
          t.descriptor() ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
      try (OutputStream out =
          new BufferedOutputStream(
              Files.newOutputStream(
                  t.path(), StandardOpenOption.CREATE, end, StandardOpenOption.WRITE),
              1 << 16)) {
        body.write(out);
      }
      return;
    }
    replace(t.path(), t.existing(), body);
  }

  /** Writes {@code file} as UTF-8 text with what {@code body} writes; see {@link #write}. */
  public static void writeText(Path file, TextBody body) throws IOException {
    write(
        file,
        out -> {
          Writer w =
              new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
          body.write(w);
          w.flush();
        });
  }

  /** Writes {@code text} to {@code file} as UTF-8; see {@link #write}. */
  public static void writeString(Path file, String text) throws IOException {
    writeBytes(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code bytes} to {@code file}; see {@link #write}. */
  public static void writeBytes(Path file, byte[] bytes) throws IOException {
    write(file, out -> out.write(bytes));
  }

  /**
   * Writes what {@code body} writes into memory first, then to {@code file}: for encoders that want
   * a stream of their own (e.g. chart encoders that close it).
   */
  public static void writeBuffered(Path file, Body body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    body.write(bytes);
    writeBytes(file, bytes.toByteArray());
  }

  /**
   * Checks, before any work, that {@code file} can be written: it is not a directory; if it exists,
   * it is writable (and, for a regular file, so is its directory, where the temporary file goes);
   * if not, its directory exists and is writable. A symbolic link is checked at its target.
   *
   * @param option how the message names the path's origin, e.g. {@code "--save"}
   * @throws IllegalArgumentException with a one-line message naming {@code option} and the path
   */
  public static void checkFile(Path file, String option) {
    String what = (option == null || option.isEmpty() ? "" : option + " ") + file;
    BasicFileAttributes a = attributes(file, what);
    if (a != null) {
      if (a.isDirectory()) {
        throw new IllegalArgumentException(what + ": is a directory");
      }
      if (!Files.isWritable(file)) {
        throw new IllegalArgumentException(what + ": permission denied (not writable)");
      }
      if (a.isRegularFile() && !special(file)) {
        Path dir = realParent(file, what);
        if (!Files.isWritable(dir)) {
          throw new IllegalArgumentException(
              what + ": directory " + dir + " is not writable (the file is replaced through it)");
        }
      }
      return;
    }
    Path target = followLinks(file, what);
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null) {
      throw new IllegalArgumentException(what + ": not a file path");
    }
    if (!Files.exists(dir)) {
      throw new IllegalArgumentException(what + ": directory " + dir + " does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(what + ": " + dir + " is not a directory");
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalArgumentException(what + ": directory " + dir + " is not writable");
    }
  }

  /**
   * Checks, before any work, an output directory that is created if needed: if it exists, it is a
   * writable directory and none of {@code files} in it is a directory or unwritable (see {@link
   * #checkFile}); if not, its nearest existing ancestor is a writable directory.
   *
   * @param option how the message names the path's origin, e.g. {@code "--out"}
   * @param files names of the files the command writes into the directory
   * @throws IllegalArgumentException with a one-line message naming {@code option} and the path
   */
  public static void checkDirectory(Path dir, String option, String... files) {
    String what = (option == null || option.isEmpty() ? "" : option + " ") + dir;
    BasicFileAttributes a = attributes(dir, what);
    if (a != null) {
      if (!a.isDirectory()) {
        throw new IllegalArgumentException(what + " exists and is not a directory");
      }
      if (!Files.isWritable(dir)) {
        throw new IllegalArgumentException(what + ": directory is not writable");
      }
      for (String f : files) {
        Path p = dir.resolve(f);
        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          checkFile(p, option);
        }
      }
      return;
    }
    Path ancestor = followLinks(dir, what).toAbsolutePath().getParent();
    while (ancestor != null && !Files.exists(ancestor)) {
      ancestor = ancestor.getParent();
    }
    if (ancestor == null) {
      throw new IllegalArgumentException(what + ": cannot be created");
    }
    if (!Files.isDirectory(ancestor)) {
      throw new IllegalArgumentException(what + ": " + ancestor + " is not a directory");
    }
    if (!Files.isWritable(ancestor)) {
      throw new IllegalArgumentException(
          what + ": cannot be created, directory " + ancestor + " is not writable");
    }
  }

  /** Where and how a write goes. */
  private record Target(Path path, boolean inPlace, boolean existing, boolean descriptor) {
    Target(Path path, boolean inPlace, boolean existing) {
      this(path, inPlace, existing, false);
    }
  }

  private static Target target(Path file) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      a = null;
    }
    if (a == null) {
      // Nothing there, or a dangling link: create the file the link names, as a shell would.
      Path target = followLinks(file);
      return new Target(target, special(file) || special(target), false);
    }
    if (a.isDirectory()) {
      throw new FileSystemException(file.toString(), null, "is a directory");
    }
    if (!a.isRegularFile() || special(file)) {
      // Devices, FIFOs, sockets and /dev/stdout: open the path itself (which follows every link,
      // including /proc's links to pipes), never a temporary file beside it.
      return new Target(file, true, true, a.isRegularFile() && descriptor(file));
    }
    Path real = file.toRealPath();
    return new Target(real, special(real), true);
  }

  /**
   * Whether {@code p} names an open file descriptor: /dev/stdout, /dev/stderr, /dev/fd/N or
   * /proc/PID/fd/N.
   */
  private static boolean descriptor(Path p) {
    String abs = p.toAbsolutePath().normalize().toString();
    return abs.equals("/dev/stdout")
        || abs.equals("/dev/stderr")
        || abs.startsWith("/dev/fd/")
        || abs.matches("/proc/[^/]+/fd/[0-9]+");
  }

  /**
   * Whether {@code p} lies in a tree of devices and process files, where no file may be created.
   */
  private static boolean special(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    return abs.startsWith("/dev") || abs.startsWith("/proc");
  }

  /** Writes {@code target} through a temporary sibling that replaces it once complete. */
  private static void replace(Path target, boolean existing, Body body) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    String name = target.getFileName().toString();
    if (name.length() > 180) {
      name = name.substring(0, 180); // leaves room for the suffix within NAME_MAX
    }
    Path tmp =
        dir.resolve(
            "."
                + name
                + "."
                + ProcessHandle.current().pid()
                + "-"
                + SEQUENCE.incrementAndGet()
                + ".tmp");
    // createFile (not createTempFile, which makes 0600 files) gives the user's default mode.
    Files.createFile(tmp);
    boolean moved = false;
    try {
      if (existing) {
        keepMode(target, tmp);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
        body.write(out);
        out.flush();
        ch.force(false);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * Gives {@code to} the mode of {@code from}, and its owner and group where the user may (root
   * replacing a user's file leaves it the user's).
   */
  private static void keepMode(Path from, Path to) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(to, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    PosixFileAttributes old = Files.readAttributes(from, PosixFileAttributes.class);
    view.setPermissions(old.permissions());
    PosixFileAttributes now = view.readAttributes();
    try {
      if (!now.group().equals(old.group())) {
        view.setGroup(old.group());
      }
      if (!now.owner().equals(old.owner())) {
        view.setOwner(old.owner());
      }
    } catch (IOException e) {
      // Not allowed for this user: the new file is the user's own, as after any replacement.
    }
  }

  private static BasicFileAttributes attributes(Path p, String what) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      // Most often a file where a directory should be: name it.
      Path ancestor = p.toAbsolutePath().getParent();
      while (ancestor != null && !Files.exists(ancestor)) {
        ancestor = ancestor.getParent();
      }
      if (ancestor != null && !Files.isDirectory(ancestor)) {
        throw new IllegalArgumentException(what + ": " + ancestor + " is not a directory");
      }
      throw new IllegalArgumentException(what + ": " + reason(e));
    }
  }

  private static Path realParent(Path file, String what) {
    try {
      return file.toRealPath().getParent();
    } catch (IOException e) {
      throw new IllegalArgumentException(what + ": " + reason(e));
    }
  }

  private static Path followLinks(Path file, String what) {
    try {
      return followLinks(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + ": " + reason(e));
    }
  }

  /** The path a chain of symbolic links at {@code file} ends at (itself when it is no link). */
  private static Path followLinks(Path file) throws IOException {
    Path p = file.toAbsolutePath();
    for (int hops = 0; Files.isSymbolicLink(p); hops++) {
      if (hops == MAX_LINKS) {
        throw new FileSystemException(file.toString(), null, "too many levels of symbolic links");
      }
      p = p.getParent().resolve(Files.readSymbolicLink(p));
    }
    return p;
  }

  private static String reason(IOException e) {
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }
}
