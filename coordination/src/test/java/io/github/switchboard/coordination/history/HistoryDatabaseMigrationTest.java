package io.github.switchboard.coordination.history;

import io.github.switchboard.coordination.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The schema brought forward on a real PostgreSQL: a database a build of schema version 1 left
 * (its tables and rows, as that build created them) gets version 2's table and keeps its
 * streams; a database of a newer schema than the build's is refused with that reason, not
 * written to.
 */
class HistoryDatabaseMigrationTest {

  private TestPostgres postgres;
  private HistoryDatabase database;

  @AfterEach
  void stop() {
    if (database != null) {
      database.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private void execute(String... statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(), "");
         Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private long count(String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(), "");
         Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  @Test
  void aVersionOneDatabaseGetsVersionTwoAndKeepsItsStreams() throws Exception {
    postgres = TestPostgres.start();
    // What schema version 1 created, with one stream of two messages in it.
    execute("CREATE TABLE switchboard_schema (version integer NOT NULL)",
      "CREATE TABLE switchboard_stream (map text NOT NULL, stream text NOT NULL, epoch text NOT NULL,"
        + " top bigint NOT NULL, capacity integer NOT NULL, expires_at bigint NOT NULL, committed_at bigint NOT NULL,"
        + " PRIMARY KEY (map, stream))",
      "CREATE TABLE switchboard_message (map text NOT NULL, stream text NOT NULL, \"offset\" bigint NOT NULL,"
        + " epoch text NOT NULL, ts bigint NOT NULL, publish_id text, payload text NOT NULL,"
        + " PRIMARY KEY (map, stream, \"offset\"))",
      "INSERT INTO switchboard_schema (version) VALUES (1)",
      "INSERT INTO switchboard_stream VALUES ('m', 'room', 'e1', 2, 10, " + Long.MAX_VALUE + ", 5)",
      "INSERT INTO switchboard_message VALUES ('m', 'room', 1, 'e1', 1, NULL, '{\"n\":1}')",
      "INSERT INTO switchboard_message VALUES ('m', 'room', 2, 'e1', 2, 'p2', '{\"n\":2}')");
    database = HistoryDatabase.open(new HistoryDatabaseOptions(postgres.url(), postgres.user(), "", 2, 2_000));

    StreamLog room = database.read("m", "room", System.currentTimeMillis());
    assertThat(room.epoch()).isEqualTo("e1");
    assertThat(room.top()).isEqualTo(2);
    assertThat(count("SELECT max(version) FROM switchboard_schema")).isEqualTo(HistoryDatabase.SCHEMA_VERSION);
    database.writeFenced("switchboard.roles", "chat", new HistoryDatabase.FencedRow(3, null));
    assertThat(database.readFenced("switchboard.roles", "chat")).isEqualTo(new HistoryDatabase.FencedRow(3, null));
  }

  @Test
  void aDatabaseOfANewerSchemaIsRefused() throws Exception {
    postgres = TestPostgres.start();
    execute("CREATE TABLE switchboard_schema (version integer NOT NULL)",
      "INSERT INTO switchboard_schema (version) VALUES (" + (HistoryDatabase.SCHEMA_VERSION + 1) + ")");
    database = HistoryDatabase.open(new HistoryDatabaseOptions(postgres.url(), postgres.user(), "", 2, 2_000));

    assertThatThrownBy(() -> database.writeFenced("switchboard.roles", "chat", new HistoryDatabase.FencedRow(1, null)))
      .isInstanceOf(SQLException.class).hasMessageContaining("newer than this build's");
    assertThat(count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'switchboard_fenced'"))
      .as("nothing created").isZero();
  }
}
