package org.relgraph.cli;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.relgraph.model.ConvNet;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.train.ConvModel;
import org.relgraph.train.Dataset;
import org.relgraph.train.Datasets;
import org.relgraph.train.ModelFile;
import org.relgraph.train.RelationalMlp;
import org.relgraph.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relgraph evaluate}: test error of a saved model. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Evaluate a model saved by 'relgraph train --save' (the MLP or a conv model) on a data"
            + " set's test split, in any execution mode.")
final class EvaluateCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "model file")
  Path model;

  @Option(names = "--dataset", description = "data set (default: the one the model was trained on)")
  String dataset;

  @Option(names = "--data", paramLabel = "DIR", description = "data directory")
  Path data;

  @Option(
      names = "--backend",
      defaultValue = "cpu",
      paramLabel = "NAME",
      description =
          "a backend that `relgraph backends` lists as available: cpu or java (default: cpu)")
  String backend;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      description =
          "blocksparse, masked or dense (complete graph only) (default: the mode it was trained"
              + " in)")
  String mode;

  @Option(names = "--json", description = "print a JSON summary as the last line of stdout")
  boolean json;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    if (model.toString().isEmpty()) {
      throw new IllegalArgumentException("--model needs a file name");
    }
    ExecutionMode m = mode == null ? null : ExecutionMode.parse(mode);
    TrainCommand.TrainingOptions options = new TrainCommand.TrainingOptions();
    options.backend = backend;
    var be = options.backend();
    try (ModelFile.Model loaded = ModelFile.loadAny(model, be, m)) {
      Dataset d = Datasets.load(datasetName(loaded), data);
      if (loaded instanceof ModelFile.LoadedConv conv) {
        evaluate(out, conv.model(), d);
      } else {
        evaluate(out, ((ModelFile.Loaded) loaded).net(), d);
      }
    }
  }

  /** {@code --dataset}, or the data set the model names. */
  private String datasetName(ModelFile.Model loaded) {
    if (dataset != null) {
      return dataset;
    }
    JsonObject info = loaded.info();
    if (!info.has("dataset")
        || !info.get("dataset").isJsonPrimitive()
        || !info.getAsJsonPrimitive("dataset").isString()) {
      throw new IllegalArgumentException(model + " does not name its data set: give --dataset");
    }
    return info.get("dataset").getAsString();
  }

  private void evaluate(PrintWriter out, RelationalMlp net, Dataset d) {
    if (d.features() != net.spec().inputSize() || d.classes() != net.spec().classes()) {
      throw new IllegalArgumentException(
          model
              + " takes "
              + net.spec().inputSize()
              + " features and "
              + net.spec().classes()
              + " classes; "
              + d.name()
              + " has "
              + d.features()
              + " and "
              + d.classes());
    }
    Trainer.Evaluation e = Trainer.evaluate(net, d.test(), 1000);
    JsonObject s = summary(e, d);
    s.addProperty("width", net.width());
    s.addProperty("mode", net.mode().label());
    print(out, e, d, s);
  }

  private void evaluate(PrintWriter out, ConvModel net, Dataset d) {
    ConvNet layout = net.layout();
    int[] want = {layout.spec().inputChannels(), layout.resolution(), layout.resolution()};
    int[] shape;
    try {
      shape = d.test().imageShape();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          model + " takes " + shape(want) + " images; " + d.name() + ": " + e.getMessage(), e);
    }
    if (!Arrays.equals(shape, want) || d.classes() != layout.spec().classes()) {
      throw new IllegalArgumentException(
          model
              + " takes "
              + shape(want)
              + " images and "
              + layout.spec().classes()
              + " classes; "
              + d.name()
              + " has "
              + shape(shape)
              + " and "
              + d.classes());
    }
    Trainer.Evaluation e = Trainer.evaluate(net.network(), d.test(), 1000);
    JsonObject s = summary(e, d);
    s.addProperty("width", net.width());
    s.addProperty("mode", net.mode().label());
    s.addProperty("model", layout.spec().name());
    JsonArray widths = new JsonArray();
    layout.stageWidths().forEach(widths::add);
    s.add("stage_widths", widths);
    print(out, e, d, s);
  }

  private static String shape(int[] s) {
    return s[0] + "x" + s[1] + "x" + s[2];
  }

  private static JsonObject summary(Trainer.Evaluation e, Dataset d) {
    JsonObject s = new JsonObject();
    s.addProperty("top1_error", e.errorPercent());
    s.addProperty("loss", e.loss());
    s.addProperty("samples", e.samples());
    s.addProperty("dataset", d.name());
    return s;
  }

  private void print(PrintWriter out, Trainer.Evaluation e, Dataset d, JsonObject s) {
    if (json) {
      out.println(new Gson().toJson(s));
    } else {
      out.printf(
          Locale.ROOT,
          "%s on %s test (%d samples): top-1 error %.2f%%, loss %.4f%n",
          model,
          d.name(),
          e.samples(),
          e.errorPercent(),
          e.loss());
    }
  }
}
