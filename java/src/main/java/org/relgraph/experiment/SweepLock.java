package org.relgraph.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * The right to run a sweep into a results database: an operating-system lock on the file {@code
 * <database>.lock}, which names the holder's process id.
 *
 * <p>The operating system releases the lock when its process ends, however it ends (SIGKILL, a
 * crash, power loss), so a stale lock never blocks a restart; the file itself stays behind,
 * harmless (it is not deleted on release: deleting a lock file lets two processes lock two
 * different files of the same name). A second sweep on the same database, in another process or in
 * this one, is refused with {@link InUseException}.
 */
public final class SweepLock implements AutoCloseable {
  /** Lock files held by this process. */
  private static final Set<Path> HELD = new HashSet<>();

  private final FileChannel channel;
  private final FileLock lock;
  private Path id;

  private SweepLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock file of a database: its path with {@code .lock} appended. */
  public static Path lockFile(Path database) {
    return database.resolveSibling(database.getFileName() + ".lock");
  }

  /**
   * Takes the lock of {@code database}'s sweeps, without waiting.
   *
   * @throws InUseException when another sweep holds it
   * @throws UncheckedIOException when the lock file cannot be created or locked
   */
  public static SweepLock acquire(Path database) {
    Path file = lockFile(database);
    Path id = identity(file);
    synchronized (HELD) {
      // Checked before any channel is opened: closing a second channel on the file would drop
      // this process's lock on it (POSIX record locks belong to the process, not the channel).
      if (HELD.contains(id)) {
        throw new InUseException(database, ProcessHandle.current().pid());
      }
      SweepLock lock = lock(database, file);
      lock.id = id;
      HELD.add(id);
      return lock;
    }
  }

  private static SweepLock lock(Path database, Path file) {
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
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      return new SweepLock(channel, lock);
    } catch (IOException e) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // reported below
      }
      throw new UncheckedIOException("cannot lock " + file + ": " + describe(e), e);
    }
  }

  /** The file's path with its directory resolved, so that two names of one file compare equal. */
  private static Path identity(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    try {
      return abs.getParent().toRealPath().resolve(abs.getFileName());
    } catch (IOException e) {
      return abs; // the directory does not exist: opening the file will say so
    }
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
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

  /** Releases the lock (the lock file stays). */
  @Override
  public void close() {
    synchronized (HELD) {
      if (id == null) {
        return;
      }
      try {
        lock.release();
        channel.close();
      } catch (IOException ignored) {
        // closing the channel releases the lock in any case
      }
      HELD.remove(id);
      id = null;
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
