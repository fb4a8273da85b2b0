package org.relgraph.cuda.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/** The JavaCPP binding of the emulated device: memory, launches by name, argument slots, errors. */
class EmuApiTest {
  private static long floatSlot(float f) {
    return Float.floatToRawIntBits(f) & 0xffffffffL;
  }

  @Test
  void knowsEveryKernelOfTheInterface() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < EmuApi.emu_kernel_count(); i++) {
      names.add(EmuApi.emu_kernel_name(i));
    }
    assertEquals(
        Set.of(
            "rg_bs_forward",
            "rg_bs_backward_data",
            "rg_bs_backward_weight",
            "rg_bn_relu_forward",
            "rg_bn_relu_backward",
            "rg_softmax_xent",
            "rg_xent_accumulate",
            "rg_add_bias",
            "rg_bias_gradient",
            "rg_sgd_step",
            "rg_multiply",
            "rg_gemm_ref"),
        names);
    assertEquals(
        "long long,float*,const float*,float*,float,float,float,int",
        EmuApi.emu_kernel_signature("rg_sgd_step"));
  }

  @Test
  void runsAnSgdStepWithIntAndFloatSlots() {
    int n = 300;
    float[] w = new float[n];
    float[] g = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = i * 0.01f;
      g[i] = 1 - i * 0.002f;
    }
    long dw = EmuApi.emu_malloc(4L * n);
    long dg = EmuApi.emu_malloc(4L * n);
    long dv = EmuApi.emu_malloc(4L * n);
    try (FloatPointer hw = new FloatPointer(w);
        FloatPointer hg = new FloatPointer(g);
        FloatPointer out = new FloatPointer(n)) {
      EmuApi.emu_memcpy(dw, hw.address(), 4L * n);
      EmuApi.emu_memcpy(dg, hg.address(), 4L * n);
      EmuApi.emu_memset(dv, 0, 4L * n);
      long[] args = {
        n, dw, dg, dv, floatSlot(0.1f), floatSlot(0.9f), floatSlot(0.01f), 1 /* Nesterov */
      };
      int rc = EmuApi.emu_launch("rg_sgd_step", (n + 255) / 256, 1, 1, 256, 1, 1, 0, args, 8);
      assertEquals(0, rc, EmuApi.emu_last_error());
      EmuApi.emu_memcpy(out.address(), dw, 4L * n);
      for (int i = 0; i < n; i++) {
        double d = g[i] + 0.01 * w[i];
        double v = d;
        double expected = w[i] - 0.1 * (d + 0.9 * v);
        assertEquals(expected, out.get(i), 1e-6, "w[" + i + "]");
      }
    } finally {
      EmuApi.emu_free(dw);
      EmuApi.emu_free(dg);
      EmuApi.emu_free(dv);
    }
  }

  @Test
  void refusesBadLaunchesWithOneLine() {
    long a = EmuApi.emu_malloc(1024);
    try {
      long[] args = {256, a, a, a};
      assertEquals(0, EmuApi.emu_launch("rg_multiply", 1, 1, 1, 256, 1, 1, 0, args, 4));
      assertNotEquals(0, EmuApi.emu_launch("rg_unknown", 1, 1, 1, 256, 1, 1, 0, args, 4));
      assertTrue(EmuApi.emu_last_error().contains("unknown kernel"), EmuApi.emu_last_error());
      assertNotEquals(0, EmuApi.emu_launch("rg_multiply", 1, 1, 1, 256, 1, 1, 0, args, 2));
      assertTrue(EmuApi.emu_last_error().contains("2 arguments"), EmuApi.emu_last_error());
      assertNotEquals(0, EmuApi.emu_launch("rg_multiply", 1, 1, 1, 1025, 1, 1, 0, args, 4));
      assertTrue(EmuApi.emu_last_error().contains("block"), EmuApi.emu_last_error());
      assertNotEquals(0, EmuApi.emu_launch("rg_multiply", 1, 1, 1, 256, 1, 1, 300 * 1024, args, 4));
      assertTrue(EmuApi.emu_last_error().contains("shared memory"), EmuApi.emu_last_error());
      long[] stray = {256, a, 64, a};
      assertNotEquals(0, EmuApi.emu_launch("rg_multiply", 1, 1, 1, 256, 1, 1, 0, stray, 4));
      assertTrue(EmuApi.emu_last_error().contains("not a device address"), EmuApi.emu_last_error());
      assertNotEquals(0, EmuApi.emu_launch("rg_multiply", 1, 1, 1, 32, 1, 1, 0, args, 4));
      assertTrue(EmuApi.emu_last_error().contains("blockDim"), EmuApi.emu_last_error());
      assertEquals(0, EmuApi.emu_malloc(0));
      assertTrue(EmuApi.emu_last_error().contains("emu_malloc"), EmuApi.emu_last_error());
    } finally {
      EmuApi.emu_free(a);
    }
  }
}
