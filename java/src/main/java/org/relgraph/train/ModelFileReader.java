package org.relgraph.train;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.relgraph.engine.Backend;
import org.relgraph.engine.MemoryLimits;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.io.Quoting;
import org.relgraph.model.BudgetMatching;
import org.relgraph.model.ChannelPartition;
import org.relgraph.model.ConvNet;
import org.relgraph.model.ConvNetSpec;
import org.relgraph.model.ConvOp;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Network;

/**
 * Reads a model file for {@link ModelFile#load}, checking it in the order docs/model-format.md
 * gives: the file (regular, not empty), the first line (format version), the header line (bounded
 * length, JSON, every field's type and range), the header against itself (nodes, widths, edges,
 * mode), the parameter list against the network the header describes, the file's length against the
 * parameter list, the memory the network needs against what this JVM may use, and the checksum;
 * only then is anything the header sizes allocated. Every failure is a {@link
 * ModelFile.ModelFormatException} naming the file, and for the header the field. A format-2 file (a
 * convolutional network) goes through the same steps, its header checked against the layout its
 * fields describe ({@link ModelFile#convLayout}).
 */
final class ModelFileReader {
  /** The longest header line read: a complete graph of about 4800 nodes fills it. */
  static final int MAX_HEADER_BYTES = 256 << 20;

  /** The first line's prefix; the format version follows. */
  private static final String MAGIC_PREFIX = "relgraph-model ";

  private static final int FORMAT_VERSION = 2;

  /** The most stages a format-2 header may list (the presets have 3 or 4). */
  static final int MAX_STAGES = 16;

  private static final Pattern FIRST_LINE = Pattern.compile("relgraph-model ([1-9][0-9]{0,8})");

  private static final Pattern COLUMN = Pattern.compile("column ([0-9]+)");

  private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

  private static final Gson GSON = new Gson();

  private final String name;

  // whether a convolutional network's file (format 2) is read
  private final boolean conv;

  private ModelFileReader(String name, boolean conv) {
    this.name = name;
    this.conv = conv;
  }

  /** A parameter as the header lists it. */
  private record Listed(String name, int length) {}

  /** The header's fields, each checked for type and range on its own. */
  private static final class Fields {
    int version;
    boolean spec;
    boolean graph;
    Integer inputSize;
    Integer stemWidth;
    Integer relationalLayers;
    Integer classes;
    Long partitionSeed;
    Integer width;
    ExecutionMode mode;
    Integer nodes;
    Boolean directed;
    long[] edges; // u << 32 | v, in file order
    int edgeCount;
    List<Listed> parameters;
    JsonObject info;
    // format 2
    String model;
    Integer inputChannels;
    Integer resolution;
    List<Integer> blocks;
    List<Integer> stageWidths;
  }

