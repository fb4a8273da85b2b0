package org.relgraph.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.engine.JavaBackend;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.train.ModelFile;
import org.relgraph.train.RelationalMlp;

/** The library example runs as documented, learns, and saves a model that loads. */
class RelationalNetworkExampleTest {
  @TempDir Path dir;

  @Test
  void runsTrainsAndSavesAModelThatLoads() throws Exception {
    // as a user runs it
    Path fromMain = dir.resolve("main.rgm");
    RelationalNetworkExample.main(new String[] {fromMain.toString()});
    ModelFile.load(fromMain, new JavaBackend(), null).net().close();
    Path out = dir.resolve("example.rgm");
    RelationalNetworkExample.Result r = RelationalNetworkExample.run(out, 40);
    assertTrue(r.lastLoss() < r.firstLoss(), r.firstLoss() + " -> " + r.lastLoss());
    assertTrue(r.testErrorPercent() < 75, "better than chance: " + r.testErrorPercent());
    ModelFile.Loaded m = ModelFile.load(out, new JavaBackend(), null);
    try (RelationalMlp net = m.net()) {
      assertEquals(16, net.graph().nodeCount());
      assertEquals(64, net.width());
      assertEquals(ExecutionMode.BLOCKSPARSE, net.mode());
      assertEquals("synthetic", m.info().get("dataset").getAsString());
    }
  }
}
