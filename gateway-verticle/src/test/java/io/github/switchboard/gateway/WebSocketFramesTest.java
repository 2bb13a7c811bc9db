package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 6455 behaviour of the gateway's own WebSocket layer, seen from a real client: fragmented
 * messages are joined, pings are answered, a close from the client is echoed with its code.
 * (Limits and bad input: BadInputGetsErrorFrameTest.)
 */
class WebSocketFramesTest {

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false).put("maxFrameBytes", 4096));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  @Test
  void fragmentedMessageWithinTheLimitIsJoinedAndAnswered() {
    try (TestSocket socket = gateway.connect("/ws")) {
      socket.sendFrame(WebSocketFrame.textFrame("{\"type\":\"pi", false));
      socket.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer("ng\",\"id\":\"frag"), false));
      socket.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer("mented\",\"pad\":\"" + "é".repeat(1000) + "\"}"), true));
      JsonObject pong = socket.nextJson();
      assertThat(pong.getString("type")).isEqualTo("pong");
      assertThat(pong.getString("id")).isEqualTo("fragmented");
    }
  }

  @Test
  void closeFromTheClientIsEchoedWithItsCodeAndTheSessionIsGone() {
    TestSocket socket = gateway.connect("/ws");
    socket.send("{\"type\":\"subscribe\",\"group\":\"g\"}");
    assertThat(socket.nextJson().getString("type")).isEqualTo("subscribed");
    socket.socket().close((short) 4000, "bye");
    assertThat(socket.awaitClose()).isEqualTo((short) 4000);
    GatewayHarness.await("session and group consumer gone", () -> {
      JsonObject stats = gateway.get("/api/stats").bodyAsJsonObject();
      return stats.getInteger("connections") == 0;
    });
  }

  @Test
  void pingFromTheClientIsAnsweredWithItsPayload() {
    try (TestSocket socket = gateway.connect("/ws")) {
      CompletableFuture<Buffer> pong = new CompletableFuture<>();
      socket.socket().pongHandler(pong::complete);
      socket.socket().writePing(Buffer.buffer("are you there"));
      assertThat(pong.orTimeout(10, TimeUnit.SECONDS).join().toString()).isEqualTo("are you there");
      // And the socket still works.
      socket.send("{\"type\":\"ping\",\"id\":2}");
      assertThat(socket.nextJson().getString("type")).isEqualTo("pong");
    }
  }
}
