package org.relgraph.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.sweep.ResultsStore;
import org.relgraph.sweep.SweepGraphs;
import org.relgraph.sweep.SweepSpec;
import org.relgraph.sweep.SweepTrainers;

/**
 * A sweep on a real standalone cluster (a Master and two Workers, separate JVMs on 127.0.0.1): the
 * driver killed with SIGKILL mid-sweep and started again, then a Worker killed with SIGKILL while
 * it runs a task; the sweep completes on the other Worker with every run once, with all its epochs,
 * in an intact database.
 */
@Tag("slow")
class StandaloneClusterSweepTest {
  private static final int EPOCHS = 3;
  private static final int SEEDS = 2;

  private static Process driver(StandaloneCluster cluster, Path dir, String name, Path set, Path db)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "org.relgraph.cli.Main",
                "sweep",
                "--graphs",
                set.toString(),
                "--db",
                db.toString(),
                "--seeds",
                Integer.toString(SEEDS),
                "--epochs",
                Integer.toString(EPOCHS),
                "--trainer",
                "fake",
                "--fake-epoch-ms",
                "150",
                "--spark",
                cluster.url(),
                "--spark-conf",
                "spark.executor.extraClassPath=" + System.getProperty("java.class.path"),
                "--spark-conf",
                "spark.executor.memory=512m"));
    args.addAll(SparkTesting.LOOPBACK);
    return cluster.start(name, args);
  }

  private static long finished(StandaloneCluster cluster, String name) throws IOException {
    return cluster.log(name).lines().filter(l -> l.startsWith("relgraph: [")).count();
  }

  private static void awaitFinished(StandaloneCluster cluster, Process p, String name, int n)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (finished(cluster, name) < n) {
      assertTrue(p.isAlive(), name + " ended early:\n" + cluster.log(name));
      assertTrue(System.nanoTime() < deadline, name + " makes progress:\n" + cluster.log(name));
      Thread.sleep(20);
    }
  }

  /** Whether a worker's executor is running a task now (started, not finished). */
  private static boolean runningATask(StandaloneCluster cluster, int worker) throws IOException {
    String log = cluster.executorLogs(worker);
    Matcher m = Pattern.compile("Running task \\S+ in stage \\S+ \\(TID (\\d+)\\)").matcher(log);
    String last = null;
    while (m.find()) {
      last = m.group(1);
    }
    return last != null && !log.contains("(TID " + last + "). ");
  }

  @Test
  void killingTheDriverAndAWorkerLosesAndRepeatsNothing(@TempDir Path dir) throws Exception {
    Path set = SparkTesting.graphSet(dir, 12);
    Path db = dir.resolve("results.db");
    SweepTrainers.Options o =
        new SweepTrainers.Options("fake", "mlp-fashion-mnist", EPOCHS, 0, null);
    Set<String> expected = new HashSet<>();
    for (SweepSpec.Run r :
        new SweepSpec(
                SweepGraphs.load(List.of(set.toString())),
                List.of(0, 1),
                o.configKey(),
                o.model(),
                true)
            .runs()) {
      expected.add(r.key());
    }
    assertEquals(26, expected.size()); // (12 graphs + the complete graph) × 2 seeds

    try (StandaloneCluster cluster = new StandaloneCluster(dir)) {
      cluster.addWorker(1);
      Process worker1 = cluster.addWorker(1);

      // The driver, killed after a few runs: what it recorded stays, nothing else is there
      Process first = driver(cluster, dir, "driver0", set, db);
      awaitFinished(cluster, first, "driver0", 4);
      first.destroyForcibly();
      assertTrue(first.waitFor(30, TimeUnit.SECONDS));
      int kept;
      try (ResultsStore store = ResultsStore.open(db)) {
        kept = store.count();
      }
      assertTrue(kept >= 4 && kept < 26, kept + " runs recorded before the kill");

      // Started again; a worker killed while it runs a task
      Process second = driver(cluster, dir, "driver1", set, db);
      awaitFinished(cluster, second, "driver1", 2);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!runningATask(cluster, 1)) {
        assertTrue(
            System.nanoTime() < deadline,
            "worker 1 runs a task:\n" + cluster.log("driver1") + cluster.executorLogs(1));
        Thread.sleep(10);
      }
      List<ProcessHandle> executors = cluster.killWorker(worker1);
      assertTrue(second.waitFor(180, TimeUnit.SECONDS), "the sweep completes");
      String log = cluster.log("driver1");
      assertEquals(0, second.exitValue(), log);
      Matcher m = Pattern.compile("(\\d+) finished, (\\d+) skipped").matcher(log);
      assertTrue(m.find(), log);
      assertEquals(kept, Integer.parseInt(m.group(2)), log);
      assertEquals(26 - kept, Integer.parseInt(m.group(1)), log);
      SparkTesting.assertComplete(db, expected, EPOCHS);
      // The killed worker's executor ends by itself once its worker is gone
      for (ProcessHandle e : executors) {
        e.onExit().get(60, TimeUnit.SECONDS);
      }
      assertTrue(Files.exists(db));
    }
  }
}
