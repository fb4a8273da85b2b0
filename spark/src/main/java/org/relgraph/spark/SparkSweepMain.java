package org.relgraph.spark;

import java.util.ArrayList;
import java.util.List;
import org.relgraph.cli.Main;

/**
 * The main class spark-submit runs: {@code relgraph sweep} with the sweep's options, on the master
 * spark-submit gives ({@code --spark submit} unless {@code --spark} is among the options).
 */
public final class SparkSweepMain {
  private SparkSweepMain() {}

  public static void main(String[] args) {
    Main.main(command(args));
  }

  /** The CLI's arguments for spark-submit's application arguments {@code args}. */
  static String[] command(String[] args) {
    List<String> command = new ArrayList<>(List.of("sweep"));
    List<String> given = List.of(args);
    if (!given.isEmpty() && given.get(0).equals("sweep")) {
      given = given.subList(1, given.size());
    }
    command.addAll(given);
    if (given.stream().noneMatch(a -> a.equals("--spark") || a.startsWith("--spark="))) {
      command.add("--spark");
      command.add("submit");
    }
    return command.toArray(String[]::new);
  }
}
