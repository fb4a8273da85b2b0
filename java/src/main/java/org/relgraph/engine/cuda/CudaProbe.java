package org.relgraph.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds out, once per process and only when first asked, whether a GPU can run relgraph's kernels
 * here, and if not, exactly what is missing, in one line: the CUDA presets' jars, the driver
 * library (libcuda.so.1), the CUDA runtime (libcudart), cuBLAS (libcublas), a device, or the
 * kernels' fatbin in the jar. Nothing loads before the first question.
 */
final class CudaProbe {
  /** The class-path resource holding the kernels, built by nvcc in cuda-kernels. */
  static final String FATBIN = "org/relgraph/cuda/relgraph_kernels.fatbin";

  /** The cause when the fatbin is not on the class path. */
  static final String FATBIN_MISSING =
      "the kernels' fatbin ("
          + FATBIN
          + ") is missing from the jar: cuda-kernels was built without nvcc";

  private static final Pattern MISSING_LIBRARY =
      Pattern.compile("(lib[\\w.+-]+\\.so[.\\d]*): cannot open shared object file");

  private static volatile Result result;

  /** The outcome of the probe: a device's description, or why there is none. */
  record Result(Optional<String> cause, String device) {}

  private CudaProbe() {}

  /** Why no GPU can run the kernels here, or empty when one can (probes on first call). */
  static Optional<String> cause() {
    return probe().cause();
  }

  /** The first device's description, or a placeholder when unavailable. */
  static String device() {
    return probe().device();
  }

  private static Result probe() {
    Result r = result;
    if (r == null) {
      synchronized (CudaProbe.class) {
        r = result;
        if (r == null) {
          r = run();
          result = r;
        }
      }
    }
    return r;
  }

  private static Result run() {
    String cause = loadLibrary("org.bytedeco.cuda.global.cudart");
    if (cause != null) {
      return unavailable(cause);
    }
    int status = org.bytedeco.cuda.global.cudart.cuInit(0);
    if (status == org.bytedeco.cuda.global.cudart.CUDA_ERROR_NO_DEVICE) {
      return unavailable("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)");
    }
    if (status != 0) {
      return unavailable(
          "the CUDA driver cannot start (cuInit: " + DriverDevice.errorText(status) + ")");
    }
    int[] count = new int[1];
    if (org.bytedeco.cuda.global.cudart.cuDeviceGetCount(count) != 0 || count[0] < 1) {
      return unavailable("no CUDA device (cuDeviceGetCount: 0)");
    }
    cause = loadLibrary("org.bytedeco.cuda.global.cublas");
    if (cause != null) {
      return unavailable(cause);
    }
    if (!hasFatbin()) {
      return unavailable(FATBIN_MISSING);
    }
    byte[] name = new byte[256];
    org.bytedeco.cuda.global.cudart.cuDeviceGetName(name, name.length, 0);
    int len = 0;
    while (len < name.length && name[len] != 0) {
      len++;
    }
    return new Result(
        Optional.empty(), new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII));
  }

  private static Result unavailable(String cause) {
    return new Result(Optional.of(cause), "NVIDIA GPU (none usable here)");
  }

  /** Loads one presets class's JNI library; null when it loaded, else what is missing. */
  static String loadLibrary(String presetClass) {
    try {
      org.bytedeco.javacpp.Loader.load(Class.forName(presetClass));
      return null;
    } catch (ClassNotFoundException | NoClassDefFoundError e) {
      return "the CUDA presets (org.bytedeco:cuda jars) are not on the class path";
    } catch (Throwable t) {
      return missingLibrary(t);
    }
  }

  /** One line naming the shared library a load failure could not find. */
  static String missingLibrary(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      Matcher m = MISSING_LIBRARY.matcher(String.valueOf(c.getMessage()));
      if (m.find()) {
        return describeMissing(m.group(1));
      }
    }
    String message = t.getMessage() == null ? t.toString() : t.getMessage();
    return "the CUDA JNI libraries failed to load: "
        + message.lines().findFirst().orElse(t.getClass().getName()).strip();
  }

  static String describeMissing(String library) {
    if (library.startsWith("libcuda.so")) {
      return library + " not found: no NVIDIA driver on this machine";
    }
    if (library.startsWith("libcudart.so")) {
      return library
          + " not found: the CUDA runtime is not installed (or its lib64 is not on"
          + " LD_LIBRARY_PATH)";
    }
    if (library.startsWith("libcublas")) {
      return library
          + " not found: cuBLAS is not installed (or its lib64 is not on LD_LIBRARY_PATH)";
    }
    return library + " not found (or not on LD_LIBRARY_PATH)";
  }

  /** Whether the fatbin is on the class path (loads nothing native). */
  static boolean hasFatbin() {
    return CudaProbe.class.getClassLoader().getResource(FATBIN) != null;
  }

  /** The fatbin's bytes, or null when missing. */
  static byte[] fatbin() {
    try (InputStream in = CudaProbe.class.getClassLoader().getResourceAsStream(FATBIN)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + FATBIN, e);
    }
  }
}
