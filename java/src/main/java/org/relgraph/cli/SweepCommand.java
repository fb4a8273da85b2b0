package org.relgraph.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.relgraph.io.OutputFiles;
import org.relgraph.model.ConvNetSpec;
import org.relgraph.model.MlpSpec;
import org.relgraph.sweep.ClusterSweep;
import org.relgraph.sweep.ClusterSweeps;
import org.relgraph.sweep.ResultsStore;
import org.relgraph.sweep.SweepGraph;
import org.relgraph.sweep.SweepGraphs;
import org.relgraph.sweep.SweepRunner;
import org.relgraph.sweep.SweepSpec;
import org.relgraph.sweep.SweepTrainers;
import org.relgraph.train.Dataset;
import org.relgraph.train.RelationalConvNet;
import org.relgraph.train.RunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relgraph sweep}: train a model over a graph set, every run recorded in a database. */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train the model over every graph of a set (and the complete graph, the baseline) with"
          + " each training seed, recording each finished run in an SQLite database.",
      "Run it again to resume: runs already in the database are skipped. Killing it at any"
          + " moment loses only the runs in progress. A second sweep on the same database is"
          + " refused (exit status 75) while the first runs.",
      "Exit status 1 when some runs failed (they are retried by the next sweep). SIGTERM or"
          + " Ctrl-C stops it: it says what was kept and how to resume, and exits with 143"
          + " (SIGTERM) or 130 (Ctrl-C)."
    })
final class SweepCommand implements Callable<Integer> {
  /** Default number of training seeds: the paper's 5. */
  static final int DEFAULT_SEEDS = 5;

  @Spec CommandSpec spec;

  @Option(
      names = "--graphs",
      required = true,
      arity = "1..*",
      paramLabel = "SET",
      description =
          "Graphs: paper:52, paper:449, paper:3942 (the paper's 64-node sets; paper:48, 326,"
              + " 2698 for 16 nodes), a graph-set CSV (n,k_over_n,p,seed,clustering,path_length,"
              + " e.g. a design-space sample), graph files, or directories of them.")
  List<String> graphs;

  @Option(
      names = "--seeds",
      paramLabel = "N",
      description = "Training seeds 0..N-1 (default: " + DEFAULT_SEEDS + ").")
  Integer seeds;

  @Option(
      names = "--seed-list",
      split = ",",
      paramLabel = "S",
      description = "Training seeds, instead of --seeds: e.g. --seed-list 0,1,7.")
  List<Integer> seedList;

  @Option(
      names = "--db",
      required = true,
      paramLabel = "FILE",
      description = "Results database (SQLite; created if needed).")
  Path db;

  @Option(
      names = "--workers",
      paramLabel = "W",
      description =
          "Runs trained at once, each with processors/W threads (default: one per processor).")
  Integer workers;

  @Option(names = "--no-baseline", description = "Leave out the complete-graph baseline.")
  boolean noBaseline;

  @picocli.CommandLine.Mixin TrainCommand.DataOptions data = new TrainCommand.DataOptions();

  @Option(
      names = "--model",
      description =
          "Name the runs are recorded under (default: mlp-DATASET); the longest conv model name"
              + " it is or starts with (then a '-') picks the model trained: cnn, resnet20,"
              + " cnn-imagenet, resnet34, resnet34-sep or resnet50 (e.g. cnn-fashion-mnist, or"
              + " just cnn); any other name trains the MLP.")
  String model;

  /**
   * The network a record name trains: the longest conv model's name that it equals or starts with
   * followed by '-' ({@code resnet34-sep-x} trains resnet34-sep), else the MLP.
   */
  static String network(String name) {
    String best = RunConfig.MLP;
    int longest = 0;
    for (String n : RelationalConvNet.BUILT) {
      if ((name.equals(n) || name.startsWith(n + "-")) && n.length() > longest) {
        best = n;
        longest = n.length();
      }
    }
    return best;
  }

  @picocli.CommandLine.Mixin
  TrainCommand.TrainingOptions training = new TrainCommand.TrainingOptions();

  // Test trainer (hidden): "trains" by sleeping; see SweepTrainers.
  @Option(names = "--trainer", hidden = true)
  String trainer;

  @Option(names = "--fake-epoch-ms", hidden = true, defaultValue = "10")
  long fakeEpochMillis;

