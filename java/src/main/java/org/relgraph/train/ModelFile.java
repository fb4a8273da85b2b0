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
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.relgraph.engine.Backend;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.engine.ConvGeometry;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.io.OutputFiles;
import org.relgraph.model.ChannelPartition;
import org.relgraph.model.ConvNet;
import org.relgraph.model.ConvNetSpec;
import org.relgraph.model.ConvOp;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;

/**
 * The trained-model file (documented in docs/model-format.md). A relational MLP is written in
 * format 1:
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
 * A relational convolutional network ({@link ConvModel}) is written in format 2: the line {@code
 * relgraph-model 2} (which older relgraphs refuse as newer), then the same layout, its header
 * describing the network by {@code model} (a preset of {@link RelationalConvNet#BUILT}), {@code
 * input_channels}, {@code resolution}, {@code classes}, {@code stem_width}, {@code
 * blocks_per_stage}, {@code stage_widths} and {@code partition_seed}; convolution weights are
 * {@code out × in·K²} (PyTorch's order), relational ones packed to their blocks.
 *
 * <p>Any mode can load a model saved by any other (dense mode needs the complete graph).
 */
public final class ModelFile {
  private ModelFile() {}

  /** The first line of a relational MLP's file (format 1). */
  public static final String MAGIC = "relgraph-model 1";

  /** The first line of a relational convolutional network's file (format 2). */
  public static final String CONV_MAGIC = "relgraph-model 2";

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  /**
   * A model read from a file, with the free-form information saved with it: a relational MLP
   * ({@link Loaded}, format 1) or a relational convolutional network ({@link LoadedConv}, format
   * 2). Closing it closes the network.
   */
  public sealed interface Model extends AutoCloseable permits Loaded, LoadedConv {
    /** The free-form information saved with the model ({@code train}'s summary). */
    JsonObject info();

    @Override
    void close();
  }

  /** A loaded relational MLP and the free-form information saved with it. */
  public record Loaded(RelationalMlp net, JsonObject info) implements Model {
    @Override
    public void close() {
      net.close();
    }
  }

