package org.relgraph.train;

/**
 * A data set that cannot be loaded: a missing directory or file, or a file whose contents do not
 * match its format. The message is one line; when one file is at fault it starts with that file's
 * name, as in {@code t10k-labels-idx1-ubyte.gz: truncated: expected 10000 labels, found 9998}.
 */
public final class DatasetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A problem described by a complete one-line message. */
  public DatasetException(String message) {
    super(message);
  }

  /** As {@link #DatasetException(String)}, with the underlying cause. */
  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A problem in one file: the message is {@code file: problem}. */
  static DatasetException inFile(String file, String problem) {
    return new DatasetException(file + ": " + problem);
  }

  /** As {@link #inFile(String, String)}, with the underlying cause. */
  static DatasetException inFile(String file, String problem, Throwable cause) {
    return new DatasetException(file + ": " + problem, cause);
  }
}
