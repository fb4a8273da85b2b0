package org.relgraph.cli;

import java.io.PrintWriter;

/** The processors a command's {@code --threads} competes for. */
final class Processors {
  private Processors() {}

  /**
   * Prints a one-line warning when {@code threads} (an option's value, null when not given) asks
   * for more threads than the machine has processors: they would take turns, usually slower than
   * fewer threads.
   */
  static void warnIfOversubscribed(Integer threads, PrintWriter err) {
    int processors = Runtime.getRuntime().availableProcessors();
    if (threads != null && threads > processors) {
      err.println(
          "relgraph: warning: --threads "
              + threads
              + " is more than the "
              + processors
              + (processors == 1 ? " processor" : " processors")
              + " available; the threads will take turns on them, which is usually slower");
      err.flush();
    }
  }
}
