package io.github.switchboard.gateway.proxy;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connect, subscribe and publish hooks against a real HTTP backend started here: a
 * cookie-session user let in with groups and meta, refusals with their status and reason, a
 * failing and a silent backend, a token that skips the connect hook, allowed, denied, slow and
 * failing subscribes, and publishes allowed, denied and rewritten (on /ws and on a chat socket).
 */
class BackendHooksTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final long TIMEOUT_MS = 700;

  private Vertx vertx;
  private HttpServer backend;
  private GatewayHarness gateway;
  private final List<JsonObject> connects = new CopyOnWriteArrayList<>();
  private final List<JsonObject> subscribes = new CopyOnWriteArrayList<>();
  private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    backend = Await.result(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      JsonObject call = body.toJsonObject();
      switch (request.path()) {
        case "/connect" -> connect(request, call);
        case "/subscribe" -> subscribe(request, call);
        case "/publish" -> publish(request, call);
        default -> request.response().setStatusCode(404).end();
      }
    })).listen(0, "127.0.0.1"));
    String base = "http://127.0.0.1:" + backend.actualPort();
    gateway = GatewayHarness.start(vertx, new JsonObject()
      .put("auth", new JsonObject().put("hs256Secret", SECRET))
      .put("proxy", new JsonObject()
        .put("connectUrl", base + "/connect").put("subscribeUrl", base + "/subscribe").put("publishUrl", base + "/publish")
        .put("subscribeGroups", new JsonArray().add("secret").add("slow-*").add("fail-*").add("open"))
        .put("publishGroups", new JsonArray().add("censored").add("closed").add("slow-pub").add("fail-pub").add("chat.*"))
        .put("timeoutMs", TIMEOUT_MS)));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  private void connect(HttpServerRequest request, JsonObject call) {
    connects.add(call);
    String session = call.getJsonObject("cookies").getString("sessionid", "");
    switch (session) {
      case "good" -> answer(request, new JsonObject().put("user", "alice").put("groups", new JsonArray().add("news"))
        .put("meta", new JsonObject().put("name", "Alice")));
      case "banned" -> answer(request, refusal(403, "you are banned", "banned_user"));
      case "expired" -> answer(request, refusal(401, "log in again", "session_expired"));
      case "broken" -> request.response().setStatusCode(500).end("boom");
      case "odd" -> answer(request, new JsonObject().put("user", 42));
      case "fat" -> answer(request, new JsonObject().put("user", "carol").put("meta", new JsonObject().put("bio", "x".repeat(2_000))));
      case "slow" -> held.add(request);
      default -> answer(request, new JsonObject());
    }
  }

  private void subscribe(HttpServerRequest request, JsonObject call) {
    subscribes.add(call);
    switch (call.getString("group")) {
      case "secret" -> answer(request, refusal(0, "members only", "not_member"));
      case "fail-sub" -> request.response().setStatusCode(500).end();
      case "slow-sub" -> held.add(request);
      default -> answer(request, new JsonObject());
    }
  }

  private void publish(HttpServerRequest request, JsonObject call) {
    switch (call.getString("group")) {
      case "censored" -> answer(request, new JsonObject().put("data", "[redacted " + call.getValue("data") + "]"));
      case "closed" -> answer(request, refusal(0, "read only", "read_only"));
      case "slow-pub" -> held.add(request);
      case "fail-pub" -> request.response().setStatusCode(500).end();
      default -> answer(request, "bad word".equals(call.getValue("data")) ? new JsonObject().put("data", "*** ****")
        : new JsonObject());
    }
  }

  private static JsonObject refusal(int status, String message, String reason) {
    JsonObject error = new JsonObject().put("message", message).put("reason", reason);
    if (status > 0) {
      error.put("status", status);
    }
    return new JsonObject().put("error", error);
  }

  private static void answer(HttpServerRequest request, JsonObject body) {
    request.response().putHeader("content-type", "application/json").end(body.encode());
  }

  private TestSocket withSession(String path, String session) {
    return TestSocket.connect(vertx, gateway.port, path, Map.of("Cookie", "sessionid=" + session + "; theme=dark"));
  }

  /** The upgrade's refusal: status and JSON body. */
  private JsonObject refused(String session) {
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      Future<WebSocket> connect = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port)
        .setURI("/ws").addHeader("Cookie", "sessionid=" + session));
      try {
        Await.result(connect).close();
        return new JsonObject().put("status", 101);
      } catch (Throwable e) {
        if (connect.cause() instanceof UpgradeRejectedException rejected) {
          return rejected.getBody().toJsonObject().put("status", rejected.getStatus());
        }
        throw e;
      }
    } finally {
      client.close();
    }
  }

  @Test
  void aSessionCookieUserComesInWithTheBackendsGroupsAndMeta() {
    try (TestSocket socket = withSession("/ws", "good")) {
      assertThat(socket.nextJson()).isEqualTo(new JsonObject().put("type", "subscribed").put("group", "news").put("server", true));
      JsonObject call = connects.get(0);
      assertThat(call.getString("path")).isEqualTo("/ws");
      assertThat(call.getJsonObject("cookies")).isEqualTo(new JsonObject().put("sessionid", "good").put("theme", "dark"));
      assertThat(call.getJsonObject("headers").getString("cookie")).contains("sessionid=good");
      assertThat(call.getString("remoteAddress")).isEqualTo("127.0.0.1");

      assertThat(gateway.post("/api/groups/news/messages", new JsonObject().put("data", "hi")).statusCode()).isEqualTo(202);
      assertThat(socket.nextJson().getString("data")).isEqualTo("hi");
      // The user is the backend's: its personal group, its name in presence with its meta.
      assertThat(gateway.post("/api/groups/user:alice/messages", new JsonObject().put("data", "yours")).statusCode())
        .isEqualTo(403);
      socket.send("{\"type\":\"subscribe\",\"group\":\"chat.lobby\",\"id\":1}");
      assertThat(socket.nextJson().getString("type")).isEqualTo("subscribed");
      socket.send("{\"type\":\"presence\",\"group\":\"chat.lobby\",\"id\":2}");
      JsonObject member = socket.awaitJson(f -> "presence".equals(f.getString("type"))).getJsonArray("members").getJsonObject(0);
      assertThat(member.getString("member")).isEqualTo("alice");
      assertThat(member.getJsonObject("meta")).isEqualTo(new JsonObject().put("name", "Alice"));
    }
  }

  @Test
  void theBackendsRefusalsAndFailuresRefuseTheUpgrade() {
    assertThat(refused("banned")).isEqualTo(new JsonObject().put("error", "forbidden").put("message", "you are banned")
      .put("reason", "banned_user").put("status", 403));
    assertThat(refused("expired").getInteger("status")).isEqualTo(401);
    assertThat(refused("expired").getString("reason")).isEqualTo("session_expired");
    assertThat(refused("broken")).isEqualTo(new JsonObject().put("error", "backend_error")
      .put("message", "the backend could not admit this connection: the backend failed (HTTP 500)").put("status", 502));
    assertThat(refused("odd").getString("message")).contains("'user'");
    // Meta is kept with every socket of the user: bounded.
    assertThat(refused("fat").getString("message")).contains("maxMetaBytes");
    assertThat(refused("slow").getInteger("status")).isEqualTo(504);
    // No user named: anonymous, which this gateway allows.
    assertThat(refused("nobody").getInteger("status")).isEqualTo(101);
  }

  @Test
  void aVerifiedTokenSkipsTheConnectHook() {
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    String token = signer.generateToken(new JsonObject().put("sub", "bob").put("groups", new JsonArray().add("*")),
      new JWTOptions().setExpiresInSeconds(60));
    try (TestSocket socket = TestSocket.connect(vertx, gateway.port, "/ws?token=" + token, Map.of("Cookie", "sessionid=banned"))) {
      socket.send("{\"type\":\"ping\",\"id\":1}");
      assertThat(socket.nextJson().getString("type")).isEqualTo("pong");
    }
    assertThat(connects).isEmpty();
  }

  @Test
  void subscribesToTheHooksGroupsAreAskedAboutOthersAreNot() {
    try (TestSocket socket = withSession("/ws", "good")) {
      socket.nextJson();
      socket.send("{\"type\":\"subscribe\",\"group\":\"open\",\"id\":1}");
      assertThat(socket.nextJson().getString("type")).isEqualTo("subscribed");
      assertThat(subscribes.get(0)).isEqualTo(new JsonObject().put("group", "open").put("client", subscribes.get(0).getString("client"))
        .put("user", "alice"));
      socket.send("{\"type\":\"subscribe\",\"group\":\"secret\",\"id\":2}");
      assertThat(socket.nextJson()).isEqualTo(new JsonObject().put("type", "error").put("code", "forbidden")
        .put("message", "members only").put("reason", "not_member").put("id", 2));
      socket.send("{\"type\":\"subscribe\",\"group\":\"fail-sub\",\"id\":3}");
      assertThat(socket.nextJson().getString("code")).isEqualTo("backend_error");
      socket.send("{\"type\":\"subscribe\",\"group\":\"slow-sub\",\"id\":4}");
      // Other frames are answered while the backend is silent.
      socket.send("{\"type\":\"ping\",\"id\":5}");
      assertThat(socket.nextJson().getString("type")).isEqualTo("pong");
      JsonObject timedOut = socket.nextJson();
      assertThat(timedOut.getString("code")).isEqualTo("timeout");
      assertThat(timedOut.getInteger("id")).isEqualTo(4);
      int asked = subscribes.size();
      socket.send("{\"type\":\"subscribe\",\"group\":\"elsewhere\",\"id\":6}");
      assertThat(socket.nextJson().getString("type")).isEqualTo("subscribed");
      assertThat(subscribes).hasSize(asked);
      String metrics = gateway.get("/metrics").bodyAsString();
      assertThat(metrics).contains("switchboard_proxy_calls_total{hook=\"subscribe\",outcome=\"refused\"} 1.0")
        .contains("switchboard_proxy_calls_total{hook=\"subscribe\",outcome=\"timeout\"} 1.0")
        .contains("switchboard_proxy_calls_total{hook=\"connect\",outcome=\"answered\"} 1.0");
    }
  }

  @Test
  void publishesAreAllowedRefusedOrRewrittenByTheBackend() {
    try (TestSocket reader = gateway.connect("/ws"); TestSocket writer = gateway.connect("/ws")) {
      reader.send("{\"type\":\"subscribe\",\"group\":\"censored\",\"id\":1}");
      reader.nextJson();
      writer.send("{\"type\":\"publish\",\"group\":\"censored\",\"data\":\"secret plan\",\"id\":1}");
      assertThat(writer.nextJson().getString("type")).isEqualTo("ack");
      assertThat(reader.nextJson().getString("data")).isEqualTo("[redacted secret plan]");
      writer.send("{\"type\":\"publish\",\"group\":\"closed\",\"data\":1,\"id\":2}");
      assertThat(writer.nextJson()).isEqualTo(new JsonObject().put("type", "error").put("code", "forbidden")
        .put("message", "read only").put("reason", "read_only").put("id", 2));
      writer.send("{\"type\":\"publish\",\"group\":\"fail-pub\",\"data\":1,\"id\":3}");
      assertThat(writer.nextJson().getString("code")).isEqualTo("backend_error");
      writer.send("{\"type\":\"publish\",\"group\":\"slow-pub\",\"data\":1,\"id\":4}");
      JsonObject timedOut = writer.nextJson();
      assertThat(timedOut.getString("code")).isEqualTo("timeout");
      assertThat(timedOut.getInteger("id")).isEqualTo(4);
      // The writer is still served after a failed and a silent call.
      writer.send("{\"type\":\"publish\",\"group\":\"censored\",\"data\":\"after\",\"id\":5}");
      assertThat(reader.nextJson().getString("data")).isEqualTo("[redacted after]");
    }
    try (TestSocket chat = gateway.connect("/ws/chat/room?welcome=1")) {
      assertThat(chat.nextJson().getString("type")).isEqualTo("welcome");
      chat.send("{\"message\":\"bad word\"}");
      assertThat(chat.nextJson().getString("message")).isEqualTo("*** ****");
      chat.send("{\"message\":\"fine\"}");
      assertThat(chat.nextJson().getString("message")).isEqualTo("fine");
    }
  }

  /** The event-bus bridge asks the same hooks: a bridge address is a group like any other. */
  @Test
  void theEventBusBridgeIsAskedAboutTheSameWay() {
    try (TestSocket bridge = withSession("/eventbus/websocket", "good"); TestSocket reader = gateway.connect("/ws")) {
      reader.send("{\"type\":\"subscribe\",\"group\":\"censored\",\"id\":1}");
      reader.nextJson();
      bridge.send("{\"type\":\"register\",\"address\":\"secret\"}");
      JsonObject refused = bridge.nextJson();
      assertThat(refused.getString("type")).isEqualTo("err");
      assertThat(refused.getString("address")).isEqualTo("secret");
      assertThat(refused.getString("failureType")).isEqualTo("forbidden");
      assertThat(refused.getString("message")).isEqualTo("members only");
      assertThat(subscribes.get(subscribes.size() - 1).getString("user")).isEqualTo("alice");

      bridge.send("{\"type\":\"send\",\"address\":\"censored\",\"body\":\"plan\",\"replyAddress\":\"r1\"}");
      assertThat(bridge.nextJson()).isEqualTo(new JsonObject().put("type", "rec").put("address", "r1").put("body", new JsonObject()));
      assertThat(reader.nextJson().getString("data")).isEqualTo("[redacted plan]");
      bridge.send("{\"type\":\"send\",\"address\":\"closed\",\"body\":1,\"replyAddress\":\"r2\"}");
      JsonObject closed = bridge.nextJson();
      assertThat(closed.getString("address")).isEqualTo("r2");
      assertThat(closed.getString("failureType")).isEqualTo("forbidden");
    }
  }
}
