package org.relgraph.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The layer lists a network builder walks. */
class ConvNetSpecTest {
  @Test
  void everyOperationReadsEarlierOnesWithMatchingShapes() {
    for (String name : ConvNetSpec.NAMES) {
      ConvNetSpec s = ConvNetSpec.named(name);
      for (int res : new int[] {1, 28, 32, 224}) {
        ConvNet net = s.baseline(res);
        List<ConvOp> ops = net.ops();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ops.size(); i++) {
          ConvOp o = ops.get(i);
          String where = name + " at " + res + ": " + o;
          assertTrue(names.add(o.name()), where);
          assertTrue(o.input() < i && o.shortcut() < i, where);
          int inC = o.input() < 0 ? s.inputChannels() : ops.get(o.input()).outChannels();
          int inSize = o.input() < 0 ? res : ops.get(o.input()).outSize();
          assertEquals(inC, o.inChannels(), where);
          if (o.kind() != ConvOp.Kind.DENSE) {
            assertEquals(inSize, o.inSize(), where);
            assertEquals(
                ConvOp.outSize(o.inSize(), o.kernel(), o.stride(), o.padding()),
                o.outSize(),
                where);
          }
          if (o.kind() == ConvOp.Kind.RESIDUAL_ADD) {
            ConvOp other = ops.get(o.shortcut());
            assertEquals(o.outChannels(), other.outChannels(), where);
            assertEquals(o.outSize(), other.outSize(), where);
            assertTrue(o.relu(), where);
          } else {
            assertEquals(-1, o.shortcut(), where);
          }
          assertTrue(o.outSize() >= 1, where);
        }
        ConvOp head = ops.get(ops.size() - 1);
        assertEquals(ConvOp.Kind.DENSE, head.kind());
        assertEquals(s.classes(), head.outChannels());
        assertEquals(ConvOp.Kind.GLOBAL_AVG_POOL, ops.get(ops.size() - 2).kind());
        assertEquals(1, ops.get(ops.size() - 2).outSize());
      }
    }
  }

  @Test
  void layerCountsAndShapesFollowThePapersModels() {
    // ResNet-34: 32 relational 3x3, 3 relational projections; 7 x 7 before the head at 224
    ConvNet r34 = ConvNetSpec.named("resnet34").baseline(224);
    assertEquals(35, r34.relationalLayers().size());
    assertEquals(3, count(r34, "proj", ConvOp.Kind.RELATIONAL_CONV));
    assertEquals(7, r34.ops().get(r34.ops().size() - 2).inSize());
    // ResNet-34-sep: 32 depthwise 3x3 and 32 + 3 relational 1x1
    ConvNet sep = ConvNetSpec.named("resnet34-sep").baseline(224);
    assertEquals(
        32, sep.ops().stream().filter(o -> o.kind() == ConvOp.Kind.DEPTHWISE_CONV).count());
    assertTrue(sep.relationalLayers().stream().allMatch(o -> o.kernel() == 1));
    assertEquals(35, sep.relationalLayers().size());
    // ResNet-50: 48 relational layers, 4 dense projections (s2's 64 -> 256 among them)
    ConvNet r50 = ConvNetSpec.named("resnet50").baseline(224);
    assertEquals(48, r50.relationalLayers().size());
    assertEquals(4, count(r50, "proj", ConvOp.Kind.DENSE_CONV));
    assertEquals(0, count(r50, "proj", ConvOp.Kind.RELATIONAL_CONV));
    assertEquals(64, r50.maxNodes());
    // the 8-layer CNN: stem, 6 relational 3x3, head; 56 -> 28 -> 14 -> 7
    ConvNet cnn8 = ConvNetSpec.named("cnn-imagenet").baseline(224);
    assertEquals(6, cnn8.relationalLayers().size());
    assertEquals(
        List.of(28, 28, 14, 14, 7, 7),
        cnn8.relationalLayers().stream().map(ConvOp::outSize).toList());
    // Fashion-MNIST through the small-image CNN: 28 -> 14 -> 7 -> 4
    ConvNet fashion = ConvNetSpec.named("cnn").withInput(1, 10).baseline(28);
    assertEquals(1, fashion.ops().get(0).inChannels());
    assertEquals(
        List.of(14, 14, 7, 7, 4, 4),
        fashion.relationalLayers().stream().map(ConvOp::outSize).toList());
    // ResNet-20: 18 relational 3x3 and 2 projections; a graph of at most 16 nodes fits
    ConvNet r20 = ConvNetSpec.named("resnet20").baseline(32);
    assertEquals(20, r20.relationalLayers().size());
    assertEquals(16, r20.maxNodes());
    assertEquals(16, ConvNetSpec.named("resnet20").maxNodes());
    assertFalse(r20.ops().stream().anyMatch(o -> o.kind() == ConvOp.Kind.MAX_POOL));
  }

  private static long count(ConvNet net, String part, ConvOp.Kind kind) {
    return net.ops().stream().filter(o -> o.kind() == kind && o.name().contains(part)).count();
  }

  @Test
  void badNamesWidthsAndResolutionsAreRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ConvNetSpec.named("vgg"));
    assertTrue(e.getMessage().contains("resnet34-sep"), e.getMessage());
    assertEquals("resnet34-sep", ConvNetSpec.named(" ResNet34-SEP ").name());
    ConvNetSpec r34 = ConvNetSpec.named("resnet34");
    assertThrows(IllegalArgumentException.class, () -> r34.baseline(0));
    assertThrows(IllegalArgumentException.class, () -> r34.at(List.of(64, 128, 256), 224));
    assertThrows(IllegalArgumentException.class, () -> r34.at(List.of(64, 128, 0, 512), 224));
    assertThrows(IllegalArgumentException.class, () -> r34.widthsFor(0));
  }
}
