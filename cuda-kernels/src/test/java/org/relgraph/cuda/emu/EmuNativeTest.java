package org.relgraph.cuda.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Compiles and runs the native tests with g++: every kernel through the emulation against float64
 * references (src/test/cpp/emu_kernels_test.cpp) under AddressSanitizer and
 * UndefinedBehaviorSanitizer; and the GPU harness of gpu-check.sh (src/test/gpu), compiled against
 * the emulation and run on small shapes and a one-point timing grid, so that its sources build and
 * its paths run here. Any failure fails the build.
 */
class EmuNativeTest {
  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path OUT = MODULE.resolve("target/native-tests");

  private static boolean hasGpp() {
    try {
      return new ProcessBuilder("g++", "--version").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static List<String> gpp(String... more) {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "g++",
            "-std=c++17",
            "-g",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wno-unknown-pragmas",
            "-I",
            "src/main/cpp/emu",
            "-I",
            "src/main/cuda",
            "-I",
            "src/test/cpp"));
    cmd.addAll(List.of(more));
    return cmd;
  }

  private static String run(List<String> cmd, long minutes) throws Exception {
    Files.createDirectories(OUT);
    Path log = Files.createTempFile(OUT, "run", ".log");
    Process p =
        new ProcessBuilder(cmd)
            .directory(MODULE.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean done = p.waitFor(minutes, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(String.join(" ", cmd) + "\n" + out);
    assertEquals(0, done ? p.exitValue() : -1, String.join(" ", cmd) + " failed:\n" + out);
    return out;
  }

  @Test
  void kernelsMatchFloat64ReferencesUnderSanitizers() throws Exception {
    assumeTrue(hasGpp(), "g++ not found");
    String exe = OUT.resolve("emu_kernels_test").toString();
    run(
        gpp(
            "-O1",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
            "src/test/cpp/emu_kernels_test.cpp",
            "-o",
            exe),
        10);
    run(List.of(exe), 15);
  }

  @Test
  void gpuHarnessBuildsAndRunsOnTheEmulation() throws Exception {
    assumeTrue(hasGpp(), "g++ not found");
    String exe = OUT.resolve("gpu_harness_emu").toString();
    run(
        gpp(
            "-O1",
            "-DRG_HARNESS_EMU",
            "-I",
            "src/test/gpu",
            "src/test/gpu/gpu_harness.cpp",
            "-o",
            exe),
        10);
    run(List.of(exe, "check", "-", "--small"), 5);
    Path bench = OUT.resolve("bench");
    Files.createDirectories(bench);
    run(List.of(exe, "bench", "-", bench.toString(), "--tiny"), 5);
    String csv = Files.readString(bench.resolve("harness.csv"), StandardCharsets.UTF_8);
    for (String backend :
        List.of("blocksparse", "cublas_dense", "cublas_dense_512", "cublas_masked")) {
      assertTrue(csv.contains("," + backend + ","), backend + " missing from\n" + csv);
    }
    assertTrue(csv.contains("cusparse_bsr,-1,0,skipped: blocks of uneven size"), csv);
  }
}