  /**
   * Reads {@code file} onto {@code backend}, in {@code mode} (null: the file's); a convolutional
   * network's file (format 2) only when {@code conv}.
   */
  static ModelFile.Model load(Path file, Backend backend, ExecutionMode mode, boolean conv) {
    ModelFileReader reader = new ModelFileReader(file.toString(), conv);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
    if (attrs.isDirectory()) {
      throw reader.fail("is a directory, not a model file");
    }
    if (!attrs.isRegularFile()) {
      throw reader.fail(
          "not a regular file (a device, FIFO or socket); models are read from files");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return reader.read(ch, backend, mode);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a model from {@code ch} (its {@code size()} is the file's length), naming it {@code name}
   * in errors. Every read is bounded by the length the header implies.
   */
  static ModelFile.Loaded read(
      String name, SeekableByteChannel ch, Backend backend, ExecutionMode mode) {
    try {
      return (ModelFile.Loaded) new ModelFileReader(name, false).read(ch, backend, mode);
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": " + e.getMessage(), e);
    }
  }

  private ModelFile.Model read(SeekableByteChannel ch, Backend backend, ExecutionMode override)
      throws IOException {
    long size = ch.size();
    if (size == 0) {
      throw fail("empty (its length is 0), not a relgraph model");
    }
    CRC32 crc = new CRC32();
    long[] first = firstLine(ch, size, crc);
    int firstLine = (int) first[0];
    byte[] headerBytes = headerLine(ch, size, firstLine + 1);
    crc.update(headerBytes);
    crc.update('\n');
    long bodyStart = firstLine + 1L + headerBytes.length + 1;
    Fields f = parse(headerBytes, (int) first[1]);
    if (f.version == 2) {
      if (!conv) {
        throw fail(
            "holds a convolutional network (model format 2), not a relational MLP: only"
                + " relational MLPs (format 1) are read here");
      }
      return readConv(ch, size, bodyStart, f, backend, override, crc);
    }
    MlpSpec spec = checkFields(f);
    ExecutionMode mode = override != null ? override : f.mode;
    long[] arcs = arcs(f);
    checkDense(f, mode, arcs);
    Map<String, Long> packed = packedLengths(spec, f.width, f.nodes, arcs);
    long values =
        checkParameters(
            f, packed, spec.relationalLayers() + " relational layers", p -> describe(p, f));
    checkLength(size, bodyStart, values);
    checkMemory(spec, f, mode, values);
    Map<String, float[]> data = body(ch, bodyStart, f.parameters, crc);
    return build(backend, spec, f, mode, data);
  }

  /** Checks that the file is exactly its two lines, {@code values} floats and the checksum. */
  private void checkLength(long size, long bodyStart, long values) {
    long expected = bodyStart + 4 * values + 4;
    if (size != expected) {
      throw fail(
          String.format(
              Locale.ROOT,
              "%d bytes, but its header describes %d (%d of header lines, 4 × %d parameter"
                  + " values, 4 of checksum): the file is truncated or has extra bytes",
              size,
              expected,
              bodyStart,
              values));
    }
  }

  private ModelFile.ModelFormatException fail(String what) {
    return new ModelFile.ModelFormatException(name + ": " + what);
  }

  private ModelFile.ModelFormatException header(String what) {
    return fail("malformed header: " + what);
  }

  // ---- the two lines ----

  /** Checks the first line; returns the offset of its end of line and the format version. */
  private long[] firstLine(SeekableByteChannel ch, long size, CRC32 crc) throws IOException {
    int max = MAGIC_PREFIX.length() + 10;
    byte[] b = read(ch, 0, (int) Math.min(size, max + 1));
    int nl = -1;
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\n') {
        nl = i;
        break;
      }
    }
    String line = new String(b, 0, nl < 0 ? b.length : nl, StandardCharsets.ISO_8859_1);
    String magic = ModelFile.MAGIC;
    if (nl >= 0 && (line.equals(magic) || line.equals(ModelFile.CONV_MAGIC))) {
      crc.update(b, 0, nl + 1);
      return new long[] {nl, line.equals(magic) ? 1 : 2};
    }
    if (nl < 0 && (magic.startsWith(line) || ModelFile.CONV_MAGIC.startsWith(line))) {
      throw fail("truncated in its first line");
    }
    Matcher m = FIRST_LINE.matcher(line);
    if (nl >= 0 && m.matches() && Long.parseLong(m.group(1)) > FORMAT_VERSION) {
      throw fail(
          "model format version "
              + m.group(1)
              + " is newer than this relgraph reads ("
              + FORMAT_VERSION
              + "); a newer relgraph wrote it");
    }
    throw fail("not a relgraph model (first line is not '" + magic + "')");
  }

