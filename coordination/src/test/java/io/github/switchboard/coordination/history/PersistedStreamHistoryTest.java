package io.github.switchboard.coordination.history;

import com.hazelcast.core.HazelcastInstance;
import io.github.switchboard.coordination.EmbeddedHazelcast;
import io.github.switchboard.coordination.StoreUnavailableException;
import io.github.switchboard.coordination.TestPostgres;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cluster's store written through to a real PostgreSQL ({@link StreamLogStore}): the whole
 * store contract on a persisted map, and what the database adds (docs/operations.md, "History in
 * PostgreSQL"): every member stopped and a new one started, streams come back with their epoch,
 * offsets, payloads and publish ids; the database down, writes fail with the store's
 * "outcome unknown" and reads of what is in memory go on, and writes succeed again once it is
 * back, the failed message included; a stream freed by its TTL leaves no row.
 */
class PersistedStreamHistoryTest extends StreamHistoryContract {

  private static TestPostgres postgres;
  private static HistoryDatabase database;
  private static HazelcastInstance hazelcast;

  @BeforeAll
  static void startDatabaseAndMember() {
    postgres = TestPostgres.start();
    database = HistoryDatabase.open(new HistoryDatabaseOptions(postgres.url(), postgres.user(), "", 4, 2_000));
    hazelcast = member();
  }

  @AfterAll
  static void stopAll() {
    if (hazelcast != null) {
      hazelcast.shutdown();
    }
    if (database != null) {
      database.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private static HazelcastInstance member() {
    return EmbeddedHazelcast.start(Map.of(HistoryDatabase.USER_CONTEXT_KEY, database));
  }

  /** A map per test: the bound counts every stream of the map. */
  private final String map = "test.persisted." + UUID.randomUUID();

  @Override
  StreamHistory newHistory(Vertx vertx, int maxStreams) {
    return new HazelcastStreamHistory(vertx, hazelcast, map, maxStreams, true);
  }

  @AfterEach
  void databaseUp() {
    // A test that stopped it must not leave the next one without it.
    try (Connection ignored = DriverManager.getConnection(postgres.url(), postgres.user(), "")) {
      return;
    } catch (Exception down) {
      postgres.startAgain();
    }
  }

  /** Every member gone (all memory lost) and a new one started on the same database. */
  private void restartCluster() throws Exception {
    hazelcast.shutdown();
    hazelcast = member();
    history = onContext(() -> newHistory(vertx, MAX_STREAMS));
  }

  @Test
  void streamsComeBackWithEpochOffsetsPayloadsAndPublishIdsAfterEveryMemberStopped() throws Exception {
    String a = stream("a");
    String b = stream("b");
    appendTimes(a, 3 * CAPACITY + 2);
    appendTimes(b, 2);
    StreamHistory.Page before = since(a, 0);
    String epochB = since(b, 0).epoch();
    StreamHistory.Appended withId = call(() -> history.append(a, "{\"n\":\"id\"}", 5L, POLICY, "gw:1"));

    restartCluster();

    StreamHistory.Page after = since(a, 0);
    assertThat(after.epoch()).isEqualTo(before.epoch());
    assertThat(after.top()).isEqualTo(3 * CAPACITY + 3);
    assertThat(after.entries().subList(0, CAPACITY - 1)).isEqualTo(before.entries().subList(1, CAPACITY));
    assertThat(call(() -> history.positions(List.of(a, b, stream("never")))))
      .isEqualTo(Map.of(a, new StreamHistory.Position(3 * CAPACITY + 3, before.epoch()),
        b, new StreamHistory.Position(2, epochB)));
    assertThat(call(() -> history.append(a, "{\"n\":\"id\"}", 6L, POLICY, "gw:1"))).as("a repeat after the restart")
      .isEqualTo(withId);
    assertThat(append(a)).as("the numbering goes on").isEqualTo(3 * CAPACITY + 4);
    assertThat(rows(a)).as("rows past the capacity are deleted in batches")
      .isLessThanOrEqualTo(CAPACITY + HistoryDatabase.DELETE_EVERY);
  }

  @Test
  void withTheDatabaseDownWritesFailAsUnknownReadsGoOnAndWritesResumeWhenItIsBack() throws Exception {
    String s = stream("down");
    appendTimes(s, 3);
    postgres.stopNow();

    // Stamped now: an offset above the watermark older than the settle time would be read anyway.
    long now = System.currentTimeMillis();
    assertThatThrownBy(() -> call(() -> history.append(s, "{\"n\":4}", now, POLICY, "gw:4")))
      .isInstanceOf(StoreUnavailableException.class)
      .satisfies(e -> assertThat(((StoreUnavailableException) e).indeterminate()).as("outcome unknown").isTrue())
      .hasMessageContaining("history database");
    assertThat(offsets(since(s, 0))).as("what was acknowledged is read from memory").containsExactly(1L, 2L, 3L);

    postgres.startAgain();
    // The failed message is in memory above the watermark: the next write takes it along.
    assertThat(append(s)).isEqualTo(5);
    restartCluster();
    assertThat(offsets(since(s, 0))).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(since(s, 3).entries().get(0).payload()).isEqualTo("{\"n\":4}");
  }

  @Test
  void aStreamFreedByItsTtlLeavesNoRow() throws Exception {
    String s = stream("short");
    call(() -> history.append(s, "{}", 1L, new HistoryPolicy(CAPACITY, 1_000)));
    assertThat(rows(s)).isEqualTo(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (rows(s) != 0 || streamRows(s) != 0) {
      assertThat(System.nanoTime()).as("the sweep deleted the stream's rows").isLessThan(deadline);
      vertx.timer(100).await(5, TimeUnit.SECONDS);
    }
    restartCluster();
    assertThat(since(s, 0).top()).isZero();
  }

  @Test
  void aLongStreamIsReadBackWhole() throws Exception {
    String s = stream("long");
    HistoryPolicy big = new HistoryPolicy(500, 60_000);
    for (long n = 1; n <= 700; n++) {
      long offset = n;
      call(() -> history.append(s, payload(s, offset), offset, big));
    }
    restartCluster();
    StreamHistory.Page page = since(s, 0);
    assertThat(offsets(page)).containsExactlyElementsOf(LongStream.rangeClosed(201, 700).boxed().toList());
    assertThat(page.entries().get(499).payload()).isEqualTo(payload(s, 700));
  }

  private long rows(String stream) throws Exception {
    return count("SELECT count(*) FROM switchboard_message WHERE map = ? AND stream = ?", stream);
  }

  private long streamRows(String stream) throws Exception {
    return count("SELECT count(*) FROM switchboard_stream WHERE map = ? AND stream = ?", stream);
  }

  private long count(String sql, String stream) throws Exception {
    try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(), "");
         PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, map);
      statement.setString(2, stream);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }
}
