package org.relgraph.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.relgraph.engine.Backend;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ConvNet;
import org.relgraph.model.ConvNetSpec;
import org.relgraph.model.ConvOp;
import org.relgraph.nn.BatchNormRelu;
import org.relgraph.nn.BatchNormalization;
import org.relgraph.nn.Conv;
import org.relgraph.nn.DepthwiseConv;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.GlobalAvgPool;
import org.relgraph.nn.Layer;
import org.relgraph.nn.Linear;
import org.relgraph.nn.MaxPool;
import org.relgraph.nn.Network;
import org.relgraph.nn.Parameter;

/**
 * Builds the {@link Network} of a laid-out convolutional model ({@link ConvNet}, from {@link
 * ConvNetSpec#at}): one layer per operation, in its order, so the network computes exactly the
 * multiply-adds that {@link org.relgraph.model.ConvFlops} counts and {@link
 * org.relgraph.model.ConvMatching} matches. Relational convolutions divide their channels with the
 * spec's partitions ({@link ConvNetSpec#partition}); a residual block (its branch, its projection
 * shortcut if any, the addition) becomes one {@link org.relgraph.nn.Residual}.
 *
 * <p>Every model of {@link ConvNetSpec} is built ({@link #BUILT}): plain, basic, separable and
 * bottleneck blocks, dense stems of any odd kernel (ResNet's 7 × 7) and the ImageNet stems' max
 * pooling.
 *
 * <p>Weights are drawn in operation order, each in dense order, so every mode starts from the same
 * function: convolutions from N(0, 2 / (k² · out)) (He's fan-out rule, as pycls initialises; a
 * depthwise convolution's out is its channels, groups not counted, as pycls does), the head from
 * N(0, 0.01²); biases zero, batch norm scale 1 and shift 0.
 */
public final class RelationalConvNet {
  /** The models this class builds. */
  public static final List<String> BUILT =
      List.of("cnn", "resnet20", "cnn-imagenet", "resnet34", "resnet34-sep", "resnet50");

  private RelationalConvNet() {}

  /**
   * The network of {@code net} over {@code graph} in {@code mode} on images {@code {inputChannels,
   * resolution, resolution}}.
   *
   * @throws IllegalArgumentException for an operation the engine cannot run (a max pooling window
   *     other than 3 × 3 of stride 2, padding other than kernel / 2), a graph wider than a layer,
   *     or dense mode on another graph than the complete one
   */
  public static Network create(
      Backend backend, ConvNet net, RelationalGraph graph, ExecutionMode mode, long seed) {
    net.checkFits(graph.nodeCount());
    Builder b = new Builder(backend, net, graph, mode, new SplittableRandom(seed));
    List<Layer> layers = new ArrayList<>();
    try {
      List<ConvOp> ops = net.ops();
      int i = 0;
      while (i < ops.size()) {
        int add = blockEnd(ops, i);
        if (add < 0) {
          layers.add(b.layer(ops.get(i)));
          i++;
          continue;
        }
        int main = ops.get(add).input();
        List<Layer> branch = new ArrayList<>();
        List<Layer> shortcut = new ArrayList<>();
        try {
          for (int j = i; j <= main; j++) {
            branch.add(b.layer(ops.get(j)));
          }
          for (int j = main + 1; j < add; j++) {
            shortcut.add(b.layer(ops.get(j)));
          }
          layers.add(new org.relgraph.nn.Residual(branch, shortcut, ops.get(add).relu()));
        } catch (RuntimeException | Error e) {
          branch.forEach(Layer::close);
          shortcut.forEach(Layer::close);
          throw e;
        }
        i = add + 1;
      }
    } catch (RuntimeException | Error e) {
      layers.forEach(Layer::close);
      throw e;
    }
    ConvNetSpec spec = net.spec();
    return new Network(
        backend, new int[] {spec.inputChannels(), net.resolution(), net.resolution()}, layers);
  }

