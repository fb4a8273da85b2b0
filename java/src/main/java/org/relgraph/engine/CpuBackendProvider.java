package org.relgraph.engine;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code cpu} backend: {@link CpuBackend} at the best instruction set of this CPU. Unavailable,
 * with the native load error as its cause, when the native libraries cannot load. Constructing the
 * provider loads nothing; the first call that needs the native side does.
 */
public final class CpuBackendProvider implements BackendProvider {
  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public boolean isAvailable() {
    return CpuBackend.isAvailable();
  }

  @Override
  public Optional<String> unavailabilityCause() {
    Throwable t = CpuBackend.unavailabilityCause();
    if (t == null) {
      return Optional.empty();
    }
    String message = t.getMessage() == null ? t.toString() : t.getMessage();
    return Optional.of(message.lines().findFirst().orElse(t.getClass().getName()).strip());
  }

  @Override
  public Capabilities capabilities() {
    String built =
        Arrays.stream(CpuBackend.Isa.values())
            .map(i -> i.name().toLowerCase(java.util.Locale.ROOT))
            .collect(Collectors.joining(", "));
    String isa =
        isAvailable()
            ? CpuBackend.bestIsa().name().toLowerCase(java.util.Locale.ROOT)
                + " (built: "
                + built
                + ")"
            : "unknown (native library not loaded; built: " + built + ")";
    return new Capabilities(
        List.of("host CPU"),
        List.of("blocksparse", "masked", "dense"),
        isa,
        Runtime.getRuntime().availableProcessors());
  }

  @Override
  public Backend create(int threads) {
    return create(threads, BareSgemm.Library.OPENBLAS);
  }

  /**
   * A backend whose dense products call {@code dense} (see {@link CpuBackend#create(CpuBackend.Isa,
   * int, BareSgemm.Library)}).
   *
   * @throws IllegalStateException when the backend is unavailable, or oneDNN is asked for and does
   *     not load
   */
  public Backend create(int threads, BareSgemm.Library dense) {
    return create(threads, dense, false);
  }

  /**
   * As {@link #create(int, BareSgemm.Library)}; with {@code convolutionPrimitives} (oneDNN only),
   * dense convolutions on oneDNN's own primitives ({@link CpuBackend#withConvolutionPrimitives}).
   *
   * @throws IllegalArgumentException for convolution primitives on OpenBLAS
   */
  public Backend create(int threads, BareSgemm.Library dense, boolean convolutionPrimitives) {
    requireAvailable();
    if (!convolutionPrimitives) {
      return CpuBackend.create(CpuBackend.bestIsa(), threads, dense);
    }
    if (dense != BareSgemm.Library.DNNL) {
      throw new IllegalArgumentException("convolution primitives run on oneDNN, not " + dense);
    }
    return CpuBackend.withConvolutionPrimitives(CpuBackend.bestIsa(), threads);
  }

  /**
   * Loads the native side.
   *
   * @throws IllegalStateException saying why, when the backend is unavailable
   */
  public void requireAvailable() {
    if (!isAvailable()) {
      throw new IllegalStateException(
          "backend cpu is unavailable: " + unavailabilityCause().orElse(""));
    }
  }
}
