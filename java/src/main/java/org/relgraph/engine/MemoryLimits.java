package org.relgraph.engine;

import java.util.Locale;
import java.util.Optional;
import org.bytedeco.javacpp.Pointer;

/**
 * What this JVM may allocate, for checks made before a large allocation: the heap ({@code -Xmx}),
 * the native memory of tensors (JavaCPP's {@code org.bytedeco.javacpp.maxBytes}, by default the
 * heap's size) and the machine's physical memory. An estimate above a limit gets one sentence
 * instead of an allocation that fails after seconds, or after the machine starts swapping.
 */
public final class MemoryLimits {
  private MemoryLimits() {}

  /** The largest number of values one tensor (or one Java array of them) may hold. */
  public static final long MAX_TENSOR_VALUES = Integer.MAX_VALUE - 8;

  /**
   * Why {@code heapBytes} on the Java heap and {@code nativeBytes} of native memory, needed at
   * once, do not fit this JVM; empty when they fit.
   */
  public static Optional<String> shortfall(long heapBytes, long nativeBytes) {
    long heap = Runtime.getRuntime().maxMemory();
    if (heapBytes > heap) {
      return Optional.of(
          "about "
              + gib(heapBytes)
              + " of heap memory, more than this JVM's "
              + gib(heap)
              + " (-Xmx)");
    }
    long maxNative = Pointer.maxBytes();
    if (maxNative > 0 && nativeBytes > maxNative - Pointer.totalBytes()) {
      return Optional.of(
          "about "
              + gib(nativeBytes)
              + " of native memory, more than this JVM's limit of "
              + gib(maxNative)
              + " (it follows -Xmx)");
    }
    long physical = Pointer.totalPhysicalBytes();
    if (physical > 0 && heapBytes + nativeBytes > physical) {
      return Optional.of(
          "about "
              + gib(heapBytes + nativeBytes)
              + " of memory, more than this machine's "
              + gib(physical));
    }
    return Optional.empty();
  }

  /** Bytes in GiB for messages: {@code 6.0 GiB}. */
  public static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }
}
