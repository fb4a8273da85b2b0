package org.relgraph.sweep;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a sweep into a {@link ResultsStore}: the runs the database does not hold yet, on a number of
 * worker threads, each finished run recorded in its own transaction as it ends.
 *
 * <p>Resuming is running again: a run whose key is in the database is skipped, so a sweep stopped
 * at any moment (Ctrl-C, SIGKILL, a crash) and started again trains only what is missing, and a
 * finished run is never trained or recorded twice. The database's {@link SweepLock} is held while
 * the runner runs (the store's own, when it was opened with {@link
 * ResultsStore#openExclusive(Path)}, or one taken for the run): a second sweep on the same database
 * is refused with {@link SweepLock.InUseException}.
 *
 * <p>A run whose trainer throws (or returns an invalid result) is reported to the listener with its
 * key and message, is not recorded, and the sweep goes on; a later sweep retries it. A failure to
 * write the database stops the sweep: the exception propagates once the workers have been
 * interrupted.
 */
public final class SweepRunner {
  private final ResultsStore store;
  private final SweepTrainer trainer;
  private final int workers;
  private final Listener listener;

  /**
   * @param workers runs trained at once
   * @param listener told about progress; from worker threads, so it must be thread-safe
   */
  public SweepRunner(ResultsStore store, SweepTrainer trainer, int workers, Listener listener) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers = " + workers + " must be >= 1");
    }
    this.store = Objects.requireNonNull(store, "store");
    this.trainer = Objects.requireNonNull(trainer, "trainer");
    this.workers = workers;
    this.listener = listener == null ? new Listener() {} : listener;
  }

  /**
   * The default number of workers: one per processor, each training with one thread. Measured on a
   * 2-core machine (docs/sweeps.md): 8 Fashion-MNIST runs of one epoch took 18.6–19.2 s with 2
   * workers of 1 thread against 21.9–22.4 s with 1 worker of 2 threads; small models scale better
   * across runs than inside one.
   */
  public static int defaultWorkers() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** What a sweep is about to do. */
  public record Plan(int total, int skipped, List<SweepSpec.Run> pending, int workers) {}

  /** A run that failed: its key and what went wrong. */
  public record Failure(String runKey, String message) {}

  /**
   * How a sweep ended.
   *
   * @param total runs in the sweep
   * @param finished runs trained and recorded by this call
   * @param skipped runs already in the database
   * @param failed runs that failed (not recorded)
   * @param failures one per failed run, in the order they failed
   * @param seconds wall-clock seconds of this call
   */
  public record Summary(
      int total, int finished, int skipped, int failed, List<Failure> failures, double seconds) {
    /** Whether every run of the sweep is in the database. */
    public boolean complete() {
      return finished + skipped == total;
    }
  }

  /**
   * A sweep stopped by interruption (SIGTERM, Ctrl-C): what it had done by then. Every run in the
   * summary's {@code finished} count is recorded; the runs in progress were dropped, unrecorded,
   * and the next sweep trains them.
   */
  public static final class StoppedException extends InterruptedException {
    private static final long serialVersionUID = 1L;

    private final transient Summary summary;
    private final int dropped;

    /**
     * @param summary what the sweep did before it stopped
     * @param dropped runs in progress when it stopped (not recorded)
     */
    public StoppedException(Summary summary, int dropped) {
      super("sweep stopped");
      this.summary = summary;
      this.dropped = dropped;
    }

    /** What the sweep did before it stopped. */
    public Summary summary() {
      return summary;
    }

    /** Runs that were in progress when it stopped (not recorded). */
    public int dropped() {
      return dropped;
    }
  }

  /** Hears about a sweep's progress; every method may be called from any worker thread. */
  public interface Listener {
    /** Before the first run, with the database locked. */
    default void started(Plan plan) {}

    /** A run is starting. */
    default void runStarted(SweepSpec.Run run) {}

    /** A run reported an epoch. */
    default void epoch(SweepSpec.Run run, EpochMetrics metrics) {}

    /** A run finished and is recorded. */
    default void runFinished(SweepSpec.Run run, RunResult result, double seconds) {}

    /** A run failed; {@code message} is the one-line reason. */
    default void runFailed(SweepSpec.Run run, String message, Throwable error) {}
  }

  /**
   * Runs the sweep's pending runs, holding the database's lock meanwhile.
   *
   * @throws SweepLock.InUseException when another sweep is running on the database
   * @throws java.io.UncheckedIOException when the database cannot be written
   * @throws StoppedException when this thread is interrupted: the workers are interrupted too, and
   *     it is thrown once they have stopped (a run being recorded is recorded first)
   */
  @SuppressWarnings("try") // the lock is held, not used
  public Summary run(SweepSpec spec) throws InterruptedException {
    if (store.exclusive()) {
      return runLocked(spec);
    }
    try (SweepLock lock = SweepLock.acquire(store.path())) {
      return runLocked(spec);
    }
  }

  private Summary runLocked(SweepSpec spec) throws InterruptedException {
    long start = System.nanoTime();
    List<SweepSpec.Run> all = spec.runs();
    Set<String> done = store.finishedKeys();
    List<SweepSpec.Run> pending = new ArrayList<>();
    for (SweepSpec.Run r : all) {
      if (!done.contains(r.key())) {
        pending.add(r);
      }
    }
    int skipped = all.size() - pending.size();
    int threads = Math.max(1, Math.min(workers, pending.size()));
    listener.started(new Plan(all.size(), skipped, List.copyOf(pending), threads));

    ConcurrentLinkedQueue<SweepSpec.Run> queue = new ConcurrentLinkedQueue<>(pending);
    AtomicInteger finished = new AtomicInteger();
    List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger dropped = new AtomicInteger();
    boolean stopped = false;
    AtomicInteger workerNumber = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "sweep-worker-" + workerNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      ExecutorCompletionService<Void> completion = new ExecutorCompletionService<>(pool);
      for (int i = 0; i < threads; i++) {
        completion.submit(
            () -> {
              SweepSpec.Run run;
              while (!Thread.currentThread().isInterrupted() && (run = queue.poll()) != null) {
                runOne(run, finished, failures, dropped);
              }
              return null;
            });
      }
      for (int i = 0; i < threads; i++) {
        try {
          completion.take().get();
        } catch (InterruptedException e) {
          stopped = true;
          break;
        } catch (ExecutionException e) {
          // The database could not be written (or an Error): stop everything.
          pool.shutdownNow();
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException(cause);
        }
      }
    } finally {
      pool.shutdownNow();
      // A worker may be inside store.record: let it finish before the caller closes the store.
      boolean interrupted = Thread.interrupted();
      while (!pool.isTerminated()) {
        try {
          pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Summary summary =
        new Summary(
            all.size(), finished.get(), skipped, failures.size(), List.copyOf(failures), seconds);
    if (stopped) {
      Thread.interrupted(); // reported by the exception instead
      throw new StoppedException(summary, dropped.get());
    }
    return summary;
  }

  private void runOne(
      SweepSpec.Run run, AtomicInteger finished, List<Failure> failures, AtomicInteger dropped) {
    listener.runStarted(run);
    long t0 = System.nanoTime();
    RunResult result;
    try {
      result = trainer.train(run.graph(), run.trainSeed(), m -> listener.epoch(run, m));
      String invalid = invalid(run, result);
      if (invalid != null) {
        throw new IllegalStateException(invalid);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        // The sweep is being stopped: not a failure of the run. Keep the flag, so that this
        // worker takes no further run.
        Thread.currentThread().interrupt();
        dropped.incrementAndGet();
        return;
      }
      String message = message(e);
      failures.add(new Failure(run.key(), message));
      listener.runFailed(run, message, e);
      return;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    store.record(run, result, seconds);
    finished.incrementAndGet();
    listener.runFinished(run, result, seconds);
  }

  /** Why a trainer's result cannot be recorded, or null. */
  public static String invalid(SweepSpec.Run run, RunResult r) {
    if (r == null) {
      return "the trainer returned no result";
    }
    if (!Double.isFinite(r.top1Error()) || r.top1Error() < 0 || r.top1Error() > 100) {
      return "top-1 error " + r.top1Error() + " is not a percentage";
    }
    if (r.model() != null && !r.model().equals(run.model())) {
      return "the trainer trained model " + r.model() + " but the sweep asked for " + run.model();
    }
    return null;
  }

  /** A one-line message for a failure. */
  public static String message(Throwable e) {
    String m = e.getMessage();
    String text = m == null || m.isBlank() ? e.getClass().getName() : m;
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
