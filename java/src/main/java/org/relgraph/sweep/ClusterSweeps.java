package org.relgraph.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Finds a {@link ClusterSweep}: on the class path (spark-submit puts the runner's jar there), or in
 * the build tree beside this library's jar, so that the core library and CLI carry no cluster
 * engine. For {@code spark}: the runner's jar {@code spark/target/relgraph-spark.jar} and Spark's
 * jars from {@code spark/target/spark-lib/} (what {@code mvn -pl spark -am package} builds), or,
 * when that folder is absent, from {@code $SPARK_HOME/jars}. {@code RELGRAPH_SPARK_DIR} names
 * another folder in place of {@code spark/target}.
 */
public final class ClusterSweeps {
  private ClusterSweeps() {}

  /** The cluster sweep that names itself {@code name}, with the class loader it was found in. */
  public record Found(ClusterSweep sweep, ClassLoader loader) {}

  /**
   * @throws IllegalArgumentException naming where it looked, when there is none
   */
  public static Found find(String name) {
    ClassLoader here = ClusterSweeps.class.getClassLoader();
    ClusterSweep s = load(name, here);
    if (s != null) {
      return new Found(s, here);
    }
    Path dir = runnerDir();
    Path jar = dir.resolve("relgraph-" + name + ".jar");
    List<URL> urls = new ArrayList<>();
    Path lib = dir.resolve(name + "-lib");
    String sparkHome = System.getenv("SPARK_HOME");
    if (!Files.isDirectory(lib) && sparkHome != null && !sparkHome.isBlank()) {
      lib = Path.of(sparkHome, "jars");
    }
    if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
      throw new IllegalArgumentException(
          "--"
              + name
              + " needs the "
              + name
              + " runner and its jars: "
              + (Files.isRegularFile(jar) ? "no folder " + lib : "no " + jar)
              + " (build them with 'mvn -B -pl spark -am package -DskipTests', or set SPARK_HOME)");
    }
    try (Stream<Path> jars = Files.list(lib)) {
      urls.add(jar.toUri().toURL());
      for (Path p : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
        urls.add(p.toUri().toURL());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + lib, e);
    }
    URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), here);
    s = load(name, loader);
    if (s == null) {
      throw new IllegalArgumentException(jar + " holds no " + name + " runner");
    }
    return new Found(s, loader);
  }

  private static ClusterSweep load(String name, ClassLoader loader) {
    for (ClusterSweep s : ServiceLoader.load(ClusterSweep.class, loader)) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** {@code RELGRAPH_SPARK_DIR}, or {@code spark/target} of the build tree this library is in. */
  static Path runnerDir() {
    String env = System.getenv("RELGRAPH_SPARK_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    try {
      URL where = ClusterSweeps.class.getProtectionDomain().getCodeSource().getLocation();
      // java/target/relgraph.jar or java/target/classes: the tree's root is two levels up
      Path root = Path.of(where.toURI()).toAbsolutePath().getParent().getParent().getParent();
      return root.resolve("spark").resolve("target");
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of("spark", "target");
    }
  }
}
