package io.github.switchboard.clustertest;

import io.github.switchboard.coordination.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The history database stopped for 10 s under load (docs/operations.md, "History in
 * PostgreSQL"): two chat processes (the data members, writing through) and two gateways, ten
 * publishers in closed loops over HTTP to ten stream groups. The checker keeps every answer
 * with the times its request left and its answer came:
 * <ul>
 *   <li>no acknowledgement for a publish sent after the database was down and answered before
 *   it was started again (nothing was stored meanwhile);</li>
 *   <li>every refusal is the documented one: HTTP 504 {@code timeout} (outcome unknown);</li>
 *   <li>publishing resumes by itself once the database is back, on every group;</li>
 *   <li>nothing acknowledged is lost: every acknowledged message is in the database at its
 *   offset in its epoch with its payload (read by the checker straight from PostgreSQL), and in
 *   the cluster's history as read through the server API; and every row is a message that was
 *   sent, once.</li>
 * </ul>
 */
class HistoryDatabaseOutageTest {

  private static final Logger log = LoggerFactory.getLogger(HistoryDatabaseOutageTest.class);
  private static final String API_KEY = "history-outage-key";
  private static final String RULES = "[{\"pattern\":\"ledger.*\",\"subscribe\":true,\"publish\":true,"
    + "\"history\":{\"size\":10000,\"ttlMs\":600000}},{\"pattern\":\"*\",\"subscribe\":true,\"publish\":true}]";
  private static final int GROUPS = 10;
  private static final long OUTAGE_NANOS = TimeUnit.SECONDS.toNanos(10);

  private TestCluster cluster;
  private TestPostgres postgres;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  /** One publish and what came back: an ack (offset, epoch) or a refusal (status, code). */
  private record Answer(String group, String payload, long sentAt, long answeredAt, int status, String code,
                        long offset, String epoch) {
    boolean acked() {
      return status == 202;
    }
  }

  @Test
  void noAckWhileTheDatabaseIsDownRefusalsAreTimeoutsAndNothingAcknowledgedIsLost() throws Exception {
    postgres = TestPostgres.start();
    cluster = new TestCluster("history-outage");
    // Failures within a second (connection and statement timeout), so the publishers keep going.
    Map<String, String> env = Map.of("SWITCHBOARD_HISTORY_DB_URL", postgres.url(),
      "SWITCHBOARD_HISTORY_DB_USER", postgres.user(), "SWITCHBOARD_HISTORY_DB_TIMEOUT_MS", "1000",
      "SWITCHBOARD_GROUPS", RULES, "SWITCHBOARD_API_KEY", API_KEY,
      "SWITCHBOARD_RATE_LIMIT_PER_SECOND", "100000", "SWITCHBOARD_RATE_LIMIT_BURST", "100000");
    cluster.chat("chat-1", env).awaitOutput(TestCluster.CHAT_ACTIVE, TestCluster.START_TIMEOUT);
    cluster.chat("chat-2", env);
    List<TestCluster.Gateway> gateways = List.of(cluster.gateway("gateway-1", env), cluster.gateway("gateway-2", env));

    WebClient http = WebClient.create(cluster.vertx);
    List<Answer> answers = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Future<Void>> lanes = new ArrayList<>();
    for (int g = 0; g < GROUPS; g++) {
      Promise<Void> done = Promise.promise();
      publishWhileRunning(http, gateways, "ledger." + g, 1, running, answers, done);
      lanes.add(done.future());
    }
    Waits.until(cluster, "acknowledgements on every group before the outage",
      () -> ackedGroups(answers, 0) == GROUPS && answers.stream().filter(Answer::acked).count() >= 200, Duration.ofSeconds(60));

    postgres.stopNow();
    long stopped = System.nanoTime();
    log.info("database stopped after {} answers", answers.size());
    // The outage lasts 10 s, and at least until publishes were refused on every group.
    Waits.until(cluster, "10 s of outage with refusals on every group", () -> System.nanoTime() - stopped >= OUTAGE_NANOS
      && refusedGroups(answers, stopped) == GROUPS, Duration.ofSeconds(60));
    long starting = System.nanoTime();
    postgres.startAgain();
    log.info("database started again");
    Waits.until(cluster, "publishes acknowledged again on every group",
      () -> ackedGroups(answers, starting) == GROUPS && ackedAfter(answers, starting) >= 100, Duration.ofSeconds(60));
    running.set(false);
    Future.all(lanes).await(60, TimeUnit.SECONDS);

    List<Answer> acked = answers.stream().filter(Answer::acked).toList();
    List<Answer> refused = answers.stream().filter(a -> !a.acked()).toList();
    log.info("{} publishes: {} acknowledged, {} refused", answers.size(), acked.size(), refused.size());
    assertThat(acked.stream().filter(a -> a.sentAt() > stopped && a.answeredAt() < starting))
      .as("acknowledged while the database was down").isEmpty();
    assertThat(refused).as("refusals").isNotEmpty()
      .allSatisfy(a -> assertThat(a.status() + " " + a.code()).as(a.toString()).isEqualTo("504 timeout"));

    Map<String, Map<Long, Row>> rows = databaseRows();
    Map<String, Set<String>> sent = new HashMap<>();
    answers.forEach(a -> sent.computeIfAbsent(a.group(), g -> new HashSet<>()).add(a.payload()));
    for (Answer ack : acked) {
      Row row = rows.getOrDefault(ack.group(), Map.of()).get(ack.offset());
      assertThat(row).as("row of %s", ack).isEqualTo(new Row(ack.epoch(), ack.payload()));
    }
    for (Map.Entry<String, Map<Long, Row>> group : rows.entrySet()) {
      List<String> payloads = group.getValue().values().stream().map(Row::payload).toList();
      assertThat(sent.get(group.getKey())).as("rows of %s are messages that were sent", group.getKey())
        .containsAll(payloads);
      assertThat(new HashSet<>(payloads)).as("each message of %s stored once", group.getKey()).hasSize(payloads.size());
    }
    for (int g = 0; g < GROUPS; g++) {
      String group = "ledger." + g;
      Map<Long, String> history = clusterHistory(gateways.get(g % 2), group);
      acked.stream().filter(a -> a.group().equals(group))
        .forEach(a -> assertThat(history.get(a.offset())).as("%s in the cluster's history", a).isEqualTo(a.payload()));
    }
    http.close();
  }

  private record Row(String epoch, String payload) {
  }

  private static long ackedGroups(List<Answer> answers, long after) {
    return answers.stream().filter(a -> a.acked() && a.sentAt() > after).map(Answer::group).distinct().count();
  }

  private static long ackedAfter(List<Answer> answers, long after) {
    return answers.stream().filter(a -> a.acked() && a.sentAt() > after).count();
  }

  private static long refusedGroups(List<Answer> answers, long after) {
    return answers.stream().filter(a -> !a.acked() && a.sentAt() > after).map(Answer::group).distinct().count();
  }

  /** Publishes n, n+1, ... to the group, one at a time, alternating gateways, until stopped. */
  private void publishWhileRunning(WebClient http, List<TestCluster.Gateway> gateways, String group, long n,
                                   AtomicBoolean running, List<Answer> answers, Promise<Void> done) {
    if (!running.get()) {
      done.complete();
      return;
    }
    String payload = new JsonObject().put("g", group).put("n", n).encode();
    long sentAt = System.nanoTime();
    TestCluster.Gateway gateway = gateways.get((int) (n % gateways.size()));
    http.post(gateway.port(), gateway.host(), "/api/groups/" + group + "/messages")
      .putHeader("Authorization", "Bearer " + API_KEY)
      .sendBuffer(Buffer.buffer(new JsonObject().put("data", new JsonObject(payload)).encode()))
      .onComplete(ar -> {
        long answeredAt = System.nanoTime();
        if (ar.failed()) {
          done.fail(new AssertionError("publish " + payload + ": no HTTP answer", ar.cause()));
          return;
        }
        JsonObject body = ar.result().bodyAsJsonObject();
        int status = ar.result().statusCode();
        if (status == 202) {
          answers.add(new Answer(group, payload, sentAt, answeredAt, status, null, body.getLong("offset"),
            body.getString("epoch")));
        } else {
          answers.add(new Answer(group, payload, sentAt, answeredAt, status,
            body == null ? null : body.getString("error"), 0, null));
        }
        publishWhileRunning(http, gateways, group, n + 1, running, answers, done);
      });
  }

  /** Every message row of the stream groups, per group and offset, as PostgreSQL has them. */
  private Map<String, Map<Long, Row>> databaseRows() throws Exception {
    Map<String, Map<Long, Row>> rows = new HashMap<>();
    try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(), "");
         PreparedStatement select = connection.prepareStatement(
           "SELECT stream, \"offset\", epoch, payload FROM switchboard_message WHERE map = 'switchboard.streams'");
         ResultSet result = select.executeQuery()) {
      while (result.next()) {
        rows.computeIfAbsent(result.getString(1), g -> new HashMap<>())
          .put(result.getLong(2), new Row(result.getString(3), new JsonObject(result.getString(4)).encode()));
      }
    }
    return rows;
  }

  /** The group's history as the cluster serves it (server API, paged), offset to payload. */
  private Map<Long, String> clusterHistory(TestCluster.Gateway gateway, String group) {
    Map<Long, String> history = new ConcurrentHashMap<>();
    long since = 0;
    while (true) {
      var response = cluster.get(gateway, "/api/groups/" + group + "/history?since=" + since + "&limit=1000", API_KEY);
      assertThat(response.statusCode()).as("history of %s: %s", group, response.bodyAsString()).isEqualTo(200);
      JsonArray messages = response.bodyAsJsonObject().getJsonArray("messages");
      for (int i = 0; i < messages.size(); i++) {
        JsonObject message = messages.getJsonObject(i);
        history.put(message.getLong("offset"), message.getJsonObject("data").encode());
        since = Math.max(since, message.getLong("offset"));
      }
      if (!response.bodyAsJsonObject().getBoolean("more", false)) {
        return history;
      }
    }
  }
}
