package org.relgraph.engine.cuda;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.relgraph.engine.Backend;
import org.relgraph.engine.BackendProvider;

/**
 * The {@code cuda} backend: {@link CudaBackend} on the first GPU, through the CUDA driver API and
 * cuBLAS. Unavailable where no GPU can run the kernels, with a one-line cause naming what is
 * missing (see {@link CudaProbe}). Constructing the provider loads nothing.
 *
 * <p>The dense and masked products run cuBLAS SGEMM in FP32; the system property {@value
 * #MATH_PROPERTY}{@code =tf32} selects TF32 tensor-core math (reported in {@link #capabilities()}
 * and by the benchmarks).
 *
 * <p>For tests only, the system property {@value #EMULATED_DEVICE_PROPERTY}{@code =true} makes the
 * backend available everywhere and runs it on {@link EmulatedDevice} (the kernels' CPU emulation),
 * so that the command line's {@code --backend cuda} paths can be exercised without a GPU.
 */
public final class CudaBackendProvider implements BackendProvider {
  /** System property choosing cuBLAS's math mode: {@code fp32} (the default) or {@code tf32}. */
  public static final String MATH_PROPERTY = "relgraph.cuda.math";

  /**
   * Test-only system property: {@code true} runs the backend on {@link EmulatedDevice} instead of a
   * GPU (very slow; for end-to-end tests of the {@code --backend cuda} paths without a GPU).
   */
  public static final String EMULATED_DEVICE_PROPERTY = "relgraph.cuda.test.emulated-device";

  /** Whether {@link #EMULATED_DEVICE_PROPERTY} asks for the emulated device. */
  static boolean emulated() {
    return Boolean.parseBoolean(System.getProperty(EMULATED_DEVICE_PROPERTY, "false").strip());
  }

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public boolean isAvailable() {
    return unavailabilityCause().isEmpty();
  }

  @Override
  public Optional<String> unavailabilityCause() {
    return emulated() ? Optional.empty() : CudaProbe.cause();
  }

  /** The math mode {@link #MATH_PROPERTY} asks for. */
  public static CudaDevice.MathMode requestedMathMode() {
    String v = System.getProperty(MATH_PROPERTY, "fp32").strip().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "fp32" -> CudaDevice.MathMode.FP32;
      case "tf32" -> CudaDevice.MathMode.TF32;
      default ->
          throw new IllegalArgumentException(
              MATH_PROPERTY + " = '" + v + "' is neither fp32 nor tf32");
    };
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(
        List.of(emulated() ? EMULATED_DESCRIPTION : CudaProbe.device()),
        List.of("blocksparse", "masked", "dense"),
        "relgraph CUDA kernels (fatbin); cuBLAS SGEMM "
            + requestedMathMode().name().toLowerCase(Locale.ROOT),
        1);
  }

  private static final String EMULATED_DESCRIPTION =
      "emulated CUDA device (CPU; " + EMULATED_DEVICE_PROPERTY + ", tests only)";

  /** A backend on GPU 0; {@code threads} does not apply (the GPU runs one stream). */
  @Override
  public Backend create(int threads) {
    Optional<String> cause = unavailabilityCause();
    if (cause.isPresent()) {
      throw new IllegalStateException("backend cuda is unavailable: " + cause.get());
    }
    CudaDevice.MathMode mode = requestedMathMode();
    CudaDevice device = emulated() ? new EmulatedDevice() : DriverDevice.open(0);
    try {
      device.setMathMode(mode);
      return new CudaBackend(device);
    } catch (RuntimeException e) {
      device.close();
      throw e;
    }
  }
}
