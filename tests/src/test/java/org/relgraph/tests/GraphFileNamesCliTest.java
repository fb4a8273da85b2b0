package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.GraphFormat;
import org.relgraph.graph.GraphIO;
import org.relgraph.graph.WsFlex;

/** A result of a graph file names the file: in the sweep's progress and in the analysis. */
class GraphFileNamesCliTest {
  @Test
  void progressAndReportNameTheGraphFiles(@TempDir Path dir) throws Exception {
    Path graphs = Files.createDirectories(dir.resolve("graphs"));
    GraphIO.write(
        ClassicGenerators.ringLattice(16, 4), graphs.resolve("ring.edges"), GraphFormat.EDGE_LIST);
    GraphIO.write(
        WsFlex.generate(16, 6, 0.5, 3), graphs.resolve("wsflex.graphml"), GraphFormat.GRAPHML);
    Path db = dir.resolve("results.db");
    Cli r = Cli.run(SweepCliTest.sweep(graphs, db, "--seeds", "2"));
    assertEquals(0, r.status(), r.err());
    List<String> progress = r.err().lines().filter(l -> l.startsWith("relgraph: [")).toList();
    assertEquals(6, progress.size(), r.err());
    for (String name : List.of("ring.edges", "wsflex.graphml")) {
      String file = graphs.resolve(name).toString();
      assertEquals(
          2,
          progress.stream()
              .filter(
                  l -> l.matches(".*\\] file\\(n=16,.*\\) from \\Q" + file + "\\E seed \\d: .*"))
              .count(),
          r.err());
    }
    // the run keys did not change: they name the contents, not the file
    assertTrue(
        SweepCliTest.keys(db).stream()
            .allMatch(k -> k.startsWith("file(n=16,") || k.startsWith("complete(n=16)")),
        SweepCliTest.keys(db).toString());

    Path out = dir.resolve("report");
    r = Cli.run("analyze", "--db", db.toString(), "--out", out.toString(), "--json");
    assertEquals(0, r.status(), r.err());
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("| file `" + graphs.resolve("ring.edges") + "`, k/n = "), report);
    assertTrue(
        report.contains("| file `" + graphs.resolve("wsflex.graphml") + "`, k/n = "), report);
    assertFalse(report.contains("| file k/n"), report);
    JsonObject best = AnalyzeCliTest.lastLineJson(r).getAsJsonObject("best_graph");
    assertTrue(best.get("graph_file").getAsString().startsWith(graphs.toString()), best.toString());
  }
}
