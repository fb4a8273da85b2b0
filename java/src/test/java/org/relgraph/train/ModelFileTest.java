package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.engine.JavaBackend;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;

/**
 * Model files from careless or hostile hands: every malformed file is one line naming the file and
 * what is wrong, and nothing is allocated for a header the file cannot back.
 */
class ModelFileTest {
  private static final MlpSpec SPEC = new MlpSpec(6, 8, 2, 3, 7);
  private static byte[] good;

  @TempDir static Path dir;

  @BeforeAll
  static void saveATinyModel() throws IOException {
    RelationalGraph g = RelationalGraph.builder(4, false).addEdge(0, 1).addEdge(1, 3).build();
    try (RelationalMlp net =
        RelationalMlp.create(new JavaBackend(), SPEC, g, 10, ExecutionMode.BLOCKSPARSE, 3)) {
      JsonObject info = new JsonObject();
      info.addProperty("dataset", "synthetic");
      Path file = dir.resolve("good.rgm");
      ModelFile.save(net, file, info);
      good = Files.readAllBytes(file);
    }
  }

  /** The name in-memory files go by. */
  private static final String NAME = "case.rgm";

  /** The message of loading {@code bytes}, which must fail as a one-line model-format error. */
  private static String refused(byte[] bytes, String what) {
    return refused(new Bytes(bytes), what);
  }

  private static String refused(SeekableByteChannel ch, String what) {
    var e =
        assertThrows(
            ModelFile.ModelFormatException.class,
            () -> ModelFileReader.read(NAME, ch, new JavaBackend(), null),
            what);
    checkMessage(e.getMessage(), NAME, what);
    return e.getMessage();
  }

  private static String refused(Path file, String what) {
    var e =
        assertThrows(
            ModelFile.ModelFormatException.class,
            () -> ModelFile.load(file, new JavaBackend(), null),
            what);
    checkMessage(e.getMessage(), file.toString(), what);
    return e.getMessage();
  }

  private static void checkMessage(String m, String file, String what) {
    assertTrue(m.startsWith(file + ": "), what + ": " + m);
    assertFalse(m.contains("\n"), what + ": " + m);
    for (String leak :
        new String[] {
          "Exception",
          "Cannot invoke",
          "because",
          "For input string",
          "is null",
          "Strictness",
          "http"
        }) {
      assertFalse(m.contains(leak), what + ": " + m);
    }
  }

  /** Loads {@code bytes}: either a model, or one clean line; never another exception. */
  private static void loadsOrIsRefused(byte[] bytes, String what) {
    try {
      ModelFileReader.read(NAME, new Bytes(bytes), new JavaBackend(), null).net().close();
    } catch (ModelFile.ModelFormatException e) {
      checkMessage(e.getMessage(), NAME, what);
    } catch (RuntimeException | Error e) {
      throw new AssertionError(what + ": " + e, e);
    }
  }

  /** A read-only in-memory file; with {@code fill}, endless: every byte after the array is it. */
  private static final class Bytes implements SeekableByteChannel {
    private final byte[] bytes;
    private final Byte fill;
    private long position;

    Bytes(byte[] bytes) {
      this(bytes, null);
    }

