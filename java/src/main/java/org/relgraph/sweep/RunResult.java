package org.relgraph.sweep;

import java.util.List;

/**
 * The outcome of one finished training run, as a {@link SweepTrainer} returns it.
 *
 * @param top1Error final test top-1 error, in percent (what the paper's plots show)
 * @param width width of the relational layers after budget matching
 * @param flops multiply-adds per sample of the network at that width
 * @param flopsDeviation {@code flops / baseline - 1}: how far the budget match landed from the
 *     complete graph's FLOPs
 * @param epochs one entry per trained epoch, in order (never null; copied)
 * @param backend the engine backend that trained the run, e.g. {@code cpu}
 * @param mode the execution mode, e.g. {@code blocksparse}
 * @param model the model trained; null means "the one the sweep asked for", and anything else must
 *     equal the sweep's model name, or the run counts as failed
 */
public record RunResult(
    double top1Error,
    int width,
    long flops,
    double flopsDeviation,
    List<EpochMetrics> epochs,
    String backend,
    String mode,
    String model) {
  public RunResult {
    epochs = epochs == null ? List.of() : List.copyOf(epochs);
  }
}
