package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cuda backend's cause names what is missing beyond the driver library: a stand-in {@code
 * libcuda.so.1} (built here with gcc) that reports no device gives "no CUDA device", and one that
 * reports a device leads the probe on to cuBLAS, which this machine lacks. Each runs the CLI in its
 * own JVM, since the probe runs once per process.
 */
class CudaCausesCliTest {
  private static final String STUB =
      """
      #ifndef DEVICES
      #define DEVICES 0
      #endif
      int cuInit(unsigned f) { (void) f; return DEVICES > 0 ? 0 : 100; }
      int cuDeviceGetCount(int* n) { *n = DEVICES; return 0; }
      int cuDeviceGetName(char* s, int len, int d) { (void) len; (void) d; s[0] = 0; return 0; }
      int cuDriverGetVersion(int* v) { *v = 13000; return 0; }
      int cuGetErrorName(int e, const char** s) { (void) e; *s = "CUDA_ERROR_NO_DEVICE"; return 0; }
      int cuGetErrorString(int e, const char** s) { (void) e; *s = "no device"; return 0; }
      """;

  private static boolean has(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static Path stub(Path dir, int devices) throws Exception {
    Path src = dir.resolve("stub.c");
    Files.writeString(src, STUB);
    Path lib = dir.resolve("libcuda.so.1");
    Process p =
        new ProcessBuilder(
                "gcc",
                "-shared",
                "-fPIC",
                "-DDEVICES=" + devices,
                "-Wl,-soname,libcuda.so.1",
                "-o",
                lib.toString(),
                src.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return dir;
  }

  /** The CLI in a new JVM with the stand-in driver first on the library path. */
  private static String[] cli(Path libDir, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.relgraph.cli.Main");
    command.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(command);
    String old = System.getenv("LD_LIBRARY_PATH");
    b.environment().put("LD_LIBRARY_PATH", libDir + (old == null ? "" : File.pathSeparator + old));
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    return new String[] {String.valueOf(p.exitValue()), out, err};
  }

  private static String cudaLine(String backends) {
    return backends.lines().filter(l -> l.startsWith("cuda ")).findFirst().orElseThrow();
  }

  @Test
  void aDriverWithoutADeviceSaysNoCudaDevice(@TempDir Path dir) throws Exception {
    assumeTrue(has("gcc"), "gcc is needed to build the stand-in driver");
    Path lib = stub(dir, 0);
    String[] r = cli(lib, "backends");
    assertEquals("0", r[0], r[2]);
    String line = cudaLine(r[1]);
    // where the runtime itself is missing, the cause names it instead
    assumeTrue(!line.contains("libcudart"), "no CUDA runtime here: " + line);
    assertEquals("cuda  available: no (no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE))", line, r[1]);

    String[] train = cli(lib, BackendsCliTest.train("cuda"));
    assertEquals("2", train[0], train[2]);
    assertEquals(
        "relgraph: backend cuda is unavailable: no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)",
        train[2].strip());
  }

  @Test
  void aDeviceWithoutCublasNamesLibcublas(@TempDir Path dir) throws Exception {
    assumeTrue(has("gcc"), "gcc is needed to build the stand-in driver");
    Path lib = stub(dir, 1);
    String[] r = cli(lib, "backends");
    assertEquals("0", r[0], r[2]);
    String line = cudaLine(r[1]);
    assumeTrue(!line.contains("libcudart"), "no CUDA runtime here: " + line);
    assumeTrue(!line.contains("available: yes"), "cuBLAS is installed here");
    assertTrue(line.startsWith("cuda  available: no (libcublas.so.13 not found"), line);
  }
}
