package org.relgraph.engine;

/**
 * The products of a relational layer, in three modes that run the same model:
 *
 * <ul>
 *   <li>block-sparse: weights in a {@link BlockSparseLayout}'s buffer ({@code 1 × weightCount});
 *       work proportional to the existing blocks, no mask;
 *   <li>dense: weights {@code out × in}, every block (the complete graph, or the dense baseline);
 *   <li>masked: dense weights multiplied by a 0/1 mask before every product, the paper's method.
 * </ul>
 *
 * <p>Activations are feature-major: {@code channels × batch}. Forward {@code Y = X·Wᵀ},
 * backward-data {@code dX = dY·W}, weight gradient {@code dW = dYᵀ·X}; outputs are overwritten.
 * Every shape is checked before any work, and a mismatch throws {@link IllegalArgumentException},
 * as does one tensor passed in two arguments; a closed tensor throws {@link IllegalStateException}.
 */
public interface Backend {
  /** A short name: {@code java}, {@code cpu}. */
  String name();

  /** {@code y = W·x} on existing blocks. */
  void forward(BlockSparseLayout layout, Tensor w, Tensor x, Tensor y);

  /** {@code dx = Wᵀ·dy} on existing blocks. */
  void backwardData(BlockSparseLayout layout, Tensor w, Tensor dy, Tensor dx);

  /** {@code dw = dy·xᵀ} on existing blocks only. */
  void backwardWeight(BlockSparseLayout layout, Tensor dy, Tensor x, Tensor dw);

  /** Dense {@code y = W·x}, W of {@code out × in}. */
  void denseForward(Tensor w, Tensor x, Tensor y);

  /** Dense {@code dx = Wᵀ·dy}. */
  void denseBackwardData(Tensor w, Tensor dy, Tensor dx);

  /** Dense {@code dw = dy·xᵀ}. */
  void denseBackwardWeight(Tensor dy, Tensor x, Tensor dw);

  /** Masked {@code y = (W ⊙ M)·x}; {@code scratch} ({@code out × in}) receives {@code W ⊙ M}. */
  void maskedForward(Tensor w, Tensor mask, Tensor x, Tensor y, Tensor scratch);

  /** Masked {@code dx = (W ⊙ M)ᵀ·dy}; {@code scratch} receives {@code W ⊙ M}. */
  void maskedBackwardData(Tensor w, Tensor mask, Tensor dy, Tensor dx, Tensor scratch);

  /** Masked {@code dw = (dy·xᵀ) ⊙ M}. */
  void maskedBackwardWeight(Tensor mask, Tensor dy, Tensor x, Tensor dw);

  /**
   * Batch normalisation followed by ReLU, per channel (row) of {@code x}: {@code y = max(0, γ·(x −
   * μ)/√(σ² + ε) + β)}. In training, μ and σ² are the batch's (biased variance), saved in {@code
   * bn} for the backward pass, and the running statistics move towards them (unbiased variance); in
   * evaluation, the running statistics are used and nothing changes. {@code x} and {@code y} are
   * {@code channels × batch}; training needs a batch of at least 2.
   */
  void batchNormReluForward(BatchNorm bn, Tensor x, Tensor y, boolean training);

  /**
   * Backward of {@link #batchNormReluForward} in training mode, from its input {@code x}, its
   * output {@code y} and the output gradient {@code dy}: writes {@code dx} and the gradients of γ
   * and β in {@code bn}.
   */
  void batchNormReluBackward(BatchNorm bn, Tensor x, Tensor y, Tensor dy, Tensor dx);

  /**
   * Mean softmax cross-entropy of {@code logits} ({@code classes × batch}) against {@code labels}
   * (one per column, each in {@code [0, classes)}), writing its gradient {@code (softmax − onehot)
   * / batch} to {@code dLogits}.
   */
  CrossEntropy softmaxCrossEntropy(Tensor logits, int[] labels, Tensor dLogits);

  /** {@code y[c][b] += bias[c]}, bias {@code channels × 1}. */
  void addBias(Tensor y, Tensor bias);

  /** {@code db[c] = Σ_b dy[c][b]}. */
  void biasGradient(Tensor dy, Tensor db);

  /**
   * One SGD step on {@code w} from its gradient, updating the momentum buffer {@code velocity} (the
   * same shape as {@code w}, zero before the first step).
   */
  void sgdStep(Tensor w, Tensor grad, Tensor velocity, SgdSettings settings, float lr);
}
