package org.relgraph.engine;

import org.relgraph.engine.cuda.CudaBackend;
import org.relgraph.engine.cuda.EmulatedDevice;

/**
 * The CUDA backend keeps the contract on the emulated device: the same kernel sources the GPU runs,
 * executed on the CPU, with the same argument marshalling, device-resident tensors, cached layouts
 * and device loss accumulators.
 */
class EmulatedCudaBackendContractTest extends BackendContractTest {
  @Override
  protected Backend create(int threads) {
    return new CudaBackend(new EmulatedDevice());
  }

  /** One stream, no host threads: one pass of the sweep (the emulation is slow). */
  @Override
  protected int[] sweepThreads() {
    return new int[] {2};
  }
}
