package io.github.switchboard.clustertest;

import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateways, one chat service, one simulator, each its own process in one Hazelcast cluster:
 * every socket behaves as if there were one server.
 */
class CrossGatewayTest {

  private static TestCluster cluster;
  private static final String API_KEY = "cross-gateway-test-key";
  /** The default rules, with {@code bulletin} a stream group. */
  private static final String RULES = "[{\"pattern\":\"bulletin\",\"subscribe\":true,\"publish\":true,"
    + "\"history\":{\"size\":10,\"ttlMs\":60000}},{\"pattern\":\"scores\",\"subscribe\":true},"
    + "{\"pattern\":\"random\",\"subscribe\":true},{\"pattern\":\"*\",\"subscribe\":true,\"publish\":true}]";
  private static TestCluster.Gateway one;
  private static TestCluster.Gateway two;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("cross-gateway");
    cluster.chat("chat");
    cluster.simulator("simulator");
    one = cluster.gateway("gateway-1", Map.of("SWITCHBOARD_GROUPS", RULES));
    two = cluster.gateway("gateway-2", Map.of("SWITCHBOARD_API_KEY", API_KEY, "SWITCHBOARD_GROUPS", RULES));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static TestSocket connect(TestCluster.Gateway gateway, String path) {
    return TestSocket.connect(cluster.vertx, gateway.port(), path);
  }

  @Test
  void chatRoomSpansGatewaysWithOneSequence() {
    try (TestSocket a = connect(one, "/ws/chat/span?welcome=1"); TestSocket b = connect(two, "/ws/chat/span?welcome=1")) {
      String aId = a.nextJson().getString("connectionId");
      String bId = b.nextJson().getString("connectionId");
      assertThat(aId).isNotEqualTo(bId);
      for (int i = 1; i <= 6; i++) {
        TestSocket sender = i % 2 == 1 ? a : b;
        sender.send("{\"message\":\"m" + i + "\"}");
        JsonObject atA = a.nextJson();
        JsonObject atB = b.nextJson();
        assertThat(atA).isEqualTo(atB);
        assertThat(atA.getLong("seq")).isEqualTo(i);
        assertThat(atA.getString("message")).isEqualTo("m" + i);
        assertThat(atA.getString("sender")).isEqualTo(i % 2 == 1 ? aId : bId);
      }
      JsonArray history = cluster.get(two, "/rooms/span/messages").bodyAsJsonArray();
      assertThat(history).hasSize(6);
      assertThat(cluster.get(one, "/rooms/span/messages").bodyAsJsonArray()).isEqualTo(history);
    }
  }

  @Test
  void hubFramesCrossGatewaysButNeverReturnToTheSender() {
    try (TestSocket a = connect(one, "/ws/hub"); TestSocket b = connect(two, "/ws/hub")) {
      // The hub sends no greeting: probe until the route from one gateway to the other exists.
      int probe = 0;
      while (true) {
        a.send("probe-" + probe);
        TestSocket.Received got;
        try {
          got = b.next();
        } catch (AssertionError e) {
          got = null;
        }
        if (got != null) {
          break;
        }
        assertThat(++probe).as("hub route between gateways").isLessThan(5);
      }
      while (b.pending() > 0) {
        b.next();
      }
      byte[] bytes = {0, (byte) 0xFF, (byte) 0xC3, 0x28, 7};
      a.sendBinary(Buffer.buffer(bytes));
      TestSocket.Received binary = b.next();
      assertThat(binary.binary()).isTrue();
      assertThat(binary.bytes().getBytes()).containsExactly(bytes);
      b.send("{\"from\":\"b\"}");
      assertThat(a.next().text()).isEqualTo("{\"from\":\"b\"}");
      // A never saw its own probes or binary frame: the frame from B was its first.
      assertThat(a.pending()).isZero();
    }
  }

  @Test
  void scoresAreTheSameOnBothGateways() {
    try (TestSocket s1 = connect(one, "/ws/scores"); TestSocket s2 = connect(two, "/ws/scores")) {
      Map<String, JsonObject> seen1 = collect(s1, 6);
      Map<String, JsonObject> seen2 = collect(s2, 6);
      int common = 0;
      for (Map.Entry<String, JsonObject> entry : seen1.entrySet()) {
        if (seen2.containsKey(entry.getKey())) {
          assertThat(seen2.get(entry.getKey())).isEqualTo(entry.getValue());
          common++;
        }
      }
      assertThat(common).isPositive();
    }
    // Both gateways answer REST from the simulator's state: equal when read between two updates.
    for (int attempt = 0; ; attempt++) {
      JsonArray a = cluster.get(one, "/events").bodyAsJsonArray();
      JsonArray b = cluster.get(two, "/events").bodyAsJsonArray();
      assertThat(a).hasSize(5);
      if (a.equals(b)) {
        break;
      }
      assertThat(attempt).as("/events equal on both gateways").isLessThan(20);
    }
  }