    Bytes(byte[] bytes, Byte fill) {
      this.bytes = bytes;
      this.fill = fill;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (fill == null && position >= bytes.length) {
        return -1;
      }
      int n;
      if (position < bytes.length) {
        n = (int) Math.min(dst.remaining(), bytes.length - position);
        dst.put(bytes, (int) position, n);
      } else {
        byte[] more = new byte[dst.remaining()];
        Arrays.fill(more, fill);
        dst.put(more);
        n = more.length;
      }
      position += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public SeekableByteChannel position(long p) {
      position = p;
      return this;
    }

    @Override
    public long size() {
      return fill == null ? bytes.length : Long.MAX_VALUE;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  private static int headerEnd(byte[] bytes) {
    int first = indexOf(bytes, 0);
    return indexOf(bytes, first + 1);
  }

  private static int indexOf(byte[] a, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static JsonObject header() {
    int first = indexOf(good, 0);
    int end = headerEnd(good);
    return JsonParser.parseString(
            new String(good, first + 1, end - first - 1, StandardCharsets.UTF_8))
        .getAsJsonObject();
  }

  /** A file with {@code header} text and {@code body}, and a right checksum. */
  private static byte[] file(String firstLine, String header, byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((firstLine + "\n" + header + "\n").getBytes(StandardCharsets.UTF_8));
    out.write(body);
    CRC32 crc = new CRC32();
    crc.update(out.toByteArray());
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return out.toByteArray();
  }

  private static byte[] body() {
    return Arrays.copyOfRange(good, headerEnd(good) + 1, good.length - 4);
  }

  /** The good file with its header changed and the checksum made right again. */
  private static byte[] withHeader(Consumer<JsonObject> change) throws IOException {
    JsonObject h = header();
    change.accept(h);
    return file(ModelFile.MAGIC, h.toString(), body());
  }

  private static byte[] withHeaderText(String header) throws IOException {
    return file(ModelFile.MAGIC, header, body());
  }

  /** The JSON object holding {@code path}'s last element. */
  private static JsonObject parent(JsonObject h, String path) {
    String[] parts = path.split("\\.");
    JsonObject o = h;
    for (int i = 0; i < parts.length - 1; i++) {
      o = o.getAsJsonObject(parts[i]);
    }
    return o;
  }

  private static String leaf(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  private static final List<String> REQUIRED =
      List.of(
          "spec",
          "spec.input_size",
          "spec.stem_width",
          "spec.relational_layers",
          "spec.classes",
          "spec.partition_seed",
          "width",
          "mode",
          "graph",
          "graph.nodes",
          "graph.directed",
          "graph.edges",
          "parameters");

  @Test
  void theTinyModelLoads() {
    ModelFile.Loaded l = assertDoesNotThrowLoad(good);
    try (RelationalMlp net = l.net()) {
      assertEquals(SPEC, net.spec());
      assertEquals(10, net.width());
      assertEquals("synthetic", l.info().get("dataset").getAsString());
    }
  }

  private static ModelFile.Loaded assertDoesNotThrowLoad(byte[] bytes) {
    return ModelFileReader.read(NAME, new Bytes(bytes), new JavaBackend(), null);
  }

  @Test
  void anEmptyFileAndEveryTruncationAreOneLineErrors() throws IOException {
    assertTrue(refused(new byte[0], "empty").contains("empty"));
    for (int k = 1; k < good.length; k++) {
      refused(Arrays.copyOf(good, k), "truncated to " + k + " bytes");
    }
    // extra bytes after the checksum
    byte[] longer = Arrays.copyOf(good, good.length + 7);
    assertTrue(refused(longer, "7 bytes more").contains("bytes"));
  }

  @Test
  void everyFlippedByteIsCaught() throws IOException {
    for (int i = 0; i < good.length; i++) {
      byte[] b = good.clone();
      b[i] ^= 0x04;
      refused(b, "byte " + i + " flipped");
    }
  }

  @Test
  void flippedHeaderBytesBehindARightChecksumGiveCleanErrors() throws IOException {
    int first = indexOf(good, 0);
    String text = new String(good, first + 1, headerEnd(good) - first - 1, StandardCharsets.UTF_8);
    byte[] body = body();
    byte[] replacements = {'x', '0', '9', '-', '"', '[', ']', '{', '}', ',', ':', ' ', 0, 'e'};
    for (int i = 0; i < text.length(); i++) {
      for (byte r : replacements) {
        byte[] h = text.getBytes(StandardCharsets.UTF_8);
        if (h[i] == r) {
          continue;
        }
        h[i] = r;
        String changed = new String(h, StandardCharsets.ISO_8859_1);
        loadsOrIsRefused(
            file(ModelFile.MAGIC, changed, body), "header byte " + i + " = " + (char) r);
      }
    }
  }

  @Test
  void missingFieldsAreNamed() throws IOException {
    for (String path : REQUIRED) {
      String m = refused(withHeader(h -> parent(h, path).remove(leaf(path))), "no " + path);
      assertTrue(m.contains(path) && m.contains("missing"), path + ": " + m);
    }
  }

  @Test
  void wrongTypesAreNamedWithWhatWasExpected() throws IOException {
    List<JsonElement> wrong =
        List.of(
            new JsonPrimitive("text"),
            new JsonPrimitive(true),
            new JsonArray(),
            new JsonObject(),
            JsonNull.INSTANCE,
            new JsonPrimitive(1.5));
    for (String path : REQUIRED) {
      for (JsonElement w : wrong) {
        byte[] b = withHeader(h -> parent(h, path).add(leaf(path), w));
        String what = path + " = " + w;
        if (path.equals("graph.edges") && w.isJsonArray()) {
          loadsOrIsRefused(b, what); // an empty edge list is a graph; the parameters disagree
          continue;
        }
        if (path.equals("graph.directed") && w.equals(new JsonPrimitive(true))) {
          loadsOrIsRefused(b, what);
          continue;
        }
        String m = refused(b, what);
        assertTrue(m.contains(path), what + ": " + m);
      }
    }
    String m = refused(withHeader(h -> h.add("info", new JsonArray())), "info = []");
    assertTrue(m.contains("info") && m.contains("expected"), m);
    m = refused(withHeaderText("[1, 2]"), "not an object");
    assertTrue(m.contains("JSON object"), m);
    m = refused(withHeaderText("{\"spec\": "), "bad JSON");
    assertTrue(m.contains("not valid JSON near character"), m);
    m = refused(withHeaderText("{\"spec\": {'input_size': 6}}"), "single quotes");
    assertTrue(m.contains("not valid JSON near character"), m);
  }

  @Test
  void hugeAndNegativeNumbersAreOutOfRangeWithTheFieldNamed() throws IOException {
    Object[][] cases = {
      {"spec.stem_width", "1000000"},
      {"spec.relational_layers", "1000000"},
      {"spec.input_size", "-3"},
      {"spec.classes", "1"},
      {"spec.partition_seed", "99999999999999999999999"},
      {"width", "-64771072"},
      {"width", "4294967306"},
      {"width", "1e6"},
      {"graph.nodes", "0"},
      {"graph.nodes", "1000000"},
      {"spec.stem_width", "512.0"},
    };
    for (Object[] c : cases) {
      String path = (String) c[0];
      String value = (String) c[1];
      JsonObject h = header();
      parent(h, path).add(leaf(path), new JsonPrimitive(0));
      String text =
          h.toString().replace("\"" + leaf(path) + "\":0", "\"" + leaf(path) + "\":" + value);
      long start = System.nanoTime();
      String m = refused(withHeaderText(text), path + " = " + value);
      assertTrue(m.contains(path) && m.contains(value), path + " = " + value + ": " + m);
      assertTrue((System.nanoTime() - start) / 1e9 < 2, "refused at once");
    }
  }

  @Test
  void theParameterListMustBeTheNetworksOwn() throws IOException {
    String m =
        refused(
            withHeader(
                h ->
                    h.getAsJsonArray("parameters")
                        .get(0)
                        .getAsJsonObject()
                        .addProperty("name", "relationalX.weight")),
            "unknown name");
    assertTrue(m.contains("parameters[0]") && m.contains("relationalX.weight"), m);
    m =
        refused(
            withHeader(
                h -> {
                  JsonArray p = h.getAsJsonArray("parameters");
                  p.get(1).getAsJsonObject().addProperty("name", "stem.weight");
                }),
            "twice");
    assertTrue(m.contains("parameters[1]") && m.contains("twice"), m);
    m =
        refused(
            withHeader(
                h ->
                    h.getAsJsonArray("parameters")
                        .get(0)
                        .getAsJsonObject()
                        .addProperty("length", 49)),
            "wrong length");
    assertTrue(m.contains("stem.weight") && m.contains("48"), m);
    // a network the header describes but the parameters do not back
    m = refused(withHeader(h -> h.getAsJsonObject("spec").addProperty("stem_width", 9)), "9");
    assertTrue(m.contains("stem.weight") && m.contains("spec"), m);
    m =
        refused(
            withHeader(h -> h.getAsJsonObject("graph").add("edges", new JsonArray())), "no edges");
    assertTrue(m.contains("relational0.weight"), m);
    m = refused(withHeader(h -> h.addProperty("mode", "dense")), "dense, not complete");
    assertTrue(m.contains("mode") && m.contains("complete"), m);
    m =
        refused(
            withHeader(
                h -> {
                  JsonArray e = new JsonArray();
                  e.add(3);
                  e.add(3);
                  h.getAsJsonObject("graph").getAsJsonArray("edges").add(e);
                }),
            "self-loop");
    assertTrue(m.contains("graph.edges[2]") && m.contains("self-loop"), m);
    m =
        refused(
            withHeader(
                h -> {
                  JsonArray e = new JsonArray();
                  e.add(0);
                  e.add(4);
                  h.getAsJsonObject("graph").getAsJsonArray("edges").add(e);
                }),
            "node out of range");
    assertTrue(m.contains("graph.edges[2]") && m.contains("graph.nodes"), m);
  }

  @Test
  void aFormatVersionFromTheFutureIsRefused() throws IOException {
    int first = indexOf(good, 0);
    byte[] rest = Arrays.copyOfRange(good, first, good.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write("relgraph-model 3".getBytes(StandardCharsets.UTF_8));
    out.write(rest);
    String m = refused(out.toByteArray(), "version 3");
    assertTrue(m.contains("version 3") && m.contains("newer"), m);
  }

  /**
   * A consistent header and parameter list, small on disk, for a network whose dense weights need
   * more memory than the JVM has: edgeless graphs of one channel per node store one weight per
   * node, but loading works on dense matrices. Refused from the header, before any allocation.
   */
  @Test
  void aHeaderDescribingTooMuchMemoryIsRefusedBeforeAllocating() throws IOException {
    int w = MlpSpec.MAX_STEM_WIDTH;
    long perLayer = 4L * w * w; // one dense float matrix
    int layers = (int) Math.min(MlpSpec.MAX_RELATIONAL_LAYERS, 2 + maxMemory() / perLayer);
    MlpSpec spec = new MlpSpec(1, w, layers, 2, 0);
    JsonObject h = new JsonObject();
    JsonObject s = new JsonObject();
    s.addProperty("input_size", 1);
    s.addProperty("stem_width", w);
    s.addProperty("relational_layers", layers);
    s.addProperty("classes", 2);
    s.addProperty("partition_seed", 0);
    h.add("spec", s);
    h.addProperty("width", w);
    h.addProperty("mode", "blocksparse");
    JsonObject g = new JsonObject();
    g.addProperty("nodes", w);
    g.addProperty("directed", false);
    g.add("edges", new JsonArray());
    h.add("graph", g);
    JsonArray params = new JsonArray();
    long total = 0;
    for (Map.Entry<String, Long> e : RelationalMlp.stateLengths(spec, w).entrySet()) {
      long len =
          e.getKey().startsWith("relational") && e.getKey().endsWith(".weight") ? w : e.getValue();
      JsonObject p = new JsonObject();
      p.addProperty("name", e.getKey());
      p.addProperty("length", len);
      params.add(p);
      total += len;
    }
    h.add("parameters", params);
    byte[] bytes = file(ModelFile.MAGIC, h.toString(), new byte[Math.toIntExact(4 * total)]);
    assertTrue(bytes.length < 64 << 20, "a small file: " + bytes.length);
    Path file = dir.resolve("huge.rgm");
    Files.write(file, bytes);
    String m =
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> refused(file, "huge network"));
    assertTrue(m.contains("memory"), m);
  }

  private static long maxMemory() {
    return Runtime.getRuntime().maxMemory();
  }

  @Test
  void directoriesDevicesFifosAndEndlessFilesAreRefusedAtOnce() throws Exception {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          assertTrue(refused(dir, "a directory").contains("directory"));
          Path zero = Path.of("/dev/zero");
          if (Files.exists(zero)) {
            assertTrue(refused(zero, "/dev/zero").contains("not a regular file"));
          }
          Path fifo = dir.resolve("fifo");
          Files.deleteIfExists(fifo);
          boolean made;
          try {
            made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
          } catch (IOException e) {
            made = false;
          }
          if (made) {
            assertTrue(refused(fifo, "a FIFO").contains("not a regular file"));
          }
          // a sparse 1 GiB file of zeros
          Path big = dir.resolve("big.rgm");
          Files.write(big, (ModelFile.MAGIC + "\n").getBytes(StandardCharsets.UTF_8));
          try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1L << 30);
          }
          refused(big, "1 GiB of zeros after the first line");
          Files.delete(big);
          // endless input: zeros, or a header line that never ends
          String[] starts = {"", ModelFile.MAGIC + "\n", ModelFile.MAGIC + "\n{\"info\":\""};
          byte[] fills = {0, 0, 'a'};
          for (int i = 0; i < starts.length; i++) {
            byte[] start = starts[i].getBytes(StandardCharsets.UTF_8);
            String m = refused(new Bytes(start, fills[i]), "endless after '" + starts[i] + "'");
            if (fills[i] == 'a') {
              assertTrue(m.contains("longer than"), m);
            }
          }
        });
  }
}
