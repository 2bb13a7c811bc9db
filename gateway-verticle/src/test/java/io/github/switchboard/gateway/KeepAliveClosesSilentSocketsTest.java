package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server pings every socket each interval and closes one that has not answered the
 * previous ping. The silent client here is a raw TCP socket that did the WebSocket handshake
 * and then never answers anything.
 */
class KeepAliveClosesSilentSocketsTest {

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    // A second between pings: long enough that the answering client's pong is never late on a
    // loaded CI machine, short enough to keep the test quick.
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false).put("pingIntervalMs", 1000));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  @Test
  void silentSocketIsPingedThenClosedWhileAnsweringOneStays() throws Exception {
    try (TestSocket answering = gateway.connect("/ws/hub")) {
      NetClient net = vertx.createNetClient();
      NetSocket raw = Await.result(net.connect(gateway.port, "127.0.0.1"));
      Buffer received = Buffer.buffer();
      CompletableFuture<Void> rawClosed = new CompletableFuture<>();
      raw.handler(received::appendBuffer);
      raw.closeHandler(v -> rawClosed.complete(null));
      raw.write("GET /ws/hub HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

      rawClosed.get(TestSocket.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      String text = received.toString("ISO-8859-1");
      assertThat(text).startsWith("HTTP/1.1 101");
      int body = text.indexOf("\r\n\r\n") + 4;
      byte[] frames = received.getBytes(body, received.length());
      // First frame: an empty ping (0x89 0x00); later: a close frame (0x88) with code 1001.
      assertThat(frames[0] & 0xFF).isEqualTo(0x89);
      assertThat(frames[1]).isEqualTo((byte) 0);
      int close = indexOfClose(frames);
      assertThat(close).as("close frame present").isGreaterThan(0);
      int code = ((frames[close + 2] & 0xFF) << 8) | (frames[close + 3] & 0xFF);
      assertThat(code).isEqualTo(1001);

      // The socket that answers pings (Vert.x's client pongs on its own) is still there.
      assertThat(answering.isClosed()).isFalse();
      assertThat(gateway.stats().getInteger("connections")).isEqualTo(1);
      net.close();
    }
  }

  private static int indexOfClose(byte[] frames) {
    int i = 0;
    while (i + 1 < frames.length) {
      int opcode = frames[i] & 0x0F;
      int length = frames[i + 1] & 0x7F;
      if (opcode == 0x8) {
        return i;
      }
      i += 2 + length;
    }
    return -1;
  }
}
