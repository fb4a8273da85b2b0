package org.relgraph.nn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.relgraph.engine.Backend;
import org.relgraph.engine.CrossEntropy;
import org.relgraph.engine.LossAccumulator;
import org.relgraph.engine.SgdSettings;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorScope;

/**
 * A classifier: a sequence of {@link Layer}s on one {@link Backend}, the last writing the logits,
 * trained with softmax cross-entropy and SGD. Layer {@code i} reads activation {@code i} and writes
 * activation {@code i + 1}; the network keeps one set of activation buffers per batch size it has
 * seen (the gradient buffers only once a training step needs them), and nothing else: no copies
 * between layers.
 *
 * <p>Activations are feature-major ({@code channels × batch}): a batch of features is {@code x[f ·
 * batch + b]}. A network of images ({@link #Network(Backend, int[], List)}) takes and keeps
 * channel-major images, {@code channels × batch × H × W}: {@code x[((c · batch + b) · H + y) · W +
 * x]}. Not thread-safe. The network owns its layers: closing it closes them (as does a constructor
 * that throws).
 */
public final class Network implements AutoCloseable {
  private final Backend backend;
  // The activations' and their gradients' tensors; the layers own theirs.
  private final TensorScope tensors;
  private final List<Layer> layers;
  private final List<Parameter> parameters = new ArrayList<>();
  // The layer of each parameter, for its dense form.
  private final Map<Parameter, Layer> owners = new java.util.IdentityHashMap<>();
  private final Map<Integer, Workspace> workspaces = new HashMap<>();
  // Whether the first layer needs its input gradient written (it cannot skip it).
  private final boolean firstNeedsInputGradient;
  // The shape of one sample before each layer and after the last: {C} or {C, H, W}.
  private final int[][] sampleShapes;

  /** The batch sizes this network holds activation buffers for, in increasing order. */
  public java.util.SortedSet<Integer> batchSizes() {
    return java.util.Collections.unmodifiableSortedSet(
        new java.util.TreeSet<>(workspaces.keySet()));
  }

  /**
   * A network of {@code layers}, in order, on feature vectors.
   *
   * @throws IllegalArgumentException for no layers, or a layer whose inputs are not the previous
   *     one's outputs
   */
  public Network(Backend backend, List<? extends Layer> layers) {
    this(backend, null, layers);
  }

