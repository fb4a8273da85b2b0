package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackendsTest {
  /** A provider that never runs, with a fixed cause. */
  static final class Unavailable implements BackendProvider {
    @Override
    public String name() {
      return "fake";
    }

    @Override
    public boolean isAvailable() {
      return false;
    }

    @Override
    public Optional<String> unavailabilityCause() {
      return Optional.of("no fake device on this machine");
    }

    @Override
    public Capabilities capabilities() {
      return new Capabilities(List.of("fake device"), List.of("dense"), "none", 1);
    }

    @Override
    public Backend create(int threads) {
      throw new IllegalStateException("unavailable");
    }
  }

  @Test
  void discoversJavaCpuAndCudaOrderedByName() {
    List<String> names = Backends.all().stream().map(BackendProvider::name).toList();
    assertEquals(List.of("cpu", "cuda", "java"), names);
    assertEquals("cpu, cuda, java", Backends.discovered().names());
  }

  @Test
  void findsEachBackendAndCreatesIt() {
    assertInstanceOf(JavaBackend.class, Backends.find("java").create(4));
    assertTrue(Backends.find("cpu").isAvailable(), "the native library loads in the build");
    assertInstanceOf(CpuBackend.class, Backends.find("CPU").create(2));
    BackendProvider.Capabilities c = Backends.find("cpu").capabilities();
    assertEquals(List.of("blocksparse", "masked", "dense"), c.modes());
    assertTrue(c.isa().contains("built: portable, avx2, avx512"), c.isa());
    assertEquals(
        "none (plain Java, float64 reference)", Backends.find("java").capabilities().isa());
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Backends.find("nope"));
    assertEquals("unknown backend 'nope': there are cpu, cuda, java", e.getMessage());
  }

  @Test
  void anUnavailableBackendIsFoundByNameButRefusedWithItsCause() {
    Backends b = new Backends(List.of(new JavaBackendProvider(), new Unavailable()));
    assertEquals("fake, java", b.names());
    assertSame(b.providers().get(0), b.known("fake"));
    assertFalse(b.known("fake").isAvailable());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.lookup("fake"));
    assertEquals("backend fake is unavailable: no fake device on this machine", e.getMessage());
    assertEquals("java", b.lookup("java").name());
    IllegalArgumentException u =
        assertThrows(IllegalArgumentException.class, () -> b.lookup("cpu"));
    assertEquals("unknown backend 'cpu': there are fake, java", u.getMessage());
  }
}
