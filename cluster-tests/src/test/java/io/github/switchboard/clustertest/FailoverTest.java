package io.github.switchboard.clustertest;

import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** kill -9 of a simulator, a chat instance, a gateway: the cluster carries on. */
class FailoverTest {

  private TestCluster cluster;

  @BeforeEach
  void start() {
    cluster = new TestCluster("failover-" + System.nanoTime());
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private TestSocket connect(TestCluster.Gateway gateway, String path) {
    return TestSocket.connect(cluster.vertx, gateway.port(), path);
  }

  @Test
  void standbySimulatorTakesOverWithin10sAndVersionsNeverGoBack() {
    ClusterProcess first = cluster.simulator("simulator-1");
    first.awaitOutput(TestCluster.SIMULATOR_ACTIVE, TestCluster.START_TIMEOUT);
    ClusterProcess second = cluster.simulator("simulator-2");
    TestCluster.Gateway gateway = cluster.gateway("gateway");
    assertThat(second.output()).doesNotContain("role=simulator active");

    try (TestSocket socket = connect(gateway, "/ws/scores")) {
      JsonObject initial = socket.nextJson();
      Map<String, Long> versions = new HashMap<>();
      for (Object item : initial.getJsonArray("data")) {
        versions.put(((JsonObject) item).getString("id"), ((JsonObject) item).getLong("version"));
      }
      expectUpdates(socket, versions, 2, true);

      // The services answer probes and scrapes themselves, and say which one is active.
      assertThat(cluster.get(first, "/health/ready").bodyAsJsonObject().getString("role")).isEqualTo("active");
      var standby = cluster.get(second, "/health/ready");
      assertThat(standby.statusCode()).isEqualTo(200);
      // The body shape every process shares, plus whether this data member's backups are in sync.
      assertThat(standby.bodyAsJsonObject().getString("backups")).isIn("safe", "syncing");
      assertThat(standby.bodyAsJsonObject().copy().put("backups", "-")).as("the body shape every process shares")
        .isEqualTo(new JsonObject().put("status", "UP").put("service", "simulator").put("role", "standby").put("backups", "-"));
      assertThat(cluster.get(second, "/health/live").statusCode()).isEqualTo(200);
      assertThat(cluster.get(second, "/metrics").bodyAsString()).contains("jvm_memory_used_bytes");

      long killedAt = System.nanoTime();
      first.kill();
      second.awaitOutput(TestCluster.SIMULATOR_ACTIVE, Duration.ofSeconds(10));
      assertThat(cluster.get(second, "/health/ready").bodyAsJsonObject().getString("role")).isEqualTo("active");
      long takeoverMs = (System.nanoTime() - killedAt) / 1_000_000;
      assertThat(takeoverMs).isLessThan(10_000);

      // From the cluster-held state: the next version of every event is higher than any seen.
      expectUpdates(socket, versions, 6, false);
    }
  }

  /**
   * A member that hangs (or whose host vanishes) sends no TCP reset: only the missing heartbeats
   * reveal it. SIGSTOP freezes the active simulator that way; cluster.xml's heartbeat settings
   * must have the standby active within 10 s.
   */
  @Test
  void frozenSimulatorIsDeclaredDeadByHeartbeatAndReplacedWithin10s() throws Exception {
    ClusterProcess first = cluster.simulator("simulator-1");
    first.awaitOutput(TestCluster.SIMULATOR_ACTIVE, TestCluster.START_TIMEOUT);
    ClusterProcess second = cluster.simulator("simulator-2");
    TestCluster.Gateway gateway = cluster.gateway("gateway");
    try (TestSocket socket = connect(gateway, "/ws/scores")) {
      JsonObject initial = socket.nextJson();
      Map<String, Long> versions = new HashMap<>();
      for (Object item : initial.getJsonArray("data")) {
        versions.put(((JsonObject) item).getString("id"), ((JsonObject) item).getLong("version"));
      }
      long frozenAt = System.nanoTime();
      signal("STOP", first.pid());
      try {
        second.awaitOutput(TestCluster.SIMULATOR_ACTIVE, Duration.ofSeconds(10));
        assertThat((System.nanoTime() - frozenAt) / 1_000_000).isLessThan(10_000);
        expectUpdates(socket, versions, 4, false);
      } finally {
        first.kill();
      }
    }
  }

  /** A service stopped cleanly hands its role over at once instead of waiting to be missed. */
  @Test
  void sigtermOnTheActiveSimulatorHandsOverAndExits() {
    ClusterProcess first = cluster.simulator("simulator-1");
    first.awaitOutput(TestCluster.SIMULATOR_ACTIVE, TestCluster.START_TIMEOUT);
    ClusterProcess second = cluster.simulator("simulator-2");
    long stoppedAt = System.nanoTime();
    first.terminate();
    second.awaitOutput(TestCluster.SIMULATOR_ACTIVE, Duration.ofSeconds(10));
    assertThat(first.waitForExit(Duration.ofSeconds(15))).as("stopped simulator exits").isTrue();
    assertThat((System.nanoTime() - stoppedAt) / 1_000_000).isLessThan(15_000);
    assertThat(first.output()).contains("role=simulator released");
  }

  /** Presence is cluster-held: members of a gateway that dies vanish once their TTL runs out. */
  @Test
  void presenceForgetsTheMembersOfAKilledGatewayWithinItsTtl() {
    Map<String, String> shortTtl = Map.of("SWITCHBOARD_PRESENCE_TTL_MS", "3000");
    // The presence map lives on the data members; the gateways are lite members.
    cluster.chat("chat");
    TestCluster.Gateway survivor = cluster.gateway("gateway-1", shortTtl);
    TestCluster.Gateway doomed = cluster.gateway("gateway-2", shortTtl);
    try (TestSocket here = connect(survivor, "/ws/chat/roll?welcome=1"); TestSocket there = connect(doomed, "/ws/chat/roll?welcome=1");
         TestSocket watcher = connect(survivor, "/ws")) {
      String hereId = here.nextJson().getString("connectionId");
      String thereId = there.nextJson().getString("connectionId");
      awaitMembers(watcher, List.of(hereId, thereId), Duration.ofSeconds(10));
      long killedAt = System.nanoTime();
      doomed.process().kill();
      awaitMembers(watcher, List.of(hereId), Duration.ofSeconds(10));
      assertThat((System.nanoTime() - killedAt) / 1_000_000).isLessThan(10_000);
    }
  }

  private static void awaitMembers(TestSocket watcher, List<String> expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> seen = List.of();
    int query = 0;
    while (System.nanoTime() < deadline) {
      String id = "q" + query++;
      watcher.send(new JsonObject().put("type", "presence").put("group", "chat.roll").put("id", id));
      JsonArray members = watcher.awaitJson(j -> id.equals(j.getValue("id"))).getJsonArray("members");
      seen = members.stream().map(m -> ((JsonObject) m).getString("id")).sorted().toList();
      if (seen.equals(expected.stream().sorted().toList())) {
        return;
      }
      ClusterProcess.pause();
    }
    throw new AssertionError("presence still " + seen + ", expected " + expected);
  }

  private static void signal(String name, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
  }

  /**
   * Reads updates; each one's version must be above everything seen for that event (+1 exactly
   * when {@code gapFree}; a failover may skip one that was saved but not published).
   */
  private static void expectUpdates(TestSocket socket, Map<String, Long> versions, int count, boolean gapFree) {
    for (int i = 0; i < count; i++) {
      JsonObject event = socket.awaitJson(j -> "UPDATE".equals(j.getString("type"))).getJsonObject("data");
      long previous = versions.get(event.getString("id"));
      if (gapFree) {
        assertThat(event.getLong("version")).isEqualTo(previous + 1);
      } else {
        assertThat(event.getLong("version")).isGreaterThan(previous);
      }
      versions.put(event.getString("id"), event.getLong("version"));
    }
  }

  @Test
  void everyChatInstanceTakesMessagesAndSeqAndHistorySurviveOneOfThem() {
    ClusterProcess first = cluster.chat("chat-1");
    first.awaitOutput(TestCluster.CHAT_ACTIVE, TestCluster.START_TIMEOUT);
    ClusterProcess second = cluster.chat("chat-2");
    TestCluster.Gateway gateway = cluster.gateway("gateway");

    Map<String, Long> acked = new LinkedHashMap<>();
    try (TestSocket client = connect(gateway, "/ws")) {
      for (int i = 1; i <= 10; i++) {
        publishUntilAcked(gateway, client, "chat.durable", "before-" + i, acked);
      }
      // No single instance carries the room: both took some of its messages.
      assertThat(intakeProcessed(first)).as("messages taken by chat-1").isPositive();
      assertThat(intakeProcessed(second)).as("messages taken by chat-2").isPositive();
      first.kill();
      second.awaitOutput(TestCluster.CHAT_ACTIVE, Duration.ofSeconds(10));
      for (int i = 1; i <= 10; i++) {
        publishUntilAcked(gateway, client, "chat.durable", "after-" + i, acked);
      }
    }
    // Seq continued across the failover, and the history holds every acknowledged message once.
    List<Long> seqs = new ArrayList<>(acked.values());
    for (int i = 1; i < seqs.size(); i++) {
      assertThat(seqs.get(i)).isGreaterThan(seqs.get(i - 1));
    }
    JsonArray history = cluster.get(gateway, "/rooms/durable/messages").bodyAsJsonArray();
    Map<String, Long> stored = new HashMap<>();
    long expectedSeq = history.getJsonObject(0).getLong("seq");
    for (Object item : history) {
      JsonObject message = (JsonObject) item;
      assertThat(message.getLong("seq")).isEqualTo(expectedSeq++);
      assertThat(stored.put(message.getString("message"), message.getLong("seq"))).as("stored once").isNull();
    }
    for (Map.Entry<String, Long> entry : acked.entrySet()) {
      assertThat(stored.get(entry.getKey())).as(entry.getKey()).isEqualTo(entry.getValue());
    }
  }

  /** Chat messages the instance has stored, from its /metrics. */
  private double intakeProcessed(ClusterProcess chat) {
    String metrics = cluster.get(chat, "/metrics").bodyAsString();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("switchboard_chat_messages_stored_total")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no switchboard_chat_messages_stored_total in " + chat.name() + "'s /metrics");
  }

  /**
   * Publishes until the chat service acknowledges, as docs/protocol.md says a client should:
   * {@code service_unavailable} (nothing was stored) is sent again; after {@code timeout} (the
   * outcome is unknown) the room's history is read first, and the message sent again only if
   * it is not there, so that a retry never stores it twice.
   */
  private void publishUntilAcked(TestCluster.Gateway gateway, TestSocket client, String group, String text,
                                 Map<String, Long> acked) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int attempt = 0;
    while (System.nanoTime() < deadline) {
      String id = text + "#" + attempt++;
      client.send(new JsonObject().put("type", "publish").put("group", group)
        .put("data", new JsonObject().put("message", text)).put("id", id));
      JsonObject reply = client.awaitJson(j -> id.equals(j.getString("id")));
      if ("ack".equals(reply.getString("type"))) {
        acked.put(text, reply.getLong("seq"));
        return;
      }
      assertThat(reply.getString("code")).isIn("service_unavailable", "timeout");
      if ("timeout".equals(reply.getString("code"))) {
        Long seq = storedSeq(gateway, group, text);
        if (seq != null) {
          acked.put(text, seq);
          return;
        }
      }
      ClusterProcess.pause();
    }
    throw new AssertionError(text + " not acknowledged within 30 s");
  }

