package org.relgraph.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.relgraph.engine.Backend;
import org.relgraph.engine.CrossEntropy;
import org.relgraph.engine.LossAccumulator;
import org.relgraph.engine.SgdSettings;
import org.relgraph.engine.TensorFactory;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ChannelPartition;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.BatchNormRelu;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Layer;
import org.relgraph.nn.Linear;
import org.relgraph.nn.Network;

/**
 * The paper's relational MLP, built as a {@link Network}: dense stem with BatchNorm and ReLU, R
 * relational layers over one graph (each with BatchNorm and ReLU), dense head with bias. The
 * relational layers run in one {@link ExecutionMode}; every mode computes the same function of the
 * same weights. This class is the network's builder and keeps what describes it (spec, graph,
 * width, mode) for model files; training and evaluation are the network's ({@link #network()}).
 *
 * <p>Layers and parameter names, in order: {@code stem} ({@code stem.weight}), {@code stem.bn},
 * {@code relationalI} ({@code relationalI.weight}), {@code relationalI.bn}, ..., {@code head}
 * ({@code head.weight}, {@code head.bias}). Activations are feature-major ({@code channels ×
 * batch}). Not thread-safe. Close it to free native memory.
 */
public final class RelationalMlp implements AutoCloseable {
  /** Standard deviation of the initial linear weights (the paper's code: N(0, 0.01)). */
  public static final double INIT_STD = 0.01;

  private final MlpSpec spec;
  private final RelationalGraph graph;
  private final int width;
  private final ExecutionMode mode;
  private final Network network;

