package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relgraph.engine.Backend;
import org.relgraph.engine.JavaBackend;
import org.relgraph.engine.SgdSettings;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ConvNet;
import org.relgraph.model.ConvNetSpec;
import org.relgraph.nn.ExecutionMode;

/**
 * Model files of relational convolutional networks (format 2): a trained CNN or ResNet-20 comes
 * back computing what it computed (exactly in its mode, within float tolerance in the other), and a
 * header that lies about its new fields is one line naming the file and the field, refused before
 * the network it describes is built.
 */
class ModelFileConvTest {
  private static final Backend JAVA = new JavaBackend();
  private static final int SIDE = 8;
  private static final int CHANNELS = 1;
  private static final int CLASSES = 3;
  private static final int BATCH = 4;

  @TempDir static Path dir;

  private static byte[] good;

  @BeforeAll
  static void saveATinyCnn() throws IOException {
    try (ConvModel m = trained("cnn", WsFlex.generate(4, 2, 0, 1), ExecutionMode.BLOCKSPARSE, 0)) {
      Path file = dir.resolve("good.rgm");
      ModelFile.save(m, file, info());
      good = Files.readAllBytes(file);
    }
  }

  private static JsonObject info() {
    JsonObject info = new JsonObject();
    info.addProperty("dataset", "synthetic");
    return info;
  }

  /** {@code model} at the widest stage 16 on 1 × 8 × 8 images, after a few training steps. */
  private static ConvModel trained(String model, RelationalGraph g, ExecutionMode mode, long seed) {
    return trained(model, 16, g, mode, seed);
  }

  /** {@code model} with its widest stage {@code widest}, after a few training steps. */
  private static ConvModel trained(
      String model, int widest, RelationalGraph g, ExecutionMode mode, long seed) {
    ConvNetSpec p = ConvNetSpec.named(model).withInput(CHANNELS, CLASSES);
    ConvNetSpec spec =
        new ConvNetSpec(
            p.name(),
            p.description(),
            p.stem(),
            p.block(),
            p.blocksPerStage(),
            p.stageWidths(),
            p.stageStrides(),
            p.relationalShortcut(),
            p.inputChannels(),
            p.classes(),
            p.resolution(),
            seed);
    ConvNet layout = spec.at(spec.widthsFor(widest), SIDE);
    ConvModel m = ConvModel.create(JAVA, layout, g, mode, 5);
    SplittableRandom r = new SplittableRandom(11);
    for (int step = 0; step < 3; step++) {
      int[] labels = new int[BATCH];
      for (int i = 0; i < BATCH; i++) {
        labels[i] = r.nextInt(CLASSES);
      }
      m.network().trainStep(inputs(r), labels, 0.05f, new SgdSettings(0.9f, 5e-4f, true));
    }
    return m;
  }

