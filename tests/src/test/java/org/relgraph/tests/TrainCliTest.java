package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code relgraph train} and {@code relgraph evaluate} in-process, on the synthetic set. */
class TrainCliTest {
  static JsonObject lastJson(String out) {
    List<String> lines = out.strip().lines().toList();
    return JsonParser.parseString(lines.get(lines.size() - 1)).getAsJsonObject();
  }

  @Test
  void trainPrintsJsonAndSavesAModelThatEvaluates(@TempDir Path dir) {
    Path model = dir.resolve("m.rgm");
    Cli r =
        Cli.run(
            "train",
            "--graph",
            "ws-flex:k=8,p=0.3,seed=1",
            "--dataset",
            "synthetic",
            "--epochs",
            "2",
            "--seed",
            "3",
            "--json",
            "--save",
            model.toString());
    assertEquals(0, r.status(), r.err());
    JsonObject j = lastJson(r.out());
    for (String key :
        new String[] {"top1_error", "width", "flops", "flops_deviation", "epoch_seconds", "mode"}) {
      assertTrue(j.has(key), key + " in " + j);
    }
    assertEquals("blocksparse", j.get("mode").getAsString());
    assertEquals(2, j.getAsJsonArray("epoch_seconds").size());
    int width = j.get("width").getAsInt();
    assertTrue(width > 1400 && width < 1700, "matched width " + width);
    double dev = j.get("flops_deviation").getAsDouble();
    assertTrue(dev >= 0 && dev <= 0.005, "deviation " + dev);
    JsonObject g = j.getAsJsonObject("graph");
    assertTrue(g.get("clustering").getAsDouble() > 0 && g.get("path_length").getAsDouble() > 1);
    double err = j.get("top1_error").getAsDouble();
    assertTrue(err > 0 && err < 20, "error " + err);

    Cli e = Cli.run("evaluate", "--model", model.toString(), "--json");
    assertEquals(0, e.status(), e.err());
    assertEquals(err, lastJson(e.out()).get("top1_error").getAsDouble(), 1e-9);
    Cli masked = Cli.run("evaluate", "--model", model.toString(), "--backend", "java");
    assertEquals(0, masked.status(), masked.err());
    assertTrue(masked.out().contains("top-1 error"), masked.out());
  }

  @Test
  void noMatchKeepsTheStemWidthAndDenseNeedsTheCompleteGraph() {
    Cli r =
        Cli.run(
            "train",
            "--graph",
            "ws-flex:k=8,p=0.3,seed=1,n=32",
            "--dataset",
            "synthetic",
            "--epochs",
            "1",
            "--no-match",
            "--json");
    assertEquals(0, r.status(), r.err());
    JsonObject j = lastJson(r.out());
    assertEquals(512, j.get("width").getAsInt());
    assertTrue(j.get("flops_deviation").getAsDouble() < 0);
    Cli d =
        Cli.run(
            "train",
            "--graph",
            "ws-flex:k=8,p=0.3,seed=1",
            "--dataset",
            "synthetic",
            "--mode",
            "dense");
    assertEquals(2, d.status());
    assertTrue(d.err().contains("complete graph only"), d.err());
    assertEquals(1, d.err().strip().lines().count(), d.err());
  }

