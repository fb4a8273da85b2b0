package org.relgraph.engine.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.CUBLAS_TF32_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
import static org.bytedeco.cuda.global.cudart.CU_EVENT_DEFAULT;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cusparse.cusparseContext;
import org.bytedeco.cuda.cusparse.cusparseMatDescr;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cusparse;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.relgraph.engine.NativeException;

/**
 * A real GPU through the CUDA driver API (org.bytedeco:cuda): the device's primary context, one
 * stream, relgraph's kernels loaded from the fatbin in the jar ({@code cuModuleLoadData}) and
 * launched with {@code cuLaunchKernel}, cuBLAS for gemm (FP32 unless TF32 is chosen), and cuSPARSE
 * for the BSR product the benchmark compares with.
 *
 * <p>Made by {@link #open(int)} once {@link CudaProbe} has found the libraries and a device.
 */
public final class DriverDevice implements CudaDevice {
  private final int ordinal;
  private final int device;
  private final CUctx_st context = new CUctx_st();
  private final CUstream_st stream = new CUstream_st();
  private final CUmod_st module = new CUmod_st();
  private final cublasContext blas = new cublasContext();
  private final Map<String, CUfunc_st> functions = new HashMap<>();
  private final FloatPointer alpha = new FloatPointer(1);
  private final FloatPointer beta = new FloatPointer(1);
  private final String description;
  private MathMode mathMode = MathMode.FP32;
  private boolean closed;

  private DriverDevice(int ordinal, byte[] fatbin) {
    this.ordinal = ordinal;
    check(cudart.cuInit(0), "cuInit");
    int[] dev = new int[1];
    check(cudart.cuDeviceGet(dev, ordinal), "cuDeviceGet");
    device = dev[0];
    check(cudart.cuDevicePrimaryCtxRetain(context, dev[0]), "cuDevicePrimaryCtxRetain");
    try {
      current();
      check(cudart.cuStreamCreate(stream, 0), "cuStreamCreate");
      try (BytePointer image = new BytePointer(fatbin.length + 1L)) {
        image.put(fatbin).put(fatbin.length, (byte) 0);
        check(cudart.cuModuleLoadData(module, image), "cuModuleLoadData (relgraph fatbin)");
      }
      checkBlas(cublas.cublasCreate_v2(blas), "cublasCreate");
      checkBlas(cublas.cublasSetStream_v2(blas, stream), "cublasSetStream");
      checkBlas(cublas.cublasSetMathMode(blas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
      description = describe(dev[0]);
    } catch (RuntimeException e) {
      cudart.cuDevicePrimaryCtxRelease(device);
      throw e;
    }
  }

  /**
   * The GPU of this ordinal with relgraph's kernels loaded.
   *
   * @throws NativeException when a driver call fails
   * @throws IllegalStateException when the fatbin is missing from the class path
   */
  public static DriverDevice open(int ordinal) {
    byte[] fatbin = CudaProbe.fatbin();
    if (fatbin == null) {
      throw new IllegalStateException(CudaProbe.FATBIN_MISSING);
    }
    return new DriverDevice(ordinal, fatbin);
  }

  private static String describe(int dev) {
    byte[] name = new byte[256];
    check(cudart.cuDeviceGetName(name, name.length, dev), "cuDeviceGetName");
    int len = 0;
    while (len < name.length && name[len] != 0) {
      len++;
    }
    int[] major = new int[1];
    int[] minor = new int[1];
    int[] sms = new int[1];
    int[] driver = new int[1];
    check(
        cudart.cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev),
        "cuDeviceGetAttribute");
    check(
        cudart.cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev),
        "cuDeviceGetAttribute");
    check(
        cudart.cuDeviceGetAttribute(sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev),
        "cuDeviceGetAttribute");
    check(cudart.cuDriverGetVersion(driver), "cuDriverGetVersion");
    return String.format(
        Locale.ROOT,
        "%s (sm_%d%d, %d SMs, CUDA driver %d.%d)",
        new String(name, 0, len, java.nio.charset.StandardCharsets.US_ASCII),
        major[0],
        minor[0],
        sms[0],
        driver[0] / 1000,
        driver[0] % 1000 / 10);
  }

  /** The driver's name and message for a status. */
  static String errorText(int status) {
    try (PointerPointer<BytePointer> name = new PointerPointer<>(1);
        PointerPointer<BytePointer> text = new PointerPointer<>(1)) {
      String n = cudart.cuGetErrorName(status, name) == 0 ? name.getString(0) : "CUDA error";
      String t = cudart.cuGetErrorString(status, text) == 0 ? text.getString(0) : "";
      return n + " (" + status + ")" + (t.isEmpty() ? "" : ": " + t);
    }
  }

