package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.relgraph.nn.ExecutionMode;

public class RunConfigTest {
  /** The Fashion-MNIST study's configuration: the paper's recipe, 10 epochs. */
  public static RunConfig paper() {
    return new RunConfig(
        null,
        "fashion-mnist",
        null,
        "mlp-fashion-mnist",
        null,
        ExecutionMode.BLOCKSPARSE,
        "cpu",
        1,
        TrainingRun.MATCH,
        512,
        TrainConfig.paper(10, 0));
  }

  private static RunConfig full() {
    return new RunConfig(
        null,
        "cifar10",
        "data/cifar 10/ü\"quoted\"",
        "mlp.c10_x",
        "ws-flex:n=64,k=8.000000000000002,p=0.1234567890123,seed=7",
        ExecutionMode.MASKED,
        "java",
        3,
        1539,
        1024,
        new TrainConfig(7, 64, 0.05f, 0.8f, 1.1e-4f, false, -9_007_199_254_740_993L, 500));
  }

  @Test
  void theStudysKeyIsTheOneInItsDatabase() {
    assertEquals(
        "model=mlp-fashion-mnist;dataset=fashion-mnist;mode=blocksparse;width=matched;epochs=10;"
            + "batch=128;lr=0.1;momentum=0.9;wd=5.0E-4;nesterov=true;schedule=cosine",
        paper().configKey());
    assertEquals(
        "epochs=10,batch=128,lr=0.1,momentum=0.9,wd=5.0E-4,nesterov=true,schedule=cosine",
        paper().recipeKey());
    assertEquals(
        "trainer=fake;model=mlp-fashion-mnist;epochs=10",
        RunConfig.testTrainer("fake", "mlp-fashion-mnist", 10).configKey());
  }

  /** The paper's configuration with another network. */
  static RunConfig network(RunConfig p, String network) {
    return new RunConfig(
        p.trainer(),
        p.dataset(),
        p.dataDir(),
        p.model(),
        p.graph(),
        p.mode(),
        p.backend(),
        p.threads(),
        p.width(),
        p.stemWidth(),
        p.recipe(),
        network);
  }

