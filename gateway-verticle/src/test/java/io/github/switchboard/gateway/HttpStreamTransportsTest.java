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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transports for clients whose WebSocket cannot pass (docs/protocol.md, "Without
 * WebSocket"): {@code /sse} and {@code /stream} carry {@code /ws}'s frames down, {@code POST
 * /emulation} carries the client's up; a stream that dropped comes back with
 * {@code Last-Event-ID} or {@code since} and misses nothing. Real clients: the JDK's HTTP
 * client reads the streams, and WebSocket clients publish beside them.
 */
class HttpStreamTransportsTest {

  private static final JsonArray RULES = new JsonArray()
    .add(new JsonObject().put("pattern", "orders.*").put("subscribe", true).put("publish", true)
      .put("history", new JsonObject().put("size", 100).put("ttlMs", 60_000)))
    .add(new JsonObject().put("pattern", "*").put("subscribe", true).put("publish", true));

  private Vertx vertx;
  private GatewayHarness gateway;
  private WebClient http;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    http = WebClient.create(vertx);
    gateway = GatewayHarness.start(vertx, new JsonObject().put("groups", RULES).put("pingIntervalMs", 300)
      .put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
  }

  @AfterEach
  void stop() {
    http.close();
    gateway.close();
    vertx.close().await();
  }

  private HttpResponse<Buffer> publish(String group, Object data) {
    return Await.result(http.post(gateway.port, "127.0.0.1", "/api/groups/" + group + "/messages")
      .sendJsonObject(new JsonObject().put("data", data)));
  }

  private static boolean type(JsonObject json, String type) {
    return type.equals(json.getString("type"));
  }

  @Test
  void serverSentEventsCarryTheWsProtocolBothWays() {
    try (TestStream sse = TestStream.open(gateway.port, "/sse?groups=orders.eu,news")) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.contentType()).startsWith("text/event-stream");
      JsonObject connected = sse.next();
      assertThat(connected.getString("type")).isEqualTo("connected");
      assertThat(connected.getString("transport")).isEqualTo("sse");
      assertThat(connected.getString("session")).startsWith(connected.getString("connectionId") + ".");
      sse.connected();
      JsonObject orders = sse.awaitJson(j -> type(j, "subscribed") && "orders.eu".equals(j.getString("group")));
      assertThat(orders.getLong("offset")).isZero();
      sse.awaitJson(j -> type(j, "subscribed") && "news".equals(j.getString("group")));

      assertThat(publish("orders.eu", new JsonObject().put("n", 1)).statusCode()).isEqualTo(202);
      TestStream.Event first = sse.await(j -> type(j, "message"));
      assertThat(first.json().getLong("offset")).isEqualTo(1L);
      assertThat(new JsonObject(first.id()).getJsonObject("orders.eu").getLong("offset"))
        .as("the event id is the stream's position").isEqualTo(1L);
      publish("news", "plain");
      TestStream.Event plain = sse.await(j -> type(j, "message"));
      assertThat(plain.json().getString("data")).isEqualTo("plain");
      assertThat(plain.id()).as("a plain group has no offset, so no id").isNull();

      // Up the stream by POST: a publish is acknowledged on the stream, a ping answered there.
      sse.send(gateway.port, new JsonObject().put("type", "publish").put("group", "orders.eu")
        .put("data", new JsonObject().put("n", 2)).put("id", "p1"));
      JsonObject ack = sse.awaitJson(j -> type(j, "ack"));
      assertThat(ack.getString("id")).isEqualTo("p1");
      assertThat(ack.getLong("offset")).isEqualTo(2L);
      sse.send(gateway.port, new JsonObject().put("type", "ping").put("id", "x"));
      assertThat(sse.awaitJson(j -> type(j, "pong")).getString("id")).isEqualTo("x");

      // A bad frame gets an error frame on the stream, and the stream goes on; a frame may also
      // go up as the text a WebSocket frame would carry.
      sse.send(gateway.port, new JsonObject().put("type", "dance").put("id", "bad"));
      assertThat(sse.awaitJson(j -> type(j, "error")).getString("code")).isEqualTo("unknown_type");
      var asText = TestStream.emulate(gateway.port, new JsonObject().put("session", sse.connected())
        .put("frames", new JsonArray().add("{not json").add("{\"type\":\"ping\",\"id\":\"t\"}")));
      assertThat(asText.statusCode()).isEqualTo(204);
      assertThat(sse.awaitJson(j -> type(j, "error")).getString("code")).isEqualTo("invalid_json");
      assertThat(sse.awaitJson(j -> type(j, "pong")).getString("id")).isEqualTo("t");
      sse.send(gateway.port, new JsonObject().put("type", "unsubscribe").put("group", "news").put("id", "u"));
      assertThat(sse.awaitJson(j -> type(j, "unsubscribed")).getString("group")).isEqualTo("news");

