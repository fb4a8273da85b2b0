package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Nested;
import org.relgraph.nativecpu.RelgraphKernels;

/**
 * The native backend keeps the contract on every instruction set this CPU has (the others skip with
 * a reason), and every call runs the kernels compiled for the backend's own instruction set.
 */
class CpuBackendContractTest {
  /** The last native call on this thread ran the kernels compiled for {@code cpu}'s ISA. */
  static void assertRanOn(CpuBackend cpu, String op) {
    assertEquals(
        cpu.isa().ordinal(),
        RelgraphKernels.test_last_isa(),
        op + " on " + cpu + " ran another instruction set's kernels");
  }

  /** The contract at one instruction set. */
  abstract static class AtIsa extends BackendContractTest {
    private final CpuBackend.Isa isa;
    private final BareSgemm.Library dense;

    AtIsa(CpuBackend.Isa isa) {
      this(isa, BareSgemm.Library.OPENBLAS);
    }

    AtIsa(CpuBackend.Isa isa, BareSgemm.Library dense) {
      this.isa = isa;
      this.dense = dense;
    }

    @Override
    protected Backend create(int threads) {
      assumeTrue(
          CpuBackend.isAvailable(),
          "native backend unavailable: " + CpuBackend.unavailabilityCause());
      assumeTrue(
          isa.ordinal() <= CpuBackend.bestIsa().ordinal(),
          isa + " not supported by this CPU (best: " + CpuBackend.bestIsa() + ")");
      assumeTrue(
          dense.isAvailable(),
          () -> dense.label() + " unavailable: " + dense.unavailabilityCause());
      CpuBackend cpu = CpuBackend.create(isa, threads, dense);
      assertEquals(dense, cpu.denseLibrary());
      return cpu;
    }

    @Override
    protected void ran(Backend b, String op) {
      String name = op.toLowerCase(java.util.Locale.ROOT);
      // the dense products are OpenBLAS's; the masked ones run the ISA's multiply first
      if (b instanceof CpuBackend cpu && !name.startsWith("dense")) {
        assertRanOn(cpu, op);
      }
    }
  }

  @Nested
  class Portable extends AtIsa {
    Portable() {
      super(CpuBackend.Isa.PORTABLE);
    }
  }

  @Nested
  class Avx2 extends AtIsa {
    Avx2() {
      super(CpuBackend.Isa.AVX2);
    }
  }

  @Nested
  class Avx512 extends AtIsa {
    Avx512() {
      super(CpuBackend.Isa.AVX512);
    }
  }

  /** Dense and masked products through oneDNN's sgemm, the benchmarks' other dense library. */
  @Nested
  class Avx2OneDnn extends AtIsa {
    Avx2OneDnn() {
      super(CpuBackend.Isa.AVX2, BareSgemm.Library.DNNL);
    }
  }
}
