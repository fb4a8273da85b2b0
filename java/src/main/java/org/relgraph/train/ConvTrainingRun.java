package org.relgraph.train;

import java.util.List;
import org.relgraph.engine.Backend;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ConvMatching;
import org.relgraph.model.ConvNet;
import org.relgraph.model.ConvNetSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Network;

/**
 * One training run of one of the paper's convolutional networks ({@link RelationalConvNet#BUILT})
 * over a graph, on a data set of images ({@link DataSplit#imageShape()}: Fashion-MNIST and MNIST as
 * 1 × 28 × 28, CIFAR-10 as 3 × 32 × 32): FLOP matching of the stage widths ({@link ConvMatching})
 * against the complete-graph network at the data's resolution (or given widths), network creation,
 * training, final test error. The convolutional counterpart of {@link TrainingRun}.
 *
 * @param model the model's name in {@link ConvNetSpec#NAMES} ({@code cnn}, {@code resnet20})
 * @param graph the relational graph
 * @param data the data set, of square images
 * @param mode how the relational layers run
 * @param width {@link TrainingRun#MATCH} to match the baseline's FLOPs, {@link
 *     TrainingRun#NO_MATCH} for the baseline's stage widths, or the widest stage's channels (the
 *     others in the baseline's ratios, {@link ConvNetSpec#widthsFor})
 * @param config the recipe
 */
public record ConvTrainingRun(
    String model,
    RelationalGraph graph,
    Dataset data,
    ExecutionMode mode,
    int width,
    TrainConfig config) {

  /**
   * What a run produced.
   *
   * @param match the stage widths used and their FLOPs against the baseline's
   * @param epochs per-epoch results
   * @param model the trained network, open; the caller closes it
   */
  public record Outcome(ConvMatching.Match match, List<EpochResult> epochs, Network model)
      implements AutoCloseable {
    /** Test top-1 error after the last epoch, percent. */
    public double top1Error() {
      return epochs.get(epochs.size() - 1).testError();
    }

    @Override
    public void close() {
      model.close();
    }
  }

  /**
   * The model's spec for this data set's images and classes.
   *
   * @throws IllegalArgumentException for an unknown model, or data that are not square images
   */
  public ConvNetSpec spec() {
    int[] shape = data.train().imageShape();
    return ConvNetSpec.named(model).withInput(shape[0], data.classes());
  }

  /** The side of the data's images: the resolution the FLOPs are counted and matched at. */
  public int resolution() {
    return data.train().imageShape()[1];
  }

  /**
   * The stage widths this run uses and their FLOPs.
   *
   * @throws IllegalArgumentException when the graph has more nodes than a layer has channels
   */
  public ConvMatching.Match match() {
    ConvNetSpec spec = spec();
    int side = resolution();
    return switch (width) {
      case TrainingRun.MATCH -> ConvMatching.match(spec, graph, side);
      case TrainingRun.NO_MATCH -> ConvMatching.at(spec, graph, spec.stageWidths(), side);
      default -> ConvMatching.at(spec, graph, spec.widthsFor(width), side);
    };
  }

  /**
   * The widest stage's channels of {@code m} over the baseline's: the factor the stages were
   * widened by.
   */
  public double widthMultiplier(ConvMatching.Match m) {
    List<Integer> base = spec().stageWidths();
    int last = base.size() - 1;
    return (double) m.stageWidths().get(last) / base.get(last);
  }

  /** The network laid out at {@code m}'s widths and the data's resolution. */
  public ConvNet layout(ConvMatching.Match m) {
    return spec().at(m.stageWidths(), resolution());
  }

  /** The network of {@code m}'s widths, built but untrained. */
  public Network network(ConvMatching.Match m, Backend backend) {
    return RelationalConvNet.create(backend, layout(m), graph, mode, config.seed());
  }

  /** Trains on {@code backend}; the outcome holds the trained network. */
  public Outcome run(Backend backend, Trainer.Listener listener) {
    return run(match(), backend, listener);
  }

  /** Trains at the widths of {@code m}, a {@link #match()} computed before. */
  public Outcome run(ConvMatching.Match m, Backend backend, Trainer.Listener listener) {
    Network net = network(m, backend);
    try {
      List<EpochResult> epochs = Trainer.train(net, data, config, listener);
      return new Outcome(m, epochs, net);
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }
}