  /**
   * A network of {@code layers}, in order, on samples of {@code inputShape}: {@code {C, H, W}} for
   * images (null: feature vectors of the first layer's inputs).
   *
   * @throws IllegalArgumentException for no layers, a shape of another rank than 1 or 3 or with a
   *     dimension below 1, or a layer that cannot take the previous one's output
   */
  public Network(Backend backend, int[] inputShape, List<? extends Layer> layers) {
    this.layers = List.copyOf(layers);
    this.backend = backend;
    this.tensors = backend.newScope();
    try {
      if (this.layers.isEmpty()) {
        throw new IllegalArgumentException("a network needs at least one layer");
      }
      for (int i = 1; i < this.layers.size(); i++) {
        if (this.layers.get(i).inputs() != this.layers.get(i - 1).outputs()) {
          throw new IllegalArgumentException(
              "layer "
                  + i
                  + " takes "
                  + this.layers.get(i).inputs()
                  + " channels, layer "
                  + (i - 1)
                  + " gives "
                  + this.layers.get(i - 1).outputs());
        }
      }
      sampleShapes = shapes(inputShape, this.layers);
      for (Layer l : this.layers) {
        for (Parameter p : l.parameters()) {
          parameters.add(p);
          owners.put(p, l);
        }
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    firstNeedsInputGradient = !this.layers.get(0).canSkipInputGradient();
  }

  private static int[][] shapes(int[] input, List<Layer> layers) {
    int[] first = input == null ? new int[] {layers.get(0).inputs()} : input.clone();
    if (first.length != 1 && first.length != 3) {
      throw new IllegalArgumentException(
          "input shape " + java.util.Arrays.toString(first) + ": expected {C} or {C, H, W}");
    }
    for (int d : first) {
      if (d < 1) {
        throw new IllegalArgumentException(
            "input shape " + java.util.Arrays.toString(first) + " has a dimension below 1");
      }
    }
    int[][] s = new int[layers.size() + 1][];
    s[0] = first;
    for (int i = 0; i < layers.size(); i++) {
      try {
        s[i + 1] = layers.get(i).outputShape(s[i]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("layer " + i + ": " + e.getMessage(), e);
      }
    }
    return s;
  }

  /** The shape of one sample: {@code {C}}, or {@code {C, H, W}} for images. */
  public int[] inputShape() {
    return sampleShapes[0].clone();
  }

  /** The tensor shape of {@code batch} samples of shape {@code s}. */
  static int[] batchShape(int[] s, int batch) {
    return s.length == 1 ? new int[] {s[0], batch} : new int[] {s[0], batch, s[1], s[2]};
  }

  /** A network of {@code layers}, in order ({@link #Network(Backend, List)}). */
  public static Network of(Backend backend, Layer... layers) {
    return new Network(backend, List.of(layers));
  }

  /** Features per sample: the first layer's inputs, or {@code C·H·W} for images. */
  public int inputs() {
    int n = 1;
    for (int d : sampleShapes[0]) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Logits per sample: the classes. */
  public int outputs() {
    return layers.get(layers.size() - 1).outputs();
  }

  /** The layers, input first. */
  public List<Layer> layers() {
    return layers;
  }

  /** Every trainable parameter, layer by layer. */
  public List<Parameter> parameters() {
    return List.copyOf(parameters);
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

  /**
   * Forward in training mode and backward, the batch's loss added into {@code totals}, with every
   * parameter's gradient written (see {@link #gradients()}). Running statistics move as in
   * training.
   */
  public void forwardBackward(float[] x, int[] labels, LossAccumulator totals) {
    Workspace ws = workspace(labels.length, x.length);
    ws.allocateGradients();
    forward(ws, x, true);
    int last = layers.size();
    backend.softmaxCrossEntropy(ws.act[last], labels, ws.grad[last], totals);
    for (int i = last - 1; i >= 0; i--) {
      layers.get(i).backward(backend, ws.act[i], ws.act[i + 1], ws.grad[i + 1], ws.grad[i]);
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
    int last = layers.size();
    backend.softmaxCrossEntropy(ws.act[last], labels, ws.grad[last], totals);
  }

  /** Loss and correct count of a batch in evaluation mode (running statistics, no update). */
  public CrossEntropy evaluate(float[] x, int[] labels) {
    try (LossAccumulator totals = backend.newLossAccumulator()) {
      evaluate(x, labels, totals);
      return batch(totals);
    }
  }

  private static CrossEntropy batch(LossAccumulator totals) {
    LossAccumulator.Totals t = totals.read();
    return new CrossEntropy(t.batchLossSum(), Math.toIntExact(t.correct()));
  }

  /** The logits of a batch in evaluation mode, {@code outputs × batch} row-major. */
  public float[] logits(float[] x, int batch) {
    Workspace ws = workspace(batch, x.length);
    forward(ws, x, false);
    return ws.act[layers.size()].toArray();
  }

  private void forward(Workspace ws, float[] x, boolean training) {
    ws.act[0].copyFrom(x);
    for (int i = 0; i < layers.size(); i++) {
      layers.get(i).forward(backend, ws.act[i], ws.act[i + 1], training);
    }
  }

  private Workspace workspace(int batch, int xLength) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch = " + batch + " must be >= 1");
    }
    if (xLength != (long) batch * inputs()) {
      throw new IllegalArgumentException(
          "features: expected "
              + (long) batch * inputs()
              + " values ("
              + inputs()
              + " x "
              + batch
              + "), got "
              + xLength);
    }
    return workspaces.computeIfAbsent(batch, Workspace::new);
  }

  /**
   * The parameters' values by name in dense form ({@link Layer#denseValue}), layer by layer, then
   * the layers' buffers (BatchNorm running statistics) by name.
   */
  public Map<String, float[]> state() {
    Map<String, float[]> s = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      s.put(p.name(), owners.get(p).denseValue(p));
    }
    for (Layer l : layers) {
      for (Map.Entry<String, Tensor> b : l.buffers().entrySet()) {
        s.put(b.getKey(), b.getValue().toArray());
      }
    }
    return s;
  }

  /**
   * Replaces every parameter and buffer from {@link #state()}'s form.
   *
   * @throws IllegalArgumentException for a missing name or a wrong length
   */
  public void load(Map<String, float[]> state) {
    for (Parameter p : parameters) {
      owners.get(p).setDenseValue(p, required(state, p.name()));
    }
    for (Layer l : layers) {
      for (Map.Entry<String, Tensor> b : l.buffers().entrySet()) {
        b.getValue().copyFrom(required(state, b.getKey()));
      }
    }
  }

  private static float[] required(Map<String, float[]> state, String name) {
    float[] v = state.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing parameter " + name);
    }
    return v;
  }

  /**
   * The gradients of the last {@link #forwardBackward}, by parameter name, in the dense form of
   * {@link #state()}.
   */
  public Map<String, float[]> gradients() {
    Map<String, float[]> g = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      g.put(p.name(), owners.get(p).denseGradient(p));
    }
    return g;
  }

  /** Number of trainable values as the layers store them. */
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
    for (Layer l : layers) {
      l.close();
    }
    tensors.close();
  }

  /**
   * Activations {@code act[0..L]} for one batch size ({@code act[0]} the input, {@code act[L]} the
   * logits), and their gradients: the logits' at once (evaluation writes it too), the others once a
   * training step needs them ({@code grad[0]} only if the first layer cannot skip it).
   */
  private final class Workspace {
    final int batch;
    final Tensor[] act;
    final Tensor[] grad;
    boolean gradients;

    Workspace(int batch) {
      this.batch = batch;
      int n = layers.size();
      act = new Tensor[n + 1];
      grad = new Tensor[n + 1];
      try {
        for (int i = 0; i <= n; i++) {
          act[i] = tensors.zeros(batchShape(sampleShapes[i], batch));
        }
        grad[n] = tensors.zeros(batchShape(sampleShapes[n], batch));
      } catch (RuntimeException | Error e) {
        close();
        throw e;
      }
    }

    void allocateGradients() {
      if (gradients) {
        return;
      }
      int n = layers.size();
      if (firstNeedsInputGradient && grad[0] == null) {
        grad[0] = tensors.zeros(batchShape(sampleShapes[0], batch));
      }
      for (int i = 1; i < n; i++) {
        if (grad[i] == null) {
          grad[i] = tensors.zeros(batchShape(sampleShapes[i], batch));
        }
      }
      gradients = true;
    }

    void close() {
      for (Tensor[] ts : new Tensor[][] {act, grad}) {
        for (Tensor t : ts) {
          if (t != null) {
            t.close();
          }
        }
      }
    }
  }
}
