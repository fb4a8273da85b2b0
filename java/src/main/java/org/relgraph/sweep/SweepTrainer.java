package org.relgraph.sweep;

import java.util.function.Consumer;

/**
 * Trains one network of a sweep: the model and training recipe are fixed when the trainer is made
 * (see {@link SweepTrainers#forOptions}); a call trains that model over one graph with one training
 * seed.
 *
 * <p>{@link SweepRunner} calls {@link #train} from several worker threads at once when it has more
 * than one worker, so an implementation keeps per-run state inside the call (or is otherwise
 * thread-safe). A run that cannot finish throws: the runner reports it with its run key and the
 * exception's message, records nothing for it, and goes on with the next run. A trainer should stop
 * early when its thread is interrupted (the sweep is being aborted).
 */
@FunctionalInterface
public interface SweepTrainer {
  /**
   * Trains the model over {@code graph} with training seed {@code trainSeed}.
   *
   * @param onEpoch called after every epoch, on the calling thread (progress display only: what is
   *     recorded is the returned {@link RunResult#epochs()})
   * @return the finished run
   * @throws Exception when the run fails; nothing is recorded for it
   */
  RunResult train(SweepGraph graph, int trainSeed, Consumer<EpochMetrics> onEpoch) throws Exception;
}
