package org.relgraph.engine;

/** Shape checks shared by every backend: run before any work, so native code sees valid sizes. */
final class Shapes {
  private Shapes() {}

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static String shape(Tensor t) {
    return t.rows() + " x " + t.cols();
  }

  /** Weights of a block-sparse layer: one row of weightCount values. */
  static void blockWeights(BlockSparseLayout l, Tensor w, String name) {
    w.pointer();
    require(
        w.size() == l.weightCount(),
        name + " has " + w.size() + " values, the layout has " + l.weightCount() + " weights");
  }

  /** Activations of {@code channels} rows; returns the batch (columns). */
  static int activations(Tensor t, int channels, String name, String side) {
    t.pointer();
    require(
        t.rows() == channels,
        name + " is " + shape(t) + ", expected " + channels + " " + side + " channels as rows");
    return t.cols();
  }

  static void sameBatch(Tensor a, Tensor b) {
    require(
        a.cols() == b.cols(),
        "batch mismatch: " + shape(a) + " and " + shape(b) + " must have the same columns");
  }

  static void distinct(Tensor... ts) {
    for (int i = 0; i < ts.length; i++) {
      for (int j = i + 1; j < ts.length; j++) {
        require(ts[i] != ts[j], "the same tensor is passed twice (in-place products unsupported)");
      }
    }
  }

  static void layerForward(BlockSparseLayout l, Tensor w, Tensor x, Tensor y) {
    blockWeights(l, w, "W");
    activations(x, l.in().channels(), "X", "input");
    activations(y, l.out().channels(), "Y", "output");
    sameBatch(x, y);
    distinct(w, x, y);
  }

  static void layerBackwardData(BlockSparseLayout l, Tensor w, Tensor dy, Tensor dx) {
    blockWeights(l, w, "W");
    activations(dy, l.out().channels(), "dY", "output");
    activations(dx, l.in().channels(), "dX", "input");
    sameBatch(dy, dx);
    distinct(w, dy, dx);
  }

  static void layerBackwardWeight(BlockSparseLayout l, Tensor dy, Tensor x, Tensor dw) {
    blockWeights(l, dw, "dW");
    activations(dy, l.out().channels(), "dY", "output");
    activations(x, l.in().channels(), "X", "input");
    sameBatch(dy, x);
    distinct(dy, x, dw);
  }

  /** Dense W (out × in) with x (in × batch) and y (out × batch). */
  static void dense(Tensor w, Tensor x, Tensor y) {
    w.pointer();
    activations(x, w.cols(), "X", "input");
    activations(y, w.rows(), "Y", "output");
    sameBatch(x, y);
    distinct(w, x, y);
  }

  static void denseGradient(Tensor dy, Tensor x, Tensor dw) {
    dw.pointer();
    activations(dy, dw.rows(), "dY", "output");
    activations(x, dw.cols(), "X", "input");
    sameBatch(dy, x);
    distinct(dy, x, dw);
  }

  static void sameShape(Tensor a, Tensor b, String what) {
    a.pointer();
    b.pointer();
    require(
        a.rows() == b.rows() && a.cols() == b.cols(),
        what + ": " + shape(a) + " and " + shape(b) + " must have the same shape");
  }
}
