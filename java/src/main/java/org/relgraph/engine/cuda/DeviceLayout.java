package org.relgraph.engine.cuda;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.relgraph.engine.BlockSparseLayout;

/**
 * A layout's index arrays in device memory, uploaded once, and the maxima the launch geometry needs
 * (relgraph_cuda.h).
 */
final class DeviceLayout {
  final int nOut;
  final int nIn;
  final int nnz;
  final int maxOut;
  final int maxIn;
  final int maxColBlocks;
  final long outOff;
  final long inOff;
  final long rowPtr;
  final long colIdx;
  final long blockCol;
  final long rowBase;
  final long rowK;
  final long tPtr;
  final long tBlock;
  final long blockRow;
  private final CudaDevice device;
  private final long[] all;

  DeviceLayout(CudaDevice device, BlockSparseLayout layout) {
    this.device = device;
    BlockSparseLayout.Indices ix = layout.indices();
    nOut = ix.outOff().length - 1;
    nIn = ix.inOff().length - 1;
    nnz = ix.colIdx().length;
    maxOut = maxGap(ix.outOff());
    maxIn = maxGap(ix.inOff());
    maxColBlocks = maxGap(ix.tPtr());
    long[] made = new long[10];
    int i = 0;
    try {
      made[i++] = upload(ix.outOff());
      made[i++] = upload(ix.inOff());
      made[i++] = upload(ix.rowPtr());
      made[i++] = upload(ix.colIdx());
      made[i++] = upload(ix.blockCol());
      made[i++] = upload(ix.rowBase());
      made[i++] = upload(ix.rowK());
      made[i++] = upload(ix.tPtr());
      made[i++] = upload(ix.tBlock());
      made[i++] = upload(ix.blockRow());
    } catch (RuntimeException e) {
      for (long a : made) {
        device.free(a);
      }
      throw e;
    }
    all = made;
    outOff = made[0];
    inOff = made[1];
    rowPtr = made[2];
    colIdx = made[3];
    blockCol = made[4];
    rowBase = made[5];
    rowK = made[6];
    tPtr = made[7];
    tBlock = made[8];
    blockRow = made[9];
  }

  private static int maxGap(int[] offsets) {
    int m = 0;
    for (int i = 0; i + 1 < offsets.length; i++) {
      m = Math.max(m, offsets[i + 1] - offsets[i]);
    }
    return m;
  }

  private long upload(int[] values) {
    long a = device.malloc(4L * Math.max(1, values.length)); // an empty array needs an address
    if (values.length > 0) {
      try (IntPointer host = new IntPointer(values)) {
        device.copyToDevice(a, host, 4L * values.length);
      }
    }
    return a;
  }

  private long upload(long[] values) {
    long a = device.malloc(8L * Math.max(1, values.length));
    if (values.length > 0) {
      try (LongPointer host = new LongPointer(values)) {
        device.copyToDevice(a, host, 8L * values.length);
      }
    }
    return a;
  }

  /** Frees the device copies. */
  void free() {
    for (long a : all) {
      device.free(a);
    }
  }
}
