package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;
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

  /**
   * The backend of the convolutional networks' dense baseline: dense convolutions on oneDNN's
   * convolution primitives (everything else on the native kernels of the best instruction set).
   */
  @Nested
  class OneDnnPrimitives extends ConvolutionContractTest {
    @Override
    protected Backend create(int threads) {
      assumeTrue(
          CpuBackend.isAvailable(),
          "native backend unavailable: " + CpuBackend.unavailabilityCause());
      Throwable why = BareSgemm.Library.DNNL.unavailabilityCause();
      assumeTrue(why == null, () -> "oneDNN does not load: " + why);
      CpuBackend b = CpuBackend.withConvolutionPrimitives(CpuBackend.bestIsa(), threads);
      assertTrue(b.hasDenseConvolution(), "convolution primitives");
      return b;
    }

    @Override
    protected void ran(Backend b, String op) {
      CpuBackendContractTest.assertRanOn((CpuBackend) b, op);
    }
  }
}
