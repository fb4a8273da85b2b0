package org.relgraph.engine;

/**
 * The state of one batch-normalisation layer over {@code channels} channels: learned scale (gamma,
 * 1 at start) and shift (beta, 0), their gradients, running statistics for evaluation (mean 0 and
 * variance 1 at start) and the batch statistics the training forward pass saves for the backward
 * one. Every tensor is {@code channels × 1}, on the backend of the factory that made the layer.
 * PyTorch's defaults: momentum 0.1, eps 1e-5.
 */
public final class BatchNorm implements AutoCloseable {
  /** PyTorch's default running-statistics momentum. */
  public static final float DEFAULT_MOMENTUM = 0.1f;

  /** PyTorch's default epsilon. */
  public static final float DEFAULT_EPS = 1e-5f;

  private final int channels;
  private final float momentum;
  private final float eps;
  final Tensor gamma;
  final Tensor beta;
  final Tensor gammaGrad;
  final Tensor betaGrad;
  final Tensor runningMean;
  final Tensor runningVar;
  final Tensor savedMean;
  final Tensor savedInvStd;

  /** A fresh layer with PyTorch's defaults, its tensors made by {@code tensors}. */
  public BatchNorm(TensorFactory tensors, int channels) {
    this(tensors, channels, DEFAULT_MOMENTUM, DEFAULT_EPS);
  }

  /**
   * A fresh layer.
   *
   * @throws IllegalArgumentException for channels < 1, momentum outside [0, 1] or eps <= 0
   */
  public BatchNorm(TensorFactory tensors, int channels, float momentum, float eps) {
    Shapes.require(channels >= 1, "batch norm channels = " + channels + " must be >= 1");
    Shapes.require(
        momentum >= 0 && momentum <= 1, "batch norm momentum = " + momentum + " outside [0, 1]");
    Shapes.require(eps > 0, "batch norm eps = " + eps + " must be > 0");
    this.channels = channels;
    this.momentum = momentum;
    this.eps = eps;
    float[] ones = new float[channels];
    java.util.Arrays.fill(ones, 1f);
    gamma = tensors.of(channels, 1, ones);
    beta = tensors.zeros(channels, 1);
    gammaGrad = tensors.zeros(channels, 1);
    betaGrad = tensors.zeros(channels, 1);
    runningMean = tensors.zeros(channels, 1);
    runningVar = tensors.of(channels, 1, ones);
    savedMean = tensors.zeros(channels, 1);
    savedInvStd = tensors.zeros(channels, 1);
  }

  /** Every tensor of the layer, for the backend's ownership checks. */
  Tensor[] tensors() {
    return new Tensor[] {
      gamma, beta, gammaGrad, betaGrad, runningMean, runningVar, savedMean, savedInvStd
    };
  }

  /** Channels. */
  public int channels() {
    return channels;
  }

  /** Running-statistics momentum. */
  public float momentum() {
    return momentum;
  }

  /** Added to the variance before the square root. */
  public float eps() {
    return eps;
  }

  /** Learned scale. */
  public Tensor gamma() {
    return gamma;
  }

  /** Learned shift. */
  public Tensor beta() {
    return beta;
  }

  /** Gradient of the loss with respect to gamma, written by the backward pass. */
  public Tensor gammaGrad() {
    return gammaGrad;
  }

  /** Gradient with respect to beta. */
  public Tensor betaGrad() {
    return betaGrad;
  }

  /** Running mean, used in evaluation. */
  public Tensor runningMean() {
    return runningMean;
  }

  /** Running (unbiased) variance, used in evaluation. */
  public Tensor runningVar() {
    return runningVar;
  }

  /** The batch mean the training forward pass saved for the backward one. */
  public Tensor savedMean() {
    return savedMean;
  }

  /** The batch's {@code 1/√(σ² + ε)} the training forward pass saved for the backward one. */
  public Tensor savedInvStd() {
    return savedInvStd;
  }

  @Override
  public void close() {
    for (Tensor t : tensors()) {
      t.close();
    }
  }
}
