package org.relgraph.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class GraphIOTest {
  @TempDir Path tmp;

  private static Path resource(String name) {
    try {
      return Path.of(GraphIOTest.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RelationalGraph parse(String text, GraphFormat format) {
    return GraphIO.read(new StringReader(text), "g.txt", format);
  }

  private static GraphFormatException failure(String text, GraphFormat format) {
    return assertThrows(GraphFormatException.class, () -> parse(text, format));
  }

  // ---- brain networks ---------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({"cat.txt, 52, 820", "macaque_visual.txt, 30, 308", "macaque_whole.txt, 71, 746"})
  void readsBrainNetworks(String file, int nodes, int arcs) throws IOException {
    Path path = resource("/brain/" + file);
    byte[] bytes = Files.readAllBytes(path);
    assertNotEquals('\n', bytes[bytes.length - 1], "test data should lack a final newline");
    assertEquals(GraphFormat.ADJACENCY_MATRIX, GraphIO.detectFormat(path));
    RelationalGraph g = GraphIO.read(path);
    assertEquals(nodes, g.nodeCount());
    assertTrue(g.isDirected());
    assertEquals(arcs, g.edgeCount()); // off-diagonal 1s, counted with numpy
    assertEquals(g, GraphIO.read(path, GraphFormat.ADJACENCY_MATRIX));
  }

  // ---- detection --------------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "0 1\\n1 2\\n | EDGE_LIST",
        "# comment\\n\\n  3\t4 # trailing\\n | EDGE_LIST",
        "# relgraph nodes=3 directed=false\\n | EDGE_LIST",
        "\\n | EDGE_LIST",
        "010\\n101\\n010 | ADJACENCY_MATRIX",
        "# brain\\n\\n  01\\r\\n10\\r\\n | ADJACENCY_MATRIX",
        "0 | ADJACENCY_MATRIX",
        "<?xml version='1.0'?>\\n<graphml/> | GRAPHML",
        "\\n  <graphml/> | GRAPHML"
      })
  void detectsFormat(String escaped, GraphFormat expected) throws IOException {
    String text = escaped.replace("\\n", "\n").replace("\\r", "\r");
    Path f = tmp.resolve("g");
    Files.writeString(f, text);
    assertEquals(expected, GraphIO.detectFormat(f));
  }

  @Test
  void readDetectsFormatFromReaderAndPath() throws IOException {
    RelationalGraph path3 = RelationalGraph.fromEdges(3, false, List.of(e(0, 1), e(1, 2)));
    assertEquals(path3, GraphIO.read(new StringReader("0 1\n1 2\n"), "a"));
    assertEquals(path3, GraphIO.read(new StringReader("010\n101\n010\n"), "b"));
    StringWriter xml = new StringWriter();
    GraphIO.writeGraphML(path3, xml);
    assertEquals(path3, GraphIO.read(new StringReader(xml.toString()), "c"));
    Path f = tmp.resolve("g.graphml");
    Files.writeString(f, xml.toString());
    assertEquals(path3, GraphIO.read(f));
  }

  // ---- round trips ------------------------------------------------------------------------------

  static Stream<Arguments> graphs() {
    RelationalGraph.Builder dir = RelationalGraph.builder(70, true);
    for (int u = 0; u < 70; u++) {
      dir.addEdge(u, (u * 7 + 3) % 70 == u ? (u + 1) % 70 : (u * 7 + 3) % 70);
      dir.addEdge(u, (u + 65) % 70);
    }
    RelationalGraph.Builder sym = RelationalGraph.builder(5, true);
    sym.addEdge(0, 1).addEdge(1, 0).addEdge(3, 4).addEdge(4, 3);
    return Stream.of(
        Arguments.of("single node", RelationalGraph.empty(1, false)),
        Arguments.of("single node, directed", RelationalGraph.empty(1, true)),
        Arguments.of(
            "isolated trailing nodes", RelationalGraph.fromEdges(9, false, List.of(e(0, 1)))),
        Arguments.of("no edges, directed", RelationalGraph.empty(4, true)),
        Arguments.of("WS 64", ClassicGenerators.wattsStrogatz(64, 8, 0.3, 1)),
        Arguments.of("ER 130", ClassicGenerators.erdosRenyi(130, 2000, 1)),
        Arguments.of("Harary", ClassicGenerators.harary(5, 11)),
        Arguments.of("directed 70", dir.build()),
        Arguments.of("directed but symmetric", sym.build()),
        Arguments.of("cat cortex", GraphIO.read(resource("/brain/cat.txt"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("graphs")
  void roundTripsEveryFormat(String name, RelationalGraph g) {
    StringWriter el = new StringWriter();
    GraphIO.writeEdgeList(g, el, "made by a test\nsecond line");
    assertEquals(g, parse(el.toString(), GraphFormat.EDGE_LIST));
    assertEquals(g, GraphIO.read(new StringReader(el.toString()), "el"));

    StringWriter am = new StringWriter();
    GraphIO.writeAdjacencyMatrix(g, am);
    assertEquals(g, parse(am.toString(), GraphFormat.ADJACENCY_MATRIX));
    assertEquals(g, GraphIO.read(new StringReader(am.toString()), "am"));

    StringWriter xml = new StringWriter();
    GraphIO.writeGraphML(g, xml);
    assertEquals(g, parse(xml.toString(), GraphFormat.GRAPHML));
    assertEquals(g, GraphIO.read(new StringReader(xml.toString()), "xml"));
  }

  @ParameterizedTest
  @EnumSource(GraphFormat.class)
  void roundTripsThroughFiles(GraphFormat format) {
    RelationalGraph g = ClassicGenerators.barabasiAlbert(100, 3, 4);
    Path f = tmp.resolve("g." + format);
    GraphIO.write(g, f, format);
    assertEquals(format, GraphIO.detectFormat(f));
    assertEquals(g, GraphIO.read(f));
    assertEquals(g, GraphIO.read(f, format));
  }

  @Test
  void edgeListLayout() {
    RelationalGraph g = RelationalGraph.fromEdges(5, false, List.of(e(3, 1), e(0, 2), e(1, 0)));
    StringWriter out = new StringWriter();
    GraphIO.writeEdgeList(g, out, "hello");
    assertEquals("# relgraph nodes=5 directed=false\n# hello\n0 1\n0 2\n1 3\n", out.toString());
    StringWriter d = new StringWriter();
    GraphIO.writeEdgeList(RelationalGraph.fromEdges(3, true, List.of(e(2, 0), e(0, 1))), d, null);
    assertEquals("# relgraph nodes=3 directed=true\n0 1\n2 0\n", d.toString());
    assertThrows(
        IllegalArgumentException.class,
        () -> GraphIO.writeEdgeList(g, new StringWriter(), "relgraph nodes=2 directed=true"));
  }

  @Test
  void matrixLayout() {
    StringWriter out = new StringWriter();
    GraphIO.writeAdjacencyMatrix(
        RelationalGraph.fromEdges(3, true, List.of(e(0, 2), e(2, 1))), out);
    assertEquals("001\n000\n010\n", out.toString());
  }

  // ---- edge list reading ------------------------------------------------------------------------

  @Test
  void edgeListDetails() {
    RelationalGraph g =
        parse(
            "# a comment\n\n0 1 # trailing comment\n  1\t2  \r\n1 0\n2 2\n3 3\n0 1", // no final \n
            GraphFormat.EDGE_LIST);
    assertEquals(RelationalGraph.fromEdges(4, false, List.of(e(0, 1), e(1, 2))), g);

    RelationalGraph h =
        parse("0 1\n# relgraph nodes=6 directed=true\n1 0\n4 1", GraphFormat.EDGE_LIST);
    assertEquals(RelationalGraph.fromEdges(6, true, List.of(e(0, 1), e(1, 0), e(4, 1))), h);

    assertEquals(
        RelationalGraph.empty(3, false),
        parse("#relgraph   nodes=3   directed=false  \n", GraphFormat.EDGE_LIST));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "0 1\\n1 2\\n0 x\\n | g.txt:3: expected two node indices 'u v', got \"0 x\"",
        "0 1\\n\\n7\\n | g.txt:3: expected two node indices 'u v', got \"7\"",
        "0 1\\n1 -2\\n | g.txt:2: negative node index -2",
        "0 1 1\\n | g.txt:1: too many tokens",
        "0 1\\n1,2\\n | g.txt:2: expected two node indices",
        "0 1.0\\n | g.txt:1: expected two node indices",
        "0 99999999999\\n | g.txt:1: node index 99999999999 too large",
        "\\n# only comments\\n\\n | g.txt:3: empty file",
        "`` | g.txt:1: empty file",
        "# relgraph nodes=3 directed=false\\n0 1\\n1 3\\n | g.txt:3: node index 3 beyond the"
            + " declared nodes=3",
        "# relgraph nodes=x directed=false\\n | g.txt:1: malformed header",
        "# relgraph nodes=3 directed=maybe\\n | g.txt:1: malformed header",
        "# relgraph nodes=0 directed=false\\n | g.txt:1: header nodes=0 out of range",
        "# relgraph nodes=3 directed=false\\n0 1\\n# relgraph nodes=4 directed=false\\n | g.txt:3:"
            + " second relgraph header (the first is at line 1)"
      })
  void malformedEdgeListsNameTheLine(String escaped, String expected) {
    String text = escaped.replace("\\n", "\n");
    GraphFormatException e = failure(text, GraphFormat.EDGE_LIST);
    assertTrue(
        e.getMessage().startsWith(expected),
        () -> "message \"" + e.getMessage() + "\" should start with \"" + expected + "\"");
    assertEquals("g.txt", e.source());
    assertEquals(Integer.parseInt(expected.split(":")[1]), e.line());
  }

  // ---- adjacency matrix reading -----------------------------------------------------------------

  @Test
  void matrixDetails() {
    RelationalGraph sym = parse("  011 \r\n101\r\n110\r\n\r\n\n", GraphFormat.ADJACENCY_MATRIX);
    assertFalse(sym.isDirected());
    assertEquals(ClassicGenerators.complete(3), sym);
    RelationalGraph diag = parse("11\n01", GraphFormat.ADJACENCY_MATRIX); // diagonal, no final \n
    assertTrue(diag.isDirected());
    assertEquals(RelationalGraph.fromEdges(2, true, List.<int[]>of(e(0, 1))), diag);
    assertEquals(RelationalGraph.empty(1, false), parse("1", GraphFormat.ADJACENCY_MATRIX));
    RelationalGraph forced =
        parse("# relgraph nodes=2 directed=true\n01\n10\n", GraphFormat.ADJACENCY_MATRIX);
    assertTrue(forced.isDirected());
    assertEquals(2, forced.edgeCount());
  }

  @Test
  void brainMatrixWithShortRowNamesFileAndLine() throws IOException {
    List<String> rows = Files.readAllLines(resource("/brain/cat.txt"));
    rows.set(6, rows.get(6).substring(1));
    Path f = tmp.resolve("cat.txt");
    Files.write(f, rows);
    GraphFormatException e = assertThrows(GraphFormatException.class, () -> GraphIO.read(f));
    assertEquals(f + ":7: row has 51 columns, expected 52", e.getMessage());
    assertEquals(7, e.line());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "011\\n10\\n110\\n | g.txt:2: row has 2 columns, expected 3",
        "011\\n1011\\n | g.txt:2: row has 4 columns, expected 3",
        "01\\n12\\n | g.txt:2: unexpected character '2' in column 2",
        "01\\n10\\n11\\n | g.txt:3: too many rows: expected 2",
        "010\\n101\\n\\n | g.txt:2: matrix has 2 rows, expected 3",
        "01\\n\\n10\\n | g.txt:2: blank line inside the matrix",
        "# relgraph nodes=3 directed=false\\n01\\n10\\n | g.txt:1: header says nodes=3 but the"
            + " matrix is 2x2",
        "# relgraph nodes=2 directed=false\\n01\\n00\\n | g.txt:1: header says directed=false but"
            + " the matrix is not symmetric (row 1, column 2)",
        "\\n\\n | g.txt:2: empty file"
      })
  void malformedMatricesNameTheLine(String escaped, String expected) {
    String text = escaped.replace("\\n", "\n");
    GraphFormatException e = failure(text, GraphFormat.ADJACENCY_MATRIX);
    assertTrue(
        e.getMessage().startsWith(expected),
        () -> "message \"" + e.getMessage() + "\" should start with \"" + expected + "\"");
  }

  // ---- GraphML ----------------------------------------------------------------------------------

  /** Written by networkx 3.6: nx.write_graphml(G) for a DiGraph on a, b, c, d with a self-loop. */
  private static final String NETWORKX_GRAPHML =
      """
      <?xml version='1.0' encoding='utf-8'?>
      <graphml xmlns="http://graphml.graphdrawing.org/xmlns" \
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
      xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns \
      http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">
        <graph edgedefault="directed">
          <node id="a" />
          <node id="b" />
          <node id="c" />
          <node id="d" />
          <edge source="a" target="b" />
          <edge source="a" target="a" />
          <edge source="b" target="c" />
          <edge source="c" target="a" />
        </graph>
      </graphml>
      """;

  @Test
  void readsForeignGraphML() {
    RelationalGraph g = parse(NETWORKX_GRAPHML, GraphFormat.GRAPHML);
    assertEquals(RelationalGraph.fromEdges(4, true, List.of(e(0, 1), e(1, 2), e(2, 0))), g);
    RelationalGraph u =
        parse(
            NETWORKX_GRAPHML
                .replace("\"directed\"", "\"undirected\"")
                .replace("<node id=\"a\" />", "<node id=\"z\" /><node id=\"a\" />"),
            GraphFormat.GRAPHML);
    // document order: z=0, a=1, b=2, c=3, d=4
    assertEquals(RelationalGraph.fromEdges(5, false, List.of(e(1, 2), e(2, 3), e(3, 1))), u);
  }

  @Test
  void malformedGraphMLIsRejectedWithLine() {
    GraphFormatException notXml =
        failure(
            NETWORKX_GRAPHML.replace("<edge source=\"b\" target=\"c\" />", "<edge"),
            GraphFormat.GRAPHML);
    assertTrue(notXml.getMessage().startsWith("g.txt:11: "), notXml.getMessage());

    GraphFormatException noDefault =
        failure(NETWORKX_GRAPHML.replace(" edgedefault=\"directed\"", ""), GraphFormat.GRAPHML);
    assertTrue(noDefault.getMessage().startsWith("g.txt:3: "), noDefault.getMessage());
    assertTrue(noDefault.getMessage().contains("edgedefault"), noDefault.getMessage());

    GraphFormatException badDefault =
        failure(NETWORKX_GRAPHML.replace("\"directed\"", "\"sideways\""), GraphFormat.GRAPHML);
    assertTrue(badDefault.getMessage().startsWith("g.txt:3: "), badDefault.getMessage());

    GraphFormatException schema =
        failure(
            NETWORKX_GRAPHML.replace("<node id=\"d\" />", "<vertex id=\"d\" />"),
            GraphFormat.GRAPHML);
    assertTrue(schema.getMessage().startsWith("g.txt:7: "), schema.getMessage());

    GraphFormatException dangling =
        failure(NETWORKX_GRAPHML.replace("target=\"c\"", "target=\"q\""), GraphFormat.GRAPHML);
    assertTrue(dangling.getMessage().startsWith("g.txt"), dangling.getMessage());
    assertTrue(dangling.getMessage().contains("q"), dangling.getMessage());
  }

  @Test
  void graphMLWithTwoGraphsIsRejected() {
    String two =
        NETWORKX_GRAPHML.replace(
            "  </graph>\n",
            "  </graph>\n  <graph edgedefault=\"undirected\"><node id=\"e\"/></graph>\n");
    GraphFormatException e = failure(two, GraphFormat.GRAPHML);
    assertEquals(
        "g.txt:13: a second <graph> element (the first is at line 3): relgraph reads one graph per"
            + " GraphML file",
        e.getMessage());
    // detected as GraphML too
    assertThrows(GraphFormatException.class, () -> GraphIO.read(new StringReader(two), "g.txt"));
  }

  @Test
  void graphMLWithAByteOrderMarkIsRead() throws IOException {
    RelationalGraph expected = parse(NETWORKX_GRAPHML, GraphFormat.GRAPHML);
    Path f = tmp.resolve("bom.graphml");
    Files.writeString(f, "\uFEFF" + NETWORKX_GRAPHML, StandardCharsets.UTF_8);
    assertEquals(GraphFormat.GRAPHML, GraphIO.detectFormat(f));
    assertEquals(expected, GraphIO.read(f));
    assertEquals(expected, GraphIO.read(f, GraphFormat.GRAPHML));
    assertEquals(expected, GraphIO.read(new StringReader("\uFEFF" + NETWORKX_GRAPHML), "g.txt"));
  }

  @Test
  void graphMLWithoutItsNamespaceSaysSo() {
    String bare =
        "<?xml version='1.0'?>\n<graphml>\n<graph edgedefault=\"undirected\">"
            + "<node id=\"a\"/></graph>\n</graphml>\n";
    assertEquals(
        "g.txt:2: GraphML root element lacks xmlns=\"http://graphml.graphdrawing.org/xmlns\"",
        failure(bare, GraphFormat.GRAPHML).getMessage());
    assertEquals(
        "g.txt:2: GraphML root element has xmlns=\"urn:x\", expected"
            + " xmlns=\"http://graphml.graphdrawing.org/xmlns\"",
        failure(bare.replace("<graphml>", "<graphml xmlns=\"urn:x\">"), GraphFormat.GRAPHML)
            .getMessage());
    assertEquals(
        "g.txt:2: root element \"<html>\", expected <graphml>",
        failure("<?xml version='1.0'?>\n<html></html>\n", GraphFormat.GRAPHML).getMessage());
  }

  @Test
  void hugeGraphsSayHowMuchMemoryTheyNeed() {
    assertEquals(
        "g.txt:1: header nodes=3000000 too large: n = 3000000 needs 1.0 TiB of adjacency"
            + " bitsets, more than one Java array holds (16 GiB): use fewer nodes",
        failure("# relgraph nodes=3000000 directed=false\n0 1\n", GraphFormat.EDGE_LIST)
            .getMessage());
    assertEquals(
        "g.txt:2: node index 2999999 too large: n = 3000000 needs 1.0 TiB of"
            + " adjacency bitsets, more than one Java array holds (16 GiB): use fewer nodes",
        failure("0 1\n1 2999999\n", GraphFormat.EDGE_LIST).getMessage());
    String row = "0".repeat(3_000_000);
    assertEquals(
        "g.txt:1: row of 3000000 columns too long: n = 3000000 needs 1.0 TiB of"
            + " adjacency bitsets, more than one Java array holds (16 GiB): use fewer nodes",
        failure(row + "\n", GraphFormat.ADJACENCY_MATRIX).getMessage());
    GraphFormatException beyondLong = failure("0 " + "9".repeat(30) + "\n", GraphFormat.EDGE_LIST);
    assertTrue(
        beyondLong.getMessage().endsWith("too large: more nodes than any graph can have"),
        beyondLong.getMessage());
  }

  @Test
  void heapLimitIsNamedWithTheMemoryNeeded() {
    long max = Runtime.getRuntime().maxMemory();
    long n = (long) Math.ceil(Math.sqrt(2.0 * max)) + 64; // 8 n ceil(n/64) > max / 4
    String m = RelationalGraph.memoryProblem(n);
    assertTrue(m.startsWith("n = " + n + " needs "), m);
    assertTrue(
        m.contains("GiB of adjacency bitsets, more than a quarter of this JVM's ")
            || m.contains("more than one Java array holds"),
        m);
    assertEquals(null, RelationalGraph.memoryProblem(64));
  }

  @Test
  void quotedLinesAreCutAndEscaped() {
    String line = "0 1 2 ".repeat(200_000); // 1.2 MB
    GraphFormatException e = failure("0 1\n" + line + "\n", GraphFormat.EDGE_LIST);
    assertTrue(e.getMessage().startsWith("g.txt:2: too many tokens: expected two node indices"));
    assertTrue(e.getMessage().endsWith("...\" (1199999 characters)"), e.getMessage());
    assertTrue(e.getMessage().length() < 250, e.getMessage());
    GraphFormatException esc = failure("0 \u001b[2J\u001b[31mred\n", GraphFormat.EDGE_LIST);
    assertEquals(
        "g.txt:1: expected two node indices 'u v', got \"0 \\x1b[2J\\x1b[31mred\"",
        esc.getMessage());
    GraphFormatException header =
        failure("# relgraph nodes=\u001b[2J directed=true\n", GraphFormat.EDGE_LIST);
    assertTrue(header.getMessage().contains("\\x1b[2J"), header.getMessage());
    assertFalse(header.getMessage().contains("\u001b"), header.getMessage());
    GraphFormatException matrix = failure("01\n1\u001b\n", GraphFormat.ADJACENCY_MATRIX);
    assertTrue(matrix.getMessage().startsWith("g.txt:2: unexpected character '\\x1b' in column 2"));
  }

  @Test
  void csvGivenAsAGraphGetsAHint() {
    GraphFormatException e = failure("n,k_over_n,p,seed\n64,0.5,0.1,1\n", GraphFormat.EDGE_LIST);
    assertTrue(e.getMessage().startsWith("g.txt:1: expected two node indices 'u v', got"));
    assertTrue(e.getMessage().contains("(CSV? graph files are edge lists"), e.getMessage());
  }

  // ---- I/O failures -----------------------------------------------------------------------------

  @Test
  void missingFileNamesThePath() {
    Path missing = tmp.resolve("nope.txt");
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> GraphIO.read(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    assertThrows(UncheckedIOException.class, () -> GraphIO.read(missing, GraphFormat.EDGE_LIST));
  }

  @Test
  void invalidUtf8IsAFormatError() throws IOException {
    Path f = tmp.resolve("bad.txt");
    Files.write(f, new byte[] {'0', ' ', '1', '\n', (byte) 0xff, (byte) 0xfe, '\n'});
    GraphFormatException e =
        assertThrows(GraphFormatException.class, () -> GraphIO.read(f, GraphFormat.EDGE_LIST));
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    Files.writeString(f, "\uFEFF0 1\n", StandardCharsets.UTF_8); // a BOM is fine
    assertEquals(RelationalGraph.fromEdges(2, false, List.<int[]>of(e(0, 1))), GraphIO.read(f));
  }

  private static int[] e(int u, int v) {
    return new int[] {u, v};
  }
}
