package org.relgraph.spark;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.relgraph.engine.BackendProvider;
import org.relgraph.engine.Backends;
import org.relgraph.sweep.RunResult;
import org.relgraph.sweep.SweepGraph;
import org.relgraph.sweep.SweepRunner;
import org.relgraph.sweep.SweepTrainers;
import org.relgraph.train.Dataset;
import org.relgraph.train.DatasetException;
import org.relgraph.train.RunConfig;

/**
 * What an executor does with a {@link RunTask}: rebuilds the graph, loads the data set (once per
 * executor JVM, from the configured directory or from the files shipped with the job), trains with
 * the backend it finds, and returns a {@link RunOutcome}. A run's failure is returned, not thrown,
 * so that Spark does not retry a run that fails by itself; only a lost executor makes Spark run a
 * task again.
 */
final class ExecutorTraining {
  /** Data sets loaded in this JVM, by name and directory. */
  private static final Map<String, Dataset> DATA = new ConcurrentHashMap<>();

  /** Real trainers in this JVM, by run configuration (less graph and seed) and backend. */
  private static final Map<String, SweepTrainers.Configured> TRAINERS = new ConcurrentHashMap<>();

  private ExecutorTraining() {}

  /** Trains {@code task}; never throws for a failure of the run itself. */
  static RunOutcome run(RunTask task) {
    String where = where();
    long t0 = System.nanoTime();
    try {
      SweepGraph g = task.graph();
      RunConfig config = RunConfig.fromJson(task.configJson());
      RunResult result;
      if (config.trainer() != null) {
        result =
            SweepTrainers.forOptions(
                    new SweepTrainers.Options(
                        config.trainer(),
                        config.model(),
                        config.epochs(),
                        task.fakeEpochMillis(),
                        task.fakeFailSeed()))
                .trainer()
                .train(g, task.trainSeed(), m -> {});
      } else {
        String dataDir = task.shipData() ? SparkFiles.getRootDirectory() : config.dataDir();
        Dataset data;
        try {
          data = data(config.dataset(), dataDir);
        } catch (DatasetException | java.io.UncheckedIOException e) {
          return RunOutcome.failed(task.index(), where, SweepRunner.message(e), true, seconds(t0));
        }
        RunConfig onHere = config.withBackend(backend(config), config.threads());
        RunConfig sweepConfig = onHere.forRun("complete:n=1", 0); // the key's graph and seed
        String key = sweepConfig.toJson() + "|" + dataDir;
        SweepTrainers.Configured trainer =
            TRAINERS.computeIfAbsent(
                key,
                k ->
                    SweepTrainers.real(
                        onHere,
                        data,
                        () -> Backends.find(onHere.backend()).create(onHere.threads())));
        result = trainer.trainer().train(g, task.trainSeed(), m -> {});
      }
      return RunOutcome.finished(task.index(), where, result, seconds(t0));
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt(); // the task was killed: Spark drops its result
      }
      return RunOutcome.failed(task.index(), where, SweepRunner.message(e), false, seconds(t0));
    }
  }

  /**
   * Loads the data set of {@code configJson} (a sweep's run configuration) as a run would, so that
   * the driver learns before the sweep starts that it is missing: returns null, or where and why it
   * failed.
   */
  static String checkData(String configJson, boolean shipData) {
    RunConfig config = RunConfig.fromJson(configJson);
    String dataDir = shipData ? SparkFiles.getRootDirectory() : config.dataDir();
    try {
      data(config.dataset(), dataDir);
      return null;
    } catch (DatasetException | java.io.UncheckedIOException e) {
      return where() + ": " + SweepRunner.message(e);
    }
  }

  /**
   * The backend this task trains on: {@code cuda} when Spark assigned it a GPU and a {@code cuda}
   * backend is available here, else the configured one.
   */
  static String backend(RunConfig config) {
    TaskContext task = TaskContext.get();
    if (task != null && task.resources().contains("gpu")) {
      for (BackendProvider p : Backends.all()) {
        if (p.name().equalsIgnoreCase("cuda") && p.isAvailable()) {
          return p.name();
        }
      }
    }
    return config.backend();
  }

  private static Dataset data(String name, String dir) {
    String key = name + "|" + dir;
    Dataset d = DATA.get(key);
    if (d == null) {
      synchronized (DATA) {
        d = DATA.get(key);
        if (d == null) {
          d = org.relgraph.train.Datasets.load(name, dir == null ? null : Path.of(dir));
          DATA.put(key, d);
        }
      }
    }
    return d;
  }

  private static String where() {
    SparkEnv env = SparkEnv.get();
    String id = env == null ? "?" : env.executorId();
    String host = env == null ? "?" : env.blockManager().blockManagerId().host();
    return "executor " + id + " on " + host;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
