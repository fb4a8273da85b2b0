package org.relgraph.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A device and the operations of a relational network on it: the products of a relational layer in
 * three modes that run the same model, and the training operations.
 *
 * <ul>
 *   <li>block-sparse: weights in a {@link BlockSparseLayout}'s buffer ({@code 1 × weightCount});
 *       work proportional to the existing blocks, no mask;
 *   <li>dense: weights {@code out × in}, every block (the complete graph, or the dense baseline);
 *   <li>masked: dense weights multiplied by a 0/1 mask before every product, the paper's method.
 * </ul>
 *
 * <p><b>Tensors</b> belong to the backend that allocates them ({@link #zeros}, {@link #of}, or a
 * {@link #newScope() scope}); values reach the host only through {@link Tensor#toArray()} and
 * {@link Tensor#copyFrom(float[])}. Activations are feature-major: {@code channels × batch}.
 * Forward {@code Y = X·Wᵀ}, backward-data {@code dX = dY·W}, weight gradient {@code dW = dYᵀ·X};
 * outputs are overwritten.
 *
 * <p><b>One validation front.</b> Every public operation is final here: it checks that each tensor
 * is this backend's (else {@link IllegalArgumentException}) and open (else {@link
 * IllegalStateException}), then every shape, partition and alias ({@link IllegalArgumentException},
 * naming the tensor), and only then calls the backend's {@code do…} method. A backend implements
 * those alone, so it cannot skip a check, and its code only ever sees valid arguments.
 *
 * <p><b>Lifecycle.</b> Operations may run asynchronously: they are ordered, and {@link
 * #synchronize()} (which every copy to the host implies) waits for them. Loss and correct count are
 * added into a {@link LossAccumulator} on the device, read at most once per logging interval.
 * {@link #close()} frees every tensor and accumulator the backend still holds; any operation after
 * it throws {@link IllegalStateException}. Backends are not thread-safe: one per thread.
 */
public abstract class Backend implements TensorFactory, AutoCloseable {
  private final Set<Tensor> live = ConcurrentHashMap.newKeySet();
  private final Set<LossAccumulator> accumulators = ConcurrentHashMap.newKeySet();
  private final AtomicLong reads = new AtomicLong();
  private volatile boolean closed;

  /** A short name: {@code java}, {@code cpu}. */
  public abstract String name();

  @Override
  public final Backend backend() {
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // Tensors and lifecycle

  @Override
  public final Tensor zeros(int... shape) {
    checkBackendOpen();
    Tensor.checkShape(shape);
    Tensor t = allocate(shape.clone());
    live.add(t);
    return t;
  }

  /** A new scope: tensors made through it are closed together by its {@code close()}. */
  public final TensorScope newScope() {
    checkBackendOpen();
    return new TensorScope(this);
  }

  /** A new, zero {@link LossAccumulator} for {@link #softmaxCrossEntropy}. */
  public final LossAccumulator newLossAccumulator() {
    checkBackendOpen();
    LossAccumulator a = createLossAccumulator();
    accumulators.add(a);
    return a;
  }

  /** Waits until every operation issued so far has finished. */
  public final void synchronize() {
    checkBackendOpen();
    doSynchronize();
  }

  /** Tensors allocated and not yet closed. */
  public final int liveTensors() {
    return live.size();
  }

  /**
   * How many times a {@link LossAccumulator} of this backend has been read to the host (each read
   * waits for the device): for tests and diagnostics of a training loop.
   */
  public final long accumulatorReads() {
    return reads.get();
  }

  void countRead() {
    reads.incrementAndGet();
  }

  void forget(Tensor t) {
    live.remove(t);
  }

  void forget(LossAccumulator a) {
    accumulators.remove(a);
  }

  /** Whether {@link #close()} has run. */
  public final boolean isClosed() {
    return closed;
  }

  /** Frees every tensor and accumulator still held; later calls do nothing. */
  @Override
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<Tensor> all = new ArrayList<>(live);
    for (Tensor t : all) {
      t.close();
    }
    for (LossAccumulator a : new ArrayList<>(accumulators)) {
      a.close();
    }
    release();
  }

  private void checkBackendOpen() {
    if (closed) {
      throw new IllegalStateException("backend " + name() + " is closed");
    }
  }

  /** The tensors are this backend's and open, and this backend is open. */
  private void owned(Tensor... ts) {
    checkBackendOpen();
    for (Tensor t : ts) {
      if (t == null) {
        throw new IllegalArgumentException("a tensor argument is null");
      }
      if (t.backend() != this) {
        throw new IllegalArgumentException(
            "tensor "
                + t.shapeText()
                + " belongs to another backend ("
                + t.backend()
                + "), not to "
                + this);
      }
      t.checkOpen();
    }
  }

  private void owned(BatchNorm bn) {
    if (bn == null) {
      throw new IllegalArgumentException("batch norm missing");
    }
    owned(bn.tensors());
  }

  private void owned(LossAccumulator a) {
    checkBackendOpen();
    if (a == null) {
      throw new IllegalArgumentException("loss accumulator missing");
    }
    if (a.backend() != this) {
      throw new IllegalArgumentException(
          "loss accumulator belongs to another backend (" + a.backend() + "), not to " + this);
    }
    a.checkOpen();
  }

  // ---------------------------------------------------------------------------------------------
  // The products

  /** {@code y = W·x} on existing blocks. */
  public final void forward(BlockSparseLayout layout, Tensor w, Tensor x, Tensor y) {
    owned(w, x, y);
    Shapes.layerForward(layout, w, x, y);
    doForward(layout, w, x, y);
  }

  /** {@code dx = Wᵀ·dy} on existing blocks. */
  public final void backwardData(BlockSparseLayout layout, Tensor w, Tensor dy, Tensor dx) {
    owned(w, dy, dx);
    Shapes.layerBackwardData(layout, w, dy, dx);
    doBackwardData(layout, w, dy, dx);
  }

  /** {@code dw = dy·xᵀ} on existing blocks only. */
  public final void backwardWeight(BlockSparseLayout layout, Tensor dy, Tensor x, Tensor dw) {
    owned(dy, x, dw);
    Shapes.layerBackwardWeight(layout, dy, x, dw);
    doBackwardWeight(layout, dy, x, dw);
  }

  /** Dense {@code y = W·x}, W of {@code out × in}. */
  public final void denseForward(Tensor w, Tensor x, Tensor y) {
    owned(w, x, y);
    Shapes.dense(w, x, y);
    doDenseForward(w, x, y);
  }

  /** Dense {@code dx = Wᵀ·dy}. */
  public final void denseBackwardData(Tensor w, Tensor dy, Tensor dx) {
    owned(w, dy, dx);
    Shapes.denseData(w, dy, dx);
    doDenseBackwardData(w, dy, dx);
  }

  /** Dense {@code dw = dy·xᵀ}. */
  public final void denseBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
    owned(dy, x, dw);
    Shapes.denseGradient(dy, x, dw);
    doDenseBackwardWeight(dy, x, dw);
  }

  /** Masked {@code y = (W ⊙ M)·x}; {@code scratch} ({@code out × in}) receives {@code W ⊙ M}. */
  public final void maskedForward(Tensor w, Tensor mask, Tensor x, Tensor y, Tensor scratch) {
    owned(w, mask, x, y, scratch);
    Shapes.masked(w, mask, x, y, scratch);
    doMaskedForward(w, mask, x, y, scratch);
  }

  /** Masked {@code dx = (W ⊙ M)ᵀ·dy}; {@code scratch} receives {@code W ⊙ M}. */
  public final void maskedBackwardData(
      Tensor w, Tensor mask, Tensor dy, Tensor dx, Tensor scratch) {
    owned(w, mask, dy, dx, scratch);
    Shapes.maskedData(w, mask, dy, dx, scratch);
    doMaskedBackwardData(w, mask, dy, dx, scratch);
  }

  /** Masked {@code dw = (dy·xᵀ) ⊙ M}. */
  public final void maskedBackwardWeight(Tensor mask, Tensor dy, Tensor x, Tensor dw) {
    owned(mask, dy, x, dw);
    Shapes.maskedGradient(mask, dy, x, dw);
    doMaskedBackwardWeight(mask, dy, x, dw);
  }

  // ---------------------------------------------------------------------------------------------
  // Training operations

  /**
   * Batch normalisation followed by ReLU, per channel (row) of {@code x}: {@code y = max(0, γ·(x −
   * μ)/√(σ² + ε) + β)}. In training, μ and σ² are the batch's (biased variance), saved in {@code
   * bn} for the backward pass, and the running statistics move towards them (unbiased variance); in
   * evaluation, the running statistics are used and nothing changes. {@code x} and {@code y} are
   * {@code channels × batch} (or {@code × H × W}); training needs at least 2 values per channel.
   */
  public final void batchNormReluForward(BatchNorm bn, Tensor x, Tensor y, boolean training) {
    owned(bn);
    owned(x, y);
    int batch = Shapes.batchNorm(bn, x, y, training);
    doBatchNormReluForward(bn, x, y, training, batch);
  }

  /**
   * Backward of {@link #batchNormReluForward} in training mode, from its input {@code x}, its
   * output {@code y} and the output gradient {@code dy}: writes {@code dx} and the gradients of γ
   * and β in {@code bn}.
   */
  public final void batchNormReluBackward(BatchNorm bn, Tensor x, Tensor y, Tensor dy, Tensor dx) {
    owned(bn);
    owned(x, y, dy, dx);
    int batch = Shapes.batchNormBackward(bn, x, y, dy, dx);
    doBatchNormReluBackward(bn, x, y, dy, dx, batch);
  }

  /**
   * Softmax cross-entropy of {@code logits} ({@code classes × batch}) against {@code labels} (one
   * per column, each in {@code [0, classes)}): writes its gradient {@code (softmax − onehot) /
   * batch} to {@code dLogits} and adds the batch's mean loss and correct count (samples whose
   * largest logit is their label) into {@code totals}, without a read to the host.
   */
  public final void softmaxCrossEntropy(
      Tensor logits, int[] labels, Tensor dLogits, LossAccumulator totals) {
    owned(logits, dLogits);
    owned(totals);
    Shapes.crossEntropy(logits, labels, dLogits);
    doSoftmaxCrossEntropy(logits, labels, dLogits, totals);
  }

  /** {@code y[c][b] += bias[c]}, bias {@code channels × 1}. */
  public final void addBias(Tensor y, Tensor bias) {
    owned(y, bias);
    Shapes.bias(y, bias);
    doAddBias(y, bias);
  }

  /** {@code db[c] = Σ_b dy[c][b]}. */
  public final void biasGradient(Tensor dy, Tensor db) {
    owned(dy, db);
    Shapes.bias(dy, db);
    doBiasGradient(dy, db);
  }

  /**
   * One SGD step on {@code w} from its gradient, updating the momentum buffer {@code velocity} (the
   * same shape as {@code w}, zero before the first step).
   */
  public final void sgdStep(
      Tensor w, Tensor grad, Tensor velocity, SgdSettings settings, float lr) {
    owned(w, grad, velocity);
    Shapes.sgd(w, grad, velocity, settings, lr);
    doSgdStep(w, grad, velocity, settings, lr);
  }

  // ---------------------------------------------------------------------------------------------
  // Convolutions. Images are 4-D, channels × batch × H × W; a K × K convolution (K = 1 or 3) has
  // padding K/2 and stride 1 or 2, so its output is ⌊(H − 1)/stride⌋ + 1 pixels high ({@link
  // ConvGeometry#outputSize}). A relational (or dense) convolution is im2col followed by a product
  // whose input channels are the input's channels times K² ({@link ConvGeometry#im2colLayout}).

  /**
   * im2col: {@code cols} ({@code C·K² × batch·Ho·Wo}) receives x's {@code K × K} patches, row
   * {@code c·K² + ky·K + kx}, column {@code (b·Ho + oy)·Wo + ox}, zero outside the image.
   */
  public final void im2col(Tensor x, int kernel, int stride, Tensor cols) {
    owned(x, cols);
    Shapes.im2col(x, kernel, stride, cols, "X", "cols");
    doIm2col(x, kernel, stride, cols);
  }

  /** The adjoint of {@link #im2col}: {@code dx} is overwritten by the sum of cols at each pixel. */
  public final void col2im(Tensor cols, int kernel, int stride, Tensor dx) {
    owned(cols, dx);
    Shapes.im2col(dx, kernel, stride, cols, "dX", "cols");
    doCol2im(cols, kernel, stride, dx);
  }

  /**
   * Whether this backend runs {@link #convForward}, {@link #convBackwardData} and {@link
   * #convBackwardWeight} without an im2col matrix. Every backend runs them; where this is false
   * they form the matrix in a temporary tensor, so a layer does better to keep its own.
   */
  public boolean convolvesWithoutIm2col() {
    return false;
  }

  /**
   * A relational convolution's forward product: {@code y} ({@code out × batch·Ho·Wo}, or the image
   * {@code out × batch × Ho × Wo}) = the block-sparse product of {@code l} over {@link
   * #im2col}{@code (x)}, {@code l}'s inputs being {@code x}'s channels times K².
   */
  public final void convForward(
      BlockSparseLayout l, Tensor w, Tensor x, int kernel, int stride, Tensor y) {
    owned(w, x, y);
    Shapes.convProduct(l, w, x, kernel, stride, y, "W", "X", "Y");
    doConvForward(l, w, x, kernel, stride, y);
  }

  /** {@code dx} (the image, overwritten) of {@link #convForward}. */
  public final void convBackwardData(
      BlockSparseLayout l, Tensor w, Tensor dy, int kernel, int stride, Tensor dx) {
    owned(w, dy, dx);
    Shapes.convProduct(l, w, dx, kernel, stride, dy, "W", "dX", "dY");
    doConvBackwardData(l, w, dy, kernel, stride, dx);
  }

  /** The weight gradient {@code dw} (overwritten) of {@link #convForward}. */
  public final void convBackwardWeight(
      BlockSparseLayout l, Tensor dy, Tensor x, int kernel, int stride, Tensor dw) {
    owned(dy, x, dw);
    Shapes.convProduct(l, dw, x, kernel, stride, dy, "dW", "X", "dY");
    doConvBackwardWeight(l, dy, x, kernel, stride, dw);
  }

  /**
   * Whether {@link #denseConvForward} and {@link #denseConvBackward} run on a library's own
   * convolution primitives; where this is false they form the im2col matrix in a temporary tensor,
   * so a layer does better to keep its own and call the dense products.
   */
  public boolean hasDenseConvolution() {
    return false;
  }

  /**
   * A dense convolution ({@code K} odd, up to {@link ConvGeometry#MAX_DENSE_KERNEL}, padding K/2):
   * {@code y} ({@code out × batch × Ho × Wo}) from the image {@code x} and the weights {@code w}
   * ({@code out × C·K²}, column {@code c·K² + ky·K + kx}, as the dense product over {@link
   * #im2col}{@code (x)} takes them).
   */
  public final void denseConvForward(Tensor w, Tensor x, int kernel, int stride, Tensor y) {
    owned(w, x, y);
    Shapes.denseConv(w, x, kernel, stride, y, "W", "X", "Y");
    Shapes.distinct(w, x, y);
    doDenseConvForward(w, x, kernel, stride, y);
  }

  /**
   * The backward passes of {@link #denseConvForward} from {@code x} by {@code w}: the weight
   * gradient {@code dw} (the shape of {@code w}) from the output gradient {@code dy}, and {@code
   * dx} (the shape of {@code x}) unless it is null; both overwritten.
   */
  public final void denseConvBackward(
      Tensor w, Tensor x, Tensor dy, int kernel, int stride, Tensor dw, Tensor dx) {
    owned(w, x, dy, dw);
    Shapes.denseConv(w, x, kernel, stride, dy, "W", "X", "dY");
    Shapes.sameShape(w, dw, "W and dW");
    if (dx == null) {
      Shapes.distinct(w, x, dy, dw);
    } else {
      owned(dx);
      Shapes.sameShape(x, dx, "X and dX");
      Shapes.distinct(w, x, dy, dw, dx);
    }
    doDenseConvBackward(w, x, dy, kernel, stride, dw, dx);
  }

  /** Depthwise 3 × 3 convolution, padding 1: {@code y} from weights {@code w} ({@code C × 9}). */
  public final void depthwiseForward(Tensor w, Tensor x, int stride, Tensor y) {
    owned(w, x, y);
    Shapes.depthwise(w, x, stride, y, "W", "X", "Y");
    doDepthwiseForward(w, x, stride, y);
  }

  /** {@code dx} (overwritten) of {@link #depthwiseForward}. */
  public final void depthwiseBackwardData(Tensor w, Tensor dy, int stride, Tensor dx) {
    owned(w, dy, dx);
    Shapes.depthwise(w, dx, stride, dy, "W", "dX", "dY");
    doDepthwiseBackwardData(w, dy, stride, dx);
  }

  /** {@code dw} ({@code C × 9}) of {@link #depthwiseForward}. */
  public final void depthwiseBackwardWeight(Tensor dy, Tensor x, int stride, Tensor dw) {
    owned(dy, x, dw);
    Shapes.depthwise(dw, x, stride, dy, "dW", "X", "dY");
    doDepthwiseBackwardWeight(dy, x, stride, dw);
  }

  /**
   * Batch normalisation without ReLU, as {@link #batchNormReluForward} otherwise: the last
   * normalisation of a residual branch, before the addition.
   */
  public final void batchNormForward(BatchNorm bn, Tensor x, Tensor y, boolean training) {
    owned(bn);
    owned(x, y);
    int batch = Shapes.batchNorm(bn, x, y, training);
    doBatchNormForward(bn, x, y, training, batch);
  }

  /** Backward of {@link #batchNormForward} in training mode: {@code dx} and γ's, β's gradients. */
  public final void batchNormBackward(BatchNorm bn, Tensor x, Tensor dy, Tensor dx) {
    owned(bn);
    owned(x, dy, dx);
    int batch = Shapes.batchNorm(bn, x, dy, true);
    Shapes.sameShape(x, dx, "X and dX");
    Shapes.distinct(x, dy, dx);
    doBatchNormBackward(bn, x, dy, dx, batch);
  }

  /** {@code y = a + b} elementwise: the residual addition. */
  public final void add(Tensor a, Tensor b, Tensor y) {
    owned(a, b, y);
    Shapes.sameShape(a, b, "A and B");
    Shapes.sameShape(a, y, "A and Y");
    Shapes.distinct(a, b, y);
    doAdd(a, b, y);
  }

  /** {@code y = max(0, x)}. */
  public final void relu(Tensor x, Tensor y) {
    owned(x, y);
    Shapes.sameShape(x, y, "X and Y");
    Shapes.distinct(x, y);
    doRelu(x, y);
  }

  /** {@code dx = dy} where the ReLU's output {@code y > 0}, else 0. */
  public final void reluBackward(Tensor y, Tensor dy, Tensor dx) {
    owned(y, dy, dx);
    Shapes.sameShape(y, dy, "Y and dY");
    Shapes.sameShape(y, dx, "Y and dX");
    Shapes.distinct(y, dy, dx);
    doReluBackward(y, dy, dx);
  }

  /**
   * Max pooling, 3 × 3, stride 2, padding 1 (the ImageNet stems'): {@code y[c][b][i][j]} is the
   * greatest of x's in-bound pixels in the window at {@code (2i − 1 .. 2i + 1, 2j − 1 .. 2j + 1)},
   * or NaN if one of them is.
   */
  public final void maxPool(Tensor x, Tensor y) {
    owned(x, y);
    Shapes.maxPool(x, y, "X", "Y");
    doMaxPool(x, y);
  }

  /**
   * Backward of {@link #maxPool} from its input {@code x}: {@code dx} (overwritten) gets each of
   * {@code dy}'s values at the pixel its window took, the first of the window's greatest (or of its
   * NaNs) in row-major order.
   */
  public final void maxPoolBackward(Tensor x, Tensor dy, Tensor dx) {
    owned(x, dy, dx);
    Shapes.maxPool(x, dy, "X", "dY");
    Shapes.sameShape(x, dx, "X and dX");
    Shapes.distinct(x, dy, dx);
    doMaxPoolBackward(x, dy, dx);
  }

  /** Global average pooling: {@code y} ({@code C × batch}) is the mean of each of x's planes. */
  public final void globalAvgPool(Tensor x, Tensor y) {
    owned(x, y);
    Shapes.pool(x, y, "X", "Y");
    doGlobalAvgPool(x, y);
  }

  /** Backward of {@link #globalAvgPool}: {@code dx} (overwritten) is {@code dy / (H·W)}. */
  public final void globalAvgPoolBackward(Tensor dy, Tensor dx) {
    owned(dy, dx);
    Shapes.pool(dx, dy, "dX", "dY");
    doGlobalAvgPoolBackward(dy, dx);
  }

  // ---------------------------------------------------------------------------------------------
  // What a backend implements: called only with checked arguments.

  /** A zero tensor of a checked shape on this backend's device. */
  protected abstract Tensor allocate(int[] shape);

  /** A zero accumulator; host backends keep it in Java fields. */
  protected LossAccumulator createLossAccumulator() {
    return new LossAccumulator.Host(this);
  }

  /** Waits for pending work; host backends compute synchronously and do nothing. */
  protected void doSynchronize() {}

  /** Frees the backend's own resources after its tensors are closed. */
  protected void release() {}

  protected abstract void doForward(BlockSparseLayout l, Tensor w, Tensor x, Tensor y);

  protected abstract void doBackwardData(BlockSparseLayout l, Tensor w, Tensor dy, Tensor dx);

  protected abstract void doBackwardWeight(BlockSparseLayout l, Tensor dy, Tensor x, Tensor dw);

  protected abstract void doDenseForward(Tensor w, Tensor x, Tensor y);

  protected abstract void doDenseBackwardData(Tensor w, Tensor dy, Tensor dx);

  protected abstract void doDenseBackwardWeight(Tensor dy, Tensor x, Tensor dw);

  /** The masked mode is the dense product of {@code W ⊙ M}, formed in {@code scratch}. */
  protected void doMaskedForward(Tensor w, Tensor mask, Tensor x, Tensor y, Tensor scratch) {
    doMultiply(w, mask, scratch);
    doDenseForward(scratch, x, y);
  }

  protected void doMaskedBackwardData(Tensor w, Tensor mask, Tensor dy, Tensor dx, Tensor scratch) {
    doMultiply(w, mask, scratch);
    doDenseBackwardData(scratch, dy, dx);
  }

  /** The dense weight gradient, masked in place. */
  protected void doMaskedBackwardWeight(Tensor mask, Tensor dy, Tensor x, Tensor dw) {
    doDenseBackwardWeight(dy, x, dw);
    doMultiply(dw, mask, dw);
  }

  /** {@code out = a ⊙ b}, element by element, of equal sizes; {@code out} may be {@code a}. */
  protected abstract void doMultiply(Tensor a, Tensor b, Tensor out);

  /** {@code batch} is the values per channel ({@code x.cols()}). */
  protected abstract void doBatchNormReluForward(
      BatchNorm bn, Tensor x, Tensor y, boolean training, int batch);

  protected abstract void doBatchNormReluBackward(
      BatchNorm bn, Tensor x, Tensor y, Tensor dy, Tensor dx, int batch);

  /** Adds the batch into {@code totals} through {@link LossAccumulator#add} (host backends). */
  protected abstract void doSoftmaxCrossEntropy(
      Tensor logits, int[] labels, Tensor dLogits, LossAccumulator totals);

  /** Adds one batch into a host accumulator, for backends' {@link #doSoftmaxCrossEntropy}. */
  protected static void accumulate(
      LossAccumulator totals, double meanLoss, int correct, int batch) {
    totals.add(meanLoss, correct, batch);
  }

  protected abstract void doAddBias(Tensor y, Tensor bias);

  protected abstract void doBiasGradient(Tensor dy, Tensor db);

  protected abstract void doSgdStep(
      Tensor w, Tensor grad, Tensor velocity, SgdSettings settings, float lr);

  /** The exception of an operation this backend does not implement. */
  protected final UnsupportedOperationException unsupported(String op) {
    return new UnsupportedOperationException("backend " + name() + " does not implement " + op);
  }

  // Convolution operations: optional, so that a backend can be added before it has them.

  protected void doIm2col(Tensor x, int kernel, int stride, Tensor cols) {
    throw unsupported("im2col");
  }

  protected void doCol2im(Tensor cols, int kernel, int stride, Tensor dx) {
    throw unsupported("col2im");
  }

  /** A new zero tensor of the size of an image's im2col matrix (a checked call's: it fits). */
  private Tensor im2colSized(Tensor image, int kernel, int stride) {
    int[] s = image.shape();
    return zeros(s[0] * kernel * kernel, (int) ConvGeometry.outputPixels(s, stride));
  }

  /** The im2col matrix of image {@code x}, in a new tensor. */
  private Tensor im2colOf(Tensor x, int kernel, int stride) {
    Tensor cols = im2colSized(x, kernel, stride);
    doIm2col(x, kernel, stride, cols);
    return cols;
  }

  /** Through a temporary im2col matrix; backends that need none override the three. */
  protected void doConvForward(
      BlockSparseLayout l, Tensor w, Tensor x, int kernel, int stride, Tensor y) {
    try (Tensor cols = im2colOf(x, kernel, stride)) {
      doForward(l, w, cols, y);
    }
  }

  protected void doConvBackwardData(
      BlockSparseLayout l, Tensor w, Tensor dy, int kernel, int stride, Tensor dx) {
    try (Tensor dcols = im2colSized(dx, kernel, stride)) {
      doBackwardData(l, w, dy, dcols);
      doCol2im(dcols, kernel, stride, dx);
    }
  }

  protected void doConvBackwardWeight(
      BlockSparseLayout l, Tensor dy, Tensor x, int kernel, int stride, Tensor dw) {
    try (Tensor cols = im2colOf(x, kernel, stride)) {
      doBackwardWeight(l, dy, cols, dw);
    }
  }

  /** Through a temporary im2col matrix; backends with convolution primitives override both. */
  protected void doDenseConvForward(Tensor w, Tensor x, int kernel, int stride, Tensor y) {
    try (Tensor cols = im2colOf(x, kernel, stride)) {
      doDenseForward(w, cols, y);
    }
  }

  protected void doDenseConvBackward(
      Tensor w, Tensor x, Tensor dy, int kernel, int stride, Tensor dw, Tensor dx) {
    try (Tensor cols = im2colOf(x, kernel, stride)) {
      doDenseBackwardWeight(dy, cols, dw);
      if (dx != null) {
        doDenseBackwardData(w, dy, cols);
        doCol2im(cols, kernel, stride, dx);
      }
    }
  }

  protected void doDepthwiseForward(Tensor w, Tensor x, int stride, Tensor y) {
    throw unsupported("depthwiseForward");
  }

  protected void doDepthwiseBackwardData(Tensor w, Tensor dy, int stride, Tensor dx) {
    throw unsupported("depthwiseBackwardData");
  }

  protected void doDepthwiseBackwardWeight(Tensor dy, Tensor x, int stride, Tensor dw) {
    throw unsupported("depthwiseBackwardWeight");
  }

  /** {@code batch} is the values per channel ({@code x.cols()}). */
  protected void doBatchNormForward(BatchNorm bn, Tensor x, Tensor y, boolean training, int batch) {
    throw unsupported("batchNormForward");
  }

  protected void doBatchNormBackward(BatchNorm bn, Tensor x, Tensor dy, Tensor dx, int batch) {
    throw unsupported("batchNormBackward");
  }

  protected void doAdd(Tensor a, Tensor b, Tensor y) {
    throw unsupported("add");
  }

  protected void doRelu(Tensor x, Tensor y) {
    throw unsupported("relu");
  }

  protected void doReluBackward(Tensor y, Tensor dy, Tensor dx) {
    throw unsupported("reluBackward");
  }

  protected void doMaxPool(Tensor x, Tensor y) {
    throw unsupported("maxPool");
  }

  protected void doMaxPoolBackward(Tensor x, Tensor dy, Tensor dx) {
    throw unsupported("maxPoolBackward");
  }

  protected void doGlobalAvgPool(Tensor x, Tensor y) {
    throw unsupported("globalAvgPool");
  }

  protected void doGlobalAvgPoolBackward(Tensor dy, Tensor dx) {
    throw unsupported("globalAvgPoolBackward");
  }
}
