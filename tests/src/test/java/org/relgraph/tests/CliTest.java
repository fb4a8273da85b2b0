package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relgraph.cli.Main;
import org.relgraph.graph.GraphIO;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import picocli.CommandLine;

class CliTest {
  private static List<int[]> edges(String text) {
    List<int[]> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(" ");
      assertEquals(2, f.length, line);
      int u = Integer.parseInt(f[0]);
      int v = Integer.parseInt(f[1]);
      assertTrue(u < v, line);
      out.add(new int[] {u, v});
    }
    return out;
  }

  @Test
  void generateWsFlexPrintsThePapersGraph() {
    // graphs_n64_3942.csv, first row: n=64, k_over_n=0.36550103277902246, p=0.0988..., seed=6
    Cli r =
        Cli.run(
            "generate",
            "ws-flex",
            "--nodes",
            "64",
            "--degree",
            "23.392066097857438",
            "--rewire",
            "0.09883558349459179",
            "--seed",
            "6");
    assertEquals(0, r.status(), r.err());
    RelationalGraph g = RelationalGraph.fromEdges(64, false, edges(r.out()));
    assertEquals(WsFlex.generate(64, 23.392066097857438, 0.09883558349459179, 6), g);
    assertEquals(0.5742539064117294, GraphMeasures.clustering(g), 1e-12);
    assertEquals(1.6408730158730158, GraphMeasures.averagePathLength(g).getAsDouble(), 1e-12);
  }

  @Test
  void everyGeneratorPrintsAnEdgeList() {
    String[][] calls = {
      {"er", "-n", "20", "-m", "40", "-s", "3"},
      {"ws", "-n", "20", "-k", "4", "-p", "0.2", "-s", "3"},
      {"ba", "-n", "20", "-m", "2", "-s", "3"},
      {"harary", "-n", "20", "-k", "5"},
      {"ring", "-n", "20", "-k", "6"},
      {"complete", "-n", "20"}
    };
    int[] expectedEdges = {40, 40, 36, 50, 60, 190};
    for (int i = 0; i < calls.length; i++) {
      String[] args = new String[calls[i].length + 1];
      args[0] = "generate";
      System.arraycopy(calls[i], 0, args, 1, calls[i].length);
      Cli r = Cli.run(args);
      assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
      assertEquals(expectedEdges[i], edges(r.out()).size(), String.join(" ", args));
    }
  }

  @Test
  void generateWritesOtherFormatsToFiles(@TempDir Path dir) {
    for (String format : new String[] {"edgelist", "matrix", "graphml"}) {
      Path file = dir.resolve("g." + format);
      Cli r =
          Cli.run(
              "generate",
              "ws-flex",
              "-n",
              "30",
              "-k",
              "6",
              "-p",
              "0.4",
              "-s",
              "2",
              "--format",
              format,
              "--out",
              file.toString());
      assertEquals(0, r.status(), r.err());
      assertEquals(WsFlex.generate(30, 6, 0.4, 2), GraphIO.read(file), format);
    }
  }

  @Test
  void measurePrintsCsvAndLeavesDisconnectedCellsEmpty(@TempDir Path dir) throws IOException {
    Path connected = dir.resolve("ring.txt");
    Files.writeString(connected, "0 1\n1 2\n2 3\n3 0\n");
    Path split = dir.resolve("two,parts.txt");
    Files.writeString(split, "# two edges, no path between them\n0 1\n\n2 3\n");
    Cli r = Cli.run("measure", connected.toString(), split.toString());
    assertEquals(0, r.status(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals(3, lines.length);
    assertTrue(lines[0].startsWith("graph,nodes,edges,clustering,path_length"));
    String[] ring = lines[1].split(",");
    assertEquals("4", ring[1]);
    assertEquals("4", ring[2]);
    assertEquals(0.0, Double.parseDouble(ring[3]));
    assertEquals(4.0 / 3, Double.parseDouble(ring[4]), 1e-15);
    assertTrue(lines[2].startsWith("\""), "a name with a comma is quoted: " + lines[2]);
    String[] parts = lines[2].substring(lines[2].lastIndexOf('"') + 2).split(",", -1);
    assertEquals("4", parts[0]);
    assertEquals("", parts[3], "no path length for a disconnected graph");
    assertEquals("", parts[5], "no diameter for a disconnected graph");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "generate ws-flex --nodes 1 --degree 2 --rewire 0.5|n = 1",
        "generate ws-flex --nodes 64 --degree 70 --rewire 0.5|k = 70.0",
        "generate ws-flex --nodes 64 --degree 8 --rewire 1.5|p = 1.5",
        "generate ws-flex --nodes 64 --degree 8|--rewire",
        "generate ws-flex --nodes x --degree 8 --rewire 0|'x'",
        "generate er -n 10 -m 50|m = 50",
        "generate ws -n 10 -k 3 -p 0.1|k = 3",
        "generate ba -n 10 -m 10|m = 10",
        "generate harary -n 10 -k 10|k = 10",
        "generate ring -n 10 -k 5|k = 5",
        "generate complete -n 0|n = 0",
        "generate ws-flex -n 10 -k 4 -p 0.1 --format png|--format",
        "generate|missing generator",
        "design-space --nodes 64|--out",
        "design-space --nodes 64 --out x --seeds 0|seeds = 0",
        "design-space --nodes 64 --out x --grid 50000|grid = 50000",
        "design-space --nodes 64 --out x --threads 100000|threads = 100000",
        "generate complete -n 400000|n = 400000",
        "frobnicate|frobnicate",
        "measure|FILE"
      })
  void usageErrorsAreOneLineWithStatus2(String spec) {
    String[] parts = spec.split("\\|");
    Cli r = Cli.run(parts[0].split(" "));
    assertEquals(2, r.status(), spec + " -> " + r.err());
    assertEquals("", r.out());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "one line: " + err);
    assertTrue(err.startsWith("relgraph: "), err);
    assertTrue(err.contains(parts[1]), err);
  }

  @Test
  void badFilesAreOneLineWithStatus1(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.txt");
    Files.writeString(bad, "0 1\n1 2 3\n");
    Path ragged = dir.resolve("ragged.txt");
    Files.writeString(ragged, "011\n10\n110\n");
    Path good = dir.resolve("good.txt");
    Files.writeString(good, "0 1\n");
    Path huge = dir.resolve("huge.txt");
    Files.writeString(huge, "0 1\n1 400000\n");
    Path doctype = dir.resolve("doctype.graphml");
    Files.writeString(
        doctype,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE graphml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
            + "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"><graph edgedefault="
            + "\"undirected\"><node id=\"a\"><data key=\"d\">&x;</data></node></graph></graphml>\n");
    String[][] cases = {
      {bad.toString(), "bad.txt:2:"},
      {ragged.toString(), "ragged.txt:2:"},
      {huge.toString(), "huge.txt:2:"},
      {doctype.toString(), "doctype.graphml"},
      {dir.toString(), dir.getFileName().toString()},
      {dir.resolve("missing.txt").toString(), "missing.txt"}
    };
    for (String[] c : cases) {
      Cli r = Cli.run("measure", good.toString(), c[0]);
      assertEquals(1, r.status(), r.err());
      assertEquals("", r.out(), "nothing printed before the error");
      String err = r.err().strip();
      assertFalse(err.contains("\n"), err);
      assertTrue(err.contains(c[1]), err);
    }
  }

  @Test
  void designSpaceWorksAtTheEdgesOfItsRanges(@TempDir Path dir) throws IOException {
    String[][] runs = {
      {"-n", "16", "--degree-max", "15"},
      {"-n", "4"},
      {"-n", "5", "--degree-min", "2", "--degree-max", "4"}
    };
    for (String[] run : runs) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "design-space",
                  "--out",
                  dir.resolve(String.join("", run)).toString(),
                  "--degree-steps",
                  "6",
                  "--probability-steps",
                  "4",
                  "--seeds",
                  "2"));
      args.addAll(List.of(run));
      Cli r = Cli.run(args.toArray(new String[0]));
      assertEquals(0, r.status(), args + ": " + r.err());
    }
    Path file = dir.resolve("a-file");
    Files.writeString(file, "");
    Cli r = Cli.run("design-space", "--out", file.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("not a directory"), r.err());
  }

  @Test
  void everyCommandHasHelp() {
    String[][] commands = {
      {},
      {"generate"},
      {"generate", "ws-flex"},
      {"generate", "er"},
      {"generate", "ws"},
      {"generate", "ba"},
      {"generate", "harary"},
      {"generate", "ring"},
      {"generate", "complete"},
      {"measure"},
      {"design-space"}
    };
    for (String[] c : commands) {
      String[] args = java.util.Arrays.copyOf(c, c.length + 1);
      args[c.length] = "--help";
      Cli r = Cli.run(args);
      assertEquals(0, r.status(), String.join(" ", args));
      assertTrue(r.out().startsWith("Usage: relgraph"), r.out());
    }
  }

  /**
   * Every command's help, found by walking the command tree, formats cleanly: picocli prints a
   * "picocli WARN" line to standard error (not to the command's streams) when a description is not
   * a valid format string, as a bare "10% slower" is not.
   */
  @Test
  void everyHelpTextFormats() {
    List<List<String>> paths = new ArrayList<>();
    collect(new CommandLine(new Main()), new ArrayList<>(), paths);
    assertTrue(paths.size() > 20, "commands found: " + paths);
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      for (List<String> path : paths) {
        List<String> args = new ArrayList<>(path);
        args.add("--help");
        Cli r = Cli.run(args.toArray(new String[0]));
        assertEquals(0, r.status(), String.join(" ", args));
        String warned = captured.toString(StandardCharsets.UTF_8);
        assertFalse(warned.contains("WARN"), String.join(" ", args) + ": " + warned);
      }
    } finally {
      System.setErr(saved);
    }
  }

  private static void collect(CommandLine cmd, List<String> path, List<List<String>> paths) {
    paths.add(path);
    for (var e : cmd.getSubcommands().entrySet()) {
      if (e.getValue().getCommandSpec().name().equals(e.getKey())) {
        List<String> sub = new ArrayList<>(path);
        sub.add(e.getKey());
        collect(e.getValue(), sub, paths);
      }
    }
  }

  @Test
  void designSpaceWritesCsvSamplesPlotsAndSummary(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("ds");
    Cli r =
        Cli.run(
            "design-space",
            "--nodes",
            "64",
            "--out",
            out.toString(),
            "--degree-steps",
            "12",
            "--probability-steps",
            "20",
            "--seeds",
            "3",
            "--threads",
            "2");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("graphs/s"), r.out());
    List<String> graphs = Files.readAllLines(out.resolve("graphs.csv"));
    assertEquals("generator,n,k,p,seed,clustering,path_length", graphs.get(0));
    assertTrue(graphs.size() > 300, "rows: " + graphs.size());
    for (String f :
        new String[] {
          "sample_fine.csv",
          "sample_medium.csv",
          "sample_coarse.csv",
          "classic.csv",
          "coverage.png",
          "coverage.svg",
          "summary.md"
        }) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    byte[] png = Files.readAllBytes(out.resolve("coverage.png"));
    assertEquals((byte) 0x89, png[0]);
    assertEquals('P', png[1]);
    assertTrue(Files.readString(out.resolve("coverage.svg")).contains("<svg"));
    String summary = Files.readString(out.resolve("summary.md"));
    assertTrue(summary.contains("graphs_n64_3942.csv"), summary);
    assertTrue(summary.contains("| ws |"), summary);
  }
}
