package org.relgraph.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.relgraph.engine.Backend;
import org.relgraph.engine.Tensor;

/**
 * A residual block, {@code y = relu(branch(x) + shortcut(x))} (or without the final ReLU): the
 * branch a sequence of layers, the shortcut the identity or another sequence (a projection, e.g. a
 * 1 × 1 convolution of stride 2 and a batch norm). A ResNet basic block is the branch {@code
 * conv3×3 (stride s), BN + ReLU, conv3×3, BN}.
 *
 * <p>The block owns its layers, and the activations and gradients inside it, one set per input
 * shape (so it holds memory that depends on the batch, freed by {@link #close()}).
 */
public final class Residual implements Layer {
  private final List<Layer> branch;
  private final List<Layer> shortcut;
  private final boolean relu;
  private final Map<Parameter, Layer> owners = new IdentityHashMap<>();
  private final Map<List<Integer>, Buffers> buffers = new HashMap<>();

  /**
   * A block over {@code branch} and {@code shortcut} (empty: the identity), ReLU after the sum when
   * {@code relu}.
   *
   * @throws IllegalArgumentException for an empty branch, or branch and shortcut of different
   *     channels
   */
  public Residual(List<? extends Layer> branch, List<? extends Layer> shortcut, boolean relu) {
    this.branch = List.copyOf(branch);
    this.shortcut = List.copyOf(shortcut);
    this.relu = relu;
    if (this.branch.isEmpty()) {
      throw new IllegalArgumentException("a residual block needs a branch");
    }
    int in = this.branch.get(0).inputs();
    int out = this.branch.get(this.branch.size() - 1).outputs();
    int shortOut =
        this.shortcut.isEmpty() ? in : this.shortcut.get(this.shortcut.size() - 1).outputs();
    if (shortOut != out) {
      throw new IllegalArgumentException(
          "the branch gives " + out + " channels, the shortcut " + shortOut);
    }
    for (Layer l : layers()) {
      for (Parameter p : l.parameters()) {
        owners.put(p, l);
      }
    }
  }

  private List<Layer> layers() {
    List<Layer> all = new ArrayList<>(branch);
    all.addAll(shortcut);
    return all;
  }

  @Override
  public int inputs() {
    return branch.get(0).inputs();
  }

  @Override
  public int outputs() {
    return branch.get(branch.size() - 1).outputs();
  }

  /** Sample shapes through a sequence, {@code s[0]} the input. */
  private static int[][] walk(List<Layer> seq, int[] input) {
    int[][] s = new int[seq.size() + 1][];
    s[0] = input.clone();
    for (int i = 0; i < seq.size(); i++) {
      s[i + 1] = seq.get(i).outputShape(s[i]);
    }
    return s;
  }

  @Override
  public int[] outputShape(int[] input) {
    int[] out = walk(branch, input)[branch.size()];
    int[] other = walk(shortcut, input)[shortcut.size()];
    if (!Arrays.equals(out, other)) {
      throw new IllegalArgumentException(
          "the branch gives "
              + Arrays.toString(out)
              + ", the shortcut "
              + Arrays.toString(other)
              + " for "
              + Arrays.toString(input));
    }
    return out;
  }

  /** The activations and gradients of one input shape. */
  private final class Buffers {
    final Tensor[] act; // branch outputs act[1..n]
    final Tensor[] grad; // input gradients of branch layer i; grad[n] the sum's (after a ReLU)
    final Tensor[] sAct; // shortcut outputs sAct[1..m]
    final Tensor[] sGrad; // input gradients of shortcut layer j
    final Tensor sum; // before the ReLU

