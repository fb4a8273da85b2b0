package org.relgraph.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepRunnerTest {
  private static final String CONFIG = "model=mlp-test;epochs=2";

  /** Eight WS-flex graphs of 16 nodes. */
  static List<SweepGraph> graphs() {
    List<SweepGraph> out = new ArrayList<>();
    for (int seed = 0; seed < 8; seed++) {
      out.add(SweepGraph.wsFlex(16, 0.25, 0.1 * seed, seed));
    }
    return out;
  }

  static SweepSpec spec(List<Integer> seeds) {
    return new SweepSpec(graphs(), seeds, CONFIG, "mlp-test", true);
  }

  /** A trainer that counts its calls per run. */
  static final class Counting implements SweepTrainer {
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final long millis;

    Counting(long millis) {
      this.millis = millis;
    }

    @Override
    public RunResult train(SweepGraph graph, int trainSeed, Consumer<EpochMetrics> onEpoch)
        throws InterruptedException {
      calls
          .computeIfAbsent(graph.key() + "|seed=" + trainSeed, k -> new AtomicInteger())
          .incrementAndGet();
      int now = running.incrementAndGet();
      maxRunning.accumulateAndGet(now, Math::max);
      try {
        Thread.sleep(millis);
        EpochMetrics m = new EpochMetrics(1, 1, 10, 30 + graph.clustering(), 0.01);
        onEpoch.accept(m);
        return new RunResult(30 + graph.clustering(), 64, 1000, 0, List.of(m), "test", "t", null);
      } finally {
        running.decrementAndGet();
      }
    }
  }

  static Set<String> keys(SweepSpec spec) {
    Set<String> out = new HashSet<>();
    for (SweepSpec.Run r : spec.runs()) {
      out.add(r.key());
    }
    return out;
  }

  @Test
  void aSecondSweepSkipsTheFinishedRuns(@TempDir Path dir) throws Exception {
    SweepSpec spec = spec(List.of(0, 1));
    assertEquals(18, spec.runs().size()); // (8 graphs + the complete graph) × 2 seeds
    try (ResultsStore store = ResultsStore.open(dir.resolve("r.db"))) {
      Counting first = new Counting(0);
      SweepRunner.Summary s = new SweepRunner(store, first, 1, null).run(spec);
      assertEquals(new SweepRunner.Summary(18, 18, 0, 0, List.of(), s.seconds()), s);
      assertTrue(s.complete());
      assertEquals(keys(spec), store.finishedKeys());

      Counting second = new Counting(0);
      s = new SweepRunner(store, second, 2, null).run(spec);
      assertEquals(new SweepRunner.Summary(18, 0, 18, 0, List.of(), s.seconds()), s);
      assertTrue(second.calls.isEmpty());

      // A third seed: only its runs are trained.
      SweepSpec more = spec(List.of(0, 1, 2));
      Counting third = new Counting(0);
      List<SweepRunner.Plan> plans = new ArrayList<>();
      s =
          new SweepRunner(
                  store,
                  third,
                  1,
                  new SweepRunner.Listener() {
                    @Override
                    public void started(SweepRunner.Plan plan) {
                      plans.add(plan);
                    }
                  })
              .run(more);
      assertEquals(9, s.finished());
      assertEquals(18, s.skipped());
      assertEquals(9, third.calls.size());
      assertTrue(third.calls.keySet().stream().allMatch(k -> k.endsWith("|seed=2")));
      assertEquals(27, plans.get(0).total());
      assertEquals(18, plans.get(0).skipped());
      assertEquals(27, store.count());
    }
  }

  @Test
  void aFailedRunIsReportedNotRecordedAndRetriedLater(@TempDir Path dir) throws Exception {
    SweepSpec spec = spec(List.of(0, 1));
    String bad = graphs().get(3).key();
    SweepTrainer failing =
        (graph, seed, onEpoch) -> {
          if (graph.key().equals(bad)) {
            throw new IllegalStateException("out of memory on the device\nsecond line");
          }
          if (graph.kind().equals(SweepGraph.COMPLETE) && seed == 1) {
            // an invalid result counts as a failure too
            return new RunResult(Double.NaN, 64, 1, 0, List.of(), "t", "t", null);
          }
          return new RunResult(40, 64, 1, 0, List.of(), "t", "t", null);
        };
    List<String> reported = new ArrayList<>();
    try (ResultsStore store = ResultsStore.open(dir.resolve("r.db"))) {
      SweepRunner.Summary s =
          new SweepRunner(
                  store,
                  failing,
                  2,
                  new SweepRunner.Listener() {
                    @Override
                    public synchronized void runFailed(
                        SweepSpec.Run run, String message, Throwable error) {
                      reported.add(run.key() + ": " + message);
                    }
                  })
              .run(spec);
      assertEquals(15, s.finished());
      assertEquals(3, s.failed());
      assertTrue(!s.complete());
      assertEquals(3, reported.size());
      String seed0 = bad + "|seed=0|" + CONFIG;
      assertTrue(reported.contains(seed0 + ": out of memory on the device"), reported.toString());
      assertTrue(
          reported.contains(
              "complete(n=16)|seed=1|" + CONFIG + ": top-1 error NaN is not a percentage"),
          reported.toString());
      assertTrue(
          s.failures().contains(new SweepRunner.Failure(seed0, "out of memory on the device")));
      Set<String> recorded = store.finishedKeys();
      assertEquals(15, recorded.size());
      for (SweepRunner.Failure f : s.failures()) {
        assertTrue(!recorded.contains(f.runKey()), f.runKey());
      }

      Counting retry = new Counting(0);
      s = new SweepRunner(store, retry, 1, null).run(spec);
      assertEquals(3, s.finished());
      assertEquals(15, s.skipped());
      assertEquals(3, retry.calls.size());
      assertEquals(keys(spec), store.finishedKeys());
    }
  }

  @Test
  void parallelWorkersRecordEveryRunExactlyOnce(@TempDir Path dir) throws Exception {
    SweepSpec spec = spec(List.of(0, 1, 2, 3));
    Counting trainer = new Counting(15);
    Set<String> finishedEvents = ConcurrentHashMap.newKeySet();
    AtomicInteger epochs = new AtomicInteger();
    try (ResultsStore store = ResultsStore.open(dir.resolve("r.db"))) {
      SweepRunner.Summary s =
          new SweepRunner(
                  store,
                  trainer,
                  4,
                  new SweepRunner.Listener() {
                    @Override
                    public void epoch(SweepSpec.Run run, EpochMetrics metrics) {
                      epochs.incrementAndGet();
                    }

                    @Override
                    public void runFinished(SweepSpec.Run run, RunResult r, double seconds) {
                      assertTrue(finishedEvents.add(run.key()), "once: " + run.key());
                    }
                  })
              .run(spec);
      assertEquals(36, s.finished());
      assertEquals(36, store.count());
      assertEquals(keys(spec), store.finishedKeys());
      assertEquals(keys(spec), finishedEvents);
      assertEquals(36, epochs.get());
      assertEquals(36, trainer.calls.size());
      assertTrue(
          trainer.calls.values().stream().allMatch(c -> c.get() == 1), trainer.calls.toString());
      assertTrue(trainer.maxRunning.get() > 1, "runs overlapped: " + trainer.maxRunning.get());
      assertTrue(trainer.maxRunning.get() <= 4);
    }
  }

  @Test
  void aSecondSweepOnTheDatabaseIsRefusedWhileTheFirstRuns(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("r.db");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    SweepTrainer blocking =
        (graph, seed, onEpoch) -> {
          started.countDown();
          release.await();
          return new RunResult(40, 64, 1, 0, List.of(), "t", "t", null);
        };
    try (ResultsStore store = ResultsStore.open(db);
        ResultsStore other = ResultsStore.open(db)) {
      SweepSpec spec = spec(List.of(0));
      Thread first =
          new Thread(
              () -> {
                try {
                  new SweepRunner(store, blocking, 1, null).run(spec);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      first.start();
      assertTrue(started.await(10, TimeUnit.SECONDS));
      Counting second = new Counting(0);
      SweepLock.InUseException e =
          assertThrows(
              SweepLock.InUseException.class,
              () -> new SweepRunner(other, second, 1, null).run(spec));
      assertEquals(
          "results database "
              + db
              + " is in use by another sweep (pid "
              + ProcessHandle.current().pid()
              + ")",
          e.getMessage());
      // also through another name of the same file
      assertThrows(
          SweepLock.InUseException.class,
          () -> SweepLock.acquire(dir.resolve(".").resolve("r.db")));
      assertTrue(second.calls.isEmpty());
      release.countDown();
      first.join(10_000);
      assertEquals(9, store.count());
      // released: a later sweep may run
      assertEquals(9, new SweepRunner(other, second, 1, null).run(spec).skipped());
    }
  }

  @Test
  void anExclusiveStoreHoldsTheLockUntilClosed(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("r.db");
    SweepSpec spec = spec(List.of(0));
    try (ResultsStore store = ResultsStore.openExclusive(db)) {
      assertTrue(store.exclusive());
      assertThrows(SweepLock.InUseException.class, () -> ResultsStore.openExclusive(db));
      try (ResultsStore reader = ResultsStore.open(db)) {
        assertThrows(
            SweepLock.InUseException.class,
            () -> new SweepRunner(reader, new Counting(0), 1, null).run(spec));
      }
      // its own runner runs under the store's lock
      assertEquals(9, new SweepRunner(store, new Counting(0), 2, null).run(spec).finished());
      assertEquals(9, new SweepRunner(store, new Counting(0), 2, null).run(spec).skipped());
    }
    try (ResultsStore again = ResultsStore.openExclusive(db)) {
      assertEquals(9, again.count());
    }
  }

  @Test
  void invalidWorkerCountsAreRefused(@TempDir Path dir) {
    try (ResultsStore store = ResultsStore.open(dir.resolve("r.db"))) {
      assertThrows(
          IllegalArgumentException.class, () -> new SweepRunner(store, new Counting(0), 0, null));
    }
  }
}
