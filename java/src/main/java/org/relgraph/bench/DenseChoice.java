package org.relgraph.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.relgraph.engine.BareSgemm;
import org.relgraph.engine.CpuBackend;

/**
 * The dense library of a benchmark's baseline: the one asked for ({@code openblas}, {@code
 * onednn}), or with {@code auto} the faster of the two on this machine, measured once before the
 * benchmark as bare loops of the dense layers it times (each library's summed step time over the
 * shapes). oneDNN takes part only where it loads with the benchmark's thread count.
 *
 * @param library the library the baseline's dense products call
 * @param how how it was chosen, for the benchmark's comment line, e.g. {@code auto: bare step
 *     openblas 1.234 ms, onednn 1.011 ms}
 */
public record DenseChoice(BareSgemm.Library library, String how) {
  /** The option values, in the order the help lists them. */
  public static final List<String> OPTIONS = List.of("openblas", "onednn", "auto");

  /**
   * The library of an option value, or null for {@code auto}.
   *
   * @throws IllegalArgumentException for any other value
   */
  public static BareSgemm.Library parse(String option) {
    String v = option.trim().toLowerCase(Locale.ROOT);
    for (BareSgemm.Library l : BareSgemm.Library.values()) {
      if (l.label().equals(v)) {
        return l;
      }
    }
    if (v.equals("auto")) {
      return null;
    }
    throw new IllegalArgumentException(
        "--dense-library '" + option + "' is not openblas, onednn or auto");
  }

  /**
   * The library for {@code option}: the named one (checked to load), or with {@code auto} the one
   * whose bare loops over {@code shapes} ({@code {out, in, batch}} each: a dense layer's three
   * products) take less time in all, on {@code threads} threads.
   *
   * @throws IllegalStateException when oneDNN is named and does not load with {@code threads}
   */
  public static DenseChoice choose(
      String option, List<int[]> shapes, int threads, LayerBench.Timing timing) {
    BareSgemm.Library named = parse(option);
    if (named != null) {
      if (named == BareSgemm.Library.DNNL) {
        // loads it with `threads` (a backend takes the count it was loaded with before), or says
        // why not
        CpuBackend.create(CpuBackend.bestIsa(), threads, named).close();
      }
      return new DenseChoice(named, "asked for");
    }
    // the libraries take turns, three rounds, each keeping its best: a noisy machine hits both
    java.util.Map<BareSgemm.Library, Double> best =
        new java.util.EnumMap<>(BareSgemm.Library.class);
    java.util.Map<BareSgemm.Library, String> missing =
        new java.util.EnumMap<>(BareSgemm.Library.class);
    for (int round = 0; round < ROUNDS; round++) {
      for (BareSgemm.Library l : BareSgemm.Library.values()) {
        if (missing.containsKey(l)) {
          continue;
        }
        try {
          double ms = stepMs(l, shapes, threads, timing);
          best.merge(l, ms, Math::min);
        } catch (IllegalStateException e) {
          missing.put(l, e.getMessage().lines().findFirst().orElse(""));
        }
      }
    }
    List<String> times = new ArrayList<>();
    BareSgemm.Library fastest = null;
    for (BareSgemm.Library l : BareSgemm.Library.values()) {
      if (missing.containsKey(l)) {
        times.add(l.label() + " unavailable (" + missing.get(l) + ")");
        continue;
      }
      times.add(String.format(Locale.ROOT, "%s %.3f ms", l.label(), best.get(l)));
      if (fastest == null || best.get(l) < best.get(fastest)) {
        fastest = l;
      }
    }
    if (fastest == null) {
      throw new IllegalStateException("no dense library loads: " + String.join(", ", times));
    }
    return new DenseChoice(fastest, "auto: bare step " + String.join(", ", times));
  }

  /** Rounds of the {@code auto} measurement. */
  private static final int ROUNDS = 3;

  /** The summed median step time of bare loops of {@code library} over {@code shapes}, ms. */
  private static double stepMs(
      BareSgemm.Library library, List<int[]> shapes, int threads, LayerBench.Timing timing) {
    double sum = 0;
    for (int[] s : shapes) {
      try (BareSgemm loop =
          new BareSgemm(library, s[0], s[1], s[2], threads, LayerBench.DATA_SEED)) {
        sum += LayerBench.medianSeconds(loop::step, timing) * 1e3;
      }
    }
    return sum;
  }

  /** The comment-line text: {@code baseline=onednn (auto: bare step ...)}. */
  public String describe() {
    return "baseline=" + library.label() + " (" + how + ")";
  }
}
