package org.relgraph.sweep;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Finding a cluster runner: the core library has none; a missing one is named with its place. */
class ClusterSweepsTest {
  @Test
  void aMissingRunnerSaysWhereItWasLookedForAndHowToBuildIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ClusterSweeps.find("no-such-engine"));
    assertTrue(
        e.getMessage().startsWith("--no-such-engine needs the no-such-engine runner"),
        e.getMessage());
    assertTrue(e.getMessage().contains("relgraph-no-such-engine.jar"), e.getMessage());
    assertTrue(e.getMessage().contains("mvn -B -pl spark -am package"), e.getMessage());
  }

  @Test
  void theRunnersFolderIsTheSparkModulesTargetOfThisBuildTree() {
    String dir = ClusterSweeps.runnerDir().toString();
    assertTrue(dir.endsWith("spark/target"), dir);
  }
}