  /** INITIAL, then updates: each event's version +1 each time; returns "id@version" -> event. */
  private static Map<String, JsonObject> collect(TestSocket socket, int updates) {
    Map<String, JsonObject> byVersion = new HashMap<>();
    Map<String, Long> latest = new HashMap<>();
    JsonObject initial = socket.nextJson();
    assertThat(initial.getString("type")).isEqualTo("INITIAL");
    for (Object item : initial.getJsonArray("data")) {
      JsonObject event = (JsonObject) item;
      latest.put(event.getString("id"), event.getLong("version"));
      byVersion.put(event.getString("id") + "@" + event.getLong("version"), event);
    }
    assertThat(latest).hasSize(5);
    for (int i = 0; i < updates; i++) {
      JsonObject event = socket.awaitJson(j -> "UPDATE".equals(j.getString("type"))).getJsonObject("data");
      assertThat(event.getLong("version")).isEqualTo(latest.get(event.getString("id")) + 1);
      latest.put(event.getString("id"), event.getLong("version"));
      byVersion.put(event.getString("id") + "@" + event.getLong("version"), event);
    }
    return byVersion;
  }

  @Test
  void sinceRecoversOnAnotherGatewayThanTheOneThatSawTheMessages() {
    try (TestSocket writer = connect(one, "/ws/chat/recover?welcome=1")) {
      writer.nextJson();
      for (int i = 1; i <= 5; i++) {
        writer.send("{\"message\":\"r" + i + "\"}");
        assertThat(writer.nextJson().getLong("seq")).isEqualTo(i);
      }
      try (TestSocket reader = connect(two, "/ws")) {
        reader.send("{\"type\":\"subscribe\",\"group\":\"chat.recover\",\"since\":2,\"id\":1}");
        JsonObject subscribed = reader.nextJson();
        String epoch = subscribed.getString("epoch");
        assertThat(epoch).isNotBlank();
        assertThat(subscribed).isEqualTo(new JsonObject().put("type", "subscribed").put("group", "chat.recover")
          .put("id", 1).put("recovered", true).put("epoch", epoch).put("offset", 5).put("seq", 5));
        for (long seq = 3; seq <= 5; seq++) {
          JsonObject message = reader.nextJson();
          assertThat(message.getLong("seq")).isEqualTo(seq);
          assertThat(message.getString("epoch")).as("the epoch of the room, the same on every gateway").isEqualTo(epoch);
          assertThat(message.getJsonObject("data").getString("message")).isEqualTo("r" + seq);
        }
        writer.send("{\"message\":\"live\"}");
        assertThat(reader.nextJson().getLong("seq")).isEqualTo(6L);
      }
    }
  }

  /**
   * {@code bulletin} is a stream group: the first publish after {@code subscribed} reaches the
   * subscriber on the other gateway whether or not that gateway's new consumer was known there
   * yet (if not, its cursor reads it from the history), with the offset the publish answered.
   */
  @Test
  void httpPublishOnOneGatewayReachesSubscribersOnTheOther() {
    try (TestSocket subscriber = connect(one, "/ws")) {
      subscriber.send("{\"type\":\"subscribe\",\"group\":\"bulletin\",\"id\":1}");
      assertThat(subscriber.nextJson().getString("type")).isEqualTo("subscribed");
      // A clustered gateway takes HTTP publish only with its key, even from this machine.
      var withoutKey = cluster.post(one, "/api/groups/bulletin/messages", "{\"data\":{\"n\":0}}");
      assertThat(withoutKey.statusCode()).isEqualTo(403);
      assertThat(withoutKey.bodyAsJsonObject().getString("message")).contains("SWITCHBOARD_API_KEY");
      var response = cluster.post(two, "/api/groups/bulletin/messages", "{\"data\":{\"n\":1}}", API_KEY);
      assertThat(response.statusCode()).isEqualTo(202);
      JsonObject stored = response.bodyAsJsonObject();
      assertThat(subscriber.nextJson()).isEqualTo(new JsonObject().put("type", "message").put("group", "bulletin")
        .put("offset", stored.getLong("offset")).put("seq", stored.getLong("offset")).put("epoch", stored.getString("epoch"))
        .put("data", new JsonObject().put("n", 1)));
    }
  }
}
