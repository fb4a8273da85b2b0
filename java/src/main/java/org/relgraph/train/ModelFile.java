package org.relgraph.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.relgraph.engine.Backend;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.io.OutputFiles;
import org.relgraph.model.ChannelPartition;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;

/**
 * The trained-model file (format 1, documented in docs/model-format.md):
 *
 * <ol>
 *   <li>the line {@code relgraph-model 1};
 *   <li>one line of JSON: {@code spec} (input_size, stem_width, relational_layers, classes,
 *       partition_seed), {@code width}, {@code mode}, {@code graph} ({@code nodes}, {@code
 *       directed}, {@code edges} as [u, v] pairs), {@code parameters} (each {@code name} and {@code
 *       length}, in file order) and {@code info} (free-form: dataset, graph description, results);
 *   <li>the parameters, float32 little-endian, in the listed order: linear weights row-major {@code
 *       out × in}, except relational weights, which hold only the weights whose block exists, in
 *       row-major order; BatchNorm gamma, beta, running mean and running variance;
 *   <li>a CRC-32 of everything before it, 4 bytes big-endian.
 * </ol>
 *
 * Any mode can load a model saved by any other (dense mode needs the complete graph).
 */
public final class ModelFile {
  private ModelFile() {}

  /** The first line. */
  public static final String MAGIC = "relgraph-model 1";

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  /** A loaded model and the free-form information saved with it. */
  public record Loaded(RelationalMlp net, JsonObject info) {}

  /**
   * Writes {@code net} to {@code file} through {@link OutputFiles}: a regular file is replaced
   * atomically (never half-written), a link's target is written, a device is written in place.
   */
  public static void save(RelationalMlp net, Path file, JsonObject info) throws IOException {
    Map<String, float[]> state = net.state();
    Map<String, float[]> packed = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : state.entrySet()) {
      packed.put(e.getKey(), pack(net, e.getKey(), e.getValue()));
    }
    JsonObject header = new JsonObject();
    MlpSpec s = net.spec();
    JsonObject spec = new JsonObject();
    spec.addProperty("input_size", s.inputSize());
    spec.addProperty("stem_width", s.stemWidth());
    spec.addProperty("relational_layers", s.relationalLayers());
    spec.addProperty("classes", s.classes());
    spec.addProperty("partition_seed", s.partitionSeed());
    header.add("spec", spec);
    header.addProperty("width", net.width());
    header.addProperty("mode", net.mode().label());
    JsonObject graph = new JsonObject();
    graph.addProperty("nodes", net.graph().nodeCount());
    graph.addProperty("directed", net.graph().isDirected());
    JsonArray edges = new JsonArray();
    for (int[] e : net.graph().edges()) {
      JsonArray pair = new JsonArray();
      pair.add(e[0]);
      pair.add(e[1]);
      edges.add(pair);
    }
    graph.add("edges", edges);
    header.add("graph", graph);
    JsonArray params = new JsonArray();
    for (Map.Entry<String, float[]> e : packed.entrySet()) {
      JsonObject p = new JsonObject();
      p.addProperty("name", e.getKey());
      p.addProperty("length", e.getValue().length);
      params.add(p);
    }
    header.add("parameters", params);
    header.add("info", info == null ? new JsonObject() : info);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write((MAGIC + "\n" + GSON.toJson(header) + "\n").getBytes(StandardCharsets.UTF_8));
    for (float[] v : packed.values()) {
      ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(v);
      out.write(b.array());
    }
    CRC32 crc = new CRC32();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    out.flush();
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    OutputFiles.writeBytes(file, bytes.toByteArray());
  }

  /**
   * Reads a model onto {@code backend} in {@code mode} (null: the mode it was saved in). The file
   * is checked before anything the header sizes is allocated, in the order docs/model-format.md
   * gives: a regular file; the first line; the header line (bounded) and each field's type and
   * range; the parameter list against the network the header describes; the file's length; the
   * memory needed; the checksum.
   *
   * @throws ModelFormatException naming the file (and the header field) for anything malformed
   * @throws java.io.UncheckedIOException when the file cannot be read
   */
  public static Loaded load(Path file, Backend backend, ExecutionMode mode) {
    return ModelFileReader.load(file, backend, mode);
  }

  /** The relational layer index of a parameter name, or -1. */
  private static int relationalLayer(String name) {
    if (name.startsWith("relational") && name.endsWith(".weight")) {
      return Integer.parseInt(name.substring("relational".length(), name.indexOf('.')));
    }
    return -1;
  }

  private static float[] mask(RelationalMlp net, int layer) {
    int n = net.graph().nodeCount();
    long seed = net.spec().partitionSeed();
    ChannelPartition out = ChannelPartition.of(net.width(), n, seed);
    ChannelPartition in =
        ChannelPartition.of(layer == 0 ? net.spec().stemWidth() : net.width(), n, seed);
    try (BlockSparseLayout l = BlockSparseLayout.of(net.graph(), out, in)) {
      return l.denseMask();
    }
  }

  private static float[] pack(RelationalMlp net, String name, float[] dense) {
    int layer = relationalLayer(name);
    if (layer < 0) {
      return dense;
    }
    float[] m = mask(net, layer);
    int count = 0;
    for (float v : m) {
      count += v != 0 ? 1 : 0;
    }
    float[] out = new float[count];
    int k = 0;
    for (int i = 0; i < m.length; i++) {
      if (m[i] != 0) {
        out[k++] = dense[i];
      }
    }
    return out;
  }

  /** A relational weight's dense form from its stored (packed) values; others as they are. */
  static float[] unpack(RelationalMlp net, String name, float[] packed, String file) {
    int layer = relationalLayer(name);
    if (layer < 0) {
      return packed;
    }
    float[] m = mask(net, layer);
    float[] dense = new float[m.length];
    int k = 0;
    for (int i = 0; i < m.length; i++) {
      if (m[i] != 0) {
        if (k >= packed.length) {
          throw new ModelFormatException(
              file + ": " + name + " has " + packed.length + " weights, the graph needs more");
        }
        dense[i] = packed[k++];
      }
    }
    if (k != packed.length) {
      throw new ModelFormatException(
          file + ": " + name + " has " + packed.length + " weights, the graph needs " + k);
    }
    return dense;
  }

  /** A malformed model file; the message names the file and the problem. */
  public static final class ModelFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    ModelFormatException(String message) {
      super(message);
    }
  }
}