  @Test
  void theNetworkEntersTheKeyAndTheWireFormOnlyWhenItIsNotTheMlp() {
    // An MLP named explicitly keeps the key and wire form of every database written before.
    RunConfig mlp = network(paper(), "mlp");
    assertEquals(paper(), mlp);
    assertEquals(paper().configKey(), mlp.configKey());
    assertEquals(paper().toJson(), mlp.toJson());
    assertTrue(!mlp.toJson().contains("network"), mlp.toJson());
    RunConfig cnn = network(paper(), "cnn");
    assertEquals(
        "model=mlp-fashion-mnist;network=cnn;dataset=fashion-mnist;mode=blocksparse;"
            + "width=matched;epochs=10;batch=128;lr=0.1;momentum=0.9;wd=5.0E-4;nesterov=true;"
            + "schedule=cosine",
        cnn.configKey());
    assertNotEquals(
        network(paper(), "resnet20").configKey(), cnn.configKey(), "one key per network");
    assertTrue(cnn.toJson().endsWith(",\"eval_batch\":1000,\"network\":\"cnn\"}"), cnn.toJson());
    assertEquals(cnn, RunConfig.fromJson(cnn.toJson()));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> network(paper(), "vgg"));
    assertEquals(
        "unknown model 'vgg': there are mlp, cnn, resnet20, cnn-imagenet, resnet34, resnet34-sep, resnet50",
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                network(
                    with(paper(), "m", "mnist", ExecutionMode.MASKED, 0, 256, paper().recipe()),
                    "cnn"));
    assertTrue(e.getMessage().contains("stem width is the MLP's"), e.getMessage());
  }

  @Test
  void jsonAndBytesReadBackAsTheSameConfiguration() {
    for (RunConfig c :
        List.of(
            paper(),
            full(),
            paper().forRun("complete:n=64", 4),
            network(paper(), "resnet20").forRun("complete:n=16", 4).withBackend("java", 2),
            RunConfig.testTrainer("fake", "m", 2))) {
      assertEquals(c, RunConfig.fromJson(c.toJson()));
      assertEquals(c, RunConfig.fromBytes(c.toBytes()));
      assertArrayEquals(c.toBytes(), RunConfig.fromBytes(c.toBytes()).toBytes());
      assertEquals(c.configKey(), RunConfig.fromJson(c.toJson()).configKey());
      assertTrue(!c.toJson().contains("\n"), c.toJson());
    }
  }

  /** The wire form, pinned: a worker of another version reads the same fields. */
  @Test
  void theWireFormIsStable() {
    assertEquals(
        "{\"format\":1,\"trainer\":null,\"dataset\":\"fashion-mnist\",\"data_dir\":null,"
            + "\"model\":\"mlp-fashion-mnist\",\"graph\":\"complete:n=64\",\"mode\":\"blocksparse\","
            + "\"backend\":\"cpu\",\"threads\":1,\"width\":0,\"stem_width\":512,\"epochs\":10,"
            + "\"batch\":128,\"lr\":0.1,\"momentum\":0.9,\"weight_decay\":5.0E-4,"
            + "\"nesterov\":true,\"seed\":3,\"eval_batch\":1000}",
        paper().forRun("complete:n=64", 3).toJson());
  }

  @Test
  void equalConfigurationsHaveEqualKeysAndDifferentOnesDiffer() {
    assertEquals(paper(), paper());
    assertEquals(paper().configKey(), paper().configKey());
    assertEquals(paper().hashCode(), paper().hashCode());
    RunConfig p = paper();
    TrainConfig r = p.recipe();
    List<RunConfig> others =
        List.of(
            with(p, "mlp-other", p.dataset(), p.mode(), p.width(), p.stemWidth(), r),
            with(p, p.model(), "mnist", p.mode(), p.width(), p.stemWidth(), r),
            with(p, p.model(), p.dataset(), ExecutionMode.MASKED, p.width(), p.stemWidth(), r),
            with(p, p.model(), p.dataset(), p.mode(), TrainingRun.NO_MATCH, p.stemWidth(), r),
            with(p, p.model(), p.dataset(), p.mode(), 700, p.stemWidth(), r),
            with(p, p.model(), p.dataset(), p.mode(), p.width(), 256, r),
            with(p, p.model(), p.dataset(), p.mode(), p.width(), p.stemWidth(), r.withEpochs(11)),
            recipe(p, new TrainConfig(10, 256, 0.1f, 0.9f, 5e-4f, true, 0, 1000)),
            recipe(p, new TrainConfig(10, 128, 0.2f, 0.9f, 5e-4f, true, 0, 1000)),
            recipe(p, new TrainConfig(10, 128, 0.1f, 0.8f, 5e-4f, true, 0, 1000)),
            recipe(p, new TrainConfig(10, 128, 0.1f, 0.9f, 1e-4f, true, 0, 1000)),
            recipe(p, new TrainConfig(10, 128, 0.1f, 0.9f, 5e-4f, false, 0, 1000)),
            RunConfig.testTrainer("fake", p.model(), 10));
    Set<String> keys = new HashSet<>();
    keys.add(p.configKey());
    for (RunConfig o : others) {
      assertNotEquals(p, o);
      assertTrue(keys.add(o.configKey()), "repeated key " + o.configKey());
    }
    // Where and how fast a run trains, and which run of a sweep it is, change no key.
    List<RunConfig> sameKey =
        List.of(
            p.withBackend("java", 2),
            p.forRun("complete:n=64", 3),
            new RunConfig(
                null,
                p.dataset(),
                "/data/fm",
                p.model(),
                null,
                p.mode(),
                "cpu",
                1,
                p.width(),
                p.stemWidth(),
                r),
            recipe(p, new TrainConfig(10, 128, 0.1f, 0.9f, 5e-4f, true, 0, 250)));
    for (RunConfig o : sameKey) {
      assertNotEquals(p, o);
      assertEquals(p.configKey(), o.configKey());
    }
  }

  @Test
  void malformedWireFormsAreRefusedByName() {
    String good = paper().toJson();
    assertThrows(IllegalArgumentException.class, () -> RunConfig.fromJson("{"));
    assertThrows(IllegalArgumentException.class, () -> RunConfig.fromJson("[]"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RunConfig.fromJson(good.replace("\"format\":1", "\"format\":2")));
    assertTrue(e.getMessage().contains("format 2"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RunConfig.fromJson(good.replace("\"threads\":1,", "")));
    assertTrue(e.getMessage().contains("'threads'"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RunConfig.fromJson(good.replace("{", "{\"extra\":1,")));
    assertTrue(e.getMessage().contains("'extra'"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> RunConfig.fromJson(good.replace("\"threads\":1", "\"threads\":1.5")));
    assertThrows(
        IllegalArgumentException.class,
        () -> RunConfig.fromJson(good.replace("\"mlp-fashion-mnist\"", "\"a b\"")));
    assertThrows(
        IllegalArgumentException.class,
        () -> RunConfig.fromJson(good.replace("\"epochs\":10", "\"epochs\":0")));
  }

  private static RunConfig with(
      RunConfig p,
      String model,
      String dataset,
      ExecutionMode mode,
      int width,
      int stemWidth,
      TrainConfig recipe) {
    return new RunConfig(
        p.trainer(),
        dataset,
        p.dataDir(),
        model,
        p.graph(),
        mode,
        p.backend(),
        p.threads(),
        width,
        stemWidth,
        recipe);
  }

  private static RunConfig recipe(RunConfig p, TrainConfig recipe) {
    return with(p, p.model(), p.dataset(), p.mode(), p.width(), p.stemWidth(), recipe);
  }
}
