package io.github.switchboard.clustertest;

import io.github.switchboard.coordination.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster's history written through to PostgreSQL survives a full restart
 * (docs/operations.md, "History in PostgreSQL"): two chat processes (the data members) and two
 * gateways, 1,000 publishes to 10 stream groups over both gateways and 20 chat messages; then
 * every process is killed with kill -9 at once (all memory gone) and started again. The checker
 * kept each acknowledgement (offset, epoch, payload): every acknowledged message is in the
 * history at its offset in its epoch, a client with {@code since} is told {@code recovered: true}
 * and gets them, and the numbering goes on. A simulator runs the scores throughout: a scores socket
 * opened after the restart sees every event at or above the version seen before the kill (the
 * events and the role's fencing token are written through too), never a version with two contents.
 */
class PersistentHistoryRestartTest {

  private static final Logger log = LoggerFactory.getLogger(PersistentHistoryRestartTest.class);
  private static final String API_KEY = "persistent-history-key";
  private static final String RULES = "[{\"pattern\":\"ledger.*\",\"subscribe\":true,\"publish\":true,"
    + "\"history\":{\"size\":1000,\"ttlMs\":600000}},{\"pattern\":\"*\",\"subscribe\":true,\"publish\":true}]";
  private static final int GROUPS = 10;
  private static final int PER_GROUP = 100;

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

  private record Ack(long offset, String epoch, String payload) {
  }

  @Test
  void everyAcknowledgedMessageIsBackAfterEveryProcessWasKilled() throws Exception {
    postgres = TestPostgres.start();
    cluster = new TestCluster("persistent-history");
    Map<String, String> env = Map.of("SWITCHBOARD_HISTORY_DB_URL", postgres.url(),
      "SWITCHBOARD_HISTORY_DB_USER", postgres.user(), "SWITCHBOARD_GROUPS", RULES, "SWITCHBOARD_API_KEY", API_KEY,
      "SWITCHBOARD_RATE_LIMIT_PER_SECOND", "100000", "SWITCHBOARD_RATE_LIMIT_BURST", "100000",
      "SWITCHBOARD_SCORES_MIN_DELAY_MS", "100", "SWITCHBOARD_SCORES_MAX_DELAY_MS", "300");
    List<ClusterProcess> processes = new ArrayList<>();
    List<TestCluster.Gateway> gateways = start(env, processes);
    ScoresWatcher scores = new ScoresWatcher(cluster, gateways.get(0));

    Map<String, Map<Long, Ack>> acked = new ConcurrentHashMap<>();
    WebClient http = WebClient.create(cluster.vertx);
    // Ten groups in parallel, each in order, half through each gateway.
    List<Future<?>> lanes = new ArrayList<>();
    for (int g = 0; g < GROUPS; g++) {
      lanes.add(publishAll(http, gateways, "ledger." + g, 1, acked));
    }
    Future.all(lanes).await(120, TimeUnit.SECONDS);
    for (int n = 1; n <= 20; n++) {
      var response = cluster.post(gateways.get(n % 2), "/api/groups/chat.kept/messages", "{\"data\":\"m" + n + "\"}",
        API_KEY);
      assertThat(response.statusCode()).isEqualTo(202);
    }
    long total = acked.values().stream().mapToLong(Map::size).sum();
    log.info("{} publishes acknowledged in {} groups; killing every process", total, acked.size());
    assertThat(total).isEqualTo((long) GROUPS * PER_GROUP);
    // Acknowledged means in the database: every row is there before anything is killed.
    Map<String, Long> rows = new HashMap<>();
    try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(), "");
         Statement statement = connection.createStatement();
         ResultSet result = statement.executeQuery("SELECT map, count(*) FROM switchboard_message GROUP BY map")) {
      while (result.next()) {
        rows.put(result.getString(1), result.getLong(2));
      }
    }
    assertThat(rows).isEqualTo(Map.of("switchboard.streams", (long) GROUPS * PER_GROUP, "switchboard.chat.history", 20L));
    Waits.until(cluster, "score updates before the kill", () -> scores.updates() >= 10, Duration.ofSeconds(30));
    Map<String, Long> versionsBefore = scores.lastVersions();

    // All at once: nothing gets to leave the cluster or hand anything over.
    processes.forEach(ClusterProcess::destroyNow);
    processes.forEach(ClusterProcess::kill);
    processes.clear();
    gateways = start(env, processes);
    ScoresWatcher scoresAfter = new ScoresWatcher(cluster, gateways.get(1), scores);
    Waits.until(cluster, "scores going on after the restart",
      () -> scoresAfter.initials() >= 1 && scoresAfter.updates() >= 5, Duration.ofSeconds(60));
    scoresAfter.check();
    log.info("score versions before the kill {}, after the restart {}", versionsBefore, scoresAfter.lastVersions());

    for (int g = 0; g < GROUPS; g++) {
      String group = "ledger." + g;
      Map<Long, Ack> acks = acked.get(group);
      String epoch = acks.get(1L).epoch();
      assertThat(acks.values()).extracting(Ack::epoch).as("one epoch per group").containsOnly(epoch);
      // From the middle, as a client that saw the first half before the restart.
      List<JsonObject> frames = replay(gateways.get(g % 2), group, PER_GROUP / 2, epoch);
      assertThat(frames.get(0).getBoolean("recovered")).as("%s recovered: %s", group, frames.get(0)).isTrue();
      for (long offset = PER_GROUP / 2 + 1; offset <= PER_GROUP; offset++) {
        JsonObject message = frames.get((int) (offset - PER_GROUP / 2));
        assertThat(message.getLong("offset")).isEqualTo(offset);
        assertThat(message.getString("epoch")).isEqualTo(epoch);
        assertThat(message.getValue("data").toString()).as("%s offset %d", group, offset)
          .isEqualTo(acks.get(offset).payload());
      }
      JsonObject next = publish(http, gateways.get((g + 1) % 2), group, "\"after\"").await(30, TimeUnit.SECONDS);
      assertThat(next.getLong("offset")).as("%s goes on", group).isEqualTo(PER_GROUP + 1L);
      assertThat(next.getString("epoch")).isEqualTo(epoch);
    }
    JsonArray room = cluster.get(gateways.get(0), "/rooms/kept/messages").bodyAsJsonArray();
    assertThat(room).hasSize(20);
    assertThat(room.getJsonObject(19).encode()).contains("m20");
    http.close();
  }

  private List<TestCluster.Gateway> start(Map<String, String> env, List<ClusterProcess> processes) {
    processes.add(cluster.chat("chat-1", env));
    processes.add(cluster.chat("chat-2", env));
    processes.add(cluster.simulator("simulator-1", env));
    TestCluster.Gateway one = cluster.gateway("gateway-1", env);
    TestCluster.Gateway two = cluster.gateway("gateway-2", env);
    processes.add(one.process());
    processes.add(two.process());
    processes.get(0).awaitOutput(TestCluster.CHAT_ACTIVE, TestCluster.START_TIMEOUT);
    return List.of(one, two);
  }

  /** Publishes n..PER_GROUP to the group in order, alternating gateways, keeping each ack. */
  private Future<Void> publishAll(WebClient http, List<TestCluster.Gateway> gateways, String group, int n,
                                  Map<String, Map<Long, Ack>> acked) {
    if (n > PER_GROUP) {
      return Future.succeededFuture();
    }
    String payload = "{\"g\":\"" + group + "\",\"n\":" + n + "}";
    return publish(http, gateways.get(n % 2), group, payload).compose(ack -> {
      Ack previous = acked.computeIfAbsent(group, g -> new ConcurrentHashMap<>())
        .put(ack.getLong("offset"), new Ack(ack.getLong("offset"), ack.getString("epoch"), new JsonObject(payload).encode()));
      assertThat(previous).as("two acks with one offset in %s", group).isNull();
      return publishAll(http, gateways, group, n + 1, acked);
    });
  }

  private Future<JsonObject> publish(WebClient http, TestCluster.Gateway gateway, String group, String data) {
    return http.post(gateway.port(), "127.0.0.1", "/api/groups/" + group + "/messages")
      .putHeader("Authorization", "Bearer " + API_KEY)
      .sendBuffer(Buffer.buffer("{\"data\":" + data + "}"))
      .map(response -> {
        assertThat(response.statusCode()).as("publish to %s: %s", group, response.bodyAsString()).isEqualTo(202);
        return response.bodyAsJsonObject();
      });
  }

  /** Subscribes with since {after, epoch}; answers the subscribed frame and the messages up to PER_GROUP. */
  private List<JsonObject> replay(TestCluster.Gateway gateway, String group, long after, String epoch) throws Exception {
    WebSocket ws = cluster.vertx.createWebSocketClient().connect(gateway.port(), "127.0.0.1", "/ws")
      .await(10, TimeUnit.SECONDS);
    List<JsonObject> frames = Collections.synchronizedList(new ArrayList<>());
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("group", group).put("id", 1)
      .put("since", new JsonObject().put("offset", after).put("epoch", epoch)).encode());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (frames.size() < 1 + PER_GROUP - after) {
      assertThat(System.nanoTime()).as("replay of %s after %d: %s", group, after, frames).isLessThan(deadline);
      cluster.vertx.timer(20).await(5, TimeUnit.SECONDS);
    }
    ws.close();
    synchronized (frames) {
      assertThat(frames.get(0).getString("type")).isEqualTo("subscribed");
      return new ArrayList<>(frames);
    }
  }
}
