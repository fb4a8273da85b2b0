package org.relgraph.engine;

import java.util.SplittableRandom;

/**
 * The nine products of {@link Backend}, as data for the contract and fuzz tests: argument names,
 * valid shapes, validity (the specification, written independently of the engine), outputs.
 */
enum ProductOp {
  FORWARD(true, "W", "X", "Y"),
  BACKWARD_DATA(true, "W", "dY", "dX"),
  BACKWARD_WEIGHT(true, "dY", "X", "dW"),
  DENSE_FORWARD(false, "W", "X", "Y"),
  DENSE_BACKWARD_DATA(false, "W", "dY", "dX"),
  DENSE_BACKWARD_WEIGHT(false, "dY", "X", "dW"),
  MASKED_FORWARD(false, "W", "mask", "X", "Y", "scratch"),
  MASKED_BACKWARD_DATA(false, "W", "mask", "dY", "dX", "scratch"),
  MASKED_BACKWARD_WEIGHT(false, "mask", "dY", "X", "dW");

  final boolean blockSparse;
  final String[] names;

  ProductOp(boolean blockSparse, String... names) {
    this.blockSparse = blockSparse;
    this.names = names;
  }

  int arity() {
    return names.length;
  }

  void call(Backend b, BlockSparseLayout l, Tensor[] a) {
    switch (this) {
      case FORWARD -> b.forward(l, a[0], a[1], a[2]);
      case BACKWARD_DATA -> b.backwardData(l, a[0], a[1], a[2]);
      case BACKWARD_WEIGHT -> b.backwardWeight(l, a[0], a[1], a[2]);
      case DENSE_FORWARD -> b.denseForward(a[0], a[1], a[2]);
      case DENSE_BACKWARD_DATA -> b.denseBackwardData(a[0], a[1], a[2]);
      case DENSE_BACKWARD_WEIGHT -> b.denseBackwardWeight(a[0], a[1], a[2]);
      case MASKED_FORWARD -> b.maskedForward(a[0], a[1], a[2], a[3], a[4]);
      case MASKED_BACKWARD_DATA -> b.maskedBackwardData(a[0], a[1], a[2], a[3], a[4]);
      case MASKED_BACKWARD_WEIGHT -> b.maskedBackwardWeight(a[0], a[1], a[2], a[3]);
      default -> throw new AssertionError(this);
    }
  }

  /** Valid {rows, cols} of each argument: the layout's channels (dense: out × in), a batch. */
  int[][] shapes(BlockSparseLayout l, int batch) {
    int out = l.out().channels();
    int in = l.in().channels();
    int[] bw = {1, (int) l.weightCount()};
    int[] dw = {out, in};
    int[] xs = {in, batch};
    int[] ys = {out, batch};
    return switch (this) {
      case FORWARD -> new int[][] {bw, xs, ys};
      case BACKWARD_DATA -> new int[][] {bw, ys, xs};
      case BACKWARD_WEIGHT -> new int[][] {ys, xs, bw};
      case DENSE_FORWARD -> new int[][] {dw, xs, ys};
      case DENSE_BACKWARD_DATA -> new int[][] {dw, ys, xs};
      case DENSE_BACKWARD_WEIGHT -> new int[][] {ys, xs, dw};
      case MASKED_FORWARD -> new int[][] {dw, dw, xs, ys, dw};
      case MASKED_BACKWARD_DATA -> new int[][] {dw, dw, ys, xs, dw};
      case MASKED_BACKWARD_WEIGHT -> new int[][] {dw, ys, xs, dw};
      default -> throw new AssertionError(this);
    };
  }

  /** Whether argument i is written. */
  boolean isOutput(int i) {
    return switch (this) {
      case MASKED_FORWARD, MASKED_BACKWARD_DATA -> i == 3 || i == 4;
      case MASKED_BACKWARD_WEIGHT -> i == 3;
      default -> i == 2;
    };
  }

  /**
   * The specification, written independently of the engine: all tensors open and distinct, block
   * weights of the layout's weight count (any shape), activations of the right channels and one
   * batch, mask and scratch of W's shape.
   */
  boolean valid(BlockSparseLayout l, Tensor[] a) {
    for (int i = 0; i < a.length; i++) {
      if (a[i].isClosed()) {
        return false;
      }
      for (int j = i + 1; j < a.length; j++) {
        if (a[i] == a[j]) {
          return false;
        }
      }
    }
    return shapesValid(l, a);
  }

  /** {@link #valid} without the open and distinct conditions. */
  boolean shapesValid(BlockSparseLayout l, Tensor[] a) {
    return switch (this) {
      case FORWARD -> layer(l, a[0], a[1], a[2]);
      case BACKWARD_DATA -> layer(l, a[0], a[2], a[1]);
      case BACKWARD_WEIGHT -> layer(l, a[2], a[1], a[0]);
      case DENSE_FORWARD -> dense(a[0], a[1], a[2]);
      case DENSE_BACKWARD_DATA -> dense(a[0], a[2], a[1]);
      case DENSE_BACKWARD_WEIGHT -> dense(a[2], a[1], a[0]);
      case MASKED_FORWARD -> same(a[0], a[1]) && same(a[0], a[4]) && dense(a[0], a[2], a[3]);
      case MASKED_BACKWARD_DATA -> same(a[0], a[1]) && same(a[0], a[4]) && dense(a[0], a[3], a[2]);
      case MASKED_BACKWARD_WEIGHT -> same(a[3], a[0]) && dense(a[3], a[2], a[1]);
      default -> throw new AssertionError(this);
    };
  }

  private static boolean layer(BlockSparseLayout l, Tensor w, Tensor x, Tensor y) {
    return w.size() == l.weightCount()
        && x.rows() == l.in().channels()
        && y.rows() == l.out().channels()
        && x.cols() == y.cols();
  }

  private static boolean dense(Tensor w, Tensor x, Tensor y) {
    return x.rows() == w.cols() && y.rows() == w.rows() && x.cols() == y.cols();
  }

  private static boolean same(Tensor a, Tensor b) {
    return a.rows() == b.rows() && a.cols() == b.cols();
  }

  /** Random arguments of valid shapes on {@code b}. */
  Tensor[] args(TensorFactory b, BlockSparseLayout l, int batch, SplittableRandom r) {
    int[][] s = shapes(l, batch);
    Tensor[] a = new Tensor[s.length];
    for (int i = 0; i < s.length; i++) {
      a[i] = b.of(s[i][0], s[i][1], BackendContractTest.random(r, s[i][0] * s[i][1]));
    }
    return a;
  }
}
