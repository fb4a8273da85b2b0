package org.relgraph.engine;

/** The reference keeps the convolutions' shape checks (its values are the oracle). */
class JavaConvolutionContractTest extends ConvolutionContractTest {
  @Override
  protected Backend create(int threads) {
    return new JavaBackend();
  }
}
