package io.github.switchboard.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Origin allow-list, per-connection rate limit, per-IP and per-gateway connection limits. */
class AbuseLimitsTest {

  private Vertx vertx;
  private WebSocketClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() {
    client.close();
    vertx.close().await();
  }

  /** The HTTP status of a refused upgrade, or 101 when it was accepted. */
  private int upgrade(GatewayHarness gateway, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port).setURI("/ws");
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    Future<WebSocket> connect = client.connect(options);
    try {
      WebSocket socket = Await.result(connect);
      socket.close();
      return 101;
    } catch (Throwable e) {
      if (connect.cause() instanceof UpgradeRejectedException rejected) {
        return rejected.getStatus();
      }
      throw e;
    }
  }

  @Test
  void originsOutsideTheAllowListAreRefusedWith403() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false)
      .put("allowedOrigins", new JsonArray().add("https://app.example.com")))) {
      assertThat(upgrade(gateway, null)).as("no Origin: not a browser").isEqualTo(101);
      assertThat(upgrade(gateway, "https://app.example.com")).isEqualTo(101);
      assertThat(upgrade(gateway, "http://127.0.0.1:" + gateway.port)).as("the gateway's own pages").isEqualTo(101);
      assertThat(upgrade(gateway, "https://evil.example.com")).isEqualTo(403);
      assertThat(upgrade(gateway, "null")).isEqualTo(403);
      assertThat(gateway.stats().getJsonObject("errors").getLong("forbidden")).isEqualTo(2L);
      // Same origin by address or localhost: the gateway's own pages.
      assertThat(rawUpgrade(gateway, "localhost:" + gateway.port, "http://localhost:" + gateway.port)).isEqualTo(101);
      assertThat(rawUpgrade(gateway, "[::1]:" + gateway.port, "http://[::1]:" + gateway.port)).isEqualTo(101);
      // Same origin under a name (DNS rebinding: the attacker's name points at the gateway).
      assertThat(rawUpgrade(gateway, "rebind.example:" + gateway.port, "http://rebind.example:" + gateway.port))
        .isEqualTo(403);
      // A name served by the gateway is listed like any other site.
      assertThat(rawUpgrade(gateway, "app.example.com", "https://app.example.com")).isEqualTo(101);
    }
    try (GatewayHarness open = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false)
      .put("allowedOrigins", new JsonArray().add("*")))) {
      assertThat(upgrade(open, "https://anywhere.example")).isEqualTo(101);
    }
  }

  /** The status of an upgrade sent with the given Host and Origin headers, byte for byte. */
  private static int rawUpgrade(GatewayHarness gateway, String host, String origin) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + origin
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      byte[] head = socket.getInputStream().readNBytes(12);
      return Integer.parseInt(new String(head, java.nio.charset.StandardCharsets.ISO_8859_1).substring(9, 12));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void rateLimitRefusesThenRecoversThenClosesPersistentAbuseWith1008() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false)
      .put("rateLimitPerSecond", 4).put("rateLimitBurst", 5).put("rateLimitCloseAfter", 30));
         TestSocket bystander = gateway.connect("/ws"); TestSocket abuser = gateway.connect("/ws")) {
      // A burst of 12: the first 5 fit the bucket, most of the rest are refused (it refills at
      // 4/s, so one or two may get through on a slow machine).
      for (int i = 0; i < 12; i++) {
        abuser.socket().writeTextMessage("{\"type\":\"ping\",\"id\":" + i + "}");
      }
      int pongs = 0;
      int refused = 0;
      for (int i = 0; i < 12; i++) {
        JsonObject reply = abuser.nextJson();
        if ("pong".equals(reply.getString("type"))) {
          pongs++;
        } else {
          assertThat(reply.getString("code")).isEqualTo("rate_limited");
          refused++;
        }
      }
      assertThat(pongs).isBetween(5, 8);
      assertThat(refused).isEqualTo(12 - pongs);

      // The bucket refills: a ping is answered again after a short while.
      long deadline = System.nanoTime() + TestSocket.TIMEOUT.toNanos();
      while (true) {
        abuser.send("{\"type\":\"ping\",\"id\":\"again\"}");
        JsonObject reply = abuser.nextJson();
        if ("pong".equals(reply.getString("type"))) {
          break;
        }
        assertThat(reply.getString("code")).isEqualTo("rate_limited");
        assertThat(System.nanoTime()).as("rate limit recovers").isLessThan(deadline);
        long next = System.nanoTime() + 100_000_000L;
        GatewayHarness.await("100 ms", () -> System.nanoTime() > next);
      }

      // A flood: refused, then closed for policy violation; the bystander is not delayed.
      for (int i = 0; i < 200 && !abuser.isClosed(); i++) {
        abuser.socket().writeTextMessage("{\"type\":\"ping\"}");
      }
      assertThat(abuser.awaitClose()).isEqualTo((short) 1008);
      bystander.send("{\"type\":\"ping\",\"id\":1}");
      assertThat(bystander.nextJson().getString("type")).isEqualTo("pong");
    }
  }

  @Test
  void perAddressAndPerGatewayConnectionLimits() {
    // Every TCP connection counts from accept (this test's HTTP calls included), so the
    // checks go through upgrades, never through /api/stats.
    List<TestSocket> open = new ArrayList<>();
    try (GatewayHarness perIp = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false)
      .put("maxConnectionsPerIp", 2))) {
      open.add(perIp.connect("/ws"));
      open.add(perIp.connect("/ws"));
      assertThat(upgrade(perIp, null)).isEqualTo(429);
      open.remove(0).close();
      GatewayHarness.await("a slot for this address again", () -> upgrade(perIp, null) == 101);
    } finally {
      open.forEach(TestSocket::close);
      open.clear();
    }
    try (GatewayHarness full = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false)
      .put("maxConnections", 1))) {
      open.add(full.connect("/ws"));
      assertThat(upgrade(full, null)).isEqualTo(503);
    } finally {
      open.forEach(TestSocket::close);
    }
  }
}