  static void check(int status, String call) {
    if (status != 0) {
      throw new NativeException(call + " failed: " + errorText(status), null);
    }
  }

  private static void checkBlas(int status, String call) {
    if (status != 0) {
      BytePointer s = cublas.cublasGetStatusString(status);
      throw new NativeException(
          call + " failed: cuBLAS status " + status + (s == null ? "" : " " + s.getString()), null);
    }
  }

  private void current() {
    if (closed) {
      throw new IllegalStateException("CUDA device " + ordinal + " is closed");
    }
    check(cudart.cuCtxSetCurrent(context), "cuCtxSetCurrent");
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public long malloc(long bytes) {
    current();
    long[] p = new long[1];
    check(cudart.cuMemAlloc(p, Math.max(1, bytes)), "cuMemAlloc(" + bytes + " bytes)");
    return p[0];
  }

  @Override
  public void free(long address) {
    if (address != 0 && !closed) {
      current();
      check(cudart.cuMemFree(address), "cuMemFree");
    }
  }

  @Override
  public void copyToDevice(long dst, Pointer src, long bytes) {
    current();
    check(cudart.cuMemcpyHtoDAsync(dst, src, bytes, stream), "cuMemcpyHtoDAsync");
  }

  @Override
  public void copyToHost(Pointer dst, long src, long bytes) {
    current();
    check(cudart.cuMemcpyDtoHAsync(dst, src, bytes, stream), "cuMemcpyDtoHAsync");
    check(cudart.cuStreamSynchronize(stream), "cuStreamSynchronize");
  }

  @Override
  public void copyOnDevice(long dst, long src, long bytes) {
    current();
    check(cudart.cuMemcpyDtoDAsync(dst, src, bytes, stream), "cuMemcpyDtoDAsync");
  }

  @Override
  public void memset(long dst, int value, long bytes) {
    current();
    check(cudart.cuMemsetD8Async(dst, (byte) value, bytes, stream), "cuMemsetD8Async");
  }

  private CUfunc_st function(String kernel) {
    CUfunc_st f = functions.get(kernel);
    if (f == null) {
      f = new CUfunc_st();
      check(cudart.cuModuleGetFunction(f, module, kernel), "cuModuleGetFunction(" + kernel + ")");
      functions.put(kernel, f);
    }
    return f;
  }

  @Override
  public void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
    current();
    CUfunc_st f = function(kernel);
    long[] slots = args.slots();
    try (LongPointer values = new LongPointer(Math.max(1, slots.length));
        LongPointer addresses = new LongPointer(Math.max(1, slots.length))) {
      for (int i = 0; i < slots.length; i++) {
        values.put(i, slots[i]);
        addresses.put(i, values.address() + 8L * i); // the driver reads each parameter through it
      }
      PointerPointer<Pointer> params = new PointerPointer<>(addresses);
      check(
          cudart.cuLaunchKernel(
              f,
              grid.x(),
              grid.y(),
              grid.z(),
              block.x(),
              block.y(),
              block.z(),
              sharedBytes,
              stream,
              params,
              (PointerPointer<?>) null),
          "cuLaunchKernel(" + kernel + args + ")");
    }
  }

  @Override
  public void synchronize() {
    current();
    check(cudart.cuStreamSynchronize(stream), "cuStreamSynchronize");
  }

  @Override
  public Event record() {
    current();
    CUevent_st e = new CUevent_st();
    check(cudart.cuEventCreate(e, CU_EVENT_DEFAULT), "cuEventCreate");
    check(cudart.cuEventRecord(e, stream), "cuEventRecord");
    return new DriverEvent(e);
  }

  private final class DriverEvent implements Event {
    private CUevent_st event;

    DriverEvent(CUevent_st event) {
      this.event = event;
    }

    @Override
    public float millisSince(Event start) {
      current();
      check(cudart.cuEventSynchronize(event), "cuEventSynchronize");
      float[] ms = new float[1];
      check(
          cudart.cuEventElapsedTime(ms, ((DriverEvent) start).event, event), "cuEventElapsedTime");
      return ms[0];
    }

    @Override
    public void close() {
      if (event != null && !closed) {
        current();
        cudart.cuEventDestroy(event);
      }
      event = null;
    }
  }

