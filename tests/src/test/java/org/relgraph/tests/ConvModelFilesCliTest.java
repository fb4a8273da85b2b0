package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.engine.JavaBackend;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ConvNet;
import org.relgraph.model.ConvNetSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.train.ConvModel;
import org.relgraph.train.ModelFile;

/**
 * {@code train --model cnn|resnet20 --save} and {@code evaluate} on the file: the synthetic set as
 * 1 × 8 × 8 images, one epoch at tiny widths (4-node graph, the widest stage 16).
 */
class ConvModelFilesCliTest {
  private static final String TINY_GRAPH = "ws-flex:n=4,k=2,p=0,seed=1";

  private static Cli train(String model, Path save, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "train",
                "--model",
                model,
                "--graph",
                TINY_GRAPH,
                "--dataset",
                "synthetic",
                "--epochs",
                "1",
                "--threads",
                "1",
                "--width",
                "16",
                "--save",
                save.toString(),
                "--json"));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private static Cli evaluate(Path model, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("evaluate", "--model", model.toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  /** A one-line error with {@code status} and nothing on stdout. */
  private static String refused(Cli r, int status) {
    assertEquals(status, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    assertEquals("", r.out());
    return r.err();
  }

  @Test
  void aTrainedCnnIsSavedAndEvaluatesToItsTestErrorInEitherMode(@TempDir Path dir) {
    Path file = dir.resolve("cnn.rgm");
    Cli t = train("cnn", file, "--save-every", "1");
    assertEquals(0, t.status(), t.err());
    JsonObject trained = TrainCliTest.lastJson(t.out());
    assertTrue(t.err().contains("model saved to " + file), t.err());
    assertTrue(Files.isRegularFile(dir.resolve("cnn-epoch1.rgm")), t.err());

    Cli e = evaluate(file, "--json");
    assertEquals(0, e.status(), e.err());
    JsonObject j = TrainCliTest.lastJson(e.out());
    assertEquals(trained.get("top1_error").getAsDouble(), j.get("top1_error").getAsDouble(), 1e-9);
    assertEquals("synthetic", j.get("dataset").getAsString());
    assertEquals("cnn", j.get("model").getAsString());
    assertEquals("blocksparse", j.get("mode").getAsString());
    assertEquals(16, j.get("width").getAsInt());
    assertEquals("[4,8,16]", j.get("stage_widths").toString());

    e = evaluate(file, "--mode", "masked", "--json");
    assertEquals(0, e.status(), e.err());
    j = TrainCliTest.lastJson(e.out());
    assertEquals("masked", j.get("mode").getAsString());
    assertEquals(trained.get("top1_error").getAsDouble(), j.get("top1_error").getAsDouble(), 1.0);

    e = evaluate(dir.resolve("cnn-epoch1.rgm"));
    assertEquals(0, e.status(), e.err());
    assertTrue(e.out().contains("on synthetic test (") && e.out().contains("top-1 error"), e.out());

    String err = refused(evaluate(file, "--mode", "dense"), 1);
    assertTrue(err.contains("mode = dense needs the complete graph"), err);
    err =
        refused(
            Cli.run("extract", "--model", file.toString(), "--out", dir.resolve("x").toString()),
            1);
    assertTrue(err.contains("not a relational MLP"), err);
  }

  @Test
  void aResnetTrainedMaskedEvaluatesBlockSparse(@TempDir Path dir) {
    Path file = dir.resolve("resnet.rgm");
    Cli t = train("resnet20", file, "--mode", "masked");
    assertEquals(0, t.status(), t.err());
    double error = TrainCliTest.lastJson(t.out()).get("top1_error").getAsDouble();
    Cli e = evaluate(file, "--mode", "blocksparse", "--json");
    assertEquals(0, e.status(), e.err());
    JsonObject j = TrainCliTest.lastJson(e.out());
    assertEquals("resnet20", j.get("model").getAsString());
    assertEquals(error, j.get("top1_error").getAsDouble(), 1.0);
  }

  @Test
  void dataOfAnotherShapeOrOtherClassesIsAOneLineUsageError(@TempDir Path dir) throws IOException {
    // the synthetic set is 1 x 8 x 8 images of 4 classes
    for (int[] shape : new int[][] {{1, 16, 4}, {3, 8, 4}, {1, 8, 5}}) {
      ConvNetSpec spec = ConvNetSpec.named("cnn").withInput(shape[0], shape[2]);
      ConvNet layout = spec.at(spec.widthsFor(16), shape[1]);
      Path file = dir.resolve("m" + shape[0] + "-" + shape[1] + "-" + shape[2] + ".rgm");
      try (ConvModel m =
          ConvModel.create(
              new JavaBackend(),
              layout,
              WsFlex.generate(4, 2, 0, 1),
              ExecutionMode.BLOCKSPARSE,
              1)) {
        JsonObject info = new JsonObject();
        info.addProperty("dataset", "synthetic");
        ModelFile.save(m, file, info);
      }
      String err = refused(evaluate(file, "--backend", "java"), 2);
      assertTrue(
          err.contains(
              file
                  + " takes "
                  + shape[0]
                  + "x"
                  + shape[1]
                  + "x"
                  + shape[1]
                  + " images and "
                  + shape[2]
                  + " classes; synthetic has 1x8x8 and 4"),
          err);
    }
  }
}
