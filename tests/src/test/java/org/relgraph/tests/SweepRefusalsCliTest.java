package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.GraphFormat;
import org.relgraph.graph.GraphIO;
import org.relgraph.graph.WsFlex;

/** Sweeps that cannot go well are refused up front, each with one line. */
class SweepRefusalsCliTest {
  @Test
  void graphsTooLargeToTrainAreRefusedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
    Path set = dir.resolve("set.csv");
    Files.writeString(
        set,
        "n,k_over_n,p,seed,clustering,path_length\n"
            + "64,0.25,0.1,1,,\n"
            + "100000,0.001,0.1,2,,\n");
    Path db = dir.resolve("results.db");
    Cli r =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30), () -> Cli.run(SweepCliTest.sweep(set, db, "--seeds", "1")));
    assertEquals(2, r.status(), r.err());
    assertEquals(
        "relgraph: "
            + set
            + ": graph 2 (n=100000, k_over_n=0.001, p=0.1, seed=2) has 100000 nodes, more than the"
            + " MLP's stem width 512 allows (every node needs a stem channel; the widest stem is"
            + " 32768); no run was started\n",
        r.err());
    assertEquals("", r.out());
    assertFalse(Files.exists(db), "no database, no run");

    Path graphs = Files.createDirectories(dir.resolve("graphs"));
    GraphIO.write(
        ClassicGenerators.ringLattice(16, 4), graphs.resolve("a.edges"), GraphFormat.EDGE_LIST);
    Path big = graphs.resolve("b-2000.edges");
    GraphIO.write(WsFlex.generate(2000, 8, 1.0, 1), big, GraphFormat.EDGE_LIST);
    r = Cli.run(SweepCliTest.sweep(graphs, db, "--seeds", "1"));
    assertEquals(2, r.status(), r.err());
    assertEquals(
        "relgraph: "
            + big
            + ": the graph has 2000 nodes, more than the MLP's stem width 512 allows (every node"
            + " needs a stem channel; --stem-width 2000 or more trains it); no run was started\n",
        r.err());
    assertFalse(Files.exists(db));
    // ... and it does: the bound follows --stem-width
    r =
        Cli.run(
            SweepCliTest.sweep(
                graphs, db, "--seeds", "1", "--no-baseline", "--stem-width", "2048"));
    assertEquals(0, r.status(), r.err());
    assertEquals(2, SweepCliTest.keys(db).size());
    Files.delete(db);

    // the real trainer's --width bounds the nodes too, checked before the data set loads
    r =
        Cli.run(
            "sweep",
            "--graphs",
            graphs.resolve("a.edges").toString(),
            "--db",
            db.toString(),
            "--width",
            "8",
            "--data",
            dir.resolve("no-data").toString());
    assertEquals(2, r.status(), r.err());
    assertEquals(
        "relgraph: "
            + graphs.resolve("a.edges")
            + ": the graph has 16 nodes, more than --width 8 (the relational layers need at least"
            + " one channel per node); no run was started\n",
        r.err());
    assertFalse(Files.exists(db));
  }

  @Test
  void aMissingDatabaseDirectoryIsOneClearLine(@TempDir Path dir) throws Exception {
    Path set = SweepCliTest.graphSet(dir, 2);
    Path db = dir.resolve("no-such-dir").resolve("results.db");
    Cli r = Cli.run(SweepCliTest.sweep(set, db, "--seeds", "1"));
    assertEquals(2, r.status(), r.err());
    assertEquals(
        "relgraph: --db " + db + ": directory " + dir.resolve("no-such-dir") + " does not exist\n",
        r.err());
    assertEquals("", r.out());
    assertFalse(Files.exists(dir.resolve("no-such-dir")));
  }

  @Test
  void aDatabaseFromANewerRelgraphIsRefused(@TempDir Path dir) throws Exception {
    Path set = SweepCliTest.graphSet(dir, 2);
    Path db = dir.resolve("results.db");
    assertEquals(0, Cli.run(SweepCliTest.sweep(set, db, "--seeds", "1")).status());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      s.execute("UPDATE relgraph_meta SET value = '7' WHERE key = 'schema_version'");
    }
    String refusal =
        ": schema_version 7 is newer than the version 1 this relgraph reads and writes; use a"
            + " newer relgraph, or a new file\n";
    Cli r = Cli.run(SweepCliTest.sweep(set, db, "--seeds", "2"));
    assertEquals(1, r.status(), r.err());
    assertEquals("relgraph: results database " + db + refusal, r.err());
    assertEquals("", r.out());
    assertEquals(3, SweepCliTest.keys(db).size(), "nothing written");

    r = Cli.run("analyze", "--db", db.toString(), "--out", dir.resolve("report").toString());
    assertEquals(1, r.status(), r.err());
    assertEquals("relgraph: " + db + refusal, r.err());
    assertTrue(Files.notExists(dir.resolve("report").resolve("report.md")));
  }
}
