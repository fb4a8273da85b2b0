package org.relgraph.cuda.emu;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of the emulated CUDA device ({@code src/main/cpp/emu/relgraph_emu_api.h}):
 * relgraph's CUDA kernels compiled with g++ against an emulation of the CUDA execution model, on
 * host memory. A CUDA backend runs on it in tests, on machines without a GPU.
 *
 * <p>Device addresses are host addresses, as {@code long}. {@link #emu_launch} takes one 64-bit
 * slot per kernel parameter: a pointer's address, an {@code int}'s value or a {@code float}'s
 * {@link Float#floatToRawIntBits} in the low half, or a {@code long}. No call crashes on bad
 * arguments: {@link #emu_launch} returns -1 and {@link #emu_last_error()} names the problem (also
 * for a failed {@link #emu_malloc}, {@link #emu_free}, {@link #emu_memcpy}, {@link #emu_memset}).
 * Calls are serialised by one lock.
 */
@Platform(include = "relgraph_emu.h", compiler = "cpp17")
public final class EmuApi {
  static {
    Loader.load();
  }

  private EmuApi() {}

  /**
   * A new allocation of {@code bytes} > 0, filled with 0xFF bytes (NaN as floats); 0 on failure.
   */
  public static native @Cast("long long") long emu_malloc(@Cast("long long") long bytes);

  /** Frees an allocation of {@link #emu_malloc}. */
  public static native void emu_free(@Cast("long long") long ptr);

  /** Copies {@code bytes} between host addresses (device ones, or a JavaCPP Pointer's address). */
  public static native void emu_memcpy(
      @Cast("long long") long dst, @Cast("long long") long src, @Cast("long long") long bytes);

  /** Sets {@code bytes} bytes at {@code dst} to {@code value}. */
  public static native void emu_memset(
      @Cast("long long") long dst, int value, @Cast("long long") long bytes);

  /** Runs a kernel by name; 0, or -1 with {@link #emu_last_error()}. */
  public static native int emu_launch(
      String kernel,
      int gx,
      int gy,
      int gz,
      int bx,
      int by,
      int bz,
      int sharedBytes,
      @Cast("const long long*") long[] args,
      int nargs);

  /** As {@link #emu_launch(String, int, int, int, int, int, int, int, long[], int)}. */
  public static native int emu_launch(
      String kernel,
      int gx,
      int gy,
      int gz,
      int bx,
      int by,
      int bz,
      int sharedBytes,
      @Cast("const long long*") @Const LongPointer args,
      int nargs);

  /** One line naming the last call's problem; empty after a call that succeeded. */
  public static native @Cast("const char*") String emu_last_error();

  /** The number of kernels the emulation knows. */
  public static native int emu_kernel_count();

  /** Kernel {@code i}'s name, 0 <= i < {@link #emu_kernel_count()}; empty otherwise. */
  public static native @Cast("const char*") String emu_kernel_name(int i);

  /** A kernel's parameter types, comma-separated ({@code "long long,const float*,..."}). */
  public static native @Cast("const char*") String emu_kernel_signature(String kernel);
}
