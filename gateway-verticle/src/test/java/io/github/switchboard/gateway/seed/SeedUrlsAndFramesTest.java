package io.github.switchboard.gateway.seed;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed apps' own URLs and the frames their clients understand: the scores client's root
 * URL, the random stream's Django route, trailing slashes, no greeting the chat client does not
 * know, a PONG with a timestamp, the first random number at once, CORS for a page on another
 * port of this machine, and error frames a client that answers everything cannot loop on.
 */
class SeedUrlsAndFramesTest {

  private Vertx vertx;
  private GatewayHarness gateway;
  private WebClient http;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    // A random number a minute: one that comes within seconds of the open came at once.
    gateway = GatewayHarness.start(vertx, new JsonObject().put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
    http = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    http.close();
    gateway.close();
    vertx.close().await();
  }

  private int upgrade(String path, Map<String, String> headers) {
    return gateway.upgrade(path, headers);
  }

  @Test
  void theRootUpgradesToTheScoresFeedAndAPlainGetIsTheIndexPage() {
    try (TestSocket root = gateway.connect("/")) {
      assertThat(root.nextJson().getString("type")).isEqualTo("INITIAL");
      root.send("{\"type\":\"PING\"}");
      JsonObject pong = root.awaitJson(f -> "PONG".equals(f.getString("type")));
      assertThat(pong.getValue("timestamp")).isInstanceOf(Number.class);
      root.send("{\"type\":\"PING\",\"timestamp\":12345}");
      assertThat(root.awaitJson(f -> "PONG".equals(f.getString("type"))).getLong("timestamp")).isEqualTo(12345L);
    }
    HttpResponse<Buffer> index = gateway.get("/");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.getHeader("content-type")).startsWith("text/html");
  }

  @Test
  void theRandomStreamAnswersOnItsSeedUrlWithANumberAtOnce() {
    for (String path : new String[] {"/ws/some_url/", "/ws/some_url", "/ws/random/"}) {
      try (TestSocket random = gateway.connect(path)) {
        JsonObject first = random.nextJson();
        assertThat(first.getInteger("message")).as(path).isBetween(0, 100);
        random.send("not json");
        assertThat(random.nextJson().getString("code")).isEqualTo("invalid_json");
      }
    }
  }

  @Test
  void chatRoomsTakeATrailingSlashAndSendNoGreetingUnlessAskedAndEmptyRoomsAreRefused() {
    try (TestSocket django = gateway.connect("/ws/chat/lobby/"); TestSocket ours = gateway.connect("/ws/chat/lobby?welcome=1")) {
      JsonObject welcome = ours.nextJson();
      assertThat(welcome.getString("type")).isEqualTo("welcome");
      assertThat(welcome.getString("room")).isEqualTo("lobby");
      django.send("{\"message\":\"hello from django\"}");
      // The seed client's first frame is the message itself: every frame it gets has "message".
      assertThat(django.nextJson().getString("message")).isEqualTo("hello from django");
      assertThat(ours.nextJson().getString("message")).isEqualTo("hello from django");
    }
    assertThat(upgrade("/ws/chat/", Map.of())).isEqualTo(400);
    assertThat(upgrade("/ws/chat//", Map.of())).isEqualTo(400);
    assertThat(upgrade("/ws/hub/", Map.of())).isEqualTo(101);
    assertThat(upgrade("/ws/", Map.of())).isEqualTo(101);
  }

  @Test
  void pagesOnThisMachineAtAnyPortMayCallTheApiAndOpenSockets() {
    String page = "http://localhost:5173";
    HttpResponse<Buffer> events = Await.result(http.get(gateway.port, "127.0.0.1", "/events").putHeader("Origin", page).send());
    assertThat(events.getHeader("Access-Control-Allow-Origin")).isEqualTo(page);
    assertThat(events.getHeader("Vary")).contains("Origin");
    HttpResponse<Buffer> preflight = Await.result(http.request(HttpMethod.OPTIONS, gateway.port, "127.0.0.1",
        "/api/groups/news/messages").putHeader("Origin", page).putHeader("Access-Control-Request-Method", "POST")
      .putHeader("Access-Control-Request-Headers", "authorization, content-type").send());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo(page);
    assertThat(preflight.getHeader("Access-Control-Allow-Methods")).contains("POST");
    assertThat(preflight.getHeader("Access-Control-Allow-Headers")).contains("Authorization");
    assertThat(upgrade("/ws/scores", Map.of("Origin", page))).isEqualTo(101);

    String stranger = "http://evil.example";
    HttpResponse<Buffer> refused = Await.result(http.get(gateway.port, "127.0.0.1", "/events").putHeader("Origin", stranger).send());
    assertThat(refused.getHeader("Access-Control-Allow-Origin")).isNull();
    HttpResponse<Buffer> refusedPreflight = Await.result(http.request(HttpMethod.OPTIONS, gateway.port, "127.0.0.1", "/events")
      .putHeader("Origin", stranger).putHeader("Access-Control-Request-Method", "GET").send());
    assertThat(refusedPreflight.statusCode()).isEqualTo(403);
    assertThat(upgrade("/ws/scores", Map.of("Origin", stranger))).isEqualTo(403);
  }

  @Test
  void withoutLocalhostOriginsOrTheRootEndpointTheyAreRefused() {
    gateway.close();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("allowLocalhostOrigins", false).put("rootEndpoint", "none"));
    assertThat(upgrade("/ws/scores", Map.of("Origin", "http://localhost:5173"))).isEqualTo(403);
    assertThat(upgrade("/", Map.of())).isNotEqualTo(101);
  }

  @Test
  void aSeedSocketGetsAtMostOneErrorFrameASecond() {
    try (TestSocket chat = gateway.connect("/ws/chat/quiet")) {
      for (int i = 0; i < 5; i++) {
        chat.send("not json");
      }
      chat.send("{\"message\":\"after\"}");
      // Five bad frames in well under a second: one error frame (two if a second began among
      // them), never five; then the message, which comes back through the room.
      int errors = 0;
      while (true) {
        JsonObject frame = chat.nextJson();
        if ("after".equals(frame.getString("message"))) {
          break;
        }
        assertThat(frame.getString("code")).isEqualTo("invalid_json");
        errors++;
      }
      assertThat(errors).isBetween(1, 2);
    }
  }

  @Test
  void aSeedMessageOverTheRateIsDroppedWithoutAFrame() {
    gateway.close();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("rateLimitPerSecond", 1).put("rateLimitBurst", 1)
      .put("rateLimitCloseAfter", 1_000));
    try (TestSocket flooder = gateway.connect("/ws/hub"); TestSocket other = gateway.connect("/ws/hub")) {
      // The hub sends no greeting: wait until the route between the two exists.
      GatewayHarness.await("both sockets in the hub", () ->
        gateway.get("/api/stats?group=hub").bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") == 2);
      for (int i = 0; i < 5; i++) {
        flooder.send("frame " + i);
      }
      assertThat(other.next().text()).isEqualTo("frame 0");
      GatewayHarness.await("four refusals counted", () -> gateway.get("/metrics").bodyAsString()
        .contains("switchboard_errors_total{code=\"rate_limited\"} 4.0"));
      // The flooder was told nothing: the first frame it gets is the other's.
      GatewayHarness.await("the other's bucket has a token", () -> {
        other.send("hello");
        try {
          return "hello".equals(flooder.next().text());
        } catch (AssertionError e) {
          return false;
        }
      });
    }
  }
}
