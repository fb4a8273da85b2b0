package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code relgraph flops}: a model's FLOPs, parameters and matched widths, and its refusals. */
class FlopsCliTest {
  @Test
  void resNet34OnTheCompleteGraphIsItsBaseline() {
    Cli r = Cli.run("flops", "--model", "resnet34", "--graph", "complete", "--resolution", "224");
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().contains("graph complete: 64 nodes, 2016 edges"), r.out());
    assertTrue(
        r.out()
            .contains(
                "baseline  widths 64,128,256,512: 3,663,761,408 multiply-adds, 21,797,672"
                    + " parameters"),
        r.out());
    assertTrue(
        r.out()
            .contains(
                "matched   widths 64,128,256,512: 3,663,761,408 multiply-adds (+0.000%),"
                    + " 21,797,672 parameters"),
        r.out());
  }

  @Test
  void aSparseGraphIsWidenedToTheBudgetWithinHalfAPercent() {
    Cli r = Cli.run("flops", "--model", "cnn", "--graph", "ws-flex:k=8,p=0,seed=1");
    assertEquals(0, r.status(), r.err());
    Matcher m =
        Pattern.compile(
                "matched   widths (\\d+),(\\d+),(\\d+): [\\d,]+ multiply-adds \\(\\+([\\d.]+)%\\)")
            .matcher(r.out());
    assertTrue(m.find(), r.out());
    assertTrue(Integer.parseInt(m.group(1)) > 64, r.out());
    assertTrue(Double.parseDouble(m.group(4)) < 0.5, r.out());

    Cli unmatched =
        Cli.run("flops", "--model", "cnn", "--graph", "ws-flex:k=8,p=0,seed=1", "--no-match");
    assertEquals(0, unmatched.status(), unmatched.err());
    assertTrue(unmatched.out().contains("unmatched widths 64,128,256:"), unmatched.out());
  }

  @Test
  void fashionMnistImagesAndTheLayerList() {
    Cli r =
        Cli.run(
            "flops",
            "--model",
            "cnn",
            "--channels",
            "1",
            "--resolution",
            "28",
            "--layers",
            "--no-match");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("1x28x28, 10 classes"), r.out());
    assertTrue(r.out().contains("stem.conv"), r.out());
    assertTrue(r.out().contains("relational_conv"), r.out());
    assertTrue(r.out().contains("head.fc"), r.out());
    // ResNet-20's default graph has 16 nodes: its narrowest layers have 16 channels
    Cli r20 = Cli.run("flops", "--model", "resnet20");
    assertEquals(0, r20.status(), r20.err());
    assertTrue(r20.out().contains("40,813,184 multiply-adds"), r20.out());
    assertTrue(r20.out().contains("16 nodes"), r20.out());
    Cli layers = Cli.run("flops", "--model", "resnet20", "--layers");
    assertEquals(0, layers.status(), layers.err());
    assertTrue(
        layers
            .out()
            .lines()
            .anyMatch(
                l -> l.contains("s2.b1.add") && l.contains("+ stem.bn") && l.endsWith("relu")),
        layers.out());
  }

  @Test
  void badOptionsGetOneLineErrors(@TempDir Path dir) throws Exception {
    BackendsCliTest.assertOneLineUsageError(
        Cli.run("flops", "--model", "vgg"), "unknown model 'vgg': there are cnn,");
    BackendsCliTest.assertOneLineUsageError(
        Cli.run("flops", "--model", "resnet34", "--resolution", "0"), "--resolution = 0");
    BackendsCliTest.assertOneLineUsageError(
        Cli.run("flops", "--model", "resnet34", "--resolution", "x"), "--resolution");
    BackendsCliTest.assertOneLineUsageError(
        Cli.run("flops", "--model", "cnn", "--channels", "0"), "--channels = 0");
    BackendsCliTest.assertOneLineUsageError(
        Cli.run("flops", "--model", "cnn", "--classes", "1"), "--classes = 1");
    BackendsCliTest.assertOneLineUsageError(
        Cli.run("flops", "--model", "resnet20", "--graph", "complete"),
        "use a graph of at most 16 nodes");
    BackendsCliTest.assertOneLineUsageError(
        Cli.run("flops", "--model", "cnn", "--graph", "nope:k=1"), "unknown graph 'nope:k=1'");
    BackendsCliTest.assertOneLineUsageError(Cli.run("flops"), "--model");
    Path bad = dir.resolve("bad.edges");
    Files.writeString(bad, "0 1\n1 x\n");
    Cli r = Cli.run("flops", "--model", "cnn", "--graph", bad.toString());
    assertEquals(1, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("bad.edges:2"), r.err());
  }
}
