package org.relgraph.engine;

/**
 * Where {@link Backend#softmaxCrossEntropy} adds each batch's loss and correct count: it lives with
 * the backend (on its device), so a training loop never waits for a loss inside a step. {@link
 * #read()} copies the totals to the host, waiting for the pending work; a trainer reads once per
 * logging interval. Made by {@link Backend#newLossAccumulator()}, closed with it or its backend.
 */
public abstract class LossAccumulator implements AutoCloseable {
  private final Backend backend;
  private volatile boolean closed;

  /** An accumulator of {@code backend}; for backends' own accumulator classes. */
  protected LossAccumulator(Backend backend) {
    this.backend = backend;
  }

  /** The backend that adds into this accumulator. */
  public final Backend backend() {
    return backend;
  }

  /** Whether {@link #close()} has run. */
  public final boolean isClosed() {
    return closed;
  }

  final void checkOpen() {
    if (closed) {
      throw new IllegalStateException("loss accumulator is closed");
    }
  }

  /** The totals since the last {@link #reset()}, copied to the host (one read). */
  public final Totals read() {
    checkOpen();
    backend.synchronize();
    backend.countRead();
    return totals();
  }

  /** Sets the totals to zero (on the device; no read). */
  public final void reset() {
    checkOpen();
    clear();
  }

  /** The totals; the backend has synchronized. */
  protected abstract Totals totals();

  /** Zeroes the totals. */
  protected abstract void clear();

  /**
   * Adds one batch: its mean loss, its correct count and its size. Called by the backend in order,
   * after the batch's cross-entropy (for host backends, on the host).
   */
  protected abstract void add(double meanLoss, int correct, int batch);

  /** Frees the accumulator; later calls do nothing. */
  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      backend.forget(this);
    }
  }

  /**
   * Totals of softmax cross-entropy over some batches.
   *
   * @param batches batches added
   * @param samples samples added
   * @param batchLossSum the sum of each batch's mean loss (natural log)
   * @param sampleLossSum the sum of each batch's mean loss times its size: the loss summed over
   *     samples
   * @param correct samples whose largest logit is their label
   */
  public record Totals(
      long batches, long samples, double batchLossSum, double sampleLossSum, long correct) {
    /** No batches. */
    public static final Totals ZERO = new Totals(0, 0, 0, 0, 0);

    /** The mean over batches of their mean loss. */
    public double meanBatchLoss() {
      return batchLossSum / batches;
    }

    /** The mean loss over samples. */
    public double meanSampleLoss() {
      return sampleLossSum / samples;
    }

    /** The totals since {@code earlier}, a read of the same accumulator before. */
    public Totals since(Totals earlier) {
      return new Totals(
          batches - earlier.batches,
          samples - earlier.samples,
          batchLossSum - earlier.batchLossSum,
          sampleLossSum - earlier.sampleLossSum,
          correct - earlier.correct);
    }
  }

  /** The host backends' accumulator: Java fields, added in the order of the batches. */
  static final class Host extends LossAccumulator {
    private long batches;
    private long samples;
    private double batchLossSum;
    private double sampleLossSum;
    private long correct;

    Host(Backend backend) {
      super(backend);
    }

    @Override
    protected Totals totals() {
      return new Totals(batches, samples, batchLossSum, sampleLossSum, correct);
    }

    @Override
    protected void clear() {
      batches = 0;
      samples = 0;
      batchLossSum = 0;
      sampleLossSum = 0;
      correct = 0;
    }

    @Override
    protected void add(double meanLoss, int right, int batch) {
      batches++;
      samples += batch;
      batchLossSum += meanLoss;
      sampleLossSum += meanLoss * batch;
      correct += right;
    }
  }
}
