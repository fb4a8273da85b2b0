package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The register-loop FMA peak at a forced instruction set, which the benchmarks print. */
class FmaPeakTest {
  @Test
  void thePeakIsMeasuredWithTheVectorsOfTheIsaAskedFor() {
    assumeTrue(CpuBackend.isAvailable(), () -> "native: " + CpuBackend.unavailabilityCause());
    assertEquals(0, CpuBackend.fmaPeakGflops(CpuBackend.Isa.PORTABLE, 1, 0.01));
    for (CpuBackend.Isa isa : CpuBackend.Isa.values()) {
      if (isa == CpuBackend.Isa.PORTABLE) {
        continue;
      }
      if (isa.ordinal() > CpuBackend.bestIsa().ordinal()) {
        assertThrows(IllegalArgumentException.class, () -> CpuBackend.fmaPeakGflops(isa, 1, 0.01));
      } else {
        assertTrue(CpuBackend.fmaPeakGflops(isa, 1, 0.01) > 0, isa.toString());
      }
    }
  }
}
