package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.relgraph.nativecpu.KernelException;
import org.relgraph.nativecpu.RelgraphKernels;

/**
 * The C++ checks of the convolution entry points, called directly (past the Java front): every
 * buffer one value short, and bad geometry, throw instead of touching memory out of range.
 */
class NativeConvChecksTest {
  /** A raw call given its buffers. */
  @FunctionalInterface
  interface Call {
    void run(FloatPointer[] buffers);
  }

  record Op(String name, long[] lengths, Call call) {}

  // channels 3, batch 2, 5 x 4 image, stride 2: output 3 x 2; kernel 3.
  private static final long IMG = 3 * 2 * 5 * 4;
  private static final long OUT = 3 * 2 * 3 * 2;
  private static final long COLS = 3 * 9 * 2 * 3 * 2;

  // The relational convolution's layout over that image: 3 nodes of one channel, complete.
  private static final BlockSparseLayout LAYOUT =
      ConvGeometry.im2colLayout(
          org.relgraph.graph.ClassicGenerators.complete(3),
          org.relgraph.model.ChannelPartition.of(3, 3, 1),
          org.relgraph.model.ChannelPartition.of(3, 3, 1),
          3);
  private static final long WEIGHTS = 3 * 27;

  @AfterAll
  static void closeLayout() {
    LAYOUT.close();
  }

  /** A convolution product on LAYOUT, image 3 x images x 5 x 4, kernel 3, stride 2. */
  private static void conv(CpuBackend.ConvolutionKernel c, int images, FloatPointer[] b) {
    BlockSparseLayout.NativeCopy n = LAYOUT.nativeCopy();
    int batch = 2 * 3 * 2;
    c.call(
        0,
        2,
        batch,
        batch,
        3,
        3,
        LAYOUT.blockCount(),
        n.outOff,
        n.inOff,
        n.rowPtr,
        n.colIdx,
        n.blockCol,
        n.rowBase,
        n.rowK,
        n.tPtr,
        n.tBlock,
        n.blockRow,
        3,
        images,
        5,
        4,
        3,
        2,
        b[0],
        b[1],
        b[2]);
  }

