package org.relgraph.engine;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;

import java.util.SplittableRandom;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.relgraph.nativecpu.RelgraphKernels;

/**
 * The three products of one dense layer as bare sgemm calls on buffers of its own, outside any
 * backend: what the dense baseline costs with nothing around the library. The benchmarks time it
 * beside {@link CpuBackend}'s dense products, which make the same calls to OpenBLAS (same shapes,
 * transposes and leading dimensions), so that a baseline slowed by its surroundings shows; and they
 * time oneDNN's {@code dnnl_sgemm} on the same shapes, so that the baseline is the faster dense
 * library of the machine.
 *
 * <p>OpenBLAS's thread count is set once, when this is made; run no backend with another thread
 * count between making it and timing it. oneDNN's (OpenMP's) thread count is fixed when oneDNN is
 * first loaded: {@link Library#DNNL} is loaded with the thread count of the first loop made with
 * it, and a later loop asking for another count is refused.
 */
public final class BareSgemm implements AutoCloseable {
  /** The dense library a loop calls. */
  public enum Library {
    /** OpenBLAS's {@code cblas_sgemm}, the library {@link CpuBackend}'s dense products call. */
    OPENBLAS("openblas"),
    /** oneDNN's {@code dnnl_sgemm} (org.bytedeco:dnnl), row-major like the CBLAS calls. */
    DNNL("onednn");

    private final String label;

    Library(String label) {
      this.label = label;
    }

    /** The name the benchmarks print ({@code openblas}, {@code onednn}). */
    public String label() {
      return label;
    }

    /** Whether the library loads on this machine (oneDNN is loaded on the first call). */
    public boolean isAvailable() {
      return unavailabilityCause() == null;
    }

    /** Why the library does not load, or null when it does. */
    public Throwable unavailabilityCause() {
      if (this == OPENBLAS) {
        return CpuBackend.isAvailable() ? null : CpuBackend.unavailabilityCause();
      }
      return Dnnl.cause(0);
    }
  }

  /**
   * System property capping the instruction set oneDNN dispatches to (its {@code
   * ONEDNN_MAX_CPU_ISA}, e.g. {@code AVX2}), applied before oneDNN loads; unset, the environment is
   * left alone. The benchmarks set it with {@code --isa avx2}, so that on an AVX-512 machine both
   * dense libraries stand in for an AVX2 machine.
   */
  public static final String ONEDNN_MAX_ISA_PROPERTY = "relgraph.onednn.maxisa";

  /** The spin count oneDNN's OpenMP threads get unless the environment sets one (see Dnnl). */
  static final String GOMP_SPINCOUNT = "10000";

  /** Loads oneDNN once, with OpenMP's thread count set first; remembers that count. */
  static final class Dnnl {
    private static int threads;
    private static Throwable cause;
    private static boolean tried;

    /** Null when oneDNN is loaded (with {@code want} threads, or any when 0), else why not. */
    static synchronized Throwable cause(int want) {
      if (!tried) {
        tried = true;
        try {
          if (!CpuBackend.isAvailable()) {
            throw new IllegalStateException(
                "native CPU backend unavailable: " + CpuBackend.unavailabilityCause());
          }
          threads = want > 0 ? want : Runtime.getRuntime().availableProcessors();
          RelgraphKernels.set_env("OMP_NUM_THREADS", Integer.toString(threads));
          // oneDNN's OpenMP threads spin about 300,000 rounds after every call unless told
          // otherwise, holding a core that the next OpenBLAS or block-sparse product's threads
          // need (on a 2-core machine that product then waits for a descheduled helper): spin
          // briefly instead, about as long as the kernels' own pool does, unless the user chose.
          if (System.getenv("OMP_WAIT_POLICY") == null && System.getenv("GOMP_SPINCOUNT") == null) {
            RelgraphKernels.set_env("GOMP_SPINCOUNT", GOMP_SPINCOUNT);
          }
          String maxIsa = System.getProperty(ONEDNN_MAX_ISA_PROPERTY);
          if (maxIsa != null && !maxIsa.isBlank()) {
            RelgraphKernels.set_env("ONEDNN_MAX_CPU_ISA", maxIsa);
          }
          Loader.load(dnnl.class);
        } catch (Throwable t) {
          cause = t;
        }
      }
      if (cause == null && want > 0 && want != threads) {
        return new IllegalStateException(
            "oneDNN was loaded with " + threads + " threads; " + want + " cannot be set now");
      }
      return cause;
    }

