package org.relgraph.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.relgraph.sweep.EpochMetrics;
import org.relgraph.sweep.RunResult;

/**
 * What an executor sends back for one run: the {@link RunResult} with every epoch, or the error
 * that stopped the run, with the executor that ran it.
 *
 * @param index the run's task index
 * @param where the executor, e.g. {@code executor 1 on 127.0.0.1}
 * @param error the one-line error, or null when the run finished
 * @param dataUnavailable the error is the data set missing or unreadable on the executor, which
 *     every other run there would meet too
 * @param epochs per epoch: epoch, train loss, train error, test error, seconds
 * @param seconds the run's wall-clock seconds on the executor
 */
record RunOutcome(
    int index,
    String where,
    String error,
    boolean dataUnavailable,
    double top1Error,
    int width,
    long flops,
    double flopsDeviation,
    double[][] epochs,
    String backend,
    String mode,
    String model,
    double seconds)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  static RunOutcome finished(int index, String where, RunResult r, double seconds) {
    double[][] e = new double[r.epochs().size()][];
    for (int i = 0; i < e.length; i++) {
      EpochMetrics m = r.epochs().get(i);
      e[i] = new double[] {m.epoch(), m.trainLoss(), m.trainError(), m.testError(), m.seconds()};
    }
    return new RunOutcome(
        index,
        where,
        null,
        false,
        r.top1Error(),
        r.width(),
        r.flops(),
        r.flopsDeviation(),
        e,
        r.backend(),
        r.mode(),
        r.model(),
        seconds);
  }

  static RunOutcome failed(
      int index, String where, String error, boolean dataUnavailable, double seconds) {
    return new RunOutcome(
        index, where, error, dataUnavailable, Double.NaN, 0, 0, 0, null, null, null, null, seconds);
  }

  /** The result, as the local runner gets it from its trainer. */
  RunResult result() {
    List<EpochMetrics> list = new ArrayList<>(epochs.length);
    for (double[] e : epochs) {
      list.add(new EpochMetrics((int) e[0], e[1], e[2], e[3], e[4]));
    }
    return new RunResult(top1Error, width, flops, flopsDeviation, list, backend, mode, model);
  }
}
