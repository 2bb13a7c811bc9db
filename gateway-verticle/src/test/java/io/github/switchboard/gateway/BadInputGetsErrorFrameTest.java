package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/protocol.md section 2: each class of bad input gets its error frame and the socket stays
 * usable; an oversize frame closes with 1009; a bystander in the same group sees nothing odd.
 */
class BadInputGetsErrorFrameTest {

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    // Every error frame, one per bad input: the once-a-second rule of seed endpoints has its own test.
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false).put("maxFrameBytes", 4096)
      .put("seedErrorIntervalMs", 0));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  private static void assertError(TestSocket socket, String frame, String code, Object id) {
    socket.send(frame);
    JsonObject error = socket.nextJson();
    assertThat(error.getString("type")).as("reply to %s", frame).isEqualTo("error");
    assertThat(error.getString("code")).as("code for %s", frame).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
    assertThat(error.getValue("id")).as("id for %s", frame).isEqualTo(id);
    // Still usable: a ping right after is answered.
    socket.send("{\"type\":\"ping\",\"id\":\"after\"}");
    assertThat(socket.nextJson().getString("type")).isEqualTo("pong");
  }

  @Test
  void everyBadInputClassOnMultiplexGetsItsCode() {
    try (TestSocket bystander = gateway.connect("/ws"); TestSocket bad = gateway.connect("/ws")) {
      bystander.send("{\"type\":\"subscribe\",\"group\":\"g\",\"id\":1}");
      assertThat(bystander.nextJson().getString("type")).isEqualTo("subscribed");
      bad.send("{\"type\":\"subscribe\",\"group\":\"g\",\"id\":1}");
      assertThat(bad.nextJson().getString("type")).isEqualTo("subscribed");

      assertError(bad, "not json at all", "invalid_json", null);
      assertError(bad, "{\"type\":\"subscribe\",", "invalid_json", null);
      assertError(bad, "[1,2,3]", "invalid_json", null);
      assertError(bad, "{\"type\":\"teleport\",\"id\":5}", "unknown_type", 5);
      assertError(bad, "{\"id\":6}", "invalid_field", 6);
      assertError(bad, "{\"type\":42}", "invalid_field", null);
      assertError(bad, "{\"type\":\"subscribe\",\"id\":\"s\"}", "invalid_field", "s");
      assertError(bad, "{\"type\":\"subscribe\",\"group\":17,\"id\":8}", "invalid_field", 8);
      assertError(bad, "{\"type\":\"subscribe\",\"group\":\"bad group!\",\"id\":9}", "invalid_group", 9);
      assertError(bad, "{\"type\":\"subscribe\",\"group\":\"" + "x".repeat(129) + "\",\"id\":10}", "invalid_group", 10);
      assertError(bad, "{\"type\":\"subscribe\",\"group\":\"g\",\"since\":-1,\"id\":11}", "invalid_field", 11);
      assertError(bad, "{\"type\":\"subscribe\",\"group\":\"g\",\"since\":\"x\",\"id\":12}", "invalid_field", 12);
      assertError(bad, "{\"type\":\"publish\",\"group\":\"g\",\"id\":13}", "invalid_field", 13);
      assertError(bad, "{\"type\":\"ping\",\"id\":{\"nested\":true}}", "invalid_field", null);

      bad.sendBinary(Buffer.buffer(new byte[]{1, 2, 3}));
      assertThat(bad.nextJson().getString("code")).isEqualTo("unsupported_frame");

      // The group still works for both, and the bystander saw only the real message.
      bad.send("{\"type\":\"publish\",\"group\":\"g\",\"data\":1,\"id\":14}");
      assertThat(bad.awaitJson(j -> "ack".equals(j.getString("type"))).getInteger("id")).isEqualTo(14);
      JsonObject delivered = bystander.nextJson();
      assertThat(delivered.getString("type")).isEqualTo("message");
      assertThat(delivered.getInteger("data")).isEqualTo(1);
      assertThat(bystander.pending()).isZero();
    }
  }

  @Test
  void badInputOnSeedEndpointsGetsErrorFrames() {
    try (TestSocket scores = gateway.connect("/ws/scores"); TestSocket random = gateway.connect("/ws/random")) {
      // No simulator runs here, so the scores socket is also told the service is unavailable;
      // that frame may come before or after the replies below.
      scores.send("nope");
      scores.awaitJson(j -> "invalid_json".equals(j.getString("code")));
      scores.send("{\"type\":\"HELLO\"}");
      scores.awaitJson(j -> "unknown_type".equals(j.getString("code")));
      scores.send("{\"type\":\"PING\",\"timestamp\":123}");
      JsonObject pong = scores.awaitJson(j -> "PONG".equals(j.getString("type")));
      assertThat(pong.getString("type")).isEqualTo("PONG");
      assertThat(pong.getLong("timestamp")).isEqualTo(123L);
      random.send("{}");
      assertThat(random.nextJson().getString("code")).isEqualTo("unknown_type");
    }
  }

  @Test
  void invalidRoomIsRefusedBeforeUpgrade() {
    var response = gateway.get("/ws/chat/bad%20room");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("invalid_field");
    assertThat(gateway.get("/ws/chat/" + "r".repeat(65)).statusCode()).isEqualTo(400);
    assertThat(gateway.get("/ws/chat/a/b").statusCode()).isEqualTo(400);
  }

  @Test
  void oversizeFrameClosesWith1009AndSparesOthers() {
    try (TestSocket bystander = gateway.connect("/ws/hub"); TestSocket big = gateway.connect("/ws/hub")) {
      GatewayHarness.await("2 hub members",
        () -> gateway.get("/api/stats?group=hub").bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") == 2);
      big.sendFrame(WebSocketFrame.textFrame("x".repeat(5000), true));
      assertThat(big.awaitClose()).isEqualTo((short) 1009);
      assertThat(bystander.pending()).as("the oversize frame must not be relayed").isZero();
      assertThat(bystander.isClosed()).isFalse();
      try (TestSocket other = gateway.connect("/ws/hub")) {
        GatewayHarness.await("hub members again",
          () -> gateway.get("/api/stats?group=hub").bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") == 2);
        other.send("still here");
        assertThat(bystander.next().text()).isEqualTo("still here");
      }
    }
  }

  @Test
  void oversizeFragmentedMessageClosesWith1009() {
    try (TestSocket big = gateway.connect("/ws")) {
      big.sendFrame(WebSocketFrame.textFrame("{\"type\":\"ping\",\"pad\":\"" + "y".repeat(3000), false));
      big.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer("z".repeat(3000) + "\"}"), true));
      assertThat(big.awaitClose()).isEqualTo((short) 1009);
    }
  }

  @Test
  void textThatIsNotUtf8ClosesWith1007AndSparesOthers() {
    try (TestSocket bystander = gateway.connect("/ws/hub"); TestSocket bad = gateway.connect("/ws/hub")) {
      GatewayHarness.await("2 hub members",
        () -> gateway.get("/api/stats?group=hub").bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") == 2);
      // C3 28: a two-byte sequence whose second byte is not a continuation byte.
      bad.sendFrame(WebSocketFrame.textFrame(new String(new char[] {'a'}), false));
      bad.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] {(byte) 0xC3, 0x28}), true));
      assertThat(bad.awaitClose()).isEqualTo((short) 1007);
      assertThat(bystander.pending()).as("the invalid message must not be relayed").isZero();
      assertThat(bystander.isClosed()).isFalse();
    }
  }

  @Test
  void frameOverTheHardCapIsRefusedBeforeItIsReadWith1009() {
    try (TestSocket big = gateway.connect("/ws/hub")) {
      big.sendFrame(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[1_100_000]), true));
      assertThat(big.awaitClose()).isEqualTo((short) 1009);
    }
    GatewayHarness.await("socket gone", () -> gateway.get("/api/stats").bodyAsJsonObject().getInteger("connections") == 0);
  }

  /**
   * Upgrades the gateway cannot serve are refused with an HTTP status, and the connection stays
   * plain HTTP: the next request on it is answered.
   */
  @Test
  void upgradesWithoutAKeyOrWithAnOldVersionAreRefusedAndTheConnectionStaysHttp() throws Exception {
    try (Socket tcp = new Socket("127.0.0.1", gateway.port)) {
      tcp.setSoTimeout(10_000);
      Writer out = new OutputStreamWriter(tcp.getOutputStream(), StandardCharsets.US_ASCII);
      BufferedReader in = new BufferedReader(new InputStreamReader(tcp.getInputStream(), StandardCharsets.US_ASCII));

      out.write("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n");
      out.flush();
      assertThat(readResponse(in)).startsWith("HTTP/1.1 400").contains("Sec-WebSocket-Key");

      // Draft-00 (hixie-76): no version header, two keys, and 8 key bytes after the headers.
      out.write("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U");
      out.flush();
      String refused = readResponse(in);
      assertThat(refused).startsWith("HTTP/1.1 426").containsIgnoringCase("sec-websocket-version: 13");

      out.write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
      out.flush();
      assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
    }
  }

  /** Status line, headers and a Content-Length body, as one string. */
  private static String readResponse(BufferedReader in) throws IOException {
    StringBuilder response = new StringBuilder();
    int length = 0;
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      response.append(line).append('\n');
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    char[] body = new char[length];
    int read = 0;
    while (read < length) {
      int n = in.read(body, read, length - read);
      if (n < 0) {
        break;
      }
      read += n;
    }
    return response.append(body, 0, read).toString();
  }
}
