package org.relgraph.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.relgraph.sweep.ClusterSweep;
import org.relgraph.sweep.ResultsStore;
import org.relgraph.sweep.RunResult;
import org.relgraph.sweep.SweepRunner;
import org.relgraph.sweep.SweepSpec;
import org.relgraph.train.Datasets;
import org.relgraph.train.RunConfig;
import scala.runtime.AbstractFunction0;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * A sweep on Apache Spark. The driver (this process) plans the runs, skips the keys in the
 * database, and submits one Spark job with one task per pending run; executors rebuild each run's
 * graph and train it ({@link ExecutorTraining}); each task's result comes back to the driver as the
 * task ends, and the driver records it at once, as the database's only writer. Spark delivers one
 * result per task even when it ran the task twice (a retry after a lost executor, a speculative
 * copy), and the database ignores a key it holds, so every run is recorded once. Killing the driver
 * loses the runs in flight; starting it again trains only what is missing.
 */
public final class SparkSweep implements ClusterSweep {
  /** How long the driver waits for a master's port to answer. */
  private static final int CONNECT_MILLIS = 5000;

  @Override
  public String name() {
    return "spark";
  }

  @Override
  public SweepRunner.Summary run(
      ResultsStore store, SweepSpec spec, Job job, SweepRunner.Listener listener)
      throws InterruptedException {
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
    if (pending.isEmpty()) {
      listener.started(new SweepRunner.Plan(all.size(), skipped, List.of(), 1));
      return new SweepRunner.Summary(all.size(), 0, skipped, 0, List.of(), seconds(start));
    }
    quietLogging(); // before Spark's first class starts log4j
    SparkConf conf = conf(job);
    checkReachable(conf.get("spark.master", null));
    Driving d = new Driving(store, listener, pending, job.config().dataset(), all.size(), skipped);
    try (JavaSparkContext sc = new JavaSparkContext(SparkContext.getOrCreate(conf))) {
      if (job.shipData()) {
        ship(sc, job.config());
      }
      if (job.config().trainer() == null) {
        checkData(sc, job);
      }
      int slots = Math.max(1, sc.defaultParallelism() / Math.max(1, job.taskCpus()));
      d.slots = slots;
      listener.started(new SweepRunner.Plan(all.size(), skipped, List.copyOf(pending), slots));
      List<RunTask> tasks = new ArrayList<>(pending.size());
      for (int i = 0; i < pending.size(); i++) {
        SweepSpec.Run r = pending.get(i);
        RunConfig c = job.config().forRun(r.graph().spec(), r.trainSeed());
        tasks.add(
            RunTask.of(
                i, r, c.toJson(), job.fakeEpochMillis(), job.fakeFailSeed(), job.shipData()));
      }
      JavaRDD<RunOutcome> outcomes = sc.parallelize(tasks, tasks.size()).map(ExecutorTraining::run);
      sc.setJobDescription("relgraph sweep: " + tasks.size() + " runs");
      List<Object> partitions = new ArrayList<>();
      for (int i = 0; i < tasks.size(); i++) {
        partitions.add(i);
      }
      SimpleFutureAction<BoxedUnit> future =
          sc.sc()
              .submitJob(
                  outcomes.rdd(),
                  new FirstOfPartition(),
                  scala.jdk.javaapi.CollectionConverters.asScala(partitions).toSeq(),
                  new Deliver(d.arrived),
                  new Nothing());
      d.drive(future, sc);
    }
    return new SweepRunner.Summary(
        all.size(),
        d.finished,
        skipped,
        d.failures.size(),
        List.copyOf(d.failures),
        seconds(start));
  }

  /** The driver's side of the job: records outcomes as they arrive. */
  private static final class Driving {
    final BlockingQueue<RunOutcome> arrived = new LinkedBlockingQueue<>();
    final ResultsStore store;
    final SweepRunner.Listener listener;
    final List<SweepSpec.Run> pending;
    final Set<Integer> seen = new HashSet<>();
    final List<SweepRunner.Failure> failures = new ArrayList<>();
    final String dataset;
    final int total;
    final int skipped;
    final long start = System.nanoTime();

    /** Runs in flight at most: one per task slot. */
    int slots = 1;

    int finished;

    Driving(
        ResultsStore store,
        SweepRunner.Listener listener,
        List<SweepSpec.Run> pending,
        String dataset,
        int total,
        int skipped) {
      this.dataset = dataset;
      this.total = total;
      this.skipped = skipped;
      this.store = store;
      this.listener = listener;
      this.pending = pending;
    }

    void drive(SimpleFutureAction<BoxedUnit> future, JavaSparkContext sc)
        throws InterruptedException {
      try {
        while (true) {
          RunOutcome o = arrived.poll(200, TimeUnit.MILLISECONDS);
          if (o != null) {
            take(o, future);
          } else if (future.isCompleted()) {
            for (RunOutcome rest; (rest = arrived.poll()) != null; ) {
              take(rest, future);
            }
            break;
          }
        }
      } catch (InterruptedException e) {
        future.cancel();
        throw stopped();
      }
      scala.util.Try<BoxedUnit> t = future.value().get();
      if (t.isFailure()) {
        Throwable e = t.failed().get();
        if (sc.sc().isStopped() || Thread.currentThread().isInterrupted()) {
          throw stopped();
        }
        throw new IllegalStateException("the Spark job failed: " + SweepRunner.message(e), e);
      }
    }

    /** The sweep stopped: the runs not yet back are dropped. */
    private SweepRunner.StoppedException stopped() {
      return new SweepRunner.StoppedException(
          new SweepRunner.Summary(
              total, finished, skipped, failures.size(), List.copyOf(failures), seconds(start)),
          Math.min(pending.size() - seen.size(), slots));
    }

