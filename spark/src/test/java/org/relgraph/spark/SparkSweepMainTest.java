package org.relgraph.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What spark-submit's main class makes of its arguments. */
class SparkSweepMainTest {
  @Test
  void theSweepRunsOnSparkSubmitsMaster() {
    assertArrayEquals(
        new String[] {"sweep", "--graphs", "paper:52", "--spark", "submit"},
        SparkSweepMain.command(new String[] {"--graphs", "paper:52"}));
    assertArrayEquals(
        new String[] {"sweep", "--graphs", "paper:52", "--spark", "submit"},
        SparkSweepMain.command(new String[] {"sweep", "--graphs", "paper:52"}));
    assertArrayEquals(
        new String[] {"sweep", "--spark", "local[2]"},
        SparkSweepMain.command(new String[] {"--spark", "local[2]"}));
  }

  @Test
  void withoutAMasterFromSparkSubmitTheSweepIsRefused(@TempDir Path dir) throws Exception {
    Path set = SparkTesting.graphSet(dir, 1);
    String saved = System.clearProperty("spark.master");
    try {
      SparkTesting.Cli r =
          SparkTesting.run(
              List.of(
                  SparkSweepMain.command(
                      new String[] {
                        "--graphs",
                        set.toString(),
                        "--db",
                        dir.resolve("r.db").toString(),
                        "--trainer",
                        "fake"
                      })));
      assertEquals(2, r.status(), r.err());
      assertTrue(r.err().startsWith("relgraph: --spark submit: no master given"), r.err());
    } finally {
      if (saved != null) {
        System.setProperty("spark.master", saved);
      }
    }
  }
}