  private static float[] inputs(SplittableRandom r) {
    float[] x = new float[CHANNELS * SIDE * SIDE * BATCH];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  private static ConvModel loadConv(Path file, ExecutionMode mode) {
    ModelFile.Model m = ModelFile.loadAny(file, JAVA, mode);
    assertTrue(m instanceof ModelFile.LoadedConv, m.getClass().toString());
    return ((ModelFile.LoadedConv) m).model();
  }

  @ParameterizedTest
  @CsvSource({
    "cnn, 16, blocksparse, masked, 0",
    "resnet20, 16, masked, blocksparse, 9",
    "cnn-imagenet, 16, blocksparse, masked, 2",
    "resnet34-sep, 32, blocksparse, masked, 1",
    "resnet50, 128, masked, blocksparse, 4"
  })
  void aSavedConvNetComputesTheSameLogitsInItsModeAndClosToThemInTheOther(
      String model, int widest, String saved, String other, long partitionSeed) throws IOException {
    RelationalGraph g = WsFlex.generate(4, 2, 0.5, 3);
    float[] x = inputs(new SplittableRandom(5));
    Path file = dir.resolve(model + "-" + saved + ".rgm");
    float[] before;
    try (ConvModel m = trained(model, widest, g, ExecutionMode.parse(saved), partitionSeed)) {
      before = m.network().logits(x, BATCH);
      ModelFile.save(m, file, info());
    }
    try (ConvModel m = loadConv(file, null)) {
      assertEquals(ExecutionMode.parse(saved), m.mode());
      assertEquals(model, m.layout().spec().name());
      assertEquals(partitionSeed, m.layout().spec().partitionSeed());
      assertEquals(ConvNetSpec.named(model).widthsFor(widest), m.layout().stageWidths());
      assertEquals(SIDE, m.layout().resolution());
      assertArrayEquals(before, m.network().logits(x, BATCH), model + " in " + saved);
    }
    try (ConvModel m = loadConv(file, ExecutionMode.parse(other))) {
      assertEquals(ExecutionMode.parse(other), m.mode());
      float[] after = m.network().logits(x, BATCH);
      for (int i = 0; i < before.length; i++) {
        assertEquals(before[i], after[i], 1e-4 * (1 + Math.abs(before[i])), "logit " + i);
      }
    }
  }

  @Test
  void denseNeedsTheCompleteGraphAndLoadsItsModel() throws IOException {
    Path file = dir.resolve("good.rgm");
    String m = refused(file, ExecutionMode.DENSE, "dense on ws-flex");
    assertTrue(m.contains("mode = dense needs the complete graph"), m);
    Path complete = dir.resolve("complete.rgm");
    float[] x = inputs(new SplittableRandom(8));
    float[] before;
    try (ConvModel c = trained("cnn", ClassicGenerators.complete(4), ExecutionMode.DENSE, 0)) {
      before = c.network().logits(x, BATCH);
      ModelFile.save(c, complete, info());
    }
    try (ConvModel c = loadConv(complete, ExecutionMode.BLOCKSPARSE)) {
      float[] after = c.network().logits(x, BATCH);
      for (int i = 0; i < before.length; i++) {
        assertEquals(before[i], after[i], 1e-4 * (1 + Math.abs(before[i])), "logit " + i);
      }
    }
  }

  @Test
  void theMlpLoaderRefusesAConvNetInOneLine() {
    var e =
        assertThrows(
            ModelFile.ModelFormatException.class,
            () -> ModelFile.load(dir.resolve("good.rgm"), JAVA, null));
    checkMessage(e.getMessage(), dir.resolve("good.rgm").toString(), "MLP loader");
    assertTrue(e.getMessage().contains("not a relational MLP"), e.getMessage());
  }

  @Test
  void aFormatVersionFromTheFutureIsRefused() throws IOException {
    int first = indexOf(good, 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write("relgraph-model 3".getBytes(StandardCharsets.UTF_8));
    out.write(Arrays.copyOfRange(good, first, good.length));
    String m = refused(write("v3.rgm", out.toByteArray()), null, "version 3");
    assertTrue(m.contains("version 3") && m.contains("newer"), m);
  }

  @Test
  void aCorruptedParameterFailsTheChecksum() throws IOException {
    byte[] bad = good.clone();
    bad[bad.length - 10] ^= 1;
    String m = refused(write("crc.rgm", bad), null, "flipped bit");
    assertTrue(m.contains("checksum mismatch"), m);
  }

  @Test
  void eachNewFieldIsCheckedForItsTypeAndRange() throws IOException {
    String m = refused(withHeader(h -> h.addProperty("model", "vgg")), "unknown model");
    assertTrue(m.contains("model = 'vgg'") && m.contains("cnn, resnet20"), m);
    m = refused(withHeader(h -> h.addProperty("model", "resnet50")), "another model's stages");
    assertTrue(m.contains("blocks_per_stage lists 3 stages; resnet50 has 4"), m);
    m = refused(withHeader(h -> h.addProperty("model", 7)), "model a number");
    assertTrue(m.contains("model: expected a model name, found a number"), m);
    m = refused(withHeader(h -> h.remove("model")), "no model");
    assertTrue(m.contains("model is missing"), m);
    m = refused(withHeader(h -> h.addProperty("resolution", 0)), "resolution 0");
    assertTrue(m.contains("resolution = 0 outside [1, 16384]"), m);
    m = refused(withHeader(h -> h.addProperty("resolution", 16385)), "resolution too large");
    assertTrue(m.contains("resolution = 16385 outside [1, 16384]"), m);
    m = refused(withHeader(h -> h.addProperty("input_channels", 5000)), "input channels");
    assertTrue(m.contains("input_channels = 5000 outside [1, 4096]"), m);
    m = refused(withHeader(h -> h.addProperty("classes", 1)), "one class");
    assertTrue(m.contains("classes = 1 outside [2, 1048576]"), m);
    m = refused(withHeader(h -> h.addProperty("stem_width", 0)), "stem width 0");
    assertTrue(m.contains("stem_width = 0 outside [1, 65536]"), m);
    m = refused(withHeader(h -> h.add("stage_widths", ints(4, 8, 65537))), "width too large");
    assertTrue(m.contains("stage_widths[2] = 65537 outside [1, 65536]"), m);
    m = refused(withHeader(h -> h.add("stage_widths", ints(4, 8, 0))), "width zero");
    assertTrue(m.contains("stage_widths[2] = 0 outside [1, 65536]"), m);
    m =
        refused(
            withHeader(
                h -> {
                  JsonArray a = new JsonArray();
                  a.add(4);
                  a.add(new JsonPrimitive(new java.math.BigInteger("1" + "0".repeat(30))));
                  a.add(16);
                  h.add("stage_widths", a);
                }),
            "width of 31 digits");
    assertTrue(m.contains("stage_widths[1] = 1000000000000000000000000000000 outside"), m);
    m = refused(withHeader(h -> h.add("stage_widths", ints(4, 8))), "two stages");
    assertTrue(m.contains("stage_widths lists 2 stages; cnn has 3"), m);
    int[] ones = new int[17];
    Arrays.fill(ones, 1);
    m = refused(withHeader(h -> h.add("stage_widths", ints(ones))), "17 stages");
    assertTrue(m.contains("stage_widths lists more than 16 stages"), m);
    m = refused(withHeader(h -> h.add("blocks_per_stage", ints(2, 2, 1025))), "blocks");
    assertTrue(m.contains("blocks_per_stage[2] = 1025 outside [1, 1024]"), m);
    m = refused(withHeader(h -> h.add("stage_widths", ints(4, 2, 16))), "graph too wide");
    assertTrue(m.contains("graph.nodes = 4 is more than the 2 channels"), m);
    m = refused(withHeader(h -> h.addProperty("partition_seed", 1.5)), "seed 1.5");
    assertTrue(m.contains("partition_seed = 1.5"), m);
  }

  @Test
  void theParameterListMustBeTheNetworksTheHeaderDescribes() throws IOException {
    String m =
        refused(withHeader(h -> param(h, 0).addProperty("length", 17)), "stem weight of 17 values");
    assertTrue(m.contains("parameters[0] (stem.conv.weight) has length 17"), m);
    assertTrue(m.contains("needs 576"), m);
    m = refused(withHeader(h -> param(h, 0).addProperty("name", "s2.b1.x.weight")), "unknown name");
    assertTrue(m.contains("'s2.b1.x.weight' is not a parameter of this network"), m);
    m = refused(withHeader(h -> h.getAsJsonArray("parameters").remove(1)), "a parameter missing");
    assertTrue(m.contains("parameters lacks stem.bn.gamma"), m);
    // one edge fewer: every relational convolution stores fewer blocks
    m =
        refused(
            withHeader(h -> h.getAsJsonObject("graph").getAsJsonArray("edges").remove(0)),
            "an edge fewer");
    assertTrue(m.contains("(s2.b1.a.weight) has length") && m.contains("3 graph.edges"), m);
  }

  /**
   * Widths in range but huge, with the small file's parameter list: refused from the header, at
   * once (no network of these widths is built).
   */
  @Test
  void hugeWidthsAreRefusedFromTheHeaderAlone() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          String m =
              refused(
                  withHeader(
                      h -> {
                        h.add("stage_widths", ints(8192, 16384, 16384));
                        h.addProperty("stem_width", 8192);
                      }),
                  "wide stages");
          assertTrue(m.contains("s3.b2.a's weights would be 16384 × 147456"), m);
          m =
              refused(
                  withHeader(h -> h.add("stage_widths", ints(1024, 2048, 4096))),
                  "wide stages, list of the small ones");
          assertTrue(m.contains("has length") && m.contains("needs"), m);
        });
  }

  // ---- helpers ----

  private static JsonArray ints(int... values) {
    JsonArray a = new JsonArray();
    for (int v : values) {
      a.add(v);
    }
    return a;
  }

  private static JsonObject param(JsonObject h, int i) {
    return h.getAsJsonArray("parameters").get(i).getAsJsonObject();
  }

  private static String refused(Path file, String what) {
    return refused(file, null, what);
  }

  private static String refused(Path file, ExecutionMode mode, String what) {
    var e =
        assertThrows(
            ModelFile.ModelFormatException.class, () -> ModelFile.loadAny(file, JAVA, mode), what);
    checkMessage(e.getMessage(), file.toString(), what);
    return e.getMessage();
  }

  private static void checkMessage(String m, String file, String what) {
    assertTrue(m.startsWith(file + ": "), what + ": " + m);
    assertFalse(m.contains("\n"), what + ": " + m);
    assertFalse(m.contains("Exception") || m.contains("because"), what + ": " + m);
  }

  private static int counter;

  /** The good file with its header changed and its checksum made right again. */
  private static Path withHeader(Consumer<JsonObject> change) throws IOException {
    int first = indexOf(good, 0);
    int end = indexOf(good, first + 1);
    JsonObject h =
        JsonParser.parseString(new String(good, first + 1, end - first - 1, StandardCharsets.UTF_8))
            .getAsJsonObject();
    change.accept(h);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((ModelFile.CONV_MAGIC + "\n" + h + "\n").getBytes(StandardCharsets.UTF_8));
    out.write(Arrays.copyOfRange(good, end + 1, good.length - 4));
    CRC32 crc = new CRC32();
    crc.update(out.toByteArray());
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return write("case" + counter++ + ".rgm", out.toByteArray());
  }

  private static Path write(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
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
}
