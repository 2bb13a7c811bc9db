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
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** JWT on connect, per-group permissions from the token, sender = subject. Real signed tokens. */
class TokenAuthTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final String ISSUER = "https://id.test";
  private static final String AUDIENCE = "switchboard";

  private Vertx vertx;
  private JWTAuth signer;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private static JsonObject hsConfig() {
    return new JsonObject().put("auth", new JsonObject().put("hs256Secret", SECRET).put("issuer", ISSUER)
      .put("audience", AUDIENCE).put("anonymous", false));
  }

  private String token(JWTAuth by, JsonObject claims, String audience, int expiresInSeconds) {
    JWTOptions options = new JWTOptions().setIssuer(ISSUER).setAudience(List.of(audience));
    if (expiresInSeconds != 0) {
      options.setExpiresInSeconds(expiresInSeconds);
    }
    if (by != signer) {
      options.setAlgorithm("RS256");
    }
    return by.generateToken(claims, options);
  }

  private String token(JsonObject claims) {
    return token(signer, claims, AUDIENCE, 60);
  }

  private static JsonObject claims(String subject, Object groups) {
    JsonObject claims = new JsonObject().put("groups", groups);
    if (subject != null) {
      claims.put("sub", subject);
    }
    return claims;
  }

  /** 101 when the upgrade was accepted, else the refusal's HTTP status. */
  private static int upgrade(GatewayHarness gateway, String path, String bearer) {
    return gateway.upgrade(path, bearer == null ? java.util.Map.of() : java.util.Map.of("Authorization", "Bearer " + bearer));
  }

  @Test
  void tokensAreCheckedOnUpgrade() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, hsConfig().put("embeddedServices", false))) {
      JsonObject everything = claims("alice", new JsonArray().add("*"));
      assertThat(upgrade(gateway, "/ws", null)).as("anonymous is off").isEqualTo(401);
      assertThat(upgrade(gateway, "/ws", token(everything))).as("valid, header").isEqualTo(101);
      assertThat(upgrade(gateway, "/ws?token=" + token(everything), null)).as("valid, query").isEqualTo(101);

      long now = System.currentTimeMillis() / 1000;
      JsonObject stale = everything.copy().put("exp", now - 120).put("iat", now - 600);
      assertThat(upgrade(gateway, "/ws", token(signer, stale, AUDIENCE, 0))).as("expired").isEqualTo(401);
      JsonObject early = everything.copy().put("nbf", now + 600);
      assertThat(upgrade(gateway, "/ws", token(early))).as("not yet valid").isEqualTo(401);

      JWTAuth otherKey = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("HS256").setBuffer("another-secret-another-secret-another")));
      String forged = otherKey.generateToken(everything, new JWTOptions().setIssuer(ISSUER).setAudience(List.of(AUDIENCE)));
      assertThat(upgrade(gateway, "/ws", forged)).as("wrong signature").isEqualTo(401);
      assertThat(upgrade(gateway, "/ws", token(signer, everything, "someone-else", 60))).as("wrong audience").isEqualTo(401);
      assertThat(upgrade(gateway, "/ws", token(claims(null, new JsonArray().add("*"))))).as("no subject").isEqualTo(401);
      assertThat(upgrade(gateway, "/ws", "not.a.jwt")).isEqualTo(401);

      // The token decides the seed endpoints too.
      String chatOnly = token(claims("bob", new JsonArray().add("chat.*")));
      assertThat(upgrade(gateway, "/ws/hub", chatOnly)).isEqualTo(403);
      assertThat(upgrade(gateway, "/ws/chat/lobby", chatOnly)).isEqualTo(101);

      var refused = gateway.get("/ws/hub");
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(gateway.stats().getJsonObject("errors").getLong("unauthorized")).isGreaterThanOrEqualTo(7L);
    }
  }

  @Test
  void anExpClaimThatIsNoNumberIsRefusedAndOneFarAwayNeverExpires() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, hsConfig().put("embeddedServices", false))) {
      JsonObject words = claims("dora", new JsonArray().add("*")).put("exp", "tomorrow");
      assertThat(upgrade(gateway, "/ws", token(signer, words, AUDIENCE, 0))).as("exp is a word").isEqualTo(401);
      JsonObject fraction = claims("dora", new JsonArray().add("*")).put("exp", 1.0e12 + 0.5);
      assertThat(upgrade(gateway, "/ws", token(signer, fraction, AUDIENCE, 0))).as("exp is a fraction").isEqualTo(401);

      // Past what epoch milliseconds can hold: the token is valid and never expires, rather
      // than overflowing into "already expired" once connected.
      JsonObject far = claims("dora", new JsonArray().add("*")).put("exp", 10_000_000_000_000_000L);
      try (TestSocket socket = gateway.connect("/ws?token=" + token(signer, far, AUDIENCE, 0))) {
        socket.send(new JsonObject().put("type", "ping").put("id", 1).encode());
        assertThat(socket.nextJson().getString("type")).isEqualTo("pong");
      }
    }
  }

  @Test
  void groupPatternsFromTheTokenGovernSubscribeAndPublish() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, hsConfig().put("embeddedServices", false))) {
      JsonObject groups = new JsonObject().put("subscribe", new JsonArray().add("news.*"))
        .put("publish", new JsonArray().add("news.sports"));
      try (TestSocket socket = gateway.connect("/ws?token=" + token(claims("carol", groups)))) {
        socket.send("{\"type\":\"subscribe\",\"group\":\"news.sports\",\"id\":1}");
        assertThat(socket.nextJson().getString("type")).isEqualTo("subscribed");
        socket.send("{\"type\":\"subscribe\",\"group\":\"weather\",\"id\":2}");
        assertThat(socket.nextJson().getString("code")).isEqualTo("forbidden");
        socket.send("{\"type\":\"publish\",\"group\":\"news.sports\",\"data\":1,\"id\":3}");
        assertThat(socket.awaitJson(j -> Integer.valueOf(3).equals(j.getValue("id"))).getString("type")).isEqualTo("ack");
        socket.send("{\"type\":\"publish\",\"group\":\"news.politics\",\"data\":1,\"id\":4}");
        assertThat(socket.awaitJson(j -> Integer.valueOf(4).equals(j.getValue("id"))).getString("code")).isEqualTo("forbidden");
        // Configuration still applies on top of the token: scores is subscribe-only for everyone.
      }
    }
  }

  @Test
  void senderIsTheTokenSubjectNotTheConnectionId() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, hsConfig()
      .put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
         TestSocket socket = gateway.connect("/ws/chat/secure?welcome=1&token=" + token(claims("dave", new JsonArray().add("chat.*"))))) {
      JsonObject welcome = socket.nextJson();
      assertThat(welcome.getString("sender")).isEqualTo("dave");
      socket.send("{\"message\":\"hi\",\"sender\":\"mallory\"}");
      JsonObject message = socket.nextJson();
      assertThat(message.getString("sender")).isEqualTo("dave");
      assertThat(message.getString("message")).isEqualTo("hi");
    }
  }

  @Test
  void aTokenThatExpiresWhileConnectedClosesTheSocket() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, hsConfig().put("embeddedServices", false)
      .put("pingIntervalMs", 700));
         TestSocket socket = gateway.connect("/ws?token=" + token(signer, claims("erin", new JsonArray().add("*")), AUDIENCE, 3))) {
      JsonObject told = socket.awaitJson(j -> "error".equals(j.getString("type")));
      assertThat(told.getString("code")).isEqualTo("unauthorized");
      assertThat(told.getString("message")).isEqualTo("token expired");
      assertThat(socket.awaitClose()).isEqualTo((short) 1008);
    }
  }

  @Test
  void rs256PublicKeyFromAPemFile(@TempDir Path dir) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    Path publicPem = dir.resolve("jwt-public.pem");
    Files.writeString(publicPem, pem("PUBLIC KEY", keys.getPublic().getEncoded()));
    JWTAuth rsSigner = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
      .setAlgorithm("RS256").setBuffer(pem("PRIVATE KEY", keys.getPrivate().getEncoded()))));

    JsonObject config = new JsonObject().put("embeddedServices", false).put("auth", new JsonObject()
      .put("publicKeyFile", publicPem.toString()).put("issuer", ISSUER).put("audience", AUDIENCE));
    try (GatewayHarness gateway = GatewayHarness.start(vertx, config)) {
      JsonObject everything = claims("frank", new JsonArray().add("*"));
      assertThat(upgrade(gateway, "/ws", token(rsSigner, everything, AUDIENCE, 60))).isEqualTo(101);
      assertThat(upgrade(gateway, "/ws", token(everything))).as("HS256 token, RS256 key").isEqualTo(401);
      assertThat(upgrade(gateway, "/ws", null)).as("anonymous on by default").isEqualTo(101);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
