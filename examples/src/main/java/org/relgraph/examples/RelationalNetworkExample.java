package org.relgraph.examples;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.relgraph.engine.Backend;
import org.relgraph.engine.CpuBackend;
import org.relgraph.engine.CrossEntropy;
import org.relgraph.engine.JavaBackend;
import org.relgraph.engine.SgdSettings;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.BatchNormRelu;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Linear;
import org.relgraph.nn.Network;
import org.relgraph.train.DataSplit;
import org.relgraph.train.Dataset;
import org.relgraph.train.Datasets;
import org.relgraph.train.ModelFile;
import org.relgraph.train.RelationalMlp;
import org.relgraph.train.TrainConfig;
import org.relgraph.train.Trainer;

/**
 * relgraph as a library: a WS-flex graph, a relational layer over it, a network of such layers
 * trained a few steps on synthetic data, then the paper's MLP over the same graph ({@link
 * RelationalMlp}, the builder whose networks model files describe) trained and saved.
 *
 * <p>Run it with {@code java -cp java/target/relgraph.jar:examples/target/classes
 * org.relgraph.examples.RelationalNetworkExample model.rgm} (the library jar finds its dependencies
 * in {@code java/target/lib}); the build runs it once, from a test.
 */
public final class RelationalNetworkExample {
  private RelationalNetworkExample() {}

  /** What a run did: the losses of the hand-built network and the saved model's test error. */
  public record Result(double firstLoss, double lastLoss, double testErrorPercent, Path model) {}

  /** Trains and saves to the path given (default {@code example.rgm}). */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "example.rgm");
    Result r = run(out, 40);
    System.out.printf(
        Locale.ROOT,
        "hand-built network: loss %.3f -> %.3f; saved MLP: test error %.1f%% -> %s%n",
        r.firstLoss(),
        r.lastLoss(),
        r.testErrorPercent(),
        r.model());
  }

  /** The example, with {@code steps} training steps of the hand-built network. */
  public static Result run(Path out, int steps) throws IOException {
    // The native backend when its library loads here, else the Java reference.
    Backend backend = CpuBackend.isAvailable() ? CpuBackend.create() : new JavaBackend();
    // relgraph's synthetic task (64 features, 4 classes, 4096 training samples), as `relgraph
    // train --dataset synthetic` loads it.
    Dataset data = Datasets.load("synthetic", null);
    int features = data.features();
    int classes = data.classes();

    // 1. A relational graph: WS-flex with 16 nodes, average degree 4, rewiring 0.3, seed 7.
    RelationalGraph graph = WsFlex.generate(16, 4, 0.3, 7);

    // 2. A relational layer over it: 48 -> 64 channels divided over the 16 nodes; block (v, u)
    //    exists iff v = u or u -> v. Block-sparse mode stores and multiplies only those blocks.
    //    Its tensors belong to the backend that makes them (here on the host; a device backend's
    //    live on its device).
    Linear relational =
        Linear.relational(
            backend,
            "relational0",
            ExecutionMode.BLOCKSPARSE,
            graph,
            ChannelPartition.of(64, graph.nodeCount(), 0),
            ChannelPartition.of(48, graph.nodeCount(), 0));
    System.out.printf(
        Locale.ROOT,
        "relational layer 48 -> 64: %.0f%% of the blocks, %d multiply-adds per sample%n",
        100 * relational.blockDensity(),
        relational.multiplyAddsPerSample());

    // 3. A network: dense stem, batch norm + ReLU, the relational layer, batch norm + ReLU, dense
    //    head with bias. The network owns its layers and frees them when closed.
    double first;
    double last = Double.NaN;
    try (Network net =
        Network.of(
            backend,
            Linear.dense(backend, "stem", 48, features),
            new BatchNormRelu(backend, "stem.bn", 48),
            relational,
            new BatchNormRelu(backend, "relational0.bn", 64),
            Linear.denseWithBias(backend, "head", classes, 64))) {
      SplittableRandom init = new SplittableRandom(3);
      for (var layer : net.layers()) {
        if (layer instanceof Linear l) {
          float[] w = new float[l.outputs() * l.inputs()];
          for (int i = 0; i < w.length; i++) {
            w[i] = (float) (init.nextGaussian() / Math.sqrt(l.inputs()));
          }
          l.setDenseWeights(w);
        }
      }
      // 4. A few SGD steps on batches of 64, features feature-major: x[f * batch + b].
      DataSplit train = data.train();
      int batch = 64;
      int[] order = new int[train.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      float[] x = new float[features * batch];
      int[] labels = new int[batch];
      SgdSettings sgd = new SgdSettings(0.9f, 5e-4f, false);
      first = Double.NaN;
      for (int s = 0; s < steps; s++) {
        train.fillBatch(order, (s * batch) % (order.length - batch + 1), batch, x, labels, null);
        CrossEntropy ce = net.trainStep(x, labels, 0.05f, sgd);
        if (s == 0) {
          first = ce.loss();
        }
        last = ce.loss();
      }
      System.out.printf(
          Locale.ROOT,
          "hand-built network, %d steps: loss %.3f -> %.3f, test error %.1f%%%n",
          steps,
          first,
          last,
          Trainer.evaluate(net, data.test(), 256).errorPercent());
    }

    // 5. The paper's MLP over the same graph, built by RelationalMlp from the same kinds of layers;
    //    one epoch of the paper's recipe (32 steps of 128), then saved as a model file:
    //    `relgraph evaluate --model FILE` evaluates it.
    MlpSpec spec = new MlpSpec(features, 48, 2, classes, 0);
    try (RelationalMlp mlp =
        RelationalMlp.create(backend, spec, graph, 64, ExecutionMode.BLOCKSPARSE, 1)) {
      Trainer.train(mlp, data, TrainConfig.paper(1, 1), new Trainer.Listener() {});
      double error = Trainer.evaluate(mlp, data.test(), 256).errorPercent();
      JsonObject info = new JsonObject();
      info.addProperty("dataset", "synthetic");
      info.addProperty("example", RelationalNetworkExample.class.getSimpleName());
      ModelFile.save(mlp, out, info);
      return new Result(first, last, error, out);
    }
  }
}
