package io.github.switchboard.coordination.history;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The history tables in PostgreSQL, one set for every history map of the cluster (rows keyed by
 * map name and stream): what {@link StreamLogStore} writes through to and reads streams back
 * from. Blocking JDBC over a small pool: it runs on Hazelcast's MapStore threads, never on an
 * event loop or a partition thread.
 *
 * <p>Schema (created, or brought to {@link #SCHEMA_VERSION}, at first use, under an advisory lock
 * so that data members starting together do it once): {@code switchboard_stream} (one row per
 * stream: epoch, top offset, capacity, expiry), {@code switchboard_message} (one row per kept
 * message: offset, time, publish id, payload), {@code switchboard_fenced} (since version 2: the
 * roles' fencing tokens and the values written under them, one row per map and key; see
 * {@link io.github.switchboard.coordination.fence.FencedStateStore}) and {@code switchboard_schema}.
 */
public final class HistoryDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HistoryDatabase.class);
  /** The key under which a process puts its database in Hazelcast's user context. */
  public static final String USER_CONTEXT_KEY = "switchboard.historyDatabase";
  static final int SCHEMA_VERSION = 2;
  /** Rows older than the capacity are deleted when the top crosses a multiple of this. */
  static final int DELETE_EVERY = 64;
  private static final long MIGRATION_LOCK = 0x5357424849535431L;

  private final HistoryDatabaseOptions options;
  private final HikariDataSource pool;
  private volatile boolean migrated;
  private final Timer writes;
  private final Timer reads;
  private final Counter failures;
  /** Writes under way: waiting for a connection or running (the queue in front of the database). */
  private final AtomicInteger pendingWrites = new AtomicInteger();

  private HistoryDatabase(HistoryDatabaseOptions options, MeterRegistry registry) {
    this.options = options;
    HikariConfig config = new HikariConfig();
    config.setPoolName("switchboard-history");
    config.setJdbcUrl(options.url());
    config.setUsername(options.user());
    config.setPassword(options.password());
    config.setMaximumPoolSize(options.poolSize());
    config.setMinimumIdle(1);
    config.setConnectionTimeout(Math.max(250, options.timeoutMs()));
    config.setValidationTimeout(Math.max(250, Math.min(options.timeoutMs(), 5_000)));
    // The database may be down when a member starts: it connects when first used, and the
    // writes that fail meanwhile are refused, not the start.
    config.setInitializationFailTimeout(-1);
    long seconds = Math.max(1, TimeUnit.MILLISECONDS.toSeconds(options.timeoutMs()));
    config.addDataSourceProperty("connectTimeout", String.valueOf(seconds));
    config.addDataSourceProperty("socketTimeout", String.valueOf(seconds + 1));
    config.addDataSourceProperty("tcpKeepAlive", "true");
    config.setMetricRegistry(registry);
    this.pool = new HikariDataSource(config);
    this.writes = Timer.builder("switchboard.history.db.write")
      .description("One write through to PostgreSQL: a stream's new messages, or a token and its value"
        + " (on a MapStore thread of a data member)")
      .register(registry);
    this.reads = Timer.builder("switchboard.history.db.read")
      .description("Reading one stream back from PostgreSQL (its memory copy was gone)").register(registry);
    this.failures = Counter.builder("switchboard.history.db.errors")
      .description("Reads and writes of the history database that failed (the publish got timeout or"
        + " service_unavailable)").register(registry);
    Gauge.builder("switchboard.history.db.writes.pending", pendingWrites, AtomicInteger::get)
      .description("Writes through to PostgreSQL under way on this data member: waiting for a connection or"
        + " running; their appends are not acknowledged yet").register(registry);
  }

  /** A pool for these options; connects lazily. Meters go to the process's registry. */
  public static HistoryDatabase open(HistoryDatabaseOptions options) {
    MeterRegistry found = BackendRegistries.getDefaultNow();
    return new HistoryDatabase(options, found == null ? new SimpleMeterRegistry() : found);
  }

  private static HistoryDatabase fromEnvironment;

  /**
   * The process's database: the one put in Hazelcast's user context (tests, several members in
   * one JVM), else one opened from {@code SWITCHBOARD_HISTORY_DB_*}, else none.
   */
  static synchronized Optional<HistoryDatabase> of(Map<String, Object> userContext) {
    Object put = userContext == null ? null : userContext.get(USER_CONTEXT_KEY);
    if (put instanceof HistoryDatabase database) {
      return Optional.of(database);
    }
    if (fromEnvironment == null) {
      fromEnvironment = HistoryDatabaseOptions.fromEnv(System.getenv()).map(HistoryDatabase::open).orElse(null);
      if (fromEnvironment != null) {
        log.info("History database: {}", fromEnvironment.options);
      }
    }
    return Optional.ofNullable(fromEnvironment);
  }

  /**
   * The database of the process {@code hazelcast} runs in, for a store of {@code map}; fails
   * (as a write or a read, for the caller's answer) when this data member has none.
   */
  public static HistoryDatabase required(com.hazelcast.core.HazelcastInstance hazelcast, String map, boolean write) {
    return of(hazelcast.getUserContext()).orElseThrow(() -> new HistoryUnavailableException(
      "map " + map + " is kept in PostgreSQL, but this data member has no database: set"
        + " SWITCHBOARD_HISTORY_DB_URL on every process of the cluster", write, null));
  }

  HistoryDatabaseOptions options() {
    return options;
  }

  /** A stream's state as the database has it. */
  record Stored(String epoch, long top) {
  }

  /**
   * Writes the stream's messages after {@code afterOffset} (and its header) in one transaction;
   * with {@code fresh} (a new epoch, or nothing known of what the database holds) also deletes
   * the rows of other epochs. Every {@link #DELETE_EVERY} offsets, rows past the capacity go.
   */
  void write(String map, String stream, StreamLog streamLog, long afterOffset, boolean fresh) throws SQLException {
    long start = System.nanoTime();
    pendingWrites.incrementAndGet();
    try (Connection connection = connection()) {
      connection.setAutoCommit(false);
      try {
        try (PreparedStatement header = connection.prepareStatement(
          "INSERT INTO switchboard_stream (map, stream, epoch, top, capacity, expires_at, committed_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (map, stream) DO UPDATE SET epoch = EXCLUDED.epoch,"
            + " top = EXCLUDED.top, capacity = EXCLUDED.capacity, expires_at = EXCLUDED.expires_at,"
            + " committed_at = EXCLUDED.committed_at")) {
          header.setString(1, map);
          header.setString(2, stream);
          header.setString(3, streamLog.epoch());
          header.setLong(4, streamLog.top());
          header.setInt(5, streamLog.capacity());
          header.setLong(6, streamLog.getExpiresAt());
          header.setLong(7, System.currentTimeMillis());
          timeout(header);
          header.executeUpdate();
        }
        List<HistoryFile.Entry> rows = new ArrayList<>();
        for (HistoryFile.Entry entry : streamLog.kept(stream)) {
          if (entry.offset() > afterOffset) {
            rows.add(entry);
          }
        }
        if (!rows.isEmpty()) {
          // The memory copy is the sequencer: what it holds at an offset replaces what a copy
          // that died before answering may have written there.
          try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO switchboard_message (map, stream, \"offset\", epoch, ts, publish_id, payload)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (map, stream, \"offset\") DO UPDATE SET"
              + " epoch = EXCLUDED.epoch, ts = EXCLUDED.ts, publish_id = EXCLUDED.publish_id, payload = EXCLUDED.payload")) {
            for (HistoryFile.Entry row : rows) {
              insert.setString(1, map);
              insert.setString(2, stream);
              insert.setLong(3, row.offset());
              insert.setString(4, row.epoch());
              insert.setLong(5, row.timestamp());
              insert.setString(6, row.publishId());
              insert.setString(7, row.payload());
              insert.addBatch();
            }
            timeout(insert);
            insert.executeBatch();
          }
        }
        long top = streamLog.top();
        if (fresh) {
          try (PreparedStatement stale = connection.prepareStatement(
            "DELETE FROM switchboard_message WHERE map = ? AND stream = ? AND (epoch <> ? OR \"offset\" > ?)")) {
            stale.setString(1, map);
            stale.setString(2, stream);
            stale.setString(3, streamLog.epoch());
            stale.setLong(4, top);
            timeout(stale);
            stale.executeUpdate();
          }
        }
        if (fresh || top / DELETE_EVERY != afterOffset / DELETE_EVERY) {
          try (PreparedStatement old = connection.prepareStatement(
            "DELETE FROM switchboard_message WHERE map = ? AND stream = ? AND \"offset\" <= ?")) {
            old.setString(1, map);
            old.setString(2, stream);
            old.setLong(3, top - streamLog.capacity());
            timeout(old);
            old.executeUpdate();
          }
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      failures.increment();
      throw e;
    } finally {
      pendingWrites.decrementAndGet();
      writes.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * The stream as the database keeps it (its last {@code capacity} messages, every offset
   * readable), or null when it has none or its TTL has passed at {@code nowMillis}.
   */
  StreamLog read(String map, String stream, long nowMillis) throws SQLException {
    long start = System.nanoTime();
    try (Connection connection = connection()) {
      String epoch;
      long top;
      int capacity;
      long expiresAt;
      long committedAt;
      try (PreparedStatement header = connection.prepareStatement(
        "SELECT epoch, top, capacity, expires_at, committed_at FROM switchboard_stream WHERE map = ? AND stream = ?")) {
        header.setString(1, map);
        header.setString(2, stream);
        timeout(header);
        try (ResultSet row = header.executeQuery()) {
          if (!row.next()) {
            return null;
          }
          epoch = row.getString(1);
          top = row.getLong(2);
          capacity = row.getInt(3);
          expiresAt = row.getLong(4);
          committedAt = row.getLong(5);
        }
      }
      if (expiresAt <= nowMillis) {
        return null;
      }
      StreamLog streamLog = null;
      try (PreparedStatement messages = connection.prepareStatement(
        "SELECT \"offset\", ts, publish_id, payload FROM switchboard_message WHERE map = ? AND stream = ? AND epoch = ?"
          + " AND \"offset\" > ? AND \"offset\" <= ? ORDER BY \"offset\"")) {
        messages.setString(1, map);
        messages.setString(2, stream);
        messages.setString(3, epoch);
        messages.setLong(4, top - capacity);
        messages.setLong(5, top);
        timeout(messages);
        try (ResultSet row = messages.executeQuery()) {
          while (row.next()) {
            long offset = row.getLong(1);
            if (streamLog == null || offset != streamLog.top() + 1) {
              // The first kept message (or the first after a hole, which a write that failed
              // half-way cannot leave: its transaction is whole or absent).
              streamLog = StreamLog.startingAfter(capacity, epoch, offset - 1);
            }
            streamLog.append(row.getString(4), row.getLong(2), capacity, row.getString(3));
          }
        }
      }
      if (streamLog == null || streamLog.top() != top) {
        // No message kept (all past the capacity): the numbering goes on after the top.
        streamLog = StreamLog.startingAfter(capacity, epoch, top);
      }
      streamLog.expiresAt(expiresAt);
      streamLog.commit(top, committedAt);
      return streamLog;
    } catch (SQLException | RuntimeException e) {
      failures.increment();
      throw e;
    } finally {
      reads.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /** Removes a stream (freed by its TTL) with its messages. */
  void delete(String map, String stream) throws SQLException {
    try (Connection connection = connection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement messages = connection.prepareStatement(
        "DELETE FROM switchboard_message WHERE map = ? AND stream = ?");
           PreparedStatement header = connection.prepareStatement(
             "DELETE FROM switchboard_stream WHERE map = ? AND stream = ?")) {
        for (PreparedStatement statement : List.of(messages, header)) {
          statement.setString(1, map);
          statement.setString(2, stream);
          timeout(statement);
          statement.executeUpdate();
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException | RuntimeException e) {
      failures.increment();
      throw e;
    }
  }

  /** A row of {@code switchboard_fenced}: a token and the value written with it (null for a role's token). */
  public record FencedRow(long token, String value) {
  }

  /**
   * Writes the entry unless the database holds it with a greater token: a token never goes back
   * here, even if a member that lost its memory copy wrote an older one (then this fails).
   */
  public void writeFenced(String map, String key, FencedRow row) throws SQLException {
    long start = System.nanoTime();
    pendingWrites.incrementAndGet();
    try (Connection connection = connection();
         PreparedStatement upsert = connection.prepareStatement(
           "INSERT INTO switchboard_fenced (map, key, token, value) VALUES (?, ?, ?, ?) ON CONFLICT (map, key)"
             + " DO UPDATE SET token = EXCLUDED.token, value = EXCLUDED.value"
             + " WHERE switchboard_fenced.token <= EXCLUDED.token")) {
      upsert.setString(1, map);
      upsert.setString(2, key);
      upsert.setLong(3, row.token());
      upsert.setString(4, row.value());
      timeout(upsert);
      if (upsert.executeUpdate() == 0) {
        throw new SQLException("the database holds " + map + "/" + key + " with a token greater than " + row.token());
      }
    } catch (SQLException | RuntimeException e) {
      failures.increment();
      throw e;
    } finally {
      pendingWrites.decrementAndGet();
      writes.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /** The entry as the database has it, or null. */
  public FencedRow readFenced(String map, String key) throws SQLException {
    long start = System.nanoTime();
    try (Connection connection = connection();
         PreparedStatement select = connection.prepareStatement(
           "SELECT token, value FROM switchboard_fenced WHERE map = ? AND key = ?")) {
      select.setString(1, map);
      select.setString(2, key);
      timeout(select);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? new FencedRow(row.getLong(1), row.getString(2)) : null;
      }
    } catch (SQLException | RuntimeException e) {
      failures.increment();
      throw e;
    } finally {
      reads.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /** The keys the database holds for the map (these maps are small: roles, score events). */
  public List<String> fencedKeys(String map) throws SQLException {
    try (Connection connection = connection();
         PreparedStatement select = connection.prepareStatement("SELECT key FROM switchboard_fenced WHERE map = ?")) {
      select.setString(1, map);
      timeout(select);
      List<String> keys = new ArrayList<>();
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          keys.add(row.getString(1));
        }
      }
      return keys;
    } catch (SQLException | RuntimeException e) {
      failures.increment();
      throw e;
    }
  }

  public void deleteFenced(String map, String key) throws SQLException {
    try (Connection connection = connection();
         PreparedStatement delete = connection.prepareStatement("DELETE FROM switchboard_fenced WHERE map = ? AND key = ?")) {
      delete.setString(1, map);
      delete.setString(2, key);
      timeout(delete);
      delete.executeUpdate();
    } catch (SQLException | RuntimeException e) {
      failures.increment();
      throw e;
    }
  }

  private Connection connection() throws SQLException {
    Connection connection = pool.getConnection();
    if (!migrated) {
      try {
        migrate(connection);
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
    }
    return connection;
  }

  /** Creates the tables, or brings them to this version, once per process. */
  private synchronized void migrate(Connection connection) throws SQLException {
    if (migrated) {
      return;
    }
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(queryTimeoutSeconds() * 4);
      statement.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
      statement.execute("CREATE TABLE IF NOT EXISTS switchboard_schema (version integer NOT NULL)");
      int version = 0;
      try (ResultSet row = statement.executeQuery("SELECT max(version) FROM switchboard_schema")) {
        if (row.next()) {
          version = row.getInt(1);
        }
      }
      if (version > SCHEMA_VERSION) {
        throw new SQLException("the history database has schema version " + version + ", newer than this build's "
          + SCHEMA_VERSION + ": run a build at least as new");
      }
      if (version < 1) {
        statement.execute("CREATE TABLE switchboard_stream (map text NOT NULL, stream text NOT NULL,"
          + " epoch text NOT NULL, top bigint NOT NULL, capacity integer NOT NULL, expires_at bigint NOT NULL,"
          + " committed_at bigint NOT NULL, PRIMARY KEY (map, stream))");
        statement.execute("CREATE TABLE switchboard_message (map text NOT NULL, stream text NOT NULL,"
          + " \"offset\" bigint NOT NULL, epoch text NOT NULL, ts bigint NOT NULL, publish_id text,"
          + " payload text NOT NULL, PRIMARY KEY (map, stream, \"offset\"))");
        statement.execute("INSERT INTO switchboard_schema (version) VALUES (1)");
        log.info("History database: schema version 1 created ({})", options.url());
      }
      if (version < 2) {
        statement.execute("CREATE TABLE switchboard_fenced (map text NOT NULL, key text NOT NULL,"
          + " token bigint NOT NULL, value text, PRIMARY KEY (map, key))");
        statement.execute("INSERT INTO switchboard_schema (version) VALUES (2)");
        log.info("History database: schema version 2 ({}): table switchboard_fenced", options.url());
      }
      connection.commit();
      migrated = true;
    } catch (SQLException | RuntimeException e) {
      rollback(connection);
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private void timeout(Statement statement) throws SQLException {
    statement.setQueryTimeout(queryTimeoutSeconds());
  }

  private int queryTimeoutSeconds() {
    return (int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(options.timeoutMs()));
  }

  private static void rollback(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // The connection is broken; the pool replaces it.
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
