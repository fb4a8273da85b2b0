package org.relgraph.analysis;

import java.util.Locale;

/**
 * One measurement of a training run: the run's test top-1 error (percent) at one epoch, with the
 * graph it trained on.
 *
 * @param model the model and dataset, e.g. {@code mlp-cifar10}
 * @param kind the graph family: {@code ws-flex}, {@code complete}, ...
 * @param kOverN average degree over node count, NaN when not recorded
 * @param p rewiring probability, NaN when not recorded
 * @param graphSeed the graph generator's seed, {@code null} when none (the complete graph)
 * @param clustering the graph's clustering coefficient C (1 for the complete graph)
 * @param pathLength the graph's average path length L (1 for the complete graph), NaN when the
 *     graph has none
 * @param trainSeed the training seed
 * @param epoch the epoch, counted from 1
 * @param top1Error test top-1 error in percent
 * @param width hidden width of the relational layers, {@code null} when not recorded
 * @param graph the graph's identity: runs with equal {@code graph} trained on the same graph
 * @param graphFile the file the graph was read from, as the sweep was given it; {@code null} when
 *     the graph came from no file or the source does not record it
 * @param nodes the graph's node count, {@code null} when the source does not record it
 */
public record ResultRow(
    String model,
    String kind,
    double kOverN,
    double p,
    Long graphSeed,
    double clustering,
    double pathLength,
    int trainSeed,
    int epoch,
    double top1Error,
    Integer width,
    String graph,
    String graphFile,
    Integer nodes) {

  /** The kind of the dense baseline. */
  public static final String COMPLETE = "complete";

  /** A row whose source records no node count. */
  public ResultRow(
      String model,
      String kind,
      double kOverN,
      double p,
      Long graphSeed,
      double clustering,
      double pathLength,
      int trainSeed,
      int epoch,
      double top1Error,
      Integer width,
      String graph,
      String graphFile) {
    this(
        model,
        kind,
        kOverN,
        p,
        graphSeed,
        clustering,
        pathLength,
        trainSeed,
        epoch,
        top1Error,
        width,
        graph,
        graphFile,
        null);
  }

  /** A row of a graph read from no (recorded) file. */
  public ResultRow(
      String model,
      String kind,
      double kOverN,
      double p,
      Long graphSeed,
      double clustering,
      double pathLength,
      int trainSeed,
      int epoch,
      double top1Error,
      Integer width,
      String graph) {
    this(
        model,
        kind,
        kOverN,
        p,
        graphSeed,
        clustering,
        pathLength,
        trainSeed,
        epoch,
        top1Error,
        width,
        graph,
        null);
  }

  /**
   * A row whose graph identity is {@link #graphKey(String, double, double, Long) graphKey(kind,
   * kOverN, p, graphSeed)}.
   */
  public static ResultRow of(
      String model,
      String kind,
      double kOverN,
      double p,
      Long graphSeed,
      double clustering,
      double pathLength,
      int trainSeed,
      int epoch,
      double top1Error,
      Integer width) {
    return new ResultRow(
        model,
        kind,
        kOverN,
        p,
        graphSeed,
        clustering,
        pathLength,
        trainSeed,
        epoch,
        top1Error,
        width,
        graphKey(kind, kOverN, p, graphSeed));
  }

  /**
   * The identity of a graph: {@code complete} for the complete graph (one graph, whatever else is
   * recorded), else {@code kind k=.. p=.. seed=..}.
   */
  public static String graphKey(String kind, double kOverN, double p, Long graphSeed) {
    if (COMPLETE.equals(kind)) {
      return COMPLETE;
    }
    return String.format(
        Locale.ROOT,
        "%s k/n=%s p=%s seed=%s",
        kind,
        kOverN,
        p,
        graphSeed == null ? "-" : graphSeed);
  }

  /** Whether this run trained on the complete graph (the dense baseline). */
  public boolean isComplete() {
    return COMPLETE.equals(kind);
  }
}
