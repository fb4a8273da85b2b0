package org.relgraph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LayerBenchRowTest {
  @Test
  void ratesBelowOneKeepFourSignificantDigits() {
    assertEquals("423.70", LayerBench.Row.gflopsText(423.7));
    assertEquals("1.00", LayerBench.Row.gflopsText(1.0));
    assertEquals("0.004321", LayerBench.Row.gflopsText(0.0043214));
    assertEquals("0.5", LayerBench.Row.gflopsText(0.5));
    assertEquals("0.00", LayerBench.Row.gflopsText(0));
  }
}
