package org.relgraph.engine;

/**
 * Shape checks of {@link Backend}'s validation front, run before any work (after the ownership and
 * closed-tensor checks), so a backend's code sees valid sizes only.
 */
final class Shapes {
  private Shapes() {}

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static String shape(Tensor t) {
    return t.shapeText();
  }

  /** A matrix: the products take 2-D tensors. */
  static void matrix(Tensor t, String name) {
    require(
        t.rank() == 2,
        name + " is " + shape(t) + ", a product takes a 2-D tensor (channels x batch)");
  }

  /** W, mask and scratch of a masked product are matrices. */
  private static void matrices(Tensor w, Tensor mask, Tensor scratch) {
    matrix(w, "W");
    matrix(mask, "mask");
    matrix(scratch, "scratch");
  }

  /** Weights of a block-sparse layer: one row of weightCount values. */
  static void blockWeights(BlockSparseLayout l, Tensor w, String name) {
    matrix(w, name);
    require(
        w.size() == l.weightCount(),
        name + " has " + w.size() + " values, the layout has " + l.weightCount() + " weights");
  }

  /** Activations of {@code channels} rows; returns the batch (columns). */
  static int activations(Tensor t, int channels, String name, String side) {
    return activations(t, channels, name, side, "");
  }

  /**
   * Activations of a product: 2-D, or 4-D seen as its matrix {@code channels × batch·H·W} (a 1 × 1
   * convolution is a product over every pixel).
   */
  private static int activations(Tensor t, int channels, String name, String side, String context) {
    require(
        t.rows() == channels,
        name
            + " is "
            + shape(t)
            + ", expected "
            + channels
            + " "
            + side
            + " channels as rows"
            + context);
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
    dense(w, x, y, "X", "Y");
  }

  /** Dense backward-data: W (out × in) with dx (in × batch) and dy (out × batch). */
  static void denseData(Tensor w, Tensor dy, Tensor dx) {
    dense(w, dx, dy, "dX", "dY");
  }

  private static void dense(Tensor w, Tensor x, Tensor y, String xName, String yName) {
    matrix(w, "W");
    String context = ", for W of " + shape(w);
    activations(x, w.cols(), xName, "input", context);
    activations(y, w.rows(), yName, "output", context);
    sameBatch(x, y);
    distinct(w, x, y);
  }

  static void denseGradient(Tensor dy, Tensor x, Tensor dw) {
    matrix(dw, "dW");
    String context = ", for dW of " + shape(dw);
    activations(dy, dw.rows(), "dY", "output", context);
    activations(x, dw.cols(), "X", "input", context);
    sameBatch(dy, x);
    distinct(dy, x, dw);
  }

  static void sameShape(Tensor a, Tensor b, String what) {
    require(
        a.sameShape(b), what + ": " + shape(a) + " and " + shape(b) + " must have the same shape");
  }

  /**
   * Masked forward: W, mask and scratch of one shape, {@code x} and {@code y} its input and output
   * activations, five distinct tensors.
   */
  static void masked(Tensor w, Tensor mask, Tensor x, Tensor y, Tensor scratch) {
    matrices(w, mask, scratch);
    sameShape(w, mask, "W and mask");
    sameShape(w, scratch, "W and scratch");
    dense(scratch, x, y);
    distinct(w, mask, x, y, scratch);
  }

  /** Masked backward-data: as {@link #masked} with dY and dX. */
  static void maskedData(Tensor w, Tensor mask, Tensor dy, Tensor dx, Tensor scratch) {
    matrices(w, mask, scratch);
    sameShape(w, mask, "W and mask");
    sameShape(w, scratch, "W and scratch");
    denseData(scratch, dy, dx);
    distinct(w, mask, dy, dx, scratch);
  }

  /** Masked weight gradient: mask of dW's shape, four distinct tensors. */
  static void maskedGradient(Tensor mask, Tensor dy, Tensor x, Tensor dw) {
    matrix(mask, "mask");
    matrix(dw, "dW");
    sameShape(dw, mask, "dW and mask");
    denseGradient(dy, x, dw);
    distinct(mask, dy, x, dw);
  }

