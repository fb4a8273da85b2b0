package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train}, {@code sweep} and {@code bench epochs} with {@code --model cnn|resnet20}, on the
 * synthetic set as 1 × 8 × 8 images, at tiny widths (4-node graphs, the widest stage 16).
 */
class ConvModelsCliTest {
  private static final String TINY_GRAPH = "ws-flex:n=4,k=2,p=0,seed=1";

  private static Cli train(String... more) {
    return trainOn("1", more);
  }

  /** One epoch on the synthetic images over the tiny graph, on {@code threads} threads. */
  private static Cli trainOn(String threads, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "train",
                "--graph",
                TINY_GRAPH,
                "--dataset",
                "synthetic",
                "--epochs",
                "1",
                "--threads",
                threads));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private static List<Integer> ints(JsonArray a) {
    return a.asList().stream().map(e -> e.getAsInt()).toList();
  }

  /** A one-line error with status 2 and nothing on stdout. */
  private static String refused(Cli r) {
    assertEquals(2, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    return r.err();
  }

  @Test
  void cnnLearnsTheSyntheticImagesInOneEpochAtTinyWidths() {
    Cli r = train("--model", "cnn", "--width", "16", "--json");
    assertEquals(0, r.status(), r.err());
    JsonObject j = TrainCliTest.lastJson(r.out());
    assertEquals("cnn", j.get("model").getAsString());
    assertEquals(16, j.get("width").getAsInt());
    assertEquals(List.of(4, 8, 16), ints(j.getAsJsonArray("stage_widths")));
    assertEquals(List.of(64, 128, 256), ints(j.getAsJsonArray("baseline_stage_widths")));
    assertEquals(0.0625, j.get("width_multiplier").getAsDouble(), 1e-12);
    assertEquals(64, j.get("stem_width").getAsInt());
    assertTrue(j.get("flops").getAsLong() < j.get("baseline_flops").getAsLong(), j.toString());
    assertEquals("blocksparse", j.get("mode").getAsString());
    assertEquals(1, j.getAsJsonArray("test_errors").size());
    double err = j.get("top1_error").getAsDouble();
    assertTrue(err < 50, "error " + err + " (chance 75%)");
    assertTrue(
        r.err().contains("1x8x8 images") && r.err().contains("model cnn, stage widths 4/8/16"),
        r.err());
  }

  @Test
  void resnet20TrainsMaskedAndTheCnnMatchesTheBaselinesFlops() {
    Cli r = train("--model", "resnet20", "--width", "16", "--mode", "masked", "--json");
    assertEquals(0, r.status(), r.err());
    JsonObject j = TrainCliTest.lastJson(r.out());
    assertEquals("resnet20", j.get("model").getAsString());
    assertEquals("masked", j.get("mode").getAsString());
    assertEquals(List.of(4, 8, 16), ints(j.getAsJsonArray("stage_widths")));
    assertEquals(16, j.get("stem_width").getAsInt());
    assertTrue(j.get("top1_error").getAsDouble() < 75, j.toString());
    // FLOP matching (the default), a few large batches to keep it short
    r = train("--model", "cnn", "--batch", "1024", "--json");
    assertEquals(0, r.status(), r.err());
    j = TrainCliTest.lastJson(r.out());
    double dev = j.get("flops_deviation").getAsDouble();
    assertTrue(dev >= 0 && dev <= 0.005, "deviation " + dev);
    assertTrue(j.get("width_multiplier").getAsDouble() > 1, j.toString());
    assertEquals(j.get("width").getAsInt(), ints(j.getAsJsonArray("stage_widths")).get(2));
  }

  @Test
  void badModelsAndWhatConvModelsCannotDoAreOneLineUsageErrors() {
    String e = refused(train("--model", "vgg"));
    assertEquals(
        "relgraph: unknown model 'vgg': there are mlp, cnn, resnet20, cnn-imagenet, resnet34, resnet34-sep, resnet50",
        e.strip());
    e = refused(train("--model", "resnet20", "--stem-width", "256"));
    assertTrue(e.contains("--stem-width is the MLP's"), e);
    e =
        refused(
            Cli.run(
                "train",
                "--model",
                "cnn",
                "--graph",
                "complete",
                "--dataset",
                "synthetic",
                "--width",
                "8"));
    assertTrue(e.contains("64 nodes"), e);
    e = refused(Cli.run("bench", "epochs", "--model", "vgg", "--dataset", "synthetic"));
    assertTrue(e.contains("unknown model 'vgg'"), e);
  }

  /** A tiny CNN's one epoch on 2 threads (oneDNN's count in these tests). */
  private static Cli trainOnTwoThreads(String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("--model", "cnn", "--width", "16"));
    args.addAll(List.of(more));
    return trainOn("2", args.toArray(String[]::new));
  }

  @Test
  void convPrimitivesRunTheStemOnOneDnnAndAreRefusedWithoutIt() {
    String e = refused(trainOnTwoThreads("--conv-primitives", "--backend", "java"));
    assertTrue(e.contains("--conv-primitives applies to the cpu backend, not --backend java"), e);
    Throwable why = org.relgraph.engine.BareSgemm.Library.DNNL.unavailabilityCause();
    org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "oneDNN does not load: " + why);
    e = refused(trainOnTwoThreads("--conv-primitives", "--dense-library", "openblas"));
    assertTrue(e.contains("--conv-primitives runs on oneDNN, but --dense-library openblas"), e);
    Cli r = trainOnTwoThreads("--conv-primitives", "--json");
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.err().contains("dense products on onednn")
            && r.err().contains("dense convolutions on oneDNN's convolution primitives"),
        r.err());
    JsonObject j = TrainCliTest.lastJson(r.out());
    assertEquals(
        "CpuBackend("
            + org.relgraph.engine.CpuBackend.bestIsa()
            + ", 2 threads, dense onednn, its convolution"
            + " primitives)",
        j.get("backend").getAsString());
    double err = j.get("top1_error").getAsDouble();
    assertTrue(err < 50, "error " + err + " (chance 75%)");
  }

  @Test
  void aSweepNamedAfterTheCnnTrainsItUnderItsOwnKey(@TempDir Path dir) throws Exception {
    Path set = dir.resolve("set.csv");
    Files.writeString(
        set,
        "n,k_over_n,p,seed,clustering,path_length\n"
            + "8,0.25,0,1,0,2.2857142857142856\n"
            + "8,0.5,0.5,2,0.5833333333333334,1.4642857142857142\n");
    Path db = dir.resolve("cnn.db");
    Cli r =
        Cli.run(
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
            "--model",
            "cnn-synthetic",
            "--width",
            "32",
            "--workers",
            "1",
            "--threads",
            "1");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("3 finished, 0 skipped"), r.out());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT width, model, config_key, top1_error FROM runs")) {
      int rows = 0;
      while (rs.next()) {
        rows++;
        assertEquals(32, rs.getInt(1));
        assertEquals("cnn-synthetic", rs.getString(2));
        assertTrue(
            rs.getString(3).startsWith("model=cnn-synthetic;network=cnn;dataset=synthetic;"),
            rs.getString(3));
        assertTrue(rs.getDouble(4) < 75, "error " + rs.getDouble(4));
      }
      assertEquals(3, rows);
    }
  }

  @Test
  void benchEpochsTimesTheCnnOnAFewSteps() {
    Cli r =
        Cli.run(
            "bench",
            "epochs",
            "--model",
            "cnn",
            "--dataset",
            "synthetic",
            "--steps",
            "2",
            "--repeats",
            "1",
            "--threads",
            "1");
    assertEquals(0, r.status(), r.err());
    List<String> lines = r.out().strip().lines().toList();
    assertTrue(
        lines.get(0).startsWith("# synthetic cnn on 1x8x8 images, 256 train samples (--steps 2)"),
        lines.get(0));
    int header =
        lines.indexOf(
            "config,mode,graph,width,flops,epoch_seconds,samples_per_second,time_vs_baseline");
    assertTrue(header > 0, r.out());
    List<String> rows = lines.subList(header + 1, lines.size());
    // the dense baseline also on oneDNN's convolution primitives, where oneDNN loads
    boolean primitives = lines.get(0).contains("and oneDNN's convolution primitives");
    assertTrue(
        primitives || lines.get(0).contains("oneDNN's convolution primitives unavailable"),
        lines.get(0));
    assertEquals(primitives ? 5 : 4, rows.size(), r.out());
    assertTrue(rows.get(0).startsWith("baseline,dense,\"complete\",256,"), rows.get(0));
    if (primitives) {
      assertTrue(
          rows.get(1).startsWith("baseline-conv-primitives,dense,\"complete\",256,"), rows.get(1));
    }
    assertTrue(
        rows.get(rows.size() - 1).startsWith("matched,masked,\"ws-flex:k=8.0,p=0.3,seed=1\","),
        rows.get(rows.size() - 1));
    // time_vs_baseline: against the faster dense baseline (seconds and ratios printed to 3
    // decimals; the quoted graph holds commas)
    double fastest = Double.POSITIVE_INFINITY;
    for (String row : rows) {
      String[] f = row.replaceAll("\"[^\"]*\"", "graph").split(",");
      if (f[1].equals("dense")) {
        fastest = Math.min(fastest, Double.parseDouble(f[5]));
      }
    }
    for (String row : rows) {
      String[] f = row.replaceAll("\"[^\"]*\"", "graph").split(",");
      double seconds = Double.parseDouble(f[5]);
      double ratio = Double.parseDouble(f[7]);
      assertTrue(
          ratio >= (seconds - 5e-4) / (fastest + 5e-4) - 5e-4
              && ratio <= (seconds + 5e-4) / (fastest - 5e-4) + 5e-4,
          row + " against the fastest dense " + fastest);
    }
  }
}