  @Option(names = "--fake-fail-seed", hidden = true)
  Integer fakeFailSeed;

  @picocli.CommandLine.ArgGroup(exclusive = false, heading = "On a cluster (docs/sweeps.md):%n")
  ClusterOptions cluster;

  /** Options of a sweep on an Apache Spark cluster. */
  static final class ClusterOptions {
    @Option(
        names = "--spark",
        required = true,
        paramLabel = "MASTER_URL",
        description =
            "Train the runs as tasks on this Spark master (local[N], spark://HOST:PORT, yarn,"
                + " ...; 'submit': spark-submit's --master); this process records them.")
    String master;

    @Option(
        names = "--ship-data",
        description =
            "Ship the data set's files to each executor once, instead of reading --data there.")
    boolean shipData;

    @Option(
        names = "--task-cpus",
        paramLabel = "N",
        description = "Processors each run holds on its executor (default: --threads, or 1).")
    Integer taskCpus;

    @Option(
        names = "--task-gpus",
        paramLabel = "G",
        defaultValue = "0",
        description = "GPUs each run holds (Spark's GPU scheduling; default: 0).")
    double taskGpus;

    @Option(
        names = "--spark-conf",
        paramLabel = "NAME=VALUE",
        description = "A Spark setting, e.g. spark.executor.memory=4g (repeatable).")
    java.util.Map<String, String> conf = new java.util.LinkedHashMap<>();
  }

