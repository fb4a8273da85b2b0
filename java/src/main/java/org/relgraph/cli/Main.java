package org.relgraph.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.relgraph.analysis.ResultsFormatException;
import org.relgraph.graph.GraphFormatException;
import org.relgraph.io.Quoting;
import org.relgraph.sweep.SweepLock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code relgraph} command line. Usage errors and invalid parameters print one line and exit
 * with status 2; unreadable or malformed input prints one line and exits with status 1; a results
 * database in use by another sweep prints one line and exits with status 75; a stack trace appears
 * only for an internal error, or with {@code RELGRAPH_DEBUG=1}.
 */
@Command(
    name = "relgraph",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Neural networks from relational graphs: graphs, measures, design spaces, benchmarks and"
            + " training, sweeps and their analysis.",
    subcommands = {
      GenerateCommand.class,
      MeasureCommand.class,
      DesignSpaceCommand.class,
      BenchCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      BackendsCommand.class,
      AnalyzeCommand.class,
      QuickstartCommand.class,
      SweepCommand.class,
      ExtractCommand.class,
      FlopsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit status of a usage error or an invalid parameter. */
  public static final int USAGE = 2;

  /** Exit status of unreadable or malformed input. */
  public static final int INPUT = 1;

  /**
   * Exit status when a resource is in use, e.g. a results database by another sweep (EX_TEMPFAIL).
   */
  public static final int BUSY = 75;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "missing command: quickstart, generate, measure, design-space, bench, train, evaluate,"
            + " sweep or analyze");
  }

  /** Runs the CLI and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Runs the CLI with the given streams and returns its exit status (for tests and embedding).
   * Messages printed here go through {@link Quoting#forTerminal}: control characters escaped,
   * length capped, whatever input they quote.
   */
  public static int run(String[] args, PrintWriter out, PrintWriter stderr) {
    PrintWriter err = new MessageWriter(stderr);
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(out);
    cmd.setErr(stderr);
    cmd.setParameterExceptionHandler(
        (ex, a) -> {
          err.println(
              "relgraph: "
                  + ex.getMessage()
                  + " (see '"
                  + ex.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help')");
          return USAGE;
        });
    cmd.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          boolean debug = System.getenv("RELGRAPH_DEBUG") != null;
          if (debug) {
            ex.printStackTrace(err);
          }
          if (ex instanceof SweepLock.InUseException) {
            err.println("relgraph: " + ex.getMessage());
            return BUSY;
          }
          if (ex instanceof GraphFormatException
              || ex instanceof ResultsFormatException
              || ex instanceof org.relgraph.train.DatasetException
              || ex instanceof org.relgraph.train.ModelFile.ModelFormatException) {
            err.println("relgraph: " + ex.getMessage());
            return INPUT;
          }
          if (ex instanceof org.relgraph.train.Trainer.TrainingDivergedException
              || ex instanceof IllegalStateException
                  && String.valueOf(ex.getMessage()).startsWith("native CPU backend unavailable")) {
            err.println("relgraph: " + ex.getMessage());
            return INPUT;
          }
          if (ex instanceof IllegalArgumentException) {
            err.println("relgraph: " + ex.getMessage());
            return USAGE;
          }
          if (ex instanceof UncheckedIOException u) {
            err.println("relgraph: " + describe(u.getCause(), u.getMessage()));
            return INPUT;
          }
          if (ex instanceof java.io.IOException io) {
            err.println("relgraph: " + describe(io, io.getMessage()));
            return INPUT;
          }
          err.println("relgraph: internal error: " + ex);
          if (!debug) {
            ex.printStackTrace(err);
          }
          return 70;
        });
    try {
      return cmd.execute(args);
    } catch (OutOfMemoryError e) {
      err.println(
          "relgraph: out of memory ("
              + e.getMessage()
              + "); give the JVM more, e.g. RELGRAPH_JAVA_OPTS=-Xmx16g");
      return INPUT;
    }
  }

  /**
   * Words for an I/O failure: file-system exceptions carry only the path as their message, so their
   * type says what went wrong.
   */
  static String describe(Throwable cause, String message) {
    String what =
        cause instanceof java.nio.file.NoSuchFileException
            ? "no such file or directory"
            : cause instanceof java.nio.file.AccessDeniedException
                ? "permission denied"
                : cause instanceof java.nio.file.FileAlreadyExistsException
                    ? "already exists"
                    : cause instanceof java.nio.file.NotDirectoryException
                        ? "not a directory"
                        : cause instanceof java.nio.file.DirectoryNotEmptyException
                            ? "directory not empty"
                            : null;
    if (what == null || cause.getMessage() == null) {
      return message;
    }
    return message.contains(what) ? message : cause.getMessage() + ": " + what;
  }

  /** Prints every line through {@link Quoting#forTerminal}; the last line of defence. */
  private static final class MessageWriter extends PrintWriter {
    MessageWriter(PrintWriter target) {
      super(target, true);
    }

    @Override
    public void println(String x) {
      super.println(Quoting.forTerminal(x));
    }

    @Override
    public void println(Object x) { // stack traces print their lines this way
      super.println(Quoting.forTerminal(String.valueOf(x)));
    }
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"relgraph " + (v == null ? "(development build)" : v)};
    }
  }
}
