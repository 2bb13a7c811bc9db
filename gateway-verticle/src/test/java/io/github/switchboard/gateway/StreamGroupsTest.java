package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stream groups (docs/protocol.md, "Streams"): a group whose rule has a {@code history} is
 * numbered and kept by the gateways, from a {@code /ws} publish and from HTTP publish alike;
 * every delivery, ack and subscribe reply carries the offset and epoch, and a client that comes
 * back with {@code since} gets what it missed. A plain group next to it stays unnumbered.
 */
class StreamGroupsTest {

  private static final JsonArray RULES = new JsonArray()
    .add(new JsonObject().put("pattern", "orders.*").put("subscribe", true).put("publish", true)
      .put("history", new JsonObject().put("size", 5).put("ttlMs", 60_000)))
    .add(new JsonObject().put("pattern", "*").put("subscribe", true).put("publish", true));

  private Vertx vertx;
  private GatewayHarness gateway;
  private WebClient http;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    http = WebClient.create(vertx);
    gateway = GatewayHarness.start(vertx, config(100));
  }

  private static JsonObject config(int maxStreams) {
    return new JsonObject().put("groups", RULES).put("maxStreams", maxStreams)
      .put("simulator", new JsonObject().put("randomIntervalMs", 60_000));
  }

  @AfterEach
  void stop() {
    http.close();
    gateway.close();
    vertx.close().await();
  }

  private HttpResponse<Buffer> httpPublish(String group, String body) {
    return Await.result(http.post(gateway.port, "127.0.0.1", "/api/groups/" + group + "/messages")
      .sendBuffer(Buffer.buffer(body)));
  }

  private JsonObject subscribe(TestSocket socket, String group, Object since) {
    JsonObject request = new JsonObject().put("type", "subscribe").put("group", group).put("id", "s");
    if (since != null) {
      request.put("since", since);
    }
    socket.send(request);
    return socket.awaitJson(j -> "subscribed".equals(j.getString("type")));
  }

  @Test
  void publishesFromWsAndHttpAreNumberedInOneSequenceWithTheirEpoch() {
    try (TestSocket reader = gateway.connect("/ws"); TestSocket writer = gateway.connect("/ws")) {
      JsonObject subscribed = subscribe(reader, "orders.eu", null);
      assertThat(subscribed.getLong("offset")).as("a new stream: nothing yet").isZero();
      assertThat(subscribed.containsKey("epoch")).isTrue();

      writer.send("{\"type\":\"publish\",\"group\":\"orders.eu\",\"data\":{\"n\":1},\"id\":7}");
      JsonObject ack = writer.awaitJson(j -> "ack".equals(j.getString("type")));
      assertThat(ack.getLong("offset")).isEqualTo(1L);
      assertThat(ack.getLong("seq")).isEqualTo(1L);
      String epoch = ack.getString("epoch");
      assertThat(epoch).isNotBlank();

      HttpResponse<Buffer> posted = httpPublish("orders.eu", "{\"data\":{\"n\":2}}");
      assertThat(posted.statusCode()).isEqualTo(202);
      assertThat(posted.bodyAsJsonObject()).isEqualTo(new JsonObject().put("group", "orders.eu").put("offset", 2)
        .put("seq", 2).put("epoch", epoch));

      for (int n = 1; n <= 2; n++) {
        JsonObject message = reader.nextJson();
        assertThat(message).isEqualTo(new JsonObject().put("type", "message").put("group", "orders.eu")
          .put("offset", n).put("seq", n).put("epoch", epoch).put("data", new JsonObject().put("n", n)));
      }
    }
  }

  @Test
  void aClientBackWithSinceGetsWhatItMissedAndAnotherEpochOrATooOldOffsetIsNotRecovered() {
    String epoch;
    try (TestSocket writer = gateway.connect("/ws")) {
      for (int n = 1; n <= 7; n++) {
        writer.send("{\"type\":\"publish\",\"group\":\"orders.us\",\"data\":" + n + ",\"id\":" + n + "}");
      }
      JsonObject last = null;
      for (int n = 1; n <= 7; n++) {
        last = writer.awaitJson(j -> "ack".equals(j.getString("type")));
      }
      epoch = last.getString("epoch");
    }
    try (TestSocket back = gateway.connect("/ws")) {
      JsonObject reply = subscribe(back, "orders.us", new JsonObject().put("offset", 4).put("epoch", epoch));
      assertThat(reply.getBoolean("recovered")).isTrue();
      assertThat(reply.getLong("offset")).isEqualTo(7L);
      assertThat(reply.getString("epoch")).isEqualTo(epoch);
      for (int n = 5; n <= 7; n++) {
        JsonObject message = back.nextJson();
        assertThat(message.getLong("offset")).isEqualTo(n);
        assertThat(message.getInteger("data")).isEqualTo(n);
      }
    }
    try (TestSocket tooOld = gateway.connect("/ws")) {
      // History size 5: offsets 3..7 are kept, so 2 is gone.
      JsonObject reply = subscribe(tooOld, "orders.us", new JsonObject().put("offset", 1).put("epoch", epoch));
      assertThat(reply.getBoolean("recovered")).isFalse();
      assertThat(tooOld.nextJson().getLong("offset")).as("what is kept still comes").isEqualTo(3L);
    }
    try (TestSocket otherEpoch = gateway.connect("/ws")) {
      JsonObject reply = subscribe(otherEpoch, "orders.us", new JsonObject().put("offset", 6).put("epoch", "retired"));
      assertThat(reply.getBoolean("recovered")).isFalse();
      assertThat(reply.getString("epoch")).isEqualTo(epoch);
      assertThat(reply.getLong("offset")).isEqualTo(7L);
      otherEpoch.send("{\"type\":\"ping\",\"id\":\"p\"}");
      assertThat(otherEpoch.nextJson().getString("type")).as("nothing replayed from another numbering").isEqualTo("pong");
    }
  }

  @Test
  void aServiceOnTheEventBusPublishesToAStreamGroupThroughTheGateways() {
    try (TestSocket reader = gateway.connect("/ws")) {
      subscribe(reader, "orders.svc", null);
      JsonObject reply = Await.result(vertx.eventBus().<JsonObject>request("switchboard.streams.publish",
        new JsonObject().put("group", "orders.svc").put("data", new JsonObject().put("total", 12)))).body();
      assertThat(reply.getLong("offset")).isEqualTo(1L);
      JsonObject message = reader.nextJson();
      assertThat(message.getLong("offset")).isEqualTo(1L);
      assertThat(message.getString("epoch")).isEqualTo(reply.getString("epoch"));
      assertThat(message.getJsonObject("data").getInteger("total")).isEqualTo(12);
      // A plain group is not numbered by the gateways: the service is told where to publish.
      Throwable refused = vertx.eventBus().request("switchboard.streams.publish",
        new JsonObject().put("group", "news").put("data", 1)).toCompletionStage().handle((r, e) -> e).toCompletableFuture().join();
      assertThat(refused).hasMessageContaining("invalid_group").hasMessageContaining("group.news");
    }
  }

  @Test
  void theHubWithAHistoryIsAStreamThatStillNeverEchoesAndReplaysTextAndBinaryFrames() {
    gateway.close();
    JsonArray rules = new JsonArray().add(new JsonObject().put("pattern", "hub").put("publish", true)
      .put("history", new JsonObject().put("size", 10).put("ttlMs", 60_000))).add(RULES.getJsonObject(1));
    gateway = GatewayHarness.start(vertx, config(100).put("groups", rules));
    try (TestSocket a = gateway.connect("/ws/hub"); TestSocket b = gateway.connect("/ws/hub");
         TestSocket follower = gateway.connect("/ws")) {
      subscribe(follower, "hub", null);
      GatewayHarness.await("three hub members", () -> gateway.get("/api/stats?group=hub")
        .bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") == 3);
      a.send("plain text");
      assertThat(b.next().text()).isEqualTo("plain text");
      a.sendBinary(io.vertx.core.buffer.Buffer.buffer(new byte[] {1, 2, (byte) 0xFF}));
      assertThat(b.next().bytes().getBytes()).containsExactly(1, 2, (byte) 0xFF);
      b.send("{\"from\":\"b\"}");
      assertThat(a.next().text()).isEqualTo("{\"from\":\"b\"}");
      assertThat(a.pending()).as("never back to the sender").isZero();
      JsonObject first = follower.nextJson();
      assertThat(first.getLong("offset")).isEqualTo(1L);
      assertThat(first.getString("data")).isEqualTo("plain text");
      String epoch = first.getString("epoch");
      assertThat(follower.nextJson().getLong("offset")).isEqualTo(2L);
      assertThat(follower.nextJson().getJsonObject("data").getString("from")).isEqualTo("b");
    }
    try (TestSocket back = gateway.connect("/ws")) {
      JsonObject reply = subscribe(back, "hub", new JsonObject().put("offset", 0).put("epoch", "any"));
      assertThat(reply.getBoolean("recovered")).isTrue();
      assertThat(back.nextJson().getString("data")).isEqualTo("plain text");
      JsonObject binary = back.nextJson();
      assertThat(binary.getString("encoding")).isEqualTo("base64");
      assertThat(java.util.Base64.getDecoder().decode(binary.getString("data"))).containsExactly(1, 2, (byte) 0xFF);
      assertThat(back.nextJson().getLong("offset")).isEqualTo(3L);
    }
  }

  @Test
  void aPlainGroupStaysUnnumbered() {
    try (TestSocket socket = gateway.connect("/ws")) {
      JsonObject subscribed = subscribe(socket, "news", null);
      assertThat(subscribed.containsKey("offset")).isFalse();
      socket.send("{\"type\":\"publish\",\"group\":\"news\",\"data\":1,\"id\":1}");
      assertThat(socket.awaitJson(j -> "ack".equals(j.getString("type")))).isEqualTo(new JsonObject()
        .put("type", "ack").put("id", 1));
      JsonObject message = socket.awaitJson(j -> "message".equals(j.getString("type")));
      assertThat(message.containsKey("offset")).isFalse();
      assertThat(httpPublish("news", "{\"data\":2}").bodyAsJsonObject()).isEqualTo(new JsonObject().put("group", "news"));
    }
  }

  @Test
  void atTheStreamBoundANewStreamIsRefusedOverWsAndHttpAndOpenStreamsGoOn() {
    gateway.close();
    gateway = GatewayHarness.start(vertx, config(1));
    try (TestSocket socket = gateway.connect("/ws")) {
      socket.send("{\"type\":\"publish\",\"group\":\"orders.a\",\"data\":1,\"id\":1}");
      assertThat(socket.awaitJson(j -> "ack".equals(j.getString("type"))).getLong("offset")).isEqualTo(1L);
      socket.send("{\"type\":\"publish\",\"group\":\"orders.b\",\"data\":1,\"id\":2}");
      JsonObject error = socket.awaitJson(j -> "error".equals(j.getString("type")));
      assertThat(error.getString("code")).isEqualTo("limit_reached");
      assertThat(error.getInteger("id")).isEqualTo(2);
      HttpResponse<Buffer> refused = httpPublish("orders.c", "{\"data\":1}");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("limit_reached");
      socket.send("{\"type\":\"publish\",\"group\":\"orders.a\",\"data\":2,\"id\":3}");
      assertThat(socket.awaitJson(j -> "ack".equals(j.getString("type"))).getLong("offset")).isEqualTo(2L);
    }
  }
}
