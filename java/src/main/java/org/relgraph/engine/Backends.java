package org.relgraph.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The backends on the class path, discovered through {@link ServiceLoader} from {@code
 * META-INF/services/org.relgraph.engine.BackendProvider}, ordered by name. A new backend is added
 * by registering a provider there; nothing else names it.
 */
public final class Backends {
  private static final Backends DISCOVERED = new Backends(discover());

  private final List<BackendProvider> providers;

  /** Backends of exactly these providers (for tests). */
  Backends(List<BackendProvider> providers) {
    List<BackendProvider> sorted = new ArrayList<>(providers);
    sorted.sort(Comparator.comparing(BackendProvider::name));
    this.providers = List.copyOf(sorted);
  }

  private static List<BackendProvider> discover() {
    List<BackendProvider> found = new ArrayList<>();
    ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(found::add);
    return found;
  }

  /** The discovered backends. */
  public static Backends discovered() {
    return DISCOVERED;
  }

  /** Every discovered provider, ordered by name. */
  public static List<BackendProvider> all() {
    return DISCOVERED.providers();
  }

  /** The discovered, available backend of this name (case-insensitive). */
  public static BackendProvider find(String name) {
    return DISCOVERED.lookup(name);
  }

  /** These providers, ordered by name. */
  public List<BackendProvider> providers() {
    return providers;
  }

  /** The names, comma-separated, in order. */
  public String names() {
    return providers.stream().map(BackendProvider::name).collect(Collectors.joining(", "));
  }

  /**
   * The available provider of this name (case-insensitive).
   *
   * @throws IllegalArgumentException when no provider has the name ("unknown backend 'x': there are
   *     cpu, java"), or it is unavailable ("backend cpu is unavailable: cause")
   */
  public BackendProvider lookup(String name) {
    BackendProvider p = known(name);
    if (!p.isAvailable()) {
      throw new IllegalArgumentException(
          "backend "
              + p.name()
              + " is unavailable: "
              + p.unavailabilityCause().orElse("no cause given"));
    }
    return p;
  }

  /**
   * The provider of this name (case-insensitive), available or not.
   *
   * @throws IllegalArgumentException when no provider has the name
   */
  public BackendProvider known(String name) {
    String wanted = name == null ? "" : name.toLowerCase(Locale.ROOT);
    for (BackendProvider p : providers) {
      if (p.name().equals(wanted)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown backend '" + name + "': there are " + names());
  }
}
