package org.relgraph.engine;

/** A failure inside native code, with the native message. The one type native errors surface as. */
public final class NativeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  NativeException(String message, Throwable cause) {
    super(message, cause);
  }
}
