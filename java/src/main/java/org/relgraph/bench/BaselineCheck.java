package org.relgraph.bench;

import java.util.Locale;

/**
 * The dense baseline against a bare sgemm loop of the same shape, measured in the same run ({@link
 * org.relgraph.engine.BareSgemm}): the baseline is honest when it takes at most {@link #TOLERANCE}
 * times the bare loop's time. The benchmarks compare it with the faster of the dense libraries they
 * time (OpenBLAS, oneDNN). Every sparse/dense ratio a benchmark reports is only as good as this.
 *
 * @param what the product timed, e.g. {@code batch 128, width 512, forward}
 * @param baselineMs the backend's dense product, ms
 * @param bareMs the bare loop, ms
 * @param bareLibrary the bare loop's library ({@code openblas}, {@code onednn})
 */
public record BaselineCheck(String what, double baselineMs, double bareMs, String bareLibrary) {
  /** How much slower than the bare loop the baseline may be: 10%. */
  public static final double TOLERANCE = 1.10;

  /** A check against a bare OpenBLAS loop. */
  public BaselineCheck(String what, double baselineMs, double bareMs) {
    this(what, baselineMs, bareMs, "openblas");
  }

  /** Baseline time over bare time. */
  public double ratio() {
    return baselineMs / bareMs;
  }

  /** Whether the baseline trails the bare loop by more than 10%. */
  public boolean trails() {
    return ratio() > TOLERANCE;
  }

  /**
   * One line, e.g. {@code dense baseline, batch 128, width 512, forward: 0.501 ms, bare sgemm 0.480
   * ms (1.04x)} ({@code bare sgemm (onednn) ...} where the bare loop is not OpenBLAS's); prefixed
   * {@code WARNING: } and followed by what it means when it {@link #trails()}.
   */
  public String line() {
    String s =
        String.format(
            Locale.ROOT,
            "dense baseline, %s: %.3f ms, bare sgemm%s %.3f ms (%.2fx)",
            what,
            baselineMs,
            bareLibrary.equals("openblas") ? "" : " (" + bareLibrary + ")",
            bareMs,
            ratio());
    return trails()
        ? "WARNING: "
            + s
            + ": the baseline trails the bare loop by more than 10%; ratios against it flatter"
            + " the sparse modes"
        : s;
  }
}
