package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.graph.GraphIO;
import org.relgraph.graph.GraphSpec;
import org.relgraph.graph.RelationalGraph;

/** {@code relgraph extract}: graphs read back out of saved models. */
class ExtractCliTest {
  private static final String GRAPH = "ws-flex:k=8,p=0.3,seed=1";

  @TempDir static Path shared;
  static Path model;

  @BeforeAll
  static void trainABlockSparseModel() {
    model = shared.resolve("ws.rgm");
    Cli r =
        Cli.run(
            "train",
            "--graph",
            GRAPH,
            "--dataset",
            "synthetic",
            "--epochs",
            "2",
            "--seed",
            "2",
            "--save",
            model.toString(),
            "--save-every",
            "1");
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.exists(shared.resolve("ws-epoch1.rgm")), r.out());
    assertTrue(Files.exists(shared.resolve("ws-epoch2.rgm")), r.out());
  }

  @Test
  void blockSparseModelGivesBackItsGraphJustAboveZero(@TempDir Path dir) throws IOException {
    Cli r =
        Cli.run(
            "extract",
            "--model",
            model.toString(),
            "--thresholds",
            "1e-9",
            "--out",
            dir.toString());
    assertEquals(0, r.status(), r.err());
    List<String> csv = Files.readAllLines(dir.resolve("graphs.csv"));
    assertEquals(
        "model,threshold,target_degree,average_degree,edges,clustering,path_length,file",
        csv.get(0));
    assertEquals(2, csv.size());
    String[] f = csv.get(1).split(",");
    assertEquals("256", f[4]);
    RelationalGraph expected = GraphSpec.parse(GRAPH).graph();
    RelationalGraph back = GraphIO.read(dir.resolve(f[7]));
    assertEquals(expected.edgeCount(), back.edgeCount());
    for (int[] e : expected.edges()) {
      assertTrue(back.hasEdge(e[0], e[1]), e[0] + "-" + e[1]);
    }
    assertTrue(Files.size(dir.resolve("extracted.png")) > 1000);
    assertTrue(Files.exists(dir.resolve("extracted.svg")));
  }

  @Test
  void degreeTargetsAcrossSnapshots(@TempDir Path dir) throws IOException {
    Cli r =
        Cli.run(
            "extract",
            "--model",
            shared.resolve("ws-epoch1.rgm").toString(),
            model.toString(),
            "--degrees",
            "4,8",
            "--out",
            dir.toString());
    assertEquals(0, r.status(), r.err());
    List<String> csv = Files.readAllLines(dir.resolve("graphs.csv"));
    assertEquals(5, csv.size(), csv.toString());
    assertEquals("128", csv.get(1).split(",")[4]);
    assertEquals("256", csv.get(2).split(",")[4]);
    assertEquals("4.0", csv.get(1).split(",")[2]);
    // Degree 8 keeps all 256 edges of the model's graph, in every snapshot.
    assertEquals(
        csv.get(2).split(",")[5], csv.get(4).split(",")[5], "a block-sparse model keeps its graph");
    assertTrue(csv.get(1).startsWith(shared.resolve("ws-epoch1.rgm").toString()), csv.get(1));
  }

  @Test
  void figureDrawsOverTheHeatMapOfGivenResults(@TempDir Path dir) throws IOException {
    Path results = dir.resolve("mlp.csv.gz");
    try (var in = getClass().getResourceAsStream("/graph2nn/mlp_cifar10_results.csv.gz")) {
      Files.copy(in, results);
    }
    Cli r =
        Cli.run(
            "extract",
            "--model",
            model.toString(),
            "--degrees",
            "32",
            "--results",
            results.toString(),
            "--out",
            dir.resolve("o").toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.size(dir.resolve("o").resolve("extracted.png")) > 1000);
  }

  @Test
  void badInputGetsOneLine(@TempDir Path dir) throws IOException {
    Cli missing =
        Cli.run(
            "extract",
            "--model",
            dir.resolve("nope.rgm").toString(),
            "--out",
            dir.resolve("o").toString());
    assertEquals(1, missing.status());
    assertOneLine(missing.err(), "nope.rgm");

    Path graphFile = dir.resolve("g.txt");
    Files.writeString(graphFile, "0 1\n1 2\n");
    Cli notAModel =
        Cli.run("extract", "--model", graphFile.toString(), "--out", dir.resolve("o").toString());
    assertEquals(1, notAModel.status());
    assertOneLine(notAModel.err(), "g.txt");

    Cli tooDense =
        Cli.run(
            "extract",
            "--model",
            model.toString(),
            "--degrees",
            "64",
            "--out",
            dir.resolve("o").toString());
    assertEquals(2, tooDense.status());
    assertOneLine(tooDense.err(), "64");

    Cli both =
        Cli.run(
            "extract",
            "--model",
            model.toString(),
            "--degrees",
            "8",
            "--thresholds",
            "0.1",
            "--out",
            dir.resolve("o").toString());
    assertEquals(2, both.status());
    assertFalse(Files.exists(dir.resolve("o").resolve("graphs.csv")));
  }

  @Test
  void saveEveryNeedsSaveAndAPositiveCount() {
    Cli r =
        Cli.run(
            "train",
            "--graph",
            GRAPH,
            "--dataset",
            "synthetic",
            "--epochs",
            "1",
            "--save-every",
            "1");
    assertEquals(2, r.status());
    assertOneLine(r.err(), "--save");
    Cli zero =
        Cli.run(
            "train",
            "--graph",
            GRAPH,
            "--dataset",
            "synthetic",
            "--epochs",
            "1",
            "--save",
            model.resolveSibling("z.rgm").toString(),
            "--save-every",
            "0");
    assertEquals(2, zero.status());
    assertOneLine(zero.err(), "--save-every");
  }

  private static void assertOneLine(String err, String mentions) {
    assertEquals(1, err.strip().lines().count(), err);
    assertTrue(err.contains(mentions), err);
    assertFalse(err.contains("\tat "), err);
  }
}
