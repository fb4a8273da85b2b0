package org.relgraph.engine;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/**
 * The three products of one dense layer as bare {@code cblas_sgemm} calls on buffers of its own,
 * outside any backend: what the dense baseline costs with nothing around OpenBLAS. The benchmarks
 * time it beside {@link CpuBackend}'s dense products, which make the same calls (same shapes,
 * transposes and leading dimensions), so that a baseline slowed by its surroundings shows.
 *
 * <p>OpenBLAS's thread count is set once, when this is made; run no backend with another thread
 * count between making it and timing it.
 */
public final class BareSgemm implements AutoCloseable {
  private final int out;
  private final int in;
  private final int batch;
  // package-private for the tests, which check the products against the reference
  final FloatPointer w;
  final FloatPointer x;
  final FloatPointer y;
  final FloatPointer dy;
  final FloatPointer dx;
  final FloatPointer dw;

  /**
   * The products of a dense {@code in → out} layer over a batch, on seeded random data, with
   * OpenBLAS on {@code threads} threads.
   *
   * @throws IllegalStateException when the native backend is unavailable
   * @throws IllegalArgumentException for sizes below 1, threads outside [1, 1024], or matrices of
   *     more than 2^31 - 9 values
   */
  public BareSgemm(int out, int in, int batch, int threads, long seed) {
    if (!CpuBackend.isAvailable()) {
      throw new IllegalStateException(
          "native CPU backend unavailable: " + CpuBackend.unavailabilityCause());
    }
    if (out < 1 || in < 1 || batch < 1) {
      throw new IllegalArgumentException(
          "dense layer " + in + " -> " + out + ", batch " + batch + ": sizes must be >= 1");
    }
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads = " + threads + " outside [1, 1024]");
    }
    for (long n : new long[] {(long) out * in, (long) out * batch, (long) in * batch}) {
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "dense layer " + in + " -> " + out + ", batch " + batch + ": matrix too large");
      }
    }
    this.out = out;
    this.in = in;
    this.batch = batch;
    SplittableRandom r = new SplittableRandom(seed);
    w = random(out * in, 1 / Math.sqrt(in), r);
    x = random(in * batch, 1, r);
    y = random(out * batch, 0, r);
    dy = random(out * batch, 1, r);
    dx = random(in * batch, 0, r);
    dw = random(out * in, 0, r);
    CpuBackend.useBlasThreads(threads);
  }

  private static FloatPointer random(int n, double scale, SplittableRandom r) {
    FloatPointer p = new FloatPointer(n);
    for (int i = 0; i < n; i++) {
      p.put(i, (float) ((r.nextDouble() * 2 - 1) * scale));
    }
    return p;
  }

  /** {@code y = W·x}, as {@link CpuBackend#denseForward}. */
  public void forward() {
    openblas.cblas_sgemm(
        CblasRowMajor,
        CblasNoTrans,
        CblasNoTrans,
        out,
        batch,
        in,
        1f,
        w,
        in,
        x,
        batch,
        0f,
        y,
        batch);
  }

  /** {@code dx = Wᵀ·dy}, as {@link CpuBackend#denseBackwardData}. */
  public void backwardData() {
    openblas.cblas_sgemm(
        CblasRowMajor,
        CblasTrans,
        CblasNoTrans,
        in,
        batch,
        out,
        1f,
        w,
        in,
        dy,
        batch,
        0f,
        dx,
        batch);
  }

  /** {@code dW = dy·xᵀ}, as {@link CpuBackend#denseBackwardWeight}. */
  public void backwardWeight() {
    openblas.cblas_sgemm(
        CblasRowMajor,
        CblasNoTrans,
        CblasTrans,
        out,
        in,
        batch,
        1f,
        dy,
        batch,
        x,
        batch,
        0f,
        dw,
        in);
  }

  /** The three products, one after the other. */
  public void step() {
    forward();
    backwardData();
    backwardWeight();
  }

  @Override
  public void close() {
    for (FloatPointer p : new FloatPointer[] {w, x, y, dy, dx, dw}) {
      p.close();
    }
  }
}