    Buffers(Backend b, int[] xShape) {
      int batch = xShape[1];
      int[] sample =
          xShape.length == 2 ? new int[] {xShape[0]} : new int[] {xShape[0], xShape[2], xShape[3]};
      int[][] bs = walk(branch, sample);
      int[][] ss = walk(shortcut, sample);
      act = new Tensor[branch.size() + 1];
      grad = new Tensor[branch.size() + 1];
      for (int i = 0; i <= branch.size(); i++) {
        grad[i] = b.zeros(Network.batchShape(bs[i], batch));
        act[i] = i == 0 ? null : b.zeros(Network.batchShape(bs[i], batch));
      }
      sAct = new Tensor[shortcut.size() + 1];
      sGrad = new Tensor[shortcut.size() + 1];
      for (int j = 0; j < shortcut.size(); j++) {
        sAct[j + 1] = b.zeros(Network.batchShape(ss[j + 1], batch));
        sGrad[j] = b.zeros(Network.batchShape(ss[j], batch));
      }
      sum = relu ? b.zeros(Network.batchShape(bs[branch.size()], batch)) : null;
    }

    void close() {
      for (Tensor[] ts : new Tensor[][] {act, grad, sAct, sGrad, {sum}}) {
        for (Tensor t : ts) {
          if (t != null) {
            t.close();
          }
        }
      }
    }
  }

  private Buffers buffers(Backend b, Tensor x) {
    int[] s = x.shape();
    List<Integer> key = Arrays.stream(s).boxed().toList();
    return buffers.computeIfAbsent(key, k -> new Buffers(b, s));
  }

  /** Runs a sequence forward from x into outs[1..]; returns its output (x for none). */
  private static Tensor forward(
      Backend b, List<Layer> seq, Tensor x, Tensor[] outs, boolean training) {
    Tensor in = x;
    for (int i = 0; i < seq.size(); i++) {
      seq.get(i).forward(b, in, outs[i + 1], training);
      in = outs[i + 1];
    }
    return in;
  }

  /**
   * Runs a sequence backward from the gradient {@code d} of its output: layer i writes grads[i];
   * the first layer writes none when {@code skipFirst} and it can skip it.
   */
  private static void backward(
      Backend b,
      List<Layer> seq,
      Tensor x,
      Tensor[] acts,
      Tensor[] grads,
      Tensor d,
      boolean skipFirst) {
    Tensor upstream = d;
    for (int i = seq.size() - 1; i >= 0; i--) {
      Layer l = seq.get(i);
      Tensor dIn = i == 0 && skipFirst && l.canSkipInputGradient() ? null : grads[i];
      l.backward(b, i == 0 ? x : acts[i], acts[i + 1], upstream, dIn);
      upstream = grads[i];
    }
  }

  @Override
  public void forward(Backend b, Tensor x, Tensor y, boolean training) {
    Buffers z = buffers(b, x);
    Tensor out = forward(b, branch, x, z.act, training);
    Tensor other = forward(b, shortcut, x, z.sAct, training);
    if (relu) {
      b.add(out, other, z.sum);
      b.relu(z.sum, y);
    } else {
      b.add(out, other, y);
    }
  }

  @Override
  public void backward(Backend b, Tensor x, Tensor y, Tensor dy, Tensor dx) {
    Buffers z = buffers(b, x);
    Tensor dSum = dy;
    if (relu) {
      dSum = z.grad[branch.size()];
      b.reluBackward(y, dy, dSum);
    }
    boolean skip = dx == null;
    backward(b, branch, x, z.act, z.grad, dSum, skip);
    backward(b, shortcut, x, z.sAct, z.sGrad, dSum, skip);
    if (!skip) {
      b.add(z.grad[0], shortcut.isEmpty() ? dSum : z.sGrad[0], dx);
    }
  }

  @Override
  public boolean canSkipInputGradient() {
    return true;
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> ps = new ArrayList<>();
    for (Layer l : layers()) {
      ps.addAll(l.parameters());
    }
    return ps;
  }

  @Override
  public float[] denseValue(Parameter p) {
    return owners.get(p).denseValue(p);
  }

  @Override
  public float[] denseGradient(Parameter p) {
    return owners.get(p).denseGradient(p);
  }

  @Override
  public void setDenseValue(Parameter p, float[] dense) {
    owners.get(p).setDenseValue(p, dense);
  }

  @Override
  public Map<String, Tensor> buffers() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (Layer l : layers()) {
      m.putAll(l.buffers());
    }
    return m;
  }

  @Override
  public void close() {
    for (Buffers z : buffers.values()) {
      z.close();
    }
    buffers.clear();
    for (Layer l : layers()) {
      l.close();
    }
  }
}