  /** The seq under which the room's history holds the text; null when it is not there. */
  private Long storedSeq(TestCluster.Gateway gateway, String group, String text) {
    JsonArray history = cluster.get(gateway, "/rooms/" + group.substring("chat.".length()) + "/messages").bodyAsJsonArray();
    for (Object item : history) {
      JsonObject message = (JsonObject) item;
      if (text.equals(message.getString("message"))) {
        return message.getLong("seq");
      }
    }
    return null;
  }

  @Test
  void clientsOfAKilledGatewayReconnectElsewhereAndRecoverWithSince() {
    cluster.chat("chat");
    TestCluster.Gateway survivor = cluster.gateway("gateway-1");
    TestCluster.Gateway doomed = cluster.gateway("gateway-2");

    try (TestSocket publisher = connect(survivor, "/ws")) {
      List<Long> received = new ArrayList<>();
      Map<String, Long> acked = new LinkedHashMap<>();
      TestSocket follower = connect(doomed, "/ws");
      follower.send("{\"type\":\"subscribe\",\"group\":\"chat.moving\",\"id\":1}");
      assertThat(follower.nextJson().getString("type")).isEqualTo("subscribed");
      for (int i = 1; i <= 5; i++) {
        publishUntilAcked(survivor, publisher, "chat.moving", "m" + i, acked);
        received.add(follower.awaitJson(j -> "message".equals(j.getString("type"))).getLong("seq"));
      }
      doomed.process().kill();
      follower.awaitClose();
      follower.close();
      // Published while the follower has no socket.
      for (int i = 6; i <= 9; i++) {
        publishUntilAcked(survivor, publisher, "chat.moving", "m" + i, acked);
      }
      long last = received.get(received.size() - 1);
      try (TestSocket back = connect(survivor, "/ws")) {
        back.send("{\"type\":\"subscribe\",\"group\":\"chat.moving\",\"since\":" + last + ",\"id\":2}");
        assertThat(back.nextJson().getBoolean("recovered")).isTrue();
        publishUntilAcked(survivor, publisher, "chat.moving", "m10", acked);
        while (received.size() < acked.size()) {
          try {
            received.add(back.awaitJson(j -> "message".equals(j.getString("type"))).getLong("seq"));
          } catch (AssertionError e) {
            throw new AssertionError("received " + received + ", acknowledged " + acked, e);
          }
        }
        assertThat(back.pending()).isZero();
      }
      assertThat(received).containsExactlyElementsOf(acked.values());
    }
  }
}