      // With nothing to say, the stream gets keep-alive comments (pingIntervalMs 300).
      GatewayHarness.await("keep-alive comments", () -> sse.comments() >= 2);
      assertThat(sse.ended()).isFalse();
    }
  }

  @Test
  void aDroppedEventStreamComesBackWithLastEventIdAndMissesNothing() {
    String lastEventId;
    try (TestStream sse = TestStream.open(gateway.port, "/sse?groups=orders.a,orders.b")) {
      sse.connected();
      sse.awaitJson(j -> type(j, "subscribed") && "orders.a".equals(j.getString("group")));
      sse.awaitJson(j -> type(j, "subscribed") && "orders.b".equals(j.getString("group")));
      publish("orders.a", 1);
      publish("orders.b", 1);
      publish("orders.a", 2);
      for (int i = 0; i < 3; i++) {
        sse.await(j -> type(j, "message"));
      }
      lastEventId = sse.lastEventId();
    }
    // Both groups go on while the stream is away.
    publish("orders.a", 3);
    publish("orders.b", 2);
    publish("orders.b", 3);

    try (TestStream back = TestStream.open(gateway.port, "/sse?groups=orders.a,orders.b",
      Map.of("Last-Event-ID", lastEventId))) {
      back.connected();
      List<String> got = new ArrayList<>();
      int subscribed = 0;
      while (got.size() < 3 || subscribed < 2) {
        JsonObject next = back.next();
        if (type(next, "subscribed")) {
          assertThat(next.getBoolean("recovered")).as(next.encode()).isTrue();
          subscribed++;
        } else if (type(next, "message")) {
          got.add(next.getString("group") + ":" + next.getLong("offset") + "=" + next.getValue("data"));
        }
      }
      assertThat(got).containsExactlyInAnyOrder("orders.a:3=3", "orders.b:2=2", "orders.b:3=3");
      back.send(gateway.port, new JsonObject().put("type", "ping").put("id", "end"));
      assertThat(back.awaitJson(j -> !type(j, "subscribed")).getString("type")).as("nothing repeated").isEqualTo("pong");
    }
  }

  @Test
  void jsonLinesCarryTheSameFramesAndRecoverWithSince() {
    String epoch;
    try (TestStream lines = TestStream.open(gateway.port, "/stream?groups=orders.x")) {
      assertThat(lines.contentType()).startsWith("application/x-ndjson");
      assertThat(lines.next().getString("transport")).isEqualTo("http_stream");
      epoch = lines.awaitJson(j -> type(j, "subscribed")).getString("epoch");
      publish("orders.x", "a");
      JsonObject message = lines.awaitJson(j -> type(j, "message"));
      assertThat(message.getString("data")).isEqualTo("a");
      epoch = message.getString("epoch");
    }
    publish("orders.x", "b");
    String since = new JsonObject().put("orders.x", new JsonObject().put("offset", 1).put("epoch", epoch)).encode();
    try (TestStream back = TestStream.open(gateway.port, "/stream?groups=orders.x&since="
      + java.net.URLEncoder.encode(since, java.nio.charset.StandardCharsets.UTF_8))) {
      assertThat(back.awaitJson(j -> type(j, "subscribed")).getBoolean("recovered")).isTrue();
      JsonObject missed = back.awaitJson(j -> type(j, "message"));
      assertThat(missed.getLong("offset")).isEqualTo(2L);
      assertThat(missed.getString("data")).isEqualTo("b");
    }
  }

  @Test
  void badRequestsGetAClearErrorAndLeaveOtherStreamsAlone() {
    try (TestStream bystander = TestStream.open(gateway.port, "/sse?groups=news")) {
      String key = bystander.connected();
      bystander.awaitJson(j -> type(j, "subscribed"));

      TestStream badGroup = TestStream.open(gateway.port, "/sse?groups=no%20spaces");
      assertThat(badGroup.status()).isEqualTo(400);
      assertThat(badGroup.error().getString("error")).isEqualTo("invalid_field");
      TestStream badSince = TestStream.open(gateway.port, "/stream?groups=news&since=5");
      assertThat(badSince.status()).isEqualTo(400);
      TestStream badLastId = TestStream.open(gateway.port, "/sse?groups=news", Map.of("Last-Event-ID", "{nope"));
      assertThat(badLastId.status()).isEqualTo(400);

      var unknown = TestStream.emulate(gateway.port, new JsonObject().put("session", key + "x")
        .put("frame", new JsonObject().put("type", "ping")));
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(new JsonObject(unknown.body()).getString("error")).isEqualTo("not_found");
      var noKey = TestStream.emulate(gateway.port, new JsonObject().put("frame", new JsonObject().put("type", "ping")));
      assertThat(noKey.statusCode()).isEqualTo(400);
      var notObjects = TestStream.emulate(gateway.port, new JsonObject().put("session", key).put("frames", new JsonArray().add(1)));
      assertThat(notObjects.statusCode()).isEqualTo(400);
      HttpResponse<Buffer> notJson = Await.result(http.post(gateway.port, "127.0.0.1", "/emulation")
        .sendBuffer(Buffer.buffer("{not json")));
      assertThat(notJson.statusCode()).isEqualTo(400);
      assertThat(notJson.bodyAsJsonObject().getString("error")).isEqualTo("invalid_json");

      publish("news", "still here");
      assertThat(bystander.awaitJson(j -> type(j, "message")).getString("data")).isEqualTo("still here");
    }
  }
}
