package io.github.switchboard.gateway.hostile;

import io.github.switchboard.gateway.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Frames and requests outside what the gateway speaks get a protocol answer, not an echo. */
class ProtocolAbuseTest {

  private static Vertx vertx;
  private static GatewayHarness gateway;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    vertx.close().await();
  }

  @Test
  void aCloseCodeFrom5000OnIsAnsweredWithAProtocolError() throws IOException {
    try (RawWebSocket ws = RawWebSocket.open(gateway.port, "/ws")) {
      ws.write(RawWebSocket.frame(RawWebSocket.OPCODE_CLOSE, new byte[] {(byte) (5000 >> 8), (byte) (5000 & 0xFF)}));
      byte[] answer = ws.readToEnd();
      assertThat(answer.length).as("a close frame came back").isGreaterThanOrEqualTo(4);
      assertThat(answer[0] & 0x0F).isEqualTo(RawWebSocket.OPCODE_CLOSE);
      assertThat(((answer[2] & 0xFF) << 8) | (answer[3] & 0xFF)).isEqualTo(1002);
    }
  }

  @Test
  void aValidCloseCodeIsEchoed() throws IOException {
    try (RawWebSocket ws = RawWebSocket.open(gateway.port, "/ws")) {
      ws.write(RawWebSocket.frame(RawWebSocket.OPCODE_CLOSE, new byte[] {(byte) (4321 >> 8), (byte) (4321 & 0xFF)}));
      byte[] answer = ws.readToEnd();
      assertThat(((answer[2] & 0xFF) << 8) | (answer[3] & 0xFF)).isEqualTo(4321);
    }
  }

  @Test
  void http2PriorKnowledgeIsNotSpoken() throws IOException {
    String answer = exchange("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    // An HTTP/2 server would answer with a SETTINGS frame (binary, starting with a length);
    // an HTTP/1 server refuses the request in text (Vert.x: 501, echoing the version).
    assertThat(answer).matches("(?s)HTTP/\\S+ [45]\\d\\d .*");
  }

  @Test
  void anH2cUpgradeIsIgnored() throws IOException {
    String answer = exchange("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
      + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 200");
  }

  /** Sends raw bytes and reads the answer's first kilobyte (or up to the close). */
  private static String exchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[1024];
      int n = in.read(buffer);
      return n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
    }
  }
}
