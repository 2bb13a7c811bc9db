package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate end to end with real clients: Vert.x WebSocket clients that offer it (and
 * accept the server's client_no_context_takeover) beside clients that do not. A group message
 * is compressed once however many compressing sockets get it (the gateway's counter, not a
 * timer), every socket gets the same data, compressed messages from a client are read, and
 * one that inflates past the size limit closes its socket as a large message would.
 */
public class DeflateWithRealClientsTest {

  private Vertx vertx;
  private GatewayHarness gateway;

  private void start(JsonObject config) {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, config.put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  public static WebSocketClientOptions compressing() {
    return TestSocket.options().setTryUsePerMessageCompression(true).setCompressionAllowClientNoContext(true);
  }

  private TestSocket connect(boolean compressing) {
    return compressing ? TestSocket.connect(vertx, gateway.port, "/ws", Map.of(), compressing())
      : gateway.connect("/ws");
  }

  private double metric(String series) {
    return gateway.metric(series);
  }

  /** A JSON object of about {@code bytes} bytes, as a feed would publish it. */
  public static JsonObject payload(int n, int bytes) {
    JsonObject data = new JsonObject().put("n", n);
    for (int i = 0; data.encode().length() < bytes; i++) {
      data.put("field" + i, "value " + i + " of message " + n);
    }
    return data;
  }

  private static void subscribe(TestSocket socket, String group) {
    socket.send(new JsonObject().put("type", "subscribe").put("group", group).put("id", "s"));
    socket.awaitJson(j -> "subscribed".equals(j.getString("type")));
  }

  @Test
  void aGroupMessageIsCompressedOnceForAHundredCompressingSocketsAndEverySocketGetsTheSameData() {
    start(new JsonObject());
    List<TestSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        TestSocket socket = connect(true);
        assertThat(socket.socket().headers().get("Sec-WebSocket-Extensions"))
          .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        subscribe(socket, "feed");
        sockets.add(socket);
      }
      TestSocket plain = connect(false);
      assertThat(plain.socket().headers().get("Sec-WebSocket-Extensions")).isNull();
      subscribe(plain, "feed");
      sockets.add(plain);

      double compressionsBefore = metric("switchboard_deflate_compressions_total");
      List<JsonObject> sent = new ArrayList<>();
      for (int n = 0; n < 3; n++) {
        JsonObject data = payload(n, 2048);
        sent.add(data);
        assertThat(gateway.post("/api/groups/feed/messages", new JsonObject().put("data", data)).statusCode()).isEqualTo(202);
      }
      for (TestSocket socket : sockets) {
        for (JsonObject data : sent) {
          assertThat(socket.awaitJson(j -> "message".equals(j.getString("type"))).getJsonObject("data")).isEqualTo(data);
        }
      }
      assertThat(metric("switchboard_deflate_compressions_total") - compressionsBefore)
        .as("one compression per message, not per socket").isEqualTo(3.0);
      double raw = metric("switchboard_deflate_bytes_total{form=\"raw\"}");
      double compressed = metric("switchboard_deflate_bytes_total{form=\"compressed\"}");
      assertThat(raw).as("300 compressed deliveries of about 2 KB").isGreaterThan(300 * 2000.0);
      assertThat(compressed).as("at least 3x smaller").isLessThan(raw / 3);

      // Below deflateMinBytes (512) nothing is compressed.
      double compressionsNow = metric("switchboard_deflate_compressions_total");
      gateway.post("/api/groups/feed/messages", new JsonObject().put("data", "short"));
      for (TestSocket socket : sockets) {
        assertThat(socket.awaitJson(j -> "message".equals(j.getString("type"))).getString("data")).isEqualTo("short");
      }
      assertThat(metric("switchboard_deflate_compressions_total")).isEqualTo(compressionsNow);
    } finally {
      sockets.forEach(TestSocket::close);
    }
  }

  @Test
  void compressedMessagesFromAClientAreReadAndOneThatInflatesPastTheLimitIsRefused() {
    start(new JsonObject().put("maxFrameBytes", 16 * 1024));
    try (TestSocket writer = connect(true); TestSocket reader = connect(false)) {
      subscribe(reader, "talk");
      JsonObject data = payload(1, 4096);
      writer.send(new JsonObject().put("type", "publish").put("group", "talk").put("data", data).put("id", 1));
      assertThat(writer.awaitJson(j -> "ack".equals(j.getString("type"))).getInteger("id")).isEqualTo(1);
      assertThat(reader.awaitJson(j -> "message".equals(j.getString("type"))).getJsonObject("data")).isEqualTo(data);

      // 100 KB of one letter: a few hundred bytes on the wire, over maxFrameBytes once inflated.
      writer.send(new JsonObject().put("type", "publish").put("group", "talk").put("data", "a".repeat(100_000)));
      assertThat(writer.awaitClose()).isEqualTo((short) 1009);
      reader.send(new JsonObject().put("type", "ping").put("id", "p"));
      assertThat(reader.awaitJson(j -> "pong".equals(j.getString("type")))).isNotNull();
    }
  }

  @Test
  void turnedOffNothingIsNegotiated() {
    start(new JsonObject().put("deflate", false));
    try (TestSocket socket = connect(true)) {
      assertThat(socket.socket().headers().get("Sec-WebSocket-Extensions")).isNull();
      subscribe(socket, "feed");
      JsonObject data = payload(7, 4096);
      gateway.post("/api/groups/feed/messages", new JsonObject().put("data", data));
      assertThat(socket.awaitJson(j -> "message".equals(j.getString("type"))).getJsonObject("data")).isEqualTo(data);
      assertThat(metric("switchboard_deflate_compressions_total")).isZero();
    }
  }
}
