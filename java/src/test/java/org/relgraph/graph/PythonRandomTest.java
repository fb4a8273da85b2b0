package org.relgraph.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Expected values printed by CPython 3.11: {@code r = random.Random(seed)} then {@code
 * r.getrandbits(32)}, {@code r.random()} and {@code r._randbelow(n)} in the order shown.
 */
class PythonRandomTest {
  private static long u32(int x) {
    return Integer.toUnsignedLong(x);
  }

  @Test
  void matchesCpythonForSmallSeed() {
    PythonRandom r = new PythonRandom(4);
    assertEquals(1013818839L, u32(r.getrandbits(32)));
    assertEquals(1302657532L, u32(r.getrandbits(32)));
    assertEquals(443094727L, u32(r.getrandbits(32)));
    assertEquals(0.7212169050876664, r.random());
    int[] below64 = {61, 19, 11, 8, 2};
    for (int expected : below64) {
      assertEquals(expected, r.randbelow(64));
    }
    assertEquals(0, r.randbelow(1));
    assertEquals(0, r.randbelow(1));
    int[] below100 = {97, 7, 28};
    for (int expected : below100) {
      assertEquals(expected, r.randbelow(100));
    }
  }

  @Test
  void matchesCpythonForZeroAndWideSeeds() {
    PythonRandom zero = new PythonRandom(0);
    assertEquals(3626764237L, u32(zero.nextInt32()));
    assertEquals(1654615998L, u32(zero.nextInt32()));
    PythonRandom wide = new PythonRandom((1L << 40) + 7);
    assertEquals(2635837658L, u32(wide.nextInt32()));
    assertEquals(3209733218L, u32(wide.nextInt32()));
    assertEquals(0.8149162973309487, wide.random());
  }

  @Test
  void reseedingRestartsTheStreamAcrossTheTwistBoundary() {
    PythonRandom r = new PythonRandom(123456789);
    for (int i = 0; i < 2000; i++) {
      r.random();
    }
    r.seed(123456789);
    assertEquals(0.6414006161858726, r.random());
    assertEquals(0.5421892680969495, r.random());
    assertEquals(0.9931750662832721, r.random());
  }

  @Test
  void rejectsInvalidArguments() {
    PythonRandom r = new PythonRandom(1);
    assertThrows(IllegalArgumentException.class, () -> r.randbelow(0));
    assertThrows(IllegalArgumentException.class, () -> r.getrandbits(0));
    assertThrows(IllegalArgumentException.class, () -> r.getrandbits(33));
  }
}
