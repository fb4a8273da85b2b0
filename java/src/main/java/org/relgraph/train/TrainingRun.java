package org.relgraph.train;

import java.util.List;
import org.relgraph.engine.Backend;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.BudgetMatching;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;

/**
 * One training run of the paper's MLP over a graph: budget matching (or a given width), network
 * creation, training, final test error. The building block of the {@code train} command and of
 * sweeps.
 *
 * @param graph the relational graph
 * @param data the data set
 * @param mode how the relational layers run
 * @param width the relational width; 0 to match the complete-graph baseline's FLOPs, -1 for the
 *     stem width without matching
 * @param config the recipe
 * @param stemWidth the stem's width, and the complete-graph baseline's ({@link
 *     MlpSpec#DEFAULT_STEM_WIDTH} in the paper); the graph needs at most this many nodes
 */
public record TrainingRun(
    RelationalGraph graph,
    Dataset data,
    ExecutionMode mode,
    int width,
    TrainConfig config,
    int stemWidth) {
  /** Width 0: match the budget. */
  public static final int MATCH = 0;

  /** Width -1: the stem width, no matching. */
  public static final int NO_MATCH = -1;

  /**
   * What a run produced.
   *
   * @param match the width used and its FLOPs against the baseline's
   * @param epochs per-epoch results
   * @param model the trained network, open; the caller closes it
   */
  public record Outcome(BudgetMatching.Match match, List<EpochResult> epochs, RelationalMlp model)
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

  /** A run of the paper's MLP, with its stem width. */
  public TrainingRun(
      RelationalGraph graph, Dataset data, ExecutionMode mode, int width, TrainConfig config) {
    this(graph, data, mode, width, config, MlpSpec.DEFAULT_STEM_WIDTH);
  }

  /** The paper's MLP shape for this data set, at this run's stem width. */
  public MlpSpec spec() {
    return MlpSpec.paper(data.features(), data.classes()).withStemWidth(stemWidth);
  }

  /**
   * The width this run uses and its FLOPs.
   *
   * @throws IllegalArgumentException when the graph has more nodes than the stem width
   */
  public BudgetMatching.Match match() {
    MlpSpec spec = spec();
    spec.checkFits(graph.nodeCount());
    return switch (width) {
      case MATCH -> BudgetMatching.match(spec, graph);
      case NO_MATCH -> BudgetMatching.at(spec, graph, spec.stemWidth());
      default -> BudgetMatching.at(spec, graph, width);
    };
  }

  /** Trains on {@code backend}; the outcome holds the trained model. */
  public Outcome run(Backend backend, Trainer.Listener listener) {
    return run(match(), backend, listener);
  }

  /** Trains at the width of {@code m}, a {@link #match()} computed before. */
  public Outcome run(BudgetMatching.Match m, Backend backend, Trainer.Listener listener) {
    RelationalMlp net =
        RelationalMlp.create(backend, spec(), graph, m.width(), mode, config.seed());
    try {
      List<EpochResult> epochs = Trainer.train(net, data, config, listener);
      return new Outcome(m, epochs, net);
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }
}
