package org.relgraph.sweep;

import java.util.Map;
import java.util.Objects;
import org.relgraph.train.RunConfig;

/**
 * A sweep whose runs train on a cluster instead of this process's threads: the driver (this
 * process) plans the runs, skips those in the database, and records each result as it arrives, as
 * the database's only writer; the cluster's workers train. Found by {@link ClusterSweeps#find}; the
 * {@code spark/} module provides the Apache Spark one (docs/sweeps.md, "On a cluster").
 */
public interface ClusterSweep {
  /** The engine's name, e.g. {@code spark}. */
  String name();

  /**
   * Runs the sweep's pending runs on the cluster; the caller holds the database's lock ({@link
   * ResultsStore#openExclusive}).
   *
   * @throws SweepRunner.StoppedException when this thread is interrupted (the runs in flight are
   *     dropped)
   * @throws java.io.UncheckedIOException when the cluster cannot be reached, or the data set cannot
   *     be read on a worker
   */
  SweepRunner.Summary run(
      ResultsStore store, SweepSpec spec, Job job, SweepRunner.Listener listener)
      throws InterruptedException;

  /**
   * What the cluster trains, and with what.
   *
   * @param master the cluster's master URL ({@code local[2]}, {@code spark://host:7077}, ...);
   *     null: the one the environment gives (spark-submit's {@code --master})
   * @param config the sweep's run configuration (no graph; each run names its graph and seed)
   * @param fakeEpochMillis the test trainer's milliseconds per epoch
   * @param fakeFailSeed the test trainer fails every run of this training seed (null: none)
   * @param shipData whether the driver ships the data set's files to each worker once, instead of
   *     each worker reading {@link RunConfig#dataDir()}
   * @param taskCpus processors each run holds on its worker
   * @param taskGpus GPUs each run holds (0: none; fractions share a GPU)
   * @param settings further engine settings ({@code name=value}), e.g. Spark's {@code spark.*}
   */
  record Job(
      String master,
      RunConfig config,
      long fakeEpochMillis,
      Integer fakeFailSeed,
      boolean shipData,
      int taskCpus,
      double taskGpus,
      Map<String, String> settings) {
    public Job {
      Objects.requireNonNull(config, "config");
      if (taskCpus < 1) {
        throw new IllegalArgumentException("task CPUs = " + taskCpus + " must be >= 1");
      }
      if (!(taskGpus >= 0) || Double.isInfinite(taskGpus)) {
        throw new IllegalArgumentException("task GPUs = " + taskGpus + " must be >= 0");
      }
      settings = Map.copyOf(settings);
    }
  }
}