  @Test
  void moreNodesThanTheStemWidthNeedsStemWidth() {
    String graph = "ws-flex:k=8,p=0.3,seed=1,n=600";
    Cli r = Cli.run("train", "--graph", graph, "--dataset", "synthetic", "--epochs", "1");
    assertEquals(2, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(
        r.err().contains("n <= stem width") && r.err().contains("--stem-width 600"), r.err());
    r =
        Cli.run(
            "train",
            "--graph",
            graph,
            "--dataset",
            "synthetic",
            "--epochs",
            "1",
            "--stem-width",
            "600",
            "--json");
    assertEquals(0, r.status(), r.err());
    JsonObject j = lastJson(r.out());
    assertEquals(600, j.get("stem_width").getAsInt());
    // the baseline is the complete graph at stem width 600 (64 features, 4 classes)
    assertEquals(64L * 600 + 3L * 600 * 600 + 600L * 4, j.get("baseline_flops").getAsLong());
    assertTrue(j.get("flops_deviation").getAsDouble() < 0.01, r.out());
    assertEquals(600, j.getAsJsonObject("graph").get("nodes").getAsInt());
    Cli bad =
        Cli.run("train", "--graph", "complete", "--dataset", "synthetic", "--stem-width", "0");
    assertEquals(2, bad.status(), bad.err());
    assertTrue(bad.err().contains("--stem-width = 0"), bad.err());
  }

  @Test
  void denseLibraryPicksTheCpuBackendsDenseProducts() {
    String[] run = {
      "train",
      "--graph",
      "complete",
      "--mode",
      "dense",
      "--dataset",
      "synthetic",
      "--epochs",
      "1",
      "--seed",
      "3",
      "--threads",
      "1",
      "--json"
    };
    Cli plain = Cli.run(run);
    assertEquals(0, plain.status(), plain.err());
    JsonObject p = lastJson(plain.out());
    assertTrue(
        p.get("backend").getAsString().matches("CpuBackend\\(\\w+, 1 threads\\)"), plain.out());
    // openblas, named, is the default: the same products, the same numbers
    Cli openblas = Cli.run(Cli.plus(run, "--dense-library", "openblas"));
    assertEquals(0, openblas.status(), openblas.err());
    JsonObject o = lastJson(openblas.out());
    assertEquals(p.get("backend").getAsString(), o.get("backend").getAsString());
    assertEquals(p.get("top1_error").getAsDouble(), o.get("top1_error").getAsDouble());
    // auto times both and says which won; the backend runs that one
    Cli auto = Cli.run(Cli.plus(run, "--dense-library", "auto"));
    assertEquals(0, auto.status(), auto.err());
    String said =
        auto.err()
            .lines()
            .filter(l -> l.contains("dense products on"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(auto.err()));
    assertTrue(said.contains("(auto: bare step openblas "), said);
    String backend = lastJson(auto.out()).get("backend").getAsString();
    if (said.startsWith("relgraph: dense products on onednn ")) {
      assertTrue(backend.endsWith(", dense onednn)"), backend);
    } else {
      assertTrue(said.startsWith("relgraph: dense products on openblas "), said);
      assertEquals(p.get("backend").getAsString(), backend);
    }
    if (!said.contains("onednn unavailable")) {
      Cli onednn = Cli.run(Cli.plus(run, "--dense-library", "onednn"));
      assertEquals(0, onednn.status(), onednn.err());
      JsonObject d = lastJson(onednn.out());
      assertTrue(d.get("backend").getAsString().endsWith(", dense onednn)"), onednn.out());
      double err = d.get("top1_error").getAsDouble();
      assertTrue(err > 0 && err < 20, "error " + err);
    }
  }

  @Test
  void badInputGetsOneLineAndAStatus(@TempDir Path dir) throws IOException {
    String[][] usage = {
      {"train", "--graph", "nonsense:k=1"},
      {"train", "--graph", "ws-flex:k=8"},
      {"train", "--graph", "ws-flex:k=8,p=2,seed=1", "--dataset", "synthetic"},
      {"train", "--graph", "complete", "--dataset", "imagenet"},
      {"train", "--graph", "complete", "--dataset", "synthetic", "--epochs", "0"},
      {"train", "--graph", "complete", "--dataset", "synthetic", "--mode", "sparse"},
      {"train", "--graph", "complete", "--dataset", "synthetic", "--batch", "1"},
      {"train", "--graph", "complete", "--dataset", "synthetic", "--width", "10"},
      {"train", "--graph", "complete", "--dataset", "synthetic", "--threads", "0"},
      {"train", "--graph", "complete", "--dataset", "synthetic", "--dense-library", "mkl"},
      {
        "train",
        "--graph",
        "complete",
        "--dataset",
        "synthetic",
        "--backend",
        "java",
        "--dense-library",
        "onednn"
      },
    };
    for (String[] args : usage) {
      Cli r = Cli.run(args);
      assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertFalse(r.err().contains("Exception"), r.err());
    }
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path bad = dir.resolve("bad.rgm");
    Files.writeString(bad, "relgraph-model 1\n{}\nxxxx");
    String[][] input = {
      {"train", "--graph", "complete", "--dataset", "fashion-mnist", "--data", empty.toString()},
      {"train", "--graph", "complete", "--dataset", "cifar10", "--data", empty.toString()},
      {"evaluate", "--model", bad.toString(), "--dataset", "synthetic"},
      {"evaluate", "--model", dir.resolve("missing.rgm").toString()},
    };
    for (String[] args : input) {
      Cli r = Cli.run(args);
      assertEquals(1, r.status(), String.join(" ", args) + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertFalse(r.err().contains("Exception"), r.err());
    }
  }
}
