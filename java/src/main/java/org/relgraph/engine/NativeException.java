package org.relgraph.engine;

/**
 * A failure inside native code (or on a device), with the native message. The one type native
 * errors surface as.
 */
public final class NativeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with the native message; {@code cause} may be null. */
  public NativeException(String message, Throwable cause) {
    super(message, cause);
  }
}
