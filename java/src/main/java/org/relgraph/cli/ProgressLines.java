package org.relgraph.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Progress for a log file or a pipe, where a progress bar would be noise: a line every few seconds
 * with the count, the rate and the time left. Safe to call from worker threads.
 */
final class ProgressLines implements LongConsumer {
  private final PrintWriter err;
  private final String what;
  private final String unit;
  private final long total;
  private final long intervalNanos;
  private final LongSupplier clock;
  private final long start;
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong lastLine;

  /**
   * @param what the task, e.g. "design space"
   * @param unit what is counted, plural, e.g. "graphs"
   * @param total the count when the task is done
   * @param interval the time between lines
   * @param clock nanoseconds, e.g. {@code System::nanoTime}
   */
  ProgressLines(
      PrintWriter err,
      String what,
      String unit,
      long total,
      Duration interval,
      LongSupplier clock) {
    this.err = err;
    this.what = what;
    this.unit = unit;
    this.total = total;
    this.intervalNanos = interval.toNanos();
    this.clock = clock;
    this.start = clock.getAsLong();
    this.lastLine = new AtomicLong(start);
  }

  @Override
  public void accept(long finished) {
    long d = done.addAndGet(finished);
    long now = clock.getAsLong();
    long last = lastLine.get();
    if (now - last < intervalNanos || !lastLine.compareAndSet(last, now)) {
      return;
    }
    double seconds = (now - start) / 1e9;
    double rate = seconds > 0 ? d / seconds : 0;
    String eta =
        rate > 0 && d < total
            ? SweepProgress.hms(Duration.ofSeconds(Math.round((total - d) / rate)))
            : "0:00:00";
    synchronized (err) {
      err.printf(
          Locale.ROOT,
          "relgraph: %s: %,d of %,d %s (%.1f%%), %,.0f %s/s, ETA %s%n",
          what,
          d,
          total,
          unit,
          total > 0 ? 100.0 * d / total : 100.0,
          rate,
          unit,
          eta);
      err.flush();
    }
  }
}