  /** A loaded relational convolutional network and the free-form information saved with it. */
  public record LoadedConv(ConvModel model, JsonObject info) implements Model {
    @Override
    public void close() {
      model.close();
    }
  }

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
    header.add("graph", graph(net.graph()));
    write(file, MAGIC, header, packed, info);
  }

  /**
   * Writes a relational convolutional network to {@code file} in format 2, as {@link
   * #save(RelationalMlp, Path, JsonObject)} writes the MLP.
   *
   * @throws IllegalArgumentException for a network that is not one of {@link
   *     RelationalConvNet#BUILT} as {@link ConvNetSpec#named} lays it out (other stem kernels,
   *     strides or blocks could not be rebuilt from the header)
   */
  public static void save(ConvModel model, Path file, JsonObject info) throws IOException {
    ConvNet layout = model.layout();
    ConvNetSpec s = layout.spec();
    ConvNet rebuilt;
    try {
      rebuilt =
          convLayout(
              s.name(),
              s.inputChannels(),
              s.classes(),
              s.stem().channels(),
              s.blocksPerStage(),
              layout.stageWidths(),
              layout.resolution(),
              s.partitionSeed());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot save " + s.name() + ": " + e.getMessage(), e);
    }
    if (!rebuilt.ops().equals(layout.ops())) {
      throw new IllegalArgumentException(
          "cannot save "
              + s.name()
              + ": its layout differs from the preset's at these widths (stem kernel, strides or"
              + " blocks changed), so a model file could not rebuild it");
    }
    Map<String, ConvOp> relational = relationalWeights(layout);
    Map<String, float[]> packed = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : model.network().state().entrySet()) {
      ConvOp op = relational.get(e.getKey());
      packed.put(
          e.getKey(),
          op == null ? e.getValue() : pack(convMask(layout, model.graph(), op), e.getValue()));
    }
    JsonObject header = new JsonObject();
    header.addProperty("model", s.name());
    header.addProperty("input_channels", s.inputChannels());
    header.addProperty("resolution", layout.resolution());
    header.addProperty("classes", s.classes());
    header.addProperty("stem_width", s.stem().channels());
    header.add("blocks_per_stage", ints(s.blocksPerStage()));
    header.add("stage_widths", ints(layout.stageWidths()));
    header.addProperty("partition_seed", s.partitionSeed());
    header.addProperty("mode", model.mode().label());
    header.add("graph", graph(model.graph()));
    write(file, CONV_MAGIC, header, packed, info);
  }

  private static JsonArray ints(List<Integer> values) {
    JsonArray a = new JsonArray();
    values.forEach(a::add);
    return a;
  }

  private static JsonObject graph(RelationalGraph g) {
    JsonObject graph = new JsonObject();
    graph.addProperty("nodes", g.nodeCount());
    graph.addProperty("directed", g.isDirected());
    JsonArray edges = new JsonArray();
    for (int[] e : g.edges()) {
      JsonArray pair = new JsonArray();
      pair.add(e[0]);
      pair.add(e[1]);
      edges.add(pair);
    }
    graph.add("edges", edges);
    return graph;
  }

  /** Adds the parameter list and {@code info} to {@code header}, then writes the whole file. */
  private static void write(
      Path file, String magic, JsonObject header, Map<String, float[]> packed, JsonObject info)
      throws IOException {
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
    out.write((magic + "\n" + GSON.toJson(header) + "\n").getBytes(StandardCharsets.UTF_8));
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
   * The layout a format-2 header describes: the preset {@code model} ({@link
   * RelationalConvNet#BUILT}) for {@code inputChannels} and {@code classes}, with {@code stemWidth}
   * stem channels, {@code blocks} blocks per stage and partition seed {@code seed}, laid out at
   * {@code stageWidths} and {@code resolution}.
   *
   * @throws IllegalArgumentException for an unknown model or values out of {@link ConvNetSpec}'s
   *     ranges
   */
  static ConvNet convLayout(
      String model,
      int inputChannels,
      int classes,
      int stemWidth,
      List<Integer> blocks,
      List<Integer> stageWidths,
      int resolution,
      long seed) {
    if (!RelationalConvNet.BUILT.contains(model)) {
      throw new IllegalArgumentException(
          "model '" + model + "' is not one of " + String.join(", ", RelationalConvNet.BUILT));
    }
    ConvNetSpec p = ConvNetSpec.named(model);
    ConvNetSpec.Stem stem =
        new ConvNetSpec.Stem(p.stem().kernel(), p.stem().stride(), stemWidth, p.stem().maxPool());
    ConvNetSpec spec =
        new ConvNetSpec(
            p.name(),
            p.description(),
            stem,
            p.block(),
            blocks,
            p.stageWidths(),
            p.stageStrides(),
            p.relationalShortcut(),
            inputChannels,
            classes,
            p.resolution(),
            seed);
    return spec.at(stageWidths, resolution);
  }

  /**
   * The dense mask of a relational convolution's weight {@code name} ({@code out × in·K²}, 1 in the
   * graph's blocks), or null for any other parameter.
   */
  static float[] convMask(ConvNet layout, RelationalGraph graph, String name) {
    ConvOp op = relationalWeights(layout).get(name);
    return op == null ? null : convMask(layout, graph, op);
  }

  /** The dense mask of relational convolution {@code op}'s weight. */
  static float[] convMask(ConvNet layout, RelationalGraph graph, ConvOp op) {
    int n = graph.nodeCount();
    ConvNetSpec s = layout.spec();
    ChannelPartition out = s.partition(op.outChannels(), n);
    ChannelPartition in = s.partition(op.inChannels(), n);
    try (BlockSparseLayout l = ConvGeometry.im2colLayout(graph, out, in, op.kernel())) {
      return l.denseMask();
    }
  }

  /** The relational convolutions of {@code layout} by their weight's name. */
  static Map<String, ConvOp> relationalWeights(ConvNet layout) {
    Map<String, ConvOp> m = new LinkedHashMap<>();
    for (ConvOp op : layout.relationalLayers()) {
      m.put(op.name() + ".weight", op);
    }
    return m;
  }

  /**
   * Reads a model onto {@code backend} in {@code mode} (null: the mode it was saved in). The file
   * is checked before anything the header sizes is allocated, in the order docs/model-format.md
   * gives: a regular file; the first line; the header line (bounded) and each field's type and
   * range; the parameter list against the network the header describes; the file's length; the
   * memory needed; the checksum.
   *
   * @throws ModelFormatException naming the file (and the header field) for anything malformed, and
   *     for a convolutional network's file (format 2: {@link #loadAny} reads those)
   * @throws java.io.UncheckedIOException when the file cannot be read
   */
  public static Loaded load(Path file, Backend backend, ExecutionMode mode) {
    return (Loaded) ModelFileReader.load(file, backend, mode, false);
  }

  /**
   * Reads a model of either format onto {@code backend} in {@code mode} (null: the mode it was
   * saved in), with the checks of {@link #load}; a convolutional network's header must also
   * describe one of {@link RelationalConvNet#BUILT} that its parameter list matches.
   *
   * @throws ModelFormatException naming the file (and the header field) for anything malformed
   * @throws java.io.UncheckedIOException when the file cannot be read
   */
  public static Model loadAny(Path file, Backend backend, ExecutionMode mode) {
    return ModelFileReader.load(file, backend, mode, true);
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
    return pack(mask(net, layer), dense);
  }

  /** The values of {@code dense} where {@code m} is not zero, in order. */
  private static float[] pack(float[] m, float[] dense) {
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
    return unpack(mask(net, layer), name, packed, file);
  }

  /** The dense form of {@code packed}: its values where {@code m} is not zero, zeros elsewhere. */
  static float[] unpack(float[] m, String name, float[] packed, String file) {
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