  private RelationalMlp(
      Backend backend, MlpSpec spec, RelationalGraph graph, int width, ExecutionMode mode) {
    this.spec = spec;
    this.graph = graph;
    this.width = width;
    this.mode = mode;
    int n = graph.nodeCount();
    spec.checkFits(n);
    if (width < n) {
      throw new IllegalArgumentException(
          "width = " + width + " fewer than the graph's " + n + " nodes");
    }
    if (mode == ExecutionMode.DENSE && !graph.isComplete()) {
      throw new IllegalArgumentException(
          "mode dense runs the complete graph only; use blocksparse or masked for this graph");
    }
    long widest = (long) Math.max(width, spec.stemWidth()) * Math.max(width, spec.inputSize());
    if (widest > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "width = "
              + width
              + " too large: a layer's dense weight matrix (initialisation, model files) would"
              + " exceed 2^31 values");
    }
    this.network = new Network(backend, layers(backend, spec, graph, width, mode));
  }

  /** The layers of the network, in order; those built are closed if a later one fails. */
  private static List<Layer> layers(
      TensorFactory tensors, MlpSpec spec, RelationalGraph graph, int width, ExecutionMode mode) {
    int n = graph.nodeCount();
    List<Layer> layers = new ArrayList<>();
    try {
      layers.add(Linear.dense(tensors, "stem", spec.stemWidth(), spec.inputSize()));
      layers.add(new BatchNormRelu(tensors, normName(0), spec.stemWidth()));
      ChannelPartition stemPart = ChannelPartition.of(spec.stemWidth(), n, spec.partitionSeed());
      ChannelPartition widePart = ChannelPartition.of(width, n, spec.partitionSeed());
      for (int i = 0; i < spec.relationalLayers(); i++) {
        ChannelPartition in = i == 0 ? stemPart : widePart;
        layers.add(Linear.relational(tensors, "relational" + i, mode, graph, widePart, in));
        layers.add(new BatchNormRelu(tensors, normName(i + 1), width));
      }
      layers.add(Linear.denseWithBias(tensors, "head", spec.classes(), width));
      return layers;
    } catch (RuntimeException | Error e) {
      layers.forEach(Layer::close);
      throw e;
    }
  }

  /** Name of BatchNorm layer {@code i}: 0 follows the stem, i > 0 relational layer i − 1. */
  private static String normName(int i) {
    return i == 0 ? "stem.bn" : "relational" + (i - 1) + ".bn";
  }

  /**
   * A network with weights drawn from N(0, {@link #INIT_STD}²) by a generator seeded with {@code
   * seed}, in dense {@code out × in} order for every linear layer (stem, relational, head), so that
   * all modes start from the same function.
   */
  public static RelationalMlp create(
      Backend backend,
      MlpSpec spec,
      RelationalGraph graph,
      int width,
      ExecutionMode mode,
      long seed) {
    RelationalMlp net = new RelationalMlp(backend, spec, graph, width, mode);
    try {
      SplittableRandom rng = new SplittableRandom(seed);
      for (Layer layer : net.network.layers()) {
        if (layer instanceof Linear l) {
          float[] w = new float[l.outputs() * l.inputs()]; // bounded by the constructor
          for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rng.nextGaussian() * INIT_STD);
          }
          l.setDenseWeights(w);
        }
      }
      return net;
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }

  /** A network with zero weights, for callers that {@link #load} every value next. */
  static RelationalMlp zeros(
      Backend backend, MlpSpec spec, RelationalGraph graph, int width, ExecutionMode mode) {
    return new RelationalMlp(backend, spec, graph, width, mode);
  }

  /** The network: its layers, parameters, training step and evaluation. */
  public Network network() {
    return network;
  }

  /** The model's shape. */
  public MlpSpec spec() {
    return spec;
  }

  /** The relational graph. */
  public RelationalGraph graph() {
    return graph;
  }

  /** Relational width. */
  public int width() {
    return width;
  }

  /** How the relational layers run. */
  public ExecutionMode mode() {
    return mode;
  }

  /** The backend the network runs on. */
  public Backend backend() {
    return network.backend();
  }

  /**
   * One training step, the loss and correct count added into {@code totals} on the backend (see
   * {@link Network#trainStep(float[], int[], float, SgdSettings, LossAccumulator)}).
   */
  public void trainStep(
      float[] x, int[] labels, float lr, SgdSettings sgd, LossAccumulator totals) {
    network.trainStep(x, labels, lr, sgd, totals);
  }

  /** Evaluation-mode loss and correct count of a batch, added into {@code totals}. */
  public void evaluate(float[] x, int[] labels, LossAccumulator totals) {
    network.evaluate(x, labels, totals);
  }

  /** {@link Network#trainStep}. */
  public CrossEntropy trainStep(float[] x, int[] labels, float lr, SgdSettings sgd) {
    return network.trainStep(x, labels, lr, sgd);
  }

  /** {@link Network#forwardBackward}. */
  public CrossEntropy forwardBackward(float[] x, int[] labels) {
    return network.forwardBackward(x, labels);
  }

  /** {@link Network#evaluate}. */
  public CrossEntropy evaluate(float[] x, int[] labels) {
    return network.evaluate(x, labels);
  }

  /** {@link Network#logits}: {@code classes × batch} row-major. */
  public float[] logits(float[] x, int batch) {
    return network.logits(x, batch);
  }

  /**
   * The trainable values by name, as dense row-major arrays: linear weights {@code out × in} (zero
   * outside the graph's blocks), BatchNorm scale and shift, head bias; plus the BatchNorm running
   * statistics ({@code *.running_mean}, {@code *.running_var}); in {@link #stateLengths}' order.
   */
  public Map<String, float[]> state() {
    return network.state();
  }

  /**
   * Replaces values from {@link #state()}'s form. Every name must be present with the right length;
   * linear weights outside the graph's blocks are ignored.
   */
  public void load(Map<String, float[]> state) {
    for (Map.Entry<String, Long> e : stateLengths(spec, width).entrySet()) {
      float[] v = state.get(e.getKey());
      if (v == null) {
        throw new IllegalArgumentException("missing parameter " + e.getKey());
      }
      if (v.length != e.getValue()) {
        throw new IllegalArgumentException(
            "parameter " + e.getKey() + " has " + v.length + " values, expected " + e.getValue());
      }
    }
    network.load(state);
  }

  /**
   * The names and lengths of {@link #state()} for {@code spec} at relational width {@code width},
   * in its order, without building the network: linear weights as dense {@code out × in}. Lengths
   * are exact longs (a header may describe a network too large to build).
   */
  public static Map<String, Long> stateLengths(MlpSpec spec, int width) {
    long s = spec.stemWidth();
    long w = width;
    int layers = spec.relationalLayers();
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("stem.weight", Math.multiplyExact(s, (long) spec.inputSize()));
    out.put(normName(0) + ".gamma", s);
    out.put(normName(0) + ".beta", s);
    for (int i = 0; i < layers; i++) {
      out.put("relational" + i + ".weight", Math.multiplyExact(w, i == 0 ? s : w));
      out.put(normName(i + 1) + ".gamma", w);
      out.put(normName(i + 1) + ".beta", w);
    }
    out.put("head.weight", Math.multiplyExact((long) spec.classes(), w));
    out.put("head.bias", (long) spec.classes());
    for (int i = 0; i <= layers; i++) {
      long c = i == 0 ? s : w;
      out.put(normName(i) + ".running_mean", c);
      out.put(normName(i) + ".running_var", c);
    }
    return out;
  }

  /**
   * The gradients of the last {@link #forwardBackward}, by parameter name, in the same dense form
   * as {@link #state()} (linear weights {@code out × in}, zero outside the graph's blocks).
   */
  public Map<String, float[]> gradients() {
    return network.gradients();
  }

  /** Number of trainable values that the mode stores. */
  public long storedParameterCount() {
    return network.storedParameterCount();
  }

  @Override
  public void close() {
    network.close();
  }
}
