package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.bench.ConvBench;

/** {@code relgraph bench convs} in-process: the quick subset at batch 1, and bad options. */
class BenchConvsCliTest {
  private static final String HEADER =
      "backend,op,net,stage,kernel,batch,channels,size,width,nodes,density,ms,gflops";

  @Test
  void quickRunPrintsTheCsvTheClosingLinesAndWritesFileAndPlot(@TempDir Path dir)
      throws IOException {
    Path csv = dir.resolve("convs.csv");
    Path plot = dir.resolve("plot");
    Cli r =
        Cli.run(
            "bench",
            "convs",
            "--quick",
            "--batch",
            "1",
            "--threads",
            "2",
            "--out",
            csv.toString(),
            "--plot",
            plot.toString());
    assertEquals(0, r.status(), r.err());
    List<String> lines = r.out().lines().toList();
    String comment = lines.get(0);
    assertTrue(
        comment.matches("# dense: OpenBLAS \\S+ core=\\S+ threads=2; .*fma_peak_gflops=\\d+.*"),
        comment);
    assertTrue(
        comment.contains("; baseline=openblas (auto: bare step openblas ")
            || comment.contains("; baseline=onednn (auto: bare step openblas "),
        comment);
    assertTrue(comment.contains("timed: forward only"), comment);
    assertTrue(comment.contains("relational: 64-node WS-flex k/n=0.125"), comment);
    boolean oneDnn = comment.contains("onednn-conv: oneDNN convolution primitive, impl ");
    assertTrue(oneDnn || comment.contains("onednn-conv not timed ("), comment);
    assertEquals(HEADER, lines.get(1));
    List<String> rows =
        lines.subList(2, lines.size()).stream().filter(x -> !x.startsWith("#")).toList();
    List<String> closing = lines.subList(2 + rows.size(), lines.size());
    // cifar stage 3 and resnet34 stage 4, 3x3 and 1x1: onednn-conv (where it loads), dense, then
    // blocksparse, masked and dense at the matched width
    int perConfig = oneDnn ? 5 : 4;
    assertEquals(4 * perConfig, rows.size(), r.out());
    int cifar = ConvBench.matchedWidth(256);
    int resnet = ConvBench.matchedWidth(512);
    for (String prefix :
        List.of(
            "dense,forward,cifar,3,3,1,256,8,256,64,1.000000,",
            "blocksparse,forward,cifar,3,3,1,256,8," + cifar + ",64,0.140625,",
            "masked,forward,cifar,3,1,1,256,8," + cifar + ",64,0.140625,",
            "dense,forward,cifar,3,1,1,256,8," + cifar + ",64,1.000000,",
            "blocksparse,forward,resnet34,4,3,1,512,7," + resnet + ",64,0.140625,",
            "dense,forward,resnet34,4,1,1,512,7,512,64,1.000000,")) {
      assertTrue(rows.stream().anyMatch(x -> x.startsWith(prefix)), prefix + "\n" + r.out());
    }
    assertEquals(oneDnn ? 4 : 0, rows.stream().filter(x -> x.startsWith("onednn-conv,")).count());
    for (String row : rows) {
      String[] f = row.split(",");
      assertEquals(13, f.length, row);
      assertTrue(Double.parseDouble(f[11]) > 0 && Double.parseDouble(f[12]) > 0, row);
    }
    assertEquals(4, closing.size(), r.out());
    assertTrue(
        closing.get(0).startsWith("# cifar stage 3 (256 ch, 8x8) 3x3, batch 1: baseline "),
        closing.get(0));
    for (String line : closing) {
      assertTrue(
          line.matches(
              "# .*; blocksparse w=\\d+ [0-9.]+ ms = [0-9.]+x baseline;"
                  + " masked/blocksparse = [0-9.]+x; memory floor [0-9.]+ ms = [0-9.]+x"
                  + " baseline"),
          line);
      assertTrue(r.err().contains("relgraph: " + line.substring(2)), r.err());
    }
    assertEquals(lines, Files.readAllLines(csv));
    for (String name : List.of("convs_k3_b1", "convs_k1_b1")) {
      assertTrue(Files.size(plot.resolve(name + ".png")) > 0, name);
      assertTrue(Files.size(plot.resolve(name + ".svg")) > 0, name);
    }
  }

  @Test
  void badOptionsAreOneLineUsageErrors() {
    assertTrue(refused("--batch", "0").contains("batch 0 must be >= 1"));
    assertTrue(refused("--batch", "x").contains("--batch"));
    assertTrue(refused("--threads", "0").contains("threads = 0"));
    assertTrue(refused("--isa", "sse9").contains("--isa 'sse9' is not portable"));
    assertTrue(refused("--dense-library", "mkl").contains("--dense-library 'mkl'"));
    assertTrue(refused("--shapes", "1").contains("--shapes"));
    // an im2col matrix beyond a tensor's 2^31 - 9 values
    assertTrue(refused("--batch", "100000").contains("batch 100000 at "));
  }

  /** A one-line error, status 2, before anything is measured or printed. */
  private static String refused(String... options) {
    String[] args = new String[options.length + 2];
    args[0] = "bench";
    args[1] = "convs";
    System.arraycopy(options, 0, args, 2, options.length);
    Cli r = Cli.run(args);
    assertEquals(2, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    assertEquals("", r.out());
    return r.err();
  }
}
