package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.engine.JavaBackend;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.train.ModelFile;
import org.relgraph.train.RelationalMlp;

/**
 * {@code relgraph evaluate} on model files whose header lies: a paper-sized model (784 features,
 * stem 512) with its header changed and its checksum made right again. Each is refused at once, in
 * one line naming the file and the field, before the network the header describes is built.
 */
class EvaluateCliTest {
  @TempDir static Path dir;
  private static byte[] good;

  @BeforeAll
  static void saveAPaperSizedModel() throws IOException {
    try (RelationalMlp net =
        RelationalMlp.create(
            new JavaBackend(),
            MlpSpec.paper(784, 10),
            WsFlex.generate(64, 8, 0.3, 1),
            600,
            ExecutionMode.BLOCKSPARSE,
            1)) {
      JsonObject info = new JsonObject();
      info.addProperty("dataset", "fashion-mnist");
      Path file = dir.resolve("paper.rgm");
      ModelFile.save(net, file, info);
      good = Files.readAllBytes(file);
    }
  }

  private static Path withHeader(String name, Consumer<JsonObject> change) throws IOException {
    int first = indexOf(good, 0);
    int end = indexOf(good, first + 1);
    JsonObject h =
        JsonParser.parseString(new String(good, first + 1, end - first - 1, StandardCharsets.UTF_8))
            .getAsJsonObject();
    change.accept(h);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((ModelFile.MAGIC + "\n" + h + "\n").getBytes(StandardCharsets.UTF_8));
    out.write(Arrays.copyOfRange(good, end + 1, good.length - 4));
    CRC32 crc = new CRC32();
    crc.update(out.toByteArray());
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    Path file = dir.resolve(name);
    Files.write(file, out.toByteArray());
    return file;
  }

  private static int indexOf(byte[] a, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Runs evaluate on {@code model}: status 1, one line naming the file, fast; the line. */
  private static String refused(Path model) {
    long start = System.nanoTime();
    Cli r = Cli.run("evaluate", "--model", model.toString(), "--dataset", "synthetic");
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(1, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("relgraph: " + model + ": "), r.err());
    for (String leak : new String[] {"Exception", "Cannot invoke", "For input string", "-Xmx"}) {
      assertFalse(r.err().contains(leak), r.err());
    }
    assertTrue(seconds < 10, "refused after " + seconds + " s");
    return r.err();
  }

  @Test
  void aHugeStemWidthOrLayerCountIsRefusedBeforeAllocating() throws IOException {
    String e =
        refused(
            withHeader(
                "stem.rgm", h -> h.getAsJsonObject("spec").addProperty("stem_width", 1000000)));
    assertTrue(e.contains("spec.stem_width = 1000000"), e);
    e =
        refused(
            withHeader(
                "layers.rgm",
                h -> h.getAsJsonObject("spec").addProperty("relational_layers", 1000000)));
    assertTrue(e.contains("spec.relational_layers = 1000000"), e);
    // within the bounds, but more than the parameters hold
    e =
        refused(
            withHeader(
                "wide.rgm", h -> h.getAsJsonObject("spec").addProperty("stem_width", 20000)));
    assertTrue(e.contains("stem.weight") && e.contains("spec.stem_width = 20000"), e);
  }

  @Test
  void malformedHeadersNameTheField() throws IOException {
    String e = refused(withHeader("nospec.rgm", h -> h.remove("spec")));
    assertTrue(e.contains("spec is missing"), e);
    e = refused(withHeader("width.rgm", h -> h.addProperty("width", -64771072)));
    assertTrue(e.contains("width = -64771072 outside"), e);
    e =
        refused(
            withHeader(
                "name.rgm",
                h ->
                    h.getAsJsonArray("parameters")
                        .get(3)
                        .getAsJsonObject()
                        .addProperty("name", "relationalX.weight")));
    assertTrue(e.contains("parameters[3].name = 'relationalX.weight'"), e);
  }

  @Test
  void devicesAndDirectoriesAreRefused() {
    Path zero = Path.of("/dev/zero");
    if (Files.exists(zero)) {
      assertTrue(refused(zero).contains("not a regular file"));
    }
    assertTrue(refused(dir).contains("directory"));
    Cli r = Cli.run("evaluate", "--model", "");
    assertEquals(2, r.status(), r.err());
    assertEquals("relgraph: --model needs a file name", r.err().strip());
  }
}
