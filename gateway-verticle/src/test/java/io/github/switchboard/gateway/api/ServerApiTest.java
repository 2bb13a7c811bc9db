package io.github.switchboard.gateway.api;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server API on one embedded gateway with JWT users: disconnecting a user, putting a user's
 * sockets in a group and taking them out, personal groups, idempotent publish and broadcast,
 * history, presence, groups and nodes. Real sockets, real tokens, real HTTP calls.
 */
class ServerApiTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final String KEY = "server-api-test-key";
  private static final String RULES = "[{\"pattern\":\"feed\",\"subscribe\":true,\"publish\":true,"
    + "\"history\":{\"size\":50,\"ttlMs\":60000}},{\"pattern\":\"*\",\"subscribe\":true,\"publish\":true}]";

  private Vertx vertx;
  private GatewayHarness gateway;
  private JWTAuth signer;
  private WebClient http;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    gateway = GatewayHarness.start(vertx, new JsonObject()
      .put("apiKey", KEY)
      .put("groups", new JsonArray(RULES))
      .put("auth", new JsonObject().put("hs256Secret", SECRET).put("anonymous", true)));
    http = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    http.close();
    gateway.close();
    vertx.close().await();
  }

  private TestSocket user(String name) {
    String token = signer.generateToken(new JsonObject().put("sub", name).put("groups", new JsonArray().add("*")),
      new JWTOptions().setExpiresInSeconds(300));
    return gateway.connect("/ws?token=" + token);
  }

  private HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) {
    HttpRequest<Buffer> request = http.request(method, gateway.port, "127.0.0.1", path).bearerTokenAuthentication(KEY);
    return Await.result(body == null ? request.send() : request.sendJsonObject(body));
  }

  /** A ping answered proves every frame sent to the socket before it was read. */
  private static void settled(TestSocket socket, String id) {
    socket.send("{\"type\":\"ping\",\"id\":\"" + id + "\"}");
    assertThat(socket.nextJson().getString("type")).as("nothing before the pong").isEqualTo("pong");
  }

  @Test
  void disconnectClosesEveryConnectionOfTheUserWithTheBackendsCodeAndNoOtherSocket() {
    try (TestSocket alice1 = user("alice"); TestSocket alice2 = user("alice"); TestSocket bob = user("bob")) {
      settled(alice1, "a1");
      settled(alice2, "a2");
      HttpResponse<Buffer> refused = call(HttpMethod.POST, "/api/users/alice/disconnect", new JsonObject().put("code", 1000));
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("invalid_field");

      HttpResponse<Buffer> done = call(HttpMethod.POST, "/api/users/alice/disconnect",
        new JsonObject().put("code", 4501).put("reason", "token revoked"));
      assertThat(done.statusCode()).isEqualTo(200);
      assertThat(done.bodyAsJsonObject()).isEqualTo(new JsonObject().put("user", "alice").put("connections", 2)
        .put("gateways", 1).put("unreachable", new JsonArray()));
      assertThat(alice1.awaitClose()).isEqualTo((short) 4501);
      assertThat(alice2.awaitClose()).isEqualTo((short) 4501);
      assertThat(alice1.socket().closeReason()).isEqualTo("token revoked");
      settled(bob, "b");

      // Nobody left to disconnect: answered, nothing closed. No key: refused.
      assertThat(call(HttpMethod.POST, "/api/users/alice/disconnect", null).bodyAsJsonObject().getInteger("connections")).isZero();
      assertThat(Await.result(http.post(gateway.port, "127.0.0.1", "/api/users/bob/disconnect").send()).statusCode()).isEqualTo(401);
      settled(bob, "b2");
      // A code written as a float by the caller's JSON library is the same code.
      HttpResponse<Buffer> again = call(HttpMethod.POST, "/api/users/bob/disconnect", new JsonObject().put("code", 4001.0));
      assertThat(again.bodyAsJsonObject().getInteger("connections")).isEqualTo(1);
      assertThat(bob.awaitClose()).isEqualTo((short) 4001);
      assertThat(bob.socket().closeReason()).isEqualTo("disconnected by the server");
    }
  }

  @Test
  void serverSideSubscribeAndUnsubscribeReachEverySocketOfTheUser() {
    try (TestSocket alice1 = user("alice"); TestSocket alice2 = user("alice"); TestSocket bob = user("bob")) {
      settled(alice1, "a1");
      HttpResponse<Buffer> joined = call(HttpMethod.POST, "/api/users/alice/subscriptions", new JsonObject().put("group", "news"));
      assertThat(joined.statusCode()).isEqualTo(200);
      assertThat(joined.bodyAsJsonObject().getInteger("connections")).isEqualTo(2);
      JsonObject frame = new JsonObject().put("type", "subscribed").put("group", "news").put("server", true);
      assertThat(alice1.nextJson()).isEqualTo(frame);
      assertThat(alice2.nextJson()).isEqualTo(frame);

      assertThat(call(HttpMethod.POST, "/api/groups/news/messages", new JsonObject().put("data", "hello")).statusCode()).isEqualTo(202);
      assertThat(alice1.nextJson().getString("data")).isEqualTo("hello");
      assertThat(alice2.nextJson().getString("data")).isEqualTo("hello");

      // A stream group: the frame names the position, as a subscribe reply does.
      call(HttpMethod.POST, "/api/groups/feed/messages", new JsonObject().put("data", 1));
      call(HttpMethod.POST, "/api/users/alice/subscriptions", new JsonObject().put("group", "feed"));
      JsonObject feed = alice1.nextJson();
      assertThat(feed.getBoolean("server")).isTrue();
      assertThat(feed.getLong("offset")).isEqualTo(1L);
      assertThat(feed.getString("epoch")).isNotBlank();
      alice2.nextJson();

      HttpResponse<Buffer> left = call(HttpMethod.DELETE, "/api/users/alice/subscriptions/news", null);
      assertThat(left.bodyAsJsonObject().getInteger("connections")).isEqualTo(2);
      JsonObject out = new JsonObject().put("type", "unsubscribed").put("group", "news").put("server", true);
      assertThat(alice1.nextJson()).isEqualTo(out);
      assertThat(alice2.nextJson()).isEqualTo(out);
      call(HttpMethod.POST, "/api/groups/news/messages", new JsonObject().put("data", "gone"));
      settled(alice1, "after");
      settled(bob, "bob");

      assertThat(call(HttpMethod.POST, "/api/users/alice/subscriptions", new JsonObject().put("group", "presence:x"))
        .statusCode()).isEqualTo(400);
      assertThat(call(HttpMethod.POST, "/api/users/alice/subscriptions", new JsonObject().put("group", "user:bob"))
        .statusCode()).isEqualTo(400);
    }
  }

  @Test
  void personalGroupsReachOneUserAndOnlyTheServerWritesThere() {
    try (TestSocket alice = user("alice"); TestSocket bob = user("bob"); TestSocket anonymous = gateway.connect("/ws")) {
      settled(alice, "a");
      assertThat(call(HttpMethod.POST, "/api/groups/user:alice/messages", new JsonObject().put("data", "for alice"))
        .statusCode()).isEqualTo(202);
      JsonObject got = alice.nextJson();
      assertThat(got.getString("group")).isEqualTo("user:alice");
      assertThat(got.getString("data")).isEqualTo("for alice");

      bob.send("{\"type\":\"subscribe\",\"group\":\"user:alice\",\"id\":1}");
      assertThat(bob.nextJson().getString("code")).isEqualTo("forbidden");
      anonymous.send("{\"type\":\"subscribe\",\"group\":\"user:alice\",\"id\":1}");
      assertThat(anonymous.nextJson().getString("code")).isEqualTo("forbidden");
      alice.send("{\"type\":\"publish\",\"group\":\"user:alice\",\"data\":1,\"id\":2}");
      assertThat(alice.nextJson().getString("code")).isEqualTo("forbidden");
      alice.send("{\"type\":\"subscribe\",\"group\":\"user:alice\",\"id\":3}");
      assertThat(alice.nextJson().getString("type")).isEqualTo("subscribed");
      settled(bob, "b");
    }
  }

  @Test
  void aRetriedPublishWithTheSameKeyIsDeliveredOnce() {
    try (TestSocket reader = gateway.connect("/ws")) {
      reader.send("{\"type\":\"subscribe\",\"group\":\"feed\",\"id\":1}");
      assertThat(reader.nextJson().getString("type")).isEqualTo("subscribed");
      JsonObject body = new JsonObject().put("data", "once").put("idempotencyKey", "order-17");
      HttpResponse<Buffer> first = call(HttpMethod.POST, "/api/groups/feed/messages", body);
      HttpResponse<Buffer> again = call(HttpMethod.POST, "/api/groups/feed/messages", body);
      assertThat(first.statusCode()).isEqualTo(202);
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(again.bodyAsJsonObject().getBoolean("duplicate")).isTrue();
      assertThat(again.bodyAsJsonObject().getLong("offset")).isEqualTo(first.bodyAsJsonObject().getLong("offset"));
      // The same key by header; another key is another message.
      HttpResponse<Buffer> byHeader = Await.result(http.post(gateway.port, "127.0.0.1", "/api/groups/feed/messages")
        .bearerTokenAuthentication(KEY).putHeader("Idempotency-Key", "order-17").sendJsonObject(new JsonObject().put("data", "once")));
      assertThat(byHeader.statusCode()).isEqualTo(200);
      call(HttpMethod.POST, "/api/groups/feed/messages", new JsonObject().put("data", "next").put("idempotencyKey", "order-18"));
      assertThat(reader.nextJson().getString("data")).isEqualTo("once");
      assertThat(reader.nextJson().getString("data")).isEqualTo("next");
      settled(reader, "p");

      HttpResponse<Buffer> badKey = call(HttpMethod.POST, "/api/groups/feed/messages",
        new JsonObject().put("data", 1).put("idempotencyKey", "x".repeat(129)));
      assertThat(badKey.statusCode()).isEqualTo(400);
    }
  }

  @Test
  void broadcastPublishesToEachGroupAndAnswersForEach() {
    try (TestSocket a = gateway.connect("/ws"); TestSocket b = gateway.connect("/ws")) {
      a.send("{\"type\":\"subscribe\",\"group\":\"room-a\",\"id\":1}");
      b.send("{\"type\":\"subscribe\",\"group\":\"feed\",\"id\":1}");
      a.nextJson();
      b.nextJson();
      JsonObject body = new JsonObject().put("groups", new JsonArray().add("room-a").add("feed").add("room-a"))
        .put("data", new JsonObject().put("n", 1)).put("idempotencyKey", "b-1");
      HttpResponse<Buffer> sent = call(HttpMethod.POST, "/api/broadcast", body);
      assertThat(sent.statusCode()).isEqualTo(202);
      JsonArray results = sent.bodyAsJsonObject().getJsonArray("results");
      assertThat(results).hasSize(2);
      assertThat(results.getJsonObject(0)).isEqualTo(new JsonObject().put("group", "room-a"));
      assertThat(results.getJsonObject(1).getLong("offset")).isEqualTo(1L);
      assertThat(call(HttpMethod.POST, "/api/broadcast", body).bodyAsJsonObject().getBoolean("duplicate")).isTrue();
      assertThat(a.nextJson().getJsonObject("data")).isEqualTo(new JsonObject().put("n", 1));
      assertThat(b.nextJson().getJsonObject("data")).isEqualTo(new JsonObject().put("n", 1));
      settled(a, "a");
      settled(b, "b");
      assertThat(call(HttpMethod.POST, "/api/broadcast", new JsonObject().put("groups", new JsonArray().add("bad name"))
        .put("data", 1)).statusCode()).isEqualTo(400);
      assertThat(call(HttpMethod.POST, "/api/broadcast", new JsonObject().put("data", 1)).statusCode()).isEqualTo(400);
    }
  }

  @Test
  void historyReadsStreamsAndChatRoomsForwardAndBackward() {
    for (int i = 1; i <= 5; i++) {
      call(HttpMethod.POST, "/api/groups/feed/messages", new JsonObject().put("data", i));
    }
    JsonObject first = call(HttpMethod.GET, "/api/groups/feed/history?limit=2", null).bodyAsJsonObject();
    assertThat(first.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getInteger("data")).toList()).containsExactly(1, 2);
    assertThat(first.getBoolean("more")).isTrue();
    assertThat(first.getLong("top")).isEqualTo(5L);
    JsonObject newest = call(HttpMethod.GET, "/api/groups/feed/history?limit=2&reverse=true", null).bodyAsJsonObject();
    assertThat(newest.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getLong("offset")).toList()).containsExactly(5L, 4L);
    JsonObject since = call(HttpMethod.GET, "/api/groups/feed/history?since=3", null).bodyAsJsonObject();
    assertThat(since.getJsonArray("messages")).hasSize(2);
    assertThat(since.getJsonArray("messages").getJsonObject(0).getString("epoch")).isEqualTo(first.getString("epoch"));

    call(HttpMethod.POST, "/api/groups/chat.lobby/messages", new JsonObject().put("data", "hi"));
    JsonObject chat = call(HttpMethod.GET, "/api/groups/chat.lobby/history", null).bodyAsJsonObject();
    assertThat(chat.getJsonArray("messages")).hasSize(1);
    assertThat(chat.getJsonArray("messages").getJsonObject(0).getJsonObject("data").getString("message")).isEqualTo("hi");

    assertThat(call(HttpMethod.GET, "/api/groups/plain/history", null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.GET, "/api/groups/feed/history?limit=0", null).statusCode()).isEqualTo(400);
    assertThat(call(HttpMethod.GET, "/api/groups/feed/history?reverse=maybe", null).statusCode()).isEqualTo(400);
  }

  @Test
  void presenceGroupsAndNodesCountEverySocket() {
    try (TestSocket alice1 = user("alice"); TestSocket alice2 = user("alice"); TestSocket bob = user("bob")) {
      for (TestSocket socket : List.of(alice1, alice2, bob)) {
        socket.send("{\"type\":\"subscribe\",\"group\":\"chat.room\",\"id\":1}");
        assertThat(socket.nextJson().getString("type")).isEqualTo("subscribed");
      }
      GatewayHarness.await("presence of three sockets", () ->
        call(HttpMethod.GET, "/api/groups/chat.room/presence", null).bodyAsJsonObject().getInteger("total") == 3);
      JsonObject stats = call(HttpMethod.GET, "/api/groups/chat.room/presence/stats", null).bodyAsJsonObject();
      assertThat(stats).isEqualTo(new JsonObject().put("group", "chat.room").put("connections", 3).put("users", 2));
      assertThat(call(HttpMethod.GET, "/api/groups/plain/presence", null).statusCode()).isEqualTo(404);

      JsonObject nodes = call(HttpMethod.GET, "/api/nodes", null).bodyAsJsonObject();
      assertThat(nodes.getJsonArray("nodes")).hasSize(1);
      JsonObject node = nodes.getJsonArray("nodes").getJsonObject(0);
      String id = node.getString("id");

      JsonObject groups = call(HttpMethod.GET, "/api/groups?prefix=chat.", null).bodyAsJsonObject();
      assertThat(groups.getJsonArray("groups")).containsExactly(new JsonObject().put("group", "chat.room").put("subscribers", 3)
        .put("byGateway", new JsonObject().put(id, 3)));
      JsonObject all = call(HttpMethod.GET, "/api/groups", null).bodyAsJsonObject();
      assertThat(all.getJsonArray("groups")).contains(new JsonObject().put("group", "user:alice").put("subscribers", 2)
        .put("byGateway", new JsonObject().put(id, 2)));

      assertThat(node.getInteger("connections")).isEqualTo(3);
      assertThat(node.getInteger("users")).isEqualTo(2);
      assertThat(node.getInteger("port")).isEqualTo(gateway.port);
      assertThat(nodes.getJsonArray("unreachable")).isEmpty();
    }
  }
}
