package org.relgraph.engine;

import java.util.List;
import java.util.Optional;

/**
 * A kind of {@link Backend}, found through {@link java.util.ServiceLoader} (see {@link Backends}).
 * A provider is cheap to construct: it must not load native code until {@link #isAvailable()},
 * {@link #capabilities()} or {@link #create(int)} is called.
 */
public interface BackendProvider {
  /** The name given to {@code --backend}: lower case, e.g. {@code cpu}. */
  String name();

  /** Whether {@link #create(int)} can make a backend on this machine. */
  boolean isAvailable();

  /** Why this backend cannot run here (one line), or empty when it can. */
  Optional<String> unavailabilityCause();

  /** What the backend offers; describes what is known even when it is unavailable. */
  Capabilities capabilities();

  /**
   * A new backend using up to {@code threads} threads.
   *
   * @throws IllegalStateException when the backend is unavailable
   */
  Backend create(int threads);

  /**
   * What a backend offers.
   *
   * @param devices where it computes, e.g. {@code host CPU}
   * @param modes the execution modes it runs (labels: blocksparse, masked, dense)
   * @param isa the instruction set its kernels use here, and the ones it was built with
   * @param maxThreads the most threads it uses
   */
  record Capabilities(List<String> devices, List<String> modes, String isa, int maxThreads) {
    public Capabilities {
      devices = List.copyOf(devices);
      modes = List.copyOf(modes);
      if (isa == null || maxThreads < 1) {
        throw new IllegalArgumentException("isa must be given and maxThreads >= 1");
      }
    }
  }
}