  /**
   * The header line from {@code start}, without its end of line: found in bounded chunks, then
   * read. JSON text holds no control bytes but tab and carriage return, so anything else (the zeros
   * of an endless device, binary data) ends the search at once.
   */
  private byte[] headerLine(SeekableByteChannel ch, long size, long start) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    long pos = start;
    while (true) {
      buf.clear();
      ch.position(pos);
      int n = ch.read(buf);
      if (n <= 0) {
        throw fail("truncated in its header: the file ends after " + pos + " bytes");
      }
      byte[] a = buf.array();
      if (pos == start && a[0] != '{') {
        throw header("expected a JSON object on the second line");
      }
      for (int i = 0; i < n; i++) {
        byte c = a[i];
        if (c == '\n') {
          long length = pos + i - start;
          return read(ch, start, (int) length);
        }
        if (c >= 0 && c < 0x20 && c != '\t' && c != '\r') {
          throw header(
              String.format(Locale.ROOT, "control byte 0x%02x at offset %d, not JSON", c, pos + i));
        }
      }
      pos += n;
      if (pos - start > MAX_HEADER_BYTES) {
        throw fail(
            "header line longer than " + (MAX_HEADER_BYTES >> 20) + " MiB: not a relgraph model");
      }
    }
  }

  // ---- the header's fields ----

  private Fields parse(byte[] headerBytes, int version) {
    Fields f = new Fields();
    f.version = version;
    boolean mlp = version == 1;
    JsonReader r =
        new JsonReader(
            new InputStreamReader(new ByteArrayInputStream(headerBytes), StandardCharsets.UTF_8));
    r.setStrictness(Strictness.STRICT);
    try {
      expect(r, JsonToken.BEGIN_OBJECT, "the header", "a JSON object");
      r.beginObject();
      Set<String> seen = new HashSet<>();
      while (r.hasNext()) {
        String key = r.nextName();
        once(seen, key);
        switch (mlp ? key : "2:" + key) {
          case "spec" -> spec(r, f, seen);
          case "width" -> f.width = (int) integer(r, "width", 1, BudgetMatching.MAX_WIDTH);
          case "2:model" -> {
            expect(r, JsonToken.STRING, "model", "a model name");
            f.model = r.nextString();
          }
          case "2:input_channels" ->
              f.inputChannels = (int) integer(r, key, 1, ConvNetSpec.MAX_INPUT_CHANNELS);
          case "2:resolution" ->
              f.resolution = (int) integer(r, key, 1, ConvNetSpec.MAX_RESOLUTION);
          case "2:classes" -> f.classes = (int) integer(r, key, 2, ConvNetSpec.MAX_CLASSES);
          case "2:stem_width" -> f.stemWidth = (int) integer(r, key, 1, ConvNetSpec.MAX_WIDTH);
          case "2:blocks_per_stage" -> f.blocks = stages(r, key, ConvNetSpec.MAX_BLOCKS);
          case "2:stage_widths" -> f.stageWidths = stages(r, key, ConvNetSpec.MAX_WIDTH);
          case "2:partition_seed" ->
              f.partitionSeed = integer(r, key, Long.MIN_VALUE, Long.MAX_VALUE);
          case "mode", "2:mode" -> f.mode = mode(r);
          case "graph", "2:graph" -> graph(r, f, seen);
          case "parameters", "2:parameters" -> f.parameters = parameters(r);
          case "info", "2:info" -> {
            expect(r, JsonToken.BEGIN_OBJECT, "info", "an object");
            f.info = GSON.getAdapter(JsonElement.class).read(r).getAsJsonObject();
          }
          default -> r.skipValue(); // a later version's field: ignored
        }
      }
      r.endObject();
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw header("more text after the JSON object");
      }
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      // Gson's messages carry the position, and advice meant for programmers: keep the position
      Matcher at = COLUMN.matcher(String.valueOf(e.getMessage()));
      throw header("not valid JSON" + (at.find() ? " near character " + at.group(1) : ""));
    }
    return f;
  }

  /** A list of at most {@link #MAX_STAGES} integers in [1, max], one per stage. */
  private List<Integer> stages(JsonReader r, String field, int max) throws IOException {
    expect(r, JsonToken.BEGIN_ARRAY, field, "a list of integers, one per stage");
    r.beginArray();
    List<Integer> out = new ArrayList<>();
    while (r.hasNext()) {
      if (out.size() == MAX_STAGES) {
        throw header(field + " lists more than " + MAX_STAGES + " stages");
      }
      out.add((int) integer(r, field + "[" + out.size() + "]", 1, max));
    }
    r.endArray();
    return out;
  }

  private void once(Set<String> seen, String field) {
    if (!seen.add(field)) {
      throw header(field + " appears twice");
    }
  }

  private void spec(JsonReader r, Fields f, Set<String> seen) throws IOException {
    expect(r, JsonToken.BEGIN_OBJECT, "spec", "an object");
    f.spec = true;
    r.beginObject();
    while (r.hasNext()) {
      String key = r.nextName();
      String field = "spec." + key;
      once(seen, field);
      switch (key) {
        case "input_size" -> f.inputSize = (int) integer(r, field, 1, MlpSpec.MAX_INPUT_SIZE);
        case "stem_width" -> f.stemWidth = (int) integer(r, field, 1, MlpSpec.MAX_STEM_WIDTH);
        case "relational_layers" ->
            f.relationalLayers = (int) integer(r, field, 1, MlpSpec.MAX_RELATIONAL_LAYERS);
        case "classes" -> f.classes = (int) integer(r, field, 2, MlpSpec.MAX_CLASSES);
        case "partition_seed" ->
            f.partitionSeed = integer(r, field, Long.MIN_VALUE, Long.MAX_VALUE);
        default -> r.skipValue();
      }
    }
    r.endObject();
  }

  private void graph(JsonReader r, Fields f, Set<String> seen) throws IOException {
    expect(r, JsonToken.BEGIN_OBJECT, "graph", "an object");
    f.graph = true;
    r.beginObject();
    while (r.hasNext()) {
      String key = r.nextName();
      String field = "graph." + key;
      once(seen, field);
      switch (key) {
        case "nodes" -> f.nodes = (int) integer(r, field, 1, MlpSpec.MAX_STEM_WIDTH);
        case "directed" -> {
          expect(r, JsonToken.BOOLEAN, field, "true or false");
          f.directed = r.nextBoolean();
        }
        case "edges" -> edges(r, f);
        default -> r.skipValue();
      }
    }
    r.endObject();
  }

  private void edges(JsonReader r, Fields f) throws IOException {
    expect(r, JsonToken.BEGIN_ARRAY, "graph.edges", "a list of [u, v] pairs");
    r.beginArray();
    long[] edges = new long[16];
    int count = 0;
    int max = MlpSpec.MAX_STEM_WIDTH - 1;
    while (r.hasNext()) {
      String field = "graph.edges[" + count + "]";
      expect(r, JsonToken.BEGIN_ARRAY, field, "a pair [u, v] of node indices");
      r.beginArray();
      long[] uv = new long[2];
      for (int k = 0; k < 2; k++) {
        if (!r.hasNext()) {
          throw header(field + ": expected a pair [u, v] of node indices, found fewer values");
        }
        uv[k] = integer(r, field + "[" + k + "]", 0, max);
      }
      if (r.hasNext()) {
        throw header(field + ": expected a pair [u, v] of node indices, found more values");
      }
      r.endArray();
      if (count == edges.length) {
        edges = Arrays.copyOf(edges, 2 * count);
      }
      edges[count++] = uv[0] << 32 | uv[1];
    }
    r.endArray();
    f.edges = edges;
    f.edgeCount = count;
  }

  private List<Listed> parameters(JsonReader r) throws IOException {
    expect(r, JsonToken.BEGIN_ARRAY, "parameters", "a list of {\"name\", \"length\"}");
    r.beginArray();
    List<Listed> out = new ArrayList<>();
    while (r.hasNext()) {
      String field = "parameters[" + out.size() + "]";
      expect(r, JsonToken.BEGIN_OBJECT, field, "an object {\"name\", \"length\"}");
      r.beginObject();
      String pname = null;
      Long length = null;
      Set<String> seen = new HashSet<>();
      while (r.hasNext()) {
        String key = r.nextName();
        once(seen, field + "." + key);
        switch (key) {
          case "name" -> {
            expect(r, JsonToken.STRING, field + ".name", "a string");
            pname = r.nextString();
          }
          case "length" ->
              length = integer(r, field + ".length", 0, MemoryLimits.MAX_TENSOR_VALUES);
          default -> r.skipValue();
        }
      }
      r.endObject();
      if (pname == null) {
        throw header(field + ".name is missing");
      }
      if (length == null) {
        throw header(field + ".length is missing");
      }
      out.add(new Listed(pname, (int) (long) length));
    }
    r.endArray();
    return out;
  }

  private ExecutionMode mode(JsonReader r) throws IOException {
    expect(r, JsonToken.STRING, "mode", "blocksparse, masked or dense");
    String s = r.nextString();
    for (ExecutionMode m : ExecutionMode.values()) {
      if (m.label().equals(s)) {
        return m;
      }
    }
    throw header("mode = " + quote(s) + ": expected blocksparse, masked or dense");
  }

  /** The next value as an integer in [min, max], however many digits it has. */
  private long integer(JsonReader r, String field, long min, long max) throws IOException {
    String range = "an integer in [" + min + ", " + max + "]";
    expect(r, JsonToken.NUMBER, field, range);
    String literal = r.nextString();
    // a JSON number: digits, sign, point and exponent only, so it needs cutting, not escaping
    String shown = literal.length() <= 40 ? literal : literal.substring(0, 40) + "...";
    if (!INTEGER.matcher(literal).matches()) {
      throw header(field + " = " + shown + ": expected " + range);
    }
    BigInteger v = new BigInteger(literal);
    if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
      throw header(field + " = " + shown + " outside [" + min + ", " + max + "]");
    }
    return v.longValue();
  }

  private void expect(JsonReader r, JsonToken token, String field, String what) throws IOException {
    JsonToken t = r.peek();
    if (t != token) {
      throw header(field + ": expected " + what + ", found " + describe(t));
    }
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case BEGIN_ARRAY -> "a list";
      case BEGIN_OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "true or false";
      case NULL -> "JSON null";
      case END_ARRAY, END_OBJECT, END_DOCUMENT -> "nothing";
      case NAME -> "a name";
    };
  }

  /** At most 80 characters of {@code s}, control characters escaped, in quotes. */
  static String quote(String s) {
    return Quoting.quote(s, '\'');
  }

  // ---- the header against itself ----

  private MlpSpec checkFields(Fields f) {
    require(f.spec ? true : null, "spec");
    require(f.graph ? true : null, "graph");
    require(f.inputSize, "spec.input_size");
    require(f.stemWidth, "spec.stem_width");
    require(f.relationalLayers, "spec.relational_layers");
    require(f.classes, "spec.classes");
    require(f.partitionSeed, "spec.partition_seed");
    require(f.width, "width");
    require(f.mode, "mode");
    requireGraphAndParameters(f);
    if (f.nodes > f.stemWidth) {
      throw header(
          "graph.nodes = "
              + f.nodes
              + " is more than spec.stem_width = "
              + f.stemWidth
              + " (every node needs a channel)");
    }
    if (f.nodes > f.width) {
      throw header(
          "graph.nodes = "
              + f.nodes
              + " is more than width = "
              + f.width
              + " (every node needs a channel)");
    }
    checkEdges(f);
    checkMatrix(f.stemWidth, f.inputSize, "stem", "spec.stem_width × spec.input_size");
    checkMatrix(f.width, f.stemWidth, "relational0", "width × spec.stem_width");
    if (f.relationalLayers > 1) {
      checkMatrix(f.width, f.width, "relational1", "width × width");
    }
    checkMatrix(f.classes, f.width, "head", "spec.classes × width");
    return new MlpSpec(f.inputSize, f.stemWidth, f.relationalLayers, f.classes, f.partitionSeed);
  }

  /** Every edge's nodes below {@code graph.nodes} and distinct. */
  private void checkEdges(Fields f) {
    for (int i = 0; i < f.edgeCount; i++) {
      int u = (int) (f.edges[i] >>> 32);
      int v = (int) f.edges[i];
      String field = "graph.edges[" + i + "] = [" + u + ", " + v + "]";
      if (u >= f.nodes || v >= f.nodes) {
        throw header(field + ": node " + Math.max(u, v) + " is not below graph.nodes = " + f.nodes);
      }
      if (u == v) {
        throw header(field + " is a self-loop (every node receives from itself already)");
      }
    }
  }

  /** The graph's fields and the parameter list, which both formats have; info defaults to {}. */
  private void requireGraphAndParameters(Fields f) {
    require(f.nodes, "graph.nodes");
    require(f.directed, "graph.directed");
    require(f.edges, "graph.edges");
    require(f.parameters, "parameters");
    if (f.info == null) {
      f.info = new JsonObject();
    }
  }

  private void require(Object value, String field) {
    if (value == null) {
      throw header(field + " is missing");
    }
  }

  private void checkMatrix(long rows, long cols, String layer, String fields) {
    if (rows * cols > MemoryLimits.MAX_TENSOR_VALUES) {
      throw header(
          fields
              + " = "
              + rows
              + " × "
              + cols
              + ": the "
              + layer
              + " layer's weights would be more than 2^31 - 9 values");
    }
  }

  /** The graph's arcs {@code u → v} (both ways when undirected), sorted, without repeats. */
  private static long[] arcs(Fields f) {
    long[] a = new long[f.directed ? f.edgeCount : 2 * f.edgeCount];
    int k = 0;
    for (int i = 0; i < f.edgeCount; i++) {
      long e = f.edges[i];
      a[k++] = e;
      if (!f.directed) {
        a[k++] = (e & 0xffffffffL) << 32 | e >>> 32;
      }
    }
    Arrays.sort(a);
    int unique = 0;
    for (int i = 0; i < a.length; i++) {
      if (i == 0 || a[i] != a[i - 1]) {
        a[unique++] = a[i];
      }
    }
    return Arrays.copyOf(a, unique);
  }

  private void checkDense(Fields f, ExecutionMode mode, long[] arcs) {
    long complete = (long) f.nodes * (f.nodes - 1);
    if (mode == ExecutionMode.DENSE && arcs.length != complete) {
      long edges = f.directed ? arcs.length : arcs.length / 2;
      throw header(
          "mode = dense needs the complete graph; graph.edges has "
              + edges
              + " of its "
              + (f.directed ? complete : complete / 2)
              + " edges (load it in blocksparse or masked mode)");
    }
  }

  // ---- the parameter list ----

  /**
   * The parameters the header's network has, with the relational weights' lengths as stored: {@code
   * |out_v|·|in_u|} for every existing block, {@code v = u} or an arc {@code u → v}.
   */
  private static Map<String, Long> packedLengths(MlpSpec spec, int width, int n, long[] arcs) {
    Map<String, Long> lengths = new LinkedHashMap<>(RelationalMlp.stateLengths(spec, width));
    ChannelPartition wide = ChannelPartition.of(width, n, spec.partitionSeed());
    ChannelPartition stem = ChannelPartition.of(spec.stemWidth(), n, spec.partitionSeed());
    long first = blockWeights(wide, stem, arcs);
    long rest = blockWeights(wide, wide, arcs);
    for (int i = 0; i < spec.relationalLayers(); i++) {
      lengths.put("relational" + i + ".weight", i == 0 ? first : rest);
    }
    return lengths;
  }

  private static long blockWeights(ChannelPartition out, ChannelPartition in, long[] arcs) {
    long total = 0;
    for (int v = 0; v < out.nodes(); v++) {
      total += (long) out.size(v) * in.size(v);
    }
    for (long a : arcs) {
      int u = (int) (a >>> 32);
      int v = (int) a;
      total += (long) out.size(v) * in.size(u);
    }
    return total;
  }

  /**
   * Checks the header's list against {@code expected}; returns the number of values. {@code
   * network} says what the network is, {@code why} which header fields make a parameter's length.
   */
  private long checkParameters(
      Fields f,
      Map<String, Long> expected,
      String network,
      java.util.function.Function<String, String> why) {
    Set<String> seen = new HashSet<>();
    long total = 0;
    for (int i = 0; i < f.parameters.size(); i++) {
      Listed p = f.parameters.get(i);
      String field = "parameters[" + i + "]";
      Long want = expected.get(p.name());
      if (want == null) {
        throw header(
            field
                + ".name = "
                + quote(p.name())
                + " is not a parameter of this network ("
                + network
                + ")");
      }
      if (!seen.add(p.name())) {
        throw header(field + ".name = " + quote(p.name()) + " appears twice");
      }
      if (p.length() != want) {
        throw header(
            field
                + " ("
                + p.name()
                + ") has length "
                + p.length()
                + ", but the network the header describes needs "
                + want
                + " ("
                + why.apply(p.name())
                + ")");
      }
      total += p.length();
    }
    for (String n : expected.keySet()) {
      if (!seen.contains(n)) {
        throw header("parameters lacks " + n);
      }
    }
    return total;
  }

  private static String describe(String parameter, Fields f) {
    if (parameter.startsWith("stem.")) {
      return "spec.stem_width = " + f.stemWidth + ", spec.input_size = " + f.inputSize;
    }
    if (parameter.startsWith("head.")) {
      return "spec.classes = " + f.classes + ", width = " + f.width;
    }
    if (parameter.endsWith(".weight")) {
      return String.format(
          Locale.ROOT,
          "width = %d, spec.stem_width = %d, graph.nodes = %d, %d graph.edges,"
              + " spec.partition_seed = %d",
          f.width,
          f.stemWidth,
          f.nodes,
          f.edgeCount,
          f.partitionSeed);
    }
    return "width = " + f.width;
  }

  // ---- memory ----

  /**
   * Refuses a network whose loading needs more memory than this JVM may use: on the heap the stored
   * values, every relational layer's dense weights and one dense mask, and the graph's adjacency
   * bitsets; natively each parameter's value, gradient and momentum (and in masked mode the mask
   * and a scratch matrix per relational layer).
   */
  private void checkMemory(MlpSpec spec, Fields f, ExecutionMode mode, long values) {
    long w = f.width;
    long s = f.stemWidth;
    long firstDense = w * s;
    long restDense = w * w;
    long layers = spec.relationalLayers();
    long dense = firstDense + (layers - 1) * restDense;
    long bitsets = 8L * f.nodes * RelationalGraph.wordsPerRow(f.nodes);
    long heap = 4 * (values + dense + Math.max(firstDense, restDense)) + bitsets;
    long stored = mode == ExecutionMode.BLOCKSPARSE ? values : values + dense;
    long nativeBytes = 4 * (3 * stored + (mode == ExecutionMode.MASKED ? 2 * dense : 0));
    Optional<String> why = MemoryLimits.shortfall(heap, nativeBytes);
    if (why.isPresent()) {
      throw fail(
          "loading the network its header describes (width "
              + w
              + ", stem width "
              + s
              + ", "
              + layers
              + " relational layers, "
              + f.nodes
              + " nodes) needs "
              + why.get()
              + "; if the file is genuine, give the JVM more (e.g. RELGRAPH_JAVA_OPTS=-Xmx32g)");
    }
  }

  // ---- the body ----

  /** Reads every parameter's values, then checks the checksum of the whole file. */
  private Map<String, float[]> body(
      SeekableByteChannel ch, long start, List<Listed> list, CRC32 crc) throws IOException {
    Map<String, float[]> out = new LinkedHashMap<>();
    long pos = start;
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (Listed p : list) {
      float[] v = new float[p.length()];
      int done = 0;
      while (done < v.length) {
        int bytes = (int) Math.min(buf.capacity(), 4L * (v.length - done));
        buf.clear().limit(bytes);
        readFully(ch, buf, pos);
        pos += bytes;
        crc.update(buf.array(), 0, bytes);
        buf.flip();
        buf.asFloatBuffer().get(v, done, bytes / 4);
        done += bytes / 4;
      }
      out.put(p.name(), v);
    }
    ByteBuffer stored = ByteBuffer.allocate(4);
    readFully(ch, stored, pos);
    if (stored.getInt(0) != (int) crc.getValue()) {
      throw fail("checksum mismatch (file truncated or corrupted)");
    }
    return out;
  }

  private byte[] read(SeekableByteChannel ch, long pos, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    readFully(ch, b, pos);
    return b.array();
  }

  private void readFully(SeekableByteChannel ch, ByteBuffer b, long pos) throws IOException {
    ch.position(pos);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw fail("truncated: the file ended while it was read");
      }
    }
  }

  // ---- the network ----

  private static RelationalGraph graph(Fields f) {
    RelationalGraph.Builder gb = RelationalGraph.builder(f.nodes, f.directed);
    for (int i = 0; i < f.edgeCount; i++) {
      gb.addEdge((int) (f.edges[i] >>> 32), (int) f.edges[i]);
    }
    return gb.build();
  }

  private ModelFile.Loaded build(
      Backend backend, MlpSpec spec, Fields f, ExecutionMode mode, Map<String, float[]> data) {
    RelationalGraph graph = graph(f);
    RelationalMlp net;
    try {
      net = RelationalMlp.zeros(backend, spec, graph, f.width, mode);
    } catch (IllegalArgumentException e) {
      throw fail(e.getMessage());
    }
    try {
      Map<String, float[]> state = new LinkedHashMap<>();
      for (Map.Entry<String, float[]> e : data.entrySet()) {
        state.put(e.getKey(), ModelFile.unpack(net, e.getKey(), e.getValue(), name));
      }
      net.load(state);
      return new ModelFile.Loaded(net, f.info);
    } catch (RuntimeException | Error e) {
      net.close();
      throw e;
    }
  }

  // ---- a convolutional network (format 2) ----

  /**
   * The checks of format 1 for a convolutional network's header: its fields against each other (the
   * layout they describe, the graph's nodes against the narrowest relational layer, the edges,
   * dense mode, every layer's size), the parameter list against that network, the file's length,
   * the memory, the checksum; then the network is built and filled.
   */
  private ModelFile.LoadedConv readConv(
      SeekableByteChannel ch,
      long size,
      long bodyStart,
      Fields f,
      Backend backend,
      ExecutionMode override,
      CRC32 crc)
      throws IOException {
    ConvNet layout = checkConvFields(f);
    ExecutionMode mode = override != null ? override : f.mode;
    long[] arcs = arcs(f);
    checkDense(f, mode, arcs);
    Map<String, Long> dense = RelationalConvNet.stateLengths(layout);
    Map<String, ConvOp> relational = ModelFile.relationalWeights(layout);
    Map<String, Long> packed = convPackedLengths(layout, dense, relational, f.nodes, arcs);
    long values =
        checkParameters(
            f, packed, f.model + " at stage widths " + f.stageWidths, p -> convDescribe(p, f));
    checkLength(size, bodyStart, values);
    checkConvMemory(f, mode, dense, packed, relational, values);
    Map<String, float[]> data = body(ch, bodyStart, f.parameters, crc);
    RelationalGraph graph = graph(f);
    Network net;
    try {
      net = RelationalConvNet.create(backend, layout, graph, mode, 0);
    } catch (IllegalArgumentException e) {
      throw fail(e.getMessage());
    }
    try {
      Map<String, float[]> state = new LinkedHashMap<>();
      for (Map.Entry<String, float[]> e : data.entrySet()) {
        ConvOp op = relational.get(e.getKey());
        state.put(
            e.getKey(),
            op == null
                ? e.getValue()
                : ModelFile.unpack(
                    ModelFile.convMask(layout, graph, op), e.getKey(), e.getValue(), name));
      }
      net.load(state);
      return new ModelFile.LoadedConv(new ConvModel(layout, graph, mode, net), f.info);
    } catch (RuntimeException | Error e) {
      net.close();
      throw e;
    }
  }

  /** The header's fields against each other; returns the layout they describe. */
  private ConvNet checkConvFields(Fields f) {
    require(f.model, "model");
    require(f.inputChannels, "input_channels");
    require(f.resolution, "resolution");
    require(f.classes, "classes");
    require(f.stemWidth, "stem_width");
    require(f.blocks, "blocks_per_stage");
    require(f.stageWidths, "stage_widths");
    require(f.partitionSeed, "partition_seed");
    require(f.mode, "mode");
    require(f.graph ? true : null, "graph");
    requireGraphAndParameters(f);
    if (!RelationalConvNet.BUILT.contains(f.model)) {
      throw header(
          "model = "
              + quote(f.model)
              + ": expected one of the models relgraph builds ("
              + String.join(", ", RelationalConvNet.BUILT)
              + ")");
    }
    int stages = ConvNetSpec.named(f.model).stageWidths().size();
    if (f.blocks.size() != stages) {
      throw header(
          "blocks_per_stage lists " + f.blocks.size() + " stages; " + f.model + " has " + stages);
    }
    if (f.stageWidths.size() != stages) {
      throw header(
          "stage_widths lists " + f.stageWidths.size() + " stages; " + f.model + " has " + stages);
    }
    ConvNet layout;
    try {
      layout =
          ModelFile.convLayout(
              f.model,
              f.inputChannels,
              f.classes,
              f.stemWidth,
              f.blocks,
              f.stageWidths,
              f.resolution,
              f.partitionSeed);
    } catch (IllegalArgumentException e) {
      throw header(e.getMessage());
    }
    if (f.nodes > layout.maxNodes()) {
      throw header(
          "graph.nodes = "
              + f.nodes
              + " is more than the "
              + layout.maxNodes()
              + " channels of the narrowest relational layer (stem_width = "
              + f.stemWidth
              + ", stage_widths = "
              + f.stageWidths
              + "; every node needs a channel)");
    }
    checkEdges(f);
    for (ConvOp op : layout.ops()) {
      if (op.isConv() || op.kind() == ConvOp.Kind.DENSE) {
        long rows = op.outChannels();
        long cols = (long) op.inChannels() * op.kernel() * op.kernel();
        if (rows * cols > MemoryLimits.MAX_TENSOR_VALUES) {
          throw header(
              "stage_widths = "
                  + f.stageWidths
                  + ": layer "
                  + op.name()
                  + "'s weights would be "
                  + rows
                  + " × "
                  + cols
                  + ", more than 2^31 - 9 values");
        }
      }
    }
    return layout;
  }

  /** {@code dense} with each relational convolution's weight at its stored (packed) length. */
  private static Map<String, Long> convPackedLengths(
      ConvNet layout, Map<String, Long> dense, Map<String, ConvOp> relational, int n, long[] arcs) {
    Map<String, Long> lengths = new LinkedHashMap<>(dense);
    // stages share their channel counts: one pass over the arcs per distinct pair
    Map<List<Integer>, Long> blocks = new java.util.HashMap<>();
    ConvNetSpec spec = layout.spec();
    for (Map.Entry<String, ConvOp> e : relational.entrySet()) {
      ConvOp op = e.getValue();
      long perPair =
          blocks.computeIfAbsent(
              List.of(op.outChannels(), op.inChannels()),
              k ->
                  blockWeights(
                      spec.partition(op.outChannels(), n),
                      spec.partition(op.inChannels(), n),
                      arcs));
      lengths.put(e.getKey(), perPair * op.kernel() * op.kernel());
    }
    return lengths;
  }

  private static String convDescribe(String parameter, Fields f) {
    String shape =
        "model "
            + f.model
            + ", input_channels = "
            + f.inputChannels
            + ", stem_width = "
            + f.stemWidth
            + ", stage_widths = "
            + f.stageWidths
            + ", classes = "
            + f.classes;
    if (parameter.startsWith("s") && parameter.endsWith(".weight")) {
      return String.format(
          Locale.ROOT,
          "%s, graph.nodes = %d, %d graph.edges, partition_seed = %d",
          shape,
          f.nodes,
          f.edgeCount,
          f.partitionSeed);
    }
    return shape;
  }

  /**
   * As {@link #checkMemory} for a convolutional network: on the heap the stored values, every
   * parameter's dense form and one mask; natively each parameter's value, gradient and momentum
   * (and in masked mode a mask and a scratch matrix per relational convolution).
   */
  private void checkConvMemory(
      Fields f,
      ExecutionMode mode,
      Map<String, Long> dense,
      Map<String, Long> packed,
      Map<String, ConvOp> relational,
      long values) {
    long denseTotal = 0;
    long relationalDense = 0;
    long relationalPacked = 0;
    long widest = 0;
    for (Map.Entry<String, Long> e : dense.entrySet()) {
      denseTotal += e.getValue();
      if (relational.containsKey(e.getKey())) {
        relationalDense += e.getValue();
        relationalPacked += packed.get(e.getKey());
        widest = Math.max(widest, e.getValue());
      }
    }
    long bitsets = 8L * f.nodes * RelationalGraph.wordsPerRow(f.nodes);
    long heap = 4 * (values + denseTotal + widest) + bitsets;
    long stored =
        mode == ExecutionMode.BLOCKSPARSE ? values : values - relationalPacked + relationalDense;
    long nativeBytes = 4 * (3 * stored + (mode == ExecutionMode.MASKED ? 2 * relationalDense : 0));
    Optional<String> why = MemoryLimits.shortfall(heap, nativeBytes);
    if (why.isPresent()) {
      throw fail(
          "loading the network its header describes ("
              + f.model
              + ", stage widths "
              + f.stageWidths
              + ", blocks per stage "
              + f.blocks
              + ", "
              + f.nodes
              + " nodes) needs "
              + why.get()
              + "; if the file is genuine, give the JVM more (e.g. RELGRAPH_JAVA_OPTS=-Xmx32g)");
    }
  }
}
