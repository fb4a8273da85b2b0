package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.bench.LayerBench;
import org.relgraph.engine.MemoryLimits;

/** {@code relgraph bench layers} in-process, with tiny layers and short measurements. */
class BenchCliTest {
  private static final String HEADER = "backend,op,batch,width,nodes,density,ms,gflops";

  @Test
  void layersPrintsTheCsvAndWritesFileAndPlot(@TempDir Path dir) throws IOException {
    Path csv = dir.resolve("layers.csv");
    Path plot = dir.resolve("plot");
    Cli r =
        Cli.run(
            "bench",
            "layers",
            "--quick",
            "--widths",
            "64",
            "--batch",
            "8",
            "--patterns",
            "0.125,complete",
            "--threads",
            "2",
            "--out",
            csv.toString(),
            "--plot",
            plot.toString());
    assertEquals(0, r.status(), r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(
        lines.get(0).matches("# dense: OpenBLAS \\S+ core=\\S+ threads=2; .*fma_peak_gflops=\\d+"),
        lines.get(0));
    // the dense baseline's library, and how it was chosen (auto: measured)
    assertTrue(
        lines.get(0).matches(".*; baseline=(openblas|onednn) \\(auto: bare step openblas .*"),
        lines.get(0));
    assertEquals(HEADER, lines.get(1));
    // k/n = 0.125: masked, blocksparse; complete: dense, bare-sgemm, bare-onednn (where oneDNN
    // loads), masked, blocksparse; 4 ops each; then the matched stack, blocksparse, dense,
    // bare-sgemm and bare-onednn; then, if the dense baseline trails the faster bare loop by more
    // than 10%, "# WARNING" lines
    List<String> rows =
        lines.subList(2, lines.size()).stream().filter(x -> !x.startsWith("#")).toList();
    long oneDnn = rows.stream().filter(x -> x.startsWith("bare-onednn,")).count();
    assertTrue(oneDnn == 0 || oneDnn == 5, r.out());
    assertEquals(oneDnn > 0, lines.get(0).contains("; oneDNN "), lines.get(0));
    assertEquals(6 * 4 + 3 + oneDnn, rows.size(), r.out());
    for (String warning : lines.subList(2 + rows.size(), lines.size())) {
      assertTrue(warning.startsWith("# WARNING: dense baseline, batch 8, width "), warning);
      assertTrue(r.err().contains("relgraph: " + warning.substring(2)), r.err());
    }
    for (String row : rows) {
      String[] f = row.split(",");
      assertEquals(8, f.length, row);
      assertTrue(
          List.of("dense", "bare-sgemm", "bare-onednn", "masked", "blocksparse").contains(f[0]),
          row);
      assertEquals("8", f[2], row);
      assertEquals("64", f[4], row);
      // below 1 GFLOP/s (a 64-wide layer on a loaded machine) the rate keeps 4 significant digits
      assertTrue(Double.parseDouble(f[6]) > 0 && Double.parseDouble(f[7]) > 0, row);
    }
    assertTrue(
        rows.stream().anyMatch(x -> x.startsWith("blocksparse,step,8,64,64,0.140625,")), r.out());
    assertEquals(
        3 + oneDnn / 5,
        rows.stream().filter(x -> x.split(",")[1].equals("matched_stack")).count(),
        r.out());
    assertTrue(
        rows.stream().anyMatch(x -> x.startsWith("dense,matched_stack,8,512,64,1.000000,")),
        r.out());
    assertTrue(
        rows.stream().anyMatch(x -> x.startsWith("bare-sgemm,matched_stack,8,512,64,1.000000,")),
        r.out());
    for (String op : List.of("forward", "backward_data", "backward_weight", "step")) {
      assertTrue(
          rows.stream().anyMatch(x -> x.startsWith("bare-sgemm," + op + ",8,64,64,1.000000,")),
          r.out());
      assertTrue(r.err().contains("dense baseline, batch 8, width 64, " + op + ": "), r.err());
    }
    assertTrue(r.err().contains("dense baseline, batch 8, width 512, matched_stack: "), r.err());
    assertTrue(r.err().contains("matched stack, batch 8: w = "), r.err());
    assertEquals(lines, Files.readAllLines(csv));
    assertTrue(Files.size(plot.resolve("layers_step_b8.png")) > 0);
    assertTrue(Files.size(plot.resolve("layers_step_b8.svg")) > 0);
  }

  @Test
  void layersForceTheInstructionSetAndTheDenseLibrary() {
    Cli r =
        Cli.run(
            "bench",
            "layers",
            "--quick",
            "--widths",
            "64",
            "--batch",
            "8",
            "--patterns",
            "complete",
            "--threads",
            "2",
            "--isa",
            "portable",
            "--dense-library",
            "openblas");
    assertEquals(0, r.status(), r.err());
    String comment = r.out().lines().findFirst().orElse("");
    assertTrue(comment.contains("; baseline=openblas (asked for); "), comment);
    assertTrue(
        comment.matches(".*; blocksparse: PORTABLE threads=2( \\(forced; CPU best \\w+\\))?;.*"),
        comment);
  }

  @Test
  void badInstructionSetsAndDenseLibrariesAreUsageErrors() {
    String e = refusedUpFront(2, "bench", "layers", "--isa", "sse9");
    assertTrue(e.contains("--isa 'sse9' is not portable, avx2, avx512 or auto"), e);
    e = refusedUpFront(2, "bench", "epochs", "--dense-library", "mkl");
    assertTrue(e.contains("--dense-library 'mkl' is not openblas, onednn or auto"), e);
  }

  /** A one-line error before anything is measured or printed. */
  private static String refusedUpFront(int status, String... args) {
    Cli r = Cli.run(args);
    assertEquals(status, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    assertEquals("", r.out());
    return r.err();
  }

  @Test
  void layersTooLargeForATensorOrForMemoryAreRefusedUpFront() {
    String e =
        refusedUpFront(
            2, "bench", "layers", "--widths", "50000", "--patterns", "complete", "--batch", "1");
    assertTrue(e.contains("width 50000") && e.contains("46340"), e);
    e = refusedUpFront(2, "bench", "layers", "--widths", "64", "--batch", "100000000");
    assertTrue(e.contains("batch 100000000"), e);
    // within a tensor's bound, beyond this JVM's memory: masked mode holds four 46000² matrices
    LayerBench.Config huge =
        new LayerBench.Config(
            new int[] {46000},
            new int[] {1},
            new double[] {LayerBench.COMPLETE},
            1,
            LayerBench.Timing.QUICK,
            true);
    LayerBench.Memory need = LayerBench.memory(huge);
    assumeTrue(
        MemoryLimits.shortfall(need.heapBytes(), need.nativeBytes()).isPresent(),
        "this JVM may use the " + MemoryLimits.gib(need.nativeBytes()) + " that width 46000 needs");
    e =
        refusedUpFront(
            1, "bench", "layers", "--widths", "46000", "--patterns", "complete", "--batch", "1");
    assertTrue(e.contains("memory") && e.contains("width 46000"), e);
  }

  @Test
  void invalidParametersGiveOneLineErrors() {
    Cli r = Cli.run("bench", "layers", "--widths", "32");
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("relgraph: width 32 below 64"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    r = Cli.run("bench", "layers", "--patterns", "0.01");
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("relgraph: pattern k/n = 0.01"), r.err());
    r = Cli.run("bench", "layers", "--patterns", "sparse");
    assertEquals(2, r.status());
    assertEquals(1, r.err().lines().count(), r.err());
    r = Cli.run("bench");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("missing command: layers"), r.err());
  }

  /**
   * The dense libraries' settings apply in a new JVM, whatever loads first: {@code --isa avx2}
   * loads OpenBLAS's Haswell kernel and caps oneDNN at AVX2, and without it the benchmarks let
   * OpenBLAS detect the CPU even where the environment forces a core type. (They once loaded
   * OpenBLAS while looking up the backend, before these settings, and ran whatever the environment
   * said.)
   */
  @Test
  void theDenseLibrariesSettingsApplyBeforeOpenBlasLoads() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        org.relgraph.engine.CpuBackend.isAvailable()
            && org.relgraph.engine.CpuBackend.bestIsa()
                != org.relgraph.engine.CpuBackend.Isa.PORTABLE,
        "needs a CPU with AVX2");
    String[] quick = {
      "bench",
      "layers",
      "--quick",
      "--widths",
      "64",
      "--batch",
      "8",
      "--patterns",
      "complete",
      "--threads",
      "1"
    };
    String[] avx2 =
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(quick), java.util.stream.Stream.of("--isa", "avx2"))
            .toArray(String[]::new);
    String first = newJvm(null, avx2).lines().findFirst().orElse("");
    assertTrue(first.contains(" core=Haswell "), first);
    assertTrue(first.contains(" isa=avx2;") || first.contains("oneDNN unavailable"), first);
    first = newJvm("Prescott", quick).lines().findFirst().orElse("");
    assertTrue(first.startsWith("# dense: OpenBLAS "), first);
    assertFalse(first.contains(" core=Prescott "), first);
  }

  /** Stdout of the CLI in a new JVM, OPENBLAS_CORETYPE set to {@code coretype} (null: unset). */
  private static String newJvm(String coretype, String... args) throws Exception {
    java.util.List<String> command = new java.util.ArrayList<>();
    command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.relgraph.cli.Main");
    command.addAll(java.util.List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().remove("OPENBLAS_L2_SIZE");
    if (coretype == null) {
      pb.environment().remove("OPENBLAS_CORETYPE");
    } else {
      pb.environment().put("OPENBLAS_CORETYPE", coretype);
    }
    Process p = pb.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), "the CLI did not finish");
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
