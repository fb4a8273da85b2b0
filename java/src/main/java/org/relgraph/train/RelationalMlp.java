package org.relgraph.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.relgraph.engine.Backend;
import org.relgraph.engine.BatchNorm;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.engine.CrossEntropy;
import org.relgraph.engine.LossAccumulator;
import org.relgraph.engine.SgdSettings;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorScope;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ChannelPartition;
import org.relgraph.model.MlpSpec;

/**
 * A relational MLP ready to train on a backend: dense stem with BatchNorm and ReLU, R relational
 * layers over one graph (each with BatchNorm and ReLU), dense head with bias. The relational layers
 * run in one {@link ExecutionMode}; every mode computes the same function of the same weights.
 *
 * <p>Activations are feature-major ({@code channels × batch}). The network keeps one set of
 * activation buffers per batch size it has seen. Every tensor lives in one {@link TensorScope} of
 * the backend. Not thread-safe. Close it to free native memory.
 */
public final class RelationalMlp implements AutoCloseable {
  /** Standard deviation of the initial linear weights (the paper's code: N(0, 0.01)). */
  public static final double INIT_STD = 0.01;

  private final MlpSpec spec;
  private final RelationalGraph graph;
  private final int width;
  private final ExecutionMode mode;
  private final Backend backend;
  private final TensorScope tensors;
  // Not final: the constructor closes what it has allocated when a later allocation fails.
  private Linear stem;
  private final Linear[] relational;
  private final BatchNorm[] norms;
  private Linear head;
  private Parameter headBias;
  private final List<Parameter> parameters = new ArrayList<>();
  // The linear layer owning a weight parameter; other parameters (BatchNorm, bias) have none.
  private final Map<Parameter, Linear> owners = new java.util.IdentityHashMap<>();
  private final Map<Integer, Workspace> workspaces = new HashMap<>();

