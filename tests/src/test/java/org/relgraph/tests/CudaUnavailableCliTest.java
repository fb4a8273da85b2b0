package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.engine.BackendProvider;
import org.relgraph.engine.Backends;

/**
 * On a machine where no GPU can run the kernels (CI, the development machines), the cuda backend is
 * listed as unavailable with a one-line cause naming what is missing, and every command given
 * {@code --backend cuda} exits 2 with that cause in one line.
 */
class CudaUnavailableCliTest {
  private String cause;

  @BeforeEach
  void needsNoGpu() {
    BackendProvider cuda = Backends.discovered().known("cuda");
    assumeFalse(cuda.isAvailable(), "a GPU is usable here: " + cuda.capabilities().devices());
    cause = cuda.unavailabilityCause().orElseThrow();
  }

  @Test
  void theCauseNamesWhatIsMissingInOneLine() {
    assertEquals(1, cause.lines().count(), cause);
    assertTrue(
        cause.matches(
            ".*(libcuda\\.so\\.1|libcudart\\.so|libcublas|no CUDA device|CUDA driver|fatbin"
                + "|CUDA presets).*"),
        cause);
  }

  @Test
  void backendsListsCudaUnavailableWithItsCause() {
    Cli r = Cli.run("backends");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("\ncuda  available: no (" + cause + ")\n"), r.out());

    Cli j = Cli.run("backends", "--json");
    assertEquals(0, j.status(), j.err());
    JsonArray all = JsonParser.parseString(j.out().strip()).getAsJsonArray();
    JsonObject cuda = all.get(1).getAsJsonObject();
    assertEquals("cuda", cuda.get("name").getAsString());
    assertFalse(cuda.get("available").getAsBoolean());
    assertEquals(cause, cuda.get("cause").getAsString());
    assertEquals(3, cuda.getAsJsonArray("modes").size());
  }

  @Test
  void everyCommandWithBackendCudaExitsTwoWithTheCause(@TempDir Path dir) throws Exception {
    String expected = "relgraph: backend cuda is unavailable: " + cause;
    assertUsageError(Cli.run(BackendsCliTest.train("cuda")), expected);

    Path model = dir.resolve("m.rgm");
    Cli trained = Cli.run(BackendsCliTest.train("java", "--save", model.toString()));
    assertEquals(0, trained.status(), trained.err());
    assertUsageError(
        Cli.run("evaluate", "--model", model.toString(), "--backend", "cuda"), expected);

    Path set = SweepCliTest.graphSet(dir, 1);
    assertUsageError(
        Cli.run(
            "sweep",
            "--graphs",
            set.toString(),
            "--db",
            dir.resolve("s.db").toString(),
            "--seeds",
            "1",
            "--dataset",
            "synthetic",
            "--epochs",
            "1",
            "--no-baseline",
            "--backend",
            "cuda"),
        expected);
    assertUsageError(Cli.run("bench", "layers", "--quick", "--backend", "cuda"), expected);
    assertUsageError(Cli.run("bench", "epochs", "--backend", "cuda"), expected);
  }

  private static void assertUsageError(Cli r, String expected) {
    assertEquals(2, r.status(), r.err());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertEquals(expected, r.err().strip());
  }
}
