package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/protocol.md 1.1 against the embedded simulator. */
class ScoresFeedTest {

  private Vertx vertx;
  private GatewayHarness gateway;

  private void start(JsonObject simulator) {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("simulator", simulator));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  private static void assertEventShape(JsonObject event) {
    assertThat(event.getString("id")).matches("EVENT#0[0-4]");
    assertThat(event.getString("name")).isNotBlank();
    assertThat(event.getInteger("homeScore")).isNotNegative();
    assertThat(event.getInteger("awayScore")).isNotNegative();
    assertThat(event.getLong("version")).isPositive();
    assertThat(event.getLong("updatedAt")).isPositive();
  }

  @Test
  void initialThenUpdatesAtTheDefaultCadenceWithPingPong() {
    start(new JsonObject());
    try (TestSocket socket = gateway.connect("/ws/scores")) {
      JsonObject initial = socket.nextJson();
      assertThat(initial.getString("type")).isEqualTo("INITIAL");
      JsonArray events = initial.getJsonArray("data");
      assertThat(events).hasSize(5);
      List<String> ids = new ArrayList<>();
      Map<String, JsonObject> latest = new HashMap<>();
      for (Object item : events) {
        JsonObject event = (JsonObject) item;
        assertEventShape(event);
        ids.add(event.getString("id"));
        latest.put(event.getString("id"), event);
      }
      assertThat(ids).containsExactly("EVENT#00", "EVENT#01", "EVENT#02", "EVENT#03", "EVENT#04");

      socket.send("{\"type\":\"PING\",\"timestamp\":1700000000123}");
      JsonObject pong = socket.awaitJson(j -> "PONG".equals(j.getString("type")));
      assertThat(pong.getLong("timestamp")).isEqualTo(1700000000123L);
      assertThat(pong.getLong("serverTime")).isPositive();

      // Watch until one event has changed twice: each change comes 2-7 s after the previous
      // one of the same event (updatedAt is stamped at the change), and versions go +1.
      Map<String, Integer> changes = new HashMap<>();
      long deadline = System.currentTimeMillis() + 20_000;
      while (changes.values().stream().noneMatch(n -> n >= 2)) {
        assertThat(System.currentTimeMillis()).as("two changes of one event within 20 s").isLessThan(deadline);
        JsonObject frame = socket.nextJson();
        if (!"UPDATE".equals(frame.getString("type"))) {
          continue;
        }
        JsonObject event = frame.getJsonObject("data");
        assertEventShape(event);
        JsonObject before = latest.get(event.getString("id"));
        assertThat(event.getLong("version")).isEqualTo(before.getLong("version") + 1);
        assertThat(event.getInteger("homeScore") + event.getInteger("awayScore"))
          .isEqualTo(before.getInteger("homeScore") + before.getInteger("awayScore") + 1);
        if (changes.containsKey(event.getString("id"))) {
          long gap = event.getLong("updatedAt") - before.getLong("updatedAt");
          assertThat(gap).isBetween(2_000L, 7_500L);
        }
        changes.merge(event.getString("id"), 1, Integer::sum);
        latest.put(event.getString("id"), event);
      }
    }
  }

  @Test
  void restAnswersWithTheSimulatorState() {
    start(new JsonObject());
    var all = gateway.get("/events");
    assertThat(all.statusCode()).isEqualTo(200);
    JsonArray events = all.bodyAsJsonArray();
    assertThat(events).hasSize(5);
    events.forEach(e -> assertEventShape((JsonObject) e));
    var one = gateway.get("/events/EVENT%2302");
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.bodyAsJsonObject().getString("id")).isEqualTo("EVENT#02");
    assertThat(one.bodyAsJsonObject().getLong("version")).isGreaterThanOrEqualTo(events.getJsonObject(2).getLong("version"));
    var missing = gateway.get("/events/EVENT%2399");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.getHeader("content-type")).startsWith("application/json");
    assertThat(missing.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
  }

  /**
   * Fast events, sockets joining while updates fly: no socket ever sees an event go back or
   * skip a version after its INITIAL, and all sockets see the same versions.
   */
  @Test
  void socketsJoiningDuringUpdatesNeverSeeAVersionGoBack() {
    start(new JsonObject().put("scoresMinDelayMs", 5).put("scoresMaxDelayMs", 20));
    List<TestSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        sockets.add(gateway.connect("/ws/scores"));
      }
      for (TestSocket socket : sockets) {
        JsonObject initial = socket.nextJson();
        assertThat(initial.getString("type")).isEqualTo("INITIAL");
        Map<String, Long> versions = new HashMap<>();
        for (Object item : initial.getJsonArray("data")) {
          versions.put(((JsonObject) item).getString("id"), ((JsonObject) item).getLong("version"));
        }
        assertThat(versions).hasSize(5);
        for (int n = 0; n < 40; n++) {
          JsonObject update = socket.nextJson().getJsonObject("data");
          long previous = versions.get(update.getString("id"));
          assertThat(update.getLong("version")).as("event %s after %s", update.getString("id"), previous)
            .isEqualTo(previous + 1);
          versions.put(update.getString("id"), update.getLong("version"));
        }
      }
    } finally {
      sockets.forEach(TestSocket::close);
    }
  }
}