  @Override
  public void sgemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float alphaValue,
      long a,
      int lda,
      long b,
      int ldb,
      float betaValue,
      long c,
      int ldc) {
    current();
    alpha.put(0, alphaValue);
    beta.put(0, betaValue);
    checkBlas(
        cublas.cublasSgemm_v2(
            blas,
            transA ? CUBLAS_OP_T : CUBLAS_OP_N,
            transB ? CUBLAS_OP_T : CUBLAS_OP_N,
            m,
            n,
            k,
            alpha,
            new DeviceFloats(a),
            lda,
            new DeviceFloats(b),
            ldb,
            beta,
            new DeviceFloats(c),
            ldc),
        "cublasSgemm");
  }

  /**
   * A device address as the FloatPointer cuBLAS's binding takes; never dereferenced on the host.
   */
  private static final class DeviceFloats extends FloatPointer {
    DeviceFloats(long address) {
      this.address = address;
    }
  }

  /**
   * cuSPARSE's legacy {@code cusparseSbsrmm} on the stream (row-major blocks, B transposed), as the
   * GPU check's harness calls it. cuSPARSE loads on the first call; where it cannot, the call fails
   * with what is missing.
   */
  @Override
  public void bsrmm(
      int mb,
      int kb,
      int n,
      int nnzb,
      int blockDim,
      long values,
      long rowPtr,
      long colInd,
      long b,
      int ldb,
      long c,
      int ldc) {
    current();
    Sparse s = sparse();
    alpha.put(0, 1f);
    beta.put(0, 0f);
    checkSparse(
        cusparse.cusparseSbsrmm(
            s.handle,
            cusparse.CUSPARSE_DIRECTION_ROW,
            cusparse.CUSPARSE_OPERATION_NON_TRANSPOSE,
            cusparse.CUSPARSE_OPERATION_TRANSPOSE,
            mb,
            n,
            kb,
            nnzb,
            alpha,
            s.descr,
            new DeviceFloats(values),
            new DeviceInts(rowPtr),
            new DeviceInts(colInd),
            blockDim,
            new DeviceFloats(b),
            ldb,
            beta,
            new DeviceFloats(c),
            ldc),
        "cusparseSbsrmm");
  }

  /** cuSPARSE's handle on the stream and a general matrix descriptor, made on first use. */
  private record Sparse(cusparseContext handle, cusparseMatDescr descr) {}

  private Sparse sparse;

  private Sparse sparse() {
    if (sparse == null) {
      String missing = CudaProbe.loadLibrary("org.bytedeco.cuda.global.cusparse");
      if (missing != null) {
        throw new NativeException("cuSPARSE is unavailable: " + missing, null);
      }
      cusparseContext handle = new cusparseContext();
      checkSparse(cusparse.cusparseCreate(handle), "cusparseCreate");
      cusparseMatDescr descr = new cusparseMatDescr();
      try {
        checkSparse(cusparse.cusparseSetStream(handle, stream), "cusparseSetStream");
        checkSparse(cusparse.cusparseCreateMatDescr(descr), "cusparseCreateMatDescr");
      } catch (RuntimeException e) {
        cusparse.cusparseDestroy(handle);
        throw e;
      }
      sparse = new Sparse(handle, descr);
    }
    return sparse;
  }

  private static void checkSparse(int status, String call) {
    if (status != 0) {
      BytePointer s = cusparse.cusparseGetErrorString(status);
      throw new NativeException(
          call + " failed: cuSPARSE status " + status + (s == null ? "" : " " + s.getString()),
          null);
    }
  }

  /** A device address as the IntPointer cuSPARSE's binding takes; never dereferenced here. */
  private static final class DeviceInts extends IntPointer {
    DeviceInts(long address) {
      this.address = address;
    }
  }

  @Override
  public MathMode mathMode() {
    return mathMode;
  }

  @Override
  public void setMathMode(MathMode mode) {
    current();
    checkBlas(
        cublas.cublasSetMathMode(
            blas, mode == MathMode.TF32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
        "cublasSetMathMode");
    mathMode = mode;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    current();
    cudart.cuStreamSynchronize(stream);
    cublas.cublasDestroy_v2(blas);
    if (sparse != null) {
      cusparse.cusparseDestroyMatDescr(sparse.descr);
      cusparse.cusparseDestroy(sparse.handle);
    }
    cudart.cuModuleUnload(module);
    cudart.cuStreamDestroy(stream);
    closed = true;
    cudart.cuDevicePrimaryCtxRelease(device);
    alpha.close();
    beta.close();
  }

  @Override
  public String toString() {
    return "DriverDevice(" + description + ")";
  }
}
