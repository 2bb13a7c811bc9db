package io.github.switchboard.clustertest;

import io.github.switchboard.gateway.TestSocket;
import io.github.switchboard.gateway.TestStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server API answers for the whole cluster whichever gateway is asked: a user with sockets
 * on two gateways (separate processes) is disconnected, and subscribed and unsubscribed
 * server-side, by one call to one of them; a publish retried on the other gateway with the same
 * idempotency key is delivered once; nodes and groups count both gateways. And frames POSTed to
 * either gateway reach an HTTP stream held by the other (bidirectional emulation).
 */
class ServerApiAcrossGatewaysTest {

  private static final String KEY = "server-api-across-gateways";
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final String RULES = "[{\"pattern\":\"ledger\",\"subscribe\":true,\"publish\":true,"
    + "\"history\":{\"size\":100,\"ttlMs\":60000}},{\"pattern\":\"*\",\"subscribe\":true,\"publish\":true}]";

  private static TestCluster cluster;
  private static TestCluster.Gateway one;
  private static TestCluster.Gateway two;
  private static JWTAuth signer;

  @BeforeAll
  static void start() {
    cluster = new TestCluster("server-api");
    cluster.chat("chat");
    Map<String, String> env = Map.of("SWITCHBOARD_API_KEY", KEY, "SWITCHBOARD_GROUPS", RULES,
      "SWITCHBOARD_AUTH_HS256_SECRET", SECRET);
    one = cluster.gateway("gateway-1", env);
    two = cluster.gateway("gateway-2", env);
    signer = JWTAuth.create(cluster.vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
      .setBuffer(SECRET)));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static TestSocket user(TestCluster.Gateway gateway, String name) {
    String token = signer.generateToken(new JsonObject().put("sub", name).put("groups", new JsonArray().add("*")),
      new JWTOptions().setExpiresInSeconds(600));
    return TestSocket.connect(cluster.vertx, gateway.port(), "/ws?token=" + token);
  }

  private static void settled(TestSocket socket, String id) {
    socket.send("{\"type\":\"ping\",\"id\":\"" + id + "\"}");
    assertThat(socket.nextJson().getString("type")).as("nothing before the pong").isEqualTo("pong");
  }

  @Test
  void oneCallDisconnectsTheUserOnEveryGateway() {
    try (TestSocket onOne = user(one, "mallory"); TestSocket onTwo = user(two, "mallory"); TestSocket bystander = user(two, "trent")) {
      settled(onOne, "1");
      settled(onTwo, "2");
      HttpResponse<Buffer> done = cluster.post(one, "/api/users/mallory/disconnect", "{\"reason\":\"token revoked\"}", KEY);
      assertThat(done.statusCode()).isEqualTo(200);
      assertThat(done.bodyAsJsonObject()).isEqualTo(new JsonObject().put("user", "mallory").put("connections", 2)
        .put("gateways", 2).put("unreachable", new JsonArray()));
      assertThat(onOne.awaitClose()).isEqualTo((short) 4500);
      assertThat(onTwo.awaitClose()).isEqualTo((short) 4500);
      assertThat(onTwo.socket().closeReason()).isEqualTo("token revoked");
      settled(bystander, "3");
    }
  }

  @Test
  void oneCallSubscribesAndUnsubscribesTheUsersSocketsOnEveryGateway() {
    try (TestSocket onOne = user(one, "peggy"); TestSocket onTwo = user(two, "peggy")) {
      settled(onOne, "1");
      settled(onTwo, "2");
      HttpResponse<Buffer> joined = cluster.post(two, "/api/users/peggy/subscriptions", "{\"group\":\"ledger\"}", KEY);
      assertThat(joined.bodyAsJsonObject().getInteger("connections")).isEqualTo(2);
      assertThat(joined.bodyAsJsonObject().getInteger("gateways")).isEqualTo(2);
      JsonObject atOne = onOne.nextJson();
      JsonObject atTwo = onTwo.nextJson();
      assertThat(atOne.getBoolean("server")).isTrue();
      assertThat(atTwo.getBoolean("server")).isTrue();
      assertThat(atOne.getString("group")).isEqualTo("ledger");

      HttpResponse<Buffer> sent = cluster.post(one, "/api/groups/ledger/messages", "{\"data\":\"entry\"}", KEY);
      long offset = sent.bodyAsJsonObject().getLong("offset");
      assertThat(onOne.nextJson().getLong("offset")).isEqualTo(offset);
      assertThat(onTwo.nextJson().getLong("offset")).isEqualTo(offset);

      HttpResponse<Buffer> left = cluster.delete(one, "/api/users/peggy/subscriptions/ledger", KEY);
      assertThat(left.bodyAsJsonObject().getInteger("connections")).isEqualTo(2);
      assertThat(onOne.nextJson().getString("type")).isEqualTo("unsubscribed");
      assertThat(onTwo.nextJson().getString("type")).isEqualTo("unsubscribed");

      // The personal group reaches both sockets, from either gateway.
      cluster.post(two, "/api/groups/user:peggy/messages", "{\"data\":\"just for you\"}", KEY);
      assertThat(onOne.awaitJson(f -> "message".equals(f.getString("type"))).getString("group")).isEqualTo("user:peggy");
      assertThat(onTwo.awaitJson(f -> "message".equals(f.getString("type"))).getString("data")).isEqualTo("just for you");
    }
  }

