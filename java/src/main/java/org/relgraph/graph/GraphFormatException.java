package org.relgraph.graph;

/**
 * A graph file that cannot be read: its message is {@code source:line: problem} (or {@code source:
 * problem} when no line applies), as compilers print it.
 */
public final class GraphFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;

  /**
   * A problem at a line of a source.
   *
   * @param source the file name or other name of the input
   * @param line the 1-based line number, or {@code 0} when unknown
   * @param problem what is wrong
   */
  public GraphFormatException(String source, int line, String problem) {
    this(source, line, problem, null);
  }

  /** As {@link #GraphFormatException(String, int, String)}, with the underlying cause. */
  public GraphFormatException(String source, int line, String problem, Throwable cause) {
    super((line > 0 ? source + ":" + line + ": " : source + ": ") + problem, cause);
    this.source = source;
    this.line = line;
  }

  /** The name of the input, usually its path. */
  public String source() {
    return source;
  }

  /** The 1-based line number of the problem, or {@code 0} when unknown. */
  public int line() {
    return line;
  }
}
