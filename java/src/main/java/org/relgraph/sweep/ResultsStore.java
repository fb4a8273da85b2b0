package org.relgraph.sweep;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * The results database of sweeps: an SQLite file with one row per finished run in table {@code
 * runs} ({@link #RUNS_SCHEMA}; other tools read it, so it never changes), keyed by run key, each
 * row written in one transaction when its run ends.
 *
 * <p>Durability: the database is in WAL journal mode with {@code synchronous=FULL}. A transaction
 * is committed once its commit frame has been appended to the {@code -wal} file; the write returns
 * when the bytes are in the kernel's page cache, which outlives the process, and the next open
 * replays the WAL up to its last complete commit (a torn, uncommitted tail is ignored). So a
 * SIGKILL at any moment, even in the middle of a commit, never loses a committed run nor leaves
 * half of one; that already holds with {@code synchronous=NORMAL}. {@code FULL} also fsyncs the WAL
 * at every commit, so that a committed run survives an operating-system crash or power loss too;
 * the cost, one fsync per run, is nothing beside a training run. (WAL needs a local file system:
 * not over NFS.)
 *
 * <p>Thread-safe: one connection, used under this object's lock. Readers in other processes may
 * read the file at any time (WAL lets them read while a sweep writes); a running sweep holds a
 * {@link SweepLock} ({@link #openExclusive(Path)}, or {@link SweepRunner} for the time it runs) so
 * that no other sweep writes the same file.
 */
public final class ResultsStore implements AutoCloseable {
  /** The schema of table {@code runs}, exactly as created. */
  public static final String RUNS_SCHEMA =
      "CREATE TABLE runs(run_key TEXT PRIMARY KEY, config_key TEXT NOT NULL, model TEXT NOT NULL,"
          + " kind TEXT NOT NULL, n INTEGER, k_over_n REAL, p REAL, graph_seed INTEGER,"
          + " graph_file TEXT, clustering REAL, path_length REAL, train_seed INTEGER NOT NULL,"
          + " epochs INTEGER NOT NULL, top1_error REAL NOT NULL, width INTEGER, flops INTEGER,"
          + " flops_deviation REAL, wall_seconds REAL, backend TEXT, mode TEXT,"
          + " epoch_metrics TEXT NOT NULL, finished_at TEXT)";

  /** Key-value facts about the database ({@code schema_version}). */
  static final String META_SCHEMA =
      "CREATE TABLE relgraph_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)";

  /** Version of the layout of this database's tables. */
  public static final String SCHEMA_VERSION = "1";

  private static final String INSERT =
      "INSERT OR IGNORE INTO runs(run_key, config_key, model, kind, n, k_over_n, p, graph_seed,"
          + " graph_file, clustering, path_length, train_seed, epochs, top1_error, width, flops,"
          + " flops_deviation, wall_seconds, backend, mode, epoch_metrics, finished_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final Path path;
  private final Connection db;
  private final SweepLock lock;

  private ResultsStore(Path path, Connection db, SweepLock lock) {
    this.path = path;
    this.db = db;
    this.lock = lock;
  }

  /**
   * Opens the results database {@code file}, creating it (and its tables) if needed.
   *
   * @throws UncheckedIOException when the file cannot be opened, is not an SQLite database, or has
   *     a {@code runs} table of another schema
   */
  public static ResultsStore open(Path file) {
    return open(file, null);
  }

  /**
   * Takes the database's {@link SweepLock}, then opens it as {@link #open(Path)} does; the lock is
   * held until {@link #close()}. A sweep that is refused so never touches the database.
   *
   * @throws SweepLock.InUseException when another sweep holds the lock
   */
  public static ResultsStore openExclusive(Path file) {
    checkPath(file);
    SweepLock lock = SweepLock.acquire(file);
    try {
      return open(file, lock);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /** Refuses a database path whose directory is missing, or that is a directory. */
  private static void checkPath(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw ioFailure(
          "cannot create results database "
              + file
              + ": no directory "
              + (file.getParent() != null ? file.getParent() : parent)
              + " (create it first)",
          null);
    }
    if (Files.isDirectory(file)) {
      throw ioFailure("results database " + file + " is a directory", null);
    }
  }

  private static ResultsStore open(Path file, SweepLock lock) {
    checkPath(file);
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    // Readers (and a checkpoint) can hold the file briefly; wait rather than fail.
    config.setBusyTimeout(30_000);
    Connection c = null;
    try {
      c = config.createConnection("jdbc:sqlite:" + file);
      // Take the write lock before reading the schema: a read transaction that later writes
      // fails at once (SQLITE_BUSY, no waiting) when another connection wrote meanwhile.
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
        createTables(c, file);
        s.execute("COMMIT");
      }
      c.setAutoCommit(false);
      return new ResultsStore(file, c, lock);
    } catch (SQLException e) {
      closeQuietly(c);
      String what = e.getMessage() == null ? "" : e.getMessage();
      if (what.contains("SQLITE_NOTADB")) {
        throw ioFailure("results database " + file + " is not an SQLite database", e);
      }
      throw ioFailure("cannot open results database " + file + ": " + what, e);
    } catch (RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  private static void createTables(Connection c, Path file) throws SQLException {
    checkSchemaVersion(c, file);
    String existing = null;
    try (PreparedStatement s =
        c.prepareStatement("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")) {
      s.setString(1, "runs");
      try (ResultSet r = s.executeQuery()) {
        if (r.next()) {
          existing = r.getString(1);
        }
      }
    }
    try (Statement s = c.createStatement()) {
      if (existing == null) {
        s.execute(RUNS_SCHEMA);
      } else if (!normalize(existing).equals(normalize(RUNS_SCHEMA))) {
        throw ioFailure(
            "results database " + file + " has a 'runs' table of another layout; use a new file",
            null);
      }
      s.execute(META_SCHEMA.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"));
      s.execute(
          "INSERT OR IGNORE INTO relgraph_meta(key, value) VALUES ('schema_version', '"
              + SCHEMA_VERSION
              + "')");
    }
  }

  /**
   * Refuses a database whose {@code schema_version} this code does not know (one written by a newer
   * relgraph): writing it with the old layout could damage what the newer one keeps there.
   */
  private static void checkSchemaVersion(Connection c, Path file) throws SQLException {
    String version = schemaVersion(c);
    if (version != null && !version.equals(SCHEMA_VERSION)) {
      throw ioFailure("results database " + file + ": " + unknownVersion(version), null);
    }
  }

  /** The {@code schema_version} a database records, or null when it records none. */
  public static String schemaVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet t =
            s.executeQuery(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'relgraph_meta'")) {
      if (!t.next()) {
        return null;
      }
    }
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT value FROM relgraph_meta WHERE key = 'schema_version'")) {
      return r.next() ? r.getString(1) : null;
    }
  }

  /** Why a database of {@code schema_version} {@code version} is refused. */
  public static String unknownVersion(String version) {
    String shown = version.length() > 20 ? version.substring(0, 20) + "..." : version;
    boolean newer =
        shown.matches("\\d{1,9}") && Integer.parseInt(shown) > Integer.parseInt(SCHEMA_VERSION);
    return "schema_version "
        + shown.replaceAll("\\p{Cntrl}", "?")
        + (newer ? " is newer than" : " is not")
        + " the version "
        + SCHEMA_VERSION
        + " this relgraph reads and writes"
        + (newer ? "; use a newer relgraph, or a new file" : "; use a new file");
  }

  private static String normalize(String sql) {
    return sql.replaceAll("\\s+", " ").replace("( ", "(").replace(" )", ")").strip();
  }

  /** The value of a pragma on this store's connection (for tests). */
  synchronized String pragma(String name) {
    return query("PRAGMA " + name, r -> r.next() ? r.getString(1) : null);
  }

  /** The database file. */
  public Path path() {
    return path;
  }

  /** Whether this store holds its database's sweep lock ({@link #openExclusive(Path)}). */
  public boolean exclusive() {
    return lock != null;
  }

  /** The run keys of every finished run in the database. */
  public synchronized Set<String> finishedKeys() {
    return query(
        "SELECT run_key FROM runs",
        r -> {
          Set<String> out = new HashSet<>();
          while (r.next()) {
            out.add(r.getString(1));
          }
          return out;
        });
  }

  /** Number of rows in {@code runs}. */
  public synchronized int count() {
    return query(
        "SELECT count(*) FROM runs",
        r -> {
          r.next();
          return r.getInt(1);
        });
  }

  private interface Reader<T> {
    T read(ResultSet r) throws SQLException;
  }

  /** Runs a query in a read transaction that ends before it returns (so WAL can checkpoint). */
  private <T> T query(String sql, Reader<T> reader) {
    try {
      T out;
      try (Statement s = db.createStatement();
          ResultSet r = s.executeQuery(sql)) {
        out = reader.read(r);
      }
      db.commit();
      return out;
    } catch (SQLException e) {
      throw failure("read", e);
    }
  }

  /**
   * Records a finished run in one transaction.
   *
   * @param wallSeconds the run's wall-clock seconds, as the runner measured them
   * @return false when the database already had a row for the run's key (nothing is changed)
   * @throws UncheckedIOException when the row cannot be written (the transaction is rolled back)
   */
  public synchronized boolean record(SweepSpec.Run run, RunResult result, double wallSeconds) {
    SweepGraph g = run.graph();
    try (PreparedStatement s = db.prepareStatement(INSERT)) {
      int i = 1;
      s.setString(i++, run.key());
      s.setString(i++, run.configKey());
      s.setString(i++, run.model());
      s.setString(i++, g.kind());
      s.setInt(i++, g.n());
      setReal(s, i++, g.kOverN());
      setReal(s, i++, g.p() == null ? Double.NaN : g.p());
      if (g.graphSeed() == null) {
        s.setNull(i++, Types.INTEGER);
      } else {
        s.setLong(i++, g.graphSeed());
      }
      s.setString(i++, g.graphFile());
      setReal(s, i++, g.clustering());
      setReal(s, i++, g.pathLength());
      s.setInt(i++, run.trainSeed());
      s.setInt(i++, result.epochs().size());
      s.setDouble(i++, result.top1Error());
      s.setInt(i++, result.width());
      s.setLong(i++, result.flops());
      setReal(s, i++, result.flopsDeviation());
      setReal(s, i++, wallSeconds);
      s.setString(i++, result.backend());
      s.setString(i++, result.mode());
      s.setString(i++, epochJson(result.epochs()));
      s.setString(i, Instant.now().toString());
      boolean inserted = s.executeUpdate() == 1;
      db.commit();
      return inserted;
    } catch (SQLException e) {
      try {
        db.rollback();
      } catch (SQLException ignored) {
        // the connection is unusable: the failure below says why
      }
      throw failure("write a run to", e);
    }
  }

  /**
   * The JSON of {@code epoch_metrics}: {@code [{"epoch":1,"train_loss":..,"train_error":..,
   * "test_error":..,"seconds":..}, ...]}; a value that is not a finite number is {@code null}.
   */
  public static String epochJson(List<EpochMetrics> epochs) {
    JsonArray a = new JsonArray();
    for (EpochMetrics m : epochs) {
      JsonObject o = new JsonObject();
      o.addProperty("epoch", m.epoch());
      o.add("train_loss", number(m.trainLoss()));
      o.add("train_error", number(m.trainError()));
      o.add("test_error", number(m.testError()));
      o.add("seconds", number(m.seconds()));
      a.add(o);
    }
    return a.toString();
  }

  private static com.google.gson.JsonElement number(double x) {
    return Double.isFinite(x) ? new JsonPrimitive(x) : JsonNull.INSTANCE;
  }

  private static void setReal(PreparedStatement s, int i, double x) throws SQLException {
    if (Double.isFinite(x)) {
      s.setDouble(i, x);
    } else {
      s.setNull(i, Types.REAL);
    }
  }

  private UncheckedIOException failure(String what, SQLException e) {
    return ioFailure("cannot " + what + " results database " + path + ": " + e.getMessage(), e);
  }

  private static UncheckedIOException ioFailure(String message, Throwable cause) {
    return new UncheckedIOException(message, new IOException(message, cause));
  }

  /** Closes the connection, then releases the sweep lock if this store holds it. */
  @Override
  public synchronized void close() {
    closeQuietly(db);
    if (lock != null) {
      lock.close();
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // nothing was pending: every write commits before it returns
      }
    }
  }
}
