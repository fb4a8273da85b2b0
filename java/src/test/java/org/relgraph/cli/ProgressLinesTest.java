package org.relgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLinesTest {
  @Test
  void aLineEveryIntervalWithCountRateAndEta() {
    StringWriter text = new StringWriter();
    AtomicLong now = new AtomicLong(1_000_000_000L);
    ProgressLines p =
        new ProgressLines(
            new PrintWriter(text),
            "design space",
            "graphs",
            10_000,
            Duration.ofSeconds(5),
            now::get);
    now.addAndGet(2_000_000_000L);
    p.accept(1_000); // 2 s: too soon for a line
    now.addAndGet(3_000_000_000L);
    p.accept(1_500); // 5 s: 2,500 graphs, 500 graphs/s, 7,500 left: 15 s
    now.addAndGet(1_000_000_000L);
    p.accept(500); // 6 s, 1 s after the last line
    now.addAndGet(5_000_000_000L);
    p.accept(7_000); // 11 s: done
    assertEquals(
        List.of(
            "relgraph: design space: 2,500 of 10,000 graphs (25.0%), 500 graphs/s, ETA 0:00:15",
            "relgraph: design space: 10,000 of 10,000 graphs (100.0%), 909 graphs/s, ETA 0:00:00"),
        text.toString().lines().toList());
  }
}
