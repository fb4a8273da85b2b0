package org.relgraph.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The right to run a sweep into a results database, keyed on the database file's identity, so that
 * every name of one database (symbolic links, hard links, {@code ..} in a path) shares one lock.
 * Two operating-system locks are held together:
 *
 * <ol>
 *   <li>a lock on the file {@code <real path>.lock} beside the database's real path (symbolic links
 *       resolved, a dangling one too), which holds the holder's process id. It is taken first, so
 *       that sweeps through names that resolve to one path are serialised even before the database
 *       exists (the sweep then creates it, empty; SQLite takes an empty file for a new database);
 *   <li>a lock on {@code relgraph-sweep-<device>-<inode>.lock} in the temporary directory ({@code
 *       java.io.tmpdir}, {@code /tmp} on Linux), named by the database file's device and inode,
 *       where the operating system gives them. Hard links are names of one inode, possibly in
 *       different directories, so they have different real paths but meet here.
 * </ol>
 *
 * <p>Neither lock is taken on the database file itself: SQLite unlocks the whole file (every POSIX
 * record lock of the process on it) whenever it drops its own locks, and closing any descriptor of
 * a file drops them too.
 *
 * <p>The operating system releases both locks when the process ends, however it ends (SIGKILL, a
 * crash, power loss), so a stale lock never blocks a restart; the lock files stay behind, harmless
 * (they are not deleted on release: deleting a lock file lets two processes lock two different
 * files of the same name). The second one is created readable and writable by every user, so that
 * every user's sweeps can lock it, and is opened without following symbolic links and never
 * written. A second sweep on the same database, in another process or in this one, is refused with
 * {@link InUseException}.
 *
 * <p>Limits: hard links are told apart only by sweeps that share a temporary directory (one
 * machine, one {@code java.io.tmpdir}); names with one real path, by every sweep that sees the
 * directory.
 */
public final class SweepLock implements AutoCloseable {
  /** Databases (real paths) and database files (inode keys) locked by this process. */
  private static final Set<String> HELD = new HashSet<>();

  private final Held path;
  private final Held inode;
  private boolean closed;

  /** One lock file's channel and lock, and its key in {@link #HELD}. */
  private record Held(FileChannel channel, FileLock lock, String key) {
    void release() {
      try {
        lock.release();
        channel.close();
      } catch (IOException ignored) {
        // closing the channel releases the lock in any case
      }
    }
  }

  private SweepLock(Held path, Held inode) {
    this.path = path;
    this.inode = inode;
  }

  /**
   * The lock file beside a database: its real path (symbolic links and {@code ..} resolved) with
   * {@code .lock} appended.
   */
  public static Path lockFile(Path database) {
    Path real = realPath(database);
    return real.resolveSibling(real.getFileName() + ".lock");
  }

  /**
   * Takes the lock of {@code database}'s sweeps, without waiting; creates the database file, empty,
   * when it is missing.
   *
   * @throws InUseException when another sweep holds it
   * @throws UncheckedIOException when a lock file cannot be created or locked
   */
  public static SweepLock acquire(Path database) {
    Path real = realPath(database);
    Path file = real.resolveSibling(real.getFileName() + ".lock");
    synchronized (HELD) {
      // Checked before any channel is opened: closing a second channel on a lock file would drop
      // this process's lock on it (POSIX record locks belong to the process, not the channel).
      String pathKey = "path:" + real;
      if (HELD.contains(pathKey)) {
        throw new InUseException(database, ProcessHandle.current().pid());
      }
      Held path = lockPath(database, file, pathKey);
      Held inode;
      try {
        inode = lockInode(database, real);
        writePid(path.channel());
      } catch (IOException e) {
        path.release();
        throw new UncheckedIOException("cannot lock " + file + ": " + describe(e), e);
      } catch (RuntimeException e) {
        path.release();
        throw e;
      }
      HELD.add(pathKey);
      if (inode != null) {
        HELD.add(inode.key());
      }
      return new SweepLock(path, inode);
    }
  }

