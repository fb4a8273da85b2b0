package org.relgraph.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep on Spark in local mode ({@code local[2]}) equals the local runner's: the same rows for
 * the same plan, and the same numbers for real runs.
 */
class SparkSweepLocalTest {
  private static List<String> sweep(Path set, Path db, String... more) {
    List<String> args =
        new ArrayList<>(List.of("sweep", "--graphs", set.toString(), "--db", db.toString()));
    args.addAll(List.of(more));
    return args;
  }

  private static List<String> onSpark(List<String> args) {
    List<String> out = new ArrayList<>(args);
    out.addAll(List.of("--spark", "local[2]"));
    out.addAll(SparkTesting.LOOPBACK);
    return out;
  }

  /** {@code args} with its {@code --graphs} option replaced by {@code graphs}. */
  private static List<String> with(List<String> args, List<String> graphs) {
    List<String> out = new ArrayList<>(args);
    int i = out.indexOf("--graphs");
    out.remove(i);
    out.remove(i);
    out.addAll(i, graphs);
    return out;
  }

  @Test
  void theTestTrainersRowsEqualTheLocalRunners(@TempDir Path dir) throws Exception {
    Path set = SparkTesting.graphSet(dir, 5);
    // A graph file too: its edges travel with the run (the executor does not read the file)
    StringBuilder ring = new StringBuilder("# relgraph nodes=16 directed=false\n");
    for (int i = 0; i < 16; i++) {
      ring.append(i).append(' ').append((i + 1) % 16).append('\n');
      ring.append(i).append(' ').append((i + 5) % 16).append('\n');
    }
    Path file = dir.resolve("ring.edges");
    java.nio.file.Files.writeString(file, ring);
    String[] plan = {
      "--seeds",
      "2",
      "--epochs",
      "3",
      "--trainer",
      "fake",
      "--fake-epoch-ms",
      "5",
      "--fake-fail-seed",
      "1"
    };
    List<String> graphs = List.of("--graphs", set.toString(), file.toString());
    SparkTesting.Cli local =
        SparkTesting.run(with(sweep(set, dir.resolve("local.db"), plan), graphs));
    SparkTesting.Cli spark =
        SparkTesting.run(onSpark(with(sweep(set, dir.resolve("spark.db"), plan), graphs)));
    // 5 graphs, the file, 2 baselines (n = 64 and 16); seed 1 fails by design: 8 runs recorded,
    // 8 failed, status 1 both times
    assertEquals(1, local.status(), local.err());
    assertEquals(1, spark.status(), spark.err());
    assertTrue(
        spark
            .out()
            .startsWith("8 finished, 0 skipped (already in the database), 8 failed, of 16 runs"),
        spark.out());
    assertTrue(
        spark
            .err()
            .contains(" failed: executor driver on 127.0.0.1: fake failure of training seed 1"),
        spark.err());
    Map<String, Map<String, Object>> expected = SparkTesting.rows(dir.resolve("local.db"));
    assertEquals(8, expected.size());
    assertTrue(
        expected.keySet().stream().anyMatch(k -> k.startsWith("file(n=16,")),
        "" + expected.keySet());
    assertEquals(expected, SparkTesting.rows(dir.resolve("spark.db")));

    // Resuming on Spark: nothing recorded twice, the failed runs retried (and failing again)
    spark = SparkTesting.run(onSpark(with(sweep(set, dir.resolve("spark.db"), plan), graphs)));
    assertTrue(
        spark.out().startsWith("0 finished, 8 skipped (already in the database), 8 failed"),
        spark.out());
    assertEquals(expected, SparkTesting.rows(dir.resolve("spark.db")));
  }

  @Test
  void realRunsGiveTheLocalRunnersNumbers(@TempDir Path dir) throws Exception {
    Path set = SparkTesting.graphSet(dir, 2);
    String[] plan = {
      "--seeds", "1", "--epochs", "1", "--dataset", "synthetic", "--threads", "1", "--no-baseline"
    };
    SparkTesting.Cli local =
        SparkTesting.run(
            sweep(
                set,
                dir.resolve("local.db"),
                plan[0],
                plan[1],
                plan[2],
                plan[3],
                plan[4],
                plan[5],
                plan[6],
                plan[7],
                plan[8],
                "--workers",
                "2"));
    assertEquals(0, local.status(), local.err());
    SparkTesting.Cli spark = SparkTesting.run(onSpark(sweep(set, dir.resolve("spark.db"), plan)));
    assertEquals(0, spark.status(), spark.err());
    Map<String, Map<String, Object>> expected = SparkTesting.rows(dir.resolve("local.db"));
    assertEquals(2, expected.size());
    assertEquals(expected, SparkTesting.rows(dir.resolve("spark.db")));
  }
}