  /** A tensor of {@code channels} rows, 2-D or 4-D; returns its values per channel. */
  private static int channels(Tensor t, int channels, String name, String side) {
    require(
        t.rows() == channels,
        name + " is " + shape(t) + ", expected " + channels + " " + side + " channels as rows");
    return t.cols();
  }

  /** Batch-norm forward: x and y of bn's channels as rows and one batch, distinct. */
  static int batchNorm(BatchNorm bn, Tensor x, Tensor y, boolean training) {
    int batch = channels(x, bn.channels(), "X", "batch-norm");
    channels(y, bn.channels(), "Y", "batch-norm");
    sameBatch(x, y);
    sameShape(x, y, "X and Y");
    distinct(x, y);
    require(
        !training || batch >= 2,
        "batch norm in training needs a batch of at least 2, got " + batch);
    return batch;
  }

  /** Batch-norm backward: x, y, dy, dx of one shape, dx distinct from the others. */
  static int batchNormBackward(BatchNorm bn, Tensor x, Tensor y, Tensor dy, Tensor dx) {
    int batch = batchNorm(bn, x, y, true);
    sameShape(x, dy, "X and dY");
    sameShape(x, dx, "X and dX");
    distinct(x, y, dy, dx);
    return batch;
  }

  /** Cross-entropy: logits and dLogits of one shape, one label per column, each in range. */
  static void crossEntropy(Tensor logits, int[] labels, Tensor dLogits) {
    matrix(logits, "logits");
    require(labels != null, "labels missing");
    sameShape(logits, dLogits, "logits and dLogits");
    distinct(logits, dLogits);
    require(
        labels.length == logits.cols(), labels.length + " labels for a batch of " + logits.cols());
    for (int b = 0; b < labels.length; b++) {
      int l = labels[b];
      require(
          l >= 0 && l < logits.rows(),
          "label " + l + " of sample " + b + " outside 0.." + (logits.rows() - 1));
    }
  }

  /** A bias of y's rows: channels × 1. */
  static void bias(Tensor y, Tensor bias) {
    require(
        bias.rank() == 2 && bias.rows() == y.rows() && bias.cols() == 1,
        "bias is " + shape(bias) + ", expected " + y.rows() + " x 1");
    distinct(y, bias);
  }

  /** An SGD step: w, grad and velocity of one shape, distinct, finite learning rate. */
  static void sgd(Tensor w, Tensor grad, Tensor velocity, SgdSettings settings, float lr) {
    sameShape(w, grad, "W and its gradient");
    sameShape(w, velocity, "W and its momentum buffer");
    distinct(w, grad, velocity);
    require(settings != null, "SGD settings missing");
    require(Float.isFinite(lr) && lr >= 0, "learning rate = " + lr + " must be finite and >= 0");
  }

  /** An image: 4-D, channels × batch × H × W. */
  static void image(Tensor t, String name) {
    require(t.rank() == 4, name + " is " + shape(t) + ", expected an image (C x batch x H x W)");
  }

  /**
   * A convolution product over im2col: block weights {@code w} of {@code l}, the image of {@code
   * l}'s inputs over K², and the product's activations {@code m} ({@code l}'s outputs × the image's
   * output pixels), three distinct tensors.
   */
  static void convProduct(
      BlockSparseLayout l,
      Tensor w,
      Tensor image,
      int kernel,
      int stride,
      Tensor m,
      String wName,
      String iName,
      String mName) {
    ConvGeometry.checkKernel(kernel);
    ConvGeometry.checkStride(stride);
    blockWeights(l, w, wName);
    image(image, iName);
    int[] s = image.shape();
    require(
        (long) s[0] * kernel * kernel == l.in().channels(),
        iName
            + " is "
            + shape(image)
            + ": "
            + s[0]
            + " channels, times "
            + kernel * kernel
            + " taps, is not the layout's "
            + l.in().channels()
            + " inputs");
    activations(m, l.out().channels(), mName, "output");
    long n = ConvGeometry.outputPixels(s, stride);
    require(
        m.cols() == n,
        mName
            + " is "
            + shape(m)
            + ", expected "
            + n
            + " columns (output pixels) for "
            + iName
            + " of "
            + shape(image)
            + ", stride "
            + stride);
    distinct(w, image, m);
  }

