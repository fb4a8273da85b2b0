package org.relgraph.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every name of one database shares its sweep lock, in this process (other processes:
 * tests/.../SweepLinksAndSignalsTest).
 */
class SweepLockTest {
  private static void assertBusy(Path name) {
    SweepLock.InUseException e =
        assertThrows(SweepLock.InUseException.class, () -> SweepLock.acquire(name));
    assertEquals(ProcessHandle.current().pid(), e.pid());
    assertEquals(
        "results database "
            + name
            + " is in use by another sweep (pid "
            + ProcessHandle.current().pid()
            + ")",
        e.getMessage());
  }

  @Test
  void symbolicLinksHardLinksAndDotDotShareTheLock(@TempDir Path dir) throws Exception {
    Path a = Files.createDirectories(dir.resolve("a"));
    Path b = Files.createDirectories(dir.resolve("b"));
    Path db = a.resolve("r.db");
    try (ResultsStore store = ResultsStore.openExclusive(db)) {
      assertTrue(store.exclusive());
      Path symlink = Files.createSymbolicLink(b.resolve("link.db"), Path.of("../a/r.db"));
      Path hardLink = Files.createLink(b.resolve("hard.db"), db);
      Path linkedDir = Files.createSymbolicLink(dir.resolve("c"), a);
      assertBusy(db);
      assertBusy(symlink);
      assertBusy(hardLink);
      assertBusy(b.resolve("..").resolve("a").resolve("r.db"));
      assertBusy(linkedDir.resolve("r.db"));
      // a refusal leaves the holder's lock in place
      assertBusy(hardLink);
      assertEquals(SweepLock.lockFile(db), SweepLock.lockFile(symlink));
      assertEquals(
          a.toRealPath().resolve("r.db.lock"), SweepLock.lockFile(linkedDir.resolve("r.db")));
    }
    // released: every name may take it, one at a time
    try (SweepLock lock = SweepLock.acquire(b.resolve("hard.db"))) {
      assertBusy(db);
    }
    try (SweepLock lock = SweepLock.acquire(b.resolve("link.db"))) {
      assertBusy(b.resolve("hard.db"));
    }
  }

  @Test
  void aDanglingLinkLocksTheFileItNames(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("real.db");
    Path link = Files.createSymbolicLink(dir.resolve("link.db"), target);
    try (SweepLock lock = SweepLock.acquire(link)) {
      assertTrue(Files.isRegularFile(target), "the database is created where the link points");
      assertEquals(0, Files.size(target));
      assertBusy(target);
      assertTrue(Files.exists(dir.resolve("real.db.lock")));
    }
    try (ResultsStore store = ResultsStore.openExclusive(link)) {
      assertEquals(0, store.count()); // SQLite takes the empty file for a new database
    }
  }

  @Test
  void closingTwiceReleasesOnce(@TempDir Path dir) {
    Path db = dir.resolve("r.db");
    SweepLock first = SweepLock.acquire(db);
    first.close();
    try (SweepLock second = SweepLock.acquire(db)) {
      first.close(); // must not release the second holder's lock
      assertBusy(db);
    }
  }
}