  @Override
  public Integer call() throws InterruptedException {
    return sweep(spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** Runs the sweep the fields describe; returns the exit status. */
  int sweep(PrintWriter out, PrintWriter err) throws InterruptedException {
    if (cluster != null) {
      return sweepOnCluster(out, err);
    }
    int workers = this.workers != null ? this.workers : SweepRunner.defaultWorkers();
    if (workers < 1) {
      throw new IllegalArgumentException("--workers " + workers + " must be >= 1");
    }
    if (workers > 1 && training.threads != null && training.threads > 1) {
      throw new IllegalArgumentException(
          "--threads "
              + training.threads
              + " with --workers "
              + workers
              + ": parallel runs train on one thread each (the native thread pool and OpenBLAS"
              + " run one multithreaded call at a time)");
    }
    OutputFiles.checkFile(db, "--db");
    List<Integer> trainSeeds = trainSeeds();
    String name = model != null ? model : "mlp-" + data.dataset;
    List<SweepGraph> set = SweepGraphs.load(graphs, nodeLimit(network(name)));
    SweepTrainers.Configured configured;
    if (trainer != null) {
      configured =
          SweepTrainers.forOptions(
              new SweepTrainers.Options(
                  trainer, name, training.epochs, fakeEpochMillis, fakeFailSeed));
    } else {
      int perWorker = training.threadsPerWorker(workers);
      // Checked in this order before the data loads; runConfig() below reads them again.
      training.mode();
      training.width();
      training.stemWidth();
      training.config(0);
      training.backend(perWorker); // fail before the sweep starts if the backend is unavailable
      training.reportDenseLibrary(err);
      Dataset d = data.load();
      RunConfig config =
          training.runConfig(d.name(), data.dir, name, null, 0, perWorker, network(name));
      configured = SweepTrainers.real(config, d, () -> training.backend(perWorker));
    }
    Processors.warnIfOversubscribed(training.threads, err);
    SweepSpec sweep =
        new SweepSpec(set, trainSeeds, configured.configKey(), configured.model(), !noBaseline);
    return runAndReport(
        out,
        err,
        what(set, sweep, trainSeeds),
        (store, progress) ->
            new SweepRunner(store, configured.trainer(), workers, progress).run(sweep));
  }

  /** Runs the sweep on a cluster: this process plans and records, the cluster trains. */
  private int sweepOnCluster(PrintWriter out, PrintWriter err) throws InterruptedException {
    if (workers != null) {
      throw new IllegalArgumentException(
          "--workers with --spark: the cluster's executors run the runs (see --task-cpus)");
    }
    if (training.denseLibrary != null || training.convPrimitives) {
      throw new IllegalArgumentException(
          (training.convPrimitives ? "--conv-primitives" : "--dense-library")
              + " with --spark: the cluster's executors make their own backends, whose"
              + " dense products run on OpenBLAS");
    }
    OutputFiles.checkFile(db, "--db");
    List<Integer> trainSeeds = trainSeeds();
    String name = model != null ? model : "mlp-" + data.dataset;
    int threads = training.threads != null ? training.threads : 1;
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("--threads = " + threads + " outside [1, 1024]");
    }
    int taskCpus = cluster.taskCpus != null ? cluster.taskCpus : threads;
    RunConfig config;
    if (trainer != null) {
      SweepTrainers.Options o =
          new SweepTrainers.Options(trainer, name, training.epochs, fakeEpochMillis, fakeFailSeed);
      SweepTrainers.forOptions(o); // refuses unknown trainers
      config = o.runConfig();
    } else {
      String dataset = data.dataset.toLowerCase(Locale.ROOT);
      if (!org.relgraph.train.Datasets.names().contains(dataset)) {
        data.load(); // says which names are known
      }
      // checks the options
      config = training.runConfig(dataset, data.dir, name, null, 0, threads, network(name));
    }
    String master = "submit".equals(cluster.master) ? null : cluster.master;
    ClusterSweep.Job job =
        new ClusterSweep.Job(
            master,
            config,
            fakeEpochMillis,
            fakeFailSeed,
            cluster.shipData,
            taskCpus,
            cluster.taskGpus,
            cluster.conf);
    ClusterSweeps.Found found = ClusterSweeps.find("spark");
    List<SweepGraph> set = SweepGraphs.load(graphs, nodeLimit(network(name)));
    SweepSpec sweep = new SweepSpec(set, trainSeeds, config.configKey(), name, !noBaseline);
    Thread self = Thread.currentThread();
    ClassLoader before = self.getContextClassLoader();
    self.setContextClassLoader(found.loader());
    try {
      return runAndReport(
          out,
          err,
          what(set, sweep, trainSeeds) + ", on Spark " + cluster.master,
          (store, progress) -> found.sweep().run(store, sweep, job, progress));
    } finally {
      self.setContextClassLoader(before);
    }
  }

  /** A sweep over an open store, reporting to a progress display. */
  private interface Sweeping {
    SweepRunner.Summary run(ResultsStore store, SweepProgress progress) throws InterruptedException;
  }

  private String what(List<SweepGraph> set, SweepSpec sweep, List<Integer> trainSeeds) {
    int baselines = sweep.allGraphs().size() - set.size();
    return "("
        + set.size()
        + (set.size() == 1 ? " graph" : " graphs")
        + (baselines == 0 ? "" : " + " + baselines + (baselines == 1 ? " baseline" : " baselines"))
        + ") × "
        + trainSeeds.size()
        + (trainSeeds.size() == 1 ? " seed" : " seeds")
        + ", into "
        + db;
  }

  /** Opens the database exclusively, runs, and reports as a sweep does; returns the status. */
  private int runAndReport(PrintWriter out, PrintWriter err, String what, Sweeping sweeping)
      throws InterruptedException {
    SweepRunner.Summary s;
    StopOnSignal stop = new StopOnSignal(err);
    try {
      try (ResultsStore store = ResultsStore.openExclusive(db);
          SweepProgress progress = new SweepProgress(err, what, System.console() != null)) {
        s = sweeping.run(store, progress);
      }
    } catch (SweepRunner.StoppedException e) {
      if (!stop.signalled()) {
        throw e;
      }
      reportStopped(err, e);
      return STOPPED;
    } finally {
      stop.close();
    }
    out.printf(
        Locale.ROOT,
        "%d finished, %d skipped (already in the database), %d failed, of %d runs in %.1f s;"
            + " results in %s%n",
        s.finished(),
        s.skipped(),
        s.failed(),
        s.total(),
        s.seconds(),
        db);
    out.flush();
    if (s.failed() > 0) {
      err.println(
          "relgraph: "
              + s.failed()
              + (s.failed() == 1 ? " run" : " runs")
              + " failed (not recorded; running the sweep again retries them)");
      err.flush();
      return 1;
    }
    return 0;
  }

  /**
   * What sweep() returns when a signal stopped it. The JVM's own exit status wins, as it is
   * shutting down: 128 + the signal's number, 143 for SIGTERM and 130 for SIGINT (Ctrl-C).
   */
  static final int STOPPED = 143;

  /**
   * The most nodes a graph may have for the runs to train: the stem width of the MLP ({@code
   * --stem-width}, {@link MlpSpec}; the stem gives every node at least one channel), or {@code
   * --width} when it is narrower.
   */
  private SweepGraphs.NodeLimit nodeLimit(String network) {
    if (!RunConfig.MLP.equals(network)) {
      ConvNetSpec spec = ConvNetSpec.named(network);
      int max =
          training.width != null && training.width >= 1
              ? spec.at(spec.widthsFor(training.width), spec.resolution()).maxNodes()
              : spec.maxNodes();
      return new SweepGraphs.NodeLimit(
          max,
          "more than "
              + network
              + "'s narrowest layer allows (every node needs one of its "
              + max
              + " channels)");
    }
    int stem = training.stemWidth();
    if (training.width != null && training.width >= 1 && training.width < stem) {
      return new SweepGraphs.NodeLimit(
          training.width,
          "more than --width "
              + training.width
              + " (the relational layers need at least one channel per node)");
    }
    return new SweepGraphs.NodeLimit(
        stem,
        n ->
            "more than the MLP's stem width "
                + stem
                + " allows (every node needs a stem channel"
                + (n <= MlpSpec.MAX_STEM_WIDTH
                    ? "; --stem-width " + n + " or more trains it)"
                    : "; the widest stem is " + MlpSpec.MAX_STEM_WIDTH + ")"));
  }

  private void reportStopped(PrintWriter err, SweepRunner.StoppedException e) {
    SweepRunner.Summary s = e.summary();
    int kept = s.finished() + s.skipped();
    err.printf(
        Locale.ROOT,
        "relgraph: sweep stopped: %d %s finished and recorded by this sweep, %d of %d runs now in"
            + " %s%s; to resume, run the same command again: %s%n",
        s.finished(),
        s.finished() == 1 ? "run" : "runs",
        kept,
        s.total(),
        db,
        e.dropped() == 0
            ? ""
            : " (" + e.dropped() + (e.dropped() == 1 ? " run" : " runs") + " in progress dropped)",
        commandLine());
    err.flush();
  }

  /** This command's line, quoted for a POSIX shell where needed. */
  private String commandLine() {
    StringBuilder sb = new StringBuilder("relgraph");
    List<String> args =
        spec.commandLine().getParseResult() == null
            ? List.of("sweep")
            : spec.commandLine().getParseResult().originalArgs();
    if (args.isEmpty() || !args.get(0).equals("sweep")) {
      sb.append(" sweep");
    }
    for (String a : args) {
      sb.append(' ')
          .append(a.matches("[A-Za-z0-9_./:=,@%+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
    }
    return sb.toString();
  }

  /**
   * While open: on SIGTERM or Ctrl-C (the JVM's shutdown), interrupts the sweep's thread, so that
   * the runner stops its workers and the store closes, and waits for that before the JVM ends.
   */
  private static final class StopOnSignal implements AutoCloseable {
    /** How long the JVM waits for the runs in progress to stop. */
    private static final long WAIT_SECONDS = 60;

    private final Thread hook;
    private final java.util.concurrent.CountDownLatch done =
        new java.util.concurrent.CountDownLatch(1);
    private volatile boolean signalled;

    StopOnSignal(PrintWriter err) {
      Thread sweeping = Thread.currentThread();
      hook =
          new Thread(
              () -> {
                signalled = true;
                sweeping.interrupt();
                try {
                  if (!done.await(WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                    err.println(
                        "relgraph: sweep stopped; the runs in progress did not stop within "
                            + WAIT_SECONDS
                            + " s; every finished run is recorded: run the same command again to"
                            + " resume");
                    err.flush();
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "sweep-stop");
      Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean signalled() {
      return signalled;
    }

    @Override
    public void close() {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook is running, and returns now
      }
    }
  }

  private List<Integer> trainSeeds() {
    if (seeds != null && seedList != null) {
      throw new IllegalArgumentException("give --seeds or --seed-list, not both");
    }
    if (seedList != null) {
      return seedList;
    }
    int count = seeds != null ? seeds : DEFAULT_SEEDS;
    if (count < 1) {
      throw new IllegalArgumentException("--seeds " + count + " must be >= 1");
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(i);
    }
    return out;
  }
}
