package org.relgraph.jmh;

import org.relgraph.engine.Backend;
import org.relgraph.engine.BackendProvider;
import org.relgraph.engine.Backends;

/**
 * The {@code cuda} backend for the benchmarks: a new backend on the first GPU, or, where none can
 * run the kernels, a trial skipped with the cause (JMH reports the setup's exception, which names
 * it, and goes on with the next parameters).
 */
final class CudaBenchmarks {
  private CudaBenchmarks() {}

  /** The message a skipped trial fails its setup with. */
  static String skipped(String cause) {
    return "skipped: backend cuda is unavailable: " + cause;
  }

  /**
   * A CUDA backend.
   *
   * @throws IllegalStateException {@link #skipped} with the cause, when unavailable
   */
  static Backend create() {
    BackendProvider p = Backends.discovered().known("cuda");
    if (!p.isAvailable()) {
      String message = skipped(p.unavailabilityCause().orElse("no cause given"));
      System.out.println(System.lineSeparator() + "# " + message);
      throw new IllegalStateException(message);
    }
    Backend b = p.create(1);
    System.out.println(System.lineSeparator() + "# cuda: " + b);
    return b;
  }
}
