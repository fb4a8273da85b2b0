package org.relgraph.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;

/** Width matching of every convolutional model to its complete-graph baseline. */
class ConvMatchingTest {
  private static final long SEED = 20261130;

  private static int nodes(ConvNetSpec s) {
    return Math.min(ConvNetSpec.DEFAULT_NODES, s.maxNodes());
  }

  @Test
  void theCompleteGraphKeepsTheBaselineWidths() {
    for (String name : ConvNetSpec.NAMES) {
      ConvNetSpec s = ConvNetSpec.named(name);
      ConvMatching.Match m =
          ConvMatching.match(s, ClassicGenerators.complete(nodes(s)), s.resolution());
      assertEquals(s.stageWidths(), m.stageWidths(), name);
      assertEquals(0.0, m.deviation(), name);
    }
  }

  @Test
  void everyModelMatchesWsFlexAtAnEighthOfTheEdgesWithinHalfAPercent() {
    for (String name : ConvNetSpec.NAMES) {
      ConvNetSpec s = ConvNetSpec.named(name);
      int n = nodes(s);
      RelationalGraph g = WsFlex.generate(n, 0.125 * n, 0.0, 1);
      assertMatched(s, g, s.resolution(), name + " k/n = 0.125");
    }
  }

  @Test
  void modelsMatchOtherWsFlexGraphsAndResolutionsWithinHalfAPercent() {
    SplittableRandom r = new SplittableRandom(SEED);
    for (String name : ConvNetSpec.NAMES) {
      ConvNetSpec s = ConvNetSpec.named(name);
      int n = nodes(s);
      for (int i = 0; i < 3; i++) {
        double kn = 0.25 + r.nextDouble() * 0.7;
        double p = r.nextDouble();
        int seed = r.nextInt(1000);
        RelationalGraph g = WsFlex.generate(n, Math.max(2, kn * n), p, seed);
        int res = i == 0 ? s.resolution() : 16 + r.nextInt(200);
        assertMatched(
            s, g, res, name + " ws-flex k/n=" + kn + " p=" + p + " seed=" + seed + " at " + res);
      }
    }
    // Fashion-MNIST: one channel, 28 x 28
    ConvNetSpec fashion = ConvNetSpec.named("cnn").withInput(1, 10);
    assertMatched(fashion, WsFlex.generate(64, 8, 0.2, 3), 28, "cnn on 1x28x28");
  }

  private static void assertMatched(ConvNetSpec s, RelationalGraph g, int res, String what) {
    ConvMatching.Match m = ConvMatching.match(s, g, res);
    String where = what + " (seed " + SEED + "): " + m;
    assertTrue(m.deviation() >= 0, where);
    assertTrue(m.deviation() < 0.005, where);
    assertEquals(ConvFlops.baseline(s, res).flops(), m.budget(), where);
    assertEquals(ConvFlops.of(s.at(m.stageWidths(), res), g).flops(), m.flops(), where);
    for (int i = 0; i < m.stageWidths().size(); i++) {
      assertTrue(m.stageWidths().get(i) >= s.stageWidths().get(i), where);
    }
    // one channel less in the widest stage falls short of the budget
    List<Integer> less = new java.util.ArrayList<>(m.stageWidths());
    less.set(less.size() - 1, less.get(less.size() - 1) - 1);
    assertTrue(ConvFlops.of(s.at(less, res), g).flops() < m.budget(), where);
  }

  @Test
  void widthFamilyKeepsTheRatiosAndGrowsStageByStage() {
    ConvNetSpec r34 = ConvNetSpec.named("resnet34");
    assertEquals(List.of(64, 128, 256, 512), r34.widthsFor(512));
    assertEquals(List.of(181, 362, 724, 1448), r34.widthsFor(1448));
    assertEquals(List.of(1, 1, 2, 3), r34.widthsFor(3));
    for (String name : ConvNetSpec.NAMES) {
      ConvNetSpec s = ConvNetSpec.named(name);
      List<Integer> prev = s.widthsFor(1);
      for (int w = 2; w < 3000; w++) {
        List<Integer> next = s.widthsFor(w);
        for (int i = 0; i < next.size(); i++) {
          assertTrue(next.get(i) >= prev.get(i), name + " at " + w);
        }
        assertEquals(w, next.get(next.size() - 1));
        prev = next;
      }
    }
  }

  @Test
  void graphsWiderThanTheStemAreRefused() {
    ConvNetSpec r20 = ConvNetSpec.named("resnet20");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ConvMatching.match(r20, WsFlex.generate(64, 8, 0, 1), 32));
    assertTrue(e.getMessage().contains("at most 16 nodes"), e.getMessage());
  }
}
