package org.relgraph.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tensors that live and die together: those of a run, of a model or of a step. Every tensor made
 * through a scope is closed by the scope's {@link #close()}, in the manner of DJL's {@code
 * NDManager} or JavaCPP's {@code PointerScope}; closing one earlier is allowed. Made by {@link
 * Backend#newScope()}; a closed scope makes no more tensors.
 */
public final class TensorScope implements TensorFactory, AutoCloseable {
  private final Backend backend;
  private final Set<Tensor> live = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  TensorScope(Backend backend) {
    this.backend = backend;
  }

  @Override
  public Backend backend() {
    return backend;
  }

  @Override
  public Tensor zeros(int... shape) {
    if (closed) {
      throw new IllegalStateException("tensor scope is closed");
    }
    Tensor t = backend.zeros(shape);
    t.attach(this);
    live.add(t);
    return t;
  }

  void forget(Tensor t) {
    live.remove(t);
  }

  /** Tensors of this scope not yet closed. */
  public int liveTensors() {
    return live.size();
  }

  /** Closes every tensor of the scope; later calls do nothing. */
  @Override
  public void close() {
    closed = true;
    List<Tensor> all = new ArrayList<>(live);
    for (Tensor t : all) {
      t.close();
    }
  }
}
