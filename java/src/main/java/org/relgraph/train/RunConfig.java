package org.relgraph.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;

/**
 * Everything that describes one training run, in one value that travels: the data set and where it
 * lies, the model's name, the graph, the execution mode, the backend and its threads, the width
 * rule, the stem width and the recipe (epochs and training seed included). The {@code train}
 * command, the sweep's configuration key and trainer, and a worker on another machine all derive
 * what they need from it.
 *
 * <p>Keys. {@link #configKey()} names every option that changes the trained numbers, in a fixed
 * order; a sweep stores its runs under {@code <graph key>|seed=<seed>|<configKey>} and resumes by
 * these bytes, so they never change (docs/sweeps.md): the graph and the training seed stay out of
 * it (they are the run key's other parts), and so do the data's location, the backend and its
 * threads, which change where and how fast a run trains. {@link #recipeKey()} is the recipe's part
 * alone, the {@code config} field of {@code train --json}.
 *
 * <p>Wire form. A remote worker gets the run as {@link #toJson()}: one line of JSON with a {@code
 * format} number ({@value #FORMAT}), every field by name, numbers as the shortest decimals that
 * read back the same; {@code network} only for a convolutional network (absent, it is the MLP). It
 * is read back by {@link #fromJson}, which refuses another format, a missing or unknown field and
 * invalid values. Text rather than Java serialisation, so that it does not depend on the classes'
 * layout, reads in a log, and crosses to other languages.
 *
 * @param trainer {@code null} for the real trainer; a test trainer's name (the sweep's {@code
 *     fake})
 * @param dataset the data set's name, as {@link Datasets#load} takes it (e.g. {@code
 *     fashion-mnist})
 * @param dataDir the data set's directory; {@code null} for its default
 * @param model the name the runs are recorded under, e.g. {@code mlp-fashion-mnist}: letters,
 *     digits, {@code .}, {@code _} and {@code -}
 * @param graph the graph, as {@link org.relgraph.graph.GraphSpec#parse} reads it; {@code null} for
 *     a sweep's configuration, whose runs each name their graph ({@link #forRun})
 * @param mode how the relational layers run
 * @param backend the backend's name, as {@code relgraph backends} lists it (e.g. {@code cpu})
 * @param threads the backend's threads, at least 1
 * @param width the relational width: {@link TrainingRun#MATCH}, {@link TrainingRun#NO_MATCH} or a
 *     width of at least 1
 * @param stemWidth the stem's width ({@link MlpSpec#DEFAULT_STEM_WIDTH} in the paper)
 * @param recipe the training recipe, with the training seed
 * @param network the network trained: {@code mlp} (the paper's MLP) or a convolutional model that
 *     {@link RelationalConvNet} builds ({@code cnn}, {@code resnet20}); for these {@code width} is
 *     the widest stage's channels and {@code stemWidth} stays the MLP's default
 */
