package org.relgraph.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.sweep.ResultsStore;

/** Bad input to a sweep on Spark: one line on stderr and a non-zero exit, nothing recorded. */
class SparkSweepRefusalsTest {
  private static List<String> sweep(Path set, Path db, String master, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "sweep",
                "--graphs",
                set.toString(),
                "--db",
                db.toString(),
                "--seeds",
                "1",
                "--epochs",
                "1",
                "--no-baseline",
                "--spark",
                master));
    args.addAll(SparkTesting.LOOPBACK);
    args.addAll(List.of(more));
    return args;
  }

  private static void assertOneLine(SparkTesting.Cli r) {
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void anUnreachableMasterIsOneLine(@TempDir Path dir) throws Exception {
    Path set = SparkTesting.graphSet(dir, 2);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // free once closed: nothing listens there
    }
    String master = "spark://127.0.0.1:" + port;
    SparkTesting.Cli r =
        SparkTesting.run(sweep(set, dir.resolve("r.db"), master, "--trainer", "fake"));
    assertEquals(1, r.status(), r.err());
    assertOneLine(r);
    assertTrue(
        r.err().startsWith("relgraph: cannot reach the Spark master " + master + ": "), r.err());
    assertEquals(0, ResultsStore.open(dir.resolve("r.db")).count());
  }

  @Test
  void aDataSetMissingOnTheExecutorsIsOneLine(@TempDir Path dir) throws Exception {
    Path set = SparkTesting.graphSet(dir, 3);
    Path missing = dir.resolve("no-such-data");
    SparkTesting.Cli r =
        SparkTesting.run(
            sweep(
                set,
                dir.resolve("r.db"),
                "local[2]",
                "--dataset",
                "fashion-mnist",
                "--data",
                missing.toString()));
    assertEquals(1, r.status(), r.err());
    assertOneLine(r);
    assertTrue(
        r.err()
            .startsWith(
                "relgraph: data set fashion-mnist is unreadable on executor driver on 127.0.0.1: "),
        r.err());
    assertTrue(r.err().contains(missing.toString()), r.err());
    assertEquals(0, ResultsStore.open(dir.resolve("r.db")).count());
  }

  @Test
  void aDatabaseInUseByAnotherSweepIsRefused(@TempDir Path dir) throws Exception {
    Path set = SparkTesting.graphSet(dir, 2);
    Path db = dir.resolve("r.db");
    try (ResultsStore busy = ResultsStore.openExclusive(db)) {
      SparkTesting.Cli r = SparkTesting.run(sweep(set, db, "local[2]", "--trainer", "fake"));
      assertEquals(75, r.status(), r.err());
      assertOneLine(r);
      assertEquals(
          "relgraph: results database "
              + db
              + " is in use by another sweep (pid "
              + ProcessHandle.current().pid()
              + ")\n",
          r.err());
    }
  }

  @Test
  void shippedDataIsReadFromTheFilesSparkDelivers(@TempDir Path dir) throws Exception {
    // A data directory the executors never see: the driver ships its files.
    Path data = dir.resolve("fashion");
    Files.createDirectories(data);
    Path real = org.relgraph.train.Datasets.FASHION_MNIST_DIR;
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isDirectory(real), "Fashion-MNIST is not installed at " + real);
    try (var files = Files.list(real)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.createSymbolicLink(data.resolve(f.getFileName()), f);
      }
    }
    Path set = SparkTesting.graphSet(dir, 1);
    SparkTesting.Cli r =
        SparkTesting.run(
            sweep(
                set,
                dir.resolve("r.db"),
                "local[1]",
                "--data",
                data.toString(),
                "--ship-data",
                "--stem-width",
                "64",
                "--batch",
                "512"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("1 finished"), r.out());
  }
}
