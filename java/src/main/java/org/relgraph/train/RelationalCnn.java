package org.relgraph.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.relgraph.engine.Backend;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ChannelPartition;
import org.relgraph.nn.BatchNormRelu;
import org.relgraph.nn.Conv;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.GlobalAvgPool;
import org.relgraph.nn.Layer;
import org.relgraph.nn.Linear;
import org.relgraph.nn.Network;

/**
 * A relational CNN of stages, as the paper's CIFAR-10 CNN (widths 64, 128, 256): a dense 3 × 3 stem
 * convolution to the first stage's width with BN + ReLU; per stage, relational 3 × 3 convolutions
 * over the graph, each followed by BN + ReLU, the first of every stage but the first of stride 2;
 * global average pooling and a dense head with bias.
 *
 * <p>Weights are drawn in dense order, so every mode starts from the same function: convolutions
 * from N(0, 2 / (9 · out)) (He's fan-out rule, as pycls initialises), the head from N(0, 0.01²),
 * biases zero.
 */
public final class RelationalCnn {
  /** The paper's CIFAR-10 stage widths. */
  public static final int[] CIFAR_WIDTHS = {64, 128, 256};

  private RelationalCnn() {}

  /**
   * The network on images of {@code inputShape} ({@code {C, H, W}}).
   *
   * @param widths channels of each stage, each at least the graph's nodes
   * @param layersPerStage relational convolutions per stage, >= 1
   * @throws IllegalArgumentException for no stages, a width below the node count, fewer than one
   *     layer per stage, or dense mode on another graph than the complete one
   */
  public static Network create(
      Backend backend,
      int[] inputShape,
      int classes,
      RelationalGraph graph,
      int[] widths,
      int layersPerStage,
      ExecutionMode mode,
      long seed) {
    if (widths.length < 1) {
      throw new IllegalArgumentException("a CNN needs at least one stage");
    }
    if (layersPerStage < 1) {
      throw new IllegalArgumentException("layers per stage = " + layersPerStage + " must be >= 1");
    }
    if (inputShape.length != 3) {
      throw new IllegalArgumentException("a CNN takes images {C, H, W}");
    }
    int n = graph.nodeCount();
    List<Layer> layers = new ArrayList<>();
    try {
      layers.add(Conv.dense(backend, "stem", widths[0], inputShape[0], 3, 1));
      layers.add(new BatchNormRelu(backend, "stem.bn", widths[0]));
      ChannelPartition in = ChannelPartition.of(widths[0], n, seed);
      for (int s = 0; s < widths.length; s++) {
        ChannelPartition out = ChannelPartition.of(widths[s], n, seed + s);
        for (int l = 0; l < layersPerStage; l++) {
          String name = "stage" + (s + 1) + ".conv" + (l + 1);
          int stride = s > 0 && l == 0 ? 2 : 1;
          layers.add(Conv.relational(backend, name, mode, graph, out, in, 3, stride));
          layers.add(new BatchNormRelu(backend, name + ".bn", widths[s]));
          in = out;
        }
      }
      int last = widths[widths.length - 1];
      layers.add(new GlobalAvgPool(last));
      layers.add(Linear.denseWithBias(backend, "head", classes, last));
    } catch (RuntimeException | Error e) {
      layers.forEach(Layer::close);
      throw e;
    }
    Network net = new Network(backend, inputShape, layers);
    try {
      initialise(net, seed);
      return net;
    } catch (RuntimeException | Error e) {
      net.close();
      throw e;
    }
  }

  private static void initialise(Network net, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    for (Layer layer : net.layers()) {
      if (layer instanceof Conv c) {
        float[] w = new float[c.denseValue(c.parameters().get(0)).length];
        double std = Math.sqrt(2.0 / (c.kernel() * c.kernel() * c.outputs()));
        for (int i = 0; i < w.length; i++) {
          w[i] = (float) (rng.nextGaussian() * std);
        }
        c.setDenseValue(c.parameters().get(0), w);
      } else if (layer instanceof Linear l) {
        float[] w = new float[l.outputs() * l.inputs()];
        for (int i = 0; i < w.length; i++) {
          w[i] = (float) (rng.nextGaussian() * 0.01);
        }
        l.setDenseWeights(w);
      }
    }
  }
}