public record RunConfig(
    String trainer,
    String dataset,
    String dataDir,
    String model,
    String graph,
    ExecutionMode mode,
    String backend,
    int threads,
    int width,
    int stemWidth,
    TrainConfig recipe,
    String network) {
  /** The version of {@link #toJson()}'s form. */
  public static final int FORMAT = 1;

  /** The MLP's {@link #network} name, the default. */
  public static final String MLP = "mlp";

  /** The networks there are: {@value #MLP} and {@link RelationalConvNet#BUILT}. */
  public static final List<String> NETWORKS =
      java.util.stream.Stream.concat(
              java.util.stream.Stream.of(MLP), RelationalConvNet.BUILT.stream())
          .toList();

  private static final Set<String> FIELDS =
      Set.of(
          "format",
          "trainer",
          "dataset",
          "data_dir",
          "model",
          "graph",
          "mode",
          "backend",
          "threads",
          "width",
          "stem_width",
          "epochs",
          "batch",
          "lr",
          "momentum",
          "weight_decay",
          "nesterov",
          "seed",
          "eval_batch",
          "network");

  /** Validates. */
  public RunConfig {
    if (trainer != null && !trainer.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("trainer name '" + trainer + "' is not a plain name");
    }
    if (dataset == null || dataset.isBlank()) {
      throw new IllegalArgumentException("no data set named");
    }
    checkModelName(model);
    if (graph != null && graph.isBlank()) {
      throw new IllegalArgumentException("empty graph spec");
    }
    Objects.requireNonNull(mode, "mode");
    if (backend == null || backend.isBlank()) {
      throw new IllegalArgumentException("no backend named");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads = " + threads + " must be >= 1");
    }
    if (width < TrainingRun.NO_MATCH) {
      throw new IllegalArgumentException("width = " + width + " must be >= 1 (or match, or stem)");
    }
    if (stemWidth < 1 || stemWidth > MlpSpec.MAX_STEM_WIDTH) {
      throw new IllegalArgumentException(
          "stem width = " + stemWidth + " outside [1, " + MlpSpec.MAX_STEM_WIDTH + "]");
    }
    Objects.requireNonNull(recipe, "recipe");
    checkNetwork(network);
    if (!MLP.equals(network) && stemWidth != MlpSpec.DEFAULT_STEM_WIDTH) {
      throw new IllegalArgumentException(
          "the stem width is the MLP's; " + network + " keeps the paper's stem");
    }
  }

  /** A run of the paper's MLP ({@link #network} {@value #MLP}). */
  public RunConfig(
      String trainer,
      String dataset,
      String dataDir,
      String model,
      String graph,
      ExecutionMode mode,
      String backend,
      int threads,
      int width,
      int stemWidth,
      TrainConfig recipe) {
    this(
        trainer, dataset, dataDir, model, graph, mode, backend, threads, width, stemWidth, recipe,
        MLP);
  }

  /**
   * Checks a network's name ({@link #NETWORKS}).
   *
   * @throws IllegalArgumentException naming the networks there are
   */
  public static void checkNetwork(String network) {
    if (!NETWORKS.contains(network)) {
      throw new IllegalArgumentException(
          "unknown model '" + network + "': there are " + String.join(", ", NETWORKS));
    }
  }

  /** Whether the network is a convolutional one ({@link #convTrainingRun}). */
  public boolean convolutional() {
    return !MLP.equals(network);
  }

  /**
   * Checks a model name: letters, digits, {@code .}, {@code _} and {@code -}.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static void checkModelName(String model) {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("no model named");
    }
    if (!model.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "model name '" + model + "' may use only letters, digits, '.', '_' and '-'");
    }
  }

  /**
   * A test trainer's run (the sweep's hidden {@code --trainer}): only the trainer, the model and
   * the epochs count; it reads no data (data set {@code none}), and the rest is the paper's.
   */
  public static RunConfig testTrainer(String trainer, String model, int epochs) {
    Objects.requireNonNull(trainer, "trainer");
    return new RunConfig(
        trainer,
        "none",
        null,
        model,
        null,
        ExecutionMode.BLOCKSPARSE,
        trainer,
        1,
        TrainingRun.MATCH,
        MlpSpec.DEFAULT_STEM_WIDTH,
        TrainConfig.paper(epochs, 0));
  }

  /** This configuration for one run: over {@code graphSpec}, with training seed {@code seed}. */
  public RunConfig forRun(String graphSpec, long seed) {
    return new RunConfig(
        trainer,
        dataset,
        dataDir,
        model,
        graphSpec,
        mode,
        backend,
        threads,
        width,
        stemWidth,
        recipe.withSeed(seed),
        network);
  }

  /** A copy with another backend and thread count (they change no key). */
  public RunConfig withBackend(String name, int threadCount) {
    return new RunConfig(
        trainer,
        dataset,
        dataDir,
        model,
        graph,
        mode,
        name,
        threadCount,
        width,
        stemWidth,
        recipe,
        network);
  }

  /** The epochs of the recipe. */
  public int epochs() {
    return recipe.epochs();
  }

  /** The training seed of the recipe. */
  public long seed() {
    return recipe.seed();
  }

  /**
   * The configuration key: {@code name=value} pairs joined by {@code ;}. The real trainer's is
   * {@code model=M;[network=NET;]dataset=D;mode=MODE;width=matched|stem|W;[stem_width=S;]} then the
   * recipe's pairs ({@link #recipeKey()}); the network appears only when it is not the MLP, and the
   * stem width only when it is not the paper's 512, so that databases written before they could
   * change resume under the same keys. A test trainer's is {@code trainer=T;model=M;epochs=E}, so
   * that its rows never pass for real ones.
   */
  public String configKey() {
    List<String> parts = new ArrayList<>();
    if (trainer != null) {
      parts.add("trainer=" + trainer);
      parts.add("model=" + model);
      parts.add("epochs=" + recipe.epochs());
      return String.join(";", parts);
    }
    parts.add("model=" + model);
    if (convolutional()) {
      parts.add("network=" + network);
    }
    parts.add("dataset=" + dataset);
    parts.add("mode=" + mode.label());
    parts.add("width=" + widthKey());
    if (stemWidth != MlpSpec.DEFAULT_STEM_WIDTH) {
      parts.add("stem_width=" + stemWidth);
    }
    parts.addAll(recipeParts());
    return String.join(";", parts);
  }

  /**
   * The recipe's pairs joined by {@code ,}: {@code
   * epochs=10,batch=128,lr=0.1,momentum=0.9,wd=5.0E-4,nesterov=true,schedule=cosine} (floats as
   * {@link Float#toString} writes them).
   */
  public String recipeKey() {
    return String.join(",", recipeParts());
  }

  private List<String> recipeParts() {
    return List.of(
        "epochs=" + recipe.epochs(),
        "batch=" + recipe.batchSize(),
        "lr=" + Float.toString(recipe.learningRate()),
        "momentum=" + Float.toString(recipe.momentum()),
        "wd=" + Float.toString(recipe.weightDecay()),
        "nesterov=" + recipe.nesterov(),
        "schedule=cosine");
  }

  private String widthKey() {
    return switch (width) {
      case TrainingRun.MATCH -> "matched";
      case TrainingRun.NO_MATCH -> "stem";
      default -> Integer.toString(width);
    };
  }

  /** The data set, loaded from {@link #dataDir} (or its default place). */
  public Dataset loadData() {
    return Datasets.load(dataset, dataDir == null ? null : Path.of(dataDir));
  }

  /** The training run of this configuration over {@code g} (the graph {@link #graph} names). */
  public TrainingRun trainingRun(RelationalGraph g, Dataset data) {
    if (convolutional()) {
      throw new IllegalStateException(network + " is not the MLP: use convTrainingRun");
    }
    return new TrainingRun(g, data, mode, width, recipe, stemWidth);
  }

  /** The training run of this convolutional configuration over {@code g}. */
  public ConvTrainingRun convTrainingRun(RelationalGraph g, Dataset data) {
    if (!convolutional()) {
      throw new IllegalStateException("the MLP is not convolutional: use trainingRun");
    }
    return new ConvTrainingRun(network, g, data, mode, width, recipe);
  }

  /** The wire form: one line of JSON (see the class comment). */
  public String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("format", FORMAT);
    o.addProperty("trainer", trainer);
    o.addProperty("dataset", dataset);
    o.addProperty("data_dir", dataDir);
    o.addProperty("model", model);
    o.addProperty("graph", graph);
    o.addProperty("mode", mode.label());
    o.addProperty("backend", backend);
    o.addProperty("threads", threads);
    o.addProperty("width", width);
    o.addProperty("stem_width", stemWidth);
    o.addProperty("epochs", recipe.epochs());
    o.addProperty("batch", recipe.batchSize());
    o.addProperty("lr", recipe.learningRate());
    o.addProperty("momentum", recipe.momentum());
    o.addProperty("weight_decay", recipe.weightDecay());
    o.addProperty("nesterov", recipe.nesterov());
    o.addProperty("seed", recipe.seed());
    o.addProperty("eval_batch", recipe.evalBatchSize());
    if (convolutional()) {
      o.addProperty("network", network); // absent for the MLP: its form stays what it was
    }
    return new GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(o);
  }

  /** {@link #toJson()} as UTF-8 bytes. */
  public byte[] toBytes() {
    return toJson().getBytes(StandardCharsets.UTF_8);
  }

  /** Reads {@link #toBytes()}. */
  public static RunConfig fromBytes(byte[] bytes) {
    return fromJson(new String(bytes, StandardCharsets.UTF_8));
  }

  /**
   * Reads {@link #toJson()}'s form.
   *
   * @throws IllegalArgumentException for malformed JSON, another format, a missing or unknown
   *     field, or an invalid value
   */
  public static RunConfig fromJson(String json) {
    JsonObject o;
    try {
      JsonElement e = JsonParser.parseString(json);
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException("run configuration: not a JSON object");
      }
      o = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("run configuration: malformed JSON: " + e.getMessage());
    }
    for (String key : o.keySet()) {
      if (!FIELDS.contains(key)) {
        throw new IllegalArgumentException("run configuration: unknown field '" + key + "'");
      }
    }
    long format = longValue(o, "format");
    if (format != FORMAT) {
      throw new IllegalArgumentException(
          "run configuration: format " + format + ", this relgraph reads format " + FORMAT);
    }
    TrainConfig recipe =
        new TrainConfig(
            intValue(o, "epochs"),
            intValue(o, "batch"),
            number(o, "lr").floatValue(),
            number(o, "momentum").floatValue(),
            number(o, "weight_decay").floatValue(),
            bool(o, "nesterov"),
            longValue(o, "seed"),
            intValue(o, "eval_batch"));
    return new RunConfig(
        string(o, "trainer", true),
        string(o, "dataset", false),
        string(o, "data_dir", true),
        string(o, "model", false),
        string(o, "graph", true),
        ExecutionMode.parse(string(o, "mode", false)),
        string(o, "backend", false),
        intValue(o, "threads"),
        intValue(o, "width"),
        intValue(o, "stem_width"),
        recipe,
        o.has("network") ? string(o, "network", false) : MLP);
  }

  private static JsonPrimitive field(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (e == null) {
      throw new IllegalArgumentException("run configuration: no field '" + key + "'");
    }
    if (e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonPrimitive()) {
      throw new IllegalArgumentException("run configuration: field '" + key + "' is not a value");
    }
    return e.getAsJsonPrimitive();
  }

  private static String string(JsonObject o, String key, boolean nullable) {
    JsonPrimitive p = field(o, key);
    if (p == null && nullable) {
      return null;
    }
    if (p == null || !p.isString()) {
      throw new IllegalArgumentException("run configuration: field '" + key + "' is not a string");
    }
    return p.getAsString();
  }

  private static Number number(JsonObject o, String key) {
    JsonPrimitive p = field(o, key);
    if (p == null || !p.isNumber()) {
      throw new IllegalArgumentException("run configuration: field '" + key + "' is not a number");
    }
    return p.getAsNumber();
  }

  private static int intValue(JsonObject o, String key) {
    long v = longValue(o, key);
    if (v != (int) v) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "run configuration: field '%s' = %d is not an int", key, v));
    }
    return (int) v;
  }

  private static long longValue(JsonObject o, String key) {
    Number n = number(o, key);
    try {
      return new BigDecimal(n.toString()).longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT, "run configuration: field '%s' = %s is not an integer", key, n));
    }
  }

  private static boolean bool(JsonObject o, String key) {
    JsonPrimitive p = field(o, key);
    if (p == null || !p.isBoolean()) {
      throw new IllegalArgumentException("run configuration: field '" + key + "' is not a boolean");
    }
    return p.getAsBoolean();
  }
}