    /**
     * Throws unless oneDNN is loaded with {@code want} threads (0: loads it with all processors
     * unless loaded already, with any count).
     */
    static void require(int want) {
      Throwable why = cause(want);
      if (why != null) {
        throw new IllegalStateException("oneDNN unavailable: " + why.getMessage(), why);
      }
    }

    /** Loads oneDNN with {@code preferred} threads unless it is loaded already; throws if not. */
    static synchronized void load(int preferred) {
      require(tried ? 0 : preferred);
    }

    /** oneDNN's thread count (loads it first, as {@link #load}). */
    static synchronized int threads(int preferred) {
      load(preferred);
      return threads;
    }
  }

  /**
   * oneDNN's version and the instruction set it dispatches to, e.g. {@code oneDNN 3.11.0 isa=avx2};
   * loads it (with all processors as threads unless a loop or backend loaded it first).
   *
   * @throws IllegalStateException when oneDNN does not load
   */
  public static String oneDnnDescription() {
    Dnnl.require(0);
    dnnl_version_t v = dnnl.dnnl_version();
    return String.format(
        java.util.Locale.ROOT,
        "oneDNN %d.%d.%d isa=%s",
        v.major(),
        v.minor(),
        v.patch(),
        oneDnnIsaName(dnnl.dnnl_get_effective_cpu_isa()));
  }

  /** The name of a {@code dnnl_cpu_isa_*} constant, without the prefix ({@code avx2}, ...). */
  private static String oneDnnIsaName(int isa) {
    String name = "0x" + Integer.toHexString(isa);
    for (java.lang.reflect.Field f : dnnl.class.getFields()) {
      try {
        if (f.getName().startsWith("dnnl_cpu_isa_")
            && f.getType() == int.class
            && f.getInt(null) == isa
            && !f.getName().equals("dnnl_cpu_isa_all")) {
          name = f.getName().substring("dnnl_cpu_isa_".length());
          break;
        }
      } catch (IllegalAccessException e) {
        // a public static field: not reached
      }
    }
    return name;
  }

  private final Library library;
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
    this(Library.OPENBLAS, out, in, batch, threads, seed);
  }

  /**
   * As {@link #BareSgemm(int, int, int, int, long)}, calling {@code library}.
   *
   * @throws IllegalStateException when the library does not load, or oneDNN was loaded with another
   *     thread count
   */
  public BareSgemm(Library library, int out, int in, int batch, int threads, long seed) {
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
    if (library == Library.DNNL) {
      Dnnl.require(threads);
    }
    this.library = library;
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
    if (library == Library.OPENBLAS) {
      CpuBackend.useBlasThreads(threads);
    }
  }

  /** The library this loop calls. */
  public Library library() {
    return library;
  }

  /**
   * One row-major product {@code c = op(a)·op(b)}, {@code m × n} over {@code k}, through {@code
   * library} (loaded already); the arguments as CBLAS takes them. {@link CpuBackend}'s dense
   * products call this too.
   */
  static void gemm(
      Library library,
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      FloatPointer a,
      int lda,
      FloatPointer b,
      int ldb,
      FloatPointer c,
      int ldc) {
    if (library == Library.DNNL) {
      int status =
          dnnl.dnnl_sgemm(
              (byte) (transA ? 'T' : 'N'),
              (byte) (transB ? 'T' : 'N'),
              m,
              n,
              k,
              1f,
              a,
              lda,
              b,
              ldb,
              0f,
              c,
              ldc);
      if (status != dnnl.dnnl_success) {
        throw new IllegalStateException("dnnl_sgemm failed with status " + status);
      }
    } else {
      openblas.cblas_sgemm(
          CblasRowMajor,
          transA ? CblasTrans : CblasNoTrans,
          transB ? CblasTrans : CblasNoTrans,
          m,
          n,
          k,
          1f,
          a,
          lda,
          b,
          ldb,
          0f,
          c,
          ldc);
    }
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
    gemm(library, false, false, out, batch, in, w, in, x, batch, y, batch);
  }

  /** {@code dx = Wᵀ·dy}, as {@link CpuBackend#denseBackwardData}. */
  public void backwardData() {
    gemm(library, true, false, in, batch, out, w, in, dy, batch, dx, batch);
  }

  /** {@code dW = dy·xᵀ}, as {@link CpuBackend#denseBackwardWeight}. */
  public void backwardWeight() {
    gemm(library, false, true, out, in, batch, dy, batch, x, batch, dw, in);
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
