package org.relgraph.sweep;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a sweep trains: every graph of a set, plus the complete-graph baseline, once per training
 * seed, all with one training configuration.
 *
 * @param graphs the graph set (repeats, by key, are dropped)
 * @param trainSeeds training seeds, distinct
 * @param configKey a canonical string naming the training configuration (model, recipe, ...): runs
 *     of different configurations never share a run key, so one database can hold several
 * @param model the model's name, e.g. {@code mlp-fashion-mnist}
 * @param baseline whether to add the complete graph of every node count in the set (the paper's
 *     dense baseline)
 */
public record SweepSpec(
    List<SweepGraph> graphs,
    List<Integer> trainSeeds,
    String configKey,
    String model,
    boolean baseline) {
  public SweepSpec {
    Objects.requireNonNull(configKey, "configKey");
    Objects.requireNonNull(model, "model");
    if (configKey.isBlank()) {
      throw new IllegalArgumentException("empty configuration key");
    }
    if (model.isBlank()) {
      throw new IllegalArgumentException("empty model name");
    }
    if (trainSeeds.isEmpty()) {
      throw new IllegalArgumentException("no training seeds");
    }
    if (new LinkedHashSet<>(trainSeeds).size() != trainSeeds.size()) {
      throw new IllegalArgumentException("training seeds repeat: " + trainSeeds);
    }
    if (graphs.isEmpty()) {
      throw new IllegalArgumentException("no graphs to train");
    }
    trainSeeds = List.copyOf(trainSeeds);
    graphs = List.copyOf(graphs);
  }

  /** One training run of a sweep. */
  public record Run(SweepGraph graph, int trainSeed, String configKey, String model) {
    /**
     * The run's key, the primary key of its row: {@code <graph key>|seed=<train seed>|<config
     * key>}.
     */
    public String key() {
      return graph.key() + "|seed=" + trainSeed + "|" + configKey;
    }
  }

  /** The graphs trained: the set, then the baselines (complete graphs not already in the set). */
  public List<SweepGraph> allGraphs() {
    List<SweepGraph> out = new ArrayList<>();
    Set<String> keys = new LinkedHashSet<>();
    for (SweepGraph g : graphs) {
      if (keys.add(g.key())) {
        out.add(g);
      }
    }
    if (baseline) {
      Set<Integer> sizes = new TreeSet<>();
      for (SweepGraph g : graphs) {
        sizes.add(g.n());
      }
      for (int n : sizes) {
        SweepGraph complete = SweepGraph.complete(n);
        if (keys.add(complete.key())) {
          out.add(complete);
        }
      }
    }
    return out;
  }

  /**
   * Every run, seed by seed (all graphs with the first seed, then with the next, ...), so that a
   * sweep stopped early has covered the whole set with its first seeds.
   */
  public List<Run> runs() {
    List<SweepGraph> all = allGraphs();
    List<Run> out = new ArrayList<>(all.size() * trainSeeds.size());
    for (int seed : trainSeeds) {
      for (SweepGraph g : all) {
        out.add(new Run(g, seed, configKey, model));
      }
    }
    return out;
  }
}