  /**
   * A dense convolution: weights {@code w} ({@code out × C·K²}), the image {@code x} of C channels,
   * and the activations {@code m} ({@code out} channels × its output pixels, as an image or a
   * matrix).
   */
  static void denseConv(
      Tensor w,
      Tensor x,
      int kernel,
      int stride,
      Tensor m,
      String wName,
      String xName,
      String mName) {
    ConvGeometry.checkDenseKernel(kernel);
    ConvGeometry.checkStride(stride);
    matrix(w, wName);
    image(x, xName);
    int[] s = x.shape();
    long n = ConvGeometry.outputPixels(s, stride);
    require(
        w.cols() == (long) s[0] * kernel * kernel,
        wName
            + " is "
            + shape(w)
            + ": "
            + w.cols()
            + " columns, not "
            + xName
            + "'s "
            + s[0]
            + " channels times "
            + kernel * kernel
            + " taps");
    sized(
        m,
        w.rows(),
        n,
        mName,
        w.rows() + " channels x " + n + " output pixels",
        x,
        xName,
        kernel,
        stride);
  }

  /** m is rows × cols, else: "m is …, expected (what) for x of …, kernel K, stride S". */
  private static void sized(
      Tensor m,
      long rows,
      long cols,
      String mName,
      String what,
      Tensor x,
      String xName,
      int kernel,
      int stride) {
    require(
        m.rows() == rows && m.cols() == cols,
        mName
            + " is "
            + shape(m)
            + ", expected "
            + what
            + " for "
            + xName
            + " of "
            + shape(x)
            + ", kernel "
            + kernel
            + ", stride "
            + stride);
  }

  /** im2col's image and matrix: x of C channels, cols of C·K² rows and batch·Ho·Wo columns. */
  static void im2col(Tensor x, int kernel, int stride, Tensor cols, String xName, String cName) {
    ConvGeometry.checkDenseKernel(kernel);
    ConvGeometry.checkStride(stride);
    image(x, xName);
    matrix(cols, cName);
    int[] s = x.shape();
    long rows = (long) s[0] * kernel * kernel;
    long n = ConvGeometry.outputPixels(s, stride);
    sized(cols, rows, n, cName, rows + " x " + n, x, xName, kernel, stride);
    distinct(x, cols);
  }

  /** Depthwise: w of C × 9, x an image of C channels, y its output image at {@code stride}. */
  static void depthwise(
      Tensor w, Tensor x, int stride, Tensor y, String wName, String xName, String yName) {
    ConvGeometry.checkStride(stride);
    image(x, xName);
    image(y, yName);
    int[] s = x.shape();
    require(
        w.rank() == 2 && w.rows() == s[0] && w.cols() == 9,
        wName + " is " + shape(w) + ", expected " + s[0] + " x 9 for " + xName + " of " + shape(x));
    strided(x, stride, y, xName, yName);
    distinct(w, x, y);
  }

  /**
   * Max pooling (3 × 3, stride 2, padding 1): images {@code x} and {@code y}, y's sides half x's
   * (rounded up), and distinct.
   */
  static void maxPool(Tensor x, Tensor y, String xName, String yName) {
    image(x, xName);
    image(y, yName);
    strided(x, 2, y, xName, yName);
    distinct(x, y);
  }

  /** {@code y} is the output of a window of stride {@code stride}, padding kernel / 2, over x. */
  private static void strided(Tensor x, int stride, Tensor y, String xName, String yName) {
    int[] s = x.shape();
    int[] o = {
      s[0], s[1], ConvGeometry.outputSize(s[2], stride), ConvGeometry.outputSize(s[3], stride)
    };
    require(
        java.util.Arrays.equals(y.shape(), o),
        yName
            + " is "
            + shape(y)
            + ", expected "
            + Tensor.describe(o)
            + " for "
            + xName
            + " of "
            + shape(x)
            + " at stride "
            + stride);
  }

  /** Global average pooling: x an image, y of its channels × batch. */
  static void pool(Tensor x, Tensor y, String xName, String yName) {
    image(x, xName);
    int[] s = x.shape();
    require(
        y.rank() == 2 && y.rows() == s[0] && y.cols() == s[1],
        yName
            + " is "
            + shape(y)
            + ", expected "
            + s[0]
            + " x "
            + s[1]
            + " for "
            + xName
            + " of "
            + shape(x));
    distinct(x, y);
  }
}
