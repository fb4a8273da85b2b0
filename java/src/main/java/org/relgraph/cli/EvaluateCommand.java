package org.relgraph.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.relgraph.train.Dataset;
import org.relgraph.train.Datasets;
import org.relgraph.train.ModelFile;
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
    description = "Evaluate a model saved by 'relgraph train --save' on a data set's test split.")
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

  @Option(names = "--json", description = "print a JSON summary as the last line of stdout")
  boolean json;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    if (model.toString().isEmpty()) {
      throw new IllegalArgumentException("--model needs a file name");
    }
    TrainCommand.TrainingOptions options = new TrainCommand.TrainingOptions();
    options.backend = backend;
    var be = options.backend();
    ModelFile.Loaded loaded = ModelFile.load(model, be, null);
    try (var net = loaded.net()) {
      String name = dataset;
      if (name == null) {
        if (!loaded.info().has("dataset")
            || !loaded.info().get("dataset").isJsonPrimitive()
            || !loaded.info().getAsJsonPrimitive("dataset").isString()) {
          throw new IllegalArgumentException(model + " does not name its data set: give --dataset");
        }
        name = loaded.info().get("dataset").getAsString();
      }
      Dataset d = Datasets.load(name, data);
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
      if (json) {
        JsonObject s = new JsonObject();
        s.addProperty("top1_error", e.errorPercent());
        s.addProperty("loss", e.loss());
        s.addProperty("samples", e.samples());
        s.addProperty("dataset", d.name());
        s.addProperty("width", net.width());
        s.addProperty("mode", net.mode().label());
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
}