  @Test
  void aPublishRetriedOnTheOtherGatewayIsDeliveredOnce() {
    try (TestSocket reader = user(two, "victor")) {
      reader.send("{\"type\":\"subscribe\",\"group\":\"ledger\",\"id\":1}");
      assertThat(reader.nextJson().getString("type")).isEqualTo("subscribed");
      String body = "{\"data\":\"pay 10\",\"idempotencyKey\":\"payment-42\"}";
      HttpResponse<Buffer> first = cluster.post(one, "/api/groups/ledger/messages", body, KEY);
      HttpResponse<Buffer> retry = cluster.post(two, "/api/groups/ledger/messages", body, KEY);
      assertThat(first.statusCode()).isEqualTo(202);
      assertThat(retry.statusCode()).isEqualTo(200);
      assertThat(retry.bodyAsJsonObject().getBoolean("duplicate")).isTrue();
      assertThat(retry.bodyAsJsonObject().getLong("offset")).isEqualTo(first.bodyAsJsonObject().getLong("offset"));
      // A marker published after both: the reader sees the payment, then the marker, nothing between.
      cluster.post(one, "/api/groups/ledger/messages", "{\"data\":\"marker\"}", KEY);
      assertThat(reader.nextJson().getString("data")).isEqualTo("pay 10");
      assertThat(reader.nextJson().getString("data")).isEqualTo("marker");
      // The store holds it once too.
      JsonObject history = cluster.get(two, "/api/groups/ledger/history?since=" + (first.bodyAsJsonObject().getLong("offset") - 1),
        KEY).bodyAsJsonObject();
      assertThat(history.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("data")).toList())
        .containsExactly("pay 10", "marker");
    }
  }

  @Test
  void nodesAndGroupsCountBothGateways() {
    try (TestSocket a = user(one, "walter"); TestSocket b = user(two, "walter")) {
      for (TestSocket socket : new TestSocket[] {a, b}) {
        socket.send("{\"type\":\"subscribe\",\"group\":\"census\",\"id\":1}");
        assertThat(socket.nextJson().getString("type")).isEqualTo("subscribed");
      }
      JsonObject nodes = cluster.get(one, "/api/nodes", KEY).bodyAsJsonObject();
      assertThat(nodes.getJsonArray("nodes")).hasSize(2);
      assertThat(nodes.getInteger("connections")).isGreaterThanOrEqualTo(2);
      JsonObject groups = cluster.get(two, "/api/groups?prefix=census", KEY).bodyAsJsonObject();
      assertThat(groups.getJsonArray("groups")).hasSize(1);
      JsonObject census = groups.getJsonArray("groups").getJsonObject(0);
      assertThat(census.getString("group")).isEqualTo("census");
      assertThat(census.getInteger("subscribers")).isEqualTo(2);
      // One socket on each gateway, named by the gateways' ids.
      assertThat(census.getJsonObject("byGateway").getMap().values()).containsExactly(1, 1);
      assertThat(census.getJsonObject("byGateway").fieldNames()).containsExactlyInAnyOrderElementsOf(
        nodes.getJsonArray("nodes").stream().map(n -> ((JsonObject) n).getString("id")).toList());
      assertThat(groups.getInteger("gateways")).isEqualTo(2);
    }
  }

  /**
   * Bidirectional emulation without sticky sessions: a Server-Sent Events stream held by one
   * gateway, its frames POSTed to the other, which passes them over the event bus.
   */
  @Test
  void framesPostedToTheOtherGatewayGoUpAStreamHeldByThisOne() {
    String token = signer.generateToken(new JsonObject().put("sub", "eve").put("groups", new JsonArray().add("*")),
      new JWTOptions().setExpiresInSeconds(600));
    try (TestStream sse = TestStream.open(one.port(), "/sse?groups=ledger&token=" + token);
         TestSocket reader = user(two, "walter")) {
      String key = sse.connected();
      sse.awaitJson(j -> "subscribed".equals(j.getString("type")));
      reader.send("{\"type\":\"subscribe\",\"group\":\"ledger\",\"id\":\"s\"}");
      reader.awaitJson(j -> "subscribed".equals(j.getString("type")));

      sse.send(two.port(), new JsonObject().put("type", "publish").put("group", "ledger")
        .put("data", new JsonObject().put("entry", 1)).put("id", "e1"));
      JsonObject ack = sse.awaitJson(j -> "ack".equals(j.getString("type")));
      assertThat(ack.getString("id")).isEqualTo("e1");
      long offset = ack.getLong("offset");
      assertThat(offset).isPositive();
      JsonObject seen = reader.awaitJson(j -> "message".equals(j.getString("type")));
      assertThat(seen.getLong("offset")).isEqualTo(offset);
      assertThat(seen.getJsonObject("data")).isEqualTo(new JsonObject().put("entry", 1));
      assertThat(sse.awaitJson(j -> "message".equals(j.getString("type"))).getLong("offset")).isEqualTo(offset);

      sse.send(two.port(), new JsonObject().put("type", "ping").put("id", "via-two"));
      assertThat(sse.awaitJson(j -> "pong".equals(j.getString("type"))).getString("id")).isEqualTo("via-two");

      // A key of a stream that gateway-1 does not hold: gateway-2 asks it, and says so.
      var gone = TestStream.emulate(two.port(), new JsonObject().put("session", key + "x")
        .put("frame", new JsonObject().put("type", "ping")));
      assertThat(gone.statusCode()).isEqualTo(404);
    }
  }
}
