package org.relgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Every failure of a benchmark is one line. */
class BenchCommandTest {
  private static String run(BenchCommand.Body body, int status) throws IOException {
    StringWriter err = new StringWriter();
    assertEquals(status, BenchCommand.guarded(new PrintWriter(err, true), "bench layers", body));
    String text = err.toString();
    assertEquals(1, text.strip().lines().count(), text);
    assertTrue(text.startsWith("relgraph: bench layers"), text);
    return text;
  }

  @Test
  void theWidestLayerFitsOneTensor() {
    long w = org.relgraph.bench.LayerBench.MAX_WIDTH;
    long max = org.relgraph.engine.MemoryLimits.MAX_TENSOR_VALUES;
    assertTrue(w * w <= max && (w + 1) * (w + 1) > max);
  }

  @Test
  void anUnexpectedFailureIsOneLineWithStatus70() throws IOException {
    String e =
        run(
            () -> {
              throw new ArithmeticException("integer overflow\nsecond line");
            },
            70);
    assertTrue(e.contains("failed: ArithmeticException: integer overflow"), e);
    e =
        run(
            () -> {
              throw new IllegalStateException(null, null);
            },
            70);
    assertTrue(e.contains("IllegalStateException"), e);
  }

  @Test
  void runningOutOfMemoryIsOneLineWithStatus1() throws IOException {
    String e =
        run(
            () -> {
              throw new OutOfMemoryError("Java heap space");
            },
            1);
    assertTrue(e.contains("out of memory (Java heap space)"), e);
  }

  @Test
  void invalidOptionsPassThroughForTheCommandLineToReport() throws IOException {
    StringWriter err = new StringWriter();
    assertThrows(
        IllegalArgumentException.class,
        () ->
            BenchCommand.guarded(
                new PrintWriter(err),
                "bench layers",
                () -> {
                  throw new IllegalArgumentException("width 1 below 64");
                }));
    assertEquals("", err.toString());
    assertEquals(0, BenchCommand.guarded(new PrintWriter(err), "bench layers", () -> 0));
  }
}
