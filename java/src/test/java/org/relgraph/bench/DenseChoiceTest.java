package org.relgraph.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.BareSgemm;
import org.relgraph.engine.CpuBackend;

/** The dense baseline's library: named, or measured, and said either way. */
class DenseChoiceTest {
  private static final LayerBench.Timing QUICK = new LayerBench.Timing(0.001, 0.01, 3, 0.01, 0);

  @Test
  void optionValuesParse() {
    assertEquals(BareSgemm.Library.OPENBLAS, DenseChoice.parse("openblas"));
    assertEquals(BareSgemm.Library.DNNL, DenseChoice.parse(" OneDNN "));
    assertNull(DenseChoice.parse("auto"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DenseChoice.parse("mkl"));
    assertEquals("--dense-library 'mkl' is not openblas, onednn or auto", e.getMessage());
  }

  @Test
  void aNamedLibraryIsTakenAsAskedFor() {
    assumeTrue(CpuBackend.isAvailable(), () -> "native: " + CpuBackend.unavailabilityCause());
    DenseChoice c = DenseChoice.choose("openblas", List.of(new int[] {64, 64, 8}), 2, QUICK);
    assertEquals(BareSgemm.Library.OPENBLAS, c.library());
    assertEquals("baseline=openblas (asked for)", c.describe());
  }

  @Test
  void autoTakesTheFasterLibraryAndSaysBothTimes() {
    assumeTrue(CpuBackend.isAvailable(), () -> "native: " + CpuBackend.unavailabilityCause());
    int threads = Runtime.getRuntime().availableProcessors();
    DenseChoice c =
        DenseChoice.choose(
            "auto", List.of(new int[] {96, 64, 16}, new int[] {64, 64, 8}), threads, QUICK);
    String d = c.describe();
    assertTrue(d.startsWith("baseline=" + c.library().label() + " (auto: bare step openblas "), d);
    Matcher blas = Pattern.compile("openblas (\\d+\\.\\d+) ms").matcher(d);
    assertTrue(blas.find(), d);
    Matcher dnnl = Pattern.compile("onednn (\\d+\\.\\d+) ms").matcher(d);
    if (dnnl.find()) {
      double b = Double.parseDouble(blas.group(1));
      double o = Double.parseDouble(dnnl.group(1));
      assertEquals(o < b ? BareSgemm.Library.DNNL : BareSgemm.Library.OPENBLAS, c.library(), d);
    } else {
      // oneDNN did not load (or was loaded with another thread count): said so, OpenBLAS taken
      assertTrue(d.contains("onednn unavailable ("), d);
      assertEquals(BareSgemm.Library.OPENBLAS, c.library(), d);
    }
  }
}
