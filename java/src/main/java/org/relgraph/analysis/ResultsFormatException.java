package org.relgraph.analysis;

/**
 * A results file (CSV or SQLite database) that cannot be read: its message is {@code source:line:
 * problem}, or {@code source: problem} when no line applies.
 */
public final class ResultsFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * A problem at a line of a source.
   *
   * @param source the file name or other name of the input
   * @param line the 1-based line number, or {@code 0} when none applies
   * @param problem what is wrong
   */
  public ResultsFormatException(String source, int line, String problem) {
    this(source, line, problem, null);
  }

  /** As {@link #ResultsFormatException(String, int, String)}, with the underlying cause. */
  public ResultsFormatException(String source, int line, String problem, Throwable cause) {
    super((line > 0 ? source + ":" + line + ": " : source + ": ") + problem, cause);
  }
}
