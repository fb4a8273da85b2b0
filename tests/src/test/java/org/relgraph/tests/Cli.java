package org.relgraph.tests;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.relgraph.cli.Main;

/** Runs the CLI in this JVM and captures what it prints. */
record Cli(int status, String out, String err) {
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Cli(status, out.toString(), err.toString());
  }

  /** {@code args} followed by {@code more}: a command line with a few more arguments. */
  static String[] plus(String[] args, String... more) {
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }
}
