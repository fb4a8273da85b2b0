package org.relgraph.engine;

import java.util.List;
import java.util.Optional;

/** The {@code java} backend: {@link JavaBackend}, always available, single-threaded. */
public final class JavaBackendProvider implements BackendProvider {
  @Override
  public String name() {
    return "java";
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public Optional<String> unavailabilityCause() {
    return Optional.empty();
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(
        List.of("host CPU"),
        List.of("blocksparse", "masked", "dense"),
        "none (plain Java, float64 reference)",
        1);
  }

  /** A new {@link JavaBackend}; it runs on the calling thread whatever {@code threads} is. */
  @Override
  public Backend create(int threads) {
    return new JavaBackend();
  }
}
