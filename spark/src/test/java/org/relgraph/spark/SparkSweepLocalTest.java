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

  @Test
  void theTestTrainersRowsEqualTheLocalRunners(@TempDir Path dir) throws Exception {
    Path set = SparkTesting.graphSet(dir, 5);
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
    SparkTesting.Cli local = SparkTesting.run(sweep(set, dir.resolve("local.db"), plan));
    SparkTesting.Cli spark = SparkTesting.run(onSpark(sweep(set, dir.resolve("spark.db"), plan)));
    // Seed 1 fails by design: 6 runs recorded, 6 failed, status 1 both times
    assertEquals(1, local.status(), local.err());
    assertEquals(1, spark.status(), spark.err());
    assertTrue(
        spark
            .out()
            .startsWith("6 finished, 0 skipped (already in the database), 6 failed, of 12 runs"),
        spark.out());
    assertTrue(
        spark
            .err()
            .contains(" failed: executor driver on 127.0.0.1: fake failure of training seed 1"),
        spark.err());
    Map<String, Map<String, Object>> expected = SparkTesting.rows(dir.resolve("local.db"));
    assertEquals(6, expected.size());
    assertEquals(expected, SparkTesting.rows(dir.resolve("spark.db")));

    // Resuming on Spark: nothing recorded twice, the failed runs retried (and failing again)
    spark = SparkTesting.run(onSpark(sweep(set, dir.resolve("spark.db"), plan)));
    assertTrue(
        spark.out().startsWith("0 finished, 6 skipped (already in the database), 6 failed"),
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
