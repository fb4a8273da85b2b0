package org.relgraph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayerBenchTimingTest {
  /**
   * Side-by-side timing takes the ops' samples in turns: the calls of two ops switch from one to
   * the other at least once per sample (timing each op on its own in a row would switch once).
   */
  @Test
  void interleavedTimingTakesTheOpsSamplesInTurns() {
    LayerBench.Timing timing = new LayerBench.Timing(0.001, 0.02, 5, 0.01, 0.0);
    List<Integer> calls = new ArrayList<>();
    Runnable a = () -> spin(calls, 0);
    Runnable b = () -> spin(calls, 1);
    double[] seconds = LayerBench.interleavedMedianSeconds(List.of(a, b), timing);
    assertEquals(2, seconds.length);
    assertTrue(seconds[0] > 0 && seconds[1] > 0, "positive times");
    int switches = 0;
    for (int i = 1; i < calls.size(); i++) {
      if (!calls.get(i).equals(calls.get(i - 1))) {
        switches++;
      }
    }
    // one switch after the warm-ups, then two a round over at least 3 rounds
    assertTrue(
        switches >= 1 + 2 * 3 - 1,
        "calls switched " + switches + " times in " + calls.size() + " calls");
  }

  private static void spin(List<Integer> calls, int id) {
    calls.add(id);
    long end = System.nanoTime() + 50_000;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }
}