  private RelationalMlp(
      Backend backend, MlpSpec spec, RelationalGraph graph, int width, ExecutionMode mode) {
    this.backend = backend;
    this.tensors = backend.newScope();
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
    int layers = spec.relationalLayers();
    relational = new Linear[layers];
    norms = new BatchNorm[layers + 1];
    try {
      allocate(n);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private void allocate(int n) {
    int layers = relational.length;
    stem = new Linear.Dense(tensors, "stem.weight", spec.stemWidth(), spec.inputSize());
    norms[0] = new BatchNorm(tensors, spec.stemWidth());
    ChannelPartition stemPart = ChannelPartition.of(spec.stemWidth(), n, spec.partitionSeed());
    ChannelPartition widePart = ChannelPartition.of(width, n, spec.partitionSeed());
    for (int i = 0; i < layers; i++) {
      ChannelPartition in = i == 0 ? stemPart : widePart;
      String name = "relational" + i + ".weight";
      relational[i] =
          switch (mode) {
            case DENSE -> new Linear.Dense(tensors, name, width, in.channels());
            case BLOCKSPARSE ->
                new Linear.BlockSparse(tensors, name, BlockSparseLayout.of(graph, widePart, in));
            case MASKED ->
                new Linear.Masked(tensors, name, BlockSparseLayout.of(graph, widePart, in));
          };
      norms[i + 1] = new BatchNorm(tensors, width);
    }
    head = new Linear.Dense(tensors, "head.weight", spec.classes(), width);
    headBias = Parameter.zeros(tensors, "head.bias", spec.classes(), 1);
    parameters.add(stem.weight);
    addNorm(normName(0), norms[0]);
    for (int i = 0; i < layers; i++) {
      parameters.add(relational[i].weight);
      addNorm(normName(i + 1), norms[i + 1]);
    }
    parameters.add(head.weight);
    parameters.add(headBias);
    for (Linear l : linears()) {
      owners.put(l.weight, l);
    }
  }

  /** Name of BatchNorm layer {@code i}: 0 follows the stem, i > 0 relational layer i − 1. */
  private static String normName(int i) {
    return i == 0 ? "stem.bn" : "relational" + (i - 1) + ".bn";
  }

  private void addNorm(String name, BatchNorm bn) {
    parameters.add(Parameter.of(tensors, name + ".gamma", bn.gamma(), bn.gammaGrad()));
    parameters.add(Parameter.of(tensors, name + ".beta", bn.beta(), bn.betaGrad()));
  }

  /**
   * A network with weights drawn from N(0, {@link #INIT_STD}²) by a generator seeded with {@code
   * seed}, in dense {@code out × in} order for every layer, so that all modes start from the same
   * function.
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
      for (Linear l : net.linears()) {
        float[] w = new float[l.out * l.in]; // bounded by the constructor
        for (int i = 0; i < w.length; i++) {
          w[i] = (float) (rng.nextGaussian() * INIT_STD);
        }
        l.setDenseWeights(w);
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

  private List<Linear> linears() {
    List<Linear> all = new ArrayList<>();
    all.add(stem);
    Collections.addAll(all, relational);
    all.add(head);
    return all;
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
    return backend;
  }

  /**
   * One training step on a batch: forward in training mode, cross-entropy (its loss and correct
   * count added into {@code totals}, which stays on the backend), backward, then an SGD step on
   * every parameter with learning rate {@code lr}. Nothing is read to the host.
   *
   * @param x features, feature-major: {@code x[f·batch + b]}
   * @param labels one per sample
   */
  public void trainStep(
      float[] x, int[] labels, float lr, SgdSettings sgd, LossAccumulator totals) {
    forwardBackward(x, labels, totals);
    for (Parameter p : parameters) {
      backend.sgdStep(p.value(), p.grad(), p.velocity(), sgd, lr);
    }
  }

  /**
   * {@link #trainStep(float[], int[], float, SgdSettings, LossAccumulator)} that reads the batch's
   * loss to the host: one read a step, for tests and single steps; training loops accumulate.
   */
  public CrossEntropy trainStep(float[] x, int[] labels, float lr, SgdSettings sgd) {
    try (LossAccumulator totals = backend.newLossAccumulator()) {
      trainStep(x, labels, lr, sgd, totals);
      return batch(totals);
    }
  }

  private static CrossEntropy batch(LossAccumulator totals) {
    LossAccumulator.Totals t = totals.read();
    return new CrossEntropy(t.batchLossSum(), Math.toIntExact(t.correct()));
  }

  /**
   * Forward in training mode and backward, the batch's loss added into {@code totals}, with every
   * parameter's gradient written (see {@link #gradients()}). Running statistics move as in
   * training.
   */
  public void forwardBackward(float[] x, int[] labels, LossAccumulator totals) {
    Workspace ws = workspace(labels.length, x.length);
    ws.allocateGradients();
    forward(ws, x, true);
    backend.softmaxCrossEntropy(ws.logits, labels, ws.dLogits, totals);
    int last = relational.length;
    head.backward(backend, ws.dLogits, ws.act[last], ws.dAct[last]);
    backend.biasGradient(ws.dLogits, headBias.grad());
    for (int i = last; i >= 0; i--) {
      backend.batchNormReluBackward(norms[i], ws.pre[i], ws.act[i], ws.dAct[i], ws.dPre[i]);
      if (i == 0) {
        stem.backward(backend, ws.dPre[0], ws.input, null);
      } else {
        relational[i - 1].backward(backend, ws.dPre[i], ws.act[i - 1], ws.dAct[i - 1]);
      }
    }
  }

  /** {@link #forwardBackward(float[], int[], LossAccumulator)}, the loss read to the host. */
  public CrossEntropy forwardBackward(float[] x, int[] labels) {
    try (LossAccumulator totals = backend.newLossAccumulator()) {
      forwardBackward(x, labels, totals);
      return batch(totals);
    }
  }

  /** Loss and correct count of a batch in evaluation mode added into {@code totals}. */
  public void evaluate(float[] x, int[] labels, LossAccumulator totals) {
    Workspace ws = workspace(labels.length, x.length);
    forward(ws, x, false);
    backend.softmaxCrossEntropy(ws.logits, labels, ws.dLogits, totals);
  }

  /** Loss and correct count of a batch in evaluation mode (running statistics, no update). */
  public CrossEntropy evaluate(float[] x, int[] labels) {
    try (LossAccumulator totals = backend.newLossAccumulator()) {
      evaluate(x, labels, totals);
      return batch(totals);
    }
  }

  /** The logits of a batch in evaluation mode, {@code classes × batch} row-major. */
  public float[] logits(float[] x, int batch) {
    Workspace ws = workspace(batch, x.length);
    forward(ws, x, false);
    return ws.logits.toArray();
  }

  private void forward(Workspace ws, float[] x, boolean training) {
    ws.input.copyFrom(x);
    stem.forward(backend, ws.input, ws.pre[0]);
    backend.batchNormReluForward(norms[0], ws.pre[0], ws.act[0], training);
    for (int i = 0; i < relational.length; i++) {
      relational[i].forward(backend, ws.act[i], ws.pre[i + 1]);
      backend.batchNormReluForward(norms[i + 1], ws.pre[i + 1], ws.act[i + 1], training);
    }
    head.forward(backend, ws.act[relational.length], ws.logits);
    backend.addBias(ws.logits, headBias.value());
  }

  private Workspace workspace(int batch, int xLength) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch = " + batch + " must be >= 1");
    }
    if (xLength != (long) batch * spec.inputSize()) {
      throw new IllegalArgumentException(
          "features: expected "
              + (long) batch * spec.inputSize()
              + " values ("
              + spec.inputSize()
              + " x "
              + batch
              + "), got "
              + xLength);
    }
    return workspaces.computeIfAbsent(batch, Workspace::new);
  }

