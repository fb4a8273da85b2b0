package org.relgraph.engine;

/** The reference backend keeps the contract too (against another instance of itself). */
class JavaBackendContractTest extends BackendContractTest {
  @Override
  protected Backend create(int threads) {
    return new JavaBackend();
  }
}
