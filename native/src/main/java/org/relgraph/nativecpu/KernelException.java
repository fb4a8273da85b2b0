package org.relgraph.nativecpu;

/**
 * A C++ exception from the kernels, with its message: a call the native checks rejected, or a
 * failure inside a kernel. Every C++ exception crosses the JNI boundary as this type; {@code
 * org.relgraph.engine} reports it as its {@code NativeException}.
 */
public final class KernelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Made by the JNI code with the C++ exception's {@code what()}. */
  public KernelException(String message) {
    super(message);
  }
}
