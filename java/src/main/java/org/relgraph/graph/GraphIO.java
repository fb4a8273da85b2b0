package org.relgraph.graph;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.DirectedPseudograph;
import org.jgrapht.nio.ExportException;
import org.jgrapht.nio.ImportException;
import org.jgrapht.nio.graphml.GraphMLExporter;
import org.jgrapht.nio.graphml.GraphMLImporter;
import org.relgraph.io.OutputFiles;
import org.relgraph.io.Quoting;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads and writes {@link RelationalGraph}s as edge lists, 0/1 adjacency matrices and GraphML (see
 * {@link GraphFormat}).
 *
 * <p><b>Edge list.</b> One edge {@code u v} per line: two 0-based non-negative node indices
 * separated by whitespace. {@code #} starts a comment, on a line of its own or after an edge; blank
 * lines are ignored; repeated edges count once. A whole-line comment {@code # relgraph nodes=N
 * directed=true|false} (the header {@link #writeEdgeList} writes) sets the node count, so isolated
 * trailing nodes survive, and the directedness; without it the graph is undirected with {@code n =}
 * the largest index {@code + 1}. Self-loops {@code u u} are skipped: every node receives from
 * itself anyway (see {@link RelationalGraph}), though their indices still count towards {@code n}.
 *
 * <p><b>Adjacency matrix.</b> {@code n} lines of {@code n} characters {@code 0}/{@code 1}, without
 * separators; row {@code u}, column {@code v} is the arc {@code u -> v}. Surrounding whitespace, a
 * {@code \r} before the newline, a missing final newline, blank lines at the end and {@code #}
 * comment lines are tolerated. The graph is undirected when the matrix is symmetric, directed
 * otherwise, unless a {@code # relgraph nodes=N directed=true} comment says it is directed.
 * Diagonal 1s are skipped (implied self-loops).
 *
 * <p><b>GraphML.</b> Through jgrapht-io's {@link GraphMLImporter} (schema-validated) and {@link
 * GraphMLExporter}. The root element is {@code <graphml
 * xmlns="http://graphml.graphdrawing.org/xmlns">} and holds one {@code <graph>}: a second one is an
 * error (the importer would merge them). Nodes are numbered {@code 0..n-1} in document order; the
 * graph is directed when the {@code <graph>} element's {@code edgedefault} is {@code directed}.
 * Per-edge {@code directed} attributes, attributes and weights are ignored; self-loops are dropped
 * and parallel edges merged.
 *
 * <p>Text is read and written as UTF-8, with {@code \n} line ends; a byte-order mark at the start
 * is skipped in every format. Malformed input throws {@link GraphFormatException}, whose message
 * names the source, the line and the problem, quoting input through {@link Quoting} (cut short,
 * control characters escaped); a graph too large for memory is named with the memory it needs. I/O
 * failures throw {@link UncheckedIOException} naming the path where there is one.
 */
public final class GraphIO {
  private static final Pattern HEADER_START = Pattern.compile("#\\s*relgraph\\s+nodes=.*");
  private static final Pattern HEADER =
      Pattern.compile("#\\s*relgraph\\s+nodes=(\\d+)\\s+directed=(true|false)\\s*");
  private static final String HEADER_FORM = "'# relgraph nodes=N directed=true|false'";
  private static final String GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns";

  /** The columns of a graph-set CSV (space.DesignSpaceFiles.SAMPLE_HEADER), for a hint. */
  private static final String GRAPH_SET_HEADER = "n,k_over_n,p,seed,clustering,path_length";

  private GraphIO() {}

  /**
   * The format of a graph file, judged from its first line that is neither blank nor a {@code #}
   * comment: {@link GraphFormat#GRAPHML} when it starts with {@code <}, {@link
   * GraphFormat#ADJACENCY_MATRIX} when it consists only of {@code 0} and {@code 1}, {@link
   * GraphFormat#EDGE_LIST} otherwise (also when there is no such line).
   *
   * @throws UncheckedIOException when the file cannot be read
   */
  public static GraphFormat detectFormat(Path file) {
    try (BufferedReader in = open(file)) {
      return detect(in);
    } catch (CharacterCodingException e) {
      throw new GraphFormatException(file.toString(), 0, "not UTF-8 text", e);
    } catch (IOException e) {
      throw ioFailure(file, e);
    }
  }

  /**
   * Reads a graph file in the format {@link #detectFormat(Path)} finds.
   *
   * @throws GraphFormatException for malformed content
   * @throws UncheckedIOException when the file cannot be read (missing, unreadable)
   */
  public static RelationalGraph read(Path file) {
    // Read once: a pipe such as /dev/stdin cannot be opened a second time from its start.
    String text;
    try (BufferedReader in = open(file)) {
      text = slurp(in);
    } catch (CharacterCodingException e) {
      throw new GraphFormatException(file.toString(), 0, "not UTF-8 text", e);
    } catch (IOException e) {
      throw ioFailure(file, e);
    }
    return readText(text, file.toString());
  }

  /**
   * Reads a graph file in the given format.
   *
   * @throws GraphFormatException for malformed content
   * @throws UncheckedIOException when the file cannot be read (missing, unreadable)
   */
  public static RelationalGraph read(Path file, GraphFormat format) {
    try (BufferedReader in = open(file)) {
      return parse(in, file.toString(), format);
    } catch (IOException e) {
      throw ioFailure(file, e);
    }
  }

  /**
   * Reads a graph from {@code in}, detecting the format as {@link #detectFormat(Path)} does (the
   * whole input is buffered first). The reader is not closed.
   *
   * @param sourceName the name error messages give the input, e.g. its file name
   * @throws GraphFormatException for malformed content
   * @throws UncheckedIOException when reading fails
   */
  public static RelationalGraph read(Reader in, String sourceName) {
    String text;
    try {
      text = slurp(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + sourceName + ": " + e.getMessage(), e);
    }
    return readText(text, sourceName);
  }

  private static RelationalGraph readText(String text, String sourceName) {
    GraphFormat format;
    try {
      format = detect(new BufferedReader(new StringReader(text)));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen for a StringReader
    }
    return read(new StringReader(text), sourceName, format);
  }

  /**
   * Reads a graph in the given format from {@code in}. The reader is not closed.
   *
   * @param sourceName the name error messages give the input, e.g. its file name
   * @throws GraphFormatException for malformed content
   * @throws UncheckedIOException when reading fails
   */
  public static RelationalGraph read(Reader in, String sourceName, GraphFormat format) {
    try {
      BufferedReader br = in instanceof BufferedReader b ? b : new BufferedReader(in);
      return parse(br, sourceName, format);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + sourceName + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code g} to {@code file} (created or replaced, through {@link OutputFiles}) in the
   * given format; edge lists get no extra comment.
   *
   * @throws UncheckedIOException when the file cannot be written
   */
  public static void write(RelationalGraph g, Path file, GraphFormat format) {
    try {
      OutputFiles.writeText(file, out -> write(g, out, format, null));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code g} in the given format; {@code comment} goes into edge lists only (see {@link
   * #writeEdgeList}). The writer is flushed, not closed.
   *
   * @throws UncheckedIOException when writing fails
   */
  public static void write(RelationalGraph g, Writer out, GraphFormat format, String comment) {
    switch (format) {
      case EDGE_LIST -> writeEdgeList(g, out, comment);
      case ADJACENCY_MATRIX -> writeAdjacencyMatrix(g, out);
      case GRAPHML -> writeGraphML(g, out);
    }
  }

  /**
   * Writes {@code g} as an edge list: the header {@code # relgraph nodes=N directed=true|false},
   * then {@code comment} (if not null or blank) as {@code #} comment lines, then one {@code u v}
   * line per edge in ascending order, with {@code u < v} when undirected. The writer is flushed,
   * not closed.
   *
   * @throws IllegalArgumentException when a comment line would read back as a header
   * @throws UncheckedIOException when writing fails
   */
  public static void writeEdgeList(RelationalGraph g, Writer out, String comment) {
    StringBuilder sb = new StringBuilder();
    sb.append("# relgraph nodes=")
        .append(g.nodeCount())
        .append(" directed=")
        .append(g.isDirected())
        .append('\n');
    if (comment != null && !comment.isBlank()) {
      for (String line : comment.split("\\R", -1)) {
        String c = "# " + line.stripTrailing();
        if (HEADER_START.matcher(c.strip()).matches()) {
          throw new IllegalArgumentException(
              "comment line \"" + line + "\" would read back as a relgraph header");
        }
        sb.append(c).append('\n');
      }
    }
    try {
      for (int u = 0; u < g.nodeCount(); u++) {
        for (int v : g.neighbors(u)) {
          if (g.isDirected() || u < v) {
            sb.append(u).append(' ').append(v).append('\n');
          }
        }
        if (sb.length() >= 1 << 16) {
          out.append(sb);
          sb.setLength(0);
        }
      }
      out.append(sb);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write edge list: " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code g} as {@code n} lines of {@code n} characters {@code 0}/{@code 1}. A directed
   * graph whose arcs all come in pairs has a symmetric matrix, which alone would read back as
   * undirected: for it, and only for it, a {@code # relgraph nodes=N directed=true} line comes
   * first. The writer is flushed, not closed.
   *
   * @throws UncheckedIOException when writing fails
   */
  public static void writeAdjacencyMatrix(RelationalGraph g, Writer out) {
    int n = g.nodeCount();
    try {
      if (g.isDirected() && isSymmetric(g)) {
        out.write("# relgraph nodes=" + n + " directed=true\n");
      }
      char[] row = new char[n + 1];
      row[n] = '\n';
      for (int u = 0; u < n; u++) {
        Arrays.fill(row, 0, n, '0');
        for (int v : g.neighbors(u)) {
          row[v] = '1';
        }
        out.write(row);
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write adjacency matrix: " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code g} as GraphML through jgrapht's {@link GraphMLExporter}: nodes {@code n0..n<n-1>}
   * in order, {@code edgedefault} from the graph's directedness. The writer is flushed, not closed.
   *
   * @throws UncheckedIOException when writing fails
   */
  public static void writeGraphML(RelationalGraph g, Writer out) {
    GraphMLExporter<Integer, DefaultEdge> exporter = new GraphMLExporter<>(v -> "n" + v);
    try {
      exporter.exportGraph(g.toJGraphT(), out);
      out.flush();
    } catch (ExportException e) {
      if (e.getCause() instanceof IOException io) {
        throw new UncheckedIOException("cannot write GraphML: " + io.getMessage(), io);
      }
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write GraphML: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static BufferedReader open(Path file) throws IOException {
    return Files.newBufferedReader(file, StandardCharsets.UTF_8);
  }

  private static UncheckedIOException ioFailure(Path file, IOException e) {
    String why =
        e instanceof NoSuchFileException
            ? "no such file"
            : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new UncheckedIOException("cannot read graph file " + file + ": " + why, e);
  }

  private static String slurp(Reader in) throws IOException {
    StringBuilder sb = new StringBuilder();
    char[] buf = new char[8192];
    for (int r; (r = in.read(buf)) != -1; ) {
      sb.append(buf, 0, r);
    }
    return sb.toString();
  }

  private static GraphFormat detect(BufferedReader in) throws IOException {
    boolean first = true;
    for (String line; (line = in.readLine()) != null; ) {
      String s = first ? stripBom(line).strip() : line.strip();
      first = false;
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      if (s.startsWith("<")) {
        return GraphFormat.GRAPHML;
      }
      return isBinaryRow(s) ? GraphFormat.ADJACENCY_MATRIX : GraphFormat.EDGE_LIST;
    }
    return GraphFormat.EDGE_LIST;
  }

  private static boolean isBinaryRow(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '0' && c != '1') {
        return false;
      }
    }
    return true;
  }

  private static String stripBom(String line) {
    return !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
  }

  private static RelationalGraph parse(BufferedReader in, String source, GraphFormat format)
      throws IOException {
    return switch (format) {
      case EDGE_LIST -> new EdgeListParser(in, source).parse();
      case ADJACENCY_MATRIX -> new MatrixParser(in, source).parse();
      case GRAPHML -> parseGraphML(slurp(in), source);
    };
  }

  /** A {@code # relgraph ...} header line, or null for any other comment. */
  private record Header(int nodes, boolean directed, int line) {
    static Header parse(String comment, String source, int line) {
      if (!HEADER_START.matcher(comment).matches()) {
        return null;
      }
      Matcher m = HEADER.matcher(comment);
      if (!m.matches()) {
        throw new GraphFormatException(
            source,
            line,
            "malformed header " + Quoting.quote(comment) + ", expected " + HEADER_FORM);
      }
      String digits = m.group(1);
      long nodes = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
      if (nodes < 1) {
        throw new GraphFormatException(
            source, line, "header nodes=" + digits + " out of range (need 1 or more)");
      }
      String tooLarge = RelationalGraph.memoryProblem(nodes);
      if (tooLarge != null) {
        throw new GraphFormatException(
            source, line, "header nodes=" + Quoting.excerpt(digits) + " too large: " + tooLarge);
      }
      return new Header((int) nodes, Boolean.parseBoolean(m.group(2)), line);
    }
  }

  /** Shared line loop: numbers lines, strips a BOM, turns decoding errors into format errors. */
  private abstract static class LineParser {
    final BufferedReader in;
    final String source;
    int lineNo;
    Header header;

    LineParser(BufferedReader in, String source) {
      this.in = in;
      this.source = source;
    }

    String nextLine() throws IOException {
      String line;
      try {
        line = in.readLine();
      } catch (CharacterCodingException e) {
        throw new GraphFormatException(source, lineNo + 1, "not UTF-8 text", e);
      }
      if (line != null) {
        lineNo++;
        if (lineNo == 1) {
          line = stripBom(line);
        }
      }
      return line;
    }

    /** Handles a whole-line comment (stripped, starting with '#'). */
    void comment(String s) {
      Header h = Header.parse(s, source, lineNo);
      if (h != null) {
        if (header != null) {
          throw new GraphFormatException(
              source, lineNo, "second relgraph header (the first is at line " + header.line + ")");
        }
        header = h;
      }
    }

    GraphFormatException error(int line, String problem) {
      return new GraphFormatException(source, line, problem);
    }
  }

  private static final class EdgeListParser extends LineParser {
    /** Triples (u, v, line). */
    private int[] edges = new int[3 * 64];

    private int size;
    private int maxIndex = -1;
    private int maxIndexLine;

    EdgeListParser(BufferedReader in, String source) {
      super(in, source);
    }

    RelationalGraph parse() throws IOException {
      for (String line; (line = nextLine()) != null; ) {
        int hash = line.indexOf('#');
        String content = hash >= 0 ? line.substring(0, hash) : line;
        if (content.isBlank()) {
          if (hash >= 0) {
            comment(line.substring(hash).strip());
          }
          continue;
        }
        edge(content.strip());
      }
      int n;
      if (header != null) {
        n = header.nodes;
        for (int i = 0; i < size; i += 3) {
          int bad = Math.max(edges[i], edges[i + 1]);
          if (bad >= n) {
            throw error(
                edges[i + 2],
                "node index "
                    + bad
                    + " beyond the declared nodes="
                    + n
                    + " (header at line "
                    + header.line
                    + "; indices are 0.."
                    + (n - 1)
                    + ")");
          }
        }
      } else if (maxIndex < 0) {
        throw error(
            Math.max(lineNo, 1), "empty file: no edges 'u v' and no " + HEADER_FORM + " header");
      } else {
        n = maxIndex + 1;
        String tooLarge = RelationalGraph.memoryProblem(n);
        if (tooLarge != null) {
          throw error(maxIndexLine, "node index " + maxIndex + " too large: " + tooLarge);
        }
      }
      boolean directed = header != null && header.directed;
      RelationalGraph.Builder b = RelationalGraph.builder(n, directed);
      for (int i = 0; i < size; i += 3) {
        if (edges[i] != edges[i + 1]) {
          b.addEdge(edges[i], edges[i + 1]);
        }
      }
      return b.build();
    }

    private void edge(String s) {
      int len = s.length();
      int[] starts = new int[3];
      int[] ends = new int[3];
      int tokens = 0;
      int i = 0;
      while (i < len && tokens < 3) {
        while (i < len && Character.isWhitespace(s.charAt(i))) {
          i++;
        }
        if (i == len) {
          break;
        }
        starts[tokens] = i;
        while (i < len && !Character.isWhitespace(s.charAt(i))) {
          i++;
        }
        ends[tokens++] = i;
      }
      if (tokens > 2) {
        throw error(lineNo, "too many tokens: " + notAnEdge(s));
      }
      if (tokens < 2) {
        throw error(lineNo, notAnEdge(s));
      }
      int u = index(s, starts[0], ends[0]);
      int v = index(s, starts[1], ends[1]);
      if (size + 3 > edges.length) {
        edges = Arrays.copyOf(edges, edges.length * 2);
      }
      edges[size++] = u;
      edges[size++] = v;
      edges[size++] = lineNo;
      int max = Math.max(u, v);
      if (max > maxIndex) {
        maxIndex = max;
        maxIndexLine = lineNo;
      }
    }

    private int index(String s, int from, int to) {
      String t = s.substring(from, to);
      boolean negative = t.startsWith("-");
      int digits = negative ? 1 : 0;
      if (digits == t.length()) {
        throw error(lineNo, notAnEdge(s));
      }
      for (int i = digits; i < t.length(); i++) {
        char c = t.charAt(i);
        if (c < '0' || c > '9') {
          throw error(lineNo, notAnEdge(s));
        }
      }
      if (negative) {
        throw error(lineNo, "negative node index " + Quoting.excerpt(t));
      }
      try {
        return Integer.parseInt(t);
      } catch (NumberFormatException e) {
        String why =
            t.length() > 18
                ? "more nodes than any graph can have"
                : RelationalGraph.memoryProblem(Long.parseLong(t) + 1);
        throw error(lineNo, "node index " + Quoting.excerpt(t) + " too large: " + why);
      }
    }

    /** The problem with a line that is no edge, with a hint when it looks like CSV. */
    private static String notAnEdge(String s) {
      return "expected two node indices 'u v', got "
          + Quoting.quote(s)
          + (s.indexOf(',') >= 0
              ? " (CSV? graph files are edge lists 'u v', 0/1 matrices or GraphML; a graph set"
                  + " has the header '"
                  + GRAPH_SET_HEADER
                  + "')"
              : "");
    }
  }

  private static final class MatrixParser extends LineParser {
    MatrixParser(BufferedReader in, String source) {
      super(in, source);
    }

    RelationalGraph parse() throws IOException {
      int n = -1;
      int words = 0;
      long[] rows = null;
      int r = 0;
      int lastRowLine = 0;
      int blankLine = 0;
      for (String line; (line = nextLine()) != null; ) {
        String s = line.strip();
        if (s.isEmpty()) {
          if (r > 0 && blankLine == 0) {
            blankLine = lineNo;
          }
          continue;
        }
        if (s.startsWith("#")) {
          comment(s);
          continue;
        }
        if (blankLine != 0) {
          throw error(blankLine, "blank line inside the matrix (row " + (r + 1) + " follows it)");
        }
        if (rows == null) {
          n = s.length();
          String tooLarge = RelationalGraph.memoryProblem(n);
          if (tooLarge != null) {
            throw error(lineNo, "row of " + n + " columns too long: " + tooLarge);
          }
          words = RelationalGraph.wordsPerRow(n);
          rows = new long[n * words];
        } else if (s.length() != n) {
          throw error(lineNo, "row has " + s.length() + " columns, expected " + n);
        }
        if (r >= n) {
          throw error(lineNo, "too many rows: expected " + n + ", one per column of the first row");
        }
        int base = r * words;
        for (int c = 0; c < n; c++) {
          char ch = s.charAt(c);
          if (ch == '1') {
            rows[base + (c >>> 6)] |= 1L << c;
          } else if (ch != '0') {
            throw error(
                lineNo,
                "unexpected character "
                    + Quoting.quote(new String(Character.toChars(s.codePointAt(c))), '\'')
                    + " in column "
                    + (c + 1)
                    + ", expected '0' or '1' (no separators)");
          }
        }
        r++;
        lastRowLine = lineNo;
      }
      if (rows == null) {
        throw error(Math.max(lineNo, 1), "empty file: no matrix rows");
      }
      if (r < n) {
        throw error(lastRowLine, "matrix has " + r + " rows, expected " + n + " (one per column)");
      }
      if (header != null && header.nodes != n) {
        throw error(
            header.line, "header says nodes=" + header.nodes + " but the matrix is " + n + "x" + n);
      }
      for (int u = 0; u < n; u++) {
        rows[u * words + (u >>> 6)] &= ~(1L << u);
      }
      int[] asym = firstAsymmetry(rows, n, words);
      boolean directed;
      if (header != null && header.directed) {
        directed = true;
      } else if (header != null && asym != null) {
        throw error(
            header.line,
            "header says directed=false but the matrix is not symmetric (row "
                + (asym[0] + 1)
                + ", column "
                + (asym[1] + 1)
                + ")");
      } else {
        directed = asym != null;
      }
      return RelationalGraph.adopt(n, directed, rows);
    }
  }

  /** The first {u, v} with u -> v but not v -> u, or null when symmetric. */
  private static int[] firstAsymmetry(long[] rows, int n, int words) {
    for (int u = 0; u < n; u++) {
      for (int w = 0; w < words; w++) {
        long bits = rows[u * words + w];
        while (bits != 0) {
          int v = (w << 6) + Long.numberOfTrailingZeros(bits);
          bits &= bits - 1;
          if ((rows[v * words + (u >>> 6)] & (1L << u)) == 0) {
            return new int[] {u, v};
          }
        }
      }
    }
    return null;
  }

  private static boolean isSymmetric(RelationalGraph g) {
    return firstAsymmetry(g.rows(), g.nodeCount(), RelationalGraph.wordsPerRow(g.nodeCount()))
        == null;
  }

  private static RelationalGraph parseGraphML(String xml, String source) {
    String text = stripBom(xml); // XML parsers take a BOM in bytes, not in decoded text
    boolean directed = graphmlEdgeDefault(text, source);
    Graph<Integer, DefaultEdge> graph = new DirectedPseudograph<>(DefaultEdge.class);
    GraphMLImporter<Integer, DefaultEdge> importer = new GraphMLImporter<>();
    int[] next = {0};
    importer.setVertexFactory(id -> next[0]++);
    try {
      importer.importGraph(graph, new StringReader(text));
    } catch (ImportException e) {
      throw xmlError(source, e);
    }
    int n = graph.vertexSet().size();
    if (n == 0) {
      throw new GraphFormatException(source, 0, "GraphML graph has no nodes");
    }
    String tooLarge = RelationalGraph.memoryProblem(n);
    if (tooLarge != null) {
      throw new GraphFormatException(source, 0, "GraphML graph too large: " + tooLarge);
    }
    RelationalGraph.Builder b = RelationalGraph.builder(n, directed);
    for (DefaultEdge e : graph.edgeSet()) {
      int u = graph.getEdgeSource(e);
      int v = graph.getEdgeTarget(e);
      if (u != v) {
        b.addEdge(u, v);
      }
    }
    return b.build();
  }

  /**
   * Well-formedness pass before the schema-validating importer: checks what the schema's messages
   * would not say plainly (the root element and its namespace; one {@code <graph>}, since the
   * importer merges several into one) and finds the {@code <graph>}'s {@code edgedefault}.
   */
  private static boolean graphmlEdgeDefault(String text, String source) {
    final class Handler extends DefaultHandler {
      Locator locator;
      String edgeDefault;
      int graphLine;
      boolean seenGraph;
      boolean seenRoot;

      @Override
      public void setDocumentLocator(Locator locator) {
        this.locator = locator;
      }

      @Override
      public void startElement(String uri, String localName, String qName, Attributes atts)
          throws SAXException {
        if (!seenRoot) {
          seenRoot = true;
          if (!"graphml".equals(localName)) {
            throw new SAXParseException(
                "root element " + Quoting.quote("<" + qName + ">") + ", expected <graphml>",
                locator);
          }
          if (uri == null || uri.isEmpty()) {
            throw new SAXParseException(
                "GraphML root element lacks xmlns=\"" + GRAPHML_NS + "\"", locator);
          }
          if (!GRAPHML_NS.equals(uri)) {
            throw new SAXParseException(
                "GraphML root element has xmlns="
                    + Quoting.quote(uri)
                    + ", expected xmlns=\""
                    + GRAPHML_NS
                    + "\"",
                locator);
          }
        }
        if ("graph".equals(localName) && GRAPHML_NS.equals(uri)) {
          if (seenGraph) {
            throw new SAXParseException(
                "a second <graph> element (the first is at line "
                    + graphLine
                    + "): relgraph reads one graph per GraphML file",
                locator);
          }
          seenGraph = true;
          edgeDefault = atts.getValue("edgedefault");
          graphLine = locator == null ? 0 : locator.getLineNumber();
        }
      }
    }
    Handler h = new Handler();
    try {
      SAXParserFactory f = SAXParserFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      // GraphML needs no DTD; refusing one here also keeps the importer that parses the same
      // text afterwards from resolving external entities.
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      XMLReader reader = f.newSAXParser().getXMLReader();
      reader.setContentHandler(h);
      reader.setErrorHandler(h); // throws on fatal errors instead of printing them
      reader.parse(new InputSource(new StringReader(text)));
    } catch (SAXParseException e) {
      throw new GraphFormatException(source, e.getLineNumber(), e.getMessage(), e);
    } catch (SAXException | ParserConfigurationException e) {
      throw new GraphFormatException(source, 0, e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen for a StringReader
    }
    if (!h.seenGraph) {
      throw new GraphFormatException(source, 0, "no <graph> element");
    }
    if (h.edgeDefault == null) {
      throw new GraphFormatException(
          source, h.graphLine, "<graph> lacks edgedefault=\"directed|undirected\"");
    }
    return switch (h.edgeDefault) {
      case "directed" -> true;
      case "undirected" -> false;
      default ->
          throw new GraphFormatException(
              source,
              h.graphLine,
              "edgedefault=" + Quoting.quote(h.edgeDefault) + ", expected directed or undirected");
    };
  }

  private static GraphFormatException xmlError(String source, ImportException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SAXParseException p) {
        return new GraphFormatException(source, p.getLineNumber(), p.getMessage(), e);
      }
    }
    String msg = e.getMessage();
    if (e.getCause() != null && e.getCause().getMessage() != null) {
      msg = e.getCause().getMessage();
    }
    return new GraphFormatException(source, 0, msg, e);
  }
}