  private static List<Op> ops() {
    return List.of(
        new Op(
            "bs_conv_forward",
            new long[] {WEIGHTS, IMG, OUT},
            b -> conv(RelgraphKernels::bs_conv_forward, 2, b)),
        new Op(
            "bs_conv_backward_data",
            new long[] {WEIGHTS, OUT, IMG},
            b -> conv(RelgraphKernels::bs_conv_backward_data, 2, b)),
        new Op(
            "bs_conv_backward_weight",
            new long[] {OUT, IMG, WEIGHTS},
            b -> conv(RelgraphKernels::bs_conv_backward_weight, 2, b)),
        new Op(
            "im2col",
            new long[] {IMG, COLS},
            b -> RelgraphKernels.im2col(0, 2, 3, 2, 5, 4, 3, 2, b[0], b[1])),
        new Op(
            "col2im",
            new long[] {COLS, IMG},
            b -> RelgraphKernels.col2im(0, 2, 3, 2, 5, 4, 3, 2, b[0], b[1])),
        new Op(
            "depthwise_forward",
            new long[] {27, IMG, OUT},
            b -> RelgraphKernels.depthwise_forward(0, 2, 3, 2, 5, 4, 2, b[0], b[1], b[2])),
        new Op(
            "depthwise_backward_data",
            new long[] {27, OUT, IMG},
            b -> RelgraphKernels.depthwise_backward_data(0, 2, 3, 2, 5, 4, 2, b[0], b[1], b[2])),
        new Op(
            "depthwise_backward_weight",
            new long[] {OUT, IMG, 27},
            b -> RelgraphKernels.depthwise_backward_weight(0, 2, 3, 2, 5, 4, 2, b[0], b[1], b[2])),
        new Op(
            "max_pool",
            new long[] {IMG, OUT},
            b -> RelgraphKernels.max_pool(0, 2, 3, 2, 5, 4, b[0], b[1])),
        new Op(
            "max_pool_backward",
            new long[] {IMG, OUT, IMG},
            b -> RelgraphKernels.max_pool_backward(0, 2, 3, 2, 5, 4, b[0], b[1], b[2])),
        new Op(
            "add",
            new long[] {IMG, IMG, IMG},
            b -> RelgraphKernels.add(0, 2, IMG, b[0], b[1], b[2])),
        new Op("relu", new long[] {IMG, IMG}, b -> RelgraphKernels.relu(0, 2, IMG, b[0], b[1])),
        new Op(
            "relu_backward",
            new long[] {IMG, IMG, IMG},
            b -> RelgraphKernels.relu_backward(0, 2, IMG, b[0], b[1], b[2])),
        new Op(
            "avg_pool",
            new long[] {IMG, 6},
            b -> RelgraphKernels.avg_pool(0, 2, 3, 2, 20, b[0], b[1])),
        new Op(
            "avg_pool_backward",
            new long[] {6, IMG},
            b -> RelgraphKernels.avg_pool_backward(0, 2, 3, 2, 20, b[0], b[1])),
        new Op(
            "bn_forward",
            new long[] {39, 3, 3, 39, 3, 3, 3, 3},
            b ->
                RelgraphKernels.bn_forward(
                    0, 2, 3, 13, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], 0.1f, 1e-5f, 1)),
        new Op(
            "bn_backward",
            new long[] {39, 39, 3, 3, 3, 39, 3, 3},
            b ->
                RelgraphKernels.bn_backward(
                    0, 2, 3, 13, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7])));
  }

  private static void call(Op op, long[] lengths) {
    FloatPointer[] b = new FloatPointer[lengths.length];
    try {
      for (int i = 0; i < b.length; i++) {
        b[i] = new FloatPointer(Math.max(1, lengths[i]));
      }
      op.call().run(b);
    } finally {
      for (FloatPointer p : b) {
        if (p != null) {
          p.close();
        }
      }
    }
  }

  @Test
  void everyBufferOneShortThrowsAndExactLengthsRun() {
    assumeTrue(CpuBackend.isAvailable(), "native backend unavailable");
    for (Op op : ops()) {
      assertDoesNotThrow(() -> call(op, op.lengths()), op.name());
      for (int i = 0; i < op.lengths().length; i++) {
        long[] l = op.lengths().clone();
        l[i]--;
        KernelException e =
            assertThrows(KernelException.class, () -> call(op, l), op.name() + " buffer " + i);
        assertTrue(e.getMessage().contains("holds"), op.name() + ": " + e.getMessage());
      }
    }
  }

  @Test
  void badGeometryThrows() {
    assumeTrue(CpuBackend.isAvailable(), "native backend unavailable");
    try (FloatPointer a = new FloatPointer(10000);
        FloatPointer b = new FloatPointer(10000)) {
      for (int[] g :
          new int[][] {
            {3, 2, 5, 4, 4, 1}, {3, 2, 5, 4, 17, 1}, {3, 2, 5, 4, 3, 3}, {0, 2, 5, 4, 3, 1}
          }) {
        KernelException e =
            assertThrows(
                KernelException.class,
                () -> RelgraphKernels.im2col(0, 1, g[0], g[1], g[2], g[3], g[4], g[5], a, b));
        assertTrue(e.getMessage().contains("im2col: "), e.getMessage());
      }
      KernelException pool =
          assertThrows(
              KernelException.class, () -> RelgraphKernels.max_pool(0, 1, 3, 0, 5, 4, a, b));
      assertTrue(pool.getMessage().contains("max pool: "), pool.getMessage());
      FloatPointer[] buffers = {a, b, new FloatPointer(10000)};
      try {
        // a layout of 12 columns for an image of 3 samples (18 output pixels)
        KernelException e =
            assertThrows(
                KernelException.class, () -> conv(RelgraphKernels::bs_conv_forward, 3, buffers));
        assertTrue(e.getMessage().contains("is not the image's 18 output pixels"), e.getMessage());
      } finally {
        buffers[2].close();
      }
    }
  }
}
