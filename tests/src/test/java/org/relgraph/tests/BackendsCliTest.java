package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code relgraph backends}, and {@code --backend} chosen by discovery in every command. */
class BackendsCliTest {
  static final String UNKNOWN = "unknown backend 'nope': there are cpu, cuda, java";

  static String[] train(String backend, String... more) {
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of(
                "train",
                "--graph",
                "ws-flex:k=8,p=0.3,seed=1,n=32",
                "--dataset",
                "synthetic",
                "--epochs",
                "1",
                "--no-match",
                "--stem-width",
                "64",
                "--backend",
                backend,
                "--json"));
    args.addAll(java.util.List.of(more));
    return args.toArray(String[]::new);
  }

  static void assertOneLineUsageError(Cli r, String message) {
    assertEquals(2, r.status(), r.err());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains(message), r.err());
  }

  @Test
  void listsJavaAndCpuWithCpuAvailable() {
    Cli r = Cli.run("backends");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("cpu  available: yes\n"), r.out());
    assertTrue(r.out().contains("\njava  available: yes\n"), r.out());
    assertTrue(r.out().contains("isa: none (plain Java, float64 reference)"), r.out());
    assertTrue(r.out().contains("modes: blocksparse, masked, dense"), r.out());

    Cli j = Cli.run("backends", "--json");
    assertEquals(0, j.status(), j.err());
    JsonArray all = JsonParser.parseString(j.out().strip()).getAsJsonArray();
    assertEquals(3, all.size());
    JsonObject cpu = all.get(0).getAsJsonObject();
    assertEquals("cpu", cpu.get("name").getAsString());
    assertTrue(cpu.get("available").getAsBoolean());
    assertTrue(cpu.get("cause").isJsonNull());
    assertTrue(cpu.get("max_threads").getAsInt() >= 1);
    assertEquals("host CPU", cpu.getAsJsonArray("devices").get(0).getAsString());
    JsonObject java = all.get(2).getAsJsonObject();
    assertEquals("java", java.get("name").getAsString());
    assertEquals(1, java.get("max_threads").getAsInt());
    assertEquals(3, java.getAsJsonArray("modes").size());
    assertTrue(Cli.run("--help").out().contains("backends"));
  }

  @Test
  void trainAndEvaluateTakeEveryDiscoveredBackendAndRefuseOthers(@TempDir Path dir) {
    Path model = dir.resolve("m.rgm");
    Cli r = Cli.run(train("java", "--save", model.toString()));
    assertEquals(0, r.status(), r.err());
    JsonObject j = TrainCliTest.lastJson(r.out());
    assertTrue(j.get("backend").getAsString().contains("JavaBackend"), j.toString());
    assertTrue(Files.exists(model));

    assertOneLineUsageError(Cli.run(train("nope")), UNKNOWN);
    assertOneLineUsageError(
        Cli.run("evaluate", "--model", model.toString(), "--backend", "nope"), UNKNOWN);
    Cli e = Cli.run("evaluate", "--model", model.toString(), "--backend", "java", "--json");
    assertEquals(0, e.status(), e.err());
    assertEquals(
        j.get("top1_error").getAsDouble(),
        TrainCliTest.lastJson(e.out()).get("top1_error").getAsDouble(),
        1e-9);
  }

  @Test
  void sweepTakesTheBackendPerWorker(@TempDir Path dir) throws Exception {
    Path set = SweepCliTest.graphSet(dir, 1);
    Path db = dir.resolve("java.db");
    String[] common = {
      "sweep",
      "--graphs",
      set.toString(),
      "--db",
      db.toString(),
      "--seeds",
      "1",
      "--dataset",
      "synthetic",
      "--epochs",
      "1",
      "--no-baseline",
      "--no-match",
      "--stem-width",
      "64",
      "--backend"
    };
    Cli nope = Cli.run(Cli.plus(common, "nope"));
    assertOneLineUsageError(nope, UNKNOWN);
    Cli r = Cli.run(Cli.plus(common, "java"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("1 finished, 0 skipped"), r.out());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        ResultSet rs = c.createStatement().executeQuery("SELECT backend FROM runs")) {
      assertTrue(rs.next());
      assertTrue(rs.getString(1).contains("JavaBackend"), rs.getString(1));
    }
  }

  @Test
  void benchTimesTheCpuBackendOnlyAndSaysSo() {
    for (String bench : new String[] {"layers", "epochs"}) {
      assertOneLineUsageError(Cli.run("bench", bench, "--backend", "nope"), UNKNOWN);
      assertOneLineUsageError(
          Cli.run("bench", bench, "--backend", "java"),
          "bench "
              + bench
              + " times the native kernels against OpenBLAS: --backend java is not"
              + " supported (only cpu)");
    }
  }
}
