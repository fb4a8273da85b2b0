package org.relgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The model a sweep's record name trains. */
class SweepCommandTest {
  @ParameterizedTest
  @CsvSource({
    "cnn, cnn",
    "cnn-fashion-mnist, cnn",
    "cnn-imagenet, cnn-imagenet",
    "cnn-imagenet-fashion-mnist, cnn-imagenet",
    "resnet34-fashion-mnist, resnet34",
    "resnet34-sep, resnet34-sep",
    "resnet34-sep-fashion-mnist, resnet34-sep",
    "resnet50-x, resnet50",
    "resnet20-cifar10, resnet20",
    "mlp-fashion-mnist, mlp",
    "cnnx, mlp",
    "resnet34sep, mlp",
    "mlp, mlp"
  })
  void theLongestConvModelNameThatStartsTheRecordNamePicksTheModel(String name, String network) {
    assertEquals(network, SweepCommand.network(name));
  }
}