  /**
   * The trainable values by name, as dense row-major arrays: linear weights {@code out × in} (zero
   * outside the graph's blocks), BatchNorm scale and shift, head bias; plus the BatchNorm running
   * statistics ({@code *.running_mean}, {@code *.running_var}).
   */
  public Map<String, float[]> state() {
    Map<String, float[]> s = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      Linear owner = owners.get(p);
      s.put(p.name(), owner != null ? owner.denseWeights() : p.value().toArray());
    }
    for (int i = 0; i < norms.length; i++) {
      s.put(normName(i) + ".running_mean", norms[i].runningMean().toArray());
      s.put(normName(i) + ".running_var", norms[i].runningVar().toArray());
    }
    return s;
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
    for (Parameter p : parameters) {
      Linear owner = owners.get(p);
      if (owner != null) {
        owner.setDenseWeights(state.get(p.name()));
      } else {
        p.value().copyFrom(state.get(p.name()));
      }
    }
    for (int i = 0; i < norms.length; i++) {
      norms[i].runningMean().copyFrom(state.get(normName(i) + ".running_mean"));
      norms[i].runningVar().copyFrom(state.get(normName(i) + ".running_var"));
    }
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
    Map<String, float[]> g = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      Linear owner = owners.get(p);
      g.put(p.name(), owner != null ? owner.denseGradient() : p.grad().toArray());
    }
    return g;
  }

  /** Number of trainable values that the mode stores. */
  public long storedParameterCount() {
    long total = 0;
    for (Parameter p : parameters) {
      total += p.value().size();
    }
    return total;
  }

  @Override
  public void close() {
    for (Workspace ws : workspaces.values()) {
      ws.close();
    }
    workspaces.clear();
    for (Linear l : new Linear[] {stem, head}) {
      if (l != null) {
        l.close();
      }
    }
    for (Linear l : relational) {
      if (l != null) {
        l.close();
      }
    }
    if (headBias != null) {
      headBias.close();
    }
    for (BatchNorm bn : norms) {
      if (bn != null) {
        bn.close();
      }
    }
    for (Parameter p : parameters) {
      p.velocity().close();
    }
    tensors.close();
  }

  /**
   * Activation buffers for one batch size; the gradient buffers only once a training step needs
   * them (evaluation batches are often larger and never do).
   */
  private final class Workspace {
    final int batch;
    final Tensor input;
    final Tensor[] pre;
    final Tensor[] act;
    Tensor[] dAct;
    Tensor[] dPre;
    final Tensor logits;
    final Tensor dLogits;

    Workspace(int batch) {
      this.batch = batch;
      int layers = relational.length + 1;
      input = tensors.zeros(spec.inputSize(), batch);
      pre = new Tensor[layers];
      act = new Tensor[layers];
      logits = tensors.zeros(spec.classes(), batch);
      dLogits = tensors.zeros(spec.classes(), batch);
      for (int i = 0; i < layers; i++) {
        pre[i] = tensors.zeros(channels(i), batch);
        act[i] = tensors.zeros(channels(i), batch);
      }
    }

    private int channels(int layer) {
      return layer == 0 ? spec.stemWidth() : width;
    }

    void allocateGradients() {
      if (dAct != null) {
        return;
      }
      int layers = relational.length + 1;
      Tensor[] da = new Tensor[layers];
      Tensor[] dp = new Tensor[layers];
      dAct = da;
      dPre = dp;
      for (int i = 0; i < layers; i++) {
        da[i] = tensors.zeros(channels(i), batch);
        dp[i] = tensors.zeros(channels(i), batch);
      }
    }

    void close() {
      for (Tensor[] ts :
          new Tensor[][] {new Tensor[] {input, logits, dLogits}, pre, act, dAct, dPre}) {
        if (ts == null) {
          continue;
        }
        for (Tensor t : ts) {
          if (t != null) {
            t.close();
          }
        }
      }
    }
  }
}
