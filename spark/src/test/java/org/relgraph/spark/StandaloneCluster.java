package org.relgraph.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster for tests: a Master and Workers, each a JVM of its own started from
 * this test's class path, all listening on 127.0.0.1 only (web UIs on random ports), stopped with
 * every process they started by {@link #close()}.
 */
final class StandaloneCluster implements AutoCloseable {
  private static final Pattern MASTER_URL = Pattern.compile("(spark://127\\.0\\.0\\.1:\\d+)");

  private final Path dir;
  private final Path sparkHome;
  private final Process master;
  private final String url;
  private final List<Process> workers = new ArrayList<>();

  /** Every process started, and the descendants seen, to stop at the end. */
  private final List<ProcessHandle> started = new ArrayList<>();

  StandaloneCluster(Path dir) throws Exception {
    this.dir = dir;
    // Workers build an executor's class path from SPARK_HOME/jars (empty here) and
    // spark.executor.extraClassPath (this test's class path).
    sparkHome = dir.resolve("spark-home");
    Files.createDirectories(sparkHome.resolve("jars"));
    master =
        start(
            "master",
            List.of(
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--webui-port",
                "0"));
    url = await("master", MASTER_URL, 90);
  }

  /** The master's URL, {@code spark://127.0.0.1:PORT}. */
  String url() {
    return url;
  }

  /** Starts a Worker with {@code cores} cores, and waits until the master has it. */
  Process addWorker(int cores) throws Exception {
    String name = "worker" + workers.size();
    Path work = dir.resolve(name + "-work");
    Files.createDirectories(work);
    Process w =
        start(
            name,
            List.of(
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--webui-port",
                "0",
                "--cores",
                Integer.toString(cores),
                "--memory",
                "1g",
                "--work-dir",
                work.toString(),
                url));
    workers.add(w);
    await(name, Pattern.compile("(Successfully registered with master)"), 90);
    return w;
  }

  /**
   * The stderr of the executors a worker started for the newest application (application folders
   * are named {@code app-TIME-NUMBER}, so they sort in the order they were started).
   */
  String executorLogs(int worker) throws IOException {
    Path work = dir.resolve("worker" + worker + "-work");
    List<Path> apps;
    try (var list = Files.list(work)) {
      apps = list.filter(p -> p.getFileName().toString().startsWith("app-")).sorted().toList();
    }
    if (apps.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    try (var files = Files.walk(apps.get(apps.size() - 1))) {
      for (Path p : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
        sb.append(Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return sb.toString();
  }

  /** The JVM options a Spark JVM needs on Java 17 (from the build, else none). */
  static List<String> jvmOptions() {
    String opts = System.getProperty("spark.jvm.options", "");
    List<String> out = new ArrayList<>();
    for (String o : opts.trim().split("\\s+")) {
      if (!o.isEmpty()) {
        out.add(o);
      }
    }
    return out;
  }

  /** The environment every process of the cluster (and a driver) runs with. */
  void environment(Map<String, String> env) {
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.remove("SPARK_CONF_DIR");
  }

  /** Starts {@code java CLASS ARGS} with this test's class path; output in {@code dir/NAME.log}. */
  Process start(String name, List<String> mainAndArgs) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-XX:TieredStopAtLevel=1");
    command.addAll(jvmOptions());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(mainAndArgs);
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile());
    environment(pb.environment());
    Process p = pb.start();
    started.add(p.toHandle());
    return p;
  }

  String log(String name) throws IOException {
    Path f = dir.resolve(name + ".log");
    return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
  }

  private String await(String name, Pattern what, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      Matcher m = what.matcher(log(name));
      if (m.find()) {
        return m.group(1);
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " did not start:\n" + log(name));
  }

  /** Kills a worker with SIGKILL; returns its executors' processes, which outlive it briefly. */
  List<ProcessHandle> killWorker(Process worker) throws InterruptedException {
    List<ProcessHandle> children = worker.descendants().toList();
    started.addAll(children);
    worker.destroyForcibly();
    worker.waitFor(30, TimeUnit.SECONDS);
    return children;
  }

  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> all = new ArrayList<>();
    for (ProcessHandle p : started) {
      p.descendants().forEach(all::add);
      all.add(p);
    }
    for (ProcessHandle p : all) {
      p.destroy();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (ProcessHandle p : all) {
      while (p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }
}