  private static Held lockPath(Path database, Path file, String key) {
    FileChannel channel;
    try {
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create lock file " + file + ": " + describe(e), e);
    }
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        // Locked through another path to the same file by this process. The channel stays
        // open: closing it would drop that lock.
        throw new InUseException(database, ProcessHandle.current().pid());
      }
      if (lock == null) {
        // Read through this channel: opening and closing another one on the file would drop
        // any lock this process holds on it (POSIX record locks).
        long holder = readPid(channel);
        channel.close();
        throw new InUseException(database, holder);
      }
      return new Held(channel, lock, key);
    } catch (IOException e) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // reported below
      }
      throw new UncheckedIOException("cannot lock " + file + ": " + describe(e), e);
    }
  }

  /**
   * Locks the database file's inode (creating the file, empty, when missing), or returns null when
   * the file system gives no inode numbers.
   */
  private static Held lockInode(Path database, Path real) throws IOException {
    try {
      Files.createFile(real);
    } catch (FileAlreadyExistsException e) {
      // the usual case
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create results database " + database + ": " + describe(e), e);
    }
    String id = inodeId(real);
    if (id == null) {
      return null;
    }
    String key = "inode:" + id;
    if (HELD.contains(key)) {
      // this process sweeps the file through another name (a hard link)
      throw new InUseException(database, ProcessHandle.current().pid());
    }
    Path file = Path.of(System.getProperty("java.io.tmpdir"), "relgraph-sweep-" + id + ".lock");
    FileChannel channel = openShared(file);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new InUseException(database, holderOf(file));
    }
    return new Held(channel, lock, key);
  }

  /** {@code <device>-<inode>} of a file, or null when the OS does not give them. */
  private static String inodeId(Path file) {
    try {
      Object dev = Files.getAttribute(file, "unix:dev");
      Object ino = Files.getAttribute(file, "unix:ino");
      return Long.toHexString(((Number) dev).longValue()) + "-" + ((Number) ino).longValue();
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      return null;
    }
  }

  /**
   * Opens a lock file in the shared temporary directory for locking: never through a symbolic link
   * (another user could plant one), an existing file without creating (which a sticky directory may
   * refuse for another user's file), a new one readable and writable by every user.
   */
  private static FileChannel openShared(Path file) throws IOException {
    for (int attempt = 0; ; attempt++) {
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
          && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(file + " is not a regular file");
      }
      try {
        return FileChannel.open(
            file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        // created below
      }
      try {
        FileChannel c =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        try {
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (UnsupportedOperationException | IOException e) {
          // a file system without POSIX permissions: other users' sweeps may not lock it
        }
        return c;
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 3) {
          throw e;
        }
        // created meanwhile by another sweep: open it
      }
    }
  }

  /**
   * The process that holds a lock on {@code file}, from Linux's {@code /proc/locks} ({@code "1:
   * POSIX ADVISORY WRITE <pid> <major>:<minor>:<inode> <start> <end>"}); -1 when it cannot be told.
   */
  private static long holderOf(Path file) {
    try {
      String inode = Files.getAttribute(file, "unix:ino").toString();
      List<String> lines = Files.readAllLines(Path.of("/proc/locks"), StandardCharsets.US_ASCII);
      for (String line : lines) {
        String[] f = line.trim().split("\\s+");
        int i = List.of(f).indexOf("POSIX");
        if (i < 0 || f.length < i + 5 || i > 0 && f[i - 1].equals("->")) {
          continue;
        }
        String[] id = f[i + 4].split(":");
        if (id.length == 3 && id[2].equals(inode)) {
          return Long.parseLong(f[i + 3]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or no procfs: the holder stays unknown
    }
    return -1;
  }

  /**
   * The database's real path: symbolic links followed (a dangling one to the file it names), {@code
   * .} and {@code ..} resolved against the real directories.
   */
  static Path realPath(Path database) {
    Path p = database.toAbsolutePath();
    for (int hops = 0; hops < 40; hops++) {
      try {
        return p.toRealPath();
      } catch (IOException e) {
        // missing, or a dangling link: resolve what exists
      }
      Path parent = p.getParent();
      Path name = p.getFileName();
      if (parent == null || name == null) {
        return p.normalize();
      }
      Path dir;
      try {
        dir = parent.toRealPath();
      } catch (IOException e) {
        return p.normalize(); // no such directory: creating the lock file will say so
      }
      Path here = dir.resolve(name);
      if (!Files.isSymbolicLink(here)) {
        return here;
      }
      try {
        p = dir.resolve(Files.readSymbolicLink(here));
      } catch (IOException e) {
        return here;
      }
    }
    return p.normalize(); // a loop of links: opening it will say so
  }

  private static void writePid(FileChannel channel) throws IOException {
    channel.truncate(0);
    channel.write(
        ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
        0);
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such directory";
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  private static long readPid(FileChannel channel) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(32);
    channel.read(b, 0);
    String text = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1; // the holder has locked but not yet written its pid
    }
  }

  /** Releases the lock (the lock files stay). Idempotent. */
  @Override
  public void close() {
    synchronized (HELD) {
      if (closed) {
        return;
      }
      closed = true;
      HELD.remove(path.key());
      if (inode != null) {
        inode.release();
        HELD.remove(inode.key());
      }
      path.release();
    }
  }

  /** Another sweep holds a database's lock. */
  public static final class InUseException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final long pid;

    InUseException(Path database, long pid) {
      super(
          "results database "
              + database
              + " is in use by another sweep ("
              + (pid > 0 ? "pid " + pid : "pid unknown")
              + ")");
      this.pid = pid;
    }

    /** The holder's process id, or -1 when it could not be read. */
    public long pid() {
      return pid;
    }
  }
}
