package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.engine.cuda.CudaBackendProvider;

/**
 * Every command's {@code --backend cuda} path end to end, without a GPU: each runs the CLI in a new
 * JVM with the test-only property {@value CudaBackendProvider#EMULATED_DEVICE_PROPERTY}, which puts
 * the cuda backend on the emulated device (the kernels on the CPU). Sizes are tiny: the emulation
 * is slow (about 40 s for the first test, two minutes for bench epochs), hence the slow phase.
 */
@Tag("slow")
class EmulatedCudaCliTest {
  private static final String DEVICE = "emulated CUDA device (CPU, ";

  /** The CLI in a new JVM with the cuda backend on the emulated device: status, out, err. */
  static String[] cli(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-D" + CudaBackendProvider.EMULATED_DEVICE_PROPERTY + "=true");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.relgraph.cli.Main");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
    // read stderr on its own thread, so that neither pipe fills while the other is read
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread errReader =
        new Thread(
            () -> {
              try {
                p.getErrorStream().transferTo(err);
              } catch (IOException e) {
                // the process ended
              }
            });
    errReader.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), "the CLI did not finish");
    errReader.join();
    return new String[] {String.valueOf(p.exitValue()), out, err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void trainEvaluateAndSweepRunOnTheCudaBackend(@TempDir Path dir) throws Exception {
    String[] b = cli("backends");
    assertEquals("0", b[0], b[2]);
    assertTrue(b[1].contains("\ncuda  available: yes\n"), b[1]);

    Path data = tinyMnist(dir.resolve("data"), 256, 16);
    Path model = dir.resolve("m.rgm");
    String[] train =
        cli(
            "train",
            "--graph",
            "ws-flex:k=8,p=0.3,seed=1,n=32",
            "--dataset",
            "mnist",
            "--data",
            data.toString(),
            "--epochs",
            "1",
            "--stem-width",
            "64",
            "--backend",
            "cuda",
            "--json",
            "--save",
            model.toString());
    assertEquals("0", train[0], train[2]);
    assertTrue(train[1].contains("CudaBackend(" + DEVICE), train[1]);

    String[] eval =
        cli(
            "evaluate",
            "--model",
            model.toString(),
            "--data",
            data.toString(),
            "--backend",
            "cuda",
            "--json");
    assertEquals("0", eval[0], eval[2]);

    Path set = SweepCliTest.graphSet(dir, 1);
    Path db = dir.resolve("s.db");
    String[] sweep =
        cli(
            "sweep",
            "--graphs",
            set.toString(),
            "--db",
            db.toString(),
            "--seeds",
            "1",
            "--dataset",
            "mnist",
            "--data",
            data.toString(),
            "--epochs",
            "1",
            "--stem-width",
            "64",
            "--no-baseline",
            "--backend",
            "cuda");
    assertEquals("0", sweep[0], sweep[2]);
    assertEquals(1, SweepCliTest.keys(db).size());
  }

  @Test
  void benchEpochsTrainsEveryConfigurationOnTheCudaBackend(@TempDir Path dir) throws Exception {
    Path data = tinyMnist(dir.resolve("data"), 128, 8);
    Path csv = dir.resolve("epochs.csv");
    String[] r =
        cli(
            "bench",
            "epochs",
            "--backend",
            "cuda",
            "--dataset",
            "mnist",
            "--data",
            data.toString(),
            "--repeats",
            "1",
            "--out",
            csv.toString());
    assertEquals("0", r[0], r[2]);
    List<String> lines = r[1].lines().toList();
    assertTrue(
        lines.get(0).startsWith("# mnist, 128 train samples, batch 128; cuda: " + DEVICE), r[1]);
    assertTrue(lines.get(0).endsWith("; cuBLAS SGEMM math fp32"), lines.get(0));
    assertEquals(
        "config,mode,graph,width,flops,epoch_seconds,samples_per_second,time_vs_baseline",
        lines.get(1));
    assertEquals(6, lines.size(), r[1]);
    assertTrue(lines.get(2).startsWith("baseline,dense,\"complete\","), lines.get(2));
    assertTrue(lines.get(5).startsWith("matched,masked,"), lines.get(5));
    assertEquals(4, r[2].lines().filter(l -> l.startsWith("relgraph: repeat 1: ")).count(), r[2]);
    assertEquals(r[1], Files.readString(csv));
  }

  @Test
  void benchLayersHasTheCusparseRowOrSaysWhyNot(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("layers.csv");
    String[] r =
        cli(
            "bench",
            "layers",
            "--backend",
            "cuda",
            "--quick",
            "--widths",
            "128,130",
            "--batch",
            "3",
            "--patterns",
            "0.125",
            "--out",
            csv.toString());
    assertEquals("0", r[0], r[2]);
    List<String> lines = r[1].lines().toList();
    assertTrue(lines.get(0).contains(DEVICE), lines.get(0));
    assertTrue(
        lines.stream().anyMatch(l -> l.startsWith("cuda-cusparse-bsr,forward,3,128,64,")), r[1]);
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.matches(
                        "# cuda-cusparse-bsr forward, width 130, density [0-9.]+, batch 3:"
                            + " skipped: blocks of uneven size \\(2 to 3 channels per node\\);"
                            + " BSR holds equal square blocks only")),
        r[1]);
    assertTrue(lines.stream().noneMatch(l -> l.startsWith("cuda-cusparse-bsr,forward,3,130,")));
    assertEquals(r[1], Files.readString(csv));
  }

  /** A tiny MNIST-format data set: 2 × 2 images, labels cycling through the 10 classes. */
  static Path tinyMnist(Path dir, int train, int test) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("train-images-idx3-ubyte"), images(train));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), labels(train));
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), images(test));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels(test));
    return dir;
  }

  private static byte[] images(int count) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x803);
    out.writeInt(count);
    out.writeInt(2);
    out.writeInt(2);
    for (int i = 0; i < count * 4; i++) {
      out.writeByte((i * 37 + i / 4 * 11) & 0xff);
    }
    return bytes.toByteArray();
  }

  private static byte[] labels(int count) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x801);
    out.writeInt(count);
    for (int i = 0; i < count; i++) {
      out.writeByte(i % 10);
    }
    return bytes.toByteArray();
  }
}
