package org.relgraph.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.relgraph.engine.Backend;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.GraphSpec;
import org.relgraph.model.ConvMatching;
import org.relgraph.model.ConvNet;
import org.relgraph.train.ConvModel;
import org.relgraph.train.ConvTrainingRun;
import org.relgraph.train.Dataset;
import org.relgraph.train.EpochResult;
import org.relgraph.train.ModelFile;
import org.relgraph.train.RunConfig;
import org.relgraph.train.Trainer;

/**
 * {@code relgraph train --model cnn|resnet20}: the text and JSON of {@link TrainCommand} for a
 * convolutional network. The width it reports is the widest stage's channels; the stage widths and
 * the multiplier over the baseline's come beside it.
 */
final class ConvTraining {
  private final TrainCommand command;
  private final GraphSpec g;
  private final Dataset d;
  private final RunConfig rc;
  private final Backend backend;
  private final PrintWriter out;
  private final PrintWriter log;
  private final PrintWriter err;

  ConvTraining(
      TrainCommand command,
      GraphSpec g,
      Dataset d,
      RunConfig rc,
      Backend backend,
      PrintWriter out,
      PrintWriter log,
      PrintWriter err) {
    this.command = command;
    this.g = g;
    this.d = d;
    this.rc = rc;
    this.backend = backend;
    this.out = out;
    this.log = log;
    this.err = err;
  }

  /** {@code a/b/c}. */
  static String widths(List<Integer> w) {
    return w.stream().map(String::valueOf).collect(Collectors.joining("/"));
  }

  void run() {
    ConvTrainingRun run = rc.convTrainingRun(g.graph(), d);
    ConvMatching.Match m = run.match();
    GraphMeasures.Measures measures = GraphMeasures.of(g.graph());
    int[] shape = d.train().imageShape();
    log.printf(
        Locale.ROOT,
        "%s: %s; %dx%dx%d images; %s; model %s, stage widths %s (x%.3f the baseline's %s), %,d"
            + " FLOPs (%+.3f%% of the baseline's %,d); mode %s on %s%n",
        d.name(),
        d.description(),
        shape[0],
        shape[1],
        shape[2],
        command.graphLine(g, measures),
        rc.network(),
        widths(m.stageWidths()),
        run.widthMultiplier(m),
        widths(run.spec().stageWidths()),
        m.flops(),
        100 * m.deviation(),
        m.budget(),
        rc.mode().label(),
        backend);
    long start = System.nanoTime();
    ConvNet layout = run.layout(m);
    Trainer.Listener listener = new TrainCommand.EpochBars(log, err);
    if (command.saveEvery != null) {
      listener =
          command.snapshots(
              listener, d, log, net -> new ConvModel(layout, g.graph(), rc.mode(), net));
    }
    try (ConvTrainingRun.Outcome o = run.run(m, backend, listener)) {
      double wall = (System.nanoTime() - start) / 1e9;
      EpochResult last = o.epochs().get(o.epochs().size() - 1);
      log.printf(
          Locale.ROOT,
          "test top-1 error %.2f%% after %d epochs (%.1f s)%n",
          last.testError(),
          last.epoch(),
          wall);
      if (command.json || command.save != null) {
        JsonObject s = new JsonObject();
        s.addProperty("top1_error", o.top1Error());
        s.addProperty("model", rc.network());
        List<Integer> w = m.stageWidths();
        s.addProperty("width", w.get(w.size() - 1));
        s.add("stage_widths", array(w));
        s.add("baseline_stage_widths", array(run.spec().stageWidths()));
        s.addProperty("width_multiplier", run.widthMultiplier(m));
        s.addProperty("flops", m.flops());
        s.addProperty("baseline_flops", m.budget());
        s.addProperty("params", m.params());
        s.addProperty("stem_width", run.spec().stem().channels());
        s.addProperty("flops_deviation", m.deviation());
        command.addCommon(s, g, d, rc, rc.mode(), rc.recipe(), o.epochs(), measures, backend, wall);
        if (command.save != null) {
          ModelFile.save(
              new ConvModel(layout, g.graph(), rc.mode(), o.model()), command.save, s.deepCopy());
          log.println("model saved to " + command.save);
        }
        if (command.json) {
          out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(s));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  private static JsonArray array(List<Integer> values) {
    JsonArray a = new JsonArray();
    values.forEach(a::add);
    return a;
  }
}
