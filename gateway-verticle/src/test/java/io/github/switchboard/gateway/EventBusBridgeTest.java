package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event-bus bridge behind the gateway's own rules, through SockJS's raw WebSocket
 * ({@code /eventbus/websocket}: the bridge protocol's JSON, one message per frame): a token is
 * required when the gateway requires one, and its group claims apply; the rate limit and the
 * size limit answer with {@code err} messages and leave the connection and other clients alone;
 * the bridge's connections and messages are counted under {@code endpoint="/eventbus"}.
 */
class EventBusBridgeTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  private Vertx vertx;
  private GatewayHarness gateway;
  private JWTAuth signer;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    gateway = GatewayHarness.start(vertx, new JsonObject()
      .put("auth", new JsonObject().put("hs256Secret", SECRET).put("anonymous", false))
      .put("rateLimitPerSecond", 1).put("rateLimitBurst", 3).put("maxFrameBytes", 1024)
      .put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  private String token(String user, String... groups) {
    return signer.generateToken(new JsonObject().put("sub", user).put("groups", new JsonArray(java.util.List.of((Object[]) groups))),
      new JWTOptions().setExpiresInSeconds(600));
  }

  private static JsonObject frame(String type, String address) {
    return new JsonObject().put("type", type).put("address", address);
  }

  @Test
  void withoutATokenTheConnectionIsRefusedAndTheTokensGroupsApply() {
    try (TestSocket anonymous = gateway.connect("/eventbus/websocket")) {
      JsonObject err = anonymous.nextJson();
      assertThat(err.getString("type")).isEqualTo("err");
      assertThat(err.getString("failureType")).isEqualTo("unauthorized");
      anonymous.awaitClose();
    }
    try (TestSocket alice = gateway.connect("/eventbus/websocket?token=" + token("alice", "news"))) {
      alice.send(frame("register", "news"));
      alice.send(frame("register", "other"));
      JsonObject refused = alice.nextJson();
      assertThat(refused.getString("type")).isEqualTo("err");
      assertThat(refused.getString("address")).isEqualTo("other");
      assertThat(refused.getString("failureType")).isEqualTo("forbidden");
      GatewayHarness.await("alice's delivery", () -> {
        gateway.post("/api/groups/news/messages", new JsonObject().put("data", new JsonObject().put("n", 1)));
        return alice.pending() > 0;
      });
      JsonObject rec = alice.nextJson();
      assertThat(rec).isEqualTo(new JsonObject().put("type", "rec").put("address", "news").put("headers", new JsonObject())
        .put("body", new JsonObject().put("n", 1)));
    }
    assertThat(gateway.metric("switchboard_connections_opened_total{endpoint=\"/eventbus\"}")).as("the admitted one").isEqualTo(1.0);
  }

  @Test
  void theRateAndSizeLimitsAnswerWithErrAndTheConnectionGoesOn() {
    String token = token("bob", "*");
    try (TestSocket bob = gateway.connect("/eventbus/websocket?token=" + token);
         TestSocket reader = gateway.connect("/ws?token=" + token)) {
      reader.send(new JsonObject().put("type", "subscribe").put("group", "chat-free").put("id", "s"));
      reader.awaitJson(j -> "subscribed".equals(j.getString("type")));
      for (int i = 0; i < 5; i++) {
        bob.send(frame("publish", "chat-free").put("body", i));
      }
      JsonObject limited = bob.awaitJson(j -> "err".equals(j.getString("type")));
      assertThat(limited.getString("failureType")).isEqualTo("rate_limited");
      for (int i = 0; i < 3; i++) {
        assertThat(reader.awaitJson(j -> "message".equals(j.getString("type"))).getInteger("data")).isEqualTo(i);
      }
      // Size and JSON are checked before the rate: each gets its own err, whatever the bucket holds.
      bob.send(frame("publish", "chat-free").put("body", "x".repeat(2000)));
      assertThat(bob.awaitJson(j -> "err".equals(j.getString("type")) && !"rate_limited".equals(j.getString("failureType")))
        .getString("failureType")).isEqualTo("too_large");
      bob.send("{not json");
      assertThat(bob.awaitJson(j -> "err".equals(j.getString("type")) && !"rate_limited".equals(j.getString("failureType")))
        .getString("failureType")).isEqualTo("invalid_json");
      assertThat(bob.isClosed()).isFalse();
    }
  }
}
