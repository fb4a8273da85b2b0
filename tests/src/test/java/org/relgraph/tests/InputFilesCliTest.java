package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graph, graph-set and results files as others write them, or as a careless or hostile user hands
 * them over: every CSV through a real parser, values range-checked, one graph per GraphML file,
 * errors that say the real reason in one short line, no formulas in the CSV written.
 */
class InputFilesCliTest {
  @TempDir Path dir;

  static void assertOneLineError(Cli r, int status, String contains) {
    assertEquals(status, r.status(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("relgraph: "), r.err());
    assertTrue(r.err().contains(contains), r.err());
  }

  static final String GRAPHML =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <graphml xmlns="http://graphml.graphdrawing.org/xmlns">
        <graph edgedefault="undirected">
          <node id="a"/><node id="b"/><node id="c"/>
          <edge source="a" target="b"/><edge source="b" target="c"/>
        </graph>
      </graphml>
      """;

  @Test
  void measureRejectsGraphMLWithTwoGraphs() throws IOException {
    Path f =
        Files.writeString(
            dir.resolve("two.graphml"),
            GRAPHML.replace(
                "</graphml>",
                "<graph edgedefault=\"directed\"><node id=\"x\"/></graph>\n</graphml>"));
    assertOneLineError(
        Cli.run("measure", f.toString()),
        1,
        f + ":7: a second <graph> element (the first is at line 3)");
  }

  @Test
  void measureReadsGraphMLWithAByteOrderMark() throws IOException {
    Path f = Files.writeString(dir.resolve("bom.graphml"), "\uFEFF" + GRAPHML);
    Cli r = Cli.run("measure", f.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().lines().toList().get(1).startsWith(f + ",3,2,"), r.out());
  }

  @Test
  void measureSaysWhatGraphMLWithoutItsNamespaceLacks() throws IOException {
    Path f =
        Files.writeString(dir.resolve("bare.graphml"), GRAPHML.replaceAll(" xmlns=\"[^\"]*\"", ""));
    assertOneLineError(
        Cli.run("measure", f.toString()),
        1,
        f + ":2: GraphML root element lacks xmlns=\"http://graphml.graphdrawing.org/xmlns\"");
  }

  @Test
  void measureOnAHugeGraphSaysHowMuchMemoryItNeeds() throws IOException {
    Path header =
        Files.writeString(dir.resolve("h.txt"), "# relgraph nodes=3000000 directed=false\n0 1\n");
    Path index = Files.writeString(dir.resolve("i.txt"), "0 1\n1 2999999\n");
    for (Path f : List.of(header, index)) {
      Cli r = Cli.run("measure", f.toString());
      assertOneLineError(r, 1, "n = 3000000 needs 1.0 TiB of adjacency bitsets");
      assertFalse(r.err().contains("out of range"), r.err());
      assertFalse(r.err().contains("too large for a bitset graph"), r.err());
    }
  }

  @Test
  void errorsCutLongLinesAndEscapeTerminalCodes() throws IOException {
    Path longLine =
        Files.writeString(dir.resolve("long.txt"), "0 1\n0 " + "x".repeat(1 << 20) + "\n");
    Cli r = Cli.run("measure", longLine.toString());
    assertOneLineError(r, 1, longLine + ":2: expected two node indices 'u v', got \"0 xxx");
    assertTrue(r.err().contains("...\" (1048578 characters)"), r.err());
    assertTrue(r.err().length() < 300, r.err().length() + " characters");

    // escape codes in the content and in the file's name: clear screen, set the window title
    Path evil = dir.resolve("\u001b]0;owned\u0007.txt");
    Files.writeString(evil, "0 1\n\u001b[2J\u001b[31mred\n");
    r = Cli.run("measure", evil.toString());
    assertOneLineError(r, 1, "\\x1b[2J\\x1b[31mred");
    assertTrue(r.err().contains("\\x1b]0;owned\\x07.txt:2:"), r.err());
    assertNoControlCharacters(r.err());

    // command-line input quoted by picocli or by a command reaches the terminal escaped as well
    r = Cli.run("generate", "ring", "-n", "8", "-k", "2", "--format", "\u001b[31m\nx");
    assertOneLineError(r, 2, "--format = \\x1b[31m\\nx is not one of");
    assertNoControlCharacters(r.err());
    r = Cli.run("train", "--graph", "ws-flex:k=\u001b[2J", "--epochs", "1");
    assertEquals(2, r.status(), r.err());
    assertNoControlCharacters(r.err());
  }

  static void assertNoControlCharacters(String err) {
    String line = err.endsWith("\n") ? err.substring(0, err.length() - 1) : err;
    assertTrue(line.chars().noneMatch(c -> c < 0x20 || c == 0x7f), line);
  }

  @Test
  void measureNeutralisesFormulaFileNames() throws Exception {
    List<String> names = List.of("=1+2.txt", "-x.txt", "+y.txt", "@z.txt", "plain,name.txt");
    for (String name : names) {
      Files.writeString(dir.resolve(name), "0 1\n");
    }
    // relative names, as a user in that directory would type them: another JVM, started there
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.relgraph.cli.Main");
    command.add("measure");
    command.add("--"); // -x.txt is a file, not an option
    command.addAll(names);
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(dir.resolve("out.csv").toFile())
            .redirectError(dir.resolve("err.txt").toFile())
            .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), Files.readString(dir.resolve("err.txt")));
    List<String> lines = Files.readAllLines(dir.resolve("out.csv"));
    assertEquals(6, lines.size(), lines.toString());
    String rest = ",2,1,0.0,1.0,1.0,1,1.0,1.0,0.0,false";
    assertEquals("'=1+2.txt" + rest, lines.get(1));
    assertEquals("'-x.txt" + rest, lines.get(2));
    assertEquals("'+y.txt" + rest, lines.get(3));
    assertEquals("'@z.txt" + rest, lines.get(4));
    assertEquals("\"plain,name.txt\"" + rest, lines.get(5));
  }

  /** The paper's MLP results, as R's write.csv would write them, with a BOM and CRLF. */
  Path mlpResultsAsR() throws IOException {
    List<String> lines;
    try (InputStream in =
        new GZIPInputStream(
            getClass().getResourceAsStream("/graph2nn/mlp_cifar10_results.csv.gz"))) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    StringBuilder sb = new StringBuilder("\uFEFF");
    for (int i = 0; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",", -1);
      sb.append(i == 0 ? "\"\"" : "\"" + i + "\"");
      for (int c = 0; c < f.length; c++) {
        boolean text = i == 0 || c < 2; // the header and the model and kind columns
        sb.append(',').append(text ? "\"" + f[c] + "\"" : f[c].isEmpty() ? "NA" : f[c]);
      }
      sb.append("\r\n");
    }
    // R writes NA for a missing number; relgraph reads an empty cell
    return Files.writeString(dir.resolve("r.csv"), sb.toString().replace(",NA,", ",,"));
  }

  @Test
  void analyzeReadsResultsWrittenByRAndRangeChecksThem() throws IOException {
    Path r = mlpResultsAsR();
    Cli ok = Cli.run("analyze", "--results", r.toString(), "--out", dir.resolve("o").toString());
    assertEquals(0, ok.status(), ok.err());

    List<String> lines = new ArrayList<>(Files.readAllLines(r));
    String third = lines.get(2);
    String[] f = third.split(",", -1);
    f[6] = "1.5"; // clustering (after the row-name column)
    lines.set(2, String.join(",", f));
    Path bad = dir.resolve("bad.csv");
    Files.write(bad, lines);
    assertOneLineError(
        Cli.run("analyze", "--results", bad.toString(), "--out", dir.resolve("p").toString()),
        1,
        bad + ":3: column 'clustering': 1.5 out of range, expected in [0, 1]");
  }

  @Test
  void sweepTellsAGraphSetByItsHeader() throws IOException {
    Path db = dir.resolve("results.db");
    Path missing =
        Files.writeString(
            dir.resolve("set.csv"),
            "\uFEFFn,p,seed,clustering,path_length\n64,0.0988,6,0.57,1.64\n");
    Cli r =
        Cli.run(
            "sweep", "--graphs", missing.toString(), "--db", db.toString(), "--trainer", "fake");
    assertOneLineError(r, 1, missing + ":1: missing column 'k_over_n'");
    assertFalse(r.err().contains("expected two node indices"), r.err());
  }
}