    private void take(RunOutcome o, SimpleFutureAction<BoxedUnit> future) {
      if (!seen.add(o.index())) {
        return; // a second copy of a task's result: the run is recorded already
      }
      SweepSpec.Run run = pending.get(o.index());
      if (o.dataUnavailable()) {
        future.cancel();
        throw new UncheckedIOException(
            "data set " + dataset + " is unreadable on " + o.where() + ": " + o.error(),
            new IOException(o.error()));
      }
      String error = o.error();
      RunResult result = null;
      if (error == null) {
        result = o.result();
        error = SweepRunner.invalid(run, result);
      }
      if (error != null) {
        String message = o.where() + ": " + error;
        failures.add(new SweepRunner.Failure(run.key(), message));
        listener.runFailed(run, message, new IllegalStateException(message));
        return;
      }
      store.record(run, result, o.seconds());
      finished++;
      listener.runFinished(run, result, o.seconds());
    }
  }

  /** The Spark settings of {@code job}; Spark's own ({@code spark.*} properties) come first. */
  static SparkConf conf(Job job) {
    SparkConf conf = new SparkConf(true).setAppName("relgraph sweep");
    if (job.master() != null) {
      conf.setMaster(job.master());
    }
    if (!conf.contains("spark.master")) {
      throw new IllegalArgumentException(
          "--spark submit: no master given (spark-submit's --master sets it)");
    }
    conf.set("spark.task.cpus", Integer.toString(job.taskCpus()));
    if (job.taskGpus() > 0) {
      conf.set("spark.task.resource.gpu.amount", Double.toString(job.taskGpus()));
    }
    // A lost executor's tasks run again elsewhere; a run's own failure never reaches Spark.
    conf.setIfMissing("spark.task.maxFailures", "8");
    for (Map.Entry<String, String> e : job.settings().entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    return conf;
  }

  /**
   * Fails fast, with one line, when a standalone master's port does not answer: Spark itself would
   * retry for a minute before giving up.
   */
  static void checkReachable(String master) {
    if (master == null || !master.startsWith("spark://")) {
      return;
    }
    for (String hostPort : master.substring("spark://".length()).split(",")) {
      int colon = hostPort.lastIndexOf(':');
      String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      int port;
      try {
        port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--spark " + master + ": not HOST:PORT: " + hostPort);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), CONNECT_MILLIS);
        return;
      } catch (IOException e) {
        if (!master.contains(",")) {
          throw new UncheckedIOException(
              "cannot reach the Spark master " + master + ": " + e.getMessage(), e);
        }
      }
    }
    throw new UncheckedIOException(
        "cannot reach any Spark master of " + master, new IOException(master));
  }

  /**
   * Loads the data set on an executor before the sweep starts, so that a data set missing there is
   * one line rather than one failure per run. Each run checks again (and the first failure stops
   * the sweep), since other executors may lack it too.
   */
  private static void checkData(JavaSparkContext sc, Job job) {
    String json = job.config().toJson();
    boolean ship = job.shipData();
    sc.setJobDescription("relgraph sweep: checking the data set");
    String error =
        sc.parallelize(List.of(json), 1)
            .map(j -> ExecutorTraining.checkData(j, ship))
            .collect()
            .get(0);
    if (error != null) {
      throw new UncheckedIOException(
          "data set " + job.config().dataset() + " is unreadable on " + error,
          new IOException(error));
    }
  }

  /** Ships the files of the data set's directory to every executor, once each. */
  static void ship(JavaSparkContext sc, RunConfig config) {
    Path dir =
        config.dataDir() != null
            ? Path.of(config.dataDir())
            : config.dataset().equals("fashion-mnist") ? Datasets.FASHION_MNIST_DIR : null;
    if (dir == null) {
      return; // generated (synthetic): nothing to ship
    }
    if (!Files.isDirectory(dir)) {
      throw new UncheckedIOException(
          "--ship-data: data directory " + dir + " not found on the driver",
          new IOException(dir.toString()));
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        sc.addFile(f.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("--ship-data: cannot list " + dir, e);
    }
  }

  /**
   * Spark logs at INFO to stderr unless told otherwise; a sweep's stderr is its progress. When no
   * log4j configuration is given, the runner's own (errors only) is used.
   */
  static void quietLogging() {
    if (System.getProperty("log4j2.configurationFile") == null
        && System.getProperty("log4j.configurationFile") == null) {
      URL config = SparkSweep.class.getResource("log4j2-sweep.properties");
      if (config != null) {
        System.setProperty("log4j2.configurationFile", config.toString());
      }
    }
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  /** A partition's one outcome (each partition holds one run). */
  private static final class FirstOfPartition
      extends AbstractFunction1<scala.collection.Iterator<RunOutcome>, RunOutcome>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public RunOutcome apply(scala.collection.Iterator<RunOutcome> it) {
      return it.next();
    }
  }

  /** Called on the driver as each task's result arrives: hands it to the recording thread. */
  private static final class Deliver extends AbstractFunction2<Object, RunOutcome, BoxedUnit>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final transient BlockingQueue<RunOutcome> queue;

    Deliver(BlockingQueue<RunOutcome> queue) {
      this.queue = queue;
    }

    @Override
    public BoxedUnit apply(Object partition, RunOutcome outcome) {
      queue.add(outcome);
      return BoxedUnit.UNIT;
    }
  }

  private static final class Nothing extends AbstractFunction0<BoxedUnit>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public BoxedUnit apply() {
      return BoxedUnit.UNIT;
    }
  }
}
