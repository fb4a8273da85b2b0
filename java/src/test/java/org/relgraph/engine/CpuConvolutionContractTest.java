package org.relgraph.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Nested;

/** The convolution operations of the native backend on every instruction set this CPU has. */
class CpuConvolutionContractTest {
  /** The contract at one instruction set; each call must run that set's kernels. */
  abstract static class AtIsa extends ConvolutionContractTest {
    private final CpuBackend.Isa isa;

    AtIsa(CpuBackend.Isa isa) {
      this.isa = isa;
    }

    @Override
    protected Backend create(int threads) {
      assumeTrue(
          CpuBackend.isAvailable(),
          "native backend unavailable: " + CpuBackend.unavailabilityCause());
      assumeTrue(
          isa.ordinal() <= CpuBackend.bestIsa().ordinal(),
          isa + " not supported by this CPU (best: " + CpuBackend.bestIsa() + ")");
      return CpuBackend.create(isa, threads);
    }

    @Override
    protected void ran(Backend b, String op) {
      CpuBackendContractTest.assertRanOn((CpuBackend) b, op);
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
}