  /**
   * The names and dense lengths of {@link Network#state()} for the network of {@code net}, in its
   * order, without building it (a model file's header may describe one too large to build): every
   * operation's parameters in forward order (a convolution's {@code name.weight}, {@code out ×
   * in·K²}, a depthwise one's {@code C × 9}; a batch norm's {@code name.gamma} and {@code
   * name.beta}; the head's {@code name.weight}, {@code classes × in}, and {@code name.bias}), then
   * every batch norm's {@code name.running_mean} and {@code name.running_var}. Exact longs.
   */
  public static Map<String, Long> stateLengths(ConvNet net) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (ConvOp op : net.ops()) {
      long o = op.outChannels();
      switch (op.kind()) {
        case DENSE_CONV, RELATIONAL_CONV ->
            out.put(
                op.name() + ".weight",
                Math.multiplyExact(o, (long) op.inChannels() * op.kernel() * op.kernel()));
        case BATCH_NORM -> {
          out.put(op.name() + ".gamma", o);
          out.put(op.name() + ".beta", o);
        }
        case DENSE -> {
          out.put(op.name() + ".weight", Math.multiplyExact(o, (long) op.inChannels()));
          out.put(op.name() + ".bias", o);
        }
        case DEPTHWISE_CONV -> out.put(op.name() + ".weight", o * 9);
        case GLOBAL_AVG_POOL, RESIDUAL_ADD, MAX_POOL -> {}
      }
    }
    for (ConvOp op : net.ops()) {
      if (op.kind() == ConvOp.Kind.BATCH_NORM) {
        out.put(op.name() + ".running_mean", (long) op.outChannels());
        out.put(op.name() + ".running_var", (long) op.outChannels());
      }
    }
    return out;
  }

  /**
   * The residual addition whose block reads the output of operation {@code i - 1} (its branch
   * starting at {@code i}), or -1 when {@code i} starts no block.
   */
  private static int blockEnd(List<ConvOp> ops, int i) {
    for (int k = i; k < ops.size(); k++) {
      ConvOp op = ops.get(k);
      if (op.kind() != ConvOp.Kind.RESIDUAL_ADD) {
        continue;
      }
      int shortcut = op.shortcut();
      // a projection shortcut is a convolution then its batch norm, reading the block's input
      int in = shortcut > op.input() ? ops.get(ops.get(shortcut).input()).input() : shortcut;
      return in == i - 1 ? k : -1;
    }
    return -1;
  }

  /** Makes the layer of one operation, its weights drawn. */
  private static final class Builder {
    private final Backend backend;
    private final ConvNet net;
    private final RelationalGraph graph;
    private final ExecutionMode mode;
    private final SplittableRandom rng;

    Builder(
        Backend backend,
        ConvNet net,
        RelationalGraph graph,
        ExecutionMode mode,
        SplittableRandom rng) {
      this.backend = backend;
      this.net = net;
      this.graph = graph;
      this.mode = mode;
      this.rng = rng;
    }

    Layer layer(ConvOp op) {
      return switch (op.kind()) {
        case DENSE_CONV ->
            initialised(
                Conv.dense(
                    backend,
                    op.name(),
                    op.outChannels(),
                    op.inChannels(),
                    op.kernel(),
                    op.stride()),
                op);
        case RELATIONAL_CONV ->
            initialised(
                Conv.relational(
                    backend,
                    op.name(),
                    mode,
                    graph,
                    net.spec().partition(op.outChannels(), graph.nodeCount()),
                    net.spec().partition(op.inChannels(), graph.nodeCount()),
                    op.kernel(),
                    op.stride()),
                op);
        case DEPTHWISE_CONV -> depthwise(op);
        case MAX_POOL -> {
          if (op.kernel() != 3 || op.stride() != 2 || op.padding() != 1) {
            throw new IllegalArgumentException(
                op.name()
                    + ": max pooling "
                    + op.kernel()
                    + "x"
                    + op.kernel()
                    + ", stride "
                    + op.stride()
                    + ", padding "
                    + op.padding()
                    + "; the engine pools 3x3, stride 2, padding 1");
          }
          yield new MaxPool(op.outChannels());
        }
        case BATCH_NORM ->
            op.relu()
                ? new BatchNormRelu(backend, op.name(), op.outChannels())
                : new BatchNormalization(backend, op.name(), op.outChannels());
        case GLOBAL_AVG_POOL -> new GlobalAvgPool(op.outChannels());
        case DENSE ->
            head(Linear.denseWithBias(backend, op.name(), op.outChannels(), op.inChannels()));
        case RESIDUAL_ADD ->
            throw new IllegalArgumentException(
                op.name() + ": a residual addition that closes no block of the layout");
      };
    }

    /** A depthwise convolution, He-initialised over 9 · C as pycls does (groups not counted). */
    private DepthwiseConv depthwise(ConvOp op) {
      if (op.kernel() != 3) {
        throw new IllegalArgumentException(
            op.name() + ": a depthwise " + op.kernel() + "x" + op.kernel() + " kernel, not 3x3");
      }
      return initialised(new DepthwiseConv(backend, op.name(), op.outChannels(), op.stride()), op);
    }

    /**
     * Draws {@code layer}'s weight from N(0, 2 / (k² · out)), out the operation's output channels,
     * closing the layer if that fails or its padding is not kernel / 2.
     */
    private <L extends Layer> L initialised(L layer, ConvOp op) {
      try {
        if (op.padding() != op.kernel() / 2) {
          throw new IllegalArgumentException(
              op.name() + ": padding " + op.padding() + ", a convolution pads kernel / 2");
        }
        Parameter p = layer.parameters().get(0);
        float[] w = new float[layer.denseValue(p).length];
        double std = Math.sqrt(2.0 / ((double) op.kernel() * op.kernel() * op.outChannels()));
        for (int i = 0; i < w.length; i++) {
          w[i] = (float) (rng.nextGaussian() * std);
        }
        layer.setDenseValue(p, w);
        return layer;
      } catch (RuntimeException | Error e) {
        layer.close();
        throw e;
      }
    }

    private Linear head(Linear l) {
      float[] w = new float[l.outputs() * l.inputs()];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (rng.nextGaussian() * 0.01);
      }
      l.setDenseWeights(w);
      return l;
    }
  }
}
