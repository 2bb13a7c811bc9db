package io.github.switchboard.coordination.fence;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.github.switchboard.coordination.EmbeddedHazelcast;
import io.github.switchboard.coordination.StoreUnavailableException;
import io.github.switchboard.coordination.TestPostgres;
import io.github.switchboard.coordination.history.HistoryDatabase;
import io.github.switchboard.coordination.history.HistoryDatabaseOptions;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The roles' tokens and the values written under them, written through to a real PostgreSQL
 * ({@link FencedStateStore}, as the launcher configures it with a history database): after every
 * member stopped, the next token is greater than every token handed out before, and the values
 * come back with their tokens, still fencing older holders out. The database down, no token is
 * handed out; back, tokens go on from above the last.
 */
class PersistedFencedStateTest {

  private static final String VALUES = "switchboard.scores.events";
  private static TestPostgres postgres;
  private static HistoryDatabase database;

  private HazelcastInstance hazelcast;
  private Vertx vertx;
  /** A role and keys per test: the database outlives the tests' clusters. */
  private final String role = "role-" + UUID.randomUUID();
  private final String key = "event-" + UUID.randomUUID();

  @BeforeAll
  static void startDatabase() {
    postgres = TestPostgres.start();
    database = HistoryDatabase.open(new HistoryDatabaseOptions(postgres.url(), postgres.user(), "", 2, 2_000));
  }

  @AfterAll
  static void stopDatabase() {
    if (database != null) {
      database.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void startMember() {
    vertx = Vertx.vertx();
    hazelcast = member();
  }

  @AfterEach
  void stopMember() throws Exception {
    hazelcast.shutdown();
    vertx.close().await(15, TimeUnit.SECONDS);
    if (!postgres.accepting()) {
      postgres.startAgain();
    }
  }

  private static HazelcastInstance member() {
    return EmbeddedHazelcast.startPersisted(Map.of(HistoryDatabase.USER_CONTEXT_KEY, database));
  }

  /** Every member gone (all memory lost) and a new one started on the same database. */
  private void restartCluster() {
    hazelcast.shutdown();
    hazelcast = member();
  }

  private long next() throws Exception {
    return new HazelcastRoleFence(vertx, hazelcast).next(role).await(20, TimeUnit.SECONDS);
  }

  private IMap<String, Fenced> values() {
    return hazelcast.getMap(VALUES);
  }

  @Test
  void tokensGoOnAndValuesComeBackWithTheirTokensAfterEveryMemberStopped() throws Exception {
    assertThat(next()).isEqualTo(1);
    assertThat(next()).isEqualTo(2);
    assertThat(values().executeOnKey(key, new Fenced.Write(2, "{\"version\":7}"))).isZero();

    restartCluster();

    assertThat(next()).as("greater than every token handed out before").isEqualTo(3);
    Fenced back = values().get(key);
    assertThat(back.token()).isEqualTo(2);
    assertThat(back.value()).isEqualTo("{\"version\":7}");
    assertThat(values().getAll(Set.of(key))).containsOnlyKeys(key);
    assertThat(values().executeOnKey(key, new Fenced.Write(1, "{\"version\":8}")))
      .as("an older holder is still fenced out").isEqualTo(2);
    Fenced raised = values().executeOnKey(key, new Fenced.Raise(3));
    assertThat(raised.token()).isEqualTo(3);
    assertThat(raised.value()).isEqualTo("{\"version\":7}");

    restartCluster();
    assertThat(values().get(key).token()).as("the raise was written through").isEqualTo(3);
  }

  @Test
  void withTheDatabaseDownNoTokenIsHandedOutAndTokensGoOnFromAboveWhenItIsBack() throws Exception {
    long before = next();
    postgres.stopNow();
    assertThatThrownBy(this::next).isInstanceOf(StoreUnavailableException.class)
      .hasMessageContaining("not written to the database");
    // A key not in memory yet is read first: that fails too, before anything is written.
    assertThatThrownBy(() -> values().executeOnKey(key, new Fenced.Write(before, "{}")))
      .hasMessageContaining("from the database");

    postgres.startAgain();
    long after = next();
    assertThat(after).isGreaterThan(before);
    restartCluster();
    assertThat(next()).isGreaterThan(after);
  }

  @Test
  void theDatabaseNeverTakesAnOlderToken() throws SQLException {
    database.writeFenced(VALUES, key, new HistoryDatabase.FencedRow(5, "five"));
    database.writeFenced(VALUES, key, new HistoryDatabase.FencedRow(5, "five again"));
    assertThatThrownBy(() -> database.writeFenced(VALUES, key, new HistoryDatabase.FencedRow(4, "four")))
      .isInstanceOf(SQLException.class).hasMessageContaining("token greater than 4");
    assertThat(database.readFenced(VALUES, key)).isEqualTo(new HistoryDatabase.FencedRow(5, "five again"));
  }
}
