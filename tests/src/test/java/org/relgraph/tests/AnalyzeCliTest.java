package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnalyzeCliTest {
  @TempDir Path dir;

  Path copy(String name) throws IOException {
    Path file = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/graph2nn/" + name)) {
      Files.copy(in, file);
    }
    return file;
  }

  static JsonObject lastLineJson(Cli r) {
    List<String> lines = r.out().strip().lines().toList();
    return JsonParser.parseString(lines.get(lines.size() - 1)).getAsJsonObject();
  }

  static void assertPair(double lo, double hi, JsonArray a) {
    assertEquals(2, a.size());
    assertEquals(lo, a.get(0).getAsDouble(), 5e-4);
    assertEquals(hi, a.get(1).getAsDouble(), 5e-4);
  }

  static void assertOneLineError(Cli r, int status, String contains) {
    assertEquals(status, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("relgraph: "), r.err());
    assertTrue(r.err().contains(contains), r.err());
  }

  @Test
  void perGraphJson() throws IOException {
    Path results = copy("imagenet_results.csv.gz");
    Path out = dir.resolve("out");
    Cli r =
        Cli.run(
            "analyze",
            "--results",
            results.toString(),
            "--out",
            out.toString(),
            "--model",
            "resnet34-imagenet",
            "--json");
    assertEquals(0, r.status(), r.err());
    JsonObject j = lastLineJson(r);
    assertEquals("graph", j.get("mode").getAsString());
    assertEquals(100, j.get("epoch").getAsInt());
    JsonObject spot = j.getAsJsonObject("sweet_spot");
    assertPair(0.098, 0.636, spot.getAsJsonArray("clustering"));
    assertPair(1.580, 2.522, spot.getAsJsonArray("path_length"));
    assertFalse(j.has("best_bin"));
    JsonObject best = j.getAsJsonObject("best_graph");
    assertEquals(24.57, best.get("mean_error").getAsDouble(), 5e-3);
    assertTrue(best.has("clustering") && best.has("path_length") && best.has("std_error"));
    JsonObject base = j.getAsJsonObject("baseline");
    assertEquals(25.73, base.get("mean_error").getAsDouble(), 5e-3);
    assertEquals(3, base.get("runs").getAsInt());
    assertEquals(
        0.928,
        j.getAsJsonObject("correlations").getAsJsonObject("epoch").get("pearson").getAsDouble(),
        5e-4);
    for (String f : List.of("report.md", "heatmap.png", "heatmap.svg", "epoch_correlation.png")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    assertFalse(Files.exists(out.resolve("subset_correlation.png")));
    String md = Files.readString(out.resolve("report.md"));
    assertTrue(md.contains("| sweet spot | [0.098, 0.636] | [1.580, 2.522] |"), md);
  }

  @Test
  void perBinJson() throws IOException {
    Path results = copy("mlp_cifar10_results.csv.gz");
    Cli r =
        Cli.run(
            "analyze",
            "--results",
            results.toString(),
            "--out",
            dir.resolve("o").toString(),
            "--json");
    assertEquals(0, r.status(), r.err());
    JsonObject j = lastLineJson(r);
    assertEquals("bin", j.get("mode").getAsString());
    JsonObject spot = j.getAsJsonObject("sweet_spot");
    assertPair(0.100, 0.500, spot.getAsJsonArray("clustering"));
    assertPair(1.817, 2.750, spot.getAsJsonArray("path_length"));
    JsonObject bin = j.getAsJsonObject("best_bin");
    assertEquals(0.3, bin.get("clustering").getAsDouble(), 1e-9);
    assertEquals(2.5166666666666666, bin.get("path_length").getAsDouble(), 1e-9);
    assertEquals(32.335, bin.get("mean_error").getAsDouble(), 5e-4);
    assertEquals(31.98, j.getAsJsonObject("best_graph").get("mean_error").getAsDouble(), 5e-3);
    assertEquals(0.45, j.getAsJsonObject("best_graph").get("std_error").getAsDouble(), 5e-3);
    assertEquals(33.34, j.getAsJsonObject("baseline").get("mean_error").getAsDouble(), 5e-3);
    assertEquals(0.36, j.getAsJsonObject("baseline").get("std_error").getAsDouble(), 5e-3);
    assertTrue(j.getAsJsonObject("skipped").has("epoch_correlation"));
  }

  @Test
  void databaseInput() throws Exception {
    Path db = dir.resolve("runs.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE runs(run_key TEXT PRIMARY KEY, config_key TEXT NOT NULL, model TEXT NOT"
              + " NULL, kind TEXT NOT NULL, n INTEGER, k_over_n REAL, p REAL, graph_seed INTEGER,"
              + " graph_file TEXT, clustering REAL, path_length REAL, train_seed INTEGER NOT NULL,"
              + " epochs INTEGER NOT NULL, top1_error REAL NOT NULL, width INTEGER, flops INTEGER,"
              + " flops_deviation REAL, wall_seconds REAL, backend TEXT, mode TEXT, epoch_metrics"
              + " TEXT NOT NULL, finished_at TEXT)");
      String[] graphs = {"0.3, 2.2", "0.5, 1.8", "0.7, 3.0"};
      for (int g = 0; g < graphs.length; g++) {
        for (int s = 1; s <= 2; s++) {
          double e1 = 50 + g + 0.1 * s;
          double e2 = 40 + g + 0.1 * s;
          st.execute(
              "INSERT INTO runs(run_key, config_key, model, kind, n, k_over_n, p, graph_seed,"
                  + " clustering, path_length, train_seed, epochs, top1_error, epoch_metrics)"
                  + " VALUES ('r"
                  + g
                  + s
                  + "', 'c', 'mlp-x', 'ws-flex', 64, 0.25, 0."
                  + g
                  + ", "
                  + g
                  + ", "
                  + graphs[g]
                  + ", "
                  + s
                  + ", 2, "
                  + e2
                  + ", '[{\"epoch\":1,\"test_error\":"
                  + e1
                  + "},{\"epoch\":2,\"test_error\":"
                  + e2
                  + "}]')");
        }
      }
    }
    Cli r =
        Cli.run("analyze", "--db", db.toString(), "--out", dir.resolve("o").toString(), "--json");
    assertEquals(0, r.status(), r.err());
    JsonObject j = lastLineJson(r);
    assertEquals(2, j.get("epoch").getAsInt());
    assertEquals(40.15, j.getAsJsonObject("best_graph").get("mean_error").getAsDouble(), 1e-9);
    assertEquals(0.05, j.getAsJsonObject("best_graph").get("std_error").getAsDouble(), 1e-9);
    assertTrue(j.get("baseline").isJsonNull());
    Cli early =
        Cli.run(
            "analyze",
            "--db",
            db.toString(),
            "--out",
            dir.resolve("o").toString(),
            "--epoch",
            "1",
            "--json");
    assertEquals(0, early.status(), early.err());
    assertEquals(
        50.15,
        lastLineJson(early).getAsJsonObject("best_graph").get("mean_error").getAsDouble(),
        1e-9);
  }

  @Test
  void badFilesExitOne() throws IOException {
    String out = dir.resolve("o").toString();
    assertOneLineError(
        Cli.run("analyze", "--results", dir.resolve("none.csv").toString(), "--out", out),
        1,
        "none.csv");
    Path bad = dir.resolve("bad.csv");
    Files.writeString(
        bad,
        "model,kind,k_over_n,p,graph_seed,clustering,path_length,train_seed,epoch,top1_error\n"
            + "m,ws-flex,0.2,0.1,1,0.3,2.0,1,10,31.5\n"
            + "m,ws-flex,0.2,0.1,1,0.3,2.0,2,10,x\n");
    assertOneLineError(
        Cli.run("analyze", "--results", bad.toString(), "--out", out),
        1,
        bad + ":3: column 'top1_error': not a number: 'x'");
    Path missing = dir.resolve("missing.csv");
    Files.writeString(missing, "model,kind\nm,complete\n");
    assertOneLineError(
        Cli.run("analyze", "--results", missing.toString(), "--out", out),
        1,
        missing + ":1: missing column 'k_over_n'");
    assertOneLineError(
        Cli.run("analyze", "--db", bad.toString(), "--out", out), 1, "not an SQLite database");
    assertOneLineError(
        Cli.run("analyze", "--db", dir.resolve("none.db").toString(), "--out", out), 1, "none.db");
    assertFalse(Files.exists(dir.resolve("none.db")));
  }

  @Test
  void badOptionsExitTwo() throws IOException {
    Path results = dir.resolve("r.csv");
    Files.writeString(
        results,
        "model,kind,k_over_n,p,graph_seed,clustering,path_length,train_seed,epoch,top1_error\n"
            + "a,ws-flex,0.2,0.1,1,0.3,2.0,1,10,31.5\n"
            + "b,ws-flex,0.2,0.1,1,0.3,2.0,1,10,32.5\n");
    String f = results.toString();
    String out = dir.resolve("o").toString();
    assertOneLineError(Cli.run("analyze", "--out", out), 2, "--results");
    assertOneLineError(Cli.run("analyze", "--results", f), 2, "--out");
    assertOneLineError(
        Cli.run("analyze", "--results", f, "--db", f, "--out", out), 2, "mutually exclusive");
    assertOneLineError(
        Cli.run("analyze", "--results", f, "--out", out, "--model", "a", "--mode", "cell"),
        2,
        "--mode must be bin or graph");
    assertOneLineError(
        Cli.run("analyze", "--results", f, "--out", out), 2, "choose one with --model");
    assertOneLineError(
        Cli.run("analyze", "--results", f, "--out", out, "--model", "c"), 2, "no model 'c'");
    assertOneLineError(
        Cli.run("analyze", "--results", f, "--out", out, "--model", "a", "--epoch", "7"),
        2,
        "model a has no epoch 7");
    assertOneLineError(
        Cli.run("analyze", "--results", f, "--out", out, "--model", "a", "--epoch", "x"),
        2,
        "--epoch");
    Files.writeString(dir.resolve("file"), "x");
    assertOneLineError(
        Cli.run("analyze", "--results", f, "--out", dir.resolve("file").toString(), "--model", "a"),
        2,
        "not a directory");
  }
}
