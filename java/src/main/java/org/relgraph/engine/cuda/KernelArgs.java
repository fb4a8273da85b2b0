package org.relgraph.engine.cuda;

import java.util.Arrays;

/**
 * The arguments of one kernel launch, in the kernel's parameter order: one 64-bit slot each, as
 * both devices pass them. A pointer is its device address, an {@code int} or {@code float} its 32
 * raw bits in the slot's low half (the slot's first 4 bytes on a little-endian host, which is what
 * the driver reads through a pointer to it), a {@code long} the whole slot.
 */
public final class KernelArgs {
  /** Parameter kinds, for messages. */
  enum Kind {
    POINTER,
    INT,
    FLOAT,
    LONG
  }

  private long[] slots = new long[16];
  private Kind[] kinds = new Kind[16];
  private int count;

  /** Adds a device pointer. */
  public KernelArgs ptr(long address) {
    return add(Kind.POINTER, address);
  }

  /** Adds an {@code int}. */
  public KernelArgs i32(int value) {
    return add(Kind.INT, value & 0xffffffffL);
  }

  /** Adds a {@code float}. */
  public KernelArgs f32(float value) {
    return add(Kind.FLOAT, Float.floatToRawIntBits(value) & 0xffffffffL);
  }

  /** Adds a {@code long long}. */
  public KernelArgs i64(long value) {
    return add(Kind.LONG, value);
  }

  private KernelArgs add(Kind kind, long slot) {
    if (count == slots.length) {
      slots = Arrays.copyOf(slots, count * 2);
      kinds = Arrays.copyOf(kinds, count * 2);
    }
    slots[count] = slot;
    kinds[count++] = kind;
    return this;
  }

  /** Number of arguments. */
  public int count() {
    return count;
  }

  /** The slots, one per argument. */
  public long[] slots() {
    return Arrays.copyOf(slots, count);
  }

  /** The kinds, one per argument. */
  Kind[] kinds() {
    return Arrays.copyOf(kinds, count);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < count; i++) {
      s.append(i == 0 ? "" : ", ");
      switch (kinds[i]) {
        case POINTER -> s.append("0x").append(Long.toHexString(slots[i]));
        case INT -> s.append((int) slots[i]);
        case FLOAT -> s.append(Float.intBitsToFloat((int) slots[i])).append('f');
        case LONG -> s.append(slots[i]).append("L");
      }
    }
    return s.append(')').toString();
  }
}
